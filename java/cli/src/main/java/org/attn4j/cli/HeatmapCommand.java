package org.attn4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.Tensor;
import org.attn4j.nn.AttentionPath;
import org.attn4j.nn.BidirectionalCrossAttention;
import org.attn4j.nn.BidirectionalModule;
import org.attn4j.nn.BidirectionalOptions;
import org.attn4j.nn.BidirectionalOutput;
import org.attn4j.nn.Models;
import org.attn4j.nn.ModuleClasses;

/**
 * {@code attn4j heatmap}: renders attn and context_attn of one batch element and head side by
 * side as heatmaps (PNG, Java2D, no browser).
 */
final class HeatmapCommand {
    static final String USAGE = """
            attn4j heatmap --model M.safetensors (--inputs I.safetensors | --x X.npy --context C.npy [...])
                           --png OUT.png [--batch B] [--head H] [--threads N]
              Draws attn (softmax over j) and context_attn (softmax over i) of batch B, head H (default 0, 0).
              Sequences longer than the picture are shown whole by averaging blocks of cells (stated on it).
            attn4j heatmap --model M [--tokenizer T] --text S [--pair S2] --png OUT.png [--layer L] [--head H] [--threads N]
              A BERT's attention over a real sentence (or pair): layer L, head H (default 0, 0), tokens as axis labels.
              M as for attn4j embed (an .onnx with --tokenizer, a HuggingFace directory, or all-minilm-l6-v2).""";

    private static final Set<String> VALUED = Set.of("--model", "--inputs", "--png", "--batch", "--head", "--threads",
            "--x", "--context", "--mask", "--context-mask", "--rel-pos-bias", "--text", "--pair", "--layer", "--tokenizer");

    private HeatmapCommand() {
    }

    static int run(List<String> argv, PrintStream out) throws IOException {
        Args args = Args.parse("heatmap", argv, VALUED, Set.of(), Set.of());
        if (args.has("--text")) {
            return TokenHeatmap.run(args, out);
        }
        Path model = RunCommand.existing(args.required("--model"), "--model");
        Path png = Path.of(args.required("--png"));
        int batch = args.integer("--batch", 0, 0, Integer.MAX_VALUE);
        int head = args.integer("--head", 0, 0, Integer.MAX_VALUE);
        int threads = args.integer("--threads", Runtime.getRuntime().availableProcessors(), 1, 1024);
        try (Arena arena = Arena.ofConfined();
             Backend backend = Backends.nativeBackend(threads);
             BidirectionalModule module = Models.loadBidirectional(model, backend)) {
            if (!(module instanceof BidirectionalCrossAttention)) {
                throw new UsageException("heatmap: needs a " + BidirectionalCrossAttention.CLASS_NAME
                        + " model (the transformer returns no attention weights), got " + module);
            }
            RunCommand.Inputs in = RunCommand.readInputs(args, ModuleClasses.of(BidirectionalCrossAttention.CLASS_NAME), arena);
            Tensor x = in.tensors().get("x");
            if (x.rank() != 3 || batch >= x.shape(0)) {
                throw new UsageException("heatmap: --batch: expected < " + (x.rank() == 3 ? x.shape(0) : 0) + ", got " + batch);
            }
            if (head >= module.heads()) {
                throw new UsageException("heatmap: --head: expected < " + module.heads() + ", got " + head);
            }
            BidirectionalOutput o = module.forward(arena, x, in.tensors().get("context"), BidirectionalOptions.builder()
                    .mask(in.tensors().get("mask")).contextMask(in.tensors().get("context_mask"))
                    .relPosBias(in.tensors().get("rel_pos_bias")).returnAttn(true)
                    .path(AttentionPath.MATERIALISED).build());
            Tensor attn = o.attn().select(0, batch).select(0, head);               // [i, j]
            Tensor contextAttn = o.contextAttn().select(0, batch).select(0, head); // [i, j]
            String title = model.getFileName() + ": batch " + batch + ", head " + head + " of " + module.heads();
            HeatmapRenderer.render(png, title, attn, contextAttn);
            out.println("heatmap: wrote " + png + " (" + title + ", i = " + attn.shape(0) + ", j = " + attn.shape(1) + ")");
            return 0;
        }
    }
}
