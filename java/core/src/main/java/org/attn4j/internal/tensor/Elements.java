package org.attn4j.internal.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.attn4j.Tensor;

/**
 * One element of a tensor read or written by element offset, converting between its dtype and
 * double: what {@link Tensor#getFloat}, dtype conversion and the reference backend's loops share.
 * Safetensors and .npy data are little-endian at any byte offset, hence the unaligned layouts.
 */
public final class Elements {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Elements() {
    }

    /** The element at element offset {@code off} (from element [0, ..., 0]), widened to double. */
    public static double get(Tensor t, long off) {
        MemorySegment segment = t.segment();
        long b = off * t.dtype().byteSize();
        return switch (t.dtype()) {
            case F32 -> segment.get(F32, b);
            case F64 -> segment.get(F64, b);
            case F16 -> Float.float16ToFloat(segment.get(I16, b));
            case BF16 -> Float.intBitsToFloat((segment.get(I16, b) & 0xffff) << 16);
            case BOOL -> segment.get(ValueLayout.JAVA_BYTE, b) != 0 ? 1.0 : 0.0;
        };
    }

    /** Writes {@code value}, converted to the tensor's dtype, at element offset {@code off}. */
    public static void set(Tensor t, long off, double value) {
        MemorySegment segment = t.segment();
        long b = off * t.dtype().byteSize();
        switch (t.dtype()) {
            case F32 -> segment.set(F32, b, (float) value);
            case F64 -> segment.set(F64, b, value);
            case F16 -> segment.set(I16, b, Float.floatToFloat16((float) value));
            case BF16 -> segment.set(I16, b, toBFloat16((float) value));
            case BOOL -> segment.set(ValueLayout.JAVA_BYTE, b, (byte) (value != 0 ? 1 : 0));
        }
    }

    /** float → bfloat16 with round-to-nearest-even; NaN stays NaN. */
    public static short toBFloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
