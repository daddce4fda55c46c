// attn4j_topk_softmax: hard (top-k) attention on a materialised [b, h, i, j] score matrix. Per
// row, the k-th largest visible score is a threshold: keys scoring below it are dropped, the
// rest (ties included) go through the softmax of attn4j_sdpa_softmax.
#include "attention_visibility.h"
#include "common.h"
#include "sdpa_kernels.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <new>

namespace attn4j {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

attn4j_status topk_softmax(attn4j_context *ctx, const attn4j_tensor *scores,
                           const attn4j_tensor *mask, const attn4j_tensor *key_padding_mask,
                           int64_t window_left, int64_t window_right, int64_t top_k,
                           attn4j_tensor *weights) {
    int32_t threads = 0;
    attn4j_status st;
    if ((st = check_context(ctx, &threads))) return st;
    if ((st = check_tensor(scores, "scores", ATTN4J_DTYPE_F32, 4, 4))) return st;
    if ((st = check_tensor(weights, "weights", ATTN4J_DTYPE_F32, 4, 4))) return st;
    for (int d = 0; d < 4; ++d)
        if (weights->shape[d] != scores->shape[d])
            return fail(ATTN4J_ERR_SHAPE_MISMATCH, "weights: expected shape %s (as scores), got %s",
                        shape_string(*scores).c_str(), shape_string(*weights).c_str());
    if (top_k < 1)
        return fail(ATTN4J_ERR_INVALID_ARG, "top_k: expected a value >= 1, got %lld", (long long)top_k);
    const int64_t b = scores->shape[0], h = scores->shape[1], i = scores->shape[2],
                  j = scores->shape[3];
    family::Visibility vis;
    if ((st = family::make_visibility(b, h, i, j, nullptr, mask, key_padding_mask, nullptr,
                                      window_left, window_right, &vis)))
        return st;
    const int64_t rows = b * h * i;
    if (rows * j == 0) return ATTN4J_OK;

    const sdpa::Kernels &kern = sdpa::select_kernels();
    // Two row buffers per thread: the masked row (weights may alias scores, and the kernels want
    // contiguous rows) and a copy that nth_element reorders to find the threshold.
    const int nthreads = (int)std::max<int64_t>(1, std::min<int64_t>(threads, rows / 16 + 1));
    int64_t buffer_floats;
    if (__builtin_mul_overflow(j, (int64_t)nthreads * 2, &buffer_floats) ||
        buffer_floats > (int64_t)(SIZE_MAX / sizeof(float)))
        throw std::bad_alloc();
    std::unique_ptr<float[]> buffer(new float[(size_t)buffer_floats]);
    const float *src = static_cast<const float *>(scores->data);
    float *dst = static_cast<float *>(weights->data);
    const int64_t *ss = scores->strides, *ws = weights->strides;
    const bool select = top_k < j;

#pragma omp parallel for num_threads(nthreads) schedule(static)
    for (int64_t row = 0; row < rows; ++row) {
        const int64_t bb = row / (h * i), hh = row / i % h, qi = row % i;
        float *x = buffer.get() + (int64_t)omp_get_thread_num() * 2 * j;
        float *sorted = x + j;
        const float *in = src + bb * ss[0] + hh * ss[1] + qi * ss[2];
        float *out = dst + bb * ws[0] + hh * ws[1] + qi * ws[2];
        for (int64_t c = 0; c < j; ++c) x[c] = in[c * ss[3]];
        if (!vis.block_all_visible(qi, qi + 1, 0, j)) {
            for (int64_t c = 0; c < j; ++c)
                if (!vis.visible(bb, hh, qi, c)) x[c] = kNegInf;
        }
        bool nan = false;
        for (int64_t c = 0; c < j; ++c) nan |= std::isnan(x[c]);
        if (nan) { // a NaN score has no rank: the row is NaN, as the softmax of a NaN row is
            for (int64_t c = 0; c < j; ++c) out[c * ws[3]] = std::numeric_limits<float>::quiet_NaN();
            continue;
        }
        if (select) {
            // threshold = the top_k-th largest (invisible keys count as −∞, so with fewer visible
            // keys it is −∞ and nothing visible is dropped)
            std::copy(x, x + j, sorted);
            std::nth_element(sorted, sorted + (top_k - 1), sorted + j, std::greater<float>());
            const float threshold = sorted[top_k - 1];
            for (int64_t c = 0; c < j; ++c)
                if (x[c] < threshold) x[c] = kNegInf;
        }
        const float m = kern.max(x, j);
        if (m == kNegInf) { // a query that sees nothing: PyTorch's softmax of an all −∞ row
            for (int64_t c = 0; c < j; ++c) out[c * ws[3]] = std::numeric_limits<float>::quiet_NaN();
            continue;
        }
        const float inv = 1.0f / kern.exp_sum(x, j, m);
        for (int64_t c = 0; c < j; ++c) out[c * ws[3]] = x[c] * inv;
    }
    return ATTN4J_OK;
}

} // namespace
} // namespace attn4j

extern "C" ATTN4J_API attn4j_status attn4j_topk_softmax(
    attn4j_context *ctx, const attn4j_tensor *scores, const attn4j_tensor *mask,
    const attn4j_tensor *key_padding_mask, int64_t window_left, int64_t window_right,
    int64_t top_k, attn4j_tensor *weights) {
    return attn4j::guarded([&] {
        return attn4j::topk_softmax(ctx, scores, mask, key_padding_mask, window_left,
                                    window_right, top_k, weights);
    });
}
