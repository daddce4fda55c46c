// Times the few-row products of a whole MiniLM forward back to back, as the encoder runs them:
// 6 layers × ([m, 384]·[384, 1152]ᵀ, ·[384, 384]ᵀ, ·[384, 1536]ᵀ, [m, 1536]·[1536, 384]ᵀ), each
// layer with its own weights, so that the 42.5 MB of packed copies stream from memory as in a
// real forward (bench_linear_packed times one product whose weight stays in cache). On the
// calling thread alone and split over the context's threads, in alternate passes; median wall
// ms of a pass, its GFLOP/s and the packed bytes read per second.
// Build: cmake --build build/native --target bench_encoder_products;
// run: build/native/bench_encoder_products [threads] [rows] [layers]   (default 2 16 6)
#include "attn4j.h"
#include "bench_util.h"

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

// One linear layer: its plain weight [out, in], bias and packed copy.
struct Layer {
    int64_t in, out, floats;
    std::vector<float> w, b;
    float *packed;
};

} // namespace

int main(int argc, char **argv) {
    const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
    const int64_t rows = argc > 2 ? std::atoll(argv[2]) : 16;
    const int layers = argc > 3 ? std::atoi(argv[3]) : 6;
    attn4j_context *ctx = nullptr;
    if (threads < 1 || rows < 1 || layers < 1 || attn4j_context_create(threads, &ctx) != ATTN4J_OK) {
        std::fprintf(stderr, "usage: bench_encoder_products [threads] [rows] [layers]\n");
        return 1;
    }
    const int64_t shapes[][2] = {{384, 1152}, {384, 384}, {384, 1536}, {1536, 384}}; // {in, out}
    std::vector<Layer> products;
    double flops = 0, bytes = 0;
    for (int l = 0; l < layers; ++l)
        for (const auto &shape : shapes) {
            Layer p{shape[0], shape[1], 0, std::vector<float>(shape[0] * shape[1]), std::vector<float>(shape[1]), nullptr};
            for (size_t q = 0; q < p.w.size(); ++q) p.w[q] = (float)((q * 104729 + l) % 1000) / 1000.0f - 0.5f;
            attn4j_linear_pack_size(p.out, p.in, &p.floats);
            attn4j_alloc(p.floats * 4, reinterpret_cast<void **>(&p.packed));
            attn4j_tensor wt = bench::dense(p.w.data(), {p.out, p.in}), pt = bench::dense(p.packed, {p.floats});
            attn4j_linear_pack(&wt, &pt);
            flops += 2.0 * rows * p.in * p.out;
            bytes += p.floats * 4.0;
            products.push_back(std::move(p));
        }
    std::vector<float> x(rows * 1536, 0.1f), y(rows * 1536);
    std::vector<double> wall[2]; // one thread, split
    for (int pass = 0; pass < 220; ++pass)
        for (int split = 0; split < 2; ++split) {
            setenv("ATTN4J_PACKED_SPLIT_FLOPS", split ? "1" : "1e300", 1);
            attn4j_status s = ATTN4J_OK;
            const double ms = bench::timed(
                                  [&] {
                                      for (Layer &p : products) {
                                          attn4j_tensor xt = bench::dense(x.data(), {rows, p.in}),
                                                        wt = bench::dense(p.w.data(), {p.out, p.in}),
                                                        bt = bench::dense(p.b.data(), {p.out}),
                                                        yt = bench::dense(y.data(), {rows, p.out}),
                                                        pt = bench::dense(p.packed, {p.floats});
                                          if (s == ATTN4J_OK)
                                              s = attn4j_linear_packed(ctx, &xt, &wt, &pt, &bt,
                                                                       ATTN4J_EPILOGUE_NONE, &yt);
                                      }
                                  },
                                  1)
                                  .first;
            if (s != ATTN4J_OK) {
                std::fprintf(stderr, "linear_packed: %s\n", attn4j_last_error());
                return 1;
            }
            if (pass >= 20) wall[split].push_back(ms); // the first passes warm up
        }
    std::printf("%d product(s) of %lld rows, %.1f MB packed, %d thread(s); median of 200 passes each\n",
                (int)products.size(), (long long)rows, bytes / 1e6, threads);
    for (int split = 0; split < 2; ++split) {
        const double ms = bench::median(wall[split]);
        std::printf("%-10s %8.3f ms %8.1f GFLOP/s %6.1f GB/s\n", split ? "split" : "1 thread", ms,
                    flops / ms / 1e6, bytes / ms / 1e6);
    }
    for (Layer &p : products) attn4j_free(p.packed);
    attn4j_context_destroy(ctx);
    return 0;
}
