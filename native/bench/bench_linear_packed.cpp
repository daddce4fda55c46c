// Times the few-row products of a small encoder (MiniLM's [m, 384]·[384, 1152]ᵀ, ·[384, 384]ᵀ,
// ·[384, 1536]ᵀ, [m, 1536]·[1536, 384]ᵀ) and the README module's ([m, 512]·[512, 512]ᵀ,
// [m, 386]·[386, 512]ᵀ): attn4j_linear over the plain weight beside attn4j_linear_packed over its
// packed copy on the calling thread alone and split over the context's threads (helpers joining
// from 0 FLOP on, ATTN4J_PACKED_SPLIT_FLOPS set between calls), interleaved, median µs of 200
// calls each, wall and CPU time (CPU counts every thread's: what the helpers cost, polling
// included).
// Build: cmake --build build/native --target bench_linear_packed;
// run: build/native/bench_linear_packed [threads] [rows...]   (default 2 threads, rows 1 16 64)
#include "attn4j.h"
#include "bench_util.h"

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

// The timed calls of one product: wall and CPU ms each (CPU of every thread of the process).
struct Times {
    std::vector<double> wall, cpu;
};

} // namespace

int main(int argc, char **argv) {
    const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
    std::vector<int64_t> row_counts;
    for (int a = 2; a < argc; ++a) row_counts.push_back(std::atoll(argv[a]));
    if (row_counts.empty()) row_counts = {1, 16, 64};
    attn4j_context *ctx = nullptr;
    if (attn4j_context_create(threads, &ctx) != ATTN4J_OK) {
        std::fprintf(stderr, "context: %s\n", attn4j_last_error());
        return 1;
    }
    const int64_t shapes[][2] = {{384, 1152}, {384, 384}, {384, 1536}, {1536, 384}, {512, 512}, {386, 512}};
    std::printf("%d thread(s); µs medians of 200 interleaved calls\n", threads);
    std::printf("%5s %5s %5s | %10s %10s | %10s %10s | %10s %10s\n", "m", "in", "out", "plain wall",
                "plain cpu", "1 thr wall", "1 thr cpu", "split wall", "split cpu");
    for (int64_t m : row_counts)
        for (const auto &shape : shapes) {
            const int64_t in = shape[0], out = shape[1];
            std::vector<float> x(m * in), w(out * in), b(out), y(m * out);
            for (size_t q = 0; q < x.size(); ++q) x[q] = (float)((q * 7919) % 1000) / 1000.0f - 0.5f;
            for (size_t q = 0; q < w.size(); ++q) w[q] = (float)((q * 104729) % 1000) / 1000.0f - 0.5f;
            int64_t floats = 0;
            attn4j_linear_pack_size(out, in, &floats);
            float *packed = nullptr;
            attn4j_alloc(floats * 4, reinterpret_cast<void **>(&packed));
            attn4j_tensor xt = bench::dense(x.data(), {m, in}),
                          wt = bench::dense(w.data(), {out, in}), bt = bench::dense(b.data(), {out}),
                          yt = bench::dense(y.data(), {m, out}), pt = bench::dense(packed, {floats});
            attn4j_linear_pack(&wt, &pt);
            Times times[3]; // plain, packed on one thread, packed split
            for (int rep = 0; rep < 220; ++rep) {
                for (int which = 0; which < 3; ++which) {
                    if (which > 0) setenv("ATTN4J_PACKED_SPLIT_FLOPS", which == 1 ? "1e300" : "1", 1);
                    attn4j_status s = ATTN4J_OK;
                    const auto [wall, cpu] = bench::timed(
                        [&] {
                            s = which == 0 ? attn4j_linear(ctx, &xt, &wt, &bt, &yt)
                                           : attn4j_linear_packed(ctx, &xt, &wt, &pt, &bt,
                                                                  ATTN4J_EPILOGUE_NONE, &yt);
                        },
                        1);
                    if (s != ATTN4J_OK) {
                        std::fprintf(stderr, "linear: %s\n", attn4j_last_error());
                        return 1;
                    }
                    if (rep < 20) continue; // warm-up
                    Times &t = times[which];
                    t.wall.push_back(wall);
                    t.cpu.push_back(cpu);
                }
            }
            std::printf("%5lld %5lld %5lld", (long long)m, (long long)in, (long long)out);
            for (Times &t : times) // µs
                std::printf(" | %10.1f %10.1f", bench::median(t.wall) * 1e3, bench::median(t.cpu) * 1e3);
            std::printf("\n");
            attn4j_free(packed);
        }
    attn4j_context_destroy(ctx);
    return 0;
}
