// Run-time choice between the portable and the AVX2+FMA kernel tables.
#include "kernels.h"

#include <cstdlib>
#include <cstring>

namespace attn4j {

namespace {

bool cpu_has_avx2_fma() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

} // namespace

bool avx2_kernels_enabled() {
    static const bool cpu = cpu_has_avx2_fma(); // thread-safe one-time initialisation
    // Why read the variable on every call: tests switch paths within one process (the fused
    // kernel reads the same switch), and a getenv costs nothing next to a kernel.
    const char *force = std::getenv("ATTN4J_FORCE_SCALAR");
    const bool forced = force != nullptr && force[0] != '\0' && std::strcmp(force, "0") != 0;
    return cpu && !forced;
}

const Kernels &kernels() { return avx2_kernels_enabled() ? avx2::kTable : portable::kTable; }

} // namespace attn4j
