package org.attn4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.attn4j.nn.Models;

/**
 * Runs an attn4j module saved as safetensors over array columns, inside the executors.
 *
 * <ul>
 * <li>Bidirectional cross attention and its transformer ({@code __metadata__.class}
 *     BidirectionalCrossAttention, BidirectionalCrossAttentionTransformer): inputCol x and
 *     contextCol context, each {@code array<array<float>>} ([i, dim] and [j, contextDim]), optional
 *     maskCol / contextMaskCol ({@code array<boolean>}, true = a real position, null = all) →
 *     outputCol [i, dim] and contextOutputCol [j, contextDim].</li>
 * <li>One sequence (MultiheadAttention as self attention, TransformerEncoderLayer): inputCol
 *     [n, dim], optional maskCol (true = a real position; PyTorch's key padding mask is its
 *     negation), causal → outputCol [n, dim].</li>
 * </ul>
 *
 * <p>Each executor JVM loads the model once per thread count (from modelPath, which every
 * executor must be able to read, or from a broadcast of its bytes: {@link #broadcastModel}) and
 * shares it across tasks; it closes at JVM exit. Rows go through in batches of up to batchSize
 * consecutive rows of a partition, grouped by shape. Each forward runs on threadsPerTask threads
 * (0 = the task's CPUs, spark.task.cpus), so executor cores are not oversubscribed.
 *
 * <p>A bad row (null or empty input, a position of the wrong width, a mask of another length)
 * fails the task with an IllegalArgumentException naming the row (partition, index, rowIdCol),
 * or, with handleInvalid = "keep", gets null outputs.
 */
public final class ModuleApplier extends ModelTransformer<ModuleApplier> {
    private static final long serialVersionUID = 1L;

    private ModelSource broadcastSource; // set by broadcastModel; replaces modelPath on the executors

    private final Param<String> contextCol;
    private final Param<String> maskCol;
    private final Param<String> contextMaskCol;
    private final Param<String> contextOutputCol;
    private final BooleanParam causal;

    public ModuleApplier() {
        this(Identifiable$.MODULE$.randomUID("attn4jModuleApplier"));
    }

    public ModuleApplier(String uid) {
        super(uid, "safetensors file of an attn4j module, readable by the driver and every executor",
                "x (or the one sequence): array<array<float>>, one inner array per position",
                "output over inputCol's positions: array<array<float>>",
                "rows per forward (consecutive rows of a partition, grouped by shape)",
                "bad rows: error (fail the task, naming the row) or keep (null outputs)");
        contextCol = new Param<>(this, "contextCol", "context of a bidirectional module: array<array<float>>");
        maskCol = new Param<>(this, "maskCol", "array<boolean> over inputCol's positions, true = real; null value = all real");
        contextMaskCol = new Param<>(this, "contextMaskCol", "array<boolean> over contextCol's positions, true = real");
        contextOutputCol = new Param<>(this, "contextOutputCol", "bidirectional modules: output over contextCol's positions");
        causal = new BooleanParam(this, "causal", "one-sequence modules: each position sees only those before it and itself");
        setDefault(inputCol, "x");
        setDefault(contextCol, "context");
        setDefault(outputCol, "output");
        setDefault(contextOutputCol, "contextOutput");
        setDefault(batchSize, 32);
        setDefault(causal, false);
    }

    // ---------------------------------------------------------------- params (Spark ML style; the shared ones in ModelTransformer)

    public Param<String> contextCol() { return contextCol; }
    public Param<String> maskCol() { return maskCol; }
    public Param<String> contextMaskCol() { return contextMaskCol; }
    public Param<String> contextOutputCol() { return contextOutputCol; }
    public BooleanParam causal() { return causal; }

    public ModuleApplier setContextCol(String value) { set(contextCol, value); return this; }
    public ModuleApplier setMaskCol(String value) { set(maskCol, value); return this; }
    public ModuleApplier setContextMaskCol(String value) { set(contextMaskCol, value); return this; }
    public ModuleApplier setContextOutputCol(String value) { set(contextOutputCol, value); return this; }
    public ModuleApplier setCausal(boolean value) { set(causal, value); return this; }

    /**
     * Reads modelPath here (on the driver) and broadcasts its bytes, so executors need no shared
     * file system: each executor JVM writes them once to a temporary file. For files up to 2 GB.
     */
    public ModuleApplier broadcastModel(SparkSession spark) {
        Path file = driverModelFile();
        try {
            byte[] content = Files.readAllBytes(file);
            Broadcast<byte[]> b = spark.sparkContext().broadcast(content, scala.reflect.ClassTag$.MODULE$.apply(byte[].class));
            broadcastSource = ModelSource.ofBroadcast(b, content);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("modelPath " + file + ": " + e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            throw new IllegalArgumentException("modelPath " + file + ": too large to broadcast; give a path every executor can read", e);
        }
    }

    // ---------------------------------------------------------------- Transformer

    @Override
    public StructType transformSchema(StructType schema) {
        boolean two = twoSequence();
        ArrayColumns.requireSequence(schema, "inputCol", getOrDefault(inputCol));
        if (isDefined(maskCol)) {
            ArrayColumns.requireMask(schema, "maskCol", getOrDefault(maskCol));
        }
        StructType out = schema;
        List<String> names = List.of(schema.fieldNames());
        if (two) {
            ArrayColumns.requireSequence(schema, "contextCol", getOrDefault(contextCol));
            if (isDefined(contextMaskCol)) {
                ArrayColumns.requireMask(schema, "contextMaskCol", getOrDefault(contextMaskCol));
            }
        } else if (isSet(contextCol) || isDefined(contextMaskCol) || isSet(contextOutputCol)) {
            throw new IllegalArgumentException("contextCol, contextMaskCol, contextOutputCol: the model takes one sequence ("
                    + className() + "); leave them unset");
        }
        for (String col : two ? List.of(getOrDefault(outputCol), getOrDefault(contextOutputCol)) : List.of(getOrDefault(outputCol))) {
            if (names.contains(col)) {
                throw new IllegalArgumentException("output column " + col + " already exists in " + schema.simpleString());
            }
            out = out.add(col, ArrayColumns.SEQUENCE, true);
        }
        if (isDefined(rowIdCol) && !names.contains(getOrDefault(rowIdCol))) {
            throw new IllegalArgumentException("rowIdCol: no column " + getOrDefault(rowIdCol) + " in " + schema.simpleString());
        }
        return out;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType schema = dataset.schema();
        StructType outSchema = transformSchema(schema);
        boolean two = twoSequence();
        ModelSource source = broadcastSource != null ? broadcastSource : ModelSource.ofPath(getOrDefault(modelPath));
        ApplierPlan plan = new ApplierPlan(source, two,
                schema.fieldIndex(getOrDefault(inputCol)), getOrDefault(inputCol),
                two ? schema.fieldIndex(getOrDefault(contextCol)) : -1, two ? getOrDefault(contextCol) : null,
                index(schema, maskCol), optional(maskCol), two ? index(schema, contextMaskCol) : -1, optional(contextMaskCol),
                index(schema, rowIdCol), optional(rowIdCol),
                (Integer) getOrDefault(batchSize), (Integer) getOrDefault(threadsPerTask),
                getOrDefault(handleInvalid).equals("keep"), (Boolean) getOrDefault(causal));
        return dataset.toDF().mapPartitions(new PartitionRunner(plan), Encoders.row(outSchema));
    }

    @Override
    public ModuleApplier copy(ParamMap extra) {
        ModuleApplier copy = defaultCopy(extra);
        copy.broadcastSource = broadcastSource;
        return copy;
    }

    // ---------------------------------------------------------------- helpers

    private Path driverModelFile() {
        if (!isDefined(modelPath)) {
            throw new IllegalArgumentException("modelPath: not set (the safetensors file of an attn4j module)");
        }
        Path file = Path.of(getOrDefault(modelPath));
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("modelPath " + file + ": no such file on the driver");
        }
        return file;
    }

    private String className() {
        Path file = driverModelFile();
        try {
            return Models.className(file);
        } catch (IOException e) {
            throw new UncheckedIOException("modelPath " + file + ": " + e.getMessage(), e);
        }
    }

    private boolean twoSequence() {
        return LoadedModule.isTwoSequence(className(), driverModelFile());
    }
}
