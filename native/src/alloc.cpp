// Scratch memory for callers: 64-byte aligned (a cache line, and the widest vector load).
#include "block_cache.h"
#include "common.h"

#include <cstdlib>

using namespace attn4j;

extern "C" {

ATTN4J_API attn4j_status attn4j_alloc(int64_t bytes, void **out) {
    return guarded([&] {
        if (attn4j_status s = check_out_pointer(out)) return s;
        if (bytes < 0)
            return fail(ATTN4J_ERR_INVALID_ARG, "bytes: expected >= 0, got %lld", (long long)bytes);
        // Large blocks come back from the idle ones of earlier calls (block_cache.h); 0 bytes
        // still gets a unique block.
        if (bytes > INT64_MAX - 4096)
            return fail(ATTN4J_ERR_OVERFLOW, "bytes: %lld rounded up to 4096 overflows int64",
                        (long long)bytes);
        void *p = cached_alloc((size_t)bytes);
        if (p == nullptr)
            return fail(ATTN4J_ERR_OUT_OF_MEMORY, "cannot allocate %lld bytes", (long long)bytes);
        *out = p;
        return ATTN4J_OK;
    });
}

ATTN4J_API attn4j_status attn4j_free(void *ptr) {
    return guarded([&] {
        cached_free(ptr);
        return ATTN4J_OK;
    });
}

} // extern "C"
