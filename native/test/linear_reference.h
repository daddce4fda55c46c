// The double-precision reference of the linear products (attn4j_linear and its fused and packed
// forms) and the operands their tests draw, shared by test_linear, test_linear_fused and
// test_linear_packed.
#pragma once

#include "test_util.h"

#include <cmath>
#include <vector>

namespace t4j {

// The exact (erf) GELU.
inline double gelu_exact(double v) { return 0.5 * v * std::erfc(-v / std::sqrt(2.0)); }

// y[r, o] = Σ_k x[r, k]·w[o, k] + bias[o] with x's leading dims flattened into r (counted so,
// in = 0 works too).
inline std::vector<double> linear_product(const Tensor &x, const Tensor &w, const Tensor *bias) {
    const int64_t in = w.t.shape[1], out = w.t.shape[0];
    int64_t lead = 1;
    for (int d = 0; d < x.t.ndim - 1; ++d) lead *= x.t.shape[d];
    std::vector<double> y;
    for (int64_t r = 0; r < lead; ++r)
        for (int64_t o = 0; o < out; ++o) {
            double acc = bias != nullptr ? bias->at(o) : 0.0;
            for (int64_t k = 0; k < in; ++k) acc += (double)x.at(r * in + k) * w.at(o * in + k);
            y.push_back(acc);
        }
    return y;
}

// x [lead..., in], w [out, in], b [out] and y [lead..., out] (its old values: the residual),
// drawn from rng in that order.
struct LinearOperands {
    Tensor x, w, b, y;
    LinearOperands(std::vector<int64_t> lead, int64_t in, int64_t out, Layout xl, Layout yl, Rng &rng)
        : x(with_last(lead, in), xl), w({out, in}), b({out}), y(with_last(lead, out), yl) {
        x.randomize(rng, 2.0f);
        w.randomize(rng, 1.0f);
        b.randomize(rng);
        y.randomize(rng);
    }

  private:
    static std::vector<int64_t> with_last(std::vector<int64_t> lead, int64_t last) {
        lead.push_back(last);
        return lead;
    }
};

} // namespace t4j
