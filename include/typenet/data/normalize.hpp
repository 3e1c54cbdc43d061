#pragma once
// Per-channel normalisation of uint8 pixels: x = (p / 255 - mean[c]) / std[c], from a preset.
#include <array>
#include <string>
#include "typenet/core/error.hpp"

namespace typenet {

struct Normalize {
  std::array<float, 3> mean{0.0f, 0.0f, 0.0f}, std{1.0f, 1.0f, 1.0f};  // of RGB; grey uses their average

  // x = p * scale(c) + shift(c): the form batch assembly applies (in float, as before).
  float scale(int c, int channels) const { return 1.0f / (255.0f * at(std, c, channels)); }
  float shift(int c, int channels) const { return -at(mean, c, channels) / at(std, c, channels); }

  static Normalize cifar() { return {{0.4914f, 0.4822f, 0.4465f}, {0.2470f, 0.2435f, 0.2616f}}; }  // CIFAR-10 training set
  static Normalize imagenet() { return {{0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}}; }    // torchvision's
  static Normalize minus_one_one() { return {{0.5f, 0.5f, 0.5f}, {0.5f, 0.5f, 0.5f}}; }           // p / 127.5 - 1
  static Normalize unit() { return {}; }                                                           // p / 255

  // "cifar", "imagenet", "pm1" ([-1, 1]) or "unit" (x/255): the CLI's --normalize.
  static Normalize preset(const std::string& name) {
    if (name == "cifar") return cifar();
    if (name == "imagenet") return imagenet();
    if (name == "pm1") return minus_one_one();
    if (name == "unit") return unit();
    throw Error("typenet: unknown normalisation '" + name + "' (cifar, imagenet, pm1, unit)");
  }

 private:
  static float at(const std::array<float, 3>& v, int c, int channels) {
    return channels == 1 ? (v[0] + v[1] + v[2]) / 3.0f : v[std::size_t(c < 3 ? c : 2)];
  }
};

}  // namespace typenet
