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
    private final ModuleType<C, ?> type;
    /** The configuration this module was built with (immutable). */
    protected final C config;

    ConfiguredModule(ModuleType<C, ?> type, C config, Backend backend, Arena weights) {
        super(backend, weights);
        this.type = type;
        this.config = config;
    }

    /** The configuration this module was built or loaded with. */
    public C config() {
        return config;
    }

    @Override
    public Map<String, String> metadata() {
        Map<String, String> m = type.codec.write(config);
        m.put("class", type.className);
        return m;
    }

    @Override
    public String toString() {
        return type.className + "(" + type.codec.describe(config) + ")";
    }
}
