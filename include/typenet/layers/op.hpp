#pragma once
// Operation tags: what a layer computes. Backends specialise Kernel<Backend, Op, Layer, In>
// on these, so a layer's template arguments stay the layer's business.
namespace typenet::op {
struct Conv {};
struct BatchNorm {};
struct Eltwise {};     // ReLU, GELU, Scale: one elementwise function of the input
struct Pool {};        // MaxPool, AvgPool, GlobalAvgPool
struct Dropout {};     // Dropout, StochasticDepth
struct Flatten {};
struct Dense {};
struct ConvBnAct {};   // fused Conv -> BatchNorm -> activation (graph/fuse.hpp)
struct Residual {};
struct Gate {};        // x times a per-channel function of x (squeeze-and-excitation)
}  // namespace typenet::op
