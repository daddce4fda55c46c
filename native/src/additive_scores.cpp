// attn4j_additive_scores: Bahdanau's alignment scores, scores[b, i, j] = Σ_c w[c] ·
// tanh(q[b, i, c] + k[b, j, c]), on projected queries and keys.
#include "common.h"
#include "parallel.h"

#include <omp.h>

#include <algorithm>
#include <cmath>

namespace attn4j {
namespace {

attn4j_status additive_scores(attn4j_context *ctx, const attn4j_tensor *q,
                              const attn4j_tensor *k, const attn4j_tensor *w,
                              attn4j_tensor *scores) {
    int32_t threads = 0;
    attn4j_status st;
    if ((st = check_context(ctx, &threads))) return st;
    if ((st = check_tensor(q, "q", ATTN4J_DTYPE_F32, 3, 3))) return st;
    if ((st = check_tensor(k, "k", ATTN4J_DTYPE_F32, 3, 3))) return st;
    if ((st = check_tensor(w, "w", ATTN4J_DTYPE_F32, 1, 1))) return st;
    if ((st = check_tensor(scores, "scores", ATTN4J_DTYPE_F32, 3, 3))) return st;
    const int64_t b = q->shape[0], i = q->shape[1], a = q->shape[2], j = k->shape[1];
    if (k->shape[0] != b || k->shape[2] != a)
        return fail(ATTN4J_ERR_SHAPE_MISMATCH, "k: expected shape [%lld, j, %lld] (as q %s), got %s",
                    (long long)b, (long long)a, shape_string(*q).c_str(), shape_string(*k).c_str());
    if (w->shape[0] != a)
        return fail(ATTN4J_ERR_SHAPE_MISMATCH, "w: expected shape [%lld], got %s", (long long)a,
                    shape_string(*w).c_str());
    if (scores->shape[0] != b || scores->shape[1] != i || scores->shape[2] != j)
        return fail(ATTN4J_ERR_SHAPE_MISMATCH, "scores: expected shape [%lld, %lld, %lld], got %s",
                    (long long)b, (long long)i, (long long)j, shape_string(*scores).c_str());
    const int64_t rows = b * i;
    if (rows * j == 0) return ATTN4J_OK;
    const float *qd = static_cast<const float *>(q->data);
    const float *kd = static_cast<const float *>(k->data);
    const float *wd = static_cast<const float *>(w->data);
    float *sd = static_cast<float *>(scores->data);
    const int nthreads = (int)std::max<int64_t>(1, std::min<int64_t>(threads, rows * j * a / 32768 + 1));
    parallel_for(rows, nthreads, [&](int64_t row) {
        const int64_t bb = row / i, qi = row % i;
        const float *qr = qd + bb * q->strides[0] + qi * q->strides[1];
        float *out = sd + bb * scores->strides[0] + qi * scores->strides[1];
        for (int64_t c = 0; c < j; ++c) {
            const float *kr = kd + bb * k->strides[0] + c * k->strides[1];
            float sum = 0.0f;
            for (int64_t e = 0; e < a; ++e)
                sum += wd[e * w->strides[0]] * std::tanh(qr[e * q->strides[2]] + kr[e * k->strides[2]]);
            out[c * scores->strides[2]] = sum;
        }
    });
    return ATTN4J_OK;
}

} // namespace
} // namespace attn4j

extern "C" ATTN4J_API attn4j_status attn4j_additive_scores(attn4j_context *ctx,
                                                           const attn4j_tensor *q,
                                                           const attn4j_tensor *k,
                                                           const attn4j_tensor *w,
                                                           attn4j_tensor *scores) {
    return attn4j::guarded([&] { return attn4j::additive_scores(ctx, q, k, w, scores); });
}
