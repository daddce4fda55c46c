#!/usr/bin/python3
"""Golden files for the scoring functions: Luong's multiplicative scores (dot, general, concat),
top-k (hard) attention, and the attention-consistency measure, from PyTorch implementations of
their definitions written here. Seeded tiny weights, safetensors as make_family_goldens.py writes.

Run with Debian's python3-torch (1.13):  /usr/bin/python3 tools/golden/make_scoring_goldens.py
It rewrites java/core/src/test/resources/golden-family-scoring/<case>/{model,inputs,outputs}.safetensors
and case.json. Masks are attn4j's convention for these modules: BOOL, true = attend.

Definitions (the Java modules document the same):
  LuongAttention (Luong, Pham & Manning 2015, named as the PyTorch chatbot tutorial's Attn):
    dot      score(q, k) = qᵀ k                         (query_size = key_size)
    general  score(q, k) = qᵀ (W k + b)                 attn = nn.Linear(key_size, query_size)
    concat   score(q, k) = vᵀ tanh(W [q; k] + b)        attn = nn.Linear(query_size + key_size, hidden_size), v [hidden]
    then softmax over the keys a query sees (−∞ elsewhere; none seen → NaN row) and weights · values.
  TopKAttention (hard attention; the Explicit Sparse Transformer's top-k selection, Zhao et al. 2019,
    as x-transformers' sparse_topk): multi-head scaled dot-product scores, then per query row only the
    keys whose score reaches the row's k-th largest visible score are kept (ties with the k-th are all
    kept, so a row may keep more than k; fewer than k visible keys keeps them all); softmax over the kept
    keys, weights · values.
  Attention consistency: for each floating-point input x, x' = x + noise · rms(x) · ε with ε ~ N(0, 1)
    (the draws are in inputs.safetensors as noise.<sample>.<name>); per head, the Jensen-Shannon
    divergence in nats, JS(P, Q) = ½ KL(P ‖ M) + ½ KL(Q ‖ M), M = (P + Q) / 2, between each clean and
    perturbed attention row, averaged over samples, batch and query rows (rows that are NaN in the clean
    map, queries that see no key, are left out).
"""

import json
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_family_goldens import ROOT, randn, seeded_weights, write_safetensors  # noqa: E402
from make_family_reference_goldens import keep_mask, save as save_case  # noqa: E402

OUT = os.path.join(ROOT, "java", "core", "src", "test", "resources", "golden-family-scoring")
NEG_INF = float("-inf")


def save(name, cls, ctor, module, inputs, forward_kwargs, outputs, notes):
    save_case(name, cls, ctor, module, inputs, forward_kwargs, outputs, notes, root=OUT)


# ---------------------------------------------------------------------------- reference modules

class Luong(nn.Module):
    """Luong's scores over batches of queries: q [b, i, query_size], k [b, j, key_size], v [b, j, dv]."""

    def __init__(self, method, query_size, key_size, hidden_size=None, bias=False):
        super().__init__()
        self.method = method
        if method == "general":
            self.attn = nn.Linear(key_size, query_size, bias=bias)
        elif method == "concat":
            self.attn = nn.Linear(query_size + key_size, hidden_size, bias=bias)
            self.v = nn.Parameter(torch.empty(hidden_size))

    def score(self, q, k):
        if self.method == "dot":
            return q @ k.transpose(1, 2)
        if self.method == "general":
            return q @ self.attn(k).transpose(1, 2)
        # concat, literally: every (query, key) pair concatenated, [b, i, j, query_size + key_size]
        i, j = q.shape[1], k.shape[1]
        pairs = torch.cat((q[:, :, None].expand(-1, -1, j, -1), k[:, None].expand(-1, i, -1, -1)), dim=-1)
        return torch.tanh(self.attn(pairs)) @ self.v

    def forward(self, queries, keys, values, keep=None):
        scores = self.score(queries, keys)
        if keep is not None:
            scores = scores.masked_fill(~keep[:, None, :], NEG_INF)
        weights = scores.softmax(-1)
        return weights @ values, weights


class TopK(nn.Module):
    """Multi-head top-k attention with lucidrains' names (to_q, to_k, to_v without bias, to_out)."""

    def __init__(self, dim, heads, dim_head, top_k, context_dim=None):
        super().__init__()
        context_dim = context_dim or dim
        inner = heads * dim_head
        self.heads, self.dim_head, self.top_k = heads, dim_head, top_k
        self.to_q = nn.Linear(dim, inner, bias=False)
        self.to_k = nn.Linear(context_dim, inner, bias=False)
        self.to_v = nn.Linear(context_dim, inner, bias=False)
        self.to_out = nn.Linear(inner, dim)

    def forward(self, x, context=None, keep=None, causal=False):
        context = x if context is None else context
        b, i, j = x.shape[0], x.shape[1], context.shape[1]

        def split(t):
            return t.reshape(b, t.shape[1], self.heads, self.dim_head).transpose(1, 2)
        q, k, v = split(self.to_q(x)), split(self.to_k(context)), split(self.to_v(context))
        s = (q @ k.transpose(-1, -2)) * self.dim_head ** -0.5  # [b, h, i, j]
        visible = torch.ones(b, 1, i, j, dtype=torch.bool)
        if keep is not None:
            visible = visible & keep[:, None, None, :]
        if causal:
            visible = visible & torch.ones(i, j, dtype=torch.bool).tril()
        s = s.masked_fill(~visible, NEG_INF)
        if self.top_k < j:
            kth = s.topk(self.top_k, dim=-1).values[..., -1:]  # the k-th largest (−∞ when fewer are visible)
            s = s.masked_fill(s < kth, NEG_INF)
        weights = s.softmax(-1)
        out = (weights @ v).transpose(1, 2).reshape(b, i, -1)
        return self.to_out(out), weights


# ---------------------------------------------------------------------------- consistency

def jensen_shannon(p, q):
    """Per row over the last axis, in nats (float64): ½ Σ p ln(p/m) + ½ Σ q ln(q/m), 0 ln 0 = 0."""
    p, q = p.double(), q.double()
    m = (p + q) / 2

    def kl(a):
        return torch.where(a > 0, a * (a / m).log(), torch.zeros_like(a)).sum(-1)
    return 0.5 * kl(p) + 0.5 * kl(q)


def consistency(attention, inputs, noise, draws):
    """attention(inputs) -> [b, h, i, j]; draws: list of {name: ε} per sample. Returns [h]."""
    clean = attention(inputs)
    total = torch.zeros(clean.shape[1], dtype=torch.float64)
    rows = torch.zeros(clean.shape[1], dtype=torch.float64)
    for eps in draws:
        perturbed = dict(inputs)
        for name, e in eps.items():
            x = inputs[name]
            rms = x.double().pow(2).mean().sqrt().float()
            perturbed[name] = x + noise * rms * e
        js = jensen_shannon(clean, attention(perturbed))  # [b, h, i]
        valid = ~clean.isnan().any(-1)  # rows of queries that see nothing are left out
        total += torch.where(valid, js, torch.zeros_like(js)).sum((0, 2))
        rows += valid.double().sum((0, 2))
    return (total / rows).float()


# ---------------------------------------------------------------------------- cases

def luong_case(name, seed, method, query_size, key_size, hidden_size, bias, b, i, j, dv, notes):
    torch.manual_seed(seed)
    m = Luong(method, query_size, key_size, hidden_size, bias)
    seeded_weights(m, seed + 1)
    g = torch.Generator().manual_seed(seed + 2)
    q, k, v, kpm = randn(g, b, i, query_size), randn(g, b, j, key_size), randn(g, b, j, dv), keep_mask(g, b, j)
    out, weights = m(q, k, v, kpm)
    ctor = dict(method=method, query_size=query_size, key_size=key_size)
    if method == "concat":
        ctor["hidden_size"] = hidden_size
    if method != "dot":
        ctor["bias"] = bias
    save(name, "LuongAttention", ctor, m, {"queries": q, "keys": k, "values": v, "key_padding_mask": kpm}, {},
         {"output": out, "weights": weights}, notes)


def topk_case(name, seed, ctor, b, i, j, causal, with_context, padded, notes, integer_ties=False):
    torch.manual_seed(seed)
    m = TopK(**ctor)
    g = torch.Generator().manual_seed(seed + 2)
    if integer_ties:
        # Identity q/k projections over inputs in {-1, 0, 1}: scores are scaled small integers, so the
        # k-th largest score of a row is usually tied with others (all of them kept).
        seeded_weights(m, seed + 1)
        inner = ctor["heads"] * ctor["dim_head"]
        with torch.no_grad():
            m.to_q.weight.copy_(torch.eye(inner, ctor["dim"]))
            m.to_k.weight.copy_(torch.eye(inner, ctor.get("context_dim") or ctor["dim"]))
        x = torch.randint(-1, 2, (b, i, ctor["dim"]), generator=g).float()
    else:
        seeded_weights(m, seed + 1)
        x = randn(g, b, i, ctor["dim"])
    inputs = {"x": x}
    if with_context:
        inputs["context"] = randn(g, b, j, ctor["context_dim"])
    if padded:
        inputs["key_padding_mask"] = keep_mask(g, b, j, 0.6)
    out, weights = m(x, inputs.get("context"), inputs.get("key_padding_mask"), causal)
    save(name, "TopKAttention", ctor, m, inputs, {"causal": True} if causal else {},
         {"output": out, "weights": weights}, notes)
    return m, inputs


def consistency_case(name, cls, module, inputs, attention, noise, samples, seed, forward_kwargs, notes):
    g = torch.Generator().manual_seed(seed)
    floats = [n for n, t in inputs.items() if t.dtype == torch.float32]
    draws = [{n: torch.randn(inputs[n].shape, generator=g) for n in floats} for _ in range(samples)]
    per_head = consistency(attention, inputs, noise, draws)
    all_inputs = dict(inputs)
    for s, eps in enumerate(draws):
        for n, e in eps.items():
            all_inputs[f"noise.{s}.{n}"] = e
    save(name, cls, module.ctor, module, all_inputs, dict(forward_kwargs, noise=noise, samples=samples),
         {"consistency": per_head}, notes)


def main():
    torch.set_num_threads(1)
    with torch.no_grad():
        luong_case("luong_dot", 1100, "dot", 6, 6, None, False, b=2, i=4, j=7, dv=3,
                   notes="Luong dot: qᵀk, masked keys")
        luong_case("luong_general", 1200, "general", 5, 7, None, False, b=2, i=3, j=8, dv=4,
                   notes="Luong general: qᵀ W k, W = attn.weight [query_size, key_size], no bias")
        luong_case("luong_general_bias", 1300, "general", 4, 4, None, True, b=1, i=5, j=6, dv=2,
                   notes="Luong general with the tutorial's bias: qᵀ (W k + b)")
        luong_case("luong_concat", 1400, "concat", 5, 3, 6, True, b=2, i=4, j=9, dv=3,
                   notes="Luong concat: vᵀ tanh(W [q; k] + b), W = attn.weight [hidden, query_size + key_size]")

        topk_case("topk_self", 1500, dict(dim=8, heads=2, dim_head=4, top_k=3), b=2, i=9, j=9, causal=False,
                  with_context=False, padded=True, notes="self attention, top 3 of 9 keys, key padding")
        topk_case("topk_cross_causal", 1600, dict(dim=6, heads=3, dim_head=2, top_k=2, context_dim=5), b=2, i=7, j=7,
                  causal=True, with_context=True, padded=False,
                  notes="cross attention with causal visibility: early rows see fewer than k keys")
        topk_case("topk_ties", 1700, dict(dim=8, heads=2, dim_head=4, top_k=4), b=2, i=10, j=10, causal=False,
                  with_context=False, padded=False, integer_ties=True,
                  notes="integer scores: ties at the k-th largest score are all kept")

        # consistency of a top-k module and of Luong general (one head)
        torch.manual_seed(1800)
        ctor = dict(dim=8, heads=2, dim_head=4, top_k=5)
        m = TopK(**ctor)
        m.ctor = ctor
        seeded_weights(m, 1801)
        g = torch.Generator().manual_seed(1802)
        inputs = {"x": randn(g, 2, 11, 8), "key_padding_mask": keep_mask(g, 2, 11, 0.8)}
        consistency_case("consistency_topk", "TopKAttention", m, inputs,
                         lambda t: m(t["x"], None, t["key_padding_mask"])[1], noise=0.05, samples=3, seed=1803,
                         forward_kwargs={}, notes="per-head mean JS (nats) under 5 % relative Gaussian noise")
        torch.manual_seed(1900)
        ctor = dict(method="general", query_size=6, key_size=5, bias=False)
        m = Luong("general", 6, 5)
        m.ctor = ctor
        seeded_weights(m, 1901)
        g = torch.Generator().manual_seed(1902)
        inputs = {"queries": randn(g, 2, 4, 6), "keys": randn(g, 2, 7, 5), "values": randn(g, 2, 7, 3)}
        consistency_case("consistency_luong", "LuongAttention", m, inputs,
                         lambda t: m(t["queries"], t["keys"], t["values"])[1][:, None], noise=0.2, samples=2, seed=1903,
                         forward_kwargs={}, notes="one head; 20 % relative noise; values perturbed too (no effect on maps)")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
