package org.attn4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CpuMeterTest {
    // user nice system idle iowait irq softirq steal guest guest_nice
    private static final String STAT = """
            cpu  1000 10 200 5000 40 3 7 0 50 0
            cpu0 500 5 100 2500 20 1 3 0 25 0
            intr 12345
            """;
    // comm holds a space and a ')' : fields are counted after the last ')'
    private static final String SELF = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 300 20 0 0 20 0 9 0";

    @Test
    void parsesMachineAndOwnTicks() {
        CpuMeter.Ticks t = CpuMeter.parse(STAT, SELF);
        assertEquals(1000 + 10 + 200 + 5000 + 40 + 3 + 7, t.total()); // guest time is not counted twice
        assertEquals(1000 + 10 + 200 + 3 + 7, t.busy());                 // idle and iowait excluded
        assertEquals(320, t.own());                                      // utime 300 + stime 20
    }

    @Test
    void othersShareIsBusyMinusOwnOverTotal() {
        CpuMeter.Ticks before = new CpuMeter.Ticks(1000, 10_000, 100);
        // 200 ticks passed on the machine (2 cores × 100); 150 busy, 120 of them ours -> others 30 = 15%
        CpuMeter.Ticks after = new CpuMeter.Ticks(1150, 10_200, 220);
        assertEquals(15.0, CpuMeter.otherBusyPercent(before, after), 1e-12);
        assertTrue(CpuMeter.isBusy(15.0));
    }

    @Test
    void idleMachineAndOwnWorkAreNotBusy() {
        CpuMeter.Ticks before = new CpuMeter.Ticks(1000, 10_000, 100);
        CpuMeter.Ticks after = new CpuMeter.Ticks(1190, 10_200, 290); // all busy ticks are ours
        assertEquals(0.0, CpuMeter.otherBusyPercent(before, after), 1e-12);
        assertFalse(CpuMeter.isBusy(0.0));
        assertFalse(CpuMeter.isBusy(5.0));  // the threshold itself is still quiet
        assertTrue(CpuMeter.isBusy(5.01));
    }

    @Test
    void ownTicksAheadOfTheMachineCountClampToZero() {
        // per-process and machine counters are sampled at slightly different moments
        CpuMeter.Ticks before = new CpuMeter.Ticks(1000, 10_000, 100);
        CpuMeter.Ticks after = new CpuMeter.Ticks(1100, 10_200, 230);
        assertEquals(0.0, CpuMeter.otherBusyPercent(before, after), 0);
    }

    @Test
    void missingReadingsOrNoTimeGiveZero() {
        CpuMeter.Ticks t = new CpuMeter.Ticks(1, 2, 3);
        assertEquals(0.0, CpuMeter.otherBusyPercent(null, t));
        assertEquals(0.0, CpuMeter.otherBusyPercent(t, null));
        assertEquals(0.0, CpuMeter.otherBusyPercent(t, t));
    }

    @Test
    void malformedStatIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> CpuMeter.parse("intr 1 2 3\n", SELF));
    }

    @Test
    void readsThisLinuxMachine() {
        CpuMeter.Ticks t = CpuMeter.read();
        assertNotNull(t, "/proc/stat and /proc/self/stat should be readable on Linux");
        assertTrue(t.total() >= t.busy() && t.busy() >= 0 && t.own() >= 0, t.toString());
    }
}
