#!/usr/bin/env bash
# Install what is missing, build everything, run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
TYPENET_WITH_TORCH=1 scripts/setup.sh  # the import tests' weight files are written by PyTorch and h5py
ctest --test-dir build --output-on-failure -j"$(nproc)"
