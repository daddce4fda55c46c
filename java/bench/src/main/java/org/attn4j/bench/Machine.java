package org.attn4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A description of the machine a run happened on, for the report's header and chart title. */
record Machine(String cpu, int cores, String isa, double memoryGib, String os, String jdk) {

    static Machine detect() {
        String cpu = "unknown CPU";
        String isa = "";
        try {
            String info = Files.readString(Path.of("/proc/cpuinfo"));
            cpu = field(info, "model name", cpu).replace("(R)", "").replace("(TM)", "").replaceAll("\\s+", " ").trim();
            isa = isa(" " + field(info, "flags", "") + " ");
        } catch (IOException e) {
            // not Linux: the CPU stays unknown
        }
        double mem = 0;
        try {
            mem = RssMeter.parseKb(Files.readString(Path.of("/proc/meminfo")), "MemTotal") / (1024.0 * 1024.0);
        } catch (IOException e) {
            // unknown
        }
        String os = System.getProperty("os.name") + " " + System.getProperty("os.version");
        String jdk = "JDK " + Runtime.version().feature();
        return new Machine(cpu, Runtime.getRuntime().availableProcessors(), isa, mem, os, jdk);
    }

    private static String field(String cpuinfo, String name, String fallback) {
        for (String line : cpuinfo.split("\n")) {
            if (line.startsWith(name)) {
                int colon = line.indexOf(':');
                if (colon >= 0) {
                    return line.substring(colon + 1).trim();
                }
            }
        }
        return fallback;
    }

    /** A machine read back from {@link #toJson()}'s object. */
    static Machine fromJson(Map<?, ?> m) {
        return RecordJson.fromJson(Machine.class, m);
    }

    /** The vector extensions that matter here, from a /proc/cpuinfo flags line. */
    static String isa(String flags) {
        List<String> found = new ArrayList<>();
        for (String[] f : new String[][] {{"avx2", "AVX2"}, {"fma", "FMA"}, {"avx512f", "AVX-512"}}) {
            if (flags.contains(" " + f[0] + " ")) {
                found.add(f[1]);
            }
        }
        return String.join("+", found);
    }

    /** "Intel Xeon Processor, 2 cores AVX2+FMA, 23 GiB, Linux 6.1, JDK 25". */
    String describe() {
        return String.format("%s, %d cores%s, %.0f GiB, %s, %s", cpu, cores, isa.isEmpty() ? "" : " " + isa,
                memoryGib, os, jdk);
    }

    Map<String, Object> toJson() {
        return RecordJson.toJson(this);
    }
}
