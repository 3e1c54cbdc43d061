#pragma once
#include "typenet/layers/layer.hpp"

namespace typenet {

enum class PoolKind { max, avg };

// Pooling over K x K windows with stride S, no padding: (C,H,W) => (C,(H-K)/S+1,(W-K)/S+1).
template <PoolKind Kind, int K, int S>
struct Pool {
  static_assert(K > 0 && S > 0, "typenet: pooling needs a positive window and stride");
  using op = op::Pool;
  static constexpr const char* name = Kind == PoolKind::max ? "MaxPool" : "AvgPool";
  static constexpr PoolKind kind = Kind;
  static constexpr bool global = false;
  static constexpr int window = K, stride = S;

  template <Shape In>
  struct bind : NoParams {
    static_assert(In.rank == 3, "typenet: pooling needs a (C,H,W) input");
    static_assert(In.h >= K && In.w >= K, "typenet: pooling window is larger than its input");
    static constexpr Shape out{In.c, (In.h - K) / S + 1, (In.w - K) / S + 1};
    static constexpr int window_h = K, window_w = K, stride = S;
  };
};

template <int K, int S = K> using MaxPool = Pool<PoolKind::max, K, S>;
template <int K, int S = K> using AvgPool = Pool<PoolKind::avg, K, S>;

// GlobalAvgPool: the mean over each channel's map. (C,H,W) => (C).
struct GlobalAvgPool {
  using op = op::Pool;
  static constexpr const char* name = "GlobalAvgPool";
  static constexpr PoolKind kind = PoolKind::avg;
  static constexpr bool global = true;
  template <Shape In>
  struct bind : NoParams {
    static_assert(In.rank == 3, "typenet: GlobalAvgPool needs a (C,H,W) input");
    static constexpr Shape out{In.c};
    static constexpr int window_h = In.h, window_w = In.w, stride = 1;
  };
};

}  // namespace typenet
