#!/usr/bin/python3
"""PyTorch contender of the attn4j comparison harness (`./attn4j bench --contenders pytorch`).

Builds bidirectional cross attention in PyTorch (bca_reference.py), proves it on every golden
case first (exits 3 if any output is outside the case's tolerances), then loads the benchmark
model's safetensors weights, runs the given inputs once when --outputs is given (writing the
outputs for the harness's agreement check) and times forward passes: eval mode, no_grad, torch.set_num_threads, warm-up,
then the median of --repeat runs, with the peak extra resident memory and whether other
processes were busy during the timed region. The result is one JSON object (stdout or --json).

Inputs come from --inputs DIR (x.npy, context.npy, optional mask.npy / context_mask.npy, as the
Java harness writes them) or are drawn here with --size/--batch/--seed. Progress goes to stderr
as lines `PROGRESS done total`, which the harness turns into its progress bar.

Run with Debian's interpreter, which has python3-torch: /usr/bin/python3 bench/python/bca_bench.py
"""

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

EXIT_PROOF_FAILED = 3
EXIT_NO_TORCH = 4

try:
    import torch
except ImportError:  # the harness shows "not installed" for this exit code
    print("bca_bench: torch is not installed for " + sys.executable
          + " (Debian: apt-get install python3-torch)", file=sys.stderr)
    sys.exit(EXIT_NO_TORCH)

import bca_reference as ref  # noqa: E402  (needs torch, imported after the check above)

GOLDEN_CASES = ("bca_basic", "bca_masks", "bca_talking_prenorm", "bcat_depth2")


# ---------------------------------------------------------------------------- /proc readers

def read_status_kb(field):
    """A `VmRSS:` / `VmHWM:` style field of /proc/self/status in kB, or None off Linux."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak_rss():
    """Resets VmHWM to the current RSS (Linux >= 4.0: write 5 to clear_refs); False if refused."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def cpu_ticks():
    """(busy ticks of the whole machine, all ticks of the whole machine, this process's ticks)."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal [guest guest_nice: already inside user/nice]
    total = sum(fields[:8])
    busy = total - fields[3] - fields[4]
    with open("/proc/self/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()  # the command name may hold spaces
    own = int(rest[11]) + int(rest[12])  # utime, stime (fields 14 and 15)
    return busy, total, own


def other_busy_percent(before, after):
    """Share of the machine's CPU time used by other processes between two cpu_ticks()."""
    busy = after[0] - before[0]
    total = after[1] - before[1]
    own = after[2] - before[2]
    if total <= 0:
        return 0.0
    return max(0.0, 100.0 * (busy - own) / total)


class RssSampler:
    """Fallback peak-RSS meter when clear_refs is refused: samples VmRSS every millisecond."""

    def __init__(self):
        self.peak_kb = read_status_kb("VmRSS") or 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.wait(0.001):
            self.peak_kb = max(self.peak_kb, read_status_kb("VmRSS") or 0)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak_kb = max(self.peak_kb, read_status_kb("VmRSS") or 0)


def blas_library():
    """The BLAS this process loaded (Debian switches libblas.so.3 with update-alternatives;
    the netlib reference BLAS makes PyTorch's matmuls ~20x slower than OpenBLAS)."""
    paths = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                fields = line.split()
                if len(fields) >= 6 and "blas" in fields[5]:
                    paths.add(fields[5])
    except OSError:
        return "unknown"
    real = sorted({os.path.realpath(p) for p in paths if p.startswith("/")})
    for r in real:
        if "openblas" in r:
            return "openblas (" + r + ")"
    return ("reference netlib BLAS, slow: apt-get install libopenblas0-openmp (" + ", ".join(real) + ")"
            if real else "none loaded")


# ---------------------------------------------------------------------------- proof

def within(got, want, atol, rtol):
    """(ok, max |got - want|, worst excess over atol + rtol*|want|)."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        return False, float("inf"), float("inf")
    diff = np.abs(got - want)
    excess = diff - (atol + rtol * np.abs(want))
    return bool(np.all(excess <= 0)), float(diff.max(initial=0.0)), float(excess.max(initial=-np.inf))


def prove(golden_dir):
    """Runs every golden case; returns (all ok, one report dict per case)."""
    reports = []
    all_ok = True
    for name in GOLDEN_CASES:
        case_dir = golden_dir / name
        case = json.loads((case_dir / "case.json").read_text())
        module = ref.build_from_safetensors(case_dir / "model.safetensors")
        inputs, _ = ref.read_safetensors(case_dir / "inputs.safetensors")
        want, _ = ref.read_safetensors(case_dir / "outputs.safetensors")
        kwargs = {k: torch.from_numpy(inputs[k]) for k in ("mask", "context_mask", "rel_pos_bias") if k in inputs}
        if case["forward_kwargs"].get("return_attn"):
            kwargs["return_attn"] = True
        with torch.no_grad():
            got = module(torch.from_numpy(inputs["x"]), torch.from_numpy(inputs["context"]), **kwargs)
        names = ("out", "context_out", "attn", "context_attn")[:len(got)]
        tolerances = case["tolerances_suggested_vs_outputs_safetensors"]
        report = {"case": name, "ok": True, "max_abs_err": 0.0}
        for key, tensor in zip(names, got):
            tol = tolerances[key]
            ok, err, _ = within(tensor.numpy(), want[key], tol["atol"], tol["rtol"])
            report["max_abs_err"] = max(report["max_abs_err"], err)
            if not ok:
                report["ok"] = False
                report.setdefault("failed", []).append(key)
        all_ok &= report["ok"]
        reports.append(report)
    return all_ok, reports


# ---------------------------------------------------------------------------- inputs

def parse_size(text):
    try:
        i, j = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--size: expected IxJ like 256x512, got {text!r}")
    if i < 1 or j < 1:
        raise argparse.ArgumentTypeError(f"--size: expected positive lengths, got {text!r}")
    return i, j


def load_inputs(args, dim, context_dim):
    """(x, context, mask or None, context_mask or None) as torch tensors."""
    if args.inputs:
        d = Path(args.inputs)
        x = np.load(d / "x.npy")
        context = np.load(d / "context.npy")
        mask = np.load(d / "mask.npy") if (d / "mask.npy").exists() else None
        context_mask = np.load(d / "context_mask.npy") if (d / "context_mask.npy").exists() else None
    else:
        i, j = args.size
        rng = np.random.default_rng(args.seed)
        x = rng.standard_normal((args.batch, i, dim), dtype=np.float32)
        context = rng.standard_normal((args.batch, j, context_dim), dtype=np.float32)
        if args.masks == "none":
            mask = context_mask = None
        elif args.masks == "ones":
            mask, context_mask = np.ones((args.batch, i), bool), np.ones((args.batch, j), bool)
        else:
            mask, context_mask = rng.random((args.batch, i)) < 0.8, rng.random((args.batch, j)) < 0.8
    as_t = (lambda a: None if a is None else torch.from_numpy(np.ascontiguousarray(a)))
    return as_t(x.astype(np.float32)), as_t(context.astype(np.float32)), \
        as_t(None if mask is None else mask.astype(bool)), \
        as_t(None if context_mask is None else context_mask.astype(bool))


# ---------------------------------------------------------------------------- main

def default_golden():
    shared = os.environ.get("ATTN4J_SHARED")
    return Path(shared) / "golden" if shared else HERE.parent.parent.parent / "shared" / "golden"


def main(argv=None):
    p = argparse.ArgumentParser(description="PyTorch bidirectional cross attention: prove, then time.")
    p.add_argument("--golden", type=Path, default=default_golden(), help="folder of the golden cases")
    p.add_argument("--model", type=Path, help="safetensors weights (default: GOLDEN/bca_readme/model.safetensors)")
    p.add_argument("--inputs", help="folder with x.npy, context.npy [, mask.npy, context_mask.npy]")
    p.add_argument("--size", type=parse_size, default=(256, 512), help="IxJ when inputs are drawn here")
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--masks", choices=("ones", "random", "none"), default="ones")
    p.add_argument("--outputs", help="first run once and write out.npy, context_out.npy into this folder")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--prove-only", action="store_true", help="run the golden proof and stop")
    p.add_argument("--json", help="write the result here instead of stdout")
    args = p.parse_args(argv)
    if args.threads < 1 or args.repeat < 0 or args.warmup < 0 or args.batch < 1:
        p.error("--threads and --batch must be >= 1, --repeat and --warmup >= 0")

    torch.set_num_threads(args.threads)
    result = {"contender": "pytorch", "variant": "eager", "torch_version": torch.__version__,
              "threads": args.threads, "blas": blas_library()}

    # 1. prove the module on the golden cases before anything is timed
    ok, reports = prove(args.golden)
    result["proof"] = reports
    for r in reports:
        print(f"bca_bench: golden {r['case']}: {'ok' if r['ok'] else 'FAILED ' + ','.join(r['failed'])}"
              f" (max abs err {r['max_abs_err']:.2e})", file=sys.stderr)
    if not ok:
        emit(result | {"status": "proof failed"}, args.json)
        return EXIT_PROOF_FAILED
    if args.prove_only:
        emit(result | {"status": "ok"}, args.json)
        return 0

    # 2. the benchmark model and its inputs
    module = ref.build_from_safetensors(args.model or args.golden / "bca_readme" / "model.safetensors")
    dim = module.to_qk.in_features
    context_dim = module.context_to_qk.in_features
    x, context, mask, context_mask = load_inputs(args, dim, context_dim)
    b, i, j = x.shape[0], x.shape[1], context.shape[1]
    result.update({"batch": b, "i": i, "j": j})
    first = 1 if args.outputs else 0
    total_steps = first + args.warmup + args.repeat

    def forward():
        return module(x, context, mask=mask, context_mask=context_mask)

    def progress(done):
        print(f"PROGRESS {done} {total_steps}", file=sys.stderr, flush=True)

    # 3. memory is measured from here: the optional output run (for the harness's agreement
    #    check), the warm-up runs, then the timed runs
    baseline_kb = read_status_kb("VmRSS") or 0
    hwm_reset = reset_peak_rss()
    sampler = None if hwm_reset else RssSampler().__enter__()
    times = []
    with torch.no_grad():
        if args.outputs:
            out, context_out = forward()
            Path(args.outputs).mkdir(parents=True, exist_ok=True)
            np.save(Path(args.outputs) / "out.npy", out.numpy())
            np.save(Path(args.outputs) / "context_out.npy", context_out.numpy())
            del out, context_out
            progress(1)
        for k in range(args.warmup):
            forward()
            progress(first + 1 + k)
        before = cpu_ticks()
        for k in range(args.repeat):
            t0 = time.perf_counter()
            forward()
            times.append(1e3 * (time.perf_counter() - t0))
            progress(first + args.warmup + 1 + k)
        after = cpu_ticks()
    if sampler is not None:
        sampler.__exit__(None, None, None)
        peak_kb = sampler.peak_kb
    else:
        peak_kb = read_status_kb("VmHWM") or 0

    result.update({
        "status": "ok",
        "times_ms": times,
        "median_ms": statistics.median(times) if times else None,
        "min_ms": min(times) if times else None,
        "max_ms": max(times) if times else None,
        "peak_rss_mb": max(0, peak_kb - baseline_kb) / 1024.0,
        "peak_rss_total_mb": peak_kb / 1024.0,
        "rss_method": "VmHWM after clear_refs" if hwm_reset else "VmRSS sampled every 1 ms",
        "other_busy_pct": other_busy_percent(before, after) if times else 0.0,
    })
    emit(result, args.json)
    return 0


def emit(result, path):
    text = json.dumps(result, indent=1)
    if path:
        Path(path).write_text(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    sys.exit(main())
