package org.attn4j.internal.natives;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The private folders the native files are extracted into ({@value #PREFIX}…, one per JVM), and
 * the sweep that deletes the ones left behind. A JVM deletes its folder when it exits normally
 * (deleteOnExit); one killed (SIGKILL, OOM killer, a crash) cannot, and each left folder holds
 * about 93 MB. So every live folder carries a lock file ({@value #LOCK}) on which its JVM holds an
 * exclusive {@link FileLock} until it dies (the kernel drops the lock with the process), and
 * {@link #create} first deletes every folder of the prefix whose lock it can take.
 *
 * <p>Race-free between JVMs starting at once: a sweeper deletes a folder only while holding its
 * lock, and removes the lock file before it lets go; a new folder counts as ours only once we
 * hold its lock and its lock file is still the one we opened (else a sweeper took it between our
 * mkdir and our lock, and we start again with a new folder). Symbolic links are never followed
 * (links inside a folder are deleted as links; a link named like a folder is left alone). Folders
 * without a lock file are left by versions before this one, or by a JVM killed between mkdir and
 * lock: they are swept once older than {@link #UNLOCKED_AGE} (a JVM takes microseconds between
 * the two). Other users' folders cannot be opened (owner-only) and are skipped. Any error while
 * sweeping skips that folder: sweeping never fails loading.
 *
 * <p>Why every JVM extracts its own copy rather than reusing one folder named by the files'
 * content hash: a shared folder in a world-writable directory is loaded as code, so it would have
 * to be checked for owner, permissions and content before every load (hashing 93 MB costs about
 * as much as the copy it saves, about 0.1 s), made atomic against a JVM killed half way through
 * writing it, and counted by readers so that sweeping never deletes one in use. Extraction once
 * per JVM start keeps none of those states.
 */
final class ExtractionFolders {
    /** Name prefix of every extraction folder in the temporary directory. */
    static final String PREFIX = "attn4j-native-";
    /** The lock file inside each folder. */
    static final String LOCK = ".lock";
    /** Age after which a folder of the prefix without a lock file is swept. */
    static final Duration UNLOCKED_AGE = Duration.ofMinutes(10);

    // This JVM's folders and the channels of their locks, held (never closed) until the JVM dies.
    // The sweep never opens these folders' lock files: closing any channel on a file may release
    // every lock the JVM holds on it (FileLock's javadoc).
    private static final Map<Path, FileChannel> HELD = new ConcurrentHashMap<>();

    private ExtractionFolders() {
    }

    /**
     * Deletes the stale folders under {@code root}, then creates a new private folder there
     * (owner-only) holding its lock; the folder and its lock file are deleted at a normal exit.
     */
    static synchronized Path create(Path root) throws IOException {
        sweep(root);
        for (;;) {
            Path folder = Files.createTempDirectory(root, PREFIX);
            folder.toFile().deleteOnExit(); // registered first, so deleted last (after its files)
            Path lock = folder.resolve(LOCK);
            FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
            lock.toFile().deleteOnExit();
            if (holds(channel, lock)) {
                HELD.put(folder.toAbsolutePath().normalize(), channel);
                return folder;
            }
            channel.close(); // a sweeper took it between our mkdir and our lock: it deletes that one
        }
    }

    // Whether we got the lock and the lock file is still there (a sweeper removes it before letting go).
    private static boolean holds(FileChannel channel, Path lock) {
        try {
            return channel.tryLock() != null && Files.isRegularFile(lock, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | OverlappingFileLockException e) {
            return false;
        }
    }

    /**
     * Deletes every folder of the prefix under {@code root} that no live JVM holds; errors skip a
     * folder. Synchronized with {@link #create}: a folder this JVM is creating is in HELD before
     * the sweep of another thread can open its lock file.
     */
    static synchronized void sweep(Path root) {
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(root, PREFIX + "*")) {
            for (Path folder : folders) {
                sweepOne(folder);
            }
        } catch (IOException | RuntimeException e) {
            // unreadable temporary directory: nothing to sweep; loading goes on
        }
    }

    private static void sweepOne(Path folder) {
        try {
            if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS) || HELD.containsKey(folder.toAbsolutePath().normalize())) {
                return; // a link or a file named like a folder (never followed), or one of this JVM's own
            }
            Path lock = folder.resolve(LOCK);
            if (!Files.exists(lock, LinkOption.NOFOLLOW_LINKS)) {
                FileTime modified = Files.getLastModifiedTime(folder, LinkOption.NOFOLLOW_LINKS);
                if (modified.toInstant().isBefore(Instant.now().minus(UNLOCKED_AGE))) {
                    deleteTree(folder);
                }
                return;
            }
            if (!Files.isRegularFile(lock, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
                 FileLock held = channel.tryLock()) {
                if (held != null) { // its JVM is gone: delete while holding the lock, the lock file before we let go
                    deleteTree(folder);
                }
            } catch (OverlappingFileLockException e) {
                // locked through another channel of this JVM (HELD makes this unreachable): skipped
            }
        } catch (IOException | RuntimeException e) {
            // another user's folder, or one deleted meanwhile: skipped
        }
    }

    // Deletes a folder's entries (links as links, never followed), then the folder.
    private static void deleteTree(Path folder) throws IOException {
        Files.walkFileTree(folder, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
