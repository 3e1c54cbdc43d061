#pragma once
// A network's per-layer table (name, input shape, output shape, params, MACs), its parameter
// table (every named tensor with its shape and offset, from the walk), and the text that
// fingerprints its architecture in weight files.
#include <cstdio>
#include <string>
#include "typenet/graph/sequential.hpp"
#include "typenet/graph/walk.hpp"

namespace typenet {

template <class... Ns>
std::string describe_nodes(List<Ns...>) {
  std::string s;
  ((s += std::string(Ns::layer::name) + Ns::in.to_string() + "->" + Ns::out.to_string() + ":" +
         std::to_string(Ns::params) + "/" + std::to_string(Ns::state) + ";"),
   ...);
  return s;
}
template <class Net> std::string architecture() { return describe_nodes(typename Net::nodes{}); }

template <class... Ns>
void print_nodes(List<Ns...>, std::FILE* out) {
  ((std::fprintf(out, "  %-14s %-14s => %-14s %10ld params %12ld MACs\n", Ns::layer::name, Ns::in.to_string().c_str(),
                 Ns::out.to_string().c_str(), Ns::params, Ns::macs)),
   ...);
}
inline std::string dims_text(const std::vector<long>& d) {
  std::string s = "(";
  for (std::size_t i = 0; i < d.size(); ++i) s += (i ? "," : "") + std::to_string(d[i]);
  return s + ")";
}

// Every layer as written (graph/walk.hpp), and under it each of its tensors: name, shape, offset.
template <class Net> void print_parameter_table(std::FILE* out = stdout) {
  walk<Net>([&](auto node, const LayerInfo& l) {
    std::fprintf(out, "  %-16s %-10s %-14s => %-14s params [%ld, %ld)\n", l.path.c_str(), l.kind, l.in.to_string().c_str(),
                 l.out.to_string().c_str(), l.param_offset, l.param_offset + l.params);
    for (const Tensor& t : layer_tensors<typename decltype(node)::type>())
      std::fprintf(out, "    %-28s %-18s %s %ld\n", (l.path + "." + t.name).c_str(), dims_text(t.dims).c_str(),
                   t.state ? "state offset" : "offset", (t.state ? l.state_offset : l.param_offset) + t.offset);
  });
}

template <class Net> void print_summary(std::FILE* out = stdout) {
  print_nodes(typename Net::nodes{}, out);
  std::fprintf(out, "  total: %ld params, %ld MACs per image, %ld activation values per image\n", Net::param_count,
               Net::macs, Net::activation_count);
}

}  // namespace typenet
