// Walking strided views: several tensors over one shape, with dims merged where every
// tensor's layout allows it, offsets of the rows an inner loop runs along, and the layout
// checks the ops share.
#pragma once

#include "attn4j.h"

#include <cstdint>

namespace attn4j {

// N tensors walked together over one shape; strides[k] are tensor k's strides in elements
// (0 where it broadcasts).
template <int N> struct Nest {
    int ndim = 0;
    int64_t shape[ATTN4J_MAX_DIMS] = {};
    int64_t strides[N][ATTN4J_MAX_DIMS] = {};

    // Drops size-1 dims and merges dims d and d+1 wherever every tensor has
    // strides[d] == strides[d+1]·shape[d+1], so that inner loops run as long as possible.
    // With keep_last the last dim stays apart (the axis of a row operation). Never leaves
    // ndim at 0: a shape of only 1s becomes [1].
    void collapse(bool keep_last) {
        int out = 0;
        int last = keep_last ? ndim - 1 : ndim;
        for (int d = 0; d < last; ++d) {
            if (shape[d] == 1) continue;
            if (out > 0 && mergeable(out - 1, d)) {
                for (int k = 0; k < N; ++k) strides[k][out - 1] = strides[k][d];
                shape[out - 1] *= shape[d];
                continue;
            }
            move(d, out++);
        }
        if (keep_last) {
            move(ndim - 1, out++);
        } else if (out == 0) {
            shape[0] = 1;
            for (int k = 0; k < N; ++k) strides[k][0] = 1;
            out = 1;
        }
        ndim = out;
    }

    // Elements in the dims before the last one: the number of rows.
    int64_t rows() const {
        int64_t count = 1;
        for (int d = 0; d < ndim - 1; ++d) count *= shape[d];
        return count;
    }

    int64_t inner() const { return shape[ndim - 1]; }

    // Offsets (in elements) of row `row` (dims before the last, row-major) in every tensor.
    void row_offsets(int64_t row, int64_t offsets[N]) const {
        for (int k = 0; k < N; ++k) offsets[k] = 0;
        for (int d = ndim - 2; d >= 0; --d) {
            int64_t index = row % shape[d];
            row /= shape[d];
            for (int k = 0; k < N; ++k) offsets[k] += index * strides[k][d];
        }
    }

  private:
    bool mergeable(int outer, int inner_dim) const {
        for (int k = 0; k < N; ++k) {
            int64_t extent;
            if (__builtin_mul_overflow(strides[k][inner_dim], shape[inner_dim], &extent) ||
                strides[k][outer] != extent)
                return false;
        }
        return true;
    }
    void move(int from, int to) {
        shape[to] = shape[from];
        for (int k = 0; k < N; ++k) strides[k][to] = strides[k][from];
    }
};

// Strides of `t` aligned to the last `rank` dims of a shape of rank ≥ t.ndim, numpy style:
// missing leading dims and size-1 dims broadcast (stride 0).
inline void broadcast_strides(const attn4j_tensor &t, int rank, int64_t *out) {
    int lead = rank - t.ndim;
    for (int d = 0; d < rank; ++d) {
        if (d < lead) {
            out[d] = 0;
        } else {
            int s = d - lead;
            out[d] = t.shape[s] == 1 ? 0 : t.strides[s];
        }
    }
}

// True when no two indices of `t` reach the same element: after sorting the dims longer than
// 1 by stride, each stride is positive and at least the extent of the dims below it. (This is
// oneDNN's own test; it accepts every view made by slicing and permuting a dense tensor.)
bool non_overlapping(int ndim, const int64_t *shape, const int64_t *strides);

inline bool non_overlapping(const attn4j_tensor &t) {
    return non_overlapping(t.ndim, t.shape, t.strides);
}

// True when a and b describe the same shape.
bool same_shape(const attn4j_tensor &a, const attn4j_tensor &b);

// Fails with ATTN4J_ERR_INVALID_ARG unless output `t` (named `name`) is non-overlapping.
attn4j_status check_output_layout(const attn4j_tensor &t, const char *name);

// Fails with ATTN4J_ERR_SHAPE_MISMATCH unless `t` (named `name`) has the shape of `ref`
// (named `ref_name`).
attn4j_status check_same_shape(const attn4j_tensor &t, const char *name, const attn4j_tensor &ref,
                               const char *ref_name);

// The checks of an output computed over the shape of `ref`: check_same_shape, then
// check_output_layout.
attn4j_status check_output_like(const attn4j_tensor &t, const char *name, const attn4j_tensor &ref,
                                const char *ref_name);

// Fails with ATTN4J_ERR_SHAPE_MISMATCH unless `t` (named `name`, rank ≤ ref's) broadcasts to
// the shape of `ref` (named `ref_name`) by numpy's rules: dims aligned right, each 1 or equal.
attn4j_status check_broadcastable(const attn4j_tensor &t, const char *name,
                                  const attn4j_tensor &ref, const char *ref_name);

// Threads worth starting for `work` elements of cheap arithmetic: one per 256 Ki elements
// (≈ 0.1 ms of one core), the calling thread alone below 512 Ki. Why so many: forking a team
// costs about a microsecond on an idle machine, but the join waits for the slowest member, and
// where other processes hold the cores that is scheduler time slices (the [1, 8, 64, 96]
// softmaxes of a README-module forward took ms on 2 threads at load ≈ 7).
inline int threads_for(int64_t work, int threads) {
    const int64_t kGrain = int64_t(1) << 18;
    int64_t useful = work / kGrain;
    if (useful < 2) return 1;
    return useful < threads ? (int)useful : threads;
}

} // namespace attn4j

namespace attn4j {

// dst[i...] = src[i...] over `shape` (rank ndim), each side with its own strides; runs on up
// to `threads` threads. The views must not overlap each other.
void copy_strided(int ndim, const int64_t *shape, const float *src, const int64_t *src_strides,
                  float *dst, const int64_t *dst_strides, int threads);

} // namespace attn4j
