// Scratch memory owned by one call: 64-byte aligned, not zeroed, freed on every exit path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <utility>

namespace attn4j {

class Buffer {
  public:
    Buffer() = default;
    // Throws std::bad_alloc (turned into ATTN4J_ERR_OUT_OF_MEMORY by guarded()) on failure.
    explicit Buffer(size_t bytes) {
        size_t rounded = (bytes + 63) / 64 * 64;
        if (rounded < bytes) throw std::bad_alloc();
        if (rounded == 0) return;
        data_ = std::aligned_alloc(64, rounded);
        if (data_ == nullptr) throw std::bad_alloc();
    }
    ~Buffer() { std::free(data_); }
    Buffer(const Buffer &) = delete;
    Buffer &operator=(const Buffer &) = delete;
    Buffer(Buffer &&other) noexcept : data_(other.data_) { other.data_ = nullptr; }
    Buffer &operator=(Buffer &&other) noexcept {
        std::swap(data_, other.data_);
        return *this;
    }

    void *get() const { return data_; }
    float *floats() const { return static_cast<float *>(data_); }

  private:
    void *data_ = nullptr;
};

// count · elem_size in bytes, throwing std::bad_alloc when it cannot be a size_t.
inline size_t bytes_for(int64_t count, int64_t elem_size) {
    int64_t bytes;
    if (count < 0 || __builtin_mul_overflow(count, elem_size, &bytes)) throw std::bad_alloc();
    return (size_t)bytes;
}

} // namespace attn4j
