// attn4j_add: y = a + b with b broadcast to a's shape (numpy rules), any strides; y may
// alias a.
#include "common.h"
#include "context.h"
#include "strided.h"
#include "parallel.h"

using namespace attn4j;

extern "C" {

ATTN4J_API attn4j_status attn4j_add(attn4j_context *ctx, const attn4j_tensor *a,
                                    const attn4j_tensor *b, attn4j_tensor *y) {
    return guarded([&] {
        int32_t threads;
        if (attn4j_status s = check_in_out(ctx, &threads, {a, "a"}, {y, "y"}, 0)) return s;
        if (attn4j_status s = check_tensor(b, "b", ATTN4J_DTYPE_F32, 0, a->ndim)) return s;
        if (attn4j_status s = check_broadcastable(*b, "b", *a, "a")) return s;
        if (attn4j_status s = check_output_like(*y, "y", *a, "a")) return s;
        if (numel(*a) == 0) return ATTN4J_OK;
        Nest<3> nest; // [a, b, y] over a's shape; b broadcasts with stride 0
        nest.ndim = a->ndim;
        int64_t b_strides[ATTN4J_MAX_DIMS];
        broadcast_strides(*b, a->ndim, b_strides);
        for (int d = 0; d < a->ndim; ++d) {
            nest.shape[d] = a->shape[d];
            nest.strides[0][d] = a->strides[d];
            nest.strides[1][d] = b_strides[d];
            nest.strides[2][d] = y->strides[d];
        }
        nest.collapse(false);
        const int64_t rows = nest.rows(), n = nest.inner();
        const int last = nest.ndim - 1;
        const int64_t as = nest.strides[0][last], bs = nest.strides[1][last],
                      ys = nest.strides[2][last];
        const float *ad = static_cast<const float *>(a->data);
        const float *bd = static_cast<const float *>(b->data);
        float *yd = static_cast<float *>(y->data);
        parallel_chunks(rows, n, 8192, threads_for(rows * n, threads), [&](int64_t row, int64_t k0,
                                                                           int64_t k1) {
            int64_t off[3];
            nest.row_offsets(row, off);
            const float *ar = ad + off[0];
            const float *br = bd + off[1];
            float *yr = yd + off[2];
            if (as == 1 && bs == 1 && ys == 1) {
#pragma omp simd
                for (int64_t k = k0; k < k1; ++k) yr[k] = ar[k] + br[k];
            } else if (as == 1 && bs == 0 && ys == 1) { // a row plus one scalar of b
                const float bv = br[0];
#pragma omp simd
                for (int64_t k = k0; k < k1; ++k) yr[k] = ar[k] + bv;
            } else {
                for (int64_t k = k0; k < k1; ++k) yr[k * ys] = ar[k * as] + br[k * bs];
            }
        });
        return ATTN4J_OK;
    });
}

} // extern "C"
