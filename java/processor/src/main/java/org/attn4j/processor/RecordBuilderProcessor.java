package org.attn4j.processor;

import java.io.IOException;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.RecordComponentElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeMirror;
import javax.tools.Diagnostic;

/**
 * Writes builders from records, so that what a record declares is declared once: a new component
 * gets its setter with nothing else to write.
 * <ul>
 * <li>For every concrete module class M whose configuration record is C (the type argument of
 * {@code ConfiguredModule<C>} in M's supertypes; no annotation, so no module can go without):
 * {@code MBuilder extends ModuleBuilder<C, M, MBuilder>} in M's package, whose setters fill in C
 * by component name (ModuleBuilder fills in the defaults and builds the module), and M's
 * {@code ModuleFactory} as {@code MBuilder.FACTORY} (its loader; M's constructor
 * {@code M(C, ParameterSource, Backend, Arena)} is package-private for it).</li>
 * <li>{@code @OptionsBuilder} on a record R: {@code RBuilder} with a field per component, started
 * from an R it is given (the record's defaults), and {@code build()}, R's canonical constructor.</li>
 * </ul>
 * Setters are named as the components and documented by the record's {@code @param} text. A boxed
 * configuration component (nullable, null meaning "unset") gets a setter of the primitive type:
 * leaving it unset is how a caller says null.
 */
@SupportedAnnotationTypes("*") // every type, to find the module classes; claims none
public final class RecordBuilderProcessor extends AbstractProcessor {
    static final String OPTIONS_BUILDER = "org.attn4j.internal.module.OptionsBuilder";
    private static final String CONFIGURED_MODULE = "org.attn4j.nn.ConfiguredModule";

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        for (Element e : round.getRootElements()) {
            if (e.getKind() != ElementKind.CLASS || e.getModifiers().contains(Modifier.ABSTRACT)) {
                continue;
            }
            TypeElement config = configOf((TypeElement) e);
            if (config != null) {
                reporting(e, () -> writeModuleBuilder((TypeElement) e, config));
            }
        }
        TypeElement options = processingEnv.getElementUtils().getTypeElement(OPTIONS_BUILDER);
        for (Element e : options == null ? Set.<Element>of() : round.getElementsAnnotatedWith(options)) {
            if (e.getKind() == ElementKind.RECORD) {
                reporting(e, () -> writeOptionsBuilder((TypeElement) e));
            } else {
                processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, "@OptionsBuilder: expected a record", e);
            }
        }
        return false;
    }

    private interface Writing {
        void run() throws IOException;
    }

    private void reporting(Element origin, Writing writing) {
        try {
            writing.run();
        } catch (IOException ex) {
            processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, "attn4j-processor: " + ex, origin);
        }
    }

    // C of ConfiguredModule<C> among the module's supertypes (type variables substituted on the way).
    private TypeElement configOf(TypeElement module) {
        TypeMirror type = module.asType();
        while (type instanceof DeclaredType declared) {
            TypeElement element = (TypeElement) declared.asElement();
            if (element.getQualifiedName().contentEquals(CONFIGURED_MODULE)) {
                List<? extends TypeMirror> args = declared.getTypeArguments();
                if (args.size() == 1 && args.get(0) instanceof DeclaredType c
                        && c.asElement().getKind() == ElementKind.RECORD) {
                    return (TypeElement) c.asElement();
                }
                return null;
            }
            List<? extends TypeMirror> supers = processingEnv.getTypeUtils().directSupertypes(type);
            type = supers.isEmpty() ? null : supers.get(0); // the superclass comes first
        }
        return null;
    }

    private void writeModuleBuilder(TypeElement module, TypeElement config) throws IOException {
        String pkg = packageOf(module);
        String moduleName = module.getSimpleName().toString();
        String builder = moduleName + "Builder";
        String configName = nameIn(pkg, config);
        StringBuilder src = header(pkg, moduleName, configName, "unset components take their defaults");
        src.append("public final class ").append(builder).append(" extends ModuleBuilder<").append(configName)
                .append(", ").append(moduleName).append(", ").append(builder).append("> {\n");
        src.append("    /** Loads and makes ").append(moduleName).append("s. */\n");
        src.append("    static final ModuleFactory<").append(configName).append(", ").append(moduleName)
                .append("> FACTORY = new ModuleFactory<>(\n            ")
                .append(moduleName).append(".class, ").append(configName).append(".class, ").append(moduleName).append("::new);\n\n");
        src.append("    ").append(builder).append("() { // from ").append(moduleName).append(".builder() only\n");
        src.append("        super(FACTORY);\n    }\n");
        Map<String, String> docs = paramDocs(processingEnv.getElementUtils().getDocComment(config));
        for (RecordComponentElement c : config.getRecordComponents()) {
            String name = c.getSimpleName().toString();
            setter(src, builder, name, setterType(c.asType()), docs, "return set(\"" + name + "\", " + name + ");");
        }
        write(pkg + "." + builder, module, src.append("}\n"));
    }

    private void writeOptionsBuilder(TypeElement record) throws IOException {
        String pkg = packageOf(record);
        String recordName = nameIn(pkg, record);
        String builder = record.getSimpleName() + "Builder";
        StringBuilder src = header(pkg, recordName, recordName, "it starts from the record it is given");
        src.append("public final class ").append(builder).append(" {\n");
        List<? extends RecordComponentElement> components = record.getRecordComponents();
        for (RecordComponentElement c : components) {
            src.append("    private ").append(c.asType()).append(' ').append(c.getSimpleName()).append(";\n");
        }
        src.append("\n    ").append(builder).append('(').append(recordName).append(" start) { // from ")
                .append(recordName).append(".builder() only\n");
        for (RecordComponentElement c : components) {
            src.append("        this.").append(c.getSimpleName()).append(" = start.").append(c.getSimpleName())
                    .append("();\n");
        }
        src.append("    }\n");
        Map<String, String> docs = paramDocs(processingEnv.getElementUtils().getDocComment(record));
        for (RecordComponentElement c : components) {
            String name = c.getSimpleName().toString();
            setter(src, builder, name, c.asType().toString(), docs, "this." + name + " = " + name + ";\n        return this;");
        }
        src.append("\n    /** The options as set; the record's checks throw IllegalArgumentException. */\n");
        src.append("    public ").append(recordName).append(" build() {\n        return new ").append(recordName).append('(')
                .append(String.join(", ", components.stream().map(c -> c.getSimpleName().toString()).toList()))
                .append(");\n    }\n");
        write(pkg + "." + builder, record, src.append("}\n"));
    }

    private String packageOf(Element e) {
        return processingEnv.getElementUtils().getPackageOf(e).getQualifiedName().toString();
    }

    // "Outer.Config" for a nested record of package pkg.
    private static String nameIn(String pkg, TypeElement type) {
        return type.getQualifiedName().toString().substring(pkg.length() + 1);
    }

    private static StringBuilder header(String pkg, String built, String record, String start) {
        return new StringBuilder().append("package ").append(pkg).append(";\n\n")
                .append("/**\n * The builder of {@link ").append(built).append("}: a setter per component of {@link ")
                .append(record).append("},\n * named and documented as the record's components; ").append(start)
                .append(".\n * Written by attn4j-processor from the record (do not edit).\n */\n");
    }

    private static void setter(StringBuilder src, String builder, String name, String type, Map<String, String> docs,
                               String body) {
        String doc = docs.getOrDefault(name, name);
        src.append("\n    /** ").append(Character.toUpperCase(doc.charAt(0))).append(doc.substring(1))
                .append(doc.endsWith(".") ? "" : ".").append(" */\n");
        src.append("    public ").append(builder).append(' ').append(name).append('(').append(type).append(' ')
                .append(name).append(") {\n        ").append(body).append("\n    }\n");
    }

    private void write(String qualifiedName, Element origin, StringBuilder src) throws IOException {
        try (Writer w = processingEnv.getFiler().createSourceFile(qualifiedName, origin).openWriter()) {
            w.write(src.toString());
        }
    }

    // The primitive for a boxed type, the type itself otherwise (its canonical name).
    private String setterType(TypeMirror type) {
        try {
            return processingEnv.getTypeUtils().unboxedType(type).toString();
        } catch (IllegalArgumentException notBoxed) {
            return type.toString();
        }
    }

    // "@param name text" of a doc comment, by name; the text's lines joined by single spaces.
    static Map<String, String> paramDocs(String comment) {
        Map<String, String> docs = new LinkedHashMap<>();
        if (comment == null) {
            return docs;
        }
        String current = null;
        for (String raw : comment.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("@")) {
                current = null;
                if (line.startsWith("@param ")) {
                    String[] parts = line.substring(7).strip().split("\\s+", 2);
                    current = parts[0];
                    docs.put(current, parts.length > 1 ? parts[1] : "");
                }
            } else if (current != null && !line.isEmpty()) {
                docs.put(current, (docs.get(current) + " " + line).strip());
            }
        }
        docs.replaceAll((k, v) -> v.isEmpty() ? k : v);
        return docs;
    }
}
