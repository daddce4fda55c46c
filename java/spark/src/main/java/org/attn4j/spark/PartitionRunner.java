package org.attn4j.spark;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.attn4j.Tensor;
import org.attn4j.nn.BidirectionalOutput;

/**
 * The applier's work in one partition: reads up to batchSize rows, checks each, groups the good
 * ones by shape (i, j) so every group is one batched forward without padding (padding would
 * change rows that are entirely masked: they become uniform over the padded length), runs the
 * groups, and emits the chunk's rows in their order with the output columns appended.
 */
final class PartitionRunner implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    private final ApplierPlan plan;

    PartitionRunner(ApplierPlan plan) {
        this.plan = plan;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        TaskContext task = TaskContext.get();
        int threads = TaskThreads.resolve(plan.threadsPerTask());
        int partition = task == null ? 0 : task.partitionId();
        return new ChunkedRows<>(rows, plan.batchSize(), () -> ExecutorModels.module(plan.source(), threads),
                (model, chunk, firstRow) -> runChunk(model, chunk, partition, firstRow));
    }

    /** One position-major input row, checked. */
    private record Inputs(float[] x, int i, float[] context, int j, boolean[] mask, boolean[] contextMask) {
    }

    /** The chunk's rows with outputs appended, in order. */
    List<Row> runChunk(LoadedModule model, List<Row> chunk, int partition, long firstIndex) {
        int dim = model.dim();
        int contextDim = model.contextDim();
        Inputs[] inputs = new Inputs[chunk.size()];
        Map<List<Integer>, List<Integer>> groups = new LinkedHashMap<>(); // (i, j) → row positions in the chunk
        for (int r = 0; r < chunk.size(); r++) {
            try {
                inputs[r] = read(chunk.get(r), dim, contextDim);
                groups.computeIfAbsent(List.of(inputs[r].i(), inputs[r].j()), k -> new ArrayList<>()).add(r);
            } catch (BadRowException e) {
                if (!plan.keepInvalid()) {
                    throw new IllegalArgumentException("ModuleApplier: " + describe(chunk.get(r), partition, firstIndex + r) + ": "
                            + e.getMessage() + " (handleInvalid=keep gives such rows null outputs)");
                }
            }
        }
        Object[][] outputs = new Object[chunk.size()][];
        for (List<Integer> group : groups.values()) {
            try {
                forward(model, inputs, group, outputs);
            } catch (RuntimeException e) {
                throw new IllegalStateException("ModuleApplier: rows " + (firstIndex + group.get(0)) + ".." + (firstIndex + group.getLast())
                        + " of partition " + partition + " (one batch of " + group.size() + "): " + e.getMessage(), e);
            }
        }
        int outs = plan.twoSequence() ? 2 : 1;
        List<Row> result = new ArrayList<>(chunk.size());
        for (int r = 0; r < chunk.size(); r++) {
            Row row = chunk.get(r);
            Object[] values = new Object[row.length() + outs];
            for (int k = 0; k < row.length(); k++) {
                values[k] = row.get(k);
            }
            if (outputs[r] != null) {
                System.arraycopy(outputs[r], 0, values, row.length(), outs);
            }
            result.add(RowFactory.create(values));
        }
        return result;
    }

    private Inputs read(Row row, int dim, int contextDim) throws BadRowException {
        float[] x = ArrayColumns.sequence(row.get(plan.xIndex()), dim, plan.xCol());
        int i = x.length / dim;
        boolean[] mask = plan.maskIndex() < 0 ? null : ArrayColumns.mask(row.get(plan.maskIndex()), i, plan.maskCol());
        if (!plan.twoSequence()) {
            return new Inputs(x, i, null, 0, mask, null);
        }
        float[] context = ArrayColumns.sequence(row.get(plan.contextIndex()), contextDim, plan.contextCol());
        int j = context.length / contextDim;
        boolean[] contextMask = plan.contextMaskIndex() < 0 ? null
                : ArrayColumns.mask(row.get(plan.contextMaskIndex()), j, plan.contextMaskCol());
        return new Inputs(x, i, context, j, mask, contextMask);
    }

    /** One batched forward over rows {@code group} (all of one shape); fills their outputs. */
    private void forward(LoadedModule model, Inputs[] inputs, List<Integer> group, Object[][] outputs) {
        int g = group.size();
        Inputs first = inputs[group.get(0)];
        int i = first.i();
        int dim = model.dim();
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.of(arena, concat(inputs, group, Inputs::x, i * dim), g, i, dim); // [g, i, dim]
            Tensor mask = masks(arena, inputs, group, Inputs::mask, i); // [g, i] or null
            if (model instanceof LoadedModule.TwoSequence two) {
                int j = first.j();
                int contextDim = model.contextDim();
                Tensor context = Tensor.of(arena, concat(inputs, group, Inputs::context, j * contextDim), g, j, contextDim);
                Tensor contextMask = masks(arena, inputs, group, Inputs::contextMask, j); // [g, j] or null
                BidirectionalOutput o = two.forward(arena, x, context, mask, contextMask);
                float[] out = o.out().toFloatArray();               // [g, i, dim]
                float[] contextOut = o.contextOut().toFloatArray(); // [g, j, contextDim]
                for (int k = 0; k < g; k++) {
                    outputs[group.get(k)] = new Object[] {
                            ArrayColumns.toSequence(Arrays.copyOfRange(out, k * i * dim, (k + 1) * i * dim), i, dim),
                            ArrayColumns.toSequence(Arrays.copyOfRange(contextOut, k * j * contextDim, (k + 1) * j * contextDim), j, contextDim)};
                }
            } else {
                float[] out = ((LoadedModule.OneSequence) model).forward(arena, x, mask, plan.causal()).toFloatArray(); // [g, i, dim]
                for (int k = 0; k < g; k++) {
                    outputs[group.get(k)] = new Object[] {
                            ArrayColumns.toSequence(Arrays.copyOfRange(out, k * i * dim, (k + 1) * i * dim), i, dim)};
                }
            }
        }
    }

    private static float[] concat(Inputs[] inputs, List<Integer> group, java.util.function.Function<Inputs, float[]> part, int each) {
        float[] all = new float[group.size() * each];
        for (int k = 0; k < group.size(); k++) {
            System.arraycopy(part.apply(inputs[group.get(k)]), 0, all, k * each, each);
        }
        return all;
    }

    /** BOOL [g, n] from the rows' masks (a null mask = all true); null when no row has one. */
    private static Tensor masks(Arena arena, Inputs[] inputs, List<Integer> group,
                                java.util.function.Function<Inputs, boolean[]> part, int n) {
        boolean any = false;
        for (int r : group) {
            any |= part.apply(inputs[r]) != null;
        }
        if (!any) {
            return null;
        }
        boolean[] all = new boolean[group.size() * n];
        for (int k = 0; k < group.size(); k++) {
            boolean[] m = part.apply(inputs[group.get(k)]);
            if (m == null) {
                Arrays.fill(all, k * n, (k + 1) * n, true);
            } else {
                System.arraycopy(m, 0, all, k * n, n);
            }
        }
        return Tensor.ofBooleans(arena, all, group.size(), n);
    }

    private String describe(Row row, int partition, long index) {
        String id = plan.rowIdIndex() < 0 ? "" : " (" + plan.rowIdCol() + " = " + row.get(plan.rowIdIndex()) + ")";
        return "row " + index + " of partition " + partition + id;
    }
}
