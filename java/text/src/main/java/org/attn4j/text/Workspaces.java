package org.attn4j.text;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The workspaces of one BertModel: each running forward takes one (a new one when none is idle)
 * and hands it back before its call exits, so once the model is closed and the last call has
 * left, every workspace is idle here and {@link #free()} releases them all (the model's
 * ModuleArena runs it with the weights).
 */
final class Workspaces {
    private final long hidden;
    private final long intermediate;
    private final ConcurrentLinkedQueue<Workspace> idle = new ConcurrentLinkedQueue<>();
    private final AtomicInteger allocated = new AtomicInteger(); // made and not freed yet

    Workspaces(long hidden, long intermediate) {
        this.hidden = hidden;
        this.intermediate = intermediate;
    }

    Workspace take() {
        Workspace ws = idle.poll();
        if (ws != null) {
            return ws;
        }
        allocated.incrementAndGet();
        return new Workspace(hidden, intermediate);
    }

    void give(Workspace ws) {
        idle.offer(ws);
    }

    /** Frees every idle workspace; called once no forward is running. */
    void free() {
        Workspace ws;
        while ((ws = idle.poll()) != null) {
            ws.close();
            allocated.decrementAndGet();
        }
    }

    /** Workspaces made and not freed yet (idle or in use): 0 after the model is closed and idle. */
    int allocated() {
        return allocated.get();
    }
}
