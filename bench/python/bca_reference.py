"""Bidirectional cross attention in PyTorch, rebuilt from DESIGN.md section 3, plus the small
readers and writers the benchmark needs (safetensors without the `safetensors` package, npy).

The modules use the reference package's state-dict names, so a reference `model.safetensors`
loads into them unchanged. Written against Debian's python3-torch (1.13): no nn.RMSNorm there,
so RMSNorm is spelled out with the same eps (float32 machine epsilon) and the same key name.
"""

import json
import struct

import numpy as np
import torch
from torch import nn

# float32 machine epsilon: what nn.RMSNorm(dim) uses when eps is None (DESIGN.md 3.1)
RMS_EPS = float(np.finfo(np.float32).eps)
# the finite fill of masked similarities (DESIGN.md 3.4): -float32 max, not -inf, so that a
# fully masked row or column softmaxes to uniform instead of NaN
MASK_FILL = -float(np.finfo(np.float32).max)


# ---------------------------------------------------------------------------- file formats

_ST_DTYPES = {
    "F32": np.float32, "F64": np.float64, "F16": np.float16, "BOOL": np.bool_,
    "I64": np.int64, "I32": np.int32, "U8": np.uint8, "I8": np.int8,
}


def read_safetensors(path):
    """(tensors, metadata): every tensor of a safetensors file as a numpy array (a copy),
    and the __metadata__ strings. Layout: u64 LE header length N, N bytes of JSON, data."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {}) or {}
    base = 8 + n
    tensors = {}
    for name, info in header.items():
        dtype = info["dtype"]
        if dtype == "BF16":
            # numpy has no bfloat16: widen the 16 stored bits to the top of a float32
            start, end = info["data_offsets"]
            raw = np.frombuffer(blob, dtype="<u2", count=(end - start) // 2, offset=base + start)
            arr = (raw.astype(np.uint32) << 16).view(np.float32)
        else:
            if dtype not in _ST_DTYPES:
                raise ValueError(f"{path}: tensor {name}: unsupported dtype {dtype}")
            np_dtype = np.dtype(_ST_DTYPES[dtype]).newbyteorder("<")
            start, end = info["data_offsets"]
            count = (end - start) // np_dtype.itemsize
            arr = np.frombuffer(blob, dtype=np_dtype, count=count, offset=base + start)
        tensors[name] = np.array(arr.reshape(info["shape"]), copy=True)
    return tensors, metadata


def write_safetensors(path, tensors, metadata=None):
    """Writes float32 / bool numpy arrays as a safetensors file (offsets in insertion order)."""
    header = {}
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    chunks = []
    offset = 0
    for name, arr in tensors.items():
        arr = np.asarray(arr, order="C")  # (ascontiguousarray would turn a 0-d array into shape (1,))
        if arr.dtype == np.bool_:
            dtype, data = "BOOL", arr.astype(np.uint8).tobytes()
        else:
            dtype, data = "F32", arr.astype("<f4").tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * ((8 - len(raw) % 8) % 8)  # pad so the data starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for c in chunks:
            f.write(c)


# ---------------------------------------------------------------------------- modules

class RMSNorm(nn.Module):
    """x / sqrt(mean(x^2) + eps) * weight over the last axis; key `weight` like nn.RMSNorm."""

    def __init__(self, dim, eps=RMS_EPS):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(dim=-1, keepdim=True) + self.eps) * self.weight


class BidirectionalCrossAttention(nn.Module):
    """Two sequences attend to each other through one similarity matrix (DESIGN.md 3.1-3.8)."""

    def __init__(self, *, dim, heads=8, dim_head=64, context_dim=None, talking_heads=False, prenorm=False):
        super().__init__()
        context_dim = dim if context_dim is None else context_dim
        inner = heads * dim_head
        self.heads = heads
        self.scale = dim_head ** -0.5
        self.norm = RMSNorm(dim) if prenorm else nn.Identity()
        self.context_norm = RMSNorm(context_dim) if prenorm else nn.Identity()
        self.to_qk = nn.Linear(dim, inner, bias=False)
        self.context_to_qk = nn.Linear(context_dim, inner, bias=False)
        self.to_v = nn.Linear(dim, inner, bias=False)
        self.context_to_v = nn.Linear(context_dim, inner, bias=False)
        self.to_out = nn.Linear(inner, dim)
        self.context_to_out = nn.Linear(inner, context_dim)
        # a 1x1 convolution over the head axis is an h x h mixing matrix: key shape [h, h, 1, 1]
        self.talking_heads = nn.Conv2d(heads, heads, 1, bias=False) if talking_heads else nn.Identity()
        self.context_talking_heads = nn.Conv2d(heads, heads, 1, bias=False) if talking_heads else nn.Identity()

    def split_heads(self, t):
        b, n, _ = t.shape
        return t.reshape(b, n, self.heads, -1).transpose(1, 2)  # [b, n, h*d] -> [b, h, n, d]

    @staticmethod
    def merge_heads(t):
        b, h, n, d = t.shape
        return t.transpose(1, 2).reshape(b, n, h * d)  # [b, h, n, d] -> [b, n, h*d]

    def forward(self, x, context, mask=None, context_mask=None, return_attn=False, rel_pos_bias=None):
        b, i, j = x.shape[0], x.shape[-2], context.shape[-2]
        x = self.norm(x)  # [b, i, dim]
        context = self.context_norm(context)  # [b, j, context_dim]

        qk, v = self.split_heads(self.to_qk(x)), self.split_heads(self.to_v(x))  # [b, h, i, d]
        context_qk = self.split_heads(self.context_to_qk(context))  # [b, h, j, d]
        context_v = self.split_heads(self.context_to_v(context))  # [b, h, j, d]

        sim = torch.matmul(qk, context_qk.transpose(-1, -2)) * self.scale  # [b, h, i, j]
        if rel_pos_bias is not None:
            sim = sim + rel_pos_bias
        if mask is not None or context_mask is not None:
            if mask is None:
                mask = torch.ones((b, i), dtype=torch.bool)
            if context_mask is None:
                context_mask = torch.ones((b, j), dtype=torch.bool)
            keep = mask[:, None, :, None] & context_mask[:, None, None, :]  # [b, 1, i, j]
            sim = sim.masked_fill(~keep, MASK_FILL)

        attn = sim.softmax(dim=-1)  # over j
        context_attn = sim.softmax(dim=-2)  # over i
        attn = self.talking_heads(attn)
        context_attn = self.context_talking_heads(context_attn)

        out = torch.matmul(attn, context_v)  # [b, h, i, d]
        context_out = torch.matmul(context_attn.transpose(-1, -2), v)  # [b, h, j, d]
        out = self.to_out(self.merge_heads(out))  # [b, i, dim]
        context_out = self.context_to_out(self.merge_heads(context_out))  # [b, j, context_dim]
        if return_attn:
            return out, context_out, attn, context_attn
        return out, context_out


def feed_forward(dim, mult):
    """RMSNorm -> Linear(dim, int(dim*mult)) -> exact GELU -> Linear back: the state-dict keys
    `{0,1,3}.*` are the positions in this Sequential (2 is the GELU)."""
    hidden = int(dim * mult)
    return nn.Sequential(RMSNorm(dim), nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim))


class BidirectionalCrossAttentionTransformer(nn.Module):
    """depth x (prenormed attention with residuals on both sides, then a feed-forward each),
    then final RMSNorms when final_norms (DESIGN.md 3, Transformer)."""

    def __init__(self, *, dim, depth, context_dim=None, heads=8, dim_head=64, ff_expansion_factor=4.0,
                 final_norms=False):
        super().__init__()
        context_dim = dim if context_dim is None else context_dim
        self.layers = nn.ModuleList([
            nn.ModuleList([
                BidirectionalCrossAttention(dim=dim, heads=heads, dim_head=dim_head, context_dim=context_dim,
                                            prenorm=True),
                feed_forward(dim, ff_expansion_factor),
                feed_forward(context_dim, ff_expansion_factor),
            ])
            for _ in range(depth)
        ])
        # the reference sizes the final context norm with dim (wrong when they differ); this is right
        self.norm = RMSNorm(dim) if final_norms else nn.Identity()
        self.context_norm = RMSNorm(context_dim) if final_norms else nn.Identity()

    def forward(self, x, context, mask=None, context_mask=None, rel_pos_bias=None):
        for attn, ff, context_ff in self.layers:
            xo, co = attn(x, context, mask=mask, context_mask=context_mask, rel_pos_bias=rel_pos_bias)
            x = x + xo  # both residuals from the old values
            context = context + co
            x = ff(x) + x
            context = context_ff(context) + context
        return self.norm(x), self.context_norm(context)


# ---------------------------------------------------------------------------- loading

def _flag(metadata, key):
    return str(metadata.get(key, "false")).lower() in ("true", "1")


def build_from_safetensors(path):
    """The module a reference safetensors file describes (class and constructor arguments from
    __metadata__), in eval mode, with its weights loaded strictly (every key used, none missing)."""
    tensors, meta = read_safetensors(path)
    cls = meta.get("class", "BidirectionalCrossAttention")
    dim = int(meta["dim"])
    heads = int(meta.get("heads", 8))
    dim_head = int(meta.get("dim_head", 64))
    context_dim = int(meta["context_dim"]) if meta.get("context_dim") not in (None, "None", "null") else None
    if cls == "BidirectionalCrossAttention":
        module = BidirectionalCrossAttention(dim=dim, heads=heads, dim_head=dim_head, context_dim=context_dim,
                                             talking_heads=_flag(meta, "talking_heads"),
                                             prenorm=_flag(meta, "prenorm"))
    elif cls == "BidirectionalCrossAttentionTransformer":
        module = BidirectionalCrossAttentionTransformer(
            dim=dim, depth=int(meta["depth"]), context_dim=context_dim, heads=heads, dim_head=dim_head,
            ff_expansion_factor=float(meta.get("ff_expansion_factor", 4.0)),
            final_norms="norm.weight" in tensors)
    else:
        raise ValueError(f"{path}: unknown class {cls!r}")
    state = {k: torch.from_numpy(v) for k, v in tensors.items()}
    module.load_state_dict(state, strict=True)
    return module.eval()

