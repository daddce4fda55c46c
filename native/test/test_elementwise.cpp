// attn4j_gelu and attn4j_add against double-precision loops: the erf GELU over a wide range
// (its far tails included), broadcasting adds of every rank, strided views and aliasing.
#include "test_util.h"

using namespace t4j;

namespace {

void check_gelu(attn4j_context *ctx, std::vector<int64_t> shape, Layout xl, Layout yl, bool alias,
                float scale, uint64_t seed) {
    Rng rng(seed);
    Tensor x(shape, xl), y(shape, yl);
    x.randomize(rng, scale);
    std::vector<double> want(x.numel());
    for (int64_t k = 0; k < x.numel(); ++k) {
        double v = x.at(k);
        want[k] = 0.5 * v * std::erfc(-v / std::sqrt(2.0));
    }
    Tensor *out = alias ? &x : &y;
    EXPECT_OK(attn4j_gelu(ctx, &x.t, &out->t));
    expect_close(*out, want, 1e-7, 2e-6, "gelu seed " + std::to_string(seed));
}

// a + b with b right-aligned and broadcast.
void check_add(attn4j_context *ctx, std::vector<int64_t> as, std::vector<int64_t> bs, Layout al,
               Layout bl, Layout yl, bool alias, uint64_t seed) {
    Rng rng(seed);
    Tensor a(as, al), b(bs, bl), y(as, yl);
    a.randomize(rng);
    b.randomize(rng);
    std::vector<double> want(a.numel());
    const int lead = (int)(as.size() - bs.size());
    for (int64_t k = 0; k < a.numel(); ++k) {
        int64_t rem = k, boff = 0, bstride = 1;
        for (int d = (int)as.size() - 1; d >= 0; --d) {
            int64_t idx = rem % as[d];
            rem /= as[d];
            int db = d - lead;
            if (db >= 0) {
                if (bs[db] != 1) boff += idx * bstride;
                bstride *= bs[db];
            }
        }
        want[k] = (double)a.at(k) + b.at(boff);
    }
    Tensor *out = alias ? &a : &y;
    EXPECT_OK(attn4j_add(ctx, &a.t, &b.t, &out->t));
    expect_close(*out, want, 0, 1e-7, "add a" + shape_str(a.t) + " b" + shape_str(b.t));
}

} // namespace

int main() {
    Context ctx(2), single(1);
    uint64_t seed = 400;
    check_gelu(ctx, {1}, dense(), dense(), false, 1.0f, seed++);
    check_gelu(ctx, {7, 13}, dense(), dense(), false, 3.0f, seed++);
    check_gelu(ctx, {3, 37, 61}, dense(), dense(), true, 6.0f, seed++);
    check_gelu(ctx, {200003}, dense(), dense(), false, 12.0f, seed++); // one long row, shared out
    check_gelu(single, {5, 1, 17}, padded(2), padded(1), false, 4.0f, seed++);
    check_gelu(ctx, {11, 23}, permuted({1, 0}), dense(), false, 4.0f, seed++);
    check_gelu(ctx, {11, 23}, permuted({1, 0}, 1), permuted({1, 0}, 1), true, 4.0f, seed++);
    check_gelu(ctx, {0, 4}, dense(), dense(), false, 1.0f, seed++);
    check_gelu(ctx, {}, dense(), dense(), false, 1.0f, seed++); // rank 0: one element
    { // Known values (Python math.erfc): GELU(0) = 0, the tails, the erf form (not tanh) at 1.
        Tensor x({6}), y({6});
        const float in[6] = {0.0f, 1.0f, -1.0f, 10.0f, -10.0f, -5.0f};
        for (int k = 0; k < 6; ++k) x.at(k) = in[k];
        EXPECT_OK(attn4j_gelu(ctx, &x.t, &y.t));
        std::vector<double> want = {0.0,  0.8413447460685429,     -0.15865525393145707,
                                    10.0, -7.619853024160593e-23, -1.4332578593959731e-06};
        expect_close(y, want, 0, 2e-6, "gelu exact values");
    }

    check_add(ctx, {1}, {1}, dense(), dense(), dense(), false, seed++);
    check_add(ctx, {7, 13}, {7, 13}, dense(), dense(), dense(), false, seed++);
    check_add(ctx, {7, 13}, {13}, dense(), dense(), dense(), true, seed++);
    check_add(ctx, {2, 3, 37, 61}, {3, 1, 61}, dense(), dense(), dense(), false, seed++);
    check_add(ctx, {2, 3, 37, 61}, {2, 3, 37, 1}, dense(), dense(), dense(), false, seed++);
    check_add(ctx, {2, 3, 5}, {}, dense(), dense(), dense(), false, seed++); // b a scalar
    check_add(ctx, {300007}, {300007}, dense(), dense(), dense(), true, seed++);
    check_add(single, {5, 17}, {5, 1}, padded(2), padded(1), padded(3), false, seed++);
    check_add(ctx, {4, 6, 9}, {6, 9}, permuted({2, 0, 1}), permuted({1, 0}), dense(), false,
              seed++);
    check_add(ctx, {4, 6, 9}, {4, 6, 9}, permuted({1, 2, 0}, 1), dense(), permuted({1, 2, 0}, 1),
              true, seed++);
    check_add(ctx, {0, 6}, {6}, dense(), dense(), dense(), false, seed++);
    return finish("test_elementwise");
}
