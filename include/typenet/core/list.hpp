#pragma once
// List<Ts...>: a plain type list; the graph passes (flatten, fuse, bind) are written over it
// as one partial specialisation per rule, which keeps instantiation shallow and errors readable.
#include <cstddef>

namespace typenet {

template <class... Ts>
struct List {
  static constexpr std::size_t size = sizeof...(Ts);
};

template <class A, class B> struct Concat;
template <class... A, class... B> struct Concat<List<A...>, List<B...>> { using type = List<A..., B...>; };
template <class A, class B> using concat_t = typename Concat<A, B>::type;

template <class L> struct Front;
template <class T, class... Ts> struct Front<List<T, Ts...>> { using type = T; };
template <class L> using front_t = typename Front<L>::type;

// A compile-time fraction, e.g. Dropout<ratio<1, 5>> or Scale<ratio<1, 9>>.
template <long Num, long Den = 1>
struct ratio {
  static_assert(Den != 0, "typenet: ratio with a zero denominator");
  static constexpr long num = Num, den = Den;
  static constexpr double value = double(Num) / double(Den);
};

template <class> inline constexpr bool always_false = false;

}  // namespace typenet
