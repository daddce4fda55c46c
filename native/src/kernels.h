// Inner loops that run along one row (or one block of columns) for softmax, GELU and the
// two-way softmax, written once in kernels_impl.h over the vector-math layer and compiled per
// ISA (kernels_<isa>.cpp). kernels() picks a table at run time (isa.h).
#pragma once

#include <cstdint>

namespace attn4j {

// One [i, j] slice of attn4j_bca_softmax (fixed b, h): base pointers and strides along i, j.
struct BcaSlice {
    const float *sim;      // [i, j]
    const float *bias;     // [i, j] broadcast view, NULL when there is no rel_pos_bias
    const uint8_t *mask;   // [i] with stride mask_si; NULL = all true
    const uint8_t *keep_j; // [j] unit stride: this batch's context_mask as 0/1
    float *attn;           // [i, j]
    float *ctx;            // [i, j] context_attn
    int64_t sim_si, sim_sj, bias_si, bias_sj, mask_si, attn_si, attn_sj, ctx_si, ctx_sj;
    int64_t i, j;
    bool unit; // every j stride is 1 (the bias's too, if present): the vectorised case
};

// One row of n elements for the norms: x, y with strides xs, ys; weight w (stride ws) and bias b
// (stride bs) may be NULL. y may alias x (the row is read in full before it is written).
struct NormRow {
    const float *x;
    float *y;
    const float *w;
    const float *b;
    int64_t xs, ys, ws, bs, n;
};

// Columns one softmax_columns call carries through its passes.
constexpr int64_t kSoftmaxColumnBlock = 64;

struct Kernels {

    // y = softmax(x) over n elements (strides xs, ys); y may alias x.
    void (*softmax_row)(const float *x, int64_t xs, float *y, int64_t ys, int64_t n);

    // Softmax over n rows (strides xs_n, ys_n) of each of w ≤ kSoftmaxColumnBlock columns
    // (strides xs_m, ys_m): the axis −2 case, vectorised across columns. y may alias x.
    void (*softmax_columns)(const float *x, int64_t xs_n, int64_t xs_m, float *y, int64_t ys_n,
                            int64_t ys_m, int64_t n, int64_t w);

    // y[k] = x[k]·Φ(x[k]) for k in [0, n) (strides xs, ys); y may alias x.
    void (*gelu)(const float *x, int64_t xs, float *y, int64_t ys, int64_t n);

    // y = x / √(mean x² + eps) · w over one row (w required); unit: every stride is 1.
    void (*rms_norm_row)(const NormRow &r, bool unit, float eps);

    // y = (x − mean) / √(var + eps) · w + b over one row (w, b optional); unit: every stride is 1.
    void (*layer_norm_row)(const NormRow &r, bool unit, float eps);

    // bca_softmax, row r of a slice. Pass A: s = masked sim + bias into ctx, attn = softmax
    // of the row, col_max[j] = max(col_max[j], s). Pass B: ctx = exp(s − col_max),
    // col_sum += it. Pass C: ctx *= col_inv.
    void (*bca_pass_a)(const BcaSlice &s, int64_t r, float *col_max);
    void (*bca_pass_b)(const BcaSlice &s, int64_t r, const float *col_max, float *col_sum);
    void (*bca_pass_c)(const BcaSlice &s, int64_t r, const float *col_inv);
};

// The table of the ISA in use now (isa.h).
const Kernels &kernels();

} // namespace attn4j
