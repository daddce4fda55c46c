/* attn4j_sdpa_fused and attn4j_sdpa_softmax against a naive double-precision reference: masks
 * of every kind, causal, windows, global tokens, -inf bias, fully masked rows (NaN), a NaN in a
 * query or a key (PyTorch: every row that sees it is NaN), strided views (split heads, a last
 * stride of 2), odd and prime sizes,
 * both kernel ISAs, and argument errors. */
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

static uint64_t rng = 88172645463325252ull;
static float uniform(void) { /* xorshift64: reproducible on every platform */
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (float)((rng >> 11) * (1.0 / 9007199254740992.0)) * 2.0f - 1.0f;
}

static attn4j_tensor tensor4(void *data, int32_t dtype, int64_t a, int64_t b, int64_t c, int64_t d) {
    attn4j_tensor t;
    memset(&t, 0, sizeof t);
    t.data = data;
    t.dtype = dtype;
    t.ndim = 4;
    t.shape[0] = a, t.shape[1] = b, t.shape[2] = c, t.shape[3] = d;
    t.strides[3] = 1, t.strides[2] = d, t.strides[1] = c * d, t.strides[0] = b * c * d;
    return t;
}

static attn4j_tensor tensor2(void *data, int32_t dtype, int64_t a, int64_t b) {
    attn4j_tensor t;
    memset(&t, 0, sizeof t);
    t.data = data;
    t.dtype = dtype;
    t.ndim = 2;
    t.shape[0] = a, t.shape[1] = b;
    t.strides[1] = 1, t.strides[0] = b;
    return t;
}

typedef struct {
    int64_t b, h, i, j, d, dv;
    int use_bias, use_mask, mask_kind, use_kpm, use_global, neg_inf_bias;
    int64_t left, right;
    float scale;
    int nan_at; /* 0: none; 1: a NaN in query row i/2 of (0, 0); 2: in key 63 of (0, 0), the last
                   lane of the first key tile, where a max that drops NaN loses it */
} Case;

/* The rule of attn4j.h, spelled out independently of the library. */
static int visible(const Case *c, const uint8_t *mask, const uint8_t *kpm, const uint8_t *global,
                   int64_t bb, int64_t hh, int64_t qi, int64_t kj) {
    if (mask) {
        int64_t idx = c->mask_kind == 0 ? qi * c->j + kj                          /* [i, j] */
                    : c->mask_kind == 1 ? (bb * c->i + qi) * c->j + kj            /* [b, i, j] */
                                        : ((bb * c->h + hh) * c->i + qi) * c->j + kj; /* full */
        if (!mask[idx]) return 0;
    }
    if (kpm && !kpm[bb * c->j + kj]) return 0;
    int in = (c->left < 0 || qi - kj <= c->left) && (c->right < 0 || kj - qi <= c->right);
    if (in) return 1;
    return global && (global[bb * c->i + qi] || global[bb * c->j + kj]);
}

/* t's data spread to every other float (a copy, `into` [2·n]): a view whose last stride is 2. */
static void spread(attn4j_tensor *t, const float *data, float *into, int64_t n) {
    for (int64_t e = 0; e < n; ++e) into[2 * e] = data[e], into[2 * e + 1] = NAN;
    t->data = into;
    for (int k = 0; k < 4; ++k) t->strides[k] *= 2;
}

/* strided: 0 contiguous; 1 q stored as [b, i, h, d] and viewed as [b, h, i, d] (a split-heads
   view); 2 q, k, v and out with a last stride of 2 (the kernels' element-by-element paths). */
static int run_case(attn4j_context *ctx, const Case *c, int strided) {
    int64_t b = c->b, h = c->h, i = c->i, j = c->j, d = c->d, dv = c->dv;
    float *q = malloc(sizeof(float) * (size_t)(b * h * i * d + 1));
    float *k = malloc(sizeof(float) * (size_t)(b * h * j * d + 1));
    float *v = malloc(sizeof(float) * (size_t)(b * h * j * dv + 1));
    float *bias = malloc(sizeof(float) * (size_t)(h * i * j + 1));
    uint8_t *mask = malloc((size_t)(b * h * i * j + 1));
    uint8_t *kpm = malloc((size_t)(b * j + 1));
    uint8_t *global = malloc((size_t)(b * i + 1));
    float *out = malloc(sizeof(float) * (size_t)(b * h * i * dv + 1));
    float *scores = malloc(sizeof(float) * (size_t)(b * h * i * j + 1));
    float *weights = malloc(sizeof(float) * (size_t)(b * h * i * j + 1));
    double *want = malloc(sizeof(double) * (size_t)(b * h * i * dv + 1));
    double *want_w = malloc(sizeof(double) * (size_t)(b * h * i * j + 1));
    double *row = malloc(sizeof(double) * (size_t)(j + 1));
    for (int64_t n = 0; n < b * h * i * d; ++n) q[n] = uniform();
    for (int64_t n = 0; n < b * h * j * d; ++n) k[n] = uniform();
    for (int64_t n = 0; n < b * h * j * dv; ++n) v[n] = uniform();
    for (int64_t n = 0; n < h * i * j; ++n) bias[n] = uniform();
    if (c->neg_inf_bias)
        for (int64_t n = 0; n < h * i * j; n += 3) bias[n] = -INFINITY;
    for (int64_t n = 0; n < b * h * i * j; ++n) mask[n] = uniform() > -0.5f;
    for (int64_t n = 0; n < b * j; ++n) kpm[n] = uniform() > -0.6f;
    if (c->use_kpm >= 2) /* 2: each batch padded at its end (j, 2j/3 + 1, then 0 keys); 3: all true */
        for (int64_t bb = 0; bb < b; ++bb)
            for (int64_t n = 0; n < j; ++n)
                kpm[bb * j + n] = c->use_kpm == 3 || n < (bb == 0 ? j : bb == 1 ? 2 * j / 3 + 1 : 0);
    for (int64_t n = 0; n < b * i; ++n) global[n] = uniform() > 0.8f;
    if (c->nan_at == 1) q[(i / 2) * d] = NAN; /* (0, 0, i/2, 0) in both layouts */
    if (c->nan_at == 2) k[63 * d] = NAN;
    /* q index helper */
#define QAT(bb, hh, qi, c_) (strided == 1 ? q[(((bb) * i + (qi)) * h + (hh)) * d + (c_)] \
                                     : q[(((bb) * h + (hh)) * i + (qi)) * d + (c_)])
    const uint8_t *M = c->use_mask ? mask : NULL, *K = c->use_kpm ? kpm : NULL,
                  *G = c->use_global ? global : NULL;
    for (int64_t bb = 0; bb < b; ++bb)
        for (int64_t hh = 0; hh < h; ++hh)
            for (int64_t qi = 0; qi < i; ++qi) {
                double mx = -INFINITY;
                for (int64_t kj = 0; kj < j; ++kj) {
                    double s = 0;
                    for (int64_t e = 0; e < d; ++e)
                        s += (double)QAT(bb, hh, qi, e) * k[((bb * h + hh) * j + kj) * d + e];
                    s *= c->scale;
                    scores[((bb * h + hh) * i + qi) * j + kj] = (float)s;
                    if (c->use_bias) s += bias[(hh * i + qi) * j + kj];
                    if (!visible(c, M, K, G, bb, hh, qi, kj)) s = -INFINITY;
                    row[kj] = s;
                    if (isnan(s) || isnan(mx)) /* a visible NaN makes the row NaN, as in PyTorch */
                        mx = NAN;
                    else if (s > mx)
                        mx = s;
                }
                double sum = 0;
                for (int64_t kj = 0; kj < j; ++kj) {
                    row[kj] = mx == -INFINITY ? NAN : exp(row[kj] - mx);
                    sum += row[kj];
                }
                for (int64_t kj = 0; kj < j; ++kj) want_w[((bb * h + hh) * i + qi) * j + kj] = row[kj] / sum;
                for (int64_t e = 0; e < dv; ++e) {
                    double acc = 0;
                    for (int64_t kj = 0; kj < j; ++kj) acc += row[kj] / sum * v[((bb * h + hh) * j + kj) * dv + e];
                    want[((bb * h + hh) * i + qi) * dv + e] = j == 0 ? NAN : acc;
                }
            }
    attn4j_tensor tq = tensor4(q, ATTN4J_DTYPE_F32, b, h, i, d);
    if (strided == 1) { /* [b, i, h, d] memory seen as [b, h, i, d] */
        tq.strides[0] = i * h * d, tq.strides[1] = d, tq.strides[2] = h * d, tq.strides[3] = 1;
    }
    attn4j_tensor tk = tensor4(k, ATTN4J_DTYPE_F32, b, h, j, d);
    attn4j_tensor tv = tensor4(v, ATTN4J_DTYPE_F32, b, h, j, dv);
    attn4j_tensor tout = tensor4(out, ATTN4J_DTYPE_F32, b, h, i, dv);
    attn4j_tensor tbias = tensor4(bias, ATTN4J_DTYPE_F32, b, h, i, j);
    tbias.strides[0] = 0; /* [h, i, j] broadcast over the batch */
    tbias.strides[1] = i * j, tbias.strides[2] = j, tbias.strides[3] = 1;
    attn4j_tensor tmask = tensor4(mask, ATTN4J_DTYPE_BOOL, b, h, i, j);
    if (c->mask_kind == 0) tmask.strides[0] = 0, tmask.strides[1] = 0, tmask.strides[2] = j;
    if (c->mask_kind == 1) tmask.strides[0] = i * j, tmask.strides[1] = 0, tmask.strides[2] = j;
    attn4j_tensor tkpm = tensor2(kpm, ATTN4J_DTYPE_BOOL, b, j);
    attn4j_tensor tglobal = tensor2(global, ATTN4J_DTYPE_BOOL, b, i);
    attn4j_tensor tscores = tensor4(scores, ATTN4J_DTYPE_F32, b, h, i, j);
    attn4j_tensor tweights = tensor4(weights, ATTN4J_DTYPE_F32, b, h, i, j);
    const attn4j_tensor *pb = c->use_bias ? &tbias : NULL, *pm = c->use_mask ? &tmask : NULL,
                        *pk = c->use_kpm ? &tkpm : NULL, *pg = c->use_global ? &tglobal : NULL;
    float *q2 = malloc(sizeof(float) * (size_t)(2 * b * h * i * d + 1));
    float *k2 = malloc(sizeof(float) * (size_t)(2 * b * h * j * d + 1));
    float *v2 = malloc(sizeof(float) * (size_t)(2 * b * h * j * dv + 1));
    float *out2 = malloc(sizeof(float) * (size_t)(2 * b * h * i * dv + 1));
    if (strided == 2) {
        spread(&tq, q, q2, b * h * i * d);
        spread(&tk, k, k2, b * h * j * d);
        spread(&tv, v, v2, b * h * j * dv);
        spread(&tout, out, out2, 0);
    }

    int bad = 0;
    attn4j_status st = attn4j_sdpa_fused(ctx, &tq, &tk, &tv, pb, pm, pk, pg, c->left, c->right, c->scale, &tout);
    CHECK(st == ATTN4J_OK, "sdpa_fused: status %d: %s", st, attn4j_last_error());
    if (strided == 2)
        for (int64_t n = 0; n < b * h * i * dv; ++n) out[n] = out2[2 * n];
    for (int64_t n = 0; st == ATTN4J_OK && n < b * h * i * dv; ++n) {
        double err = fabs(out[n] - want[n]);
        if (isnan(want[n]) != isnan(out[n]) || (!isnan(want[n]) && err > 2e-5 + 2e-5 * fabs(want[n]))) {
            if (!bad++)
                CHECK(0, "sdpa_fused b%lld h%lld i%lld j%lld d%lld dv%lld strided %d: out[%lld] = %g, want %g",
                      (long long)b, (long long)h, (long long)i, (long long)j, (long long)d, (long long)dv,
                      strided, (long long)n, out[n], want[n]);
        }
    }
    st = attn4j_sdpa_softmax(ctx, &tscores, pb, pm, pk, pg, c->left, c->right, &tweights);
    CHECK(st == ATTN4J_OK, "sdpa_softmax: status %d: %s", st, attn4j_last_error());
    for (int64_t n = 0; st == ATTN4J_OK && n < b * h * i * j; ++n) {
        double err = fabs(weights[n] - want_w[n]);
        if (isnan(want_w[n]) != isnan(weights[n]) || (!isnan(want_w[n]) && err > 1e-6 + 1e-5 * fabs(want_w[n]))) {
            if (!bad++)
                CHECK(0, "sdpa_softmax: weights[%lld] = %g, want %g", (long long)n, weights[n], want_w[n]);
        }
    }
    free(q), free(k), free(v), free(bias), free(mask), free(kpm), free(global), free(out);
    free(q2), free(k2), free(v2), free(out2);
    free(scores), free(weights), free(want), free(want_w), free(row);
    return bad;
}

static void errors(attn4j_context *ctx) {
    float data[64] = {0};
    attn4j_tensor q = tensor4(data, ATTN4J_DTYPE_F32, 1, 2, 3, 4);
    attn4j_tensor k = tensor4(data, ATTN4J_DTYPE_F32, 1, 2, 5, 4);
    attn4j_tensor v = tensor4(data, ATTN4J_DTYPE_F32, 1, 2, 5, 2);
    attn4j_tensor out = tensor4(data, ATTN4J_DTYPE_F32, 1, 2, 3, 2);
    CHECK(attn4j_sdpa_fused(NULL, &q, &k, &v, NULL, NULL, NULL, NULL, -1, -1, 1.0f, &out) == ATTN4J_ERR_NULL_ARGUMENT,
          "NULL context");
    CHECK(attn4j_sdpa_fused(ctx, &q, NULL, &v, NULL, NULL, NULL, NULL, -1, -1, 1.0f, &out) == ATTN4J_ERR_NULL_ARGUMENT,
          "NULL k");
    attn4j_tensor bad_k = tensor4(data, ATTN4J_DTYPE_F32, 1, 2, 5, 3);
    CHECK(attn4j_sdpa_fused(ctx, &q, &bad_k, &v, NULL, NULL, NULL, NULL, -1, -1, 1.0f, &out) == ATTN4J_ERR_SHAPE_MISMATCH,
          "k with another d");
    CHECK(strstr(attn4j_last_error(), "k: expected") != NULL, "message names k: %s", attn4j_last_error());
    attn4j_tensor bad_out = tensor4(data, ATTN4J_DTYPE_F32, 1, 2, 3, 3);
    CHECK(attn4j_sdpa_fused(ctx, &q, &k, &v, NULL, NULL, NULL, NULL, -1, -1, 1.0f, &bad_out) == ATTN4J_ERR_SHAPE_MISMATCH,
          "out of the wrong dv");
    CHECK(attn4j_sdpa_fused(ctx, &q, &k, &v, NULL, NULL, NULL, NULL, -1, -1, NAN, &out) == ATTN4J_ERR_INVALID_ARG,
          "NaN scale");
    uint8_t bytes[16] = {0};
    attn4j_tensor kpm = tensor2(bytes, ATTN4J_DTYPE_BOOL, 1, 4);
    CHECK(attn4j_sdpa_fused(ctx, &q, &k, &v, NULL, NULL, &kpm, NULL, -1, -1, 1.0f, &out) == ATTN4J_ERR_SHAPE_MISMATCH,
          "key padding mask of the wrong length");
    attn4j_tensor kpm_f = tensor2(data, ATTN4J_DTYPE_F32, 1, 5);
    CHECK(attn4j_sdpa_fused(ctx, &q, &k, &v, NULL, NULL, &kpm_f, NULL, -1, -1, 1.0f, &out) == ATTN4J_ERR_DTYPE,
          "float key padding mask");
    attn4j_tensor global = tensor2(bytes, ATTN4J_DTYPE_BOOL, 1, 3);
    CHECK(attn4j_sdpa_fused(ctx, &q, &k, &v, NULL, NULL, NULL, &global, 1, 1, 1.0f, &out) == ATTN4J_ERR_SHAPE_MISMATCH,
          "global tokens with i != j");
    attn4j_tensor mask = tensor4(bytes, ATTN4J_DTYPE_BOOL, 1, 2, 3, 4);
    CHECK(attn4j_sdpa_fused(ctx, &q, &k, &v, NULL, &mask, NULL, NULL, -1, -1, 1.0f, &out) == ATTN4J_ERR_SHAPE_MISMATCH,
          "mask of the wrong j");
    attn4j_tensor neg = q;
    neg.strides[3] = -1;
    CHECK(attn4j_sdpa_fused(ctx, &neg, &k, &v, NULL, NULL, NULL, NULL, -1, -1, 1.0f, &out) == ATTN4J_ERR_INVALID_ARG,
          "negative stride");
    attn4j_tensor scores = tensor4(data, ATTN4J_DTYPE_F32, 1, 2, 3, 5);
    attn4j_tensor w_bad = tensor4(data, ATTN4J_DTYPE_F32, 1, 2, 3, 4);
    CHECK(attn4j_sdpa_softmax(ctx, &scores, NULL, NULL, NULL, NULL, -1, -1, &w_bad) == ATTN4J_ERR_SHAPE_MISMATCH,
          "softmax weights of another shape");
}

int main(void) {
    attn4j_context *ctx = NULL;
    if (attn4j_context_create(2, &ctx) != ATTN4J_OK) {
        fprintf(stderr, "context: %s\n", attn4j_last_error());
        return 1;
    }
    const Case cases[] = {
        /* b  h  i    j    d   dv  bias mask kind kpm glob -inf left right scale nan */
        {1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, -1, -1, 1.0f, 0},
        {2, 3, 7, 11, 5, 3, 0, 0, 0, 0, 0, 0, -1, -1, 0.45f, 0},
        {1, 2, 67, 131, 16, 24, 1, 0, 0, 0, 0, 0, -1, -1, 0.25f, 0},
        {2, 2, 50, 50, 8, 8, 0, 0, 0, 0, 0, 0, -1, 0, 0.35f, 0},      /* causal */
        {1, 3, 97, 97, 13, 17, 0, 0, 0, 0, 0, 0, 5, 3, 0.3f, 0},      /* window */
        {2, 1, 130, 130, 8, 8, 0, 0, 0, 1, 1, 0, 7, 7, 0.3f, 0},      /* window + globals + padding */
        {2, 2, 13, 29, 6, 5, 0, 1, 0, 0, 0, 0, -1, -1, 0.4f, 0},      /* mask [i, j] */
        {2, 2, 13, 29, 6, 5, 0, 1, 1, 1, 0, 0, -1, -1, 0.4f, 0},      /* mask [b, i, j] + padding */
        {2, 3, 9, 70, 4, 9, 1, 1, 2, 1, 0, 1, -1, -1, 0.5f, 0},       /* full mask, bias with -inf */
        {3, 1, 5, 3, 2, 2, 0, 1, 2, 1, 0, 0, -1, -1, 1.0f, 0},        /* many fully masked rows: NaN */
        {1, 1, 3, 0, 4, 2, 0, 0, 0, 0, 0, 0, -1, -1, 1.0f, 0},        /* no keys at all: NaN */
        {1, 2, 200, 200, 64, 64, 0, 0, 0, 0, 0, 0, -1, 0, 0.125f, 0}, /* causal, bench-like head size */
        {1, 2, 150, 150, 16, 16, 0, 0, 0, 0, 0, 0, 0, -1, 0.3f, 0}, /* anti-causal: keys j ≥ i */
        {1, 1, 70, 300, 20, 40, 0, 0, 0, 0, 0, 0, 10, 90, 0.3f, 0}, /* window, i < j */
        {2, 2, 50, 100, 16, 8, 0, 0, 0, 0, 0, 0, -1, -1, 0.25f, 1}, /* NaN in a query */
        {2, 2, 50, 100, 16, 8, 0, 0, 0, 0, 0, 0, -1, -1, 0.25f, 2}, /* NaN in a key */
        {1, 2, 70, 70, 16, 8, 0, 0, 0, 0, 0, 0, -1, 0, 0.25f, 2},   /* ... causal: rows 63 on see it */
        {2, 1, 50, 100, 8, 8, 0, 0, 0, 1, 0, 0, -1, -1, 0.25f, 2},  /* ... padding may hide it */
        {3, 2, 37, 150, 16, 8, 0, 0, 0, 2, 0, 0, -1, -1, 0.3f, 0},  /* padded at the end (the window path) */
        {2, 2, 33, 70, 8, 8, 0, 0, 0, 3, 0, 0, -1, -1, 0.3f, 0},    /* all-true padding mask */
        {2, 2, 60, 60, 8, 8, 0, 0, 0, 2, 0, 0, -1, 0, 0.3f, 0},     /* padded at the end, causal */
        {2, 1, 40, 100, 8, 8, 0, 0, 0, 2, 0, 0, -1, -1, 0.25f, 2},  /* padded at the end, NaN key 63 */
    };
    const int ncases = (int)(sizeof cases / sizeof cases[0]);
    /* ctest runs this once per ISA of the machine (ATTN4J_ISA), so one pass covers one path. */
    for (int n = 0; n < ncases; ++n)
        for (int strided = 0; strided < 3; ++strided)
            if (run_case(ctx, &cases[n], strided)) fprintf(stderr, "  in case %d\n", n);
    errors(ctx);
    attn4j_context_destroy(ctx);
    if (failures) {
        fprintf(stderr, "%d failures\n", failures);
        return 1;
    }
    printf("test_sdpa: ok\n");
    return 0;
}
