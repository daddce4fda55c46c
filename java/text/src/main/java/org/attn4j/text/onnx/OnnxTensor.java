package org.attn4j.text.onnx;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * An ONNX TensorProto: name, dims, element type and its little-endian data (a slice of the
 * mapped file for raw_data and packed float_data; a heap copy for int64/int32 varints).
 */
public record OnnxTensor(String name, long[] dims, int dataType, MemorySegment data) {
    public static final int FLOAT = 1;
    public static final int INT32 = 6;
    public static final int INT64 = 7;

    public long numel() {
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** The elements as longs (INT64 or INT32 tensors: shapes, axes, ids). */
    public long[] longs() {
        long n = numel();
        int size = dataType == INT64 ? 8 : dataType == INT32 ? 4 : 0;
        if (size == 0) {
            throw new OnnxFormatException("initializer " + name + ": expected INT64 or INT32, got data type " + dataType);
        }
        if (data.byteSize() != n * size) {
            throw new OnnxFormatException("initializer " + name + ": dims " + Arrays.toString(dims) + " need " + n * size
                    + " bytes, the data has " + data.byteSize());
        }
        long[] out = new long[(int) n];
        for (int k = 0; k < n; k++) {
            out[k] = size == 8 ? data.get(ValueLayout.JAVA_LONG_UNALIGNED, 8L * k) : data.get(ValueLayout.JAVA_INT_UNALIGNED, 4L * k);
        }
        return out;
    }

    /** The elements as floats (FLOAT tensors only). */
    public float[] floats() {
        checkFloat();
        return data.toArray(ValueLayout.JAVA_FLOAT_UNALIGNED);
    }

    /** Throws unless FLOAT with exactly numel · 4 bytes of data. */
    public void checkFloat() {
        if (dataType != FLOAT) {
            throw new OnnxFormatException("initializer " + name + ": expected FLOAT (1), got data type " + dataType);
        }
        if (data.byteSize() != numel() * 4) {
            throw new OnnxFormatException("initializer " + name + ": dims " + Arrays.toString(dims) + " need " + numel() * 4
                    + " bytes, the data has " + data.byteSize());
        }
    }

    @Override
    public String toString() {
        return name + Arrays.toString(dims);
    }
}
