package org.attn4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.attn4j.internal.natives.NativeLibrary;

/**
 * Run in a child JVM by {@link BundledLoadTest}: loads attn4j from the class path's bundled files
 * (no override property), asks oneDNN for its version, then prints what it needs to judge where
 * the libraries came from: "dir DIR", "onednn VERSION", and every line of /proc/self/maps that
 * maps a file named like one of the bundled libraries, oneDNN or OpenCL ("map LINE").
 */
final class LoadProbe {
    private LoadProbe() {
    }

    public static void main(String[] args) throws IOException {
        NativeLibrary.load();
        System.out.println("dir " + NativeLibrary.path().getParent());
        System.out.println("onednn " + Attn4j.info().onednnVersion());
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            if (line.contains("libgomp") || line.contains("libdnnl") || line.contains("libattn4j")
                    || line.contains("OpenCL")) {
                System.out.println("map " + line);
            }
        }
    }
}
