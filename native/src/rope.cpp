// attn4j_rope: rotary position embeddings on [b, h, n, d] (RoFormer), in the rotate-half or the
// interleaved pairing, with angles formed in float32 as PyTorch implementations form them.
#include "common.h"
#include "strided.h"
#include "parallel.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <memory>

namespace attn4j {
namespace {

attn4j_status rope(attn4j_context *ctx, const attn4j_tensor *x, int64_t rotary_dim,
                   int64_t offset, double theta, int32_t interleaved, attn4j_tensor *y) {
    int32_t threads = 0;
    attn4j_status st;
    if ((st = check_context(ctx, &threads))) return st;
    if ((st = check_tensors({{x, "x"}, {y, "y"}}, ATTN4J_DTYPE_F32, 4, 4))) return st;
    if ((st = check_same_shape(*y, "y", *x, "x"))) return st;
    const int64_t b = x->shape[0], h = x->shape[1], n = x->shape[2], d = x->shape[3];
    if (rotary_dim < 0 || rotary_dim % 2 != 0 || rotary_dim > d)
        return fail(ATTN4J_ERR_INVALID_ARG, "rotary_dim: expected an even value in [0, %lld], got %lld",
                    (long long)d, (long long)rotary_dim);
    if (offset < 0 || offset > (int64_t(1) << 24) - n)
        return fail(ATTN4J_ERR_INVALID_ARG,
                    "offset: expected 0 <= offset and offset + n <= 2^24 (positions exact in float32), "
                    "got offset %lld with n %lld",
                    (long long)offset, (long long)n);
    if (!(theta > 1.0) || !std::isfinite(theta))
        return fail(ATTN4J_ERR_INVALID_ARG, "theta: expected a finite value > 1, got %g", theta);
    const int64_t rows = b * h * n;
    if (rows * d == 0) return ATTN4J_OK;

    // cos and sin table [n, rotary_dim / 2]: inv_freq and the angle in float32 (as
    // `1 / theta ** (arange(0, dim, 2).float() / dim)` and `t.float() * inv_freq` do).
    const int64_t half = rotary_dim / 2;
    std::unique_ptr<float[]> table(new float[(size_t)(2 * n * half + 1)]);
    float *cosv = table.get(), *sinv = table.get() + n * half;
    for (int64_t p = 0; p < half; ++p) {
        const float inv_freq = (float)(1.0 / std::pow(theta, (double)(float)(2 * p) / (double)rotary_dim));
        for (int64_t r = 0; r < n; ++r) {
            const float angle = (float)(offset + r) * inv_freq;
            cosv[r * half + p] = (float)std::cos((double)angle);
            sinv[r * half + p] = (float)std::sin((double)angle);
        }
    }
    const float *src = static_cast<const float *>(x->data);
    float *dst = static_cast<float *>(y->data);
    const int64_t *xs = x->strides, *ys = y->strides;
    const int nthreads = (int)std::max<int64_t>(1, std::min<int64_t>(threads, rows * d / 65536 + 1));
    parallel_for(rows, nthreads, [&](int64_t row) {
        const int64_t bb = row / (h * n), hh = row / n % h, r = row % n;
        const float *a = src + bb * xs[0] + hh * xs[1] + r * xs[2];
        float *out = dst + bb * ys[0] + hh * ys[1] + r * ys[2];
        for (int64_t p = 0; p < half; ++p) {
            const int64_t i0 = interleaved ? 2 * p : p;
            const int64_t i1 = interleaved ? 2 * p + 1 : p + half;
            // Both read before either is written: y may be x.
            const float x0 = a[i0 * xs[3]], x1 = a[i1 * xs[3]];
            const float c = cosv[r * half + p], s = sinv[r * half + p];
            out[i0 * ys[3]] = x0 * c - x1 * s;
            out[i1 * ys[3]] = x1 * c + x0 * s;
        }
        for (int64_t k = rotary_dim; k < d; ++k) out[k * ys[3]] = a[k * xs[3]];
    });
    return ATTN4J_OK;
}

} // namespace
} // namespace attn4j

extern "C" ATTN4J_API attn4j_status attn4j_rope(attn4j_context *ctx, const attn4j_tensor *x,
                                                int64_t rotary_dim, int64_t offset, double theta,
                                                int32_t interleaved, attn4j_tensor *y) {
    return attn4j::guarded(
        [&] { return attn4j::rope(ctx, x, rotary_dim, offset, theta, interleaved, y); });
}
