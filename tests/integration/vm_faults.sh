#!/usr/bin/env bash
# Faults of a VM's cached artefacts, in a cache of the test's own:
# a truncated qcow2 chain level and a truncated initramfs are found by their
# integrity records, rebuilt (said on stderr and as a note in the result)
# and the guest boots; a level damaged behind its record's back makes the
# guest's mount fail after the ready byte: every planned workload is then an
# error carrying the guest's console tail, and bench exits 1.
source "$(dirname "$0")/common.bash"
need_vm
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export BENCH_WORKDIR="$tmp/work" BENCH_CACHE_DIR="$tmp/cache"; mkdir -p "$BENCH_WORKDIR"
before=$(pgrep -f 'qemu-system.*guest=bench-')

cat > "$tmp/s.json" <<'JSON'
{ "name": "vmfaults", "repetitions": 1, "warmup": 0, "timeout_s": 180,
  "configurations": [ { "name": "vm", "kind": "vm", "memory": "256M", "vcpus": 1, "layers": 2 } ],
  "workloads": [ { "name": "meta", "kind": "metadata", "params": { "files": 20 } },
                 { "name": "cpu", "kind": "cpu", "params": { "duration": "50ms" } } ] }
JSON
# ok RESULT NOTE...: no errors, both workloads measured, and a note per NOTE
ok() {
  $PY - "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert not d["errors"], d["errors"]
got = {r["workload"] for r in d["results"] if r["configuration"] == "vm"}
assert got == {"meta", "cpu"}, got
notes = [n["reason"] for n in d["notes"]]
for want in sys.argv[2:]:
    assert any(want in n for n in notes), "no note with %r in %s" % (want, notes)
if len(sys.argv) == 2:
    assert not any("rebuilt" in n for n in notes), notes
PY
}

# 1. the cache is made and used
"$BENCH" run "$tmp/s.json" -o "$tmp/r1.json" --quiet 2>"$tmp/err" || fail "the first vm run failed: $(cat "$tmp/err")"
ok "$tmp/r1.json" || fail "first run"
chain=$(ls -d "$BENCH_CACHE_DIR"/vm/chain-markers-*)
initrd=$(ls "$BENCH_CACHE_DIR"/vm/initramfs-*.cpio)
[ -f "$chain/level-2.qcow2.sum" ] && [ -f "$initrd.sum" ] || fail "no integrity records: $(ls "$chain" "$BENCH_CACHE_DIR/vm")"
size=$(stat -c %s "$initrd")

# 2. truncated: the initramfs and the chain's top level are rebuilt, and said so
truncate -s $((size / 2)) "$initrd"
truncate -s 4096 "$chain/level-2.qcow2"
"$BENCH" run "$tmp/s.json" -o "$tmp/r2.json" --quiet 2>"$tmp/err" || fail "the run after truncation failed: $(cat "$tmp/err")"
ok "$tmp/r2.json" "rebuilt the VM initramfs" "rebuilt levels 2..2" || fail "after truncation: $(cat "$tmp/err")"
grep -q "rebuilt the VM initramfs: $initrd is $((size / 2)) bytes" "$tmp/err" || fail "the rebuild was not said on stderr: $(cat "$tmp/err")"
[ "$(grep -c 'rebuilt the VM initramfs' "$tmp/err")" = 1 ] || fail "said more than once: $(cat "$tmp/err")"
[ "$(stat -c %s "$initrd")" = "$size" ] || fail "the initramfs was not rebuilt whole"
qemu-img check -q "$chain/level-2.qcow2" || fail "level 2 was not rebuilt"

# 3. a level damaged with a record that matches (as a record written for a
#    bad file would): the guest's mount fails after the ready byte
truncate -s 65536 "$chain/level-1.qcow2"
read -r sum _ < <(sha256sum "$chain/level-1.qcow2")
printf 'bench-cache-1 size=%s sha256=%s ino=%s ctime=%s\n' "$(stat -c %s "$chain/level-1.qcow2")" "$sum" \
  "$(stat -c %i "$chain/level-1.qcow2")" \
  "$($PY -c 'import os,sys; s=os.stat(sys.argv[1]); print("%d.%09d" % (s.st_ctime_ns // 10**9, s.st_ctime_ns % 10**9))' "$chain/level-1.qcow2")" \
  > "$chain/level-1.qcow2.sum"
"$BENCH" run "$tmp/s.json" -o "$tmp/r3.json" --quiet 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] || fail "a guest that lost its workloads: exit $rc, expected 1: $(cat "$tmp/err")"
check_result "$tmp/r3.json" || fail "schema"
$PY - "$tmp/r3.json" <<'PY' || fail "the lost workloads are not errors"
import json, sys
d = json.load(open(sys.argv[1]))
errs = {e["workload"]: e for e in d["errors"]}
assert set(errs) == {"meta", "cpu"}, d["errors"]
for w, e in errs.items():
    assert e["configuration"] == "vm" and e["repetition"] == 0 and not e["warmup"], e
    assert "no metric and no error arrived" in e["reason"], e["reason"]
    assert "guest console" in e["reason"], e["reason"]
print("lost workloads: %s" % errs["meta"]["reason"][:600])
PY
grep -q "error in vm/meta" "$tmp/err" || fail "the error was not said on stderr: $(cat "$tmp/err")"

sleep 0.5
[ "$(pgrep -f 'qemu-system.*guest=bench-')" = "$before" ] || fail "a QEMU process was left"
[ -z "$(ls "$BENCH_WORKDIR")" ] || fail "left in the workdir: $(ls "$BENCH_WORKDIR")"
echo "ok"
