// Every kernel table (row kernels, fused bidirectional tiles, fused SDPA tiles, packed linear) built for
// CPUs with AVX-512 F/BW/DQ/VL (compiled with those flags, see cmake/Attn4jFlags.cmake); isa.cpp chooses it at run time.
#define ATTN4J_KERNEL_NS avx512
#define ATTN4J_ISA_LEVEL 2
#include "kernels_impl.h"
#include "bca_fused_tiles.h"
#include "sdpa_tiles.h"
#include "linear_packed_tiles.h"
