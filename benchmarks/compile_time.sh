#!/usr/bin/env bash
# Compile-time figures (issue 12, item 5), on an otherwise idle machine:
#   1. one TU with Model<> for every zoo network and backbone (benchmarks/compile_zoo.cpp), -O2:
#      wall seconds and peak memory of the compiler, with and without the backbones;
#   2. the typenet CLI built from scratch with `cmake --build -j2` (Release, -O3): wall seconds,
#      and the time and peak memory of each of its TUs in that build;
#   3. with BASELINE (a commit, e.g. 3da6153, the last single-TU CLI): item 2 for that commit's
#      CLI, built the same way from a scratch worktree.
#   bash benchmarks/compile_time.sh [BASELINE]
set -euo pipefail
cd "$(dirname "$0")/.."
echo "# $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(g++ --version | head -1), $(git rev-parse --short HEAD)"
flags="-std=c++20 -O2 -march=native -fopenmp -Iinclude -I/usr/include/eigen3 -DNDEBUG"
/usr/bin/time -f "compile_zoo.cpp -O2, ten CIFAR networks (-DZOO_ONLY): %e s wall, %M KB peak" g++ $flags -DZOO_ONLY \
  -c benchmarks/compile_zoo.cpp -o /tmp/compile_zoo.o
/usr/bin/time -f "compile_zoo.cpp -O2, and the four backbones: %e s wall, %M KB peak" g++ $flags \
  -c benchmarks/compile_zoo.cpp -o /tmp/compile_zoo.o

# cli_build TREE LABEL: the CLI of the source tree TREE from scratch, each TU's compiler timed
# by a launcher in the same build.
cli_build() {
  local tree=$1 label=$2 dir start
  dir=$(mktemp -d)
  cat > "$dir/launch" <<LAUNCH
#!/bin/sh
src=\$(for a in "\$@"; do case \$a in *.cpp) echo \$a;; esac; done)
exec /usr/bin/time -a -o "$dir/tus.log" -f "  \${src##*/examples/}: %e s, %M KB peak" "\$@"
LAUNCH
  chmod +x "$dir/launch"
  cmake -S "$tree" -B "$dir/build" -DCMAKE_BUILD_TYPE=Release -DTYPENET_FUZZ=OFF -DCMAKE_CXX_COMPILER_LAUNCHER="$dir/launch" >/dev/null
  start=$(date +%s.%N)
  cmake --build "$dir/build" -j2 --target typenet_cli >/dev/null
  echo "$label CLI, cmake --build -j2 (Release): $(echo "$(date +%s.%N) - $start" | bc) s wall"
  sort -t: -k2 -rn "$dir/tus.log"
  rm -rf "$dir"
}
cli_build "$PWD" "this tree's"
if [ $# -ge 1 ]; then
  old=$(mktemp -d)
  git worktree add --detach "$old/tree" "$1" >/dev/null 2>&1
  cli_build "$old/tree" "baseline $1"
  git worktree remove --force "$old/tree"
  rm -rf "$old"
fi
