#!/usr/bin/env bash
# The oci kind under each OCI runtime installed here (crun, runc, runsc): the
# same workloads as bench's own container, timed the same way, every series
# labelled with the runtime's version, and nothing left afterwards (no
# container in `RUNTIME list`, no overlay mount, cgroup, record or process).
source "$(dirname "$0")/common.bash"
need_oci
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export BENCH_WORKDIR="$tmp/work"; mkdir -p "$BENCH_WORKDIR"
before=$(oci_state; leftovers)
confs='{ "name": "ctr", "kind": "container" }'
have=()
for rt in crun runc runsc; do
  if command -v $rt >/dev/null || [ -x /usr/sbin/$rt ]; then have+=($rt); else echo "note: $rt is not installed: its configuration must be a skip"; fi
  args='[]'; [ $rt = runsc ] && args='["--network=none"]'
  confs="$confs, { \"name\": \"$rt\", \"kind\": \"oci\", \"runtime\": \"$rt\", \"runtime_args\": $args }"
done
[ ${#have[@]} -gt 0 ] || skip "no OCI runtime (crun, runc, runsc) is installed"
cat > "$tmp/s.json" <<JSON
{ "name": "oci", "repetitions": 1, "warmup": 0,
  "configurations": [ $confs ],
  "workloads": [ { "kind": "startup", "params": { "runs": 3 } },
                 { "kind": "metadata" },
                 { "kind": "memory", "params": { "size": "32M" } } ] }
JSON
"$BENCH" run "$tmp/s.json" -o "$tmp/r.json" --quiet || fail "bench run failed"
check_result "$tmp/r.json" || fail "the result file is not valid"
$PY - "$tmp/r.json" "${have[@]}" <<'PY' || fail "oci results"
import json, re, shutil, sys
d = json.load(open(sys.argv[1])); have = sys.argv[2:]
def s(conf, wl, metric):
    for r in d["results"]:
        if r["configuration"] == conf and r["workload"] == wl and r["metric"] == metric:
            return r
    return None
def need(c, msg):
    if not c:
        print("check failed: " + msg, file=sys.stderr); sys.exit(1)
need(not d["errors"], "no errors: %s" % d["errors"])
for rt in ("crun", "runc", "runsc"):
    if rt not in have:
        need(any(k["configuration"] == rt for k in d["skipped"]), rt + " missing: a skip with the reason")
fp = {}
for rt in have:
    for m in ("ready_ms", "total_ms", "phase.create_ms", "phase.start_ms", "phase.delete_ms", "phase.exec_ms"):
        r = s(rt, "startup", m)
        need(r and len(r["samples"]) == 3 and min(r["samples"]) > 0, "%s startup %s: 3 positive samples" % (rt, m))
        need(re.fullmatch(rt + r" \S+", r.get("runtime", "")), "%s %s labelled with the runtime: %r" % (rt, m, r.get("runtime")))
    ready, total = s(rt, "startup", "ready_ms"), s(rt, "startup", "total_ms")
    for a, b in zip(ready["samples"], total["samples"]):
        need(a < b, rt + ": ready_ms < total_ms")
    # ready_ms covers create + start: each phase is inside it
    cr, st = s(rt, "startup", "phase.create_ms"), s(rt, "startup", "phase.start_ms")
    for a, b, c in zip(cr["samples"], st["samples"], ready["samples"]):
        need(a + b <= c, rt + ": create_ms + start_ms <= ready_ms")
    for m in ("create", "stat", "open", "unlink"):
        r = s(rt, "metadata", m + ".ops_per_s")
        need(r and r["stats"]["min"] > 0, "%s metadata %s > 0" % (rt, m))
    f = s(rt, "memory", "footprint_kib")
    need(f and f["samples"][0] >= 32 * 1024, "%s footprint >= the 32 MiB the agent holds: %s" % (rt, f and f["samples"]))
    fp[rt] = f["samples"][0]
    seen = d["pinning"]["seen"][rt]
    need(seen.get("runtime", "").startswith(rt + " "), rt + ": seen.runtime")
    need(seen.get("seccomp") == 2, rt + ": the agent runs under seccomp (filter mode): %r" % seen.get("seccomp"))
    need(seen.get("hostname", "").startswith("bench-oci-"), rt + ": the container's hostname")
    need(seen.get("in_pid1") is True, rt + ": the agent is PID 1 of its namespace")
if "crun" in have:
    need(d["pinning"]["seen"]["crun"]["cgroup_unified_hidden"] in (True, False), "crun says whether cgroup2 was hidden")
    c = s("crun", "memory", "cgroup_usage_kib")
    need(c and c["samples"][0] >= 32 * 1024, "crun: the container's memory cgroup is read: %s" % (c and c["samples"]))
if "runsc" in have and "crun" in have:
    need(fp["runsc"] > fp["crun"], "runsc's footprint (sentry + gofer + guest memory) %d > crun's %d" % (fp["runsc"], fp["crun"]))
    need(d["pinning"]["seen"]["runsc"].get("runtime_arg_added") == "--oci-seccomp", "runsc: --oci-seccomp added and said")
print("footprint_kib:", fp)
PY
# a dozen containers of one run up at once: runsc takes an id as a prefix of others,
# so "...-1" must not also name "...-10" (its delete then waited on another's sandbox)
if command -v runsc >/dev/null; then
  cat > "$tmp/dozen.json" <<'JSON'
{ "name": "oci-dozen", "repetitions": 1, "warmup": 0, "timeout_s": 120,
  "configurations": [ { "name": "runsc", "kind": "oci", "runtime": "runsc", "runtime_args": ["--network=none"] } ],
  "workloads": [ { "kind": "density", "params": { "n": "12", "start": "sequential" } } ] }
JSON
  "$BENCH" run "$tmp/dozen.json" -o "$tmp/dozen.result.json" --quiet 2>"$tmp/err" || fail "12 runsc containers at once: $(cat "$tmp/err")"
  $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert not d["errors"], d["errors"]; assert any(r.get("k") == 12 for r in d["results"])' \
    "$tmp/dozen.result.json" || fail "12 runsc containers at once: errors or no 12th start"
fi
sleep 0.2
after=$(oci_state; leftovers)
[ "$before" = "$after" ] || fail "left behind: $(comm -13 <(echo "$before") <(echo "$after"))"
echo "ok"
