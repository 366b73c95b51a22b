#!/usr/bin/env bash
# The oci kind interrupted: SIGINT mid-run leaves a valid result file and
# nothing behind; a SIGKILLed bench's shim deletes its container itself; and
# when bench and its shim are both SIGKILLed, the container stays (in
# `RUNTIME list`, with its cgroups and record) until the next run deletes it.
source "$(dirname "$0")/common.bash"
need_oci
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export BENCH_WORKDIR="$tmp/work"; mkdir -p "$BENCH_WORKDIR"
before=$({ oci_state; leftovers; } | sort)
suite() { # name runtime args
  cat > "$tmp/$1.json" <<JSON
{ "name": "$1", "repetitions": 3, "warmup": 0,
  "configurations": [ { "name": "$2", "kind": "oci", "runtime": "$2", "runtime_args": $3 } ],
  "workloads": [ { "kind": "cpu", "params": { "duration": "20s" } } ] }
JSON
}
wait_listed() { # runtime: until a bench-oci container of ours is running
  for _ in $(seq 1 200); do
    $1 list 2>/dev/null | awk 'NR>1 && $1 ~ /^bench-oci-/ && $3 == "running"' | grep -q . && return 0
    sleep 0.05
  done
  return 1
}
state() { { oci_state; leftovers; } | sort; }
settle() { # up to 10 s for the state to come back
  for _ in $(seq 1 100); do [ "$(state)" = "$before" ] && return 0; sleep 0.1; done
  return 1
}
left() { comm -13 <(echo "$before") <(state); }
cat > "$tmp/quick.json" <<'JSON'
{ "name": "quick", "repetitions": 1, "warmup": 0,
  "configurations": [ { "name": "bare", "kind": "bare" } ],
  "workloads": [ { "kind": "cpu", "params": { "duration": "10ms" } } ] }
JSON
ran=0
for rt in runsc runc crun; do
  command -v $rt >/dev/null || { echo "note: $rt is not installed"; continue; }
  ran=1
  args='[]'; [ $rt = runsc ] && args='["--network=none"]'

  # SIGINT: exit 130, a valid file, nothing left
  suite int $rt "$args"
  "$BENCH" run "$tmp/int.json" -o "$tmp/int.result.json" --quiet & pid=$!
  wait_listed $rt || { kill -KILL $pid; fail "$rt: no container came up"; }
  kill -INT $pid; wait $pid; rc=$?
  [ $rc -eq 130 ] || fail "$rt: interrupted run exited $rc, expected 130"
  check_result "$tmp/int.result.json" || fail "$rt: result after SIGINT is not valid"
  $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["interrupted"] == "INT" and not d["complete"]' \
    "$tmp/int.result.json" || fail "$rt: the file does not say it was interrupted"
  settle || fail "$rt: left after SIGINT: $(left)"

  # bench SIGKILLed: its shim sees its pipe end and deletes the container
  "$BENCH" run "$tmp/int.json" -o "$tmp/k1.result.json" --quiet & pid=$!
  wait_listed $rt || { kill -KILL $pid; fail "$rt: no container came up"; }
  kill -KILL $pid; wait $pid 2>/dev/null
  # (its state dir and its run lock's files stay, inert: the next run removes them)
  ok=0
  for _ in $(seq 1 100); do [ -z "$(left | grep -v -e "^$BENCH_WORKDIR/bench-$pid\." -e '^/run/bench/run')" ] && { ok=1; break; }; sleep 0.1; done
  [ $ok = 1 ] || fail "$rt: left after SIGKILL of bench: $(left)"
  rm -rf "$BENCH_WORKDIR"/bench-*
  "$BENCH" run "$tmp/quick.json" -o "$tmp/q.result.json" --quiet || fail "$rt: the run after a killed one failed"
  settle || fail "$rt: the run after a killed one left: $(left)"

  # bench and its shim SIGKILLed: the container stays until the next run
  "$BENCH" run "$tmp/int.json" -o "$tmp/k2.result.json" --quiet & pid=$!
  wait_listed $rt || { kill -KILL $pid; fail "$rt: no container came up"; }
  shims=$(pgrep -P $pid)
  [ -n "$shims" ] || fail "$rt: no shim below bench (test premise)"
  kill -KILL $pid $shims; wait $pid 2>/dev/null
  sleep 0.3
  $rt list | awk 'NR>1 {print $1}' | grep -q "^bench-oci-$pid-" || fail "$rt: the container did not outlive its shim (test premise)"
  ls /run/bench/oci | grep -q "^bench-oci-$pid-" || fail "$rt: no record of the live container"
  cat > "$tmp/next.json" <<JSON
{ "name": "next", "repetitions": 1, "warmup": 0,
  "configurations": [ { "name": "$rt", "kind": "oci", "runtime": "$rt", "runtime_args": $args } ],
  "workloads": [ { "kind": "startup", "params": { "runs": 1 } } ] }
JSON
  "$BENCH" run "$tmp/next.json" -o "$tmp/next.result.json" --quiet || fail "$rt: the next run failed"
  $rt list | awk 'NR>1 {print $1}' | grep -q "^bench-oci-$pid-" && fail "$rt: the next run did not delete the killed run's container"
  settle || fail "$rt: left after the next run: $(left)"
  echo "$rt: ok"
done
[ $ran = 1 ] || skip "no OCI runtime (crun, runc, runsc) is installed"
echo "ok"
