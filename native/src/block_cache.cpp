// The idle large blocks (block_cache.h): one process-wide cache behind a mutex; the hot path
// of a call takes it a few times, against the page faults of a fresh mapping.
#include "block_cache.h"

#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <map>
#include <mutex>
#include <unordered_map>

namespace attn4j {

namespace {

struct Cache {
    std::mutex mu;
    std::unordered_map<void *, size_t> live; // large blocks handed out → their size
    std::multimap<size_t, void *> idle;      // large blocks freed, by size
    size_t idle_bytes = 0;
};

// Never destroyed: blocks may be freed while the process exits (thread-local scratch).
Cache &cache() {
    static Cache *c = new Cache;
    return *c;
}

size_t round_up(size_t bytes, size_t to) { return bytes == 0 ? to : (bytes + to - 1) / to * to; }

} // namespace

void *cached_alloc(size_t bytes) {
    if (bytes > SIZE_MAX - 4096) return nullptr;
    if (bytes < kCachedBytes) return std::aligned_alloc(64, round_up(bytes, 64));
    const size_t size = round_up(bytes, 4096);
    Cache &c = cache();
    {
        std::lock_guard<std::mutex> lock(c.mu);
        auto it = c.idle.lower_bound(size);
        if (it != c.idle.end() && it->first - size <= size / 4) {
            void *p = it->second;
            c.live.emplace(p, it->first); // may throw: the block is still idle then
            c.idle_bytes -= it->first;
            c.idle.erase(it);
            return p;
        }
    }
    void *p = std::aligned_alloc(64, size);
    if (p == nullptr) return nullptr;
    try {
        std::lock_guard<std::mutex> lock(c.mu);
        c.live.emplace(p, size);
    } catch (...) {
        std::free(p);
        throw;
    }
    return p;
}

void cached_free(void *p) {
    if (p == nullptr) return;
    Cache &c = cache();
    std::lock_guard<std::mutex> lock(c.mu);
    auto it = c.live.find(p);
    if (it == c.live.end()) { // a small block
        std::free(p);
        return;
    }
    const size_t size = it->second;
    c.live.erase(it);
    if (size > kIdleLimit) {
        std::free(p);
        return;
    }
    while (c.idle_bytes + size > kIdleLimit) {
        auto largest = std::prev(c.idle.end());
        std::free(largest->second);
        c.idle_bytes -= largest->first;
        c.idle.erase(largest);
    }
    try {
        c.idle.emplace(size, p);
    } catch (...) { // no memory for the entry: free the block instead of keeping it
        std::free(p);
        return;
    }
    c.idle_bytes += size;
}

} // namespace attn4j
