// The tile kernels of the fused bidirectional cross attention (attn4j_bca_fused): what each one
// computes on one (i-block × j-block) tile. One table per ISA, written once in
// bca_fused_tiles.h over the vector-math layer, chosen at run time (isa.h).
//
// The driver (bca_fused_run.cpp) packs operands into these layouts, where dp is the head size d
// rounded up to a multiple of kPanel and the padding columns hold zeros:
//   rows   [n, dp]             q, v, context_v: one row per position, row stride dp
//   panels [ceil(n/16), dp, 16] context_qk transposed by panels of 16 positions (zero padded)
#pragma once

#include <cstdint>

namespace attn4j {
namespace bca {

// The reference's finite mask fill (-torch.finfo(float32).max), not -inf.
constexpr float kFill = -3.4028235e38f;

// Width of a context_qk panel and the multiple dp is rounded up to: one microkernel strip
// (two AVX2 vectors, one AVX-512 vector).
constexpr int64_t kPanel = 16;

inline int64_t round_up(int64_t n, int64_t m) { return (n + m - 1) / m * m; }

// S tile: s[r, c] = q[r] · k[c] + bias[r, c], then kFill where masked. (The driver packs q
// already multiplied by the scale: one multiply per q element instead of one per score.)
struct QkTile {
    const float *q;    // [ni, dp] rows, scaled
    const float *kt;   // [ceil(nj/16), dp, 16] panels
    const float *bias; // [ni, nj] row stride bias_ld, contiguous along c; NULL = no bias
    int64_t bias_ld;
    const uint8_t *row_ok; // [ni] 0 = row masked; NULL = no row masked
    const int32_t *col_ok; // [nj] 0 = column masked, -1 = kept; NULL = no column masked
    int64_t ni, nj, dp;
    float *s; // [ni, lds] out; lds ≥ round_up(nj, 16), columns ≥ nj get -inf
    int64_t lds;
    float *row_max; // [ni] out: max over the nj columns of each row
    float *col_max; // [round_up(nj, 16)] out: max over the ni rows (-inf past nj)
};

// Exponentials of a tile against softmax statistics, in place.
//   p[r, c] = e^(s[r, c] − row_max[r]) · (row_mul ? row_mul[r] : 1)         (over s, in place)
//   row_sum[r] = Σ_c e^(s[r, c] − row_max[r])
// Column side, two modes:
//   pc != NULL (direct):  pc[r, c] = e^(s[r, c] − col_max[c]) · (col_mul ? col_mul[c] : 1),
//                         col_sum[c] = Σ_r e^(s[r, c] − col_max[c])
//   pc == NULL (factored): col_sum[c] = Σ_r e^(s[r, c] − row_max[r]) · row_factor[r]
//     The driver picks row_factor[r] = e^(row_max[r] − M) so that
//     e^(s − col_max[c]) = p[r, c] · row_factor[r] · e^(M − col_max[c]): one exponential per
//     element serves both softmaxes (see bca_fused_run.cpp for when that is exact enough).
// Columns in [nj, round_up(nj, 16)) of p and pc may be written (as 0); column statistics are
// read and col_sum written in whole vectors up to round_up(nj, 16).
struct SoftmaxTile {
    float *s; // [ni, lds] in: scores, out: row exponentials
    int64_t lds;
    float *pc;               // [ni, lds] out (direct mode) or NULL (factored mode)
    const float *row_max;    // [ni]
    const float *col_max;    // [nj] (direct mode)
    const float *row_factor; // [ni] (factored mode)
    const float *row_mul;    // [ni] or NULL
    const float *col_mul;    // [nj] or NULL (direct mode)
    int64_t ni, nj;
    float *row_sum; // [ni] out, or NULL
    float *col_sum; // [round_up(nj, 16)] out, or NULL
};

// o[r, :] = o[r, :] · row_rescale[r] + Σ_c p[r, c] · cv[c, :]      (a row-direction update)
struct PvTile {
    const float *p; // [ni, ldp]
    int64_t ldp;
    const float *cv; // [nj, dp] rows, row stride ldcv (packed, or the caller's rows)
    int64_t ldcv;
    const float *row_rescale; // [ni] or NULL (= 1)
    float *o;                 // [ni, dp] in/out
    int64_t ni, nj, dp;
};

// co[c, :] = co[c, :] · col_rescale[c] + col_factor[c] · Σ_r p[r, c] · v[r, :]   (column update)
// With overwrite, co's old contents are ignored (co = col_factor[c] · Σ_r ...).
struct PtvTile {
    const float *p; // [ni, ldp]
    int64_t ldp;
    const float *v;           // [ni, dp] rows
    const float *col_rescale; // [nj] or NULL (= 1)
    const float *col_factor;  // [nj] or NULL (= 1)
    float *co;                // [nj, dp] in/out
    int64_t ni, nj, dp;
    bool overwrite;
};

struct Kernels {
    void (*qk)(const QkTile &t);
    void (*softmax)(const SoftmaxTile &t);
    void (*pv)(const PvTile &t);
    void (*ptv)(const PtvTile &t);
    // y[k] = e^x[k] for x ≤ 88.375 (0 below −87.68, exact 1 at 0); y may alias x.
    void (*exp)(const float *x, float *y, int64_t n);
    // y[r, :] = x[r, :] · f[r] for r < n; rows of dp floats, dp a multiple of kPanel.
    void (*scale_rows)(const float *x, const float *f, int64_t n, int64_t dp, float *y);
    // Talking heads on tiles: y[g][k] = Σ_h w[g·heads + h] · x[h][k], x[h] = x + h·stride,
    // y[g] = y + g·stride, k < n. y must not alias x.
    void (*mix)(const float *x, const float *w, int64_t heads, int64_t stride, int64_t n, float *y);
    // One panel (transpose.h): panel[e · ldo + k] = rows[k][e] for e < d, k < 16, zeros for e
    // in [d, dp). The 16 rows are contiguous (a row may repeat: the driver pads with copies and
    // zeroes after).
    void (*pack_panel)(const float *const *rows, int64_t d, int64_t dp, float *panel, int64_t ldo);
};

// The table attn4j_bca_fused uses now: the ISA of isa.h (the CPU's best, capped by the
// environment variable ATTN4J_ISA; read on every call, so that a test can run every path in
// one process).
const Kernels &select_kernels();

} // namespace bca
} // namespace attn4j
