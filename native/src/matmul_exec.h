// One oneDNN matmul on strided float views, its primitive cached in the context: the engine
// under attn4j_linear, attn4j_matmul and attn4j_head_mix.
#pragma once

#include "attn4j.h"
#include "epilogue.h"

#include <cstdint>

namespace attn4j {

// A strided float view with room for any rank a public op can produce.
struct MatView {
    int ndim = 0; // 2..ATTN4J_MAX_DIMS: batch dims, then the two matrix dims
    int64_t dims[ATTN4J_MAX_DIMS] = {};
    int64_t strides[ATTN4J_MAX_DIMS] = {};
    float *data = nullptr;
};

// Threads a matmul of `flops` arithmetic runs on, at most `threads`: the calling thread alone
// below 32 MFLOP, then one more per 16 MFLOP (see kMatmulFlopsPerThread in matmul_exec.cpp).
int matmul_threads(double flops, int threads);

// c[B..., m, n] = alpha · a[B..., m, k] · b[B..., k, n]  (+ bias[1..., 1, n] when bias is set,
// which needs alpha = 1), then the epilogue (epilogue.h: a oneDNN post-op, applied while the
// block is still in registers, so no second pass over c; it needs alpha = 1 too). The views
// share one ndim; each batch dim of a and b equals c's or is 1 (broadcast). Inputs may have any
// non-negative strides (layouts oneDNN cannot take, or would only take through its slow
// reference kernel, are copied densely first); c must not overlap itself. Runs on up to the
// context's threads (matmul_threads); the caller has checked everything else.
attn4j_status matmul_exec(attn4j_context *ctx, const MatView &a, const MatView &b,
                          const MatView *bias, const MatView &c, float alpha,
                          Epilogue epilogue = Epilogue::kNone);

} // namespace attn4j
