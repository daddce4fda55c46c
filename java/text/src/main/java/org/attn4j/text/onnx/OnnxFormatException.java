package org.attn4j.text.onnx;

/** An ONNX file that is malformed, or whose graph this reader does not understand; the message says where. */
public final class OnnxFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public OnnxFormatException(String message) {
        super(message);
    }
}
