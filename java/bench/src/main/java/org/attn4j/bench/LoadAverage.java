package org.attn4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The 1-, 5- and 15-minute load averages (/proc/loadavg), printed beside figures taken on a shared machine. */
final class LoadAverage {
    private LoadAverage() {
    }

    /** "2.10 1.95 1.80", or "unknown" off Linux. */
    static String read() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
