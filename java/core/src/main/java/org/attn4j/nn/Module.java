package org.attn4j.nn;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.io.SafeTensors;

/**
 * A module that owns its weights: they live in (or are mapped into) a shared arena that
 * {@link #close()} releases. Immutable after construction, so any number of threads may call
 * forward at once. Closing twice, or calling forward after close, throws IllegalStateException.
 */
public abstract class Module implements AutoCloseable {
    /** The backend every forward runs on. */
    protected final Backend backend;
    private final Arena weights; // shared: forwards may come from any thread

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
        checkOpen();
        SafeTensors.write(file, stateDict(), metadata());
    }

    /** Throws IllegalStateException when closed. */
    protected final void checkOpen() {
        if (!weights.scope().isAlive()) {
            throw new IllegalStateException(getClass().getSimpleName() + " is closed");
        }
    }

    /** Releases the weights. A second close throws IllegalStateException. */
    @Override
    public void close() {
        if (!weights.scope().isAlive()) {
            throw new IllegalStateException(getClass().getSimpleName() + " is already closed");
        }
        weights.close();
    }

    static Map<String, Tensor> ordered() {
        return new LinkedHashMap<>();
    }
}
