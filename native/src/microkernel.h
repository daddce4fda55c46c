// The register-blocked product microkernel of the vector-math layer, written once for every
// ISA (see vec_math.h): a strip of MR ≤ kRows output rows × NV vectors of output columns held in
// MR·NV accumulator vectors, one broadcast of an A element and NV loads of B per k step. A strip
// is 16 columns (kVecs vectors) or, where the registers allow, kWide of them side by side:
//   avx512: 12 rows × 2 zmm   (24 accumulators + 2 B + 1 broadcast of 32; 1 zmm at a 16-column edge)
//   avx2:    6 rows × 2 ymm   (12 accumulators + 2 B + 1 broadcast = 15 of 16 registers)
//   portable: 2 rows × 4 xmm  (8 accumulators + 4 B + 1 broadcast of SSE2's 16)
// Twelve independent FMA chains cover the FMA latency on two ports. Every product of the fused
// kernels (S = Q·Kᵀ, O += P·V, CO += Pᵀ·V, the SDPA step and gemm) is this loop with its own A
// strides, B vector stride and epilogue.
#pragma once

#include "vec_math.h"

namespace attn4j {
namespace ATTN4J_KERNEL_NS {
namespace {

constexpr int kStripCols = 16; // columns of one strip: a bca panel, an sdpa column granule
constexpr int kVecs = kStripCols / kLanes;
#if ATTN4J_ISA_LEVEL == 2
constexpr int kRows = 12;
#elif ATTN4J_ISA_LEVEL == 1
constexpr int kRows = 6;
#else
constexpr int kRows = 2;
#endif

// The strip height of products whose epilogue keeps no vectors live across the k loop: AVX-512
// takes 16 rows (16 accumulators + 1 B of 32 registers; a 64-wide head or key tile in 4 strips).
#if ATTN4J_ISA_LEVEL == 2
constexpr int kTallRows = 16;
#else
constexpr int kTallRows = kRows;
#endif

// A strip height (or a block's width in vectors) as a type, so that a strip function can be
// instantiated per height and width.
template <int N> struct Rows {
    static constexpr int value = N;
};

// acc[r][v] += Σ_k a[r·a_rs + k·a_ks] · b[k·ldb + v·b_vs + 0..kLanes) for r < MR, v < NV, k < kdim.
// (a_rs, a_ks) = (lda, 1) reads A by rows, (1, lda) reads Aᵀ; b_vs = kLanes reads NV·kLanes
// contiguous columns of B, a panel stride reads one vector from each of NV panels.
template <int MR, int NV>
inline void strip_fma(vf (&acc)[MR][NV], const float *a, int64_t a_rs, int64_t a_ks, const float *b,
                      int64_t ldb, int64_t b_vs, int64_t kdim) {
#pragma GCC unroll 4
    for (int64_t k = 0; k < kdim; ++k, a += a_ks, b += ldb) {
        vf bv[NV];
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) bv[v] = load(b + v * b_vs);
#pragma GCC unroll 16
        for (int r = 0; r < MR; ++r) {
            const vf x = broadcast(a + r * a_rs);
#pragma GCC unroll 4
            for (int v = 0; v < NV; ++v) acc[r][v] = fmadd(x, bv[v], acc[r][v]);
        }
    }
}

// Wide strips: kWide strips side by side, so that each broadcast of A feeds kWide times as many
// FMAs. Why on AVX-512 only: a 12 × 1 zmm strip issues 13 loads per 12 FMAs, and a core with two
// full-width FMA pipes (Zen 5) then waits on loads: 160 against 195 GFLOP/s for 12 × 2 in L1
// (one thread, a 12 × 128 · 128 × 64 product). AVX2's 6 × 2 ymm strip already fills 15 of its
// 16 registers.
#if ATTN4J_ISA_LEVEL == 2
constexpr int kWide = 2;
#else
constexpr int kWide = 1;
#endif
constexpr int kWideVecs = kWide * kVecs;
constexpr int kWideCols = kWide * kStripCols;

// Calls f(Rows<MR>(), r0) over [0, n) in strips of Max rows (kRows unless a kernel with fewer
// live registers outside the k loop picks more), then one shorter strip.
template <int MR, class F> inline void last_strip(int64_t left, int64_t r0, F &f) {
    if constexpr (MR > 0) {
        if (left == MR)
            f(Rows<MR>(), r0);
        else
            last_strip<MR - 1>(left, r0, f);
    }
}

template <int Max = kRows, class F> inline void for_strips(int64_t n, F f) {
    int64_t r0 = 0;
    for (; r0 + Max <= n; r0 += Max) f(Rows<Max>(), r0);
    if (r0 < n) last_strip<Max - 1>(n - r0, r0, f);
}

// Columns [0, n) (n a multiple of kStripCols) as blocks of wide strips, then of one strip:
// f(Rows<NV>(), c0) for each block, NV vectors wide from column c0.
template <class F> inline void for_column_blocks(int64_t n, F f) {
    int64_t c0 = 0;
    for (; c0 + kWideCols <= n; c0 += kWideCols) f(Rows<kWideVecs>(), c0);
    for (; c0 < n; c0 += kStripCols) f(Rows<kVecs>(), c0);
}

} // namespace
} // namespace ATTN4J_KERNEL_NS
} // namespace attn4j
