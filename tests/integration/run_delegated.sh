#!/usr/bin/env bash
# bench in someone else's cgroup (as a Slurm step, a systemd service or a CI
# container gives it): its container cgroups nest below its own cgroup in
# each hierarchy, its pinning stays in the cpuset it was given (one CPU: a
# note, not a failure), and the result's host.allocation says what it had.
source "$(dirname "$0")/common.bash"
need_container
for c in cpuset memory pids; do
  [ -d /sys/fs/cgroup/$c ] || skip "needs the v1 $c hierarchy (this test builds a delegated cgroup by hand there)"
done
tmp=$(mktemp -d)
name=deleg-test-$$
dirs=()
cleanup() {
  [ -n "${watcher:-}" ] && kill "$watcher" 2>/dev/null; wait 2>/dev/null
  for d in "${dirs[@]}"; do
    # our shell helpers left already; what bench made must be gone (checked below), remove the rest
    find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
before=$(host_state)

# the delegation: the first allowed CPU, memory node 0, 1 GiB, 512 pids
cpu=$(cut -d, -f1 /sys/fs/cgroup/cpuset/cpuset.effective_cpus); cpu=${cpu%%-*}
# bench's own memory cgroup may itself be below the root (a CI runner's): nest below it, as a scheduler would
own_mem=$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)
for c in cpuset memory pids; do
  base=/sys/fs/cgroup/$c; [ $c = memory ] && base=$base${own_mem%/}
  mkdir "$base/$name" || fail "cannot make $base/$name"
  dirs+=("$base/$name")
done
cs=/sys/fs/cgroup/cpuset/$name; mem=${dirs[1]}; pids=/sys/fs/cgroup/pids/$name
echo "$(cat /sys/fs/cgroup/cpuset/cpuset.mems | cut -d, -f1 | cut -d- -f1)" > $cs/cpuset.mems
echo $cpu > $cs/cpuset.cpus
echo $((1 << 30)) > $mem/memory.limit_in_bytes
echo 512 > $pids/pids.max

cat > "$tmp/suite.json" <<JSON
{ "name": "delegated", "repetitions": 3, "warmup": 0,
  "configurations": [ { "name": "bare", "kind": "bare" }, { "name": "container", "kind": "container" } ],
  "workloads": [ { "kind": "cpu", "params": { "duration": "300ms" } } ] }
JSON

# a watcher records every bench cgroup it sees while the run goes on
( while :; do find /sys/fs/cgroup -maxdepth 8 -type d -name 'bench-*' 2>/dev/null; sleep 0.02; done ) > "$tmp/seen.all" &
watcher=$!
# the run, from a shell moved into the delegated cgroups first
sh -c 'for f in "$@"; do echo $$ > "$f/cgroup.procs"; done; exec "$0" run "$1.json" -o "$1.result.json" --quiet' \
  "$BENCH" "$tmp/suite" "$cs" "$mem" "$pids" 2> "$tmp/err" || { cat "$tmp/err"; fail "bench run in a delegated cgroup failed"; }
sleep 0.1; kill "$watcher"; wait "$watcher" 2>/dev/null; watcher=
sort -u "$tmp/seen.all" > "$tmp/seen"
grep -q . "$tmp/seen" || fail "the watcher saw no container cgroup at all (the test proves nothing)"
# in the hierarchies delegated here, every container cgroup it saw is below the delegated cgroups
# (devices, freezer, cgroup2 were not delegated: bench's cgroups are at their roots, rightly)
outside=$(grep -E '^/sys/fs/cgroup/(cpuset|memory|pids)/' "$tmp/seen" | grep -v -e "^$cs/" -e "^$mem/" -e "^$pids/" || true)
[ -z "$outside" ] || fail "container cgroups outside bench's delegated cgroups: $outside"
grep -q "^$mem/bench/bench-\|^$mem/bench-" "$tmp/seen" || fail "no container memory cgroup below $mem: $(cat "$tmp/seen")"
grep -q "^$cs/bench" "$tmp/seen" || fail "no container cpuset cgroup below $cs"

$PY - "$tmp/suite.result.json" "$cpu" "${own_mem%/}/$name" "$name" <<'PY' || fail "host.allocation or pinning is wrong"
import json, sys
d = json.load(open(sys.argv[1])); cpu, mem_path, name = sys.argv[2], sys.argv[3], sys.argv[4]
a = d["host"]["allocation"]
def check(cond, what):
    if not cond:
        print("FAIL:", what, json.dumps(a), file=sys.stderr); sys.exit(1)
check(a["cpus"] == cpu and a["n_cpus"] == 1, "cpus")
check(a["memory_limit_bytes"] == 1 << 30, "memory limit")
check(a["cgroups"]["cpuset"] == "/" + name and a["cgroups"]["memory"] == mem_path and a["cgroups"]["pids"] == "/" + name, "cgroups")
check(a["delegated"] is True, "delegated")
check("slurm" not in a, "no slurm outside slurm")
p = d["pinning"]
check(p["workload_cpus"] == cpu and p["harness_cpus"] == cpu, "pinning inside the cpuset: " + json.dumps(p))
check("one core allocated" in p.get("note", ""), "the one-CPU note: " + json.dumps(p))
ok = [s for s in d["results"] if s["configuration"] == "container" and s["stats"]["n"] == 3]
check(ok, "the container measured")
PY

# nothing of bench's is left in the delegated cgroups or anywhere
left=$(find "${dirs[@]}" -mindepth 1 -type d 2>/dev/null)
[ -z "$left" ] || fail "left in the delegated cgroups: $left"
[ "$(host_state)" = "$before" ] || fail "left behind: $(diff <(echo "$before") <(host_state))"
echo "ok: containers nested in the delegated cgroups, allocation recorded (cpu $cpu, 1 GiB)"
