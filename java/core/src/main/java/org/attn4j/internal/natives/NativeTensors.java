package org.attn4j.internal.natives;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.attn4j.Tensor;
import org.attn4j.bindings.attn4j_tensor;

/**
 * Per-thread scratch for downcall arguments: {@value #SLOTS} attn4j_tensor descriptors (the most
 * one call takes, attn4j_bca_fused) and one 8-byte out-parameter. Filling a descriptor writes a
 * tensor's address, dtype, rank, shape and strides into its slot: a call allocates nothing.
 *
 * <p>Why global-scope views: the memory comes from an automatic arena, owned by this object and
 * freed by the GC after its thread ends (the ThreadLocal keeps it reachable until then). The
 * slots handed to the linker are views of it without a scope, so passing them costs no scope
 * acquire/release per argument; the data they point at is checked alive before each call.
 */
public final class NativeTensors {
    public static final int SLOTS = 11;
    private static final long DESCRIPTOR_BYTES = attn4j_tensor.sizeof(); // 144
    /**
     * Byte offsets of shape[0] and strides[0] in a descriptor. Why not the generated indexed
     * accessors (attn4j_tensor.shape(struct, k, v)): in the jextract that makes the bindings they
     * pass base offset 0 to a handle of the array alone, so they write over data/dtype/ndim.
     */
    private static final long SHAPE = attn4j_tensor.shape$offset();
    private static final long STRIDES = attn4j_tensor.strides$offset();
    private static final ThreadLocal<NativeTensors> PER_THREAD = ThreadLocal.withInitial(NativeTensors::new);

    @SuppressWarnings("unused") // held only to keep the memory alive as long as this object
    private final MemorySegment owner;
    private final MemorySegment[] slots = new MemorySegment[SLOTS];
    private final MemorySegment out;

    @SuppressWarnings("restricted") // the global-scope view of the owned block
    private NativeTensors() {
        owner = Arena.ofAuto().allocate(DESCRIPTOR_BYTES * SLOTS + 8, 64);
        MemorySegment view = MemorySegment.ofAddress(owner.address()).reinterpret(owner.byteSize());
        for (int k = 0; k < SLOTS; k++) {
            slots[k] = view.asSlice(k * DESCRIPTOR_BYTES, DESCRIPTOR_BYTES);
        }
        out = view.asSlice(DESCRIPTOR_BYTES * SLOTS, 8);
    }

    /** The calling thread's scratch. */
    public static NativeTensors forThread() {
        return PER_THREAD.get();
    }

    /**
     * Descriptor slot {@code slot} filled from {@code t}, or NULL for an absent optional tensor.
     * The tensor must be off-heap (the native side gets a raw address).
     */
    public MemorySegment describe(int slot, Tensor t, String name) {
        if (t == null) {
            return MemorySegment.NULL;
        }
        MemorySegment data = t.segment();
        if (!data.isNative()) {
            throw heap(name);
        }
        MemorySegment d = slots[slot];
        attn4j_tensor.data(d, data);
        attn4j_tensor.dtype(d, t.dtype().nativeCode());
        int rank = t.rank();
        attn4j_tensor.ndim(d, rank);
        for (int k = 0; k < rank; k++) {
            dim(d, k, t.shape(k), t.stride(k));
        }
        return d;
    }

    /** Writes shape[k] and strides[k] of descriptor {@code d}. */
    private static void dim(MemorySegment d, int k, long size, long stride) {
        d.set(JAVA_LONG, SHAPE + 8L * k, size);
        d.set(JAVA_LONG, STRIDES + 8L * k, stride);
    }

    /**
     * As {@link #describe}, with leading dims of size 1 (stride 0) added up to {@code rank}: the
     * ABI takes broadcast inputs such as rel_pos_bias at full rank, and padding the descriptor
     * costs nothing where a padded view would allocate.
     */
    public MemorySegment describePadded(int slot, Tensor t, String name, int rank) {
        if (t == null) {
            return MemorySegment.NULL;
        }
        MemorySegment d = describe(slot, t, name);
        int lead = rank - t.rank();
        if (lead > 0) {
            for (int k = t.rank() - 1; k >= 0; k--) { // shift right, last dim first
                dim(d, k + lead, t.shape(k), t.stride(k));
            }
            for (int k = 0; k < lead; k++) {
                dim(d, k, 1, 0);
            }
            attn4j_tensor.ndim(d, rank);
        }
        return d;
    }

    /** The 8-byte out-parameter slot (a pointer or an int32 written by the callee). */
    public MemorySegment out() {
        return out;
    }

    private static IllegalArgumentException heap(String name) {
        return new IllegalArgumentException(name + ": expected an off-heap (native) segment for the native backend,"
                + " got a heap segment (allocate it from an Arena)");
    }
}
