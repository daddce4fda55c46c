// Benchmark of attn4j_sdpa_fused alone (the SDPA core of `./attn4j bench peers`): q, k, v
// [b, n, h·d] viewed as [b, h, n, d], random inputs, causal or not, beside the sgemm of
// sgemm_reference.h timed round by round in the same run. Rates are FLOPs over CPU time per
// thread; causal counts half the work.
// FLOPs: 4·n²·d per head (Q·Kᵀ and P·V), halved for causal. --packed: q, k and v are views of
// one [b, n, 3·h·d] buffer, as MultiheadAttention's packed projection hands them over.
//
//   bench_sdpa_fused [--n N]... [--batch B] [--heads H] [--dim-head D] [--threads T] [--repeat R] [--causal]
//                    [--packed]
#include "attn4j.h"
#include "sgemm_reference.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

[[noreturn]] void usage(const char *why) {
    std::fprintf(stderr,
                 "bench_sdpa_fused: %s\nusage: bench_sdpa_fused [--n N]... [--batch B] [--heads H] "
                 "[--dim-head D] [--threads T] [--repeat R] [--causal] [--packed]\n",
                 why);
    std::exit(2);
}

void check(attn4j_status s, const char *what) {
    if (s != ATTN4J_OK) {
        std::fprintf(stderr, "%s: %s: %s\n", what, attn4j_status_string(s), attn4j_last_error());
        std::exit(1);
    }
}

attn4j_tensor view(float *data, int32_t ndim, const int64_t *shape, const int64_t *strides) {
    attn4j_tensor t{};
    t.data = data;
    t.dtype = ATTN4J_DTYPE_F32;
    t.ndim = ndim;
    for (int k = 0; k < ndim; ++k) t.shape[k] = shape[k], t.strides[k] = strides[k];
    return t;
}

void fill(std::vector<float> &v, uint64_t seed) {
    uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
    for (float &f : v) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        f = (float)((double)(x >> 11) / 9007199254740992.0 * 2.0 - 1.0);
    }
}

} // namespace

int main(int argc, char **argv) {
    std::vector<int64_t> sizes;
    int64_t batch = 1, heads = 8, dim = 64;
    int threads = 2, repeat = 3;
    bool causal = false, packed = false;
    for (int k = 1; k < argc; ++k) {
        const std::string a = argv[k];
        auto value = [&]() -> const char * {
            if (k + 1 >= argc) usage(("missing value after " + a).c_str());
            return argv[++k];
        };
        if (a == "--n")
            sizes.push_back(std::atoll(value()));
        else if (a == "--batch")
            batch = std::max<int64_t>(1, std::atoll(value()));
        else if (a == "--heads")
            heads = std::atoll(value());
        else if (a == "--dim-head")
            dim = std::atoll(value());
        else if (a == "--threads")
            threads = std::atoi(value());
        else if (a == "--repeat")
            repeat = std::max(1, std::atoi(value()));
        else if (a == "--causal")
            causal = true;
        else if (a == "--packed")
            packed = true;
        else
            usage(("unknown option " + a).c_str());
    }
    if (sizes.empty()) sizes = {4096};

    attn4j_context *ctx = nullptr;
    check(attn4j_context_create(threads, &ctx), "attn4j_context_create");
    check(attn4j_context_threads(ctx, &threads), "attn4j_context_threads");
    attn4j_info info{};
    check(attn4j_get_info(&info), "attn4j_get_info");
    const char *isa = bench::kernel_isa(info);

    bench::SgemmReference sgemm(ctx);
    auto gemm = [&] { sgemm.call(); };

    std::printf("sdpa_fused: batch %lld, %lld heads of %lld, %d threads, kernels %s, oneDNN isa %s%s%s\n",
                (long long)batch, (long long)heads, (long long)dim, threads, isa, info.isa,
                causal ? ", causal" : "", packed ? ", q/k/v packed [n, 3·h·d]" : "");
    std::printf("%6s %10s %12s %10s %12s %14s %8s\n", "n", "median ms", "cpu ms/thr",
                "GFLOP/s", "sgemm ms", "sgemm GFLOP/s", "% sgemm");
    for (int64_t n : sizes) {
        // q, k, v [n, h·d] each, or side by side in the rows of one [n, 3·h·d] buffer.
        const int64_t e = heads * dim, row = packed ? 3 * e : e;
        std::vector<float> qkv(3 * batch * n * e), out(batch * n * e);
        fill(qkv, 1);
        const int64_t apart = batch * n * e; // q, k and v one after the other, unless packed
        float *q = qkv.data(), *k = packed ? q + e : q + apart, *v = packed ? q + 2 * e : q + 2 * apart;
        const int64_t shape[4] = {batch, heads, n, dim}, strides[4] = {n * row, dim, row, 1},
                      out_strides[4] = {n * e, dim, e, 1};
        attn4j_tensor tq = view(q, 4, shape, strides), tk = view(k, 4, shape, strides),
                      tv = view(v, 4, shape, strides), to = view(out.data(), 4, shape, out_strides);
        const float scale = 1.0f / std::sqrt((float)dim);
        auto sdpa = [&] {
            check(attn4j_sdpa_fused(ctx, &tq, &tk, &tv, nullptr, nullptr, nullptr, nullptr,
                                    -1, causal ? 0 : -1, scale, &to),
                  "attn4j_sdpa_fused");
        };
        sdpa(); // warm-up
        std::vector<double> wall, cpu, gwall, gcpu;
        for (int r = 0; r < repeat; ++r) { // interleaved: both see the same load
            auto [w, c] = bench::timed(sdpa, threads);
            wall.push_back(w), cpu.push_back(c);
            auto [gw, gc_] = bench::timed(gemm, threads);
            gwall.push_back(gw), gcpu.push_back(gc_);
        }
        const double gflop = 4.0 * (double)batch * n * n * dim * heads / 1e9 * (causal ? 0.5 : 1.0);
        using bench::median;
        const double rate = gflop / (median(cpu) / 1e3),
                     grate = bench::SgemmReference::kGflop / (median(gcpu) / 1e3);
        std::printf("%6lld %10.1f %12.1f %10.1f %12.1f %14.1f %7.0f%%\n", (long long)n,
                    median(wall), median(cpu), rate, median(gwall), grate, 100.0 * rate / grate);
        std::fflush(stdout);
    }
    check(attn4j_context_destroy(ctx), "attn4j_context_destroy");
    return 0;
}
