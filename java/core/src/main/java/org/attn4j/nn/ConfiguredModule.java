package org.attn4j.nn;

import java.lang.foreign.Arena;
import java.util.Map;
import org.attn4j.Backend;

/**
 * A module whose configuration is one record: the record is what its builder makes, what its
 * model files' {@code __metadata__} hold (written and read from the record's components) and what
 * toString shows.
 *
 * @param <C> the configuration record
 */
public abstract class ConfiguredModule<C extends Record> extends Module {
    private final ModuleFactory<C, ?> factory;
    /** The configuration this module was built with (immutable). */
    protected final C config;

    ConfiguredModule(ModuleFactory<C, ?> factory, C config, Backend backend, Arena weights) {
        super(backend, weights);
        this.factory = factory;
        this.config = config;
    }

    /** The configuration this module was built or loaded with. */
    public C config() {
        return config;
    }

    @Override
    public Map<String, String> metadata() {
        Map<String, String> m = factory.codec.write(config);
        m.put("class", factory.className);
        return m;
    }

    @Override
    public String toString() {
        return factory.className + "(" + factory.codec.describe(config) + ")";
    }
}
