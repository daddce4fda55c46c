// attn4j_rms_norm and attn4j_layer_norm: normalisation over the last axis, on any strides,
// y may alias x (each row is read in full before it is written).
#include "common.h"
#include "context.h"
#include "strided.h"
#include "parallel.h"

#include <cmath>

using namespace attn4j;

namespace {

// One row of n elements: x, y with strides xs, ys; weight w (stride ws) and bias b (stride bs)
// may be NULL. Unit means every stride is 1 (the vectorised case).
struct Row {
    const float *x;
    float *y;
    const float *w;
    const float *b;
    int64_t xs, ys, ws, bs, n;
};

template <bool Unit> void rms_row(Row r, float eps) {
    if (Unit) r.xs = r.ys = r.ws = 1;
    float sum_sq = 0.0f;
#pragma omp simd reduction(+ : sum_sq)
    for (int64_t k = 0; k < r.n; ++k) sum_sq += r.x[k * r.xs] * r.x[k * r.xs];
    const float inv = 1.0f / std::sqrt(sum_sq / (float)r.n + eps);
#pragma omp simd
    for (int64_t k = 0; k < r.n; ++k) r.y[k * r.ys] = r.x[k * r.xs] * inv * r.w[k * r.ws];
}

template <bool Unit> void layer_row(Row r, float eps) {
    if (Unit) r.xs = r.ys = r.ws = r.bs = 1;
    // Corrected two-pass variance: a float mean, then the deviations c = x − mean summed
    // exactly enough to correct it (delta) and to square. Why: with |mean| ≫ std, a one-pass
    // variance cancels, and even x − mean loses digits when mean is rounded to a float.
    float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
    for (int64_t k = 0; k < r.n; ++k) sum += r.x[k * r.xs];
    const float mean = sum / (float)r.n;
    float dev = 0.0f, dev_sq = 0.0f;
#pragma omp simd reduction(+ : dev, dev_sq)
    for (int64_t k = 0; k < r.n; ++k) {
        float c = r.x[k * r.xs] - mean;
        dev += c;
        dev_sq += c * c;
    }
    const float delta = dev / (float)r.n; // mean of x − mean
    float var = dev_sq / (float)r.n - delta * delta;
    var = var > 0.0f ? var : 0.0f;
    const float inv = 1.0f / std::sqrt(var + eps);
    if (r.w != nullptr && r.b != nullptr) {
#pragma omp simd
        for (int64_t k = 0; k < r.n; ++k)
            r.y[k * r.ys] = (r.x[k * r.xs] - mean - delta) * inv * r.w[k * r.ws] + r.b[k * r.bs];
    } else if (r.w != nullptr) {
#pragma omp simd
        for (int64_t k = 0; k < r.n; ++k)
            r.y[k * r.ys] = (r.x[k * r.xs] - mean - delta) * inv * r.w[k * r.ws];
    } else if (r.b != nullptr) {
#pragma omp simd
        for (int64_t k = 0; k < r.n; ++k)
            r.y[k * r.ys] = (r.x[k * r.xs] - mean - delta) * inv + r.b[k * r.bs];
    } else {
#pragma omp simd
        for (int64_t k = 0; k < r.n; ++k) r.y[k * r.ys] = (r.x[k * r.xs] - mean - delta) * inv;
    }
}

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
    Row base{};
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
    parallel_for(rows, threads_for(rows * n, threads), [&](int64_t r) {
        int64_t off[2];
        nest.row_offsets(r, off);
        Row row = base;
        row.x = xd + off[0];
        row.y = yd + off[1];
        kernel(row, unit);
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
    return norm_call(ctx, x, weight, false, nullptr, eps, y, [eps](Row row, bool unit) {
        unit ? rms_row<true>(row, eps) : rms_row<false>(row, eps);
    });
}

ATTN4J_API attn4j_status attn4j_layer_norm(attn4j_context *ctx, const attn4j_tensor *x,
                                           const attn4j_tensor *weight, const attn4j_tensor *bias,
                                           float eps, attn4j_tensor *y) {
    return norm_call(ctx, x, weight, true, bias, eps, y, [eps](Row row, bool unit) {
        unit ? layer_row<true>(row, eps) : layer_row<false>(row, eps);
    });
}

} // extern "C"
