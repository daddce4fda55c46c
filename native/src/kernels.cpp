// Run-time choice between the portable and the AVX2+FMA kernel tables.
#include "kernels.h"

#include <cstdlib>
#include <cstring>

namespace attn4j {

namespace {

bool detect_avx2() {
    const char *forced = std::getenv("ATTN4J_KERNEL_ISA");
    if (forced != nullptr && std::strcmp(forced, "portable") == 0) return false;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

} // namespace

bool avx2_kernels_enabled() {
    static const bool enabled = detect_avx2(); // thread-safe one-time initialisation
    return enabled;
}

const Kernels &kernels() { return avx2_kernels_enabled() ? avx2::kTable : portable::kTable; }

} // namespace attn4j
