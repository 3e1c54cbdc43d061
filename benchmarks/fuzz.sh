#!/usr/bin/env bash
# Runs every libFuzzer harness (tests/fuzz/fuzz_*.cpp) for SECONDS each, two at a time, from
# the seeds typenet's writers make, and prints executions and crashes per harness.
#   benchmarks/fuzz.sh SECONDS [HARNESS...]     (after scripts/setup.sh: needs build/fuzz)
#   RUNS=1000000 benchmarks/fuzz.sh 900         each stops at 1,000,000 inputs or 900 s
# Each harness's corpus grows in build/fuzz/long/<harness>/; a crash leaves its input in
# build/fuzz/long/crashes/ and counts as one (libFuzzer stops a harness at its first crash). An
# input slower than libFuzzer's -report_slow_units (10 s) is kept there too, as slow-unit-*: not
# a crash, but the table gives the slowest input's seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:?usage: benchmarks/fuzz.sh SECONDS [HARNESS...]}
shift
bin=build/fuzz
[ -x "$bin/make_seeds" ] || { echo "fuzz.sh: no $bin/make_seeds; run scripts/setup.sh first" >&2; exit 2; }
long=$bin/long
mkdir -p "$long/crashes" "$long/logs"
"$bin/make_seeds" "$long" >/dev/null
if [ $# -gt 0 ]; then harnesses=("$@"); else
  harnesses=(); for f in tests/fuzz/fuzz_*.cpp; do h=$(basename "$f" .cpp); harnesses+=("${h#fuzz_}"); done
fi
run_one() {
  local h=$1
  "$bin/fuzz_$h" -max_total_time="$seconds" ${RUNS:+-runs=$RUNS} -print_final_stats=1 -artifact_prefix="$long/crashes/$h-" \
    "$long/$h" >"$long/logs/$h.log" 2>&1 || true
}
export -f run_one; export bin long seconds RUNS
printf '%s\n' "${harnesses[@]}" | xargs -P 2 -I{} bash -c 'run_one {}'
echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), up to $seconds s${RUNS:+ or $RUNS inputs} per harness, 2 at a time"
printf '| %-12s | %12s | %8s | %8s | %7s | %s | %s |\n' harness executions seconds exec/s crashes "slowest input s" "corpus files"
printf '|---|---:|---:|---:|---:|---:|---:|\n'
status=0
for h in "${harnesses[@]}"; do
  log=$long/logs/$h.log
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  secs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | grep -o 'in [0-9]*' | grep -o '[0-9]*' || echo "?")
  slowest=$(grep -o 'stat::slowest_unit_time_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  crashes=$(find "$long/crashes" -name "$h-*" ! -name "$h-slow-unit-*" | wc -l)
  grep -q 'ERROR: \|deadly signal\|SUMMARY: ' "$log" && crashes=$((crashes > 0 ? crashes : 1))
  [ "$crashes" -gt 0 ] && status=1
  printf '| %-12s | %12s | %8s | %8s | %7s | %s | %s |\n' "$h" "${runs:-0}" "${secs:-?}" "${rate:-0}" "$crashes" \
    "${slowest:-?}" "$(ls "$long/$h" | wc -l)"
done
exit $status
