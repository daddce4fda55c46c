package org.attn4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The models of this JVM (a Spark executor, or the driver in local mode): each (model, threads)
 * pair is loaded once, on first use by any task, and shared by every task after it (modules are
 * thread-safe); all of them close when the JVM exits. Why per thread count: a module computes on
 * the backend it was loaded with, and the backend carries the thread count that bounds oneDNN's
 * and OpenMP's threads in every call.
 */
final class ExecutorModels {
    private static final ConcurrentMap<String, LoadedModule> MODELS = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ExecutorModels::closeAll, "attn4j-models-close"));
    }

    private ExecutorModels() {
    }

    /** The model of {@code source} on {@code threads} threads, loading it if this JVM has not yet. */
    static LoadedModule get(ModelSource source, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: expected >= 1, got " + threads);
        }
        try {
            String key = source.key() + "#threads=" + threads;
            // computeIfAbsent: concurrent tasks wait for the one load instead of loading twice;
            // a failed load leaves no entry, so the next task tries again and reports its own error.
            return MODELS.computeIfAbsent(key, k -> {
                try {
                    Path file = source.materialize();
                    return LoadedModule.load(file, threads);
                } catch (IOException e) {
                    throw new UncheckedIOException(source + ": " + e.getMessage(), e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(source + ": " + e.getMessage(), e);
        }
    }

    /** How many (model, threads) pairs this JVM holds. */
    static int loadedCount() {
        return MODELS.size();
    }

    /**
     * Closes every model (at JVM exit). A module that a task is still running frees its weights
     * when that forward returns (Module's contract); a backend still in use stays open, which the
     * exiting process ends anyway.
     */
    static void closeAll() {
        List<LoadedModule> all = new ArrayList<>(MODELS.values());
        MODELS.clear();
        for (LoadedModule m : all) {
            try {
                m.close();
            } catch (IllegalStateException e) {
                // a backend still inside a call (a task interrupted by the exit): leave it to the OS
            }
        }
    }
}
