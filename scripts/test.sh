#!/usr/bin/env bash
# Install what is missing, build everything, run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
# The import tests' weight files are written by PyTorch and h5py; the MPI tests run 2 ranks.
TYPENET_WITH_TORCH=1 TYPENET_WITH_MPI=1 scripts/setup.sh
ctest --test-dir build --output-on-failure -j"$(nproc)"
