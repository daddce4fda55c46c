package org.attn4j.nn;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.module.ModuleArena;
import org.attn4j.internal.module.Scratch;
import org.attn4j.io.SafeTensors;

/**
 * A module that owns its weights: they live in (or are mapped into) a shared arena that
 * {@link #close()} releases. Immutable after construction, so any number of threads may call
 * forward at once. Closing twice, or calling forward after close, throws IllegalStateException.
 *
 * <p>The protocol is kept here, once, as PyTorch's {@code Module.__call__} wraps every
 * {@code forward}: a module's forward runs its computation through {@code call}, which enters
 * (refused once closed), gives the computation a scratch arena, and exits; the last call out
 * after a close frees the weights, so a close racing running forwards never frees memory under a
 * kernel. Parameters are registered under their PyTorch state-dict names as the module is built
 * (that record is {@link #stateDict()}), and they can be read only while a call is running: a
 * module that computes outside the protocol fails with IllegalStateException at once.
 */
public abstract class Module implements AutoCloseable {
    /** The backend every forward runs on. */
    protected final Backend backend;
    private final ModuleArena weights;

    /**
     * A module whose weights live in {@code weights} (a shared arena): close() releases it once
     * no call is running.
     */
    protected Module(Backend backend, Arena weights) {
        this(backend, weights instanceof ModuleArena m ? m : new ModuleArena(weights));
    }

    /**
     * A module whose weights live in {@code weights} (a shared arena) and that keeps other
     * memory between calls (e.g. a pool of workspaces, taken and handed back inside each call):
     * {@code alsoFree} frees that memory with the weights, at close when no call is running, else
     * when the last running call exits, so it is never freed under a running call nor left behind.
     */
    protected Module(Backend backend, Arena weights, Runnable alsoFree) {
        this(backend, new ModuleArena(weights, alsoFree));
    }

    private Module(Backend backend, ModuleArena weights) {
        if (backend == null) {
            throw new IllegalArgumentException("backend must not be null");
        }
        this.backend = backend;
        this.weights = weights;
        this.weights.computesOn(backend); // before the subclass builds its layers: they pack weights for it
    }

    /** The backend this module computes on. */
    public Backend backend() {
        return backend;
    }

    /** The parameters under their PyTorch state-dict names, in the order the module registered them. */
    public Map<String, Tensor> stateDict() {
        return weights.parameters();
    }

    /** Constructor arguments as the reference's safetensors {@code __metadata__} holds them, "class" included. */
    public abstract Map<String, String> metadata();

    /** Writes the state dict and metadata to a safetensors file the reference (and {@link Models#load}) reads. */
    public void save(Path file) throws IOException {
        enter();
        try {
            SafeTensors.write(file, stateDict(), metadata());
        } finally {
            exit();
        }
    }

    /** One computation of a forward, given the call's scratch (freed when the call ends). */
    interface Computation<R> {
        R compute(Scratch scratch);
    }

    /**
     * Runs {@code computation} as one call of this module: enter (IllegalStateException when
     * closed), compute with a fresh scratch, free the scratch, exit.
     */
    final <R> R call(Computation<R> computation) {
        enter();
        try (Scratch scratch = new Scratch(backend)) {
            return computation.compute(scratch);
        } finally {
            exit();
        }
    }

    /**
     * The same protocol for a module outside this package (e.g. org.attn4j.text's BertModel),
     * which keeps its own workspaces instead of a scratch arena: enter (IllegalStateException
     * when closed), compute, exit.
     */
    protected final <R> R call(java.util.function.Supplier<R> computation) {
        enter();
        try {
            return computation.get();
        } finally {
            exit();
        }
    }

    /**
     * Registers {@code tensor} (in this module's weights arena) as parameter {@code name}, a
     * state-dict name: {@link #stateDict()} lists it, in registration order. For modules outside
     * this package; those inside register through their parameter source.
     */
    protected final Tensor register(String name, Tensor tensor) {
        weights.register(name, tensor);
        return tensor;
    }

    /**
     * Marks a call (a forward, or anything else that reads the weights) as running: the weights
     * stay allocated until the matching {@link #exit()}. Throws IllegalStateException when closed.
     * Package-private: every module computes through {@code call}.
     */
    final void enter() {
        weights.enter(getClass().getSimpleName());
    }

    /** Ends what {@link #enter()} began; the last one out after a close releases the weights. */
    final void exit() {
        weights.exit();
    }

    /**
     * Releases the weights, at once or, while other threads are inside forward, when the last
     * of them returns. A second close throws IllegalStateException.
     */
    @Override
    public void close() {
        weights.closeWhenIdle(getClass().getSimpleName());
    }
}
