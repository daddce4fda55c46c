// Body of the product over a packed weight (linear_packed_kernels.h), written once over the
// vector-math layer (whose exact GELU it applies to the registers on the way out) and compiled
// per ISA by kernels_<isa>.cpp.
#pragma once

#include "linear_packed_kernels.h"
#include "microkernel.h"

namespace attn4j {
namespace ATTN4J_KERNEL_NS {
namespace {

static_assert(kStripCols == packed_linear::kPanel, "one vector strip covers one packed panel");

// kAccs: accumulator vectors one tile keeps (rows × panels × kVecs), leaving registers for the
// panel loads and a broadcast (AVX-512 has 32, AVX2 and SSE2 16). kTileRows: rows of the
// tallest tile: with two panels per tile AVX-512 loads 8 broadcasts + 2 panel vectors per 16
// FMAs (a 16 × 1 tile would load 17), and on the other ISAs kRows as the fused kernels use.
#if ATTN4J_ISA_LEVEL == 2
constexpr int kAccs = 16, kTileRows = 8;
#else
constexpr int kAccs = 8, kTileRows = kRows;
#endif
// Panels a group holds: one group's panels ([k, 128] = 192 KiB at k = 384) are read from memory
// by the first tile of rows and from cache by the others. Fewer where k is long, so that a group
// stays within kGroupBytes (L2, beside the rows of x it meets): 2 panels at k = 1536.
constexpr int64_t kGroupPanels = 8;
constexpr int64_t kGroupBytes = 256 * 1024;

inline int64_t group_panels(int64_t k) {
    int64_t g = kGroupPanels;
    while (g > 2 && g * k * packed_linear::kPanel * (int64_t)sizeof(float) > kGroupBytes) g /= 2;
    return g;
}
// k steps ahead (of one 64-byte panel row each) at which a tile prefetches its panels. Why: the
// first tile of rows reads them from memory, and the hardware prefetcher alone kept MiniLM's
// 24 products at [16, 384] (42.5 MB of packed weights, one AVX-512 thread,
// bench_encoder_products) at 12-15 GB/s: 3.4 ms without, 2.5-2.8 prefetching 8 steps ahead,
// 2.2 at 32, 1.9-2.0 at 64, 2.3-3.3 at 128 and 256; 7 MB of weights, in cache, ran as fast
// either way.
constexpr int64_t kPrefetch = 64;

// Panels per tile of MR rows: the most (a power of two, at most a group) whose accumulators fit
// kAccs. Why more panels for fewer rows: each accumulator is one FMA chain along k, and one
// row against one panel would wait out the FMA latency at every k step.
constexpr int tile_panels(int rows) {
    int np = 1;
    while (np * 2 <= kGroupPanels && np * 2 * rows * kVecs <= kAccs) np *= 2;
    return np;
}

// acc[r][j] = Σ_k x[r·x_rs + k] · panel_j[k, 0..16) for r < MR, j < NP·kVecs (the NP panels
// from `panel` on, panel_stride floats apart): one FMA chain per element, k in order.
template <int MR, int NP>
inline void tile_fma(vf (&acc)[MR][NP * kVecs], const float *x, int64_t x_rs, const float *panel,
                     int64_t panel_stride, int64_t kdim) {
    constexpr int64_t kPanel = packed_linear::kPanel;
#pragma GCC unroll 2
    for (int64_t k = 0; k < kdim; ++k, ++x, panel += kPanel) {
        vf bv[NP * kVecs];
#pragma GCC unroll 8
        for (int p = 0; p < NP; ++p) __builtin_prefetch(panel + p * panel_stride + kPrefetch * kPanel);
#pragma GCC unroll 8
        for (int p = 0; p < NP; ++p)
#pragma GCC unroll 4
            for (int v = 0; v < kVecs; ++v) bv[p * kVecs + v] = load(panel + p * panel_stride + v * kLanes);
#pragma GCC unroll 16
        for (int r = 0; r < MR; ++r) {
            const vf a = broadcast(x + r * x_rs);
#pragma GCC unroll 16
            for (int j = 0; j < NP * kVecs; ++j) acc[r][j] = fmadd(a, bv[j], acc[r][j]);
        }
    }
}

// Rows [r0, r0 + MR) × panels [p, p + NP) of t.y: the tile's products, then bias (bias_g: the
// group's bias from panel g0 on, zero past n), the residual's old y and the GELU on the way out.
template <int MR, int NP>
void tile(const packed_linear::Product &t, const float *bias_g, int64_t g0, int64_t r0, int64_t p) {
    constexpr int64_t kPanel = packed_linear::kPanel;
    vf acc[MR][NP * kVecs] = {};
    tile_fma<MR, NP>(acc, t.x + r0 * t.x_rs, t.x_rs, t.packed + p * kPanel * t.k, kPanel * t.k, t.k);
    const int64_t c0 = p * kPanel, w = t.n - c0 < NP * kPanel ? t.n - c0 : NP * kPanel;
    const float *bias = bias_g + (p - g0) * kPanel;
    const bool residual = t.epilogue == Epilogue::kAccumulate;
    for (int r = 0; r < MR; ++r) {
        float *row = t.y + (r0 + r) * t.y_rs + c0;
        for (int j = 0; j < NP * kVecs; ++j) {
            const vm valid = lanes_below(w - j * kLanes);
            vf out = acc[r][j] + load(bias + j * kLanes);
            if (residual) out = load_masked(row + j * kLanes, valid) + out;
            if (t.epilogue == Epilogue::kGelu) out = gelu_exact(out);
            store_masked(row + j * kLanes, valid, out);
        }
    }
}

void panels(const packed_linear::Product &t, int64_t r0, int64_t r1, int64_t p0, int64_t p1) {
    constexpr int64_t kPanel = packed_linear::kPanel;
    const int64_t group = group_panels(t.k);
    for (int64_t g0 = p0; g0 < p1; g0 += group) {
        const int64_t g1 = g0 + group < p1 ? g0 + group : p1;
        alignas(64) float bias_g[kGroupPanels * kPanel] = {}; // zero past n, or no bias
        if (t.bias != nullptr)
            for (int64_t c = g0 * kPanel; c < g1 * kPanel && c < t.n; ++c)
                bias_g[c - g0 * kPanel] = t.bias[c * t.bias_s];
        for_strips<kTileRows>(r1 - r0, [&](auto rows, int64_t s0) {
            constexpr int MR = decltype(rows)::value, NP = tile_panels(MR);
            int64_t p = g0;
            for (; p + NP <= g1; p += NP) tile<MR, NP>(t, bias_g, g0, r0 + s0, p);
            for (; p < g1; ++p) tile<MR, 1>(t, bias_g, g0, r0 + s0, p);
        });
    }
}

} // namespace

extern const packed_linear::Kernels kPackedLinearKernels;
const packed_linear::Kernels kPackedLinearKernels = {panels};

} // namespace ATTN4J_KERNEL_NS
} // namespace attn4j
