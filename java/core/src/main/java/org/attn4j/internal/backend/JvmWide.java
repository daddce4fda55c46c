package org.attn4j.internal.backend;

/**
 * The one rule of the JVM-wide default backend ({@code Backends.defaultBackend()}): nobody
 * closes it, because every other user of the default would lose it.
 */
final class JvmWide {
    private JvmWide() {
    }

    /** What close() on the default backend throws. */
    static IllegalStateException closeRefused() {
        return new IllegalStateException("the default backend (Backends.defaultBackend()) is shared by the whole JVM"
                + " and cannot be closed; use Backends.nativeBackend(threads) for one you own and close");
    }
}
