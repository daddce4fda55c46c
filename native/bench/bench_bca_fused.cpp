// Benchmark of attn4j_bca_fused alone (no projections): random inputs at the reference
// README's configuration (8 heads of 64, batch 1) laid out as the projections leave them
// ([b, n, h·d] viewed as [b, h, n, d]), warm-up, then median/min/max over repeats.
// GFLOP/s counts the three matrix products, 3 · 2·i·j·d per (batch, head).
//
//   bench_bca_fused [--size IxJ]... [--batch B] [--heads H] [--dim-head D] [--threads T]
//                   [--repeat N] [--warmup N] [--mask] [--bias] [--talking-heads]
#include "attn4j.h"
#include "sgemm_reference.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace {

struct Options {
    std::vector<std::pair<int64_t, int64_t>> sizes;
    int64_t batch = 1, heads = 8, dim_head = 64;
    int threads = 0, repeat = 5, warmup = 1;
    bool mask = false, bias = false, talking_heads = false;
};

[[noreturn]] void usage(const char *why) {
    std::fprintf(stderr,
                 "bench_bca_fused: %s\nusage: bench_bca_fused [--size IxJ]... [--batch B] "
                 "[--heads H] [--dim-head D] [--threads T] [--repeat N] [--warmup N] [--mask] "
                 "[--bias] [--talking-heads]\n",
                 why);
    std::exit(2);
}

Options parse(int argc, char **argv) {
    Options o;
    for (int k = 1; k < argc; ++k) {
        const std::string a = argv[k];
        auto value = [&]() -> const char * {
            if (k + 1 >= argc) usage(("missing value after " + a).c_str());
            return argv[++k];
        };
        if (a == "--size") {
            long long i = 0, j = 0;
            if (std::sscanf(value(), "%lldx%lld", &i, &j) != 2 || i < 0 || j < 0)
                usage("--size wants IxJ, e.g. 4096x8192");
            o.sizes.push_back({i, j});
        } else if (a == "--batch")
            o.batch = std::atoll(value());
        else if (a == "--heads")
            o.heads = std::atoll(value());
        else if (a == "--dim-head")
            o.dim_head = std::atoll(value());
        else if (a == "--threads")
            o.threads = std::atoi(value());
        else if (a == "--repeat")
            o.repeat = std::max(1, std::atoi(value()));
        else if (a == "--warmup")
            o.warmup = std::max(0, std::atoi(value()));
        else if (a == "--mask")
            o.mask = true;
        else if (a == "--bias")
            o.bias = true;
        else if (a == "--talking-heads")
            o.talking_heads = true;
        else
            usage(("unknown option " + a).c_str());
    }
    if (o.sizes.empty()) o.sizes = {{256, 512}, {1024, 2048}, {4096, 8192}};
    return o;
}

void check(attn4j_status s, const char *what) {
    if (s != ATTN4J_OK) {
        std::fprintf(stderr, "%s: %s: %s\n", what, attn4j_status_string(s), attn4j_last_error());
        std::exit(1);
    }
}

// A [b, h, n, d] view of a [b, n, h·d] buffer.
attn4j_tensor interleaved(float *data, int64_t b, int64_t h, int64_t n, int64_t d) {
    attn4j_tensor t{};
    t.data = data;
    t.dtype = ATTN4J_DTYPE_F32;
    t.ndim = 4;
    const int64_t shape[4] = {b, h, n, d}, strides[4] = {n * h * d, d, h * d, 1};
    for (int k = 0; k < 4; ++k) t.shape[k] = shape[k], t.strides[k] = strides[k];
    return t;
}

void fill(std::vector<float> &v, uint64_t seed, float scale) {
    uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
    for (float &f : v) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        f = (float)((double)(x >> 11) / 9007199254740992.0 * 2.0 - 1.0) * scale;
    }
}

double peak_rss_mb() {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024.0;
}

// CPU jiffies spent by everything (busy) and in total, from /proc/stat.
bool cpu_jiffies(double *busy, double *total) {
    std::ifstream f("/proc/stat");
    std::string cpu;
    double v[8] = {0};
    if (!(f >> cpu) || cpu != "cpu") return false;
    for (double &x : v) f >> x;
    *total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
    *busy = *total - v[3] - v[4]; // minus idle and iowait
    return true;
}

} // namespace

int main(int argc, char **argv) {
    const Options o = parse(argc, argv);
    attn4j_context *ctx = nullptr;
    check(attn4j_context_create(o.threads, &ctx), "attn4j_context_create");
    int32_t threads = 0;
    check(attn4j_context_threads(ctx, &threads), "attn4j_context_threads");
    attn4j_info info{};
    check(attn4j_get_info(&info), "attn4j_get_info");
    const char *isa = bench::kernel_isa(info);
    std::printf("bca_fused: batch %lld, %lld heads of %lld, %d threads, kernels %s%s%s%s\n",
                (long long)o.batch, (long long)o.heads, (long long)o.dim_head, threads, isa,
                o.mask ? ", masks" : "", o.bias ? ", rel_pos_bias" : "",
                o.talking_heads ? ", talking heads" : "");
    // cpu ms/thread: this process's CPU time per call over the thread count, a steadier
    // figure than wall time when other processes take turns on the cores. cpu GFLOP/s is the
    // work over the median of it, % sgemm that rate over the sgemm's (sgemm_reference.h),
    // timed after every call.
    std::printf("%6s x %-6s %10s %10s %10s %9s %12s %10s %8s %12s %8s\n", "i", "j", "median ms",
                "min ms", "max ms", "GFLOP/s", "cpu ms/thr", "cpu GFLOP/s", "% sgemm",
                "peak RSS MB", "others%");
    bench::SgemmReference sgemm(ctx);
    const double hz = (double)sysconf(_SC_CLK_TCK);
    const double cpus = (double)sysconf(_SC_NPROCESSORS_ONLN);

    for (auto [I, J] : o.sizes) {
        const int64_t B = o.batch, H = o.heads, D = o.dim_head;
        std::vector<float> qk(B * I * H * D), v(qk.size()), cqk(B * J * H * D), cv(cqk.size());
        std::vector<float> out(qk.size()), cout(cqk.size());
        fill(qk, 1, 1.0f), fill(v, 2, 1.0f), fill(cqk, 3, 1.0f), fill(cv, 4, 1.0f);
        attn4j_tensor tq = interleaved(qk.data(), B, H, I, D),
                      tv = interleaved(v.data(), B, H, I, D);
        attn4j_tensor tcq = interleaved(cqk.data(), B, H, J, D),
                      tcv = interleaved(cv.data(), B, H, J, D);
        attn4j_tensor to = interleaved(out.data(), B, H, I, D),
                      tco = interleaved(cout.data(), B, H, J, D);
        std::vector<uint8_t> mask(B * I, 1), cmask(B * J, 1);
        for (int64_t k = 0; k < B * J; k += 7) cmask[k] = 0; // some context padding
        attn4j_tensor tm = bench::dense(mask.data(), {B, I}, ATTN4J_DTYPE_BOOL);
        attn4j_tensor tcm = bench::dense(cmask.data(), {B, J}, ATTN4J_DTYPE_BOOL);
        std::vector<float> bias(o.bias ? H * I * J : 0), th(H * H), cth(H * H);
        fill(bias, 5, 1.0f), fill(th, 6, 0.5f), fill(cth, 7, 0.5f);
        attn4j_tensor tb = bench::dense(bias.data(), {1, H, I, J}, ATTN4J_DTYPE_F32);
        attn4j_tensor tth = bench::dense(th.data(), {H, H}, ATTN4J_DTYPE_F32);
        attn4j_tensor tcth = bench::dense(cth.data(), {H, H}, ATTN4J_DTYPE_F32);
        const float scale = 1.0f / std::sqrt((float)D);
        auto call = [&] {
            check(attn4j_bca_fused(ctx, &tq, &tcq, &tv, &tcv, o.bias ? &tb : nullptr,
                                   o.mask ? &tm : nullptr, o.mask ? &tcm : nullptr,
                                   o.talking_heads ? &tth : nullptr,
                                   o.talking_heads ? &tcth : nullptr, scale, &to, &tco),
                  "attn4j_bca_fused");
        };
        for (int w = 0; w < o.warmup; ++w) call();
        std::vector<double> ms, cpu, gemm_cpu;
        double busy0 = 0, total0 = 0, busy1 = 0, total1 = 0;
        const bool have_stat = cpu_jiffies(&busy0, &total0);
        const double own0 = bench::own_cpu_seconds();
        const auto w0 = std::chrono::steady_clock::now();
        for (int r = 0; r < o.repeat; ++r) {
            const auto [w, c] = bench::timed(call, threads);
            ms.push_back(w), cpu.push_back(c);
            gemm_cpu.push_back(bench::timed([&] { sgemm.call(); }, threads).second);
        }
        const double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
        double gemm_own = 0; // CPU seconds of the sgemm calls, not the kernel's
        for (double c : gemm_cpu) gemm_own += c * threads / 1e3;
        const double own = bench::own_cpu_seconds() - own0 - gemm_own;
        double others = NAN;
        if (have_stat && cpu_jiffies(&busy1, &total1) && wall > 0)
            others = std::max(0.0, ((busy1 - busy0) / hz - own) / (wall * cpus)) * 100.0;
        std::vector<double> sorted = ms;
        std::sort(sorted.begin(), sorted.end());
        const double median = sorted[sorted.size() / 2];
        const double gflop = 3.0 * 2.0 * (double)I * J * D * H * B / 1e9;
        const double cpu_rate = gflop / (bench::median(cpu) / 1e3);
        const double gemm_rate = bench::SgemmReference::kGflop / (bench::median(gemm_cpu) / 1e3);
        std::printf("%6lld x %-6lld %10.2f %10.2f %10.2f %9.1f %12.2f %10.1f %7.0f%% %12.0f %8.1f\n",
                    (long long)I, (long long)J, median, sorted.front(), sorted.back(),
                    gflop / (median / 1e3), bench::median(cpu), cpu_rate,
                    100.0 * cpu_rate / gemm_rate, peak_rss_mb(), others);
        std::fflush(stdout);
    }
    check(attn4j_context_destroy(ctx), "attn4j_context_destroy");
    return 0;
}
