// attn4j_matmul: c[B..., m, n] = alpha · op(a) · op(b), batched with broadcasting, any strides.
#include "common.h"
#include "context.h"
#include "matmul_exec.h"
#include "strided.h"

#include <string>
#include <utility>

using namespace attn4j;

namespace {

// t as a view of rank `rank` (leading dims padded with 1), last two axes swapped if asked.
MatView operand_view(const attn4j_tensor &t, bool transpose, int rank) {
    MatView v;
    v.ndim = rank;
    const int lead = rank - t.ndim;
    for (int d = 0; d < rank; ++d) {
        v.dims[d] = d < lead ? 1 : t.shape[d - lead];
        v.strides[d] = d < lead ? 0 : t.strides[d - lead];
    }
    if (transpose) {
        std::swap(v.dims[rank - 2], v.dims[rank - 1]);
        std::swap(v.strides[rank - 2], v.strides[rank - 1]);
    }
    v.data = static_cast<float *>(t.data);
    return v;
}

std::string dims_string(const MatView &v) {
    attn4j_tensor t{};
    t.ndim = v.ndim;
    for (int d = 0; d < v.ndim; ++d) t.shape[d] = v.dims[d];
    return shape_string(t);
}

} // namespace

extern "C" {

ATTN4J_API attn4j_status attn4j_matmul(attn4j_context *ctx, const attn4j_tensor *a, int32_t trans_a,
                                       const attn4j_tensor *b, int32_t trans_b, float alpha,
                                       attn4j_tensor *c) {
    return guarded([&] {
        int32_t threads;
        if (attn4j_status s = check_context(ctx, &threads)) return s;
        if (attn4j_status s = check_tensor(a, "a", ATTN4J_DTYPE_F32, 2, ATTN4J_MAX_DIMS)) return s;
        if (attn4j_status s = check_tensor(b, "b", ATTN4J_DTYPE_F32, 2, ATTN4J_MAX_DIMS)) return s;
        if (attn4j_status s = check_tensor(c, "c", ATTN4J_DTYPE_F32, 2, ATTN4J_MAX_DIMS)) return s;
        const int rank = a->ndim > b->ndim ? a->ndim : b->ndim;
        if (c->ndim != rank)
            return fail(ATTN4J_ERR_SHAPE_MISMATCH,
                        "c: expected rank %d (the larger of a's and b's), got %d", rank, c->ndim);
        MatView av = operand_view(*a, trans_a != 0, rank); // op(a) [B..., m, k]
        MatView bv = operand_view(*b, trans_b != 0, rank); // op(b) [B..., k, n]
        if (av.dims[rank - 1] != bv.dims[rank - 2])
            return fail(ATTN4J_ERR_SHAPE_MISMATCH,
                        "b: expected %lld rows in op(b) to match op(a) %s (trans_a=%d), got "
                        "op(b) %s (trans_b=%d)",
                        (long long)av.dims[rank - 1], dims_string(av).c_str(), trans_a,
                        dims_string(bv).c_str(), trans_b);
        MatView cv = operand_view(*c, false, rank); // [B..., m, n]
        attn4j_tensor expected = *c;
        bool ok = true;
        for (int d = 0; d < rank - 2; ++d) {
            int64_t ad = av.dims[d], bd = bv.dims[d];
            if (ad != bd && ad != 1 && bd != 1)
                return fail(ATTN4J_ERR_SHAPE_MISMATCH,
                            "b: expected batch dim %d to be %lld or 1 (broadcast with a %s), "
                            "got b %s",
                            d, (long long)ad, shape_string(*a).c_str(), shape_string(*b).c_str());
            expected.shape[d] = ad == 1 ? bd : ad;
            ok = ok && cv.dims[d] == expected.shape[d];
        }
        expected.shape[rank - 2] = av.dims[rank - 2];
        expected.shape[rank - 1] = bv.dims[rank - 1];
        ok = ok && cv.dims[rank - 2] == expected.shape[rank - 2] &&
             cv.dims[rank - 1] == expected.shape[rank - 1];
        if (!ok)
            return fail(ATTN4J_ERR_SHAPE_MISMATCH, "c: expected shape %s, got %s",
                        shape_string(expected).c_str(), shape_string(*c).c_str());
        if (attn4j_status s = check_output_layout(*c, "c")) return s;
        return matmul_exec(ctx, av, bv, nullptr, cv, alpha);
    });
}

} // extern "C"
