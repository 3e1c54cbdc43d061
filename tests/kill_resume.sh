#!/usr/bin/env bash
# Kill test: trains SeedModel7 on synthetic CIFAR-shaped data with checkpoints, SIGKILLs the
# trainer at KILLS random moments (some land inside a checkpoint write), checks that every
# checkpoint left on disk loads (`typenet inspect`), resumes each time (`train --resume`), and
# compares the final weights (bytes) and history (all but timings) with an uninterrupted run.
#   tests/kill_resume.sh BIN_DIR [KILLS] [EPOCHS] [IMAGES_PER_FILE] [SEED]
# (the files have CIFAR-10's 10,000 records each; --limit keeps IMAGES_PER_FILE of each)
set -euo pipefail
bin=$1 kills=${2:-20} epochs=${3:-2} records=${4:-1000} seed=${5:-1}
work=$(mktemp -d /tmp/typenet_kill.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$bin/make_synthetic_cifar" "$work/data" 10000
args=(train --model SeedModel7 --data "$work/data" --limit "$records" --epochs "$epochs" --batch 50 --seed 5
      --threads 2 --checkpoint-every 2)

t0=$(date +%s%N)
"$bin/typenet" "${args[@]}" --checkpoint "$work/ref.tnc" --save "$work/ref.tnw" --history "$work/ref" > "$work/ref.log"
ref_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
# Kill moments: after a start-up allowance, anywhere in a fair share of the run; every third
# kill instead waits for a checkpoint write to be under way (FILE.tmp exists) and lands in it.
span_ms=$(( ref_ms / (kills > 0 ? kills : 1) + 200 ))
startup_ms=${TYPENET_KILL_STARTUP_MS:-800}

RANDOM=$seed
done_ok=0 killed=0 in_write=0 resumes=0
start=("$bin/typenet" "${args[@]}" --checkpoint "$work/run.tnc" --save "$work/run.tnw" --history "$work/run")
while [ $done_ok = 0 ]; do
  if [ -f "$work/run.tnc" ]; then cmd=("$bin/typenet" train --resume "$work/run.tnc"); resumes=$((resumes + 1))
  else cmd=("${start[@]}"); fi
  "${cmd[@]}" >> "$work/run.log" 2>&1 &
  pid=$!
  if [ $killed -lt "$kills" ]; then
    if [ $((killed % 3)) = 2 ]; then
      for _ in $(seq 2000); do [ -f "$work/run.tnc.tmp" ] && break; sleep 0.005; done
    else
      ms=$(( startup_ms + (RANDOM * 32768 + RANDOM) % span_ms ))
      sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
    fi
    if kill -9 $pid 2>/dev/null; then
      wait $pid 2>/dev/null || true
      killed=$((killed + 1))
      [ -f "$work/run.tnc.tmp" ] && in_write=$((in_write + 1))
      rm -f "$work/run.tnc.tmp"   # what a crash leaves; the next run would overwrite it anyway
      if [ -f "$work/run.tnc" ]; then
        "$bin/typenet" inspect "$work/run.tnc" > /dev/null || { echo "kill $killed: the checkpoint on disk does not load"; exit 1; }
      fi
      continue
    fi
  fi
  wait $pid && done_ok=1 || { echo "the trainer failed:"; tail -20 "$work/run.log"; exit 1; }
done
cmp "$work/ref.tnw" "$work/run.tnw" || { echo "FAIL: final weights differ from the uninterrupted run's"; exit 1; }
diff <(cut -d, -f1-6 "$work/ref/history.csv") <(cut -d, -f1-6 "$work/run/history.csv") ||
  { echo "FAIL: histories differ"; exit 1; }
# The checkpoint records the kernels' ISA; resuming on another one says it will not be bit-identical.
"$bin/typenet" inspect "$work/run.tnc" | grep -q "\"isa\":\"" || { echo "FAIL: the checkpoint does not record the ISA"; exit 1; }
if grep -q "not bit-identically" "$work/run.log"; then echo "FAIL: a resume on the same machine warned of another ISA"; exit 1; fi
DNNL_MAX_CPU_ISA=SSE41 "$bin/typenet" train --resume "$work/run.tnc" > "$work/sse41.log" 2>&1 ||
  { echo "FAIL: a resume under DNNL_MAX_CPU_ISA=SSE41 failed:"; tail -5 "$work/sse41.log"; exit 1; }
grep -q "kernels, this machine runs sse41: the run goes on, but not bit-identically" "$work/sse41.log" ||
  { echo "FAIL: a resume on another ISA gave no warning"; exit 1; }
echo "kill test: $killed kills ($in_write inside a checkpoint write), $resumes resumes (uninterrupted run: $ref_ms ms);" \
     "every checkpoint left on disk" \
     "loaded; final weights identical to the uninterrupted run's ($(stat -c %s "$work/ref.tnw") bytes), history identical" \
     "($epochs epochs, all columns but timings)"
