// The validated problem of one attn4j_bca_fused call, and the tiled driver that computes it
// (bca_fused_run.cpp). bca_fused.cpp checks the arguments, then hands them over here.
#pragma once

#include "attn4j.h"
#include "bca_fused_kernels.h"

#include <cstdint>

namespace attn4j {
namespace bca {

struct Problem {
    int64_t b, h, i, j, d;                      // batch, heads, x length, context length, head size
    const attn4j_tensor *qk, *v;                // [b, h, i, d]
    const attn4j_tensor *context_qk;            // [b, h, j, d]
    const attn4j_tensor *context_v;             // [b, h, j, d]
    const attn4j_tensor *rel_pos_bias;          // broadcast to [b, h, i, j], or NULL
    const attn4j_tensor *mask;                  // [b, i] BOOL, or NULL
    const attn4j_tensor *context_mask;          // [b, j] BOOL, or NULL
    const attn4j_tensor *talking_heads;         // [h, h], or NULL
    const attn4j_tensor *context_talking_heads; // [h, h], or NULL
    float scale;
    const attn4j_tensor *out;         // [b, h, i, d]
    const attn4j_tensor *context_out; // [b, h, j, d]
    int threads;                      // ≥ 1
};

// Computes out and context_out. Allocates its scratch first (std::bad_alloc escapes to the
// caller's guard before any thread starts); no loop body throws.
void run(const Problem &pb, const Kernels &kernels);

} // namespace bca
} // namespace attn4j
