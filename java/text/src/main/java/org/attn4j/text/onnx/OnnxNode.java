package org.attn4j.text.onnx;

import java.util.List;
import java.util.Map;

/** An ONNX NodeProto: op type, input and output value names, and the attributes this reader keeps (floats, ints, tensors). */
public record OnnxNode(String name, String opType, List<String> inputs, List<String> outputs, Map<String, Object> attributes) {

    /** Input k, or "" when the node has fewer (ONNX writes "" for an omitted optional input too). */
    public String input(int k) {
        return k < inputs.size() ? inputs.get(k) : "";
    }

    public String output(int k) {
        return k < outputs.size() ? outputs.get(k) : "";
    }
}
