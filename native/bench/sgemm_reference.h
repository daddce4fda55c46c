// The machine's matrix-multiply rate for the native benchmarks: an sgemm c [G, G] = a · b
// (attn4j_matmul, oneDNN, G = 2048) timed call by call beside the kernel under test, so that
// both see the same load; rates are FLOPs over this process's CPU time per thread (steadier
// than wall time when other processes take turns on the cores).
#pragma once

#include "attn4j.h"
#include "bench_util.h"

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace bench {

class SgemmReference {
  public:
    static constexpr int64_t G = 2048;
    static constexpr double kGflop = 2.0 * G * G * G / 1e9;

    explicit SgemmReference(attn4j_context *ctx) : ctx_(ctx), a_(G * G), b_(G * G), c_(G * G) {
        for (size_t k = 0; k < a_.size(); ++k) {
            a_[k] = (float)((k * 7919) % 1000) / 1000.0f - 0.5f;
            b_[k] = (float)((k * 104729) % 1000) / 1000.0f - 0.5f;
        }
        call(); // warm-up: oneDNN builds its kernel once
    }

    void call() {
        attn4j_tensor a = matrix(a_.data()), b = matrix(b_.data()), c = matrix(c_.data());
        const attn4j_status s = attn4j_matmul(ctx_, &a, 0, &b, 0, 1.0f, &c);
        if (s != ATTN4J_OK) {
            std::fprintf(stderr, "attn4j_matmul: %s: %s\n", attn4j_status_string(s),
                         attn4j_last_error());
            std::exit(1);
        }
    }

  private:
    static attn4j_tensor matrix(float *data) {
        attn4j_tensor t{};
        t.data = data;
        t.dtype = ATTN4J_DTYPE_F32;
        t.ndim = 2;
        t.shape[0] = t.shape[1] = G;
        t.strides[0] = G;
        t.strides[1] = 1;
        return t;
    }

    attn4j_context *ctx_;
    std::vector<float> a_, b_, c_;
};

} // namespace bench
