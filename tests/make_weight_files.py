#!/usr/bin/python3
"""Write the backbones' fixture weights in other frameworks' file formats, for tests/test_import.cpp.

Run with Debian's interpreter (python3-torch, python3-torchvision, python3-h5py,
python3-keras-applications); ctest runs it once before the import tests:
    /usr/bin/python3 tests/make_weight_files.py OUTDIR

The weights are make_backbone_fixtures.py's generated ones (the networks at 10 classes and the
fixtures' input sizes). Each file is written here from its format's specification or by its own
library, never by typenet:
  resnet34.pth, efficientnet_b2.pth   torch.save(state_dict()), torchvision's names
  resnet34.safetensors                F32, written from the safetensors specification
  efficientnet_b2.{f32,f16,bf16}.safetensors
  mobilenet_v2.h5, xception.h5        Keras's layout through h5py: layer_names, weight_names,
                                      HWIO kernels; names from Keras's own source (keras_layers.py)
  mobilenet_v2_tfjs_f32/              TensorFlow.js: model.json + two float32 shards
  mobilenet_v2_tfjs_uint8/, xception_tfjs_uint8/   uint8-quantised, w = min + scale * q
and, for each, <file>.logits: the eval-mode logits (2, 10) that PyTorch computes (in float64)
on the fixture's input with exactly the values the file holds (rounded to F16/BF16, or
dequantised from uint8). A stamp file makes a second run with the same script a no-op.
"""
import hashlib, json, os, struct, sys
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_backbone_fixtures as fx  # noqa: E402
from keras_layers import keras_layers  # noqa: E402

torch.set_grad_enabled(False)


def generated(name):
    """The network with the fixture's generated weights, and its input."""
    build, size = fx.NETWORKS[name]
    net = build(10)
    fx.load_generated(net)
    x = np.fromfile(os.path.join(fx.OUT, name, "input.bin"), dtype=np.float32).reshape(2, 3, size, size)
    return net, torch.from_numpy(x)


def logits(name, values):
    """PyTorch's eval-mode logits, in float64, with the state_dict entries in `values`."""
    net, x = generated(name)
    sd = net.state_dict()
    for k, v in values.items():
        sd[k].copy_(torch.as_tensor(v).reshape(sd[k].shape).to(sd[k].dtype))
    return net.double().eval()(x.double()).numpy().astype(np.float32)


def tensors(name):
    """The state_dict's float tensors in order (num_batches_tracked left out), as float32 arrays."""
    net, _ = generated(name)
    return [(k, t.numpy().copy()) for k, t in net.state_dict().items() if not k.endswith("num_batches_tracked")]


def write_safetensors(path, named, dtype):
    """The specification: u64 header length, JSON header, then the raw little-endian bytes."""
    header, blobs, at = {"__metadata__": {"writer": "make_weight_files.py"}}, [], 0
    for k, v in named:
        t = torch.from_numpy(np.ascontiguousarray(v)).to(dtype)
        raw = (t.view(torch.int16) if dtype in (torch.float16, torch.bfloat16) else t).numpy().tobytes()
        header[k] = {"dtype": {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}[dtype],
                     "shape": list(v.shape), "data_offsets": [at, at + len(raw)]}
        blobs.append(raw)
        at += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    return {k: torch.from_numpy(np.ascontiguousarray(v)).to(dtype).float().numpy() for k, v in named}


def to_keras(torch_name, v, keras_weight):
    """A PyTorch-layout tensor in Keras's layout for the Keras weight it stands for."""
    if keras_weight == "depthwise_kernel":  # (C*M,1,KH,KW) -> (KH,KW,C,M), M = 1 here
        return np.ascontiguousarray(v.transpose(2, 3, 0, 1))
    if v.ndim == 4:  # (O,I,KH,KW) -> (KH,KW,I,O)
        return np.ascontiguousarray(v.transpose(2, 3, 1, 0))
    if v.ndim == 2:  # Linear (out,in) -> Dense (in,out)
        return np.ascontiguousarray(v.T)
    return v


def keras_weights(name):
    """Keras's layers (names and order from Keras's own source) with the transcription's values:
    [(layer, [(weight_name, keras_array, torch_name)])]. The transcription keeps Keras's order, so
    the two lists pair up one to one; every pair's shape is checked."""
    _, size = fx.NETWORKS[name]
    ours = tensors(name)
    layers, i = [], 0
    for layer, _, weights in keras_layers(name, size=size, classes=10):
        entries = []
        for wname, shape in weights:
            key, v = ours[i]
            i += 1
            k = to_keras(key, v, wname)
            assert k.shape == tuple(shape), f"{layer}/{wname} {shape} against {key} {v.shape}"
            entries.append((wname, k, key))
        layers.append((layer, entries))
    assert i == len(ours), f"{name}: {len(ours) - i} tensors left over"
    return layers


def write_h5(path, layers):
    """Keras 2's save_weights layout; a weightless layer is listed too, as Keras lists them all."""
    import h5py
    with h5py.File(path, "w") as f:
        names = [layers[0][0], "a_weightless_layer"] + [l for l, _ in layers[1:]]
        f.attrs["layer_names"] = np.array([n.encode() for n in names])
        f.attrs["backend"], f.attrs["keras_version"] = b"tensorflow", b"2.2.4"
        f.create_group("a_weightless_layer").attrs["weight_names"] = np.array([], dtype="S1")
        for layer, entries in layers:
            g = f.create_group(layer)
            g.attrs["weight_names"] = np.array([f"{layer}/{w}:0".encode() for w, _, _ in entries])
            for w, v, _ in entries:
                g.create_dataset(f"{layer}/{w}:0", data=v)


def write_tfjs(folder, layers, quantise):
    """model.json + shards as TensorFlow.js's converter writes them; uint8: per tensor,
    scale = (max - min) / 255, q = round((w - min) / scale), and the file's values are min + scale * q."""
    os.makedirs(folder, exist_ok=True)
    manifest, blob, values = [], bytearray(), {}
    for layer, entries in layers:
        for w, v, key in entries:
            entry = {"name": f"{layer}/{w}", "shape": list(v.shape), "dtype": "float32"}
            if quantise:
                lo, hi = float(v.min()), float(v.max())
                scale = (hi - lo) / 255 if hi > lo else 1.0
                q = np.clip(np.round((v - lo) / scale), 0, 255).astype(np.uint8)
                entry["quantization"] = {"dtype": "uint8", "min": lo, "scale": scale}
                blob += q.tobytes()
                dequantised = (lo + scale * q.astype(np.float64)).astype(np.float32)
            else:
                blob += v.astype("<f4").tobytes()
                dequantised = v
            manifest.append(entry)
            values[key] = torch_layout(dequantised, w)
    half = len(blob) // 2
    paths = ["group1-shard1of2.bin", "group1-shard2of2.bin"]
    for p, part in zip(paths, (blob[:half], blob[half:])):
        with open(os.path.join(folder, p), "wb") as f:
            f.write(part)
    model = {"format": "layers-model", "generatedBy": "make_weight_files.py",
             "modelTopology": {"class_name": "Model", "config": {"name": "fixture"}},
             "userDefinedMetadata": {"inputRange": [-1, 1]},
             "weightsManifest": [{"paths": paths, "weights": manifest}]}
    with open(os.path.join(folder, "model.json"), "w") as f:
        json.dump(model, f)
    return values


def torch_layout(k, keras_weight):
    if keras_weight == "depthwise_kernel":
        return k.transpose(2, 3, 0, 1)
    if k.ndim == 4:
        return k.transpose(3, 2, 0, 1)
    if k.ndim == 2:
        return k.T
    return k


def main(out):
    stamp = os.path.join(out, "stamp")
    digest = hashlib.sha256(b"".join(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), f), "rb").read()
                                     for f in ("make_weight_files.py", "make_backbone_fixtures.py",
                                               "keras_layers.py"))).hexdigest()
    if os.path.exists(stamp) and open(stamp).read() == digest:
        print("weight files up to date in", out)
        return
    os.makedirs(out, exist_ok=True)

    def expect(path, name, values):
        logits(name, values).tofile(path + ".logits")
        print("wrote", path, flush=True)

    for name in ("resnet34", "efficientnet_b2"):
        net, _ = generated(name)
        torch.save(net.state_dict(), os.path.join(out, name + ".pth"))
        expect(os.path.join(out, name + ".pth"), name, {})
        named = tensors(name)
        dtypes = {"f32": torch.float32} if name == "resnet34" else \
            {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16}
        for tag, dtype in dtypes.items():
            path = os.path.join(out, f"{name}.{tag}.safetensors" if name != "resnet34" else name + ".safetensors")
            expect(path, name, write_safetensors(path, named, dtype))
    for name in ("mobilenet_v2", "xception"):
        layers = keras_weights(name)
        path = os.path.join(out, name + ".h5")
        write_h5(path, layers)
        expect(path, name, {})
        for tag in (("f32", "uint8") if name == "mobilenet_v2" else ("uint8",)):
            folder = os.path.join(out, f"{name}_tfjs_{tag}")
            expect(os.path.join(folder, "model.json"), name, write_tfjs(folder, layers, tag == "uint8"))
    with open(stamp, "w") as f:
        f.write(digest)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
