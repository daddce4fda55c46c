// attn4j_sdpa_softmax: the attention softmax on a materialised [b, h, i, j] score matrix, with
// the visibility rules of attn4j_sdpa_fused (masks, window, global tokens, bias), so that the
// path that returns weights gives the fused path's numbers.
#include "masked_rows.h"

namespace attn4j {
namespace {

attn4j_status sdpa_softmax(attn4j_context *ctx, const attn4j_tensor *scores,
                           const attn4j_tensor *bias, const attn4j_tensor *mask,
                           const attn4j_tensor *key_padding_mask,
                           const attn4j_tensor *global_tokens, int64_t window_left,
                           int64_t window_right, attn4j_tensor *weights) {
    family::MaskedRows rows;
    if (attn4j_status st =
            family::check_masked_rows(ctx, scores, weights, bias, mask, key_padding_mask,
                                      global_tokens, window_left, window_right, &rows))
        return st;
    family::softmax_masked_rows(rows, 1, [](float *, float *, int64_t) { return true; });
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
