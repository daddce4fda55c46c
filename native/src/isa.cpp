// Run-time choice of the ISA (isa.h) and the kernel tables of each build.
#include "isa.h"

#include "bca_fused_kernels.h"
#include "kernels.h"
#include "linear_packed_kernels.h"
#include "sdpa_kernels.h"

#include <cstdlib>
#include <cstring>

namespace attn4j {

// The tables of each build (kernels_<isa>.cpp), by namespace.
#define ATTN4J_DECLARE_TABLES(ns)                                                                  \
    namespace ns {                                                                                 \
    extern const Kernels kRowKernels;                                                              \
    extern const bca::Kernels kBcaKernels;                                                         \
    extern const sdpa::Kernels kSdpaKernels;                                                       \
    extern const packed_linear::Kernels kPackedLinearKernels;                                      \
    }
ATTN4J_DECLARE_TABLES(portable)
ATTN4J_DECLARE_TABLES(avx2)
ATTN4J_DECLARE_TABLES(avx512)
#undef ATTN4J_DECLARE_TABLES

namespace {

Isa detect() {
    __builtin_cpu_init();
    // libgcc's checks include the operating system's XSAVE support for the wider registers.
    const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    const bool avx512 = avx2 && __builtin_cpu_supports("avx512f") &&
                        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
                        __builtin_cpu_supports("avx512vl");
    return avx512 ? Isa::avx512 : avx2 ? Isa::avx2 : Isa::portable;
}

// One table of three, by the active ISA.
template <class T> const T &pick(const T &portable, const T &avx2, const T &avx512) {
    switch (active_isa()) {
    case Isa::avx512:
        return avx512;
    case Isa::avx2:
        return avx2;
    default:
        return portable;
    }
}

} // namespace

Isa cpu_isa() {
    static const Isa isa = detect(); // thread-safe one-time initialisation
    return isa;
}

Isa active_isa() {
    const Isa cpu = cpu_isa();
    const char *cap = std::getenv("ATTN4J_ISA");
    if (cap == nullptr || cap[0] == '\0') return cpu;
    Isa limit = Isa::portable;
    if (std::strcmp(cap, "avx512") == 0)
        limit = Isa::avx512;
    else if (std::strcmp(cap, "avx2") == 0)
        limit = Isa::avx2;
    return (int)limit < (int)cpu ? limit : cpu;
}

const char *isa_name(Isa isa) {
    switch (isa) {
    case Isa::avx512:
        return "avx512";
    case Isa::avx2:
        return "avx2";
    default:
        return "portable";
    }
}

const Kernels &kernels() {
    return pick(portable::kRowKernels, avx2::kRowKernels, avx512::kRowKernels);
}

namespace bca {
const Kernels &select_kernels() {
    return pick(portable::kBcaKernels, avx2::kBcaKernels, avx512::kBcaKernels);
}
} // namespace bca

namespace sdpa {
const Kernels &select_kernels() {
    return pick(portable::kSdpaKernels, avx2::kSdpaKernels, avx512::kSdpaKernels);
}
} // namespace sdpa

namespace packed_linear {
const Kernels &select_kernels() {
    return pick(portable::kPackedLinearKernels, avx2::kPackedLinearKernels,
                avx512::kPackedLinearKernels);
}
} // namespace packed_linear

} // namespace attn4j
