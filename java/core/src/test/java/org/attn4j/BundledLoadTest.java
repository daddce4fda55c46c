package org.attn4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.attn4j.internal.natives.NativeLibrary;

/**
 * The jar's own natives, loaded as a user's JVM loads them: a child JVM without
 * -Dattn4j.library.path runs {@link LoadProbe}. Its LD_LIBRARY_PATH names a decoy folder
 * holding another libgomp.so.1, which the dynamic loader would prefer to RUNPATH $ORIGIN if the
 * loader did not load the bundled files itself first, by their paths. Every mapped libgomp,
 * libdnnl and libattn4j must come from the extraction folder, no OpenCL may be mapped, and the
 * folder must be gone once the JVM has exited.
 */
class BundledLoadTest {

    @Test
    void loadsEveryBundledFileFromOnePrivateFolder(@TempDir Path decoy) throws Exception {
        try (InputStream gomp = NativeLibrary.class.getResourceAsStream(NativeLibrary.RESOURCE_DIR + "libgomp.so.1")) {
            assertTrue(gomp != null, "the build put libgomp.so.1 into " + NativeLibrary.RESOURCE_DIR);
            Files.copy(gomp, decoy.resolve("libgomp.so.1"));
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), LoadProbe.class.getName())
                .redirectErrorStream(true);
        pb.environment().put("LD_LIBRARY_PATH", decoy.toString());
        Process child = pb.start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the probe JVM did not finish: " + output);
        assertEquals(0, child.exitValue(), output);

        Path dir = null;
        String onednn = null;
        List<String> maps = new ArrayList<>();
        for (String line : output.lines().toList()) {
            if (line.startsWith("dir ")) {
                dir = Path.of(line.substring(4));
            } else if (line.startsWith("onednn ")) {
                onednn = line.substring(7);
            } else if (line.startsWith("map ")) {
                maps.add(line.substring(4));
            }
        }
        assertTrue(dir != null && onednn != null, output);
        assertTrue(onednn.startsWith("3."), "expected the bundled oneDNN 3.x, got " + onednn);
        for (String name : NativeLibrary.FILES) {
            String expected = dir.resolve(name).toString();
            assertTrue(maps.stream().anyMatch(m -> m.endsWith(" " + expected)),
                    name + ": expected a mapping of " + expected + ", got " + maps);
        }
        for (String map : maps) {
            String file = map.substring(map.indexOf('/'));
            assertTrue(file.startsWith(dir + "/"), "mapped from outside " + dir + ": " + map);
            assertFalse(map.contains("OpenCL"), "OpenCL is mapped: " + map);
        }
        assertFalse(Files.exists(dir), "the extraction folder outlived its JVM: " + dir);
    }
}
