#pragma once
// Lookahead (airbench's weight averaging): every few steps the slow copy moves toward the
// network, ema += (1 - decay) * (net - ema), and the network jumps back to it: net = ema.
// BN running statistics are averaged with the weights. Finish with update(model, 1): net = ema.
#include <algorithm>
#include <vector>
#include "typenet/io/bytes.hpp"

namespace typenet {

struct Lookahead {
  std::vector<float> params, state;  // the slow copy

  template <class M>
  explicit Lookahead(const M& model)
      : params(model.params().begin(), model.params().end()), state(model.state().begin(), model.state().end()) {}

  void save_state(io::Bytes& b) const { b.put_values(params).put_values(state); }
  void load_state(io::BytesReader& r) {
    params = r.get_values<float>(params.size());
    state = r.get_values<float>(state.size());
  }

  template <class M>
  void update(M& model, float decay) {
    blend(model.params(), params, 1.0f - decay);
    blend(model.state(), state, 1.0f - decay);
  }

 private:
  static void blend(auto net, std::vector<float>& ema, float w) {
    for (std::size_t i = 0; i < ema.size(); ++i) {
      ema[i] += w * (net[i] - ema[i]);
      net[i] = ema[i];
    }
  }
};

}  // namespace typenet
