// Inner loops that run along one row (or one block of columns) for softmax, GELU and the
// two-way softmax, compiled twice from kernels_impl.h: portable (kernels_portable.cpp) and
// with AVX2+FMA (kernels_avx2.cpp). kernels() picks a table at run time.
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

// Columns one softmax_columns call carries through its passes.
constexpr int64_t kSoftmaxColumnBlock = 64;

struct Kernels {
    const char *name; // "portable" or "avx2"

    // y = softmax(x) over n elements (strides xs, ys); y may alias x.
    void (*softmax_row)(const float *x, int64_t xs, float *y, int64_t ys, int64_t n);

    // Softmax over n rows (strides xs_n, ys_n) of each of w ≤ kSoftmaxColumnBlock columns
    // (strides xs_m, ys_m): the axis −2 case, vectorised across columns. y may alias x.
    void (*softmax_columns)(const float *x, int64_t xs_n, int64_t xs_m, float *y, int64_t ys_n,
                            int64_t ys_m, int64_t n, int64_t w);

    // y[k] = x[k]·Φ(x[k]) for k in [0, n) (strides xs, ys); y may alias x.
    void (*gelu)(const float *x, int64_t xs, float *y, int64_t ys, int64_t n);

    // bca_softmax, row r of a slice. Pass A: s = masked sim + bias into ctx, attn = softmax
    // of the row, col_max[j] = max(col_max[j], s). Pass B: ctx = exp(s − col_max),
    // col_sum += it. Pass C: ctx *= col_inv.
    void (*bca_pass_a)(const BcaSlice &s, int64_t r, float *col_max);
    void (*bca_pass_b)(const BcaSlice &s, int64_t r, const float *col_max, float *col_sum);
    void (*bca_pass_c)(const BcaSlice &s, int64_t r, const float *col_inv);
};

namespace portable {
extern const Kernels kTable;
}
namespace avx2 {
extern const Kernels kTable;
}

// True when the AVX2+FMA kernels run: the CPU has both, and the environment variable
// ATTN4J_FORCE_SCALAR is unset, empty or "0" (the switch that attn4j_bca_fused honours too).
bool avx2_kernels_enabled();

// The kernel table for this process.
const Kernels &kernels();

} // namespace attn4j
