// attn4j_rms_norm and attn4j_layer_norm against double-precision loops: sizes 1, odd, prime
// and larger, weight and bias present or absent, strided views, y aliasing x, large offsets.
#include "test_util.h"

using namespace t4j;

namespace {

std::vector<double> reference(const Tensor &x, const Tensor *w, const Tensor *b, float eps,
                              bool rms) {
    const int64_t n = x.t.shape[x.t.ndim - 1];
    const int64_t rows = n == 0 ? 0 : x.numel() / n;
    std::vector<double> y(x.numel());
    for (int64_t r = 0; r < rows; ++r) {
        double mean = 0, sq = 0;
        if (!rms) {
            for (int64_t k = 0; k < n; ++k) mean += x.at(r * n + k);
            mean /= n;
        }
        for (int64_t k = 0; k < n; ++k) sq += (x.at(r * n + k) - mean) * (x.at(r * n + k) - mean);
        double inv = 1.0 / std::sqrt(sq / n + eps);
        for (int64_t k = 0; k < n; ++k)
            y[r * n + k] =
                (x.at(r * n + k) - mean) * inv * (w ? w->at(k) : 1.0) + (b ? b->at(k) : 0.0);
    }
    return y;
}

void check(attn4j_context *ctx, bool rms, std::vector<int64_t> shape, bool has_w, bool has_b,
           float eps, Layout xl, Layout yl, Layout wl, bool alias, float offset, uint64_t seed) {
    Rng rng(seed);
    const int64_t n = shape.back();
    Tensor x(shape, xl), y(shape, yl), w({n}, wl), b({n}, wl);
    x.randomize(rng, 2.0f);
    for (int64_t k = 0; k < x.numel(); ++k) x.at(k) += offset;
    w.randomize(rng);
    b.randomize(rng);
    std::vector<double> want = reference(x, has_w ? &w : nullptr, has_b ? &b : nullptr, eps, rms);
    Tensor *out = alias ? &x : &y;
    if (rms)
        EXPECT_OK(attn4j_rms_norm(ctx, &x.t, &w.t, eps, &out->t));
    else
        EXPECT_OK(attn4j_layer_norm(ctx, &x.t, has_w ? &w.t : nullptr, has_b ? &b.t : nullptr, eps,
                                    &out->t));
    expect_close(*out, want, 2e-6, 2e-5,
                 std::string(rms ? "rms_norm" : "layer_norm") + (has_w ? " +w" : "") +
                     (has_b ? " +b" : "") + (alias ? " in place" : "") + " seed " +
                     std::to_string(seed));
}

} // namespace

int main() {
    Context ctx(2), single(1);
    uint64_t seed = 300;
    const float eps = 1.1920929e-7f;
    for (bool rms : {true, false}) {
        for (int wb = 0; wb < 4; ++wb) {
            bool w = rms || (wb & 1), b = !rms && (wb & 2);
            check(ctx, rms, {1, 1}, w, b, 1e-5f, dense(), dense(), dense(), false, 0, seed++);
            check(ctx, rms, {7, 13}, w, b, eps, dense(), dense(), dense(), false, 0, seed++);
            check(ctx, rms, {2, 3, 37, 61}, w, b, eps, dense(), dense(), dense(), false, 0, seed++);
            check(ctx, rms, {257, 512}, w, b, eps, dense(), dense(), dense(), false, 0, seed++);
            check(single, rms, {3, 1031}, w, b, 1e-5f, dense(), dense(), dense(), false, 0, seed++);
            check(ctx, rms, {5, 31}, w, b, eps, padded(3), padded(2), padded(1), false, 0, seed++);
            check(ctx, rms, {5, 31}, w, b, eps, permuted({1, 0}), dense(), dense(), false, 0,
                  seed++);
            check(ctx, rms, {4, 6, 33}, w, b, eps, permuted({2, 1, 0}, 1), permuted({2, 1, 0}, 1),
                  dense(), true, 0, seed++);
            check(ctx, rms, {9, 100}, w, b, eps, dense(), dense(), dense(), true, 0, seed++);
            check(ctx, rms, {0, 100}, w, b, eps, dense(), dense(), dense(), false, 0, seed++);
            check(ctx, rms, {3, 0}, w, b, eps, dense(), dense(), dense(), false, 0, seed++);
        }
        // A large common offset: one-pass variance would cancel.
        check(ctx, rms, {4, 129}, true, !rms, 1e-5f, dense(), dense(), dense(), false, 1000.0f,
              seed++);
    }
    // eps = 0 on a row of zeros would divide by 0; with eps > 0 the result is 0 (times weight).
    {
        Tensor x({2, 8}), y({2, 8}), w({8});
        for (int64_t k = 0; k < 16; ++k) x.at(k) = 0.0f;
        for (int64_t k = 0; k < 8; ++k) w.at(k) = 1.0f;
        EXPECT_OK(attn4j_rms_norm(ctx, &x.t, &w.t, 1e-6f, &y.t));
        expect_close(y, std::vector<double>(16, 0.0), 0, 0, "rms_norm of zeros");
    }
    return finish("test_norms");
}
