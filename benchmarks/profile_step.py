#!/usr/bin/env python3
"""Where a training step's time goes, per oneDNN primitive, from oneDNN's own timings.

Runs `typenet bench` with ONEDNN_VERBOSE=1 (oneDNN prints every primitive execution with its
time in ms), drops the first third of the executions (warm-up and the first-run JIT), and prints
the time per step of each primitive kind and shape, largest first. The sum is the time spent
inside oneDNN; the rest of a step (loss, optimiser, our own loops) is not in this table.

The step's wall time comes from the same run's bench line (with oneDNN's printing on, so a little
high); what it has beyond oneDNN's sum is typenet's own work (our loops, reorders' bookkeeping,
the optimiser) and the printing.

  python3 benchmarks/profile_step.py --model SeedModel7 --mode train --dtype f32 [--top 25]
  python3 benchmarks/profile_step.py --model EfficientNetB2 --size 260 --batch 32 --steps 3
"""
import argparse, collections, subprocess, sys

ap = argparse.ArgumentParser()
ap.add_argument("--typenet", default="build/bin/typenet")
ap.add_argument("--model", default="SeedModel7")
ap.add_argument("--mode", default="train", choices=["train", "infer", "latency"])
ap.add_argument("--dtype", default="f32", choices=["f32", "bf16"])
ap.add_argument("--size", type=int, default=0, help="a backbone's input size (0: native)")
ap.add_argument("--batch", type=int, default=256)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--steps", type=int, default=6)
ap.add_argument("--top", type=int, default=30)
a = ap.parse_args()

cmd = [a.typenet, "bench", "--model", a.model, "--mode", a.mode, "--dtype", a.dtype, "--batch", str(a.batch),
       "--threads", str(a.threads), "--steps", str(a.steps), "--repeats", "1"] + (["--size", str(a.size)] if a.size else [])
run = subprocess.run(cmd, env={"ONEDNN_VERBOSE": "1", "PATH": "/usr/bin:/bin"}, capture_output=True, text=True)
if run.returncode != 0:
    sys.exit(f"profile_step: {' '.join(cmd)} failed:\n{run.stderr}")
rows = []
for line in run.stdout.splitlines():
    f = line.split(",")
    if len(f) < 10 or f[:2] != ["onednn_verbose", "exec"]:
        continue
    kind, impl, prop, shape, ms = f[3], f[4], f[5], f[-2], float(f[-1])
    layouts = f[6]
    rows.append((kind, prop, impl, shape, layouts, ms))
if not rows:
    sys.exit("profile_step: no oneDNN executions were printed")
# The bench runs 3 warm-up steps, then steps x repeats timed ones (bench/throughput.hpp).
# A primitive of the step runs m times per step, m x runs in all; the kept part starts at the
# first such primitive's occurrence after the warm-up, and holds the timed steps.
bench_line = next((l for l in reversed(run.stdout.splitlines()) if "steps=" in l), "")
timed = int(bench_line.split("steps=")[1].split()[0]) * int(bench_line.split("repeats=")[1].split()[0]) if bench_line else 0
runs = 3 + timed
every = collections.Counter(r[:4] for r in rows)
first_key = next((r[:4] for r in rows if timed and every[r[:4]] % runs == 0), None)
if first_key is None:
    sys.exit("profile_step: could not find the steps in oneDNN's output")
per_step = every[first_key] // runs
occurrences = [i for i, r in enumerate(rows) if r[:4] == first_key]
keep = rows[occurrences[3 * per_step]:]
total = collections.defaultdict(float)
count = collections.Counter()
for kind, prop, impl, shape, layouts, ms in keep:
    total[(kind, prop, impl, shape)] += ms
    count[(kind, prop, impl, shape)] += 1
steps = timed
all_ms = sum(total.values()) / steps
print(f"# {' '.join(cmd)}")
print(f"# inside oneDNN: {all_ms:.2f} ms per step ({steps} steps sampled)")
by_kind = collections.defaultdict(float)
for (kind, prop, impl, shape), ms in total.items():
    by_kind[(kind, prop)] += ms / steps
print("\nper kind:")
for (kind, prop), ms in sorted(by_kind.items(), key=lambda x: -x[1]):
    print(f"  {ms:8.2f} ms {100 * ms / all_ms:5.1f}%  {kind} {prop}")
print(f"\ntop {a.top} primitives:")
for (kind, prop, impl, shape), ms in sorted(total.items(), key=lambda x: -x[1])[: a.top]:
    print(f"  {ms / steps:8.2f} ms {100 * ms / steps / all_ms:5.1f}%  {kind:20s} {prop:18s} {impl:22s} {shape}")
bench = next((l for l in reversed(run.stdout.splitlines()) if "img_s=" in l), "")
print(bench)
if bench and a.mode != "latency":
    step_ms = a.batch / float(bench.split("img_s=")[1].split()[0]) * 1000
    print(f"# step wall time {step_ms:.1f} ms; outside oneDNN {step_ms - all_ms:.1f} ms ({100 * (1 - all_ms / step_ms):.1f}%)")
