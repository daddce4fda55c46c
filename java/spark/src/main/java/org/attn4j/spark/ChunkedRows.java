package org.attn4j.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Supplier;
import org.apache.spark.sql.Row;

/**
 * The rows of one partition in chunks of up to batchSize: the model loads with the first row (an
 * empty partition loads nothing), each chunk goes through one call, and its output rows come out
 * in order.
 *
 * @param <M> the loaded model
 */
final class ChunkedRows<M> implements Iterator<Row> {
    /** Output rows of {@code chunk}, whose first row is row {@code firstRow} of the partition. */
    interface ChunkFunction<M> {
        List<Row> apply(M model, List<Row> chunk, long firstRow);
    }

    private final Iterator<Row> rows;
    private final int batchSize;
    private final Supplier<M> load;
    private final ChunkFunction<M> function;
    private M model;
    private final List<Row> ready = new ArrayList<>();
    private int next;
    private long rowIndex; // of the first row of the next chunk, within the partition

    ChunkedRows(Iterator<Row> rows, int batchSize, Supplier<M> load, ChunkFunction<M> function) {
        this.rows = rows;
        this.batchSize = batchSize;
        this.load = load;
        this.function = function;
    }

    @Override
    public boolean hasNext() {
        if (next < ready.size()) {
            return true;
        }
        ready.clear();
        next = 0;
        if (!rows.hasNext()) {
            return false;
        }
        if (model == null) {
            model = load.get();
        }
        List<Row> chunk = new ArrayList<>(batchSize);
        while (chunk.size() < batchSize && rows.hasNext()) {
            chunk.add(rows.next());
        }
        ready.addAll(function.apply(model, chunk, rowIndex));
        rowIndex += chunk.size();
        return true;
    }

    @Override
    public Row next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return ready.get(next++);
    }
}
