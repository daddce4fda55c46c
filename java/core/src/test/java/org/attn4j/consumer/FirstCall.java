package org.attn4j.consumer;

import org.attn4j.Attn4j;

/**
 * An application's first call into attn4j, run in a child JVM by NativeAccessTest: prints the
 * library's version, or the error's class and message on stderr and exits 3. Outside attn4j's
 * packages so that it can run on the class path beside attn4j on the module path.
 */
public final class FirstCall {
    private FirstCall() {
    }

    public static void main(String[] args) {
        try {
            System.out.println("attn4j " + Attn4j.info().version());
        } catch (RuntimeException | LinkageError e) {
            System.err.println(e.getClass().getName() + ": " + e.getMessage());
            System.exit(3);
        }
    }
}
