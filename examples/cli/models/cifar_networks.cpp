// typenet's commands for the zoo's other CIFAR networks (model_commands.hpp).
#include <typenet/zoo/airbench94.hpp>
#include <typenet/zoo/resnet.hpp>
#include "../model_commands.hpp"

TYPENET_CLI_MODEL(tn::zoo::Airbench94);
TYPENET_CLI_MODEL(tn::zoo::ResNet18Cifar);
TYPENET_CLI_MODEL(tn::zoo::ResNet34Cifar);
