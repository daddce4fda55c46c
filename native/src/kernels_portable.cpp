// Every kernel table (row kernels, fused bidirectional tiles, fused SDPA tiles, packed linear) built for
// any x86-64 CPU (SSE2 vectors); isa.cpp chooses it at run time.
#define ATTN4J_KERNEL_NS portable
#define ATTN4J_ISA_LEVEL 0
#include "kernels_impl.h"
#include "bca_fused_tiles.h"
#include "sdpa_tiles.h"
#include "linear_packed_tiles.h"
