// The packed-weight path of attn4j_linear_packed (linear_packed.cpp): a linear layer's weight
// copied once into panels (linear_packed_kernels.h) and products over that copy (of few rows;
// of any number on AVX-512).
#pragma once

#include "attn4j.h"
#include "linear_packed_kernels.h"

#include <cstdint>

namespace attn4j {

// Floats of the packed copy of a weight [out, in]: ceil(out / kPanel) panels of [in, kPanel].
// False when that overflows int64.
bool packed_floats(int64_t out, int64_t in, int64_t *floats);

// Rows up to which attn4j_linear_packed reads the packed copy: packed_linear::kMaxRowsAvx512 or
// kMaxRows by the active ISA, or the environment variable ATTN4J_PACKED_ROWS (read per call,
// like ATTN4J_ISA; 0 = never), which lets one binary time both paths in turn.
int64_t packed_max_rows();

// True where the packed products take every row count by default: the kernels are AVX-512
// (packed_linear::kMaxRowsAvx512).
bool packed_takes_all_rows();

// y[m, n] = epilogue(x[m, k] · Wᵀ + bias) over W's packed copy, m ≤ packed_max_rows(),
// on up to `threads` threads (split by blocks of rows and panels). x and y: unit stride along
// their last dims.
void packed_product(const packed_linear::Product &product, int threads);

} // namespace attn4j
