#pragma once
// The trim rule: a stride-1 Conv directly followed by a pool whose windows never reach its
// last row/column (floor mode: 31 rows pooled by 2 read rows 0..29) computes only the rows
// the pool reads, by dropping padding at its far end. The network computes the same values
// with fewer MACs: Airbench94's three pooled convs (31->30, 15->14, 7->6 rows) are 11% of
// its convolution work. Applied while binding shapes (graph/bind.hpp), so the nodes, the
// summary and every backend see the trimmed conv.
#include <algorithm>
#include "typenet/graph/node.hpp"
#include "typenet/layers/concepts.hpp"

namespace typenet {

// Rows (of n) after the last one that pooling windows of `window` with `stride` read.
constexpr int rows_pool_skips(int n, int window, int stride) {
  return n < window ? 0 : n - ((n - window) / stride * stride + window);
}

// TrimForPool<L, Next, In>::type: L, or the trimmed convolution when L is a stride-1
// convolution that an unpadded windowed pool reads next (a padded pool's windows are placed
// from the padded edge, so its reach is not the unpadded one's).
template <class L, class Next, Shape In> struct TrimForPool { using type = L; };

template <Convolution C, WindowPooling P, Shape In>
  requires(C::stride == 1 && P::pad == 0 && P::pad_end == 0)
struct TrimForPool<C, P, In> {
  static constexpr Shape out = Node<C, In>::out;
  static constexpr int cut =
      std::min({rows_pool_skips(out.h, P::window, P::stride), rows_pool_skips(out.w, P::window, P::stride), C::pad_end});
  using type = typename C::template with_pad_end<C::pad_end - cut>;
};

template <class L, class Rest, Shape In> struct TrimBeforeNext { using type = L; };
template <class L, class Next, class... Ls, Shape In>
struct TrimBeforeNext<L, List<Next, Ls...>, In> : TrimForPool<L, Next, In> {};

// The layer to bind for L when the layers after it are Rest.
template <class L, class Rest, Shape In> using trim_for_next_t = typename TrimBeforeNext<L, Rest, In>::type;

}  // namespace typenet
