package org.attn4j.nn;

import java.io.IOException;
import java.lang.foreign.SegmentAllocator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.Tensor;

/**
 * One module class as a model file names it ({@code __metadata__.class}): how it loads, and its
 * forward with inputs, boolean options and outputs under the reference's argument names, as
 * PyTorch's {@code module(**kwargs)} calls it. {@link ModuleClasses} lists every one; this is what
 * {@link Models#load} and {@code attn4j run} go through.
 */
public final class ModuleClass {
    /** The typed forward behind the named one; {@code in} holds validated names. */
    @FunctionalInterface
    interface Forward {
        Map<String, Tensor> run(Module module, SegmentAllocator allocator, Arguments in, AttentionPath path);
    }

    /** The named arguments of one call: a tensor (null when absent) or an option (its default when absent). */
    record Arguments(Map<String, Tensor> tensors, Map<String, Boolean> options) {
        Tensor tensor(String name) {
            return tensors.get(name);
        }

        boolean option(String name) {
            return options.get(name);
        }
    }

    private final String name;
    private final Class<? extends Module> type;
    private final ModuleFactory<?, ? extends Module> factory;
    private final List<String> required;
    private final List<String> inputs;
    private final Map<String, Boolean> options;
    private final boolean choosesPath;
    private final List<String> outputs;
    private final Forward forward;

    ModuleClass(ModuleFactory<?, ? extends Module> factory, List<String> required, List<String> optional,
                Map<String, Boolean> options, boolean choosesPath, List<String> outputs, Forward forward) {
        this.name = factory.className;
        this.type = factory.type;
        this.factory = factory;
        this.required = List.copyOf(required);
        List<String> all = new ArrayList<>(required);
        all.addAll(optional);
        this.inputs = List.copyOf(all);
        this.options = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(options));
        this.choosesPath = choosesPath;
        this.outputs = List.copyOf(outputs);
        this.forward = forward;
    }

    /** The class name model files carry in {@code __metadata__.class}. */
    public String name() {
        return name;
    }

    /** The Java class of its modules. */
    public Class<? extends Module> type() {
        return type;
    }

    /** Every input name forward reads, in the reference's argument order (required ones first). */
    public List<String> inputs() {
        return inputs;
    }

    /** The inputs forward cannot do without. */
    public List<String> requiredInputs() {
        return required;
    }

    /** The boolean forward options by the reference's names, with their defaults, in argument order. */
    public Map<String, Boolean> options() {
        return options;
    }

    /** True when the module offers a choice of {@link AttentionPath} (the others have one path). */
    public boolean choosesPath() {
        return choosesPath;
    }

    /** Every output name forward may give, in order (some only under an option, e.g. attention weights). */
    public List<String> outputs() {
        return outputs;
    }

    /** Loads a model file of this class; IllegalArgumentException when the file names another class. */
    public Module load(Path file, Backend backend) throws IOException {
        return factory.load(file, backend);
    }

    /**
     * One forward of {@code module} (of this class) on named inputs → named outputs from
     * {@code allocator}, in the order of {@link #outputs()} (those an option turns off are
     * absent). Absent optional inputs are null, absent options take their defaults.
     * IllegalArgumentException names an unknown or missing input, an unknown option, or a module
     * of another class; shapes are checked by the module's forward.
     */
    public Map<String, Tensor> forward(Module module, SegmentAllocator allocator, Map<String, Tensor> inputs,
                                       Map<String, Boolean> options, AttentionPath path) {
        if (!type.isInstance(module)) {
            throw new IllegalArgumentException("module: expected a " + name + ", got "
                    + (module == null ? "null" : module.getClass().getSimpleName()));
        }
        for (String input : inputs.keySet()) {
            if (!this.inputs.contains(input)) {
                throw new IllegalArgumentException("unexpected tensor " + input + " for " + name + " (expected "
                        + String.join(", ", this.inputs) + ")");
            }
        }
        for (String input : required) {
            if (inputs.get(input) == null) {
                throw new IllegalArgumentException("missing " + input + " (" + name + " needs " + String.join(", ", required) + ")");
            }
        }
        Map<String, Boolean> resolved = new LinkedHashMap<>(this.options);
        for (Map.Entry<String, Boolean> e : options.entrySet()) {
            if (!this.options.containsKey(e.getKey())) {
                throw new IllegalArgumentException("unknown option " + e.getKey() + " for " + name + " (expected "
                        + (this.options.isEmpty() ? "none" : String.join(", ", this.options.keySet())) + ")");
            }
            resolved.put(e.getKey(), e.getValue());
        }
        return forward.run(module, allocator, new Arguments(inputs, resolved), path == null ? AttentionPath.AUTO : path);
    }

    /** name → tensor pairs in order, nulls left out: a forward's named outputs. */
    static Map<String, Tensor> outputs(Object... nameThenTensor) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int k = 0; k < nameThenTensor.length; k += 2) {
            if (nameThenTensor[k + 1] != null) {
                out.put((String) nameThenTensor[k], (Tensor) nameThenTensor[k + 1]);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return name;
    }
}
