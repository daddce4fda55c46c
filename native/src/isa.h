// The instruction sets attn4j's kernels are built for, and the run-time choice among them:
// every kernel table (kernels.h, bca_fused_kernels.h, sdpa_kernels.h) comes in one build per
// ISA (kernels_<isa>.cpp), and isa.cpp hands out the tables of active_isa().
#pragma once

namespace attn4j {

// Ordered: each level runs only where the CPU has everything the lower ones need.
enum class Isa : int {
    portable = 0, // any x86-64 (SSE2)
    avx2 = 1,     // AVX2 + FMA
    avx512 = 2,   // AVX-512 F, BW, DQ, VL (with AVX2 + FMA)
};

// The best ISA this CPU and its operating system support (cpuid, once).
Isa cpu_isa();

// The ISA the kernels use now: cpu_isa(), capped by the environment variable ATTN4J_ISA when
// it names a lower one ("portable", "avx2", "avx512"; unset or empty = no cap; any other value
// = "portable"). Read on every call, so that one test process can run every path; a getenv
// costs nothing next to a kernel.
Isa active_isa();

// "portable", "avx2" or "avx512".
const char *isa_name(Isa isa);

} // namespace attn4j
