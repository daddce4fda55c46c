// Large blocks kept after they are freed, for the next call of the same shapes to reuse.
// Why: glibc hands blocks above its mmap threshold (at most 32 MiB) back to the kernel on free
// and trims its heap when the free top passes twice that, so a large call (a context of
// 8192 tokens: ≈ 60 MB of scratch) mapped its memory afresh on every forward and paid a page
// fault for each 4 KiB it touched: 1 × 8192 took 95–136 ms a forward, 36–41 ms with the
// memory kept (./attn4j bench --size 1x8192, glibc told to keep it).
#pragma once

#include <cstddef>

namespace attn4j {

// 64-byte aligned, uninitialised; nullptr when out of memory. Blocks of kCachedBytes and more
// may come from the idle ones (a fit within a quarter of their size).
void *cached_alloc(size_t bytes);

// Frees what cached_alloc gave (nullptr: nothing). A large block is kept idle while the idle
// ones stay within kIdleLimit (the largest idle blocks go first to make room).
void cached_free(void *p);

constexpr size_t kCachedBytes = size_t(1) << 20;
constexpr size_t kIdleLimit = size_t(256) << 20;

} // namespace attn4j
