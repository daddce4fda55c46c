package org.attn4j.nn;

import java.lang.foreign.Arena;
import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.internal.module.ConfigCodec;

/**
 * A module whose configuration is one record: the record is what its builder makes, what its
 * model files' {@code __metadata__} hold (written and read from the record's components) and what
 * toString shows.
 *
 * @param <C> the configuration record
 */
public abstract class ConfiguredModule<C extends Record> extends Module {
    /** The configuration this module was built with (immutable). */
    protected final C config;
    private final ConfigCodec<C> codec;

    @SuppressWarnings("unchecked")
    ConfiguredModule(C config, Backend backend, Arena weights) {
        super(backend, weights);
        this.config = config;
        this.codec = ConfigCodec.of((Class<C>) config.getClass());
    }

    /** The class name model files carry in {@code __metadata__.class}: the module's simple name. */
    String className() {
        return getClass().getSimpleName();
    }

    /** The configuration this module was built or loaded with. */
    public C config() {
        return config;
    }

    @Override
    public Map<String, String> metadata() {
        Map<String, String> m = codec.write(config);
        m.put("class", className());
        return m;
    }

    @Override
    public String toString() {
        return className() + "(" + codec.describe(config) + ")";
    }
}
