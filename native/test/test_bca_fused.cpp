// attn4j_bca_fused against a materialised double-precision reference (both softmaxes of the
// full [b, h, i, j] matrix, then head mixing, then the two products), on the ISA that
// ATTN4J_ISA leaves (ctest runs it on every ISA of the machine): masks (fully masked rows, columns and batch
// elements), rel_pos_bias full, broadcast and strided, talking heads, batch > 1, lengths
// 1/odd/prime/multi-tile, head-interleaved and transposed views; empty axes; bad arguments.
#include "test_util.h"

#include <cstdlib>

using namespace t4j;

namespace {

constexpr double kFill = -3.4028235e38;

// Inputs and outputs of one call.
struct Problem {
    int64_t B, H, I, J, D;
    float scale;
    Tensor qk, cqk, v, cv, out, cout;
    Tensor bias, mask, cmask, th, cth;
    bool has_bias = false, has_mask = false, has_cmask = false, has_th = false, has_cth = false;

    const attn4j_tensor *opt(const Tensor &t, bool has) const { return has ? &t.t : nullptr; }

    attn4j_status call(attn4j_context *ctx) {
        return attn4j_bca_fused(ctx, &qk.t, &cqk.t, &v.t, &cv.t, opt(bias, has_bias),
                                opt(mask, has_mask), opt(cmask, has_cmask), opt(th, has_th),
                                opt(cth, has_cth), scale, &out.t, &cout.t);
    }
};

// rel_pos_bias broadcast to [b, h, i, j]: a size-1 dim is read at index 0.
double bias_at(const attn4j_tensor &t, int64_t b, int64_t h, int64_t i, int64_t j) {
    const int64_t idx[4] = {b, h, i, j};
    int64_t off = 0;
    for (int k = 0; k < 4; ++k) off += (t.shape[k] == 1 ? 0 : idx[k]) * t.strides[k];
    return static_cast<const float *>(t.data)[off];
}

uint8_t mask_at(const Tensor &m, int64_t flat) {
    return static_cast<const uint8_t *>(m.t.data)[m.offset_of(flat)];
}

// out and context_out (flat, logical row-major) from the materialised definition; returns the
// largest |score| that is not masked.
double reference(const Problem &p, std::vector<double> &out, std::vector<double> &cout) {
    const int64_t B = p.B, H = p.H, I = p.I, J = p.J, D = p.D;
    out.assign(B * H * I * D, 0.0);
    cout.assign(B * H * J * D, 0.0);
    std::vector<double> attn(H * I * J), cattn(H * I * J); // [h, i, j] of one batch element
    double largest = 0;
    for (int64_t b = 0; b < B; ++b) {
        for (int64_t h = 0; h < H; ++h) {
            double *s = &attn[h * I * J];
            for (int64_t i = 0; i < I; ++i)
                for (int64_t j = 0; j < J; ++j) {
                    double dot = 0;
                    for (int64_t e = 0; e < D; ++e)
                        dot += (double)p.qk.at(((b * H + h) * I + i) * D + e) *
                               p.cqk.at(((b * H + h) * J + j) * D + e);
                    double x = dot * p.scale;
                    if (p.has_bias) x += bias_at(p.bias.t, b, h, i, j);
                    const bool keep = (!p.has_mask || mask_at(p.mask, b * I + i) != 0) &&
                                      (!p.has_cmask || mask_at(p.cmask, b * J + j) != 0);
                    s[i * J + j] = keep ? x : kFill;
                    if (keep) largest = std::max(largest, std::fabs(x));
                }
            double *cs = &cattn[h * I * J];
            for (int64_t i = 0; i < I; ++i) { // softmax over j
                double m = -INFINITY, sum = 0;
                for (int64_t j = 0; j < J; ++j) m = std::max(m, s[i * J + j]);
                for (int64_t j = 0; j < J; ++j) sum += std::exp(s[i * J + j] - m);
                for (int64_t j = 0; j < J; ++j) cs[i * J + j] = std::exp(s[i * J + j] - m) / sum;
            }
            for (int64_t j = 0; j < J; ++j) { // softmax over i (into s, after the row one)
                double m = -INFINITY, sum = 0;
                for (int64_t i = 0; i < I; ++i) m = std::max(m, s[i * J + j]);
                for (int64_t i = 0; i < I; ++i) sum += std::exp(s[i * J + j] - m);
                for (int64_t i = 0; i < I; ++i) s[i * J + j] = std::exp(s[i * J + j] - m) / sum;
            }
            std::swap_ranges(s, s + I * J, cs); // attn = row softmax, cattn = column softmax
        }
        auto mix = [&](std::vector<double> &x, const Tensor &w) {
            std::vector<double> y(x.size(), 0.0);
            for (int64_t g = 0; g < H; ++g)
                for (int64_t h = 0; h < H; ++h)
                    for (int64_t k = 0; k < I * J; ++k)
                        y[g * I * J + k] += (double)w.at(g * H + h) * x[h * I * J + k];
            x.swap(y);
        };
        if (p.has_th) mix(attn, p.th);
        if (p.has_cth) mix(cattn, p.cth);
        for (int64_t h = 0; h < H; ++h) {
            for (int64_t i = 0; i < I; ++i)
                for (int64_t j = 0; j < J; ++j) {
                    const double a = attn[(h * I + i) * J + j], c = cattn[(h * I + i) * J + j];
                    for (int64_t e = 0; e < D; ++e) {
                        out[((b * H + h) * I + i) * D + e] +=
                            a * p.cv.at(((b * H + h) * J + j) * D + e);
                        cout[((b * H + h) * J + j) * D + e] +=
                            c * p.v.at(((b * H + h) * I + i) * D + e);
                    }
                }
        }
    }
    return largest;
}

// What varies between configurations.
struct Config {
    int64_t B, H, I, J, D;
    float logit = 1.0f; // qk and context_qk values in [-logit, logit]
    int bias = 0;       // 0 none, 1 full [b,h,i,j], 2 [1,h,i,j], 3 zero batch stride,
                        // 4 full stored j-major (not contiguous along j), 5 [1,1,i,1]
    bool mask = false, cmask = false;
    bool th = false, cth = false;
    bool interleaved = true; // qk, v, out as [b, i, h, d] buffers viewed as [b, h, i, d]
    bool d_strided = false;  // context_qk and v with d not contiguous
    int masked_batch = -1;   // batch element whose mask is all false (-1: none)
    int masked_cbatch = -1;  // batch element whose context_mask is all false
    int64_t masked_rows = 0; // leading rows of batch element 0 masked (columns start at the fill)
    double keep = 0.8;       // chance that a mask entry is true
};

Problem make(const Config &c, uint64_t seed) {
    Rng rng(seed);
    Problem p;
    p.B = c.B, p.H = c.H, p.I = c.I, p.J = c.J, p.D = c.D;
    p.scale = 1.0f / std::sqrt((float)std::max<int64_t>(c.D, 1));
    const Layout x_layout = c.interleaved ? permuted({0, 2, 1, 3}) : padded(1);
    const Layout d_layout = c.d_strided ? permuted({0, 1, 3, 2}) : x_layout;
    p.qk = Tensor({c.B, c.H, c.I, c.D}, x_layout);
    p.v = Tensor({c.B, c.H, c.I, c.D}, d_layout);
    p.cqk = Tensor({c.B, c.H, c.J, c.D}, d_layout);
    p.cv = Tensor({c.B, c.H, c.J, c.D}, x_layout);
    p.out = Tensor({c.B, c.H, c.I, c.D}, x_layout);
    p.cout = Tensor({c.B, c.H, c.J, c.D}, padded(2));
    p.qk.randomize(rng, c.logit);
    p.cqk.randomize(rng, c.logit);
    p.v.randomize(rng);
    p.cv.randomize(rng);
    switch (c.bias) {
    case 1:
        p.bias = Tensor({c.B, c.H, c.I, c.J});
        break;
    case 2:
        p.bias = Tensor({1, c.H, c.I, c.J});
        break;
    case 3: // [h, i, j] seen as [b, h, i, j] through a zero batch stride
        p.bias = Tensor({1, c.H, c.I, c.J});
        p.bias.t.shape[0] = c.B;
        p.bias.t.strides[0] = 0;
        break;
    case 4:
        p.bias = Tensor({c.B, c.H, c.I, c.J}, permuted({0, 1, 3, 2}));
        break;
    case 5:
        p.bias = Tensor({1, 1, c.I, 1});
        break;
    default:
        break;
    }
    if (c.bias != 0) {
        p.has_bias = true;
        for (int64_t k = 0; k < p.bias.numel(); ++k) p.bias.at(k) = rng.symmetric(2.0f);
    }
    auto make_mask = [&](int64_t n, int all_false) {
        Tensor m({c.B, n}, permuted({1, 0}), ATTN4J_DTYPE_BOOL);
        for (int64_t b = 0; b < c.B; ++b)
            for (int64_t k = 0; k < n; ++k) {
                const bool keep = b != all_false && rng.uniform() < c.keep;
                m.byte(b * n + k) = keep ? (uint8_t)(1 + rng.next() % 200) : 0; // any non-zero
            }
        return m;
    };
    if (c.mask) {
        p.mask = make_mask(c.I, c.masked_batch);
        p.has_mask = true;
        if (c.I > 2 && c.keep < 1) p.mask.byte(c.I / 2) = 0; // batch 0: a fully masked row
        for (int64_t k = 0; k < c.masked_rows; ++k) p.mask.byte(k) = 0;
    }
    if (c.cmask) {
        p.cmask = make_mask(c.J, c.masked_cbatch);
        p.has_cmask = true;
        if (c.J > 2 && c.keep < 1) p.cmask.byte(c.J - 1) = 0; // the last tile's last column
    }
    if (c.th) {
        p.th = Tensor({c.H, c.H}, permuted({1, 0}));
        p.th.randomize(rng);
        p.has_th = true;
    }
    if (c.cth) {
        p.cth = Tensor({c.H, c.H});
        p.cth.randomize(rng);
        p.has_cth = true;
    }
    return p;
}

std::string describe(const Config &c, int threads, uint64_t seed) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "[%s] b%lld h%lld i%lld j%lld d%lld logit%g bias%d mask%d/%d th%d/%d il%d "
                  "ds%d mb%d/%d mr%lld threads%d seed%llu",
                  std::getenv("ATTN4J_ISA") ? std::getenv("ATTN4J_ISA") : "best", (long long)c.B,
                  (long long)c.H, (long long)c.I, (long long)c.J, (long long)c.D, c.logit, c.bias,
                  c.mask, c.cmask, c.th, c.cth, c.interleaved, c.d_strided, c.masked_batch,
                  c.masked_cbatch, (long long)c.masked_rows, threads, (unsigned long long)seed);
    return buf;
}

void check(attn4j_context *ctx, int threads, const Config &c, uint64_t seed) {
    Problem p = make(c, seed);
    const std::string what = describe(c, threads, seed);
    attn4j_status s = p.call(ctx);
    EXPECT(s == ATTN4J_OK, "%s: %s: %s", what.c_str(), attn4j_status_string(s),
           attn4j_last_error());
    if (s != ATTN4J_OK) return;
    std::vector<double> want_out, want_cout;
    const double largest = reference(p, want_out, want_cout);
    // Outputs are averages of values in [-1, 1]. Why the bound grows with the scores: float32
    // scores carry rounding of about one ulp of the largest |s| (the double reference has
    // none), and e^s turns an absolute error of a score into a relative error of its weight.
    // With scores of a few units (the usual case) the bound is 2e-6.
    const double atol = 2e-6 + 1e-7 * largest;
    expect_close(p.out, want_out, atol, 1e-5, what + " out");
    expect_close(p.cout, want_cout, atol, 1e-5, what + " context_out");
}

// Every configuration on both paths and several thread counts.
void run_all(Context &one, Context &two, Context &three) {
    uint64_t seed = 100;
    std::vector<Config> configs;
    // Lengths 1, odd, prime; one and several tiles (online tiles are 128, talking heads 64).
    for (int64_t I : {1, 2, 7, 131, 257})
        for (int64_t J : {1, 5, 67, 300}) {
            Config c{1, 2, I, J, 16};
            configs.push_back(c);
        }
    // Head sizes that are not a multiple of 16, and 64.
    for (int64_t D : {1, 3, 17, 64}) configs.push_back(Config{2, 3, 29, 41, D});
    // Biases.
    for (int bias = 1; bias <= 5; ++bias) {
        Config c{2, 3, 70, 133, 8};
        c.bias = bias;
        configs.push_back(c);
    }
    // Masks: random, a fully masked row and column, fully masked batch elements.
    {
        Config c{3, 2, 150, 140, 8};
        c.mask = c.cmask = true;
        configs.push_back(c);
        c.masked_batch = 1;
        configs.push_back(c);
        c.masked_batch = -1;
        c.masked_cbatch = 2;
        configs.push_back(c);
        c.masked_batch = 0;
        c.masked_cbatch = 0; // both masks all false on batch element 0
        configs.push_back(c);
        // Several i-blocks (256 rows each) where the first holds only masked rows: column
        // maxima move from the fill to real scores between blocks.
        Config tall{2, 2, 600, 140, 8};
        tall.mask = tall.cmask = true;
        tall.masked_rows = 300;
        configs.push_back(tall);
        Config all_true{2, 2, 300, 140, 8}; // masks given, nothing masked
        all_true.mask = all_true.cmask = true;
        all_true.keep = 1.0;
        configs.push_back(all_true);
        Config rows{2, 2, 40, 37, 5};
        rows.mask = true;
        rows.masked_batch = 1;
        configs.push_back(rows);
        Config cols{2, 2, 40, 37, 5};
        cols.cmask = true;
        cols.masked_cbatch = 0;
        configs.push_back(cols);
    }
    // Talking heads: each direction alone and both, with masks and bias; a j split (few rows).
    for (int which = 1; which <= 3; ++which) {
        Config c{2, 3, 75, 130, 16};
        c.th = which & 1;
        c.cth = which & 2;
        configs.push_back(c);
    }
    {
        Config c{2, 4, 131, 67, 17};
        c.th = c.cth = true;
        c.mask = c.cmask = true;
        c.bias = 3;
        c.masked_batch = 1;
        configs.push_back(c);
        Config few{1, 2, 3, 257, 8}; // one i-block: pass 2 splits j over the threads
        few.th = few.cth = true;
        few.cmask = true;
        configs.push_back(few);
        Config wide{1, 2, 20, 2000, 16}; // the same with enough work to start every thread
        wide.th = wide.cth = true;
        wide.bias = 1;
        configs.push_back(wide);
    }
    // Layouts: not head-interleaved, and d not contiguous.
    {
        Config c{2, 2, 33, 47, 9};
        c.interleaved = false;
        configs.push_back(c);
        c.d_strided = true;
        c.bias = 4;
        configs.push_back(c);
    }
    // Large logits: tiles whose range takes two exponentials per element, and rows whose
    // scores lie far apart (an exponent overflow would show as inf/NaN).
    for (float logit : {8.0f, 30.0f}) {
        Config c{1, 2, 140, 150, 16};
        c.logit = logit;
        configs.push_back(c);
        c.mask = c.cmask = true;
        c.th = true;
        configs.push_back(c);
    }
    // One (b, h) pair on several threads: rows split into chunks whose columns merge.
    configs.push_back(Config{1, 1, 300, 50, 16});

    for (const Config &c : configs) {
        check(two, 2, c, seed);
        if (c.I > 100 || c.B * c.H == 1) {
            check(one, 1, c, seed);
            check(three, 3, c, seed);
        }
        ++seed;
    }
}

// −inf in rel_pos_bias where the rest of a column is masked: that column's maximum is the
// fill, the masked rows weigh 1 each and the −inf row 0 (a row it must not count).
void check_minus_inf_bias(attn4j_context *ctx) {
    Config c{1, 2, 20, 30, 8};
    c.bias = 1;
    c.mask = true;
    c.keep = 1.0;
    Problem p = make(c, 11);
    for (int64_t i = 0; i < c.I - 1; ++i) p.mask.byte(i) = 0; // only the last row attends
    for (int64_t h = 0; h < c.H; ++h) p.bias.at((h * c.I + c.I - 1) * c.J + 3) = -INFINITY;
    EXPECT_OK(p.call(ctx));
    std::vector<double> want_out, want_cout;
    reference(p, want_out, want_cout);
    expect_close(p.out, want_out, 2e-6, 1e-5, "-inf bias out");
    expect_close(p.cout, want_cout, 2e-6, 1e-5, "-inf bias context_out");
}

// Empty axes: i = 0 makes context_out zeros (a sum over no rows), j = 0 makes out zeros.
void check_empty(attn4j_context *ctx) {
    for (auto [I, J] : {std::pair<int64_t, int64_t>{0, 5}, {4, 0}, {0, 0}}) {
        Config c{2, 3, I, J, 8};
        c.mask = c.cmask = true;
        c.th = true;
        Problem p = make(c, 7);
        EXPECT_OK(p.call(ctx));
        for (int64_t k = 0; k < p.out.numel(); ++k)
            EXPECT(p.out.at(k) == 0.0f, "i=%lld j=%lld: out[%lld] = %g", (long long)I, (long long)J,
                   (long long)k, p.out.at(k));
        for (int64_t k = 0; k < p.cout.numel(); ++k)
            EXPECT(p.cout.at(k) == 0.0f, "i=%lld j=%lld: context_out[%lld] = %g", (long long)I,
                   (long long)J, (long long)k, p.cout.at(k));
    }
    for (Config c : {Config{0, 2, 3, 4, 8}, Config{2, 0, 3, 4, 8}, Config{2, 2, 3, 4, 0}}) {
        Problem p = make(c, 8);
        EXPECT_OK(p.call(ctx));
    }
}

void check_bad_arguments(attn4j_context *ctx) {
    const Config base{2, 3, 5, 7, 4};
    auto fresh = [&] {
        Config c = base;
        c.bias = 1;
        c.mask = c.cmask = c.th = c.cth = true;
        return make(c, 9);
    };
    Problem p = fresh();
    EXPECT_OK(p.call(ctx));

    EXPECT_STATUS(ATTN4J_ERR_NULL_ARGUMENT, p.call(nullptr), "ctx");
    EXPECT_STATUS(ATTN4J_ERR_NULL_ARGUMENT,
                  attn4j_bca_fused(ctx, nullptr, &p.cqk.t, &p.v.t, &p.cv.t, nullptr, nullptr,
                                   nullptr, nullptr, nullptr, 0.5f, &p.out.t, &p.cout.t),
                  "qk");
    EXPECT_STATUS(ATTN4J_ERR_NULL_ARGUMENT,
                  attn4j_bca_fused(ctx, &p.qk.t, &p.cqk.t, &p.v.t, &p.cv.t, nullptr, nullptr,
                                   nullptr, nullptr, nullptr, 0.5f, &p.out.t, nullptr),
                  "context_out");
    struct Case {
        const char *needle;
        attn4j_status code;
        void (*edit)(Problem &);
    };
    const Case cases[] = {
        {"qk", ATTN4J_ERR_DTYPE, [](Problem &q) { q.qk.t.dtype = ATTN4J_DTYPE_F16; }},
        {"qk", ATTN4J_ERR_INVALID_ARG, [](Problem &q) { q.qk.t.ndim = 3; }},
        {"v", ATTN4J_ERR_INVALID_ARG, [](Problem &q) { q.v.t.strides[2] = -1; }},
        {"context_qk", ATTN4J_ERR_SHAPE_MISMATCH, [](Problem &q) { q.cqk.t.shape[3] = 3; }},
        {"context_qk", ATTN4J_ERR_SHAPE_MISMATCH, [](Problem &q) { q.cqk.t.shape[0] = 1; }},
        {"v", ATTN4J_ERR_SHAPE_MISMATCH, [](Problem &q) { q.v.t.shape[2] = 4; }},
        {"context_v", ATTN4J_ERR_SHAPE_MISMATCH, [](Problem &q) { q.cv.t.shape[2] = 6; }},
        {"out", ATTN4J_ERR_SHAPE_MISMATCH, [](Problem &q) { q.out.t.shape[1] = 2; }},
        {"context_out", ATTN4J_ERR_SHAPE_MISMATCH, [](Problem &q) { q.cout.t.shape[3] = 5; }},
        {"rel_pos_bias", ATTN4J_ERR_SHAPE_MISMATCH, [](Problem &q) { q.bias.t.shape[3] = 6; }},
        {"rel_pos_bias", ATTN4J_ERR_INVALID_ARG, [](Problem &q) { q.bias.t.ndim = 3; }},
        {"rel_pos_bias", ATTN4J_ERR_DTYPE, [](Problem &q) { q.bias.t.dtype = ATTN4J_DTYPE_F64; }},
        {"mask", ATTN4J_ERR_DTYPE, [](Problem &q) { q.mask.t.dtype = ATTN4J_DTYPE_F32; }},
        {"mask", ATTN4J_ERR_SHAPE_MISMATCH, [](Problem &q) { q.mask.t.shape[1] = 4; }},
        {"context_mask", ATTN4J_ERR_SHAPE_MISMATCH, [](Problem &q) { q.cmask.t.shape[0] = 1; }},
        {"context_mask", ATTN4J_ERR_INVALID_ARG, [](Problem &q) { q.cmask.t.ndim = 1; }},
        {"talking_heads", ATTN4J_ERR_SHAPE_MISMATCH, [](Problem &q) { q.th.t.shape[0] = 2; }},
        {"context_talking_heads", ATTN4J_ERR_DTYPE,
         [](Problem &q) { q.cth.t.dtype = ATTN4J_DTYPE_BOOL; }},
        {"scale", ATTN4J_ERR_INVALID_ARG, [](Problem &q) { q.scale = NAN; }},
        {"scale", ATTN4J_ERR_INVALID_ARG, [](Problem &q) { q.scale = INFINITY; }},
        {"qk", ATTN4J_ERR_INVALID_ARG, [](Problem &q) { q.out.t.data = q.qk.t.data; }},
        {"context_out", ATTN4J_ERR_INVALID_ARG, [](Problem &q) { q.out.t.data = q.cout.t.data; }},
        // context_out over context_v's elements exactly (its own layout could reach past them
        // into whichever input the heap placed next, and the message would name that one).
        {"context_v", ATTN4J_ERR_INVALID_ARG,
         [](Problem &q) {
             q.cout.t.data = q.cv.t.data;
             std::memcpy(q.cout.t.strides, q.cv.t.strides, sizeof q.cout.t.strides);
         }},
        {"qk", ATTN4J_ERR_OVERFLOW, [](Problem &q) { q.qk.t.strides[0] = INT64_MAX / 2; }},
        {"context_v", ATTN4J_ERR_NULL_ARGUMENT, [](Problem &q) { q.cv.t.data = nullptr; }},
        {"qk", ATTN4J_ERR_INVALID_ARG,
         [](Problem &q) { q.qk.t.data = static_cast<char *>(q.qk.t.data) + 1; }},
        {"context_qk", ATTN4J_ERR_INVALID_ARG, [](Problem &q) { q.cqk.t.ndim = 5; }},
    };
    for (const Case &c : cases) {
        Problem q = fresh();
        c.edit(q);
        const attn4j_status s = q.call(ctx);
        const char *m = attn4j_last_error();
        EXPECT(s == c.code && std::strstr(m, c.needle) != nullptr,
               "expected %s mentioning \"%s\", got %s: \"%s\"", attn4j_status_string(c.code),
               c.needle, attn4j_status_string(s), m);
    }
}

} // namespace

int main() {
    Context one(1), two(2), three(3);
    // ctest runs this once per ISA of the machine (ATTN4J_ISA), so one pass covers one path.
    run_all(one, two, three);
    check_empty(two);
    check_minus_inf_bias(two);
    check_bad_arguments(two);
    return finish("test_bca_fused");
}
