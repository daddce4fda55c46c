// The few-row product over a packed weight (attn4j_linear_packed): one table per ISA, written
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

// Rows of x (m) up to which attn4j_linear_packed takes the packed path. Measured on a quiet
// AVX-512 machine (bench_linear_packed 2 16 32 64 128, MiniLM's and the README module's weights,
// one thread each side): 1.4-1.7× oneDNN over the plain weight at 16 rows, 0.9-1.3× at 32,
// 0.6-1.3× at 64, 0.67-0.75× at 128 (under load the larger counts had looked even or better);
// above 32 rows oneDNN's GEMM, which also runs products of 32 MFLOP or more on 2 threads, keeps
// the product (MiniLM at [1, 128]: 16.5 ms against 24.8 with the limit at 256).
constexpr int64_t kMaxRows = 32;

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
    // The columns of panels [p0, p1) of every row of t.y. Each output element is one FMA chain
    // along k in order, whatever the panel range or row blocking: the same bits on any number
    // of threads.
    void (*panels)(const Product &t, int64_t p0, int64_t p1);
};

// The table of the ISA in use now (isa.h).
const Kernels &select_kernels();

} // namespace packed_linear
} // namespace attn4j
