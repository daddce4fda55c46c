// attn4j_rms_norm and attn4j_layer_norm: normalisation over the last axis, on any strides,
// y may alias x (each row is read in full before it is written).
#include "common.h"
#include "context.h"
#include "kernels.h"
#include "strided.h"
#include "unit_team.h"

#include <algorithm>
#include <cmath>

using namespace attn4j;

namespace {

// Elements per chunk of rows shared out between threads (64 KiB of x).
constexpr int64_t kBlockElements = 16384;

// Checks shared by both norms; on success fills the row walk over x and y.
attn4j_status check_norm(const attn4j_context *ctx, const attn4j_tensor *x,
                         const attn4j_tensor *weight, bool weight_optional,
                         const attn4j_tensor *bias, float eps, const attn4j_tensor *y,
                         int32_t *threads, Nest<2> *nest) {
    if (attn4j_status s = check_context(ctx, threads)) return s;
    if (attn4j_status s = check_tensor(x, "x", ATTN4J_DTYPE_F32, 1, ATTN4J_MAX_DIMS)) return s;
    if (attn4j_status s = weight_optional ? check_optional(weight, "weight", ATTN4J_DTYPE_F32, 1, 1)
                                          : check_tensor(weight, "weight", ATTN4J_DTYPE_F32, 1, 1))
        return s;
    if (attn4j_status s = check_optional(bias, "bias", ATTN4J_DTYPE_F32, 1, 1)) return s;
    if (attn4j_status s = check_tensor(y, "y", ATTN4J_DTYPE_F32, 1, ATTN4J_MAX_DIMS)) return s;
    const int64_t n = x->shape[x->ndim - 1];
    if (weight != nullptr && weight->shape[0] != n)
        return fail(ATTN4J_ERR_SHAPE_MISMATCH,
                    "weight: expected shape [%lld] (x's last dim), got %s", (long long)n,
                    shape_string(*weight).c_str());
    if (bias != nullptr && bias->shape[0] != n)
        return fail(ATTN4J_ERR_SHAPE_MISMATCH, "bias: expected shape [%lld] (x's last dim), got %s",
                    (long long)n, shape_string(*bias).c_str());
    if (!(eps >= 0.0f) || std::isinf(eps))
        return fail(ATTN4J_ERR_INVALID_ARG, "eps: expected a finite value >= 0, got %g", eps);
    if (attn4j_status s = check_output_like(*y, "y", *x, "x")) return s;
    nest->ndim = x->ndim;
    for (int d = 0; d < x->ndim; ++d) {
        nest->shape[d] = x->shape[d];
        nest->strides[0][d] = x->strides[d];
        nest->strides[1][d] = y->strides[d];
    }
    nest->collapse(true);
    return ATTN4J_OK;
}

// Runs `kernel<Unit>` on every row of the walk.
template <class Kernel>
void for_rows(const Nest<2> &nest, const attn4j_tensor *x, const attn4j_tensor *y,
              const attn4j_tensor *weight, const attn4j_tensor *bias, int threads,
              Kernel &&kernel) {
    const int64_t rows = nest.rows(), n = nest.inner();
    NormRow base{};
    base.xs = nest.strides[0][nest.ndim - 1];
    base.ys = nest.strides[1][nest.ndim - 1];
    base.w = weight != nullptr ? static_cast<const float *>(weight->data) : nullptr;
    base.ws = weight != nullptr ? weight->strides[0] : 1;
    base.b = bias != nullptr ? static_cast<const float *>(bias->data) : nullptr;
    base.bs = bias != nullptr ? bias->strides[0] : 1;
    base.n = n;
    const bool unit = n == 1 || (base.xs == 1 && base.ys == 1 && base.ws == 1 && base.bs == 1);
    const float *xd = static_cast<const float *>(x->data);
    float *yd = static_cast<float *>(y->data);
    // Blocks of about kBlockElements, on the threads of the products around them (unit_team.h:
    // a BERT layer is product, residual product, LayerNorm).
    const int64_t block = n >= kBlockElements ? 1 : kBlockElements / n;
    share_units((rows + block - 1) / block, threads_for(rows * n, threads), [&](int64_t c, int) {
        const int64_t end = std::min(rows, (c + 1) * block);
        for (int64_t r = c * block; r < end; ++r) {
            int64_t off[2];
            nest.row_offsets(r, off);
            NormRow row = base;
            row.x = xd + off[0];
            row.y = yd + off[1];
            kernel(row, unit);
        }
    });
}

// One norm call: the shared checks, then `kernel(row, unit)` on every row.
template <class Kernel>
attn4j_status norm_call(attn4j_context *ctx, const attn4j_tensor *x, const attn4j_tensor *weight,
                        bool layer, const attn4j_tensor *bias, float eps, attn4j_tensor *y,
                        Kernel &&kernel) {
    return guarded([&] {
        int32_t threads;
        Nest<2> nest;
        if (attn4j_status s = check_norm(ctx, x, weight, layer, bias, eps, y, &threads, &nest))
            return s;
        if (numel(*x) == 0) return ATTN4J_OK;
        for_rows(nest, x, y, weight, bias, threads, kernel);
        return ATTN4J_OK;
    });
}

} // namespace

extern "C" {

ATTN4J_API attn4j_status attn4j_rms_norm(attn4j_context *ctx, const attn4j_tensor *x,
                                         const attn4j_tensor *weight, float eps, attn4j_tensor *y) {
    const Kernels &k = kernels();
    return norm_call(ctx, x, weight, false, nullptr, eps, y,
                     [&k, eps](const NormRow &row, bool unit) { k.rms_norm_row(row, unit, eps); });
}

ATTN4J_API attn4j_status attn4j_layer_norm(attn4j_context *ctx, const attn4j_tensor *x,
                                           const attn4j_tensor *weight, const attn4j_tensor *bias,
                                           float eps, attn4j_tensor *y) {
    const Kernels &k = kernels();
    return norm_call(ctx, x, weight, true, bias, eps, y,
                     [&k, eps](const NormRow &row, bool unit) { k.layer_norm_row(row, unit, eps); });
}

} // extern "C"
