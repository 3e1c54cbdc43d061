#pragma once
// all_finite: whether a buffer holds no NaN or infinity (one vectorised pass: x * 0 is NaN
// exactly when x is not finite).
#include <span>

namespace typenet {

template <class T>
bool all_finite(std::span<const T> v) {
  T acc = T(0);
  const T* p = v.data();
#pragma omp simd reduction(+ : acc)
  for (std::size_t i = 0; i < v.size(); ++i) acc += p[i] * T(0);
  return acc == T(0);
}
template <class T> bool all_finite(std::span<T> v) { return all_finite(std::span<const T>(v)); }

}  // namespace typenet
