#!/usr/bin/python3
"""Data-parallel scaling: measured on this machine, and modelled for N machines from the measurements.

  /usr/bin/python3 benchmarks/scaling.py [--runs 2] [--limit 2000] [--latency-us 50]

Measured here (a build with -DTYPENET_WITH_MPI=ON, CIFAR-10 in data/):
  1. SeedModel7 training images/s, one process with 2 threads against `mpirun -np 2` with 1 thread
     each: `typenet train` on the first --limit images of each CIFAR-10 file, bf16, batch 256,
     the second epoch's training img/s (the first creates the primitives), best of --runs.
  2. Each network's bf16 training step at its batch (`typenet bench`, 2 threads), and its f32
     gradient all-reduce between 2 processes (`mpirun -np 2 bench_allreduce`): the all-reduce's
     share of a step.
  3. Training steps on 2 processes x 1 thread with the gradient sums in 25 MiB buckets started
     during backward, with one sum after backward, and with none (`mpirun -np 2
     bench_gradient_sync`): what the buckets hide here, and backward's share of a step.
Modelled: N machines like this one, each taking global_batch / N of every step. A step costs
  compute(N) = step_time / N              (the measured step, its work split N ways)
  allreduce(N) = 2 (N-1)/N * bytes / bandwidth + 2 (N-1) * latency     (ring all-reduce)
(linear in the per-machine batch, which flatters small per-machine batches). Speed-up(N) =
step_time / (compute(N) + allreduce(N)) with the sums after backward; with buckets at best
step_time / (compute(N) + max(0, allreduce(N) - backward(N))), backward(N) being backward's
measured share of compute(N) (a bound: the last bucket, the first layers', is always exposed).
The tables give them at 10, 25 and 100 Gbit/s, and the N where the exposed all-reduce takes as
long as the compute (50% efficiency: adding machines stops paying). --latency-us is the
per-message latency assumed for TCP over Ethernet.
"""
import argparse, os, re, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "build", "bin")
MPI = ["mpirun", "-np", "2", "--oversubscribe"]
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
# name, typenet bench arguments, global batch
NETS = [("SeedModel7", ["--model", "SeedModel7"], 256),
        ("Airbench94", ["--model", "Airbench94"], 1024),
        ("MobileNetV2", ["--model", "MobileNetV2", "--size", "224"], 64),
        ("EfficientNetB2", ["--model", "EfficientNetB2", "--size", "260"], 32),
        ("ResNet34", ["--model", "ResNet34", "--size", "224"], 32)]


def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
    if out.returncode != 0:
        sys.exit(f"scaling.py: {' '.join(cmd)} failed ({out.returncode}):\n{out.stderr[-2000:]}")
    return out.stdout


def train_img_s(processes, limit):
    cmd = [os.path.join(BIN, "typenet"), "train", "--model", "SeedModel7", "--data",
           os.path.join(ROOT, "data", "cifar-10-batches-bin"), "--limit", str(limit), "--epochs", "2", "--batch", "256",
           "--dtype", "bf16", "--threads", str(2 // processes), "--seed", "1"]
    out = run((MPI if processes == 2 else []) + cmd)
    rates = [float(r) for r in re.findall(r"^epoch +2/2 .* ([0-9.]+) img/s", out, re.M)]
    if len(rates) != 1:
        sys.exit(f"scaling.py: no epoch 2 line in:\n{out}")
    return rates[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--limit", type=int, default=2000)
    ap.add_argument("--latency-us", type=float, default=50.0)
    a = ap.parse_args()
    cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    print(f"# {cpu}, {os.cpu_count()} cores; best of {a.runs} runs")

    one, two = 0.0, 0.0
    for r in range(a.runs):  # interleaved, so both see the same machine
        x, y = train_img_s(1, a.limit), train_img_s(2, a.limit)
        print(f"run {r}: 1 process x 2 threads {x:.0f} img/s, 2 processes x 1 thread {y:.0f} img/s", flush=True)
        one, two = max(one, x), max(two, y)
    print(f"\n| SeedModel7 bf16 training, batch 256 | img/s |\n|---|---:|\n| 1 process x 2 threads | {one:.0f} |\n"
          f"| 2 processes x 1 thread (mpirun) | {two:.0f} ({two / one:.2f}x) |")

    reduce_ms = {}
    for line in run(MPI + [os.path.join(BIN, "bench_allreduce"), "30"]).splitlines():
        m = re.match(r"allreduce net=(\S+) params=(\d+) mb=\S+ ms_median=([0-9.]+)", line)
        if m:
            reduce_ms[m.group(1)] = (int(m.group(2)), float(m.group(3)))
    rows = []
    for name, args, batch in NETS:
        best, isa = 0.0, "?"
        for _ in range(a.runs):
            out = run([os.path.join(BIN, "typenet"), "bench", *args, "--mode", "train", "--dtype", "bf16", "--batch",
                       str(batch), "--threads", "2", "--repeats", "2"])
            best = max(best, float(re.search(r"img_s=([0-9.]+)", out).group(1)))
            isa = re.search(r"isa=(\S+)", out).group(1)
        params, ms = reduce_ms[name]
        rows.append((name, batch, params, 1e3 * batch / best, ms))
    print(f"\n(oneDNN {isa})\n\n| network | global batch | gradient MB | step ms (bf16, 2 threads) | all-reduce ms, 2 processes here | share |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, batch, params, step, ms in rows:
        print(f"| {name} | {batch} | {4 * params / 1e6:.1f} | {step:.0f} | {ms:.2f} | {ms / (step + ms):.1%} |")

    ways = {}  # (net, way) -> (backward ms, step ms)
    for line in run(MPI + [os.path.join(BIN, "bench_gradient_sync"), "15", "1"]).splitlines():
        m = re.match(r"gradient_sync net=(\S+) .* way=(\S+) buckets=(\d+) backward_ms=([0-9.]+) step_ms=([0-9.]+)", line)
        if m:
            ways[(m.group(1), m.group(2))] = (float(m.group(4)), float(m.group(5)), int(m.group(3)))
    print("\n| network | buckets | backward + sums ms: bucketed | one sum after backward | no sums | sums' share of a step | hidden by buckets | backward's share |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    backward_share = {}
    for name, _, _ in NETS:
        key = next(k for k in {w[0] for w in ways} if k.split("@")[0] == name)
        (b, _, nb), (s1, step1, _), (n0, step0, _) = (ways[(key, w)] for w in ("bucketed_25MiB", "single", "none"))
        backward_share[name] = n0 / step0
        hidden = (s1 - b) / (s1 - n0) if s1 > n0 else 0.0
        print(f"| {key} | {nb} | {b:.0f} | {s1:.0f} | {n0:.0f} | {(s1 - n0) / step1:.1%} | {hidden:.0%} | {n0 / step0:.0%} |")

    def step_at(step_ms, params, n, gbit, backward=0.0):
        compute = step_ms / n
        reduce = 0.0 if n == 1 else (2 * (n - 1) / n * 4 * params * 8 / (gbit * 1e9) * 1e3 + 2 * (n - 1) * a.latency_us / 1e3)
        return compute, max(0.0, reduce - backward * compute)

    ns = [2, 4, 8, 16, 32, 64]
    for title, overlapped in (("the sums after backward", False), ("bucketed sums hidden behind backward, at best", True)):
        print(f"\nModelled speed-up over one machine (ring all-reduce, latency {a.latency_us:g} us per message; {title}):\n")
        print("| network | link | " + " | ".join(f"N={n}" for n in ns) + " | 50% efficiency at N |")
        print("|---|---|" + "---:|" * (len(ns) + 1))
        for name, batch, params, step, _ in rows:
            share = backward_share[name] if overlapped else 0.0
            for gbit in (10, 25, 100):
                cells = []
                for n in ns:  # a machine needs at least one image of the global batch
                    c, r = step_at(step, params, n, gbit, share)
                    cells.append(f"{step / (c + r):.1f}" if n <= batch else "—")
                limit = next((n for n in range(2, batch + 1) if step_at(step, params, n, gbit, share)[1] >= step_at(step, params, n, gbit, share)[0]), None)
                print(f"| {name} | {gbit} Gbit/s | " + " | ".join(cells) + f" | {limit if limit else f'not below the batch ({batch})'} |")


if __name__ == "__main__":
    main()
