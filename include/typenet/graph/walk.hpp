#pragma once
// The structured walk: every layer of a network as written — fused nodes opened into their
// parts, residual branches as branches — with its path, kind, shapes and its ranges of the
// flat parameter and state buffers (model.hpp lays them out node after node). Weight import
// and export by name and per-layer learning rates are built on it.
//   path: node indices from the top; a fused node's parts by position ("3.0" the conv of fused
//         node 3, "3.1" its batch norm); residual branches as "body" and "shortcut"
//         ("4.body.1.0": the conv of the second node of residual 4's body); a gate's branch
//         as "gate" ("5.gate.1": the first Dense of squeeze-and-excitation node 5)
//   walk<Net>(f): f(std::type_identity<Node>{}, const LayerInfo&) for every layer, in order
#include <string>
#include <type_traits>
#include <vector>
#include "typenet/graph/for_each_node.hpp"
#include "typenet/graph/sequential.hpp"
#include "typenet/layers/layer.hpp"

namespace typenet {

struct LayerInfo {
  std::string path;
  const char* kind;  // the layer's name: Conv, BatchNorm, ReLU, ...
  Shape in, out;
  long param_offset = 0, params = 0;  // its range of the flat parameter buffer
  long state_offset = 0, state = 0;   // and of the state buffer
};

namespace detail {
template <class F, class... Ns>
void walk_nodes(List<Ns...>, F& f, const std::string& prefix, long p, long s);

template <class N, class F>
void walk_node(F& f, const std::string& path, long p, long s) {
  if constexpr (FusedNode<N>) {
    walk_nodes(typename N::bound::chain::nodes{}, f, path + ".", p, s);
  } else if constexpr (BranchingNode<N>) {
    walk_nodes(typename N::bound::body::nodes{}, f, path + ".body.", p, s);
    walk_nodes(typename N::bound::shortcut::nodes{}, f, path + ".shortcut.", p + N::bound::body_params,
               s + N::bound::body_state);
  } else if constexpr (GatedNode<N>) {
    walk_nodes(typename N::bound::branch::nodes{}, f, path + ".gate.", p, s);
  } else {
    f(std::type_identity<N>{}, LayerInfo{path, N::layer::name, N::in, N::out, p, N::params, s, N::state});
  }
}

template <class F, class... Ns>
void walk_nodes(List<Ns...>, F& f, const std::string& prefix, long p, long s) {
  std::size_t i = 0;
  ((walk_node<Ns>(f, prefix + std::to_string(i++), p, s), p += Ns::params, s += Ns::state), ...);
}
}  // namespace detail

template <class Net, class F>
void walk(F&& f) {
  detail::walk_nodes(typename Net::nodes{}, f, "", 0, 0);
}

// A named tensor of the network: "4.body.0.0.weight", its dims, and its absolute offset in
// the parameter buffer (state = true: in the state buffer).
struct NamedTensor {
  std::string name;
  std::vector<long> dims;
  long offset = 0;
  bool state = false;
};

template <class N>
std::vector<Tensor> layer_tensors() {
  if constexpr (requires { N::bound::tensors(); }) return N::bound::tensors();
  else if constexpr (N::params > 0) return {{"params", {N::params}, 0}};  // a layer that names none
  else return {};
}

template <class Net>
std::vector<NamedTensor> named_tensors() {
  std::vector<NamedTensor> out;
  walk<Net>([&](auto node, const LayerInfo& l) {
    for (const Tensor& t : layer_tensors<typename decltype(node)::type>())
      out.push_back({l.path + "." + t.name, t.dims, (t.state ? l.state_offset : l.param_offset) + t.offset, t.state});
  });
  return out;
}

}  // namespace typenet
