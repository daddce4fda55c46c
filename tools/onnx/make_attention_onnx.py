#!/usr/bin/python3
"""Small attention-only ONNX graphs on ONNX Runtime's contrib op com.microsoft.MultiHeadAttention
(its CPU flash-attention kernel), for `./attn4j bench peers` (java/bench: PeersBench).

  --kind sdpa   query, key, value [B, S, H*D] -> output [B, S, H*D]: the attention core alone.
  --kind mha    x [B, S, E] -> y [B, S, E]: nn.MultiheadAttention's self attention (packed
                in_proj_weight [3E, E] and in_proj_bias [3E], out_proj.weight [E, E] and
                out_proj.bias [E], read from --weights, a safetensors state dict), i.e.
                x·W_inᵀ + b_in, split into q, k, v, MultiHeadAttention, then ·W_outᵀ + b_out.

--causal sets the op's unidirectional=1 (query i sees keys 0..i); ONNX Runtime then takes its
non-flash path. B and S are symbolic, so one graph serves every length.

    /usr/bin/python3 tools/onnx/make_attention_onnx.py --kind sdpa --heads 8 --out sdpa.onnx [--causal]
    /usr/bin/python3 tools/onnx/make_attention_onnx.py --kind mha --heads 8 --weights mha.safetensors --out mha.onnx
"""

import argparse
import json
import struct
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def read_safetensors(path):
    """name -> float32 array of a safetensors file (F32 tensors only)."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            raise ValueError(f"{name}: expected F32, got {info['dtype']}")
        start, end = info["data_offsets"]
        out[name] = np.frombuffer(blob, dtype="<f4", count=(end - start) // 4, offset=8 + n + start).reshape(info["shape"])
    return out


def attention_node(inputs, output, heads, causal):
    return helper.make_node("MultiHeadAttention", inputs, [output], domain="com.microsoft", num_heads=heads,
                            unidirectional=1 if causal else 0)


def sdpa_graph(heads, causal):
    names = ["query", "key", "value"]
    inputs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, ["B", "S", "E"]) for n in names]
    output = helper.make_tensor_value_info("output", TensorProto.FLOAT, ["B", "S", "E"])
    return helper.make_graph([attention_node(names, "output", heads, causal)], "attention_core", inputs, [output])


def mha_graph(heads, causal, weights):
    w_in = weights["in_proj_weight"]    # [3E, E]
    w_out = weights["out_proj.weight"]  # [E, E]
    e = w_out.shape[0]
    if w_in.shape != (3 * e, e):
        raise ValueError(f"in_proj_weight: expected [{3 * e}, {e}], got {list(w_in.shape)}")
    b_in = weights.get("in_proj_bias", np.zeros(3 * e, np.float32))
    b_out = weights.get("out_proj.bias", np.zeros(e, np.float32))
    init = [
        numpy_helper.from_array(np.ascontiguousarray(w_in.T), "w_in_t"),   # [E, 3E]
        numpy_helper.from_array(np.ascontiguousarray(b_in), "b_in"),
        numpy_helper.from_array(np.ascontiguousarray(w_out.T), "w_out_t"), # [E, E]
        numpy_helper.from_array(np.ascontiguousarray(b_out), "b_out"),
        numpy_helper.from_array(np.array([e, e, e], np.int64), "split_sizes"),
    ]
    nodes = [
        helper.make_node("MatMul", ["x", "w_in_t"], ["qkv_raw"]),              # [B, S, 3E]
        helper.make_node("Add", ["qkv_raw", "b_in"], ["qkv"]),
        helper.make_node("Split", ["qkv", "split_sizes"], ["q", "k", "v"], axis=2),
        attention_node(["q", "k", "v"], "attended", heads, causal),           # [B, S, E]
        helper.make_node("MatMul", ["attended", "w_out_t"], ["y_raw"]),
        helper.make_node("Add", ["y_raw", "b_out"], ["y"]),
    ]
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["B", "S", e])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["B", "S", e])
    return helper.make_graph(nodes, "multihead_attention", [x], [y], initializer=init)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--kind", choices=["sdpa", "mha"], required=True)
    p.add_argument("--heads", type=int, required=True)
    p.add_argument("--causal", action="store_true")
    p.add_argument("--weights", help="safetensors state dict of nn.MultiheadAttention (--kind mha)")
    p.add_argument("--out", required=True)
    a = p.parse_args()
    if a.kind == "mha" and not a.weights:
        p.error("--kind mha needs --weights")
    graph = sdpa_graph(a.heads, a.causal) if a.kind == "sdpa" else mha_graph(a.heads, a.causal, read_safetensors(a.weights))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)],
                              producer_name="attn4j tools/onnx/make_attention_onnx.py")
    model.ir_version = 8
    onnx.checker.check_model(model)  # the standard ops; the contrib op is checked by ONNX Runtime when it loads
    onnx.save(model, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
