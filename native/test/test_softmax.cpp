// attn4j_softmax against a double-precision loop: axis −1 and −2, sizes 1, odd, prime and
// larger, padded and permuted views, y aliasing x, large and masked-like inputs (stability).
#include "test_util.h"

using namespace t4j;

namespace {

// Softmax of x along axis (−1 or −2) in double, in x's row-major logical order.
std::vector<double> reference(const Tensor &x, int axis) {
    const int nd = x.t.ndim;
    const int ax = nd + axis;
    const int64_t n = x.t.shape[ax];
    int64_t inner = 1;
    for (int d = ax + 1; d < nd; ++d) inner *= x.t.shape[d];
    const int64_t outer = n == 0 ? 0 : x.numel() / (n * inner);
    std::vector<double> y(x.numel());
    for (int64_t o = 0; o < outer; ++o)
        for (int64_t q = 0; q < inner; ++q) {
            auto idx = [&](int64_t k) { return (o * n + k) * inner + q; };
            double mx = -INFINITY, sum = 0;
            for (int64_t k = 0; k < n; ++k) mx = std::fmax(mx, x.at(idx(k)));
            for (int64_t k = 0; k < n; ++k) sum += std::exp(x.at(idx(k)) - mx);
            for (int64_t k = 0; k < n; ++k) y[idx(k)] = std::exp(x.at(idx(k)) - mx) / sum;
        }
    return y;
}

void check(attn4j_context *ctx, std::vector<int64_t> shape, int axis, Layout xl, Layout yl,
           bool alias, float scale, uint64_t seed) {
    Rng rng(seed);
    Tensor x(shape, xl), y(shape, yl);
    x.randomize(rng, scale);
    std::vector<double> want = reference(x, axis);
    Tensor *out = alias ? &x : &y;
    EXPECT_OK(attn4j_softmax(ctx, &x.t, axis, &out->t));
    expect_close(*out, want, 1e-7, 2e-6,
                 "softmax axis " + std::to_string(axis) + (alias ? " in place" : "") + " seed " +
                     std::to_string(seed));
}

} // namespace

int main() {
    Context ctx(2), single(1);
    uint64_t seed = 200;
    for (int axis : {-1, -2}) {
        check(ctx, {1, 1}, axis, dense(), dense(), false, 1.0f, seed++);
        check(ctx, {7, 13}, axis, dense(), dense(), false, 3.0f, seed++);
        check(ctx, {2, 3, 37, 61}, axis, dense(), dense(), false, 5.0f, seed++);
        check(ctx, {3, 257, 131}, axis, dense(), dense(), false, 8.0f, seed++);
        check(single, {5, 1, 29}, axis, dense(), dense(), false, 1.0f, seed++);
        check(ctx, {4, 29, 1}, axis, dense(), dense(), false, 1.0f, seed++);
        check(ctx, {2, 67, 130}, axis, dense(), dense(), true, 4.0f, seed++); // y is x
        check(ctx, {3, 11, 70}, axis, padded(3), padded(1), false, 2.0f, seed++);
        check(ctx, {3, 11, 70}, axis, permuted({2, 0, 1}), dense(), false, 2.0f, seed++);
        check(ctx, {3, 11, 70}, axis, dense(), permuted({1, 2, 0}, 1), false, 2.0f, seed++);
        check(ctx, {3, 11, 70}, axis, permuted({2, 1, 0}, 2), permuted({2, 1, 0}, 2), true, 2.0f,
              seed++);
        // Large magnitudes: exp without the max subtracted would overflow.
        check(ctx, {6, 45}, axis, dense(), dense(), false, 3.0e4f, seed++);
        // Empty.
        check(ctx, {0, 5}, axis, dense(), dense(), false, 1.0f, seed++);
    }
    check(ctx, {1}, -1, dense(), dense(), false, 1.0f, seed++);
    check(ctx, {97}, -1, padded(2), dense(), false, 1.0f, seed++);

    // A NaN in a row (axis −1) or a column (axis −2) makes that row or column NaN, as in
    // PyTorch, wherever it sits among the vector lanes (first, middle, last lane of a vector,
    // the tail); the other rows and columns stay numbers.
    for (int axis : {-1, -2})
        for (int64_t at : {0, 7, 15, 16, 31, 63, 69}) {
            Rng rng(seed++);
            Tensor x({3, 70}), y({3, 70});
            x.randomize(rng, 2.0f);
            if (axis == -1) {
                x.at(70 + at) = NAN; // row 1
            } else {
                x.at(70 + at) = NAN; // row 1, column at: that column
            }
            std::vector<double> want = reference(x, axis);
            EXPECT_OK(attn4j_softmax(ctx, &x.t, axis, &y.t));
            expect_close(y, want, 1e-7, 2e-6, "softmax with a NaN at " + std::to_string(at) +
                                                  ", axis " + std::to_string(axis));
        }

    // The masked fill (−3.4028235e38) along a row or a whole row: zeros, or uniform.
    {
        Tensor x({2, 5}), y({2, 5});
        for (int64_t k = 0; k < 10; ++k) x.at(k) = -3.4028235e38f;
        x.at(1) = 2.0f;
        x.at(3) = 2.0f;
        EXPECT_OK(attn4j_softmax(ctx, &x.t, -1, &y.t));
        std::vector<double> want = {0, 0.5, 0, 0.5, 0, 0.2, 0.2, 0.2, 0.2, 0.2};
        expect_close(y, want, 1e-7, 1e-6, "softmax with the masked fill");
    }
    return finish("test_softmax");
}
