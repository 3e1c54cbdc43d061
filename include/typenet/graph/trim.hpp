#pragma once
// The trim rule: a stride-1 Conv directly followed by a pool whose windows never reach its
// last row/column (floor mode: 31 rows pooled by 2 read rows 0..29) computes only the rows
// the pool reads, by dropping padding at its far end. The network computes the same values
// with fewer MACs: Airbench94's three pooled convs (31->30, 15->14, 7->6 rows) are 11% of
// its convolution work. Applied while binding shapes (graph/bind.hpp), so the nodes, the
// summary and every backend see the trimmed conv.
#include <algorithm>
#include "typenet/graph/node.hpp"
#include "typenet/layers/conv.hpp"
#include "typenet/layers/pool.hpp"

namespace typenet {

// Rows (of n) after the last one that pooling windows of `window` with `stride` read.
constexpr int rows_pool_skips(int n, int window, int stride) {
  return n < window ? 0 : n - ((n - window) / stride * stride + window);
}

// TrimForPool<L, Next, In>::type: L, or the trimmed Conv when L is a Conv that Next pools.
template <class L, class Next, Shape In> struct TrimForPool { using type = L; };

template <int F, int K, int P, bool B, int E, PoolKind Kind, int W, int S, Shape In>
struct TrimForPool<Conv<F, K, 1, P, B, E>, Pool<Kind, W, S>, In> {
  static constexpr Shape out = Node<Conv<F, K, 1, P, B, E>, In>::out;
  static constexpr int cut = std::min({rows_pool_skips(out.h, W, S), rows_pool_skips(out.w, W, S), E});
  using type = Conv<F, K, 1, P, B, E - cut>;
};

template <class L, class Rest, Shape In> struct TrimBeforeNext { using type = L; };
template <class L, class Next, class... Ls, Shape In>
struct TrimBeforeNext<L, List<Next, Ls...>, In> : TrimForPool<L, Next, In> {};

// The layer to bind for L when the layers after it are Rest.
template <class L, class Rest, Shape In> using trim_for_next_t = typename TrimBeforeNext<L, Rest, In>::type;

}  // namespace typenet
