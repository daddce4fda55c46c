// What a product does with each output element of x·W (+ bias) before it stores it: one
// definition for the oneDNN matmul (matmul_exec.h, as a post-op) and the packed few-row
// kernels (linear_packed_kernels.h), so that attn4j_linear and its variants pass theirs to
// either path as it is.
#pragma once

namespace attn4j {

enum class Epilogue {
    kNone,
    // c = gelu(a·b + bias). oneDNN's post-op is its erf GELU: within 1.5e-6 (absolute) of the
    // exact x·Φ(x) over the whole float range (measured: 1.06e-6 near |x| = 3 in oneDNN 3.13's
    // AVX-512 kernels, 3.7e-7 in its AVX2 ones; test_linear_fused), and 0 below x ≈ −5.54,
    // where the exact value's magnitude is under 6.1e-8. Products of few rows through a
    // weight stored [out, in] (computed transposed) and the packed kernels take attn4j_gelu's
    // exact GELU instead.
    kGelu,
    // c = c + a·b + bias: c's old contents are read first (the residual connection).
    kAccumulate,
};

} // namespace attn4j
