// Scratch memory of the kernels: 64-byte aligned blocks, carved into pieces, and reused by
// the calling thread from one call to the next when they are small.
#pragma once

#include "block_cache.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

namespace attn4j {

// Hands out 64-byte aligned pieces of one block; with a null base it only measures.
class Carver {
  public:
    explicit Carver(char *base) : base_(base) {}
    template <class T> T *take(int64_t count) {
        const size_t offset = (used_ + 63) / 64 * 64;
        used_ = offset + (size_t)count * sizeof(T);
        return base_ != nullptr ? reinterpret_cast<T *>(base_ + offset) : nullptr;
    }
    size_t used() const { return used_; }

  private:
    char *base_;
    size_t used_ = 0;
};

struct CachedFree {
    void operator()(char *p) const { cached_free(p); }
};
using Block = std::unique_ptr<char, CachedFree>;

// 64-byte aligned, large blocks reused from earlier calls (block_cache.h). Throws
// std::bad_alloc (turned into ATTN4J_ERR_OUT_OF_MEMORY by the caller's guard).
inline Block allocate(size_t bytes) {
    void *p = cached_alloc(bytes);
    if (p == nullptr) throw std::bad_alloc();
    return Block(static_cast<char *>(p));
}

// Scratch of one call: up to kKeptBytes it is the calling thread's own block, kept from call
// to call (grown when a call needs more), so that small calls allocate nothing; a larger
// request gets a block of its own, freed with this object (a thread keeps no large block
// alive after a large call). One Scratch per thread at a time: calls do not nest.
class Scratch {
  public:
    static constexpr size_t kKeptBytes = size_t(4) << 20;
    explicit Scratch(size_t bytes);
    char *get() const { return base_; }

  private:
    Block own_;
    char *base_;
};

} // namespace attn4j
