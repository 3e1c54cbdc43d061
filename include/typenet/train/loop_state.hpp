#pragma once
// What the training loop (train/loop.hpp) shows its hooks, and what they may change.
#include <cstddef>
#include "typenet/train/loss.hpp"

namespace typenet {

// What callbacks may change at the end of an epoch.
struct Control {
  bool stop = false;
  float lr_scale = 1.0f;  // multiplies the schedule's rate from the next step on
};

struct LoopState {
  int epoch = 0;                // the current epoch, from 1
  long step = 0;                // the current step, from 0 (the steps done before it)
  long steps_per_epoch = 0, total_steps = 0;
  float lr = 0;                 // the rate of the current step (set before the optimiser step)
  std::size_t frozen_nodes = 0; // model.backward(frozen_nodes): nodes before it get no backward pass
  LossResult loss{};            // the current step's
  Control control{};
};

}  // namespace typenet
