// Scratch memory for callers: 64-byte aligned (a cache line, and the widest vector load).
#include "common.h"

#include <cstdlib>

using namespace attn4j;

extern "C" {

ATTN4J_API attn4j_status attn4j_alloc(int64_t bytes, void **out) {
    return guarded([&] {
        if (attn4j_status s = check_out_pointer(out)) return s;
        if (bytes < 0)
            return fail(ATTN4J_ERR_INVALID_ARG, "bytes: expected >= 0, got %lld", (long long)bytes);
        // aligned_alloc wants a multiple of the alignment; 0 bytes still gets a unique block.
        const int64_t kAlign = 64;
        if (bytes > INT64_MAX - kAlign)
            return fail(ATTN4J_ERR_OVERFLOW, "bytes: %lld rounded up to 64 overflows int64",
                        (long long)bytes);
        int64_t rounded = bytes == 0 ? kAlign : (bytes + kAlign - 1) / kAlign * kAlign;
        if ((uint64_t)rounded > (uint64_t)SIZE_MAX)
            return fail(ATTN4J_ERR_OUT_OF_MEMORY, "cannot allocate %lld bytes", (long long)bytes);
        void *p = std::aligned_alloc((size_t)kAlign, (size_t)rounded);
        if (p == nullptr)
            return fail(ATTN4J_ERR_OUT_OF_MEMORY, "cannot allocate %lld bytes", (long long)bytes);
        *out = p;
        return ATTN4J_OK;
    });
}

ATTN4J_API attn4j_status attn4j_free(void *ptr) {
    return guarded([&] {
        std::free(ptr);
        return ATTN4J_OK;
    });
}

} // extern "C"
