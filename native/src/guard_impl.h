// The exception guard of common.h: no C++ exception ever crosses the C ABI.
#pragma once

#include <new>
#include <oneapi/dnnl/dnnl.hpp>

namespace attn4j {

template <class Body> attn4j_status guarded(Body &&body) noexcept {
    clear_error();
    try {
        return body();
    } catch (const std::bad_alloc &) {
        return fail(ATTN4J_ERR_OUT_OF_MEMORY, "out of memory");
    } catch (const dnnl::error &e) {
        return fail(ATTN4J_ERR_BACKEND, "oneDNN: %s (status %d)", e.what(), (int)e.status);
    } catch (const std::exception &e) {
        return fail(ATTN4J_ERR_INTERNAL, "internal error: %s", e.what());
    } catch (...) {
        return fail(ATTN4J_ERR_INTERNAL, "internal error: unknown exception");
    }
}

} // namespace attn4j
