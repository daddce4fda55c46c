package org.attn4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.Tensor;
import org.attn4j.nn.AttentionPath;
import org.attn4j.nn.BidirectionalCrossAttention;
import org.attn4j.nn.BidirectionalOptions;
import org.attn4j.nn.BidirectionalOutput;
import org.attn4j.nn.Models;

/**
 * {@code attn4j demo}: the reference README's example. Video [1, 4096, 512] and audio
 * [1, 8192, 386] attend to each other (dim 512, 8 heads of 64, contextDim 386) with masks, on
 * the path AUTO chooses for the shape (the fused kernel at the README's); prints shapes, the path
 * taken, time and memory.
 */
final class DemoCommand {
    static final String USAGE = """
            attn4j demo [--threads N] [--repeat N] [--video-length I] [--audio-length J]
              The reference README example: video [1, I=4096, 512] and audio [1, J=8192, 386] with masks.
              Uses the reference's weights (../shared/golden/bca_readme/model.safetensors) when present.""";

    private DemoCommand() {
    }

    static int run(List<String> argv, PrintStream out) throws IOException {
        Args args = Args.parse("demo", argv, Set.of("--threads", "--repeat", "--video-length", "--audio-length"),
                Set.of(), Set.of());
        int threads = args.integer("--threads", Runtime.getRuntime().availableProcessors(), 1, 1024);
        int repeat = args.integer("--repeat", 3, 1, 1000);
        int i = args.integer("--video-length", 4096, 1, 1 << 24);
        int j = args.integer("--audio-length", 8192, 1, 1 << 24);
        Path weights = Path.of(System.getProperty("attn4j.shared", "../shared"), "golden", "bca_readme", "model.safetensors");

        try (Backend backend = Backends.nativeBackend(threads);
             BidirectionalCrossAttention attn = Files.isRegularFile(weights)
                     ? Models.load(weights, BidirectionalCrossAttention.class, backend)
                     : BidirectionalCrossAttention.builder().dim(512).heads(8).dimHead(64).contextDim(386).build(backend, 0)) {
            out.println("attn4j demo: the bidirectional-cross-attention README example");
            out.println("  module   " + attn + (Files.isRegularFile(weights) ? " with the reference's weights " + weights
                    : " with fresh PyTorch-style weights"));
            long rssBefore = Memory.rssBytes();
            try (Arena arena = Arena.ofConfined()) {
                Tensor video = Tensor.randn(arena, 1, 1, i, 512);   // [1, i, 512]
                Tensor audio = Tensor.randn(arena, 2, 1, j, 386);   // [1, j, 386]
                boolean[] videoMask = new boolean[i];
                boolean[] audioMask = new boolean[j];
                Arrays.fill(videoMask, true);
                Arrays.fill(audioMask, true);
                BidirectionalOptions options = BidirectionalOptions.builder()
                        .mask(Tensor.ofBooleans(arena, videoMask, 1, i))
                        .contextMask(Tensor.ofBooleans(arena, audioMask, 1, j)).build();
                out.println("  video    " + video + "   audio " + audio + "   masks all true");
                AttentionPath path = attn.pathFor(video, audio, options); // what forward takes, by the same method
                out.println("  path     " + RunCommand.describePath(options.path(), path));
                double[] ms = new double[repeat];
                BidirectionalOutput o = null;
                long base = Memory.rssBytes();
                long peak = base;
                for (int r = 0; r < repeat; r++) {
                    try (Arena outputs = Arena.ofConfined()) {
                        long start = System.nanoTime();
                        o = attn.forward(outputs, video, audio, options);
                        ms[r] = (System.nanoTime() - start) / 1e6;
                        peak = Math.max(peak, Memory.peakRssBytes());
                        if (r == repeat - 1) {
                            out.println("  out      " + o.out() + "   context_out " + o.contextOut());
                            out.printf(Locale.ROOT, "  out[0, 0, :4] = %s%n", Arrays.toString(
                                    Arrays.copyOf(o.out().toFloatArray(), 4)));
                        }
                    }
                }
                double[] sorted = ms.clone();
                Arrays.sort(sorted);
                out.printf(Locale.ROOT, "  time     %.1f ms median of %d (min %.1f, max %.1f), %s path, %d threads%n",
                        sorted[repeat / 2], repeat, sorted[0], sorted[repeat - 1], path.name().toLowerCase(Locale.ROOT),
                        backend.threads());
                out.printf(Locale.ROOT, "  memory   peak RSS %.0f MB (%.0f MB over the inputs; JVM and weights %.0f MB)%n",
                        peak / 1e6, (peak - base) / 1e6, rssBefore / 1e6);
            }
            return 0;
        }
    }
}
