package org.attn4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of this process from /proc/self/status (Linux); 0 where unavailable. */
final class Memory {
    private Memory() {
    }

    /** Current resident set (VmRSS) in bytes. */
    static long rssBytes() {
        return field("VmRSS:");
    }

    /** Peak resident set since the process started (VmHWM) in bytes. */
    static long peakRssBytes() {
        return field("VmHWM:");
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    String[] parts = line.substring(name.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024; // kB
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0; // not Linux: memory figures are informational
        }
        return 0;
    }
}
