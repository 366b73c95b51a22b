#!/usr/bin/env bash
# bench fleet run when things go wrong: no Slurm, a controller that is down, a
# partition or constraint Slurm refuses, a DIR that holds results (exit 2);
# Ctrl-C mid-run (exit 130, the job cancelled, nothing left, fleet.json says
# interrupted); a job past its time limit (timeout); a node whose bench run
# fails (failed, with its error). Through a private one-node cluster (slurm.bash).
source "$(dirname "$0")/common.bash"
source "$(dirname "$0")/slurm.bash"
need_container

# expect RC PATTERN CMD...: the exit code and a line of stderr
expect() {
  local want=$1 pattern=$2
  shift 2
  local out rc
  out=$("$@" 2>&1 >/dev/null)
  rc=$?
  [ $rc -eq "$want" ] || fail "$*: exit $rc, expected $want: $out"
  grep -q -- "$pattern" <<<"$out" || fail "$*: no \`$pattern\` in: $out"
}

# partial FILE: a valid result that says it was stopped by SIGTERM (scancel, the time limit) and kept samples
partial() {
  check_result "$1" >/dev/null || fail "$1 is no valid result"
  "$PY" - "$1" <<'PY' || fail "$1 is no partial result of a SIGTERM"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["complete"] is False and d["interrupted"] == "TERM" and d["results"], (d["complete"], d["interrupted"])
PY
}

# manifest FILE EXPR: a Python expression over m (fleet.json) and n (its first node) holds
manifest() {
  "$PY" - "$1" "$2" <<'PY' || fail "$1: $2 does not hold: $(cat "$1")"
import json, sys
m = json.load(open(sys.argv[1]))
n = m["nodes"][0] if m["nodes"] else None
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
}

tmp0=$(mktemp -d)
cat >"$tmp0/suite.json" <<'JSON'
{ "name": "fleet-faults", "repetitions": 1, "warmup": 0,
  "configurations": [ { "name": "bare", "kind": "bare" } ],
  "workloads": [ { "kind": "cpu", "params": { "duration": "100ms" } } ] }
JSON
# no Slurm at all: before any cluster starts
expect 2 'Slurm is not installed here: no `sbatch` on PATH (install slurm-client' \
  env PATH=/nonexistent "$BENCH" fleet run "$tmp0/suite.json" -o "$tmp0/d0"
expect 2 'no `salloc` on PATH' env PATH=/nonexistent "$BENCH" fleet run "$tmp0/suite.json" -o "$tmp0/d0" --transport srun
[ -e "$tmp0/d0" ] && fail "a DIR was made without Slurm"
rm -rf "$tmp0"

before=$(host_state)
slurm_start
work=$SLURM_DIR/work
mkdir -p "$work"
cat >"$work/suite.json" <<'JSON'
{ "name": "fleet-faults", "repetitions": 2, "warmup": 0, "timeout_s": 60,
  "configurations": [ { "name": "bare", "kind": "bare" },
                      { "name": "container", "kind": "container", "layers": 1, "memory": "256M" } ],
  "workloads": [ { "kind": "cpu", "params": { "duration": "100ms" } } ] }
JSON
# long enough to be interrupted, or to outlive a one-minute time limit
cat >"$work/long.json" <<'JSON'
{ "name": "fleet-long", "repetitions": 1000, "warmup": 0, "timeout_s": 60,
  "configurations": [ { "name": "bare", "kind": "bare" },
                      { "name": "container", "kind": "container", "layers": 1, "memory": "256M" } ],
  "workloads": [ { "kind": "cpu", "params": { "duration": "500ms" } } ] }
JSON

# a controller that does not answer: Slurm's word and the SLURM_CONF it used
sed 's/^SlurmctldPort=.*/SlurmctldPort=1/' "$SLURM_CONF" >"$work/down.conf"
for t in shared srun; do
  expect 2 "controller is not reachable: .*DOWN.*SLURM_CONF=$work/down.conf" \
    env SLURM_CONF="$work/down.conf" "$BENCH" fleet run "$work/suite.json" -o "$work/down-$t" --transport $t
done

# what Slurm refuses: its own message
for t in shared srun; do
  expect 2 'Slurm refused the job: .*Invalid partition name specified' \
    "$BENCH" fleet run "$work/suite.json" -o "$work/part-$t" --partition nosuchpartition --transport $t
  expect 2 'Slurm refused the job: .*Invalid feature specification' \
    "$BENCH" fleet run "$work/suite.json" -o "$work/feat-$t" --constraint nosuchfeature --transport $t
  [ -e "$work/part-$t/fleet.json" ] && fail "$t: a fleet.json for a job Slurm refused"
  [ -e "$work/part-$t/.fleet" ] && fail "$t: .fleet left after a refused job"
done
[ -z "$(squeue -h -t all)" ] || fail "jobs where Slurm refused all: $(squeue -h -t all)"

# a DIR with results of another run
mkdir -p "$work/used"
echo '{}' >"$work/used/other.json"
expect 2 'already holds other.json.*give a new DIR' "$BENCH" fleet run "$work/suite.json" -o "$work/used"

# a node whose bench run fails: failed, with bench run's error and exit code; exit 1
for t in shared srun; do
  expect 1 'failed (exit 2: .*nosuchconfig' \
    "$BENCH" fleet run "$work/suite.json" -o "$work/bad-$t" --transport $t -- --configs nosuchconfig
  manifest "$work/bad-$t/fleet.json" \
    'm["state"] == "FAILED" and n["state"] == "failed" and n["exit_code"] == 2 and "nosuchconfig" in n["reason"] and n["result"] is None'
done
# RUN-OPTIONS may not choose the output
expect 2 'may not hold `-o`' "$BENCH" fleet run "$work/suite.json" -o "$work/o" -- -o /tmp/x.json

# Ctrl-C mid-run: scancel, wait for Slurm, keep what came back, leave nothing
for t in shared srun; do
  dir=$work/int-$t
  "$BENCH" fleet run "$work/long.json" -o "$dir" --transport $t 2>"$work/int-$t.err" &
  pid=$!
  for _ in $(seq 300); do
    grep -q ': running$' "$work/int-$t.err" && [ -n "$(find /sys/fs/cgroup -maxdepth 8 -type d -name 'bench-*')" ] && break
    sleep 0.1
  done
  sleep 2
  job=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["job_id"])' "$dir/fleet.json")
  kill -INT $pid
  wait $pid
  rc=$?
  cat "$work/int-$t.err" >&2
  [ $rc -eq 130 ] || fail "$t: interrupted fleet run exited $rc, expected 130"
  grep -q "cancelling job $job (scancel)" "$work/int-$t.err" || fail "$t: no scancel line"
  [ -z "$(squeue -h)" ] || fail "$t: jobs still queued after Ctrl-C: $(squeue -h)"
  [ "$(slurm_job_state "$job")" = CANCELLED ] || fail "$t: job $job is $(slurm_job_state "$job"), not CANCELLED"
  manifest "$dir/fleet.json" 'm["interrupted"] and m["state"] == "CANCELLED" and n["state"] == "cancelled" and m["ended_at"]'
  # what came back is a valid (partial) result
  if manifest "$dir/fleet.json" 'n["result"] is not None'; then
    partial "$dir/$SLURM_NODE.json"
  fi
  [ -e "$dir/.fleet" ] && fail "$t: $dir/.fleet left"
  pgrep -f "$BENCH (run|fleet)" >/dev/null && fail "$t: bench processes left: $(pgrep -af "$BENCH (run|fleet)")"
  [ -z "$(find /sys/fs/cgroup -maxdepth 8 -type d -name 'bench-*')" ] || fail "$t: bench cgroups left"
  ls /tmp | grep -q '^bench-fleet-node\.' && fail "$t: a node's temp dir left in /tmp"
done

# past the time limit (Slurm's limits are whole minutes, checked about every 30 s): timeout, partial result
"$BENCH" fleet run "$work/long.json" -o "$work/to" --time 1 --transport srun 2>"$work/to.err"
rc=$?
cat "$work/to.err" >&2
[ $rc -eq 1 ] || fail "timed-out fleet run exited $rc, expected 1"
grep -q ': timeout (' "$work/to.err" || fail "no timeout line"
manifest "$work/to/fleet.json" 'm["state"] == "TIMEOUT" and n["state"] == "timeout" and not m["interrupted"]'
if manifest "$work/to/fleet.json" 'n["result"] is not None'; then
  partial "$work/to/$SLURM_NODE.json"
fi

slurm_stop
trap - EXIT
after=$(host_state)
[ "$before" = "$after" ] || fail "left behind: $(comm -13 <(echo "$before") <(echo "$after"))"
echo "ok"
