// attn4j_bca_fused: argument checks and the choice of kernels; the work is done by the tiled
// driver in bca_fused_run.cpp.
#include "attn4j.h"
#include "bca_fused_kernels.h"
#include "bca_fused_run.h"
#include "common.h"

#include <cmath>

namespace attn4j {
namespace {

#define BCA_CHECK(expr)                                                                            \
    do {                                                                                           \
        const attn4j_status status_ = (expr);                                                      \
        if (status_ != ATTN4J_OK) return status_;                                                  \
    } while (0)

// `t` must have exactly `expected` as its shape (rank 4).
attn4j_status check_shape4(const attn4j_tensor *t, const char *name, const int64_t *expected,
                           const char *what) {
    for (int k = 0; k < 4; ++k)
        if (t->shape[k] != expected[k])
            return fail(ATTN4J_ERR_SHAPE_MISMATCH,
                        "%s: expected %s = [%lld, %lld, %lld, %lld], got %s", name, what,
                        (long long)expected[0], (long long)expected[1], (long long)expected[2],
                        (long long)expected[3], shape_string(*t).c_str());
    return ATTN4J_OK;
}

// A mask must be [b, n] BOOL.
attn4j_status check_mask(const attn4j_tensor *t, const char *name, int64_t b, int64_t n,
                         const char *what) {
    BCA_CHECK(check_optional(t, name, ATTN4J_DTYPE_BOOL, 2, 2));
    if (t != nullptr && (t->shape[0] != b || t->shape[1] != n))
        return fail(ATTN4J_ERR_SHAPE_MISMATCH, "%s: expected %s = [%lld, %lld], got %s", name, what,
                    (long long)b, (long long)n, shape_string(*t).c_str());
    return ATTN4J_OK;
}

// A talking-heads matrix must be [h, h] F32.
attn4j_status check_heads(const attn4j_tensor *t, const char *name, int64_t h) {
    BCA_CHECK(check_optional(t, name, ATTN4J_DTYPE_F32, 2, 2));
    if (t != nullptr && (t->shape[0] != h || t->shape[1] != h))
        return fail(ATTN4J_ERR_SHAPE_MISMATCH, "%s: expected [h, h] = [%lld, %lld], got %s", name,
                    (long long)h, (long long)h, shape_string(*t).c_str());
    return ATTN4J_OK;
}

// Bytes [first, last] that a checked, non-empty tensor can reach.
struct Extent {
    uintptr_t first, last;
    bool empty;
};

Extent extent_of(const attn4j_tensor *t) {
    Extent x{0, 0, true};
    if (t == nullptr || numel(*t) == 0) return x;
    int64_t furthest = 0;
    for (int k = 0; k < t->ndim; ++k) furthest += (t->shape[k] - 1) * t->strides[k];
    x.first = reinterpret_cast<uintptr_t>(t->data);
    x.last = x.first + (uintptr_t)((furthest + 1) * dtype_size(t->dtype)) - 1;
    x.empty = false;
    return x;
}

// Why: outputs are written while inputs are still being read (and each output in pieces), so
// any shared byte would give a wrong result. Overlap of the reachable byte ranges is checked,
// which also rejects interleaved views that happen not to share an element.
attn4j_status check_disjoint(const attn4j_tensor *output, const char *output_name,
                             const attn4j_tensor *other, const char *other_name) {
    const Extent a = extent_of(output), b = extent_of(other);
    if (a.empty || b.empty) return ATTN4J_OK;
    if (a.first <= b.last && b.first <= a.last)
        return fail(ATTN4J_ERR_INVALID_ARG, "%s: expected memory disjoint from %s, got overlap",
                    output_name, other_name);
    return ATTN4J_OK;
}

attn4j_status bca_fused(attn4j_context *ctx, const attn4j_tensor *qk,
                        const attn4j_tensor *context_qk, const attn4j_tensor *v,
                        const attn4j_tensor *context_v, const attn4j_tensor *rel_pos_bias,
                        const attn4j_tensor *mask, const attn4j_tensor *context_mask,
                        const attn4j_tensor *talking_heads,
                        const attn4j_tensor *context_talking_heads, float scale, attn4j_tensor *out,
                        attn4j_tensor *context_out) {
    int32_t threads = 1;
    BCA_CHECK(check_context(ctx, &threads));
    BCA_CHECK(check_tensor(qk, "qk", ATTN4J_DTYPE_F32, 4, 4));
    BCA_CHECK(check_tensor(context_qk, "context_qk", ATTN4J_DTYPE_F32, 4, 4));
    BCA_CHECK(check_tensor(v, "v", ATTN4J_DTYPE_F32, 4, 4));
    BCA_CHECK(check_tensor(context_v, "context_v", ATTN4J_DTYPE_F32, 4, 4));
    BCA_CHECK(check_tensor(out, "out", ATTN4J_DTYPE_F32, 4, 4));
    BCA_CHECK(check_tensor(context_out, "context_out", ATTN4J_DTYPE_F32, 4, 4));

    // qk fixes b, h, i, d; context_qk adds j.
    const int64_t b = qk->shape[0], h = qk->shape[1], i = qk->shape[2], d = qk->shape[3];
    const int64_t j = context_qk->shape[2];
    const int64_t x_shape[4] = {b, h, i, d};
    const int64_t c_shape[4] = {b, h, j, d};
    BCA_CHECK(check_shape4(context_qk, "context_qk", c_shape, "[b, h, j, d] (b, h, d from qk)"));
    BCA_CHECK(check_shape4(v, "v", x_shape, "qk's shape [b, h, i, d]"));
    BCA_CHECK(check_shape4(context_v, "context_v", c_shape, "context_qk's shape [b, h, j, d]"));
    BCA_CHECK(check_shape4(out, "out", x_shape, "qk's shape [b, h, i, d]"));
    BCA_CHECK(check_shape4(context_out, "context_out", c_shape, "context_qk's shape [b, h, j, d]"));

    BCA_CHECK(check_optional(rel_pos_bias, "rel_pos_bias", ATTN4J_DTYPE_F32, 4, 4));
    if (rel_pos_bias != nullptr) {
        const int64_t target[4] = {b, h, i, j};
        for (int k = 0; k < 4; ++k)
            if (rel_pos_bias->shape[k] != target[k] && rel_pos_bias->shape[k] != 1)
                return fail(ATTN4J_ERR_SHAPE_MISMATCH,
                            "rel_pos_bias: expected a shape broadcastable to [b, h, i, j] = "
                            "[%lld, %lld, %lld, %lld], got %s",
                            (long long)b, (long long)h, (long long)i, (long long)j,
                            shape_string(*rel_pos_bias).c_str());
    }
    BCA_CHECK(check_mask(mask, "mask", b, i, "[b, i]"));
    BCA_CHECK(check_mask(context_mask, "context_mask", b, j, "[b, j]"));
    BCA_CHECK(check_heads(talking_heads, "talking_heads", h));
    BCA_CHECK(check_heads(context_talking_heads, "context_talking_heads", h));
    if (!std::isfinite(scale))
        return fail(ATTN4J_ERR_INVALID_ARG, "scale: expected a finite value, got %g",
                    (double)scale);

    const attn4j_tensor *inputs[] = {qk,           context_qk,    v,
                                     context_v,    rel_pos_bias,  mask,
                                     context_mask, talking_heads, context_talking_heads};
    const char *input_names[] = {"qk",           "context_qk",    "v",
                                 "context_v",    "rel_pos_bias",  "mask",
                                 "context_mask", "talking_heads", "context_talking_heads"};
    for (int k = 0; k < 9; ++k) {
        BCA_CHECK(check_disjoint(out, "out", inputs[k], input_names[k]));
        BCA_CHECK(check_disjoint(context_out, "context_out", inputs[k], input_names[k]));
    }
    BCA_CHECK(check_disjoint(out, "out", context_out, "context_out"));

    bca::Problem pb{b,
                    h,
                    i,
                    j,
                    d,
                    qk,
                    v,
                    context_qk,
                    context_v,
                    rel_pos_bias,
                    mask,
                    context_mask,
                    talking_heads,
                    context_talking_heads,
                    scale,
                    out,
                    context_out,
                    threads < 1 ? 1 : threads};
    bca::run(pb, bca::select_kernels());
    return ATTN4J_OK;
}

} // namespace
} // namespace attn4j

extern "C" ATTN4J_API attn4j_status attn4j_bca_fused(
    attn4j_context *ctx, const attn4j_tensor *qk, const attn4j_tensor *context_qk,
    const attn4j_tensor *v, const attn4j_tensor *context_v, const attn4j_tensor *rel_pos_bias,
    const attn4j_tensor *mask, const attn4j_tensor *context_mask,
    const attn4j_tensor *talking_heads, const attn4j_tensor *context_talking_heads, float scale,
    attn4j_tensor *out, attn4j_tensor *context_out) {
    return attn4j::guarded([&] {
        return attn4j::bca_fused(ctx, qk, context_qk, v, context_v, rel_pos_bias, mask,
                                 context_mask, talking_heads, context_talking_heads, scale, out,
                                 context_out);
    });
}
