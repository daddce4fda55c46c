// Shared internals of common.h: the thread-local last error and the checks every exported
// function runs on its arguments before touching any data.
#include "common.h"

#include "context.h"
#include "error.h"

#include <cstdarg>
#include <cstdio>

namespace attn4j {

namespace {

// Large enough for any message we compose (shapes of rank 8 included); longer ones are cut.
thread_local char last_error[1024] = "";

// Indexed by ATTN4J_DTYPE_* (0 = F32 … 4 = F64).
const char *dtype_name(int32_t dtype) {
    static const char *const names[] = {"F32", "F16", "BF16", "BOOL", "F64"};
    static_assert(ATTN4J_DTYPE_F32 == 0 && ATTN4J_DTYPE_F16 == 1 && ATTN4J_DTYPE_BF16 == 2 &&
                      ATTN4J_DTYPE_BOOL == 3 && ATTN4J_DTYPE_F64 == 4,
                  "names[] follows the ATTN4J_DTYPE_* values");
    return dtype >= 0 && dtype < (int32_t)(sizeof names / sizeof names[0]) ? names[dtype] : "unknown";
}

// a * b into *out, false when it overflows int64 (both operands ≥ 0).
bool mul_ok(int64_t a, int64_t b, int64_t *out) { return !__builtin_mul_overflow(a, b, out); }
bool add_ok(int64_t a, int64_t b, int64_t *out) { return !__builtin_add_overflow(a, b, out); }

} // namespace

const char *last_error_message() { return last_error; }

attn4j_status fail(attn4j_status code, const char *format, ...) {
    va_list args;
    va_start(args, format);
    std::vsnprintf(last_error, sizeof last_error, format, args);
    va_end(args);
    return code;
}

void clear_error() { last_error[0] = '\0'; }

int64_t dtype_size(int32_t dtype) {
    switch (dtype) {
    case ATTN4J_DTYPE_F32:
        return 4;
    case ATTN4J_DTYPE_F16:
        return 2;
    case ATTN4J_DTYPE_BF16:
        return 2;
    case ATTN4J_DTYPE_BOOL:
        return 1;
    case ATTN4J_DTYPE_F64:
        return 8;
    default:
        return 0;
    }
}

attn4j_status check_tensor(const attn4j_tensor *t, const char *name, int32_t dtype,
                           int32_t min_rank, int32_t max_rank) {
    if (t == nullptr)
        return fail(ATTN4J_ERR_NULL_ARGUMENT, "%s: expected a tensor, got NULL", name);
    if (max_rank > ATTN4J_MAX_DIMS) max_rank = ATTN4J_MAX_DIMS;
    if (t->ndim < min_rank || t->ndim > max_rank) {
        if (min_rank == max_rank)
            return fail(ATTN4J_ERR_INVALID_ARG, "%s: expected rank %d, got %d", name, min_rank,
                        t->ndim);
        return fail(ATTN4J_ERR_INVALID_ARG, "%s: expected rank %d..%d, got %d", name, min_rank,
                    max_rank, t->ndim);
    }
    if (t->dtype != dtype)
        return fail(ATTN4J_ERR_DTYPE, "%s: expected dtype %s, got %s (%d)", name, dtype_name(dtype),
                    dtype_name(t->dtype), t->dtype);
    for (int d = 0; d < t->ndim; ++d) {
        if (t->shape[d] < 0)
            return fail(ATTN4J_ERR_INVALID_ARG, "%s: expected dims >= 0, got shape[%d] = %lld",
                        name, d, (long long)t->shape[d]);
        if (t->strides[d] < 0)
            return fail(ATTN4J_ERR_INVALID_ARG, "%s: expected strides >= 0, got strides[%d] = %lld",
                        name, d, (long long)t->strides[d]);
    }
    int64_t count = 1;
    for (int d = 0; d < t->ndim; ++d)
        if (!mul_ok(count, t->shape[d], &count))
            return fail(ATTN4J_ERR_OVERFLOW, "%s: element count of shape %s overflows int64", name,
                        shape_string(*t).c_str());
    if (count == 0) return ATTN4J_OK; // nothing is ever read or written: data may be NULL
    // Furthest element reachable: Σ (shape[d] − 1) · strides[d]; its last byte must fit too.
    int64_t furthest = 0;
    for (int d = 0; d < t->ndim; ++d) {
        int64_t step;
        if (!mul_ok(t->shape[d] - 1, t->strides[d], &step) || !add_ok(furthest, step, &furthest))
            return fail(ATTN4J_ERR_OVERFLOW,
                        "%s: furthest element of shape %s with strides overflows int64", name,
                        shape_string(*t).c_str());
    }
    int64_t bytes;
    if (!add_ok(furthest, 1, &bytes) || !mul_ok(bytes, dtype_size(dtype), &bytes))
        return fail(ATTN4J_ERR_OVERFLOW, "%s: byte extent of shape %s overflows int64", name,
                    shape_string(*t).c_str());
    if (t->data == nullptr)
        return fail(ATTN4J_ERR_NULL_ARGUMENT, "%s: expected data for %lld elements, got NULL", name,
                    (long long)count);
    // Why: a misaligned float access is undefined behaviour in C++ (and slow on some cores).
    if (reinterpret_cast<uintptr_t>(t->data) % (uintptr_t)dtype_size(dtype) != 0)
        return fail(ATTN4J_ERR_INVALID_ARG, "%s: expected data aligned to %lld bytes, got %p", name,
                    (long long)dtype_size(dtype), t->data);
    return ATTN4J_OK;
}

attn4j_status check_tensors(std::initializer_list<NamedTensor> tensors, int32_t dtype,
                            int32_t min_rank, int32_t max_rank) {
    for (const NamedTensor &n : tensors)
        if (attn4j_status s = check_tensor(n.t, n.name, dtype, min_rank, max_rank)) return s;
    return ATTN4J_OK;
}

attn4j_status check_optional(const attn4j_tensor *t, const char *name, int32_t dtype,
                             int32_t min_rank, int32_t max_rank) {
    if (t == nullptr) return ATTN4J_OK;
    return check_tensor(t, name, dtype, min_rank, max_rank);
}

int64_t numel(const attn4j_tensor &t) {
    int64_t count = 1;
    for (int d = 0; d < t.ndim; ++d) count *= t.shape[d];
    return count;
}

bool is_contiguous(const attn4j_tensor &t) {
    int64_t expected = 1;
    for (int d = t.ndim - 1; d >= 0; --d) {
        if (t.shape[d] == 1) continue;
        if (t.strides[d] != expected) return false;
        expected *= t.shape[d];
    }
    return true;
}

std::string shape_string(const attn4j_tensor &t) {
    std::string s = "[";
    int ndim = t.ndim < 0 ? 0 : (t.ndim > ATTN4J_MAX_DIMS ? ATTN4J_MAX_DIMS : t.ndim);
    for (int d = 0; d < ndim; ++d) {
        if (d > 0) s += ", ";
        s += std::to_string(t.shape[d]);
    }
    return s + "]";
}

attn4j_status check_context(const attn4j_context *ctx, int32_t *threads) {
    if (ctx == nullptr) return fail(ATTN4J_ERR_NULL_ARGUMENT, "ctx: expected a context, got NULL");
    // Why the tag: a pointer that never came from attn4j_context_create (or one already
    // destroyed, while its memory still holds the cleared tag) is reported, not used.
    if (ctx->magic != attn4j_context::kMagic)
        return fail(ATTN4J_ERR_INVALID_ARG,
                    "ctx: expected a context from attn4j_context_create, got %p", (void *)ctx);
    *threads = ctx->threads;
    return ATTN4J_OK;
}

attn4j_status check_in_out(const attn4j_context *ctx, int32_t *threads, NamedTensor in,
                           NamedTensor out, int32_t min_rank) {
    if (attn4j_status s = check_context(ctx, threads)) return s;
    return check_tensors({in, out}, ATTN4J_DTYPE_F32, min_rank, ATTN4J_MAX_DIMS);
}

} // namespace attn4j
