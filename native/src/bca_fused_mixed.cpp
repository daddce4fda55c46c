// The talking-heads schedule of attn4j_bca_fused: two passes. Why: a mixed head g needs the
// *normalised* probabilities of every head h at the same (i, j), so each head's final softmax
// statistics must be known before anything is mixed. Pass 1 is the online walk for statistics
// only (one product per tile); pass 2 visits each tile once for all heads: S per head,
// normalised P and Pc, mixing over heads, then the two products per mixed head. Four products
// per tile instead of three, plus the mixing (2·h² per element).
//
// Pass 2 is split over i-blocks (and over j too when there are few i-blocks). Every unit adds
// to all of context_out, so the units are dealt into a fixed number of shares (contiguous runs
// of units, one [h, j, dp] accumulator each), summed share by share in index order at the end
// of each batch element: scratch O(shares · h · (i + j) · d) on this path, the price of mixing
// heads without holding [h, i, j]. Why shares and not threads: which thread runs which unit
// changes from call to call, and a float sum depends on its grouping; a share's units and the
// order of the final sum depend on the shape and the context's thread count only, so the
// results are bit-identical whatever the schedule, the threads that join a loop, or how many
// callers run at once.
#include "bca_fused_support.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace attn4j {
namespace bca {
namespace {

// Scratch of one share of pass 2 (all heads of one tile at once).
struct Mixed {
    float *q, *v;             // [H, bi, dp]
    float *o;                 // [H, bi, dp]
    float *p, *pc;            // [H, bi, lds] normalised probabilities per head
    float *mp, *mpc;          // [H, bi, lds] the same, mixed over heads
    float *bias;              // [bi, lds]
    float *row_max, *col_max; // [bi], [lds]
    float *co;                // [H, J, dp] this share of context_out (one batch element)
    float *o_all;             // [H, I, dp] this share of out, when j is split; else NULL
    int32_t *col_ok;          // [jp]
    uint8_t *row_ok;          // [bi]

    void carve(Carver &c, const Plan &pl, bool split_j) {
        const int64_t H = pl.H, dp = pl.dp;
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

// The context side of one batch element, packed once for every head and shared read-only by
// the threads of pass 2 (every i-block reads all of it).
struct ContextSide {
    float *kt; // [H, jp/16, dp, 16]
    float *cv; // [H, J, dp], or NULL when the caller's rows are read in place
    int64_t jp, J, dp;

    const float *panels(int64_t h, int64_t j0) const { return kt + (h * jp + j0) * dp; }
};

// Packs head h's columns [j0, j0 + nj) of batch element b into `side`.
void pack_context(const Shared &sh, const ContextSide &side, int64_t b, int64_t h, int64_t j0,
                  int64_t nj) {
    const Plan &pl = sh.pl;
    pack_panels(sh.kn, sh.cqk, b, h, j0, nj, pl.d, pl.dp, side.kt + (h * side.jp + j0) * pl.dp);
    if (side.cv != nullptr)
        pack_rows(sh.cv, b, h, j0, nj, pl.d, pl.dp, side.cv + (h * pl.J + j0) * pl.dp);
}

// Final statistics from pass 1, stored as (max, 1/sum) per row and column.
struct Stats {
    float *row_max, *row_inv; // [B, H, I]
    float *col_max, *col_inv; // [B, H, J]
};

// Rows [i0, i0 + ni) × columns [ja, jb) of batch element b, every head: accumulates into w.o
// (out rows of this block) and w.co (this thread's context_out share).
void mixed_unit(const Shared &sh, Mixed &w, const ContextSide &side, const Stats &st,
                const float *wt, const float *wct, int64_t b, int64_t i0, int64_t ni, int64_t ja,
                int64_t jb, const int32_t *col_ok) {
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
            int64_t bias_ld = 0;
            const float *bias = bias_tile(sh, b, h, i0, ni, j0, nj, w.bias, pl.lds, &bias_ld);
            kn.qk(QkTile{w.q + h * pl.bi * dp, side.panels(h, j0), bias, bias_ld, row_ok,
                         col_ok != nullptr ? col_ok + j0 : nullptr, ni, nj, dp, w.p + h * tile,
                         pl.lds, w.row_max, w.col_max});
            // Normalised probabilities of both softmaxes with the final statistics.
            const int64_t rows = (b * H + h) * pl.I + i0, cols = (b * H + h) * pl.J + j0;
            kn.softmax(SoftmaxTile{w.p + h * tile, pl.lds, w.pc + h * tile, st.row_max + rows,
                                   st.col_max + cols, nullptr, st.row_inv + rows, st.col_inv + cols,
                                   ni, nj, nullptr, nullptr});
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
            const float *cv =
                side.cv != nullptr ? side.cv + (g * pl.J + j0) * dp : sh.cv.row(b, g, j0);
            const int64_t ldcv = side.cv != nullptr ? dp : sh.cv.s2;
            kn.pv(
                PvTile{p + g * tile, pl.lds, cv, ldcv, nullptr, w.o + g * pl.bi * dp, ni, nj, dp});
            kn.ptv(PtvTile{pc + g * tile, pl.lds, w.v + g * pl.bi * dp, nullptr, nullptr,
                           w.co + (g * pl.J + j0) * dp, ni, nj, dp, false});
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

} // namespace

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
        Shared pass1{sh.pb,       sh.kn,   online_plan, sh.qk,       sh.v,
                     sh.cqk,      sh.cv,   sh.out,      sh.cout,     sh.bias,
                     sh.has_bias, sh.mask, sh.cmask,    sh.has_mask, sh.has_cmask};
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
    const int threads = useful_threads(pl, units);
    const int shares = threads; // share s runs units [s·units/shares, (s+1)·units/shares)

    Carver measure(nullptr);
    Mixed probe;
    probe.carve(measure, pl, split_j);
    const size_t per_thread = (measure.used() + 63) / 64 * 64;
    // The shared context side: context_v is read in place when its rows look packed.
    const bool cv_shared = !cv_in_place(sh);
    const size_t side_floats = (size_t)(H * pl.jp * dp + (cv_shared ? H * J * dp : 0));
    Scratch block(per_thread * shares + side_floats * sizeof(float));
    float *side_base = reinterpret_cast<float *>(block.get() + per_thread * shares);
    const ContextSide side{side_base, cv_shared ? side_base + H * pl.jp * dp : nullptr, pl.jp, J,
                           dp};
    std::vector<Mixed> scratch((size_t)shares);
    for (int s = 0; s < shares; ++s) {
        Carver carver(block.get() + per_thread * s);
        scratch[s].carve(carver, pl, split_j);
    }

    for (int64_t b = 0; b < B; ++b) {
        share_units(H * j_blocks, threads, [&](int64_t m, int) {
            FlushDenormals flush;
            const int64_t j0 = (m % j_blocks) * pl.bj;
            pack_context(sh, side, b, m / j_blocks, j0, std::min(pl.bj, J - j0));
        }); // the context side is complete

        share_units(shares, threads, [&](int64_t s, int) {
            FlushDenormals flush;
            Mixed &w = scratch[(size_t)s];
            std::memset(w.co, 0, (size_t)(H * J * dp) * sizeof(float));
            if (split_j) std::memset(w.o_all, 0, (size_t)(H * I * dp) * sizeof(float));
            const int32_t *col_ok = pack_col_ok(sh, b, w.col_ok);
            for (int64_t u = s * units / shares; u < (s + 1) * units / shares; ++u) {
                const int64_t ib = u / j_chunks, jc = u % j_chunks;
                const int64_t i0 = ib * pl.bi, ni = std::min(pl.bi, I - i0);
                const int64_t ja = std::min(J, (jc * j_blocks / j_chunks) * pl.bj);
                const int64_t jb = std::min(J, ((jc + 1) * j_blocks / j_chunks) * pl.bj);
                mixed_unit(sh, w, side, st, wt.empty() ? nullptr : wt.data(),
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
            }
        }); // every share is complete

        // Sum the shares into the outputs in share order, split by (head, block of rows).
        const int64_t jr = (J + pl.bj - 1) / pl.bj, ir = split_j ? (I + pl.bi - 1) / pl.bi : 0;
        share_units(H * (jr + ir), threads, [&](int64_t m, int) {
            FlushDenormals flush;
            const int64_t g = m / (jr + ir), k = m % (jr + ir);
            const bool ctx_side = k < jr;
            const int64_t n = ctx_side ? J : I, blk = ctx_side ? pl.bj : pl.bi;
            const int64_t r0 = (ctx_side ? k : k - jr) * blk, r1 = std::min(n, r0 + blk);
            for (int64_t r = r0; r < r1; ++r) {
                float *dst = ctx_side ? sh.cout.row(b, g, r) : sh.out.row(b, g, r);
                const int64_t s3 = ctx_side ? sh.cout.s3 : sh.out.s3;
                for (int64_t e = 0; e < pl.d; ++e) {
                    float sum = 0.0f;
                    for (int s = 0; s < shares; ++s)
                        sum += ctx_side ? scratch[s].co[(g * J + r) * dp + e]
                                        : scratch[s].o_all[(g * I + r) * dp + e];
                    dst[e * s3] = sum;
                }
            }
        }); // before the next batch element clears the shares
    }
}

} // namespace bca
} // namespace attn4j
