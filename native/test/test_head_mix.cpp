// attn4j_head_mix (talking heads) against a double-precision loop: ranks 2 to 5, 1 and prime
// head counts, strided x, y and weight, positions that cannot merge, empty tensors.
#include "test_util.h"

using namespace t4j;

namespace {

void check(attn4j_context *ctx, std::vector<int64_t> shape, Layout xl, Layout yl, Layout wl,
           uint64_t seed) {
    Rng rng(seed);
    const int64_t B = shape[0], H = shape[1];
    Tensor x(shape, xl), y(shape, yl), w({H, H}, wl);
    x.randomize(rng);
    w.randomize(rng);
    const int64_t N = B * H == 0 ? 0 : x.numel() / (B * H);
    std::vector<double> want(x.numel());
    for (int64_t b = 0; b < B; ++b)
        for (int64_t g = 0; g < H; ++g)
            for (int64_t p = 0; p < N; ++p) {
                double acc = 0;
                for (int64_t h = 0; h < H; ++h)
                    acc += (double)w.get({g, h}) * x.at((b * H + h) * N + p);
                want[(b * H + g) * N + p] = acc;
            }
    EXPECT_OK(attn4j_head_mix(ctx, &x.t, &w.t, &y.t));
    expect_close(y, want, 1e-6 * std::sqrt((double)H + 1), 1e-5,
                 "head_mix " + shape_str(x.t) + " seed " + std::to_string(seed));
}

} // namespace

int main() {
    Context ctx(2), single(1);
    uint64_t seed = 600;
    check(ctx, {1, 1, 1, 1}, dense(), dense(), dense(), seed++);
    check(ctx, {2, 8, 17, 19}, dense(), dense(), dense(), seed++);
    check(ctx, {3, 5, 31}, dense(), dense(), dense(), seed++);
    check(ctx, {2, 7}, dense(), dense(), dense(), seed++); // no positions
    check(single, {1, 3, 2, 5, 7}, dense(), dense(), dense(), seed++);
    check(ctx, {2, 8, 64, 67}, dense(), dense(), dense(), seed++);
    check(ctx, {2, 3, 11, 13}, padded(2), padded(1), permuted({1, 0}), seed++);
    // x stored [b, i, h, j] (attention after a permute), y stored [h, b, j, i].
    check(ctx, {2, 3, 11, 13}, permuted({0, 2, 1, 3}), permuted({1, 0, 3, 2}), dense(), seed++);
    check(ctx, {2, 3, 11, 13}, permuted({3, 2, 1, 0}, 1), dense(), permuted({1, 0}, 2), seed++);
    check(ctx, {0, 3, 4, 5}, dense(), dense(), dense(), seed++);
    check(ctx, {2, 3, 0, 5}, dense(), dense(), dense(), seed++);
    check(ctx, {2, 0, 4, 5}, dense(), dense(), dense(), seed++);
    return finish("test_head_mix");
}
