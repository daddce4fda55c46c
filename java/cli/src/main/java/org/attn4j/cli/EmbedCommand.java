package org.attn4j.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.Tensor;
import org.attn4j.internal.io.Json;
import org.attn4j.io.Npy;
import org.attn4j.text.SentenceEmbedder;

/** {@code attn4j embed}: sentence embeddings of texts or of a file's lines, to .npy or .jsonl. */
final class EmbedCommand {
    static final String USAGE = """
            attn4j embed --model M [--tokenizer T] (--text S ... | --input LINES.txt) --output OUT.npy|OUT.jsonl [--threads N]
              Sentence embeddings (mean pooling, L2-normalised) of each --text, or of each line of --input (progress on stderr).
              M: an ONNX BERT export (with --tokenizer tokenizer.json), a HuggingFace directory (model.safetensors,
              config.json, tokenizer.json), or all-minilm-l6-v2 (LangChain4j's jar on the class path).
              .npy holds float32 [n, dim]; .jsonl one {"text": ..., "embedding": [...]} per line.""";

    private static final Set<String> VALUED = Set.of("--model", "--tokenizer", "--input", "--output", "--threads");
    private static final int CHUNK = 256; // texts per embed call: the progress bar moves once per chunk

    private EmbedCommand() {
    }

    static int run(List<String> argv, PrintStream out) throws IOException {
        Args args = Args.parse("embed", argv, VALUED, Set.of(), Set.of("--text"));
        String model = args.required("--model");
        Path output = Path.of(args.required("--output"));
        boolean npy = output.toString().endsWith(".npy");
        if (!npy && !output.toString().endsWith(".jsonl")) {
            throw new UsageException("embed: --output: expected a .npy or .jsonl file, got " + output);
        }
        if (args.has("--text") == args.has("--input")) {
            throw new UsageException("embed: expected --text (one or more) or --input, not " + (args.has("--text") ? "both" : "neither"));
        }
        List<String> texts = args.has("--text") ? args.all("--text")
                : Files.readAllLines(RunCommand.existing(args.required("--input"), "--input"), StandardCharsets.UTF_8);
        int threads = args.integer("--threads", Runtime.getRuntime().availableProcessors(), 1, 1024);
        try (Backend backend = Backends.nativeBackend(threads);
             SentenceEmbedder embedder = TextModels.load(model, args.get("--tokenizer"), backend)) {
            int d = embedder.dimension();
            float[] all = new float[Math.multiplyExact(texts.size(), d)];
            Progress bar = args.has("--input") ? new Progress(System.err, texts.size()) : null;
            for (int start = 0; start < texts.size(); start += CHUNK) {
                List<float[]> vs = embedder.embed(texts.subList(start, Math.min(texts.size(), start + CHUNK)));
                for (int k = 0; k < vs.size(); k++) {
                    System.arraycopy(vs.get(k), 0, all, (start + k) * d, d);
                }
                if (bar != null) {
                    bar.update(start + vs.size());
                }
            }
            if (bar != null) {
                bar.done();
            }
            if (npy) {
                try (Arena arena = Arena.ofConfined()) {
                    Npy.write(output, Tensor.of(arena, all, texts.size(), d));
                }
            } else {
                writeJsonl(output, texts, all, d);
            }
            out.println("embed: wrote " + texts.size() + " embeddings of " + d + " to " + output);
            return 0;
        }
    }

    private static void writeJsonl(Path output, List<String> texts, float[] all, int d) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
            for (int i = 0; i < texts.size(); i++) {
                StringBuilder line = new StringBuilder(d * 12).append("{\"text\":").append(Json.quote(texts.get(i)))
                        .append(",\"embedding\":[");
                for (int c = 0; c < d; c++) {
                    line.append(c == 0 ? "" : ",").append(all[i * d + c]); // shortest text that reads back as the same float
                }
                w.write(line.append("]}").toString());
                w.write('\n');
            }
        }
    }

    /** A one-line progress bar on stderr: done / total, rate, and time left. */
    static final class Progress {
        private final PrintStream err;
        private final int total;
        private final long start = System.nanoTime();

        Progress(PrintStream err, int total) {
            this.err = err;
            this.total = total;
        }

        void update(int done) {
            double secs = (System.nanoTime() - start) / 1e9;
            double rate = done / Math.max(secs, 1e-9);
            int width = 30;
            int filled = total == 0 ? width : (int) ((long) done * width / total);
            err.printf("\rembed [%s%s] %d/%d texts, %.1f/s, %.0f s left ", "#".repeat(filled), ".".repeat(width - filled),
                    done, total, rate, (total - done) / Math.max(rate, 1e-9));
            err.flush();
        }

        void done() {
            err.println();
        }
    }
}
