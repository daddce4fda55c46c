package org.attn4j.io;

import java.nio.file.Path;

/**
 * A safetensors file that breaks the format: the message starts with the file and names the
 * tensor or header field at fault, e.g. {@code "m.safetensors: tensor 'w': data_offsets
 * [0, 96] hold 96 bytes, expected 128 for F32[4, 8]"}.
 */
public final class SafeTensorsFormatException extends TensorFormatException {
    private static final long serialVersionUID = 1L;

    SafeTensorsFormatException(Path path, String detail) {
        super(path, detail);
    }
}
