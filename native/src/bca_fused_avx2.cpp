// AVX2+FMA tile kernels of attn4j_bca_fused (contract: bca_fused_kernels.h). Built with
// -mavx2 -mfma (the *_avx2.cpp rule) and only called after a run-time CPU check.
//
// The three products share one register-blocked microkernel shape: a strip of up to 6 output
// rows × 16 output columns (12 ymm accumulators), one broadcast of an A element and two
// 8-wide loads of B per k step. 12 accumulators + 2 B vectors + 1 broadcast = 15 of the 16
// ymm registers, and 12 independent FMA chains cover the 4-cycle FMA latency on 2 ports.
//   S = Q·Kᵀ:  A = q rows (k = head dim),     B = context_qk panels, rows = i
//   O += P·CV: A = p rows (k = j),             B = context_v rows,    rows = i
//   CO += Pᵀ·V: A = p columns (k = i),         B = v rows,            rows = j
#include "bca_fused_kernels.h"

#include <immintrin.h>

#include <cmath>
#include <limits>

namespace attn4j {
namespace bca {
namespace {

constexpr int kRows = 6; // microkernel strip height

inline __m256 neg_inf() { return _mm256_set1_ps(-std::numeric_limits<float>::infinity()); }

// e^x for x ≤ 88, 8 lanes. Cephes' expf: x = n·ln2 + r (|r| ≤ ln2/2), e^r by a degree-6
// polynomial (max relative error ≈ 1.2e-7), 2^n built in the exponent bits.
// Why clamp at −88 and nothing else: below −87.68 the true result is subnormal and n rounds to
// −127, whose exponent field is 0, so the result is exactly +0 — masked entries (kFill − max)
// and −inf come out as 0 without a compare. NaN passes the clamp (max returns its second
// operand when one is NaN) and stays NaN. Callers never pass x > 88 (all arguments are
// differences from a maximum, or bounded by the driver).
inline __m256 exp256(__m256 x) {
    const __m256 magic = _mm256_set1_ps(12582912.0f); // 1.5·2^23: x + magic rounds to an integer
    x = _mm256_max_ps(_mm256_set1_ps(-88.0f), x);
    const __m256 shifted = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), magic);
    const __m256 n = _mm256_sub_ps(shifted, magic);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x); // ln2 in two parts so
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);     // that n·hi is exact
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    // p·r² + r + 1 = (p·r + 1)·r + 1
    const __m256 one = _mm256_set1_ps(1.0f);
    const __m256 y = _mm256_fmadd_ps(_mm256_fmadd_ps(p, r, one), r, one);
    // 2^n: the low bits of `shifted` hold n + bits(magic); (n + 127) << 23 is 2^n's pattern.
    const __m256i bias = _mm256_set1_epi32(127 - 0x4B400000);
    const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_castps_si256(shifted), bias), 23);
    return _mm256_mul_ps(y, _mm256_castsi256_ps(e));
}

// Lanes below `count` (0..8) set.
inline __m256i lanes_below(int64_t count) {
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count), idx);
}

inline float hmax(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// ---------------------------------------------------------------- S = Q·Kᵀ + bias, masked

template <int MR> void qk_strip(const QkTile &t, int64_t r0) {
    const float *q = t.q + r0 * t.dp; // [MR, dp]
    const __m256 fill = _mm256_set1_ps(kFill);
    // Row maxima stay in memory across panels. Why: 12 accumulators + 3 operands leave one
    // ymm register free in the k loop, and vectors kept live across it would be spilled
    // inside the loop instead.
    alignas(32) float row_max[MR][8];
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) _mm256_store_ps(row_max[r], neg_inf());
    bool row_kept[MR];
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) row_kept[r] = t.row_ok == nullptr || t.row_ok[r0 + r] != 0;

    for (int64_t c0 = 0; c0 < t.nj; c0 += kPanel) {
        const float *kt = t.kt + (c0 / kPanel) * t.dp * kPanel; // [dp, 16]
        __m256 acc[MR][2];
#pragma GCC unroll 8
        for (int r = 0; r < MR; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
        const float *a[MR]; // q rows
#pragma GCC unroll 8
        for (int r = 0; r < MR; ++r) a[r] = q + r * t.dp;
        const int64_t dp = t.dp;
#pragma GCC unroll 4
        for (int64_t e = 0; e < dp; ++e, kt += kPanel) {
            const __m256 b0 = _mm256_loadu_ps(kt);
            const __m256 b1 = _mm256_loadu_ps(kt + 8);
#pragma GCC unroll 8
            for (int r = 0; r < MR; ++r) {
                const __m256 x = _mm256_broadcast_ss(a[r] + e);
                acc[r][0] = _mm256_fmadd_ps(x, b0, acc[r][0]);
                acc[r][1] = _mm256_fmadd_ps(x, b1, acc[r][1]);
            }
        }

        // The next strip's bias at these columns, fetched while this one computes. Why: the
        // bias is read once, from memory, in 64-byte pieces of rows far apart, a pattern the
        // hardware prefetchers follow poorly.
        if (t.bias != nullptr && r0 + MR + MR <= t.ni)
            for (int r = 0; r < MR; ++r)
                _mm_prefetch((const char *)(t.bias + (r0 + MR + r) * t.bias_ld + c0), _MM_HINT_T0);

        // Epilogue: bias, masks, -inf past nj; row and column maxima. The common case (a
        // full panel, no column mask) skips the lane selects.
        const int64_t valid = t.nj - c0 < kPanel ? t.nj - c0 : kPanel;
        const bool full = valid == kPanel;
        const __m256i in0 = lanes_below(valid), in1 = lanes_below(valid - 8);
        __m256 keep0 = _mm256_castsi256_ps(in0), keep1 = _mm256_castsi256_ps(in1);
        if (t.col_ok != nullptr) {
            keep0 = _mm256_and_ps(
                keep0, _mm256_castsi256_ps(_mm256_maskload_epi32((const int *)t.col_ok + c0, in0)));
            keep1 = _mm256_and_ps(keep1, _mm256_castsi256_ps(_mm256_maskload_epi32(
                                             (const int *)t.col_ok + c0 + 8, in1)));
        }
        __m256 col_max0 = neg_inf(), col_max1 = neg_inf();
#pragma GCC unroll 8
        for (int r = 0; r < MR; ++r) {
            __m256 x0 = acc[r][0], x1 = acc[r][1];
            if (t.bias != nullptr) {
                const float *bias = t.bias + (r0 + r) * t.bias_ld + c0; // [valid]
                if (full) {
                    x0 = _mm256_add_ps(x0, _mm256_loadu_ps(bias));
                    x1 = _mm256_add_ps(x1, _mm256_loadu_ps(bias + 8));
                } else {
                    x0 = _mm256_add_ps(x0, _mm256_maskload_ps(bias, in0));
                    x1 = _mm256_add_ps(x1, _mm256_maskload_ps(bias + 8, in1));
                }
            }
            if (!row_kept[r]) {
                x0 = x1 = fill;
            } else if (t.col_ok != nullptr) {
                x0 = _mm256_blendv_ps(fill, x0, keep0);
                x1 = _mm256_blendv_ps(fill, x1, keep1);
            }
            if (!full) { // columns past nj: -inf, never a maximum, exponentiate to 0
                x0 = _mm256_blendv_ps(neg_inf(), x0, _mm256_castsi256_ps(in0));
                x1 = _mm256_blendv_ps(neg_inf(), x1, _mm256_castsi256_ps(in1));
            }
            float *s = t.s + (r0 + r) * t.lds + c0;
            _mm256_storeu_ps(s, x0);
            _mm256_storeu_ps(s + 8, x1);
            _mm256_store_ps(row_max[r],
                            _mm256_max_ps(_mm256_load_ps(row_max[r]), _mm256_max_ps(x0, x1)));
            col_max0 = _mm256_max_ps(col_max0, x0);
            col_max1 = _mm256_max_ps(col_max1, x1);
        }
        float *cm = t.col_max + c0;
        _mm256_storeu_ps(cm, _mm256_max_ps(_mm256_loadu_ps(cm), col_max0));
        _mm256_storeu_ps(cm + 8, _mm256_max_ps(_mm256_loadu_ps(cm + 8), col_max1));
    }
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) t.row_max[r0 + r] = hmax(_mm256_load_ps(row_max[r]));
}

void qk_avx2(const QkTile &t) {
    const int64_t njp = round_up(t.nj, kPanel);
    for (int64_t c = 0; c < njp; c += 8) _mm256_storeu_ps(t.col_max + c, neg_inf());
    int64_t r0 = 0;
    for (; r0 + kRows <= t.ni; r0 += kRows) qk_strip<kRows>(t, r0);
    switch (t.ni - r0) {
    case 5:
        qk_strip<5>(t, r0);
        break;
    case 4:
        qk_strip<4>(t, r0);
        break;
    case 3:
        qk_strip<3>(t, r0);
        break;
    case 2:
        qk_strip<2>(t, r0);
        break;
    case 1:
        qk_strip<1>(t, r0);
        break;
    default:
        break;
    }
}

// ---------------------------------------------------------------- exponentials of a tile

// Rows [r0, r0 + R) of a softmax tile. Why R rows at once: the column sums are loaded and
// stored once per R rows, and R independent exponential chains fill the pipeline.
template <int R> void softmax_rows(const SoftmaxTile &t, int64_t r0) {
    const int64_t nj8 = round_up(t.nj, 8);
    const int64_t full = t.nj / 8 * 8;
    const __m256 tail = _mm256_castsi256_ps(lanes_below(t.nj - full));
    float *s[R], *pc[R];
    __m256 m[R], mul[R], factor[R], row_sum[R];
#pragma GCC unroll 8
    for (int k = 0; k < R; ++k) {
        const int64_t r = r0 + k;
        s[k] = t.s + r * t.lds;
        pc[k] = t.pc != nullptr ? t.pc + r * t.lds : nullptr;
        m[k] = _mm256_set1_ps(t.row_max[r]);
        mul[k] = _mm256_set1_ps(t.row_mul != nullptr ? t.row_mul[r] : 1.0f);
        factor[k] = _mm256_set1_ps(t.row_factor != nullptr ? t.row_factor[r] : 1.0f);
        row_sum[k] = _mm256_setzero_ps();
    }
    for (int64_t c = 0; c < nj8; c += 8) {
        const bool last = c == full; // the vector holding columns past nj
        __m256 col_sum =
            t.col_sum != nullptr ? _mm256_loadu_ps(t.col_sum + c) : _mm256_setzero_ps();
        const __m256 col_max =
            t.pc != nullptr ? _mm256_loadu_ps(t.col_max + c) : _mm256_setzero_ps();
        const __m256 col_mul =
            t.col_mul != nullptr ? _mm256_loadu_ps(t.col_mul + c) : _mm256_setzero_ps();
#pragma GCC unroll 8
        for (int k = 0; k < R; ++k) {
            const __m256 x = _mm256_loadu_ps(s[k] + c);
            __m256 p = exp256(_mm256_sub_ps(x, m[k]));
            if (last) p = _mm256_and_ps(p, tail); // columns past nj → 0
            row_sum[k] = _mm256_add_ps(row_sum[k], p);
            if (t.pc != nullptr) {
                __m256 q = exp256(_mm256_sub_ps(x, col_max));
                if (last) q = _mm256_and_ps(q, tail);
                col_sum = _mm256_add_ps(col_sum, q);
                if (t.col_mul != nullptr) {
                    q = _mm256_mul_ps(q, col_mul);
                    if (last) q = _mm256_and_ps(q, tail);
                }
                _mm256_storeu_ps(pc[k] + c, q);
            } else {
                col_sum = _mm256_fmadd_ps(p, factor[k], col_sum);
            }
            _mm256_storeu_ps(s[k] + c, t.row_mul != nullptr ? _mm256_mul_ps(p, mul[k]) : p);
        }
        if (t.col_sum != nullptr) _mm256_storeu_ps(t.col_sum + c, col_sum);
    }
    if (t.row_sum != nullptr)
#pragma GCC unroll 8
        for (int k = 0; k < R; ++k) t.row_sum[r0 + k] = hsum(row_sum[k]);
}

void softmax_avx2(const SoftmaxTile &t) {
    const int64_t nj8 = round_up(t.nj, 8);
    if (t.col_sum != nullptr)
        for (int64_t c = 0; c < nj8; c += 8) _mm256_storeu_ps(t.col_sum + c, _mm256_setzero_ps());
    int64_t r0 = 0;
    for (; r0 + 4 <= t.ni; r0 += 4) softmax_rows<4>(t, r0);
    for (; r0 < t.ni; ++r0) softmax_rows<1>(t, r0);
}

// ---------------------------------------------------------------- O = O·rescale + P·CV

template <int MR> void pv_strip(const PvTile &t, int64_t r0) {
    const float *p = t.p + r0 * t.ldp; // [MR, ldp]
    for (int64_t e0 = 0; e0 < t.dp; e0 += kPanel) {
        __m256 acc[MR][2];
#pragma GCC unroll 8
        for (int r = 0; r < MR; ++r) {
            float *o = t.o + (r0 + r) * t.dp + e0;
            acc[r][0] = _mm256_loadu_ps(o);
            acc[r][1] = _mm256_loadu_ps(o + 8);
            if (t.row_rescale != nullptr) {
                const __m256 rescale = _mm256_set1_ps(t.row_rescale[r0 + r]);
                acc[r][0] = _mm256_mul_ps(acc[r][0], rescale);
                acc[r][1] = _mm256_mul_ps(acc[r][1], rescale);
            }
        }
        const float *cv = t.cv + e0; // [nj, dp] from column e0
        const float *a[MR];          // p rows
#pragma GCC unroll 8
        for (int r = 0; r < MR; ++r) a[r] = p + r * t.ldp;
        const int64_t nj = t.nj, ldcv = t.ldcv;
#pragma GCC unroll 4
        for (int64_t c = 0; c < nj; ++c, cv += ldcv) {
            const __m256 b0 = _mm256_loadu_ps(cv);
            const __m256 b1 = _mm256_loadu_ps(cv + 8);
#pragma GCC unroll 8
            for (int r = 0; r < MR; ++r) {
                const __m256 x = _mm256_broadcast_ss(a[r] + c);
                acc[r][0] = _mm256_fmadd_ps(x, b0, acc[r][0]);
                acc[r][1] = _mm256_fmadd_ps(x, b1, acc[r][1]);
            }
        }
#pragma GCC unroll 8
        for (int r = 0; r < MR; ++r) {
            float *o = t.o + (r0 + r) * t.dp + e0;
            _mm256_storeu_ps(o, acc[r][0]);
            _mm256_storeu_ps(o + 8, acc[r][1]);
        }
    }
}

void pv_avx2(const PvTile &t) {
    int64_t r0 = 0;
    for (; r0 + kRows <= t.ni; r0 += kRows) pv_strip<kRows>(t, r0);
    switch (t.ni - r0) {
    case 5:
        pv_strip<5>(t, r0);
        break;
    case 4:
        pv_strip<4>(t, r0);
        break;
    case 3:
        pv_strip<3>(t, r0);
        break;
    case 2:
        pv_strip<2>(t, r0);
        break;
    case 1:
        pv_strip<1>(t, r0);
        break;
    default:
        break;
    }
}

// ---------------------------------------------------------------- CO = CO·rescale + f·Pᵀ·V

template <int MR> void ptv_strip(const PtvTile &t, int64_t c0) {
    for (int64_t e0 = 0; e0 < t.dp; e0 += kPanel) {
        __m256 acc[MR][2];
#pragma GCC unroll 8
        for (int m = 0; m < MR; ++m) acc[m][0] = acc[m][1] = _mm256_setzero_ps();
        const float *v = t.v + e0; // [ni, dp] from column e0
        const float *p = t.p + c0; // [ni, ldp] from column c0
        const int64_t ni = t.ni, dp = t.dp, ldp = t.ldp;
#pragma GCC unroll 4
        for (int64_t r = 0; r < ni; ++r, v += dp, p += ldp) {
            const __m256 b0 = _mm256_loadu_ps(v);
            const __m256 b1 = _mm256_loadu_ps(v + 8);
#pragma GCC unroll 8
            for (int m = 0; m < MR; ++m) {
                const __m256 x = _mm256_broadcast_ss(p + m);
                acc[m][0] = _mm256_fmadd_ps(x, b0, acc[m][0]);
                acc[m][1] = _mm256_fmadd_ps(x, b1, acc[m][1]);
            }
        }
#pragma GCC unroll 8
        for (int m = 0; m < MR; ++m) {
            float *co = t.co + (c0 + m) * t.dp + e0;
            __m256 old0 = _mm256_setzero_ps(), old1 = _mm256_setzero_ps();
            if (!t.overwrite) {
                old0 = _mm256_loadu_ps(co);
                old1 = _mm256_loadu_ps(co + 8);
            }
            if (t.col_rescale != nullptr && !t.overwrite) {
                const __m256 rescale = _mm256_set1_ps(t.col_rescale[c0 + m]);
                old0 = _mm256_mul_ps(old0, rescale);
                old1 = _mm256_mul_ps(old1, rescale);
            }
            if (t.col_factor != nullptr) {
                const __m256 factor = _mm256_set1_ps(t.col_factor[c0 + m]);
                old0 = _mm256_fmadd_ps(acc[m][0], factor, old0);
                old1 = _mm256_fmadd_ps(acc[m][1], factor, old1);
            } else {
                old0 = _mm256_add_ps(acc[m][0], old0);
                old1 = _mm256_add_ps(acc[m][1], old1);
            }
            _mm256_storeu_ps(co, old0);
            _mm256_storeu_ps(co + 8, old1);
        }
    }
}

void ptv_avx2(const PtvTile &t) {
    int64_t c0 = 0;
    for (; c0 + kRows <= t.nj; c0 += kRows) ptv_strip<kRows>(t, c0);
    switch (t.nj - c0) {
    case 5:
        ptv_strip<5>(t, c0);
        break;
    case 4:
        ptv_strip<4>(t, c0);
        break;
    case 3:
        ptv_strip<3>(t, c0);
        break;
    case 2:
        ptv_strip<2>(t, c0);
        break;
    case 1:
        ptv_strip<1>(t, c0);
        break;
    default:
        break;
    }
}

// ---------------------------------------------------------------- small helpers

void exp_avx2(const float *x, float *y, int64_t n) {
    int64_t k = 0;
    for (; k + 8 <= n; k += 8) _mm256_storeu_ps(y + k, exp256(_mm256_loadu_ps(x + k)));
    if (k < n) {
        const __m256i in = lanes_below(n - k);
        _mm256_maskstore_ps(y + k, in, exp256(_mm256_maskload_ps(x + k, in)));
    }
}

void mix_avx2(const float *x, const float *w, int64_t heads, int64_t stride, int64_t n, float *y) {
    int64_t k = 0;
    for (; k + 8 <= n; k += 8)
        for (int64_t g = 0; g < heads; ++g) {
            __m256 acc = _mm256_setzero_ps();
            for (int64_t h = 0; h < heads; ++h)
                acc = _mm256_fmadd_ps(_mm256_set1_ps(w[g * heads + h]),
                                      _mm256_loadu_ps(x + h * stride + k), acc);
            _mm256_storeu_ps(y + g * stride + k, acc);
        }
    for (; k < n; ++k)
        for (int64_t g = 0; g < heads; ++g) {
            float acc = 0.0f;
            for (int64_t h = 0; h < heads; ++h) acc += w[g * heads + h] * x[h * stride + k];
            y[g * stride + k] = acc;
        }
}

// 8×8 transpose of rows[k][e0 .. e0 + 8) (k < 8) into out[x · 16 + k].
inline void transpose8(const float *const *rows, int64_t e0, float *out) {
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
        _mm256_storeu_ps(out + x * kPanel, _mm256_permute2f128_ps(r[x], r[x + 4], 0x20));
        _mm256_storeu_ps(out + (x + 4) * kPanel, _mm256_permute2f128_ps(r[x], r[x + 4], 0x31));
    }
}

void pack_panel_avx2(const float *const *rows, int64_t d, int64_t dp, float *panel) {
    int64_t e0 = 0;
    for (; e0 + 8 <= d; e0 += 8) {
        transpose8(rows, e0, panel + e0 * kPanel);
        transpose8(rows + 8, e0, panel + e0 * kPanel + 8);
    }
    for (; e0 < dp; ++e0)
        for (int k = 0; k < kPanel; ++k) panel[e0 * kPanel + k] = e0 < d ? rows[k][e0] : 0.0f;
}

} // namespace

const Kernels kAvx2Kernels = {qk_avx2,  softmax_avx2, pv_avx2,        ptv_avx2,
                              exp_avx2, mix_avx2,     pack_panel_avx2};

} // namespace bca
} // namespace attn4j
