// attn4j_linear_pack and attn4j_linear_packed against double-precision loops: every epilogue,
// with and without bias, row counts on both sides of the packed path's limit (32), output
// widths on both sides of a panel (16), padded and unmergeable layouts (the latter through the
// plain weight); that few rows really read the packed copy and more rows the plain weight; the
// same bits on 1 and 2 threads; and the argument checks.
#include "linear_reference.h"
#include "test_util.h"

#include <cmath>
#include <cstdlib>

using namespace t4j;

namespace {

// The packed copy of w, in storage the test owns.
Tensor pack(const Tensor &w) {
    int64_t floats = -1;
    EXPECT_OK(attn4j_linear_pack_size(w.t.shape[0], w.t.shape[1], &floats));
    Tensor packed({floats});
    EXPECT_OK(attn4j_linear_pack(&w.t, &packed.t));
    return packed;
}

// x [lead..., in] · w [out, in]ᵀ (+ bias), the epilogue applied; y's old values for the residual.
void check(attn4j_context *ctx, int32_t epilogue, std::vector<int64_t> lead, int64_t in,
           int64_t out, bool with_bias, Layout xl, Layout yl, uint64_t seed) {
    Rng rng(seed);
    LinearOperands operands(lead, in, out, xl, yl, rng); // y's old values: the residual
    Tensor &x = operands.x, &w = operands.w, &b = operands.b, &y = operands.y;
    Tensor packed = pack(w);
    std::vector<double> want = linear_product(x, w, with_bias ? &b : nullptr);
    for (size_t k = 0; k < want.size(); ++k) {
        if (epilogue == ATTN4J_EPILOGUE_GELU) want[k] = gelu_exact(want[k]);
        if (epilogue == ATTN4J_EPILOGUE_RESIDUAL) want[k] += y.at((int64_t)k);
    }
    std::string what = "linear_packed epilogue " + std::to_string(epilogue) + " x" +
                       shape_str(x.t) + " w" + shape_str(w.t) + (with_bias ? " +bias" : "") +
                       " seed " + std::to_string(seed);
    EXPECT_OK(attn4j_linear_packed(ctx, &x.t, &w.t, &packed.t, with_bias ? &b.t : nullptr,
                                   epilogue, &y.t));
    // the GEMM's rounding (as test_linear_fused) plus oneDNN's GELU (1.5e-6) where it runs
    expect_close(y, want, 1e-5 * std::sqrt((double)in + 1) + 1.5e-6, 1e-5, what);
}

// True where the kernels run AVX-512 (the CPU's best, capped by ATTN4J_ISA): the packed product
// then takes every row count, elsewhere up to 32 rows.
bool packed_takes_all_rows() {
    attn4j_info info{};
    return attn4j_get_info(&info) == ATTN4J_OK && info.fused_kernel_isa == 2;
}

// A packed copy of w2 beside the plain w: the packed path must give x·w2ᵀ, the plain one x·wᵀ.
void check_path(attn4j_context *ctx, int64_t rows, bool packed_expected) {
    Rng rng(99 + rows);
    const int64_t in = 24, out = 40;
    Tensor x({rows, in}), w({out, in}), w2({out, in}), y({rows, out});
    x.randomize(rng);
    w.randomize(rng);
    w2.randomize(rng);
    Tensor packed = pack(w2);
    const Tensor &used = packed_expected ? w2 : w;
    std::vector<double> want;
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t o = 0; o < out; ++o) {
            double acc = 0;
            for (int64_t k = 0; k < in; ++k) acc += (double)x.at(r * in + k) * used.at(o * in + k);
            want.push_back(acc);
        }
    EXPECT_OK(attn4j_linear_packed(ctx, &x.t, &w.t, &packed.t, nullptr, ATTN4J_EPILOGUE_NONE, &y.t));
    expect_close(y, want, 1e-5 * std::sqrt((double)in + 1), 1e-5,
                 "linear_packed path at " + std::to_string(rows) + " rows");
}

// The packed product split over 2 threads gives the bits of 1 thread (split by blocks of rows
// and columns, never by k).
void check_threads(attn4j_context *one, attn4j_context *two, int64_t rows, int64_t in, int64_t out) {
    Rng rng(7 + rows);
    Tensor x({rows, in}), w({out, in}), b({out}), y1({rows, out}), y2({rows, out});
    x.randomize(rng);
    w.randomize(rng);
    b.randomize(rng);
    Tensor packed = pack(w);
    for (int32_t e : {ATTN4J_EPILOGUE_NONE, ATTN4J_EPILOGUE_GELU}) {
        EXPECT_OK(attn4j_linear_packed(one, &x.t, &w.t, &packed.t, &b.t, e, &y1.t));
        EXPECT_OK(attn4j_linear_packed(two, &x.t, &w.t, &packed.t, &b.t, e, &y2.t));
        EXPECT(std::memcmp(y1.f.data(), y2.f.data(), y1.f.size() * sizeof(float)) == 0,
               "linear_packed epilogue %d: 1 and 2 threads differ", e);
    }
}

// Split products back to back, alternately of 2 and 24 chunks, each adding into its y (the
// residual): a chunk run twice or a loop returning before its last chunk (a helper claiming a
// chunk of the next loop with the last one's state) changes the bits against 1 thread.
void check_back_to_back(attn4j_context *one, attn4j_context *two) {
    Rng rng(11);
    const int64_t rows = 4, in = 16, narrow = 128, wide = 1536; // 2 and 24 chunks of 4 panels
    Tensor x({rows, in}), wn({narrow, in}), ww({wide, in});
    x.randomize(rng);
    wn.randomize(rng);
    ww.randomize(rng);
    Tensor pn = pack(wn), pw = pack(ww);
    Tensor yn1({rows, narrow}), yw1({rows, wide}), yn2({rows, narrow}), yw2({rows, wide});
    setenv("ATTN4J_PACKED_SPLIT_FLOPS", "1", 1); // split from 1 FLOP on
    for (int step = 0; step < 4000; ++step) {
        EXPECT_OK(attn4j_linear_packed(one, &x.t, &wn.t, &pn.t, nullptr, ATTN4J_EPILOGUE_RESIDUAL, &yn1.t));
        EXPECT_OK(attn4j_linear_packed(one, &x.t, &ww.t, &pw.t, nullptr, ATTN4J_EPILOGUE_RESIDUAL, &yw1.t));
        EXPECT_OK(attn4j_linear_packed(two, &x.t, &wn.t, &pn.t, nullptr, ATTN4J_EPILOGUE_RESIDUAL, &yn2.t));
        EXPECT_OK(attn4j_linear_packed(two, &x.t, &ww.t, &pw.t, nullptr, ATTN4J_EPILOGUE_RESIDUAL, &yw2.t));
    }
    unsetenv("ATTN4J_PACKED_SPLIT_FLOPS");
    EXPECT(std::memcmp(yn1.f.data(), yn2.f.data(), yn1.f.size() * sizeof(float)) == 0 &&
               std::memcmp(yw1.f.data(), yw2.f.data(), yw1.f.size() * sizeof(float)) == 0,
           "linear_packed back to back: 1 and 2 threads differ");
}

void check_bad_args(attn4j_context *ctx) {
    int64_t floats = -1;
    EXPECT_STATUS(ATTN4J_ERR_INVALID_ARG, attn4j_linear_pack_size(-1, 4, &floats), "out, in");
    EXPECT_STATUS(ATTN4J_ERR_OVERFLOW, attn4j_linear_pack_size(INT64_MAX / 2, 8, &floats), "overflows");
    EXPECT_STATUS(ATTN4J_ERR_NULL_ARGUMENT, attn4j_linear_pack_size(4, 4, nullptr), "floats");
    EXPECT_OK(attn4j_linear_pack_size(17, 3, &floats));
    EXPECT(floats == 32 * 3, "pack size of [17, 3]: %lld, expected 96", (long long)floats);
    Tensor x({2, 3}), w({17, 3}), y({2, 17}), small({95}), right({96});
    EXPECT_STATUS(ATTN4J_ERR_SHAPE_MISMATCH, attn4j_linear_pack(&w.t, &small.t), "packed");
    EXPECT_OK(attn4j_linear_pack(&w.t, &right.t));
    EXPECT_STATUS(ATTN4J_ERR_SHAPE_MISMATCH,
                  attn4j_linear_packed(ctx, &x.t, &w.t, &small.t, nullptr, 0, &y.t), "packed");
    EXPECT_STATUS(ATTN4J_ERR_INVALID_ARG,
                  attn4j_linear_packed(ctx, &x.t, &w.t, &right.t, nullptr, 3, &y.t), "epilogue");
    EXPECT_STATUS(ATTN4J_ERR_NULL_ARGUMENT,
                  attn4j_linear_packed(ctx, &x.t, &w.t, nullptr, nullptr, 0, &y.t), "packed");
}

} // namespace

int main() {
    Context ctx(2), single(1);
    uint64_t seed = 1;
    for (int32_t e : {ATTN4J_EPILOGUE_NONE, ATTN4J_EPILOGUE_GELU, ATTN4J_EPILOGUE_RESIDUAL}) {
        for (bool bias : {true, false}) {
            check(ctx, e, {1}, 1, 1, bias, dense(), dense(), seed++);
            check(ctx, e, {3}, 13, 15, bias, dense(), dense(), seed++);
            check(ctx, e, {16}, 64, 16, bias, dense(), dense(), seed++);
            check(ctx, e, {17}, 37, 33, bias, dense(), dense(), seed++);
            check(ctx, e, {2, 8}, 384, 100, bias, dense(), dense(), seed++);
            check(ctx, e, {64}, 96, 129, bias, dense(), dense(), seed++);
            check(single, e, {13}, 19, 47, bias, dense(), dense(), seed++);
            check(ctx, e, {130}, 40, 31, bias, dense(), dense(), seed++);
            check(ctx, e, {257}, 40, 31, bias, dense(), dense(), seed++); // the plain weight
            // padded rows of x and y; leading dims that cannot merge (the plain weight)
            check(ctx, e, {5, 7}, 23, 29, bias, padded(3), padded(1), seed++);
            check(ctx, e, {3, 5}, 17, 13, bias, permuted({1, 0, 2}), dense(), seed++);
            // k = 0, no rows, no outputs
            check(ctx, e, {4}, 0, 6, bias, dense(), dense(), seed++);
            check(ctx, e, {0}, 7, 5, bias, dense(), dense(), seed++);
            check(ctx, e, {4}, 7, 0, bias, dense(), dense(), seed++);
        }
    }
    // a 1-D x: one row
    check(ctx, ATTN4J_EPILOGUE_NONE, {}, 33, 18, true, dense(), dense(), seed++);
    check_path(ctx, 1, true);
    check_path(ctx, 32, true);
    check_path(ctx, 33, packed_takes_all_rows());
    check_path(ctx, 1000, packed_takes_all_rows());
    // many rows and a long k: x in several blocks of rows (linear_packed.cpp)
    for (int32_t e : {ATTN4J_EPILOGUE_NONE, ATTN4J_EPILOGUE_GELU, ATTN4J_EPILOGUE_RESIDUAL})
        check(ctx, e, {601}, 700, 50, true, dense(), dense(), seed++);
    check_threads(single, ctx, 16, 384, 1536); // 19 MFLOP: split on 2 threads
    check_threads(single, ctx, 601, 700, 100); // 5 blocks of 140 rows × 2 chunks of panels
    check_back_to_back(single, ctx);
    check_bad_args(ctx);
    return finish("test_linear_packed");
}
