// The product over a packed weight (attn4j_linear_packed): one table per ISA, written
// once in linear_packed_tiles.h over the vector-math layer, chosen at run time (isa.h).
#pragma once

#include "epilogue.h"

#include <cstdint>

namespace attn4j {
namespace packed_linear {

// Output columns per panel of a packed weight: the weight [out, in] is stored as
// ceil(out / kPanel) panels of [in, kPanel] (column c of panel p is output p·kPanel + c), the
// last one zero padded. Why: the microkernel reads one panel row per k step as kPanel
// contiguous floats (one AVX-512 vector, two AVX2 ones), so the weight streams through once,
// in order, with no per-call re-pack. The same layout on every ISA, so that a weight packed
// once runs on whichever the dispatch picks.
constexpr int64_t kPanel = 16;

// Rows of x (m) up to which attn4j_linear_packed takes the packed path where the kernels are
// AVX2 or portable. Measured on a quiet AVX-512 machine (bench_linear_packed 2 16 32 64 128,
// MiniLM's and the README module's weights, one thread each side): 1.4-1.7× oneDNN over the
// plain weight at 16 rows, 0.9-1.3× at 32, 0.6-1.3× at 64, 0.67-0.75× at 128; above 32 rows
// oneDNN's GEMM keeps the product. On AVX2 it still must: with both sides held to AVX2 on that
// machine (ATTN4J_ISA=avx2 ONEDNN_MAX_CPU_ISA=AVX2 bench_linear_packed 2 4096) the packed
// product of MiniLM's weights at 4096 rows took 1.7-1.9× oneDNN's time (an 8-accumulator tile).
constexpr int64_t kMaxRows = 32;
// On AVX-512 the packed product takes every row count. Measured there once x is read in blocks
// of rows (linear_packed.cpp), 2 threads, ATTN4J_PACKED_ROWS=100000 bench_linear_packed 2 64 128
// 256 4096, against oneDNN in the same runs: 0.90-0.95× its time at 4096 rows (MiniLM's four
// products at [32, 128]), under 0.5× at 64-256 rows, where oneDNN's OpenMP workers and the
// packed product's polling helper took turns on the two cores.
constexpr int64_t kMaxRowsAvx512 = INT64_MAX;

// One call: y[m, n] = epilogue(x[m, k] · Wᵀ + bias) for the panels [p0, p1).
struct Product {
    const float *x;      // [m, k], unit stride along k, x_rs between rows
    const float *packed; // ceil(n / kPanel) panels of [k, kPanel]
    const float *bias;   // [n] with stride bias_s, or NULL
    float *y;            // [m, n], unit stride along n, y_rs between rows
    int64_t x_rs, bias_s, y_rs;
    int64_t m, k, n;
    Epilogue epilogue;
};

struct Kernels {
    // Rows [r0, r1) × the columns of panels [p0, p1) of t.y. Each output element is one FMA
    // chain along k in order, whatever the ranges or row blocking: the same bits on any number
    // of threads.
    void (*panels)(const Product &t, int64_t r0, int64_t r1, int64_t p0, int64_t p1);
};

// The table of the ISA in use now (isa.h).
const Kernels &select_kernels();

} // namespace packed_linear
} // namespace attn4j
