package org.attn4j;

/**
 * A native call returned a non-zero attn4j_status. The message carries the function, the status
 * name and the library's own message (attn4j_last_error() of the calling thread). Java checks
 * every argument before a downcall, so this signals a native-side failure (oneDNN, an internal
 * error) or a check the Java side lacks: please report it.
 */
public class Attn4jNativeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String statusName;
    private final String function;

    public Attn4jNativeException(String function, int status, String statusName, String nativeMessage) {
        super(function + " failed with " + statusName + " (" + status + "): "
                + (nativeMessage.isEmpty() ? "(no message)" : nativeMessage));
        this.function = function;
        this.status = status;
        this.statusName = statusName;
    }

    /** The ATTN4J_ERR_* code. */
    public int status() {
        return status;
    }

    /** "ATTN4J_ERR_BACKEND", ... */
    public String statusName() {
        return statusName;
    }

    /** The C function that failed ("attn4j_linear", ...). */
    public String function() {
        return function;
    }
}
