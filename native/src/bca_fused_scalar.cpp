// Portable C++ tile kernels of attn4j_bca_fused (the contract is in bca_fused_kernels.h): the
// path for CPUs without AVX2+FMA, and the plain statement of what the AVX2 kernels compute.
#include "bca_fused_kernels.h"

#include <cmath>
#include <limits>

namespace attn4j {
namespace bca {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

void qk_scalar(const QkTile &t) {
    const int64_t njp = round_up(t.nj, kPanel);
    for (int64_t c = 0; c < njp; ++c) t.col_max[c] = kNegInf;
    for (int64_t r = 0; r < t.ni; ++r) {
        const float *q = t.q + r * t.dp; // [dp]
        float *s = t.s + r * t.lds;      // [lds]
        const bool row_kept = t.row_ok == nullptr || t.row_ok[r] != 0;
        float row_max = kNegInf;
        for (int64_t c = 0; c < t.nj; ++c) {
            const float *k = t.kt + (c / kPanel) * t.dp * kPanel + c % kPanel; // stride kPanel
            float dot = 0.0f;
            for (int64_t e = 0; e < t.dp; ++e) dot += q[e] * k[e * kPanel];
            float v = dot;
            if (t.bias != nullptr) v += t.bias[r * t.bias_ld + c];
            if (!row_kept || (t.col_ok != nullptr && t.col_ok[c] == 0)) v = kFill;
            s[c] = v;
            row_max = std::fmax(row_max, v);
            t.col_max[c] = std::fmax(t.col_max[c], v);
        }
        for (int64_t c = t.nj; c < njp; ++c) s[c] = kNegInf;
        t.row_max[r] = row_max;
    }
}

void softmax_scalar(const SoftmaxTile &t) {
    const int64_t nj8 = round_up(t.nj, 8);
    if (t.col_sum != nullptr)
        for (int64_t c = 0; c < nj8; ++c) t.col_sum[c] = 0.0f;
    for (int64_t r = 0; r < t.ni; ++r) {
        float *s = t.s + r * t.lds; // [lds]
        const float m = t.row_max[r];
        const float mul = t.row_mul != nullptr ? t.row_mul[r] : 1.0f;
        float row_sum = 0.0f;
        for (int64_t c = 0; c < t.nj; ++c) {
            const float x = s[c];
            const float p = std::exp(x - m);
            row_sum += p;
            if (t.pc != nullptr) {
                const float q = std::exp(x - t.col_max[c]);
                if (t.col_sum != nullptr) t.col_sum[c] += q;
                t.pc[r * t.lds + c] = t.col_mul != nullptr ? q * t.col_mul[c] : q;
            } else if (t.col_sum != nullptr) {
                t.col_sum[c] += p * t.row_factor[r];
            }
            s[c] = p * mul;
        }
        for (int64_t c = t.nj; c < nj8; ++c) {
            s[c] = 0.0f;
            if (t.pc != nullptr) t.pc[r * t.lds + c] = 0.0f;
        }
        if (t.row_sum != nullptr) t.row_sum[r] = row_sum;
    }
}

void pv_scalar(const PvTile &t) {
    for (int64_t r = 0; r < t.ni; ++r) {
        float *o = t.o + r * t.dp; // [dp]
        const float rescale = t.row_rescale != nullptr ? t.row_rescale[r] : 1.0f;
        for (int64_t e = 0; e < t.dp; ++e) o[e] *= rescale;
        for (int64_t c = 0; c < t.nj; ++c) {
            const float p = t.p[r * t.ldp + c];
            const float *cv = t.cv + c * t.ldcv; // [dp]
            for (int64_t e = 0; e < t.dp; ++e) o[e] += p * cv[e];
        }
    }
}

void ptv_scalar(const PtvTile &t) {
    for (int64_t c = 0; c < t.nj; ++c) {
        float *co = t.co + c * t.dp; // [dp]
        const float rescale = t.col_rescale != nullptr ? t.col_rescale[c] : 1.0f;
        const float factor = t.col_factor != nullptr ? t.col_factor[c] : 1.0f;
        for (int64_t e = 0; e < t.dp; ++e) {
            float acc = 0.0f;
            for (int64_t r = 0; r < t.ni; ++r) acc += t.p[r * t.ldp + c] * t.v[r * t.dp + e];
            co[e] = (t.overwrite ? 0.0f : co[e] * rescale) + factor * acc;
        }
    }
}

void exp_scalar(const float *x, float *y, int64_t n) {
    for (int64_t k = 0; k < n; ++k) y[k] = std::exp(x[k]);
}

void mix_scalar(const float *x, const float *w, int64_t heads, int64_t stride, int64_t n,
                float *y) {
    for (int64_t g = 0; g < heads; ++g) {
        float *yg = y + g * stride; // [n]
        for (int64_t k = 0; k < n; ++k) yg[k] = 0.0f;
        for (int64_t h = 0; h < heads; ++h) {
            const float wgh = w[g * heads + h];
            const float *xh = x + h * stride; // [n]
            for (int64_t k = 0; k < n; ++k) yg[k] += wgh * xh[k];
        }
    }
}

void pack_panel_scalar(const float *const *rows, int64_t d, int64_t dp, float *panel) {
    for (int64_t e = 0; e < dp; ++e)
        for (int64_t k = 0; k < kPanel; ++k) panel[e * kPanel + k] = e < d ? rows[k][e] : 0.0f;
}

} // namespace

const Kernels kScalarKernels = {qk_scalar,  softmax_scalar, pv_scalar,        ptv_scalar,
                                exp_scalar, mix_scalar,     pack_panel_scalar};

} // namespace bca
} // namespace attn4j
