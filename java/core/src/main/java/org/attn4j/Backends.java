package org.attn4j;

import org.attn4j.internal.backend.NativeBackend;
import org.attn4j.internal.backend.ReferenceBackend;

/**
 * Where a {@link Backend} comes from. {@link #defaultBackend()} is the JVM-wide instance that
 * modules use unless given one: system property {@value #BACKEND_PROPERTY} = {@code native}
 * (the default) or {@code java}, and {@value #THREADS_PROPERTY} = thread count (default 0 = all
 * cores). The others make a backend the caller owns and must close.
 */
public final class Backends {
    /** System property choosing the default backend: "native" or "java". */
    public static final String BACKEND_PROPERTY = "attn4j.backend";
    /** System property: threads of the default native backend (0 or absent = all cores). */
    public static final String THREADS_PROPERTY = "attn4j.threads";

    private static volatile Backend shared;

    private Backends() {
    }

    /**
     * The shared default backend, made on first use from the system properties. Its
     * {@code close()} throws IllegalStateException: it lives as long as the JVM. A failure (bad
     * property, library not loadable) is thrown to the caller and retried on the next call.
     */
    public static Backend defaultBackend() {
        Backend b = shared;
        if (b == null) {
            synchronized (Backends.class) {
                b = shared;
                if (b == null) {
                    b = fromProperties(System.getProperty(BACKEND_PROPERTY), System.getProperty(THREADS_PROPERTY), true);
                    shared = b;
                }
            }
        }
        return b;
    }

    /**
     * A native backend on {@code threads} threads (0 = all cores); the caller closes it. Its
     * tensors must be off-heap (from any {@code Arena}); heap segments are refused with
     * IllegalArgumentException. Closing it while another thread is inside one of its operations
     * throws IllegalStateException and leaves it open.
     */
    public static Backend nativeBackend(int threads) {
        return new NativeBackend(threads);
    }

    /** The plain Java reference backend (double accumulation, one thread); the caller closes it. */
    public static Backend javaReference() {
        return new ReferenceBackend();
    }

    /** The backend the two property values select (null = the default), owned by the caller. */
    static Backend fromProperties(String kind, String threads) {
        return fromProperties(kind, threads, false);
    }

    /** The same; {@code jvmWide}: the default backend, whose close() throws. */
    private static Backend fromProperties(String kind, String threads, boolean jvmWide) {
        String k = kind == null || kind.isBlank() ? "native" : kind.trim();
        return switch (k) {
            case "native" -> new NativeBackend(parseThreads(threads), jvmWide);
            case "java" -> {
                parseThreads(threads); // a bad value is an error whichever backend it would have gone to
                yield new ReferenceBackend(jvmWide);
            }
            default -> throw new IllegalArgumentException("-D" + BACKEND_PROPERTY + ": expected native or java, got " + kind);
        };
    }

    static int parseThreads(String threads) {
        if (threads == null || threads.isBlank()) {
            return 0;
        }
        try {
            int n = Integer.parseInt(threads.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the message below, which names the value
        }
        throw new IllegalArgumentException("-D" + THREADS_PROPERTY + ": expected an integer >= 0 (0 = all cores), got " + threads);
    }
}
