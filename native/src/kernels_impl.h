// Bodies of the row kernels declared in kernels.h, written once over the vector-math layer:
// plain loops with `omp simd` over its scalar exp and GELU, which the compiler vectorises
// with the ISA of the kernels_<isa>.cpp build that includes this file. Everything here lives
// in that build's namespace and calls nothing out of line, so the builds never mix.
#pragma once

#include "kernels.h"
#include "vec_math.h"

namespace attn4j {
namespace ATTN4J_KERNEL_NS {
namespace {

constexpr float kFill = -3.4028235e38f; // bca_softmax's masked value: finite, never −inf

// ---- softmax along a row: max, exp and sum, scale. Reads x[k] before writing y[k] and
// never reads x[k] again, so y may alias x. Unit: both strides are 1.
template <bool Unit>
void softmax_row_impl(const float *x, int64_t xs, float *y, int64_t ys, int64_t n) {
    if (Unit) xs = ys = 1;
    float peak = -__builtin_inff();
#pragma omp simd reduction(max : peak)
    for (int64_t k = 0; k < n; ++k) peak = vmax(x[k * xs], peak);
    float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
    for (int64_t k = 0; k < n; ++k) {
        float e = exp(x[k * xs] - peak);
        y[k * ys] = e;
        sum += e;
    }
    const float inv = 1.0f / sum;
#pragma omp simd
    for (int64_t k = 0; k < n; ++k) y[k * ys] *= inv;
}

void softmax_row(const float *x, int64_t xs, float *y, int64_t ys, int64_t n) {
    if ((xs == 1 && ys == 1) || n == 1)
        softmax_row_impl<true>(x, 1, y, 1, n);
    else
        softmax_row_impl<false>(x, xs, y, ys, n);
}

// ---- softmax down columns: the same three passes, each across the w columns of a block.
template <bool Unit>
void softmax_columns_impl(const float *x, int64_t xs_n, int64_t xs_m, float *y, int64_t ys_n,
                          int64_t ys_m, int64_t n, int64_t w) {
    if (Unit) xs_m = ys_m = 1;
    float peak[kSoftmaxColumnBlock], sum[kSoftmaxColumnBlock];
    for (int64_t j = 0; j < w; ++j) {
        peak[j] = -__builtin_inff();
        sum[j] = 0.0f;
    }
    for (int64_t i = 0; i < n; ++i) {
        const float *xr = x + i * xs_n;
#pragma omp simd
        for (int64_t j = 0; j < w; ++j) peak[j] = vmax(xr[j * xs_m], peak[j]);
    }
    for (int64_t i = 0; i < n; ++i) {
        const float *xr = x + i * xs_n;
        float *yr = y + i * ys_n;
#pragma omp simd
        for (int64_t j = 0; j < w; ++j) {
            float e = exp(xr[j * xs_m] - peak[j]);
            yr[j * ys_m] = e;
            sum[j] += e;
        }
    }
    for (int64_t j = 0; j < w; ++j) sum[j] = 1.0f / sum[j];
    for (int64_t i = 0; i < n; ++i) {
        float *yr = y + i * ys_n;
#pragma omp simd
        for (int64_t j = 0; j < w; ++j) yr[j * ys_m] *= sum[j];
    }
}

void softmax_columns(const float *x, int64_t xs_n, int64_t xs_m, float *y, int64_t ys_n,
                     int64_t ys_m, int64_t n, int64_t w) {
    if (xs_m == 1 && ys_m == 1)
        softmax_columns_impl<true>(x, xs_n, 1, y, ys_n, 1, n, w);
    else
        softmax_columns_impl<false>(x, xs_n, xs_m, y, ys_n, ys_m, n, w);
}

// ---- GELU
void gelu(const float *x, int64_t xs, float *y, int64_t ys, int64_t n) {
    if (xs == 1 && ys == 1) {
#pragma omp simd
        for (int64_t k = 0; k < n; ++k) y[k] = gelu_exact(x[k]);
    } else {
#pragma omp simd
        for (int64_t k = 0; k < n; ++k) y[k * ys] = gelu_exact(x[k * xs]);
    }
}

// ---- bca_softmax passes (see kernels.h). Pass A reads sim[r, k] once, before attn[r, k]
// is written, and later reads only ctx: attn may alias sim.
template <bool Unit, bool HasBias>
void bca_pass_a_impl(const BcaSlice &s, int64_t r, float *col_max) {
    const int64_t sj = Unit ? 1 : s.sim_sj, bj = Unit ? 1 : s.bias_sj;
    const int64_t aj = Unit ? 1 : s.attn_sj, cj = Unit ? 1 : s.ctx_sj;
    const float *sim = s.sim + r * s.sim_si;
    const float *bias = HasBias ? s.bias + r * s.bias_si : nullptr;
    float *attn = s.attn + r * s.attn_si;
    float *ctx = s.ctx + r * s.ctx_si;
    const uint8_t keep_i = s.mask == nullptr || s.mask[r * s.mask_si] != 0;
    const uint8_t *keep_j = s.keep_j;
    float row_max = -__builtin_inff();
#pragma omp simd reduction(max : row_max)
    for (int64_t k = 0; k < s.j; ++k) {
        float v = sim[k * sj];
        if (HasBias) v += bias[k * bj];
        v = (keep_i & keep_j[k]) ? v : kFill;
        ctx[k * cj] = v;
        row_max = vmax(v, row_max);
        col_max[k] = vmax(v, col_max[k]);
    }
    float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
    for (int64_t k = 0; k < s.j; ++k) {
        float e = exp(ctx[k * cj] - row_max);
        attn[k * aj] = e;
        sum += e;
    }
    const float inv = 1.0f / sum;
#pragma omp simd
    for (int64_t k = 0; k < s.j; ++k) attn[k * aj] *= inv;
}

void bca_pass_a(const BcaSlice &s, int64_t r, float *col_max) {
    if (s.unit) {
        if (s.bias != nullptr)
            bca_pass_a_impl<true, true>(s, r, col_max);
        else
            bca_pass_a_impl<true, false>(s, r, col_max);
    } else {
        if (s.bias != nullptr)
            bca_pass_a_impl<false, true>(s, r, col_max);
        else
            bca_pass_a_impl<false, false>(s, r, col_max);
    }
}

template <bool Unit>
void bca_pass_b_impl(const BcaSlice &s, int64_t r, const float *col_max, float *col_sum) {
    const int64_t cj = Unit ? 1 : s.ctx_sj;
    float *ctx = s.ctx + r * s.ctx_si;
#pragma omp simd
    for (int64_t k = 0; k < s.j; ++k) {
        float e = exp(ctx[k * cj] - col_max[k]);
        ctx[k * cj] = e;
        col_sum[k] += e;
    }
}

void bca_pass_b(const BcaSlice &s, int64_t r, const float *col_max, float *col_sum) {
    if (s.unit)
        bca_pass_b_impl<true>(s, r, col_max, col_sum);
    else
        bca_pass_b_impl<false>(s, r, col_max, col_sum);
}

template <bool Unit> void bca_pass_c_impl(const BcaSlice &s, int64_t r, const float *col_inv) {
    const int64_t cj = Unit ? 1 : s.ctx_sj;
    float *ctx = s.ctx + r * s.ctx_si;
#pragma omp simd
    for (int64_t k = 0; k < s.j; ++k) ctx[k * cj] *= col_inv[k];
}

void bca_pass_c(const BcaSlice &s, int64_t r, const float *col_inv) {
    if (s.unit)
        bca_pass_c_impl<true>(s, r, col_inv);
    else
        bca_pass_c_impl<false>(s, r, col_inv);
}

// ---- the norms (kernels.h). Unit-stride rows run on whole vectors with two accumulators per
// sum (on a row of a few hundred elements the adds' latency, not their count, sets the pace; the
// scalar loops the baseline build made of them took 0.6-1.2 ms per LayerNorm of MiniLM's
// [4096, 384] on 2 threads); strided rows, rare, element by element.

// Σ x[k] over a unit-stride row.
inline float row_sum(const float *x, int64_t n) {
    vf a0 = zero(), a1 = zero();
    int64_t k = 0;
    for (; k + 2 * kLanes <= n; k += 2 * kLanes) {
        a0 += load(x + k);
        a1 += load(x + k + kLanes);
    }
    for (; k < n; k += kLanes) a0 += load_masked(x + k, lanes_below(n - k));
    return hsum(a0 + a1);
}

// Σ (x[k] − c) and Σ (x[k] − c)² over a unit-stride row.
inline void row_deviations(const float *x, int64_t n, float c, float *dev, float *dev_sq) {
    const vf vc = splat(c);
    vf d0 = zero(), d1 = zero(), q0 = zero(), q1 = zero();
    int64_t k = 0;
    for (; k + 2 * kLanes <= n; k += 2 * kLanes) {
        const vf e0 = load(x + k) - vc, e1 = load(x + k + kLanes) - vc;
        d0 += e0;
        d1 += e1;
        q0 = fmadd(e0, e0, q0);
        q1 = fmadd(e1, e1, q1);
    }
    for (; k < n; k += kLanes) {
        const vm m = lanes_below(n - k);
        const vf e = select(m, load_masked(x + k, m) - vc, zero());
        d0 += e;
        q0 = fmadd(e, e, q0);
    }
    *dev = hsum(d0 + d1);
    *dev_sq = hsum(q0 + q1);
}

// y[k] = (x[k] − mean − delta)·scale·w[k] + b[k] over a unit-stride row (w, b optional).
inline void row_affine(const NormRow &r, float mean, float delta, float scale) {
    const vf vmean = splat(mean), vd = splat(delta), vk = splat(scale);
    for (int64_t k = 0; k < r.n; k += kLanes) {
        const vm m = lanes_below(r.n - k);
        vf v = (load_masked(r.x + k, m) - vmean - vd) * vk;
        if (r.w != nullptr) v *= load_masked(r.w + k, m);
        if (r.b != nullptr) v += load_masked(r.b + k, m);
        store_masked(r.y + k, m, v);
    }
}

// The same along strides.
inline void row_affine_strided(const NormRow &r, float mean, float delta, float scale) {
    for (int64_t k = 0; k < r.n; ++k) {
        float v = (r.x[k * r.xs] - mean - delta) * scale;
        if (r.w != nullptr) v *= r.w[k * r.ws];
        if (r.b != nullptr) v += r.b[k * r.bs];
        r.y[k * r.ys] = v;
    }
}

void rms_norm_row(const NormRow &r, bool unit, float eps) {
    float sum_sq = 0.0f;
    if (unit) {
        float dev;
        row_deviations(r.x, r.n, 0.0f, &dev, &sum_sq);
    } else {
        for (int64_t k = 0; k < r.n; ++k) sum_sq += r.x[k * r.xs] * r.x[k * r.xs];
    }
    const float inv = 1.0f / __builtin_sqrtf(sum_sq / (float)r.n + eps);
    unit ? row_affine(r, 0.0f, 0.0f, inv) : row_affine_strided(r, 0.0f, 0.0f, inv);
}

// Corrected two-pass variance: a float mean, then the deviations c = x − mean summed exactly
// enough to correct it (delta) and to square. Why: with |mean| ≫ std, a one-pass variance
// cancels, and even x − mean loses digits when mean is rounded to a float.
void layer_norm_row(const NormRow &r, bool unit, float eps) {
    float mean, dev = 0.0f, dev_sq = 0.0f;
    if (unit) {
        mean = row_sum(r.x, r.n) / (float)r.n;
        row_deviations(r.x, r.n, mean, &dev, &dev_sq);
    } else {
        float sum = 0.0f;
        for (int64_t k = 0; k < r.n; ++k) sum += r.x[k * r.xs];
        mean = sum / (float)r.n;
        for (int64_t k = 0; k < r.n; ++k) {
            const float c = r.x[k * r.xs] - mean;
            dev += c;
            dev_sq += c * c;
        }
    }
    const float delta = dev / (float)r.n; // mean of x − mean
    float var = dev_sq / (float)r.n - delta * delta;
    var = var > 0.0f ? var : 0.0f;
    const float inv = 1.0f / __builtin_sqrtf(var + eps);
    unit ? row_affine(r, mean, delta, inv) : row_affine_strided(r, mean, delta, inv);
}

} // namespace

extern const Kernels kRowKernels;
const Kernels kRowKernels = {softmax_row, softmax_columns,  gelu,       rms_norm_row,
                             layer_norm_row, bca_pass_a, bca_pass_b, bca_pass_c};

} // namespace ATTN4J_KERNEL_NS
} // namespace attn4j
