// typenet's commands for the seed study's models (model_commands.hpp). The zoo's models share
// TUs: each TU compiles the data, training and file code again, whatever its models.
#include <typenet/zoo/seed_model7.hpp>
#include <typenet/zoo/seed_study.hpp>
#include "../model_commands.hpp"

TYPENET_CLI_MODEL(tn::zoo::SeedModel1);
TYPENET_CLI_MODEL(tn::zoo::SeedModel2);
TYPENET_CLI_MODEL(tn::zoo::SeedModel3);
TYPENET_CLI_MODEL(tn::zoo::SeedModel4);
TYPENET_CLI_MODEL(tn::zoo::SeedModel5);
TYPENET_CLI_MODEL(tn::zoo::SeedModel6);
TYPENET_CLI_MODEL(tn::zoo::SeedModel7);
