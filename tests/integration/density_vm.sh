#!/usr/bin/env bash
# density with N = 2 real guests through libvirt (TCG here): both booted
# one after the other and at once, each reading a 4M file from its qcow2
# disk; latency by k, memory per guest, the accel label on every figure,
# and nothing left: no domain, no QEMU, no state dir.
source "$(dirname "$0")/common.bash"
need_vm
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export BENCH_WORKDIR="$tmp/work"; mkdir -p "$BENCH_WORKDIR"
before=$(vm_state)

cat > "$tmp/s.json" <<'JSON'
{ "name": "density-vm", "repetitions": 1, "warmup": 0, "timeout_s": 180,
  "configurations": [ { "name": "vm", "kind": "vm", "memory": "128M", "vcpus": 1,
                        "stack": "synth:layers=1,files=10,big=4M" } ],
  "workloads": [ { "kind": "density", "params": { "n": "2", "start": "both", "read": "4M" } } ] }
JSON
"$BENCH" run "$tmp/s.json" -o "$tmp/r.json" --quiet 2>"$tmp/err" || fail "the vm density run failed: $(cat "$tmp/err")"
check_result "$tmp/r.json" || fail "schema"
$PY - "$tmp/r.json" <<'PY' || fail "vm density results"
import json, sys
d = json.load(open(sys.argv[1]))
assert not d["skipped"], d["skipped"]
assert not d["errors"], d["errors"]
def get(m, k=None, n=None):
    for r in d["results"]:
        if r["metric"] == m and r.get("k") == k and r.get("n") == n:
            return r
    raise AssertionError("no %s k=%s n=%s" % (m, k, n))
for r in d["results"]:
    assert r.get("accel") in ("tcg", "kvm"), "%s has no accel label" % r["metric"]
k1, k2 = get("sequential.start_ms", k=1)["samples"][0], get("sequential.start_ms", k=2)["samples"][0]
assert 100 < k1 and 100 < k2, "a guest boot takes more than 100 ms: %s %s" % (k1, k2)
assert get("sequential.all_ready_ms", n=2)["samples"][0] >= k1 + k2 * 0.99
assert len(get("parallel.start_ms", n=2)["samples"]) == 2
# each guest's memory is on the host: far more than its agent
pss = get("pss_per_env_kib", n=2)["samples"][0]
assert pss > 64 * 1024, "QEMU's footprint per guest: %s KiB" % pss
for k in (1, 2):
    assert get("read_ms", k=k)["samples"][0] > 0
get("mem_per_env_kib", n=2); get("read_added_per_env_kib", n=2)
print("vm density ok (%s): k=1 %.0f ms, k=2 %.0f ms, parallel all ready %.0f ms, %.0f KiB PSS per guest, "
      "%.0f KiB MemAvailable per guest" % (get("sequential.start_ms", k=1)["accel"], k1, k2,
      get("parallel.all_ready_ms", n=2)["samples"][0], pss, get("mem_per_env_kib", n=2)["samples"][0]))
PY
[ "$before" = "$(vm_state)" ] || fail "left behind: $(comm -13 <(echo "$before") <(vm_state))"
echo "ok"
