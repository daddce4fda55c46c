// Context lifecycle (create, destroy, thread count) and the primitive cache behind it.
#include "context.h"

#include "common.h"

#include <new>

namespace attn4j {

namespace {
// Distinct shapes a context remembers. Why 512: a transformer stack uses a few dozen shapes;
// the bound only stops a caller who varies shapes forever from growing memory without end.
constexpr size_t kCacheCapacity = 512;
constexpr int32_t kMaxThreads = 4096;
} // namespace

size_t PrimitiveKeyHash::operator()(const PrimitiveKey &key) const noexcept {
    uint64_t h = 1469598103934665603ull; // FNV-1a over the 64-bit words
    for (int64_t v : key) {
        h ^= static_cast<uint64_t>(v);
        h *= 1099511628211ull;
        h ^= h >> 29;
    }
    return static_cast<size_t>(h);
}

bool PrimitiveCache::lookup(const PrimitiveKey &key, CachedPrimitive *out) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = index_.find(key);
    if (it == index_.end()) return false;
    lru_.splice(lru_.begin(), lru_, it->second);
    *out = it->second->second;
    ++hits_;
    return true;
}

void PrimitiveCache::insert(const PrimitiveKey &key, const CachedPrimitive &entry) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (index_.count(key) != 0) return;
    lru_.emplace_front(key, entry);
    index_.emplace(key, lru_.begin());
    while (lru_.size() > capacity_) {
        index_.erase(lru_.back().first);
        lru_.pop_back();
    }
}

size_t PrimitiveCache::size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return lru_.size();
}

uint64_t PrimitiveCache::hits() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return hits_;
}

} // namespace attn4j

using namespace attn4j;

extern "C" {

ATTN4J_API attn4j_status attn4j_context_create(int32_t threads, attn4j_context **out) {
    return guarded([&] {
        if (attn4j_status s = check_out_pointer(out)) return s;
        if (threads < 0 || threads > kMaxThreads)
            return fail(ATTN4J_ERR_INVALID_ARG, "threads: expected 0..%d, got %d", kMaxThreads,
                        threads);
        // 0 = what OpenMP would use (OMP_NUM_THREADS, else the cores), as attn4j_get_info says.
        int32_t resolved = threads == 0 ? omp_get_max_threads() : threads;
        if (resolved < 1) resolved = 1;
        *out = new attn4j_context(resolved, kCacheCapacity);
        return ATTN4J_OK;
    });
}

ATTN4J_API attn4j_status attn4j_context_destroy(attn4j_context *ctx) {
    return guarded([&] {
        int32_t threads;
        if (attn4j_status s = check_context(ctx, &threads)) return s;
        ctx->magic = 0;
        delete ctx;
        return ATTN4J_OK;
    });
}

ATTN4J_API attn4j_status attn4j_context_threads(const attn4j_context *ctx, int32_t *out) {
    return guarded([&] {
        if (out == nullptr)
            return fail(ATTN4J_ERR_NULL_ARGUMENT, "out: expected a pointer, got NULL");
        return check_context(ctx, out);
    });
}

} // extern "C"
