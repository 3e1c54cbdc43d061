// typenet's commands for ResNet34's configurations in zoo::for_each_backbone (model_commands.hpp).
#include <typenet/zoo/resnet.hpp>
#include "../model_commands.hpp"

TYPENET_CLI_BACKBONE_BENCHED(tn::zoo::ResNet34<1000, 224>);
TYPENET_CLI_BACKBONE_BENCHED(tn::zoo::ResNet34<1000, 128>);
TYPENET_CLI_BACKBONE_TUNED(tn::zoo::ResNet34<10, 32>);
TYPENET_CLI_BACKBONE_TUNED(tn::zoo::ResNet34<10, 96>);
TYPENET_CLI_BACKBONE_TUNED(tn::zoo::ResNet34<10, 128>);
TYPENET_CLI_BACKBONE_TUNED(tn::zoo::ResNet34<10, 224>);
