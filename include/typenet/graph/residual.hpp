#pragma once
// Residual<Body, Shortcut>: out = Body(x) + Shortcut(x). Shortcut defaults to the identity.
// Both are blocks (Sequential<...> without Input) or single layers; one node in the graph.
#include "typenet/graph/sequential.hpp"

namespace typenet {

template <class Body, class Shortcut = Sequential<>>
struct Residual {
  using op = op::Residual;
  static constexpr const char* name = "Residual";
  using body_layers = layers_of<Body>;
  using shortcut_layers = layers_of<Shortcut>;

  template <Shape In>
  struct bind {
    using body = Bind<In, body_layers>;
    using shortcut = Bind<In, shortcut_layers>;
    static_assert(body::out == shortcut::out,
                  "typenet: Residual branches disagree in output shape (body vs shortcut)");
    static constexpr Shape out = body::out;
    static constexpr long body_params = sum_params(typename body::nodes{});
    static constexpr long body_state = sum_state(typename body::nodes{});
    static constexpr long params = body_params + sum_params(typename shortcut::nodes{});
    static constexpr long state = body_state + sum_state(typename shortcut::nodes{});
    static constexpr long macs = sum_macs(typename body::nodes{}) + sum_macs(typename shortcut::nodes{});
    template <class T>
    static void init(T* p, T* s, Rng& rng) {
      init_nodes(typename body::nodes{}, p, s, rng);
      init_nodes(typename shortcut::nodes{}, p + body_params, s + body_state, rng);
    }
  };
};

}  // namespace typenet
