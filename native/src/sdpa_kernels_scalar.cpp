// Portable C++ tile kernels of attn4j_sdpa_fused (plain loops the compiler vectorises with
// the baseline ISA), and the run-time choice between them and the AVX2+FMA ones.
#include "sdpa_kernels.h"

#include "kernels.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace attn4j {
namespace sdpa {

namespace {

void gemm(const float *a, int64_t lda, const float *b, int64_t ldb, float *c, int64_t ldc,
          int64_t rows, int64_t kdim, int64_t cols, int accumulate) {
    for (int64_t r = 0; r < rows; ++r) {
        float *cr = c + r * ldc;
        if (!accumulate) std::memset(cr, 0, sizeof(float) * (size_t)cols);
        for (int64_t k = 0; k < kdim; ++k) {
            const float ark = a[r * lda + k];
            const float *bk = b + k * ldb;
            for (int64_t n = 0; n < cols; ++n) cr[n] += ark * bk[n];
        }
    }
}

float max(const float *x, int64_t n) {
    float m = -std::numeric_limits<float>::infinity();
    for (int64_t k = 0; k < n; ++k) m = x[k] > m ? x[k] : m;
    return m;
}

float exp_sum(float *x, int64_t n, float shift) {
    float sum = 0;
    for (int64_t k = 0; k < n; ++k) {
        x[k] = std::exp(x[k] - shift); // exp(−∞) is exactly 0
        sum += x[k];
    }
    return sum;
}

void scale(float *y, int64_t n, float alpha) {
    for (int64_t k = 0; k < n; ++k) y[k] *= alpha;
}

} // namespace

const Kernels kScalarKernels = {gemm, max, exp_sum, scale, 0};

const Kernels &select_kernels() {
    // The library's one switch (kernels.h): the CPU check, so that the -mavx2 -mfma code never
    // runs where it would be an illegal instruction, and ATTN4J_FORCE_SCALAR.
    return avx2_kernels_enabled() ? kAvx2Kernels : kScalarKernels;
}

} // namespace sdpa
} // namespace attn4j
