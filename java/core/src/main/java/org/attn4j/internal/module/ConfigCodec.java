package org.attn4j.internal.module;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import org.attn4j.internal.io.Json;

/**
 * A module's configuration record read from and written to safetensors {@code __metadata__}, and
 * shown by toString, all from the record's components: each component is one metadata key, its
 * Java name in snake_case (dimHead → dim_head), in component order. Values are written as the
 * reference writes them (int 8, float 0.1 by Float.toString, double by Double.toString, boolean
 * true, enum "relu" as a JSON string); a null component is left out. A component whose type is a
 * record (rotary: RotaryEmbedding) is flattened under its name (rotary_dim, rotary_theta, ...)
 * and is null when its first key is absent. Defaults come from {@link Default} and
 * {@link SameAs}. The reflection runs once per record class (cached); it runs when a module is
 * built, loaded or saved, never in a forward.
 *
 * @param <C> the configuration record
 */
public final class ConfigCodec<C extends Record> {
    private static final ClassValue<ConfigCodec<?>> CODECS = new ClassValue<>() {
        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        protected ConfigCodec<?> computeValue(Class<?> type) {
            return new ConfigCodec(type.asSubclass(Record.class), "");
        }
    };

    private final Class<C> type;
    private final Constructor<C> constructor;
    private final List<Field> fields = new ArrayList<>();

    /** One component: its Java name, metadata key, type, default and (for a record) its flattened parts. */
    private record Field(String name, String key, Class<?> type, Method accessor, String defaultText, String sameAs,
                         ConfigCodec<?> parts) {
    }

    private ConfigCodec(Class<C> type, String prefix) {
        this.type = type;
        RecordComponent[] components = type.getRecordComponents();
        try {
            this.constructor = type.getDeclaredConstructor(
                    Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(type + ": no canonical constructor", e);
        }
        for (RecordComponent c : components) {
            String own = Json.snakeCase(c.getName());
            String key = own.startsWith(prefix) ? own : prefix + own; // rotary + rotary_dim → rotary_dim
            Default d = c.getAnnotation(Default.class);
            SameAs s = c.getAnnotation(SameAs.class);
            ConfigCodec<?> parts = c.getType().isRecord() ? new ConfigCodec<>(c.getType().asSubclass(Record.class), key + "_")
                    : null;
            fields.add(new Field(c.getName(), key, c.getType(), c.getAccessor(), d == null ? null : d.value(),
                    s == null ? null : s.value(), parts));
        }
    }

    /** The codec of {@code type}, made once. */
    @SuppressWarnings("unchecked")
    public static <C extends Record> ConfigCodec<C> of(Class<C> type) {
        return (ConfigCodec<C>) CODECS.get(type);
    }

    /** True when {@code name} is a component of the record (a builder's setter names one). */
    public boolean has(String name) {
        return fields.stream().anyMatch(f -> f.name.equals(name));
    }

    /**
     * The record from a builder's values by component name: unset components take their
     * default; an unset required one is an IllegalArgumentException naming it. The record's own
     * constructor validates the rest.
     */
    public C create(Map<String, Object> values) {
        Object[] args = new Object[fields.size()];
        for (int n = 0; n < args.length; n++) {
            Field f = fields.get(n);
            if (values.containsKey(f.name)) {
                args[n] = values.get(f.name);
            } else if (f.defaultText != null) {
                args[n] = parse(f, f.defaultText);
            } else if (f.sameAs == null && f.type.isPrimitive()) {
                throw new IllegalArgumentException(f.key + ": required, not set (the builder's " + f.name + ")");
            }
        }
        return construct(resolveSameAs(args));
    }

    /** The record from {@code __metadata__}; a missing required key is an IllegalArgumentException naming it. */
    public C read(Metadata meta) {
        Object[] args = new Object[fields.size()];
        for (int n = 0; n < args.length; n++) {
            Field f = fields.get(n);
            String text = meta.text(f.key);
            if (f.parts != null) {
                args[n] = meta.text(f.parts.fields.getFirst().key) == null ? null : f.parts.read(meta);
            } else if (text != null) {
                args[n] = parse(f, text);
            } else if (f.defaultText != null) {
                args[n] = parse(f, f.defaultText);
            } else if (f.sameAs == null && f.type.isPrimitive()) {
                throw new IllegalArgumentException("__metadata__: missing \"" + f.key + "\"");
            }
        }
        return construct(resolveSameAs(args));
    }

    /** The record's components as metadata (JSON-encoded values), in component order; null ones left out. */
    public Map<String, String> write(C config) {
        Map<String, String> m = new LinkedHashMap<>();
        forEach(config, (f, value) -> m.put(f.key, encode(value)));
        return m;
    }

    /** "dim=64, heads=8, activation=relu": the components as their metadata keys, null ones left out. */
    public String describe(C config) {
        StringJoiner s = new StringJoiner(", ");
        forEach(config, (f, value) -> s.add(f.key + "=" + (value instanceof Enum<?> e ? enumName(e) : value)));
        return s.toString();
    }

    private interface Visitor {
        void accept(Field field, Object value);
    }

    /** Every non-null leaf component of {@code config}, nested records flattened. */
    private void forEach(Object config, Visitor visitor) {
        for (Field f : fields) {
            Object value = get(f, config);
            if (value == null) {
                continue;
            }
            if (f.parts != null) {
                f.parts.forEach(value, visitor);
            } else {
                visitor.accept(f, value);
            }
        }
    }

    private Object[] resolveSameAs(Object[] args) {
        for (int n = 0; n < args.length; n++) {
            Field f = fields.get(n);
            if (args[n] == null && f.sameAs != null) {
                args[n] = args[index(f.sameAs)];
            }
        }
        return args;
    }

    private int index(String name) {
        for (int n = 0; n < fields.size(); n++) {
            if (fields.get(n).name.equals(name)) {
                return n;
            }
        }
        throw new IllegalStateException(type.getName() + ": @SameAs names no component " + name);
    }

    private C construct(Object[] args) {
        try {
            return constructor.newInstance(args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r; // the record's own validation: IllegalArgumentException naming the argument
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(type.getName() + ": cannot construct", e);
        } catch (IllegalArgumentException e) {
            // Only a builder value of the wrong type (a setter bug) or a null primitive reaches here.
            throw new IllegalStateException(type.getName() + ": component types do not match " + Arrays.toString(args), e);
        }
    }

    private static Object get(Field f, Object config) {
        try {
            return f.accessor.invoke(config);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(f.name, e);
        }
    }

    /** Metadata text → the component's type; a bad value is an IllegalArgumentException naming the key. */
    private static Object parse(Field f, String text) {
        Class<?> t = f.type;
        try {
            if (t == int.class || t == Integer.class) {
                return Math.toIntExact(Long.parseLong(text));
            } else if (t == long.class || t == Long.class) {
                return Long.parseLong(text);
            } else if (t == float.class || t == Float.class) {
                return (float) finite(text);
            } else if (t == double.class || t == Double.class) {
                return finite(text);
            } else if (t == boolean.class || t == Boolean.class) {
                return switch (text) {
                    case "true" -> true;
                    case "false" -> false;
                    default -> throw new IllegalArgumentException("__metadata__." + f.key + ": expected true or false, got " + text);
                };
            } else if (t.isEnum()) {
                return enumConstant(f, text);
            }
        } catch (NumberFormatException | ArithmeticException e) {
            boolean whole = t == int.class || t == Integer.class || t == long.class || t == Long.class;
            throw new IllegalArgumentException("__metadata__." + f.key + ": expected " + (whole ? "an integer" : "a number")
                    + ", got " + text);
        }
        throw new IllegalStateException(f.key + ": unsupported configuration type " + t);
    }

    private static double finite(String text) {
        double d = Double.parseDouble(text);
        if (!Double.isFinite(d)) {
            throw new NumberFormatException(text);
        }
        return d;
    }

    /** "relu" (a JSON string, or bare in a {@link Default}) → the constant named RELU. */
    private static Object enumConstant(Field f, String text) {
        Object parsed = text.startsWith("\"") ? Json.parse(text) : text;
        List<String> names = new ArrayList<>();
        for (Object c : f.type.getEnumConstants()) {
            String name = enumName((Enum<?>) c);
            if (name.equals(parsed)) {
                return c;
            }
            names.add(name);
        }
        throw new IllegalArgumentException(f.key + ": expected one of " + names + ", got " + text);
    }

    private static String encode(Object value) {
        return switch (value) {
            case Float x -> Float.toString(x);
            case Double x -> Double.toString(x);
            case Enum<?> e -> Json.quote(enumName(e));
            default -> value.toString(); // Integer, Long, Boolean
        };
    }

    private static String enumName(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
