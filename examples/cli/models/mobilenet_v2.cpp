// typenet's commands for MobileNetV2's configurations in zoo::for_each_backbone (model_commands.hpp).
#include <typenet/zoo/mobilenet_v2.hpp>
#include "../model_commands.hpp"

TYPENET_CLI_BACKBONE_BENCHED(tn::zoo::MobileNetV2<1000, 224>);
TYPENET_CLI_BACKBONE_BENCHED(tn::zoo::MobileNetV2<1000, 128>);
TYPENET_CLI_BACKBONE_TUNED(tn::zoo::MobileNetV2<10, 32>);
TYPENET_CLI_BACKBONE_TUNED(tn::zoo::MobileNetV2<10, 96>);
TYPENET_CLI_BACKBONE_TUNED(tn::zoo::MobileNetV2<10, 128>);
TYPENET_CLI_BACKBONE_TUNED(tn::zoo::MobileNetV2<10, 224>);
