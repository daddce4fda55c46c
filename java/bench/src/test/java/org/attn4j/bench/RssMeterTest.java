package org.attn4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class RssMeterTest {

    @Test
    void parsesKilobyteFields() {
        String status = "Name:\tjava\nVmPeak:\t 9000 kB\nVmHWM:\t  4321 kB\nVmRSS:\t  1234 kB\nThreads:\t9\n";
        assertEquals(1234, RssMeter.parseKb(status, "VmRSS"));
        assertEquals(4321, RssMeter.parseKb(status, "VmHWM"));
        assertEquals(0, RssMeter.parseKb(status, "VmSwap"));
        assertEquals(0, RssMeter.parseKb(status, "VmRS")); // a prefix of a field is not the field
    }

    @Test
    void seesMemoryTouchedInsideTheRegionEvenAfterItIsFreed() {
        long bytes = 96L << 20;
        RssMeter meter = RssMeter.start();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(bytes);
            for (long off = 0; off < bytes; off += 4096) { // touch every page
                s.set(ValueLayout.JAVA_BYTE, off, (byte) 1);
            }
        }
        double mb = meter.stopMb();
        assertTrue(mb >= 80 && mb < 1024, "peak growth " + mb + " MiB (" + meter.method() + ")");
        assertEquals(mb, meter.stopMb(), 0, "a second stop returns the same figure");
    }
}
