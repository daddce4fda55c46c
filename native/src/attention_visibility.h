// Which keys a query sees, and the score bias, for the attention family (attn4j.h, "the
// attention family"): one definition shared by attn4j_sdpa_fused and attn4j_sdpa_softmax so
// that the fused and the materialised paths agree element for element.
#pragma once

#include "attn4j.h"

#include <cstdint>

namespace attn4j {
namespace family {

struct Visibility {
    // mask: BOOL broadcast to [b, h, i, j]; NULL = every key visible.
    const uint8_t *mask = nullptr;
    int64_t mask_strides[4] = {};
    // key_padding_mask: BOOL [b, j]; NULL = no padding.
    const uint8_t *kpm = nullptr;
    int64_t kpm_strides[2] = {};
    // global_tokens: BOOL [b, n]; NULL = none. Global positions escape the window.
    const uint8_t *global = nullptr;
    int64_t global_strides[2] = {};
    // Window bounds relative to the query, < 0 = unbounded on that side.
    int64_t left = -1;
    int64_t right = -1;
    // bias: F32 broadcast to [b, h, i, j]; NULL = none.
    const float *bias = nullptr;
    int64_t bias_strides[4] = {};

    bool windowed() const { return left >= 0 || right >= 0; }

    // True when (i, j) lies inside the window (global tokens not considered).
    bool in_window(int64_t i, int64_t j) const {
        return (left < 0 || i - j <= left) && (right < 0 || j - i <= right);
    }

    bool is_global(int64_t b, int64_t n) const {
        return global != nullptr && global[b * global_strides[0] + n * global_strides[1]] != 0;
    }

    // The full rule of attn4j.h for key j of query i in batch b, head h.
    bool visible(int64_t b, int64_t h, int64_t i, int64_t j) const {
        if (mask != nullptr && mask[b * mask_strides[0] + h * mask_strides[1] + i * mask_strides[2] +
                                    j * mask_strides[3]] == 0)
            return false;
        if (kpm != nullptr && kpm[b * kpm_strides[0] + j * kpm_strides[1]] == 0) return false;
        if (!windowed() || in_window(i, j)) return true;
        return is_global(b, i) || is_global(b, j);
    }

    // True when every key of [j0, j1) is visible to every query of [i0, i1) whatever the masks
    // hold: no mask, no padding, and the whole block inside the window.
    bool block_all_visible(int64_t i0, int64_t i1, int64_t j0, int64_t j1) const {
        if (mask != nullptr || kpm != nullptr) return false;
        if (!windowed()) return true;
        // The corners farthest from the diagonal decide.
        return (left < 0 || (i1 - 1) - j0 <= left) && (right < 0 || (j1 - 1) - i0 <= right);
    }
};

// Checks the optional visibility arguments of an attention call over [b, h, i, j] and fills
// *out. `bias` may be NULL; global_tokens needs i == j. Returns ATTN4J_OK or the failure.
attn4j_status make_visibility(int64_t b, int64_t h, int64_t i, int64_t j,
                              const attn4j_tensor *bias, const attn4j_tensor *mask,
                              const attn4j_tensor *key_padding_mask,
                              const attn4j_tensor *global_tokens, int64_t window_left,
                              int64_t window_right, Visibility *out);

} // namespace family
} // namespace attn4j
