// attn4j_sdpa_softmax: the attention softmax on a materialised [b, h, i, j] score matrix, with
// the visibility rules of attn4j_sdpa_fused (masks, window, global tokens, bias), so that the
// path that returns weights gives the fused path's numbers.
#include "attention_visibility.h"
#include "common.h"
#include "sdpa_kernels.h"
#include "parallel.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <new>

namespace attn4j {
namespace {

attn4j_status sdpa_softmax(attn4j_context *ctx, const attn4j_tensor *scores,
                           const attn4j_tensor *bias, const attn4j_tensor *mask,
                           const attn4j_tensor *key_padding_mask,
                           const attn4j_tensor *global_tokens, int64_t window_left,
                           int64_t window_right, attn4j_tensor *weights) {
    int32_t threads = 0;
    attn4j_status st;
    if ((st = check_context(ctx, &threads))) return st;
    if ((st = check_tensors({{scores, "scores"}, {weights, "weights"}}, ATTN4J_DTYPE_F32, 4, 4)))
        return st;
    for (int d = 0; d < 4; ++d)
        if (weights->shape[d] != scores->shape[d])
            return fail(ATTN4J_ERR_SHAPE_MISMATCH, "weights: expected shape %s (as scores), got %s",
                        shape_string(*scores).c_str(), shape_string(*weights).c_str());
    const int64_t b = scores->shape[0], h = scores->shape[1], i = scores->shape[2],
                  j = scores->shape[3];
    family::Visibility vis;
    if ((st = family::make_visibility(b, h, i, j, bias, mask, key_padding_mask, global_tokens,
                                      window_left, window_right, &vis)))
        return st;
    const int64_t rows = b * h * i;
    if (rows * j == 0) return ATTN4J_OK;

    const sdpa::Kernels &kern = sdpa::select_kernels();
    // Why a row buffer: weights may alias scores, and the kernels want contiguous rows.
    const int nthreads = (int)std::max<int64_t>(1, std::min<int64_t>(threads, rows / 16 + 1));
    int64_t buffer_floats;
    if (__builtin_mul_overflow(j, (int64_t)nthreads, &buffer_floats) ||
        buffer_floats > (int64_t)(SIZE_MAX / sizeof(float)))
        throw std::bad_alloc();
    std::unique_ptr<float[]> buffer(new float[(size_t)buffer_floats]);
    const float *src = static_cast<const float *>(scores->data);
    float *dst = static_cast<float *>(weights->data);
    const int64_t *ss = scores->strides, *ws = weights->strides;

    parallel_for(rows, nthreads, [&](int64_t row) {
        const int64_t bb = row / (h * i), hh = row / i % h, qi = row % i;
        float *x = buffer.get() + (int64_t)omp_get_thread_num() * j;
        const float *in = src + bb * ss[0] + hh * ss[1] + qi * ss[2];
        for (int64_t c = 0; c < j; ++c) x[c] = in[c * ss[3]];
        if (vis.bias != nullptr) {
            const float *br = vis.bias + bb * vis.bias_strides[0] + hh * vis.bias_strides[1] +
                              qi * vis.bias_strides[2];
            for (int64_t c = 0; c < j; ++c) x[c] += br[c * vis.bias_strides[3]];
        }
        if (!vis.block_all_visible(qi, qi + 1, 0, j)) {
            for (int64_t c = 0; c < j; ++c)
                if (!vis.visible(bb, hh, qi, c)) x[c] = -std::numeric_limits<float>::infinity();
        }
        const float m = kern.max(x, j);
        float *out = dst + bb * ws[0] + hh * ws[1] + qi * ws[2];
        if (m == -std::numeric_limits<float>::infinity()) {
            // A query that sees nothing: PyTorch's softmax of an all −∞ row.
            for (int64_t c = 0; c < j; ++c) out[c * ws[3]] = std::numeric_limits<float>::quiet_NaN();
            return;
        }
        const float sum = kern.exp_sum(x, j, m);
        const float inv = 1.0f / sum;
        for (int64_t c = 0; c < j; ++c) out[c * ws[3]] = x[c] * inv;
    });
    return ATTN4J_OK;
}

} // namespace
} // namespace attn4j

extern "C" ATTN4J_API attn4j_status attn4j_sdpa_softmax(
    attn4j_context *ctx, const attn4j_tensor *scores, const attn4j_tensor *bias,
    const attn4j_tensor *mask, const attn4j_tensor *key_padding_mask,
    const attn4j_tensor *global_tokens, int64_t window_left, int64_t window_right,
    attn4j_tensor *weights) {
    return attn4j::guarded([&] {
        return attn4j::sdpa_softmax(ctx, scores, bias, mask, key_padding_mask, global_tokens,
                                    window_left, window_right, weights);
    });
}
