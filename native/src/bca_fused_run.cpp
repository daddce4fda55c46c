// Tiled driver of attn4j_bca_fused: packs operands, walks (i-block × j-block) tiles, keeps the
// softmax statistics of both directions, splits the work over OpenMP threads, and writes the
// outputs. The tile arithmetic itself is in the kernels (bca_fused_kernels.h).
//
// Two schedules:
//  - Without talking heads, one pass ("online"): per (batch, head) the tiles are visited once,
//    i-blocks outer, j-blocks inner. Rows keep a running max, sum and out accumulator (as in
//    flash attention); columns keep the same over the whole context length (scratch [j, dp]),
//    rescaled whenever a maximum grows. Three matrix products per tile, never an [i, j] matrix.
//  - With talking heads, two passes. Why: a mixed head g needs the *normalised* probabilities
//    of every head h at the same (i, j), so each head's final softmax statistics must be known
//    before anything is mixed. Pass 1 runs the online walk for statistics only (one product);
//    pass 2 visits each tile once for all heads: S per head, normalised P and Pc, mixing over
//    heads, then the two products per mixed head. Four products per tile instead of three.
//
// One exponential per element instead of two (the "factored" tile). The column softmax wants
// e^(s − col_max[c]) and the row softmax e^(s − row_max[r]). With M = max_r row_max[r] over
// the tile, e^(s − col_max[c]) = e^(s − row_max[r]) · e^(row_max[r] − M) · e^(M − col_max[c]):
// a row factor ≤ 1 folded into v's rows and a column factor folded into the accumulation.
// That is exact up to rounding as long as e^(s − row_max[r]) does not underflow where the
// column term matters: if M − min_c col_max[c] ≤ 50, any term with e^(s − col_max) ≥ e^-30
// (the rest weighs < 1e-13 against the column's largest term, 1) has s − row_max ≥ −80,
// still a normal float. Tiles outside that range (or with fully masked columns, whose column
// maximum is the −3.4e38 fill) take two exponentials per element.
#include "bca_fused_run.h"

#include <omp.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <vector>

namespace attn4j {
namespace bca {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Tile sizes. Online path: a 128 × 128 tile's scores (64 KiB) and the q, v, context_qk and
// context_v blocks it reads (32 KiB each at d = 64) stay in the 2 MiB L2, and 128-long inner
// loops amortise the accumulator loads and stores of each microkernel call.
constexpr int64_t kBlockI = 128;
constexpr int64_t kBlockJ = 128;
// Talking-heads pass 2 holds four tiles per head (P, Pc and both mixes): smaller tiles.
constexpr int64_t kThBlockI = 64;
constexpr int64_t kThBlockJ = 64;
// Largest M − min col_max for which a tile shares one exponential between both softmaxes.
constexpr float kFactorRange = 50.0f;

// ---------------------------------------------------------------- memory

// Hands out 64-byte aligned pieces of one block; with a null base it only measures.
class Carver {
  public:
    explicit Carver(char *base) : base_(base) {}
    template <class T> T *take(int64_t count) {
        const size_t offset = (used_ + 63) / 64 * 64;
        used_ = offset + (size_t)count * sizeof(T);
        return base_ != nullptr ? reinterpret_cast<T *>(base_ + offset) : nullptr;
    }
    size_t used() const { return used_; }

  private:
    char *base_;
    size_t used_ = 0;
};

struct AlignedFree {
    void operator()(char *p) const { ::operator delete(p, std::align_val_t(64)); }
};
using Block = std::unique_ptr<char, AlignedFree>;

// Throws std::bad_alloc (turned into ATTN4J_ERR_OUT_OF_MEMORY by the caller's guard).
Block allocate(size_t bytes) {
    return Block(static_cast<char *>(::operator new(bytes > 0 ? bytes : 1, std::align_val_t(64))));
}

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

// rel_pos_bias broadcast to [b, h, i, j]: size-1 dims read with stride 0.
View4 bias_view(const attn4j_tensor *t, int64_t j) {
    View4 v(t);
    int64_t *strides[4] = {&v.s0, &v.s1, &v.s2, &v.s3};
    for (int k = 0; k < 4; ++k)
        if (t->shape[k] == 1) *strides[k] = 0;
    if (j == 1) v.s3 = 1; // one column: its stride is never used, call it contiguous
    return v;
}

// A [b, n] BOOL mask's addressing.
struct MaskView {
    const uint8_t *data = nullptr;
    int64_t s0 = 0, s1 = 0;
    MaskView() = default;
    explicit MaskView(const attn4j_tensor *t)
        : data(static_cast<const uint8_t *>(t->data)), s0(t->strides[0]), s1(t->strides[1]) {}
    bool ok(int64_t b, int64_t k) const { return data[b * s0 + k * s1] != 0; }
};

// Rows [r0, r0 + n) of (b, h) times `mul` into dst [n, dp], zero padded past d.
void pack_rows(const View4 &t, int64_t b, int64_t h, int64_t r0, int64_t n, int64_t d,
               int64_t dp, float *dst, float mul = 1.0f) {
    for (int64_t r = 0; r < n; ++r) {
        const float *src = t.row(b, h, r0 + r); // [d] with stride s3
        float *row = dst + r * dp;
        if (t.s3 == 1 && mul == 1.0f) {
            std::memcpy(row, src, (size_t)d * sizeof(float));
        } else {
            for (int64_t e = 0; e < d; ++e) row[e] = src[e * t.s3] * mul;
        }
        for (int64_t e = d; e < dp; ++e) row[e] = 0.0f;
    }
}

// Rows [r0, r0 + n) of (b, h) transposed into panels [ceil(n/16), dp, 16], zero padded.
void pack_panels(const View4 &t, int64_t b, int64_t h, int64_t r0, int64_t n, int64_t d,
                 int64_t dp, float *dst) {
    const int64_t panels = (n + kPanel - 1) / kPanel;
    std::memset(dst, 0, (size_t)(panels * dp * kPanel) * sizeof(float));
    for (int64_t r = 0; r < n; ++r) {
        const float *src = t.row(b, h, r0 + r);
        float *col = dst + (r / kPanel) * dp * kPanel + r % kPanel; // stride kPanel
        for (int64_t e = 0; e < d; ++e) col[e * kPanel] = src[e * t.s3];
    }
}

// ---------------------------------------------------------------- plan

// Sizes shared by every thread of one call.
struct Plan {
    int64_t B, H, I, J, d, dp;
    int64_t bi, bj;   // tile size
    int64_t lds;      // row stride of score tiles: round_up(bj, 16)
    int64_t jp;       // round_up(J, 16)
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

// Row mask of the block [i0, i0 + ni) as bytes; NULL when the call has no mask.
const uint8_t *pack_row_ok(const Shared &sh, int64_t b, int64_t i0, int64_t ni, uint8_t *dst) {
    if (!sh.has_mask) return nullptr;
    for (int64_t r = 0; r < ni; ++r) dst[r] = sh.mask.ok(b, i0 + r) ? 1 : 0;
    return dst;
}

// Column mask of the whole context as 0 / −1 lanes; NULL when the call has no context mask.
const int32_t *pack_col_ok(const Shared &sh, int64_t b, int32_t *dst) {
    if (!sh.has_cmask) return nullptr;
    for (int64_t c = 0; c < sh.pl.J; ++c) dst[c] = sh.cmask.ok(b, c) ? -1 : 0;
    return dst;
}

// The bias tile at (i0, j0) of (b, h): the caller's memory when its rows are contiguous along
// j, else a copy into `pack` [ni, ldp]. NULL when the call has no bias.
const float *bias_tile(const Shared &sh, int64_t b, int64_t h, int64_t i0, int64_t ni,
                       int64_t j0, int64_t nj, float *pack, int64_t ldp, int64_t *ld) {
    if (!sh.has_bias) return nullptr;
    const View4 &t = sh.bias;
    const float *base = t.data + b * t.s0 + h * t.s1 + i0 * t.s2 + j0 * t.s3;
    if (t.s3 == 1) {
        *ld = t.s2;
        return base;
    }
    for (int64_t r = 0; r < ni; ++r)
        for (int64_t c = 0; c < nj; ++c) pack[r * ldp + c] = base[r * t.s2 + c * t.s3];
    *ld = ldp;
    return pack;
}

// e^(old − new) for a running maximum moving from old to new (0 when old was −inf: nothing
// accumulated yet). Writes the differences to tmp and the factors to out.
void rescale_factors(const Kernels &kn, const float *old_max, const float *new_max, int64_t n,
                     float *tmp, float *out) {
    for (int64_t k = 0; k < n; ++k)
        tmp[k] = old_max[k] == kNegInf ? kNegInf : old_max[k] - new_max[k];
    kn.exp(tmp, out, n);
}

// ---------------------------------------------------------------- online walk (one pass)

// Per-thread scratch of the online walk.
struct Online {
    float *kt;           // [jp/16, dp, 16] context_qk of (b, h), panels
    float *cv;           // [J, dp] context_v of (b, h)
    float *co;           // [J, dp] column accumulators, relative to col_max
    float *col_max;      // [jp] running column maxima
    float *col_sum;      // [jp] running column sums
    int32_t *col_ok;     // [jp]
    float *q, *v, *va, *o; // [bi, dp]
    uint8_t *row_ok;     // [bi]
    float *row_max, *row_sum, *row_max_new, *row_rescale, *row_factor, *tile_row_max,
        *tile_row_sum, *tmp_i; // [bi]
    float *s, *pc, *bias;  // [bi, lds]
    float *tile_col_max, *tile_col_sum, *col_max_new, *col_rescale, *col_factor,
        *tmp_j; // [lds]

    void carve(Carver &c, const Plan &pl, bool with_outputs) {
        kt = c.take<float>(pl.jp * pl.dp);
        cv = with_outputs ? c.take<float>(pl.J * pl.dp) : nullptr;
        co = with_outputs ? c.take<float>(pl.J * pl.dp) : nullptr;
        col_max = c.take<float>(pl.jp);
        col_sum = c.take<float>(pl.jp);
        col_ok = c.take<int32_t>(pl.jp);
        q = c.take<float>(pl.bi * pl.dp);
        v = c.take<float>(pl.bi * pl.dp);
        va = c.take<float>(pl.bi * pl.dp);
        o = c.take<float>(pl.bi * pl.dp);
        row_ok = c.take<uint8_t>(pl.bi);
        for (float **p : {&row_max, &row_sum, &row_max_new, &row_rescale, &row_factor,
                          &tile_row_max, &tile_row_sum, &tmp_i})
            *p = c.take<float>(pl.bi);
        s = c.take<float>(pl.bi * pl.lds);
        pc = c.take<float>(pl.bi * pl.lds);
        bias = c.take<float>(pl.bi * pl.lds);
        for (float **p : {&tile_col_max, &tile_col_sum, &col_max_new, &col_rescale,
                          &col_factor, &tmp_j})
            *p = c.take<float>(pl.lds);
    }
};

// One tile (i0, ni) × (j0, nj) of (b, h) in the online walk.
void online_tile(const Shared &sh, Online &w, int64_t b, int64_t h, int64_t i0, int64_t ni,
                 int64_t j0, int64_t nj, const uint8_t *row_ok, const int32_t *col_ok,
                 bool with_outputs) {
    const Kernels &kn = sh.kn;
    const Plan &pl = sh.pl;
    const int64_t dp = pl.dp;

    // Scores and their maxima over this tile.
    int64_t bias_ld = 0;
    const float *bias = bias_tile(sh, b, h, i0, ni, j0, nj, w.bias, pl.lds, &bias_ld);
    kn.qk(QkTile{w.q, w.kt + (j0 / kPanel) * dp * kPanel, bias, bias_ld, row_ok,
                 col_ok != nullptr ? col_ok + j0 : nullptr, ni, nj, dp, w.s,
                 pl.lds, w.tile_row_max, w.tile_col_max});

    // New running maxima, and the factors that carry the old sums and accumulators over.
    float *col_max = w.col_max + j0; // [nj]
    float *col_sum = w.col_sum + j0; // [nj]
    for (int64_t r = 0; r < ni; ++r) w.row_max_new[r] = std::max(w.row_max[r], w.tile_row_max[r]);
    for (int64_t c = 0; c < nj; ++c) w.col_max_new[c] = std::max(col_max[c], w.tile_col_max[c]);
    rescale_factors(kn, w.row_max, w.row_max_new, ni, w.tmp_i, w.row_rescale);
    rescale_factors(kn, col_max, w.col_max_new, nj, w.tmp_j, w.col_rescale);

    // One exponential per element when the tile's range allows it (top of this file).
    float top = kNegInf, bottom = std::numeric_limits<float>::infinity();
    for (int64_t r = 0; r < ni; ++r) top = std::max(top, w.row_max_new[r]);
    for (int64_t c = 0; c < nj; ++c) bottom = std::min(bottom, w.col_max_new[c]);
    const bool factored = top - bottom <= kFactorRange; // false for NaN
    if (factored) {
        for (int64_t r = 0; r < ni; ++r) w.tmp_i[r] = w.row_max_new[r] - top;
        kn.exp(w.tmp_i, w.row_factor, ni);
        for (int64_t c = 0; c < nj; ++c) w.tmp_j[c] = top - w.col_max_new[c];
        kn.exp(w.tmp_j, w.col_factor, nj);
        if (with_outputs)
            for (int64_t r = 0; r < ni; ++r)
                for (int64_t e = 0; e < dp; ++e)
                    w.va[r * dp + e] = w.v[r * dp + e] * w.row_factor[r];
    }
    kn.softmax(SoftmaxTile{w.s, pl.lds, factored ? nullptr : w.pc, w.row_max_new,
                           w.col_max_new, factored ? w.row_factor : nullptr, nullptr, nullptr,
                           ni, nj, w.tile_row_sum, w.tile_col_sum});

    for (int64_t r = 0; r < ni; ++r) {
        w.row_sum[r] = w.row_sum[r] * w.row_rescale[r] + w.tile_row_sum[r];
        w.row_max[r] = w.row_max_new[r];
    }
    for (int64_t c = 0; c < nj; ++c) {
        const float tile_sum = factored ? w.tile_col_sum[c] * w.col_factor[c] : w.tile_col_sum[c];
        col_sum[c] = col_sum[c] * w.col_rescale[c] + tile_sum;
        col_max[c] = w.col_max_new[c];
    }
    if (!with_outputs) return;

    // out rows: o = o · e^(old − new) + P · context_v
    kn.pv(PvTile{w.s, pl.lds, w.cv + j0 * dp, w.row_rescale, w.o, ni, nj, dp});
    // context_out rows: co = co · e^(old − new) + Pcᵀ · v   (Pc = P · row factor · col factor)
    kn.ptv(PtvTile{factored ? w.s : w.pc, pl.lds, factored ? w.va : w.v, w.col_rescale,
                   factored ? w.col_factor : nullptr, w.co + j0 * dp, ni, nj, dp});
}

// Rows [ia, ib) of (b, h) against the whole context. Leaves the column maxima, sums and (with
// outputs) unnormalised accumulators of these rows in w; writes out rows, or (statistics only)
// each row's final max and sum to row_stats_max/row_stats_sum [B, H, I].
void online_unit(const Shared &sh, Online &w, int64_t b, int64_t h, int64_t ia, int64_t ib,
                 bool with_outputs, float *row_stats_max, float *row_stats_sum) {
    const Plan &pl = sh.pl;
    const int64_t dp = pl.dp;
    pack_panels(sh.cqk, b, h, 0, pl.J, pl.d, dp, w.kt);
    if (with_outputs) {
        pack_rows(sh.cv, b, h, 0, pl.J, pl.d, dp, w.cv);
        std::memset(w.co, 0, (size_t)(pl.J * dp) * sizeof(float));
    }
    const int32_t *col_ok = pack_col_ok(sh, b, w.col_ok);
    std::fill(w.col_max, w.col_max + pl.J, kNegInf);
    std::fill(w.col_sum, w.col_sum + pl.J, 0.0f);

    for (int64_t i0 = ia; i0 < ib; i0 += pl.bi) {
        const int64_t ni = std::min(pl.bi, ib - i0);
        pack_rows(sh.qk, b, h, i0, ni, pl.d, dp, w.q, sh.pb.scale);
        if (with_outputs) {
            pack_rows(sh.v, b, h, i0, ni, pl.d, dp, w.v);
            std::memset(w.o, 0, (size_t)(ni * dp) * sizeof(float));
        }
        const uint8_t *row_ok = pack_row_ok(sh, b, i0, ni, w.row_ok);
        std::fill(w.row_max, w.row_max + ni, kNegInf);
        std::fill(w.row_sum, w.row_sum + ni, 0.0f);

        for (int64_t j0 = 0; j0 < pl.J; j0 += pl.bj)
            online_tile(sh, w, b, h, i0, ni, j0, std::min(pl.bj, pl.J - j0), row_ok, col_ok,
                        with_outputs);

        if (with_outputs) {
            for (int64_t r = 0; r < ni; ++r) {
                const float inv = 1.0f / w.row_sum[r];
                float *dst = sh.out.row(b, h, i0 + r); // [d] with stride s3
                for (int64_t e = 0; e < pl.d; ++e) dst[e * sh.out.s3] = w.o[r * dp + e] * inv;
            }
        } else {
            const int64_t base = (b * pl.H + h) * pl.I + i0;
            std::copy(w.row_max, w.row_max + ni, row_stats_max + base);
            std::copy(w.row_sum, w.row_sum + ni, row_stats_sum + base);
        }
    }
}

// context_out rows of (b, h) from a unit that covered every row.
void write_columns(const Shared &sh, const Online &w, int64_t b, int64_t h) {
    for (int64_t c = 0; c < sh.pl.J; ++c) {
        const float inv = 1.0f / w.col_sum[c];
        float *dst = sh.cout.row(b, h, c);
        for (int64_t e = 0; e < sh.pl.d; ++e) dst[e * sh.cout.s3] = w.co[c * sh.pl.dp + e] * inv;
    }
}

// How the rows of each (b, h) are split into units. Why split at all: with fewer (b, h)
// pairs than about two per thread, whole pairs would leave threads idle; each extra chunk
// costs one more pass over the context side and a merge of column partials.
struct Split {
    int64_t chunks;   // units per (b, h)
    int64_t units;    // B · H · chunks
    int64_t i_blocks; // ceil(I / bi)
};

Split split_rows(const Plan &pl) {
    Split s;
    s.i_blocks = (pl.I + pl.bi - 1) / pl.bi;
    const int64_t pairs = pl.B * pl.H;
    s.chunks = 1;
    if (pl.threads > 1 && pairs < 2 * pl.threads)
        s.chunks = std::min(s.i_blocks, (2 * pl.threads + pairs - 1) / pairs);
    s.units = pairs * s.chunks;
    return s;
}

// Rows [ia, ib) of unit k out of `chunks` for one (b, h).
void unit_rows(const Plan &pl, const Split &sp, int64_t k, int64_t *ia, int64_t *ib) {
    *ia = std::min(pl.I, (k * sp.i_blocks / sp.chunks) * pl.bi);
    *ib = std::min(pl.I, ((k + 1) * sp.i_blocks / sp.chunks) * pl.bi);
}

// Column partials of one unit, kept when a (b, h) is split over several units.
struct Partial {
    float *max, *sum; // [J]
    float *co;        // [J, dp] or NULL (statistics only)
};

Partial partial_of(float *base, const Plan &pl, int64_t unit, bool with_outputs) {
    const int64_t per = pl.J * (2 + (with_outputs ? pl.dp : 0));
    float *p = base + unit * per;
    return Partial{p, p + pl.J, with_outputs ? p + 2 * pl.J : nullptr};
}

// Merges the chunks' column partials of (b, h) for columns [c0, c1): into context_out (with
// outputs) or into the final column statistics col_stats_max/col_stats_sum [B, H, J].
void merge_columns(const Shared &sh, float *partials, const Split &sp, int64_t pair, int64_t c0,
                   int64_t c1, bool with_outputs, float *col_stats_max, float *col_stats_sum,
                   float *acc /* [dp] */) {
    const Plan &pl = sh.pl;
    const int64_t b = pair / pl.H, h = pair % pl.H;
    for (int64_t c = c0; c < c1; ++c) {
        float top = kNegInf;
        for (int64_t k = 0; k < sp.chunks; ++k)
            top = std::max(top, partial_of(partials, pl, pair * sp.chunks + k, with_outputs).max[c]);
        float sum = 0.0f;
        if (with_outputs) std::fill(acc, acc + pl.dp, 0.0f);
        for (int64_t k = 0; k < sp.chunks; ++k) {
            const Partial part = partial_of(partials, pl, pair * sp.chunks + k, with_outputs);
            if (part.max[c] == kNegInf) continue; // a chunk without rows
            const float weight = std::exp(part.max[c] - top);
            sum += weight * part.sum[c];
            if (with_outputs)
                for (int64_t e = 0; e < pl.dp; ++e) acc[e] += weight * part.co[c * pl.dp + e];
        }
        if (with_outputs) {
            float *dst = sh.cout.row(b, h, c);
            for (int64_t e = 0; e < pl.d; ++e) dst[e * sh.cout.s3] = acc[e] / sum;
        } else {
            col_stats_max[pair * pl.J + c] = top;
            col_stats_sum[pair * pl.J + c] = sum;
        }
    }
}

// The online walk over every (b, h): outputs, or (statistics only) the final row and column
// maxima and sums [B, H, I] / [B, H, J].
void online_all(const Shared &sh, bool with_outputs, float *row_stats_max, float *row_stats_sum,
                float *col_stats_max, float *col_stats_sum) {
    const Plan &pl = sh.pl;
    const Split sp = split_rows(pl);
    const int threads = (int)std::min<int64_t>(pl.threads, sp.units);

    Carver measure(nullptr);
    Online probe;
    probe.carve(measure, pl, with_outputs);
    measure.take<float>(pl.dp); // merge accumulator
    const size_t per_thread = (measure.used() + 63) / 64 * 64;
    const int64_t partial_floats =
        sp.chunks > 1 ? sp.units * pl.J * (2 + (with_outputs ? pl.dp : 0)) : 0;
    Block block = allocate(per_thread * threads + (size_t)partial_floats * sizeof(float));
    float *partials = reinterpret_cast<float *>(block.get() + per_thread * threads);
    std::vector<Online> scratch((size_t)threads);
    std::vector<float *> accs((size_t)threads);
    for (int t = 0; t < threads; ++t) {
        Carver carver(block.get() + per_thread * t);
        scratch[t].carve(carver, pl, with_outputs);
        accs[t] = carver.take<float>(pl.dp);
    }

#pragma omp parallel num_threads(threads) if (threads > 1)
    {
        FlushDenormals flush;
        Online &w = scratch[omp_get_thread_num()];
        float *acc = accs[omp_get_thread_num()];

#pragma omp for schedule(dynamic, 1)
        for (int64_t u = 0; u < sp.units; ++u) {
            const int64_t pair = u / sp.chunks, k = u % sp.chunks;
            const int64_t b = pair / pl.H, h = pair % pl.H;
            int64_t ia, ib;
            unit_rows(pl, sp, k, &ia, &ib);
            online_unit(sh, w, b, h, ia, ib, with_outputs, row_stats_max, row_stats_sum);
            if (sp.chunks == 1) {
                if (with_outputs) {
                    write_columns(sh, w, b, h);
                } else {
                    std::copy(w.col_max, w.col_max + pl.J, col_stats_max + pair * pl.J);
                    std::copy(w.col_sum, w.col_sum + pl.J, col_stats_sum + pair * pl.J);
                }
            } else {
                const Partial part = partial_of(partials, pl, u, with_outputs);
                std::copy(w.col_max, w.col_max + pl.J, part.max);
                std::copy(w.col_sum, w.col_sum + pl.J, part.sum);
                if (with_outputs) std::copy(w.co, w.co + pl.J * pl.dp, part.co);
            }
        }

        if (sp.chunks > 1) {
            // Merge by (pair, column block): independent pieces of equal size.
            const int64_t col_blocks = (pl.J + pl.bj - 1) / pl.bj;
#pragma omp for schedule(dynamic, 1)
            for (int64_t m = 0; m < pl.B * pl.H * col_blocks; ++m) {
                const int64_t pair = m / col_blocks, c0 = (m % col_blocks) * pl.bj;
                merge_columns(sh, partials, sp, pair, c0, std::min(pl.J, c0 + pl.bj),
                              with_outputs, col_stats_max, col_stats_sum, acc);
            }
        }
    }
}

// ---------------------------------------------------------------- talking heads, pass 2

// Per-thread scratch of pass 2 (all heads of one tile at once).
struct Mixed {
    float *kt;      // [H, lds/16, dp, 16]
    float *cv;      // [H, bj, dp]
    float *q, *v;   // [H, bi, dp]
    float *o;       // [H, bi, dp]
    float *p, *pc;  // [H, bi, lds] normalised probabilities per head
    float *mp, *mpc; // [H, bi, lds] the same, mixed over heads
    float *bias;    // [bi, lds]
    float *row_max, *col_max; // [bi], [lds]
    float *co;      // [H, J, dp] this thread's share of context_out (one batch element)
    float *o_all;   // [H, I, dp] this thread's share of out, when j is split; else NULL
    int32_t *col_ok; // [jp]
    uint8_t *row_ok; // [bi]

    void carve(Carver &c, const Plan &pl, bool split_j) {
        const int64_t H = pl.H, dp = pl.dp;
        kt = c.take<float>(H * pl.lds * dp);
        cv = c.take<float>(H * pl.bj * dp);
        q = c.take<float>(H * pl.bi * dp);
        v = c.take<float>(H * pl.bi * dp);
        o = c.take<float>(H * pl.bi * dp);
        p = c.take<float>(H * pl.bi * pl.lds);
        pc = c.take<float>(H * pl.bi * pl.lds);
        mp = c.take<float>(H * pl.bi * pl.lds);
        mpc = c.take<float>(H * pl.bi * pl.lds);
        bias = c.take<float>(pl.bi * pl.lds);
        row_max = c.take<float>(pl.bi);
        col_max = c.take<float>(pl.lds);
        co = c.take<float>(H * pl.J * dp);
        o_all = split_j ? c.take<float>(H * pl.I * dp) : nullptr;
        col_ok = c.take<int32_t>(pl.jp);
        row_ok = c.take<uint8_t>(pl.bi);
    }
};

// Final statistics from pass 1, stored as (max, 1/sum) per row and column.
struct Stats {
    float *row_max, *row_inv; // [B, H, I]
    float *col_max, *col_inv; // [B, H, J]
};

// Rows [i0, i0 + ni) × columns [ja, jb) of batch element b, every head: accumulates into w.o
// (out rows of this block) and w.co (this thread's context_out share).
void mixed_unit(const Shared &sh, Mixed &w, const Stats &st, const float *wt, const float *wct,
                int64_t b, int64_t i0, int64_t ni, int64_t ja, int64_t jb, const int32_t *col_ok) {
    const Kernels &kn = sh.kn;
    const Plan &pl = sh.pl;
    const int64_t H = pl.H, dp = pl.dp, tile = pl.bi * pl.lds;
    const uint8_t *row_ok = pack_row_ok(sh, b, i0, ni, w.row_ok);
    for (int64_t h = 0; h < H; ++h) {
        pack_rows(sh.qk, b, h, i0, ni, pl.d, dp, w.q + h * pl.bi * dp, sh.pb.scale);
        pack_rows(sh.v, b, h, i0, ni, pl.d, dp, w.v + h * pl.bi * dp);
    }
    std::memset(w.o, 0, (size_t)(H * pl.bi * dp) * sizeof(float));

    for (int64_t j0 = ja; j0 < jb; j0 += pl.bj) {
        const int64_t nj = std::min(pl.bj, jb - j0);
        for (int64_t h = 0; h < H; ++h) {
            float *kt = w.kt + h * pl.lds * dp; // [lds/16, dp, 16]
            pack_panels(sh.cqk, b, h, j0, nj, pl.d, dp, kt);
            pack_rows(sh.cv, b, h, j0, nj, pl.d, dp, w.cv + h * pl.bj * dp);
            int64_t bias_ld = 0;
            const float *bias = bias_tile(sh, b, h, i0, ni, j0, nj, w.bias, pl.lds, &bias_ld);
            kn.qk(QkTile{w.q + h * pl.bi * dp, kt, bias, bias_ld, row_ok,
                         col_ok != nullptr ? col_ok + j0 : nullptr, ni, nj, dp,
                         w.p + h * tile, pl.lds, w.row_max, w.col_max});
            // Normalised probabilities of both softmaxes with the final statistics.
            const int64_t rows = (b * H + h) * pl.I + i0, cols = (b * H + h) * pl.J + j0;
            kn.softmax(SoftmaxTile{w.p + h * tile, pl.lds, w.pc + h * tile, st.row_max + rows,
                                   st.col_max + cols, nullptr, st.row_inv + rows,
                                   st.col_inv + cols, ni, nj, nullptr, nullptr});
        }
        // Head mixing (a missing matrix means that direction is not mixed).
        const float *p = w.p, *pc = w.pc;
        if (wt != nullptr) {
            kn.mix(w.p, wt, H, tile, ni * pl.lds, w.mp);
            p = w.mp;
        }
        if (wct != nullptr) {
            kn.mix(w.pc, wct, H, tile, ni * pl.lds, w.mpc);
            pc = w.mpc;
        }
        for (int64_t g = 0; g < H; ++g) {
            kn.pv(PvTile{p + g * tile, pl.lds, w.cv + g * pl.bj * dp, nullptr,
                         w.o + g * pl.bi * dp, ni, nj, dp});
            kn.ptv(PtvTile{pc + g * tile, pl.lds, w.v + g * pl.bi * dp, nullptr, nullptr,
                           w.co + (g * pl.J + j0) * dp, ni, nj, dp});
        }
    }
}

// Heads' [h, h] matrix as contiguous floats (any strides in the caller's tensor).
std::vector<float> dense_heads(const attn4j_tensor *t, int64_t H) {
    std::vector<float> w;
    if (t == nullptr) return w;
    w.resize((size_t)(H * H));
    const float *data = static_cast<const float *>(t->data);
    for (int64_t g = 0; g < H; ++g)
        for (int64_t h = 0; h < H; ++h) w[g * H + h] = data[g * t->strides[0] + h * t->strides[1]];
    return w;
}

void talking_heads_all(const Shared &sh, const Plan &online_plan) {
    const Problem &pb = sh.pb;
    const Plan &pl = sh.pl; // pass 2 tiles
    const int64_t B = pl.B, H = pl.H, I = pl.I, J = pl.J, dp = pl.dp;

    // Pass 1: final row and column statistics of every head.
    // (+16: the softmax kernel reads column statistics in whole vectors past the last column)
    std::vector<float> stats((size_t)(2 * B * H * (I + J) + 16));
    Stats st{stats.data(), stats.data() + B * H * I, stats.data() + 2 * B * H * I,
             stats.data() + 2 * B * H * I + B * H * J};
    {
        Shared pass1{sh.pb, sh.kn, online_plan, sh.qk, sh.v, sh.cqk, sh.cv, sh.out,
                     sh.cout, sh.bias, sh.has_bias, sh.mask, sh.cmask, sh.has_mask, sh.has_cmask};
        online_all(pass1, false, st.row_max, st.row_inv, st.col_max, st.col_inv);
    }
    for (int64_t k = 0; k < B * H * I; ++k) st.row_inv[k] = 1.0f / st.row_inv[k];
    for (int64_t k = 0; k < B * H * J; ++k) st.col_inv[k] = 1.0f / st.col_inv[k];

    const std::vector<float> wt = dense_heads(pb.talking_heads, H);
    const std::vector<float> wct = dense_heads(pb.context_talking_heads, H);

    // Pass 2 units: i-blocks, split along j too when there are too few of them to share.
    const int64_t i_blocks = (I + pl.bi - 1) / pl.bi, j_blocks = (J + pl.bj - 1) / pl.bj;
    int64_t j_chunks = 1;
    if (pl.threads > 1 && i_blocks < 2 * pl.threads)
        j_chunks = std::min(j_blocks, (2 * pl.threads + i_blocks - 1) / i_blocks);
    const bool split_j = j_chunks > 1;
    const int64_t units = i_blocks * j_chunks;
    const int threads = (int)std::min<int64_t>(pl.threads, units);

    Carver measure(nullptr);
    Mixed probe;
    probe.carve(measure, pl, split_j);
    const size_t per_thread = (measure.used() + 63) / 64 * 64;
    Block block = allocate(per_thread * threads);
    std::vector<Mixed> scratch((size_t)threads);
    for (int t = 0; t < threads; ++t) {
        Carver carver(block.get() + per_thread * t);
        scratch[t].carve(carver, pl, split_j);
    }

#pragma omp parallel num_threads(threads) if (threads > 1)
    {
        FlushDenormals flush;
        const int team = omp_get_num_threads();
        Mixed &w = scratch[omp_get_thread_num()];
        for (int64_t b = 0; b < B; ++b) {
            std::memset(w.co, 0, (size_t)(H * J * dp) * sizeof(float));
            if (split_j) std::memset(w.o_all, 0, (size_t)(H * I * dp) * sizeof(float));
            const int32_t *col_ok = pack_col_ok(sh, b, w.col_ok);

#pragma omp for schedule(dynamic, 1)
            for (int64_t u = 0; u < units; ++u) {
                const int64_t ib = u / j_chunks, jc = u % j_chunks;
                const int64_t i0 = ib * pl.bi, ni = std::min(pl.bi, I - i0);
                const int64_t ja = std::min(J, (jc * j_blocks / j_chunks) * pl.bj);
                const int64_t jb = std::min(J, ((jc + 1) * j_blocks / j_chunks) * pl.bj);
                mixed_unit(sh, w, st, wt.empty() ? nullptr : wt.data(),
                           wct.empty() ? nullptr : wct.data(), b, i0, ni, ja, jb, col_ok);
                for (int64_t g = 0; g < H; ++g)
                    for (int64_t r = 0; r < ni; ++r) {
                        const float *o = w.o + (g * pl.bi + r) * dp; // [dp]
                        if (split_j) {
                            float *dst = w.o_all + (g * I + i0 + r) * dp;
                            for (int64_t e = 0; e < pl.d; ++e) dst[e] += o[e];
                        } else {
                            float *dst = sh.out.row(b, g, i0 + r);
                            for (int64_t e = 0; e < pl.d; ++e) dst[e * sh.out.s3] = o[e];
                        }
                    }
            } // implicit barrier: every thread's shares are complete

            // Sum the threads' shares into the outputs, split by (head, block of rows).
            const int64_t jr = (J + pl.bj - 1) / pl.bj, ir = split_j ? (I + pl.bi - 1) / pl.bi : 0;
#pragma omp for schedule(dynamic, 1)
            for (int64_t m = 0; m < H * (jr + ir); ++m) {
                const int64_t g = m / (jr + ir), k = m % (jr + ir);
                const bool ctx_side = k < jr;
                const int64_t n = ctx_side ? J : I, blk = ctx_side ? pl.bj : pl.bi;
                const int64_t r0 = (ctx_side ? k : k - jr) * blk, r1 = std::min(n, r0 + blk);
                for (int64_t r = r0; r < r1; ++r) {
                    float *dst = ctx_side ? sh.cout.row(b, g, r) : sh.out.row(b, g, r);
                    const int64_t s3 = ctx_side ? sh.cout.s3 : sh.out.s3;
                    for (int64_t e = 0; e < pl.d; ++e) {
                        float sum = 0.0f;
                        for (int t = 0; t < team; ++t)
                            sum += ctx_side ? scratch[t].co[(g * J + r) * dp + e]
                                            : scratch[t].o_all[(g * I + r) * dp + e];
                        dst[e * s3] = sum;
                    }
                }
            } // implicit barrier before the next batch element clears the shares
        }
    }
}

// Writes zeros to every element of a [b, h, n, d] tensor.
void fill_zero(const View4 &t, int64_t B, int64_t H, int64_t n, int64_t d) {
    for (int64_t b = 0; b < B; ++b)
        for (int64_t h = 0; h < H; ++h)
            for (int64_t r = 0; r < n; ++r) {
                float *row = t.row(b, h, r);
                for (int64_t e = 0; e < d; ++e) row[e * t.s3] = 0.0f;
            }
}

} // namespace

void run(const Problem &pb, const Kernels &kernels) {
    const int64_t B = pb.b, H = pb.h, I = pb.i, J = pb.j, d = pb.d;
    if (B == 0 || H == 0 || d == 0) return; // both outputs are empty
    View4 out(pb.out), cout(pb.context_out);
    // An empty softmax axis: attn [i, 0] · context_v [0, d] and context_attnᵀ [j, 0] · v [0, d]
    // are sums over nothing, so the non-empty output is all zeros (as PyTorch's matmul gives).
    if (I == 0 || J == 0) {
        fill_zero(out, B, H, I, d);
        fill_zero(cout, B, H, J, d);
        return;
    }

    Plan pl;
    pl.B = B;
    pl.H = H;
    pl.I = I;
    pl.J = J;
    pl.d = d;
    pl.dp = round_up(d, kPanel);
    pl.jp = round_up(J, kPanel);
    pl.threads = pb.threads;
    const bool mixing = pb.talking_heads != nullptr || pb.context_talking_heads != nullptr;
    pl.bi = std::min(I, mixing ? kThBlockI : kBlockI);
    pl.bj = std::min(J, mixing ? kThBlockJ : kBlockJ);
    pl.lds = round_up(pl.bj, kPanel);

    Shared sh{pb, kernels, pl, View4(pb.qk), View4(pb.v), View4(pb.context_qk),
              View4(pb.context_v), out, cout, View4(), pb.rel_pos_bias != nullptr,
              MaskView(), MaskView(), pb.mask != nullptr, pb.context_mask != nullptr};
    if (sh.has_bias) sh.bias = bias_view(pb.rel_pos_bias, J);
    if (sh.has_mask) sh.mask = MaskView(pb.mask);
    if (sh.has_cmask) sh.cmask = MaskView(pb.context_mask);

    if (!mixing) {
        online_all(sh, true, nullptr, nullptr, nullptr, nullptr);
        return;
    }
    Plan online_plan = pl;
    online_plan.bi = std::min(I, kBlockI);
    online_plan.bj = std::min(J, kBlockJ);
    online_plan.lds = round_up(online_plan.bj, kPanel);
    talking_heads_all(sh, online_plan);
}

} // namespace bca
} // namespace attn4j
