package org.attn4j.spark;

/**
 * A row the applier cannot compute (null input, wrong width, mask of another length, ...). With
 * {@code handleInvalid = "error"} it fails the task as an IllegalArgumentException whose message
 * names the row; with {@code "keep"} the row's outputs are null.
 */
final class BadRowException extends Exception {
    private static final long serialVersionUID = 1L;

    BadRowException(String message) {
        super(message, null, false, false); // no stack trace: it is an expected, per-row outcome
    }
}
