#!/usr/bin/env bash
# A real guest through libvirt's embedded QEMU driver (TCG here): every
# workload's results arrive with the bare run's structure and an accel
# label, the boot phases and the QEMU footprint are recorded, and nothing
# is left afterwards: no domain, QEMU process, embedded root, socket or
# image. Then Ctrl-C during a boot: exit 130, and still nothing left.
source "$(dirname "$0")/common.bash"
need_vm
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export BENCH_WORKDIR="$tmp/work"; mkdir -p "$BENCH_WORKDIR"
before=$(vm_state)

cat > "$tmp/s.json" <<'JSON'
{ "name": "vm", "repetitions": 1, "warmup": 0, "timeout_s": 120,
  "configurations": [ { "name": "bare", "kind": "bare" },
                      { "name": "vm", "kind": "vm", "memory": "256M", "vcpus": 1, "startup_runs": 1 },
                      { "name": "vm3", "kind": "vm", "layers": 3, "startup_runs": 1 } ],
  "workloads": [ { "kind": "startup", "params": { "runs": 2 } },
                 { "kind": "memory", "params": { "size": "32M" } },
                 { "kind": "cpu", "params": { "duration": "100ms" } },
                 { "kind": "membw", "params": { "size": "1M", "passes": 1 } },
                 { "kind": "memlat", "params": { "size": "1M", "accesses": 100000 } },
                 { "kind": "fileio", "params": { "size": "1M", "ops": 50 } },
                 { "kind": "metadata", "params": { "files": 50 } } ] }
JSON
"$BENCH" run "$tmp/s.json" -o "$tmp/r.json" --quiet 2>"$tmp/err" || fail "the vm run failed: $(cat "$tmp/err")"
check_result "$tmp/r.json" || fail "schema"
$PY - "$tmp/r.json" <<'PY' || fail "vm results"
import json, sys
d = json.load(open(sys.argv[1]))
rows = lambda c: {(r["workload"], r["metric"]): r for r in d["results"] if r["configuration"] == c}
bare, vm = rows("bare"), rows("vm")
assert vm, "no vm results (skipped? %s)" % d["skipped"]
agent = {k for k in bare if k[1] not in ("ready_ms", "total_ms", "footprint_kib")}
missing = agent - set(vm)
assert not missing, "the vm lacks the bare run's metrics: %s" % sorted(missing)
for k, r in vm.items():
    assert r.get("accel") in ("tcg", "kvm"), "%s has no accel label" % (k,)
s = vm[("startup", "ready_ms")]
assert len(s["samples"]) == 1, "startup_runs caps the boots per repetition"
assert 0 < s["stats"]["median"] < vm[("startup", "total_ms")]["stats"]["median"]
for p in ("define", "qemu", "firmware", "kernel", "init"):
    assert ("startup", "phase.%s_ms" % p) in vm, "phase %s missing" % p
fp = vm[("memory", "footprint_kib")]["stats"]["median"]
ov = vm[("memory", "vmm_overhead_kib")]["stats"]["median"]
assert fp > 32 * 1024, "the QEMU footprint holds the guest's 32 MiB: %s" % fp
assert 0 < ov < fp, "VMM overhead between 0 and the footprint: %s of %s" % (ov, fp)
seen = d["pinning"]["seen"]["vm"]
assert seen["pid"] == 1 and seen["kernel"] != d["host"]["kernel"], seen
assert not d["errors"], d["errors"]
# the 3-level qcow2 chain is read through: the guest sees every level's file
chain = d["pinning"]["seen"]["vm3"]
assert chain.get("scratch_layers") == 3, "the guest sees %s of 3 layers" % chain.get("scratch_layers")
assert seen.get("scratch_layers") == 0, "a one-layer disk is empty: %s" % seen.get("scratch_layers")
print("vm ok: ready %.0f ms (%s), footprint %.0f KiB, vmm overhead %.0f KiB" % (s["stats"]["median"], s["accel"], fp, ov))
PY

# a guest that never becomes ready (its "kernel" is a text file): an error
# with the reason, the domain gone, the run goes on
cat > "$tmp/bad.json" <<'JSON'
{ "name": "badkernel", "repetitions": 1, "warmup": 0, "timeout_s": 15,
  "configurations": [ { "name": "bare", "kind": "bare" },
                      { "name": "broken", "kind": "vm", "kernel": "/etc/hostname" } ],
  "workloads": [ { "kind": "cpu", "params": { "duration": "10ms" } } ] }
JSON
"$BENCH" run "$tmp/bad.json" -o "$tmp/bad.result.json" --quiet 2>/dev/null; rc=$?
[ $rc -eq 1 ] || fail "a guest that cannot boot: exit $rc, expected 1"
$PY - "$tmp/bad.result.json" <<'PY' || fail "broken guest result"
import json, sys
d = json.load(open(sys.argv[1]))
errs = [e for e in d["errors"] if e["configuration"] == "broken"]
assert errs and errs[0]["reason"], errs
assert any(r["configuration"] == "bare" for r in d["results"]), "the run went on"
PY
pgrep -f 'qemu-system.*guest=bench-' >/dev/null && fail "a QEMU process outlived the failed boot"

# two bench runs with VMs at once (the second with --allow-concurrent: one
# measuring run per host is the rule): the second cannot have the shared
# libvirt root (libvirt locks it) and takes a private one, removed at exit
cat > "$tmp/conc.json" <<'JSON'
{ "name": "conc", "repetitions": 1, "warmup": 0, "timeout_s": 120,
  "configurations": [ { "name": "vm", "kind": "vm", "startup_runs": 1 } ],
  "workloads": [ { "kind": "cpu", "params": { "duration": "100ms" } } ] }
JSON
privs_before=$(ls -d /tmp/bench-[0-9]*.* 2>/dev/null)
"$BENCH" run "$tmp/conc.json" -o "$tmp/c1.json" --quiet 2>"$tmp/c1.err" & c1=$!
sleep 0.5
"$BENCH" run "$tmp/conc.json" -o "$tmp/c2.json" --quiet --allow-concurrent 2>"$tmp/c2.err" || fail "the second concurrent vm run failed: $(cat "$tmp/c2.err")"
wait $c1 || fail "the first concurrent vm run failed: $(cat "$tmp/c1.err")"
for f in c1 c2; do
        $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [r for r in d["results"] if r["configuration"]=="vm"] and not d["errors"], d["errors"]' "$tmp/$f.json" || fail "concurrent run $f has no vm results"
        # each result says that the other measured alongside
        $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["concurrent"]) == 1, d["concurrent"]' "$tmp/$f.json" || fail "concurrent run $f does not name the other run"
done
[ "$(ls -d /tmp/bench-[0-9]*.* 2>/dev/null)" = "$privs_before" ] || fail "a private libvirt root was left in /tmp"

# two benches killed outright mid-boot (one on the shared root, one on a
# private one): their QEMU processes outlive them (libvirt daemonizes
# QEMU), and the next bench run ends them and removes the private root
cat > "$tmp/long1.json" <<'JSON'
{ "name": "long", "repetitions": 1, "warmup": 0, "timeout_s": 120,
  "configurations": [ { "name": "vm", "kind": "vm" } ],
  "workloads": [ { "kind": "cpu", "params": { "duration": "60s" } } ] }
JSON
"$BENCH" run "$tmp/long1.json" -o "$tmp/k1.json" --quiet 2>/dev/null & k1=$!
sleep 1
"$BENCH" run "$tmp/long1.json" -o "$tmp/k2.json" --quiet --allow-concurrent 2>/dev/null & k2=$!
for _ in $(seq 1 100); do [ "$(pgrep -fc "qemu-system.*guest=bench-($k1|$k2)-")" -ge 2 ] && break; sleep 0.1; done
[ "$(pgrep -fc "qemu-system.*guest=bench-($k1|$k2)-")" -ge 2 ] || fail "two QEMU processes expected"
kill -9 $k1 $k2; wait $k1 $k2 2>/dev/null
"$BENCH" run "$tmp/conc.json" -o "$tmp/c3.json" --quiet 2>"$tmp/c3.err" || fail "the run after the killed ones failed: $(cat "$tmp/c3.err")"
sleep 0.5
pgrep -f "qemu-system.*guest=bench-($k1|$k2)-" >/dev/null && fail "a killed bench's QEMU is still running"
[ "$(ls -d /tmp/bench-[0-9]*.* 2>/dev/null)" = "$privs_before" ] || fail "a killed bench's private libvirt root was left in /tmp"

# Ctrl-C mid-boot
cat > "$tmp/long.json" <<'JSON'
{ "name": "long", "repetitions": 3, "warmup": 0, "timeout_s": 120,
  "configurations": [ { "name": "vm", "kind": "vm" } ],
  "workloads": [ { "kind": "cpu", "params": { "duration": "60s" } } ] }
JSON
"$BENCH" run "$tmp/long.json" -o "$tmp/long.result.json" --quiet &
pid=$!
for _ in $(seq 1 100); do pgrep -f 'qemu-system.*guest=bench-' >/dev/null && break; sleep 0.1; done
pgrep -f 'qemu-system.*guest=bench-' >/dev/null || fail "no QEMU process appeared"
sleep 1
kill -INT $pid; wait $pid; rc=$?
[ $rc -eq 130 ] || fail "interrupted vm run: exit $rc, expected 130"
check_result "$tmp/long.result.json" || fail "the interrupted run's file is not valid"
sleep 0.5
after=$(vm_state)
[ "$before" = "$after" ] || fail "left behind: $(diff <(echo "$before") <(echo "$after") | grep '^>')"
echo "ok"
