package org.attn4j.bench;

import java.util.List;

/** The workloads of {@code ./attn4j bench}, the default first. A new workload is one line here. */
final class BenchWorkloads {
    private BenchWorkloads() {
    }

    static final List<BenchWorkload> ALL = List.of(
            new BenchWorkload("bca", "bidirectional cross attention, attn4j beside ONNX Runtime and PyTorch (the default)", BcaBench::run),
            new BenchWorkload("family", "the attention family: causal MultiheadAttention against PyTorch, sliding windows; --batch B: each module at a batch",
                    FamilyBench::run),
            new BenchWorkload("soak", "16 threads on one module, then 100,000 forwards with RSS and native heap sampled", SoakWorkload::run),
            new BenchWorkload("jmh", "the JMH microbenchmarks (any JMH arguments: class-name patterns, -wi, -i, -p, -prof ...)",
                    JmhWorkload::run),
            new BenchWorkload("decode", "one token-by-token decoding step over a key/value cache, beside its memory-bandwidth floor",
                    DecodeBench::run),
            new BenchWorkload("minilm", "all-MiniLM-L6-v2 sentence embeddings: attn4j beside ONNX Runtime and LangChain4j", MiniLmBench::run),
            new BenchWorkload("minilm-profile", "one all-MiniLM-L6-v2 forward, op by op (--shape BxS, --runs N)", MiniLmProfile::run),
            new BenchWorkload("peers", "the SDPA core and MultiheadAttention beside ONNX Runtime's flash MHA, PyTorch 2.10 and 1.13",
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
}
