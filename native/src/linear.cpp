// attn4j_linear: y[..., out] = x[..., in] · weight[out, in]ᵀ + bias[out], PyTorch's Linear,
// as one oneDNN matmul that reads the weight in place through a transposed view; and the same
// with what follows it in a transformer fused into that matmul: attn4j_linear_gelu (the
// feed-forward's activation) and attn4j_linear_residual (y += ..., the residual connection).
#include "common.h"
#include "context.h"
#include "matmul_exec.h"
#include "strided.h"

using namespace attn4j;

namespace {

attn4j_status linear(attn4j_context *ctx, const attn4j_tensor *x, const attn4j_tensor *weight,
                     const attn4j_tensor *bias, attn4j_tensor *y, Epilogue epilogue) {
    return guarded([&] {
        int32_t threads;
        if (attn4j_status s = check_context(ctx, &threads)) return s;
        if (attn4j_status s = check_tensor(x, "x", ATTN4J_DTYPE_F32, 1, ATTN4J_MAX_DIMS)) return s;
        if (attn4j_status s = check_tensor(weight, "weight", ATTN4J_DTYPE_F32, 2, 2)) return s;
        if (attn4j_status s = check_optional(bias, "bias", ATTN4J_DTYPE_F32, 1, 1)) return s;
        if (attn4j_status s = check_tensor(y, "y", ATTN4J_DTYPE_F32, 1, ATTN4J_MAX_DIMS)) return s;
        const int lead = x->ndim - 1;
        const int64_t in = weight->shape[1], out = weight->shape[0];
        if (x->shape[lead] != in)
            return fail(ATTN4J_ERR_SHAPE_MISMATCH,
                        "x: expected last dim %lld (weight %s is [out, in]), got shape %s",
                        (long long)in, shape_string(*weight).c_str(), shape_string(*x).c_str());
        if (bias != nullptr && bias->shape[0] != out)
            return fail(ATTN4J_ERR_SHAPE_MISMATCH, "bias: expected shape [%lld], got %s",
                        (long long)out, shape_string(*bias).c_str());
        bool y_ok = y->ndim == x->ndim && y->shape[lead] == out;
        for (int d = 0; d < lead && y_ok; ++d) y_ok = y->shape[d] == x->shape[d];
        if (!y_ok) {
            attn4j_tensor expected = *x;
            expected.shape[lead] = out;
            return fail(ATTN4J_ERR_SHAPE_MISMATCH, "y: expected shape %s, got %s",
                        shape_string(expected).c_str(), shape_string(*y).c_str());
        }
        if (attn4j_status s = check_output_layout(*y, "y")) return s;

        // The leading dims of x and y, merged as far as both layouts allow: usually into one
        // run of rows m. What stays apart becomes batch dims with the weight broadcast.
        Nest<2> rows;
        rows.ndim = lead;
        for (int d = 0; d < lead; ++d) {
            rows.shape[d] = x->shape[d];
            rows.strides[0][d] = x->strides[d];
            rows.strides[1][d] = y->strides[d];
        }
        rows.collapse(false);
        const int nd = rows.ndim + 1; // batch dims, m, then k or n

        MatView a, b, c, bias_view; // a = x [B..., m, in], b = weightᵀ [1..., in, out]
        a.ndim = b.ndim = c.ndim = bias_view.ndim = nd;
        for (int d = 0; d < nd - 1; ++d) {
            a.dims[d] = c.dims[d] = rows.shape[d];
            a.strides[d] = rows.strides[0][d];
            c.strides[d] = rows.strides[1][d];
            b.dims[d] = bias_view.dims[d] = 1;
            b.strides[d] = bias_view.strides[d] = 0;
        }
        a.dims[nd - 1] = in;
        a.strides[nd - 1] = x->strides[lead];
        c.dims[nd - 1] = out;
        c.strides[nd - 1] = y->strides[lead];
        b.dims[nd - 2] = in; // weightᵀ: the [out, in] buffer read with its strides swapped
        b.strides[nd - 2] = weight->strides[1];
        b.dims[nd - 1] = out;
        b.strides[nd - 1] = weight->strides[0];
        a.data = static_cast<float *>(x->data);
        b.data = static_cast<float *>(weight->data);
        c.data = static_cast<float *>(y->data);
        if (bias != nullptr) {
            bias_view.dims[nd - 1] = out;
            bias_view.strides[nd - 1] = bias->strides[0];
            bias_view.data = static_cast<float *>(bias->data);
        }
        return matmul_exec(ctx, a, b, bias != nullptr ? &bias_view : nullptr, c, 1.0f, epilogue);
    });
}

} // namespace

extern "C" {

ATTN4J_API attn4j_status attn4j_linear(attn4j_context *ctx, const attn4j_tensor *x,
                                       const attn4j_tensor *weight, const attn4j_tensor *bias,
                                       attn4j_tensor *y) {
    return linear(ctx, x, weight, bias, y, Epilogue::kNone);
}

ATTN4J_API attn4j_status attn4j_linear_gelu(attn4j_context *ctx, const attn4j_tensor *x,
                                            const attn4j_tensor *weight, const attn4j_tensor *bias,
                                            attn4j_tensor *y) {
    return linear(ctx, x, weight, bias, y, Epilogue::kGelu);
}

ATTN4J_API attn4j_status attn4j_linear_residual(attn4j_context *ctx, const attn4j_tensor *x,
                                                const attn4j_tensor *weight,
                                                const attn4j_tensor *bias, attn4j_tensor *y) {
    return linear(ctx, x, weight, bias, y, Epilogue::kAccumulate);
}

} // extern "C"
