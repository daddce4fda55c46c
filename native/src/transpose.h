// Transposition of sixteen rows into one panel, part of the vector-math layer (vec_math.h):
// how every fused kernel packs an operand whose rows the products read down columns (context_qk
// panels of attn4j_bca_fused, Kᵀ tiles and query groups of attn4j_sdpa_fused). Blocks of 8 × 8
// go through registers (AVX: unpack, shuffle, 128-bit permute; the AVX-512 build runs them too),
// so that the source is read row by row (a few cache lines per row, which the prefetchers
// follow) and the panel written by whole vectors. Why not element by element: rows of a
// head a power of two apart (2 KiB for 8 heads of 64) fall on two L1 sets, and reading them
// column by column missed L1 on every element (the SDPA pack took 13 ms of 135 at n = 4096).
#pragma once

#include "vec_math.h"

namespace attn4j {
namespace ATTN4J_KERNEL_NS {
namespace {

constexpr int kPanelRows = 16; // rows of one panel: a microkernel strip's columns

#if ATTN4J_ISA_LEVEL >= 1
// out[x · ldo + k] = rows[k][e0 + x] for k, x < 8.
inline void transpose8(const float *const *rows, int64_t e0, float *out, int64_t ldo) {
    __m256 r[8], t[8];
    for (int k = 0; k < 8; ++k) r[k] = _mm256_loadu_ps(rows[k] + e0);
    for (int k = 0; k < 8; k += 2) {
        t[k] = _mm256_unpacklo_ps(r[k], r[k + 1]);
        t[k + 1] = _mm256_unpackhi_ps(r[k], r[k + 1]);
    }
    for (int k = 0; k < 8; k += 4) {
        r[k] = _mm256_shuffle_ps(t[k], t[k + 2], 0x44);
        r[k + 1] = _mm256_shuffle_ps(t[k], t[k + 2], 0xEE);
        r[k + 2] = _mm256_shuffle_ps(t[k + 1], t[k + 3], 0x44);
        r[k + 3] = _mm256_shuffle_ps(t[k + 1], t[k + 3], 0xEE);
    }
    // r[0..3] hold columns 0, 1, 2, 3 (low lanes) and 4, 5, 6, 7 (high) of rows 0..3 and
    // r[4..7] of rows 4..7: pair the 128-bit halves.
    for (int x = 0; x < 4; ++x) {
        _mm256_storeu_ps(out + x * ldo, _mm256_permute2f128_ps(r[x], r[x + 4], 0x20));
        _mm256_storeu_ps(out + (x + 4) * ldo, _mm256_permute2f128_ps(r[x], r[x + 4], 0x31));
    }
}
#endif

// out[e · ldo + k] = rows[k][e] for k < 16 and e < d, 0 for e in [d, dp). The 16 rows are
// contiguous (d floats each; a caller with fewer rows repeats one and clears those lanes after).
void transpose_panel(const float *const *rows, int64_t d, int64_t dp, float *out, int64_t ldo) {
    int64_t e0 = 0;
#if ATTN4J_ISA_LEVEL >= 1
    for (; e0 + 8 <= d; e0 += 8) {
        transpose8(rows, e0, out + e0 * ldo, ldo);
        transpose8(rows + 8, e0, out + e0 * ldo + 8, ldo);
    }
#endif
    for (; e0 < dp; ++e0)
        for (int k = 0; k < kPanelRows; ++k) out[e0 * ldo + k] = e0 < d ? rows[k][e0] : 0.0f;
}

} // namespace
} // namespace ATTN4J_KERNEL_NS
} // namespace attn4j
