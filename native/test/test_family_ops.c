/* attn4j_relu, attn4j_rope, attn4j_additive_scores, attn4j_linear_attention and
 * attn4j_topk_softmax against naive
 * double-precision references, on odd sizes and strided views, plus argument errors. */
#include "attn4j.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond, ...)                                                                        \
    do {                                                                                        \
        if (!(cond)) {                                                                          \
            fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                                     \
            fprintf(stderr, __VA_ARGS__);                                                       \
            fprintf(stderr, "\n");                                                              \
            failures++;                                                                         \
        }                                                                                       \
    } while (0)

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static float uniform(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (float)((rng >> 11) * (1.0 / 9007199254740992.0)) * 2.0f - 1.0f;
}

static attn4j_tensor dense(void *data, int32_t dtype, int ndim, const int64_t *shape) {
    attn4j_tensor t;
    memset(&t, 0, sizeof t);
    t.data = data;
    t.dtype = dtype;
    t.ndim = ndim;
    int64_t stride = 1;
    for (int d = ndim - 1; d >= 0; --d) {
        t.shape[d] = shape[d];
        t.strides[d] = stride;
        stride *= shape[d];
    }
    return t;
}

static float *randoms(int64_t n) {
    float *x = malloc(sizeof(float) * (size_t)(n + 1));
    for (int64_t k = 0; k < n; ++k) x[k] = 2.0f * uniform();
    return x;
}

static void near(const char *what, const float *got, const double *want, int64_t n, double tol) {
    for (int64_t k = 0; k < n; ++k) {
        if (isnan(want[k]) ? !isnan(got[k]) : !(fabs(got[k] - want[k]) <= tol * (1 + fabs(want[k])))) {
            CHECK(0, "%s[%lld] = %.8g, want %.8g", what, (long long)k, got[k], want[k]);
            return;
        }
    }
}

static void test_relu(attn4j_context *ctx) {
    /* x [5, 7] read transposed as a [7, 5] view; y dense [7, 5]. */
    float *x = randoms(35);
    x[3] = NAN;
    float y[35];
    int64_t shape[2] = {7, 5};
    attn4j_tensor tx = dense(x, ATTN4J_DTYPE_F32, 2, shape);
    tx.strides[0] = 1, tx.strides[1] = 7;
    attn4j_tensor ty = dense(y, ATTN4J_DTYPE_F32, 2, shape);
    CHECK(attn4j_relu(ctx, &tx, &ty) == ATTN4J_OK, "relu: %s", attn4j_last_error());
    for (int r = 0; r < 7; ++r)
        for (int c = 0; c < 5; ++c) {
            float v = x[c * 7 + r];
            float got = y[r * 5 + c];
            if (isnan(v)) CHECK(isnan(got), "relu keeps NaN");
            else CHECK(got == (v > 0 ? v : 0.0f), "relu [%d, %d] = %g of %g", r, c, got, v);
        }
    attn4j_tensor in_place = dense(x, ATTN4J_DTYPE_F32, 2, shape);
    CHECK(attn4j_relu(ctx, &in_place, &in_place) == ATTN4J_OK, "relu in place");
    for (int k = 0; k < 35; ++k) CHECK(isnan(x[k]) || x[k] >= 0, "relu in place [%d]", k);
    int64_t other[2] = {5, 7};
    attn4j_tensor wrong = dense(y, ATTN4J_DTYPE_F32, 2, other);
    CHECK(attn4j_relu(ctx, &in_place, &wrong) == ATTN4J_ERR_SHAPE_MISMATCH, "relu shape mismatch");
    free(x);
}

static void test_rope(attn4j_context *ctx) {
    const int64_t b = 2, h = 3, n = 11, d = 10;
    const int64_t shape[4] = {b, h, n, d};
    for (int interleaved = 0; interleaved < 2; ++interleaved)
        for (int64_t rot = 0; rot <= d; rot += 4) {
            float *x = randoms(b * h * n * d);
            float *y = malloc(sizeof(float) * (size_t)(b * h * n * d));
            double *want = malloc(sizeof(double) * (size_t)(b * h * n * d));
            const int64_t offset = 5;
            const double theta = 10000.0;
            for (int64_t row = 0; row < b * h * n; ++row) {
                int64_t pos = offset + row % n;
                const float *a = x + row * d;
                double *w = want + row * d;
                for (int64_t k = 0; k < d; ++k) w[k] = a[k];
                for (int64_t p = 0; p < rot / 2; ++p) {
                    int64_t i0 = interleaved ? 2 * p : p, i1 = interleaved ? 2 * p + 1 : p + rot / 2;
                    double angle = pos * pow(theta, -2.0 * p / rot);
                    w[i0] = a[i0] * cos(angle) - a[i1] * sin(angle);
                    w[i1] = a[i1] * cos(angle) + a[i0] * sin(angle);
                }
            }
            attn4j_tensor tx = dense(x, ATTN4J_DTYPE_F32, 4, shape), ty = dense(y, ATTN4J_DTYPE_F32, 4, shape);
            CHECK(attn4j_rope(ctx, &tx, rot, offset, theta, interleaved, &ty) == ATTN4J_OK, "rope: %s", attn4j_last_error());
            near(interleaved ? "rope interleaved" : "rope half", y, want, b * h * n * d, 2e-6);
            CHECK(attn4j_rope(ctx, &tx, rot, offset, theta, interleaved, &tx) == ATTN4J_OK, "rope in place");
            near("rope in place", x, want, b * h * n * d, 2e-6);
            free(x), free(y), free(want);
        }
    float x[8] = {0};
    const int64_t small[4] = {1, 1, 2, 4};
    attn4j_tensor t = dense(x, ATTN4J_DTYPE_F32, 4, small);
    CHECK(attn4j_rope(ctx, &t, 3, 0, 10000.0, 0, &t) == ATTN4J_ERR_INVALID_ARG, "odd rotary_dim");
    CHECK(attn4j_rope(ctx, &t, 6, 0, 10000.0, 0, &t) == ATTN4J_ERR_INVALID_ARG, "rotary_dim > d");
    CHECK(attn4j_rope(ctx, &t, 4, -1, 10000.0, 0, &t) == ATTN4J_ERR_INVALID_ARG, "negative offset");
    CHECK(attn4j_rope(ctx, &t, 4, 0, 0.5, 0, &t) == ATTN4J_ERR_INVALID_ARG, "theta <= 1");
}

static void test_additive(attn4j_context *ctx) {
    const int64_t b = 2, i = 5, j = 13, a = 7;
    float *q = randoms(b * i * a), *k = randoms(b * j * a), *w = randoms(a);
    q[(1 * i + 2) * a + 3] = NAN; /* query row (1, 2): its scores are NaN, as tanh(NaN) is */
    float *s = malloc(sizeof(float) * (size_t)(b * i * j));
    double *want = malloc(sizeof(double) * (size_t)(b * i * j));
    for (int64_t bb = 0; bb < b; ++bb)
        for (int64_t r = 0; r < i; ++r)
            for (int64_t c = 0; c < j; ++c) {
                double sum = 0;
                for (int64_t e = 0; e < a; ++e) sum += w[e] * tanh((double)q[(bb * i + r) * a + e] + k[(bb * j + c) * a + e]);
                want[(bb * i + r) * j + c] = sum;
            }
    const int64_t qs[3] = {b, i, a}, ks[3] = {b, j, a}, ws[1] = {a}, ss[3] = {b, i, j};
    attn4j_tensor tq = dense(q, ATTN4J_DTYPE_F32, 3, qs), tk = dense(k, ATTN4J_DTYPE_F32, 3, ks);
    attn4j_tensor tw = dense(w, ATTN4J_DTYPE_F32, 1, ws), ts = dense(s, ATTN4J_DTYPE_F32, 3, ss);
    CHECK(attn4j_additive_scores(ctx, &tq, &tk, &tw, &ts) == ATTN4J_OK, "additive: %s", attn4j_last_error());
    near("additive", s, want, b * i * j, 1e-5);
    attn4j_tensor tw_bad = dense(w, ATTN4J_DTYPE_F32, 1, (int64_t[]){a - 1});
    CHECK(attn4j_additive_scores(ctx, &tq, &tk, &tw_bad, &ts) == ATTN4J_ERR_SHAPE_MISMATCH, "additive w size");
    free(q), free(k), free(w), free(s), free(want);
}

static double phi(double x) { return x > 0 ? x + 1 : exp(x); }

static void test_linear(attn4j_context *ctx) {
    for (int causal = 0; causal < 2; ++causal) {
        const int64_t b = 2, h = 3, i = 17, j = causal ? 17 : 23, d = 5, dv = 7;
        float *q = randoms(b * h * i * d), *k = randoms(b * h * j * d), *v = randoms(b * h * j * dv);
        float *out = malloc(sizeof(float) * (size_t)(b * h * i * dv));
        double *want = malloc(sizeof(double) * (size_t)(b * h * i * dv));
        uint8_t *kpm = malloc((size_t)(b * j));
        for (int64_t n = 0; n < b * j; ++n) kpm[n] = uniform() > -0.5f;
        kpm[0] = 1;
        const float eps = 1e-6f;
        for (int64_t bb = 0; bb < b; ++bb)
            for (int64_t hh = 0; hh < h; ++hh)
                for (int64_t r = 0; r < i; ++r) {
                    double num[7] = {0}, den = eps;
                    for (int64_t c = 0; c < j; ++c) {
                        if (!kpm[bb * j + c] || (causal && c > r)) continue;
                        double sim = 0;
                        for (int64_t e = 0; e < d; ++e)
                            sim += phi(q[((bb * h + hh) * i + r) * d + e]) * phi(k[((bb * h + hh) * j + c) * d + e]);
                        den += sim;
                        for (int64_t e = 0; e < dv; ++e) num[e] += sim * v[((bb * h + hh) * j + c) * dv + e];
                    }
                    for (int64_t e = 0; e < dv; ++e) want[((bb * h + hh) * i + r) * dv + e] = num[e] / den;
                }
        const int64_t qs[4] = {b, h, i, d}, ks[4] = {b, h, j, d}, vs[4] = {b, h, j, dv}, os[4] = {b, h, i, dv},
                      ms[2] = {b, j};
        attn4j_tensor tq = dense(q, ATTN4J_DTYPE_F32, 4, qs), tk = dense(k, ATTN4J_DTYPE_F32, 4, ks);
        attn4j_tensor tv = dense(v, ATTN4J_DTYPE_F32, 4, vs), to = dense(out, ATTN4J_DTYPE_F32, 4, os);
        attn4j_tensor tm = dense(kpm, ATTN4J_DTYPE_BOOL, 2, ms);
        CHECK(attn4j_linear_attention(ctx, &tq, &tk, &tv, &tm, causal, eps, &to) == ATTN4J_OK, "linear: %s",
              attn4j_last_error());
        near(causal ? "linear causal" : "linear", out, want, b * h * i * dv, 2e-5);
        if (!causal) {
            CHECK(attn4j_linear_attention(ctx, &tq, &tk, &tv, NULL, 1, eps, &to) == ATTN4J_ERR_SHAPE_MISMATCH,
                  "causal with i != j");
        }
        CHECK(attn4j_linear_attention(ctx, &tq, &tk, &tv, NULL, causal, -1.0f, &to) == ATTN4J_ERR_INVALID_ARG,
              "negative eps");
        free(q), free(k), free(v), free(out), free(want), free(kpm);
    }
}

static int descending(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Scores on a grid of quarters (many ties), key padding, causal window; the reference sorts each
 * row to find the top_k-th largest visible score and keeps every visible key scoring >= it. */
static void test_topk(attn4j_context *ctx) {
    const int64_t b = 2, h = 3, i = 11, j = 11, top_k = 4;
    const int64_t n = b * h * i * j;
    float *s = malloc(sizeof(float) * (size_t)n), *w = malloc(sizeof(float) * (size_t)n);
    double *want = malloc(sizeof(double) * (size_t)n), row[11], sorted[11];
    uint8_t kpm[2 * 11];
    for (int64_t e = 0; e < n; ++e) s[e] = floorf(uniform() * 8.0f) / 4.0f;
    for (int64_t e = 0; e < b * j; ++e) kpm[e] = uniform() > -0.6f;
    kpm[0] = 0; /* query 0 of batch 0 sees nothing under the causal window: a NaN row */
    for (int64_t bb = 0; bb < b; ++bb)
        for (int64_t hh = 0; hh < h; ++hh)
            for (int64_t r = 0; r < i; ++r) {
                const float *in = s + ((bb * h + hh) * i + r) * j;
                double *out = want + ((bb * h + hh) * i + r) * j;
                int64_t seen = 0;
                for (int64_t c = 0; c < j; ++c) {
                    row[c] = kpm[bb * j + c] && c <= r ? in[c] : -INFINITY;
                    seen += row[c] != -INFINITY;
                    sorted[c] = row[c];
                }
                qsort(sorted, (size_t)j, sizeof(double), descending);
                double threshold = sorted[top_k - 1], max = -INFINITY, sum = 0;
                for (int64_t c = 0; c < j; ++c) {
                    if (row[c] < threshold) row[c] = -INFINITY;
                    if (row[c] > max) max = row[c];
                }
                for (int64_t c = 0; c < j; ++c) sum += row[c] == -INFINITY ? 0 : exp(row[c] - max);
                for (int64_t c = 0; c < j; ++c)
                    out[c] = seen == 0 ? NAN : row[c] == -INFINITY ? 0 : exp(row[c] - max) / sum;
            }
    const int64_t shape[4] = {b, h, i, j}, ms[2] = {b, j};
    attn4j_tensor ts = dense(s, ATTN4J_DTYPE_F32, 4, shape), tw = dense(w, ATTN4J_DTYPE_F32, 4, shape);
    attn4j_tensor tm = dense(kpm, ATTN4J_DTYPE_BOOL, 2, ms);
    CHECK(attn4j_topk_softmax(ctx, &ts, NULL, &tm, -1, 0, top_k, &tw) == ATTN4J_OK, "topk: %s", attn4j_last_error());
    for (int64_t e = 0; e < n; ++e) {
        int ok = isnan(want[e]) ? isnan(w[e]) : fabs(w[e] - want[e]) <= 1e-6 * (1 + fabs(want[e]));
        if (!ok) {
            CHECK(0, "topk[%lld] = %.8g, want %.8g", (long long)e, w[e], want[e]);
            break;
        }
    }
    int64_t kept_more = 0; /* the grid must produce ties at the threshold, or the case tests nothing */
    for (int64_t r = 0; r < b * h * i; ++r) {
        int64_t kept = 0;
        for (int64_t c = 0; c < j; ++c) kept += w[r * j + c] > 0;
        kept_more += kept > top_k;
    }
    CHECK(kept_more > 0, "topk: no row kept more than top_k keys (no ties)");
    s[5 * j + 3] = NAN; /* row 5 of batch 0, head 0 sees key 3 once nothing is masked */
    CHECK(attn4j_topk_softmax(ctx, &ts, NULL, NULL, -1, -1, top_k, &tw) == ATTN4J_OK, "topk nan: %s", attn4j_last_error());
    CHECK(isnan(w[5 * j]) && isnan(w[5 * j + 10]), "topk: a NaN score makes its row NaN");
    CHECK(attn4j_topk_softmax(ctx, &ts, NULL, NULL, -1, -1, 0, &tw) == ATTN4J_ERR_INVALID_ARG, "topk: top_k 0");
    free(s), free(w), free(want);
}

int main(void) {
    attn4j_context *ctx = NULL;
    if (attn4j_context_create(2, &ctx) != ATTN4J_OK) {
        fprintf(stderr, "context: %s\n", attn4j_last_error());
        return 1;
    }
    test_relu(ctx);
    test_rope(ctx);
    test_additive(ctx);
    test_linear(ctx);
    test_topk(ctx);
    attn4j_context_destroy(ctx);
    if (failures) {
        fprintf(stderr, "%d failures\n", failures);
        return 1;
    }
    printf("test_family_ops: ok\n");
    return 0;
}
