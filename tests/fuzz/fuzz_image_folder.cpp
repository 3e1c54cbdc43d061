// The image-folder reader (data/image_folder.hpp) past the directory walk: encoded images
// with class indices, in 1 or 3 channels, with or without a resize, into one image set.
//   input: options byte, resize height, resize width, then records of
//          [class byte][length u16][that many bytes of an image file]
#include <typenet/data/image_folder.hpp>
#include "fuzz_input.hpp"
#include "small_images.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const std::uint8_t options = in.byte();
  typenet::ImageFolderOptions o{.channels = options & 1 ? 1 : 3};
  const int h = in.byte() % 48, w = in.byte() % 48;
  if (options & 2) o.resize_h = h, o.resize_w = w;  // a zero is refused as a bad option
  fuzz::expect_only_typenet_errors([&] {
    typenet::ImageSetBuilder builder({"cat", "dog", "ship"}, o);
    for (int file = 0; !in.empty() && file < 4; ++file) {
      const int label = in.byte() % 4;  // 3 is no class: refused
      const auto bytes = in.take(in.u16());
      if (!fuzz::small_enough(bytes)) return;
      builder.add(bytes, "image" + std::to_string(file), label);
    }
    typenet::check_image_set(builder.set(), "fuzz input");
  });
  return 0;
}
