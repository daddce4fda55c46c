package org.attn4j.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.attn4j.Tensor;

/**
 * An opened safetensors file: its tensors are read-only views of one memory mapping held by
 * the arena given to {@link SafeTensors#open}, valid until that arena closes. Immutable and
 * safe to share between threads (as far as the arena allows: a confined arena's segments can
 * only be read from its owner thread).
 */
public final class SafeTensorsFile {
    private final Path path;
    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;

    SafeTensorsFile(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) {
        this.path = path;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** The file this was read from. */
    public Path path() {
        return path;
    }

    /** Every tensor, in header order (unmodifiable). */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /** True if the file holds a tensor of this name. */
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /**
     * The tensor called {@code name}. Throws IllegalArgumentException naming the missing key and
     * listing the tensors the file does hold.
     */
    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException(path + ": no tensor " + TensorFiles.quote(String.valueOf(name))
                    + "; the file holds " + tensors.size() + ": " + listNames());
        }
        return t;
    }

    /** The {@code __metadata__} string map, in header order (unmodifiable; empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** At most 50 names, so that a model with thousands of tensors still gives a readable message. */
    private String listNames() {
        List<String> names = new ArrayList<>();
        for (String n : tensors.keySet()) {
            if (names.size() == 50) {
                names.add("... " + (tensors.size() - 50) + " more");
                break;
            }
            names.add(n);
        }
        return names.toString();
    }

    @Override
    public String toString() {
        return "SafeTensorsFile(" + path + ", " + tensors.size() + " tensors)";
    }
}
