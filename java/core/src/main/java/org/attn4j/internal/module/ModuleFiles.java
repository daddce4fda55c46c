package org.attn4j.internal.module;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.attn4j.Tensor;
import org.attn4j.io.SafeTensors;
import org.attn4j.io.SafeTensorsFile;

/**
 * The three ways the attention-family modules come to life, written once: from a safetensors
 * file (configured by its {@code __metadata__}), from a state dict, or freshly initialised from a
 * seed. Each gives the module a shared arena that the module's close() releases, and closes it
 * again if construction fails.
 */
public final class ModuleFiles {
    private ModuleFiles() {
    }

    /** Builds a module from its configuration and a parameter source, inside {@code arena}. */
    public interface Factory<M> {
        M create(Metadata meta, ParameterSource source, ModuleArena arena);
    }

    /** Builds a module from a parameter source inside {@code arena} (configuration already known). */
    public interface Constructor<M> {
        M create(ParameterSource source, ModuleArena arena);
    }

    /** Loads {@code file}: its metadata "class" must be {@code className}; every tensor must be used. */
    public static <M> M load(Path file, String className, Factory<M> factory) throws IOException {
        ModuleArena arena = new ModuleArena();
        try {
            SafeTensorsFile st = SafeTensors.open(file, arena);
            Metadata meta = new Metadata(st.metadata());
            if (!className.equals(meta.className())) {
                throw new IllegalArgumentException(file + ": expected class " + className + ", got " + meta.className());
            }
            StateDictSource source = new StateDictSource(st.tensors(), arena);
            M module = factory.create(meta, source, arena);
            source.requireAllUsed();
            return module;
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Over a caller's state dict: F32 contiguous tensors are used in place (the caller keeps them alive). */
    public static <M> M fromStateDict(Map<String, Tensor> stateDict, Constructor<M> constructor) {
        if (stateDict == null) {
            throw new IllegalArgumentException("stateDict must not be null");
        }
        ModuleArena arena = new ModuleArena();
        try {
            StateDictSource source = new StateDictSource(stateDict, arena);
            M module = constructor.create(source, arena);
            source.requireAllUsed();
            return module;
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Freshly initialised as PyTorch initialises the module, from {@code seed}. */
    public static <M> M fresh(long seed, Constructor<M> constructor) {
        ModuleArena arena = new ModuleArena();
        try {
            return constructor.create(new RandomSource(arena, seed), arena);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }
}
