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
        int rows = Math.toIntExact(shape[0]);
        int cols = Math.toIntExact(shape[1]);
        // stored [cols, rows]: logical (r, c) is stored at c · rows + r; transposed on the heap
        // with bulk copies in and out (an element-wise segment walk is far slower)
        float[] stored = new float[Math.multiplyExact(rows, cols)];
        MemorySegment.copy(data, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, stored, 0, stored.length);
        float[] logical = new float[stored.length];
        for (int c = 0; c < cols; c++) {
            for (int r = 0; r < rows; r++) {
                logical[r * cols + c] = stored[c * rows + r];
            }
        }
        MemorySegment.copy(logical, 0, dst, ValueLayout.JAVA_FLOAT_UNALIGNED, offset, logical.length);
    }

    @Override
    public String toString() {
        return source + Arrays.toString(shape);
    }
}
