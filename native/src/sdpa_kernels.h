// The tile kernels of the fused scaled dot-product attention (attn4j_sdpa_fused and
// attn4j_sdpa_softmax): one table per ISA, written once in sdpa_tiles.h over the vector-math
// layer, chosen at run time (isa.h).
#pragma once

#include <cstdint>

namespace attn4j {
namespace sdpa {

// Keys per tile; packed Kᵀ tiles are [d, kTileKeys], zero padded past the last key.
constexpr int64_t kTileKeys = 64;
// Queries per block: one block of q rows streams over every visible key tile. Larger blocks
// read each packed key tile for more queries (at n = 4096 a head's 2 MB of tiles once per 128
// queries rather than per 48); a band (a window bounded on both sides) takes the smaller
// block, whose edges cut fewer tiles that are mostly outside the band.
constexpr int64_t kBlockQueries = 128;
constexpr int64_t kBandBlockQueries = 48;
// Column granule of the gemm kernel (one microkernel strip); packed widths are multiples of it.
constexpr int64_t kCols = 16;

inline int64_t round_up(int64_t n, int64_t m) { return (n + m - 1) / m * m; }

// One block of queries against one key tile: flash attention's online-softmax step, whole,
// with the scores held transposed. Queries go in groups of kCols (one microkernel column
// strip: a vector per 16 queries on AVX-512), keys and output columns as strip rows, so that
// every softmax statistic is a lane of a vector (no horizontal reductions) and both products
// broadcast their A operand from one pointer at fixed offsets. Per query q of the block:
//   s = q · k over the tile's keys, −∞ outside q's visible keys [lo[q], hi[q]);
//   m_new = max(m, max s); p = e^(s − m_new); l = l · e^(m − m_new) + Σ p;
//   o = o · e^(m − m_new) + Σ p · v; m = m_new.
// A query that has seen no visible key yet (m_new = −∞) is left as it is.
struct Step {
    const float *qt; // [groups, d, kCols] scaled queries, transposed group by group
    const float *kt; // [d, kTileKeys] packed Kᵀ tile
    const float *v;  // [nj, dvp] packed V rows of the tile
    int64_t groups, nj, d, dvp;
    const int32_t *lo, *hi; // [groups · kCols] visible keys [lo, hi) of the tile; NULL = all
    float *pt;              // [kTileKeys, kCols] scratch: one group's scores, then weights
    float *ot;              // [groups, dvp, kCols] unnormalised outputs, transposed, in/out
    float *m, *l;           // [groups · kCols] running max and sum, in/out
};

struct Kernels {
    void (*step)(const Step &t);
    // c[r, 0:cols] (= or +=) Σ_k a[r, k] · b[k, 0:cols] for r < rows, k < kdim.
    //   a [rows, kdim] row stride lda; b [kdim, cols] row stride ldb; c [rows, cols] row stride
    //   ldc; cols is a multiple of kCols. accumulate = 0 overwrites c.
    void (*gemm)(const float *a, int64_t lda, const float *b, int64_t ldb, float *c,
                 int64_t ldc, int64_t rows, int64_t kdim, int64_t cols, int accumulate);
    // Largest of x[0..n) (−∞ for n = 0). A NaN in x may or may not win (the vector max keeps
    // its second operand): callers see a NaN through exp_sum, and combine maxima NaN-first.
    float (*max)(const float *x, int64_t n);
    // x[k] = e^(x[k] − shift) for k < n (exactly 0 where x[k] is −∞), returns the sum.
    // shift is finite.
    float (*exp_sum)(float *x, int64_t n, float shift);
    // y[k] = y[k] · alpha for k < n.
    void (*scale)(float *y, int64_t n, float alpha);
    // One panel (transpose.h): out[e · ldo + k] = rows[k][e] for k < kCols, e < d, zeros for
    // e in [d, dp); rows contiguous. Packs Kᵀ tiles and query groups.
    void (*pack_panel)(const float *const *rows, int64_t d, int64_t dp, float *out, int64_t ldo);
};

// The table of the ISA in use now (isa.h: the CPU's best, capped by ATTN4J_ISA; read on
// every call, so that one test process can run every path).
const Kernels &select_kernels();

} // namespace sdpa
} // namespace attn4j
