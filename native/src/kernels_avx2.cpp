// Every kernel table (row kernels, fused bidirectional tiles, fused SDPA tiles, packed linear) built for
// CPUs with AVX2+FMA (compiled with -mavx2 -mfma, see cmake/Attn4jFlags.cmake); isa.cpp chooses it at run time.
#define ATTN4J_KERNEL_NS avx2
#define ATTN4J_ISA_LEVEL 1
#include "kernels_impl.h"
#include "bca_fused_tiles.h"
#include "sdpa_tiles.h"
#include "linear_packed_tiles.h"
