// attn4j_sdpa_fused: scaled dot-product attention without the [i, j] matrix. Each unit of work
// (one head, a run of query blocks) packs the key tiles it needs into tile layouts on its own
// thread, when it first needs them, then streams each block of queries over the visible tiles
// through an online softmax (running max m and sum l per query) into its output. Why packing in
// the unit rather than in a pass of its own before: the packed tiles stay in the thread's cache
// for the blocks that follow, and a small head (MiniLM: 128 keys of 32) no longer goes to memory
// and back between two passes (the separate pass was a fifth of the call there).
#include "attention_visibility.h"
#include "common.h"
#include "parallel.h"
#include "scratch.h"
#include "sdpa_kernels.h"
#include "unit_team.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <vector>

namespace attn4j {
namespace {

using sdpa::kCols;
using sdpa::kTileKeys;
using sdpa::kBandBlockQueries;
using sdpa::kBlockQueries;
using sdpa::round_up;

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// a · b · c · d floats as a size_t, throwing std::bad_alloc when the product overflows (a
// sizes argument that no allocation could satisfy).
size_t floats(int64_t a, int64_t b, int64_t c = 1, int64_t d = 1) {
    int64_t n;
    if (__builtin_mul_overflow(a, b, &n) || __builtin_mul_overflow(n, c, &n) ||
        __builtin_mul_overflow(n, d, &n) || __builtin_mul_overflow(n, (int64_t)sizeof(float), &n))
        throw std::bad_alloc();
    return (size_t)(n / (int64_t)sizeof(float));
}

struct Problem {
    int64_t b, h, i, j, d, dv;
    int64_t dvp;   // dv rounded up to kCols: the row width of packed V and of the accumulators
    int64_t tiles; // key tiles per head
    int64_t block; // queries per block: kBlockQueries, or kBandBlockQueries with a band
    const float *q, *k, *v;
    float *out;
    int64_t qs[4], ks[4], vs[4], os[4];
    float scale;
    family::Visibility vis;
    // Keys each batch sees, [b], when its key padding mask is a run of trues then falses (how
    // tokenizers pad), taken out of vis so that such a call runs the window path; NULL otherwise.
    const int64_t *key_len = nullptr;
};

// The length of each batch's run of visible keys into len [b] when every row of the key padding
// mask is trues then falses; false when a row is not.
bool prefix_lengths(const family::Visibility &vis, int64_t b, int64_t j, std::vector<int64_t> &len) {
    len.assign((size_t)b, 0);
    for (int64_t bb = 0; bb < b; ++bb) {
        const uint8_t *row = vis.kpm + bb * vis.kpm_strides[0];
        int64_t n = 0;
        while (n < j && row[n * vis.kpm_strides[1]] != 0) ++n;
        for (int64_t m = n; m < j; ++m)
            if (row[m * vis.kpm_strides[1]] != 0) return false;
        len[(size_t)bb] = n;
    }
    return true;
}

// out[c · ldo + r] = src[r · rs + c · cs] for r < n ≤ kCols and c < d, 0 for r in [n, kCols):
// n rows of a head transposed into columns of a panel (register blocks when the rows are
// contiguous, transpose.h).
void transpose_rows(const sdpa::Kernels &kern, const float *src, int64_t rs, int64_t cs, int64_t n,
                    int64_t d, float *out, int64_t ldo) {
    if (cs != 1) {
        for (int64_t c = 0; c < d; ++c)
            for (int64_t r = 0; r < kCols; ++r) out[c * ldo + r] = r < n ? src[r * rs + c * cs] : 0.0f;
        return;
    }
    const float *rows[kCols];
    for (int64_t r = 0; r < kCols; ++r) rows[r] = src + std::min(r, n - 1) * rs; // repeats the last
    kern.pack_panel(rows, d, d, out, ldo);
    if (n < kCols)
        for (int64_t c = 0; c < d; ++c) std::fill(out + c * ldo + n, out + c * ldo + kCols, 0.0f);
}

// Kᵀ tile t of head bh → kt [d, kTileKeys] (zero past the last key); the tile's V rows →
// vp [nj, dvp] (zero past dv). V is packed even where its rows could be read in place: rows
// h·d floats apart (2 KiB for 8 heads of 64) fall on few L1 sets, and the product's 64 rows
// would evict each other.
void pack_tile(const Problem &p, const sdpa::Kernels &kern, int64_t bh, int64_t t, float *kt,
               float *vp) {
    const int64_t bb = bh / p.h, hh = bh % p.h;
    const int64_t j0 = t * kTileKeys;
    const int64_t nj = std::min(kTileKeys, p.j - j0);
    const float *kb = p.k + bb * p.ks[0] + hh * p.ks[1];
    const float *vb = p.v + bb * p.vs[0] + hh * p.vs[1];
    for (int64_t n0 = 0; n0 < kTileKeys; n0 += kCols) {
        if (n0 < nj) {
            transpose_rows(kern, kb + (j0 + n0) * p.ks[2], p.ks[2], p.ks[3], std::min(kCols, nj - n0),
                           p.d, kt + n0, kTileKeys);
        } else {
            for (int64_t c = 0; c < p.d; ++c) std::fill(kt + c * kTileKeys + n0, kt + c * kTileKeys + kTileKeys, 0.0f);
            break;
        }
    }
    for (int64_t n = 0; n < nj; ++n) {
        float *row = vp + n * p.dvp;
        const float *src = vb + (j0 + n) * p.vs[2];
        if (p.vs[3] == 1)
            std::memcpy(row, src, sizeof(float) * (size_t)p.dv);
        else
            for (int64_t c = 0; c < p.dv; ++c) row[c] = src[c * p.vs[3]];
        std::fill(row + p.dv, row + p.dvp, 0.0f);
    }
}

// Per-thread scratch of one task, carved from one allocation made before the loop (a body of
// share_units must not throw).
// The window path (run_window_task) holds qs and o transposed by groups of kCols queries
// ([groups, d, kCols] and [groups, dvp, kCols], the same sizes) and one group's weights in s.
struct TaskScratch {
    float *qs; // [block, d]    scaled queries
    float *s;  // [block, kTileKeys] scores, then probabilities
    float *o;  // [block, dvp]  unnormalised output accumulators
    float *m;  // [block]       running max
    float *l;  // [block]       running sum
    int32_t *lo, *hi; // [block]  visible columns of a cut tile (int32 in float slots)
    float *kt;        // [tiles, d, kTileKeys] packed Kᵀ tiles of the unit's head
    float *vp;        // [tiles · kTileKeys, dvp] packed V rows of the unit's head
    int32_t *packed;  // [tiles] 1 where kt and vp hold tile t of the head `head`
    int64_t head = -1;

    // Floats of one thread's scratch; throws std::bad_alloc past any allocation.
    static size_t floats(const Problem &p) {
        const size_t a = attn4j::floats(p.block, p.d + kTileKeys + p.dvp + 4);
        const size_t b = attn4j::floats(p.tiles, kTileKeys, p.d + p.dvp + 1);
        if (a + b < a) throw std::bad_alloc();
        return a + b;
    }
    TaskScratch(float *base, const Problem &p)
        : qs(base), s(qs + p.block * p.d), o(s + p.block * kTileKeys), m(o + p.block * p.dvp),
          l(m + p.block), lo(reinterpret_cast<int32_t *>(l + p.block)), hi(lo + p.block),
          kt(reinterpret_cast<float *>(hi + p.block)), vp(kt + p.tiles * p.d * kTileKeys),
          packed(reinterpret_cast<int32_t *>(vp + p.tiles * kTileKeys * p.dvp)) {}

    // Tile t of head bh packed into kt and vp (on first use within the head).
    void need(const Problem &p, const sdpa::Kernels &kern, int64_t bh, int64_t t) {
        if (head != bh) {
            std::fill(packed, packed + p.tiles, 0);
            head = bh;
        }
        if (packed[t]) return;
        pack_tile(p, kern, bh, t, kt_of(p, t), vp_of(p, t));
        packed[t] = 1;
    }
    float *kt_of(const Problem &p, int64_t t) const { return kt + t * p.d * kTileKeys; }
    float *vp_of(const Problem &p, int64_t t) const { return vp + t * kTileKeys * p.dvp; }
};

// inv[r] = 1 / l of the block's query r0 + r for r < n; NaN for a query that saw no key
// (PyTorch's softmax of an all −∞ row).
void inverse_sums(const TaskScratch &w, int64_t r0, int64_t n, float *inv) {
    for (int64_t r = 0; r < n; ++r)
        inv[r] = w.m[r0 + r] == kNegInf ? std::numeric_limits<float>::quiet_NaN() : 1.0f / w.l[r0 + r];
}

// True when key tile t may hold a key visible to a query of [i0, i1) in batch bb.
bool tile_needed(const Problem &p, const uint8_t *tile_global, bool block_global, int64_t i0,
                 int64_t i1, int64_t t) {
    const family::Visibility &vis = p.vis;
    if (!vis.windowed() || block_global) return true;
    const int64_t j0 = t * kTileKeys, j1 = std::min(p.j, j0 + kTileKeys);
    // Keys of the window of [i0, i1): [i0 − left, i1 − 1 + right].
    const bool below = vis.left >= 0 && j1 - 1 < i0 - vis.left;
    const bool above = vis.right >= 0 && j0 > i1 - 1 + vis.right;
    if (!below && !above) return true;
    return tile_global != nullptr && tile_global[t] != 0;
}

static_assert(kBlockQueries % kCols == 0 && kBandBlockQueries % kCols == 0,
              "a query block is whole groups of the step kernel");

// One task without bias, masks or global tokens (or with a key padding mask that is a prefix,
// Problem::key_len): each query sees one range of keys (its window, or all, cut at the batch's
// key_len), and every tile is one call of the step kernel (sdpa_kernels.h), with the range
// [lo, hi) of each query where the window or the padding cuts the tile. Tiles past key_len are
// still stepped through, their keys masked, as the generic path does: a NaN or infinity in v
// reaches the output through its zero weights there too.
void run_window_task(const Problem &p, const sdpa::Kernels &kern, int64_t task, TaskScratch &w) {
    const int64_t blocks = (p.i + p.block - 1) / p.block;
    const int64_t bh = task / blocks, block = task % blocks;
    const int64_t bb = bh / p.h, hh = bh % p.h;
    const int64_t i0 = block * p.block;
    const int64_t ni = std::min(p.block, p.i - i0);
    const int64_t groups = (ni + kCols - 1) / kCols, nq = groups * kCols;
    const family::Visibility &vis = p.vis;
    const int64_t key_len = p.key_len != nullptr ? p.key_len[bb] : p.j;

    // Scaled queries, transposed by groups: qt [groups, d, kCols], zero past ni.
    const float *qb = p.q + bb * p.qs[0] + (hh * p.qs[1] + i0 * p.qs[2]);
    float *qt = w.qs;
    for (int64_t g = 0; g < groups; ++g) {
        float *group = qt + g * p.d * kCols;
        transpose_rows(kern, qb + g * kCols * p.qs[2], p.qs[2], p.qs[3], std::min(kCols, ni - g * kCols),
                       p.d, group, kCols);
        kern.scale(group, p.d * kCols, p.scale);
    }
    std::fill(w.m, w.m + nq, kNegInf);
    std::fill(w.l, w.l + nq, 0.0f);
    std::memset(w.o, 0, sizeof(float) * (size_t)(nq * p.dvp));

    for (int64_t t = 0; t < p.tiles; ++t) {
        if (!tile_needed(p, nullptr, false, i0, i0 + ni, t)) continue;
        const int64_t j0 = t * kTileKeys;
        const int64_t nj = std::min(kTileKeys, p.j - j0);
        const bool all_visible = vis.block_all_visible(i0, i0 + ni, j0, j0 + nj) && j0 + nj <= key_len;
        if (!all_visible)
            for (int64_t r = 0; r < nq; ++r) {
                // Keys [qi − left, qi + right] of the window below key_len, as keys of this
                // tile; none for the padding queries past ni.
                const int64_t qi = i0 + r;
                const int64_t lo = vis.left >= 0 ? qi - vis.left - j0 : 0;
                const int64_t hi = r >= ni ? 0
                                   : std::min(vis.right >= 0 ? qi + vis.right + 1 - j0 : nj, key_len - j0);
                w.lo[r] = (int32_t)std::min(std::max(lo, (int64_t)0), nj);
                w.hi[r] = (int32_t)std::min(std::max(hi, (int64_t)0), nj);
            }
        w.need(p, kern, bh, t);
        kern.step(sdpa::Step{qt, w.kt_of(p, t), w.vp_of(p, t), groups, nj, p.d, p.dvp,
                             all_visible ? nullptr : w.lo, all_visible ? nullptr : w.hi, w.s, w.o,
                             w.m, w.l});
    }

    // Each group's Oᵀ [dvp, kCols] divided by the sums, then transposed back into query rows:
    // whole panels of 16 output columns through the register transpose, the rest one by one.
    float *ob = p.out + bb * p.os[0] + hh * p.os[1] + i0 * p.os[2];
    const int64_t panels = p.os[3] == 1 ? p.dv / kCols : 0;
    for (int64_t g = 0; g < groups; ++g) {
        float *ot = w.o + g * p.dvp * kCols;
        float inv[kCols];
        inverse_sums(w, g * kCols, kCols, inv);
        for (int64_t c = 0; c < p.dv; ++c)
            for (int64_t r = 0; r < kCols; ++r) ot[c * kCols + r] *= inv[r];
        const int64_t rows = std::min(kCols, ni - g * kCols);
        float *dst = ob + g * kCols * p.os[2];
        for (int64_t c0 = 0; c0 < panels * kCols; c0 += kCols) {
            const float *cols[kCols];
            for (int64_t k = 0; k < kCols; ++k) cols[k] = ot + (c0 + k) * kCols;
            kern.pack_panel(cols, rows, rows, dst + c0, p.os[2]);
        }
        for (int64_t r = 0; r < rows; ++r)
            for (int64_t c = panels * kCols; c < p.dv; ++c)
                dst[r * p.os[2] + c * p.os[3]] = ot[c * kCols + r];
    }
}

void run_task(const Problem &p, const sdpa::Kernels &kern, const uint8_t *tile_global_all,
              int64_t task, TaskScratch &w) {
    const family::Visibility &vis = p.vis;
    if (vis.bias == nullptr && vis.mask == nullptr && vis.kpm == nullptr && vis.global == nullptr)
        return run_window_task(p, kern, task, w);
    const int64_t blocks = (p.i + p.block - 1) / p.block;
    const int64_t bh = task / blocks, block = task % blocks;
    const int64_t bb = bh / p.h, hh = bh % p.h;
    const int64_t i0 = block * p.block;
    const int64_t ni = std::min(p.block, p.i - i0);
    const uint8_t *tile_global = tile_global_all ? tile_global_all + bb * p.tiles : nullptr;

    // Scaled queries [ni, d]: scaling q instead of the scores saves i·j multiplications.
    const float *qb = p.q + bb * p.qs[0] + hh * p.qs[1];
    bool block_global = false;
    for (int64_t r = 0; r < ni; ++r) {
        const float *src = qb + (i0 + r) * p.qs[2];
        for (int64_t c = 0; c < p.d; ++c) w.qs[r * p.d + c] = p.scale * src[c * p.qs[3]];
        block_global = block_global || vis.is_global(bb, i0 + r);
        w.m[r] = kNegInf;
        w.l[r] = 0.0f;
    }
    std::memset(w.o, 0, sizeof(float) * (size_t)(ni * p.dvp));

    for (int64_t t = 0; t < p.tiles; ++t) {
        if (!tile_needed(p, tile_global, block_global, i0, i0 + ni, t)) continue;
        const int64_t j0 = t * kTileKeys;
        const int64_t nj = std::min(kTileKeys, p.j - j0);
        w.need(p, kern, bh, t);
        const float *kt = w.kt_of(p, t);
        const float *vp = w.vp_of(p, t);
        // S [ni, nj] = (scale·q) · kᵀ
        kern.gemm(w.qs, p.d, kt, kTileKeys, w.s, kTileKeys, ni, p.d, round_up(nj, kCols), 0);
        const bool all_visible = vis.block_all_visible(i0, i0 + ni, j0, j0 + nj);
        for (int64_t r = 0; r < ni; ++r) {
            float *sr = w.s + r * kTileKeys;
            const int64_t qi = i0 + r;
            if (vis.bias != nullptr) {
                const float *br = vis.bias + bb * vis.bias_strides[0] + hh * vis.bias_strides[1] +
                                  qi * vis.bias_strides[2] + j0 * vis.bias_strides[3];
                for (int64_t c = 0; c < nj; ++c) sr[c] += br[c * vis.bias_strides[3]];
            }
            if (!all_visible) {
                for (int64_t c = 0; c < nj; ++c)
                    if (!vis.visible(bb, hh, qi, j0 + c)) sr[c] = kNegInf;
            }
            // Online softmax: rescale what came before to the new running max. A NaN tile
            // maximum must win (std::max(m, NaN) keeps m, and on the first tile m = −∞ would
            // drop the tile as unseen): then alpha, l and o turn NaN, the row's PyTorch value.
            // A NaN the tile's max missed still reaches l and o through exp_sum.
            const float tile_max = kern.max(sr, nj);
            const float m_new = tile_max > w.m[r] || tile_max != tile_max ? tile_max : w.m[r];
            if (m_new == kNegInf) {
                // Nothing visible yet: this tile adds nothing (its probabilities are 0).
                std::memset(sr, 0, sizeof(float) * (size_t)nj);
                continue;
            }
            const float alpha = std::exp(w.m[r] - m_new); // 0 on the first visible tile
            w.l[r] = w.l[r] * alpha + kern.exp_sum(sr, nj, m_new);
            if (alpha != 1.0f) kern.scale(w.o + r * p.dvp, p.dvp, alpha);
            w.m[r] = m_new;
        }
        // O [ni, dvp] += P [ni, nj] · V [nj, dvp]
        kern.gemm(w.s, kTileKeys, vp, p.dvp, w.o, p.dvp, ni, nj, p.dvp, 1);
    }

    float *ob = p.out + bb * p.os[0] + hh * p.os[1];
    float inv[kBlockQueries];
    inverse_sums(w, 0, ni, inv);
    for (int64_t r = 0; r < ni; ++r) {
        float *dst = ob + (i0 + r) * p.os[2];
        for (int64_t c = 0; c < p.dv; ++c) dst[c * p.os[3]] = w.o[r * p.dvp + c] * inv[r];
    }
}

attn4j_status sdpa_fused(attn4j_context *ctx, const attn4j_tensor *q, const attn4j_tensor *k,
                         const attn4j_tensor *v, const attn4j_tensor *bias,
                         const attn4j_tensor *mask, const attn4j_tensor *key_padding_mask,
                         const attn4j_tensor *global_tokens, int64_t window_left,
                         int64_t window_right, float scale, attn4j_tensor *out) {
    int32_t threads = 0;
    attn4j_status st;
    if ((st = check_context(ctx, &threads))) return st;
    if ((st = check_tensors({{q, "q"}, {k, "k"}, {v, "v"}, {out, "out"}}, ATTN4J_DTYPE_F32, 4, 4)))
        return st;
    if (!std::isfinite(scale))
        return fail(ATTN4J_ERR_INVALID_ARG, "scale: expected a finite value, got %g", (double)scale);
    Problem p{};
    p.b = q->shape[0], p.h = q->shape[1], p.i = q->shape[2], p.d = q->shape[3];
    p.j = k->shape[2], p.dv = v->shape[3];
    if (k->shape[0] != p.b || k->shape[1] != p.h || k->shape[3] != p.d)
        return fail(ATTN4J_ERR_SHAPE_MISMATCH, "k: expected shape [%lld, %lld, j, %lld] (as q %s), got %s",
                    (long long)p.b, (long long)p.h, (long long)p.d, shape_string(*q).c_str(),
                    shape_string(*k).c_str());
    if (v->shape[0] != p.b || v->shape[1] != p.h || v->shape[2] != p.j)
        return fail(ATTN4J_ERR_SHAPE_MISMATCH, "v: expected shape [%lld, %lld, %lld, dv] (as k %s), got %s",
                    (long long)p.b, (long long)p.h, (long long)p.j, shape_string(*k).c_str(),
                    shape_string(*v).c_str());
    if (out->shape[0] != p.b || out->shape[1] != p.h || out->shape[2] != p.i || out->shape[3] != p.dv)
        return fail(ATTN4J_ERR_SHAPE_MISMATCH, "out: expected shape [%lld, %lld, %lld, %lld], got %s",
                    (long long)p.b, (long long)p.h, (long long)p.i, (long long)p.dv,
                    shape_string(*out).c_str());
    if ((st = family::make_visibility(p.b, p.h, p.i, p.j, bias, mask, key_padding_mask,
                                      global_tokens, window_left, window_right, &p.vis)))
        return st;
    if (p.b * p.h * p.i * p.dv == 0) return ATTN4J_OK; // no output element
    // A key padding mask that pads each batch at its end (all a BERT batch has) takes the window
    // path: MiniLM's core at [32, 12, 128, 32] with an all-true mask took 9.2 ms on the generic
    // path (scores masked one by one, three passes per tile) against 4.6 without the mask.
    std::vector<int64_t> key_len;
    if (p.vis.kpm != nullptr && p.vis.bias == nullptr && p.vis.mask == nullptr &&
        p.vis.global == nullptr && prefix_lengths(p.vis, p.b, p.j, key_len)) {
        p.key_len = key_len.data();
        p.vis.kpm = nullptr;
    }

    p.dvp = round_up(p.dv, kCols);
    p.tiles = (p.j + kTileKeys - 1) / kTileKeys;
    p.block = p.vis.left >= 0 && p.vis.right >= 0 ? kBandBlockQueries : kBlockQueries;
    p.q = static_cast<const float *>(q->data);
    p.k = static_cast<const float *>(k->data);
    p.v = static_cast<const float *>(v->data);
    p.out = static_cast<float *>(out->data);
    std::memcpy(p.qs, q->strides, sizeof p.qs);
    std::memcpy(p.ks, k->strides, sizeof p.ks);
    std::memcpy(p.vs, v->strides, sizeof p.vs);
    std::memcpy(p.os, out->strides, sizeof p.os);
    p.scale = scale;
    const sdpa::Kernels &kern = sdpa::select_kernels();

    // Allocations (all before the loop). floats() and Scratch throw std::bad_alloc,
    // which guarded() turns into ATTN4J_ERR_OUT_OF_MEMORY.
    const int64_t bh_count = p.b * p.h;
    const int64_t blocks = (p.i + p.block - 1) / p.block;
    const int64_t tasks = bh_count * blocks;
    const double flops = 4.0 * (double)bh_count * p.i * p.j * (p.d + p.dv);
    const int nthreads = threads_for_flops(flops, tasks, threads);
    const size_t per_thread = (TaskScratch::floats(p) + 15) / 16 * 16; // 64-byte aligned blocks
    Scratch block(floats((int64_t)per_thread, nthreads) * sizeof(float));
    float *scratch = reinterpret_cast<float *>(block.get());
    std::vector<uint8_t> tile_global;
    if (p.vis.global != nullptr) {
        tile_global.assign((size_t)(p.b * p.tiles), 0);
        for (int64_t bb = 0; bb < p.b; ++bb)
            for (int64_t n = 0; n < p.j; ++n)
                if (p.vis.is_global(bb, n)) tile_global[(size_t)(bb * p.tiles + n / kTileKeys)] = 1;
    }

    // Units: the query blocks of a head in `runs` runs. Why split heads: with fewer than about
    // eight units per thread, whole heads balance poorly when one thread gets less of the CPU;
    // each further run of a head packs again the tiles it needs. The last runs go first: with a
    // causal mask they are the dearest (their queries see the most keys), and the cheap ones
    // then even out the threads at the end.
    const int64_t runs =
        nthreads <= 1 ? 1 : std::min(blocks, (8 * (int64_t)nthreads + bh_count - 1) / bh_count);
    // Unit by unit to whichever thread is free (with a window or a causal mask the units differ
    // in cost), on the threads of the products around it (unit_team.h).
    const int64_t units = bh_count * runs;
    share_units(units, nthreads, [&](int64_t u, int worker) {
        TaskScratch w(scratch + worker * per_thread, p);
        const int64_t run = runs - 1 - u / bh_count, bh = u % bh_count;
        for (int64_t block = run * blocks / runs; block < (run + 1) * blocks / runs; ++block)
            run_task(p, kern, tile_global.empty() ? nullptr : tile_global.data(), bh * blocks + block, w);
    });
    return ATTN4J_OK;
}

} // namespace
} // namespace attn4j

extern "C" ATTN4J_API attn4j_status attn4j_sdpa_fused(
    attn4j_context *ctx, const attn4j_tensor *q, const attn4j_tensor *k, const attn4j_tensor *v,
    const attn4j_tensor *bias, const attn4j_tensor *mask, const attn4j_tensor *key_padding_mask,
    const attn4j_tensor *global_tokens, int64_t window_left, int64_t window_right, float scale,
    attn4j_tensor *out) {
    return attn4j::guarded([&] {
        return attn4j::sdpa_fused(ctx, q, k, v, bias, mask, key_padding_mask, global_tokens,
                                  window_left, window_right, scale, out);
    });
}
