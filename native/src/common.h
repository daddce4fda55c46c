// Shared internals of libattn4j: error reporting, tensor checks, the exception guard and the
// context. Every exported function is `return guarded([&] { ... });` around checks that return
// early through fail().
#pragma once

#include "attn4j.h"

#include <cstdint>
#include <initializer_list>
#include <string>

struct attn4j_context;

namespace attn4j {

// Records `message` (printf-style) as the calling thread's last error and returns `code`.
attn4j_status fail(attn4j_status code, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

// Clears the calling thread's last error (called at the start of every exported function).
void clear_error();

// Runs `body` (which returns attn4j_status) and turns any C++ exception into a status:
// std::bad_alloc -> ATTN4J_ERR_OUT_OF_MEMORY, dnnl::error -> ATTN4J_ERR_BACKEND,
// anything else -> ATTN4J_ERR_INTERNAL. Nothing escapes.
template <class Body> attn4j_status guarded(Body &&body) noexcept;

// Checks a descriptor: `t` non-NULL, dtype as expected, ndim in [min_rank, max_rank] and
// ≤ ATTN4J_MAX_DIMS, every dim ≥ 0, every stride ≥ 0, the element count and the furthest
// reachable byte fit in int64, and data non-NULL unless the tensor is empty.
// `name` appears in the message ("x: expected rank 2..8, got 9").
attn4j_status check_tensor(const attn4j_tensor *t, const char *name, int32_t dtype,
                           int32_t min_rank, int32_t max_rank);

// check_tensor on each (tensor, name) pair in order, all with the same dtype and ranks; the
// first failure's status.
struct NamedTensor {
    const attn4j_tensor *t;
    const char *name;
};
attn4j_status check_tensors(std::initializer_list<NamedTensor> tensors, int32_t dtype,
                            int32_t min_rank, int32_t max_rank);

// Same as check_tensor, but `t` may be NULL (an absent optional input).
attn4j_status check_optional(const attn4j_tensor *t, const char *name, int32_t dtype,
                             int32_t min_rank, int32_t max_rank);

// Product of the dims (call after check_tensor, which proved it fits).
int64_t numel(const attn4j_tensor &t);

// True when the strides are the row-major strides of the shape (size-1 dims ignored).
bool is_contiguous(const attn4j_tensor &t);

// "[2, 7, 32]" for messages.
std::string shape_string(const attn4j_tensor &t);

// Checks a context pointer and returns its thread count through *threads.
attn4j_status check_context(const attn4j_context *ctx, int32_t *threads);

// The prologue of an op from one F32 tensor to another: check_context, then `in` and `out` as
// check_tensors with rank in [min_rank, ATTN4J_MAX_DIMS] (their shapes are the op's to check).
attn4j_status check_in_out(const attn4j_context *ctx, int32_t *threads, NamedTensor in,
                           NamedTensor out, int32_t min_rank);

// Checks the out-parameter `out` (ERR_NULL_ARGUMENT for NULL) and clears what it points to, so
// that a failure after this leaves no stale pointer with the caller.
template <class T> attn4j_status check_out_pointer(T **out) {
    if (out == nullptr) return fail(ATTN4J_ERR_NULL_ARGUMENT, "out: expected a pointer, got NULL");
    *out = nullptr;
    return ATTN4J_OK;
}

// Bytes per element of an attn4j dtype (0 for an unknown one).
int64_t dtype_size(int32_t dtype);

} // namespace attn4j

#include "guard_impl.h"
