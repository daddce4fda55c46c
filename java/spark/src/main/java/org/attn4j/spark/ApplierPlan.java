package org.attn4j.spark;

import java.io.Serializable;

/**
 * What each task of a {@link ModuleApplier} needs, resolved on the driver: the model, the input
 * columns by index (-1 = not used) and name, and the batching and threading settings.
 *
 * @param twoSequence    true: x and context (bidirectional); false: one sequence
 * @param threadsPerTask threads of each forward; 0 = the task's CPUs (spark.task.cpus)
 * @param keepInvalid    true: a bad row gets null outputs; false: it fails the task
 */
record ApplierPlan(ModelSource source, boolean twoSequence, int xIndex, String xCol, int contextIndex, String contextCol,
                   int maskIndex, String maskCol, int contextMaskIndex, String contextMaskCol, int rowIdIndex, String rowIdCol,
                   int batchSize, int threadsPerTask, boolean keepInvalid, boolean causal) implements Serializable {
}
