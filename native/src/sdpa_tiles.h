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

// Group g of a Step (sdpa_kernels.h): queries [16·g, 16·g + 16) as the kVecs vectors of one
// column strip.
void step_group(const sdpa::Step &in, int64_t g) {
    // A copy of the arguments: the stores into pt and ot might otherwise alias its fields, and
    // every loop would load them again after each store (t.nj and t.pt in the exponential loop).
    const sdpa::Step t = in;
    constexpr int64_t ld = kStripCols; // row stride of pt and of a transposed group
    const float *qt = t.qt + g * t.d * ld;
    float *ot = t.ot + g * t.dvp * ld;
    float *m = t.m + g * ld, *l = t.l + g * ld;
    const vf neg_inf = splat(-kInf);
    vm lo[kVecs] = {}, hi[kVecs] = {};
    if (t.lo != nullptr)
        for (int v = 0; v < kVecs; ++v) {
            lo[v] = (vm)load(reinterpret_cast<const float *>(t.lo + g * ld + v * kLanes));
            hi[v] = (vm)load(reinterpret_cast<const float *>(t.hi + g * ld + v * kLanes));
        }

    // Sᵀ [nj, 16] = K · qᵀ, masked, and its maxima over the keys (one lane per query).
    alignas(64) float top[kVecs][kLanes];
    for (int v = 0; v < kVecs; ++v) store(top[v], neg_inf);
    for_strips<kTallRows>(t.nj, [&](auto rows, int64_t k0) {
        constexpr int MR = decltype(rows)::value;
        vf acc[MR][kVecs];
        for (int r = 0; r < MR; ++r)
            for (int v = 0; v < kVecs; ++v) acc[r][v] = zero();
        strip_fma<MR>(acc, t.kt + k0, 1, sdpa::kTileKeys, qt, ld, t.d);
        vf mx[kVecs];
        for (int v = 0; v < kVecs; ++v) mx[v] = load(top[v]);
        for (int r = 0; r < MR; ++r)
            for (int v = 0; v < kVecs; ++v) {
                vf x = acc[r][v];
                if (t.lo != nullptr) {
                    const int32_t key = (int32_t)(k0 + r);
                    x = select((lo[v] <= key) & (key < hi[v]), x, neg_inf);
                }
                store(t.pt + (k0 + r) * ld + v * kLanes, x);
                mx[v] = vmax(mx[v], x);
            }
        for (int v = 0; v < kVecs; ++v) store(top[v], mx[v]);
    });

    // Online softmax, lane by lane: new maxima, the factor e^(m − m_new) for what came before
    // (1 for a query that still sees nothing, whose weights here are e^(−∞ − 0) = 0).
    vf shift[kVecs], alpha[kVecs], sum[kVecs];
    for (int v = 0; v < kVecs; ++v) {
        const vf m_old = load(m + v * kLanes);
        const vf m_new = vmax(load(top[v]), m_old);
        const vm none = m_new == neg_inf;
        shift[v] = select(none, zero(), m_new);
        alpha[v] = select(none, splat(1.0f), exp(m_old - shift[v]));
        store(m + v * kLanes, m_new);
        sum[v] = zero();
    }
    for (int64_t k = 0; k < t.nj; ++k)
        for (int v = 0; v < kVecs; ++v) {
            float *pk = t.pt + k * ld + v * kLanes;
            const vf p = exp(load(pk) - shift[v]);
            store(pk, p);
            sum[v] = sum[v] + p;
        }
    for (int v = 0; v < kVecs; ++v) store(l + v * kLanes, load(l + v * kLanes) * alpha[v] + sum[v]);

    // Oᵀ [dvp, 16] = Oᵀ · alpha + Vᵀ · Pᵀ
    for_strips<kTallRows>(t.dvp, [&](auto rows, int64_t e0) {
        constexpr int MR = decltype(rows)::value;
        vf acc[MR][kVecs];
        for (int r = 0; r < MR; ++r)
            for (int v = 0; v < kVecs; ++v)
                acc[r][v] = load(ot + (e0 + r) * ld + v * kLanes) * alpha[v];
        strip_fma<MR>(acc, t.v + e0, 1, t.dvp, t.pt, ld, t.nj);
        for (int r = 0; r < MR; ++r)
            for (int v = 0; v < kVecs; ++v) store(ot + (e0 + r) * ld + v * kLanes, acc[r][v]);
    });
}

void step(const sdpa::Step &t) {
    for (int64_t g = 0; g < t.groups; ++g) step_group(t, g);
}

} // namespace

extern const sdpa::Kernels kSdpaKernels;
const sdpa::Kernels kSdpaKernels = {step, gemm, max_n, exp_sum, scale, transpose_panel};

} // namespace ATTN4J_KERNEL_NS
} // namespace attn4j
