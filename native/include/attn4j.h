/*
 * attn4j.h — the whole C ABI of libattn4j.so.
 *
 * Everything Java may call is declared here, in plain C. Rules that hold for every function:
 *   - Every function returns attn4j_status; results travel through out-parameters.
 *   - On a non-zero status, attn4j_last_error() returns a message for the calling thread.
 *   - Nothing aborts, prints, or lets a C++ exception cross this boundary.
 *   - The library never keeps a pointer it was lent past the call that lent it.
 *   - Tensors are described by attn4j_tensor: the caller owns the descriptor and the data.
 *   - Compute is float32. Masks are one byte per element (0 = masked, non-zero = attend).
 */
#ifndef ATTN4J_H
#define ATTN4J_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(ATTN4J_BUILD)
#define ATTN4J_API __attribute__((visibility("default")))
#else
#define ATTN4J_API
#endif

/* ---------------------------------------------------------------- status codes */

typedef int32_t attn4j_status;

#define ATTN4J_OK                 0
#define ATTN4J_ERR_NULL_ARGUMENT  1 /* a required pointer was NULL */
#define ATTN4J_ERR_INVALID_ARG    2 /* a value out of range: negative size, bad axis, bad rank */
#define ATTN4J_ERR_SHAPE_MISMATCH 3 /* tensors whose shapes do not fit together */
#define ATTN4J_ERR_DTYPE          4 /* a dtype this operation does not take */
#define ATTN4J_ERR_OVERFLOW       5 /* a size product that overflows int64 */
#define ATTN4J_ERR_OUT_OF_MEMORY  6 /* an allocation failed */
#define ATTN4J_ERR_BACKEND        7 /* oneDNN reported an error */
#define ATTN4J_ERR_INTERNAL       8 /* anything else (a bug: please report it) */

/* Static English name of a status ("ATTN4J_OK", ...). Never NULL; unknown codes give
 * "ATTN4J_ERR_UNKNOWN". The string is owned by the library. */
ATTN4J_API const char *attn4j_status_string(attn4j_status status);

/* Message of the last failed call on the calling thread ("" if none). The string is owned by
 * the library and valid until the next attn4j call on the same thread. */
ATTN4J_API const char *attn4j_last_error(void);

/* ---------------------------------------------------------------- tensors */

#define ATTN4J_MAX_DIMS 8

#define ATTN4J_DTYPE_F32  0
#define ATTN4J_DTYPE_F16  1
#define ATTN4J_DTYPE_BF16 2
#define ATTN4J_DTYPE_BOOL 3 /* one byte per element, 0 = false */
#define ATTN4J_DTYPE_F64  4

/* A strided view of caller-owned memory (the role DLPack's DLTensor plays, without the
 * pointer-valued shape so that one descriptor is one flat allocation).
 * data points at element [0,...,0]; strides are in elements and may be 0 (broadcast) but
 * never negative. Entries at and past ndim are ignored. */
typedef struct attn4j_tensor {
    void *data;
    int32_t dtype;
    int32_t ndim;
    int64_t shape[ATTN4J_MAX_DIMS];
    int64_t strides[ATTN4J_MAX_DIMS];
} attn4j_tensor;

/* ---------------------------------------------------------------- library information */

typedef struct attn4j_info {
    int32_t version_major;
    int32_t version_minor;
    int32_t version_patch;
    int32_t dnnl_major;
    int32_t dnnl_minor;
    int32_t dnnl_patch;
    int32_t max_threads;   /* threads a context gets when created with 0 */
    int32_t fused_kernel_isa; /* kernels' ISA: 0 = portable, 1 = AVX2+FMA, 2 = AVX-512 (the
                                 CPU's best, capped by the environment variable ATTN4J_ISA) */
    char isa[64];          /* oneDNN's effective ISA, e.g. "avx2" (NUL-terminated) */
} attn4j_info;

/* Fills *out with the library's version and the runtime it found. */
ATTN4J_API attn4j_status attn4j_get_info(attn4j_info *out);

/* Does nothing and returns ATTN4J_OK: measures the cost of a downcall. */
ATTN4J_API attn4j_status attn4j_ping(void);

/* ---------------------------------------------------------------- contexts */

/* Opaque. Holds the thread count and the cache of oneDNN primitives. A context may be used
 * by many threads at once. */
typedef struct attn4j_context attn4j_context;

/* Creates a context that runs ops on `threads` threads (0 = all available cores).
 * The library allocates *out; free it with attn4j_context_destroy. */
ATTN4J_API attn4j_status attn4j_context_create(int32_t threads, attn4j_context **out);

/* Frees a context made by attn4j_context_create. NULL is an error (it reveals a double free
 * in the caller). No call may be using the context. */
ATTN4J_API attn4j_status attn4j_context_destroy(attn4j_context *ctx);

/* The thread count of a context (resolved: never 0). */
ATTN4J_API attn4j_status attn4j_context_threads(const attn4j_context *ctx, int32_t *out);

/* ---------------------------------------------------------------- scratch memory */

/* Allocates `bytes` bytes aligned to 64, NOT zeroed (scratch and outputs that will be fully
 * written). bytes = 0 gives a valid unique pointer. Free with attn4j_free. */
ATTN4J_API attn4j_status attn4j_alloc(int64_t bytes, void **out);

/* Frees memory from attn4j_alloc. NULL is allowed and does nothing. */
ATTN4J_API attn4j_status attn4j_free(void *ptr);

/* ---------------------------------------------------------------- basic operations
 * All inputs and outputs are caller-allocated attn4j_tensors of dtype F32 unless stated.
 * Outputs must not overlap inputs unless stated. */

/* y[..., out] = x[..., in] · weight[out, in]ᵀ + bias[out]   (PyTorch Linear; bias may be NULL).
 * x and y have the same leading dims; x's rows may be strided, the last dim contiguous. */
ATTN4J_API attn4j_status attn4j_linear(attn4j_context *ctx, const attn4j_tensor *x,
                                       const attn4j_tensor *weight, const attn4j_tensor *bias,
                                       attn4j_tensor *y);

/* y = gelu(x · weightᵀ + bias), attn4j_linear with the GELU fused into the GEMM (no second pass
 * over y). The GELU is oneDNN's erf form: within 1.5e-6 (absolute) of attn4j_gelu's exact
 * x·Φ(x) over the whole float range, and 0 below x ≈ −5.54, where |x·Φ(x)| < 6.1e-8. */
ATTN4J_API attn4j_status attn4j_linear_gelu(attn4j_context *ctx, const attn4j_tensor *x,
                                            const attn4j_tensor *weight, const attn4j_tensor *bias,
                                            attn4j_tensor *y);

/* y = y + x · weightᵀ + bias, attn4j_linear accumulated into y (a residual connection, fused into
 * the GEMM): y's old contents are read, then overwritten. y must not overlap x, weight or bias. */
ATTN4J_API attn4j_status attn4j_linear_residual(attn4j_context *ctx, const attn4j_tensor *x,
                                                const attn4j_tensor *weight,
                                                const attn4j_tensor *bias, attn4j_tensor *y);

/* A linear layer's weight prepared once for products with few rows (a sentence, a short
 * sequence, one decoding step), where reading the weight is most of the work: a copy of
 * weight [out, in] in panels of 16 outputs, ceil(out / 16) panels of [in, 16] (panel p, row
 * k, column c holds weight[16·p + c, k]; zero past out). The caller allocates `packed` (F32,
 * 1-D, contiguous, attn4j_linear_pack_size floats; 64-byte alignment reads fastest) and owns
 * it; it holds the weight's values as they were at this call. */
ATTN4J_API attn4j_status attn4j_linear_pack_size(int64_t out, int64_t in, int64_t *floats);
ATTN4J_API attn4j_status attn4j_linear_pack(const attn4j_tensor *weight, attn4j_tensor *packed);

/* What attn4j_linear_packed applies to x · weightᵀ + bias before it stores y. */
#define ATTN4J_EPILOGUE_NONE     0 /* y = x · weightᵀ + bias (attn4j_linear) */
#define ATTN4J_EPILOGUE_GELU     1 /* y = gelu(...) (attn4j_linear_gelu) */
#define ATTN4J_EPILOGUE_RESIDUAL 2 /* y = y + ... (attn4j_linear_residual) */

/* attn4j_linear, attn4j_linear_gelu or attn4j_linear_residual (by `epilogue`), given also the
 * weight's packed copy from attn4j_linear_pack (of this weight, with its current values: the
 * library cannot tell). Up to 32 rows of x (the leading dims merged) whose last dims and y's
 * are contiguous read the packed copy, with the exact GELU of attn4j_gelu, split over the
 * context's threads by output columns (the same bits on any thread count); other calls are
 * attn4j_linear's over `weight`. */
ATTN4J_API attn4j_status attn4j_linear_packed(attn4j_context *ctx, const attn4j_tensor *x,
                                              const attn4j_tensor *weight,
                                              const attn4j_tensor *packed,
                                              const attn4j_tensor *bias, int32_t epilogue,
                                              attn4j_tensor *y);

/* c[B..., m, n] = alpha · op(a)[B..., m, k] · op(b)[B..., k, n]
 * op(t) = t, or t with its last two axes swapped when trans_* is non-zero.
 * Batch dims (up to 6) must be equal, or 1 in a or b (broadcast). Any strides. */
ATTN4J_API attn4j_status attn4j_matmul(attn4j_context *ctx, const attn4j_tensor *a,
                                       int32_t trans_a, const attn4j_tensor *b, int32_t trans_b,
                                       float alpha, attn4j_tensor *c);

/* y = softmax(x) along `axis`, which is -1 (last) or -2 (second to last). y may alias x. */
ATTN4J_API attn4j_status attn4j_softmax(attn4j_context *ctx, const attn4j_tensor *x,
                                        int32_t axis, attn4j_tensor *y);

/* y = x / sqrt(mean(x², last axis) + eps) · weight[last]. y may alias x. */
ATTN4J_API attn4j_status attn4j_rms_norm(attn4j_context *ctx, const attn4j_tensor *x,
                                         const attn4j_tensor *weight, float eps,
                                         attn4j_tensor *y);

/* y = (x − mean) / sqrt(var + eps) · weight + bias over the last axis (biased variance).
 * weight and bias may each be NULL (meaning 1 and 0). y may alias x. */
ATTN4J_API attn4j_status attn4j_layer_norm(attn4j_context *ctx, const attn4j_tensor *x,
                                           const attn4j_tensor *weight,
                                           const attn4j_tensor *bias, float eps,
                                           attn4j_tensor *y);

/* y = x · Φ(x) = 0.5 · x · (1 + erf(x / √2)), the exact GELU. y may alias x. */
ATTN4J_API attn4j_status attn4j_gelu(attn4j_context *ctx, const attn4j_tensor *x,
                                     attn4j_tensor *y);

/* y = a + b, where b broadcasts to a's shape (numpy rules, b's rank ≤ a's). y may alias a. */
ATTN4J_API attn4j_status attn4j_add(attn4j_context *ctx, const attn4j_tensor *a,
                                    const attn4j_tensor *b, attn4j_tensor *y);

/* ---------------------------------------------------------------- attention building blocks */

/* The two-way softmax of bidirectional cross attention, on a materialised similarity matrix.
 *   sim [b, h, i, j]          scaled similarities (read only)
 *   rel_pos_bias              NULL, or broadcast to [b, h, i, j] (rank 4, zero strides allowed)
 *   mask [b, i], context_mask [b, j]   BOOL, NULL = all true
 * s = sim + bias, then s = −3.4028235e38 where !(mask[i] && context_mask[j]);
 *   attn = softmax of s over j; context_attn = softmax of s over i; both [b, h, i, j].
 * Rows or columns that are fully masked come out uniform. attn may alias sim. */
ATTN4J_API attn4j_status attn4j_bca_softmax(attn4j_context *ctx, const attn4j_tensor *sim,
                                            const attn4j_tensor *rel_pos_bias,
                                            const attn4j_tensor *mask,
                                            const attn4j_tensor *context_mask,
                                            attn4j_tensor *attn, attn4j_tensor *context_attn);

/* Head mixing (talking heads, a 1×1 convolution over heads without bias):
 *   y[b, g, ...] = Σ_h weight[g, h] · x[b, h, ...]     x, y [b, h, n...], weight [h, h]
 * y must not alias x. */
ATTN4J_API attn4j_status attn4j_head_mix(attn4j_context *ctx, const attn4j_tensor *x,
                                         const attn4j_tensor *weight, attn4j_tensor *y);

/* Fused bidirectional cross attention: never holds the [h, i, j] matrix.
 *   qk [b, h, i, d], v [b, h, i, d]                    from x (any strides, d contiguous)
 *   context_qk [b, h, j, d], context_v [b, h, j, d]    from context
 *   rel_pos_bias      NULL, or broadcast to [b, h, i, j]
 *   mask [b, i], context_mask [b, j]                   BOOL, NULL = all true
 *   talking_heads, context_talking_heads               NULL, or [h, h] head-mixing weights
 *   scale             multiplies qk · context_qkᵀ (usually d^-0.5)
 *   out [b, h, i, d] = attn · context_v;  context_out [b, h, j, d] = context_attnᵀ · v
 * with attn and context_attn exactly as attn4j_bca_softmax (then head mixing) defines them.
 * Scratch is O((i + j) · d · threads), allocated and freed inside the call. */
ATTN4J_API attn4j_status attn4j_bca_fused(attn4j_context *ctx, const attn4j_tensor *qk,
                                          const attn4j_tensor *context_qk,
                                          const attn4j_tensor *v, const attn4j_tensor *context_v,
                                          const attn4j_tensor *rel_pos_bias,
                                          const attn4j_tensor *mask,
                                          const attn4j_tensor *context_mask,
                                          const attn4j_tensor *talking_heads,
                                          const attn4j_tensor *context_talking_heads,
                                          float scale, attn4j_tensor *out,
                                          attn4j_tensor *context_out);

/* ---------------------------------------------------------------- the attention family
 * Scaled dot-product attention and its relatives (multi-head, local, linear, rotary, additive).
 *
 * Which keys a query sees. Key j is visible to query i (batch b, head h) when all hold:
 *   mask             NULL, or BOOL broadcast to [b, h, i, j] (rank 4, zero strides allowed):
 *                    non-zero at [b, h, i, j]
 *   key_padding_mask NULL, or BOOL [b, j]: non-zero at [b, j]
 *   window           (window_left < 0 or i − j ≤ window_left) and
 *                    (window_right < 0 or j − i ≤ window_right), unless global_tokens is
 *                    non-NULL and global_tokens[b, i] or global_tokens[b, j] is non-zero
 *                    (Longformer's global attention; then i and j run over the same sequence).
 * Causal attention is window_left = −1, window_right = 0 (query i sees keys 0..i).
 * Scores are s = scale · q·k + bias (bias NULL, or F32 broadcast to [b, h, i, j]); weights are
 * the softmax of s over the visible keys (invisible keys weigh 0; a bias of −∞ also gives 0).
 * A query that sees no key, or only keys scored −∞, gets NaN weights and a NaN output row:
 * that is PyTorch's softmax of an all −∞ row, kept so that results compare with PyTorch's. */

/* Fused attention that never holds the [i, j] matrix: tiles of keys stream through an online
 * softmax (running max and sum per query).
 *   q [b, h, i, d], k [b, h, j, d], v [b, h, j, dv]   any strides
 *   bias, mask, key_padding_mask, global_tokens, window_left, window_right, scale: as above
 *   out [b, h, i, dv] = weights · v
 * Tiles wholly outside the window (and holding no global token) are skipped, so a window w
 * costs O(i · w · d) time. Scratch is O((b·h·j·(d + dv)) + threads · tile) floats, allocated
 * and freed inside the call. out must not overlap the inputs. */
ATTN4J_API attn4j_status attn4j_sdpa_fused(attn4j_context *ctx, const attn4j_tensor *q,
                                           const attn4j_tensor *k, const attn4j_tensor *v,
                                           const attn4j_tensor *bias, const attn4j_tensor *mask,
                                           const attn4j_tensor *key_padding_mask,
                                           const attn4j_tensor *global_tokens,
                                           int64_t window_left, int64_t window_right,
                                           float scale, attn4j_tensor *out);

/* The attention softmax on a materialised score matrix:
 *   scores [b, h, i, j]   already scaled (read only)
 *   bias, mask, key_padding_mask, global_tokens, window_left, window_right: as above
 *   weights [b, h, i, j] = softmax over j of (scores + bias) on the visible keys, 0 elsewhere,
 *   NaN rows where a query sees nothing. weights may alias scores. */
ATTN4J_API attn4j_status attn4j_sdpa_softmax(attn4j_context *ctx, const attn4j_tensor *scores,
                                             const attn4j_tensor *bias,
                                             const attn4j_tensor *mask,
                                             const attn4j_tensor *key_padding_mask,
                                             const attn4j_tensor *global_tokens,
                                             int64_t window_left, int64_t window_right,
                                             attn4j_tensor *weights);

/* Top-k (hard) attention softmax on a materialised score matrix (the Explicit Sparse
 * Transformer's selection):
 *   scores [b, h, i, j]   already scaled (read only)
 *   mask, key_padding_mask, window_left, window_right: as above (no bias, no global tokens)
 *   top_k ≥ 1: per row, only the visible keys whose score is ≥ the row's top_k-th largest visible
 *   score are kept. Ties with that score are all kept (a row may keep more than top_k; the result
 *   does not depend on the order of the keys); a row with at most top_k visible keys keeps them all.
 *   weights [b, h, i, j] = softmax over the kept keys, 0 elsewhere; NaN rows where a query sees
 *   nothing or where a visible score is NaN. weights may alias scores. */
ATTN4J_API attn4j_status attn4j_topk_softmax(attn4j_context *ctx, const attn4j_tensor *scores,
                                             const attn4j_tensor *mask,
                                             const attn4j_tensor *key_padding_mask,
                                             int64_t window_left, int64_t window_right,
                                             int64_t top_k, attn4j_tensor *weights);

/* y = max(x, 0) elementwise (NaN stays NaN). Same shapes, any strides. y may alias x. */
ATTN4J_API attn4j_status attn4j_relu(attn4j_context *ctx, const attn4j_tensor *x,
                                     attn4j_tensor *y);

/* Rotary position embeddings (RoFormer) on the first rotary_dim channels of x [b, h, n, d]
 * (rotary_dim even, ≤ d; channels past it are copied). Position of row n is offset + n; pair
 * p < rotary_dim/2 turns by angle position · theta^(−2p / rotary_dim):
 *   interleaved = 0: pairs (p, p + rotary_dim/2)   ("rotate_half": GPT-NeoX, LLaMA)
 *   interleaved ≠ 0: pairs (2p, 2p + 1)            (RoFormer, GPT-J)
 * (x0, x1) → (x0·cos − x1·sin, x1·cos + x0·sin). As PyTorch implementations do, the inverse
 * frequency and the angle position · inv_freq are float32 (positions up to 2^24); cos and sin of
 * that angle are exact to float32. y may be x (the same view). */
ATTN4J_API attn4j_status attn4j_rope(attn4j_context *ctx, const attn4j_tensor *x,
                                     int64_t rotary_dim, int64_t offset, double theta,
                                     int32_t interleaved, attn4j_tensor *y);

/* Additive (Bahdanau) attention scores:
 *   q [b, i, a], k [b, j, a] (already projected), w [a]
 *   scores [b, i, j] = Σ_c w[c] · tanh(q[b, i, c] + k[b, j, c]) */
ATTN4J_API attn4j_status attn4j_additive_scores(attn4j_context *ctx, const attn4j_tensor *q,
                                                const attn4j_tensor *k, const attn4j_tensor *w,
                                                attn4j_tensor *scores);

/* Linear attention (Katharopoulos et al. 2020) with feature map φ(x) = elu(x) + 1, in
 * O(n · d · dv) time and O(d · dv) scratch per (b, h):
 *   q [b, h, i, d], k [b, h, j, d], v [b, h, j, dv]; key_padding_mask NULL or BOOL [b, j]
 *   out[i] = φ(q_i)ᵀ · Σ_j φ(k_j) v_jᵀ / (φ(q_i) · Σ_j φ(k_j) + eps)
 * over the unmasked keys j, and with causal ≠ 0 only j ≤ i (then i and j must be equal). */
ATTN4J_API attn4j_status attn4j_linear_attention(attn4j_context *ctx, const attn4j_tensor *q,
                                                 const attn4j_tensor *k,
                                                 const attn4j_tensor *v,
                                                 const attn4j_tensor *key_padding_mask,
                                                 int32_t causal, float eps, attn4j_tensor *out);

#ifdef __cplusplus
}
#endif

#endif /* ATTN4J_H */
