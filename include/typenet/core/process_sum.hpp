#pragma once
// ProcessSum: element-wise sums over the processes of a data-parallel run, in place, the same
// result on every process. A synchronised batch norm (ModelOptions::batch_norm_sum) calls it
// with its per-channel sums in the middle of forward and backward; the backends see only this
// function, not MPI nor the run's Collective (train/collective.hpp).
#include <functional>
#include <span>

namespace typenet {

using ProcessSum = std::function<void(std::span<double>)>;

}  // namespace typenet
