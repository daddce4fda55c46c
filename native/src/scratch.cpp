// The calling thread's kept scratch block (scratch.h).
#include "scratch.h"

namespace attn4j {

namespace {

struct Kept {
    Block block;
    size_t size = 0;
};
thread_local Kept kept; // freed when the thread ends

} // namespace

Scratch::Scratch(size_t bytes) : base_(nullptr) {
    if (bytes > kKeptBytes) {
        own_ = allocate(bytes);
        base_ = own_.get();
        return;
    }
    if (kept.size < bytes || kept.block == nullptr) {
        // Round up so that a few slightly larger calls do not each reallocate.
        const size_t size = bytes < 4096 ? 4096 : (bytes + 4095) / 4096 * 4096;
        kept.block.reset();
        kept.size = 0;
        kept.block = allocate(size); // throws before `kept` claims a size it lacks
        kept.size = size;
    }
    base_ = kept.block.get();
}

} // namespace attn4j
