// attn4j_head_mix: talking heads, y[b, g, n...] = Σ_h weight[g, h] · x[b, h, n...], as one
// batched oneDNN matmul weight[g, h] · x_b[h, n] with the weight broadcast over the batch.
#include "common.h"
#include "context.h"
#include "matmul_exec.h"
#include "strided.h"

using namespace attn4j;

extern "C" {

ATTN4J_API attn4j_status attn4j_head_mix(attn4j_context *ctx, const attn4j_tensor *x,
                                         const attn4j_tensor *weight, attn4j_tensor *y) {
    return guarded([&] {
        if (attn4j_status s = check_tensor(weight, "weight", ATTN4J_DTYPE_F32, 2, 2)) return s;
        int32_t threads;
        if (attn4j_status s = check_in_out(ctx, &threads, {x, "x"}, {y, "y"}, 2)) return s;
        const int64_t heads = x->shape[1];
        if (weight->shape[0] != heads || weight->shape[1] != heads)
            return fail(ATTN4J_ERR_SHAPE_MISMATCH,
                        "weight: expected shape [%lld, %lld] (x's heads), got %s", (long long)heads,
                        (long long)heads, shape_string(*weight).c_str());
        if (attn4j_status s = check_output_like(*y, "y", *x, "x")) return s;
        if (x->data == y->data && numel(*x) > 0)
            return fail(ATTN4J_ERR_INVALID_ARG,
                        "y: expected memory apart from x (head mixing reads every head of a "
                        "position before writing it), got the same address %p",
                        y->data);

        // The n... dims of x and y merged as far as both layouts allow; all but the last
        // become batch dims next to b. Matmul dims: [b, n_1.., (g|h), n_last].
        Nest<2> positions;
        positions.ndim = x->ndim - 2;
        for (int d = 2; d < x->ndim; ++d) {
            positions.shape[d - 2] = x->shape[d];
            positions.strides[0][d - 2] = x->strides[d];
            positions.strides[1][d - 2] = y->strides[d];
        }
        positions.collapse(false);
        const int np = positions.ndim, nd = np + 2;
        MatView a, bv, c; // a = weight [1..., g, h], bv = x [b, n..., h, n_last], c = y
        a.ndim = bv.ndim = c.ndim = nd;
        a.dims[0] = 1;
        a.strides[0] = 0;
        bv.dims[0] = c.dims[0] = x->shape[0];
        bv.strides[0] = x->strides[0];
        c.strides[0] = y->strides[0];
        for (int p = 0; p < np - 1; ++p) {
            a.dims[1 + p] = 1;
            a.strides[1 + p] = 0;
            bv.dims[1 + p] = c.dims[1 + p] = positions.shape[p];
            bv.strides[1 + p] = positions.strides[0][p];
            c.strides[1 + p] = positions.strides[1][p];
        }
        a.dims[nd - 2] = a.dims[nd - 1] = heads;
        a.strides[nd - 2] = weight->strides[0];
        a.strides[nd - 1] = weight->strides[1];
        bv.dims[nd - 2] = c.dims[nd - 2] = heads;
        bv.strides[nd - 2] = x->strides[1];
        c.strides[nd - 2] = y->strides[1];
        bv.dims[nd - 1] = c.dims[nd - 1] = positions.shape[np - 1];
        bv.strides[nd - 1] = positions.strides[0][np - 1];
        c.strides[nd - 1] = positions.strides[1][np - 1];
        a.data = static_cast<float *>(weight->data);
        bv.data = static_cast<float *>(x->data);
        c.data = static_cast<float *>(y->data);
        return matmul_exec(ctx, a, bv, nullptr, c, 1.0f);
    });
}

} // extern "C"
