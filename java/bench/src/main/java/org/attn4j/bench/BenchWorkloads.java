package org.attn4j.bench;

import java.io.PrintStream;
import java.util.List;

/** The workloads of {@code ./attn4j bench}, the default first. A new workload is one line here. */
final class BenchWorkloads {
    private BenchWorkloads() {
    }

    static final List<BenchWorkload> ALL = List.of(
            of("bca", "bidirectional cross attention, attn4j beside ONNX Runtime and PyTorch (the default)", BcaBench::run),
            of("family", "the attention family: causal MultiheadAttention against PyTorch, sliding windows; --batch B: each module at a batch",
                    FamilyBench::run),
            of("soak", "16 threads on one module, then 100,000 forwards with RSS and native heap sampled", SoakWorkload::run),
            of("jmh", "the JMH microbenchmarks (any JMH arguments: class-name patterns, -wi, -i, -p, -prof ...)",
                    JmhWorkload::run),
            of("decode", "one token-by-token decoding step over a key/value cache, beside its memory-bandwidth floor",
                    DecodeBench::run),
            of("minilm", "all-MiniLM-L6-v2 sentence embeddings: attn4j beside ONNX Runtime and LangChain4j", MiniLmBench::run),
            of("minilm-profile", "one all-MiniLM-L6-v2 forward, op by op (--shape BxS, --runs N)", MiniLmProfile::run),
            of("peers", "the SDPA core and MultiheadAttention beside ONNX Runtime's flash MHA, PyTorch 2.10 and 1.13",
                    PeersBench::run));

    /** The workload of that name, or null. */
    static BenchWorkload find(String name) {
        return ALL.stream().filter(w -> w.name().equals(name)).findFirst().orElse(null);
    }

    /** The "workloads:" block of the usage text. */
    static String usage() {
        StringBuilder s = new StringBuilder("workloads (./attn4j bench NAME [options], or --workload NAME):\n");
        for (BenchWorkload w : ALL) {
            s.append(String.format("  %-10s %s%n", w.name(), w.summary()));
        }
        return s.toString();
    }

    /** The body of a workload, as a method reference. */
    @FunctionalInterface
    interface Body {
        int run(String[] args, PrintStream out, PrintStream err) throws Exception;
    }

    static BenchWorkload of(String name, String summary, Body body) {
        return new BenchWorkload() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String summary() {
                return summary;
            }

            @Override
            public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
                return body.run(args, out, err);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
