#pragma once
#include "typenet/layers/layer.hpp"

namespace typenet {

enum class PoolKind { max, avg };

// Pool<Kind, K, S, Pad, PadEnd>: pooling over K x K windows with stride S, the input padded by
// Pad before the first row/column and PadEnd after the last (torchvision's stem MaxPool(3,2,1);
// Keras's 'same' pools pad by (0,1) or (1,1)). Padding never wins a max and is not counted in
// an average. (C,H,W) => (C,(H+Pad+PadEnd-K)/S+1,...).
template <PoolKind Kind, int K, int S, int Pad = 0, int PadEnd = Pad>
struct Pool {
  static_assert(K > 0 && S > 0, "typenet: pooling needs a positive window and stride");
  static_assert(Pad >= 0 && PadEnd >= 0 && Pad < K && PadEnd < K,
                "typenet: pooling padding must be smaller than the window (a window of padding only)");
  using op = op::Pool;
  static constexpr const char* name = Kind == PoolKind::max ? "MaxPool" : "AvgPool";
  static constexpr PoolKind kind = Kind;
  static constexpr bool global = false;
  static constexpr int window = K, stride = S, pad = Pad, pad_end = PadEnd;

  template <Shape In>
  struct bind : NoParams {
    static_assert(In.rank == 3, "typenet: pooling needs a (C,H,W) input");
    static_assert(In.h + Pad + PadEnd >= K && In.w + Pad + PadEnd >= K,
                  "typenet: pooling window is larger than its input");
    static constexpr Shape out{In.c, (In.h + Pad + PadEnd - K) / S + 1, (In.w + Pad + PadEnd - K) / S + 1};
    static constexpr int window_h = K, window_w = K, stride = S, pad = Pad, pad_end = PadEnd;
  };
};

template <int K, int S = K, int Pad = 0, int PadEnd = Pad> using MaxPool = Pool<PoolKind::max, K, S, Pad, PadEnd>;
template <int K, int S = K, int Pad = 0, int PadEnd = Pad> using AvgPool = Pool<PoolKind::avg, K, S, Pad, PadEnd>;

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
    static constexpr int window_h = In.h, window_w = In.w, stride = 1, pad = 0, pad_end = 0;
  };
};

}  // namespace typenet
