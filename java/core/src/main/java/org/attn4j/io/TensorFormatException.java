package org.attn4j.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A tensor file (.npy or safetensors) that breaks its format or holds what attn4j cannot map:
 * the message starts with the file and names the field at fault. Catch this type to handle
 * both formats alike; {@link NpyFormatException} and {@link SafeTensorsFormatException} say
 * which one it was.
 */
public abstract sealed class TensorFormatException extends IOException
        permits NpyFormatException, SafeTensorsFormatException {
    private static final long serialVersionUID = 1L;

    private final transient Path path;

    TensorFormatException(Path path, String detail) {
        super(path + ": " + detail);
        this.path = path;
    }

    /** The file that was being read. */
    public Path path() {
        return path;
    }
}
