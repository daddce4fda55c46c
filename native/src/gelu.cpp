// attn4j_gelu: the exact (erf) GELU, y = x·Φ(x), elementwise on any strides; y may alias x.
#include "common.h"
#include "context.h"
#include "kernels.h"
#include "strided.h"
#include "parallel.h"

using namespace attn4j;

extern "C" {

ATTN4J_API attn4j_status attn4j_gelu(attn4j_context *ctx, const attn4j_tensor *x,
                                     attn4j_tensor *y) {
    return guarded([&] {
        int32_t threads;
        if (attn4j_status s = check_in_out(ctx, &threads, {x, "x"}, {y, "y"}, 0)) return s;
        if (attn4j_status s = check_output_like(*y, "y", *x, "x")) return s;
        if (numel(*x) == 0) return ATTN4J_OK;
        Nest<2> nest; // [x, y] over x's shape, merged into the longest runs both allow
        nest.ndim = x->ndim;
        for (int d = 0; d < x->ndim; ++d) {
            nest.shape[d] = x->shape[d];
            nest.strides[0][d] = x->strides[d];
            nest.strides[1][d] = y->strides[d];
        }
        nest.collapse(false);
        const int64_t rows = nest.rows(), n = nest.inner();
        const int64_t xs = nest.strides[0][nest.ndim - 1], ys = nest.strides[1][nest.ndim - 1];
        const float *xd = static_cast<const float *>(x->data);
        float *yd = static_cast<float *>(y->data);
        const Kernels &k = kernels();
        parallel_chunks(rows, n, 4096, threads_for(rows * n, threads), [&](int64_t row, int64_t k0,
                                                                           int64_t k1) {
            int64_t off[2];
            nest.row_offsets(row, off);
            k.gelu(xd + off[0] + k0 * xs, xs, yd + off[1] + k0 * ys, ys, k1 - k0);
        });
        return ATTN4J_OK;
    });
}

} // extern "C"
