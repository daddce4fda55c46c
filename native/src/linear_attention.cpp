// attn4j_linear_attention: attention with the feature map φ(x) = elu(x) + 1 (Katharopoulos et
// al. 2020) in O(n · d · dv): keys and values fold into S = Σ φ(k) vᵀ [d, dv] and z = Σ φ(k)
// [d] once (or as running prefix sums when causal), and each query reads them.
#include "common.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <new>

namespace attn4j {
namespace {

inline double phi(float x) { return x > 0.0f ? (double)x + 1.0 : std::exp((double)x); }

struct Views {
    const float *q, *k, *v;
    float *out;
    const uint8_t *kpm;
    const int64_t *qs, *ks, *vs, *os;
    int64_t kpm_s0, kpm_s1;
    int64_t h, i, j, d, dv;
    float eps;
};

// Adds φ(k_j) v_jᵀ to s [d, dv] and φ(k_j) to z [d]; phik [d] is scratch.
inline void fold_key(const Views &w, int64_t bb, int64_t hh, int64_t key, double *s, double *z,
                     double *phik) {
    const float *kr = w.k + bb * w.ks[0] + hh * w.ks[1] + key * w.ks[2];
    const float *vr = w.v + bb * w.vs[0] + hh * w.vs[1] + key * w.vs[2];
    for (int64_t c = 0; c < w.d; ++c) {
        phik[c] = phi(kr[c * w.ks[3]]);
        z[c] += phik[c];
    }
    for (int64_t c = 0; c < w.d; ++c)
        for (int64_t e = 0; e < w.dv; ++e) s[c * w.dv + e] += phik[c] * (double)vr[e * w.vs[3]];
}

// out_i = φ(q_i)ᵀ s / (φ(q_i) · z + eps); phiq [d] and acc [dv] are scratch.
inline void read_query(const Views &w, int64_t bb, int64_t hh, int64_t qi, const double *s,
                       const double *z, double *phiq, double *acc) {
    const float *qr = w.q + bb * w.qs[0] + hh * w.qs[1] + qi * w.qs[2];
    double den = w.eps;
    for (int64_t c = 0; c < w.d; ++c) {
        phiq[c] = phi(qr[c * w.qs[3]]);
        den += phiq[c] * z[c];
    }
    for (int64_t e = 0; e < w.dv; ++e) acc[e] = 0.0;
    for (int64_t c = 0; c < w.d; ++c)
        for (int64_t e = 0; e < w.dv; ++e) acc[e] += phiq[c] * s[c * w.dv + e];
    float *o = w.out + bb * w.os[0] + hh * w.os[1] + qi * w.os[2];
    for (int64_t e = 0; e < w.dv; ++e) o[e * w.os[3]] = (float)(acc[e] / den);
}

attn4j_status linear_attention(attn4j_context *ctx, const attn4j_tensor *q,
                               const attn4j_tensor *k, const attn4j_tensor *v,
                               const attn4j_tensor *key_padding_mask, int32_t causal, float eps,
                               attn4j_tensor *out) {
    int32_t threads = 0;
    attn4j_status st;
    if ((st = check_context(ctx, &threads))) return st;
    if ((st = check_tensors({{q, "q"}, {k, "k"}, {v, "v"}, {out, "out"}}, ATTN4J_DTYPE_F32, 4, 4)))
        return st;
    if ((st = check_optional(key_padding_mask, "key_padding_mask", ATTN4J_DTYPE_BOOL, 2, 2))) return st;
    const int64_t b = q->shape[0], h = q->shape[1], i = q->shape[2], d = q->shape[3];
    const int64_t j = k->shape[2], dv = v->shape[3];
    if (k->shape[0] != b || k->shape[1] != h || k->shape[3] != d)
        return fail(ATTN4J_ERR_SHAPE_MISMATCH, "k: expected shape [%lld, %lld, j, %lld] (as q %s), got %s",
                    (long long)b, (long long)h, (long long)d, shape_string(*q).c_str(),
                    shape_string(*k).c_str());
    if (v->shape[0] != b || v->shape[1] != h || v->shape[2] != j)
        return fail(ATTN4J_ERR_SHAPE_MISMATCH, "v: expected shape [%lld, %lld, %lld, dv], got %s",
                    (long long)b, (long long)h, (long long)j, shape_string(*v).c_str());
    if (out->shape[0] != b || out->shape[1] != h || out->shape[2] != i || out->shape[3] != dv)
        return fail(ATTN4J_ERR_SHAPE_MISMATCH, "out: expected shape [%lld, %lld, %lld, %lld], got %s",
                    (long long)b, (long long)h, (long long)i, (long long)dv, shape_string(*out).c_str());
    if (key_padding_mask != nullptr && (key_padding_mask->shape[0] != b || key_padding_mask->shape[1] != j))
        return fail(ATTN4J_ERR_SHAPE_MISMATCH, "key_padding_mask: expected shape [%lld, %lld], got %s",
                    (long long)b, (long long)j, shape_string(*key_padding_mask).c_str());
    if (causal && i != j)
        return fail(ATTN4J_ERR_SHAPE_MISMATCH,
                    "causal: expected as many queries as keys, got i = %lld, j = %lld", (long long)i,
                    (long long)j);
    if (!(eps >= 0.0f) || !std::isfinite(eps))
        return fail(ATTN4J_ERR_INVALID_ARG, "eps: expected a finite value >= 0, got %g", (double)eps);
    if (b * h * i * dv == 0) return ATTN4J_OK;

    Views w{static_cast<const float *>(q->data), static_cast<const float *>(k->data),
            static_cast<const float *>(v->data), static_cast<float *>(out->data),
            key_padding_mask ? static_cast<const uint8_t *>(key_padding_mask->data) : nullptr,
            q->strides, k->strides, v->strides, out->strides,
            key_padding_mask ? key_padding_mask->strides[0] : 0,
            key_padding_mask ? key_padding_mask->strides[1] : 0,
            h, i, j, d, dv, eps};
    // Per thread: s [d, dv], z [d], phi [d], acc [dv] in double (long prefix sums of positive
    // terms lose precision in float32).
    int64_t per;
    if (__builtin_mul_overflow(d, dv, &per) || __builtin_add_overflow(per, 2 * d + dv, &per))
        throw std::bad_alloc();
    const int64_t heads = b * h;
    const int nthreads = (int)std::max<int64_t>(1, std::min<int64_t>(threads, heads));
    int64_t total;
    if (__builtin_mul_overflow(per, (int64_t)nthreads, &total) ||
        total > (int64_t)(SIZE_MAX / sizeof(double)))
        throw std::bad_alloc();
    std::unique_ptr<double[]> scratch(new double[(size_t)total]);

#pragma omp parallel for num_threads(nthreads) schedule(dynamic, 1)
    for (int64_t bh = 0; bh < heads; ++bh) {
        const int64_t bb = bh / h, hh = bh % h;
        double *s = scratch.get() + (int64_t)omp_get_thread_num() * per;
        double *z = s + d * dv, *tmp = z + d, *acc = tmp + d;
        std::fill(s, s + d * dv + d, 0.0);
        auto kept = [&](int64_t key) {
            return w.kpm == nullptr || w.kpm[bb * w.kpm_s0 + key * w.kpm_s1] != 0;
        };
        if (causal) {
            for (int64_t t = 0; t < i; ++t) {
                if (kept(t)) fold_key(w, bb, hh, t, s, z, tmp);
                read_query(w, bb, hh, t, s, z, tmp, acc);
            }
        } else {
            for (int64_t t = 0; t < j; ++t)
                if (kept(t)) fold_key(w, bb, hh, t, s, z, tmp);
            for (int64_t t = 0; t < i; ++t) read_query(w, bb, hh, t, s, z, tmp, acc);
        }
    }
    return ATTN4J_OK;
}

} // namespace
} // namespace attn4j

extern "C" ATTN4J_API attn4j_status attn4j_linear_attention(
    attn4j_context *ctx, const attn4j_tensor *q, const attn4j_tensor *k, const attn4j_tensor *v,
    const attn4j_tensor *key_padding_mask, int32_t causal, float eps, attn4j_tensor *out) {
    return attn4j::guarded(
        [&] { return attn4j::linear_attention(ctx, q, k, v, key_padding_mask, causal, eps, out); });
}
