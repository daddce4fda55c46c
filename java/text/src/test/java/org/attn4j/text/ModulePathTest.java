package org.attn4j.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.attn4j.Tensor;
import org.attn4j.textconsumer.TextFirstCall;
import org.junit.jupiter.api.Test;

/**
 * org.attn4j.text as a module: a child JVM with text, core and the bindings on the module path
 * (their class folders as exploded modules) and a consumer on the class path loads a checkpoint
 * (config.json read through core's JSON reader, exported to this module alone) and runs a
 * forward, with the same result as on the class path.
 */
class ModulePathTest {
    private static Path location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static String run(List<String> path) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String library = System.getProperty("attn4j.library.path");
        if (library != null) {
            cmd.add("-Dattn4j.library.path=" + library);
        }
        cmd.addAll(path);
        cmd.add(TextFirstCall.class.getName());
        cmd.add(Path.of(ModulePathTest.class.getResource("/bert-tiny/config.json").toURI()).getParent().toString());
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        assertEquals(0, p.exitValue(), out + err);
        return out.strip();
    }

    @Test
    void runsOnTheModulePathAsOnTheClassPath() throws Exception {
        String modules = location(BertModel.class) + File.pathSeparator + location(Tensor.class) + File.pathSeparator
                + location(Class.forName("org.attn4j.bindings.attn4j_h")); // by name: text's module does not read it
        String consumer = location(TextFirstCall.class).toString();
        String onModules = run(List.of("--enable-native-access=org.attn4j,org.attn4j.bindings", "-p", modules,
                "--add-modules", "org.attn4j.text", "-cp", consumer));
        String onClassPath = run(List.of("--enable-native-access=ALL-UNNAMED", "-cp", modules + File.pathSeparator + consumer));
        assertTrue(onModules.startsWith(BertModel.CLASS_NAME) && onModules.contains(" parameters "), onModules);
        assertEquals(onClassPath, onModules);
    }
}
