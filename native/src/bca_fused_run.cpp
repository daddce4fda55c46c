// Tiled driver of attn4j_bca_fused: plans one call (tile sizes, padded head size) and runs one
// of two schedules over the threads of the products around it (unit_team.h; the tile arithmetic
// is in bca_fused_kernels.h):
//  - bca_fused_online.cpp without talking heads: one pass, online softmax in both directions;
//  - bca_fused_mixed.cpp with talking heads: statistics first, then mixed products.
// Scratch memory is allocated before any thread starts; no loop body throws.
#include "bca_fused_run.h"
#include "bca_fused_support.h"

#include <algorithm>

namespace attn4j {
namespace bca {
namespace {

// Tile sizes. Online path: every i-block streams the whole context side of its (b, h) through
// the caches (context_qk panels, context_v and the column accumulators: 16·j·d bytes), so
// taller blocks mean less of that traffic; 256 × 128 keeps a tile's scores (128 KiB) and the
// q, v, o blocks (64 KiB each at d = 64) within a 2 MiB L2, and its 128..256-long inner loops
// amortise the accumulator loads and stores of each microkernel call.
constexpr int64_t kBlockI = 256;
constexpr int64_t kBlockJ = 128;
// Talking-heads pass 2 holds four tiles per head (P, Pc and both mixes): smaller tiles.
constexpr int64_t kThBlockI = 64;
constexpr int64_t kThBlockJ = 64;

// Writes zeros to every element of a [b, h, n, d] tensor.
void fill_zero(const View4 &t, int64_t B, int64_t H, int64_t n, int64_t d) {
    for (int64_t b = 0; b < B; ++b)
        for (int64_t h = 0; h < H; ++h)
            for (int64_t r = 0; r < n; ++r) {
                float *row = t.row(b, h, r);
                for (int64_t e = 0; e < d; ++e) row[e * t.s3] = 0.0f;
            }
}

} // namespace

void run(const Problem &pb, const Kernels &kernels) {
    const int64_t B = pb.b, H = pb.h, I = pb.i, J = pb.j, d = pb.d;
    if (B == 0 || H == 0 || d == 0) return; // both outputs are empty
    View4 out(pb.out), cout(pb.context_out);
    // An empty softmax axis: attn [i, 0] · context_v [0, d] and context_attnᵀ [j, 0] · v [0, d]
    // are sums over nothing, so the non-empty output is all zeros (as PyTorch's matmul gives).
    if (I == 0 || J == 0) {
        fill_zero(out, B, H, I, d);
        fill_zero(cout, B, H, J, d);
        return;
    }

    Plan pl;
    pl.B = B;
    pl.H = H;
    pl.I = I;
    pl.J = J;
    pl.d = d;
    pl.dp = round_up(d, kPanel);
    pl.jp = round_up(J, kPanel);
    pl.threads = pb.threads;
    const bool mixing = pb.talking_heads != nullptr || pb.context_talking_heads != nullptr;
    pl.bi = std::min(I, mixing ? kThBlockI : kBlockI);
    pl.bj = std::min(J, mixing ? kThBlockJ : kBlockJ);
    pl.lds = round_up(pl.bj, kPanel);

    Shared sh{pb,
              kernels,
              pl,
              View4(pb.qk),
              View4(pb.v),
              View4(pb.context_qk),
              View4(pb.context_v),
              out,
              cout,
              View4(),
              pb.rel_pos_bias != nullptr,
              MaskView(),
              MaskView(),
              pb.mask != nullptr,
              pb.context_mask != nullptr};
    if (sh.has_bias) sh.bias = bias_view(pb.rel_pos_bias, J);
    if (sh.has_mask) sh.mask = MaskView(pb.mask);
    if (sh.has_cmask) sh.cmask = MaskView(pb.context_mask);

    if (!mixing) {
        online_all(sh, true, nullptr, nullptr, nullptr, nullptr);
        return;
    }
    Plan online_plan = pl;
    online_plan.bi = std::min(I, kBlockI);
    online_plan.bj = std::min(J, kBlockJ);
    online_plan.lds = round_up(online_plan.bj, kPanel);
    talking_heads_all(sh, online_plan);
}

} // namespace bca
} // namespace attn4j
