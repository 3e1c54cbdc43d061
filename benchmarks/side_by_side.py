#!/usr/bin/python3
"""typenet against PyTorch on the same CPU, same networks, batch and threads, interleaved.

  /usr/bin/python3 benchmarks/side_by_side.py [--runs 2] [--models SeedModel7,Airbench94,ResNet18Cifar]
                                              [--modes train,infer,latency] [--batch 256] [--threads 2]
                                              [--typenet NAME=BIN,NAME=BIN]
  /usr/bin/python3 benchmarks/side_by_side.py --models backbones [--backbone-batch 32]
  /usr/bin/python3 benchmarks/side_by_side.py --models finetune --dtypes bf16 [--finetune-batch 64] [--limit 1280]

The CIFAR models run on 32x32 inputs at --batch. The transfer backbones (`--models backbones`,
or any of ResNet34@224, ResNet34@128, EfficientNetB2@260, Xception@299, MobileNetV2@224,
MobileNetV2@128) run at their size, 1000 classes, --backbone-batch, in train and infer modes:
torchvision's resnet34 and efficientnet_b2, and for Keras's Xception and MobileNetV2 the PyTorch
transcriptions that the backbone fixtures are made with (tests/make_backbone_fixtures.py).

PyTorch (Debian's python3-torch) runs at its best: libjemalloc2 preloaded with decay disabled
(the script re-executes itself under it), 2 threads, NCHW and channels_last, f32 and bf16
autocast; its best configuration per dtype is the peer. Each run measures PyTorch and then
typenet (`build/bin/typenet bench`), so both see the same machine state; the table reports
the best of --runs for each, and the ratio typenet / PyTorch.
Mode latency is batch 1, the median of single calls in ms; PyTorch's peer there is the best of
eager and TorchScript frozen for inference (torch.jit.optimize_for_inference), NCHW and
channels_last, in f32 and in bf16 (weights and input converted: autocast does not survive
freezing); its ratio is PyTorch ms / typenet ms.
Fine-tuning (`--models finetune`, or ResNet34@128 and MobileNetV2@128 with --modes frozen,unfrozen)
is measured as `typenet finetune` runs it, from random weights at 10 classes, batch --finetune-batch,
AdamW as its fastai preset has it, on the first --limit images of each CIFAR-10 file (data/); its
epoch lines give training img/s, resizing and augmentation included, evaluation excluded. Two
frozen and two unfrozen epochs: the second of each is the one reported (the first creates the
primitives). Mode frozen is phase 1, the backbone frozen with its BN on running statistics and
only the head training; mode unfrozen is phase 2, every layer training. PyTorch's peer is
torchvision's resnet34 and mobilenet_v2 with num_classes=10 and the same optimiser; its frozen
backbone has requires_grad off and runs in eval mode. PyTorch is fed a ready tensor of the input
size: no resizing or augmentation, which favours it.
With --memory, every throughput measurement runs in a process of its own under /usr/bin/time,
and the table adds each side's peak resident memory (of its best layout, for PyTorch).
With --typenet old=/tmp/old/typenet,new=build/bin/typenet, two typenet builds are measured in the
same runs, right after the same PyTorch measurement (in alternating order from run to run), so
their ratios share one peer: the fair way to compare a change against the code before it.
"""
import argparse, os, re, subprocess, sys, time

JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"
if "LD_PRELOAD" not in os.environ and os.path.exists(JEMALLOC):
    env = dict(os.environ, LD_PRELOAD=JEMALLOC, MALLOC_CONF="dirty_decay_ms:-1,muzzy_decay_ms:-1")
    os.execve(sys.executable, [sys.executable] + sys.argv, env)

import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TYPENET = os.path.join(ROOT, "build", "bin", "typenet")


def seed_model7():
    def block(i, o):
        return [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(inplace=True)]
    return nn.Sequential(*block(3, 32), *block(32, 32), nn.MaxPool2d(2), nn.Dropout(0.2),
                         *block(32, 64), *block(64, 64), nn.MaxPool2d(2), nn.Dropout(0.3),
                         *block(64, 128), *block(128, 128), nn.MaxPool2d(2), nn.Dropout(0.4),
                         *block(128, 256), *block(256, 256), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(256, 10))


class Mul(nn.Module):
    def __init__(self, s):
        super().__init__()
        self.s = s

    def forward(self, x):
        return x * self.s


def airbench94():
    def group(i, o):
        return [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.MaxPool2d(2), nn.BatchNorm2d(o), nn.GELU(),
                nn.Conv2d(o, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.GELU()]
    return nn.Sequential(nn.Conv2d(3, 24, 2, bias=True), nn.GELU(), *group(24, 64), *group(64, 256),
                         *group(256, 256), nn.MaxPool2d(3), nn.Flatten(), nn.Linear(256, 10, bias=False), Mul(1 / 9))


class Basic(nn.Module):
    def __init__(self, i, o, s):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(i, o, 3, s, 1, bias=False), nn.BatchNorm2d(o), nn.ReLU(inplace=True),
                                  nn.Conv2d(o, o, 3, 1, 1, bias=False), nn.BatchNorm2d(o))
        self.short = (nn.Sequential(nn.Conv2d(i, o, 1, s, bias=False), nn.BatchNorm2d(o))
                      if s != 1 or i != o else nn.Identity())

    def forward(self, x):
        return torch.relu(self.body(x) + self.short(x))


def resnet18():
    layers, c = [nn.Conv2d(3, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True)], 64
    for o, s in [(64, 1), (128, 2), (256, 2), (512, 2)]:
        layers += [Basic(c, o, s), Basic(o, o, 1)]
        c = o
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 10))


MODELS = {"SeedModel7": seed_model7, "Airbench94": airbench94, "ResNet18Cifar": resnet18}
FINETUNE = ["ResNet34@128", "MobileNetV2@128"]
PHASES = ("frozen", "unfrozen")  # fine-tuning's two phases
BACKBONES = ["ResNet34@224", "ResNet34@128", "EfficientNetB2@260", "Xception@299", "MobileNetV2@224", "MobileNetV2@128"]


class Clamp06(nn.Module):
    """ReLU6 as clamp(0, 6), for bf16 training only: the same function, and PyTorch 1.13 has no
    bf16 backward of ReLU6 (hardtanh) on the CPU; elsewhere ReLU6 is the faster (MobileNetV2@224
    f32 training: 42.9 against 22.9 img/s)."""

    def forward(self, x):
        return x.clamp(0, 6)


def without_relu6(net):
    for name, child in net.named_children():
        if isinstance(child, nn.ReLU6):
            setattr(net, name, Clamp06())
        else:
            without_relu6(child)
    return net


def backbone(name, dtype, mode):
    """A backbone "Name@size": (PyTorch network with 1000 classes, input size)."""
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    import torchvision
    import make_backbone_fixtures as fx
    base, size = name.split("@")
    size = int(size)
    build = {"ResNet34": lambda: torchvision.models.resnet34(),
             "EfficientNetB2": lambda: torchvision.models.efficientnet_b2(),
             "Xception": lambda: fx.keras_xception(1000, size),
             "MobileNetV2": lambda: fx.keras_mobilenet_v2(1000, size)}[base]
    return (without_relu6(build()) if dtype == "bf16" and mode == "train" else build()), size


def finetune_network(name, dtype):
    """torchvision's network with a fresh 10-way head: (network, its head, input size)."""
    import torchvision
    base, size = name.split("@")
    build = {"ResNet34": torchvision.models.resnet34, "MobileNetV2": torchvision.models.mobilenet_v2,
             "EfficientNetB2": torchvision.models.efficientnet_b2}[base]
    net = build(num_classes=10)
    head = net.fc if base == "ResNet34" else net.classifier
    return (without_relu6(net) if dtype == "bf16" else net), head, int(size)


def network(name, dtype="f32", mode="infer"):
    """(network, input size, classes)"""
    if mode in PHASES:
        net, _, size = finetune_network(name, dtype)
        return net, size, 10
    if "@" in name:
        net, size = backbone(name, dtype, mode)
        return net, size, 1000
    return MODELS[name](), 32, 10


def torch_img_s(name, mode, dtype, channels_last, batch, min_seconds=4.0):
    torch.manual_seed(0)
    net, size, classes = network(name, dtype, mode)
    x = torch.randn(batch, 3, size, size)
    y = torch.randint(0, classes, (batch,))
    if channels_last:
        net = net.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    if mode in PHASES:  # typenet finetune's AdamW (fastai's betas and eps), no label smoothing
        if mode == "frozen":  # only the head trains; the backbone runs as in inference
            head = net.fc if hasattr(net, "fc") else net.classifier
            for p in net.parameters():
                p.requires_grad_(False)
            for p in head.parameters():
                p.requires_grad_(True)
        trained = [p for p in net.parameters() if p.requires_grad]
        opt = torch.optim.AdamW(trained, lr=1e-4, betas=(0.9, 0.99), eps=1e-5, weight_decay=0.01)
        loss_fn = nn.CrossEntropyLoss()
    else:
        opt = torch.optim.SGD(net.parameters(), lr=1e-4, momentum=0.9, nesterov=True, weight_decay=5e-4)
        loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
    bf16 = dtype == "bf16"

    def step():
        if mode in ("train", "frozen", "unfrozen"):
            if mode == "frozen":  # BN on running statistics below the head
                net.eval()
                head.train()
            else:
                net.train()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                loss = loss_fn(net(x), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        else:
            net.eval()
            with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                net(x)

    for _ in range(3):
        step()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < min_seconds:
        step()
        n += 1
    return n * batch / (time.perf_counter() - t0)


def torch_latency_ms(name, dtype, channels_last, frozen, calls=900, max_seconds=10.0):
    torch.manual_seed(0)
    net, size, _ = network(name)
    net = net.eval()
    x = torch.randn(1, 3, size, size)
    if dtype == "bf16":
        net, x = net.to(torch.bfloat16), x.to(torch.bfloat16)
    if channels_last:
        net = net.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    with torch.no_grad():
        if frozen:
            try:
                scripted = torch.jit.script(net)
            except RuntimeError:  # Airbench94's Mul module does not script in 1.13
                scripted = torch.jit.trace(net, x)
            net = torch.jit.optimize_for_inference(scripted)  # frozen, convs converted to oneDNN's
        for _ in range(20):
            net(x)
        ms, start = [], time.perf_counter()
        while len(ms) < calls and time.perf_counter() - start < max_seconds:  # eager f32 is slow (BLAS)
            t0 = time.perf_counter()
            net(x)
            ms.append((time.perf_counter() - t0) * 1e3)
    ms.sort()
    return ms[len(ms) // 2]


def model_args(name):  # "ResNet34@224" -> --model ResNet34 --size 224
    if "@" in name:
        base, size = name.split("@")
        return ["--model", base, "--size", size]
    return ["--model", name]


def failure(out):
    """What a typenet run that printed no result said: its last line, or its exit status."""
    lines = (out.stderr.strip() or out.stdout.strip()).splitlines()
    return f"exit status {out.returncode}" + (f": {lines[-1]}" if lines else " and no output")


def typenet_latency_ms(binary, name, dtype, threads):
    out = subprocess.run([binary, "bench", *model_args(name), "--mode", "latency", "--dtype", dtype,
                          "--threads", str(threads), "--repeats", "3"], capture_output=True, text=True)
    m = re.search(r"latency_ms_median=([0-9.]+)", out.stdout)
    if not m:
        return None, failure(out)
    return float(m.group(1)), out.stdout.strip()


PEAK = ["/usr/bin/time", "-f", "peak_kb=%M"]


def peak_gb(stderr):
    m = re.search(r"peak_kb=([0-9]+)", stderr)
    return int(m.group(1)) / 1e6 if m else None


def torch_img_s_alone(name, mode, dtype, channels_last, batch):
    """torch_img_s in a process of its own: (img/s, peak resident GB)."""
    out = subprocess.run(PEAK + [sys.executable, os.path.abspath(__file__), "--torch-alone",
                                 f"{name},{mode},{dtype},{int(channels_last)},{batch}"], capture_output=True, text=True)
    m = re.search(r"img_s=([0-9.]+)", out.stdout)
    if not m:
        raise RuntimeError(failure(out))
    return float(m.group(1)), peak_gb(out.stderr)


def typenet_img_s(binary, name, mode, dtype, batch, threads, memory=False):
    """(img/s or None, the bench line or what went wrong, peak resident GB or None)"""
    out = subprocess.run((PEAK if memory else []) + [binary, "bench", *model_args(name), "--mode", mode, "--dtype", dtype, "--batch", str(batch),
                          "--threads", str(threads), "--repeats", "1"], capture_output=True, text=True)
    m = re.search(r"img_s=([0-9.]+)", out.stdout)
    if not m:
        return None, failure(out), None
    gb = peak_gb(out.stderr) if memory else None
    return float(m.group(1)), out.stdout.strip() + (f" peak_gb={gb:.2f}" if gb else ""), gb


def typenet_finetune_img_s(binary, name, dtype, batch, threads, limit):
    """{phase: training img/s} from one short `typenet finetune` run (2 frozen + 2 unfrozen
    epochs on --limit images per CIFAR-10 file; each phase's second epoch), and its output."""
    base, size = name.split("@")
    out = subprocess.run([binary, "finetune", "--model", base, "--size", size, "--weights", "random",
                          "--data", os.path.join(ROOT, "data", "cifar-10-batches-bin"), "--limit", str(limit),
                          "--freeze-epochs", "2", "--epochs", "2", "--batch", str(batch), "--dtype", dtype,
                          "--threads", str(threads), "--seed", "1"], capture_output=True, text=True)
    rates = [float(r) for r in re.findall(r"^epoch +[0-9]+/[0-9]+ .* ([0-9.]+) img/s", out.stdout, re.M)]
    if len(rates) != 4:
        return None, failure(out)
    return {"frozen": rates[1], "unfrozen": rates[3]}, " ".join(f"{r:.1f}" for r in rates) + " img/s by epoch"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--models", default="SeedModel7,Airbench94,ResNet18Cifar")
    ap.add_argument("--modes", default="train,infer,latency")
    ap.add_argument("--dtypes", default="f32,bf16")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--backbone-batch", type=int, default=32)
    ap.add_argument("--finetune-batch", type=int, default=64)
    ap.add_argument("--limit", type=int, default=1280, help="fine-tuning: images per CIFAR-10 file")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--typenet", default=f"typenet={TYPENET}", help="NAME=BIN[,NAME=BIN...]: the builds to measure")
    ap.add_argument("--memory", action="store_true", help="peak resident memory too (one process per measurement)")
    ap.add_argument("--torch-alone", help=argparse.SUPPRESS)  # NAME,MODE,DTYPE,CHANNELS_LAST,BATCH: one measurement
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.torch_alone:
        name, mode, dtype, cl, batch = a.torch_alone.split(",")
        print(f"img_s={torch_img_s(name, mode, dtype, cl == '1', int(batch)):.3f}")
        return
    builds = [tuple(b.split("=", 1)) for b in a.typenet.split(",")]
    groups = {"backbones": BACKBONES, "finetune": FINETUNE}
    names = [n for m in a.models.split(",") for n in groups.get(m, [m])]
    finetuning = "finetune" in a.models.split(",")
    modes = list(PHASES) if finetuning else a.modes.split(",")
    batch_of = lambda name, mode: a.finetune_batch if mode in PHASES else a.backbone_batch if "@" in name else a.batch
    modes_of = lambda name: [m for m in modes if not ("@" in name and m == "latency")]
    print(f"# torch {torch.__version__}, threads {a.threads}, batch {a.batch} (backbones {a.backbone_batch}), runs {a.runs}, "
          f"LD_PRELOAD={os.environ.get('LD_PRELOAD', '')}, typenet builds {builds}", flush=True)
    best, peak = {}, {}  # peak: GB of the best measurement
    for run in range(a.runs):
        tuned = {}  # (name, dtype, label) -> this run's {phase: img/s}: one finetune run gives both phases
        for name in names:
            for mode in modes_of(name):
                for dtype in a.dtypes.split(","):
                    if mode == "latency":  # lower is better: keep the minimum
                        for cl in (False, True):
                            for frozen in (False, True):
                                v = torch_latency_ms(name, dtype, cl, frozen)
                                k = (name, mode, dtype, "torch")
                                best[k] = min(best.get(k, 1e30), v)
                                print(f"run {run} torch  {name} latency {dtype} {'channels_last' if cl else 'nchw'} "
                                      f"{'frozen' if frozen else 'eager'}: {v:.4f} ms", flush=True)
                        for label, binary in builds[::1 if run % 2 == 0 else -1]:
                            v, line = typenet_latency_ms(binary, name, dtype, a.threads)
                            print(f"run {run} {label} {name} latency {dtype}: {line}", flush=True)
                            if v is not None:
                                k = (name, mode, dtype, label)
                                best[k] = min(best.get(k, 1e30), v)
                        continue
                    for cl in (False, True):
                        try:
                            if a.memory:
                                v, gb = torch_img_s_alone(name, mode, dtype, cl, batch_of(name, mode))
                            else:
                                v, gb = torch_img_s(name, mode, dtype, cl, batch_of(name, mode)), None
                        except RuntimeError as e:  # reported, and the peer is the other layout
                            print(f"run {run} torch  {name} {mode} {dtype} failed: {e}", flush=True)
                            continue
                        k = (name, mode, dtype, "torch")
                        if v > best.get(k, 0):
                            best[k], peak[k] = v, gb
                        print(f"run {run} torch  {name} {mode} {dtype} {'channels_last' if cl else 'nchw'}: "
                              f"{v:.1f} img/s" + (f", peak {gb:.2f} GB" if gb else ""), flush=True)
                    for label, binary in builds[::1 if run % 2 == 0 else -1]:
                        if mode in PHASES:
                            if (name, dtype, label) not in tuned:
                                tuned[(name, dtype, label)] = typenet_finetune_img_s(
                                    binary, name, dtype, batch_of(name, mode), a.threads, a.limit)
                            rates, line = tuned[(name, dtype, label)]
                            v, gb = (rates[mode] if rates else None), None
                        else:
                            v, line, gb = typenet_img_s(binary, name, mode, dtype, batch_of(name, mode), a.threads, a.memory)
                        print(f"run {run} {label} {name} {mode} {dtype}: {line}", flush=True)
                        if v is not None:
                            k = (name, mode, dtype, label)
                            if v > best.get(k, 0):
                                best[k], peak[k] = v, gb
    with_peak = lambda k: f" ({peak[k]:.2f} GB)" if peak.get(k) else ""
    print("\n| model | mode | dtype | PyTorch (best layout) | " +
          " | ".join(f"{label} | {label} speed-up" for label, _ in builds) + " |")
    print("|---|---|---|---:|" + "---:|---:|" * len(builds))
    if a.memory:
        print("(in brackets: peak resident memory of the process)")
    for name in names:
        for mode in modes_of(name):
            for dtype in a.dtypes.split(","):
                t = best.get((name, mode, dtype, "torch"))
                unit = "ms" if mode == "latency" else "img/s"
                cells = []
                for label, _ in builds:
                    n = best.get((name, mode, dtype, label))
                    if not n or not t:
                        cells.append(f"{'failed' if not n else f'{n:.4g} {unit}'} | n/a")
                        continue
                    ratio = f"{t / n:.2f}" if mode == "latency" else f"{n / t:.2f}"
                    cells.append(f"{n:.4g} {unit}{with_peak((name, mode, dtype, label))} | {ratio}")
                peer = f"{t:.4g} {unit}{with_peak((name, mode, dtype, 'torch'))}" if t else "failed"
                print(f"| {name} | {mode} | {dtype} | {peer} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
