package org.attn4j.text.onnx;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The graph of an ONNX model file (ModelProto → GraphProto): its nodes in order, initializers
 * by name, and the names of its inputs and outputs. The file is memory-mapped into the caller's
 * arena and initializer data stays there (no copy); nothing else of the protobuf schema is
 * needed, so there is no protobuf dependency. Initializers stored outside the file
 * (external_data) are rejected.
 */
public final class OnnxGraph {
    private final List<OnnxNode> nodes;
    private final Map<String, OnnxTensor> initializers;
    private final List<String> inputs;
    private final List<String> outputs;
    private final Map<String, OnnxNode> producers = new HashMap<>();
    private final Map<String, List<OnnxNode>> consumers = new HashMap<>();

    private OnnxGraph(List<OnnxNode> nodes, Map<String, OnnxTensor> initializers, List<String> inputs, List<String> outputs) {
        this.nodes = List.copyOf(nodes);
        this.initializers = initializers;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        for (OnnxNode n : nodes) {
            for (String o : n.outputs()) {
                producers.put(o, n);
            }
            for (String i : n.inputs()) {
                consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
            }
        }
    }

    /** Maps {@code file} into {@code arena} and reads its graph; the tensors live as long as the arena. */
    public static OnnxGraph read(Path file, Arena arena) throws IOException {
        MemorySegment data;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() == 0) {
                throw new OnnxFormatException(file + ": empty file, expected an ONNX ModelProto");
            }
            data = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        }
        return parse(data, file.getFileName().toString());
    }

    /** Reads a ModelProto from bytes the caller keeps alive. */
    public static OnnxGraph parse(MemorySegment model, String name) {
        ProtoReader r = new ProtoReader(model, name + " ModelProto");
        MemorySegment graph = null;
        boolean irVersion = false;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> {
                    r.int64();
                    irVersion = true;
                }
                case 7 -> graph = r.bytes();
                default -> r.skip();
            }
        }
        if (graph == null) {
            throw new OnnxFormatException(name + ": no graph in the ModelProto" + (irVersion ? "" : " (is this an ONNX file?)"));
        }
        return graph(graph, name);
    }

    private static OnnxGraph graph(MemorySegment graph, String name) {
        List<OnnxNode> nodes = new ArrayList<>();
        Map<String, OnnxTensor> inits = new LinkedHashMap<>();
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        ProtoReader r = new ProtoReader(graph, name + " GraphProto");
        while (r.next()) {
            switch (r.field()) {
                case 1 -> nodes.add(node(r.bytes(), name));
                case 5 -> {
                    OnnxTensor t = tensor(r.bytes(), name + " initializer");
                    if (inits.put(t.name(), t) != null) {
                        throw new OnnxFormatException(name + ": initializer " + t.name() + " appears twice");
                    }
                }
                case 11 -> inputs.add(valueInfoName(r.bytes(), name));
                case 12 -> outputs.add(valueInfoName(r.bytes(), name));
                default -> r.skip();
            }
        }
        return new OnnxGraph(nodes, inits, inputs, outputs);
    }

    private static String valueInfoName(MemorySegment b, String name) {
        ProtoReader r = new ProtoReader(b, name + " ValueInfoProto");
        String n = "";
        while (r.next()) {
            if (r.field() == 1) {
                n = r.string();
            } else {
                r.skip();
            }
        }
        return n;
    }

    private static OnnxNode node(MemorySegment b, String name) {
        ProtoReader r = new ProtoReader(b, name + " NodeProto");
        List<String> in = new ArrayList<>();
        List<String> out = new ArrayList<>();
        String nodeName = "";
        String op = "";
        Map<String, Object> attrs = new LinkedHashMap<>();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> in.add(r.string());
                case 2 -> out.add(r.string());
                case 3 -> nodeName = r.string();
                case 4 -> op = r.string();
                case 5 -> attribute(r.bytes(), name, attrs);
                default -> r.skip();
            }
        }
        return new OnnxNode(nodeName, op, in, out, attrs);
    }

    // AttributeProto: name 1, f 2, i 3, s 4, t 5, ints 8 (the kinds a BERT graph's nodes carry)
    private static void attribute(MemorySegment b, String name, Map<String, Object> attrs) {
        ProtoReader r = new ProtoReader(b, name + " AttributeProto");
        String key = null;
        Object value = null;
        List<Long> ints = new ArrayList<>();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> key = r.string();
                case 2 -> value = r.fixed32Float();
                case 3 -> value = r.int64();
                case 5 -> value = tensor(r.bytes(), name + " attribute tensor");
                case 8 -> r.int64s(ints, name + " AttributeProto.ints");
                default -> r.skip();
            }
        }
        if (key != null) {
            attrs.put(key, value != null ? value : ints.isEmpty() ? null : ints);
        }
    }

    // TensorProto: dims 1, data_type 2, float_data 4, int32_data 5, int64_data 7, name 8, raw_data 9, data_location 14
    private static OnnxTensor tensor(MemorySegment b, String what) {
        ProtoReader r = new ProtoReader(b, what + " TensorProto");
        List<Long> dims = new ArrayList<>();
        int type = 0;
        String tname = "";
        MemorySegment raw = null;
        MemorySegment floats = null;
        List<Long> ints = new ArrayList<>();
        List<Float> looseFloats = new ArrayList<>();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> r.int64s(dims, what + " dims");
                case 2 -> type = (int) r.int64();
                case 4 -> {
                    if (r.wireType() == ProtoReader.LEN) {
                        floats = r.bytes();
                    } else {
                        looseFloats.add(r.fixed32Float());
                    }
                }
                case 5, 7 -> r.int64s(ints, what + " int data");
                case 8 -> tname = r.string();
                case 9 -> raw = r.bytes();
                case 14 -> {
                    if (r.int64() != 0) {
                        throw r.error("tensor " + tname + " keeps its data in an external file, which this reader does not load");
                    }
                }
                default -> r.skip();
            }
        }
        long[] d = new long[dims.size()];
        for (int k = 0; k < d.length; k++) {
            d[k] = dims.get(k);
            if (d[k] < 0) {
                throw new OnnxFormatException(what + " " + tname + ": negative dim " + d[k]);
            }
        }
        MemorySegment data;
        if (raw != null) {
            data = raw;
        } else if (floats != null) {
            data = floats;
        } else if (!looseFloats.isEmpty()) {
            float[] f = new float[looseFloats.size()];
            for (int k = 0; k < f.length; k++) {
                f[k] = looseFloats.get(k);
            }
            data = MemorySegment.ofArray(f);
        } else if (!ints.isEmpty()) {
            // int32_data / int64_data as little-endian values of the tensor's element size
            boolean wide = type == OnnxTensor.INT64;
            data = MemorySegment.ofArray(new byte[ints.size() * (wide ? 8 : 4)]);
            for (int k = 0; k < ints.size(); k++) {
                if (wide) {
                    data.set(ValueLayout.JAVA_LONG_UNALIGNED, 8L * k, ints.get(k));
                } else {
                    data.set(ValueLayout.JAVA_INT_UNALIGNED, 4L * k, (int) (long) ints.get(k));
                }
            }
        } else {
            data = MemorySegment.ofArray(new byte[0]);
        }
        return new OnnxTensor(tname, d, type, data);
    }

    public List<OnnxNode> nodes() {
        return nodes;
    }

    public Map<String, OnnxTensor> initializers() {
        return initializers;
    }

    public List<String> inputs() {
        return inputs;
    }

    public List<String> outputs() {
        return outputs;
    }

    /** The node that writes {@code value}, or null (a graph input or an initializer). */
    public OnnxNode producer(String value) {
        return producers.get(value);
    }

    /** The nodes that read {@code value}. */
    public List<OnnxNode> consumers(String value) {
        return consumers.getOrDefault(value, List.of());
    }

    /** The constant value of a name: an initializer, or the tensor of the Constant node that writes it; null otherwise. */
    public OnnxTensor constant(String value) {
        OnnxTensor t = initializers.get(value);
        if (t != null) {
            return t;
        }
        OnnxNode p = producers.get(value);
        if (p != null && p.opType().equals("Constant") && p.attributes().get("value") instanceof OnnxTensor v) {
            return v;
        }
        return null;
    }
}
