#pragma once
// The backbones' tensors under their reference implementations' names, in typenet's walk order
// (io/import_weights.hpp pairs them with the walk, checking each shape and role):
//   ResNet34, EfficientNetB2: torchvision's state_dict keys ("layer1.0.conv1.weight")
//   MobileNetV2, Xception:    Keras's "layer/weight" names ("block_1_expand/kernel"), as in
//                             Keras's .h5 files and TensorFlow.js models. Xception's four
//                             unnamed shortcut layers take Keras 2's automatic names,
//                             conv2d_1..4 and batch_normalization_1..4, as in Keras's own file.
// The names do not depend on the input size or the class count. Each map also names the
// network's stages (a fine-tuning schedule freezes and rates them: train/fine_tune.hpp), the
// last being the head, and the input its framework's weights expect: ImageNet's mean and std
// for torchvision's, [-1, 1] for Keras's (keras.applications' preprocess_input).
#include <string>
#include <vector>
#include "typenet/core/error.hpp"
#include "typenet/io/name_map.hpp"

namespace typenet::zoo {

namespace detail {
class Names {
 public:
  explicit Names(char separator) : sep_(separator) {}
  Names& add(const std::string& layer, const char* leaf) {
    names_.push_back(layer + sep_ + leaf);
    if (!next_stage_.empty()) stages_.push_back({std::move(next_stage_), names_.back()}), next_stage_.clear();
    return *this;
  }
  Names& stage(std::string name) {  // the next tensor begins this stage
    next_stage_ = std::move(name);
    return *this;
  }
  Names& torch_bn(const std::string& layer) {
    return add(layer, "weight").add(layer, "bias").add(layer, "running_mean").add(layer, "running_var");
  }
  Names& keras_bn(const std::string& layer) {
    return add(layer, "gamma").add(layer, "beta").add(layer, "moving_mean").add(layer, "moving_variance");
  }
  Names& keras_separable(const std::string& layer) { return add(layer, "depthwise_kernel").add(layer, "pointwise_kernel"); }
  io::NameMap take(std::string source, std::string head, std::string input) {
    return {std::move(source), std::move(names_), std::move(head), std::move(stages_), std::move(input)};
  }

 private:
  char sep_;
  std::vector<std::string> names_;
  std::vector<io::NameMap::Stage> stages_;
  std::string next_stage_;
};
}  // namespace detail

// torchvision resnet34: conv1, bn1, layer1..4 of BasicBlocks [3,4,6,3] (downsample in the first
// block of layers 2-4, after the block's body as the walk has it), fc.
inline io::NameMap torchvision_resnet34_names() {
  detail::Names n('.');
  n.stage("stem").add("conv1", "weight").torch_bn("bn1");
  const int blocks[] = {3, 4, 6, 3};
  for (int stage = 1; stage <= 4; ++stage)
    for (int b = 0; b < blocks[stage - 1]; ++b) {
      const std::string p = "layer" + std::to_string(stage) + "." + std::to_string(b) + ".";
      if (b == 0) n.stage("layer" + std::to_string(stage));
      n.add(p + "conv1", "weight").torch_bn(p + "bn1").add(p + "conv2", "weight").torch_bn(p + "bn2");
      if (stage > 1 && b == 0) n.add(p + "downsample.0", "weight").torch_bn(p + "downsample.1");
    }
  n.stage("head").add("fc", "weight").add("fc", "bias");
  return n.take("torchvision resnet34", "fc.", "imagenet");
}

// torchvision efficientnet_b2: features.0 (stem), features.1..7 (MBConv stages), features.8
// (the 1x1 head conv), classifier.1. Within a block: [expand,] depthwise, SE (fc1, fc2), project.
inline io::NameMap torchvision_efficientnet_b2_names() {
  detail::Names n('.');
  n.stage("stem").add("features.0.0", "weight").torch_bn("features.0.1");
  const int expansion[] = {1, 6, 6, 6, 6, 6, 6}, blocks[] = {2, 3, 3, 4, 4, 5, 2};
  for (int stage = 1; stage <= 7; ++stage)
    for (int b = 0; b < blocks[stage - 1]; ++b) {
      const std::string p = "features." + std::to_string(stage) + "." + std::to_string(b) + ".block.";
      if (b == 0) n.stage("features." + std::to_string(stage));
      int part = 0;
      const auto conv_bn = [&] {
        const std::string q = p + std::to_string(part++);
        n.add(q + ".0", "weight").torch_bn(q + ".1");
      };
      if (expansion[stage - 1] != 1) conv_bn();
      conv_bn();  // depthwise
      const std::string se = p + std::to_string(part++);
      n.add(se + ".fc1", "weight").add(se + ".fc1", "bias").add(se + ".fc2", "weight").add(se + ".fc2", "bias");
      conv_bn();  // project
    }
  n.stage("features.8").add("features.8.0", "weight").torch_bn("features.8.1");
  n.stage("head").add("classifier.1", "weight").add("classifier.1", "bias");
  return n.take("torchvision efficientnet_b2", "classifier.", "imagenet");
}

// Keras MobileNetV2 (alpha 1.0): Conv1, bn_Conv1; expanded_conv (no expansion), block_1..16
// (expand, depthwise, project, each with its _BN); Conv_1, Conv_1_bn; Logits.
inline io::NameMap keras_mobilenet_v2_names() {
  detail::Names n('/');
  n.stage("stem").add("Conv1", "kernel").keras_bn("bn_Conv1");
  for (int b = 0; b <= 16; ++b) {
    const std::string p = b == 0 ? "expanded_conv_" : "block_" + std::to_string(b) + "_";
    n.stage(b == 0 ? "expanded_conv" : "block_" + std::to_string(b));
    if (b > 0) n.add(p + "expand", "kernel").keras_bn(p + "expand_BN");
    n.add(p + "depthwise", "depthwise_kernel").keras_bn(p + "depthwise_BN");
    n.add(p + "project", "kernel").keras_bn(p + "project_BN");
  }
  n.stage("top").add("Conv_1", "kernel").keras_bn("Conv_1_bn");
  n.stage("head").add("Logits", "kernel").add("Logits", "bias");
  return n.take("Keras MobileNetV2", "Logits/", "pm1");
}

// Keras Xception: block1_conv1/2 with their _bn; the pooled blocks 2, 3, 4 and 13 (two separable
// convs with _bn, then the shortcut conv2d_k, batch_normalization_k); the middle blocks 5..12
// (three separable convs); block14's two; predictions.
inline io::NameMap keras_xception_names() {
  detail::Names n('/');
  n.stage("block1").add("block1_conv1", "kernel").keras_bn("block1_conv1_bn").add("block1_conv2", "kernel").keras_bn("block1_conv2_bn");
  int shortcut = 0;
  const auto separable_bn = [&](const std::string& layer) { n.keras_separable(layer).keras_bn(layer + "_bn"); };
  const auto pooled = [&](int block) {
    n.stage("block" + std::to_string(block));
    const std::string p = "block" + std::to_string(block) + "_sepconv";
    separable_bn(p + "1"), separable_bn(p + "2");
    const std::string k = std::to_string(++shortcut);
    n.add("conv2d_" + k, "kernel").keras_bn("batch_normalization_" + k);
  };
  for (int block : {2, 3, 4}) pooled(block);
  for (int block = 5; block <= 12; ++block) {
    n.stage("block" + std::to_string(block));
    for (int s = 1; s <= 3; ++s) separable_bn("block" + std::to_string(block) + "_sepconv" + std::to_string(s));
  }
  pooled(13);
  n.stage("block14"), separable_bn("block14_sepconv1"), separable_bn("block14_sepconv2");
  n.stage("head").add("predictions", "kernel").add("predictions", "bias");
  return n.take("Keras Xception", "predictions/", "pm1");
}

inline bool has_reference_names(const std::string& backbone) {
  return backbone == "ResNet34" || backbone == "EfficientNetB2" || backbone == "MobileNetV2" || backbone == "Xception";
}

// The map of a zoo backbone by its name in the zoo's table ("ResNet34", ...).
inline io::NameMap reference_names(const std::string& backbone) {
  if (backbone == "ResNet34") return torchvision_resnet34_names();
  if (backbone == "EfficientNetB2") return torchvision_efficientnet_b2_names();
  if (backbone == "MobileNetV2") return keras_mobilenet_v2_names();
  if (backbone == "Xception") return keras_xception_names();
  throw Error("typenet: " + backbone + " has no reference names: weights by name exist for ResNet34, EfficientNetB2, "
              "MobileNetV2 and Xception");
}

}  // namespace typenet::zoo
