package org.attn4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The models of this JVM (a Spark executor, or the driver in local mode): each model is loaded
 * once per key, on first use by any task, and shared by every task after it (attn4j's modules
 * and embedders are thread-safe); all of them close when the JVM exits. Keys carry the thread
 * count: a model computes on the backend it was loaded with, and the backend's thread count
 * bounds oneDNN's and OpenMP's threads in every call.
 */
final class ExecutorModels {
    /** Loads one model; runs at most once per key at a time. */
    interface Loader<T extends AutoCloseable> {
        T load() throws IOException;
    }

    private static final ConcurrentMap<String, AutoCloseable> MODELS = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ExecutorModels::closeAll, "attn4j-models-close"));
    }

    private ExecutorModels() {
    }

    /** The module of {@code source} on {@code threads} threads, loading it if this JVM has not yet. */
    static LoadedModule module(ModelSource source, int threads) {
        checkThreads(threads);
        try {
            return get("module:" + source.key() + "#threads=" + threads, source.toString(),
                    () -> LoadedModule.load(source.materialize(), threads));
        } catch (IOException e) {
            throw new UncheckedIOException(source + ": " + e.getMessage(), e);
        }
    }

    /**
     * The model under {@code key}, loading it with {@code loader} if this JVM has not yet.
     * Concurrent tasks wait for the one load instead of loading twice; a failed load leaves no
     * entry, so the next task tries again and reports its own error.
     */
    @SuppressWarnings("unchecked")
    static <T extends AutoCloseable> T get(String key, String what, Loader<T> loader) {
        return (T) MODELS.computeIfAbsent(key, k -> {
            try {
                return loader.load();
            } catch (IOException e) {
                throw new UncheckedIOException(what + ": " + e.getMessage(), e);
            }
        });
    }

    static void checkThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: expected >= 1, got " + threads);
        }
    }

    /** How many models this JVM holds. */
    static int loadedCount() {
        return MODELS.size();
    }

    /**
     * Closes every model (at JVM exit). A module that a task is still running frees its weights
     * when that forward returns (Module's contract); a backend still in use stays open, which the
     * exiting process ends anyway.
     */
    static void closeAll() {
        List<AutoCloseable> all = new ArrayList<>(MODELS.values());
        MODELS.clear();
        for (AutoCloseable m : all) {
            try {
                m.close();
            } catch (Exception e) {
                // a backend still inside a call (a task interrupted by the exit): leave it to the OS
            }
        }
    }
}
