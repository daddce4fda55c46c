package org.attn4j.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.nn.AttentionPath;
import org.attn4j.nn.BidirectionalCrossAttention;
import org.attn4j.nn.BidirectionalOutput;
import org.attn4j.nn.ForwardCase;

/**
 * The load and leak figures of issue 7, as a plain program (it times and measures things, so it
 * is no unit test):
 * <ol>
 *   <li>threads: one BidirectionalCrossAttention (dim 32, 4 heads of 8, talking heads) shared by
 *       16 threads × 625 forwards = 10,000, fused and materialised, with masks and bias, each
 *       result compared bit for bit with a single-threaded run;</li>
 *   <li>soak: 100,000 small forwards on one thread, with RSS (/proc/self/status VmRSS) and the
 *       native heap (glibc mallinfo2: bytes in use, mmapped blocks) sampled along the way.</li>
 * </ol>
 * Why mallinfo2 and not a counter in the ABI: it counts every native allocation in the process
 * (attn4j_alloc, the kernels' own scratch, oneDNN's primitives and caches), which a counter
 * inside attn4j_alloc would miss, and it needs no change to the C ABI.
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED -cp <bench classpath> org.attn4j.bench.Soak
 * [--threads 16] [--per-thread 625] [--forwards 100000] [--backend-threads 1]}, best with a fixed, pre-touched
 * Java heap ({@code -Xms256m -Xmx256m -XX:+AlwaysPreTouch}) so that RSS moves only with native memory. Why one backend thread by
 * default: the forwards are tiny, and on a loaded machine OpenMP barriers between two threads
 * cost more than the work.
 */
public final class Soak {
    private static final int DIM_HEAD = 8; // the module of ForwardCase's inputs: 4 heads of 8

    private Soak() {
    }

    public static void main(String[] args) throws Exception {
        int threads = 16;
        int perThread = 625;
        long forwards = 100_000;
        int backendThreads = 1;
        for (int k = 0; k + 1 < args.length; k += 2) {
            switch (args[k]) {
                case "--threads" -> threads = Integer.parseInt(args[k + 1]);
                case "--per-thread" -> perThread = Integer.parseInt(args[k + 1]);
                case "--forwards" -> forwards = Long.parseLong(args[k + 1]);
                case "--backend-threads" -> backendThreads = Integer.parseInt(args[k + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[k]);
            }
        }
        try (Backend backend = Backends.nativeBackend(backendThreads);
             Arena shared = Arena.ofShared();
             BidirectionalCrossAttention m = BidirectionalCrossAttention.builder().dim(ForwardCase.DIM).contextDim(ForwardCase.CONTEXT_DIM)
                     .heads(ForwardCase.HEADS).dimHead(DIM_HEAD).talkingHeads(true).build(backend, 7)) {
            System.out.println("backend " + backend + ", module " + m);
            List<ForwardCase> cases = ForwardCase.all(shared);
            threads(m, cases, threads, perThread);
            soak(m, cases, forwards);
        }
    }

    private static final AttentionPath[] PATHS = {AttentionPath.FUSED, AttentionPath.MATERIALISED};

    private static int[] bits(BidirectionalOutput o) {
        float[] a = o.out().toFloatArray();
        float[] b = o.contextOut().toFloatArray();
        int[] r = new int[a.length + b.length];
        for (int k = 0; k < a.length; k++) {
            r[k] = Float.floatToRawIntBits(a[k]);
        }
        for (int k = 0; k < b.length; k++) {
            r[a.length + k] = Float.floatToRawIntBits(b[k]);
        }
        return r;
    }

    private static void threads(BidirectionalCrossAttention m, List<ForwardCase> cases, int threads, int perThread)
            throws InterruptedException {
        int[][][] want = new int[cases.size()][PATHS.length][];
        try (Arena arena = Arena.ofConfined()) {
            for (int c = 0; c < cases.size(); c++) {
                for (int p = 0; p < PATHS.length; p++) {
                    want[c][p] = bits(m.forward(arena, cases.get(c).x(), cases.get(c).context(), cases.get(c).on(PATHS[p])));
                }
            }
        }
        AtomicLong identical = new AtomicLong();
        AtomicLong different = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers.add(Thread.ofPlatform().start(() -> {
                for (int n = 0; n < perThread; n++) {
                    int c = (id + n) % cases.size();
                    int p = (id / 2 + n) % PATHS.length;
                    try (Arena arena = Arena.ofConfined()) {
                        ForwardCase k = cases.get(c);
                        boolean same = Arrays.equals(want[c][p], bits(m.forward(arena, k.x(), k.context(), k.on(PATHS[p]))));
                        (same ? identical : different).incrementAndGet();
                    } catch (RuntimeException e) {
                        failed.incrementAndGet();
                        System.err.println("thread " + id + ": " + e);
                    }
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("threads: %d threads x %d forwards = %d: %d bit-identical to one thread, %d different, %d failed"
                + " (%.2f s)%n", threads, perThread, (long) threads * perThread, identical.get(), different.get(),
                failed.get(), seconds);
    }

    private static void soak(BidirectionalCrossAttention m, List<ForwardCase> cases, long forwards) throws IOException {
        long warmup = Math.min(10_000, forwards / 10); // the JIT's own malloc settles meanwhile
        for (long n = 0; n < warmup; n++) {
            one(m, cases, n);
        }
        Sample before = Sample.take("after " + warmup + " warm-up forwards");
        System.out.println(before);
        long t0 = System.nanoTime();
        long step = Math.max(1, forwards / 10);
        Sample last = before;
        long minHeap = before.heapInUse;
        long maxHeap = before.heapInUse;
        for (long n = 0; n < forwards; n++) {
            one(m, cases, n);
            if ((n + 1) % step == 0 || n + 1 == forwards) {
                last = Sample.take("after " + (n + 1) + " forwards");
                System.out.println(last);
                minHeap = Math.min(minHeap, last.heapInUse);
                maxHeap = Math.max(maxHeap, last.heapInUse);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("soak: %d forwards in %.1f s (%.1f us each); RSS %+d KiB, native heap in use %+d bytes,"
                + " mmapped blocks %+d (native heap in use ranged %d..%d bytes: the JVM's own malloc, JIT and GC, moves it)%n",
                forwards, seconds, seconds * 1e6 / forwards, last.rssKiB - before.rssKiB,
                last.heapInUse - before.heapInUse, last.mmapBlocks - before.mmapBlocks, minHeap, maxHeap);
    }

    private static void one(BidirectionalCrossAttention m, List<ForwardCase> cases, long n) {
        ForwardCase k = cases.get((int) (n % cases.size()));
        try (Arena arena = Arena.ofConfined()) {
            m.forward(arena, k.x(), k.context(), k.on(PATHS[(int) (n / cases.size() % PATHS.length)]));
        }
    }

    /**
     * RSS, the native heap (glibc mallinfo2 summed over all malloc arenas: bytes in use in the
     * arenas plus mmapped blocks) and the Java heap after a GC.
     */
    private record Sample(String when, long rssKiB, long heapInUse, long mmapBlocks, long mmapBytes, long javaHeapUsed) {
        private static final StructLayout MALLINFO2 = MemoryLayout.structLayout(
                ValueLayout.JAVA_LONG.withName("arena"), ValueLayout.JAVA_LONG.withName("ordblks"),
                ValueLayout.JAVA_LONG.withName("smblks"), ValueLayout.JAVA_LONG.withName("hblks"),
                ValueLayout.JAVA_LONG.withName("hblkhd"), ValueLayout.JAVA_LONG.withName("usmblks"),
                ValueLayout.JAVA_LONG.withName("fsmblks"), ValueLayout.JAVA_LONG.withName("uordblks"),
                ValueLayout.JAVA_LONG.withName("fordblks"), ValueLayout.JAVA_LONG.withName("keepcost"));
        private static final MethodHandle MALLINFO = Linker.nativeLinker().downcallHandle(
                Linker.nativeLinker().defaultLookup().find("mallinfo2").orElseThrow(),
                FunctionDescriptor.of(MALLINFO2));

        static Sample take(String when) throws IOException {
            System.gc(); // Java-side garbage (descriptors, arrays) out of the way of the Java heap figure
            long rss = -1;
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment info = (MemorySegment) MALLINFO.invokeExact((java.lang.foreign.SegmentAllocator) arena);
                long hblks = info.get(ValueLayout.JAVA_LONG, 3 * 8);
                long hblkhd = info.get(ValueLayout.JAVA_LONG, 4 * 8);
                long uordblks = info.get(ValueLayout.JAVA_LONG, 7 * 8);
                Runtime rt = Runtime.getRuntime();
                return new Sample(when, rss, uordblks + hblkhd, hblks, hblkhd, rt.totalMemory() - rt.freeMemory());
            } catch (Throwable e) {
                throw new IllegalStateException("mallinfo2 failed", e);
            }
        }

        @Override
        public String toString() {
            return String.format("%-32s RSS %8d KiB | native heap in use %10d B, mmapped %3d blocks %10d B | Java heap %6d KiB",
                    when, rssKiB, heapInUse, mmapBlocks, mmapBytes, javaHeapUsed / 1024);
        }
    }
}
