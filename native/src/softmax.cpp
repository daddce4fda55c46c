// attn4j_softmax: y = softmax(x) along the last or the second-to-last axis, on any strides,
// stable (the maximum is subtracted before exp), y may alias x.
#include "common.h"
#include "context.h"
#include "kernels.h"
#include "strided.h"
#include "parallel.h"

#include <algorithm>

using namespace attn4j;

namespace {

// Softmax over the last dim of the rows of `nest` (tensor 0 = x, tensor 1 = y).
void softmax_rows(const Nest<2> &nest, const float *x, float *y, int threads) {
    const int64_t rows = nest.rows(), n = nest.inner();
    const int64_t xs = nest.strides[0][nest.ndim - 1], ys = nest.strides[1][nest.ndim - 1];
    const Kernels &k = kernels();
    parallel_for(rows, threads_for(rows * n, threads), [&](int64_t r) {
        int64_t off[2];
        nest.row_offsets(r, off);
        k.softmax_row(x + off[0], xs, y + off[1], ys, n);
    });
}

} // namespace

extern "C" {

ATTN4J_API attn4j_status attn4j_softmax(attn4j_context *ctx, const attn4j_tensor *x, int32_t axis,
                                        attn4j_tensor *y) {
    return guarded([&] {
        int32_t threads;
        if (attn4j_status s = check_in_out(ctx, &threads, {x, "x"}, {y, "y"}, 1)) return s;
        if (axis != -1 && axis != -2)
            return fail(ATTN4J_ERR_INVALID_ARG, "axis: expected -1 or -2, got %d", axis);
        if (axis == -2 && x->ndim < 2)
            return fail(ATTN4J_ERR_INVALID_ARG, "axis: expected -1 for x of rank 1, got -2");
        if (attn4j_status s = check_output_like(*y, "y", *x, "x")) return s;
        if (numel(*x) == 0) return ATTN4J_OK;
        const float *xd = static_cast<const float *>(x->data);
        float *yd = static_cast<float *>(y->data);
        const int nd = x->ndim;

        // Axis −1, or axis −2 over a last dim of 1 (the same thing): rows along the axis.
        if (axis == -1 || x->shape[nd - 1] == 1) {
            const int ax = axis == -1 ? nd - 1 : nd - 2;
            Nest<2> nest; // dims except the axis, then the axis
            for (int d = 0; d < nd; ++d) {
                if (d == ax) continue;
                nest.shape[nest.ndim] = x->shape[d];
                nest.strides[0][nest.ndim] = x->strides[d];
                nest.strides[1][nest.ndim] = y->strides[d];
                ++nest.ndim;
            }
            nest.shape[nest.ndim] = x->shape[ax];
            nest.strides[0][nest.ndim] = x->strides[ax];
            nest.strides[1][nest.ndim] = y->strides[ax];
            ++nest.ndim;
            nest.collapse(true);
            softmax_rows(nest, xd, yd, threads);
            return ATTN4J_OK;
        }

        // Axis −2: x [outer..., n, m], each of the m columns normalised over n.
        Nest<2> outer;
        outer.ndim = nd - 2;
        for (int d = 0; d < nd - 2; ++d) {
            outer.shape[d] = x->shape[d];
            outer.strides[0][d] = x->strides[d];
            outer.strides[1][d] = y->strides[d];
        }
        // An extra last dim of 1 makes row_offsets() cover every outer dim.
        outer.shape[outer.ndim] = 1;
        outer.strides[0][outer.ndim] = outer.strides[1][outer.ndim] = 1;
        ++outer.ndim;
        outer.collapse(true);
        const int64_t slices = outer.rows();
        const int64_t n = x->shape[nd - 2], m = x->shape[nd - 1];
        const int64_t xs_n = x->strides[nd - 2], xs_m = x->strides[nd - 1];
        const int64_t ys_n = y->strides[nd - 2], ys_m = y->strides[nd - 1];
        const Kernels &k = kernels();
        const int64_t blocks = (m + kSoftmaxColumnBlock - 1) / kSoftmaxColumnBlock;
        parallel_for(slices * blocks, threads_for(slices * n * m, threads), [&](int64_t task) {
            int64_t off[2];
            outer.row_offsets(task / blocks, off);
            const int64_t j0 = task % blocks * kSoftmaxColumnBlock;
            const int64_t w = std::min(kSoftmaxColumnBlock, m - j0);
            const float *xb = xd + off[0] + j0 * xs_m;
            float *yb = yd + off[1] + j0 * ys_m;
            k.softmax_columns(xb, xs_n, xs_m, yb, ys_n, ys_m, n, w);
        });
        return ATTN4J_OK;
    });
}

} // extern "C"
