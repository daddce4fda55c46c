#!/usr/bin/env python3
"""Writes the second BERT configuration the attn4j-text tests load: random weights, saved both as a
HuggingFace-named safetensors checkpoint (with the `bert.` prefix and a pooler, as BertForX
checkpoints have) plus config.json, and as an ONNX export of the same encoder (opset 11, the
HuggingFace/PyTorch export shape: MatMul + Add of a named bias), with PyTorch's last_hidden_state
for a padded batch of token ids as the golden. Also writes a ReLU variant's ONNX, a graph the
reader must refuse (BERT's feed-forward is GELU by erf).

The encoder below is HuggingFace's BertModel (transformers' modeling_bert) reduced to inference:
same module names, post-LN, erf GELU, additive mask of finfo.min on padded keys.

Needs Debian's python3-torch (1.13) and python3-onnx. Run from the repository root:
    python3 tools/bert/make_bert_fixture.py java/text/src/test/resources/bert-tiny
"""
import json
import math
import os
import struct
import sys

import torch
from torch import nn

CONFIG = dict(vocab_size=1000, hidden_size=48, num_hidden_layers=3, num_attention_heads=3, intermediate_size=100,
              max_position_embeddings=40, type_vocab_size=3, layer_norm_eps=1e-6, hidden_act="gelu", model_type="bert")


class Embeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], c["hidden_size"])
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, input_ids, token_type_ids):
        s = input_ids.shape[1]
        positions = torch.arange(s, dtype=torch.long).unsqueeze(0)
        x = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        return self.LayerNorm(x + self.position_embeddings(positions))


class SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.h = c["num_attention_heads"]
        self.d = c["hidden_size"] // self.h
        self.query = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.key = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.value = nn.Linear(c["hidden_size"], c["hidden_size"])

    def split(self, x):  # [b, s, H] -> [b, h, s, d]
        return x.view(x.shape[0], x.shape[1], self.h, self.d).permute(0, 2, 1, 3)

    def forward(self, x, mask):
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.d) + mask
        ctx = torch.matmul(torch.softmax(scores, dim=-1), v).permute(0, 2, 1, 3).contiguous()
        return ctx.view(ctx.shape[0], ctx.shape[1], self.h * self.d)


class DenseNorm(nn.Module):  # BertSelfOutput / BertOutput: LN(dense(x) + residual)
    def __init__(self, inp, c):
        super().__init__()
        self.dense = nn.Linear(inp, c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, x, residual):
        return self.LayerNorm(self.dense(x) + residual)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        setattr(self, "self", SelfAttention(c))
        self.output = DenseNorm(c["hidden_size"], c)

    def forward(self, x, mask):
        return self.output(getattr(self, "self")(x, mask), x)


class Intermediate(nn.Module):
    def __init__(self, c, act):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["intermediate_size"])
        self.act = act

    def forward(self, x):
        return self.act(self.dense(x))


class Layer(nn.Module):
    def __init__(self, c, act):
        super().__init__()
        self.attention = Attention(c)
        self.intermediate = Intermediate(c, act)
        self.output = DenseNorm(c["intermediate_size"], c)

    def forward(self, x, mask):
        a = self.attention(x, mask)
        return self.output(self.intermediate(a), a)


class Encoder(nn.Module):
    def __init__(self, c, act):
        super().__init__()
        self.layer = nn.ModuleList([Layer(c, act) for _ in range(c["num_hidden_layers"])])

    def forward(self, x, mask):
        for layer in self.layer:
            x = layer(x, mask)
        return x


class Pooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])


class Bert(nn.Module):
    def __init__(self, c, act=nn.GELU()):
        super().__init__()
        self.embeddings = Embeddings(c)
        self.encoder = Encoder(c, act)
        self.pooler = Pooler(c)

    def forward(self, input_ids, attention_mask, token_type_ids):
        mask = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min
        return self.encoder(self.embeddings(input_ids, token_type_ids), mask)


class Wrapper(nn.Module):  # BertForX: the encoder under `bert.`
    def __init__(self, bert):
        super().__init__()
        self.bert = bert


def write_safetensors(path, tensors):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        kind = {torch.float32: "F32"}[t.dtype]
        data = t.contiguous().numpy().tobytes()
        header[name] = {"dtype": kind, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def export_onnx(model, path, args):
    torch.onnx.export(model, args, path, opset_version=11, do_constant_folding=True,
                      input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["last_hidden_state"],
                      dynamic_axes={n: {0: "batch", 1: "sequence"} for n in
                                    ["input_ids", "attention_mask", "token_type_ids", "last_hidden_state"]})


def main(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(1234)
    bert = Bert(CONFIG).eval()
    with torch.no_grad():  # LayerNorm weights away from 1/0, so the test sees them
        for name, p in bert.named_parameters():
            if "LayerNorm" in name:
                p.copy_(torch.randn_like(p) * 0.2 + (1.0 if name.endswith("weight") else 0.0))
    state = {k: v for k, v in Wrapper(bert).state_dict().items()}
    write_safetensors(os.path.join(out, "model.safetensors"), state)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(CONFIG, f, indent=2)

    # a padded batch: lengths 12, 5, 1; type ids 0/1/2 in the first row
    ids = torch.randint(0, CONFIG["vocab_size"], (3, 12))
    lengths = [12, 5, 1]
    mask = torch.zeros(3, 12, dtype=torch.long)
    for r, n in enumerate(lengths):
        mask[r, :n] = 1
        ids[r, n:] = 0
    types = torch.zeros(3, 12, dtype=torch.long)
    types[0, 6:] = 1
    types[0, 10:] = 2
    with torch.no_grad():
        hidden = bert(ids, mask, types)
    # ids as F32 (exact below 2^24): attn4j's safetensors reader holds float and bool tensors only
    write_safetensors(os.path.join(out, "golden.safetensors"),
                      {"input_ids": ids.float(), "attention_mask": mask.float(), "token_type_ids": types.float(),
                       "last_hidden_state": hidden})
    export_onnx(bert, os.path.join(out, "model.onnx"), (ids, mask, types))
    relu = Bert(CONFIG, act=nn.ReLU()).eval()
    relu.load_state_dict(bert.state_dict())
    export_onnx(relu, os.path.join(out, "relu.onnx"), (ids, mask, types))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "java/text/src/test/resources/bert-tiny")
