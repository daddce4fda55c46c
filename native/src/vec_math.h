// Branch-free float exp and GELU written so that the compiler vectorises loops over them
// (glibc's expf/erff are scalar calls that stop vectorisation). Accuracy: exp within 2 ulp on
// [-87.3, 88.7]; Φ (GELU's erf part) within 3e-7 relative down to x = −8.
//
// Included only by kernels_impl.h, inside the namespace of one instruction set: nothing here
// may call an out-of-line function shared with other files (no std:: templates, which a
// -mavx2 file could otherwise emit for the portable code to pick up).
#pragma once

#ifndef ATTN4J_KERNEL_NS
#error "vec_math.h belongs inside kernels_impl.h"
#endif

#include <cstdint>

namespace attn4j {
namespace ATTN4J_KERNEL_NS {
namespace {

inline float min_f(float a, float b) { return b < a ? b : a; }
inline float max_f(float a, float b) { return a < b ? b : a; }

inline float bits_to_float(int32_t bits) {
    float f;
    __builtin_memcpy(&f, &bits, sizeof f);
    return f;
}

inline int32_t float_to_bits(float f) {
    int32_t bits;
    __builtin_memcpy(&bits, &f, sizeof bits);
    return bits;
}

// e^x. Range reduction x = n·ln2 + r with |r| ≤ ln2/2, then Cephes' degree-6 polynomial for
// e^r, then scaling by 2^n built in the exponent bits. Below −87.3 the true value is
// subnormal (< 1.2e-38) and we return 0; above 88.7 it overflows to +inf; NaN stays NaN.
inline float exp_approx(float x) {
    const float kMagic = 12582912.0f; // 1.5·2^23: adding it rounds to an integer in the low bits
    const float kLog2e = 1.44269504088896341f;
    const float kLn2Hi = 0.693359375f; // ln 2 split in two so that n·kLn2Hi is exact
    const float kLn2Lo = -2.12194440e-4f;
    float xc = min_f(max_f(x, -87.3f), 88.7f);
    float shifted = xc * kLog2e + kMagic;
    float n = shifted - kMagic;
    int32_t ni = float_to_bits(shifted) - float_to_bits(kMagic); // n as an integer, |n| ≤ 128
    float r = xc - n * kLn2Hi;
    r = r - n * kLn2Lo;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    // 2^n as two factors so that n = 128 (x near 88.7) does not overflow the exponent field.
    int32_t half = ni >> 1;
    float scale1 = bits_to_float((half + 127) << 23);
    float scale2 = bits_to_float((ni - half + 127) << 23);
    float y = p * scale1 * scale2;
    y = x < -87.3f ? 0.0f : y;
    y = x > 88.7f ? __builtin_inff() : y;
    return x != x ? x : y;
}

// Φ(x), the standard normal CDF, through erfc: Φ(x) = ½·erfc(−x/√2). erfc uses the Chebyshev
// fit of Numerical Recipes (fractional error < 1.2e-7 for every z ≥ 0), so Φ keeps its
// relative accuracy in the far negative tail where 1 + erf(x/√2) would cancel.
inline float normal_cdf(float x) {
    const float kInvSqrt2 = 0.70710678118654752f;
    float z = (x < 0.0f ? -x : x) * kInvSqrt2; // |x|/√2
    float t = 1.0f / (1.0f + 0.5f * z);
    float p = 0.17087277f;
    p = p * t - 0.82215223f;
    p = p * t + 1.48851587f;
    p = p * t - 1.13520398f;
    p = p * t + 0.27886807f;
    p = p * t - 0.18628806f;
    p = p * t + 0.09678418f;
    p = p * t + 0.37409196f;
    p = p * t + 1.00002368f;
    p = p * t - 1.26551223f;
    float erfc_z = t * exp_approx(p - z * z); // erfc(|x|/√2)
    return x < 0.0f ? 0.5f * erfc_z : 1.0f - 0.5f * erfc_z;
}

// GELU with the erf form: x·Φ(x).
inline float gelu_exact(float x) { return x * normal_cdf(x); }

} // namespace
} // namespace ATTN4J_KERNEL_NS
} // namespace attn4j
