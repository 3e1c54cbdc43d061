// typenet's commands for Xception's configurations in zoo::for_each_backbone (model_commands.hpp).
#include <typenet/zoo/xception.hpp>
#include "../model_commands.hpp"

TYPENET_CLI_BACKBONE_BENCHED(tn::zoo::Xception<1000, 299>);
TYPENET_CLI_BACKBONE_TUNED(tn::zoo::Xception<10, 71>);
TYPENET_CLI_BACKBONE_TUNED(tn::zoo::Xception<10, 96>);
TYPENET_CLI_BACKBONE_TUNED(tn::zoo::Xception<10, 128>);
TYPENET_CLI_BACKBONE_TUNED(tn::zoo::Xception<10, 299>);
