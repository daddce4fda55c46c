// run_chunks (chunk_team.h): one process-wide set of helper threads that claim chunks of the
// current loop from an atomic counter, beside the calling thread.
#include "chunk_team.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <immintrin.h>
#include <mutex>
#include <pthread.h>
#include <sched.h>
#include <thread>

namespace attn4j {

namespace {

// Helpers at most (a context may ask for up to 4096 threads; more helpers than cores only queue).
constexpr int kMaxHelpers = 63;
// How long a helper keeps polling for the next loop before it sleeps. Why so long: a sleeping
// helper takes a futex wake-up to join, and where the core it sleeps on is a VM's halted vCPU
// that took 150 µs on average (up to 2.6 ms) on a quiet 2-core cloud VM, longer than most of
// the products it was woken for; a forward's products come up to a few hundred µs apart (the
// ops between them run on the calling thread). MiniLM at [1, 16], forwards 50 ms apart (1st, 2nd,
// 3rd after the pause, ms): 4.2 / 3.9 / 3.6 polling 100 µs, 2.9 / 2.4 / 2.3 polling 1 ms. The
// price: up to 1 ms of a core after a burst of loops, as ONNX Runtime's spinning pool threads.
constexpr auto kPoll = std::chrono::milliseconds(1);
// Pauses between the calling thread's checks before it yields its core: a helper that claimed a
// chunk and was then descheduled needs the core back to finish it.
constexpr int kSpinsBeforeYield = 2000;
// Back-off: loops that show the machine's cores busy with other work (the helpers, polling,
// did not make the loop faster; or a helper, woken, began a chunk and then kept the calling
// thread waiting: descheduled mid-chunk) make the following loops run on their calling threads
// alone for a while, then helpers are tried again (measured at load 7 on 2 cores: a 30 µs
// product took 150 µs split, the helper taking the core from the calling thread instead of a
// second one). The while starts at kAloneMin and doubles with every back-off up to kAloneMax,
// back to kAloneMin after a loop that gained. Why not a fixed 50 ms: on a quiet 2-core VM a
// polling helper was still held off its CPU for 50-500 µs now and then (the JVM's own threads,
// the hypervisor), and 50 ms alone after each such pair left the README module at 16 × 16 on
// one thread for most of a 30-run timing (31,000 loops alone against 11,000 split).
constexpr auto kAloneMin = std::chrono::milliseconds(1);
constexpr auto kAloneMax = std::chrono::milliseconds(50);
// Loops in a row that must show it: one such loop is no sign (on a quiet 2-core VM about one split
// loop in 200 had its helper held back by the hypervisor or an interrupt).
constexpr int kStrikes = 2;

// The chunk counter of a closed loop: above any chunk count.
constexpr uint64_t kClosed = UINT32_MAX;

// This thread's number in the loops it helps: 0 on a calling thread, index + 1 on helper index.
thread_local int t_worker = 0;

struct Team {
    std::mutex loop;               // held by the calling thread of the current loop
    std::atomic<uint64_t> state{0}; // loop generation << 32 | next unclaimed chunk
    // The current loop, written before its generation is published in `state`.
    std::atomic<void (*)(void *, int64_t)> body{nullptr};
    std::atomic<void *> arg{nullptr};
    std::atomic<int64_t> chunks{0};
    std::atomic<int64_t> done{0};  // chunks finished
    std::atomic<int> wanted{0};    // helpers the current loop may use
    std::atomic<int> caller_cpu{-1}; // the CPU the last loop's calling thread ran on
    // Why pthread's and not std::condition_variable: with GCC 12's headers its wait() binds to
    // a GLIBCXX_3.4.30 symbol, above the platform floor (GCC 11's libstdc++, README).
    pthread_mutex_t wake = PTHREAD_MUTEX_INITIALIZER; // guards posted and sleepers
    pthread_cond_t posted_cv = PTHREAD_COND_INITIALIZER;
    uint64_t posted = 0;           // generation of the last loop posted
    int sleepers = 0;
    std::atomic<int> helpers{0};   // started so far
    uint32_t generation = 0;       // guarded by `loop`
    std::chrono::steady_clock::duration alone_for = kAloneMin; // the next back-off; guarded by `loop`
    int strikes = 0;               // loops in a row that showed busy cores; guarded by `loop`
    std::atomic<int64_t> alone_until{0}; // steady_clock ticks before which loops run alone
};

Team &team() {
    static Team *t = new Team; // never freed: detached helpers may outlive static destruction
    return *t;
}

// Claims and runs chunks of loop `gen` until none is left or another loop has begun; returns
// how many it ran.
int64_t claim(Team &t, uint32_t gen) {
    for (int64_t ran = 0;; ++ran) {
        uint64_t s = t.state.load(std::memory_order_acquire);
        if ((uint32_t)(s >> 32) != gen) return ran;
        const int64_t c = (int64_t)(uint32_t)s;
        // Read before the claim; the claim below succeeds only while the state is still s, which
        // proves that these were loop gen's values: run_chunks closes a loop (state → gen, kClosed)
        // before it writes the next one's, and the fence makes a claim that read the next one's
        // see that close.
        void (*body)(void *, int64_t) = t.body.load(std::memory_order_relaxed);
        void *arg = t.arg.load(std::memory_order_relaxed);
        const int64_t chunks = t.chunks.load(std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_acquire);
        if (c >= chunks) return ran;
        if (!t.state.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel)) {
            --ran;
            continue;
        }
        body(arg, c);
        t.done.fetch_add(1, std::memory_order_release);
    }
}

// Moves the calling thread off `cpu` to another CPU it may run on; false where there is none.
// Why: a helper woken by a futex often wakes on its waker's CPU (25-40 % of MiniLM's split loops
// at [1, 16] on a 2-core VM), where it can only take turns with the thread it should run beside,
// and the load balancer took milliseconds to part them. Narrowing the thread's affinity migrates
// it at once; the old affinity is then restored, which leaves the thread where it now runs.
bool move_off(int cpu) {
    cpu_set_t allowed;
    const pthread_t self = pthread_self();
    if (cpu < 0 || cpu >= CPU_SETSIZE || pthread_getaffinity_np(self, sizeof allowed, &allowed) != 0 ||
        !CPU_ISSET(cpu, &allowed) || CPU_COUNT(&allowed) < 2)
        return false;
    cpu_set_t others = allowed;
    CPU_CLR(cpu, &others);
    if (pthread_setaffinity_np(self, sizeof others, &others) != 0) return false;
    pthread_setaffinity_np(self, sizeof allowed, &allowed);
    return true;
}

void helper(int index) {
    t_worker = index + 1;
    Team &t = team();
    uint64_t seen = 0;
    for (;;) {
        // poll for a new loop, then sleep until one is posted
        const auto until = std::chrono::steady_clock::now() + kPoll;
        uint64_t s = t.state.load(std::memory_order_acquire);
        while ((s >> 32) == seen && std::chrono::steady_clock::now() < until) {
            const int cpu = sched_getcpu();
            if (cpu == t.caller_cpu.load(std::memory_order_relaxed)) {
                if (!move_off(cpu)) std::this_thread::yield();
            } else
                for (int k = 0; k < 64; ++k) _mm_pause();
            s = t.state.load(std::memory_order_acquire);
        }
        if ((s >> 32) == seen) {
            pthread_mutex_lock(&t.wake);
            ++t.sleepers;
            while (t.posted == seen) pthread_cond_wait(&t.posted_cv, &t.wake);
            --t.sleepers;
            pthread_mutex_unlock(&t.wake);
            s = t.state.load(std::memory_order_acquire);
        }
        seen = s >> 32;
        if (index < t.wanted.load(std::memory_order_relaxed)) claim(t, (uint32_t)seen);
    }
}

} // namespace

int chunk_worker() { return t_worker; }

void run_chunks(int64_t chunks, int threads, void (*body)(void *, int64_t), void *arg) {
    using clock = std::chrono::steady_clock;
    Team &t = team();
    const int want = threads - 1 < kMaxHelpers ? threads - 1 : kMaxHelpers;
    const clock::time_point start = clock::now();
    std::unique_lock<std::mutex> loop(t.loop, std::defer_lock);
    if (chunks <= 1 || want <= 0 || chunks >= (int64_t)kClosed ||
        start.time_since_epoch().count() < t.alone_until.load(std::memory_order_relaxed) ||
        !loop.try_lock()) {
        for (int64_t c = 0; c < chunks; ++c) body(arg, c);
        return;
    }
    for (int h = t.helpers.load(); h < want; h = t.helpers.load())
        if (t.helpers.compare_exchange_weak(h, h + 1)) std::thread(helper, h).detach();
    // Close the last loop: a helper that read its state and then reads the parameters below can
    // no longer claim with that state (claim).
    t.state.store(t.state.load(std::memory_order_relaxed) | kClosed,
                  std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    t.body.store(body, std::memory_order_relaxed);
    t.arg.store(arg, std::memory_order_relaxed);
    t.chunks.store(chunks, std::memory_order_relaxed);
    t.done.store(0, std::memory_order_relaxed);
    t.wanted.store(want, std::memory_order_relaxed);
    t.caller_cpu.store(sched_getcpu(), std::memory_order_relaxed);
    const uint32_t gen = ++t.generation == 0 ? ++t.generation : t.generation; // 0: no loop yet
    t.state.store((uint64_t)gen << 32, std::memory_order_release);
    pthread_mutex_lock(&t.wake);
    t.posted = gen;
    const bool woken = t.sleepers > 0;
    if (woken) pthread_cond_broadcast(&t.posted_cv);
    pthread_mutex_unlock(&t.wake);
    const int64_t own = claim(t, gen);
    // Every chunk is claimed: wait for those a helper is still running.
    const clock::time_point claimed = clock::now();
    for (int spins = 0; t.done.load(std::memory_order_acquire) < chunks; ++spins) {
        if (spins < kSpinsBeforeYield)
            _mm_pause();
        else
            std::this_thread::yield();
    }
    const clock::time_point end = clock::now();
    // Polling helpers should have made the loop faster than its calling thread alone, ≈
    // (claimed − start) · chunks / own, by more than a tenth; woken ones can join late, but a
    // chunk they began must not keep the calling thread waiting a quarter of the loop.
    const int64_t helped = chunks - own;
    const bool no_gain = helped == 0 || (end - start) * own * 10 > (claimed - start) * chunks * 9;
    const bool held_up = (end - claimed) * 4 > end - start;
    if (woken ? held_up : no_gain) {
        ++t.strikes;
    } else if (!woken) {
        t.strikes = 0;
        t.alone_for = kAloneMin;
    }
    if (t.strikes >= kStrikes) {
        t.strikes = 0;
        t.alone_until.store((end + t.alone_for).time_since_epoch().count(), std::memory_order_relaxed);
        t.alone_for = std::min<std::chrono::steady_clock::duration>(t.alone_for * 2, kAloneMax);
    }
}

} // namespace attn4j
