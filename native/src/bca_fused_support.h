// Shared pieces of the attn4j_bca_fused driver: scratch memory, strided access to and packing
// of the caller's tensors, the plan of one call, and the two schedules built on them
// (bca_fused_online.cpp, bca_fused_mixed.cpp).
#pragma once

#include "bca_fused_run.h"
#include "unit_team.h"
#include "parallel.h"
#include "scratch.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace attn4j {
namespace bca {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// ---------------------------------------------------------------- memory and threads

// Why: products of tiny probabilities can be subnormal, and subnormal arithmetic costs
// microcode assists on x86; their values are far below what the result can show.
#if defined(__SSE__)
class FlushDenormals {
  public:
    FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040); } // FTZ | DAZ
    ~FlushDenormals() { _mm_setcsr(saved_); }

  private:
    unsigned saved_;
};
#else
struct FlushDenormals {};
#endif

// ---------------------------------------------------------------- tensor access

// A [b, h, n, d] tensor's element addressing.
struct View4 {
    float *data = nullptr;
    int64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    View4() = default;
    explicit View4(const attn4j_tensor *t)
        : data(static_cast<float *>(t->data)), s0(t->strides[0]), s1(t->strides[1]),
          s2(t->strides[2]), s3(t->strides[3]) {}
    float *row(int64_t b, int64_t h, int64_t r) const { return data + b * s0 + h * s1 + r * s2; }
};

// A [b, n] BOOL mask's addressing.
struct MaskView {
    const uint8_t *data = nullptr;
    int64_t s0 = 0, s1 = 0;
    MaskView() = default;
    explicit MaskView(const attn4j_tensor *t)
        : data(static_cast<const uint8_t *>(t->data)), s0(t->strides[0]), s1(t->strides[1]) {}
    bool ok(int64_t b, int64_t k) const { return data[b * s0 + k * s1] != 0; }
};

// rel_pos_bias broadcast to [b, h, i, j]: size-1 dims read with stride 0.
View4 bias_view(const attn4j_tensor *t, int64_t j);

// Rows [r0, r0 + n) of (b, h) times `mul` into dst [n, dp], zero padded past d.
void pack_rows(const View4 &t, int64_t b, int64_t h, int64_t r0, int64_t n, int64_t d, int64_t dp,
               float *dst, float mul = 1.0f);

// Rows [r0, r0 + n) of (b, h) transposed into panels [ceil(n/16), dp, 16], zero padded.
void pack_panels(const Kernels &kn, const View4 &t, int64_t b, int64_t h, int64_t r0, int64_t n,
                 int64_t d, int64_t dp, float *dst);

// ---------------------------------------------------------------- plan

// Sizes shared by every thread of one call.
struct Plan {
    int64_t B, H, I, J, d, dp;
    int64_t bi, bj; // tile size
    int64_t lds;    // row stride of score tiles: round_up(bj, 16)
    int64_t jp;     // round_up(J, 16)
    int threads;
};

// Everything a thread needs, read only.
struct Shared {
    const Problem &pb;
    const Kernels &kn;
    Plan pl;
    View4 qk, v, cqk, cv, out, cout, bias;
    bool has_bias;
    MaskView mask, cmask;
    bool has_mask, has_cmask;
};

// Threads worth starting for `units` independent pieces of work of one call (parallel.h):
// tiny calls (i = j = 16) run on the calling thread alone.
inline int useful_threads(const Plan &pl, int64_t units) {
    const double flops = 6.0 * (double)pl.B * pl.H * pl.I * pl.J * pl.dp;
    return threads_for_flops(flops, units, pl.threads);
}

// context_v is read in place when its rows already look packed (d contiguous and a multiple
// of 16): the products take any row stride.
inline bool cv_in_place(const Shared &sh) { return sh.cv.s3 == 1 && sh.pl.d == sh.pl.dp; }

// Row mask of the block [i0, i0 + ni) as bytes; NULL when nothing in it is masked.
const uint8_t *pack_row_ok(const Shared &sh, int64_t b, int64_t i0, int64_t ni, uint8_t *dst);

// Column mask of the whole context as 0 / −1 lanes; NULL when nothing in it is masked.
const int32_t *pack_col_ok(const Shared &sh, int64_t b, int32_t *dst);

// The bias tile at (i0, j0) of (b, h): the caller's memory when its rows are contiguous along
// j, else a copy into `pack` [ni, ldp]. NULL when the call has no bias.
const float *bias_tile(const Shared &sh, int64_t b, int64_t h, int64_t i0, int64_t ni, int64_t j0,
                       int64_t nj, float *pack, int64_t ldp, int64_t *ld);

// e^(old − new) for a running maximum moving from old to new (0 when old was −inf: nothing
// accumulated yet). Writes the differences to tmp and the factors to out.
void rescale_factors(const Kernels &kn, const float *old_max, const float *new_max, int64_t n,
                     float *tmp, float *out);

// ---------------------------------------------------------------- schedules

// Without talking heads (with_outputs): out and context_out in one pass over the tiles.
// Statistics only: each row's and column's final softmax max and sum, [B, H, I] / [B, H, J].
void online_all(const Shared &sh, bool with_outputs, float *row_stats_max, float *row_stats_sum,
                float *col_stats_max, float *col_stats_sum);

// With talking heads: statistics (online_all) then the mixed products, tile by tile.
void talking_heads_all(const Shared &sh, const Plan &online_plan);

} // namespace bca
} // namespace attn4j
