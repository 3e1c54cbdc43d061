#!/usr/bin/python3
"""Write tests/fixtures/formats/: one small file per weight format, each exercising what its
reader must handle, and expected.json with every tensor's values as PyTorch-layout lists.
Committed (a few KB); they seed the fuzzers (tests/fuzz/make_seeds.cpp) and test_import's
per-format cases. Run with Debian's interpreter (python3-torch, python3-h5py):
    /usr/bin/python3 tests/make_format_fixtures.py

  tiny.pth          torch.save of a state_dict: float32, a transposed (strided) view, two views of
                    one storage at different offsets, float16, bfloat16, float64, an int64
                    num_batches_tracked, and a Parameter (torch._utils._rebuild_parameter)
  tiny.safetensors  F32, F16 and BF16 tensors, with __metadata__
  tiny.h5           Keras layout: a Conv2D (HWIO kernel and bias), a DepthwiseConv2D, a
                    BatchNormalization, a Dense and a weightless layer
  tiny_tfjs/        model.json + one shard: float32, uint8- and uint16-quantised, float16
"""
import collections, json, os, struct
import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "formats")


def values(n, seed):
    return ((np.arange(n) * 7919 + seed * 104729) % 1000 / 250.0 - 2.0).astype(np.float32)


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}

    # PyTorch: views and storage types as state_dicts hold them.
    base = torch.from_numpy(values(12, 1)).reshape(3, 4)
    shared = torch.from_numpy(values(10, 2))
    sd = collections.OrderedDict()
    sd["conv.weight"] = torch.from_numpy(values(24, 3)).reshape(2, 3, 2, 2)
    sd["fc.weight_t"] = base.t()                      # (4,3), strides (1,4)
    sd["shared.first"] = shared[0:4]
    sd["shared.second"] = shared[5:10].view(5)        # offset 5 in the same storage
    sd["half"] = torch.from_numpy(values(6, 4)).reshape(2, 3).half()
    sd["bf16"] = torch.from_numpy(values(5, 5)).bfloat16()
    sd["double"] = torch.from_numpy(values(3, 6)).double()
    sd["bn.num_batches_tracked"] = torch.tensor(7, dtype=torch.long)
    sd["param"] = torch.nn.Parameter(torch.from_numpy(values(4, 7)))
    torch.save(sd, os.path.join(OUT, "tiny.pth"))
    expected["tiny.pth"] = {k: {"dims": list(v.shape), "values": v.detach().float().reshape(-1).tolist()} for k, v in sd.items()}

    # safetensors, from its specification.
    tensors = [("a", torch.from_numpy(values(6, 8)).reshape(2, 3), "F32"),
               ("b", torch.from_numpy(values(4, 9)).half(), "F16"),
               ("c", torch.from_numpy(values(3, 10)).bfloat16(), "BF16")]
    header, blob = {"__metadata__": {"format": "pt"}}, b""
    for name, t, dtype in tensors:
        raw = (t.view(torch.int16) if t.dtype in (torch.float16, torch.bfloat16) else t).contiguous().numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [len(blob), len(blob) + len(raw)]}
        blob += raw
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(os.path.join(OUT, "tiny.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + blob)
    expected["tiny.safetensors"] = {n: {"dims": list(t.shape), "values": t.float().reshape(-1).tolist()} for n, t, _ in tensors}

    # Keras .h5: HWIO kernels, depthwise (KH,KW,C,M), BN, Dense (in,out).
    import h5py
    conv = values(3 * 3 * 2 * 4, 11).reshape(3, 3, 2, 4)
    depthwise = values(3 * 3 * 4 * 2, 12).reshape(3, 3, 4, 2)
    layers = [("conv", [("kernel", conv), ("bias", values(4, 13))]),
              ("dw", [("depthwise_kernel", depthwise)]),
              ("bn", [("gamma", values(8, 14)), ("beta", values(8, 15)), ("moving_mean", values(8, 16)),
                      ("moving_variance", np.abs(values(8, 17)) + 0.5)]),
              ("dense", [("kernel", values(8 * 3, 18).reshape(8, 3)), ("bias", values(3, 19))])]
    with h5py.File(os.path.join(OUT, "tiny.h5"), "w") as f:
        f.attrs["layer_names"] = np.array([b"input_1", b"conv", b"dw", b"bn", b"pool", b"dense"])
        f.attrs["backend"], f.attrs["keras_version"] = b"tensorflow", b"2.2.4"
        for empty in ("input_1", "pool"):
            f.create_group(empty).attrs["weight_names"] = np.array([], dtype="S1")
        for layer, ws in layers:
            g = f.create_group(layer)
            g.attrs["weight_names"] = np.array([f"{layer}/{w}:0".encode() for w, _ in ws])
            for w, v in ws:
                g.create_dataset(f"{layer}/{w}:0", data=v)
    torch_layout = {"conv/kernel": conv.transpose(3, 2, 0, 1), "dw/depthwise_kernel": depthwise.transpose(2, 3, 0, 1).reshape(8, 1, 3, 3),
                    "dense/kernel": layers[3][1][0][1].T}
    expected["tiny.h5"] = {}
    for layer, ws in layers:
        for w, v in ws:
            t = torch_layout.get(f"{layer}/{w}", v)
            expected["tiny.h5"][f"{layer}/{w}"] = {"dims": list(t.shape), "values": np.ascontiguousarray(t).reshape(-1).tolist()}

    # TensorFlow.js: float32, uint8 and uint16 (w = min + scale * q), float16.
    folder = os.path.join(OUT, "tiny_tfjs")
    os.makedirs(folder, exist_ok=True)
    q8, q16 = np.array([0, 1, 128, 255], dtype=np.uint8), np.array([0, 300, 65535], dtype=np.uint16)
    f32 = values(2 * 2 * 1 * 3, 20).reshape(2, 2, 1, 3)
    f16 = values(5, 21).astype(np.float16)
    manifest = [{"name": "k/kernel", "shape": [2, 2, 1, 3], "dtype": "float32"},
                {"name": "q8/bias", "shape": [4], "dtype": "float32", "quantization": {"dtype": "uint8", "min": -1.5, "scale": 0.01}},
                {"name": "q16/bias", "shape": [3], "dtype": "float32", "quantization": {"dtype": "uint16", "min": 0.25, "scale": 0.001}},
                {"name": "h/gamma", "shape": [5], "dtype": "float32", "quantization": {"dtype": "float16"}}]
    with open(os.path.join(folder, "group1-shard1of1.bin"), "wb") as f:
        f.write(f32.astype("<f4").tobytes() + q8.tobytes() + q16.astype("<u2").tobytes() + f16.astype("<f2").tobytes())
    with open(os.path.join(folder, "model.json"), "w") as f:
        json.dump({"format": "layers-model", "modelTopology": {}, "userDefinedMetadata": {"inputRange": [0, 1]},
                   "weightsManifest": [{"paths": ["group1-shard1of1.bin"], "weights": manifest}]}, f)
    expected["tiny_tfjs/model.json"] = {
        "k/kernel": {"dims": [3, 1, 2, 2], "values": f32.transpose(3, 2, 0, 1).reshape(-1).tolist()},
        "q8/bias": {"dims": [4], "values": (-1.5 + 0.01 * q8.astype(np.float64)).astype(np.float32).tolist()},
        "q16/bias": {"dims": [3], "values": (0.25 + 0.001 * q16.astype(np.float64)).astype(np.float32).tolist()},
        "h/gamma": {"dims": [5], "values": f16.astype(np.float32).tolist()}}

    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
