package org.attn4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.Tensor;
import org.attn4j.text.BertModel;
import org.attn4j.text.Encoding;
import org.attn4j.text.SentenceEmbedder;
import org.attn4j.text.TokenBatch;

/** {@code attn4j heatmap --text ...}: one BERT layer's attention of one head over a real sentence (or pair), tokens on both axes. */
final class TokenHeatmap {
    private TokenHeatmap() {
    }

    static int run(Args args, PrintStream out) throws IOException {
        String model = args.required("--model");
        Path png = Path.of(args.required("--png"));
        int layer = args.integer("--layer", 0, 0, Integer.MAX_VALUE);
        int head = args.integer("--head", 0, 0, Integer.MAX_VALUE);
        int threads = args.integer("--threads", Runtime.getRuntime().availableProcessors(), 1, 1024);
        try (Backend backend = Backends.nativeBackend(threads);
             SentenceEmbedder embedder = TextModels.load(model, args.get("--tokenizer"), backend);
             Arena arena = Arena.ofConfined()) {
            BertModel bert = embedder.model();
            if (layer >= bert.config().numHiddenLayers()) {
                throw new UsageException("heatmap: --layer: expected < " + bert.config().numHiddenLayers() + ", got " + layer);
            }
            if (head >= bert.config().numAttentionHeads()) {
                throw new UsageException("heatmap: --head: expected < " + bert.config().numAttentionHeads() + ", got " + head);
            }
            String text = args.required("--text");
            Encoding e = args.has("--pair") ? embedder.tokenizer().encode(text, args.get("--pair")) : embedder.tokenizer().encode(text);
            Tensor weights = bert.attention(arena, TokenBatch.of(List.of(e), embedder.tokenizer().padId()), layer)
                    .select(0, 0).select(0, head); // [n, n]
            int n = e.length();
            float[] flat = weights.contiguous(arena).toFloatArray();
            float[][] grid = new float[n][n];
            for (int i = 0; i < n; i++) {
                System.arraycopy(flat, i * n, grid[i], 0, n);
            }
            String title = Path.of(model).getFileName() + ": layer " + layer + ", head " + head + " of "
                    + bert.config().numAttentionHeads() + " (rows: queries, columns: keys)";
            TokenHeatmapRenderer.render(png, title, grid, e.tokens());
            out.println("heatmap: wrote " + png + " (" + title + ", " + n + " tokens)");
            return 0;
        }
    }
}
