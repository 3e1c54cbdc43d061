#pragma once
// A network's per-layer table (name, input shape, output shape, params, MACs) and the text
// that fingerprints its architecture in weight files.
#include <cstdio>
#include <string>
#include "typenet/graph/sequential.hpp"

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
template <class Net> void print_summary(std::FILE* out = stdout) {
  print_nodes(typename Net::nodes{}, out);
  std::fprintf(out, "  total: %ld params, %ld MACs per image, %ld activation values per image\n", Net::param_count,
               Net::macs, Net::activation_count);
}

}  // namespace typenet
