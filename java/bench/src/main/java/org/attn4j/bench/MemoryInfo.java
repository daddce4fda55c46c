package org.attn4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What this machine can hold: MemAvailable from /proc/meminfo, used to skip runs that cannot fit. */
final class MemoryInfo {
    /** Share of the available memory a contender may be expected to use before it is skipped. */
    static final double USABLE_SHARE = 0.8;

    private MemoryInfo() {
    }

    /** MemAvailable in bytes, or Long.MAX_VALUE when unknown (then nothing is skipped for memory). */
    static long availableBytes() {
        try {
            long kb = RssMeter.parseKb(Files.readString(Path.of("/proc/meminfo")), "MemAvailable");
            return kb > 0 ? kb * 1024 : Long.MAX_VALUE;
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * A skip reason when {@code needBytes} (an estimate) exceeds the usable share of the available
     * memory, or null when it fits.
     */
    static Contender.Unavailable skipIfTooBig(double needBytes, String what, Workload w) {
        long available = availableBytes();
        if (needBytes > USABLE_SHARE * available) {
            return Contender.Unavailable.skipped(String.format(
                    "needs ~%.1f GiB at %s (%s), more than %.0f%% of the %.1f GiB available",
                    needBytes / (1L << 30), w, what, 100 * USABLE_SHARE, available / (double) (1L << 30)));
        }
        return null;
    }
}
