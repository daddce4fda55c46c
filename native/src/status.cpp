// Status names and the per-thread last error message of the C ABI.
#include "common.h"
#include "error.h"

extern "C" {

ATTN4J_API const char *attn4j_status_string(attn4j_status status) {
    switch (status) {
    case ATTN4J_OK:
        return "ATTN4J_OK";
    case ATTN4J_ERR_NULL_ARGUMENT:
        return "ATTN4J_ERR_NULL_ARGUMENT";
    case ATTN4J_ERR_INVALID_ARG:
        return "ATTN4J_ERR_INVALID_ARG";
    case ATTN4J_ERR_SHAPE_MISMATCH:
        return "ATTN4J_ERR_SHAPE_MISMATCH";
    case ATTN4J_ERR_DTYPE:
        return "ATTN4J_ERR_DTYPE";
    case ATTN4J_ERR_OVERFLOW:
        return "ATTN4J_ERR_OVERFLOW";
    case ATTN4J_ERR_OUT_OF_MEMORY:
        return "ATTN4J_ERR_OUT_OF_MEMORY";
    case ATTN4J_ERR_BACKEND:
        return "ATTN4J_ERR_BACKEND";
    case ATTN4J_ERR_INTERNAL:
        return "ATTN4J_ERR_INTERNAL";
    default:
        return "ATTN4J_ERR_UNKNOWN";
    }
}

// Why no guarded()/clear_error() here: reading the message must not erase it.
ATTN4J_API const char *attn4j_last_error(void) { return attn4j::last_error_message(); }

} // extern "C"
