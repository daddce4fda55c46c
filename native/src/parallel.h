// Running work on the context's threads, and tiny work on the calling thread alone. Why not
// always an OpenMP region: entering one (even `num_threads(1)`, even with a false `if`)
// builds a team and costs about a microsecond on an idle machine, up to a scheduler time slice
// on a busy one; a README-size call makes dozens of them.
#pragma once

#include <cstdint>

namespace attn4j {

// Threads worth starting for `units` independent pieces of work holding `flops` of arithmetic
// in all: at most `threads`, at most one per unit, and one per 16 MFLOP (the calling thread
// alone below 32 MFLOP), as matmul_threads does for oneDNN. Why so much: the join waits for
// the slowest member of the team, and on a machine whose cores other processes hold, a worker
// waits scheduler time slices to run; with one thread per 2 MFLOP the fused bidirectional
// kernel at 64 × 96 (19 MFLOP) took 11.6 ms of CPU per call on 2 threads at load ≈ 7
// (ForwardPartsBenchmark.attentionFused), 16 MFLOP being ≈ 0.15 ms of one core.
inline int threads_for_flops(double flops, int64_t units, int threads) {
    const double by_work = flops / 16e6;
    int64_t n = threads < units ? threads : units;
    if (by_work < (double)n) n = (int64_t)by_work;
    return n < 1 ? 1 : (int)n;
}

// Calls body() once on each of `threads` threads (an OpenMP team), or on the calling thread
// alone when threads ≤ 1. Orphaned `omp for` constructs inside body() share their loop out
// over the team, or run it whole on the calling thread.
template <class F> void in_team(int threads, F &&body) {
    if (threads <= 1) {
        body();
        return;
    }
#pragma omp parallel num_threads(threads)
    body();
}

// f(k) for k in [0, n), statically split over `threads` threads (the same k always goes to
// the same share of the range), or on the calling thread when threads ≤ 1 or n ≤ 1.
template <class F> void parallel_for(int64_t n, int threads, F &&f) {
    if (threads <= 1 || n <= 1) {
        for (int64_t k = 0; k < n; ++k) f(k);
        return;
    }
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t k = 0; k < n; ++k) f(k);
}

// f(row, k0, k1) over `rows` rows of n elements, each row cut into chunks [k0, k1) of at most
// `chunk` elements (a contiguous tensor collapses to one long row, which still has to be shared
// out between the threads), on threads_for-style `threads`.
template <class F> void parallel_chunks(int64_t rows, int64_t n, int64_t chunk, int threads, F &&f) {
    const int64_t chunks = (n + chunk - 1) / chunk;
    parallel_for(rows * chunks, threads, [&](int64_t task) {
        const int64_t k0 = task % chunks * chunk;
        f(task / chunks, k0, k0 + chunk < n ? k0 + chunk : n);
    });
}

} // namespace attn4j
