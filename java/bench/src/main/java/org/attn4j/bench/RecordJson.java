package org.attn4j.bench;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Map;
import org.attn4j.internal.io.Json;

/**
 * Records of the report (machine, rows) as JSON objects and back: one key per component, its
 * name in snake_case ({@code medianMs} → {@code median_ms}), in declaration order, so that a
 * record's fields are declared once. Numbers that are not finite become null (JSON has no NaN);
 * read back, a missing or null number is NaN (0 for an int), a missing string "".
 */
final class RecordJson {
    private RecordJson() {
    }

    static Map<String, Object> toJson(Record record) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (RecordComponent c : record.getClass().getRecordComponents()) {
            Object value = invoke(() -> c.getAccessor().invoke(record));
            m.put(key(c.getName()), value instanceof Double d && !Double.isFinite(d) ? null : value);
        }
        return m;
    }

    static <R extends Record> R fromJson(Class<R> type, Map<?, ?> m) {
        RecordComponent[] components = type.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        Object[] args = new Object[components.length];
        for (int k = 0; k < components.length; k++) {
            types[k] = components[k].getType();
            Object value = m.get(key(components[k].getName()));
            double number = value instanceof Number n ? n.doubleValue() : Double.NaN;
            if (types[k] == int.class) {
                args[k] = Double.isNaN(number) ? 0 : (int) number;
            } else if (types[k] == double.class) {
                args[k] = number;
            } else if (types[k] == String.class) {
                args[k] = value == null ? "" : value.toString();
            } else {
                throw new IllegalArgumentException(type.getSimpleName() + "." + components[k].getName()
                        + ": expected int, double or String, got " + types[k].getName());
            }
        }
        Constructor<R> canonical = invoke(() -> type.getDeclaredConstructor(types));
        return invoke(() -> canonical.newInstance(args));
    }

    /** The JSON key of a component: camelCase to snake_case. */
    static String key(String component) {
        return Json.snakeCase(component);
    }

    private interface Reflective<T> {
        T get() throws ReflectiveOperationException;
    }

    private static <T> T invoke(Reflective<T> call) {
        try {
            return call.get();
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
