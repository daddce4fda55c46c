// AVX2+FMA tile kernels of attn4j_sdpa_fused: a 6×16 register-blocked gemm and a vectorised
// exp. Compiled with -mavx2 -mfma (file name *_avx2.cpp); only called after select_kernels()
// has seen both features on the running CPU.
#include "sdpa_kernels.h"

#include <immintrin.h>

#include <cmath>
#include <limits>

namespace attn4j {
namespace sdpa {

namespace {

// R rows (≤ 6) × 16 columns of c, accumulated over kdim in 2R ymm registers.
template <int R>
inline void gemm_block(const float *a, int64_t lda, const float *b, int64_t ldb, float *c,
                       int64_t ldc, int64_t kdim, int accumulate) {
    // Why the unroll pragmas: acc must live in registers, and GCC keeps it in memory unless the
    // loops over R are fully unrolled.
    __m256 acc[R][2];
#pragma GCC unroll 6
    for (int r = 0; r < R; ++r) {
        acc[r][0] = accumulate ? _mm256_loadu_ps(c + r * ldc) : _mm256_setzero_ps();
        acc[r][1] = accumulate ? _mm256_loadu_ps(c + r * ldc + 8) : _mm256_setzero_ps();
    }
    for (int64_t k = 0; k < kdim; ++k) {
        const __m256 b0 = _mm256_loadu_ps(b + k * ldb);
        const __m256 b1 = _mm256_loadu_ps(b + k * ldb + 8);
#pragma GCC unroll 6
        for (int r = 0; r < R; ++r) {
            const __m256 ar = _mm256_broadcast_ss(a + r * lda + k);
            acc[r][0] = _mm256_fmadd_ps(ar, b0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(ar, b1, acc[r][1]);
        }
    }
#pragma GCC unroll 6
    for (int r = 0; r < R; ++r) {
        _mm256_storeu_ps(c + r * ldc, acc[r][0]);
        _mm256_storeu_ps(c + r * ldc + 8, acc[r][1]);
    }
}

void gemm(const float *a, int64_t lda, const float *b, int64_t ldb, float *c, int64_t ldc,
          int64_t rows, int64_t kdim, int64_t cols, int accumulate) {
    for (int64_t n = 0; n < cols; n += kCols) {
        int64_t r = 0;
        // Why 6 rows: 12 accumulators + 2 B vectors + 1 broadcast fit the 16 ymm registers,
        // and 12 FMAs per 8 loads keep the two FMA ports busier than the two load ports.
        for (; r + 6 <= rows; r += 6)
            gemm_block<6>(a + r * lda, lda, b + n, ldb, c + r * ldc + n, ldc, kdim, accumulate);
        switch (rows - r) {
        case 5: gemm_block<5>(a + r * lda, lda, b + n, ldb, c + r * ldc + n, ldc, kdim, accumulate); break;
        case 4: gemm_block<4>(a + r * lda, lda, b + n, ldb, c + r * ldc + n, ldc, kdim, accumulate); break;
        case 3: gemm_block<3>(a + r * lda, lda, b + n, ldb, c + r * ldc + n, ldc, kdim, accumulate); break;
        case 2: gemm_block<2>(a + r * lda, lda, b + n, ldb, c + r * ldc + n, ldc, kdim, accumulate); break;
        case 1: gemm_block<1>(a + r * lda, lda, b + n, ldb, c + r * ldc + n, ldc, kdim, accumulate); break;
        default: break;
        }
    }
}

float hmax(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
    return _mm_cvtss_f32(m);
}

float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

float max(const float *x, int64_t n) {
    __m256 m = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
    int64_t k = 0;
    for (; k + 8 <= n; k += 8) m = _mm256_max_ps(m, _mm256_loadu_ps(x + k));
    float s = hmax(m);
    for (; k < n; ++k) s = x[k] > s ? x[k] : s;
    return s;
}

// e^x for x ≤ 0 (the softmax only ever asks for those): x = n·ln2 + r, |r| ≤ ln2/2, Cephes'
// degree-5 polynomial for e^r, 2^n built in the exponent bits. Within 2 ulp down to −87.3;
// below that (where e^x is under FLT_MIN) the result is exactly 0, as it is for −∞.
inline __m256 exp_nonpositive(__m256 x) {
    const __m256 lo = _mm256_set1_ps(-87.3f);
    const __m256 under = _mm256_cmp_ps(x, lo, _CMP_LT_OQ); // −∞ included
    x = _mm256_max_ps(x, lo);
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    // r = x − n·ln2 in two parts (Cody–Waite) so that r keeps full precision.
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3333452301e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    const __m256 y = _mm256_mul_ps(p, _mm256_castsi256_ps(e));
    return _mm256_andnot_ps(under, y);
}

float exp_sum(float *x, int64_t n, float shift) {
    const __m256 s = _mm256_set1_ps(shift);
    __m256 acc = _mm256_setzero_ps();
    int64_t k = 0;
    for (; k + 8 <= n; k += 8) {
        const __m256 y = exp_nonpositive(_mm256_sub_ps(_mm256_loadu_ps(x + k), s));
        _mm256_storeu_ps(x + k, y);
        acc = _mm256_add_ps(acc, y);
    }
    float sum = hsum(acc);
    for (; k < n; ++k) {
        x[k] = std::exp(x[k] - shift);
        sum += x[k];
    }
    return sum;
}

void scale(float *y, int64_t n, float alpha) {
    const __m256 a = _mm256_set1_ps(alpha);
    int64_t k = 0;
    for (; k + 8 <= n; k += 8) _mm256_storeu_ps(y + k, _mm256_mul_ps(_mm256_loadu_ps(y + k), a));
    for (; k < n; ++k) y[k] *= alpha;
}

} // namespace

const Kernels kAvx2Kernels = {gemm, max, exp_sum, scale, 1};

} // namespace sdpa
} // namespace attn4j
