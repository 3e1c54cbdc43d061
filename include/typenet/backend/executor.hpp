#pragma once
// The contract of a backend's executor: what Model (model.hpp) asks of it. It runs one network
// for one batch size and owns every buffer of it: the flat parameter, gradient and state
// buffers (each parameter in PyTorch's layout, node after node), and the input and output.
// Optimisers, lookahead and initialisation reach the flat buffers only through the spans it
// hands out, so a device backend can keep them where its kernels run and hand out host views.
#include <concepts>
#include <cstddef>
#include <span>
#include "typenet/core/rng.hpp"

namespace typenet {

template <class E, class T>
concept BackendExecutor = requires(E e, const E ce, bool training, std::size_t first_node, void (*node_done)(std::size_t)) {
  { e.params() } -> std::convertible_to<std::span<T>>;
  { e.grads() } -> std::convertible_to<std::span<T>>;
  { e.state() } -> std::convertible_to<std::span<T>>;
  { e.input() } -> std::same_as<T*>;
  { ce.output() } -> std::same_as<const T*>;
  { e.diff_output() } -> std::same_as<T*>;
  { ce.input_grad() } -> std::same_as<const T*>;  // null unless ModelOptions::input_grad
  { e.rng() } -> std::same_as<Rng&>;              // dropout masks
  e.prepare_inference(first_node);                 // after the parameters changed: nodes before first_node
  e.prepare_inference();                           //   or all of them
  e.forward(training, first_node);                 // nodes before first_node run as in inference
  e.forward(training);
  e.backward(first_node);                          // nodes before first_node are frozen
  e.backward(first_node, node_done);               //   node_done(i) once node i's gradients are final,
                                                   //   from the last node down to first_node
};

}  // namespace typenet
