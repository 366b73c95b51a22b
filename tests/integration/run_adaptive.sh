#!/usr/bin/env bash
# Adaptive repetitions on bare (no root, no containers): a stable metric stops
# at the target past the minimum and before the cap; an impossible target
# stops at max_repetitions; max_time ends a run in time; SIGINT leaves a valid
# file with stopped_by interrupted. Every file matches the schema, its
# precision records agree with its stats, and bench report reads it back.
source "$(dirname "$0")/common.bash"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# suite NAME 'TOP-LEVEL FIELDS,' 'WORKLOAD'
suite() {
  cat > "$tmp/$1.json" <<JSON
{ "name": "$1", "warmup": 0, $2
  "configurations": [ { "name": "bare", "kind": "bare" } ],
  "workloads": [ $3 ] }
JSON
}
# run NAME CHECK [bench run args...]: runs the suite, expects exit 0, checks the file, reports it
run() {
  local name=$1 check=$2; shift 2
  "$BENCH" run "$tmp/$name.json" -o "$tmp/$name.out.json" --quiet "$@" || fail "$name: bench run exited $?"
  check_result "$tmp/$name.out.json" --check "$check" || fail "$name: result"
  "$BENCH" report "$tmp/$name.out.json" -o "$tmp/$name.md" || fail "$name: bench report cannot read it back"
  grep -q '^- \*\*Precision:\*\* target ' "$tmp/$name.md" || fail "$name: no precision line in the report"
}
before=$(leftovers)

# footprint and rss of a process holding 8M barely move: the 95% interval needs 6 samples, then it is met
suite target '"repetitions": 3, "precision": "2%", "max_repetitions": 40,' \
  '{ "kind": "memory", "params": { "size": "8M" } }'
run target adaptive-precision

# no cpu figure is known within 0.001% from 8 samples: the cap ends the run, the target is not claimed
suite capped '"repetitions": 6,' '{ "kind": "cpu", "params": { "duration": "20ms" } }'
run capped adaptive-max-repetitions --precision 0.001% --max-repetitions 8

# max_time: no repetition starts that would likely end past 3 s of the run
suite timed '"repetitions": 2, "precision": "0.001%", "max_time": 3,' \
  '{ "kind": "cpu", "params": { "duration": "100ms" } }'
t0=$(date +%s%N)
run timed adaptive-max-time
t1=$(date +%s%N)
# the run itself within max_time + one repetition's spread; bench's start and the report around it
[ $(( (t1 - t0) / 1000000 )) -lt 6000 ] || fail "timed: took $(( (t1 - t0) / 1000000 )) ms for max_time 3 s"

# Ctrl-C mid-run: exit 130, the file valid, stopped_by interrupted
suite interrupted '"repetitions": 6, "precision": "0.001%", "max_repetitions": 1000,' \
  '{ "kind": "cpu", "params": { "duration": "100ms" } }'
"$BENCH" run "$tmp/interrupted.json" -o "$tmp/interrupted.out.json" --quiet &
pid=$!
for _ in $(seq 1 200); do
  grep -qs '"repetitions_done":[[:space:]]*[3-9]' "$tmp/interrupted.out.json" && break
  sleep 0.1
done
sleep 0.05   # land somewhere inside a repetition
kill -INT $pid
wait $pid; rc=$?
[ $rc -eq 130 ] || fail "interrupted run exited $rc, expected 130"
check_result "$tmp/interrupted.out.json" --check adaptive-interrupted || fail "result after SIGINT"
"$BENCH" report "$tmp/interrupted.out.json" -o "$tmp/interrupted.md" || fail "bench report of the interrupted run"
grep -q 'stopped: interrupted' "$tmp/interrupted.md" || fail "the report does not say interrupted"

after=$(leftovers)
[ "$before" = "$after" ] || fail "left behind: $(comm -13 <(echo "$before") <(echo "$after"))"
echo "ok"
