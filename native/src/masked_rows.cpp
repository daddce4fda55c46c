// Argument checks of the masked-row softmaxes (masked_rows.h).
#include "masked_rows.h"

namespace attn4j {
namespace family {

attn4j_status check_masked_rows(attn4j_context *ctx, const attn4j_tensor *scores,
                                const attn4j_tensor *weights, const attn4j_tensor *bias,
                                const attn4j_tensor *mask, const attn4j_tensor *key_padding_mask,
                                const attn4j_tensor *global_tokens, int64_t window_left,
                                int64_t window_right, MaskedRows *out) {
    int32_t threads = 0;
    attn4j_status st;
    if ((st = check_context(ctx, &threads))) return st;
    if ((st = check_tensors({{scores, "scores"}, {weights, "weights"}}, ATTN4J_DTYPE_F32, 4, 4)))
        return st;
    for (int d = 0; d < 4; ++d)
        if (weights->shape[d] != scores->shape[d])
            return fail(ATTN4J_ERR_SHAPE_MISMATCH, "weights: expected shape %s (as scores), got %s",
                        shape_string(*scores).c_str(), shape_string(*weights).c_str());
    out->scores = scores;
    out->weights = weights;
    out->b = scores->shape[0];
    out->h = scores->shape[1];
    out->i = scores->shape[2];
    out->j = scores->shape[3];
    out->threads = threads;
    return make_visibility(out->b, out->h, out->i, out->j, bias, mask, key_padding_mask,
                           global_tokens, window_left, window_right, &out->vis);
}

} // namespace family
} // namespace attn4j
