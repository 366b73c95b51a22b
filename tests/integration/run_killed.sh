#!/usr/bin/env bash
# The harness SIGKILLed mid-run (no chance to clean up): its agent dies with
# it, the result file holds the repetitions finished so far and is valid, and
# the next run removes the state dir the dead harness left.
source "$(dirname "$0")/common.bash"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export BENCH_WORKDIR="$tmp/work"; mkdir -p "$BENCH_WORKDIR"
cat > "$tmp/s.json" <<'JSON'
{ "name": "killed", "repetitions": 1000, "warmup": 0,
  "configurations": [ { "name": "bare", "kind": "bare" } ],
  "workloads": [ { "kind": "cpu", "params": { "duration": "300ms" } } ] }
JSON
"$BENCH" run "$tmp/s.json" -o "$tmp/r.json" --quiet &
pid=$!
for _ in $(seq 1 100); do
  [ -f "$tmp/r.json" ] && grep -q '"repetitions_done":[[:space:]]*[1-9]' "$tmp/r.json" && break
  sleep 0.1
done
agent=$(pgrep -P $pid -f bench-agent | head -1)
[ -n "$agent" ] || { sleep 0.1; agent=$(pgrep -P $pid -f bench-agent | head -1); }
kill -KILL $pid; wait $pid 2>/dev/null
sleep 0.2
# a zombie is dead (it only waits for init to reap it, which some inits do late)
if [ -n "$agent" ] && [ -e /proc/$agent ]; then
  state=$(awk '{print $3}' /proc/$agent/stat 2>/dev/null)
  [ "$state" = Z ] || [ -z "$state" ] || fail "the agent $agent outlived its harness (state $state)"
fi
check_result "$tmp/r.json" || fail "the result file of a killed run is not valid"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["repetitions_done"] >= 1 and not d["complete"]' "$tmp/r.json" \
  || fail "the killed run's file lacks its finished repetitions"
ls "$BENCH_WORKDIR" | grep -q "^bench-$pid\." || fail "expected the dead harness's state dir (test premise)"
cat > "$tmp/q.json" <<'JSON'
{ "name": "next", "repetitions": 1, "warmup": 0,
  "configurations": [ { "name": "bare", "kind": "bare" } ],
  "workloads": [ { "kind": "cpu", "params": { "duration": "10ms" } } ] }
JSON
"$BENCH" run "$tmp/q.json" -o "$tmp/q.result.json" --quiet || fail "the next run failed"
[ -z "$(ls "$BENCH_WORKDIR")" ] || fail "left in the workdir: $(ls "$BENCH_WORKDIR")"

# The same with a container up: its cgroups (bench/bench-PID-N in every
# hierarchy) outlive the killed harness; the next `bench run` that may
# create containers removes them before it starts its own.
if [ "$(id -u)" -eq 0 ] && [ -x /bin/busybox ] && grep -qw overlay /proc/filesystems; then
  cat > "$tmp/c.json" <<'JSON'
{ "name": "killed-ctr", "repetitions": 1, "warmup": 0,
  "configurations": [ { "name": "ctr", "kind": "container" } ],
  "workloads": [ { "kind": "cpu", "params": { "duration": "20s" } } ] }
JSON
  "$BENCH" run "$tmp/c.json" -o "$tmp/c.result.json" --quiet &
  pid=$!
  for _ in $(seq 1 200); do
    [ -n "$(find /sys/fs/cgroup -maxdepth 8 -type d -name "bench-$pid-*" 2>/dev/null)" ] && break
    sleep 0.05
  done
  sleep 0.3
  kill -KILL $pid; wait $pid 2>/dev/null
  left=$(find /sys/fs/cgroup -maxdepth 8 -type d -name "bench-$pid-*" 2>/dev/null)
  [ -n "$left" ] || fail "expected the killed run's container cgroups (test premise)"
  echo "cgroups of the killed run: $(echo $left)"
  cat > "$tmp/c2.json" <<'JSON'
{ "name": "next-ctr", "repetitions": 1, "warmup": 0,
  "configurations": [ { "name": "ctr", "kind": "container" } ],
  "workloads": [ { "kind": "cpu", "params": { "duration": "10ms" } } ] }
JSON
  "$BENCH" run "$tmp/c2.json" -o "$tmp/c2.result.json" --quiet || fail "the next container run failed"
  left=$(find /sys/fs/cgroup -maxdepth 8 -type d -name "bench-$pid-*" 2>/dev/null)
  [ -z "$left" ] || fail "the next bench run left the killed run's cgroups: $left"
  [ -z "$(ls "$BENCH_WORKDIR")" ] || fail "left in the workdir: $(ls "$BENCH_WORKDIR")"
else
  echo "note: not root or no busybox/overlayfs: the container part is not run"
fi
echo "ok"
