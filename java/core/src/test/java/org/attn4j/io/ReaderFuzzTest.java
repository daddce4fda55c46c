package org.attn4j.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.attn4j.Tensor;

/**
 * Jazzer fuzz targets for the file readers: any byte string is either read or rejected with the
 * reader's own IOException (a format error naming the file); anything else (an unchecked
 * exception, an OutOfMemoryError from trusting a header, a crash) is a finding. A tensor that is
 * read must be fully readable: its byte size fits the mapped data.
 *
 * <p>{@code mvn verify} replays the seeds under src/test/resources/org/attn4j/io/ReaderFuzzTestInputs/;
 * fuzz for real with {@code JAZZER_FUZZ=1 mvn -pl java/core -am test-compile surefire:test
 * -Dtest=ReaderFuzzTest#npy -Djazzer.max_duration=5m} (one method at a time).
 */
class ReaderFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void npy(byte[] data) throws IOException {
        fuzz(data, ".npy", NpyFormatException.class, (file, arena) -> touch(Npy.read(file, arena)));
    }

    @FuzzTest(maxDuration = "10s")
    void safetensors(byte[] data) throws IOException {
        fuzz(data, ".safetensors", SafeTensorsFormatException.class, (file, arena) -> {
            SafeTensorsFile st = SafeTensors.open(file, arena);
            for (Map.Entry<String, Tensor> e : st.tensors().entrySet()) {
                touch(e.getValue());
            }
            st.metadata().forEach((k, v) -> {
                if (k == null || v == null) {
                    throw new AssertionError("metadata with a null key or value");
                }
            });
        });
    }

    /** One reader on one file: reads it and checks what it read. */
    @FunctionalInterface
    private interface Read {
        void read(Path file, Arena arena) throws IOException;
    }

    /** Writes data to a temporary file and reads it; the reader's own format exception is an accepted rejection. */
    private static void fuzz(byte[] data, String suffix, Class<? extends IOException> rejection, Read read) throws IOException {
        Path file = Files.createTempFile("attn4j-fuzz", suffix);
        try (Arena arena = Arena.ofConfined()) {
            Files.write(file, data);
            read.read(file, arena);
        } catch (IOException e) {
            if (!rejection.isInstance(e)) {
                throw e;
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Reads every byte the tensor claims (a bounds error here means the reader trusted a header). */
    private static void touch(Tensor t) {
        if (t.byteSize() > t.segment().byteSize()) {
            throw new AssertionError(t + ": claims " + t.byteSize() + " bytes, segment has " + t.segment().byteSize());
        }
        if (t.numel() > 0 && t.numel() <= 1 << 16 && t.dtype().isFloatingPoint()) {
            t.toFloatArray();
        }
    }
}
