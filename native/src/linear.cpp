// attn4j_linear: y[..., out] = x[..., in] · weight[out, in]ᵀ + bias[out], PyTorch's Linear,
// as one oneDNN matmul that reads the weight in place through a transposed view; and the same
// with what follows it in a transformer fused into that matmul: attn4j_linear_gelu (the
// feed-forward's activation) and attn4j_linear_residual (y += ..., the residual connection);
// attn4j_linear_packed, any of the three given the weight's packed copy too (products of up to
// packed_max_rows() rows read that instead, linear_packed.h).
#include "common.h"
#include "context.h"
#include "linear_packed.h"
#include "matmul_exec.h"
#include "strided.h"

using namespace attn4j;

namespace {

// packed: the weight's copy from attn4j_linear_pack, or NULL (attn4j_linear and its variants).
attn4j_status linear(attn4j_context *ctx, const attn4j_tensor *x, const attn4j_tensor *weight,
                     const attn4j_tensor *packed, const attn4j_tensor *bias, attn4j_tensor *y,
                     Epilogue epilogue) {
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
        if (packed != nullptr) {
            if (attn4j_status s = check_tensor(packed, "packed", ATTN4J_DTYPE_F32, 1, 1)) return s;
            int64_t floats = -1;
            if (!packed_floats(out, in, &floats) || packed->shape[0] != floats || !is_contiguous(*packed))
                return fail(ATTN4J_ERR_SHAPE_MISMATCH,
                            "packed: expected a contiguous [%lld] (attn4j_linear_pack of weight %s), "
                            "got shape %s, stride %lld",
                            (long long)floats, shape_string(*weight).c_str(),
                            shape_string(*packed).c_str(), (long long)packed->strides[0]);
        }

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

        // Few rows in one run, both last dims contiguous: the product over the packed copy.
        const int64_t m = rows.rows() * rows.inner();
        if (packed != nullptr && rows.ndim == 1 && m <= packed_max_rows() && in > 0 &&
            (x->strides[lead] == 1 || in == 1) && (y->strides[lead] == 1 || out == 1)) {
            packed_linear::Product product;
            product.x = static_cast<const float *>(x->data);
            product.packed = static_cast<const float *>(packed->data);
            product.bias = bias != nullptr ? static_cast<const float *>(bias->data) : nullptr;
            product.y = static_cast<float *>(y->data);
            product.x_rs = rows.strides[0][0];
            product.bias_s = bias != nullptr ? bias->strides[0] : 0;
            product.y_rs = rows.strides[1][0];
            product.m = m;
            product.k = in;
            product.n = out;
            product.epilogue = epilogue;
            packed_product(product, threads);
            return ATTN4J_OK;
        }

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
    return linear(ctx, x, weight, nullptr, bias, y, Epilogue::kNone);
}

ATTN4J_API attn4j_status attn4j_linear_gelu(attn4j_context *ctx, const attn4j_tensor *x,
                                            const attn4j_tensor *weight, const attn4j_tensor *bias,
                                            attn4j_tensor *y) {
    return linear(ctx, x, weight, nullptr, bias, y, Epilogue::kGelu);
}

ATTN4J_API attn4j_status attn4j_linear_residual(attn4j_context *ctx, const attn4j_tensor *x,
                                                const attn4j_tensor *weight,
                                                const attn4j_tensor *bias, attn4j_tensor *y) {
    return linear(ctx, x, weight, nullptr, bias, y, Epilogue::kAccumulate);
}

ATTN4J_API attn4j_status attn4j_linear_packed(attn4j_context *ctx, const attn4j_tensor *x,
                                              const attn4j_tensor *weight,
                                              const attn4j_tensor *packed,
                                              const attn4j_tensor *bias, int32_t epilogue,
                                              attn4j_tensor *y) {
    Epilogue e;
    switch (epilogue) {
    case ATTN4J_EPILOGUE_NONE: e = Epilogue::kNone; break;
    case ATTN4J_EPILOGUE_GELU: e = Epilogue::kGelu; break;
    case ATTN4J_EPILOGUE_RESIDUAL: e = Epilogue::kAccumulate; break;
    default:
        return guarded([&] {
            return fail(ATTN4J_ERR_INVALID_ARG,
                        "epilogue: expected ATTN4J_EPILOGUE_NONE, _GELU or _RESIDUAL (0..2), got %d",
                        (int)epilogue);
        });
    }
    if (packed == nullptr)
        return guarded([] { return fail(ATTN4J_ERR_NULL_ARGUMENT, "packed: expected a tensor, got NULL"); });
    return linear(ctx, x, weight, packed, bias, y, e);
}

} // extern "C"
