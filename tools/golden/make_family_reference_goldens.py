#!/usr/bin/python3
"""Golden files for the attention-family modules that PyTorch itself does not ship, from small
PyTorch reference implementations written here from their papers and the usual PyTorch code
(rotary embeddings as in HF transformers / rotary-embedding-torch, linear attention as in
fast-transformers, additive attention as in d2l.ai, cross-modal blocks from nn.MultiheadAttention
and nn.LayerNorm). Seeded tiny weights, written as safetensors like make_family_goldens.py.

Run with Debian's python3-torch (1.13):  /usr/bin/python3 tools/golden/make_family_reference_goldens.py
It rewrites java/core/src/test/resources/golden-family-ref/<case>/{model,inputs,outputs}.safetensors
and case.json. Masks here are attn4j's convention for these modules: BOOL, true = attend.
"""

import json
import os
import sys

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_family_goldens import ROOT, randn, seeded_weights, write_safetensors  # noqa: E402

OUT = os.path.join(ROOT, "java", "core", "src", "test", "resources", "golden-family-ref")
NEG_INF = float("-inf")


# ---------------------------------------------------------------------------- reference modules

def rotary(x, rotary_dim, theta, interleaved):
    """x [b, h, n, d]: the first rotary_dim channels turned, as rotary-embedding-torch
    (interleaved) or HF transformers' rotate_half (not interleaved) do it."""
    n = x.shape[-2]
    freqs = 1.0 / (theta ** (torch.arange(0, rotary_dim, 2)[: rotary_dim // 2].float() / rotary_dim))
    angles = torch.einsum("i,j->ij", torch.arange(n).float(), freqs)  # [n, rotary_dim / 2], float32
    rot, rest = x[..., :rotary_dim], x[..., rotary_dim:]
    if interleaved:
        angles = angles.repeat_interleave(2, dim=-1)
        x1, x2 = rot[..., ::2], rot[..., 1::2]
        turned = torch.stack((-x2, x1), dim=-1).flatten(-2)
    else:
        angles = torch.cat((angles, angles), dim=-1)
        x1, x2 = rot[..., : rotary_dim // 2], rot[..., rotary_dim // 2:]
        turned = torch.cat((-x2, x1), dim=-1)
    return torch.cat((rot * angles.cos() + turned * angles.sin(), rest), dim=-1)


def attend(q, k, v, scale, visible=None):
    """softmax(scale·q·kᵀ, −∞ where not visible) · v; visible broadcasts to [b, h, i, j]."""
    s = torch.einsum("bhid,bhjd->bhij", q, k) * scale
    if visible is not None:
        s = s.masked_fill(~visible, NEG_INF)
    return s.softmax(-1) @ v


class QkvAttention(nn.Module):
    """FusedQkvAttention / SlidingWindowAttention / CosineSimilarityAttention."""

    def __init__(self, dim, heads, dim_head, rotary_dim=None, rotary_theta=10000.0, rotary_interleaved=False,
                 cosine_scale=None):
        super().__init__()
        self.heads, self.dim_head = heads, dim_head
        self.to_qkv = nn.Linear(dim, 3 * heads * dim_head, bias=False)
        self.to_out = nn.Linear(heads * dim_head, dim)
        self.rotary = (rotary_dim, rotary_theta, rotary_interleaved) if rotary_dim else None
        self.cosine_scale = cosine_scale

    def forward(self, x, visible=None):
        b, n, _ = x.shape
        q, k, v = (t.reshape(b, n, self.heads, self.dim_head).transpose(1, 2) for t in self.to_qkv(x).chunk(3, dim=-1))
        scale = self.dim_head ** -0.5
        if self.cosine_scale is not None:
            q, k, scale = F.normalize(q, dim=-1), F.normalize(k, dim=-1), self.cosine_scale
        if self.rotary:
            q, k = rotary(q, *self.rotary), rotary(k, *self.rotary)
        out = attend(q, k, v, scale, visible)
        return self.to_out(out.transpose(1, 2).reshape(b, n, -1))


class LowRank(nn.Module):
    def __init__(self, dim, context_dim, heads, rank, dim_head):
        super().__init__()
        self.heads, self.rank, self.dim_head = heads, rank, dim_head
        self.to_q = nn.Linear(dim, heads * rank, bias=False)
        self.to_k = nn.Linear(context_dim, heads * rank, bias=False)
        self.to_v = nn.Linear(context_dim, heads * dim_head, bias=False)
        self.to_out = nn.Linear(heads * dim_head, dim)

    def forward(self, x, context, visible=None):
        def split(t, size):
            return t.reshape(t.shape[0], t.shape[1], self.heads, size).transpose(1, 2)
        q, k, v = split(self.to_q(x), self.rank), split(self.to_k(context), self.rank), split(self.to_v(context), self.dim_head)
        out = attend(q, k, v, self.rank ** -0.5, visible)
        return self.to_out(out.transpose(1, 2).reshape(x.shape[0], x.shape[1], -1))


class Linear(nn.Module):
    """Katharopoulos et al. with φ = elu + 1, causal by prefix sums (as fast-transformers' CausalLinearAttention)."""

    def __init__(self, dim, heads, dim_head, causal, eps):
        super().__init__()
        self.heads, self.dim_head, self.causal, self.eps = heads, dim_head, causal, eps
        self.to_qkv = nn.Linear(dim, 3 * heads * dim_head, bias=False)
        self.to_out = nn.Linear(heads * dim_head, dim)

    def forward(self, x, keep=None):
        b, n, _ = x.shape
        q, k, v = (t.reshape(b, n, self.heads, self.dim_head).transpose(1, 2).double()
                   for t in self.to_qkv(x).chunk(3, dim=-1))
        q, k = F.elu(q) + 1, F.elu(k) + 1
        if keep is not None:
            k = k * keep[:, None, :, None]
        if self.causal:
            kv = torch.einsum("bhjd,bhje->bhjde", k, v).cumsum(2)
            num = torch.einsum("bhid,bhide->bhie", q, kv)
            den = torch.einsum("bhid,bhid->bhi", q, k.cumsum(2)) + self.eps
        else:
            num = torch.einsum("bhid,bhde->bhie", q, torch.einsum("bhjd,bhje->bhde", k, v))
            den = torch.einsum("bhid,bhd->bhi", q, k.sum(2)) + self.eps
        out = (num / den[..., None]).float()
        return self.to_out(out.transpose(1, 2).reshape(b, n, -1))


class Additive(nn.Module):
    """d2l.ai's AdditiveAttention (W_k, W_q, w_v without bias), masked keys at −∞."""

    def __init__(self, query_size, key_size, num_hiddens):
        super().__init__()
        self.W_k = nn.Linear(key_size, num_hiddens, bias=False)
        self.W_q = nn.Linear(query_size, num_hiddens, bias=False)
        self.w_v = nn.Linear(num_hiddens, 1, bias=False)

    def forward(self, queries, keys, values, keep=None):
        features = torch.tanh(self.W_q(queries).unsqueeze(2) + self.W_k(keys).unsqueeze(1))
        scores = self.w_v(features).squeeze(-1)
        if keep is not None:
            scores = scores.masked_fill(~keep[:, None, :], NEG_INF)
        weights = scores.softmax(-1)
        return weights @ values, weights


class CrossModal(nn.Module):
    def __init__(self, text_dim, vision_dim, heads):
        super().__init__()
        self.text_to_vision = nn.MultiheadAttention(text_dim, heads, kdim=vision_dim, vdim=vision_dim, batch_first=True)
        self.vision_to_text = nn.MultiheadAttention(vision_dim, heads, kdim=text_dim, vdim=text_dim, batch_first=True)
        self.text_norm = nn.LayerNorm(text_dim)
        self.vision_norm = nn.LayerNorm(vision_dim)

    def forward(self, text, vision, text_mask=None, vision_mask=None):
        t = self.text_to_vision(text, vision, vision, key_padding_mask=None if vision_mask is None else ~vision_mask,
                                need_weights=False)[0]
        v = self.vision_to_text(vision, text, text, key_padding_mask=None if text_mask is None else ~text_mask,
                                need_weights=False)[0]
        return self.text_norm(text + t), self.vision_norm(vision + v)


def feed_forward(dim, mult):
    return nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, int(dim * mult)), nn.GELU(), nn.Linear(int(dim * mult), dim))


class Fusion(nn.Module):
    def __init__(self, text_dim, vision_dim, heads, ff_mult):
        super().__init__()
        self.text_self_norm = nn.LayerNorm(text_dim)
        self.text_self_attn = nn.MultiheadAttention(text_dim, heads, batch_first=True)
        self.vision_self_norm = nn.LayerNorm(vision_dim)
        self.vision_self_attn = nn.MultiheadAttention(vision_dim, heads, batch_first=True)
        self.cross = CrossModal(text_dim, vision_dim, heads)
        self.text_ff = feed_forward(text_dim, ff_mult)
        self.vision_ff = feed_forward(vision_dim, ff_mult)

    def forward(self, text, vision, text_mask=None, vision_mask=None):
        def self_block(norm, attn, x, mask):
            n = norm(x)
            return x + attn(n, n, n, key_padding_mask=None if mask is None else ~mask, need_weights=False)[0]
        t = self_block(self.text_self_norm, self.text_self_attn, text, text_mask)
        v = self_block(self.vision_self_norm, self.vision_self_attn, vision, vision_mask)
        t, v = self.cross(t, v, text_mask, vision_mask)
        return t + self.text_ff(t), v + self.vision_ff(v)


# ---------------------------------------------------------------------------- cases

def save(name, cls, ctor, module, inputs, forward_kwargs, outputs, notes, root=OUT):
    d = os.path.join(root, name)
    os.makedirs(d, exist_ok=True)
    meta = {k: json.dumps(v) for k, v in ctor.items()}
    meta["class"] = cls
    write_safetensors(os.path.join(d, "model.safetensors"), dict(module.state_dict()), meta)
    write_safetensors(os.path.join(d, "inputs.safetensors"), inputs, {"forward_kwargs": json.dumps(forward_kwargs)})
    write_safetensors(os.path.join(d, "outputs.safetensors"), outputs)
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump({"name": name, "class": cls, "constructor_kwargs": ctor, "forward_kwargs": forward_kwargs,
                   "inputs": {k: list(v.shape) for k, v in inputs.items()},
                   "outputs": {k: list(v.shape) for k, v in outputs.items()}, "torch": torch.__version__, "notes": notes},
                  f, indent=1)
        f.write("\n")


def keep_mask(g, b, n, p=0.8):
    m = torch.rand(b, n, generator=g) < p
    m[:, 0] = True
    return m


def qkv_case(name, cls, seed, ctor, b, n, visible_fn, forward_kwargs, inputs_extra, notes):
    torch.manual_seed(seed)
    args = {k: ctor[k] for k in ("dim", "heads", "dim_head")}
    if "rotary_dim" in ctor:
        args.update(rotary_dim=ctor["rotary_dim"], rotary_theta=ctor["rotary_theta"],
                    rotary_interleaved=ctor["rotary_interleaved"])
    if "scale" in ctor:
        args["cosine_scale"] = ctor["scale"]
    m = QkvAttention(**args)
    seeded_weights(m, seed + 1)
    g = torch.Generator().manual_seed(seed + 2)
    x = randn(g, b, n, ctor["dim"])
    extra = inputs_extra(g)
    out = m(x, visible_fn(extra))
    save(name, cls, ctor, m, dict(x=x, **extra), forward_kwargs, {"output": out}, notes)


def main():
    torch.set_num_threads(1)
    with torch.no_grad():
        qkv_case("fused_rotary_half_causal", "FusedQkvAttention", 100,
                 dict(dim=12, heads=2, dim_head=8, rotary_dim=6, rotary_theta=10000.0, rotary_interleaved=False),
                 b=2, n=9, visible_fn=lambda e: torch.ones(9, 9, dtype=torch.bool).tril()[None, None] & e["key_padding_mask"][:, None, None, :],
                 forward_kwargs={"causal": True}, inputs_extra=lambda g: {"key_padding_mask": keep_mask(g, 2, 9)},
                 notes="rotary (rotate_half, partial: 6 of 8 channels), causal, key padding (true = attend)")
        qkv_case("fused_rotary_interleaved", "FusedQkvAttention", 200,
                 dict(dim=10, heads=3, dim_head=4, rotary_dim=4, rotary_theta=500.0, rotary_interleaved=True),
                 b=1, n=13, visible_fn=lambda e: None, forward_kwargs={}, inputs_extra=lambda g: {},
                 notes="rotary (interleaved pairs, theta 500), no masks")
        n = 150

        def band(e):
            i = torch.arange(n)[:, None]
            j = torch.arange(n)[None, :]
            in_window = (i - j <= 7) & (j - i <= 3)
            glob = e["global_tokens"]
            escape = glob[:, :, None] | glob[:, None, :]
            return ((in_window[None] | escape) & e["key_padding_mask"][:, None, :])[:, None]

        def sliding_inputs(g):
            kpm = keep_mask(g, 2, n, 0.9)
            glob = torch.zeros(2, n, dtype=torch.bool)
            glob[0, 0] = glob[0, 77] = glob[1, 149] = True
            return {"key_padding_mask": kpm, "global_tokens": glob}
        qkv_case("sliding_window_global", "SlidingWindowAttention", 300,
                 dict(dim=8, heads=2, dim_head=4, window_left=7, window_right=3), b=2, n=n, visible_fn=band,
                 forward_kwargs={}, inputs_extra=sliding_inputs,
                 notes="window 7 behind / 3 ahead over 150 positions (several key tiles), global tokens, padding")
        qkv_case("cosine_sim", "CosineSimilarityAttention", 400, dict(dim=9, heads=3, dim_head=5, scale=8.0), b=2, n=6,
                 visible_fn=lambda e: e["key_padding_mask"][:, None, None, :], forward_kwargs={},
                 inputs_extra=lambda g: {"key_padding_mask": keep_mask(g, 2, 6)},
                 notes="l2-normalised q and k, temperature 8, key padding")

        torch.manual_seed(500)
        m = LowRank(dim=10, context_dim=7, heads=2, rank=3, dim_head=5)
        seeded_weights(m, 501)
        g = torch.Generator().manual_seed(502)
        x, c, kpm = randn(g, 2, 5, 10), randn(g, 2, 8, 7), keep_mask(g, 2, 8)
        save("low_rank_cross", "LowRankAttention", dict(dim=10, context_dim=7, heads=2, rank=3, dim_head=5), m,
             {"x": x, "context": c, "key_padding_mask": kpm}, {}, {"output": m(x, c, kpm[:, None, None, :])},
             "rank 3 queries and keys, values of 5 per head, cross attention with key padding")

        for causal, seed in ((True, 600), (False, 700)):
            torch.manual_seed(seed)
            m = Linear(dim=8, heads=2, dim_head=6, causal=causal, eps=1e-6)
            seeded_weights(m, seed + 1)
            g = torch.Generator().manual_seed(seed + 2)
            x, kpm = randn(g, 2, 11, 8), keep_mask(g, 2, 11)
            save("linear_causal" if causal else "linear_padded", "LinearAttention",
                 dict(dim=8, heads=2, dim_head=6, causal=causal, eps=1e-6), m, {"x": x, "key_padding_mask": kpm}, {},
                 {"output": m(x, kpm.double())}, "elu+1 feature map, key padding" + (", causal prefix sums" if causal else ""))

        torch.manual_seed(800)
        m = Additive(query_size=6, key_size=4, num_hiddens=5)
        seeded_weights(m, 801)
        g = torch.Generator().manual_seed(802)
        q, k, v, kpm = randn(g, 2, 3, 6), randn(g, 2, 7, 4), randn(g, 2, 7, 3), keep_mask(g, 2, 7)
        out, weights = m(q, k, v, kpm)
        save("additive_d2l", "AdditiveAttention", dict(query_size=6, key_size=4, num_hiddens=5), m,
             {"queries": q, "keys": k, "values": v, "key_padding_mask": kpm}, {}, {"output": out, "weights": weights},
             "d2l.ai's additive attention with masked keys")

        torch.manual_seed(900)
        m = CrossModal(text_dim=8, vision_dim=6, heads=2)
        m.eval()
        seeded_weights(m, 901)
        g = torch.Generator().manual_seed(902)
        t, v, tm, vm = randn(g, 2, 5, 8), randn(g, 2, 7, 6), keep_mask(g, 2, 5), keep_mask(g, 2, 7)
        to, vo = m(t, v, tm, vm)
        save("cross_modal", "CrossModalCrossAttention", dict(text_dim=8, vision_dim=6, heads=2), m,
             {"text": t, "vision": v, "text_mask": tm, "vision_mask": vm}, {}, {"text": to, "vision": vo},
             "text <-> vision nn.MultiheadAttention with residual + LayerNorm, masks true = attend")

        torch.manual_seed(1000)
        m = Fusion(text_dim=8, vision_dim=6, heads=2, ff_mult=1.5)
        m.eval()
        seeded_weights(m, 1001)
        g = torch.Generator().manual_seed(1002)
        t, v, tm, vm = randn(g, 2, 4, 8), randn(g, 2, 3, 6), keep_mask(g, 2, 4), keep_mask(g, 2, 3)
        to, vo = m(t, v, tm, vm)
        save("fusion_block", "CrossModalFusionBlock", dict(text_dim=8, vision_dim=6, heads=2, ff_mult=1.5), m,
             {"text": t, "vision": v, "text_mask": tm, "vision_mask": vm}, {}, {"text": to, "vision": vo},
             "pre-norm self attention per modality, cross attention both ways, pre-norm feed-forwards")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
