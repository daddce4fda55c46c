package org.attn4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** Library information and the empty downcall. */
class Attn4jTest {

    @Test
    void infoDescribesLibraryRuntimeAndDefaultBackend() {
        Attn4j.Info info = Attn4j.info();
        assertTrue(info.version().matches("\\d+\\.\\d+\\.\\d+"), info.version());
        assertTrue(info.onednnVersion().matches("\\d+\\.\\d+\\.\\d+"), info.onednnVersion());
        assertFalse(info.isa().isBlank(), "isa");
        assertEquals(Backends.defaultBackend().name(), info.backend());
        assertEquals(Backends.defaultBackend().threads(), info.threads());
        assertTrue(Set.of("portable", "avx2+fma", "avx512").contains(info.fusedKernelIsa()), info.fusedKernelIsa());
    }

    @Test
    void fusedKernelIsaNames() {
        assertEquals("portable", Attn4j.fusedKernelIsa(0));
        assertEquals("avx2+fma", Attn4j.fusedKernelIsa(1));
        assertEquals("avx512", Attn4j.fusedKernelIsa(2));
        assertTrue(Attn4j.fusedKernelIsa(7).contains("7"));
    }

    @Test
    void pingReturns() {
        for (int k = 0; k < 1000; k++) {
            Attn4j.ping();
        }
    }
}
