#!/usr/bin/python3
"""Write the PyTorch fixture that tests/test_pytorch.cpp compares typenet against.

Run with Debian's interpreter (python3-torch):  /usr/bin/python3 tests/make_pytorch_fixture.py
The network matches tests/test_pytorch.cpp's PyTorchFixtureNet:
  Input(3,8,8) Conv(8,3,no bias) BN ReLU MaxPool2 Conv(16,3,bias) GELU AvgPool2 Flatten Dense(10)
Files (raw little-endian float32, in typenet's flat order = PyTorch's parameter order):
  params.bin  input.bin (4,3,8,8)  labels.bin (int32, 4)  logits.bin (4,10)  loss.bin (1)
  grads.bin   input_grad.bin  state.bin (BN running mean, var after one training forward)
The loss is mean cross-entropy with label smoothing 0.1.
"""
import os
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(7)
net = nn.Sequential(
    nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 3, padding=1, bias=True), nn.GELU(), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(64, 10))
with torch.no_grad():  # BN scale/shift away from 1/0 so that they are really tested
    net[1].weight.uniform_(0.5, 1.5)
    net[1].bias.uniform_(-0.5, 0.5)
params0 = torch.cat([p.detach().reshape(-1) for p in net.parameters()])
x = torch.randn(4, 3, 8, 8, requires_grad=True)
labels = torch.tensor([3, 0, 9, 5], dtype=torch.int32)
net.train()
logits = net(x)
loss = nn.functional.cross_entropy(logits, labels.long(), label_smoothing=0.1)
loss.backward()
grads = torch.cat([p.grad.reshape(-1) for p in net.parameters()])
state = torch.cat([net[1].running_mean, net[1].running_var])

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "pytorch_small")
os.makedirs(out, exist_ok=True)
def write(name, t, dtype=np.float32):
    t.detach().numpy().astype(dtype).tofile(os.path.join(out, name))
write("params.bin", params0)
write("input.bin", x)
write("labels.bin", labels, np.int32)
write("logits.bin", logits)
write("loss.bin", loss.reshape(1))
write("grads.bin", grads)
write("input_grad.bin", x.grad)
write("state.bin", state)
print("wrote", out, "params", params0.numel(), "loss", float(loss))
