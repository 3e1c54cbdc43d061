#!/usr/bin/env bash
# `mpirun -np 2 typenet train` end to end, on synthetic CIFAR-shaped data:
#   1. a 2-process run prints once, writes its files once, and ends with test_accuracy=;
#   2. killed (SIGKILL) mid-run, its checkpoint loads and resumes in 1 process and in 2;
#   3. a rank killed with SIGKILL makes the job end with an error within seconds, never hang;
#   4. a divergence stops both processes with the same message;
#   5. study and sweep run data-parallel: one table, one set of files, and a batch that does not
#      split over the processes is refused before anything trains;
#   6. --sync-bn: the run says so, trains, and its weights load; in one process it warns.
#   tests/mpi_cli.sh BIN_DIR
set -euo pipefail
bin=$1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1  # CI runs as root
mpi=(mpirun -np 2 --oversubscribe)
work=$(mktemp -d /tmp/typenet_mpi.XXXXXX)
trap 'pkill -9 -f "$work" 2>/dev/null || true; [ "${KEEP:-0}" = 1 ] || rm -rf "$work"' EXIT
"$bin/make_synthetic_cifar" "$work/data" 10000 > /dev/null
run=(train --model SeedModel7 --data "$work/data" --limit 200 --batch 50 --threads 1 --seed 3)
fail() { echo "FAIL: $*"; exit 1; }

# 1. One run over two processes.
"${mpi[@]}" "$bin/typenet" "${run[@]}" --epochs 2 --save "$work/m.tnw" --history "$work/h" > "$work/two.log" 2> "$work/two.err" ||
  { cat "$work/two.err"; fail "the 2-process run failed"; }
[ "$(grep -c 'on 2 processes' "$work/two.log")" = 1 ] || fail "the run's first line should appear once, saying 2 processes"
[ "$(grep -c '^test_accuracy=' "$work/two.log")" = 1 ] || fail "test_accuracy= should be printed once"
[ "$(grep -c '^epoch ' "$work/two.log")" = 2 ] || fail "each epoch should be printed once"
for f in m.tnw h/history.csv h/training_curves.png h/confusion_matrix.png h/predictions.png; do
  [ -s "$work/$f" ] || fail "$f was not written"
done
"$bin/typenet" eval --model SeedModel7 --weights "$work/m.tnw" --data "$work/data" --limit 200 --threads 1 > /dev/null ||
  fail "the 2-process run's weights do not load"
echo "1. two processes: one output, one set of files: $(grep '^test_accuracy=' "$work/two.log")"

# 2. Killed mid-run; its checkpoint resumes in 1 process and in 2.
"${mpi[@]}" "$bin/typenet" "${run[@]}" --epochs 4 --checkpoint "$work/run.tnc" > "$work/killed.log" 2>&1 &
job=$!
for _ in $(seq 600); do [ -f "$work/run.tnc" ] && break; sleep 0.1; done
[ -f "$work/run.tnc" ] || fail "no checkpoint after 60 s"
kill -9 $job; wait $job 2>/dev/null || true
pkill -9 -f "$work/data" 2>/dev/null || true  # the ranks, orphaned by mpirun's death
"$bin/typenet" inspect "$work/run.tnc" > /dev/null || fail "the checkpoint left by the killed job does not load"
cp "$work/run.tnc" "$work/run2.tnc"
"$bin/typenet" train --resume "$work/run.tnc" > "$work/resume1.log" 2>&1 || { tail "$work/resume1.log"; fail "resume in 1 process"; }
"${mpi[@]}" "$bin/typenet" train --resume "$work/run2.tnc" > "$work/resume2.log" 2>&1 || { tail "$work/resume2.log"; fail "resume in 2 processes"; }
grep -q '^test_accuracy=' "$work/resume1.log" && grep -q '^test_accuracy=' "$work/resume2.log" || fail "a resumed run did not finish"
echo "2. killed 2-process run resumed: 1 process $(grep '^test_accuracy=' "$work/resume1.log"), 2 processes $(grep '^test_accuracy=' "$work/resume2.log")"

# 3. One rank killed: the job ends, with an error, within seconds.
"${mpi[@]}" "$bin/typenet" "${run[@]}" --epochs 50 > "$work/dies.log" 2>&1 &
job=$!
for _ in $(seq 600); do grep -q '^epoch ' "$work/dies.log" 2>/dev/null && break; sleep 0.1; done
ranks=($(pgrep -P $job -f "typenet train"))  # mpirun's children
[ ${#ranks[@]} = 2 ] || fail "expected 2 ranks running, found ${#ranks[@]}"
t0=$(date +%s%N)
kill -9 "${ranks[1]}"
for _ in $(seq 300); do kill -0 $job 2>/dev/null || break; sleep 0.1; done
kill -0 $job 2>/dev/null && fail "the job still runs 30 s after one of its ranks was killed"
wait $job && fail "the job exited with status 0 after one of its ranks was killed"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
pgrep -f "typenet train --model SeedModel7 --data $work/data" > /dev/null && fail "a rank outlived the job"
echo "3. a rank killed with SIGKILL: the job ended in $ms ms with an error"

# 4. Divergence: both processes stop, with the same message.
if "${mpi[@]}" "$bin/typenet" "${run[@]}" --epochs 1 --lr 1e20 --warmup 0 > "$work/nan.log" 2> "$work/nan.err"; then
  fail "a run at lr 1e20 did not stop"
fi
first=$(grep -m1 'training diverged' "$work/nan.err" | sed 's/^rank 1: //') || fail "no divergence message: $(tail -3 "$work/nan.err")"
grep -qxF "$first" "$work/nan.err" && grep -qxF "rank 1: $first" "$work/nan.err" || fail "the two processes did not stop with the same message: $(grep diverged "$work/nan.err")"
echo "4. divergence: both processes stopped with: $first"

# 5. study and sweep: each run data-parallel, one table, one set of files.
runs=(--data "$work/data" --limit 200 --val 50 --epochs 1 --seed 3 --dtype f32)
"${mpi[@]}" "$bin/typenet" study --models SeedModel1,SeedModel7 --batch 50 "${runs[@]}" --out "$work/study" \
  > "$work/study.log" 2> "$work/study.err" || { tail "$work/study.err"; fail "the 2-process study failed"; }
[ "$(grep -c '^| SeedModel7 ' "$work/study.log")" = 1 ] || fail "the study's table should be printed once"
for f in results.csv results.md SeedModel1/history.csv SeedModel7/weights.tnw SeedModel7/confusion_matrix.png; do
  [ -s "$work/study/$f" ] || fail "study: $f was not written"
done
"${mpi[@]}" "$bin/typenet" sweep --model SeedModel1 --batch 50 --lr 0.01,0.05 --wd 5e-4 "${runs[@]}" --out "$work/sweep" \
  > "$work/sweep.log" 2> "$work/sweep.err" || { tail "$work/sweep.err"; fail "the 2-process sweep failed"; }
[ "$(wc -l < "$work/sweep/results.csv")" = 3 ] || fail "the sweep's results.csv should hold a header and 2 runs"
if "${mpi[@]}" "$bin/typenet" sweep --model SeedModel1 --batch 25 --lr 0.01 --wd 5e-4 "${runs[@]}" > "$work/odd.log" 2> "$work/odd.err"; then
  fail "a sweep whose batch does not split over 2 processes ran"
fi
grep -q "batch 25 does not split evenly over 2 processes" "$work/odd.err" || fail "odd batch: $(tail -2 "$work/odd.err")"
echo "5. study and sweep on 2 processes: one table, one set of files; $(grep -c '^| SeedModel' "$work/study.log") study rows"

# 6. Synchronised batch norm.
"${mpi[@]}" "$bin/typenet" --sync-bn "${run[@]}" --epochs 1 --save "$work/synced.tnw" > "$work/synced.log" 2> "$work/synced.err" ||
  { tail "$work/synced.err"; fail "the 2-process run with --sync-bn failed"; }
grep -q 'on 2 processes (synchronised batch norm)' "$work/synced.log" || fail "the --sync-bn run does not say so: $(head -1 "$work/synced.log")"
"$bin/typenet" eval --model SeedModel7 --weights "$work/synced.tnw" --data "$work/data" --limit 200 --threads 1 > /dev/null ||
  fail "the --sync-bn run's weights do not load"
"$bin/typenet" --sync-bn "${run[@]}" --epochs 1 > /dev/null 2> "$work/alone.err" || fail "--sync-bn in one process failed"
grep -q -- "--sync-bn changes nothing in one process" "$work/alone.err" || fail "--sync-bn in one process should warn"
echo "6. --sync-bn on 2 processes: $(grep '^test_accuracy=' "$work/synced.log"); in one process it warns"
