#!/usr/bin/env bash
# Compile-time figures (issue 12, item 5), on an otherwise idle machine:
#   1. one TU with Model<> for every zoo network and backbone (benchmarks/compile_zoo.cpp), -O2:
#      wall seconds and peak memory of the compiler;
#   2. the typenet CLI built from scratch with `cmake --build -j2` (Release, -O3): wall seconds,
#      and the peak memory of its largest TU.
#   bash benchmarks/compile_time.sh
set -euo pipefail
cd "$(dirname "$0")/.."
echo "# $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(g++ --version | head -1)"
flags="-std=c++20 -O2 -march=native -fopenmp -Iinclude -I/usr/include/eigen3 -DNDEBUG"
/usr/bin/time -f "compile_zoo.cpp -O2: %e s wall, %M KB peak" g++ $flags -c benchmarks/compile_zoo.cpp -o /tmp/compile_zoo.o
dir=$(mktemp -d)
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DTYPENET_FUZZ=OFF >/dev/null
start=$(date +%s.%N)
cmake --build "$dir" -j2 --target typenet_cli >/dev/null
echo "typenet CLI, cmake --build -j2 (Release): $(echo "$(date +%s.%N) - $start" | bc) s wall"
for tu in examples/cli/*.cpp; do
  /usr/bin/time -f "  $tu -O3: %e s, %M KB peak" g++ -std=c++20 -O3 -march=native -fopenmp -Iinclude -I/usr/include/eigen3 \
    -DNDEBUG -c "$tu" -o /tmp/tu.o 2>&1 | grep -v warning | tail -1
done
rm -rf "$dir"
