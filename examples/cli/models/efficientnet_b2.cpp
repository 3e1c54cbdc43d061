// typenet's commands for EfficientNet-B2's configurations in zoo::for_each_backbone (model_commands.hpp).
#include <typenet/zoo/efficientnet.hpp>
#include "../model_commands.hpp"

TYPENET_CLI_BACKBONE_BENCHED(tn::zoo::EfficientNetB2<1000, 288>);
TYPENET_CLI_BACKBONE_BENCHED(tn::zoo::EfficientNetB2<1000, 260>);
TYPENET_CLI_BACKBONE_TUNED(tn::zoo::EfficientNetB2<10, 32>);
TYPENET_CLI_BACKBONE_TUNED(tn::zoo::EfficientNetB2<10, 96>);
TYPENET_CLI_BACKBONE_TUNED(tn::zoo::EfficientNetB2<10, 128>);
TYPENET_CLI_BACKBONE_TUNED(tn::zoo::EfficientNetB2<10, 288>);
