// The tile kernels of attn4j_sdpa_fused (contract: sdpa_kernels.h), written once over the
// vector-math layer and compiled per ISA by kernels_<isa>.cpp: the gemm is the microkernel of
// microkernel.h, the softmax pieces its exp and reductions.
#pragma once

#include "microkernel.h"
#include "sdpa_kernels.h"

namespace attn4j {
namespace ATTN4J_KERNEL_NS {
namespace {

static_assert(sdpa::kCols == kStripCols, "the sdpa column granule is one microkernel strip");

void gemm(const float *a, int64_t lda, const float *b, int64_t ldb, float *c, int64_t ldc,
          int64_t rows, int64_t kdim, int64_t cols, int accumulate) {
    for (int64_t n = 0; n < cols; n += kStripCols)
        for_strips(rows, [&](auto strip, int64_t r0) {
            constexpr int MR = decltype(strip)::value;
            float *cr = c + r0 * ldc + n; // [MR, 16] of c
            vf acc[MR][kVecs];
            for (int r = 0; r < MR; ++r)
                for (int v = 0; v < kVecs; ++v)
                    acc[r][v] = accumulate ? load(cr + r * ldc + v * kLanes) : zero();
            strip_fma<MR>(acc, a + r0 * lda, lda, 1, b + n, ldb, kdim);
            for (int r = 0; r < MR; ++r)
                for (int v = 0; v < kVecs; ++v) store(cr + r * ldc + v * kLanes, acc[r][v]);
        });
}

float max_n(const float *x, int64_t n) {
    vf m = splat(-kInf);
    int64_t k = 0;
    for (; k + kLanes <= n; k += kLanes) m = vmax(m, load(x + k));
    if (k < n) {
        const vm in = lanes_below(n - k);
        m = vmax(m, select(in, load_masked(x + k, in), splat(-kInf)));
    }
    return hmax(m);
}

float exp_sum(float *x, int64_t n, float shift) {
    const vf s = splat(shift);
    vf acc = zero();
    int64_t k = 0;
    for (; k + kLanes <= n; k += kLanes) {
        const vf y = exp(load(x + k) - s);
        store(x + k, y);
        acc = acc + y;
    }
    if (k < n) {
        const vm in = lanes_below(n - k);
        const vf y = select(in, exp(load_masked(x + k, in) - s), zero());
        store_masked(x + k, in, y);
        acc = acc + y;
    }
    return hsum(acc);
}

void scale(float *y, int64_t n, float alpha) {
    const vf a = splat(alpha);
    int64_t k = 0;
    for (; k + kLanes <= n; k += kLanes) store(y + k, load(y + k) * a);
    if (k < n) {
        const vm in = lanes_below(n - k);
        store_masked(y + k, in, load_masked(y + k, in) * a);
    }
}

} // namespace

extern const sdpa::Kernels kSdpaKernels;
const sdpa::Kernels kSdpaKernels = {gemm, max_n, exp_sum, scale};

} // namespace ATTN4J_KERNEL_NS
} // namespace attn4j
