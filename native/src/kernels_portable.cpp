// The kernels of kernels_impl.h for any x86-64 CPU (SSE2 vectors).
#define ATTN4J_KERNEL_NS portable
#include "kernels_impl.h"
