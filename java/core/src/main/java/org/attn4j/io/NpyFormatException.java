package org.attn4j.io;

import java.nio.file.Path;

/**
 * A .npy file that breaks the format or holds what attn4j cannot map: the message starts
 * with the file and names the header field at fault, e.g. {@code "a.npy: descr '<i8'
 * (int64) is not supported: expected one of '<f4', '<f2', '<f8', '|b1'"}.
 */
public final class NpyFormatException extends TensorFormatException {
    private static final long serialVersionUID = 1L;

    NpyFormatException(Path path, String detail) {
        super(path, detail);
    }
}
