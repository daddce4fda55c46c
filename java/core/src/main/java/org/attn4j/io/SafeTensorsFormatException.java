package org.attn4j.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A safetensors file that breaks the format: the message starts with the file and names the
 * tensor or header field at fault, e.g. {@code "m.safetensors: tensor 'w': data_offsets
 * [0, 96] hold 96 bytes, expected 128 for F32[4, 8]"}.
 */
public final class SafeTensorsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path path;

    SafeTensorsFormatException(Path path, String detail) {
        super(path + ": " + detail);
        this.path = path;
    }

    SafeTensorsFormatException(Path path, String detail, Throwable cause) {
        super(path + ": " + detail, cause);
        this.path = path;
    }

    /** The file that was being read. */
    public Path path() {
        return path;
    }
}
