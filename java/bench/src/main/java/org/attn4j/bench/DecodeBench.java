package org.attn4j.bench;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.Tensor;
import org.attn4j.nn.DecodeStep;
import org.attn4j.nn.KeyValueCache;
import org.attn4j.nn.MultiheadAttention;

/**
 * {@code ./attn4j bench decode}: one token-by-token decoding step (causal self attention over a
 * KeyValueCache) at cache lengths 128, 1024 and 4096, 8 heads of 64, batch 1, beside its
 * memory-bandwidth floor: the bytes the step must read (the cache's keys and values, plus the
 * module's weights for MultiheadAttention) over the copy bandwidth measured in the same run, from
 * main memory and for a buffer of the same size (which, like the cache between steps, stays in
 * whichever cache level it fits).
 * A step at length L attends one new token to L + 1 keys; the cache is truncated back to L after
 * each, so every timed step sees the same length. Medians over {@code --steps} steps.
 *
 * <pre>
 * ./attn4j bench decode [--lengths 128,1024,4096] [--heads 8] [--dim-head 64] [--threads 2] [--steps 200]
 * </pre>
 */
final class DecodeBench {
    static final String OPTIONS = "--lengths L1,L2,..., --heads H, --dim-head D, --threads T, --steps S";

    private DecodeBench() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        CommandOptions o = CommandOptions.parse(args, Map.of("--lengths", "128,1024,4096", "--heads", "8",
                "--dim-head", "64", "--threads", "2", "--steps", "200"), OPTIONS);
        List<Integer> lengths = new ArrayList<>();
        for (String s : o.get("--lengths").split(",")) {
            lengths.add(CommandOptions.positive("--lengths", s.trim()));
        }
        int heads = o.positive("--heads");
        int dimHead = o.positive("--dim-head");
        int threads = o.positive("--threads");
        int steps = o.positive("--steps");
        Machine machine = Machine.detect();
        out.printf(Locale.ROOT, "# decoding step: causal self attention over a key/value cache%n%n");
        out.printf(Locale.ROOT, "%s; load average %s; %d thread(s), batch 1, %d heads of %d, %d steps per length%n%n",
                machine.describe(), LoadAverage.read(), threads, heads, dimHead, steps);
        err.println("attn4j bench decode: measuring the copy bandwidth (" + (CopyBandwidth.BYTES >> 20) + " MiB, "
                + threads + " thread(s))");
        double bandwidth = CopyBandwidth.measure(threads);
        out.printf(Locale.ROOT, "copy bandwidth (memmove of %d MiB, %d thread(s), median of %d): %.2f GB/s%n%n",
                CopyBandwidth.BYTES >> 20, threads, CopyBandwidth.ROUNDS, bandwidth / 1e9);
        out.println("| step | cache length | bytes read per step | memory floor µs | same-size copy GB/s | same-size floor µs "
                + "| median µs | min µs | × memory floor | × same-size floor |");
        out.println("|---|---|---|---|---|---|---|---|---|---|");
        int embed = heads * dimHead;
        try (Backend backend = Backends.nativeBackend(threads);
             MultiheadAttention mha = MultiheadAttention.builder().embedDim(embed).numHeads(heads).batchFirst(true)
                     .build(backend, 1)) {
            double weightBytes = 4.0 * 4 * embed * (double) embed; // in_proj [3E, E] and out_proj [E, E], F32
            for (int length : lengths) {
                double cacheBytes = 2.0 * 4 * heads * dimHead * (double) (length + 1); // k and v of L + 1 tokens
                err.println("attn4j bench decode: cache length " + length);
                row(out, "SDPA", length, cacheBytes, bandwidth, CopyBandwidth.measure(threads, (long) cacheBytes),
                        sdpaSteps(backend, heads, dimHead, length, steps));
                row(out, "MultiheadAttention", length, cacheBytes + weightBytes, bandwidth,
                        CopyBandwidth.measure(threads, (long) (cacheBytes + weightBytes)), mhaSteps(mha, heads, dimHead, length, steps));
            }
        }
        out.printf(Locale.ROOT, "%nbytes read per step: keys and values of L + 1 tokens, F32 (MultiheadAttention also its"
                + " 4·E² weights). memory floor = those bytes / the main-memory copy bandwidth; same-size floor = those bytes /"
                + " the bandwidth of copying a buffer of that size again and again (it stays in whichever cache it fits, as the"
                + " cache does between steps). load average after: %s%n", LoadAverage.read());
        return 0;
    }

    private static void row(PrintStream out, String step, int length, double bytes, double bandwidth, double sameSize,
                            double[] us) {
        Stats s = Stats.of(us);
        double floor = bytes / bandwidth * 1e6;
        double sameSizeFloor = bytes / sameSize * 1e6;
        out.printf(Locale.ROOT, "| %s | %d | %.2f MiB | %.1f | %.2f | %.1f | %.1f | %.1f | %.2f | %.2f |%n", step, length,
                bytes / (1 << 20), floor, sameSize / 1e9, sameSizeFloor, s.median(), s.min(), s.median() / floor,
                s.median() / sameSizeFloor);
    }

    /** Microseconds of each timed DecodeStep.sdpa of one token at cache length {@code length}. */
    private static double[] sdpaSteps(Backend backend, int heads, int dimHead, int length, int steps) {
        try (Arena arena = Arena.ofConfined()) {
            KeyValueCache cache = KeyValueCache.allocate(arena, 1, heads, length + 1, dimHead);
            cache.append(Tensor.randn(arena, 1, 1, heads, length, dimHead), Tensor.randn(arena, 2, 1, heads, length, dimHead));
            Tensor q = Tensor.randn(arena, 3, 1, heads, 1, dimHead);
            Tensor k = Tensor.randn(arena, 4, 1, heads, 1, dimHead);
            Tensor v = Tensor.randn(arena, 5, 1, heads, 1, dimHead);
            // outputs come from one reused block, as a decoding loop would keep them
            SegmentAllocator outputs = SegmentAllocator.prefixAllocator(arena.allocate(1 << 20, 64));
            double[] us = new double[steps];
            for (int s = -steps / 10 - 1; s < steps; s++) { // negative steps warm up
                long t0 = System.nanoTime();
                DecodeStep.sdpa(backend, outputs, q, k, v, cache);
                double elapsed = (System.nanoTime() - t0) / 1e3;
                cache.truncate(length);
                if (s >= 0) {
                    us[s] = elapsed;
                }
            }
            return us;
        }
    }

    /** Microseconds of each timed DecodeStep.multiheadAttention of one token after a prompt of {@code length}. */
    private static double[] mhaSteps(MultiheadAttention mha, int heads, int dimHead, int length, int steps) {
        try (Arena arena = Arena.ofConfined()) {
            int embed = heads * dimHead;
            KeyValueCache cache = KeyValueCache.allocate(arena, 1, heads, length + 1, dimHead);
            DecodeStep.multiheadAttention(mha, arena, Tensor.randn(arena, 6, 1, length, embed), cache); // the prompt
            Tensor x = Tensor.randn(arena, 7, 1, 1, embed);
            SegmentAllocator outputs = SegmentAllocator.prefixAllocator(arena.allocate(1 << 20, 64));
            double[] us = new double[steps];
            for (int s = -steps / 10 - 1; s < steps; s++) {
                long t0 = System.nanoTime();
                DecodeStep.multiheadAttention(mha, outputs, x, cache);
                double elapsed = (System.nanoTime() - t0) / 1e3;
                cache.truncate(length);
                if (s >= 0) {
                    us[s] = elapsed;
                }
            }
            return us;
        }
    }
}
