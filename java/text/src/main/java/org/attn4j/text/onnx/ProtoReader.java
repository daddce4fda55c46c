package org.attn4j.text.onnx;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A protobuf wire-format reader over one message's bytes (a slice of a memory-mapped file, so
 * large initializers are never copied while parsing). Every length and offset is checked
 * against the message end: a truncated or hostile file gives an {@link OnnxFormatException},
 * never an out-of-bounds access. Groups (wire types 3 and 4) are rejected: ONNX has none.
 */
final class ProtoReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LEN = 2;
    static final int FIXED32 = 5;

    private final MemorySegment data;
    private final String what; // the message kind, for error messages
    private long pos;
    private int tag;

    ProtoReader(MemorySegment data, String what) {
        this.data = data;
        this.what = what;
    }

    /** Advances to the next field; false at the end of the message. */
    boolean next() {
        if (pos >= data.byteSize()) {
            return false;
        }
        long key = varint();
        if (key >>> 32 != 0 || (key >>> 3) == 0) {
            throw error("invalid field key " + key);
        }
        tag = (int) key;
        int wire = wireType();
        if (wire != VARINT && wire != FIXED64 && wire != LEN && wire != FIXED32) {
            throw error("unsupported wire type " + wire + " for field " + field());
        }
        return true;
    }

    int field() {
        return tag >>> 3;
    }

    int wireType() {
        return tag & 7;
    }

    long varint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= data.byteSize()) {
                throw error("truncated varint");
            }
            byte b = data.get(ValueLayout.JAVA_BYTE, pos++);
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw error("varint longer than 10 bytes");
    }

    /** The payload of a length-delimited field, as a slice. */
    MemorySegment bytes() {
        expect(LEN);
        long len = varint();
        if (len < 0 || len > data.byteSize() - pos) {
            throw error("field " + field() + " says " + len + " bytes, but only " + (data.byteSize() - pos) + " remain");
        }
        MemorySegment s = data.asSlice(pos, len);
        pos += len;
        return s;
    }

    String string() {
        MemorySegment s = bytes();
        if (s.byteSize() > Integer.MAX_VALUE - 8) {
            throw error("string field " + field() + " too long");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(s.asByteBuffer()).toString();
        } catch (CharacterCodingException e) {
            throw error("field " + field() + " is not valid UTF-8");
        }
    }

    float fixed32Float() {
        expect(FIXED32);
        if (data.byteSize() - pos < 4) {
            throw error("truncated fixed32");
        }
        float f = data.get(ValueLayout.JAVA_FLOAT_UNALIGNED, pos);
        pos += 4;
        return f;
    }

    /** A varint field's value (int64 / int32 / enum / bool). */
    long int64() {
        expect(VARINT);
        return varint();
    }

    /**
     * Adds the current field's value of a repeated int64 field to {@code into}: all of a packed
     * run (wire type LEN, {@code what} names it in messages) or the one varint.
     */
    void int64s(List<Long> into, String what) {
        if (wireType() == LEN) {
            ProtoReader p = over(bytes(), what);
            while (!p.atEnd()) {
                into.add(p.varint());
            }
        } else {
            into.add(int64());
        }
    }

    /** Skips the current field's value. */
    void skip() {
        switch (wireType()) {
            case VARINT -> varint();
            case FIXED64 -> advance(8);
            case FIXED32 -> advance(4);
            case LEN -> bytes();
            default -> throw error("unsupported wire type " + wireType());
        }
    }

    private void advance(long n) {
        if (data.byteSize() - pos < n) {
            throw error("truncated field " + field());
        }
        pos += n;
    }

    private void expect(int wire) {
        if (wireType() != wire) {
            throw error("field " + field() + ": expected wire type " + wire + ", got " + wireType());
        }
    }

    /** A reader over a packed repeated field's payload (or the caller's slice). */
    static ProtoReader over(MemorySegment payload, String what) {
        return new ProtoReader(payload, what);
    }

    boolean atEnd() {
        return pos >= data.byteSize();
    }

    OnnxFormatException error(String message) {
        return new OnnxFormatException(what + " at byte " + pos + ": " + message);
    }
}
