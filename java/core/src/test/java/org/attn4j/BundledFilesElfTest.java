package org.attn4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.attn4j.internal.natives.NativeLibrary;

/**
 * What a user's machine must provide for the native files the jar carries
 * ({@link NativeLibrary#RESOURCE_DIR}), read with binutils' readelf and objdump: only the
 * system libraries every glibc Linux has, glibc and libstdc++ symbol versions no newer than the
 * platform floor the README promises, RUNPATH $ORIGIN on libattn4j.so, and one OpenMP runtime
 * (the bundled libgomp.so.1) that defines every GOMP_/OMP_ symbol the other two use.
 */
class BundledFilesElfTest {
    /** System libraries a bundled file may need; anything else must be bundled too. */
    private static final Set<String> SYSTEM = Set.of("libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2",
            "libstdc++.so.6", "libgcc_s.so.1", "ld-linux-x86-64.so.2");
    /**
     * The platform floor: glibc 2.34 and GCC 11's libstdc++ (Debian 12, Ubuntu 22.04, RHEL 9).
     * Why not older: the prebuilt oneDNN from Maven Central (org.bytedeco:dnnl 3.13) and its
     * libgomp were built against them (lstat@GLIBC_2.33, pthread and dl symbols @GLIBC_2.34,
     * std::__throw_bad_array_new_length@GLIBCXX_3.4.29); attn4j's own file stays within it.
     */
    private static final String GLIBC_MAX = "2.34";
    private static final String GLIBCXX_MAX = "3.4.29";
    private static final String CXXABI_MAX = "1.3.13";

    @Test
    void needOnlySystemLibrariesAndEachOther() throws Exception {
        for (String name : NativeLibrary.FILES) {
            for (String needed : needed(bundled(name))) {
                assertTrue(SYSTEM.contains(needed) || NativeLibrary.FILES.contains(needed),
                        name + " needs " + needed + ": expected only " + SYSTEM + " or " + NativeLibrary.FILES);
            }
        }
        String dynamic = run("readelf", "-d", "-W", bundled("libattn4j.so").toString());
        assertTrue(dynamic.contains("(RUNPATH)") && dynamic.contains("Library runpath: [$ORIGIN]"),
                "libattn4j.so: expected RUNPATH $ORIGIN, got\n" + dynamic);
        assertTrue(!dynamic.contains("(RPATH)"), "libattn4j.so: expected no RPATH, got\n" + dynamic);
    }

    @Test
    void symbolVersionsStayWithinThePlatformFloor() throws Exception {
        for (String name : NativeLibrary.FILES) {
            String symbols = run("objdump", "-T", bundled(name).toString());
            assertNotNewer(name, "GLIBC", GLIBC_MAX, symbols);
            assertNotNewer(name, "GLIBCXX", GLIBCXX_MAX, symbols);
            assertNotNewer(name, "CXXABI", CXXABI_MAX, symbols);
        }
    }

    @Test
    void theBundledOpenMpRuntimeDefinesWhatTheOthersUse() throws Exception {
        Set<String> defined = new TreeSet<>();
        Set<String> wanted = new TreeSet<>();
        // objdump -T lines: "addr flags section size version name"; *UND* marks a use.
        Pattern line = Pattern.compile("\\s(\\*UND\\*|\\.text)\\s+\\S+\\s+(?:\\(?)((?:GOMP|OMP)_[0-9.]+)\\)?\\s+(\\S+)$");
        for (String name : NativeLibrary.FILES) {
            for (String l : run("objdump", "-T", bundled(name).toString()).lines().toList()) {
                Matcher m = line.matcher(l);
                if (m.find()) {
                    String symbol = m.group(3) + "@" + m.group(2);
                    if (m.group(1).equals("*UND*")) {
                        wanted.add(symbol);
                    } else if (name.equals("libgomp.so.1")) {
                        defined.add(symbol);
                    }
                }
            }
        }
        assertTrue(!wanted.isEmpty() && !defined.isEmpty(), "found no OpenMP symbols: wanted " + wanted);
        wanted.removeAll(defined);
        assertEquals(Set.of(), wanted, "used by libattn4j.so or libdnnl.so.3, not defined by the bundled libgomp.so.1");
    }

    /** The largest version of a node family (GLIBC_2.34 -> 2.34) must not exceed max. */
    private static void assertNotNewer(String name, String family, String max, String symbols) {
        Matcher m = Pattern.compile("\\b" + family + "_([0-9]+(?:\\.[0-9]+)*)\\b").matcher(symbols);
        String newest = null;
        while (m.find()) {
            if (newest == null || compareVersions(m.group(1), newest) > 0) {
                newest = m.group(1);
            }
        }
        String found = newest;
        assertTrue(newest == null || compareVersions(newest, max) <= 0,
                () -> name + ": expected " + family + " symbol versions up to " + max + ", got " + found);
    }

    static int compareVersions(String a, String b) {
        String[] x = a.split("\\."), y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int c = Integer.compare(i < x.length ? Integer.parseInt(x[i]) : 0, i < y.length ? Integer.parseInt(y[i]) : 0);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static List<String> needed(Path file) throws IOException, InterruptedException {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\\(NEEDED\\)\\s+Shared library: \\[([^]]+)]").matcher(run("readelf", "-d", "-W", file.toString()));
        while (m.find()) {
            out.add(m.group(1));
        }
        assertTrue(!out.isEmpty(), file + ": readelf found no NEEDED entry");
        return out;
    }

    /** The file as the jar carries it (target/classes, which the jar is packed from). */
    private static Path bundled(String name) throws URISyntaxException {
        URL url = NativeLibrary.class.getResource(NativeLibrary.RESOURCE_DIR + name);
        assertTrue(url != null && url.getProtocol().equals("file"),
                "expected " + NativeLibrary.RESOURCE_DIR + name + " as a file of the build, got " + url);
        return Path.of(url.toURI());
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }
}
