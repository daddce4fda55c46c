// attn4j_bca_fused gives the same bits on every call with the same inputs and the same
// context: repeated calls at 1..4 context threads (the OpenMP schedule differs from call to
// call), and four callers sharing one context at once. Shapes are large enough that the work is
// split over several threads, and the talking-heads schedule takes both of its unit layouts
// (i-blocks alone at 2 threads, i-blocks × j-chunks at 3 and 4).
#include "test_util.h"

#include <thread>

using namespace t4j;

namespace {

// One call's inputs and outputs; `talking_heads`: 0 none, 1 only the row side, 2 both sides.
struct Call {
    Tensor qk, cqk, v, cv, out, cout, bias, mask, cmask, th, cth;
    int talking_heads;
    bool extras; // rel_pos_bias and both masks

    Call(int64_t H, int64_t I, int64_t J, int64_t D, int talking, bool with_extras, uint64_t seed)
        : qk({1, H, I, D}), cqk({1, H, J, D}), v({1, H, I, D}), cv({1, H, J, D}),
          out({1, H, I, D}), cout({1, H, J, D}), bias({1, H, I, J}),
          mask({1, I}, dense(), ATTN4J_DTYPE_BOOL), cmask({1, J}, dense(), ATTN4J_DTYPE_BOOL),
          th({H, H}), cth({H, H}), talking_heads(talking), extras(with_extras) {
        Rng rng(seed);
        for (Tensor *t : {&qk, &cqk, &v, &cv, &bias, &th, &cth}) t->randomize(rng, 2.0f);
        for (int64_t k = 0; k < I; ++k) mask.byte(k) = k % 7 != 3;
        for (int64_t k = 0; k < J; ++k) cmask.byte(k) = k % 5 != 1;
    }

    bool run(attn4j_context *ctx) {
        return attn4j_bca_fused(ctx, &qk.t, &cqk.t, &v.t, &cv.t, extras ? &bias.t : nullptr,
                                extras ? &mask.t : nullptr, extras ? &cmask.t : nullptr,
                                talking_heads >= 1 ? &th.t : nullptr,
                                talking_heads >= 2 ? &cth.t : nullptr, 0.3f, &out.t,
                                &cout.t) == ATTN4J_OK;
    }

    // Both outputs, bit patterns included (memcmp compares NaN payloads and signed zeros too).
    std::vector<float> outputs() const {
        std::vector<float> all = out.values(), c = cout.values();
        all.insert(all.end(), c.begin(), c.end());
        return all;
    }
};

bool same_bits(const std::vector<float> &a, const std::vector<float> &b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

void check_case(int talking, bool extras) {
    const int64_t H = 4, I = 300, J = 200, D = 24;
    for (int threads = 1; threads <= 4; ++threads) {
        Context ctx(threads);
        Call call(H, I, J, D, talking, extras, 7 + talking);
        EXPECT(call.run(ctx), "talking heads %d, extras %d, %d threads: %s", talking, extras,
               threads, attn4j_last_error());
        const std::vector<float> want = call.outputs();
        int differ = 0;
        for (int rep = 0; rep < 8; ++rep) {
            EXPECT(call.run(ctx), "repeat: %s", attn4j_last_error());
            differ += !same_bits(call.outputs(), want);
        }
        EXPECT(differ == 0, "talking heads %d, extras %d, %d threads: %d of 8 repeats differ",
               talking, extras, threads, differ);

        // Four callers on the same context at once, each with its own outputs.
        constexpr int kCallers = 4;
        std::vector<Call> calls;
        for (int c = 0; c < kCallers; ++c) calls.emplace_back(H, I, J, D, talking, extras, 7 + talking);
        int bad[kCallers] = {};
        std::vector<std::thread> pool;
        for (int c = 0; c < kCallers; ++c)
            pool.emplace_back([&, c] {
                for (int rep = 0; rep < 3; ++rep)
                    bad[c] += !calls[c].run(ctx) || !same_bits(calls[c].outputs(), want);
            });
        for (std::thread &t : pool) t.join();
        for (int c = 0; c < kCallers; ++c)
            EXPECT(bad[c] == 0, "talking heads %d, extras %d, %d threads: caller %d, %d of 3 differ",
                   talking, extras, threads, c, bad[c]);
    }
}

} // namespace

int main() {
    for (int talking = 0; talking <= 2; ++talking) check_case(talking, false);
    check_case(2, true);
    return finish("test_bca_fused_determinism");
}
