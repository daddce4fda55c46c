package org.attn4j.internal.natives;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader: what it loads, and that every failure names what it looked for and where. */
class NativeLibraryTest {

    @Test
    void loadsOnceFromTheOverrideProperty() {
        NativeLibrary.load();
        NativeLibrary.load(); // idempotent
        String override = System.getProperty(NativeLibrary.PATH_PROPERTY);
        if (override != null) {
            assertEquals(Path.of(override).toAbsolutePath().normalize(), NativeLibrary.path());
        }
        assertTrue(Files.isRegularFile(NativeLibrary.path()));
    }

    @Test
    void missingOverrideFileIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("nope/libattn4j.so");
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> NativeLibrary.overrideFile(missing.toString(), "Linux", "amd64"));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
        assertTrue(e.getMessage().contains("os.name=Linux, os.arch=amd64"), e.getMessage());
        UnsatisfiedLinkError d = assertThrows(UnsatisfiedLinkError.class,
                () -> NativeLibrary.overrideFile(dir.toString(), "Linux", "amd64"));
        assertTrue(d.getMessage().contains("a directory"), d.getMessage());
    }

    @Test
    void unsupportedPlatformIsNamed() {
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> NativeLibrary.checkPlatform("Mac OS X", "aarch64"));
        assertTrue(e.getMessage().contains("os.name=Mac OS X, os.arch=aarch64"), e.getMessage());
        assertTrue(e.getMessage().contains(NativeLibrary.RESOURCE), e.getMessage());
        assertTrue(e.getMessage().contains(NativeLibrary.PATH_PROPERTY), e.getMessage());
        assertThrows(UnsatisfiedLinkError.class, () -> NativeLibrary.checkPlatform("Linux", "aarch64"));
        assertThrows(UnsatisfiedLinkError.class, () -> NativeLibrary.checkPlatform("Windows 11", "amd64"));
        NativeLibrary.checkPlatform("Linux", "amd64");
        NativeLibrary.checkPlatform("Linux", "x86_64");
    }

    @Test
    void missingResourceIsNamed(@TempDir Path dir) {
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> NativeLibrary.extractAll(dir, "/native/none-such/", List.of("libattn4j.so"), "Linux", "amd64"));
        assertTrue(e.getMessage().contains("/native/none-such/libattn4j.so"), e.getMessage());
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void extractsEveryBundledFileIntoAPrivateFolderOfItsOwn(@TempDir Path tmp) throws IOException {
        Path a = NativeLibrary.extractAll(tmp, NativeLibrary.RESOURCE_DIR, NativeLibrary.FILES, "Linux", "amd64");
        Path b = NativeLibrary.extractAll(tmp, NativeLibrary.RESOURCE_DIR, NativeLibrary.FILES, "Linux", "amd64");
        assertNotEquals(a, b, "two extractions share one folder");
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE), Files.getPosixFilePermissions(a), "folder " + a);
        try (Stream<Path> files = Files.list(a)) {
            Set<String> expected = new HashSet<>(NativeLibrary.FILES);
            expected.add(ExtractionFolders.LOCK); // held while this JVM lives (see ExtractionFoldersTest)
            assertEquals(expected, files.map(f -> f.getFileName().toString()).collect(Collectors.toSet()));
        }
        // The surefire JVM loads the build's own library; the jar carries that very file.
        assertArrayEquals(Files.readAllBytes(NativeLibrary.path()), Files.readAllBytes(a.resolve("libattn4j.so")),
                "the jar's library is the one the build made");
    }
}
