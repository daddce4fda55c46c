package org.attn4j.internal.module;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.internal.tensor.Shapes;

/**
 * Parameters taken from a PyTorch state dict (e.g. a memory-mapped safetensors file). F32
 * contiguous tensors are used in place (no copy); F16 and BF16 are converted to F32 into
 * {@code allocator}. Missing or mis-shaped tensors fail with the name and both shapes;
 * {@link #requireAllUsed()} fails on tensors no module asked for.
 */
public final class StateDictSource implements ParameterSource {
    private final Map<String, Tensor> tensors;
    private final ModuleArena allocator;
    private final Set<String> used = new LinkedHashSet<>();

    public StateDictSource(Map<String, Tensor> tensors, ModuleArena allocator) {
        this.tensors = tensors;
        this.allocator = allocator;
    }

    @Override
    public Parameter get(String name, long[] shape, Init init) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("missing tensor " + name + " (expected shape " + Shapes.toString(shape) + ")");
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(name + ": expected shape " + Shapes.toString(shape) + ", got "
                    + Shapes.toString(t.shape()));
        }
        if (!t.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(name + ": expected a floating-point tensor (F32, F16, BF16, F64), got " + t.dtype());
        }
        used.add(name);
        boolean inPlace = t.dtype() == DType.F32 && t.isContiguous() && t.segment().address() % 4 == 0;
        return allocator.register(name, inPlace ? t : t.to(DType.F32, allocator));
    }

    /** Throws IllegalArgumentException naming every tensor of the state dict no module took. */
    public void requireAllUsed() {
        List<String> unexpected = new ArrayList<>();
        for (String name : tensors.keySet()) {
            if (!used.contains(name)) {
                unexpected.add(name);
            }
        }
        if (!unexpected.isEmpty()) {
            throw new IllegalArgumentException("unexpected tensors in the state dict: " + String.join(", ", unexpected));
        }
    }
}
