package org.attn4j.text;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * One parameter as a file holds it: little-endian F32 data (any alignment: ONNX raw_data and
 * safetensors offsets need not be 4-byte aligned), its logical shape ([out, in] for a projection,
 * [n] for a vector) and whether the file stores the matrix transposed ([in, out], as ONNX MatMul
 * initializers are).
 */
record Weight(String source, MemorySegment data, long[] shape, boolean transposed) {

    long numel() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Copies the logical [out, in] (or [n]) row-major values into {@code dst} at {@code offset} bytes. */
    void copyTo(MemorySegment dst, long offset) {
        if (!transposed) {
            MemorySegment.copy(data, 0, dst, offset, numel() * 4);
            return;
        }
        long rows = shape[0];
        long cols = shape[1];
        // stored [cols, rows]: logical (r, c) is stored at c · rows + r
        for (long c = 0; c < cols; c++) {
            for (long r = 0; r < rows; r++) {
                float v = data.get(ValueLayout.JAVA_FLOAT_UNALIGNED, (c * rows + r) * 4);
                dst.set(ValueLayout.JAVA_FLOAT_UNALIGNED, offset + (r * cols + c) * 4, v);
            }
        }
    }

    @Override
    public String toString() {
        return source + Arrays.toString(shape);
    }
}
