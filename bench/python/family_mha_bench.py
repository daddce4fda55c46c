#!/usr/bin/python3
"""PyTorch's side of the attention-family benchmark (java/bench: org.attn4j.bench.FamilyBench runs
this script in the same run, on the same weights and inputs).

Causal self attention with torch.nn.MultiheadAttention (batch_first, need_weights=False, the
square subsequent mask), weights loaded by their state-dict names from a safetensors file.
Prints one JSON line: median and all times (s), the peak-RSS growth of one forward (bytes), the
busy check, and writes the output for the caller's parity check.

    /usr/bin/python3 bench/python/family_mha_bench.py --model M.safetensors --input X.safetensors \
        --output OUT.safetensors --threads 2 --repeat 5
"""

import argparse
import json
import os
import struct
import time

import numpy as np
import torch
from torch import nn


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    meta = header.pop("__metadata__", {}) or {}
    out = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            raise ValueError(f"{name}: expected F32, got {info['dtype']}")
        start, end = info["data_offsets"]
        arr = np.frombuffer(blob, dtype="<f4", count=(end - start) // 4, offset=8 + n + start)
        out[name] = torch.from_numpy(arr.reshape(info["shape"]).copy())
    return out, meta


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        raw = t.detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def rss_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(field + " not in /proc/self/status")


def reset_peak():
    # Writing 5 to clear_refs resets VmHWM to the current RSS (Linux >= 4.0).
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def busy_cpus():
    """CPU time other processes used over 0.5 s, in cores (a check that the machine was quiet)."""
    def snapshot():
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        return sum(fields) - fields[3] - fields[4], sum(fields)
    b0, t0 = snapshot()
    time.sleep(0.5)
    b1, t1 = snapshot()
    return (b1 - b0) / max(1, t1 - t0) * os.cpu_count()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--input", required=True)
    p.add_argument("--output", required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeat", type=int, default=5)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    state, meta = read_safetensors(a.model)
    x = read_safetensors(a.input)[0]["x"]
    embed, heads = int(meta["embed_dim"]), int(meta["num_heads"])
    m = nn.MultiheadAttention(embed, heads, batch_first=True)
    m.load_state_dict(state)
    m.eval()
    n = x.shape[1]
    mask = nn.Transformer.generate_square_subsequent_mask(n)  # float -inf above the diagonal
    busy = busy_cpus()
    times, growth = [], 0
    with torch.inference_mode():
        out = None
        for _ in range(a.repeat + 1):  # the first run warms up
            out = None
            reset_peak()
            before = rss_kib("VmRSS")
            t = time.perf_counter()
            out = m(x, x, x, attn_mask=mask, need_weights=False)[0]
            times.append(time.perf_counter() - t)
            growth = max(growth, (rss_kib("VmHWM") - before) * 1024)
    times = times[1:]
    write_safetensors(a.output, {"attn_output": out})
    print(json.dumps({"torch": torch.__version__, "threads": a.threads, "n": n, "median_s": float(np.median(times)),
                      "times_s": times, "peak_rss_growth_bytes": growth, "busy_cpus_before": busy}))


if __name__ == "__main__":
    main()
