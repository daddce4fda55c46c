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
import javax.lang.model.element.RecordComponentElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeMirror;
import javax.tools.Diagnostic;

/**
 * Writes the builder of every module class annotated {@code @ConfigBuilder}: for a module M whose
 * configuration record is C (the type argument of {@code ConfiguredModule<C>} in M's supertypes),
 * a class {@code MBuilder extends ModuleBuilder<C, M, MBuilder>} in M's package with one setter
 * per record component, named as the component and documented by the record's {@code @param}
 * text. So a module's configuration is declared once, in its record: a new component gets its
 * setter, its metadata key and its place in {@code toString} with nothing else to write.
 *
 * <p>A boxed component (nullable in the record, null meaning "unset") gets a setter of the
 * primitive type: leaving it unset is how a caller says null.
 */
@SupportedAnnotationTypes(ModuleBuilderProcessor.ANNOTATION)
public final class ModuleBuilderProcessor extends AbstractProcessor {
    static final String ANNOTATION = "org.attn4j.internal.module.ConfigBuilder";
    private static final String CONFIGURED_MODULE = "org.attn4j.nn.ConfiguredModule";

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        for (TypeElement annotation : annotations) {
            for (Element e : round.getElementsAnnotatedWith(annotation)) {
                TypeElement module = (TypeElement) e;
                TypeElement config = configOf(module);
                if (config == null) {
                    processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR,
                            "@ConfigBuilder: expected a subclass of " + CONFIGURED_MODULE + "<C> with C a record", module);
                    continue;
                }
                try {
                    write(module, config);
                } catch (IOException ex) {
                    processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, "@ConfigBuilder: " + ex, module);
                }
            }
        }
        return true;
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

    private void write(TypeElement module, TypeElement config) throws IOException {
        String pkg = processingEnv.getElementUtils().getPackageOf(module).getQualifiedName().toString();
        String moduleName = module.getSimpleName().toString();
        String builder = moduleName + "Builder";
        String configName = config.getQualifiedName().toString().substring(pkg.length() + 1);
        Map<String, String> docs = paramDocs(processingEnv.getElementUtils().getDocComment(config));

        StringBuilder src = new StringBuilder();
        src.append("package ").append(pkg).append(";\n\n");
        src.append("/**\n * The builder of {@link ").append(moduleName).append("}: a setter per component of {@link ")
                .append(configName).append("},\n * named and documented as the record's components; unset components")
                .append(" take their defaults.\n * Written by attn4j-processor from the record (do not edit).\n */\n");
        src.append("public final class ").append(builder).append(" extends ModuleBuilder<").append(configName)
                .append(", ").append(moduleName).append(", ").append(builder).append("> {\n");
        src.append("    ").append(builder).append("(ModuleFactory<").append(configName).append(", ").append(moduleName)
                .append("> factory) { // from ").append(moduleName).append(".builder() only\n");
        src.append("        super(factory);\n    }\n");
        for (RecordComponentElement c : config.getRecordComponents()) {
            String name = c.getSimpleName().toString();
            String doc = docs.getOrDefault(name, name);
            src.append("\n    /** ").append(Character.toUpperCase(doc.charAt(0))).append(doc.substring(1))
                    .append(doc.endsWith(".") ? "" : ".").append(" */\n");
            src.append("    public ").append(builder).append(' ').append(name).append('(').append(setterType(c.asType()))
                    .append(' ').append(name).append(") {\n");
            src.append("        return set(\"").append(name).append("\", ").append(name).append(");\n    }\n");
        }
        src.append("}\n");
        try (Writer w = processingEnv.getFiler().createSourceFile(pkg + "." + builder, module).openWriter()) {
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
