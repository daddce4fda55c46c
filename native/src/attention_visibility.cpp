// Argument checks of the attention family's optional inputs (masks, bias, window, global
// tokens), shared by attn4j_sdpa_fused and attn4j_sdpa_softmax.
#include "attention_visibility.h"

#include "common.h"

namespace attn4j {
namespace family {

namespace {

// `t` must have exactly `rank` dims equal to want[] (broadcast views carry zero strides).
attn4j_status check_dims(const attn4j_tensor &t, const char *name, int rank, const int64_t *want,
                         const char *what) {
    for (int d = 0; d < rank; ++d) {
        if (t.shape[d] != want[d]) {
            std::string expected = "[";
            for (int e = 0; e < rank; ++e) expected += (e ? ", " : "") + std::to_string(want[e]);
            expected += "]";
            return fail(ATTN4J_ERR_SHAPE_MISMATCH, "%s: expected shape %s (%s), got %s", name,
                        expected.c_str(), what, shape_string(t).c_str());
        }
    }
    return ATTN4J_OK;
}

// An optional input of exactly `rank` dims equal to want[] (`what` says so in messages):
// checked, and when present *data points at its elements and strides[] holds its strides.
template <class T>
attn4j_status optional_view(const attn4j_tensor *t, const char *name, int32_t dtype, int rank,
                            const int64_t *want, const char *what, const T **data,
                            int64_t *strides) {
    if (attn4j_status st = check_optional(t, name, dtype, rank, rank)) return st;
    if (t == nullptr) return ATTN4J_OK;
    if (attn4j_status st = check_dims(*t, name, rank, want, what)) return st;
    *data = static_cast<const T *>(t->data);
    for (int d = 0; d < rank; ++d) strides[d] = t->strides[d];
    return ATTN4J_OK;
}

} // namespace

attn4j_status make_visibility(int64_t b, int64_t h, int64_t i, int64_t j,
                              const attn4j_tensor *bias, const attn4j_tensor *mask,
                              const attn4j_tensor *key_padding_mask,
                              const attn4j_tensor *global_tokens, int64_t window_left,
                              int64_t window_right, Visibility *out) {
    attn4j_status st;
    const int64_t bhij[4] = {b, h, i, j};
    const int64_t bj[2] = {b, j};
    const char *broadcast = "[b, h, i, j], broadcast with zero strides";
    if ((st = optional_view(bias, "bias", ATTN4J_DTYPE_F32, 4, bhij, broadcast, &out->bias,
                            out->bias_strides)))
        return st;
    if ((st = optional_view(mask, "mask", ATTN4J_DTYPE_BOOL, 4, bhij, broadcast, &out->mask,
                            out->mask_strides)))
        return st;
    if ((st = optional_view(key_padding_mask, "key_padding_mask", ATTN4J_DTYPE_BOOL, 2, bj, "[b, j]",
                            &out->kpm, out->kpm_strides)))
        return st;
    if ((st = check_optional(global_tokens, "global_tokens", ATTN4J_DTYPE_BOOL, 2, 2))) return st;
    if (global_tokens != nullptr) {
        if (i != j)
            return fail(ATTN4J_ERR_SHAPE_MISMATCH,
                        "global_tokens: expected queries and keys of one sequence (i == j), "
                        "got i = %lld, j = %lld",
                        (long long)i, (long long)j);
        const int64_t bn[2] = {b, i};
        if ((st = check_dims(*global_tokens, "global_tokens", 2, bn, "[b, n]"))) return st;
        out->global = static_cast<const uint8_t *>(global_tokens->data);
        out->global_strides[0] = global_tokens->strides[0];
        out->global_strides[1] = global_tokens->strides[1];
    }
    // Negative means unbounded: every negative value is accepted and normalised to -1.
    out->left = window_left < 0 ? -1 : window_left;
    out->right = window_right < 0 ? -1 : window_right;
    return ATTN4J_OK;
}

} // namespace family
} // namespace attn4j
