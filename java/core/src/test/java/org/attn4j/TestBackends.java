package org.attn4j;

import org.attn4j.internal.backend.NativeBackend;
import org.attn4j.internal.backend.ReferenceBackend;

/**
 * The two backends every suite runs against, made once per test JVM (a native context caches
 * oneDNN primitives: one per JVM keeps the suite fast), and the oracle: the Java reference run
 * on contiguous copies of the inputs.
 */
final class TestBackends {
    static final String[] NAMES = {"native", "java"};
    private static Backend nativeBackend;
    private static final Backend JAVA = new ReferenceBackend();
    static final Backend ORACLE = new ReferenceBackend();

    private TestBackends() {
    }

    static synchronized Backend named(String name) {
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
