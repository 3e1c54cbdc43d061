// Image decoding (io/image.hpp): PNG and JPEG bytes to (C,H,W), in 1 or 3 channels.
#include <typenet/io/image.hpp>
#include "fuzz_input.hpp"
#include "small_images.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const int channels = in.byte() & 1 ? 1 : 3;
  const auto file = in.rest();
  if (!fuzz::small_enough(file)) return 0;
  fuzz::expect_only_typenet_errors([&] {
    const auto img = typenet::io::decode_image(file.data(), file.size(), "fuzz input", channels);
    if (img.pixels.size() != std::size_t(img.shape.size())) __builtin_trap();
  });
  return 0;
}
