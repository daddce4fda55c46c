// One context shared by several threads at once (and a second context beside it): every
// call, repeated with the same shapes (cached primitives) and with changing shapes (cache
// misses racing each other), gives the answer a lone call gives, bit for bit (each op is
// deterministic for a given thread count).
#include "test_util.h"

#include <atomic>
#include <thread>

using namespace t4j;

namespace {

// One workload: inputs, and the outputs of a lone run to compare with.
struct Work {
    Tensor x, w, b, y, a, bm, c, sim, attn, cattn, hw, hy;
    std::vector<float> y_want, c_want, attn_want, cattn_want, hy_want;

    Work(int64_t rows, int64_t in, int64_t out, uint64_t seed)
        : x({rows, in}), w({out, in}), b({out}), y({rows, out}), a({2, rows, in}), bm({2, out, in}),
          c({2, rows, out}), sim({1, 2, rows, out}), attn({1, 2, rows, out}),
          cattn({1, 2, rows, out}), hw({2, 2}), hy({1, 2, rows, out}) {
        Rng rng(seed);
        for (Tensor *t : {&x, &w, &b, &a, &bm, &sim, &hw}) t->randomize(rng);
    }

    // Runs every op once into the outputs; false on any failed status.
    bool run(attn4j_context *ctx) {
        bool ok = attn4j_linear(ctx, &x.t, &w.t, &b.t, &y.t) == ATTN4J_OK;
        ok = ok && attn4j_matmul(ctx, &a.t, 0, &bm.t, 1, 0.5f, &c.t) == ATTN4J_OK;
        ok = ok && attn4j_bca_softmax(ctx, &sim.t, nullptr, nullptr, nullptr, &attn.t, &cattn.t) ==
                       ATTN4J_OK;
        ok = ok && attn4j_head_mix(ctx, &attn.t, &hw.t, &hy.t) == ATTN4J_OK;
        return ok;
    }
    void remember() {
        y_want = y.values();
        c_want = c.values();
        attn_want = attn.values();
        cattn_want = cattn.values();
        hy_want = hy.values();
    }
    bool same() const {
        return y.values() == y_want && c.values() == c_want && attn.values() == attn_want &&
               cattn.values() == cattn_want && hy.values() == hy_want;
    }
};

} // namespace

int main() {
    Context shared(2), other(1);
    // Shapes chosen so that threads both share primitives and build new ones concurrently.
    const int64_t shapes[][3] = {{37, 64, 48}, {128, 96, 67}, {5, 13, 7}, {61, 33, 129}};
    const int kThreads = 4, kRounds = 6;
    std::vector<std::vector<Work>> works(kThreads);
    for (int t = 0; t < kThreads; ++t)
        for (auto &s : shapes) works[t].emplace_back(s[0], s[1], s[2], 700 + 10 * t);
    // Lone runs first, on a context of their own so that the shared cache starts cold.
    {
        Context lone(2), lone1(1);
        for (int t = 0; t < kThreads; ++t)
            for (Work &w : works[t]) {
                EXPECT(w.run(t == kThreads - 1 ? lone1 : lone), "lone run: %s",
                       attn4j_last_error());
                w.remember();
            }
    }
    std::atomic<int> mismatches{0}, errors{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < kThreads; ++t)
        pool.emplace_back([&, t] {
            attn4j_context *ctx = t == kThreads - 1 ? other.ctx : shared.ctx;
            for (int round = 0; round < kRounds; ++round)
                for (size_t k = 0; k < works[t].size(); ++k) {
                    // Rotate the order so that threads hit different shapes at once.
                    Work &w = works[t][(k + t + round) % works[t].size()];
                    if (!w.run(ctx))
                        ++errors;
                    else if (!w.same())
                        ++mismatches;
                }
        });
    for (std::thread &th : pool) th.join();
    EXPECT(errors == 0, "%d calls failed", errors.load());
    EXPECT(mismatches == 0, "%d results differ from the lone run", mismatches.load());
    return finish("test_concurrency");
}
