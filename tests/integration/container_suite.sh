#!/usr/bin/env bash
# The container configuration through bench run: bad options are refused
# before anything is made (exit 2, file:line:col), an OOM inside is an error
# with its cause while the run goes on, a deeper read-only stack works, and
# nothing is left behind.
source "$(dirname "$0")/common.bash"
need_container
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export BENCH_WORKDIR="$tmp/work"; mkdir -p "$BENCH_WORKDIR"
before=$(host_state)

cat > "$tmp/bad.json" <<'JSON'
{ "name": "bad", "repetitions": 1,
  "configurations": [
    { "name": "c1", "kind": "container", "layers": ["/nonexistent/layer"] },
    { "name": "c2", "kind": "container", "capabilities": ["CAP_FROBNICATE"] },
    { "name": "c3", "kind": "container", "cpus": "4095" } ],
  "workloads": [ { "kind": "cpu", "params": { "duration": "10ms" } } ] }
JSON
"$BENCH" run "$tmp/bad.json" -o "$tmp/bad.result.json" 2>"$tmp/bad.err"; rc=$?
[ $rc -eq 2 ] || fail "bad container options: exit $rc, expected 2"
[ -e "$tmp/bad.result.json" ] && fail "bad options must not start measuring"
grep -q 'bad.json:3:5: configurations\[0\] (`c1`):.*/nonexistent/layer' "$tmp/bad.err" || fail "missing layer not reported with its place: $(cat "$tmp/bad.err")"
grep -q 'configurations\[1\] (`c2`):.*CAP_FROBNICATE' "$tmp/bad.err" || fail "unknown capability not reported"
grep -q 'configurations\[2\] (`c3`):.*4095' "$tmp/bad.err" || fail "impossible cpuset not reported"

cat > "$tmp/oom.json" <<'JSON'
{ "name": "oom", "repetitions": 2, "warmup": 0,
  "configurations": [ { "name": "bare", "kind": "bare" },
                      { "name": "small", "kind": "container", "memory": "48M" } ],
  "workloads": [ { "kind": "cpu", "params": { "duration": "20ms" } },
                 { "kind": "memory", "params": { "size": "256M" } } ] }
JSON
"$BENCH" run "$tmp/oom.json" -o "$tmp/oom.result.json" --quiet 2>/dev/null; rc=$?
[ $rc -eq 1 ] || fail "an OOM-killed workload: exit $rc, expected 1"
$PY - "$tmp/oom.result.json" <<'PY' || fail "OOM result"
import json, sys
d = json.load(open(sys.argv[1]))
errs = [e for e in d["errors"] if e["configuration"] == "small"]
assert len(errs) == 2 and all("OOM killer" in e["reason"] for e in errs), errs
cpu = [r for r in d["results"] if r["configuration"] == "small" and r["metric"] == "ops_per_s"]
assert cpu and len(cpu[0]["samples"]) == 2, "the workloads before the OOM kept their samples"
bare = [r for r in d["results"] if r["configuration"] == "bare" and r["metric"] == "footprint_kib"]
assert bare and bare[0]["stats"]["min"] >= 256 * 1024, "bare is not limited"
PY
check_result "$tmp/oom.result.json" || fail "schema"

cat > "$tmp/deep.json" <<'JSON'
{ "name": "deep", "repetitions": 1, "warmup": 0,
  "configurations": [ { "name": "ro", "kind": "container", "layers": 3, "readonly_rootfs": true,
                        "memory": "256M", "pids": 64, "network": "none", "hostname": "deep" } ],
  "workloads": [ { "kind": "startup", "params": { "runs": 3 } },
                 { "kind": "fileio", "params": { "size": "2M", "ops": 100 } },
                 { "kind": "metadata", "params": { "files": 50 } } ] }
JSON
"$BENCH" run "$tmp/deep.json" -o "$tmp/deep.result.json" --quiet || fail "a 3-layer read-only container run failed: $(cat "$tmp/deep.result.json" | grep -A3 errors)"
$PY - "$tmp/deep.result.json" <<'PY' || fail "deep result"
import json, sys
d = json.load(open(sys.argv[1]))
seen = d["pinning"]["seen"]["ro"]
assert seen["hostname"] == "deep" and seen["pid"] == 1, seen
assert seen["upper"] == "disk, no size limit" and seen["seccomp_profile"] == "default", seen
m = {r["metric"] for r in d["results"]}
assert {"ready_ms", "phase.mounts_ms", "seq_read.mib_per_s", "create.ops_per_s"} <= m, m
PY

after=$(host_state)
[ "$before" = "$after" ] || fail "left behind: $(diff <(echo "$before") <(echo "$after") | grep '^>')"
echo "ok"
