// attn4j_bca_softmax: the two-way softmax of bidirectional cross attention on a materialised
// similarity matrix. s = sim + rel_pos_bias, masked with a finite fill; attn = softmax of s
// over j (rows), context_attn = softmax of s over i (columns).
//
// Per [i, j] slice, three row-wise passes:
//   A: s → context_attn (as scratch), row max and running column max; attn = row softmax;
//   B: context_attn = exp(s − column max), column sums;
//   C: context_attn /= column sum.
// Each element of sim is read once, in pass A, before attn is written at the same place, so
// attn may alias sim.
#include "buffer.h"
#include "common.h"
#include "context.h"
#include "strided.h"
#include "vec_math.h"

#include <omp.h>

#include <algorithm>
#include <limits>

using namespace attn4j;

namespace {

constexpr float kFill = -3.4028235e38f; // the reference's masked value: finite, never −inf

// One [i, j] slice (fixed b, h): base pointers and the strides along i and j.
struct Slice {
    const float *sim;
    const float *bias;      // NULL when there is no rel_pos_bias
    const uint8_t *mask;    // [i] with stride mask_si; NULL = all true
    const uint8_t *keep_j;  // [j] unit stride: context_mask of this batch as 0/1
    float *attn;
    float *ctx;             // context_attn
    int64_t sim_si, sim_sj, bias_si, bias_sj, mask_si, attn_si, attn_sj, ctx_si, ctx_sj;
    int64_t i, j;
};

// Pass A on row r: s into ctx, attn = softmax over j; col_max[j] = max(col_max[j], s).
// Unit: every j stride is 1 (bias's too, if present).
template <bool Unit, bool HasBias> void pass_a(const Slice &s, int64_t r, float *col_max) {
    const int64_t sj = Unit ? 1 : s.sim_sj, bj = Unit ? 1 : s.bias_sj;
    const int64_t aj = Unit ? 1 : s.attn_sj, cj = Unit ? 1 : s.ctx_sj;
    const float *sim = s.sim + r * s.sim_si;
    const float *bias = HasBias ? s.bias + r * s.bias_si : nullptr;
    float *attn = s.attn + r * s.attn_si;
    float *ctx = s.ctx + r * s.ctx_si;
    const uint8_t keep_i = s.mask == nullptr || s.mask[r * s.mask_si] != 0;
    const uint8_t *keep_j = s.keep_j;
    float row_max = -std::numeric_limits<float>::infinity();
#pragma omp simd reduction(max : row_max)
    for (int64_t k = 0; k < s.j; ++k) {
        float v = sim[k * sj];
        if (HasBias) v += bias[k * bj];
        v = (keep_i & keep_j[k]) ? v : kFill;
        ctx[k * cj] = v;
        row_max = std::max(row_max, v);
        col_max[k] = std::max(col_max[k], v);
    }
    float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
    for (int64_t k = 0; k < s.j; ++k) {
        float e = exp_approx(ctx[k * cj] - row_max);
        attn[k * aj] = e;
        sum += e;
    }
    const float inv = 1.0f / sum;
#pragma omp simd
    for (int64_t k = 0; k < s.j; ++k) attn[k * aj] *= inv;
}

// Pass B on row r: ctx = exp(s − col_max), col_sum += it.
template <bool Unit>
void pass_b(const Slice &s, int64_t r, const float *col_max, float *col_sum) {
    const int64_t cj = Unit ? 1 : s.ctx_sj;
    float *ctx = s.ctx + r * s.ctx_si;
#pragma omp simd
    for (int64_t k = 0; k < s.j; ++k) {
        float e = exp_approx(ctx[k * cj] - col_max[k]);
        ctx[k * cj] = e;
        col_sum[k] += e;
    }
}

// Pass C on row r: ctx *= 1 / col_sum.
template <bool Unit> void pass_c(const Slice &s, int64_t r, const float *col_inv) {
    const int64_t cj = Unit ? 1 : s.ctx_sj;
    float *ctx = s.ctx + r * s.ctx_si;
#pragma omp simd
    for (int64_t k = 0; k < s.j; ++k) ctx[k * cj] *= col_inv[k];
}

// The passes with their template arguments chosen once per call.
struct Kernels {
    void (*a)(const Slice &, int64_t, float *);
    void (*b)(const Slice &, int64_t, const float *, float *);
    void (*c)(const Slice &, int64_t, const float *);
};

template <bool Unit> Kernels kernels(bool has_bias) {
    return {has_bias ? pass_a<Unit, true> : pass_a<Unit, false>, pass_b<Unit>, pass_c<Unit>};
}

// Everything about the call that slices are cut from.
struct Call {
    const attn4j_tensor *sim, *mask, *context_mask, *attn, *ctx;
    const float *bias;
    int64_t bias_strides[4]; // broadcast to [b, h, i, j] (0 where it repeats)
    int64_t b, h, i, j;
};

// Slice number `index` (= batch·h + head); keep_j receives this batch's context mask.
Slice slice_of(const Call &c, int64_t index, uint8_t *keep_j) {
    const int64_t bb = index / c.h, hh = index % c.h;
    Slice s;
    s.sim = static_cast<const float *>(c.sim->data) + bb * c.sim->strides[0] + hh * c.sim->strides[1];
    s.bias = c.bias != nullptr
                 ? c.bias + bb * c.bias_strides[0] + hh * c.bias_strides[1]
                 : nullptr;
    s.mask = c.mask != nullptr
                 ? static_cast<const uint8_t *>(c.mask->data) + bb * c.mask->strides[0]
                 : nullptr;
    s.attn = static_cast<float *>(c.attn->data) + bb * c.attn->strides[0] + hh * c.attn->strides[1];
    s.ctx = static_cast<float *>(c.ctx->data) + bb * c.ctx->strides[0] + hh * c.ctx->strides[1];
    s.sim_si = c.sim->strides[2];
    s.sim_sj = c.sim->strides[3];
    s.bias_si = c.bias_strides[2];
    s.bias_sj = c.bias_strides[3];
    s.mask_si = c.mask != nullptr ? c.mask->strides[1] : 0;
    s.attn_si = c.attn->strides[2];
    s.attn_sj = c.attn->strides[3];
    s.ctx_si = c.ctx->strides[2];
    s.ctx_sj = c.ctx->strides[3];
    s.i = c.i;
    s.j = c.j;
    s.keep_j = keep_j;
    return s;
}

// keep_j[k] = context_mask[bb, k] != 0 for the batch of slice `index` (all 1 without a mask),
// for k in [k0, k1).
void fill_keep(const Call &c, int64_t index, uint8_t *keep_j, int64_t k0, int64_t k1) {
    if (c.context_mask == nullptr) {
        std::fill(keep_j + k0, keep_j + k1, (uint8_t)1);
        return;
    }
    const int64_t bb = index / c.h;
    const uint8_t *m = static_cast<const uint8_t *>(c.context_mask->data) + bb * c.context_mask->strides[0];
    const int64_t ms = c.context_mask->strides[1];
    for (int64_t k = k0; k < k1; ++k) keep_j[k] = m[k * ms] != 0;
}

// Many slices: each thread takes whole slices, with its own column statistics.
void run_by_slices(const Call &c, const Kernels &k, int threads) {
    const int64_t slices = c.b * c.h, j = c.j;
    Buffer stats(bytes_for(threads * 2 * j, sizeof(float)));
    Buffer keep(bytes_for(threads * j, 1));
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t index = 0; index < slices; ++index) {
        const int t = omp_get_thread_num();
        float *col_max = stats.floats() + (int64_t)t * 2 * j, *col_sum = col_max + j;
        uint8_t *keep_j = static_cast<uint8_t *>(keep.get()) + (int64_t)t * j;
        fill_keep(c, index, keep_j, 0, j);
        const Slice s = slice_of(c, index, keep_j);
        std::fill(col_max, col_max + j, -std::numeric_limits<float>::infinity());
        std::fill(col_sum, col_sum + j, 0.0f);
        for (int64_t r = 0; r < c.i; ++r) k.a(s, r, col_max);
        for (int64_t r = 0; r < c.i; ++r) k.b(s, r, col_max, col_sum);
        for (int64_t q = 0; q < j; ++q) col_sum[q] = 1.0f / col_sum[q];
        for (int64_t r = 0; r < c.i; ++r) k.c(s, r, col_sum);
    }
}

// Few slices: the whole team works on each slice, rows shared out, and merges its per-thread
// column statistics between the passes.
void run_by_rows(const Call &c, const Kernels &k, int threads) {
    const int64_t slices = c.b * c.h, j = c.j;
    Buffer partial(bytes_for(threads * j, sizeof(float))); // [threads, j]
    Buffer merged(bytes_for(2 * j, sizeof(float)));        // column max, then 1 / sum
    Buffer keep(bytes_for(j, 1));
#pragma omp parallel num_threads(threads)
    {
        const int t = omp_get_thread_num(), team = omp_get_num_threads();
        float *mine = partial.floats() + (int64_t)t * j;
        float *col_max = merged.floats(), *col_inv = col_max + j;
        uint8_t *keep_j = static_cast<uint8_t *>(keep.get());
        for (int64_t index = 0; index < slices; ++index) {
            const Slice s = slice_of(c, index, keep_j);
#pragma omp for schedule(static)
            for (int64_t q = 0; q < j; ++q) fill_keep(c, index, keep_j, q, q + 1);
            std::fill(mine, mine + j, -std::numeric_limits<float>::infinity());
#pragma omp for schedule(static)
            for (int64_t r = 0; r < c.i; ++r) k.a(s, r, mine);
#pragma omp for schedule(static)
            for (int64_t q = 0; q < j; ++q) {
                float m = -std::numeric_limits<float>::infinity();
                for (int u = 0; u < team; ++u) m = std::max(m, partial.floats()[u * j + q]);
                col_max[q] = m;
            }
            std::fill(mine, mine + j, 0.0f);
#pragma omp for schedule(static)
            for (int64_t r = 0; r < c.i; ++r) k.b(s, r, col_max, mine);
#pragma omp for schedule(static)
            for (int64_t q = 0; q < j; ++q) {
                float sum = 0.0f;
                for (int u = 0; u < team; ++u) sum += partial.floats()[u * j + q];
                col_inv[q] = 1.0f / sum;
            }
#pragma omp for schedule(static)
            for (int64_t r = 0; r < c.i; ++r) k.c(s, r, col_inv);
        }
    }
}

attn4j_status check_mask(const attn4j_tensor *m, const char *name, int64_t b, int64_t n,
                         const char *dims) {
    if (attn4j_status s = check_optional(m, name, ATTN4J_DTYPE_BOOL, 2, 2)) return s;
    if (m != nullptr && (m->shape[0] != b || m->shape[1] != n))
        return fail(ATTN4J_ERR_SHAPE_MISMATCH, "%s: expected shape [%lld, %lld] %s, got %s", name,
                    (long long)b, (long long)n, dims, shape_string(*m).c_str());
    return ATTN4J_OK;
}

} // namespace

extern "C" {

ATTN4J_API attn4j_status attn4j_bca_softmax(attn4j_context *ctx, const attn4j_tensor *sim,
                                            const attn4j_tensor *rel_pos_bias,
                                            const attn4j_tensor *mask,
                                            const attn4j_tensor *context_mask,
                                            attn4j_tensor *attn, attn4j_tensor *context_attn) {
    return guarded([&] {
        int32_t threads;
        if (attn4j_status s = check_context(ctx, &threads)) return s;
        if (attn4j_status s = check_tensor(sim, "sim", ATTN4J_DTYPE_F32, 4, 4)) return s;
        const int64_t b = sim->shape[0], h = sim->shape[1], i = sim->shape[2], j = sim->shape[3];
        if (attn4j_status s = check_optional(rel_pos_bias, "rel_pos_bias", ATTN4J_DTYPE_F32, 1, 4))
            return s;
        if (rel_pos_bias != nullptr) {
            const int lead = 4 - rel_pos_bias->ndim;
            for (int d = 0; d < rel_pos_bias->ndim; ++d)
                if (rel_pos_bias->shape[d] != 1 && rel_pos_bias->shape[d] != sim->shape[lead + d])
                    return fail(ATTN4J_ERR_SHAPE_MISMATCH,
                                "rel_pos_bias: expected a shape that broadcasts to sim %s (each "
                                "dim 1 or equal, aligned right), got %s",
                                shape_string(*sim).c_str(), shape_string(*rel_pos_bias).c_str());
        }
        if (attn4j_status s = check_mask(mask, "mask", b, i, "[b, i]")) return s;
        if (attn4j_status s = check_mask(context_mask, "context_mask", b, j, "[b, j]")) return s;
        if (attn4j_status s = check_tensor(attn, "attn", ATTN4J_DTYPE_F32, 4, 4)) return s;
        if (attn4j_status s = check_tensor(context_attn, "context_attn", ATTN4J_DTYPE_F32, 4, 4))
            return s;
        if (attn4j_status s = check_same_shape(*attn, "attn", *sim, "sim")) return s;
        if (attn4j_status s = check_same_shape(*context_attn, "context_attn", *sim, "sim"))
            return s;
        if (attn4j_status s = check_output_layout(*attn, "attn")) return s;
        if (attn4j_status s = check_output_layout(*context_attn, "context_attn")) return s;
        if (numel(*sim) == 0) return ATTN4J_OK;
        if (context_attn->data == sim->data || context_attn->data == attn->data)
            return fail(ATTN4J_ERR_INVALID_ARG,
                        "context_attn: expected memory apart from sim and attn, got the same "
                        "address %p",
                        context_attn->data);

        Call c{};
        c.sim = sim;
        c.mask = mask;
        c.context_mask = context_mask;
        c.attn = attn;
        c.ctx = context_attn;
        c.b = b;
        c.h = h;
        c.i = i;
        c.j = j;
        if (rel_pos_bias != nullptr) {
            broadcast_strides(*rel_pos_bias, 4, c.bias_strides);
            c.bias = static_cast<const float *>(rel_pos_bias->data);
        }
        const bool unit = (j == 1) || (sim->strides[3] == 1 && attn->strides[3] == 1 &&
                                       context_attn->strides[3] == 1 &&
                                       (rel_pos_bias == nullptr || c.bias_strides[3] == 1));
        const Kernels k = unit ? kernels<true>(c.bias != nullptr) : kernels<false>(c.bias != nullptr);
        const int64_t slices = b * h;
        const int team = threads_for(slices * i * j, threads);
        // Whole slices per thread when they share out evenly enough; otherwise rows.
        if (team == 1 || slices % team == 0 || slices >= 4 * (int64_t)team)
            run_by_slices(c, k, team);
        else
            run_by_rows(c, k, team);
        return ATTN4J_OK;
    });
}

} // extern "C"
