package org.attn4j;

/**
 * Element types of a {@link Tensor}. Compute is float32; F16 and BF16 are storage formats that
 * convert on the way in and out; BOOL (one byte, 0 = false) carries masks; F64 carries
 * reference outputs.
 */
public enum DType {
    F32(4, 0),
    F16(2, 1),
    BF16(2, 2),
    BOOL(1, 3),
    F64(8, 4);

    private final int byteSize;
    private final int nativeCode;

    DType(int byteSize, int nativeCode) {
        this.byteSize = byteSize;
        this.nativeCode = nativeCode;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The dtype's name in a safetensors header ("F32", "BF16", "BOOL", ...): its constant's name. */
    public String safetensorsName() {
        return name();
    }

    /** The ATTN4J_DTYPE_* code of native/include/attn4j.h. */
    public int nativeCode() {
        return nativeCode;
    }

    /** True for the types that hold real numbers (everything but BOOL). */
    public boolean isFloatingPoint() {
        return this != BOOL;
    }

    /** The dtype a safetensors header names, or throws IllegalArgumentException naming it. */
    public static DType fromSafetensorsName(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unsupported dtype: expected one of F32, F16, BF16, BOOL, F64, got " + name);
    }
}
