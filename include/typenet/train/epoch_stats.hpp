#pragma once
#include <cmath>

namespace typenet {

// One epoch of training. val_* come from the held-out set given to fit() (a validation
// split, or the test set when no split is asked for); NaN when it was not evaluated.
struct EpochStats {
  int epoch = 0;
  long steps = 0;                         // optimiser steps in this epoch
  double loss = 0, accuracy = 0;          // training, with augmentation and dropout
  double val_loss = NAN, val_accuracy = NAN;
  double images_per_s = 0, seconds = 0;   // training only, evaluation excluded
  float lr = 0;                           // of the epoch's last step
  double eval_seconds = 0;                // the held-out evaluation after it
};

}  // namespace typenet
