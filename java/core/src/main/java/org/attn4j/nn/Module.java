package org.attn4j.nn;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.io.SafeTensors;

/**
 * A module that owns its weights: they live in (or are mapped into) a shared arena that
 * {@link #close()} releases. Immutable after construction, so any number of threads may call
 * forward at once. Closing twice, or calling forward after close, throws IllegalStateException.
 *
 * <p>Why an in-flight count: the native kernels get the weights as raw addresses, which keep no
 * arena acquired, so freeing the weights while another thread is inside forward would be a
 * use-after-free (a JVM crash for memory-mapped weights). A close that races running forwards
 * therefore only marks the module closed (new forwards throw IllegalStateException) and the
 * last running forward releases the weights when it returns.
 */
public abstract class Module implements AutoCloseable {
    /** The backend every forward runs on. */
    protected final Backend backend;
    private final Arena weights; // shared: forwards may come from any thread
    private static final long CLOSED = 1L << 62;
    private final AtomicLong state = new AtomicLong(); // running forwards, plus CLOSED once closed

    protected Module(Backend backend, Arena weights) {
        if (backend == null) {
            throw new IllegalArgumentException("backend must not be null");
        }
        this.backend = backend;
        this.weights = weights;
    }

    /** The backend this module computes on. */
    public Backend backend() {
        return backend;
    }

    /** The parameters under their PyTorch state-dict names, in the reference's order. */
    public abstract Map<String, Tensor> stateDict();

    /** Constructor arguments as the reference's safetensors {@code __metadata__} holds them, "class" included. */
    public abstract Map<String, String> metadata();

    /** Writes the state dict and metadata to a safetensors file the reference (and {@code load}) reads. */
    public void save(Path file) throws IOException {
        enter();
        try {
            SafeTensors.write(file, stateDict(), metadata());
        } finally {
            exit();
        }
    }

    /** Throws IllegalStateException when closed. */
    protected final void checkOpen() {
        if ((state.get() & CLOSED) != 0) {
            throw new IllegalStateException(getClass().getSimpleName() + " is closed");
        }
    }

    /**
     * Marks a forward (or anything else that reads the weights) as running: the weights stay
     * allocated until the matching {@link #exit()}. Throws IllegalStateException when closed.
     */
    protected final void enter() {
        for (;;) {
            long s = state.get();
            if ((s & CLOSED) != 0) {
                throw new IllegalStateException(getClass().getSimpleName() + " is closed");
            }
            if (state.compareAndSet(s, s + 1)) {
                return;
            }
        }
    }

    /** Ends what {@link #enter()} began; the last one out after a close releases the weights. */
    protected final void exit() {
        if (state.decrementAndGet() == CLOSED) {
            weights.close();
        }
    }

    /**
     * Releases the weights, at once or, while other threads are inside forward, when the last
     * of them returns. A second close throws IllegalStateException.
     */
    @Override
    public void close() {
        for (;;) {
            long s = state.get();
            if ((s & CLOSED) != 0) {
                throw new IllegalStateException(getClass().getSimpleName() + " is already closed");
            }
            if (state.compareAndSet(s, s | CLOSED)) {
                if (s == 0) {
                    weights.close();
                }
                return;
            }
        }
    }

    static Map<String, Tensor> ordered() {
        return new LinkedHashMap<>();
    }
}
