// Helpers for the C++ tests of libattn4j: strided tensors over owned storage, a seeded
// generator, double-precision element access, and checks that report and count failures.
#pragma once

#include "attn4j.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

namespace t4j {

inline int failures = 0;

#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            ++t4j::failures;                                                                       \
            std::fprintf(stderr, "%s:%d: FAILED %s: ", __FILE__, __LINE__, #cond);                 \
            std::fprintf(stderr, __VA_ARGS__);                                                     \
            std::fprintf(stderr, "\n");                                                            \
        }                                                                                          \
    } while (0)

// Expects status OK, printing the native message otherwise.
#define EXPECT_OK(call)                                                                            \
    do {                                                                                           \
        attn4j_status s_ = (call);                                                                 \
        EXPECT(s_ == ATTN4J_OK, "%s returned %s: %s", #call, attn4j_status_string(s_),             \
               attn4j_last_error());                                                               \
    } while (0)

// Expects `code` and a non-empty message mentioning `needle`.
#define EXPECT_STATUS(code, call, needle)                                                          \
    do {                                                                                           \
        attn4j_status s_ = (call);                                                                 \
        const char *m_ = attn4j_last_error();                                                      \
        EXPECT(s_ == (code), "%s returned %s (%s), expected %s", #call, attn4j_status_string(s_),  \
               m_, #code);                                                                         \
        EXPECT(m_ != nullptr && m_[0] != '\0', "%s left no message", #call);                       \
        EXPECT(m_ != nullptr && std::strstr(m_, needle) != nullptr,                                \
               "%s: message \"%s\" does not mention \"%s\"", #call, m_, needle);                   \
    } while (0)

inline int finish(const char *name) {
    if (failures == 0)
        std::printf("%s: all passed\n", name);
    else
        std::printf("%s: %d failure(s)\n", name, failures);
    return failures == 0 ? 0 : 1;
}

// Seeded generator (SplitMix64): the same numbers on every run and machine.
struct Rng {
    uint64_t state;
    explicit Rng(uint64_t seed) : state(seed) {}
    uint64_t next() {
        uint64_t z = (state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    double uniform() { return (next() >> 11) * (1.0 / 9007199254740992.0); } // [0, 1)
    float symmetric(float scale = 1.0f) { return (float)((uniform() * 2.0 - 1.0) * scale); }
};

// How a test lays out a tensor in its storage.
struct Layout {
    std::vector<int> perm; // physical order of the logical dims, outermost first ({} = same)
    int64_t pad = 0;       // extra elements added to every physical dim's extent
    int64_t offset = 0;    // elements before element [0, ..., 0]
};

inline Layout dense() { return Layout{}; }
inline Layout padded(int64_t pad) { return Layout{{}, pad, 3}; }
inline Layout permuted(std::vector<int> perm, int64_t pad = 0) { return Layout{perm, pad, 5}; }

// A tensor whose storage the test owns (float or byte elements).
struct Tensor {
    attn4j_tensor t{};
    std::vector<float> f;   // F32 storage
    std::vector<uint8_t> u; // BOOL storage

    Tensor() = default;
    Tensor(std::vector<int64_t> shape, Layout layout = dense(), int32_t dtype = ATTN4J_DTYPE_F32) {
        const int nd = (int)shape.size();
        t.dtype = dtype;
        t.ndim = nd;
        std::vector<int> perm = layout.perm;
        EXPECT(perm.empty() || (int)perm.size() == nd, "test layout: perm of %zu dims for rank %d",
               perm.size(), nd);
        if ((int)perm.size() != nd) perm.clear();
        if (perm.empty())
            for (int d = 0; d < nd; ++d) perm.push_back(d);
        int64_t stride = 1;
        for (int k = nd - 1; k >= 0; --k) {
            int d = perm[k];
            t.shape[d] = shape[d];
            t.strides[d] = stride;
            stride *= shape[d] + layout.pad;
        }
        int64_t count = 1;
        for (int64_t s : shape) count *= s;
        int64_t size = count == 0 ? layout.offset + 1 : stride + layout.offset;
        if (dtype == ATTN4J_DTYPE_BOOL) {
            u.assign(size, 0xAB); // poison between elements
            t.data = u.data() + layout.offset;
        } else {
            f.assign(size, NAN);
            t.data = f.data() + layout.offset;
        }
    }

    int64_t numel() const {
        int64_t n = 1;
        for (int d = 0; d < t.ndim; ++d) n *= t.shape[d];
        return n;
    }
    // Offset of the element with flat row-major logical index `flat`.
    int64_t offset_of(int64_t flat) const {
        int64_t off = 0;
        for (int d = t.ndim - 1; d >= 0; --d) {
            off += flat % t.shape[d] * t.strides[d];
            flat /= t.shape[d];
        }
        return off;
    }
    float &at(int64_t flat) { return static_cast<float *>(t.data)[offset_of(flat)]; }
    float at(int64_t flat) const { return static_cast<const float *>(t.data)[offset_of(flat)]; }
    uint8_t &byte(int64_t flat) { return static_cast<uint8_t *>(t.data)[offset_of(flat)]; }
    // Element at a multi-index.
    float get(std::initializer_list<int64_t> idx) const {
        int64_t off = 0;
        int d = 0;
        for (int64_t i : idx) off += i * t.strides[d++];
        return static_cast<const float *>(t.data)[off];
    }

    uint8_t get_byte(std::initializer_list<int64_t> idx) const {
        int64_t off = 0;
        int d = 0;
        for (int64_t i : idx) off += i * t.strides[d++];
        return static_cast<const uint8_t *>(t.data)[off];
    }

    void randomize(Rng &rng, float scale = 1.0f) {
        for (int64_t k = 0; k < numel(); ++k) at(k) = rng.symmetric(scale);
    }
    std::vector<float> values() const {
        std::vector<float> v(numel());
        for (int64_t k = 0; k < numel(); ++k) v[k] = at(k);
        return v;
    }
};

inline std::string shape_str(const attn4j_tensor &t) {
    std::string s = "[";
    for (int d = 0; d < t.ndim; ++d) s += (d ? "," : "") + std::to_string(t.shape[d]);
    return s + "]";
}

// Compares got with want elementwise: |got − want| ≤ atol + rtol·|want|. Reports the worst.
inline void expect_close(const Tensor &got, const std::vector<double> &want, double atol,
                         double rtol, const std::string &what) {
    EXPECT((int64_t)want.size() == got.numel(), "%s: %lld values, expected %zu", what.c_str(),
           (long long)got.numel(), want.size());
    if ((int64_t)want.size() != got.numel()) return;
    double worst = 0;
    int64_t at = -1;
    for (int64_t k = 0; k < got.numel(); ++k) {
        double g = got.at(k), w = want[k];
        // A NaN expected is met by a NaN only (and a NaN got never meets a number).
        double err = g == w || (std::isnan(g) && std::isnan(w)) ? 0.0
                                                                 : std::fabs(g - w) / (atol + rtol * std::fabs(w));
        if (!(err <= 1.0) && (at < 0 || !(err <= worst))) {
            worst = err;
            at = k;
            if (std::isnan(err)) break;
        }
    }
    EXPECT(at < 0, "%s %s: element %lld is %.9g, expected %.9g", what.c_str(),
           shape_str(got.t).c_str(), (long long)at, at >= 0 ? got.at(at) : 0.0,
           at >= 0 ? want[at] : 0.0);
}

// A context that the test frees at the end of the scope.
struct Context {
    attn4j_context *ctx = nullptr;
    explicit Context(int threads) {
        attn4j_status s = attn4j_context_create(threads, &ctx);
        EXPECT(s == ATTN4J_OK, "attn4j_context_create(%d): %s", threads, attn4j_last_error());
    }
    ~Context() {
        if (ctx != nullptr) attn4j_context_destroy(ctx);
    }
    operator attn4j_context *() const { return ctx; }
};

} // namespace t4j
