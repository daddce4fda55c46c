// Sharing a loop of independent chunks between the calling thread and helper threads without
// ever waiting for a helper that has not started. Why not an OpenMP team: its join waits for
// every member, and on a machine whose cores other processes hold, a worker waits whole scheduler
// time slices to run (a 20 µs product of few rows took 8 ms per call on 2 threads at load 7,
// bench_linear_packed). Here a chunk runs on whichever thread claims it first; the calling thread
// claims until none are left and then waits only for chunks a helper has already begun (as ONNX
// Runtime's thread pool revokes work no worker has picked up).
#pragma once

#include <cstdint>

namespace attn4j {

// Calls body(arg, c) once for every c in [0, chunks), on the calling thread and up to
// threads − 1 helper threads (process-wide, started on first use); returns when every call has
// returned. While another thread's loop holds the helpers, this one runs on the calling thread
// alone. body must not throw.
void run_chunks(int64_t chunks, int threads, void (*body)(void *arg, int64_t chunk), void *arg);

// Inside a body of run_chunks: which of the loop's threads runs it, 0 (the calling thread) to
// threads − 1; no two bodies running at once in one loop share a number. For per-thread scratch.
int chunk_worker();

// run_chunks with a callable f(c).
template <class F> void run_chunks(int64_t chunks, int threads, F &&f) {
    run_chunks(
        chunks, threads, [](void *arg, int64_t c) { (*static_cast<F *>(arg))(c); },
        static_cast<void *>(&f));
}

} // namespace attn4j
