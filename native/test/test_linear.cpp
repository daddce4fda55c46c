// attn4j_linear against a double-precision loop: 1, odd, prime and larger sizes, padded and
// transposed views of x, weight, bias and y, bias absent, empty inputs.
#include "linear_reference.h"
#include "test_util.h"

using namespace t4j;

namespace {

void check(attn4j_context *ctx, std::vector<int64_t> lead, int64_t in, int64_t out, bool with_bias,
           Layout xl, Layout wl, Layout bl, Layout yl, uint64_t seed) {
    Rng rng(seed);
    std::vector<int64_t> xs = lead, ys = lead;
    xs.push_back(in);
    ys.push_back(out);
    Tensor x(xs, xl), w({out, in}, wl), b({out}, bl), y(ys, yl);
    x.randomize(rng);
    w.randomize(rng, 0.5f);
    b.randomize(rng);
    std::string what = "linear x" + shape_str(x.t) + " w" + shape_str(w.t) +
                       (with_bias ? " +bias" : "") + " seed " + std::to_string(seed);
    EXPECT_OK(attn4j_linear(ctx, &x.t, &w.t, with_bias ? &b.t : nullptr, &y.t));
    double atol = 1e-5 * std::sqrt((double)in + 1);
    expect_close(y, linear_product(x, w, with_bias ? &b : nullptr), atol, 1e-5, what);
}

} // namespace

int main() {
    Context ctx(2), single(1);
    uint64_t seed = 1;
    // Sizes: tiny, odd, prime, larger; bias on and off.
    for (bool bias : {true, false}) {
        check(ctx, {1}, 1, 1, bias, dense(), dense(), dense(), dense(), seed++);
        check(ctx, {7}, 13, 5, bias, dense(), dense(), dense(), dense(), seed++);
        check(ctx, {2, 3}, 37, 61, bias, dense(), dense(), dense(), dense(), seed++);
        check(ctx, {257}, 129, 67, bias, dense(), dense(), dense(), dense(), seed++);
        check(single, {31}, 17, 19, bias, dense(), dense(), dense(), dense(), seed++);
        check(ctx, {}, 11, 3, bias, dense(), dense(), dense(), dense(), seed++); // x rank 1
    }
    // Strided views: padded rows of x and y, a strided bias, a transposed weight buffer.
    check(ctx, {5, 7}, 23, 29, true, padded(3), dense(), padded(2), padded(1), seed++);
    check(ctx, {13}, 41, 7, true, dense(), permuted({1, 0}), dense(), dense(), seed++);
    // x transposed (its last dim not contiguous) and y padded.
    check(ctx, {19}, 23, 11, true, permuted({1, 0}), dense(), dense(), padded(2), seed++);
    // Leading dims that cannot merge: x [a, b, in] stored as [b, a, in].
    check(ctx, {3, 5}, 17, 13, true, permuted({1, 0, 2}), dense(), dense(), dense(), seed++);
    check(ctx, {3, 5}, 17, 13, false, dense(), dense(), dense(), permuted({1, 0, 2}), seed++);
    // Rank 8 x.
    check(ctx, {2, 1, 3, 1, 2, 1, 3}, 5, 4, true, dense(), dense(), dense(), dense(), seed++);
    // Empty: no rows, no outputs, and in = 0 (y = bias).
    check(ctx, {0}, 7, 5, true, dense(), dense(), dense(), dense(), seed++);
    check(ctx, {4}, 7, 0, true, dense(), dense(), dense(), dense(), seed++);
    check(ctx, {4}, 0, 6, true, dense(), dense(), dense(), dense(), seed++);
    check(ctx, {4}, 0, 6, false, dense(), dense(), dense(), dense(), seed++);
    // The same shapes again: a cached primitive must give the same answers.
    for (int rep = 0; rep < 3; ++rep)
        check(ctx, {2, 3}, 37, 61, true, dense(), dense(), dense(), dense(), 3);
    return finish("test_linear");
}
