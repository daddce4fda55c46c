package org.attn4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class WorkloadTest {

    @Test
    void readmeSizeIs119Gflop() {
        // independently: projections 2·(4096·512·1024 + 8192·386·1024 + 4096·512·512 + 8192·512·386)
        // = 2·(2 147 483 648 + 3 238 002 688 + 1 073 741 824 + 1 619 001 344) = 16 156 459 008;
        // attention 6·8·4096·8192·64 = 103 079 215 104
        Workload w = Workload.readme(1, new Size(4096, 8192));
        assertEquals(16_156_459_008.0 + 103_079_215_104.0, w.usefulFlops(), 0.5);
        assertEquals(119.2, w.usefulFlops() / 1e9, 0.05);
    }

    @Test
    void baselineSizesMatchPerfBaselines() {
        // perf/baselines.md: ≈ 10.5 GFLOP at 1024 × 2048 and ≈ 1.4 at 256 × 512
        assertEquals(10.48, Workload.readme(1, new Size(1024, 2048)).usefulFlops() / 1e9, 0.01);
        assertEquals(1.41, Workload.readme(1, new Size(256, 512)).usefulFlops() / 1e9, 0.01);
    }

    @Test
    void oneByOneCountsEveryTerm() {
        Workload w = new Workload(3, 5, 2, 7, 1, new Size(1, 1)); // inner 14
        double projections = 2 * (3 * 2 * 14 + 5 * 2 * 14 + 14 * 3 + 14 * 5);
        double attention = 3 * 2 * 2 * 7;
        assertEquals(projections + attention, w.usefulFlops(), 0);
    }

    @Test
    void workIsLinearInBatchAndOddSizesWork() {
        Workload one = Workload.readme(1, new Size(17, 31));
        Workload three = Workload.readme(3, new Size(17, 31));
        assertEquals(3 * one.usefulFlops(), three.usefulFlops(), 1e-6 * three.usefulFlops());
        assertEquals(4.0 * 3 * 8 * 17 * 31, three.attentionMatrixBytes(), 0);
        assertEquals(3L * 17 * 512 + 3L * 31 * 386, three.inputElements());
        assertEquals("3x17x31", three.toString());
        assertEquals("17x31", one.toString());
    }
}
