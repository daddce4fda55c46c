// attn4j_bca_softmax against a double-precision loop: rel_pos_bias of every broadcast rank,
// masks with fully masked rows and columns (uniform results), attn aliasing sim, strided
// views, and shapes that take both parallel schedules (whole slices, shared rows).
#include "test_util.h"

using namespace t4j;

namespace {

const double kFill = -3.4028234663852886e38;

struct Want {
    std::vector<double> attn, ctx;
};

Want reference(const Tensor &sim, const Tensor *bias, const Tensor *mask, const Tensor *cmask) {
    const int64_t B = sim.t.shape[0], H = sim.t.shape[1], I = sim.t.shape[2], J = sim.t.shape[3];
    std::vector<double> s(sim.numel());
    for (int64_t b = 0; b < B; ++b)
        for (int64_t h = 0; h < H; ++h)
            for (int64_t i = 0; i < I; ++i)
                for (int64_t j = 0; j < J; ++j) {
                    int64_t flat = ((b * H + h) * I + i) * J + j;
                    double v = sim.at(flat);
                    if (bias != nullptr) {
                        // Right-aligned broadcast of bias to [b, h, i, j].
                        int64_t idx[4] = {b, h, i, j}, off = 0;
                        const int lead = 4 - bias->t.ndim;
                        for (int d = 0; d < bias->t.ndim; ++d)
                            if (bias->t.shape[d] != 1) off += idx[lead + d] * bias->t.strides[d];
                        v += static_cast<const float *>(bias->t.data)[off];
                    }
                    bool keep = (mask == nullptr || mask->get_byte({b, i}) != 0) &&
                                (cmask == nullptr || cmask->get_byte({b, j}) != 0);
                    s[flat] = keep ? v : kFill;
                }
    Want w{std::vector<double>(s.size()), std::vector<double>(s.size())};
    for (int64_t bh = 0; bh < B * H; ++bh) {
        const int64_t base = bh * I * J;
        for (int64_t i = 0; i < I; ++i) {
            double mx = -INFINITY, sum = 0;
            for (int64_t j = 0; j < J; ++j) mx = std::fmax(mx, s[base + i * J + j]);
            for (int64_t j = 0; j < J; ++j) sum += std::exp(s[base + i * J + j] - mx);
            for (int64_t j = 0; j < J; ++j)
                w.attn[base + i * J + j] = std::exp(s[base + i * J + j] - mx) / sum;
        }
        for (int64_t j = 0; j < J; ++j) {
            double mx = -INFINITY, sum = 0;
            for (int64_t i = 0; i < I; ++i) mx = std::fmax(mx, s[base + i * J + j]);
            for (int64_t i = 0; i < I; ++i) sum += std::exp(s[base + i * J + j] - mx);
            for (int64_t i = 0; i < I; ++i)
                w.ctx[base + i * J + j] = std::exp(s[base + i * J + j] - mx) / sum;
        }
    }
    return w;
}

struct Options {
    std::vector<int64_t> bias_shape; // empty = no bias
    bool mask = false, cmask = false, alias = false;
    Layout sim_layout = dense(), out_layout = dense(), bias_layout = dense();
};

void check(attn4j_context *ctx, std::vector<int64_t> shape, const Options &o, uint64_t seed) {
    Rng rng(seed);
    const int64_t B = shape[0], I = shape[2], J = shape[3];
    Tensor sim(shape, o.sim_layout), attn(shape, o.out_layout), cattn(shape, o.out_layout);
    sim.randomize(rng, 4.0f);
    Tensor bias, mask({B, I}, padded(1), ATTN4J_DTYPE_BOOL),
        cmask({B, J}, dense(), ATTN4J_DTYPE_BOOL);
    if (!o.bias_shape.empty()) {
        bias = Tensor(o.bias_shape, o.bias_layout);
        bias.randomize(rng, 2.0f);
    }
    // Random masks with the first row / last column of every batch fully masked.
    for (int64_t b = 0; b < B; ++b) {
        for (int64_t i = 0; i < I; ++i)
            mask.byte(b * I + i) =
                (i == 0) ? 0 : (rng.uniform() < 0.8 ? 1 + (rng.next() % 200) : 0);
        for (int64_t j = 0; j < J; ++j)
            cmask.byte(b * J + j) = (j == J - 1) ? 0 : (rng.uniform() < 0.8 ? 1 : 0);
    }
    const Tensor *bp = o.bias_shape.empty() ? nullptr : &bias;
    Want want = reference(sim, bp, o.mask ? &mask : nullptr, o.cmask ? &cmask : nullptr);
    Tensor *attn_out = o.alias ? &sim : &attn;
    EXPECT_OK(attn4j_bca_softmax(ctx, &sim.t, bp ? &bias.t : nullptr, o.mask ? &mask.t : nullptr,
                                 o.cmask ? &cmask.t : nullptr, &attn_out->t, &cattn.t));
    std::string what = "bca_softmax " + shape_str(sim.t) + " seed " + std::to_string(seed);
    expect_close(*attn_out, want.attn, 1e-7, 2e-6, what + " attn");
    expect_close(cattn, want.ctx, 1e-7, 2e-6, what + " context_attn");
    if (o.mask && I > 0 && J > 0) // row 0 is masked everywhere: uniform over j
        EXPECT(std::fabs(attn_out->get({0, 0, 0, 0}) - 1.0 / J) < 1e-6,
               "%s: masked row not uniform", what.c_str());
    if (o.cmask && I > 0 && J > 0) // column j − 1 is masked everywhere: uniform over i
        EXPECT(std::fabs(cattn.get({0, 0, 0, J - 1}) - 1.0 / I) < 1e-6,
               "%s: masked column not uniform", what.c_str());
}

} // namespace

int main() {
    Context ctx(2), single(1), three(3);
    uint64_t seed = 500;
    std::vector<std::vector<int64_t>> shapes = {
        {1, 1, 1, 1},    {2, 3, 7, 13},    {1, 2, 37, 61},
        {2, 4, 29, 31},  {1, 1, 131, 257}, // one big slice: rows shared between threads
        {1, 3, 97, 128},                   // three slices on two threads: rows shared
        {3, 2, 64, 130},                   // six slices: whole slices per thread
    };
    for (const auto &shape : shapes) {
        const int64_t H = shape[1], I = shape[2], J = shape[3];
        for (int variant = 0; variant < 6; ++variant) {
            Options o;
            o.mask = variant & 1;
            o.cmask = variant & 2;
            switch (variant) {
            case 1:
                o.bias_shape = {H, I, J};
                break;
            case 2:
                o.bias_shape = {shape[0], H, I, J};
                o.alias = true;
                break;
            case 3:
                o.bias_shape = {I, 1};
                break; // broadcast along j
            case 4:
                o.bias_shape = {1, H, 1, J};
                o.mask = o.cmask = true;
                break;
            case 5:
                o.bias_shape = {J};
                o.alias = true;
                break;
            default:
                break;
            }
            check(ctx, shape, o, seed++);
        }
    }
    // Strided views: sim stored [b, i, h, j], padded outputs, a transposed bias, j not unit.
    {
        Options o;
        o.mask = o.cmask = true;
        o.bias_shape = {3, 17, 23};
        o.sim_layout = permuted({0, 2, 1, 3});
        o.out_layout = padded(2);
        o.bias_layout = permuted({0, 2, 1}, 1);
        check(ctx, {2, 3, 17, 23}, o, seed++);
        check(single, {2, 3, 17, 23}, o, seed++);
        o.sim_layout = permuted({3, 2, 1, 0});
        o.out_layout = permuted({0, 1, 3, 2}, 1);
        check(ctx, {2, 3, 17, 23}, o, seed++);
        o.bias_shape = {150, 230};
        o.bias_layout = permuted({1, 0}, 1);
        check(three, {1, 1, 150, 230}, o, seed++);
        o.bias_shape = {3, 17, 23};
        o.bias_layout = permuted({0, 2, 1}, 1);
        o.alias = true;
        o.out_layout = o.sim_layout;
        check(ctx, {2, 3, 17, 23}, o, seed++);
    }
    // Empty.
    check(ctx, {2, 3, 0, 5}, Options{}, seed++);
    check(ctx, {0, 3, 4, 5}, Options{}, seed++);
    return finish("test_bca_softmax");
}
