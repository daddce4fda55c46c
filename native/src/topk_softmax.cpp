// attn4j_topk_softmax: hard (top-k) attention on a materialised [b, h, i, j] score matrix. Per
// row, the k-th largest visible score is a threshold: keys scoring below it are dropped, the
// rest (ties included) go through the softmax of attn4j_sdpa_softmax.
#include "masked_rows.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

namespace attn4j {
namespace {

attn4j_status topk_softmax(attn4j_context *ctx, const attn4j_tensor *scores,
                           const attn4j_tensor *mask, const attn4j_tensor *key_padding_mask,
                           int64_t window_left, int64_t window_right, int64_t top_k,
                           attn4j_tensor *weights) {
    family::MaskedRows rows;
    if (attn4j_status st = family::check_masked_rows(ctx, scores, weights, nullptr, mask,
                                                     key_padding_mask, nullptr, window_left,
                                                     window_right, &rows))
        return st;
    if (top_k < 1)
        return fail(ATTN4J_ERR_INVALID_ARG, "top_k: expected a value >= 1, got %lld", (long long)top_k);
    const int64_t j = rows.j;
    const bool select = top_k < j;
    // Two row buffers per thread: the masked row and a copy that nth_element reorders to find
    // the threshold.
    family::softmax_masked_rows(rows, 2, [&](float *x, float *out, int64_t os) {
        bool nan = false;
        for (int64_t c = 0; c < j; ++c) nan |= std::isnan(x[c]);
        if (nan) { // a NaN score has no rank: the row is NaN, as the softmax of a NaN row is
            for (int64_t c = 0; c < j; ++c) out[c * os] = std::numeric_limits<float>::quiet_NaN();
            return false;
        }
        if (select) {
            // threshold = the top_k-th largest (invisible keys count as −∞, so with fewer visible
            // keys it is −∞ and nothing visible is dropped)
            float *sorted = x + j;
            std::copy(x, x + j, sorted);
            std::nth_element(sorted, sorted + (top_k - 1), sorted + j, std::greater<float>());
            const float threshold = sorted[top_k - 1];
            for (int64_t c = 0; c < j; ++c)
                if (x[c] < threshold) x[c] = -std::numeric_limits<float>::infinity();
        }
        return true;
    });
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
