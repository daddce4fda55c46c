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
#include "kernels.h"
#include "strided.h"
#include "parallel.h"

#include <omp.h>

#include <algorithm>
#include <limits>

using namespace attn4j;

namespace {

// Everything about the call that slices are cut from.
struct Call {
    const attn4j_tensor *sim;          // [b, h, i, j]
    const attn4j_tensor *mask;         // [b, i] BOOL, or NULL
    const attn4j_tensor *context_mask; // [b, j] BOOL, or NULL
    const attn4j_tensor *attn, *ctx;   // [b, h, i, j] each (ctx = context_attn)
    const float *bias;                 // rel_pos_bias, or NULL
    int64_t bias_strides[4];           // broadcast to [b, h, i, j] (0 where it repeats)
    int64_t b, h, i, j;
    bool unit; // every j stride is 1 (see BcaSlice)
};

// Slice number `index` (= batch·h + head); keep_j receives this batch's context mask.
BcaSlice slice_of(const Call &c, int64_t index, uint8_t *keep_j) {
    const int64_t bb = index / c.h, hh = index % c.h;
    BcaSlice s;
    s.sim =
        static_cast<const float *>(c.sim->data) + bb * c.sim->strides[0] + hh * c.sim->strides[1];
    s.bias = c.bias != nullptr ? c.bias + bb * c.bias_strides[0] + hh * c.bias_strides[1] : nullptr;
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
    s.unit = c.unit;
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
    const uint8_t *m =
        static_cast<const uint8_t *>(c.context_mask->data) + bb * c.context_mask->strides[0];
    const int64_t ms = c.context_mask->strides[1];
    for (int64_t k = k0; k < k1; ++k) keep_j[k] = m[k * ms] != 0;
}

// Many slices: each thread takes whole slices, with its own column statistics.
void run_by_slices(const Call &c, int threads) {
    const Kernels &k = kernels();
    const int64_t slices = c.b * c.h, j = c.j;
    Buffer stats(bytes_for(threads * 2 * j, sizeof(float)));
    Buffer keep(bytes_for(threads * j, 1));
    parallel_for(slices, threads, [&](int64_t index) {
        const int t = omp_get_thread_num();
        float *col_max = stats.floats() + (int64_t)t * 2 * j, *col_sum = col_max + j;
        uint8_t *keep_j = static_cast<uint8_t *>(keep.get()) + (int64_t)t * j;
        fill_keep(c, index, keep_j, 0, j);
        const BcaSlice s = slice_of(c, index, keep_j);
        std::fill(col_max, col_max + j, -std::numeric_limits<float>::infinity());
        std::fill(col_sum, col_sum + j, 0.0f);
        for (int64_t r = 0; r < c.i; ++r) k.bca_pass_a(s, r, col_max);
        for (int64_t r = 0; r < c.i; ++r) k.bca_pass_b(s, r, col_max, col_sum);
        for (int64_t q = 0; q < j; ++q) col_sum[q] = 1.0f / col_sum[q];
        for (int64_t r = 0; r < c.i; ++r) k.bca_pass_c(s, r, col_sum);
    });
}

// Few slices: the whole team works on each slice, rows shared out, and merges its per-thread
// column statistics between the passes.
void run_by_rows(const Call &c, int threads) {
    const Kernels &k = kernels();
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
            const BcaSlice s = slice_of(c, index, keep_j);
#pragma omp for schedule(static)
            for (int64_t q = 0; q < j; ++q) fill_keep(c, index, keep_j, q, q + 1);
            std::fill(mine, mine + j, -std::numeric_limits<float>::infinity());
#pragma omp for schedule(static)
            for (int64_t r = 0; r < c.i; ++r) k.bca_pass_a(s, r, mine);
#pragma omp for schedule(static)
            for (int64_t q = 0; q < j; ++q) {
                float m = -std::numeric_limits<float>::infinity();
                for (int u = 0; u < team; ++u) m = std::max(m, partial.floats()[u * j + q]);
                col_max[q] = m;
            }
            std::fill(mine, mine + j, 0.0f);
#pragma omp for schedule(static)
            for (int64_t r = 0; r < c.i; ++r) k.bca_pass_b(s, r, col_max, mine);
#pragma omp for schedule(static)
            for (int64_t q = 0; q < j; ++q) {
                float sum = 0.0f;
                for (int u = 0; u < team; ++u) sum += partial.floats()[u * j + q];
                col_inv[q] = 1.0f / sum;
            }
#pragma omp for schedule(static)
            for (int64_t r = 0; r < c.i; ++r) k.bca_pass_c(s, r, col_inv);
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
                                            const attn4j_tensor *context_mask, attn4j_tensor *attn,
                                            attn4j_tensor *context_attn) {
    return guarded([&] {
        int32_t threads;
        if (attn4j_status s = check_context(ctx, &threads)) return s;
        if (attn4j_status s = check_tensor(sim, "sim", ATTN4J_DTYPE_F32, 4, 4)) return s;
        const int64_t b = sim->shape[0], h = sim->shape[1], i = sim->shape[2], j = sim->shape[3];
        if (attn4j_status s = check_optional(rel_pos_bias, "rel_pos_bias", ATTN4J_DTYPE_F32, 1, 4))
            return s;
        if (rel_pos_bias != nullptr)
            if (attn4j_status s = check_broadcastable(*rel_pos_bias, "rel_pos_bias", *sim, "sim"))
                return s;
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
        c.unit = (j == 1) ||
                 (sim->strides[3] == 1 && attn->strides[3] == 1 && context_attn->strides[3] == 1 &&
                  (rel_pos_bias == nullptr || c.bias_strides[3] == 1));
        const int64_t slices = b * h;
        const int team = threads_for(slices * i * j, threads);
        // Whole slices per thread when they share out evenly enough; otherwise rows.
        if (team == 1 || slices % team == 0 || slices >= 4 * (int64_t)team)
            run_by_slices(c, team);
        else
            run_by_rows(c, team);
        return ATTN4J_OK;
    });
}

} // extern "C"
