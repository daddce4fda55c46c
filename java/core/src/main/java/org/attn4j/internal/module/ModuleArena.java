package org.attn4j.internal.module;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.attn4j.Backend;
import org.attn4j.Tensor;

/**
 * The arena of one module's weights, which also keeps the module's protocol: which calls are
 * running (enter/exit), whether the module is closed, and the parameters registered in it under
 * their state-dict names, in registration order (as torch's register_parameter builds a state
 * dict).
 *
 * <p>Why the weights are freed by the last call out: the native kernels get the weights as raw
 * addresses, which keep no arena acquired, so freeing them while another thread is inside a
 * forward would be a use-after-free (a JVM crash for memory-mapped weights). A close that races
 * running calls only marks the module closed; the last running call frees the arena.
 */
public final class ModuleArena implements Arena {
    private static final long CLOSED = 1L << 62;

    private final Arena arena; // shared: forwards come from any thread
    private final Runnable alsoFree; // what the module frees with its weights (its workspaces)
    private final AtomicLong state = new AtomicLong(); // running calls, plus CLOSED once closed
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> view = Collections.unmodifiableMap(parameters);
    private volatile Backend backend; // the module's (computesOn), for the packed copies of linear weights

    /** A new shared arena. */
    public ModuleArena() {
        this(Arena.ofShared());
    }

    /** Over {@code arena}, which this object closes. */
    public ModuleArena(Arena arena) {
        this(arena, () -> { });
    }

    /**
     * Over {@code arena}, which this object closes; {@code alsoFree} runs just before it, at the
     * same moment (on close when idle, else when the last running call exits), so memory a
     * module keeps between calls (e.g. pooled workspaces, handed back inside each call) is freed
     * with its weights and never under a running call.
     */
    public ModuleArena(Arena arena, Runnable alsoFree) {
        if (alsoFree == null) {
            throw new IllegalArgumentException("alsoFree: expected a Runnable, got null");
        }
        this.arena = arena;
        this.alsoFree = alsoFree;
    }

    /** Registers {@code tensor} as parameter {@code name} (a state-dict name) and returns its guarded handle. */
    public Parameter register(String name, Tensor tensor) {
        if (parameters.putIfAbsent(name, tensor) != null) {
            throw new IllegalStateException("parameter " + name + " registered twice");
        }
        return new Parameter(name, tensor, this);
    }

    /** The registered parameters by state-dict name, in registration order (read-only). */
    public Map<String, Tensor> parameters() {
        return view;
    }

    /**
     * The backend the module built on this arena computes on (set by Module's constructor, before
     * the module builds its layers): {@link #packLinear} prepares weights for it.
     */
    public void computesOn(Backend backend) {
        this.backend = backend;
    }

    /**
     * {@code weight}'s copy packed for the module's backend ({@link Backend#packLinearWeight}) in
     * this arena, freed with the weights; null before {@link #computesOn} or for a backend that
     * reads weights as they are.
     */
    Tensor packLinear(Tensor weight) {
        Backend b = backend;
        return b == null ? null : b.packLinearWeight(weight, this);
    }

    /** Marks a call as running; IllegalStateException naming {@code owner} when closed. */
    public void enter(String owner) {
        for (;;) {
            long s = state.get();
            if ((s & CLOSED) != 0) {
                throw new IllegalStateException(owner + " is closed");
            }
            if (state.compareAndSet(s, s + 1)) {
                return;
            }
        }
    }

    /** Ends what {@link #enter} began; the last call out after a close frees the weights. */
    public void exit() {
        if (state.decrementAndGet() == CLOSED) {
            free();
        }
    }

    /** Throws IllegalStateException unless a call is running: parameters are read only inside one. */
    void requireEntered(String parameter) {
        if ((state.get() & ~CLOSED) == 0) {
            throw new IllegalStateException("parameter " + parameter + " read outside a call: a module computes only"
                    + " inside Module.call (or between enter and exit)");
        }
    }

    /**
     * Closes the module: frees the weights now, or, while calls are running, when the last of
     * them exits. A second close throws IllegalStateException naming {@code owner}.
     */
    public void closeWhenIdle(String owner) {
        for (;;) {
            long s = state.get();
            if ((s & CLOSED) != 0) {
                throw new IllegalStateException(owner + " is already closed");
            }
            if (state.compareAndSet(s, s | CLOSED)) {
                if (s == 0) {
                    free();
                }
                return;
            }
        }
    }

    // Runs once: the CLOSED transition with no call running happens exactly once.
    private void free() {
        try {
            alsoFree.run();
        } finally {
            arena.close();
        }
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        return arena.allocate(byteSize, byteAlignment);
    }

    @Override
    public MemorySegment.Scope scope() {
        return arena.scope();
    }

    /** Frees the weights at once: for a module whose construction failed (no call can be running). */
    @Override
    public void close() {
        free();
    }
}
