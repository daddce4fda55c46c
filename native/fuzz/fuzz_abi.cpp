// libFuzzer harness over the C ABI's argument checking: fuzzed descriptors (dtypes, ranks,
// shapes, strides, NULLs, offsets and misalignment inside one bounded buffer) fed to every
// operation, under ASan/UBSan. Build: clang, -DATTN4J_SANITIZE=ON -DATTN4J_FUZZ=ON (see
// native/CMakeLists.txt); run: fuzz_abi -max_total_time=60 native/fuzz/corpus.
//
// The one thing the harness keeps honest is memory the caller claims: the ABI cannot know how
// big a caller's allocation is, so a descriptor whose extent fits int64 but not the buffer gets
// data = NULL (which the ABI must then refuse); one whose extent overflows int64 keeps its
// pointer (the ABI must refuse the overflow). Everything else is as hostile as the bytes say.
#include "attn4j.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

extern "C" const char *__asan_default_options() {
    // Huge attn4j_alloc requests must come back as ATTN4J_ERR_OUT_OF_MEMORY, not abort the run.
    return "allocator_may_return_null=1";
}

namespace {

constexpr size_t kBufferBytes = 1 << 20; // [kBufferBytes] bytes every descriptor points into
constexpr int64_t kMaxElements = 1 << 14; // larger (memory-valid) tensors get data = NULL: time

// Reads the fuzzer's bytes as a stream of decisions (zeros once exhausted).
struct Bytes {
    const uint8_t *p;
    size_t n;
    uint8_t u8() {
        if (n == 0) return 0;
        --n;
        return *p++;
    }
    uint32_t u32() {
        uint32_t v = 0;
        for (int k = 0; k < 4; ++k) v = v << 8 | u8();
        return v;
    }
    int64_t i64() {
        uint64_t v = 0;
        for (int k = 0; k < 8; ++k) v = v << 8 | u8();
        return (int64_t)v;
    }
};

const int64_t kHostile[] = {-1, INT64_MAX, INT64_MIN, int64_t(1) << 31, int64_t(1) << 40,
                            int64_t(1) << 62, 0, 65537};

int64_t element_size(int32_t dtype) {
    switch (dtype) {
    case ATTN4J_DTYPE_F32: return 4;
    case ATTN4J_DTYPE_F16:
    case ATTN4J_DTYPE_BF16: return 2;
    case ATTN4J_DTYPE_BOOL: return 1;
    case ATTN4J_DTYPE_F64: return 8;
    default: return 0;
    }
}

// One descriptor from the bytes; returns NULL (an absent tensor) one time in sixteen.
attn4j_tensor *make(Bytes &in, attn4j_tensor &t, uint8_t *buffer) {
    std::memset(&t, 0, sizeof t);
    uint8_t kind = in.u8();
    if (kind % 16 == 15) return nullptr;
    uint8_t d = in.u8();
    t.dtype = d < 160 ? ATTN4J_DTYPE_F32 : d < 200 ? ATTN4J_DTYPE_BOOL : d < 250 ? d % 5 : (int32_t)in.u32();
    uint8_t r = in.u8();
    t.ndim = r < 200 ? 1 + r % 4 : (int32_t)(r % 14) - 3; // mostly 1..4, sometimes -3..10
    for (int k = 0; k < ATTN4J_MAX_DIMS; ++k) {
        uint8_t s = in.u8();
        t.shape[k] = s < 232 ? s % 8 : kHostile[s % 8];
    }
    uint8_t layout = in.u8();
    int64_t stride = 1; // row-major, unless the bytes say otherwise
    for (int k = ATTN4J_MAX_DIMS - 1; k >= 0; --k) {
        if (layout < 160) {
            bool in_rank = k < t.ndim;
            t.strides[k] = in_rank ? stride : 0;
            if (in_rank && t.shape[k] > 0 && t.shape[k] < (int64_t(1) << 20) && stride < (int64_t(1) << 40))
                stride *= t.shape[k];
        } else {
            uint8_t s = in.u8();
            t.strides[k] = s < 224 ? s % 17 : kHostile[s % 8];
        }
    }
    uint8_t where = in.u8();
    size_t offset = (in.u32() % kBufferBytes) & ~size_t(7);
    if (where % 8 == 7) offset += 1 + where % 3; // misaligned for every dtype wider than a byte
    t.data = where < 8 ? nullptr : buffer + offset;

    // Memory the descriptor claims, computed wide; see the header comment for the two cases.
    int64_t esize = element_size(t.dtype);
    if (t.data == nullptr || esize == 0 || t.ndim < 0 || t.ndim > ATTN4J_MAX_DIMS) return &t;
    __int128 count = 1;
    __int128 furthest = 0;
    for (int k = 0; k < t.ndim; ++k) {
        if (t.shape[k] < 0 || t.strides[k] < 0) return &t;
        count *= t.shape[k];
        if (count > INT64_MAX) return &t; // the ABI must report the overflow
    }
    if (count == 0) return &t;
    for (int k = 0; k < t.ndim; ++k) {
        furthest += (__int128)(t.shape[k] - 1) * t.strides[k]; // each term < 2^126: no wrap
        if (furthest > INT64_MAX) return &t;                  // the ABI must report the overflow
    }
    __int128 bytes = (furthest + 1) * esize;
    if (bytes > INT64_MAX) return &t; // the ABI must report the overflow
    if (count > kMaxElements || offset + (size_t)bytes > kBufferBytes) t.data = nullptr;
    return &t;
}

void check(attn4j_status status, const char *what) {
    if (status < ATTN4J_OK || status > ATTN4J_ERR_INTERNAL) {
        std::fprintf(stderr, "%s: status %d outside the ABI's codes\n", what, status);
        std::abort();
    }
    if (status == ATTN4J_ERR_INTERNAL) { // a bug by the ABI's own definition
        std::fprintf(stderr, "%s: ATTN4J_ERR_INTERNAL: %s\n", what, attn4j_last_error());
        std::abort();
    }
    if (status != ATTN4J_OK && attn4j_last_error()[0] == '\0') {
        std::fprintf(stderr, "%s: status %s without a message\n", what, attn4j_status_string(status));
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static attn4j_context *context = [] {
        attn4j_context *c = nullptr;
        if (attn4j_context_create(1, &c) != ATTN4J_OK) std::abort();
        return c;
    }();
    static uint8_t *buffer = static_cast<uint8_t *>(std::aligned_alloc(64, kBufferBytes));

    Bytes in{data, size};
    // The buffer's values: a fuzzed 64-byte pattern (NaN, Inf, subnormals, any BOOL byte) repeated.
    uint8_t pattern[64];
    for (uint8_t &b : pattern) b = in.u8();
    for (size_t k = 0; k < kBufferBytes; k += sizeof pattern) std::memcpy(buffer + k, pattern, sizeof pattern);

    uint8_t op = in.u8();
    attn4j_context *ctx = op >= 240 ? nullptr : context;
    float scalar;
    uint32_t raw = in.u32();
    std::memcpy(&scalar, &raw, sizeof scalar);
    int32_t axis = (int32_t)(in.u8() % 5) - 3;
    attn4j_tensor d[11];
    attn4j_tensor *t[11];
    for (int k = 0; k < 11; ++k) t[k] = make(in, d[k], buffer);

    switch (op % 13) {
    case 0: check(attn4j_linear(ctx, t[0], t[1], t[2], t[3]), "linear"); break;
    case 1: check(attn4j_matmul(ctx, t[0], raw & 1, t[1], raw & 2, scalar, t[2]), "matmul"); break;
    case 2: check(attn4j_softmax(ctx, t[0], axis, t[1]), "softmax"); break;
    case 3: check(attn4j_rms_norm(ctx, t[0], t[1], scalar, t[2]), "rms_norm"); break;
    case 4: check(attn4j_layer_norm(ctx, t[0], t[1], t[2], scalar, t[3]), "layer_norm"); break;
    case 5: check(attn4j_gelu(ctx, t[0], t[1]), "gelu"); break;
    case 6: check(attn4j_add(ctx, t[0], t[1], t[2]), "add"); break;
    case 7: check(attn4j_bca_softmax(ctx, t[0], t[1], t[2], t[3], t[4], t[5]), "bca_softmax"); break;
    case 8: check(attn4j_head_mix(ctx, t[0], t[1], t[2]), "head_mix"); break;
    case 9:
    case 10:
        check(attn4j_bca_fused(ctx, t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], scalar, t[9],
                               t[10]),
              "bca_fused");
        break;
    case 11: {
        int64_t bytes = raw & 1 ? kHostile[raw % 8] : (int64_t)(raw % 4096);
        void *p = nullptr;
        check(attn4j_alloc(bytes, (raw & 2) ? nullptr : &p), "alloc");
        check(attn4j_free(p), "free");
        break;
    }
    default: {
        int32_t threads = (int32_t)raw;
        if (threads > 4 && threads < 100000) threads = 4; // valid but costly: a few threads suffice
        attn4j_context *c = nullptr;
        attn4j_status s = attn4j_context_create(threads, (raw & 0x10000) ? nullptr : &c);
        check(s, "context_create");
        if (s == ATTN4J_OK) {
            int32_t n = 0;
            check(attn4j_context_threads(c, &n), "context_threads");
            check(attn4j_context_destroy(c), "context_destroy");
        }
        int32_t unused = 0;
        check(attn4j_context_threads(nullptr, &unused), "context_threads(NULL)");
        break;
    }
    }
    return 0;
}
