package org.attn4j.spark;

import java.util.List;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads and writes the array columns the applier works on. A sequence is
 * {@code array<array<float>>} (or {@code double}): one inner array per position, each of the
 * model's width; a mask is {@code array<boolean>}, one entry per position, true = a real position.
 * Values arrive as Spark gives them to a Row (Scala Seq), or as Java lists and arrays.
 */
final class ArrayColumns {
    /** The type of every sequence output: array<array<float>>. */
    static final DataType SEQUENCE = DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.FloatType, false), false);

    private ArrayColumns() {
    }

    /** Throws IllegalArgumentException unless {@code column} of {@code schema} is array<array<float|double>>. */
    static void requireSequence(StructType schema, String param, String column) {
        DataType t = field(schema, param, column);
        if (!(t instanceof ArrayType outer && outer.elementType() instanceof ArrayType inner
                && (inner.elementType().equals(DataTypes.FloatType) || inner.elementType().equals(DataTypes.DoubleType)))) {
            throw new IllegalArgumentException(param + " " + column + ": expected array<array<float>> or array<array<double>>, got "
                    + t.simpleString());
        }
    }

    /** Throws IllegalArgumentException unless {@code column} of {@code schema} is array<boolean>. */
    static void requireMask(StructType schema, String param, String column) {
        DataType t = field(schema, param, column);
        if (!(t instanceof ArrayType a && a.elementType().equals(DataTypes.BooleanType))) {
            throw new IllegalArgumentException(param + " " + column + ": expected array<boolean>, got " + t.simpleString());
        }
    }

    private static DataType field(StructType schema, String param, String column) {
        if (!List.of(schema.fieldNames()).contains(column)) {
            throw new IllegalArgumentException(param + ": no column " + column + " in " + schema.simpleString());
        }
        return schema.apply(column).dataType();
    }

    /**
     * A sequence value → its positions row-major, [n · width] (n ≥ 1). {@code name} is what the
     * messages call the value.
     */
    static float[] sequence(Object value, int width, String name) throws BadRowException {
        if (value == null) {
            throw new BadRowException(name + " is null");
        }
        int n = length(value);
        if (n == 0) {
            throw new BadRowException(name + ": expected at least one position, got an empty array");
        }
        if ((long) n * width > Integer.MAX_VALUE - 8) {
            throw new BadRowException(name + ": " + n + " positions of width " + width + " do not fit one Java array");
        }
        float[] out = new float[n * width];
        for (int p = 0; p < n; p++) {
            Object position = element(value, p);
            if (position == null) {
                throw new BadRowException(name + "[" + p + "] is null");
            }
            int w = length(position);
            if (w != width) {
                throw new BadRowException(name + "[" + p + "]: expected " + width + " values (the model's width), got " + w);
            }
            for (int c = 0; c < width; c++) {
                Object v = element(position, c);
                if (!(v instanceof Number num)) {
                    throw new BadRowException(name + "[" + p + "][" + c + "] is " + (v == null ? "null" : "a " + v.getClass().getName()));
                }
                out[p * width + c] = num.floatValue();
            }
        }
        return out;
    }

    /** A mask value → booleans of length {@code n}; null gives null (all positions real). */
    static boolean[] mask(Object value, int n, String name) throws BadRowException {
        if (value == null) {
            return null;
        }
        int len = length(value);
        if (len != n) {
            throw new BadRowException(name + ": expected " + n + " entries (one per position), got " + len);
        }
        boolean[] out = new boolean[n];
        for (int p = 0; p < n; p++) {
            Object v = element(value, p);
            if (!(v instanceof Boolean b)) {
                throw new BadRowException(name + "[" + p + "] is null");
            }
            out[p] = b;
        }
        return out;
    }

    /** [n · width] row-major → the column value: n arrays of width floats. */
    static float[][] toSequence(float[] flat, int n, int width) {
        float[][] out = new float[n][];
        for (int p = 0; p < n; p++) {
            out[p] = java.util.Arrays.copyOfRange(flat, p * width, (p + 1) * width);
        }
        return out;
    }

    /** The length of an array value; BadRowException when the value is not an array. */
    static int length(Object value) throws BadRowException {
        if (value instanceof scala.collection.Seq<?> s) {
            return s.length();
        }
        if (value instanceof List<?> l) {
            return l.size();
        }
        if (value.getClass().isArray()) {
            return java.lang.reflect.Array.getLength(value);
        }
        throw new BadRowException("expected an array, got a " + value.getClass().getName());
    }

    private static Object element(Object value, int k) {
        if (value instanceof scala.collection.Seq<?> s) {
            return s.apply(k);
        }
        if (value instanceof List<?> l) {
            return l.get(k);
        }
        return java.lang.reflect.Array.get(value, k);
    }
}
