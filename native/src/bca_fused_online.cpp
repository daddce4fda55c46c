// The one-pass ("online") schedule of attn4j_bca_fused, used without talking heads: per
// (batch, head) the tiles are visited once, i-blocks outer, j-blocks inner. Rows keep a running
// max, sum and out accumulator (as in flash attention); columns keep the same over the whole
// context length (scratch [j, dp]), rescaled whenever a maximum grows. Three matrix products
// per tile, never an [i, j] matrix. The talking-heads schedule runs it for statistics only.
//
// One exponential per element instead of two (the "factored" tile). The column softmax wants
// e^(s − col_max[c]) and the row softmax e^(s − row_max[r]). With M = max_r row_max[r] over
// the tile, e^(s − col_max[c]) = e^(s − row_max[r]) · e^(row_max[r] − M) · e^(M − col_max[c]):
// a row factor ≤ 1 folded into v's rows and a column factor folded into the accumulation.
// That is exact up to rounding as long as e^(s − row_max[r]) does not underflow where the
// column term matters: if M − min_c col_max[c] ≤ 50, any term with e^(s − col_max) ≥ e^-30
// (the rest weighs < 1e-13 against the column's largest term, 1) has s − row_max ≥ −80,
// still a normal float. Tiles outside that range take two exponentials per element.
//
// Columns masked so far (their maximum is the −3.4e38 fill) would force every tile of a
// padded context onto that slower path: their scores in the tile are all the fill, so each
// row weighs e^0 = 1, and they get the exact sum of v's rows instead (factor 0 in the shared
// product). Only without rel_pos_bias: a −inf bias could hide among the fills.
#include "bca_fused_support.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace attn4j {
namespace bca {
namespace {

// Largest M − min col_max for which a tile shares one exponential between both softmaxes.
constexpr float kFactorRange = 50.0f;

// Per-thread scratch of the online walk.
struct Online {
    float *kt;             // [jp/16, dp, 16] context_qk of (b, h), panels
    float *cv;             // [J, dp] context_v of (b, h), when it must be packed
    const float *cv_rows;  // context_v rows the products read: cv, or the caller's rows
    int64_t ldcv;          // their row stride
    float *co;             // [J, dp] column accumulators, relative to col_max
    float *co_tile;        // [lds, dp] one tile's columns (single-block units)
    float *col_max;        // [jp] running column maxima
    float *col_sum;        // [jp] running column sums
    int32_t *col_ok;       // [jp]
    float *q, *v, *va, *o; // [bi, dp]
    float *v_sum;          // [dp] Σ of this block's v rows
    uint8_t *row_ok;       // [bi]
    float *row_max, *row_sum, *row_max_new, *row_rescale, *row_factor, *tile_row_max, *tile_row_sum,
        *tmp_i;           // [bi]
    float *s, *pc, *bias; // [bi, lds]
    float *tile_col_max, *tile_col_sum, *col_max_new, *col_rescale, *col_factor,
        *tmp_j; // [lds]

    void carve(Carver &c, const Plan &pl, bool with_outputs, bool pack_cv) {
        kt = c.take<float>(pl.jp * pl.dp);
        cv = with_outputs && pack_cv ? c.take<float>(pl.J * pl.dp) : nullptr;
        co = with_outputs ? c.take<float>(pl.J * pl.dp) : nullptr;
        co_tile = with_outputs ? c.take<float>(pl.lds * pl.dp) : nullptr;
        col_max = c.take<float>(pl.jp);
        col_sum = c.take<float>(pl.jp);
        col_ok = c.take<int32_t>(pl.jp);
        q = c.take<float>(pl.bi * pl.dp);
        v = c.take<float>(pl.bi * pl.dp);
        va = c.take<float>(pl.bi * pl.dp);
        o = c.take<float>(pl.bi * pl.dp);
        v_sum = c.take<float>(pl.dp);
        row_ok = c.take<uint8_t>(pl.bi);
        for (float **p : {&row_max, &row_sum, &row_max_new, &row_rescale, &row_factor,
                          &tile_row_max, &tile_row_sum, &tmp_i})
            *p = c.take<float>(pl.bi);
        s = c.take<float>(pl.bi * pl.lds);
        pc = c.take<float>(pl.bi * pl.lds);
        bias = c.take<float>(pl.bi * pl.lds);
        for (float **p :
             {&tile_col_max, &tile_col_sum, &col_max_new, &col_rescale, &col_factor, &tmp_j})
            *p = c.take<float>(pl.lds);
    }
};

// One tile (i0, ni) × (j0, nj) of (b, h) in the online walk.
// With direct_columns (the unit is the only i-block of (b, h)) the tile's columns are final
// after it: they go to context_out at once, without the [J, dp] accumulators.
void online_tile(const Shared &sh, Online &w, int64_t b, int64_t h, int64_t i0, int64_t ni,
                 int64_t j0, int64_t nj, const uint8_t *row_ok, const int32_t *col_ok,
                 bool with_outputs, bool direct_columns) {
    const Kernels &kn = sh.kn;
    const Plan &pl = sh.pl;
    const int64_t dp = pl.dp;

    // Scores and their maxima over this tile.
    int64_t bias_ld = 0;
    const float *bias = bias_tile(sh, b, h, i0, ni, j0, nj, w.bias, pl.lds, &bias_ld);
    kn.qk(QkTile{w.q, w.kt + (j0 / kPanel) * dp * kPanel, bias, bias_ld, row_ok,
                 col_ok != nullptr ? col_ok + j0 : nullptr, ni, nj, dp, w.s, pl.lds, w.tile_row_max,
                 w.tile_col_max});

    // New running maxima, and the factors that carry the old sums and accumulators over.
    float *col_max = w.col_max + j0; // [nj]
    float *col_sum = w.col_sum + j0; // [nj]
    for (int64_t r = 0; r < ni; ++r) w.row_max_new[r] = std::max(w.row_max[r], w.tile_row_max[r]);
    for (int64_t c = 0; c < nj; ++c) w.col_max_new[c] = std::max(col_max[c], w.tile_col_max[c]);
    rescale_factors(kn, w.row_max, w.row_max_new, ni, w.tmp_i, w.row_rescale);
    rescale_factors(kn, col_max, w.col_max_new, nj, w.tmp_j, w.col_rescale);

    // One exponential per element when the tile's range allows it (top of this file), with
    // columns masked so far set apart when there is no bias.
    const bool set_apart = !sh.has_bias;
    bool any_apart = false;
    float top = kNegInf, bottom = std::numeric_limits<float>::infinity();
    for (int64_t r = 0; r < ni; ++r) top = std::max(top, w.row_max_new[r]);
    for (int64_t c = 0; c < nj; ++c) {
        if (set_apart && w.col_max_new[c] == kFill)
            any_apart = true;
        else
            bottom = std::min(bottom, w.col_max_new[c]);
    }
    const bool factored = top - bottom <= kFactorRange; // false for NaN
    if (factored) {
        for (int64_t r = 0; r < ni; ++r) w.tmp_i[r] = w.row_max_new[r] - top;
        kn.exp(w.tmp_i, w.row_factor, ni);
        for (int64_t c = 0; c < nj; ++c) w.tmp_j[c] = top - w.col_max_new[c];
        kn.exp(w.tmp_j, w.col_factor, nj);
        if (any_apart)
            for (int64_t c = 0; c < nj; ++c)
                if (w.col_max_new[c] == kFill) w.col_factor[c] = 0.0f;
        if (with_outputs) kn.scale_rows(w.v, w.row_factor, ni, dp, w.va);
    }
    const bool apart = factored && any_apart; // columns set apart in this tile
    kn.softmax(SoftmaxTile{w.s, pl.lds, factored ? nullptr : w.pc, w.row_max_new, w.col_max_new,
                           factored ? w.row_factor : nullptr, nullptr, nullptr, ni, nj,
                           w.tile_row_sum, w.tile_col_sum});

    for (int64_t r = 0; r < ni; ++r) {
        w.row_sum[r] = w.row_sum[r] * w.row_rescale[r] + w.tile_row_sum[r];
        w.row_max[r] = w.row_max_new[r];
    }
    for (int64_t c = 0; c < nj; ++c) {
        float tile_sum = factored ? w.tile_col_sum[c] * w.col_factor[c] : w.tile_col_sum[c];
        if (apart && w.col_max_new[c] == kFill) tile_sum = (float)ni; // every row weighs 1
        col_sum[c] = col_sum[c] * w.col_rescale[c] + tile_sum;
        col_max[c] = w.col_max_new[c];
    }
    if (!with_outputs) return;

    // out rows: o = o · e^(old − new) + P · context_v
    kn.pv(PvTile{w.s, pl.lds, w.cv_rows + j0 * w.ldcv, w.ldcv, w.row_rescale, w.o, ni, nj, dp});
    // context_out rows: co = co · e^(old − new) + Pcᵀ · v   (Pc = P · row factor · col factor)
    kn.ptv(PtvTile{factored ? w.s : w.pc, pl.lds, factored ? w.va : w.v, w.col_rescale,
                   factored ? w.col_factor : nullptr, direct_columns ? w.co_tile : w.co + j0 * dp,
                   ni, nj, dp, direct_columns});
    if (apart) { // the set-apart columns: + Σ_r v[r] (their factor left 0 above)
        std::fill(w.v_sum, w.v_sum + dp, 0.0f);
        for (int64_t r = 0; r < ni; ++r)
            for (int64_t e = 0; e < dp; ++e) w.v_sum[e] += w.v[r * dp + e];
        float *co = direct_columns ? w.co_tile : w.co + j0 * dp; // [nj, dp]
        for (int64_t c = 0; c < nj; ++c)
            if (w.col_max_new[c] == kFill)
                for (int64_t e = 0; e < dp; ++e) co[c * dp + e] += w.v_sum[e];
    }
    if (direct_columns)
        for (int64_t c = 0; c < nj; ++c) {
            const float inv = 1.0f / col_sum[c];
            float *dst = sh.cout.row(b, h, j0 + c); // [d] with stride s3
            for (int64_t e = 0; e < pl.d; ++e) dst[e * sh.cout.s3] = w.co_tile[c * dp + e] * inv;
        }
}

// Rows [ia, ib) of (b, h) against the whole context. Leaves the column maxima, sums and (with
// outputs) unnormalised accumulators of these rows in w; writes out rows, or (statistics only)
// each row's final max and sum to row_stats_max/row_stats_sum [B, H, I].
void online_unit(const Shared &sh, Online &w, int64_t b, int64_t h, int64_t ia, int64_t ib,
                 bool with_outputs, bool direct_columns, float *row_stats_max,
                 float *row_stats_sum) {
    const Plan &pl = sh.pl;
    const int64_t dp = pl.dp;
    pack_panels(sh.kn, sh.cqk, b, h, 0, pl.J, pl.d, dp, w.kt);
    if (with_outputs) {
        if (cv_in_place(sh)) {
            w.cv_rows = sh.cv.row(b, h, 0);
            w.ldcv = sh.cv.s2;
        } else {
            pack_rows(sh.cv, b, h, 0, pl.J, pl.d, dp, w.cv);
            w.cv_rows = w.cv;
            w.ldcv = dp;
        }
        if (!direct_columns) std::memset(w.co, 0, (size_t)(pl.J * dp) * sizeof(float));
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
                        with_outputs, direct_columns);

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
            top =
                std::max(top, partial_of(partials, pl, pair * sp.chunks + k, with_outputs).max[c]);
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

} // namespace

// The online walk over every (b, h): outputs, or (statistics only) the final row and column
// maxima and sums [B, H, I] / [B, H, J].
void online_all(const Shared &sh, bool with_outputs, float *row_stats_max, float *row_stats_sum,
                float *col_stats_max, float *col_stats_sum) {
    const Plan &pl = sh.pl;
    const Split sp = split_rows(pl);
    const int threads = useful_threads(pl, sp.units);

    Carver measure(nullptr);
    Online probe;
    probe.carve(measure, pl, with_outputs, !cv_in_place(sh));
    measure.take<float>(pl.dp); // merge accumulator
    const size_t per_thread = (measure.used() + 63) / 64 * 64;
    const int64_t partial_floats =
        sp.chunks > 1 ? sp.units * pl.J * (2 + (with_outputs ? pl.dp : 0)) : 0;
    Scratch block(per_thread * threads + (size_t)partial_floats * sizeof(float));
    float *partials = reinterpret_cast<float *>(block.get() + per_thread * threads);
    std::vector<Online> scratch((size_t)threads);
    std::vector<float *> accs((size_t)threads);
    for (int t = 0; t < threads; ++t) {
        Carver carver(block.get() + per_thread * t);
        scratch[t].carve(carver, pl, with_outputs, !cv_in_place(sh));
        accs[t] = carver.take<float>(pl.dp);
    }

    share_units(sp.units, threads, [&](int64_t u, int worker) {
        FlushDenormals flush;
        Online &w = scratch[(size_t)worker];
        const int64_t pair = u / sp.chunks, k = u % sp.chunks;
        const int64_t b = pair / pl.H, h = pair % pl.H;
        int64_t ia, ib;
        unit_rows(pl, sp, k, &ia, &ib);
        // One unit holding every row in one block: columns are written tile by tile.
        const bool direct_columns = with_outputs && sp.chunks == 1 && pl.I <= pl.bi;
        online_unit(sh, w, b, h, ia, ib, with_outputs, direct_columns, row_stats_max, row_stats_sum);
        if (sp.chunks == 1) {
            if (with_outputs) {
                if (!direct_columns) write_columns(sh, w, b, h);
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
    });
    if (sp.chunks > 1) {
        // Merge by (pair, column block): independent pieces of equal size.
        const int64_t col_blocks = (pl.J + pl.bj - 1) / pl.bj;
        share_units(pl.B * pl.H * col_blocks, threads, [&](int64_t m, int worker) {
            FlushDenormals flush;
            const int64_t pair = m / col_blocks, c0 = (m % col_blocks) * pl.bj;
            merge_columns(sh, partials, sp, pair, c0, std::min(pl.J, c0 + pl.bj), with_outputs,
                          col_stats_max, col_stats_sum, accs[(size_t)worker]);
        });
    }
}

} // namespace bca
} // namespace attn4j
