// attn4j_relu: y = max(x, 0) elementwise over any strided view (the activation of PyTorch's
// transformer layers by default).
#include "common.h"
#include "strided.h"
#include "parallel.h"

#include <omp.h>

#include <algorithm>
#include <cstring>

namespace attn4j {
namespace {

attn4j_status relu(attn4j_context *ctx, const attn4j_tensor *x, attn4j_tensor *y) {
    int32_t threads = 0;
    attn4j_status st;
    if ((st = check_in_out(ctx, &threads, {x, "x"}, {y, "y"}, 0))) return st;
    if ((st = check_same_shape(*y, "y", *x, "x"))) return st;
    const int64_t count = numel(*x);
    if (count == 0) return ATTN4J_OK;
    const float *src = static_cast<const float *>(x->data);
    float *dst = static_cast<float *>(y->data);
    // Rows along the last dim (a rank-0 tensor is one row of one element).
    const int rank = x->ndim;
    const int64_t inner = rank == 0 ? 1 : x->shape[rank - 1];
    const int64_t xs = rank == 0 ? 1 : x->strides[rank - 1];
    const int64_t ys = rank == 0 ? 1 : y->strides[rank - 1];
    const int64_t rows = count / inner;
    const int nthreads = (int)std::max<int64_t>(1, std::min<int64_t>(threads, count / 65536 + 1));
    parallel_for(rows, nthreads, [&](int64_t row) {
        int64_t xo = 0, yo = 0, rest = row;
        for (int d = rank - 2; d >= 0; --d) {
            const int64_t index = rest % x->shape[d];
            rest /= x->shape[d];
            xo += index * x->strides[d];
            yo += index * y->strides[d];
        }
        const float *a = src + xo;
        float *out = dst + yo;
        if (xs == 1 && ys == 1) {
            // NaN stays NaN: (v > 0 || v != v) keeps it, where std::max(v, 0) would not.
            for (int64_t c = 0; c < inner; ++c) out[c] = a[c] > 0.0f || a[c] != a[c] ? a[c] : 0.0f;
        } else {
            for (int64_t c = 0; c < inner; ++c) {
                const float v = a[c * xs];
                out[c * ys] = v > 0.0f || v != v ? v : 0.0f;
            }
        }
    });
    return ATTN4J_OK;
}

} // namespace
} // namespace attn4j

extern "C" ATTN4J_API attn4j_status attn4j_relu(attn4j_context *ctx, const attn4j_tensor *x,
                                                attn4j_tensor *y) {
    return attn4j::guarded([&] { return attn4j::relu(ctx, x, y); });
}
