package org.attn4j;

import org.attn4j.internal.backend.NativeBackend;
import org.attn4j.internal.backend.ReferenceBackend;

/**
 * The two backends every suite runs against, made once per test JVM and never closed (a native
 * context caches oneDNN primitives: one per JVM keeps the suite fast), and the oracle: the Java
 * reference run on contiguous copies of the inputs. Public: the suites of other packages, and
 * java/cli's through core's test jar, take their backends here.
 */
public final class TestBackends {
    /** The backends by name, for @FieldSource (by name: JUnit would close AutoCloseable arguments). */
    static final String[] NAMES = {"native", "java"};
    private static Backend nativeBackend;
    private static final Backend JAVA = new ReferenceBackend();
    static final Backend ORACLE = new ReferenceBackend();

    private TestBackends() {
    }

    /** The native backend on 2 threads (the machine's cores), shared by the test JVM. */
    public static Backend nativeBackend() {
        return named("native");
    }

    /** The Java reference backend, shared by the test JVM. */
    public static Backend javaReference() {
        return named("java");
    }

    public static synchronized Backend named(String name) {
        return switch (name) {
            case "native" -> {
                if (nativeBackend == null) {
                    nativeBackend = new NativeBackend(2);
                }
                yield nativeBackend;
            }
            case "java" -> JAVA;
            default -> throw new IllegalArgumentException(name);
        };
    }
}
