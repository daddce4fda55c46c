// What the native benchmarks share: CPU and wall time of a call, medians, dense tensors over a
// caller's buffer, and the name of the kernels' ISA.
#pragma once

#include "attn4j.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <utility>
#include <vector>

namespace bench {

inline double own_cpu_seconds() {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec * 1e-6 + u.ru_stime.tv_sec +
           u.ru_stime.tv_usec * 1e-6;
}

// Wall ms and CPU ms per thread of one call of f.
template <class F> std::pair<double, double> timed(F f, int threads) {
    const double c0 = own_cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    f();
    const auto t1 = std::chrono::steady_clock::now();
    return {std::chrono::duration<double, std::milli>(t1 - t0).count(),
            (own_cpu_seconds() - c0) * 1e3 / threads};
}

inline double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// A dense (row-major, contiguous) tensor of `shape` over `data`.
inline attn4j_tensor dense(void *data, std::vector<int64_t> shape, int32_t dtype = ATTN4J_DTYPE_F32) {
    attn4j_tensor t{};
    t.data = data;
    t.dtype = dtype;
    t.ndim = (int32_t)shape.size();
    int64_t stride = 1;
    for (int k = t.ndim - 1; k >= 0; --k) {
        t.shape[k] = shape[k];
        t.strides[k] = stride;
        stride *= shape[k];
    }
    return t;
}

// The fused kernels' ISA: the CPU's best, capped by ATTN4J_ISA (attn4j_info.fused_kernel_isa).
inline const char *kernel_isa(const attn4j_info &info) {
    static const char *const names[] = {"portable", "avx2", "avx512"};
    return info.fused_kernel_isa >= 0 && info.fused_kernel_isa <= 2 ? names[info.fused_kernel_isa]
                                                                    : "unknown";
}

} // namespace bench
