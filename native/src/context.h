// The context behind the opaque attn4j_context handle: its thread count, its oneDNN engine and
// the cache of oneDNN primitives that makes repeated calls skip primitive creation.
#pragma once

#include "attn4j.h"

#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace attn4j {

// Everything a primitive depends on: an op tag, dims, strides, flags, scalars (as bits).
using PrimitiveKey = std::vector<int64_t>;

struct PrimitiveKeyHash {
    size_t operator()(const PrimitiveKey &key) const noexcept;
};

// A primitive ready to run, with the size of the user-managed scratchpad it needs.
struct CachedPrimitive {
    dnnl::primitive primitive;
    size_t scratchpad_bytes = 0;
};

// Thread-safe LRU map from PrimitiveKey to CachedPrimitive. A mutex guards the map only: a
// miss builds its primitive outside the lock (a build takes 10 µs to milliseconds), so one
// thread's build never holds up another thread's hit. Two threads missing the same key at
// once both build; the second insert keeps the first entry (they are interchangeable).
class PrimitiveCache {
  public:
    explicit PrimitiveCache(size_t capacity) : capacity_(capacity) {}

    // The entry for `key`, made by `build()` (returning CachedPrimitive) on a miss.
    template <class Build> CachedPrimitive get(const PrimitiveKey &key, Build &&build) {
        CachedPrimitive entry;
        if (lookup(key, &entry)) return entry;
        entry = build();
        insert(key, entry);
        return entry;
    }

    // Entries held now, and lookups answered from the cache since creation.
    size_t size() const;
    uint64_t hits() const;

  private:
    using Lru = std::list<std::pair<PrimitiveKey, CachedPrimitive>>; // front = most recent

    bool lookup(const PrimitiveKey &key, CachedPrimitive *out);
    void insert(const PrimitiveKey &key, const CachedPrimitive &entry);

    size_t capacity_;
    mutable std::mutex mutex_;
    Lru lru_;
    std::unordered_map<PrimitiveKey, Lru::iterator, PrimitiveKeyHash> index_;
    uint64_t hits_ = 0;
};

// Sets the calling thread's OpenMP thread count for the length of one call and restores it
// after. Why: oneDNN on the OpenMP runtime sizes its parallel regions (and some blocking
// decisions at primitive creation) from omp_get_max_threads() of the calling thread, and the
// caller's own setting (a JVM thread's) must not leak out of, or into, our calls.
class OmpThreads {
  public:
    explicit OmpThreads(int threads) : saved_(omp_get_max_threads()) {
        omp_set_num_threads(threads);
    }
    ~OmpThreads() { omp_set_num_threads(saved_); }
    OmpThreads(const OmpThreads &) = delete;
    OmpThreads &operator=(const OmpThreads &) = delete;

  private:
    int saved_;
};

} // namespace attn4j

struct attn4j_context {
    // Tag checked by check_context; cleared by attn4j_context_destroy.
    static constexpr uint64_t kMagic = 0x6174746e346a6378ull;

    attn4j_context(int32_t threads_, size_t cache_capacity)
        : threads(threads_), engine(dnnl::engine::kind::cpu, 0), cache(cache_capacity) {}

    uint64_t magic = kMagic;
    int32_t threads;     // resolved, ≥ 1
    dnnl::engine engine; // engines are thread-safe; one serves every call on this context
    attn4j::PrimitiveCache cache;
};
