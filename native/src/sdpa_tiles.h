// The tile kernels of attn4j_sdpa_fused (contract: sdpa_kernels.h), written once over the
// vector-math layer and compiled per ISA by kernels_<isa>.cpp: the gemm is the microkernel of
// microkernel.h, the softmax pieces its exp and reductions.
#pragma once

#include "microkernel.h"
#include "sdpa_kernels.h"
#include "transpose.h"

namespace attn4j {
namespace ATTN4J_KERNEL_NS {
namespace {

static_assert(sdpa::kCols == kStripCols, "the sdpa column granule is one microkernel strip");
static_assert(sdpa::kCols == kPanelRows, "a query group is one transposed panel (transpose.h)");

void gemm(const float *a, int64_t lda, const float *b, int64_t ldb, float *c, int64_t ldc,
          int64_t rows, int64_t kdim, int64_t cols, int accumulate) {
    // Columns [n, n + NV·kLanes) of every row, for each block of columns.
    for_column_blocks(cols, [&](auto vecs, int64_t n) {
        constexpr int NV = decltype(vecs)::value;
        for_strips(rows, [&](auto strip, int64_t r0) {
            constexpr int MR = decltype(strip)::value;
            float *cr = c + r0 * ldc + n; // [MR, NV·kLanes] of c
            vf acc[MR][NV];
            for (int r = 0; r < MR; ++r)
                for (int v = 0; v < NV; ++v) acc[r][v] = accumulate ? load(cr + r * ldc + v * kLanes) : zero();
            strip_fma<MR, NV>(acc, a + r0 * lda, lda, 1, b + n, ldb, kLanes, kdim);
            for (int r = 0; r < MR; ++r)
                for (int v = 0; v < NV; ++v) store(cr + r * ldc + v * kLanes, acc[r][v]);
        });
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

// Groups [g, g + NG) of a Step (sdpa_kernels.h): queries [16·g, 16·(g + NG)) as the NG·kVecs
// vectors of one column strip (NG = kWide on AVX-512: two groups, so that each broadcast of a
// key or value element feeds two FMAs, see microkernel.h).
template <int NG> void step_groups(const sdpa::Step &in, int64_t g) {
    // A copy of the arguments: the stores into pt and ot might otherwise alias its fields, and
    // every loop would load them again after each store (t.nj and t.pt in the exponential loop).
    const sdpa::Step t = in;
    constexpr int NV = NG * kVecs;
    constexpr int64_t gl = kStripCols;      // row stride of a transposed group (qt, ot)
    constexpr int64_t ld = NG * kStripCols; // row stride of pt
    constexpr int MaxRows = NG == 1 ? kTallRows : kRows;
    static_assert(NG == 1 || kVecs == 1, "several groups take one vector each");
    const float *qt = t.qt + g * t.d * gl;
    float *ot = t.ot + g * t.dvp * gl;
    const int64_t q_vs = NG == 1 ? kLanes : t.d * gl;   // vector v of a row of the groups' qᵀ
    const int64_t o_vs = NG == 1 ? kLanes : t.dvp * gl; // and of their Oᵀ
    float *m = t.m + g * gl, *l = t.l + g * gl;          // [NG · 16] each, contiguous
    const vf neg_inf = splat(-kInf);
    vm lo[NV] = {}, hi[NV] = {};
    if (t.lo != nullptr)
        for (int v = 0; v < NV; ++v) {
            lo[v] = (vm)load(reinterpret_cast<const float *>(t.lo + g * gl + v * kLanes));
            hi[v] = (vm)load(reinterpret_cast<const float *>(t.hi + g * gl + v * kLanes));
        }

    // Sᵀ [nj, NG·16] = K · qᵀ, masked, and its maxima over the keys (one lane per query).
    alignas(64) float top[NV][kLanes];
    for (int v = 0; v < NV; ++v) store(top[v], neg_inf);
    for_strips<MaxRows>(t.nj, [&](auto rows, int64_t k0) {
        constexpr int MR = decltype(rows)::value;
        vf acc[MR][NV];
        for (int r = 0; r < MR; ++r)
            for (int v = 0; v < NV; ++v) acc[r][v] = zero();
        strip_fma<MR, NV>(acc, t.kt + k0, 1, sdpa::kTileKeys, qt, gl, q_vs, t.d);
        vf mx[NV];
        for (int v = 0; v < NV; ++v) mx[v] = load(top[v]);
        for (int r = 0; r < MR; ++r)
            for (int v = 0; v < NV; ++v) {
                vf x = acc[r][v];
                if (t.lo != nullptr) {
                    const int32_t key = (int32_t)(k0 + r);
                    x = select((lo[v] <= key) & (key < hi[v]), x, neg_inf);
                }
                store(t.pt + (k0 + r) * ld + v * kLanes, x);
                mx[v] = vmax(mx[v], x);
            }
        for (int v = 0; v < NV; ++v) store(top[v], mx[v]);
    });

    // Online softmax, lane by lane: new maxima, the factor e^(m − m_new) for what came before
    // (1 for a query that still sees nothing, whose weights here are e^(−∞ − 0) = 0).
    vf shift[NV], alpha[NV], sum[NV];
    for (int v = 0; v < NV; ++v) {
        const vf m_old = load(m + v * kLanes);
        const vf m_new = vmax(load(top[v]), m_old);
        const vm none = m_new == neg_inf;
        shift[v] = select(none, zero(), m_new);
        alpha[v] = select(none, splat(1.0f), exp(m_old - shift[v]));
        store(m + v * kLanes, m_new);
        sum[v] = zero();
    }
    for (int64_t k = 0; k < t.nj; ++k)
        for (int v = 0; v < NV; ++v) {
            float *pk = t.pt + k * ld + v * kLanes;
            const vf p = exp(load(pk) - shift[v]);
            store(pk, p);
            sum[v] = sum[v] + p;
        }
    for (int v = 0; v < NV; ++v) store(l + v * kLanes, load(l + v * kLanes) * alpha[v] + sum[v]);

    // Oᵀ [dvp, NG·16] = Oᵀ · alpha + Vᵀ · Pᵀ
    for_strips<MaxRows>(t.dvp, [&](auto rows, int64_t e0) {
        constexpr int MR = decltype(rows)::value;
        vf acc[MR][NV];
        for (int r = 0; r < MR; ++r)
            for (int v = 0; v < NV; ++v) acc[r][v] = load(ot + (e0 + r) * gl + v * o_vs) * alpha[v];
        strip_fma<MR, NV>(acc, t.v + e0, 1, t.dvp, t.pt, ld, kLanes, t.nj);
        for (int r = 0; r < MR; ++r)
            for (int v = 0; v < NV; ++v) store(ot + (e0 + r) * gl + v * o_vs, acc[r][v]);
    });
}

void step(const sdpa::Step &t) {
    int64_t g = 0;
    for (; g + kWide <= t.groups; g += kWide) step_groups<kWide>(t, g);
    for (; g < t.groups; ++g) step_groups<1>(t, g);
}

} // namespace

extern const sdpa::Kernels kSdpaKernels;
const sdpa::Kernels kSdpaKernels = {step, gemm, max_n, exp_sum, scale, transpose_panel};

} // namespace ATTN4J_KERNEL_NS
} // namespace attn4j
