package org.attn4j.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.spark.broadcast.Broadcast;

/**
 * Where executors find a model file: a path that every executor can read (a shared file system,
 * or a file shipped with {@code --files}), or the file's bytes in a Spark broadcast (up to 2 GB;
 * each executor JVM writes them once to a temporary file and memory-maps that). {@link #key()}
 * names the content, so a JVM loads each model once however many tasks and Transformers use it.
 */
final class ModelSource implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String path;              // null for a broadcast
    private final Broadcast<byte[]> bytes;  // null for a path
    private final String sha256;            // of the bytes; null for a path

    private ModelSource(String path, Broadcast<byte[]> bytes, String sha256) {
        this.path = path;
        this.bytes = bytes;
        this.sha256 = sha256;
    }

    static ModelSource ofPath(String path) {
        return new ModelSource(path, null, null);
    }

    /** {@code content} must be the bytes that {@code broadcast} carries. */
    static ModelSource ofBroadcast(Broadcast<byte[]> broadcast, byte[] content) {
        return new ModelSource(null, broadcast, sha256(content));
    }

    boolean isBroadcast() {
        return bytes != null;
    }

    String path() {
        return path;
    }

    /**
     * What identifies the model in this JVM: the content hash for a broadcast; for a path, the
     * absolute path with its size and modification time, so a file rewritten in place is loaded anew.
     */
    String key() throws IOException {
        if (bytes != null) {
            return "sha256:" + sha256;
        }
        Path p = existing();
        return "file:" + p.toAbsolutePath().normalize() + ":" + Files.size(p) + ":" + Files.getLastModifiedTime(p).toMillis();
    }

    /** The file to memory-map: the path itself, or the broadcast bytes written to a new temporary file. */
    Path materialize() throws IOException {
        if (bytes == null) {
            return existing();
        }
        byte[] content = bytes.value();
        if (!sha256.equals(sha256(content))) {
            throw new IOException("broadcast model: expected bytes with SHA-256 " + sha256 + ", got " + sha256(content));
        }
        Path file = Files.createTempFile("attn4j-model-", ".safetensors");
        file.toFile().deleteOnExit();
        Files.write(file, content, StandardOpenOption.TRUNCATE_EXISTING);
        return file;
    }

    private Path existing() throws IOException {
        Path p = Path.of(path);
        if (!Files.isRegularFile(p)) {
            throw new IOException("model file " + path + ": no such file on this host (give a path every executor can read, "
                    + "or broadcast the model)");
        }
        return p;
    }

    @Override
    public String toString() {
        return bytes != null ? "broadcast model (SHA-256 " + sha256.substring(0, 12) + "…)" : path;
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new UncheckedIOException(new IOException("SHA-256 is missing from this JVM", e));
        }
    }
}
