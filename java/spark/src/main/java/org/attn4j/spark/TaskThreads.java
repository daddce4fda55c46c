package org.attn4j.spark;

import org.apache.spark.TaskContext;

/**
 * How many threads one forward of a task may use: the configured count, or (0) the CPUs Spark
 * gave the task (spark.task.cpus, or its resource profile's), so that an executor running
 * cores / task.cpus tasks at once keeps to its cores. Outside a task: 1.
 */
final class TaskThreads {
    private TaskThreads() {
    }

    static int resolve(int configured) {
        if (configured > 0) {
            return configured;
        }
        TaskContext task = TaskContext.get();
        return task == null ? 1 : Math.max(1, task.cpus());
    }
}
