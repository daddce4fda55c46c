package org.attn4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The embedder's work in one partition: up to batchSize rows at a time, their texts embedded in
 * one call (the embedder sorts them by length into forwards of similar length), emitted in order
 * with the embedding appended as array&lt;float&gt; or an ML Vector.
 */
final class TextPartitionRunner implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    /**
     * @param asVector    true: ML DenseVector; false: array&lt;float&gt;
     * @param keepInvalid true: a null text gets a null embedding; false: it fails the task
     */
    record Plan(TextModelSource source, int textIndex, String textCol, int rowIdIndex, String rowIdCol, int batchSize,
                int threadsPerTask, boolean asVector, boolean keepInvalid) implements java.io.Serializable {
    }

    private final Plan plan;

    TextPartitionRunner(Plan plan) {
        this.plan = plan;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        int threads = TaskThreads.resolve(plan.threadsPerTask());
        TaskContext task = TaskContext.get();
        int partition = task == null ? 0 : task.partitionId();
        return new ChunkedRows<>(rows, plan.batchSize(), () -> load(threads),
                (model, chunk, firstRow) -> embedChunk(model, chunk, partition, firstRow));
    }

    private TextModelSource.LoadedEmbedder load(int threads) {
        ExecutorModels.checkThreads(threads);
        try {
            return ExecutorModels.get(plan.source().key() + "#threads=" + threads, plan.source().toString(),
                    () -> plan.source().load(threads));
        } catch (IOException e) {
            throw new UncheckedIOException(plan.source() + ": " + e.getMessage(), e);
        }
    }

    private List<Row> embedChunk(TextModelSource.LoadedEmbedder model, List<Row> chunk, int partition, long firstIndex) {
        List<String> texts = new ArrayList<>(chunk.size());
        List<Integer> positions = new ArrayList<>(chunk.size());
        for (int r = 0; r < chunk.size(); r++) {
            Object value = chunk.get(r).get(plan.textIndex());
            if (value instanceof String s) {
                texts.add(s);
                positions.add(r);
            } else if (!plan.keepInvalid()) {
                String id = plan.rowIdIndex() < 0 ? "" : " (" + plan.rowIdCol() + " = " + chunk.get(r).get(plan.rowIdIndex()) + ")";
                throw new IllegalArgumentException("TextEmbedder: row " + (firstIndex + r) + " of partition " + partition + id + ": "
                        + plan.textCol() + " is null (handleInvalid=keep gives such rows a null embedding)");
            }
        }
        Object[] embeddings = new Object[chunk.size()];
        if (!texts.isEmpty()) {
            List<float[]> vectors;
            try {
                vectors = model.embedder().embed(texts);
            } catch (RuntimeException e) {
                throw new IllegalStateException("TextEmbedder: rows " + firstIndex + ".." + (firstIndex + chunk.size() - 1)
                        + " of partition " + partition + ": " + e.getMessage(), e);
            }
            for (int k = 0; k < texts.size(); k++) {
                embeddings[positions.get(k)] = plan.asVector() ? Vectors.dense(toDoubles(vectors.get(k))) : vectors.get(k);
            }
        }
        List<Row> result = new ArrayList<>(chunk.size());
        for (int r = 0; r < chunk.size(); r++) {
            Row row = chunk.get(r);
            Object[] values = new Object[row.length() + 1];
            for (int k = 0; k < row.length(); k++) {
                values[k] = row.get(k);
            }
            values[row.length()] = embeddings[r];
            result.add(RowFactory.create(values));
        }
        return result;
    }

    private static double[] toDoubles(float[] v) {
        double[] d = new double[v.length];
        for (int k = 0; k < v.length; k++) {
            d[k] = v[k];
        }
        return d;
    }
}
