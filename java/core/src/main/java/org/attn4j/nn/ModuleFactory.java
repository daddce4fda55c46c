package org.attn4j.nn;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.module.ConfigCodec;
import org.attn4j.internal.module.ModuleFiles;
import org.attn4j.internal.module.ParameterSource;

/**
 * How the library makes one module class: its Java class (whose simple name its files'
 * {@code __metadata__.class} holds), configuration record and constructor. The three ways a module comes to life (from a file, from
 * a state dict, fresh from a seed) are written here once for every class. Each module's instance
 * is {@code XBuilder.FACTORY}, written by attn4j-processor beside the builder. (What a class
 * offers its callers by name, for {@code Models.load} and {@code attn4j run}, is its
 * {@link ModuleClass}.)
 *
 * @param <C> the configuration record
 * @param <M> the module
 */
final class ModuleFactory<C extends Record, M extends Module> {
    /** A module's constructor: configuration, where its parameters come from, backend, weights arena. */
    interface Constructor<C, M> {
        M create(C config, ParameterSource source, Backend backend, Arena weights);
    }

    final String className;
    final Class<M> type;
    final ConfigCodec<C> codec;
    private final Constructor<C, M> constructor;

    ModuleFactory(Class<M> type, Class<C> config, Constructor<C, M> constructor) {
        this.className = type.getSimpleName();
        this.type = type;
        this.codec = ConfigCodec.of(config);
        this.constructor = constructor;
    }

    /** Loads {@code file}, configured by its {@code __metadata__} (its class must be this one). */
    M load(Path file, Backend backend) throws IOException {
        return ModuleFiles.load(file, className,
                (meta, source, arena) -> constructor.create(codec.read(meta), source, backend, arena));
    }

    /** Freshly initialised as PyTorch initialises the module, from {@code seed}. */
    M fresh(C config, Backend backend, long seed) {
        return ModuleFiles.fresh(seed, (source, arena) -> constructor.create(config, source, backend, arena));
    }

    /** Over a caller's state dict (F32 contiguous tensors used in place). */
    M fromStateDict(C config, Backend backend, Map<String, Tensor> stateDict) {
        return ModuleFiles.fromStateDict(stateDict, (source, arena) -> constructor.create(config, source, backend, arena));
    }
}
