// oneDNN matmul behind linear, matmul and head_mix: normalises the views (merged batch dims,
// dense copies of layouts oneDNN's fast kernels cannot read), then runs a primitive cached in
// the context under a key of every dim, stride and scalar it depends on.
#include "matmul_exec.h"

#include "buffer.h"
#include "common.h"
#include "context.h"
#include "kernels.h"
#include "scratch.h"
#include "strided.h"

#include <cmath>
#include <cstring>
#include <unordered_map>
#include <utility>

namespace attn4j {

namespace {

using dnnl::memory;

constexpr int64_t kMatmulTag = 0x6d6d; // first word of every matmul key

// Arithmetic (2·m·n·k summed over the batch) a matmul needs before each thread beyond the first
// pays for itself. Why so much: oneDNN on OpenMP forks and joins a team per run, which costs a
// few microseconds on an idle machine, tens when the workers have gone to sleep between calls,
// and whole scheduler time slices when other processes hold the cores (the join waits for the
// slowest worker to be scheduled: a [16, 512]·[512, 512] projection on 2 threads took 4 ms of
// CPU per call there, on the calling thread alone 0.14 ms; ForwardPartsBenchmark). 16 MFLOP is
// ≈ 0.1 ms of one AVX-512 core, so a second thread saves at least as much as a wake-up costs.
constexpr double kMatmulFlopsPerThread = 16e6;

// Rows of c up to which a product through a weight stored [out, in] is computed transposed
// (see matmul_exec). Why 64: oneDNN's re-pack of the weight costs about as much as m = 16 rows
// of arithmetic (40 % of a [16, 512]·[512, 512]ᵀ projection), 1/4 of that at 64 rows, and
// beyond it the transposed product's narrow output (n' = m) gains nothing more.
constexpr int64_t kFewRows = 64;

enum Operand { kA, kB, kBias, kC, kOperands };

// A view as the primitive will see it, with the dense buffer that replaced it if any.
struct Prepared {
    MatView view;
    bool present = false;
    Buffer copy; // owns the dense data when `view` had to be replaced
    bool copied = false;
};

// Row-major dense strides for dims.
void dense_strides(int ndim, const int64_t *dims, int64_t *strides) {
    int64_t s = 1;
    for (int d = ndim - 1; d >= 0; --d) {
        strides[d] = s;
        s *= dims[d] > 0 ? dims[d] : 1;
    }
}

// Size-1 dims get the stride a dense layout would give them. Why: their stride never
// matters, but oneDNN's kernel choice compares strides (to tell a transposed matrix from a
// plain one, or dense batches from gaps), and callers pass arbitrary values there.
void tidy_unit_strides(MatView &v) {
    int64_t next = 1; // stride the dim above the innermost would have
    for (int d = v.ndim - 1; d >= 0; --d) {
        if (v.dims[d] == 1) v.strides[d] = next;
        int64_t extent;
        if (__builtin_mul_overflow(v.strides[d], v.dims[d], &extent)) extent = INT64_MAX;
        next = extent > next ? extent : next;
    }
}

// Whether a matrix with a unit dim (m or n = 1) has batch strides other than a dense
// layout's. Why: oneDNN 3.13 misreads such inputs (k = 1 against a padded batch gave NaN and
// other batches' values), so they take the dense copy; test_matmul keeps the cases.
bool unit_dim_padded_batch(const MatView &v) {
    const int m = v.ndim - 2, n = v.ndim - 1;
    if (v.dims[m] != 1 && v.dims[n] != 1) return false;
    int64_t dense = v.dims[m] * v.dims[n];
    for (int d = v.ndim - 3; d >= 0; --d) {
        if (v.dims[d] != 1 && v.strides[d] != dense) return true;
        dense *= v.dims[d];
    }
    return false;
}

// Whether oneDNN's optimised matmul reads this layout: no overlap (which also excludes
// stride-0 broadcast; oneDNN rejects overlap outright) and a unit stride on one matrix dim
// (otherwise oneDNN falls back to its scalar reference kernel, far slower than a copy).
bool fast_layout(const MatView &v) {
    const int m = v.ndim - 2, n = v.ndim - 1;
    bool unit = v.strides[n] == 1 || v.strides[m] == 1 || v.dims[n] == 1 || v.dims[m] == 1;
    return unit && non_overlapping(v.ndim, v.dims, v.strides) && !unit_dim_padded_batch(v);
}

// Merges adjacent batch dims of all operands where each operand either covers both fully
// and contiguously or broadcasts both, and drops batch dims that are 1 everywhere.
void merge_batch_dims(MatView *views[kOperands]) {
    MatView &c = *views[kC];
    const int batch = c.ndim - 2;
    int out = 0;
    for (int d = 0; d < batch; ++d) {
        if (c.dims[d] == 1) continue; // every operand is 1 there too
        bool merge = out > 0;
        for (int k = 0; k < kOperands && merge; ++k) {
            if (views[k] == nullptr) continue;
            const MatView &v = *views[k];
            bool prev_full = v.dims[out - 1] != 1, cur_full = v.dims[d] != 1;
            int64_t extent;
            if (prev_full != cur_full)
                merge = false;
            else if (prev_full && (__builtin_mul_overflow(v.strides[d], v.dims[d], &extent) ||
                                   v.strides[out - 1] != extent))
                merge = false;
        }
        for (int k = 0; k < kOperands; ++k) {
            if (views[k] == nullptr) continue;
            MatView &v = *views[k];
            if (merge) {
                v.dims[out - 1] *= v.dims[d];
                v.strides[out - 1] = v.strides[d];
            } else {
                v.dims[out] = v.dims[d];
                v.strides[out] = v.strides[d];
            }
        }
        if (!merge) ++out;
    }
    for (int k = 0; k < kOperands; ++k) {
        if (views[k] == nullptr) continue;
        MatView &v = *views[k];
        for (int j = 0; j < 2; ++j) {
            v.dims[out + j] = v.dims[batch + j];
            v.strides[out + j] = v.strides[batch + j];
        }
        v.ndim = out + 2;
    }
}

memory::desc desc_of(const MatView &v) {
    memory::dims dims(v.dims, v.dims + v.ndim), strides(v.strides, v.strides + v.ndim);
    return memory::desc(dims, memory::data_type::f32, strides);
}

void append_view(PrimitiveKey &key, const MatView &v) {
    key.push_back(v.ndim);
    key.insert(key.end(), v.dims, v.dims + v.ndim);
    key.insert(key.end(), v.strides, v.strides + v.ndim);
}

// The epilogue on one element v = a·b + bias, for the k = 0 case that never reaches oneDNN (the
// exact GELU here: no fused kernel to match).
float apply_epilogue(float v, float old, Epilogue epilogue) {
    switch (epilogue) {
    case Epilogue::kGelu: return (float)(0.5 * v * std::erfc(-v * 0.70710678118654752));
    case Epilogue::kAccumulate: return old + v;
    case Epilogue::kNone: break;
    }
    return v;
}

// c = epilogue(0 (+ bias)): the answer when k = 0, which oneDNN does not take.
void fill_empty_product(const MatView &c, const MatView *bias, Epilogue epilogue, int threads) {
    Nest<2> nest;
    nest.ndim = c.ndim;
    for (int d = 0; d < c.ndim; ++d) {
        nest.shape[d] = c.dims[d];
        nest.strides[0][d] = c.strides[d];
        nest.strides[1][d] = bias != nullptr && bias->dims[d] != 1 ? bias->strides[d] : 0;
    }
    nest.collapse(false);
    const int64_t rows = nest.rows(), inner = nest.inner();
    const int64_t cs = nest.strides[0][nest.ndim - 1], bs = nest.strides[1][nest.ndim - 1];
    const float *bias_data = bias != nullptr ? bias->data : nullptr;
#pragma omp parallel for num_threads(threads_for(rows *inner, threads)) schedule(static)
    for (int64_t r = 0; r < rows; ++r) {
        int64_t off[2];
        nest.row_offsets(r, off);
        for (int64_t k = 0; k < inner; ++k) {
            float &out = c.data[off[0] + k * cs];
            out = apply_epilogue(bias_data != nullptr ? bias_data[off[1] + k * bs] : 0.0f, out,
                                 epilogue);
        }
    }
}

} // namespace

int matmul_threads(double flops, int threads) {
    const double useful = flops / kMatmulFlopsPerThread;
    if (useful < 2.0) return 1;
    return useful < (double)threads ? (int)useful : threads;
}

attn4j_status matmul_exec(attn4j_context *ctx, const MatView &a_in, const MatView &b_in,
                          const MatView *bias_in, const MatView &c_in, float alpha,
                          Epilogue epilogue) {
    if ((bias_in != nullptr || epilogue != Epilogue::kNone) && alpha != 1.0f)
        return fail(ATTN4J_ERR_INTERNAL, "matmul_exec: bias and epilogues need alpha = 1, got %g",
                    alpha);
    for (int d = 0; d < c_in.ndim; ++d)
        if (c_in.dims[d] == 0) return ATTN4J_OK; // nothing to write
    // c's elements times k, doubled: the whole product's arithmetic.
    double flops = 2.0 * (double)a_in.dims[a_in.ndim - 1];
    for (int d = 0; d < c_in.ndim; ++d) flops *= (double)c_in.dims[d];
    const int threads = matmul_threads(flops, ctx->threads);
    if (a_in.dims[a_in.ndim - 1] == 0) {         // k = 0: an empty sum, oneDNN would divide by 0
        fill_empty_product(c_in, bias_in, epilogue, threads);
        return ATTN4J_OK;
    }

    // Views as the primitive will see them.
    MatView a = a_in, b = b_in, c = c_in, bias;
    if (bias_in != nullptr) bias = *bias_in;
    bool has_bias = bias_in != nullptr; // false when the bias is added after the product instead
    MatView *views[kOperands] = {&a, &b, has_bias ? &bias : nullptr, &c};
    merge_batch_dims(views);
    // Few rows through a weight stored [out, in] (linear's view of it: b [k, n] with k
    // contiguous): compute cᵀ [n, m] = bᵀ · aᵀ into a dense block, then transpose it into c.
    // Why: oneDNN's kernels want b's n contiguous and would re-pack the whole weight (n·k) on
    // every call, which at few rows costs as much as the product itself (ForwardPartsBenchmark:
    // [16, 512]·[512, 512]ᵀ took 160 µs of CPU, 98 µs with the weight stored [in, out]); this
    // way round the weight is read in place as a row-major [n, k] and only aᵀ (m·k) is packed.
    // The bias is added on the way back, so the epilogue is applied there too (after it): the
    // exact GELU of attn4j_gelu's kernel, or the residual read from c.
    Buffer transposed_c;
    const MatView target_c = c;
    Epilogue fused = epilogue; // what the primitive itself applies
    if (c.ndim == 2 && c.dims[0] <= kFewRows && c.dims[1] > 1 && c.strides[1] == 1 &&
        a.strides[1] == 1 && b.strides[0] == 1 && b.dims[0] > 1 && b.strides[1] != 1) {
        const int64_t rows = c.dims[0], cols = c.dims[1];
        transposed_c = Buffer(bytes_for(rows * cols, sizeof(float)));
        c.data = transposed_c.floats();
        c.strides[0] = 1; // c as a column-major [m, n]: the block holds cᵀ row-major
        c.strides[1] = rows;
        std::swap(a, b);
        for (MatView *v : {&a, &b, &c}) {
            std::swap(v->dims[0], v->dims[1]);
            std::swap(v->strides[0], v->strides[1]);
        }
        // The bias, a row broadcast over c, would be a column broadcast over cᵀ, which sends
        // oneDNN to its reference kernel (1000× slower): the copy back into c adds it instead.
        has_bias = false;
        views[kBias] = nullptr;
        fused = Epilogue::kNone;
    }
    // A column-major c (m contiguous, n not): compute cᵀ = op(b)ᵀ · op(a)ᵀ instead, which
    // writes cᵀ row-major. Why: oneDNN's fast kernels write row-major outputs only.
    const int m = c.ndim - 2, n = c.ndim - 1;
    if (!has_bias && c.dims[n] > 1 && c.strides[n] != 1 &&
        (c.strides[m] == 1 || c.dims[m] == 1)) {
        std::swap(a, b);
        for (MatView *v : {&a, &b, &c}) {
            std::swap(v->dims[m], v->dims[n]);
            std::swap(v->strides[m], v->strides[n]);
        }
    }

    // Layouts oneDNN's fast kernels cannot read go through dense copies: inputs copied in,
    // the output computed densely and copied out.
    Buffer copies[kOperands];
    MatView original_c = c;
    for (int k = 0; k < kOperands; ++k) {
        if (views[k] == nullptr) continue;
        MatView &v = *views[k];
        tidy_unit_strides(v);
        const bool row_major = v.strides[v.ndim - 1] == 1 || v.dims[v.ndim - 1] == 1;
        const bool fast = k == kBias || k == kC
                              ? row_major && non_overlapping(v.ndim, v.dims, v.strides)
                              : fast_layout(v);
        if (fast) continue;
        int64_t count = 1;
        for (int d = 0; d < v.ndim; ++d) count *= v.dims[d];
        copies[k] = Buffer(bytes_for(count, sizeof(float)));
        int64_t dense[ATTN4J_MAX_DIMS];
        dense_strides(v.ndim, v.dims, dense);
        if (k != kC || fused == Epilogue::kAccumulate) // the epilogue reads c's old values
            copy_strided(v.ndim, v.dims, v.data, v.strides, copies[k].floats(), dense, threads);
        v.data = copies[k].floats();
        std::memcpy(v.strides, dense, sizeof dense);
    }

    PrimitiveKey key;
    key.reserve(4 + 4 * (2 * ATTN4J_MAX_DIMS + 1));
    key.push_back(kMatmulTag);
    append_view(key, a);
    append_view(key, b);
    append_view(key, c);
    key.push_back(has_bias);
    if (has_bias) append_view(key, bias);
    int32_t alpha_bits;
    std::memcpy(&alpha_bits, &alpha, sizeof alpha_bits);
    key.push_back(alpha_bits);
    key.push_back(static_cast<int64_t>(fused));
    key.push_back(threads); // oneDNN plans its blocking for the thread count it is created with

    OmpThreads omp_threads(threads); // for the primitive's creation and its run (1: no team at all)
    const memory::desc a_md = desc_of(a), b_md = desc_of(b), c_md = desc_of(c);
    const memory::desc bias_md = has_bias ? desc_of(bias) : memory::desc();
    CachedPrimitive entry = ctx->cache.get(key, [&] {
        dnnl::primitive_attr attr;
        // Why user mode: a library-managed scratchpad belongs to the primitive, and one
        // cached primitive may run on several threads at once.
        attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
        dnnl::post_ops ops;
        if (alpha != 1.0f) {
            // c = alpha · (a·b) as a linear post-op (alpha·x + 0). Why not scales: oneDNN 3.x
            // takes those as run-time arguments; alpha is part of the cache key, so the
            // primitive may as well carry it.
            ops.append_eltwise(dnnl::algorithm::eltwise_linear, alpha, 0.0f);
        }
        if (fused == Epilogue::kGelu) ops.append_eltwise(dnnl::algorithm::eltwise_gelu_erf, 0.0f, 0.0f);
        // sum: c = 1·c_old + (a·b + bias), c_old read from the destination buffer itself
        if (fused == Epilogue::kAccumulate) ops.append_sum(1.0f);
        if (ops.len() > 0) attr.set_post_ops(ops);
        dnnl::matmul::primitive_desc pd =
            has_bias
                ? dnnl::matmul::primitive_desc(ctx->engine, a_md, b_md, bias_md, c_md, attr)
                : dnnl::matmul::primitive_desc(ctx->engine, a_md, b_md, c_md, attr);
        CachedPrimitive built;
        built.primitive = dnnl::matmul(pd);
        built.scratchpad_bytes = pd.scratchpad_desc().get_size();
        return built;
    });

    // From the block cache: a large scratchpad (oneDNN's packing buffers, MiBs at sgemm sizes)
    // is reused from an earlier call instead of being faulted in and zeroed on every one.
    Block scratchpad = entry.scratchpad_bytes > 0 ? allocate(entry.scratchpad_bytes) : Block();
    std::unordered_map<int, memory> args;
    args.emplace(DNNL_ARG_SRC, memory(a_md, ctx->engine, a.data));
    args.emplace(DNNL_ARG_WEIGHTS, memory(b_md, ctx->engine, b.data));
    args.emplace(DNNL_ARG_DST, memory(c_md, ctx->engine, c.data));
    if (has_bias) args.emplace(DNNL_ARG_BIAS, memory(bias_md, ctx->engine, bias.data));
    if (entry.scratchpad_bytes > 0) {
        memory::desc sp_md({(memory::dim)entry.scratchpad_bytes}, memory::data_type::u8,
                           memory::format_tag::a);
        args.emplace(DNNL_ARG_SCRATCHPAD, memory(sp_md, ctx->engine, scratchpad.get()));
    }
    dnnl::stream stream(ctx->engine);
    entry.primitive.execute(stream, args);
    stream.wait();

    if (copies[kC].get() != nullptr)
        copy_strided(c.ndim, c.dims, c.data, c.strides, original_c.data, original_c.strides,
                     threads);
    if (transposed_c.get() != nullptr) { // c [m, n] = epilogue(cᵀ [n, m] (+ bias [n])), m·n is small
        const int64_t rows = target_c.dims[0], cols = target_c.dims[1];
        const float *t = transposed_c.floats();
        const float *bias_data = bias_in != nullptr ? bias_in->data : nullptr;
        const int64_t bias_stride = bias_in != nullptr ? bias_in->strides[bias_in->ndim - 1] : 0;
        const bool accumulate = epilogue == Epilogue::kAccumulate;
        for (int64_t r = 0; r < rows; ++r) {
            float *row = target_c.data + r * target_c.strides[0];
            for (int64_t col = 0; col < cols; ++col)
                row[col] = (accumulate ? row[col] : 0.0f) + t[col * rows + r] +
                           (bias_data != nullptr ? bias_data[col * bias_stride] : 0.0f);
            if (epilogue == Epilogue::kGelu) kernels().gelu(row, 1, row, 1, cols); // row: c.strides[1] = 1
        }
    }
    return ATTN4J_OK;
}

} // namespace attn4j
