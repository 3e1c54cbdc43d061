#pragma once
// What the training loop (train/loop.hpp) shows its hooks, and what they may change.
#include <cmath>
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
  std::size_t inference_nodes = 0;  // model.forward(Mode::train, inference_nodes): nodes before it
                                    // run as in inference (frozen BN); not checkpointed, so a hook
                                    // that sets it does so at every step (train/fine_tune.hpp)
  LossResult loss{};            // the current step's
  Control control{};
};

// The loop of a run of `epochs` (may be fractional) over `batches_per_epoch` batches:
// ceil(epochs * batches_per_epoch) steps in all. The one place the step counts are planned, so
// that a resumed run can check it is the run its checkpoint came from.
inline LoopState planned_loop(long batches_per_epoch, double epochs) {
  LoopState st;
  st.steps_per_epoch = batches_per_epoch;
  st.total_steps = long(std::ceil(epochs * double(batches_per_epoch)));
  return st;
}

}  // namespace typenet
