package org.attn4j.internal.natives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The extraction folders of JVMs that died without cleaning up are swept at the next load; a live
 * JVM's folder never is; links are never followed. The JVMs are real second processes: one killed
 * with SIGKILL (destroyForcibly) leaves its folder behind, as a crashed or OOM-killed JVM does.
 */
class ExtractionFoldersTest {

    @Test
    void aKilledJvmsFolderIsSweptAtTheNextLoadAndALiveJvmsStays(@TempDir Path tmp) throws Exception {
        Process live = child(tmp);
        Process killed = child(tmp);
        try {
            Path liveFolder = folderOf(live);
            Path killedFolder = folderOf(killed);
            killed.destroyForcibly();
            assertTrue(killed.waitFor(60, TimeUnit.SECONDS), "the killed JVM ended");
            assertTrue(Files.isRegularFile(killedFolder.resolve("libattn4j.so")), "SIGKILL leaves the folder behind");

            Path ours = NativeLibrary.extractAll(tmp, NativeLibrary.RESOURCE_DIR, NativeLibrary.FILES, "Linux", "amd64");
            assertFalse(Files.exists(killedFolder, LinkOption.NOFOLLOW_LINKS), "the killed JVM's folder was swept");
            assertTrue(Files.isRegularFile(liveFolder.resolve("libattn4j.so")), "the live JVM's folder stays");
            assertTrue(Files.isRegularFile(ours.resolve("libattn4j.so")), "the new folder is complete");

            // A second load in this JVM keeps this JVM's own folder (its lock file is never touched).
            Path second = NativeLibrary.extractAll(tmp, NativeLibrary.RESOURCE_DIR, List.of("libattn4j.so"), "Linux", "amd64");
            assertTrue(Files.isRegularFile(ours.resolve("libattn4j.so")), "this JVM's first folder stays");

            live.getOutputStream().close(); // the live JVM exits normally: it deletes its own folder
            assertTrue(live.waitFor(60, TimeUnit.SECONDS), "the live JVM ended");
            assertEquals(0, live.exitValue());
            assertFalse(Files.exists(liveFolder, LinkOption.NOFOLLOW_LINKS), "a normal exit deletes the folder");
            assertEquals(List.of(ours, second).stream().sorted().toList(), folders(tmp));
        } finally {
            live.destroyForcibly();
            killed.destroyForcibly();
        }
    }

    @Test
    void unlockedFoldersGoOnlyWhenOldAndLinksAreNeverFollowed(@TempDir Path tmp, @TempDir Path outside) throws IOException {
        Path kept = Files.writeString(outside.resolve("kept"), "not attn4j's");
        Files.createFile(outside.resolve(ExtractionFolders.LOCK)); // an unlocked lock file behind a link
        Path old = Files.createDirectory(tmp.resolve(ExtractionFolders.PREFIX + "old"));     // no lock file, old
        Files.createSymbolicLink(old.resolve("link"), outside);
        Files.writeString(old.resolve("libattn4j.so"), "stale");
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(ExtractionFolders.UNLOCKED_AGE.multipliedBy(2))));
        Path young = Files.createDirectory(tmp.resolve(ExtractionFolders.PREFIX + "young")); // no lock file yet: a JVM starting
        Path link = Files.createSymbolicLink(tmp.resolve(ExtractionFolders.PREFIX + "link"), outside);

        ExtractionFolders.sweep(tmp);

        assertFalse(Files.exists(old, LinkOption.NOFOLLOW_LINKS), "an old folder without a lock file is swept");
        assertTrue(Files.isDirectory(young), "a young folder without a lock file stays");
        assertTrue(Files.isSymbolicLink(link), "a link named like a folder stays");
        assertEquals("not attn4j's", Files.readString(kept), "nothing behind a link is deleted");
        assertTrue(Files.exists(outside.resolve(ExtractionFolders.LOCK)));
        ExtractionFolders.sweep(tmp.resolve("none-such")); // errors never escape
    }

    private static Process child(Path tmp) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        return new ProcessBuilder(java, "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
                ExtractionChild.class.getName(), tmp.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static Path folderOf(Process p) throws IOException {
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertTrue(line != null, "the child JVM printed its folder");
        return Path.of(line);
    }

    private static List<Path> folders(Path tmp) throws IOException {
        try (var s = Files.list(tmp)) {
            return s.sorted().toList();
        }
    }
}
