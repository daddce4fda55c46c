// Every op refuses bad arguments with the right status and a message that names the argument:
// NULL context and tensors, negative dims and strides, overflowing sizes, missing or
// misaligned data, wrong dtypes and ranks, mismatched shapes, a bad axis or eps, overlapping
// outputs. Nothing here may crash.
#include "test_util.h"

#include <climits>

using namespace t4j;

namespace {

// A valid float tensor of `shape` with data, to be spoiled by each case.
Tensor ok(std::vector<int64_t> shape) {
    Tensor t(shape);
    for (int64_t k = 0; k < t.numel(); ++k) t.at(k) = 0.25f * (float)(k % 7);
    return t;
}

// The ways a descriptor can be malformed, each applied to a copy of a valid one.
struct Spoiled {
    attn4j_tensor t;
    attn4j_status code;
    const char *needle;
};

std::vector<Spoiled> spoil(const attn4j_tensor &good) {
    std::vector<Spoiled> out;
    attn4j_tensor t = good;
    t.ndim = -1;
    out.push_back({t, ATTN4J_ERR_INVALID_ARG, "rank"});
    t = good;
    t.ndim = ATTN4J_MAX_DIMS + 1;
    out.push_back({t, ATTN4J_ERR_INVALID_ARG, "rank"});
    t = good;
    t.dtype = ATTN4J_DTYPE_F64;
    out.push_back({t, ATTN4J_ERR_DTYPE, "expected dtype"});
    t = good;
    t.dtype = 77;
    out.push_back({t, ATTN4J_ERR_DTYPE, "expected dtype"});
    t = good;
    t.shape[0] = -3;
    out.push_back({t, ATTN4J_ERR_INVALID_ARG, "dims >= 0"});
    t = good;
    t.strides[t.ndim - 1] = -1;
    out.push_back({t, ATTN4J_ERR_INVALID_ARG, "strides >= 0"});
    t = good;
    t.shape[0] = INT64_MAX / 2; // rank 1: its byte extent overflows; otherwise the count too
    if (t.ndim > 1) t.shape[t.ndim - 1] = 4;
    out.push_back({t, ATTN4J_ERR_OVERFLOW, "overflows"});
    t = good;
    t.strides[0] = INT64_MAX / 2;
    out.push_back({t, ATTN4J_ERR_OVERFLOW, "overflows"});
    t = good;
    t.data = nullptr;
    out.push_back({t, ATTN4J_ERR_NULL_ARGUMENT, "NULL"});
    t = good;
    t.data = static_cast<char *>(good.data) + 1;
    out.push_back({t, ATTN4J_ERR_INVALID_ARG, "aligned"});
    return out;
}

// Runs `call(tensor)` with each spoiled version of `good` and expects its status and a
// message naming `name`.
template <class Call> void each_spoiled(const attn4j_tensor &good, const char *name, Call call) {
    for (Spoiled s : spoil(good)) {
        attn4j_status got = call(&s.t);
        const char *msg = attn4j_last_error();
        EXPECT(got == s.code, "%s spoiled (%s): got %s, expected %s: %s", name, s.needle,
               attn4j_status_string(got), attn4j_status_string(s.code), msg);
        EXPECT(std::strstr(msg, name) != nullptr && std::strstr(msg, s.needle) != nullptr,
               "%s spoiled: message \"%s\" should name \"%s\" and say \"%s\"", name, msg, name,
               s.needle);
    }
    EXPECT(call(nullptr) == ATTN4J_ERR_NULL_ARGUMENT, "%s = NULL: %s", name, attn4j_last_error());
}

} // namespace

int main() {
    Context c(2);
    attn4j_context *ctx = c;

    // ---- linear
    {
        Tensor x = ok({3, 5}), w = ok({4, 5}), b = ok({4}), y = ok({3, 4});
        EXPECT_OK(attn4j_linear(ctx, &x.t, &w.t, &b.t, &y.t));
        EXPECT_STATUS(ATTN4J_ERR_NULL_ARGUMENT, attn4j_linear(nullptr, &x.t, &w.t, &b.t, &y.t),
                      "ctx");
        each_spoiled(x.t, "x",
                     [&](attn4j_tensor *t) { return attn4j_linear(ctx, t, &w.t, &b.t, &y.t); });
        each_spoiled(w.t, "weight",
                     [&](attn4j_tensor *t) { return attn4j_linear(ctx, &x.t, t, &b.t, &y.t); });
        each_spoiled(y.t, "y",
                     [&](attn4j_tensor *t) { return attn4j_linear(ctx, &x.t, &w.t, &b.t, t); });
        Tensor w_bad = ok({4, 6}), b_bad = ok({5}), y_bad = ok({3, 5}), y_rank = ok({12});
        EXPECT_STATUS(ATTN4J_ERR_SHAPE_MISMATCH, attn4j_linear(ctx, &x.t, &w_bad.t, &b.t, &y.t),
                      "expected last dim 6");
        EXPECT_STATUS(ATTN4J_ERR_SHAPE_MISMATCH, attn4j_linear(ctx, &x.t, &w.t, &b_bad.t, &y.t),
                      "bias: expected shape [4]");
        EXPECT_STATUS(ATTN4J_ERR_SHAPE_MISMATCH, attn4j_linear(ctx, &x.t, &w.t, &b.t, &y_bad.t),
                      "y: expected shape [3, 4], got [3, 5]");
        EXPECT_STATUS(ATTN4J_ERR_SHAPE_MISMATCH, attn4j_linear(ctx, &x.t, &w.t, &b.t, &y_rank.t),
                      "y: expected shape");
        Tensor w3 = ok({4, 5, 1});
        EXPECT_STATUS(ATTN4J_ERR_INVALID_ARG, attn4j_linear(ctx, &x.t, &w3.t, &b.t, &y.t),
                      "weight: expected rank 2, got 3");
        Tensor b_dtype = ok({4});
        b_dtype.t.dtype = ATTN4J_DTYPE_BF16;
        EXPECT_STATUS(ATTN4J_ERR_DTYPE, attn4j_linear(ctx, &x.t, &w.t, &b_dtype.t, &y.t),
                      "bias: expected dtype F32, got BF16");
        attn4j_tensor y_overlap = y.t;
        y_overlap.strides[0] = 1; // rows on top of each other
        EXPECT_STATUS(ATTN4J_ERR_INVALID_ARG, attn4j_linear(ctx, &x.t, &w.t, &b.t, &y_overlap),
                      "do not overlap");
        // the fused variants share linear's checks
        for (auto fused : {attn4j_linear_gelu, attn4j_linear_residual}) {
            EXPECT_OK(fused(ctx, &x.t, &w.t, &b.t, &y.t));
            EXPECT_STATUS(ATTN4J_ERR_NULL_ARGUMENT, fused(nullptr, &x.t, &w.t, &b.t, &y.t), "ctx");
            each_spoiled(x.t, "x", [&](attn4j_tensor *t) { return fused(ctx, t, &w.t, &b.t, &y.t); });
            each_spoiled(y.t, "y", [&](attn4j_tensor *t) { return fused(ctx, &x.t, &w.t, &b.t, t); });
            EXPECT_STATUS(ATTN4J_ERR_SHAPE_MISMATCH, fused(ctx, &x.t, &w.t, &b.t, &y_bad.t),
                          "y: expected shape [3, 4], got [3, 5]");
            EXPECT_STATUS(ATTN4J_ERR_INVALID_ARG, fused(ctx, &x.t, &w.t, &b.t, &y_overlap),
                          "do not overlap");
        }
    }
    // ---- matmul
    {
        Tensor a = ok({2, 3, 5}), b = ok({2, 5, 4}), cc = ok({2, 3, 4});
        EXPECT_OK(attn4j_matmul(ctx, &a.t, 0, &b.t, 0, 1.0f, &cc.t));
        EXPECT_STATUS(ATTN4J_ERR_NULL_ARGUMENT,
                      attn4j_matmul(nullptr, &a.t, 0, &b.t, 0, 1.0f, &cc.t), "ctx");
        each_spoiled(a.t, "a", [&](attn4j_tensor *t) {
            return attn4j_matmul(ctx, t, 0, &b.t, 0, 1.0f, &cc.t);
        });
        each_spoiled(b.t, "b", [&](attn4j_tensor *t) {
            return attn4j_matmul(ctx, &a.t, 0, t, 0, 1.0f, &cc.t);
        });
        each_spoiled(cc.t, "c", [&](attn4j_tensor *t) {
            return attn4j_matmul(ctx, &a.t, 0, &b.t, 0, 1.0f, t);
        });
        EXPECT_STATUS(ATTN4J_ERR_SHAPE_MISMATCH, attn4j_matmul(ctx, &a.t, 1, &b.t, 0, 1.0f, &cc.t),
                      "op(b)");
        Tensor b3 = ok({3, 5, 4}), c_bad = ok({2, 3, 5}), c_rank = ok({3, 4}), a1 = ok({5});
        EXPECT_STATUS(ATTN4J_ERR_SHAPE_MISMATCH, attn4j_matmul(ctx, &a.t, 0, &b3.t, 0, 1.0f, &cc.t),
                      "batch dim 0");
        EXPECT_STATUS(ATTN4J_ERR_SHAPE_MISMATCH,
                      attn4j_matmul(ctx, &a.t, 0, &b.t, 0, 1.0f, &c_bad.t),
                      "c: expected shape [2, 3, 4], got [2, 3, 5]");
        EXPECT_STATUS(ATTN4J_ERR_SHAPE_MISMATCH,
                      attn4j_matmul(ctx, &a.t, 0, &b.t, 0, 1.0f, &c_rank.t), "c: expected rank 3");
        EXPECT_STATUS(ATTN4J_ERR_INVALID_ARG, attn4j_matmul(ctx, &a1.t, 0, &b.t, 0, 1.0f, &cc.t),
                      "a: expected rank 2..8, got 1");
    }
    // ---- softmax
    {
        Tensor x = ok({3, 5}), y = ok({3, 5}), y_bad = ok({5, 3}), x1 = ok({5});
        EXPECT_OK(attn4j_softmax(ctx, &x.t, -1, &y.t));
        EXPECT_STATUS(ATTN4J_ERR_NULL_ARGUMENT, attn4j_softmax(nullptr, &x.t, -1, &y.t), "ctx");
        each_spoiled(x.t, "x", [&](attn4j_tensor *t) { return attn4j_softmax(ctx, t, -1, &y.t); });
        each_spoiled(y.t, "y", [&](attn4j_tensor *t) { return attn4j_softmax(ctx, &x.t, -1, t); });
        for (int axis : {0, 1, -3, 2, INT_MIN})
            EXPECT_STATUS(ATTN4J_ERR_INVALID_ARG, attn4j_softmax(ctx, &x.t, axis, &y.t),
                          "axis: expected -1 or -2");
        EXPECT_STATUS(ATTN4J_ERR_INVALID_ARG, attn4j_softmax(ctx, &x1.t, -2, &x1.t), "axis");
        EXPECT_STATUS(ATTN4J_ERR_SHAPE_MISMATCH, attn4j_softmax(ctx, &x.t, -1, &y_bad.t),
                      "y: expected shape [3, 5] (as x), got [5, 3]");
        attn4j_tensor y_bcast = y.t;
        y_bcast.strides[0] = 0;
        EXPECT_STATUS(ATTN4J_ERR_INVALID_ARG, attn4j_softmax(ctx, &x.t, -1, &y_bcast),
                      "y: expected strides");
    }
    // ---- rms_norm, layer_norm
    {
        Tensor x = ok({3, 5}), w = ok({5}), b = ok({5}), y = ok({3, 5}), w_bad = ok({4});
        EXPECT_OK(attn4j_rms_norm(ctx, &x.t, &w.t, 1e-6f, &y.t));
        EXPECT_OK(attn4j_layer_norm(ctx, &x.t, &w.t, &b.t, 1e-6f, &y.t));
        EXPECT_STATUS(ATTN4J_ERR_NULL_ARGUMENT, attn4j_rms_norm(nullptr, &x.t, &w.t, 1e-6f, &y.t),
                      "ctx");
        EXPECT_STATUS(ATTN4J_ERR_NULL_ARGUMENT,
                      attn4j_layer_norm(nullptr, &x.t, &w.t, &b.t, 1e-6f, &y.t), "ctx");
        each_spoiled(x.t, "x",
                     [&](attn4j_tensor *t) { return attn4j_rms_norm(ctx, t, &w.t, 1e-6f, &y.t); });
        each_spoiled(w.t, "weight",
                     [&](attn4j_tensor *t) { return attn4j_rms_norm(ctx, &x.t, t, 1e-6f, &y.t); });
        each_spoiled(y.t, "y",
                     [&](attn4j_tensor *t) { return attn4j_rms_norm(ctx, &x.t, &w.t, 1e-6f, t); });
        each_spoiled(x.t, "x", [&](attn4j_tensor *t) {
            return attn4j_layer_norm(ctx, t, &w.t, &b.t, 1e-6f, &y.t);
        });
        each_spoiled(y.t, "y", [&](attn4j_tensor *t) {
            return attn4j_layer_norm(ctx, &x.t, &w.t, &b.t, 1e-6f, t);
        });
        // weight and bias of layer_norm are optional: NULL is fine, a spoiled one is not.
        for (Spoiled s : spoil(b.t))
            EXPECT_STATUS(s.code, attn4j_layer_norm(ctx, &x.t, &w.t, &s.t, 1e-6f, &y.t), "bias");
        EXPECT_OK(attn4j_layer_norm(ctx, &x.t, nullptr, nullptr, 1e-6f, &y.t));
        EXPECT_STATUS(ATTN4J_ERR_SHAPE_MISMATCH, attn4j_rms_norm(ctx, &x.t, &w_bad.t, 1e-6f, &y.t),
                      "weight: expected shape [5]");
        EXPECT_STATUS(ATTN4J_ERR_SHAPE_MISMATCH,
                      attn4j_layer_norm(ctx, &x.t, &w.t, &w_bad.t, 1e-6f, &y.t),
                      "bias: expected shape [5]");
        for (float eps : {-1.0f, NAN, INFINITY}) {
            EXPECT_STATUS(ATTN4J_ERR_INVALID_ARG, attn4j_rms_norm(ctx, &x.t, &w.t, eps, &y.t),
                          "eps");
            EXPECT_STATUS(ATTN4J_ERR_INVALID_ARG,
                          attn4j_layer_norm(ctx, &x.t, &w.t, &b.t, eps, &y.t), "eps");
        }
    }
    // ---- gelu, add
    {
        Tensor x = ok({3, 5}), y = ok({3, 5}), b = ok({5}), b_bad = ok({3}), b_rank = ok({1, 3, 5}),
               y_bad = ok({3, 4});
        EXPECT_OK(attn4j_gelu(ctx, &x.t, &y.t));
        EXPECT_OK(attn4j_add(ctx, &x.t, &b.t, &y.t));
        EXPECT_STATUS(ATTN4J_ERR_NULL_ARGUMENT, attn4j_gelu(nullptr, &x.t, &y.t), "ctx");
        EXPECT_STATUS(ATTN4J_ERR_NULL_ARGUMENT, attn4j_add(nullptr, &x.t, &b.t, &y.t), "ctx");
        each_spoiled(x.t, "x", [&](attn4j_tensor *t) { return attn4j_gelu(ctx, t, &y.t); });
        each_spoiled(y.t, "y", [&](attn4j_tensor *t) { return attn4j_gelu(ctx, &x.t, t); });
        each_spoiled(x.t, "a", [&](attn4j_tensor *t) { return attn4j_add(ctx, t, &b.t, &y.t); });
        each_spoiled(b.t, "b", [&](attn4j_tensor *t) { return attn4j_add(ctx, &x.t, t, &y.t); });
        each_spoiled(y.t, "y", [&](attn4j_tensor *t) { return attn4j_add(ctx, &x.t, &b.t, t); });
        EXPECT_STATUS(ATTN4J_ERR_SHAPE_MISMATCH, attn4j_gelu(ctx, &x.t, &y_bad.t),
                      "y: expected shape [3, 5]");
        EXPECT_STATUS(ATTN4J_ERR_SHAPE_MISMATCH, attn4j_add(ctx, &x.t, &b_bad.t, &y.t),
                      "b: expected a shape that broadcasts to a [3, 5]");
        EXPECT_STATUS(ATTN4J_ERR_INVALID_ARG, attn4j_add(ctx, &x.t, &b_rank.t, &y.t),
                      "b: expected rank 0..2, got 3");
        EXPECT_STATUS(ATTN4J_ERR_SHAPE_MISMATCH, attn4j_add(ctx, &x.t, &b.t, &y_bad.t),
                      "y: expected shape [3, 5] (as a)");
    }
    // ---- bca_softmax
    {
        Tensor sim = ok({2, 3, 4, 5}), attn = ok({2, 3, 4, 5}), cattn = ok({2, 3, 4, 5});
        Tensor bias = ok({3, 4, 5}), mask({2, 4}, dense(), ATTN4J_DTYPE_BOOL),
               cmask({2, 5}, dense(), ATTN4J_DTYPE_BOOL);
        for (int64_t k = 0; k < 8; ++k) mask.byte(k) = 1;
        for (int64_t k = 0; k < 10; ++k) cmask.byte(k) = 1;
        EXPECT_OK(attn4j_bca_softmax(ctx, &sim.t, &bias.t, &mask.t, &cmask.t, &attn.t, &cattn.t));
        auto run = [&](attn4j_tensor *s, attn4j_tensor *bi, attn4j_tensor *m, attn4j_tensor *cm,
                       attn4j_tensor *a,
                       attn4j_tensor *ca) { return attn4j_bca_softmax(ctx, s, bi, m, cm, a, ca); };
        EXPECT_STATUS(
            ATTN4J_ERR_NULL_ARGUMENT,
            attn4j_bca_softmax(nullptr, &sim.t, &bias.t, &mask.t, &cmask.t, &attn.t, &cattn.t),
            "ctx");
        each_spoiled(sim.t, "sim", [&](attn4j_tensor *t) {
            return run(t, &bias.t, &mask.t, &cmask.t, &attn.t, &cattn.t);
        });
        each_spoiled(attn.t, "attn", [&](attn4j_tensor *t) {
            return run(&sim.t, &bias.t, &mask.t, &cmask.t, t, &cattn.t);
        });
        each_spoiled(cattn.t, "context_attn", [&](attn4j_tensor *t) {
            return run(&sim.t, &bias.t, &mask.t, &cmask.t, &attn.t, t);
        });
        for (Spoiled s : spoil(bias.t))
            EXPECT_STATUS(s.code, run(&sim.t, &s.t, &mask.t, &cmask.t, &attn.t, &cattn.t),
                          "rel_pos_bias");
        attn4j_tensor float_mask = mask.t;
        float_mask.dtype = ATTN4J_DTYPE_F32;
        EXPECT_STATUS(ATTN4J_ERR_DTYPE,
                      run(&sim.t, &bias.t, &float_mask, &cmask.t, &attn.t, &cattn.t),
                      "mask: expected dtype BOOL, got F32");
        EXPECT_STATUS(ATTN4J_ERR_SHAPE_MISMATCH,
                      run(&sim.t, &bias.t, &cmask.t, nullptr, &attn.t, &cattn.t),
                      "mask: expected shape [2, 4] [b, i], got [2, 5]");
        EXPECT_STATUS(ATTN4J_ERR_SHAPE_MISMATCH,
                      run(&sim.t, &bias.t, nullptr, &mask.t, &attn.t, &cattn.t),
                      "context_mask: expected shape [2, 5]");
        Tensor bias_bad = ok({4, 4, 5}), bias5 = ok({1, 2, 3, 4, 5}), attn_bad = ok({2, 3, 5, 4});
        EXPECT_STATUS(ATTN4J_ERR_SHAPE_MISMATCH,
                      run(&sim.t, &bias_bad.t, nullptr, nullptr, &attn.t, &cattn.t),
                      "rel_pos_bias: expected a shape that broadcasts");
        EXPECT_STATUS(ATTN4J_ERR_INVALID_ARG,
                      run(&sim.t, &bias5.t, nullptr, nullptr, &attn.t, &cattn.t),
                      "rel_pos_bias: expected rank 1..4, got 5");
        EXPECT_STATUS(ATTN4J_ERR_SHAPE_MISMATCH,
                      run(&sim.t, nullptr, nullptr, nullptr, &attn_bad.t, &cattn.t),
                      "attn: expected shape [2, 3, 4, 5] (as sim)");
        EXPECT_STATUS(ATTN4J_ERR_INVALID_ARG,
                      run(&sim.t, nullptr, nullptr, nullptr, &attn.t, &sim.t),
                      "context_attn: expected memory apart");
        EXPECT_STATUS(ATTN4J_ERR_INVALID_ARG,
                      run(&sim.t, nullptr, nullptr, nullptr, &attn.t, &attn.t),
                      "context_attn: expected memory apart");
    }
    // ---- head_mix
    {
        Tensor x = ok({2, 3, 4}), w = ok({3, 3}), y = ok({2, 3, 4}), w_bad = ok({3, 4}),
               y_bad = ok({2, 3, 5});
        EXPECT_OK(attn4j_head_mix(ctx, &x.t, &w.t, &y.t));
        EXPECT_STATUS(ATTN4J_ERR_NULL_ARGUMENT, attn4j_head_mix(nullptr, &x.t, &w.t, &y.t), "ctx");
        each_spoiled(x.t, "x",
                     [&](attn4j_tensor *t) { return attn4j_head_mix(ctx, t, &w.t, &y.t); });
        each_spoiled(w.t, "weight",
                     [&](attn4j_tensor *t) { return attn4j_head_mix(ctx, &x.t, t, &y.t); });
        each_spoiled(y.t, "y",
                     [&](attn4j_tensor *t) { return attn4j_head_mix(ctx, &x.t, &w.t, t); });
        EXPECT_STATUS(ATTN4J_ERR_SHAPE_MISMATCH, attn4j_head_mix(ctx, &x.t, &w_bad.t, &y.t),
                      "weight: expected shape [3, 3]");
        EXPECT_STATUS(ATTN4J_ERR_SHAPE_MISMATCH, attn4j_head_mix(ctx, &x.t, &w.t, &y_bad.t),
                      "y: expected shape [2, 3, 4] (as x)");
        EXPECT_STATUS(ATTN4J_ERR_INVALID_ARG, attn4j_head_mix(ctx, &x.t, &w.t, &x.t),
                      "y: expected memory apart from x");
    }
    // A failed call leaves its message; the next successful call clears it.
    {
        Tensor x = ok({3, 5}), y = ok({3, 5});
        EXPECT(attn4j_gelu(ctx, &x.t, nullptr) != ATTN4J_OK, "gelu(y = NULL)");
        EXPECT(attn4j_last_error()[0] != '\0', "message set");
        EXPECT_OK(attn4j_gelu(ctx, &x.t, &y.t));
        EXPECT(attn4j_last_error()[0] == '\0', "message cleared: \"%s\"", attn4j_last_error());
    }
    return finish("test_bad_args");
}
