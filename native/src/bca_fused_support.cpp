// Strided access to and packing of the caller's tensors for the attn4j_bca_fused driver
// (declared in bca_fused_support.h).
#include "bca_fused_support.h"

#include <algorithm>
#include <cstring>

namespace attn4j {
namespace bca {

// rel_pos_bias broadcast to [b, h, i, j]: size-1 dims read with stride 0.
View4 bias_view(const attn4j_tensor *t, int64_t j) {
    View4 v(t);
    int64_t *strides[4] = {&v.s0, &v.s1, &v.s2, &v.s3};
    for (int k = 0; k < 4; ++k)
        if (t->shape[k] == 1) *strides[k] = 0;
    if (j == 1) v.s3 = 1; // one column: its stride is never used, call it contiguous
    return v;
}

// Rows [r0, r0 + n) of (b, h) times `mul` into dst [n, dp], zero padded past d.
void pack_rows(const View4 &t, int64_t b, int64_t h, int64_t r0, int64_t n, int64_t d, int64_t dp,
               float *dst, float mul) {
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
void pack_panels(const Kernels &kn, const View4 &t, int64_t b, int64_t h, int64_t r0, int64_t n,
                 int64_t d, int64_t dp, float *dst) {
    for (int64_t p0 = 0; p0 < n; p0 += kPanel) {
        const int64_t rows = std::min(kPanel, n - p0);
        float *panel = dst + (p0 / kPanel) * dp * kPanel; // [dp, 16]
        if (t.s3 == 1) {
            // A short last panel repeats its last row, then those lanes are cleared.
            const float *src[kPanel];
            for (int64_t k = 0; k < kPanel; ++k)
                src[k] = t.row(b, h, r0 + p0 + std::min(k, rows - 1));
            kn.pack_panel(src, d, dp, panel, kPanel);
            if (rows < kPanel)
                for (int64_t e = 0; e < d; ++e)
                    std::fill(panel + e * kPanel + rows, panel + (e + 1) * kPanel, 0.0f);
        } else {
            std::memset(panel, 0, (size_t)(dp * kPanel) * sizeof(float));
            for (int64_t k = 0; k < rows; ++k) {
                const float *src = t.row(b, h, r0 + p0 + k);
                for (int64_t e = 0; e < d; ++e) panel[e * kPanel + k] = src[e * t.s3];
            }
        }
    }
}

// Row mask of the block [i0, i0 + ni) as bytes; NULL when nothing in it is masked.
const uint8_t *pack_row_ok(const Shared &sh, int64_t b, int64_t i0, int64_t ni, uint8_t *dst) {
    if (!sh.has_mask) return nullptr;
    bool all = true;
    for (int64_t r = 0; r < ni; ++r) {
        dst[r] = sh.mask.ok(b, i0 + r) ? 1 : 0;
        all = all && dst[r] != 0;
    }
    return all ? nullptr : dst;
}

// Column mask of the whole context as 0 / −1 lanes; NULL when nothing in it is masked (why:
// all-true masks are common, and the kernels skip the selects without one).
const int32_t *pack_col_ok(const Shared &sh, int64_t b, int32_t *dst) {
    if (!sh.has_cmask) return nullptr;
    bool all = true;
    for (int64_t c = 0; c < sh.pl.J; ++c) {
        dst[c] = sh.cmask.ok(b, c) ? -1 : 0;
        all = all && dst[c] != 0;
    }
    return all ? nullptr : dst;
}

// The bias tile at (i0, j0) of (b, h): the caller's memory when its rows are contiguous along
// j, else a copy into `pack` [ni, ldp]. NULL when the call has no bias.
const float *bias_tile(const Shared &sh, int64_t b, int64_t h, int64_t i0, int64_t ni, int64_t j0,
                       int64_t nj, float *pack, int64_t ldp, int64_t *ld) {
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

} // namespace bca
} // namespace attn4j
