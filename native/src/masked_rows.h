// The frame shared by the softmaxes over a materialised [b, h, i, j] score matrix
// (attn4j_sdpa_softmax, attn4j_topk_softmax): argument checks, then per row the scores plus
// bias with invisible keys at −∞ in a contiguous buffer (weights may alias scores, and the
// kernels want contiguous rows), an op-specific edit, and the softmax into weights.
#pragma once

#include "attention_visibility.h"
#include "common.h"
#include "parallel.h"
#include "sdpa_kernels.h"
#include "strided.h"

#include <omp.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <new>

namespace attn4j {
namespace family {

struct MaskedRows {
    const attn4j_tensor *scores, *weights; // [b, h, i, j], same shape
    int64_t b, h, i, j;
    int threads; // the context's
    Visibility vis;
};

// Checks the context, scores and weights ([b, h, i, j] F32, weights shaped as scores) and the
// visibility arguments (make_visibility); fills *out.
attn4j_status check_masked_rows(attn4j_context *ctx, const attn4j_tensor *scores,
                                const attn4j_tensor *weights, const attn4j_tensor *bias,
                                const attn4j_tensor *mask, const attn4j_tensor *key_padding_mask,
                                const attn4j_tensor *global_tokens, int64_t window_left,
                                int64_t window_right, MaskedRows *out);

// For every row (bb, hh, qi): x = scores row + bias, −∞ where a key is not visible, in the
// first j floats of a thread's buffer of buffer_rows · j floats (the floats after x are the
// edit's); then edit(x, out, out_stride) with out the weights row, which may change x, or write
// the row itself and return false; then weights row = softmax(x), or NaN where x is all −∞
// (PyTorch's softmax of an all −∞ row). Throws std::bad_alloc before any thread starts.
template <class Edit> void softmax_masked_rows(const MaskedRows &r, int64_t buffer_rows, Edit &&edit) {
    const int64_t rows = r.b * r.h * r.i, j = r.j;
    if (rows * j == 0) return;
    constexpr float kNegInf = -std::numeric_limits<float>::infinity();
    const sdpa::Kernels &kern = sdpa::select_kernels();
    const int nthreads = threads_for(rows * j, r.threads);
    int64_t buffer_floats;
    if (__builtin_mul_overflow(j, (int64_t)nthreads * buffer_rows, &buffer_floats) ||
        buffer_floats > (int64_t)(SIZE_MAX / sizeof(float)))
        throw std::bad_alloc();
    std::unique_ptr<float[]> buffer(new float[(size_t)buffer_floats]);
    const float *src = static_cast<const float *>(r.scores->data);
    float *dst = static_cast<float *>(r.weights->data);
    const int64_t *ss = r.scores->strides, *ws = r.weights->strides;
    const Visibility &vis = r.vis;
    parallel_for(rows, nthreads, [&](int64_t row) {
        const int64_t bb = row / (r.h * r.i), hh = row / r.i % r.h, qi = row % r.i;
        float *x = buffer.get() + (int64_t)omp_get_thread_num() * buffer_rows * j;
        const float *in = src + bb * ss[0] + hh * ss[1] + qi * ss[2];
        float *out = dst + bb * ws[0] + hh * ws[1] + qi * ws[2];
        for (int64_t c = 0; c < j; ++c) x[c] = in[c * ss[3]];
        if (vis.bias != nullptr) {
            const float *br = vis.bias + bb * vis.bias_strides[0] + hh * vis.bias_strides[1] +
                              qi * vis.bias_strides[2];
            for (int64_t c = 0; c < j; ++c) x[c] += br[c * vis.bias_strides[3]];
        }
        if (!vis.block_all_visible(qi, qi + 1, 0, j)) {
            for (int64_t c = 0; c < j; ++c)
                if (!vis.visible(bb, hh, qi, c)) x[c] = kNegInf;
        }
        if (!edit(x, out, ws[3])) return;
        const float m = kern.max(x, j);
        if (m == kNegInf) {
            for (int64_t c = 0; c < j; ++c) out[c * ws[3]] = std::numeric_limits<float>::quiet_NaN();
            return;
        }
        const float inv = 1.0f / kern.exp_sum(x, j, m);
        for (int64_t c = 0; c < j; ++c) out[c * ws[3]] = x[c] * inv;
    });
}

} // namespace family
} // namespace attn4j
