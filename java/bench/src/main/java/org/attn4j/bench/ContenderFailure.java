package org.attn4j.bench;

/** A contender could not produce a result; {@code status} ("FAILED" or "error") goes in its row. */
final class ContenderFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final String status;

    ContenderFailure(String status, String message) {
        super(message);
        this.status = status;
    }

    String status() {
        return status;
    }
}
