// The tile kernels of attn4j_bca_fused (contract: bca_fused_kernels.h), written once over the
// vector-math layer and compiled per ISA by kernels_<isa>.cpp. The three products are the
// microkernel of microkernel.h with their own A strides and epilogues:
//   S = Q·Kᵀ:   A = q rows (k = head dim),  B = context_qk panels, strip rows = i
//   O += P·CV:  A = p rows (k = j),          B = context_v rows,    strip rows = i
//   CO += Pᵀ·V: A = p columns (k = i),       B = v rows,            strip rows = j
#pragma once

#include "bca_fused_kernels.h"
#include "microkernel.h"
#include "transpose.h"

namespace attn4j {
namespace ATTN4J_KERNEL_NS {
namespace {

using bca::kPanel;
static_assert(kPanel == kStripCols, "a context_qk panel is one microkernel strip wide");
static_assert(kPanel == kPanelRows, "a context_qk panel is one transposed panel (transpose.h)");

inline int64_t lanes_up(int64_t n) { return (n + kLanes - 1) / kLanes * kLanes; }

// ---------------------------------------------------------------- S = Q·Kᵀ + bias, masked

// Columns [c0, c0 + NV·kLanes) (NV / kVecs panels) of rows [r0, r0 + MR): scores, masks, and
// the row maxima (in memory, see qk_strip) and column maxima they raise.
template <int MR, int NV>
void qk_block(const bca::QkTile &t, int64_t r0, int64_t c0, float (&row_max)[MR][kLanes],
              const bool (&row_kept)[MR]) {
    constexpr int64_t kCols = NV * kLanes;
    static_assert(NV == kVecs || kVecs == 1, "a block of several panels takes one vector from each");
    const vf fill = splat(bca::kFill), neg_inf = splat(-kInf);
    vf acc[MR][NV];
    for (int r = 0; r < MR; ++r)
        for (int v = 0; v < NV; ++v) acc[r][v] = zero();
    strip_fma<MR, NV>(acc, t.q + r0 * t.dp, t.dp, 1, t.kt + (c0 / kPanel) * t.dp * kPanel, kPanel,
                      NV == kVecs ? kLanes : t.dp * kPanel, t.dp);

    // The next strip's bias at these columns, fetched while this one computes. Why: the
    // bias is read once, from memory, in 64-byte pieces of rows far apart, a pattern the
    // hardware prefetchers follow poorly.
    if (t.bias != nullptr && r0 + MR + MR <= t.ni)
        for (int r = 0; r < MR; ++r)
            for (int64_t c = 0; c < kCols; c += 16) // a 64-byte line of 16 floats
                __builtin_prefetch(t.bias + (r0 + MR + r) * t.bias_ld + c0 + c, 0, 3);

    // Epilogue: bias, masks, -inf past nj; row and column maxima. The common case (whole
    // panels, no column mask) skips the lane selects.
    const int64_t valid = t.nj - c0 < kCols ? t.nj - c0 : kCols;
    const bool full = valid == kCols;
    vm in[NV], keep[NV];
    vf col_max[NV];
    for (int v = 0; v < NV; ++v) {
        in[v] = lanes_below(valid - v * kLanes);
        keep[v] = t.col_ok != nullptr ? mask_of_ints(t.col_ok + c0 + v * kLanes, in[v]) : in[v];
        col_max[v] = neg_inf;
    }
#pragma GCC unroll 12
    for (int r = 0; r < MR; ++r) {
        float *s = t.s + (r0 + r) * t.lds + c0;
        const float *bias = t.bias != nullptr ? t.bias + (r0 + r) * t.bias_ld + c0 : nullptr;
        vf top = load(row_max[r]);
        for (int v = 0; v < NV; ++v) {
            vf x = acc[r][v];
            if (bias != nullptr)
                x = x + (full ? load(bias + v * kLanes) : load_masked(bias + v * kLanes, in[v]));
            if (!row_kept[r])
                x = fill;
            else if (t.col_ok != nullptr)
                x = select(keep[v], x, fill);
            if (!full) x = select(in[v], x, neg_inf); // past nj: never a maximum, e^ = 0
            store(s + v * kLanes, x);
            top = vmax(top, x);
            col_max[v] = vmax(col_max[v], x);
        }
        store(row_max[r], top);
    }
    for (int v = 0; v < NV; ++v) {
        float *cm = t.col_max + c0 + v * kLanes;
        store(cm, vmax(load(cm), col_max[v]));
    }
}

template <int MR> void qk_strip(const bca::QkTile &t, int64_t r0) {
    // Row maxima stay in memory across panels. Why: the accumulators and B operands fill the
    // register file in the k loop, and vectors kept live across it would spill inside it.
    alignas(64) float row_max[MR][kLanes];
    for (int r = 0; r < MR; ++r) store(row_max[r], splat(-kInf));
    bool row_kept[MR];
    for (int r = 0; r < MR; ++r) row_kept[r] = t.row_ok == nullptr || t.row_ok[r0 + r] != 0;
    const int64_t njp = bca::round_up(t.nj, kPanel);
    int64_t c0 = 0;
    for (; c0 + kWideCols <= njp; c0 += kWideCols)
        qk_block<MR, kWideVecs>(t, r0, c0, row_max, row_kept);
    for (; c0 < t.nj; c0 += kPanel) qk_block<MR, kVecs>(t, r0, c0, row_max, row_kept);
    for (int r = 0; r < MR; ++r) t.row_max[r0 + r] = hmax(load(row_max[r]));
}

void qk(const bca::QkTile &t) {
    const int64_t njp = bca::round_up(t.nj, kPanel);
    for (int64_t c = 0; c < njp; c += kLanes) store(t.col_max + c, splat(-kInf));
    for_strips(t.ni, [&](auto rows, int64_t r0) { qk_strip<decltype(rows)::value>(t, r0); });
}

// ---------------------------------------------------------------- exponentials of a tile

// Rows [r0, r0 + R) of a softmax tile. Why R rows at once: the column sums are loaded and
// stored once per R rows, and R independent exponential chains fill the pipeline.
template <int R> void softmax_rows(const bca::SoftmaxTile &t, int64_t r0) {
    const int64_t njl = lanes_up(t.nj), full = t.nj / kLanes * kLanes;
    const vm tail = lanes_below(t.nj - full);
    const vf nothing = zero();
    float *s[R], *pc[R];
    vf m[R], mul[R], factor[R], row_sum[R];
    for (int k = 0; k < R; ++k) {
        const int64_t r = r0 + k;
        s[k] = t.s + r * t.lds;
        pc[k] = t.pc != nullptr ? t.pc + r * t.lds : nullptr;
        m[k] = splat(t.row_max[r]);
        mul[k] = splat(t.row_mul != nullptr ? t.row_mul[r] : 1.0f);
        factor[k] = splat(t.row_factor != nullptr ? t.row_factor[r] : 1.0f);
        row_sum[k] = zero();
    }
    for (int64_t c = 0; c < njl; c += kLanes) {
        const bool last = c == full; // the vector holding columns past nj
        vf col_sum = t.col_sum != nullptr ? load(t.col_sum + c) : zero();
        const vf col_max = t.pc != nullptr ? load(t.col_max + c) : zero();
        const vf col_mul = t.col_mul != nullptr ? load(t.col_mul + c) : zero();
#pragma GCC unroll 4
        for (int k = 0; k < R; ++k) {
            const vf x = load(s[k] + c);
            vf p = exp(x - m[k]);
            if (last) p = select(tail, p, nothing); // columns past nj → 0
            row_sum[k] = row_sum[k] + p;
            if (t.pc != nullptr) {
                vf q = exp(x - col_max);
                if (last) q = select(tail, q, nothing);
                col_sum = col_sum + q;
                if (t.col_mul != nullptr) {
                    q = q * col_mul;
                    if (last) q = select(tail, q, nothing);
                }
                store(pc[k] + c, q);
            } else {
                col_sum = fmadd(p, factor[k], col_sum);
            }
            store(s[k] + c, t.row_mul != nullptr ? p * mul[k] : p);
        }
        if (t.col_sum != nullptr) store(t.col_sum + c, col_sum);
    }
    if (t.row_sum != nullptr)
        for (int k = 0; k < R; ++k) t.row_sum[r0 + k] = hsum(row_sum[k]);
}

void softmax(const bca::SoftmaxTile &t) {
    if (t.col_sum != nullptr)
        for (int64_t c = 0; c < lanes_up(t.nj); c += kLanes) store(t.col_sum + c, zero());
    int64_t r0 = 0;
    for (; r0 + 4 <= t.ni; r0 += 4) softmax_rows<4>(t, r0);
    for (; r0 < t.ni; ++r0) softmax_rows<1>(t, r0);
}

// ---------------------------------------------------------------- O = O·rescale + P·CV

// Columns [e0, e0 + NV·kLanes) of rows [r0, r0 + MR).
template <int MR, int NV> void pv_block(const bca::PvTile &t, int64_t r0, int64_t e0) {
    vf acc[MR][NV];
    for (int r = 0; r < MR; ++r) {
        const float *o = t.o + (r0 + r) * t.dp + e0;
        const vf rescale = splat(t.row_rescale != nullptr ? t.row_rescale[r0 + r] : 1.0f);
        for (int v = 0; v < NV; ++v) acc[r][v] = load(o + v * kLanes) * rescale;
    }
    strip_fma<MR, NV>(acc, t.p + r0 * t.ldp, t.ldp, 1, t.cv + e0, t.ldcv, kLanes, t.nj);
    for (int r = 0; r < MR; ++r)
        for (int v = 0; v < NV; ++v) store(t.o + (r0 + r) * t.dp + e0 + v * kLanes, acc[r][v]);
}

void pv(const bca::PvTile &t) {
    for_strips(t.ni, [&](auto rows, int64_t r0) {
        for_column_blocks(t.dp, [&](auto vecs, int64_t e0) {
            pv_block<decltype(rows)::value, decltype(vecs)::value>(t, r0, e0);
        });
    });
}

// ---------------------------------------------------------------- CO = CO·rescale + f·Pᵀ·V

// Columns [e0, e0 + NV·kLanes) of context rows [c0, c0 + MR).
template <int MR, int NV> void ptv_block(const bca::PtvTile &t, int64_t c0, int64_t e0) {
    vf acc[MR][NV];
    for (int m = 0; m < MR; ++m)
        for (int v = 0; v < NV; ++v) acc[m][v] = zero();
    strip_fma<MR, NV>(acc, t.p + c0, 1, t.ldp, t.v + e0, t.dp, kLanes, t.ni);
    for (int m = 0; m < MR; ++m) {
        float *co = t.co + (c0 + m) * t.dp + e0;
        const vf rescale = splat(t.col_rescale != nullptr ? t.col_rescale[c0 + m] : 1.0f);
        const vf factor = splat(t.col_factor != nullptr ? t.col_factor[c0 + m] : 1.0f);
        for (int v = 0; v < NV; ++v) {
            const vf old = t.overwrite ? zero() : load(co + v * kLanes) * rescale;
            store(co + v * kLanes, fmadd(acc[m][v], factor, old));
        }
    }
}

void ptv(const bca::PtvTile &t) {
    for_strips(t.nj, [&](auto rows, int64_t c0) {
        for_column_blocks(t.dp, [&](auto vecs, int64_t e0) {
            ptv_block<decltype(rows)::value, decltype(vecs)::value>(t, c0, e0);
        });
    });
}

// ---------------------------------------------------------------- small helpers

void exp_n(const float *x, float *y, int64_t n) {
    int64_t k = 0;
    for (; k + kLanes <= n; k += kLanes) store(y + k, exp(load(x + k)));
    if (k < n) {
        const vm in = lanes_below(n - k);
        store_masked(y + k, in, exp(load_masked(x + k, in)));
    }
}

void scale_rows(const float *x, const float *f, int64_t n, int64_t dp, float *y) {
    for (int64_t r = 0; r < n; ++r) {
        const vf s = splat(f[r]);
        for (int64_t e = 0; e < dp; e += kLanes) store(y + r * dp + e, load(x + r * dp + e) * s);
    }
}

void mix(const float *x, const float *w, int64_t heads, int64_t stride, int64_t n, float *y) {
    for (int64_t k = 0; k < n; k += kLanes) {
        const vm in = lanes_below(n - k);
        const bool whole = k + kLanes <= n;
        for (int64_t g = 0; g < heads; ++g) {
            vf acc = zero();
            for (int64_t h = 0; h < heads; ++h) {
                const float *xh = x + h * stride + k;
                acc = fmadd(splat(w[g * heads + h]), whole ? load(xh) : load_masked(xh, in), acc);
            }
            if (whole)
                store(y + g * stride + k, acc);
            else
                store_masked(y + g * stride + k, in, acc);
        }
    }
}

} // namespace

extern const bca::Kernels kBcaKernels;
const bca::Kernels kBcaKernels = {qk, softmax, pv, ptv, exp_n, scale_rows, mix, transpose_panel};

} // namespace ATTN4J_KERNEL_NS
} // namespace attn4j
