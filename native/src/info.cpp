// Library and runtime information (attn4j_get_info) and the empty call (attn4j_ping).
#include "common.h"
#include "isa.h"

#include <omp.h>
#include <oneapi/dnnl/dnnl.h>

#include <cstring>

using namespace attn4j;

namespace {

// oneDNN's effective ISA in the words of its ONEDNN_MAX_CPU_ISA setting.
const char *isa_name(dnnl_cpu_isa_t isa) {
    switch (isa) {
    case dnnl_cpu_isa_default:
        return "default";
    case dnnl_cpu_isa_sse41:
        return "sse41";
    case dnnl_cpu_isa_avx:
        return "avx";
    case dnnl_cpu_isa_avx2:
        return "avx2";
    case dnnl_cpu_isa_avx2_vnni:
        return "avx2_vnni";
    case dnnl_cpu_isa_avx2_vnni_2:
        return "avx2_vnni_2";
    case dnnl_cpu_isa_avx512_core:
        return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni:
        return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16:
        return "avx512_core_bf16";
    case dnnl_cpu_isa_avx10_1_512: // = avx512_core_fp16
        return "avx10_1_512";
    case dnnl_cpu_isa_avx10_1_512_amx: // = avx512_core_amx
        return "avx10_1_512_amx";
    case dnnl_cpu_isa_avx10_1_512_amx_fp16: // = avx512_core_amx_fp16
        return "avx10_1_512_amx_fp16";
    case dnnl_cpu_isa_avx10_2:
        return "avx10_2";
    case dnnl_cpu_isa_avx10_2_amx_2:
        return "avx10_2_amx_2";
    default:
        return "unknown";
    }
}

} // namespace

extern "C" {

ATTN4J_API attn4j_status attn4j_get_info(attn4j_info *out) {
    return guarded([&] {
        if (out == nullptr)
            return fail(ATTN4J_ERR_NULL_ARGUMENT, "out: expected a pointer, got NULL");
        std::memset(out, 0, sizeof *out);
        out->version_major = ATTN4J_VERSION_MAJOR;
        out->version_minor = ATTN4J_VERSION_MINOR;
        out->version_patch = ATTN4J_VERSION_PATCH;
        const dnnl_version_t *v = dnnl_version();
        out->dnnl_major = v->major;
        out->dnnl_minor = v->minor;
        out->dnnl_patch = v->patch;
        out->max_threads = omp_get_max_threads();
        // The kernels' ISA now (isa.h: the CPU's best, capped by ATTN4J_ISA).
        out->fused_kernel_isa = (int32_t)active_isa();
        std::strncpy(out->isa, isa_name(dnnl_get_effective_cpu_isa()), sizeof out->isa - 1);
        return ATTN4J_OK;
    });
}

ATTN4J_API attn4j_status attn4j_ping(void) { return ATTN4J_OK; }

} // extern "C"
