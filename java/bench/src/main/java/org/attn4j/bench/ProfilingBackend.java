package org.attn4j.bench;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.Tensor;

/**
 * A backend ({@link #backend()}) that runs every op on another backend and adds its wall time to
 * a per-op total, keyed by op and shape (e.g. "linear [4096, 384] → [4096, 1536]"), so a model
 * built on it profiles its own forward. Single-threaded callers only (the totals are not
 * synchronised). Closing it does not close the backend it wraps.
 *
 * <p>Why a dynamic proxy: every op of {@link Backend} is timed the same way, so one handler does
 * it for all of them, and an op that the interface gains is profiled without a line here. The key
 * names the op and the shapes that tell its size: the linears input → output (with their
 * multiply-add FLOPs, 2 · x.numel · out, and "(packed weight)" when given the weight's packed copy), matmul its product c, add both operands, every other op
 * its first tensor.
 */
final class ProfilingBackend implements InvocationHandler {
    private final Backend inner;
    private final Backend backend;
    private final Map<String, long[]> totals = new LinkedHashMap<>(); // key → {nanoseconds, calls, FLOPs}

    ProfilingBackend(Backend inner) {
        this.inner = inner;
        this.backend = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, this);
    }

    /** The profiling backend: build the model on this one. */
    Backend backend() {
        return backend;
    }

    /** Per key: {total nanoseconds, calls, multiply-add FLOPs (linear only, else 0)} since the last reset, in first-call order. */
    Map<String, long[]> totals() {
        return totals;
    }

    void reset() {
        totals.clear();
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String op = method.getName();
        switch (op) {
            case "close":
                return null; // the wrapped backend belongs to the caller
            case "toString":
                return "profiled " + inner;
            case "hashCode":
                return System.identityHashCode(proxy);
            case "equals":
                return proxy == args[0];
            default:
                break;
        }
        if (args == null || !(args[0] instanceof Tensor first)) {
            return call(method, args); // name(), threads(): nothing to time
        }
        Tensor last = args[args.length - 1] instanceof Tensor t ? t : null;
        boolean linear = op.startsWith("linear") && !op.equals("linearAttention");
        String key = op + " " + switch (op) {
            case "matmul" -> shape(last);
            case "add" -> shape(first) + " + " + shape((Tensor) args[1]);
            default -> linear ? shape(first) + " → " + shape(last) : shape(first);
        } + (linear && args.length == 5 && args[2] != null ? " (packed weight)" : ""); // the overloads with a packed copy
        long flops = linear ? 2 * first.numel() * ((Tensor) args[1]).shape(0) : 0;
        long t0 = System.nanoTime();
        Object result = call(method, args);
        long t = System.nanoTime() - t0;
        long[] acc = totals.computeIfAbsent(key, k -> new long[3]);
        acc[0] += t;
        acc[1]++;
        acc[2] += flops;
        return result;
    }

    private Object call(Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(inner, args);
        } catch (InvocationTargetException e) {
            throw e.getCause(); // the op's own exception, as the caller would get it without the profiler
        }
    }

    private static String shape(Tensor t) {
        return t == null ? "–" : Arrays.toString(t.shape());
    }
}
