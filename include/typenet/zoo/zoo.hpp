#pragma once
// The model zoo, and a name -> type table for programs that pick a model at run time.
#include <string_view>
#include <type_traits>
#include "typenet/zoo/airbench94.hpp"
#include "typenet/zoo/resnet.hpp"
#include "typenet/zoo/seed_model7.hpp"
#include "typenet/zoo/seed_study.hpp"

namespace typenet::zoo {

// f(std::type_identity<Net>{}, "Name") for every zoo model.
template <class F> void for_each_model(F&& f) {
  f(std::type_identity<SeedModel1>{}, "SeedModel1");
  f(std::type_identity<SeedModel2>{}, "SeedModel2");
  f(std::type_identity<SeedModel3>{}, "SeedModel3");
  f(std::type_identity<SeedModel4>{}, "SeedModel4");
  f(std::type_identity<SeedModel5>{}, "SeedModel5");
  f(std::type_identity<SeedModel6>{}, "SeedModel6");
  f(std::type_identity<SeedModel7>{}, "SeedModel7");
  f(std::type_identity<Airbench94>{}, "Airbench94");
  f(std::type_identity<ResNet18Cifar>{}, "ResNet18Cifar");
  f(std::type_identity<ResNet34Cifar>{}, "ResNet34Cifar");
}

// Calls f with the named model's type; false when no model has that name.
template <class F> bool visit_model(std::string_view name, F&& f) {
  bool found = false;
  for_each_model([&](auto t, std::string_view n) {
    if (n == name && !found) { found = true; f(t); }
  });
  return found;
}

}  // namespace typenet::zoo
