// The kernels of kernels_impl.h with AVX2+FMA (this file is compiled with -mavx2 -mfma, see
// cmake/Attn4jFlags.cmake); used only where the CPU has both (kernels.cpp).
#define ATTN4J_KERNEL_NS avx2
#include "kernels_impl.h"
