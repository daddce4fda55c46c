// Layout checks shared by the ops (see strided.h).
#include "strided.h"

#include "common.h"

#include <utility>

namespace attn4j {

bool non_overlapping(int ndim, const int64_t *shape, const int64_t *strides) {
    int order[ATTN4J_MAX_DIMS];
    int n = 0;
    for (int d = 0; d < ndim && d < ATTN4J_MAX_DIMS; ++d) {
        if (shape[d] == 0) return true; // nothing is ever written
        if (shape[d] > 1) order[n++] = d;
    }
    // Insertion sort by stride (then by size): at most 8 dims.
    auto before = [&](int a, int b) {
        return strides[a] != strides[b] ? strides[a] < strides[b] : shape[a] < shape[b];
    };
    for (int k = 1; k < n; ++k)
        for (int q = k; q > 0 && before(order[q], order[q - 1]); --q)
            std::swap(order[q], order[q - 1]);
    int64_t min_stride = 1;
    for (int k = 0; k < n; ++k) {
        int d = order[k];
        if (strides[d] < min_stride) return false;
        if (__builtin_mul_overflow(strides[d], shape[d], &min_stride)) min_stride = INT64_MAX;
    }
    return true;
}

bool same_shape(const attn4j_tensor &a, const attn4j_tensor &b) {
    if (a.ndim != b.ndim) return false;
    for (int d = 0; d < a.ndim; ++d)
        if (a.shape[d] != b.shape[d]) return false;
    return true;
}

attn4j_status check_output_layout(const attn4j_tensor &t, const char *name) {
    if (non_overlapping(t)) return ATTN4J_OK;
    std::string strides = "[";
    for (int d = 0; d < t.ndim; ++d) strides += (d ? ", " : "") + std::to_string(t.strides[d]);
    return fail(ATTN4J_ERR_INVALID_ARG,
                "%s: expected strides whose elements do not overlap (an output), got shape %s "
                "strides %s]",
                name, shape_string(t).c_str(), strides.c_str());
}

attn4j_status check_same_shape(const attn4j_tensor &t, const char *name, const attn4j_tensor &ref,
                               const char *ref_name) {
    if (same_shape(t, ref)) return ATTN4J_OK;
    return fail(ATTN4J_ERR_SHAPE_MISMATCH, "%s: expected shape %s (as %s), got %s", name,
                shape_string(ref).c_str(), ref_name, shape_string(t).c_str());
}

attn4j_status check_output_like(const attn4j_tensor &t, const char *name, const attn4j_tensor &ref,
                                const char *ref_name) {
    if (attn4j_status s = check_same_shape(t, name, ref, ref_name)) return s;
    return check_output_layout(t, name);
}

attn4j_status check_broadcastable(const attn4j_tensor &t, const char *name,
                                  const attn4j_tensor &ref, const char *ref_name) {
    const int lead = ref.ndim - t.ndim;
    for (int d = 0; d < t.ndim; ++d)
        if (t.shape[d] != 1 && t.shape[d] != ref.shape[lead + d])
            return fail(ATTN4J_ERR_SHAPE_MISMATCH,
                        "%s: expected a shape that broadcasts to %s %s (each dim 1 or equal, "
                        "aligned right), got %s",
                        name, ref_name, shape_string(ref).c_str(), shape_string(t).c_str());
    return ATTN4J_OK;
}

} // namespace attn4j

namespace attn4j {

void copy_strided(int ndim, const int64_t *shape, const float *src, const int64_t *src_strides,
                  float *dst, const int64_t *dst_strides, int threads) {
    Nest<2> nest;
    nest.ndim = ndim;
    for (int d = 0; d < ndim; ++d) {
        nest.shape[d] = shape[d];
        nest.strides[0][d] = src_strides[d];
        nest.strides[1][d] = dst_strides[d];
        if (shape[d] == 0) return;
    }
    nest.collapse(false);
    const int64_t rows = nest.rows(), inner = nest.inner();
    const int64_t ss = nest.strides[0][nest.ndim - 1], ds = nest.strides[1][nest.ndim - 1];
#pragma omp parallel for num_threads(threads_for(rows *inner, threads)) schedule(static)
    for (int64_t r = 0; r < rows; ++r) {
        int64_t off[2];
        nest.row_offsets(r, off);
        const float *s = src + off[0];
        float *d = dst + off[1];
        if (ss == 1 && ds == 1) {
            for (int64_t k = 0; k < inner; ++k) d[k] = s[k];
        } else {
            for (int64_t k = 0; k < inner; ++k) d[k * ds] = s[k * ss];
        }
    }
}

} // namespace attn4j
