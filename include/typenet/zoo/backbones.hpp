#pragma once
// The transfer backbones (ImageNet-shaped, templates over classes and input size), apart from
// the CIFAR zoo (zoo.hpp): programs that list them need not instantiate their models.
#include <type_traits>
#include "typenet/zoo/efficientnet.hpp"
#include "typenet/zoo/mobilenet_v2.hpp"
#include "typenet/zoo/resnet.hpp"
#include "typenet/zoo/xception.hpp"

namespace typenet::zoo {

// The one table of offered backbone configurations: f(std::type_identity<Net>{}, "Name",
// "note") for each. At 1000 classes: the native input size first, then the other sizes the
// benchmarks run (`typenet bench`, and eval/predict with --num-classes 1000). At 10 classes,
// for fine-tuning on CIFAR-10 (`typenet finetune`, eval, predict): 32 (Xception: 71, Keras's
// minimum), 96, 128 and the native size. `typenet models` lists them all.
template <class F> void for_each_backbone(F&& f) {
  f(std::type_identity<ResNet34<1000, 224>>{}, "ResNet34", "torchvision resnet34");
  f(std::type_identity<ResNet34<1000, 128>>{}, "ResNet34", "1000 classes");
  f(std::type_identity<EfficientNetB2<1000, 288>>{}, "EfficientNetB2", "torchvision efficientnet_b2");
  f(std::type_identity<EfficientNetB2<1000, 260>>{}, "EfficientNetB2", "1000 classes (Keras's size)");
  f(std::type_identity<Xception<1000, 299>>{}, "Xception", "Keras Xception");
  f(std::type_identity<MobileNetV2<1000, 224>>{}, "MobileNetV2", "Keras MobileNetV2");
  f(std::type_identity<MobileNetV2<1000, 128>>{}, "MobileNetV2", "1000 classes");
  f(std::type_identity<ResNet34<10, 32>>{}, "ResNet34", "10 classes");
  f(std::type_identity<ResNet34<10, 96>>{}, "ResNet34", "10 classes");
  f(std::type_identity<ResNet34<10, 128>>{}, "ResNet34", "10 classes");
  f(std::type_identity<ResNet34<10, 224>>{}, "ResNet34", "10 classes");
  f(std::type_identity<EfficientNetB2<10, 32>>{}, "EfficientNetB2", "10 classes");
  f(std::type_identity<EfficientNetB2<10, 96>>{}, "EfficientNetB2", "10 classes");
  f(std::type_identity<EfficientNetB2<10, 128>>{}, "EfficientNetB2", "10 classes");
  f(std::type_identity<EfficientNetB2<10, 288>>{}, "EfficientNetB2", "10 classes");
  f(std::type_identity<Xception<10, 71>>{}, "Xception", "10 classes");
  f(std::type_identity<Xception<10, 96>>{}, "Xception", "10 classes");
  f(std::type_identity<Xception<10, 128>>{}, "Xception", "10 classes");
  f(std::type_identity<Xception<10, 299>>{}, "Xception", "10 classes");
  f(std::type_identity<MobileNetV2<10, 32>>{}, "MobileNetV2", "10 classes");
  f(std::type_identity<MobileNetV2<10, 96>>{}, "MobileNetV2", "10 classes");
  f(std::type_identity<MobileNetV2<10, 128>>{}, "MobileNetV2", "10 classes");
  f(std::type_identity<MobileNetV2<10, 224>>{}, "MobileNetV2", "10 classes");
}

}  // namespace typenet::zoo
