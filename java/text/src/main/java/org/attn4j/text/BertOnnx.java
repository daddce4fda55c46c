package org.attn4j.text;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.attn4j.text.onnx.OnnxFormatException;
import org.attn4j.text.onnx.OnnxGraph;
import org.attn4j.text.onnx.OnnxNode;
import org.attn4j.text.onnx.OnnxTensor;

/**
 * BERT parameters from an ONNX export (PyTorch's, as HuggingFace's and sentence-transformers'
 * exports are): initializers that keep their HuggingFace names are taken as they are; the
 * projection weights, which the exporter renames ({@code onnx::MatMul_787}) and stores
 * transposed, are named by following the graph from each MatMul (or Gemm) to the Add that adds
 * its named bias. The number of heads comes from the Reshape that splits the query into heads,
 * the LayerNorm epsilon from the normalisation's Add (or LayerNormalization's attribute). A
 * graph with other operators or shapes gives an {@link OnnxFormatException} naming what it met.
 */
final class BertOnnx {
    // The operators a BERT encoder export consists of (opset 11 to 17, with or without a pooler).
    private static final Set<String> KNOWN_OPS = Set.of("Constant", "Add", "Gather", "Unsqueeze", "Squeeze", "Shape",
            "MatMul", "Gemm", "Mul", "ReduceMean", "Div", "Concat", "Reshape", "Transpose", "Sub", "Pow", "Sqrt",
            "Softmax", "Erf", "Cast", "Slice", "LayerNormalization", "Where", "Equal", "Expand", "ConstantOfShape",
            "Identity", "Range", "Tanh", "Not", "Less", "Greater");

    private BertOnnx() {
    }

    static BertWeights read(Path file, Arena arena) throws IOException {
        return read(OnnxGraph.read(file, arena), file.getFileName().toString());
    }

    /** From the bytes of a ModelProto the caller keeps alive. */
    static BertWeights read(MemorySegment model, String name) {
        return read(OnnxGraph.parse(model, name), name);
    }

    private static BertWeights read(OnnxGraph g, String name) {
        for (OnnxNode n : g.nodes()) {
            if (!KNOWN_OPS.contains(n.opType())) {
                throw new OnnxFormatException(name + ": node " + n.name() + " is a " + n.opType()
                        + ", which a BERT encoder graph (GELU by Erf, post-LayerNorm) does not have; this reader does not understand the graph");
            }
        }
        Map<String, Weight> w = new LinkedHashMap<>();
        for (OnnxTensor t : g.initializers().values()) {
            if (t.dataType() == OnnxTensor.FLOAT && isBertName(t.name())) {
                t.checkFloat();
                w.put(strip(t.name()), new Weight(name + " " + t.name(), t.data(), t.dims(), false));
            }
        }
        mapProjections(g, name, w);
        return new BertWeights(config(g, name, w), w);
    }

    private static boolean isBertName(String n) {
        String s = strip(n);
        return s.startsWith("embeddings.") || s.startsWith("encoder.layer.") || s.startsWith("pooler.");
    }

    private static String strip(String n) {
        return n.startsWith("bert.") ? n.substring(5) : n;
    }

    // MatMul(x, W[in, out]) → Add(bias "<base>.bias", ·) gives "<base>.weight" = Wᵀ; Gemm(x, W, bias) likewise.
    private static void mapProjections(OnnxGraph g, String name, Map<String, Weight> w) {
        for (OnnxNode n : g.nodes()) {
            boolean gemm = n.opType().equals("Gemm");
            if (!n.opType().equals("MatMul") && !gemm) {
                continue;
            }
            OnnxTensor weight = g.initializers().get(n.input(1));
            if (weight == null) {
                continue; // attention's q·kᵀ and weights·v: activations on both sides
            }
            if (weight.dims().length != 2) {
                throw new OnnxFormatException(name + ": " + n.opType() + " " + n.name() + " multiplies by " + weight
                        + ", expected a 2-D weight");
            }
            weight.checkFloat();
            String bias;
            boolean transposed = true; // stored [in, out]
            if (gemm) {
                bias = n.input(2);
                if (n.attributes().get("transB") instanceof Long tb && tb == 1) {
                    transposed = false;
                }
            } else {
                bias = biasOf(g, n);
            }
            if (bias == null || !bias.endsWith(".bias") || !isBertName(bias)) {
                throw new OnnxFormatException(name + ": " + n.opType() + " " + n.name() + " (weight " + weight.name()
                        + ") is not followed by an Add of a named bias (<name>.bias); this reader does not understand the graph");
            }
            String weightName = strip(bias.substring(0, bias.length() - 5) + ".weight");
            long[] dims = weight.dims();
            long[] shape = transposed ? new long[] {dims[1], dims[0]} : dims.clone();
            if (w.put(weightName, new Weight(name + " " + weight.name(), weight.data(), shape, transposed)) != null) {
                throw new OnnxFormatException(name + ": two weights map to " + weightName);
            }
        }
    }

    private static String biasOf(OnnxGraph g, OnnxNode matmul) {
        List<OnnxNode> next = g.consumers(matmul.output(0));
        if (next.size() != 1 || !next.get(0).opType().equals("Add")) {
            return null;
        }
        OnnxNode add = next.get(0);
        String other = add.input(0).equals(matmul.output(0)) ? add.input(1) : add.input(0);
        return g.initializers().containsKey(other) ? other : null;
    }

    private static BertConfig config(OnnxGraph g, String name, Map<String, Weight> w) {
        long[] words = shape(w, "embeddings.word_embeddings.weight", name, 2);
        long[] positions = shape(w, "embeddings.position_embeddings.weight", name, 2);
        long[] types = w.containsKey("embeddings.token_type_embeddings.weight")
                ? shape(w, "embeddings.token_type_embeddings.weight", name, 2) : new long[] {1, words[1]};
        int layers = 0;
        Set<String> seen = new TreeSet<>();
        for (String k : w.keySet()) {
            if (k.startsWith("encoder.layer.")) {
                String idx = k.substring(14, k.indexOf('.', 14));
                seen.add(idx);
                layers = Math.max(layers, Integer.parseInt(idx) + 1);
            }
        }
        if (layers == 0) {
            throw new OnnxFormatException(name + ": no encoder.layer.* initializers; not a BERT encoder export");
        }
        long[] inter = shape(w, "encoder.layer.0.intermediate.dense.bias", name, 1);
        int hidden = Math.toIntExact(words[1]);
        int heads = heads(g, name, hidden);
        return new BertConfig(Math.toIntExact(words[0]), hidden, layers, heads, Math.toIntExact(inter[0]),
                Math.toIntExact(positions[0]), Math.toIntExact(types[0]), eps(g, name));
    }

    private static long[] shape(Map<String, Weight> w, String key, String name, int rank) {
        Weight x = w.get(key);
        if (x == null) {
            throw new OnnxFormatException(name + ": no initializer " + key + " (or bert." + key + "); not a BERT encoder export");
        }
        if (x.shape().length != rank) {
            throw new OnnxFormatException(name + ": " + key + " has shape " + java.util.Arrays.toString(x.shape())
                    + ", expected rank " + rank);
        }
        return x.shape();
    }

    // The Reshape of the query projection to [b, s, heads, headDim]: its shape is a constant or a Concat of (b, s, h, d).
    private static int heads(OnnxGraph g, String name, int hidden) {
        for (OnnxNode add : g.nodes()) {
            if (!add.opType().equals("Add") || add.inputs().stream().noneMatch(i -> strip(i).equals("encoder.layer.0.attention.self.query.bias"))) {
                continue;
            }
            for (OnnxNode r : g.consumers(add.output(0))) {
                if (!r.opType().equals("Reshape")) {
                    continue;
                }
                long h = -1;
                long d = -1;
                OnnxTensor c = g.constant(r.input(1));
                if (c != null && c.numel() == 4) {
                    long[] v = c.longs();
                    h = v[2];
                    d = v[3];
                } else if (g.producer(r.input(1)) instanceof OnnxNode concat && concat.opType().equals("Concat")
                        && concat.inputs().size() == 4) {
                    OnnxTensor ch = g.constant(concat.input(2));
                    OnnxTensor cd = g.constant(concat.input(3));
                    h = ch != null && ch.numel() == 1 ? ch.longs()[0] : -1;
                    d = cd != null && cd.numel() == 1 ? cd.longs()[0] : -1;
                }
                if (h > 0 && hidden % h == 0) {
                    return (int) h;
                }
                if (d > 0 && hidden % d == 0) {
                    return (int) (hidden / d);
                }
            }
        }
        throw new OnnxFormatException(name + ": found no Reshape of layer 0's query into [b, s, heads, head_dim]; "
                + "cannot tell the number of heads, so this reader does not understand the graph");
    }

    // eps of the embeddings' LayerNorm: LayerNormalization's attribute, or Sqrt(Add(ReduceMean(·), eps)).
    private static float eps(OnnxGraph g, String name) {
        for (OnnxNode n : g.nodes()) {
            if (n.opType().equals("LayerNormalization")) {
                return n.attributes().get("epsilon") instanceof Float f ? f : 1e-5f;
            }
        }
        for (OnnxNode sqrt : g.nodes()) {
            if (!sqrt.opType().equals("Sqrt") || !(g.producer(sqrt.input(0)) instanceof OnnxNode add) || !add.opType().equals("Add")) {
                continue;
            }
            for (String in : add.inputs()) {
                OnnxTensor c = g.constant(in);
                if (c != null && c.dataType() == OnnxTensor.FLOAT && c.numel() == 1) {
                    return c.floats()[0];
                }
            }
        }
        throw new OnnxFormatException(name + ": found no LayerNorm epsilon (no LayerNormalization node and no Sqrt(Add(mean, eps)));"
                + " this reader does not understand the graph");
    }
}
