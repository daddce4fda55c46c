package org.attn4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.attn4j.bindings.attn4j_h;
import org.attn4j.bindings.attn4j_info;
import org.attn4j.bindings.attn4j_tensor;
import org.attn4j.internal.natives.NativeLibrary;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The committed bindings agree with native/include/attn4j.h (system property attn4j.header) and
 * with the built library: every function declared in the header has its method in attn4j_h and
 * its exported symbol in libattn4j.so; no binding is left over from a function the header lost;
 * every integer #define has its constant with the same value; and each struct's size and field
 * offsets, computed from the header with the C layout rules of x86-64, match the generated
 * layouts. Adding a function or a field to the header without regenerating fails here.
 */
@SuppressWarnings("restricted") // looks symbols up in the library file
class BindingsMatchHeaderTest {
    private static String code; // the header without comments

    @BeforeAll
    static void readHeader() throws IOException {
        String path = System.getProperty("attn4j.header");
        assertTrue(path != null, "system property attn4j.header (path of attn4j.h) is not set");
        String text = Files.readString(Path.of(path));
        code = text.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ");
        NativeLibrary.load();
    }

    /** Names of the functions the header declares: `attn4j_name(` outside comments. */
    static Set<String> declaredFunctions() {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("\\b(attn4j_[a-z0-9_]+)\\s*\\(").matcher(code);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    void headerDeclaresTheFunctionsWeKnow() {
        Set<String> names = declaredFunctions();
        assertTrue(names.size() >= 19, "found only " + names);
        assertTrue(names.contains("attn4j_bca_fused") && names.contains("attn4j_ping"), names.toString());
    }

    @Test
    void everyHeaderFunctionHasABindingAndASymbol() {
        SymbolLookup library = SymbolLookup.libraryLookup(NativeLibrary.path(), Arena.global());
        List<String> missing = new ArrayList<>();
        for (String name : declaredFunctions()) {
            if (publicStatic(name).isEmpty() || publicStatic(name + "$handle").isEmpty()
                    || publicStatic(name + "$descriptor").isEmpty() || publicStatic(name + "$address").isEmpty()) {
                missing.add(name + " (no binding in attn4j_h: regenerate bindings/)");
            }
            if (library.find(name).isEmpty()) {
                missing.add(name + " (no exported symbol in " + NativeLibrary.path() + ")");
            }
        }
        assertTrue(missing.isEmpty(), "header functions without binding or symbol: " + missing);
    }

    @Test
    void noBindingOutlivesItsDeclaration() {
        Set<String> declared = declaredFunctions();
        Set<String> bound = new TreeSet<>();
        for (Method m : attn4j_h.class.getMethods()) {
            if (m.getName().endsWith("$descriptor") && Modifier.isStatic(m.getModifiers())) {
                bound.add(m.getName().substring(0, m.getName().length() - "$descriptor".length()));
            }
        }
        bound.removeAll(declared);
        assertTrue(bound.isEmpty(), "bindings for functions the header no longer declares: " + bound);
    }

    @Test
    void everyIntegerDefineHasItsConstant() throws ReflectiveOperationException {
        Map<String, Long> defines = defines();
        assertTrue(defines.containsKey("ATTN4J_OK") && defines.containsKey("ATTN4J_DTYPE_F64"), defines.toString());
        for (Map.Entry<String, Long> e : defines.entrySet()) {
            Method m = attn4j_h.class.getMethod(e.getKey());
            assertEquals(e.getValue().intValue(), ((Number) m.invoke(null)).intValue(), e.getKey());
        }
        assertEquals(defines.get("ATTN4J_MAX_DIMS").intValue(), Tensor.MAX_RANK, "Tensor.MAX_RANK");
        for (DType t : DType.values()) {
            assertEquals(defines.get("ATTN4J_DTYPE_" + t.name()).intValue(), t.nativeCode(), "DType." + t);
        }
    }

    @Test
    void structLayoutsMatchTheHeader() throws ReflectiveOperationException {
        assertLayout("attn4j_tensor", attn4j_tensor.class, attn4j_tensor.sizeof());
        assertLayout("attn4j_info", attn4j_info.class, attn4j_info.sizeof());
        assertEquals(144, attn4j_tensor.sizeof(), "attn4j_tensor: 8 + 4 + 4 + 8·8 + 8·8 bytes");
        assertEquals(96, attn4j_info.sizeof(), "attn4j_info: 8·4 + 64 bytes");
    }

    private static void assertLayout(String struct, Class<?> binding, long bindingSize) throws ReflectiveOperationException {
        Matcher m = Pattern.compile("typedef\\s+struct\\s+" + struct + "\\s*\\{([^}]*)\\}").matcher(code);
        assertTrue(m.find(), "struct " + struct + " not found in the header");
        Map<String, Long> defines = defines();
        long offset = 0;
        long maxAlign = 1;
        Set<String> fields = new LinkedHashSet<>();
        for (String decl : m.group(1).split(";")) {
            String d = decl.trim().replaceAll("\\s+", " ");
            if (d.isEmpty()) {
                continue;
            }
            Matcher f = Pattern.compile("^(?:const )?([a-z0-9_]+)\\s*(\\*?)\\s*([a-z0-9_]+)(?:\\[([A-Z0-9_]+)\\])?$").matcher(d);
            if (!f.find()) {
                fail(struct + ": cannot parse field \"" + d + "\"");
            }
            long size = f.group(2).isEmpty() ? scalarSize(f.group(1), struct) : 8;
            long count = f.group(4) == null ? 1
                    : f.group(4).matches("\\d+") ? Long.parseLong(f.group(4)) : defines.get(f.group(4));
            offset = (offset + size - 1) / size * size; // natural alignment
            maxAlign = Math.max(maxAlign, size);
            String field = f.group(3);
            fields.add(field);
            Method offsetOf = binding.getMethod(field + "$offset");
            assertEquals(offset, (long) offsetOf.invoke(null), struct + "." + field + " offset");
            offset += size * count;
        }
        long size = (offset + maxAlign - 1) / maxAlign * maxAlign;
        assertEquals(size, bindingSize, struct + " size: header says " + size + " bytes");
        assertFalse(fields.isEmpty());
    }

    private static long scalarSize(String type, String struct) {
        return switch (type) {
            case "char", "int8_t", "uint8_t" -> 1;
            case "int16_t", "uint16_t" -> 2;
            case "int32_t", "uint32_t", "float", "int" -> 4;
            case "int64_t", "uint64_t", "double" -> 8;
            default -> throw new AssertionError(struct + ": unknown field type " + type);
        };
    }

    /** #define NAME integer, in header order. */
    private static Map<String, Long> defines() {
        Map<String, Long> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^\\s*#define\\s+(ATTN4J_[A-Z0-9_]+)\\s+(-?\\d+)\\s*$").matcher(code);
        while (m.find()) {
            out.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return out;
    }

    private static List<Method> publicStatic(String name) {
        List<Method> out = new ArrayList<>();
        for (Method m : attn4j_h.class.getMethods()) {
            if (m.getName().equals(name) && Modifier.isStatic(m.getModifiers())) {
                out.add(m);
            }
        }
        return out;
    }
}
