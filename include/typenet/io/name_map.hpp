#pragma once
// NameMap: a network's tensors under a reference implementation's names, and its stages. The
// names, one per named tensor of the network in walk order (graph/walk.hpp), are how weights
// come in and go out (io/import_weights.hpp); the stages are what a fine-tuning schedule
// freezes and rates (train/fine_tune.hpp); the input is what their weights expect.
// zoo/reference_names.hpp has the backbones' maps.
#include <string>
#include <vector>

namespace typenet::io {

struct NameMap {
  struct Stage {
    std::string name;          // "layer1", "block_11", "head"
    std::string first_tensor;  // the name of its first tensor
  };
  std::string source;              // "torchvision resnet34", for messages
  std::vector<std::string> names;  // one per named tensor of the network, in walk order
  std::string head;                // the classifier's names begin with this ("fc.")
  std::vector<Stage> stages;       // the network's stages in order, the last being the head
  std::string input;               // the --normalize preset its reference weights were trained on
                                   // (torchvision's "imagenet", Keras's "pm1"); "" when unknown
};

}  // namespace typenet::io
