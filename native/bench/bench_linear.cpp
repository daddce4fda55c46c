// Times attn4j_linear on y[4096, 512] = x[4096, 512] · w[512, 512]ᵀ + b on 2 threads (or
// argv[1]) and prints the median GFLOP/s of 30 timed calls after 5 warm-up calls.
// Build: cmake --build build/native --target bench_linear; run: build/native/bench_linear [threads]
#include "attn4j.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

attn4j_tensor matrix(float *data, int64_t rows, int64_t cols) {
    attn4j_tensor t{};
    t.data = data;
    t.dtype = ATTN4J_DTYPE_F32;
    t.ndim = 2;
    t.shape[0] = rows;
    t.shape[1] = cols;
    t.strides[0] = cols;
    t.strides[1] = 1;
    return t;
}

} // namespace

int main(int argc, char **argv) {
    const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
    const int64_t m = 4096, k = 512, n = 512;
    std::vector<float> x(m * k), w(n * k), b(n), y(m * n);
    for (size_t q = 0; q < x.size(); ++q) x[q] = (float)((q * 7919) % 1000) / 1000.0f - 0.5f;
    for (size_t q = 0; q < w.size(); ++q) w[q] = (float)((q * 104729) % 1000) / 1000.0f - 0.5f;
    for (size_t q = 0; q < b.size(); ++q) b[q] = 0.01f * (float)q;
    attn4j_tensor xt = matrix(x.data(), m, k), wt = matrix(w.data(), n, k),
                  yt = matrix(y.data(), m, n);
    attn4j_tensor bt{};
    bt.data = b.data();
    bt.dtype = ATTN4J_DTYPE_F32;
    bt.ndim = 1;
    bt.shape[0] = n;
    bt.strides[0] = 1;

    attn4j_context *ctx = nullptr;
    if (attn4j_context_create(threads, &ctx) != ATTN4J_OK) {
        std::fprintf(stderr, "context: %s\n", attn4j_last_error());
        return 1;
    }
    attn4j_info info;
    attn4j_get_info(&info);
    for (int rep = 0; rep < 5; ++rep)
        if (attn4j_linear(ctx, &xt, &wt, &bt, &yt) != ATTN4J_OK) {
            std::fprintf(stderr, "linear: %s\n", attn4j_last_error());
            return 1;
        }
    std::vector<double> seconds;
    for (int rep = 0; rep < 30; ++rep) {
        auto t0 = std::chrono::steady_clock::now();
        attn4j_linear(ctx, &xt, &wt, &bt, &yt);
        auto t1 = std::chrono::steady_clock::now();
        seconds.push_back(std::chrono::duration<double>(t1 - t0).count());
    }
    std::sort(seconds.begin(), seconds.end());
    const double flop = 2.0 * m * k * n;
    const double median = seconds[seconds.size() / 2];
    std::printf("linear [%lld x %lld] . [%lld x %lld]^T + b, %d threads, oneDNN isa %s: "
                "median %.3f ms = %.1f GFLOP/s (best %.1f)\n",
                (long long)m, (long long)k, (long long)n, (long long)k, threads, info.isa,
                median * 1e3, flop / median * 1e-9, flop / seconds.front() * 1e-9);
    attn4j_context_destroy(ctx);
    return 0;
}
