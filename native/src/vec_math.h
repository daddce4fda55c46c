// The vector-math layer: one vector type per instruction set and the few operations every
// kernel is written in (loads and stores with lane masks, FMA, max, selects, horizontal sums
// and maxima), plus exp, Φ and GELU written once over them. Every kernel body (kernels_impl.h,
// bca_fused_tiles.h, sdpa_tiles.h) is written against this layer and compiled once per ISA by
// the kernels_<isa>.cpp files, which define:
//   ATTN4J_KERNEL_NS   the namespace of that build: portable, avx2 or avx512
//   ATTN4J_ISA_LEVEL   0 = portable (GCC vectors of 4 floats: SSE2 on any x86-64),
//                      1 = AVX2+FMA (8 lanes), 2 = AVX-512 F/BW/DQ/VL (16 lanes)
// Everything here lives in that namespace, inside an unnamed one, and calls nothing out of
// line (no std:: function templates): a weak symbol compiled with -mavx512f must never be
// what the portable code links to.
#pragma once

#if !defined(ATTN4J_KERNEL_NS) || !defined(ATTN4J_ISA_LEVEL)
#error "vec_math.h belongs inside a kernels_<isa>.cpp build (ATTN4J_KERNEL_NS, ATTN4J_ISA_LEVEL)"
#endif
#if ATTN4J_ISA_LEVEL >= 1
#include <immintrin.h>
#endif
#if ATTN4J_ISA_LEVEL == 1 && !(defined(__AVX2__) && defined(__FMA__))
#error "the avx2 build needs -mavx2 -mfma (cmake/Attn4jFlags.cmake)"
#endif
#if ATTN4J_ISA_LEVEL == 2 && !(defined(__AVX512F__) && defined(__AVX512DQ__) && defined(__AVX512VL__))
#error "the avx512 build needs -mavx512f -mavx512dq -mavx512vl (cmake/Attn4jFlags.cmake)"
#endif

#include <cstdint>

namespace attn4j {
namespace ATTN4J_KERNEL_NS {
namespace {

// ---------------------------------------------------------------- the vector type and masks

// The ISA fixes the width; everything else is GCC's vector extensions (arithmetic, compares,
// selects, broadcasts of scalars), which it compiles to that ISA's instructions. a·b + c is
// contracted to an FMA where the ISA has one (-ffp-contract=fast, GCC's default in GNU mode).
#if ATTN4J_ISA_LEVEL == 2
constexpr int kLanes = 16;
#elif ATTN4J_ISA_LEVEL == 1
constexpr int kLanes = 8;
#else
constexpr int kLanes = 4; // SSE2
#endif
typedef float vf __attribute__((vector_size(4 * kLanes)));    // kLanes floats
typedef int32_t vm __attribute__((vector_size(4 * kLanes)));  // lane masks: -1 or 0
typedef uint32_t vu __attribute__((vector_size(4 * kLanes))); // bit patterns

constexpr float kInf = __builtin_inff();

inline vf splat(float x) { return vf{} + x; }
inline vf zero() { return vf{}; }

// splat(*p) as one broadcast load (which AVX-512 folds into the FMA that uses it): GCC builds
// splat of a loaded float as a scalar load and a register broadcast, two instructions more in
// the microkernel's inner loop.
inline vf broadcast(const float *p) {
#if ATTN4J_ISA_LEVEL == 2
    return (vf)_mm512_broadcastss_ps(_mm_load_ss(p));
#elif ATTN4J_ISA_LEVEL == 1
    return (vf)_mm256_broadcast_ss(p);
#else
    return splat(*p);
#endif
}

inline vf load(const float *p) {
    vf v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}
inline void store(float *p, vf v) { __builtin_memcpy(p, &v, sizeof v); }

inline vf fmadd(vf a, vf b, vf c) { return a * b + c; }
inline float fmadd(float a, float b, float c) { return a * b + c; }

// The larger of a and b; b when either is NaN (x86's max: vmax(limit, x) lets a NaN x through).
// The max and min instructions are exactly these selects; spelled out, GCC sometimes built them
// as a compare and a blend (two instructions, in exp's clamps among others).
#if ATTN4J_ISA_LEVEL == 2
inline vf vmax(vf a, vf b) { return _mm512_max_ps(a, b); }
inline vf vmin(vf a, vf b) { return _mm512_min_ps(a, b); }
#elif ATTN4J_ISA_LEVEL == 1
inline vf vmax(vf a, vf b) { return _mm256_max_ps(a, b); }
inline vf vmin(vf a, vf b) { return _mm256_min_ps(a, b); }
#else
inline vf vmax(vf a, vf b) { return a > b ? a : b; }
inline vf vmin(vf a, vf b) { return a < b ? a : b; }
#endif
inline float vmax(float a, float b) { return a > b ? a : b; }
inline float vmin(float a, float b) { return a < b ? a : b; }

// Lanes [0, n) set; n may lie outside [0, kLanes].
inline vm lanes_below(int64_t n) {
    const int32_t c = n < 0 ? 0 : n > kLanes ? kLanes : (int32_t)n;
    vm idx;
    for (int l = 0; l < kLanes; ++l) idx[l] = l;
    return idx < c;
}

// a where m is set, b elsewhere.
inline vf select(vm m, vf a, vf b) { return m ? a : b; }

// p[0, kLanes) where m is set, 0 elsewhere; reads no element outside m (the one place the ISA
// shows: a masked load instruction).
inline vf load_masked(const float *p, vm m) {
#if ATTN4J_ISA_LEVEL == 2
    return _mm512_maskz_loadu_ps(_mm512_movepi32_mask((__m512i)m), p);
#elif ATTN4J_ISA_LEVEL == 1
    return _mm256_maskload_ps(p, (__m256i)m);
#else
    vf v = zero();
    for (int l = 0; l < kLanes; ++l)
        if (m[l]) v[l] = p[l];
    return v;
#endif
}

// Writes the lanes of v where m is set, nothing else.
inline void store_masked(float *p, vm m, vf v) {
#if ATTN4J_ISA_LEVEL == 2
    _mm512_mask_storeu_ps(p, _mm512_movepi32_mask((__m512i)m), v);
#elif ATTN4J_ISA_LEVEL == 1
    _mm256_maskstore_ps(p, (__m256i)m, v);
#else
    for (int l = 0; l < kLanes; ++l)
        if (m[l]) p[l] = v[l];
#endif
}

// Lanes of `valid` whose int32 p[l] is not 0; reads no element outside `valid`.
inline vm mask_of_ints(const int32_t *p, vm valid) {
    const vf bits = load_masked(reinterpret_cast<const float *>(p), valid);
    return ((vu)bits != 0) & valid;
}

// ---------------------------------------------------------------- horizontal reductions

// Folds the lanes of v with op in a pairwise tree (lane l with lane l + w, halving w): the same
// order on every ISA width. In registers: halves of the vector are combined by shuffles, never
// through memory (a store and kLanes scalar loads would cost more than the tile row they sum).
typedef float vf8 __attribute__((vector_size(32)));
typedef float vf4 __attribute__((vector_size(16)));
template <class Op> inline float fold(vf v, Op op) {
#if ATTN4J_ISA_LEVEL == 2
    const vf8 h = op(__builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7),
                     __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15));
#elif ATTN4J_ISA_LEVEL == 1
    const vf8 h = v;
#endif
#if ATTN4J_ISA_LEVEL >= 1
    vf4 x = op(__builtin_shufflevector(h, h, 0, 1, 2, 3), __builtin_shufflevector(h, h, 4, 5, 6, 7));
#else
    vf4 x = v;
#endif
    x = op(x, __builtin_shufflevector(x, x, 2, 3, 2, 3));
    return op(x[0], x[1]);
}

inline float hsum(vf v) {
    return fold(v, [](auto a, auto b) { return a + b; });
}
inline float hmax(vf v) {
    return fold(v, [](auto a, auto b) { return a > b ? a : b; }); // vmax, at every width
}

// ---------------------------------------------------------------- exp, Φ, GELU

// 2^n from s = n + 1.5·2^23 held as a float (|n| ≤ 127): n sits in the low mantissa bits, and
// (bits(s) − bits(1.5·2^23) + 127) << 23 is 2^n's pattern (n = −127 gives +0). Unsigned
// arithmetic: every bit pattern of s is defined behaviour, a NaN's included.
inline float pow2_of_shifted(float s) {
    uint32_t bits;
    __builtin_memcpy(&bits, &s, sizeof bits);
    bits = (bits + (127u - 0x4B400000u)) << 23;
    float y;
    __builtin_memcpy(&y, &bits, sizeof y);
    return y;
}
inline vf pow2_of_shifted(vf s) { return (vf)(((vu)s + (127u - 0x4B400000u)) << 23); }

template <class V> inline V splat_as(float x);
template <> inline float splat_as<float>(float x) { return x; }
template <> inline vf splat_as<vf>(float x) { return splat(x); }

// e^x, for V = float (loops the compiler vectorises) and V = vf alike. Range reduction
// x = n·ln2 + r with |r| ≤ ln2/2, Cephes' degree-6 polynomial for e^r (relative error ≈ 1.2e-7,
// within 2 ulp), then 2^n in the exponent bits.
//   x < −88: +0 (x clamps to −88, where n = −127 has exponent field 0; the true value is
//            below 1.2e-38 from −87.68 on), −∞ included;
//   x > 88.375: e^88.375 ≈ 2.4e38 (n stays ≤ 127; every caller passes differences from a
//            maximum or other arguments ≤ 0, so nothing reaches it);
//   NaN: NaN (the clamps let it through; any arithmetic on it stays NaN).
template <class V> inline V exp(V x) {
    const V magic = splat_as<V>(12582912.0f); // 1.5·2^23: x·log2e + magic rounds to an integer
    x = vmax(splat_as<V>(-88.0f), x);
    x = vmin(splat_as<V>(88.375f), x);
    const V shifted = fmadd(x, splat_as<V>(1.44269504088896341f), magic);
    const V n = shifted - magic;
    V r = fmadd(n, splat_as<V>(-0.693359375f), x); // ln 2 in two parts, so that n·hi is exact
    r = fmadd(n, splat_as<V>(2.12194440e-4f), r);
    V p = splat_as<V>(1.9875691500e-4f);
    p = fmadd(p, r, splat_as<V>(1.3981999507e-3f));
    p = fmadd(p, r, splat_as<V>(8.3334519073e-3f));
    p = fmadd(p, r, splat_as<V>(4.1665795894e-2f));
    p = fmadd(p, r, splat_as<V>(1.6666665459e-1f));
    p = fmadd(p, r, splat_as<V>(5.0000001201e-1f));
    const V one = splat_as<V>(1.0f);
    p = fmadd(fmadd(p, r, one), r, one); // p·r² + r + 1
    return p * pow2_of_shifted(shifted);
}

// |x| and "x < 0 ? a : b", for V = float and V = vf alike.
inline float vabs(float x) { return __builtin_fabsf(x); }
inline vf vabs(vf x) { return (vf)((vu)x & 0x7FFFFFFFu); }
inline float if_negative(float x, float a, float b) { return x < 0.0f ? a : b; }
inline vf if_negative(vf x, vf a, vf b) { return select(x < 0.0f, a, b); }

// Φ(x), the standard normal CDF, through erfc: Φ(x) = ½·erfc(−x/√2). erfc uses the Chebyshev
// fit of Numerical Recipes (fractional error < 1.2e-7 for every z ≥ 0), so Φ keeps its
// relative accuracy in the far negative tail where 1 + erf(x/√2) would cancel. Within 3e-7
// relative down to x = −8. The same operations in the same order for float and vf: a GELU
// applied to a product's registers (linear_packed_tiles.h) gives the bits of the row kernel's.
template <class V> inline V normal_cdf(V x) {
    const float kInvSqrt2 = 0.70710678118654752f;
    const V one = splat_as<V>(1.0f), half = splat_as<V>(0.5f);
    const V z = vabs(x) * kInvSqrt2; // |x|/√2
    const V t = one / fmadd(half, z, one);
    V p = splat_as<V>(0.17087277f);
    p = fmadd(p, t, splat_as<V>(-0.82215223f));
    p = fmadd(p, t, splat_as<V>(1.48851587f));
    p = fmadd(p, t, splat_as<V>(-1.13520398f));
    p = fmadd(p, t, splat_as<V>(0.27886807f));
    p = fmadd(p, t, splat_as<V>(-0.18628806f));
    p = fmadd(p, t, splat_as<V>(0.09678418f));
    p = fmadd(p, t, splat_as<V>(0.37409196f));
    p = fmadd(p, t, splat_as<V>(1.00002368f));
    p = fmadd(p, t, splat_as<V>(-1.26551223f));
    const V half_erfc = half * (t * exp(p - z * z)); // ½·erfc(|x|/√2)
    return if_negative(x, half_erfc, one - half_erfc);
}

// GELU with the erf form: x·Φ(x).
template <class V> inline V gelu_exact(V x) { return x * normal_cdf(x); }

} // namespace
} // namespace ATTN4J_KERNEL_NS
} // namespace attn4j
