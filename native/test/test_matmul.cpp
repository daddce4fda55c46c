// attn4j_matmul against a double-precision loop: transposes, batch broadcasting, rank
// padding, alpha, padded/permuted/stepped/zero-stride views, k = 0 and empty outputs.
#include "test_util.h"

using namespace t4j;

namespace {

// c = alpha · op(a) · op(b) with numpy-style batch broadcasting (ranks padded on the left).
std::vector<double> reference(const Tensor &a, bool ta, const Tensor &b, bool tb, float alpha,
                              const Tensor &c) {
    const int rank = c.t.ndim;
    const int64_t m = c.t.shape[rank - 2], n = c.t.shape[rank - 1];
    const int64_t k = ta ? a.t.shape[a.t.ndim - 2] : a.t.shape[a.t.ndim - 1];
    int64_t batch = 1;
    for (int d = 0; d < rank - 2; ++d) batch *= c.t.shape[d];
    const float *ad = static_cast<const float *>(a.t.data);
    const float *bd = static_cast<const float *>(b.t.data);
    std::vector<double> out;
    for (int64_t bi = 0; bi < batch; ++bi) {
        // Batch offsets of a and b for c's batch index bi.
        int64_t rem = bi, aoff = 0, boff = 0;
        for (int d = rank - 3; d >= 0; --d) {
            int64_t idx = rem % c.t.shape[d];
            rem /= c.t.shape[d];
            int da = d - (rank - a.t.ndim), db = d - (rank - b.t.ndim);
            if (da >= 0 && a.t.shape[da] != 1) aoff += idx * a.t.strides[da];
            if (db >= 0 && b.t.shape[db] != 1) boff += idx * b.t.strides[db];
        }
        const int64_t *as = a.t.strides + a.t.ndim - 2, *bs = b.t.strides + b.t.ndim - 2;
        for (int64_t i = 0; i < m; ++i)
            for (int64_t j = 0; j < n; ++j) {
                double acc = 0;
                for (int64_t q = 0; q < k; ++q) {
                    double av = ad[aoff + (ta ? q * as[0] + i * as[1] : i * as[0] + q * as[1])];
                    double bv = bd[boff + (tb ? j * bs[0] + q * bs[1] : q * bs[0] + j * bs[1])];
                    acc += av * bv;
                }
                out.push_back(alpha * acc);
            }
    }
    return out;
}

void check(attn4j_context *ctx, std::vector<int64_t> as, bool ta, std::vector<int64_t> bs, bool tb,
           std::vector<int64_t> cs, float alpha, Layout al, Layout bl, Layout cl, uint64_t seed) {
    Rng rng(seed);
    Tensor a(as, al), b(bs, bl), c(cs, cl);
    a.randomize(rng);
    b.randomize(rng);
    EXPECT_OK(attn4j_matmul(ctx, &a.t, ta, &b.t, tb, alpha, &c.t));
    const int64_t k = ta ? as[as.size() - 2] : as.back();
    std::string what = "matmul a" + shape_str(a.t) + (ta ? "T" : "") + " b" + shape_str(b.t) +
                       (tb ? "T" : "") + " seed " + std::to_string(seed);
    expect_close(c, reference(a, ta, b, tb, alpha, c),
                 1e-5 * std::sqrt((double)k + 1) * std::fabs(alpha) + 1e-7, 1e-5, what);
}

} // namespace

int main() {
    Context ctx(2), single(1), three(3);
    uint64_t seed = 100;
    // Plain and transposed operands, sizes 1, odd, prime, larger.
    for (int ta = 0; ta < 2; ++ta)
        for (int tb = 0; tb < 2; ++tb) {
            auto op = [](bool t, int64_t r, int64_t c) {
                return t ? std::vector<int64_t>{c, r} : std::vector<int64_t>{r, c};
            };
            check(ctx, op(ta, 1, 1), ta, op(tb, 1, 1), tb, {1, 1}, 1.0f, dense(), dense(), dense(),
                  seed++);
            check(ctx, op(ta, 7, 13), ta, op(tb, 13, 5), tb, {7, 5}, 0.5f, dense(), dense(),
                  dense(), seed++);
            check(ctx, op(ta, 131, 67), ta, op(tb, 67, 97), tb, {131, 97}, 1.0f, dense(), dense(),
                  dense(), seed++);
            check(single, op(ta, 3, 61), ta, op(tb, 61, 1), tb, {3, 1}, -2.0f, dense(), dense(),
                  dense(), seed++);
        }
    // Batched: equal batches, broadcasting a, broadcasting b, both ways across two dims.
    check(ctx, {3, 7, 11}, false, {3, 11, 5}, false, {3, 7, 5}, 1.0f, dense(), dense(), dense(),
          seed++);
    check(ctx, {1, 7, 11}, false, {4, 11, 5}, false, {4, 7, 5}, 1.0f, dense(), dense(), dense(),
          seed++);
    check(ctx, {4, 7, 11}, false, {1, 5, 11}, true, {4, 7, 5}, 0.125f, dense(), dense(), dense(),
          seed++);
    check(ctx, {2, 1, 5, 3}, true, {1, 3, 5, 7}, false, {2, 3, 3, 7}, 1.0f, dense(), dense(),
          dense(), seed++);
    check(three, {2, 3, 1, 9, 4}, false, {2, 1, 5, 4, 2}, false, {2, 3, 5, 9, 2}, 1.0f, dense(),
          dense(), dense(), seed++);
    // Rank padding: b [k, n] against a [batch, m, k].
    check(ctx, {5, 6, 7}, false, {7, 3}, false, {5, 6, 3}, 1.0f, dense(), dense(), dense(), seed++);
    check(ctx, {6, 7}, false, {2, 5, 7, 3}, false, {2, 5, 6, 3}, 1.0f, dense(), dense(), dense(),
          seed++);
    // Attention-like: [b, h, i, d] · [b, h, j, d]ᵀ read from [b, i, h, d] storage.
    check(ctx, {2, 3, 17, 8}, false, {2, 3, 19, 8}, true, {2, 3, 17, 19}, 0.35355339f,
          permuted({0, 2, 1, 3}), permuted({0, 2, 1, 3}), dense(), seed++);
    // Padded operands and output; a permuted output.
    check(ctx, {3, 7, 11}, false, {3, 11, 5}, false, {3, 7, 5}, 1.0f, padded(2), padded(1),
          padded(3), seed++);
    check(ctx, {3, 7, 11}, true, {3, 5, 7}, true, {3, 11, 5}, 1.0f, dense(), dense(),
          permuted({2, 0, 1}), seed++);
    // Neither matrix stride 1 (every dim padded and permuted): goes through dense copies.
    check(ctx, {4, 9, 6}, false, {4, 6, 10}, false, {4, 9, 10}, 1.0f, permuted({1, 0, 2}, 1),
          permuted({2, 0, 1}, 2), permuted({1, 2, 0}, 1), seed++);
    // A unit matrix dim (k, m or n = 1) beside padded batches: the batch strides must be
    // honoured (oneDNN 3.x read such a b with a dense batch stride).
    check(ctx, {2, 1, 1}, false, {2, 1, 8}, false, {2, 1, 8}, 1.0f, dense(), padded(64), dense(),
          seed++);
    check(ctx, {3, 5, 1}, false, {3, 1, 7}, false, {3, 5, 7}, 1.0f, padded(2), padded(5), dense(),
          seed++);
    check(ctx, {3, 1, 4}, false, {3, 4, 6}, false, {3, 1, 6}, 0.5f, padded(3), dense(), padded(2),
          seed++);
    check(ctx, {3, 5, 4}, false, {3, 4, 1}, false, {3, 5, 1}, 1.0f, dense(), padded(9), padded(1),
          seed++);
    // Empty results and k = 0 (c = 0).
    check(ctx, {0, 7, 3}, false, {1, 3, 5}, false, {0, 7, 5}, 1.0f, dense(), dense(), dense(),
          seed++);
    check(ctx, {2, 7, 0}, false, {2, 0, 5}, false, {2, 7, 5}, 1.0f, dense(), dense(), dense(),
          seed++);
    check(ctx, {2, 7, 3}, false, {2, 3, 0}, false, {2, 7, 0}, 1.0f, dense(), dense(), dense(),
          seed++);

    // Zero strides with sizes > 1 (a broadcast input made by the caller): oneDNN rejects
    // these layouts, so they are copied; the answer must still be right.
    {
        Rng rng(seed++);
        Tensor a({5, 3}), b({3, 4}), c({5, 4}), a_full({5, 3}), c_full({5, 4});
        a.randomize(rng);
        b.randomize(rng);
        a.t.strides[0] = 0; // every row of a is row 0
        for (int64_t i = 0; i < 5; ++i)
            for (int64_t q = 0; q < 3; ++q) a_full.at(i * 3 + q) = a.get({0, q});
        EXPECT_OK(attn4j_matmul(ctx, &a.t, 0, &b.t, 0, 1.0f, &c.t));
        EXPECT_OK(attn4j_matmul(ctx, &a_full.t, 0, &b.t, 0, 1.0f, &c_full.t));
        std::vector<double> want;
        for (float v : c_full.values()) want.push_back(v);
        expect_close(c, want, 1e-6, 1e-6, "matmul with a zero-stride a");
    }
    // Repeated and cached: same shapes, different data, answers still right.
    for (int rep = 0; rep < 3; ++rep)
        check(ctx, {2, 3, 17, 8}, false, {2, 3, 19, 8}, true, {2, 3, 17, 19}, 0.35355339f,
              permuted({0, 2, 1, 3}), permuted({0, 2, 1, 3}), dense(), seed++);
    return finish("test_matmul");
}
