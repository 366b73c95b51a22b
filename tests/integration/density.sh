#!/usr/bin/env bash
# density: N = 1 and 8 environments of bare and of bench's container up at
# once, both start modes, each reading one 16M lower-layer file. The start
# latency arrives by k (1..8), the all-ready times and memory per
# environment by n, the sharing figure says the containers' readers share
# one page cache; and nothing is left: no overlay mount, no bench-* cgroup,
# no state dir, no agent process. Then the two ways a run ends half-way:
# SIGINT with environments up (exit 130, a valid result, nothing left) and
# a timeout while N start at once (every environment torn down, an error
# that says which N and how many were ready).
source "$(dirname "$0")/common.bash"
need_container
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export BENCH_WORKDIR="$tmp/work"; mkdir -p "$BENCH_WORKDIR"
# host_state sees the host's agent path; inside a container the agent is /bench-agent
agents_up() { pgrep -f 'bench-agent.*density:' | wc -l; }
state() { host_state; echo "density agents $(agents_up)"; }
before=$(state)

# refused before anything starts: more guests than memory, more environments than fds (exit 2)
cat > "$tmp/big.json" <<'JSON'
{ "name": "density-big", "repetitions": 1,
  "configurations": [ { "name": "ctr", "kind": "container" },
                      { "name": "vm", "kind": "vm", "memory": "256M" } ],
  "workloads": [ { "kind": "density", "params": { "n": "1,8,100000" } } ] }
JSON
"$BENCH" run "$tmp/big.json" -o "$tmp/big-r.json" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "n too large for memory exited $rc, expected 2: $(cat "$tmp/err")"
grep -q 'workloads\[0\].params.n: workload `density` in configuration `vm`: n=100000 needs about [0-9]* MiB (100000 × [0-9]* MiB per `vm` environment: guest memory 256M + QEMU about [0-9]*M), the host has [0-9]* MiB available' "$tmp/err" \
  || fail "the refusal gives the estimate: $(cat "$tmp/err")"
grep -q 'configuration `ctr`: n=100000 needs about' "$tmp/err" || fail "the container's estimate too: $(cat "$tmp/err")"
[ ! -e "$tmp/big-r.json" ] || fail "a refused suite wrote a result"
# sized per configuration: a density limited to the container is not checked against the vm
sed -e 's/"n": "1,8,100000" } }/"n": "1,8,100000" }, "configurations": ["ctr"] },\n                 { "name": "dvm", "kind": "density", "params": { "n": "1,2" }, "configurations": ["vm"] }/' \
  "$tmp/big.json" > "$tmp/only.json"
"$BENCH" validate "$tmp/only.json" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "n too large for the container exited $rc, expected 2: $(cat "$tmp/err")"
grep -q 'configuration `ctr`: n=100000 needs about' "$tmp/err" || fail "the container's refusal: $(cat "$tmp/err")"
! grep -q 'configuration `vm`' "$tmp/err" || fail "a density not run in vm was sized for it: $(cat "$tmp/err")"
sed -e 's/"1,8,100000"/"300"/' -e '/"vm"/d' -e 's/"kind": "container" },/"kind": "container" } ],/' "$tmp/big.json" > "$tmp/fds.json"
(ulimit -Hn 1024 -Sn 1024; "$BENCH" run "$tmp/fds.json" -o "$tmp/fds-r.json" 2>"$tmp/err"); rc=$?
[ $rc -eq 2 ] || fail "n beyond the fd limit exited $rc, expected 2: $(cat "$tmp/err")"
grep -q 'n=300 needs about [0-9]* open files .*RLIMIT_NOFILE is 1024' "$tmp/err" || fail "the fd refusal: $(cat "$tmp/err")"

cat > "$tmp/s.json" <<'JSON'
{ "name": "density", "repetitions": 3, "warmup": 0, "timeout_s": 60,
  "configurations": [ { "name": "bare", "kind": "bare", "stack": "synth:layers=1,files=10,big=16M" },
                      { "name": "ctr", "kind": "container", "stack": "synth:layers=1,files=10,big=16M" } ],
  "workloads": [ { "kind": "density", "params": { "n": "1,8", "start": "both", "read": "16M" } } ] }
JSON
"$BENCH" run "$tmp/s.json" -o "$tmp/r.json" --quiet 2>"$tmp/err" || fail "the density run failed: $(cat "$tmp/err")"
check_result "$tmp/r.json" || fail "schema"
$PY - "$tmp/r.json" <<'PY' || fail "density results"
import json, sys
d = json.load(open(sys.argv[1]))
assert not d["errors"], d["errors"]
def get(c, m, k=None, n=None):
    for r in d["results"]:
        if r["configuration"] == c and r["metric"] == m and r.get("k") == k and r.get("n") == n:
            return r
    raise AssertionError("no %s %s k=%s n=%s" % (c, m, k, n))
for c in ("bare", "ctr"):
    for k in range(1, 9):
        s = get(c, "sequential.start_ms", k=k)
        # k=1 comes from n=1 and n=8, k=2..8 from n=8 only; 3 repetitions
        assert len(s["samples"]) == (6 if k == 1 else 3), (c, k, s["samples"])
        assert all(x > 0 for x in s["samples"]), (c, k, s["samples"])
        assert get(c, "read_ms", k=k)["samples"][0] > 0
    for n in (1, 8):
        for mode in ("sequential", "parallel"):
            first = get(c, mode + ".first_start_ms", n=n)["samples"][0]
            last = get(c, mode + ".last_start_ms", n=n)["samples"][0]
            every = get(c, mode + ".all_ready_ms", n=n)["samples"][0]
            assert 0 < first <= every and 0 < last <= every, (c, mode, n, first, last, every)
        assert len(get(c, "parallel.start_ms", n=n)["samples"]) == 3 * n
        assert min(get(c, "pss_per_env_kib", n=n)["samples"]) > 0, (c, n)
        for m in ("mem_per_env_kib", "read_mem_per_env_kib"):
            assert len(get(c, m, n=n)["samples"]) == 3, (c, m, n)
    # MemAvailable is the whole host's: on a shared machine it moves by MiBs while an environment
    # takes a few hundred KiB; the median of 3 at n=8 is above 0
    assert get(c, "mem_per_env_kib", n=8)["stats"]["median"] > 0, get(c, "mem_per_env_kib", n=8)["samples"]
# each environment read 16M, but one page cache holds it: far below 16M per environment at n=8
# (medians of 3: MemFree is the whole host's too)
for c in ("bare", "ctr"):
    one = get(c, "read_added_per_env_kib", n=1)["stats"]["median"]
    eight = get(c, "read_added_per_env_kib", n=8)["stats"]["median"]
    assert one > 8 * 1024, "the one reader's 16M shows in MemFree: %s KiB" % one
    assert eight < one / 3, "8 readers share the cache: %s KiB each against %s for one" % (eight, one)
assert min(get("ctr", "cgroup_per_env_kib", n=8)["samples"]) > 0
assert any("reports no cgroup usage" in x["reason"] for x in d["notes"] if x["configuration"] == "bare"), d["notes"]
print("density ok: ctr k=8 start %.2f ms, %d KiB PSS per env at n=8, read added %.0f KiB per env at n=8" % (
    get("ctr", "sequential.start_ms", k=8)["samples"][0], get("ctr", "pss_per_env_kib", n=8)["samples"][0],
    get("ctr", "read_added_per_env_kib", n=8)["samples"][0]))
PY
[ "$before" = "$(state)" ] || fail "left behind: $(comm -13 <(echo "$before") <(state))"

# the figures: latency by k and memory by n
"$BENCH" plot "$tmp/r.json" -o "$tmp/plots" >/dev/null 2>"$tmp/err" || fail "bench plot: $(cat "$tmp/err")"
for f in density-start-by-k density-memory-by-n; do
  ls "$tmp/plots/$f".* >/dev/null 2>&1 || fail "no $f figure: $(ls "$tmp/plots")"
done

# SIGINT while environments are up: exit 130, a valid result, nothing left
cat > "$tmp/i.json" <<'JSON'
{ "name": "density-int", "repetitions": 3, "warmup": 0, "timeout_s": 60,
  "configurations": [ { "name": "ctr", "kind": "container" } ],
  "workloads": [ { "kind": "density", "params": { "n": "4,300", "start": "sequential" } } ] }
JSON
"$BENCH" run "$tmp/i.json" -o "$tmp/i-r.json" --quiet 2>"$tmp/err" &
pid=$!
up=0
# in the second repetition (the first is kept), with at least 20 containers up
for _ in $(seq 1 3000); do
  if [ -f "$tmp/i-r.json" ] && grep -q '"repetitions_done":[[:space:]]*[1-9]' "$tmp/i-r.json"; then
    up=$(agents_up)
    [ "$up" -ge 20 ] && break
  fi
  sleep 0.01
done
[ "$up" -ge 20 ] || { kill -INT $pid; wait $pid; fail "never saw 20 agents up ($up)"; }
kill -INT $pid
wait $pid; rc=$?
[ $rc -eq 130 ] || fail "interrupted density run exited $rc, expected 130: $(cat "$tmp/err")"
check_result "$tmp/i-r.json" --check interrupted || fail "result after SIGINT"
$PY - "$tmp/i-r.json" <<'PY' || fail "the interrupted result keeps what was measured"
import json, sys
d = json.load(open(sys.argv[1]))
ks = [r["k"] for r in d["results"] if r["metric"] == "sequential.start_ms"]
assert ks and max(ks) >= 4, "the starts measured before the signal are kept: %s" % ks
PY
[ "$before" = "$(state)" ] || fail "left behind after SIGINT: $(comm -13 <(echo "$before") <(state))"

# a failure half-way: of 64 started at once, the last cannot be ready 1 ms after its start
# (a container takes 2-4 ms here), while the first ones are up
cat > "$tmp/t.json" <<'JSON'
{ "name": "density-timeout", "repetitions": 1, "warmup": 0, "timeout_s": 0.001,
  "configurations": [ { "name": "ctr", "kind": "container" } ],
  "workloads": [ { "kind": "density", "params": { "n": "64", "start": "parallel" } } ] }
JSON
"$BENCH" run "$tmp/t.json" -o "$tmp/t-r.json" --quiet 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] || fail "a density run with a timeout exited $rc, expected 1: $(cat "$tmp/err")"
check_result "$tmp/t-r.json" || fail "schema after a failure"
$PY - "$tmp/t-r.json" <<'PY' || fail "the failure is an error naming n"
import json, sys
d = json.load(open(sys.argv[1]))
e = [x["reason"] for x in d["errors"]]
assert len(e) == 1 and "n=64 (parallel): timed out (timeout_s) with" in e[0], e
ready = int(e[0].split(" with ")[1].split(" of ")[0])
assert ready < 64, e
PY
[ "$before" = "$(state)" ] || fail "left behind after a failure: $(comm -13 <(echo "$before") <(state))"
echo "ok"
