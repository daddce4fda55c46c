// The calling thread's last error message, read by attn4j_last_error (status.cpp) and written
// by fail() (common.cpp).
#pragma once

namespace attn4j {

// Message of the last failure on this thread ("" after clear_error()). Never NULL.
const char *last_error_message();

} // namespace attn4j
