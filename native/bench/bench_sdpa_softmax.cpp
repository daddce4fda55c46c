// Times attn4j_sdpa_softmax (the materialised rows: max, exp and sum, scale per row) on scores
// [1, 8, 1024, 1024], one context of 2 threads (or argv[1]); prints the median of 15 timed calls
// after 3 warm-up calls and the ISA in use (ATTN4J_ISA caps it). The fused kernel has its own
// bench, bench_sdpa_fused.
// Build: cmake --build build/native --target bench_sdpa_softmax; run: build/native/bench_sdpa_softmax [threads]
#include "attn4j.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

namespace {

attn4j_tensor dense4(float *data, int64_t a, int64_t b, int64_t c, int64_t d) {
    attn4j_tensor t{};
    t.data = data;
    t.dtype = ATTN4J_DTYPE_F32;
    t.ndim = 4;
    const int64_t shape[4] = {a, b, c, d};
    int64_t stride = 1;
    for (int k = 3; k >= 0; --k) {
        t.shape[k] = shape[k];
        t.strides[k] = stride;
        stride *= shape[k];
    }
    return t;
}

// Median seconds of `call` (which returns a status) over 15 runs after 3 warm-ups; −1 on failure.
double median_seconds(const char *what, const std::function<attn4j_status()> &call) {
    std::vector<double> seconds;
    for (int rep = 0; rep < 18; ++rep) {
        auto t0 = std::chrono::steady_clock::now();
        if (call() != ATTN4J_OK) {
            std::fprintf(stderr, "%s: %s\n", what, attn4j_last_error());
            return -1;
        }
        auto t1 = std::chrono::steady_clock::now();
        if (rep >= 3) seconds.push_back(std::chrono::duration<double>(t1 - t0).count());
    }
    std::sort(seconds.begin(), seconds.end());
    return seconds[seconds.size() / 2];
}

std::vector<float> filled(size_t n, uint32_t salt) {
    std::vector<float> v(n);
    for (size_t q = 0; q < n; ++q) v[q] = (float)((q * 7919 + salt) % 1000) / 500.0f - 1.0f;
    return v;
}

} // namespace

int main(int argc, char **argv) {
    const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
    attn4j_context *ctx = nullptr;
    if (attn4j_context_create(threads, &ctx) != ATTN4J_OK) {
        std::fprintf(stderr, "context: %s\n", attn4j_last_error());
        return 1;
    }
    const char *isa = std::getenv("ATTN4J_ISA");

    const int64_t h = 8;
    const int64_t i = 1024, j = 1024;
    std::vector<float> scores = filled(h * i * j, 4), weights(h * i * j);
    attn4j_tensor ts = dense4(scores.data(), 1, h, i, j), tw = dense4(weights.data(), 1, h, i, j);
    const double rows = median_seconds("sdpa_softmax", [&] {
        return attn4j_sdpa_softmax(ctx, &ts, nullptr, nullptr, nullptr, nullptr, -1, -1, &tw);
    });

    std::printf("sdpa_softmax [1, %lld, %lld, %lld]: median %.2f ms (%d threads, ATTN4J_ISA %s)\n",
                (long long)h, (long long)i, (long long)j, rows * 1e3, threads,
                isa ? isa : "unset (the CPU's best)");
    attn4j_context_destroy(ctx);
    return rows < 0 ? 1 : 0;
}
