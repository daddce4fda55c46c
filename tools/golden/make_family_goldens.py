#!/usr/bin/python3
"""Golden files for the attention family: PyTorch's own nn.MultiheadAttention,
nn.TransformerEncoderLayer and nn.TransformerDecoderLayer outputs (plus small torch references
for scaled dot-product attention), on seeded tiny weights, written as safetensors.

Run with Debian's python3-torch (1.13):  /usr/bin/python3 tools/golden/make_family_goldens.py
It rewrites java/core/src/test/resources/golden-family/<case>/{model,inputs,outputs}.safetensors
and case.json. Every file is reproducible from the seeds below.

Conventions of the files (the same as ../shared/golden):
  model.safetensors    the state dict under PyTorch's names, F32; __metadata__ holds every
                       constructor argument JSON-encoded as a string plus "class".
  inputs.safetensors   forward arguments by PyTorch's names (masks BOOL or F32);
                       __metadata__.forward_kwargs is a JSON object of the non-tensor arguments.
  outputs.safetensors  PyTorch's results by name (attn_output, attn_output_weights, output).

Why autograd stays on: in eval mode under no_grad PyTorch 1.13 takes the "fast path"
(torch._native_multi_head_attention) for self attention, which returns 0 instead of NaN on a
fully masked row. With parameters that require grad it runs the documented Python path, the
one every PyTorch version agrees on, and that is the behaviour attn4j matches.
"""

import inspect
import json
import os
import struct
import sys

import numpy as np
import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "java", "core", "src", "test", "resources", "golden-family")


# ---------------------------------------------------------------------------- safetensors

def write_safetensors(path, tensors, metadata=None):
    """tensors: name -> torch tensor (float32 or bool). Row-major little-endian data after an
    8-byte header length and a JSON header padded with spaces to a multiple of 8."""
    header = {}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        if t.dtype == torch.bool:
            dtype, raw = "BOOL", t.numpy().astype(np.uint8).tobytes()
        elif t.dtype == torch.float32:
            dtype, raw = "F32", t.numpy().astype("<f4").tobytes()
        else:
            raise ValueError(f"{name}: unsupported dtype {t.dtype}")
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def full_kwargs(cls, kwargs):
    """The given arguments completed with the constructor's defaults (device and dtype left out),
    so that the metadata holds every argument, as the reference's files do."""
    full = {}
    for name, param in inspect.signature(cls.__init__).parameters.items():
        if name in ("self", "device", "dtype") or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        full[name] = kwargs[name] if name in kwargs else param.default
    unknown = set(kwargs) - set(full)
    if unknown:
        raise ValueError(f"{cls.__name__}: unknown arguments {unknown}")
    return full


def constructor_metadata(cls_name, kwargs):
    """Every constructor argument JSON-encoded, plus "class" (a plain string)."""
    meta = {k: json.dumps(v) for k, v in kwargs.items()}
    meta["class"] = cls_name
    return meta


# ---------------------------------------------------------------------------- helpers

def seeded_weights(module, seed):
    """Overwrites every parameter with N(0, 0.2²) draws in named_parameters() order: biases and
    norm weights too, so that nothing is a trivial 0 or 1."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for _, p in module.named_parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.2)


def randn(g, *shape):
    return torch.randn(*shape, generator=g)


def bool_mask(g, shape, p_masked):
    """True = masked (PyTorch's convention), each element with probability p_masked."""
    return torch.rand(*shape, generator=g) < p_masked


def keep_rows(mask):
    """Unmasks the first key of every fully masked row so a case stays NaN-free on purpose."""
    m = mask.clone()
    full = m.all(dim=-1)
    m[..., 0] = torch.where(full, torch.zeros_like(full), m[..., 0])
    return m


def causal_float(n):
    """nn.Transformer.generate_square_subsequent_mask: -inf above the diagonal, 0 elsewhere."""
    return torch.triu(torch.full((n, n), float("-inf")), diagonal=1)


def causal_bool(n):
    return torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1)


CASES = []


def case(fn):
    CASES.append(fn)
    return fn


def save_case(name, cls_name, ctor, module, inputs, forward_kwargs, outputs, notes):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    state = {k: v for k, v in module.state_dict().items()}
    write_safetensors(os.path.join(d, "model.safetensors"), state, constructor_metadata(cls_name, ctor))
    write_safetensors(os.path.join(d, "inputs.safetensors"), inputs,
                      {"forward_kwargs": json.dumps(forward_kwargs)})
    write_safetensors(os.path.join(d, "outputs.safetensors"), outputs)
    info = {
        "name": name,
        "class": cls_name,
        "constructor_kwargs": ctor,
        "forward_kwargs": forward_kwargs,
        "inputs": {k: {"shape": list(v.shape), "dtype": str(v.dtype).replace("torch.", "")} for k, v in inputs.items()},
        "outputs": {k: {"shape": list(v.shape), "nan": int(torch.isnan(v).sum())} for k, v in outputs.items()},
        "torch": torch.__version__,
        "notes": notes,
    }
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(info, f, indent=1)
        f.write("\n")


# ---------------------------------------------------------------------------- MultiheadAttention

def mha_case(name, seed, ctor, b, L, S, self_attn=False, key_padding_mask=None, attn_mask=None,
             need_weights=True, average_attn_weights=True, notes=""):
    torch.manual_seed(seed)
    kwargs = full_kwargs(nn.MultiheadAttention, dict(ctor, batch_first=True))
    m = nn.MultiheadAttention(**kwargs)
    m.eval()
    seeded_weights(m, seed + 1)
    g = torch.Generator().manual_seed(seed + 2)
    e = kwargs["embed_dim"]
    kdim = kwargs.get("kdim") or e
    vdim = kwargs.get("vdim") or e
    query = randn(g, b, L, e)
    if self_attn:
        key = value = query
    else:
        key = randn(g, b, S, kdim)
        value = randn(g, b, S, vdim)
    kpm = key_padding_mask(g) if callable(key_padding_mask) else key_padding_mask
    am = attn_mask(g) if callable(attn_mask) else attn_mask
    out, weights = m(query, key, value, key_padding_mask=kpm, attn_mask=am, need_weights=need_weights,
                     average_attn_weights=average_attn_weights)
    inputs = {"query": query, "key": key, "value": value}
    if kpm is not None:
        inputs["key_padding_mask"] = kpm
    if am is not None:
        inputs["attn_mask"] = am
    outputs = {"attn_output": out}
    if weights is not None:
        outputs["attn_output_weights"] = weights
    save_case(name, "MultiheadAttention", kwargs, m, inputs,
              {"need_weights": need_weights, "average_attn_weights": average_attn_weights}, outputs, notes)


@case
def mha_self():
    mha_case("mha_self", 100, dict(embed_dim=16, num_heads=4), b=2, L=5, S=5, self_attn=True,
             notes="self attention (query is key is value), packed in_proj, averaged weights")


@case
def mha_kdim_vdim_kpm():
    mha_case("mha_kdim_vdim_kpm", 200, dict(embed_dim=12, num_heads=3, kdim=7, vdim=5), b=2, L=4, S=6,
             key_padding_mask=lambda g: torch.tensor([[False, False, False, False, True, True],
                                                      [True, False, False, True, False, False]]),
             average_attn_weights=False,
             notes="separate q/k/v projections (kdim != vdim), bool key_padding_mask, per-head weights")


@case
def mha_nobias_bool2d():
    mha_case("mha_nobias_bool2d", 300, dict(embed_dim=8, num_heads=2, bias=False), b=3, L=7, S=7,
             attn_mask=lambda g: keep_rows(bool_mask(g, (7, 7), 0.4)),
             key_padding_mask=lambda g: torch.tensor([[False] * 7, [False] * 6 + [True], [False] * 7]),
             notes="no biases, bool 2-D attn_mask with bool key_padding_mask, cross attention of equal dims")


@case
def mha_bool3d():
    mha_case("mha_bool3d", 400, dict(embed_dim=10, num_heads=5), b=2, L=3, S=4,
             attn_mask=lambda g: keep_rows(bool_mask(g, (2 * 5, 3, 4), 0.5)),
             notes="bool 3-D attn_mask indexed batch*heads")


@case
def mha_float2d():
    def mask(g):
        m = randn(g, 5, 5)
        m[1, 3] = float("-inf")
        m[4, 0] = float("-inf")
        return m
    mha_case("mha_float2d", 500, dict(embed_dim=12, num_heads=2), b=2, L=5, S=5, attn_mask=mask,
             need_weights=False, notes="float 2-D attn_mask (added, with some -inf), need_weights=False")


@case
def mha_float3d_kpm():
    mha_case("mha_float3d_kpm", 600, dict(embed_dim=6, num_heads=3, kdim=4, vdim=4), b=2, L=2, S=3,
             attn_mask=lambda g: randn(g, 2 * 3, 2, 3),
             key_padding_mask=lambda g: torch.tensor([[False, True, False], [False, False, False]]),
             average_attn_weights=False,
             notes="float 3-D attn_mask with bool key_padding_mask (masked keys become -inf)")


@case
def mha_fully_masked():
    def attn_mask(g):
        m = torch.zeros(4, 5, dtype=torch.bool)
        m[2, :] = True  # query 2 sees no key in any batch
        m[0, 4] = True
        return m
    mha_case("mha_fully_masked", 700, dict(embed_dim=8, num_heads=2), b=2, L=4, S=5,
             attn_mask=attn_mask,
             key_padding_mask=lambda g: torch.tensor([[False, False, True, False, False], [True] * 5]),
             average_attn_weights=False,
             notes="fully masked rows: query 2 everywhere and all of batch 1 give NaN, as PyTorch does")


@case
def mha_causal_self():
    mha_case("mha_causal_self", 800, dict(embed_dim=8, num_heads=2), b=1, L=6, S=6, self_attn=True,
             attn_mask=causal_float(6), notes="causal self attention with the float square subsequent mask")


@case
def mha_length1():
    mha_case("mha_length1", 900, dict(embed_dim=4, num_heads=1), b=1, L=1, S=1,
             notes="one head, sequence length 1")


# ---------------------------------------------------------------------------- Transformer layers

def layer_ctor(d_model, nhead, dim_feedforward, activation, norm_first, layer_norm_eps=1e-5):
    return dict(d_model=d_model, nhead=nhead, dim_feedforward=dim_feedforward, dropout=0.1,
                activation=activation, layer_norm_eps=layer_norm_eps, batch_first=True, norm_first=norm_first)


def encoder_case(name, seed, ctor, b, n, src_mask=None, src_key_padding_mask=None, notes=""):
    torch.manual_seed(seed)
    ctor = full_kwargs(nn.TransformerEncoderLayer, ctor)
    m = nn.TransformerEncoderLayer(**ctor)
    m.eval()
    seeded_weights(m, seed + 1)
    g = torch.Generator().manual_seed(seed + 2)
    src = randn(g, b, n, ctor["d_model"])
    sm = src_mask(g) if callable(src_mask) else src_mask
    kpm = src_key_padding_mask(g) if callable(src_key_padding_mask) else src_key_padding_mask
    out = m(src, src_mask=sm, src_key_padding_mask=kpm)
    inputs = {"src": src}
    if sm is not None:
        inputs["src_mask"] = sm
    if kpm is not None:
        inputs["src_key_padding_mask"] = kpm
    save_case(name, "TransformerEncoderLayer", ctor, m, inputs, {}, {"output": out}, notes)


@case
def enc_post_relu():
    encoder_case("enc_post_relu", 1100, layer_ctor(16, 4, 24, "relu", False), b=2, n=5,
                 notes="post-norm, relu, no masks")


@case
def enc_pre_gelu_causal():
    encoder_case("enc_pre_gelu_causal", 1200, layer_ctor(12, 3, 20, "gelu", True, 1e-6), b=2, n=7,
                 src_mask=causal_float(7),
                 src_key_padding_mask=lambda g: torch.tensor([[False] * 7, [False] * 5 + [True] * 2]),
                 notes="pre-norm, gelu, layer_norm_eps 1e-6, causal float src_mask, bool key padding")


@case
def enc_post_gelu_bool():
    encoder_case("enc_post_gelu_bool", 1300, layer_ctor(8, 2, 13, "gelu", False), b=3, n=3,
                 src_mask=lambda g: keep_rows(bool_mask(g, (3, 3), 0.3)),
                 notes="post-norm, gelu, bool 2-D src_mask")


@case
def enc_pre_relu_fully_masked():
    encoder_case("enc_pre_relu_fully_masked", 1400, layer_ctor(8, 2, 16, "relu", True), b=2, n=4,
                 src_key_padding_mask=lambda g: torch.tensor([[False] * 4, [True] * 4]),
                 notes="pre-norm relu; batch 1 fully padded gives NaN there, as PyTorch does")


def decoder_case(name, seed, ctor, b, t, s, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                 memory_key_padding_mask=None, notes=""):
    torch.manual_seed(seed)
    ctor = full_kwargs(nn.TransformerDecoderLayer, ctor)
    m = nn.TransformerDecoderLayer(**ctor)
    m.eval()
    seeded_weights(m, seed + 1)
    g = torch.Generator().manual_seed(seed + 2)
    tgt = randn(g, b, t, ctor["d_model"])
    memory = randn(g, b, s, ctor["d_model"])
    args = {}
    for key, value in (("tgt_mask", tgt_mask), ("memory_mask", memory_mask),
                       ("tgt_key_padding_mask", tgt_key_padding_mask),
                       ("memory_key_padding_mask", memory_key_padding_mask)):
        v = value(g) if callable(value) else value
        if v is not None:
            args[key] = v
    out = m(tgt, memory, **args)
    inputs = {"tgt": tgt, "memory": memory}
    inputs.update(args)
    save_case(name, "TransformerDecoderLayer", ctor, m, inputs, {}, {"output": out}, notes)


@case
def dec_post_relu_causal():
    decoder_case("dec_post_relu_causal", 2100, layer_ctor(12, 3, 20, "relu", False), b=2, t=4, s=6,
                 tgt_mask=causal_float(4),
                 memory_key_padding_mask=lambda g: torch.tensor([[False] * 6, [False] * 3 + [True] * 3]),
                 notes="post-norm relu, causal float tgt_mask, bool memory key padding")


@case
def dec_pre_gelu_all_masks():
    decoder_case("dec_pre_gelu_all_masks", 2200, layer_ctor(8, 2, 11, "gelu", True, 1e-6), b=2, t=5, s=3,
                 tgt_mask=causal_bool(5),
                 memory_mask=lambda g: randn(g, 5, 3),
                 tgt_key_padding_mask=lambda g: torch.tensor([[False] * 5, [False] * 4 + [True]]),
                 memory_key_padding_mask=lambda g: torch.tensor([[False, False, True], [False] * 3]),
                 notes="pre-norm gelu, bool causal tgt_mask, float memory_mask, both key paddings")


@case
def dec_post_gelu_length1():
    decoder_case("dec_post_gelu_length1", 2300, layer_ctor(4, 1, 7, "gelu", False), b=1, t=1, s=1,
                 notes="post-norm gelu, tgt and memory of length 1")


# ---------------------------------------------------------------------------- main

def main():
    torch.set_grad_enabled(True)  # the documented (slow) paths: see the module docstring
    torch.set_num_threads(1)
    wanted = set(sys.argv[1:])
    for fn in CASES:
        if not wanted or fn.__name__ in wanted:
            fn()
            print("wrote", fn.__name__)


if __name__ == "__main__":
    main()
