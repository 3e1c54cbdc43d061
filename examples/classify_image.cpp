// Classify PNG/JPEG images with trained SeedModel7 weights, the library way:
//   build/bin/classify_image out/seedmodel7.tnw tests/fixtures/cifar_test0_cat.png
// (`typenet predict --model NAME --weights FILE IMAGE...` does the same for any zoo model.)
#include <cstdio>
#include <typenet/typenet.hpp>

namespace tn = typenet;

int main(int argc, char** argv) {
  if (argc < 3) return std::fprintf(stderr, "usage: %s WEIGHTS IMAGE...\n", argv[0]), 2;
  try {
    tn::Model<tn::zoo::SeedModel7> model({.batch = 1});  // one image at a time
    tn::io::load(argv[1], model);                         // refuses weights of another network
    for (int i = 2; i < argc; ++i) {
      // Centre crop, resize to the network's input (3,32,32), taken from its type.
      const auto image = tn::load_image(argv[i], tn::zoo::SeedModel7::input_shape);
      std::printf("%s:", argv[i]);
      for (auto [label, p] : tn::predict(model, image, 3))
        std::printf("  %s %.3f", tn::cifar10::class_names[label], p);
      std::printf("\n");
    }
  } catch (const std::exception& e) {
    return std::fprintf(stderr, "%s\n", e.what()), 1;
  }
}
