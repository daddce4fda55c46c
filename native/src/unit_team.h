// Sharing a kernel's units of work over the threads that run the linear products beside it.
// Why: where the packed products take every row count (AVX-512), a forward's products run on
// the chunk team (chunk_team.h), whose helper polls 1 ms after a loop; elsewhere oneDNN runs the
// large ones on its OpenMP team, whose workers spin after a call. A kernel on the other pool
// took turns with those threads on a core: MiniLM's SDPA at [32, 128], 6 calls, 46 → 62 ms on
// the chunk team with both sides held to AVX2; the README module at 256 × 512, 5.7 → 6.9 ms on
// OpenMP beside packed products (AVX-512).
#pragma once

#include "chunk_team.h"
#include "linear_packed.h"
#include "parallel.h"

#include <omp.h>

#include <cstdint>

namespace attn4j {

// f(u, worker) for every u in [0, n), unit by unit to whichever thread is free, on up to
// `threads` threads; worker in [0, threads) names the thread running f (per-thread scratch;
// no two calls running at once share one). f must not throw.
template <class F> void share_units(int64_t n, int threads, F &&f) {
    if (packed_takes_all_rows()) {
        run_chunks(n, threads, [&](int64_t u) { f(u, chunk_worker()); });
        return;
    }
    in_team(n > 1 ? threads : 1, [&] {
#pragma omp for schedule(dynamic, 1)
        for (int64_t u = 0; u < n; ++u) f(u, omp_get_thread_num());
    });
}

} // namespace attn4j
