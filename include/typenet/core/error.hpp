#pragma once
#include <stdexcept>
#include <string>

namespace typenet {
// Every error a user can cause (a bad file, a bad argument, a diverging run) is an Error
// whose message names the file or layer and what is wrong.
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// The loss became NaN or infinite: a result for a sweep or study to record, not a crash.
struct Diverged : Error {
  using Error::Error;
};
}  // namespace typenet
