// attn4j_linear_pack_size and attn4j_linear_pack (a weight [out, in] copied into panels once),
// and the product over such a copy that attn4j_linear_packed runs (linear.cpp).
#include "linear_packed.h"

#include "common.h"
#include "chunk_team.h"
#include "isa.h"

#include <algorithm>
#include <cstdlib>

using namespace attn4j;

namespace attn4j {

namespace {

using packed_linear::kPanel;

// Panels (of 16 columns) per chunk that a thread claims: 6 chunks for 384 outputs, 24 for 1536.
constexpr int64_t kChunkPanels = 4;
// Rows of x per block: as many as fit kBlockBytes (256 at k = 384), at least kMinBlockRows.
constexpr int64_t kBlockBytes = 384 * 1024;
constexpr int64_t kMinBlockRows = 32;

// Arithmetic (2·m·k·n) a packed product needs before helper threads join it (run_chunks): about
// 15 µs of one AVX-512 core, against about a µs for a polling helper to join (run_chunks backs
// off where helpers do not gain). Measured on a quiet 2-core AVX-512 VM, the README module at
// 16 × 16 (products of 6.3 and 8.4 MFLOP), fused, ./attn4j bench --size 16x16 --repeat 200, ms:
// 0.265 / 0.309 with 8 MFLOP (ONNX Runtime 0.357 / 0.342 in the same runs), 0.208 / 0.176 with
// 3 MFLOP (ONNX Runtime 0.358 / 0.341). The environment variable ATTN4J_PACKED_SPLIT_FLOPS
// overrides it (read per call, like ATTN4J_ISA), for timing the split on one binary.
constexpr double kSplitFlops = 3e6;

// A positive number from environment variable `name`, or `fallback` when it is unset or not one.
double env_number(const char *name, double fallback) {
    const char *env = std::getenv(name);
    if (env == nullptr || env[0] == '\0') return fallback;
    char *end = nullptr;
    const double v = std::strtod(env, &end);
    return end != env && v >= 0 ? v : fallback;
}

double split_flops() {
    const double v = env_number("ATTN4J_PACKED_SPLIT_FLOPS", kSplitFlops);
    return v > 0 ? v : kSplitFlops;
}

} // namespace

bool packed_takes_all_rows() { return active_isa() == Isa::avx512; }

int64_t packed_max_rows() {
    const int64_t fallback = packed_takes_all_rows() ? packed_linear::kMaxRowsAvx512 : packed_linear::kMaxRows;
    const double rows = env_number("ATTN4J_PACKED_ROWS", -1.0);
    return rows >= 0 ? (rows >= (double)INT64_MAX ? INT64_MAX : (int64_t)rows) : fallback;
}

bool packed_floats(int64_t out, int64_t in, int64_t *floats) {
    const int64_t panels = out / kPanel + (out % kPanel != 0);
    return !__builtin_mul_overflow(panels * kPanel, in, floats);
}

void packed_product(const packed_linear::Product &t, int threads) {
    const int64_t panels = t.n / kPanel + (t.n % kPanel != 0);
    const packed_linear::Kernels &kernels = packed_linear::select_kernels();
    const double flops = 2.0 * (double)t.m * (double)t.k * (double)t.n;
    // Blocks of rows whose x stays in L2 (kBlockBytes) while every panel passes over it. Why:
    // with all rows at once, x ([4096, 384] = 6 MiB for MiniLM at [32, 128]) came from memory
    // again for each group of panels.
    const int64_t block_rows = std::max<int64_t>(kMinBlockRows, kBlockBytes / (4 * std::max<int64_t>(t.k, 1)));
    const int64_t blocks = (t.m + block_rows - 1) / block_rows;
    if (threads <= 1 || flops < split_flops() || (panels <= kChunkPanels && blocks == 1)) {
        for (int64_t r0 = 0; r0 < t.m; r0 += block_rows)
            kernels.panels(t, r0, std::min(t.m, r0 + block_rows), 0, panels);
        return;
    }
    // Chunks of a block of rows × kChunkPanels panels (columns), never a share of k: every
    // element is computed alike on any thread.
    const int64_t chunks_per_block = panels / kChunkPanels + (panels % kChunkPanels != 0);
    run_chunks(blocks * chunks_per_block, threads, [&](int64_t c) {
        const int64_t r0 = c / chunks_per_block * block_rows, p0 = c % chunks_per_block * kChunkPanels;
        kernels.panels(t, r0, std::min(t.m, r0 + block_rows), p0, std::min(panels, p0 + kChunkPanels));
    });
}

} // namespace attn4j

extern "C" {

ATTN4J_API attn4j_status attn4j_linear_pack_size(int64_t out, int64_t in, int64_t *floats) {
    return guarded([&] {
        if (floats == nullptr)
            return fail(ATTN4J_ERR_NULL_ARGUMENT, "floats: expected a pointer, got NULL");
        if (out < 0 || in < 0)
            return fail(ATTN4J_ERR_INVALID_ARG, "out, in: expected ≥ 0, got %lld, %lld",
                        (long long)out, (long long)in);
        if (!packed_floats(out, in, floats))
            return fail(ATTN4J_ERR_OVERFLOW, "packed size of a [%lld, %lld] weight overflows int64",
                        (long long)out, (long long)in);
        return ATTN4J_OK;
    });
}

ATTN4J_API attn4j_status attn4j_linear_pack(const attn4j_tensor *weight, attn4j_tensor *packed) {
    return guarded([&] {
        if (attn4j_status s = check_tensor(weight, "weight", ATTN4J_DTYPE_F32, 2, 2)) return s;
        if (attn4j_status s = check_tensor(packed, "packed", ATTN4J_DTYPE_F32, 1, 1)) return s;
        const int64_t out = weight->shape[0], in = weight->shape[1];
        int64_t floats = -1;
        if (!packed_floats(out, in, &floats) || packed->shape[0] != floats)
            return fail(ATTN4J_ERR_SHAPE_MISMATCH,
                        "packed: expected shape [%lld] (attn4j_linear_pack_size of weight %s), got %s",
                        (long long)floats, shape_string(*weight).c_str(),
                        shape_string(*packed).c_str());
        if (!is_contiguous(*packed))
            return fail(ATTN4J_ERR_INVALID_ARG, "packed: expected a contiguous tensor, got stride %lld",
                        (long long)packed->strides[0]);
        const float *w = static_cast<const float *>(weight->data);
        float *dst = static_cast<float *>(packed->data);
        const int64_t ws0 = weight->strides[0], ws1 = weight->strides[1];
        // panel p, row k, column c ← weight[p·16 + c, k]; zero past out
        for (int64_t p = 0; p * kPanel < out; ++p)
            for (int64_t k = 0; k < in; ++k, dst += kPanel)
                for (int64_t c = 0; c < kPanel; ++c) {
                    const int64_t o = p * kPanel + c;
                    dst[c] = o < out ? w[o * ws0 + k * ws1] : 0.0f;
                }
        return ATTN4J_OK;
    });
}

} // extern "C"
