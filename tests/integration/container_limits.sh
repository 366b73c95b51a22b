#!/usr/bin/env bash
# cgroup limits from inside a container: a process past the memory limit is
# OOM-killed and reported, a fork bomb stops at the pids limit; rootfs
# writes land in the upper dir and the lower layer stays unchanged; nothing
# is left behind after any of it (OOM, SIGKILL from outside included).
source "$(dirname "$0")/common.bash"
need_container
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export BENCH_WORKDIR="$tmp/work"; mkdir -p "$BENCH_WORKDIR"
run() { "$BENCH" container run "$@"; }
before=$(host_state)

# memory: the agent touches 256M under a 32M limit
run --memory 32M -- /bench-agent --no-ready memory:size=256M,hold_timeout=1ms </dev/null >/dev/null 2>&1
rc=$?
[ $rc -eq 137 ] || fail "past the memory limit: exit $rc, expected 137 (OOM kill)"

# pids: an inner shell forks sleeps until the limit of 10 stops it; PID 1 (the
# outer shell) stays, and the host reads the cgroup's pids counters meanwhile
run --pids 10 -- /bin/sh -c 'sh -c "for i in \$(seq 40); do sleep 3 & done" 2>/tmp/err; cat /tmp/err; sleep 2' >"$tmp/pids.out" 2>&1 &
bpid=$!
cg=""
for _ in $(seq 1 60); do
  # one container per process: its cgroups are at the roots (as crun's), not below bench/
  cg=$(ls -d /sys/fs/cgroup/pids/bench-*-0 /sys/fs/cgroup/bench-*-0 2>/dev/null | head -1)
  [ -n "$cg" ] && grep -qE '^max [1-9]' "$cg/pids.events" 2>/dev/null && break
  sleep 0.05
done
[ -n "$cg" ] || fail "no pids cgroup found for the container"
current=$(cat "$cg/pids.current"); limit=$(cat "$cg/pids.max")
[ "$limit" = 10 ] || fail "pids.max is $limit, expected 10"
[ "$current" -le 10 ] || fail "pids limit 10, yet $current processes"
grep -qE '^max [1-9]' "$cg/pids.events" || fail "no fork was refused at the limit: $(cat "$cg/pids.events")"
wait $bpid
grep -qi "can't fork\|resource" "$tmp/pids.out" || fail "the fork bomb did not see the limit: $(cat "$tmp/pids.out")"

# layers: writes go to the upper dir, the lower layer stays as it was
layer="$tmp/lower"; mkdir -p "$layer/bin" "$layer/data" "$layer/proc" "$layer/dev" "$layer/sys" "$layer/tmp"
cp /bin/busybox "$layer/bin/"; for a in sh cat sleep echo; do ln -s busybox "$layer/bin/$a"; done
echo original > "$layer/data/f"
run --upper disk --layer "$layer" -- /bin/sh -c 'echo changed > /data/f; echo new > /data/g; sleep 2' &
pid=$!
upper=""
for _ in $(seq 1 50); do
  upper=$(ls -d "$BENCH_WORKDIR"/bench-*/upper 2>/dev/null | head -1)
  [ -n "$upper" ] && [ -f "$upper/data/g" ] && break
  sleep 0.05
done
[ -n "$upper" ] || fail "no upper dir appeared"
[ "$(cat "$upper/data/f" 2>/dev/null)" = changed ] || fail "the write did not land in the upper dir"
[ "$(cat "$upper/data/g" 2>/dev/null)" = new ] || fail "the new file did not land in the upper dir"
[ "$(cat "$layer/data/f")" = original ] || fail "the lower layer changed"
[ ! -e "$layer/data/g" ] || fail "a new file appeared in the lower layer"
wait $pid || fail "the layered container failed"
# the default tmpfs upper: the same overlay semantics, nothing on the host's disk
out=$(run --layer "$layer" -- /bin/sh -c 'cat /data/f; echo changed > /data/f; cat /data/f')
[ "$out" = "$(printf 'original\nchanged')" ] || fail "copy-up through a tmpfs upper: $out"
[ "$(cat "$layer/data/f")" = original ] || fail "the lower layer changed (tmpfs upper)"

# killed from outside: SIGKILL to the container's PID 1
"$BENCH" container run -- /bin/sleep 30 &
bpid=$!
for _ in $(seq 1 50); do c=$(pgrep -P $bpid | head -1); [ -n "$c" ] && break; sleep 0.05; done
[ -n "$c" ] || fail "no container process found"
kill -KILL "$c"
wait $bpid; rc=$?
[ $rc -eq 137 ] || fail "a container killed from outside: exit $rc, expected 137"

# bench itself SIGKILLed: the container dies with it, and the next run reaps its dirs
"$BENCH" container run -- /bin/sleep 30 &
bpid=$!
for _ in $(seq 1 50); do c=$(pgrep -P $bpid | head -1); [ -n "$c" ] && break; sleep 0.05; done
[ -n "$c" ] || fail "no container process found"
kill -KILL $bpid; wait $bpid 2>/dev/null
for _ in $(seq 1 40); do
  state=$(awk '{print $3}' /proc/$c/stat 2>/dev/null); [ -z "$state" ] || [ "$state" = Z ] && break; sleep 0.05
done
[ -z "$state" ] || [ "$state" = Z ] || fail "the container (pid $c) outlived bench (state $state)"
[ -n "$(find /sys/fs/cgroup -maxdepth 2 -type d -name "bench-$bpid-0")" ] || fail "the killed run left no cgroup at the roots: the reaping below proves nothing"
run -- /bin/true || fail "the run after a killed bench failed"
left=$(find /sys/fs/cgroup -maxdepth 8 -type d -name "bench-$bpid-0")
[ -z "$left" ] || fail "the next run did not reap the killed run's cgroups: $left"

# bad input: a layer that does not exist, one that is a file
run --layer /nonexistent -- /bin/true 2>"$tmp/err"; [ $? -eq 2 ] || fail "a missing layer: expected exit 2"
grep -q "/nonexistent" "$tmp/err" || fail "the message does not name the missing layer"
run --layer /etc/passwd -- /bin/true 2>"$tmp/err"; [ $? -eq 2 ] || fail "a file as a layer: expected exit 2"
grep -q "not a directory" "$tmp/err" || fail "the message does not say the layer is not a directory"
run --memory 12Q -- /bin/true 2>/dev/null; [ $? -eq 2 ] || fail "a bad size: expected exit 2"

after=$(host_state)
[ "$before" = "$after" ] || fail "left behind: $(diff <(echo "$before") <(echo "$after") | grep '^>')"
echo "ok"
