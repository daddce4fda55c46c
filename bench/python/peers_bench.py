#!/usr/bin/python3
"""PyTorch 1.x's side of `./attn4j bench peers` (java/bench: PeersBench runs it in the same run,
on the same inputs and weights).

  --kind sdpa   q, k, v [b, n, E] (.npy) seen as [b, h, n, d]: softmax(q·kᵀ/√d [+ causal mask])·v,
                the eager computation (PyTorch 1.13 has no F.scaled_dot_product_attention).
  --kind mha    x [b, n, E]: torch.nn.MultiheadAttention(batch_first=True), weights from
                mha.safetensors, need_weights=False, attn_mask = the square subsequent mask when causal.
Writes torch1_output.npy into --dir and prints one JSON line: {"times_ms": [...], "version": ...}.

    /usr/bin/python3 bench/python/peers_bench.py --kind sdpa --dir DIR --heads 8 --threads 2 [--causal]
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from family_mha_bench import read_safetensors  # noqa: E402  (one safetensors reader for the bench scripts)


def heads(t, h):
    b, n, e = t.shape
    return t.reshape(b, n, h, e // h).transpose(1, 2)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--kind", choices=["sdpa", "mha"], required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--heads", type=int, required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--causal", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    load = lambda name: torch.from_numpy(np.load(os.path.join(a.dir, name)))
    if a.kind == "sdpa":
        q, k, v = (heads(load(f), a.heads) for f in ("q.npy", "k.npy", "v.npy"))
        n, d = q.shape[2], q.shape[3]
        mask = torch.triu(torch.full((n, n), float("-inf")), 1) if a.causal else None

        def forward():
            s = torch.matmul(q, k.transpose(-2, -1)) * (1.0 / math.sqrt(d))
            if mask is not None:
                s = s + mask
            o = torch.matmul(torch.softmax(s, dim=-1), v)
            return o.transpose(1, 2).reshape(q.shape[0], n, -1)
    else:
        x = load("x.npy")
        state, _ = read_safetensors(os.path.join(a.dir, "mha.safetensors"))
        e = x.shape[2]
        mha = nn.MultiheadAttention(e, a.heads, batch_first=True)
        mha.load_state_dict(state)
        mha.eval()
        n = x.shape[1]
        mask = torch.triu(torch.ones(n, n, dtype=torch.bool), 1) if a.causal else None

        def forward():
            return mha(x, x, x, need_weights=False, attn_mask=mask)[0]

    times, out = [], None
    with torch.inference_mode():
        for r in range(-a.warmup, a.repeat):
            t0 = time.perf_counter()
            y = forward()
            ms = (time.perf_counter() - t0) * 1e3
            if r >= 0:
                times.append(ms)
            if out is None:
                out = y.contiguous().numpy()
    np.save(os.path.join(a.dir, "torch1_output.npy"), out.astype(np.float32))
    print(json.dumps({"times_ms": times, "version": torch.__version__}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
