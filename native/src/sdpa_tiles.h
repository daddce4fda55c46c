// The tile kernels of attn4j_sdpa_fused (contract: sdpa_kernels.h), written once over the
// vector-math layer and compiled per ISA by kernels_<isa>.cpp: the gemm is the microkernel of
// microkernel.h, the softmax pieces its exp and reductions.
#pragma once

#include "microkernel.h"
#include "sdpa_kernels.h"

namespace attn4j {
namespace ATTN4J_KERNEL_NS {
namespace {

static_assert(sdpa::kCols == kStripCols, "the sdpa column granule is one microkernel strip");
static_assert(kRows <= kLanes, "one vector holds a strip's row statistics");
using sdpa::round_up;

void gemm(const float *a, int64_t lda, const float *b, int64_t ldb, float *c, int64_t ldc,
          int64_t rows, int64_t kdim, int64_t cols, int accumulate) {
    for (int64_t n = 0; n < cols; n += kStripCols)
        for_strips(rows, [&](auto strip, int64_t r0) {
            constexpr int MR = decltype(strip)::value;
            float *cr = c + r0 * ldc + n; // [MR, 16] of c
            vf acc[MR][kVecs];
            for (int r = 0; r < MR; ++r)
                for (int v = 0; v < kVecs; ++v)
                    acc[r][v] = accumulate ? load(cr + r * ldc + v * kLanes) : zero();
            strip_fma<MR>(acc, a + r0 * lda, lda, 1, b + n, ldb, kdim);
            for (int r = 0; r < MR; ++r)
                for (int v = 0; v < kVecs; ++v) store(cr + r * ldc + v * kLanes, acc[r][v]);
        });
}

float max_n(const float *x, int64_t n) {
    vf m = splat(-kInf);
    int64_t k = 0;
    for (; k + kLanes <= n; k += kLanes) m = vmax(m, load(x + k));
    if (k < n) {
        const vm in = lanes_below(n - k);
        m = vmax(m, select(in, load_masked(x + k, in), splat(-kInf)));
    }
    return hmax(m);
}

float exp_sum(float *x, int64_t n, float shift) {
    const vf s = splat(shift);
    vf acc = zero();
    int64_t k = 0;
    for (; k + kLanes <= n; k += kLanes) {
        const vf y = exp(load(x + k) - s);
        store(x + k, y);
        acc = acc + y;
    }
    if (k < n) {
        const vm in = lanes_below(n - k);
        const vf y = select(in, exp(load_masked(x + k, in) - s), zero());
        store_masked(x + k, in, y);
        acc = acc + y;
    }
    return hsum(acc);
}

void scale(float *y, int64_t n, float alpha) {
    const vf a = splat(alpha);
    int64_t k = 0;
    for (; k + kLanes <= n; k += kLanes) store(y + k, load(y + k) * a);
    if (k < n) {
        const vm in = lanes_below(n - k);
        store_masked(y + k, in, load_masked(y + k, in) * a);
    }
}

// Rows [r0, r0 + MR) of a Step (sdpa_kernels.h).
template <int MR> void step_strip(const sdpa::Step &t, int64_t r0) {
    constexpr int64_t ld = sdpa::kTileKeys;
    const int64_t njc = round_up(t.nj, kStripCols);
    const vf neg_inf = splat(-kInf);
    int32_t lo[MR], hi[MR];
    for (int r = 0; r < MR; ++r) {
        lo[r] = t.lo != nullptr ? t.lo[r0 + r] : 0;
        hi[r] = t.hi != nullptr ? t.hi[r0 + r] : (int32_t)t.nj;
    }
    // Row maxima in memory across column strips: the accumulators and B operands fill the
    // register file in the k loop, and vectors kept live across it would spill inside it.
    alignas(64) float row_max[MR][kLanes];
    for (int r = 0; r < MR; ++r) store(row_max[r], neg_inf);
    float *s = t.s + r0 * ld; // [MR, ld]

    // Scores, masked, and their row maxima.
    for (int64_t c0 = 0; c0 < njc; c0 += kStripCols) {
        vf acc[MR][kVecs];
        for (int r = 0; r < MR; ++r)
            for (int v = 0; v < kVecs; ++v) acc[r][v] = zero();
        strip_fma<MR>(acc, t.q + r0 * t.d, t.d, 1, t.kt + c0, ld, t.d);
        const bool cut = t.lo != nullptr || c0 + kStripCols > t.nj;
        for (int r = 0; r < MR; ++r) {
            vf top = load(row_max[r]);
            for (int v = 0; v < kVecs; ++v) {
                vf x = acc[r][v];
                if (cut) {
                    const int64_t c = c0 + v * kLanes;
                    const vm in = lanes_below(hi[r] - c) & ~lanes_below(lo[r] - c);
                    x = select(in, x, neg_inf);
                }
                store(s + r * ld + c0 + v * kLanes, x);
                top = vmax(top, x);
            }
            store(row_max[r], top);
        }
    }

    // Online softmax: the new maxima, the factors e^(m − m_new) for what came before (one
    // vector exponential for the strip's rows), the probabilities and their sums.
    alignas(64) float m_old[kLanes] = {}, m_new[kLanes] = {}, alpha[kLanes];
    for (int r = 0; r < MR; ++r) {
        m_old[r] = t.m[r0 + r];
        const float top = hmax(load(row_max[r]));
        m_new[r] = m_old[r] < top ? top : m_old[r];
    }
    store(alpha, exp(load(m_old) - load(m_new))); // 0 where m_old = −∞ < m_new
    for (int r = 0; r < MR; ++r) {
        float *sr = s + r * ld;
        if (m_new[r] == -kInf) { // nothing visible yet: this tile adds nothing
            for (int64_t c = 0; c < njc; c += kLanes) store(sr + c, zero());
            alpha[r] = 1.0f;
            continue;
        }
        const vf shift = splat(m_new[r]);
        vf sum = zero();
        for (int64_t c = 0; c < njc; c += kLanes) { // −∞ columns give exactly 0
            const vf p = exp(load(sr + c) - shift);
            store(sr + c, p);
            sum = sum + p;
        }
        t.l[r0 + r] = t.l[r0 + r] * alpha[r] + hsum(sum);
        t.m[r0 + r] = m_new[r];
    }

    // o = o · alpha + p · v
    for (int64_t e0 = 0; e0 < t.dvp; e0 += kStripCols) {
        vf acc[MR][kVecs];
        for (int r = 0; r < MR; ++r) {
            const vf a = splat(alpha[r]);
            for (int v = 0; v < kVecs; ++v)
                acc[r][v] = load(t.o + (r0 + r) * t.dvp + e0 + v * kLanes) * a;
        }
        strip_fma<MR>(acc, s, ld, 1, t.v + e0, t.dvp, t.nj);
        for (int r = 0; r < MR; ++r)
            for (int v = 0; v < kVecs; ++v)
                store(t.o + (r0 + r) * t.dvp + e0 + v * kLanes, acc[r][v]);
    }
}

void step(const sdpa::Step &t) {
    for_strips(t.ni, [&](auto rows, int64_t r0) { step_strip<decltype(rows)::value>(t, r0); });
}

} // namespace

extern const sdpa::Kernels kSdpaKernels;
const sdpa::Kernels kSdpaKernels = {step, gemm, max_n, exp_sum, scale};

} // namespace ATTN4J_KERNEL_NS
} // namespace attn4j
