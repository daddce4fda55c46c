package org.attn4j.internal.natives;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A second JVM for {@link ExtractionFoldersTest}: extracts the native files under the directory
 * args[0], prints the folder it made, then lives until its standard input closes.
 */
public final class ExtractionChild {
    private ExtractionChild() {
    }

    public static void main(String[] args) throws IOException {
        Path folder = NativeLibrary.extractAll(Path.of(args[0]), NativeLibrary.RESOURCE_DIR, NativeLibrary.FILES,
                "Linux", "amd64");
        System.out.println(folder);
        System.out.flush();
        while (System.in.read() >= 0) {
            // alive, holding its folder's lock, until the parent closes our stdin or kills us
        }
    }
}
