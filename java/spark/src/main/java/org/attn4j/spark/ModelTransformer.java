package org.attn4j.spark;

import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.sql.types.StructType;

/**
 * What every attn4j transformer has ({@link ModuleApplier}, {@link TextEmbedder}): a model run
 * over an input column inside the executors, in batches, on a number of threads per task, with a
 * policy for bad rows. The params they share are declared here once, Spark ML style (a getter
 * per param, a setter that returns the transformer); each subclass gives their docs and defaults
 * and adds its own.
 *
 * @param <T> the transformer itself, so that the setters chain
 */
public abstract class ModelTransformer<T extends ModelTransformer<T>> extends Transformer {
    private static final long serialVersionUID = 1L;

    private final String uid;
    protected final Param<String> modelPath;
    protected final Param<String> inputCol;
    protected final Param<String> outputCol;
    protected final Param<String> rowIdCol;
    protected final IntParam batchSize;
    protected final IntParam threadsPerTask;
    protected final Param<String> handleInvalid;

    /** The shared params, with the docs that differ between transformers (what the model, a row and a batch are). */
    protected ModelTransformer(String uid, String modelDoc, String inputDoc, String outputDoc, String batchDoc,
                               String invalidDoc) {
        this.uid = uid; // before the params: a param takes its parent's uid
        modelPath = new Param<>(this, "modelPath", modelDoc);
        inputCol = new Param<>(this, "inputCol", inputDoc);
        outputCol = new Param<>(this, "outputCol", outputDoc);
        rowIdCol = new Param<>(this, "rowIdCol", "a column whose value names a bad row in error messages");
        batchSize = new IntParam(this, "batchSize", batchDoc, ParamValidators.gtEq(1));
        threadsPerTask = new IntParam(this, "threadsPerTask", "threads of each forward; 0 = the task's CPUs (spark.task.cpus)",
                ParamValidators.gtEq(0));
        handleInvalid = new Param<>(this, "handleInvalid", invalidDoc, ParamValidators.inArray(new String[] {"error", "keep"}));
        setDefault(threadsPerTask, 0);
        setDefault(handleInvalid, "error");
    }

    @SuppressWarnings("unchecked")
    private T self() {
        return (T) this;
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> modelPath() { return modelPath; }
    public Param<String> inputCol() { return inputCol; }
    public Param<String> outputCol() { return outputCol; }
    public Param<String> rowIdCol() { return rowIdCol; }
    public IntParam batchSize() { return batchSize; }
    public IntParam threadsPerTask() { return threadsPerTask; }
    public Param<String> handleInvalid() { return handleInvalid; }

    public T setModelPath(String value) { set(modelPath, value); return self(); }
    public T setInputCol(String value) { set(inputCol, value); return self(); }
    public T setOutputCol(String value) { set(outputCol, value); return self(); }
    public T setRowIdCol(String value) { set(rowIdCol, value); return self(); }
    public T setBatchSize(int value) { set(batchSize, value); return self(); }
    public T setThreadsPerTask(int value) { set(threadsPerTask, value); return self(); }
    public T setHandleInvalid(String value) { set(handleInvalid, value); return self(); }

    /** The index of p's column in schema, or -1 when p is not set. */
    protected final int index(StructType schema, Param<String> p) {
        return isDefined(p) ? schema.fieldIndex(getOrDefault(p)) : -1;
    }

    /** p's column name, or null when p is not set. */
    protected final String optional(Param<String> p) {
        return isDefined(p) ? getOrDefault(p) : null;
    }
}
