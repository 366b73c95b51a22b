#!/usr/bin/env bash
# The two boot paths of the same guest (TCG here): both reach ready, the
# boot is split into phases at the console markers, timed on the host, and
# the phases add up to ready_ms; the fast path's vmlinux is extracted once,
# cached, reused and rebuilt when tampered with; a guest that stops in its
# kernel is reported with the last phase it reached (ended, and timed out);
# a kernel without a PVH entry falls back with `auto` and is refused with
# `fast`; the TCG cache size reaches QEMU. Nothing is left.
source "$(dirname "$0")/common.bash"
need_vm
command -v lz4 >/dev/null || skip "lz4 is not installed (scripts/setup installs it)"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export BENCH_WORKDIR="$tmp/work"; mkdir -p "$BENCH_WORKDIR"
before=$(vm_state)

cat > "$tmp/s.json" <<'JSON'
{ "name": "boot", "repetitions": 1, "warmup": 0, "timeout_s": 120,
  "configurations": [ { "name": "fast", "kind": "vm", "boot": "fast" },
                      { "name": "standard", "kind": "vm", "boot": "standard" },
                      { "name": "small", "kind": "vm", "tcg_cache": "32M", "startup_runs": 1 } ],
  "workloads": [ { "kind": "startup", "params": { "runs": 2 } } ] }
JSON
"$BENCH" run "$tmp/s.json" -o "$tmp/r.json" --quiet 2>"$tmp/err" || fail "the boot run failed: $(cat "$tmp/err")"
check_result "$tmp/r.json" || fail "schema"
$PY - "$tmp/r.json" <<'PY' || fail "boot phases"
import json, sys
d = json.load(open(sys.argv[1]))
assert not d["errors"], d["errors"]
rows = {(r["configuration"], r["metric"]): r for r in d["results"]}
want = {"fast": ["define", "qemu", "firmware", "kernel", "init"],
        "standard": ["define", "qemu", "firmware", "loader", "kernel", "init"]}
for cfg, phases in want.items():
    ready = rows[(cfg, "ready_ms")]["samples"]
    assert len(ready) == 2, (cfg, ready)
    got = sorted(m[6:-3] for c, m in rows if c == cfg and m.startswith("phase."))
    assert got == sorted(phases), (cfg, got)
    for i, r in enumerate(ready):
        total = sum(rows[(cfg, "phase.%s_ms" % p)]["samples"][i] for p in phases)
        assert abs(total - r) <= 1.0, "%s boot %d: phases add up to %.3f ms, ready_ms %.3f" % (cfg, i, total, r)
    assert rows[(cfg, "phase.kernel_ms")]["stats"]["median"] > 0
seen = d["pinning"]["seen"]
assert seen["fast"]["boot"]["path"] == "fast" and seen["fast"]["boot"]["entry"] == "pvh", seen["fast"]["boot"]
assert seen["fast"]["boot"]["firmware"] == "qboot" and seen["fast"]["boot"]["compression"], seen["fast"]["boot"]
assert seen["standard"]["boot"]["path"] == "standard" and seen["standard"]["boot"]["firmware"] == "seabios"
# auto is fast where the kernel allows: this one does
assert seen["small"]["boot"]["path"] == "fast" and seen["small"]["boot"]["requested"] == "auto", seen["small"]["boot"]
assert seen["small"]["boot"]["tcg_cache_mib"] == 32, seen["small"]["boot"]
print("fast %.0f ms, standard %.0f ms" % (rows[("fast", "ready_ms")]["stats"]["median"],
                                          rows[("standard", "ready_ms")]["stats"]["median"]))
PY
# the cache size reached QEMU: libvirt logs its command line
cache=${BENCH_CACHE_DIR:-/var/cache/bench}
grep -l 'tb-size=32' "$cache"/libvirt/log/qemu/bench-*.log >/dev/null 2>&1 || fail "no QEMU was started with tb-size=32"

# the vmlinux is cached and reused; tampered with, it is rebuilt
elf=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["pinning"]["seen"]["fast"]["boot"]["kernel"])' "$tmp/r.json")
[ -f "$elf" ] && [ -f "$elf.sum" ] || fail "the extracted vmlinux $elf (and its .sum) is not in the cache"
cat > "$tmp/one.json" <<'JSON'
{ "name": "one", "repetitions": 1, "warmup": 0, "timeout_s": 120,
  "configurations": [ { "name": "fast", "kind": "vm", "boot": "fast", "startup_runs": 1 } ],
  "workloads": [ { "kind": "startup", "params": { "runs": 1 } } ] }
JSON
stamp=$(stat -c '%i %Y %s' "$elf")
"$BENCH" run "$tmp/one.json" -o "$tmp/r2.json" --quiet 2>"$tmp/err" || fail "second fast run: $(cat "$tmp/err")"
[ "$(stat -c '%i %Y %s' "$elf")" = "$stamp" ] || fail "the cached vmlinux was rebuilt instead of reused"
size=$(stat -c %s "$elf")
printf 'X' >> "$elf"
"$BENCH" run "$tmp/one.json" -o "$tmp/r3.json" --quiet 2>"$tmp/err" || fail "fast run after tampering: $(cat "$tmp/err")"
[ "$(stat -c %s "$elf")" = "$size" ] || fail "the tampered vmlinux was used, not rebuilt"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert any("vmlinux" in n["reason"] for n in d["notes"]), d["notes"]' "$tmp/r3.json" || fail "no note says the vmlinux was rebuilt"

# a kernel that cannot find /init panics (panic=-1: the domain ends at once),
# and one that waits after its panic (panic=0) runs into the timeout: both
# errors say how far the boot got
for how in "rdinit=/nonexistent" "rdinit=/nonexistent panic=0"; do
cat > "$tmp/stop.json" <<JSON
{ "name": "stop", "repetitions": 1, "warmup": 0, "timeout_s": 20,
  "configurations": [ { "name": "fast", "kind": "vm", "boot": "fast", "kernel_args": "$how" } ],
  "workloads": [ { "kind": "cpu", "params": { "duration": "10ms" } } ] }
JSON
"$BENCH" run "$tmp/stop.json" -o "$tmp/stop.result.json" --quiet 2>/dev/null; rc=$?
[ $rc -eq 1 ] || fail "$how: exit $rc, expected 1"
$PY - "$tmp/stop.result.json" "$how" <<'PY' || fail "$how: the error does not say where the boot stopped"
import json, sys
d = json.load(open(sys.argv[1]))
reasons = [e["reason"] for e in d["errors"]]
assert any("fast boot reached the kernel's banner" in r and "no further" in r for r in reasons), reasons
if "panic=0" in sys.argv[2]:
    assert any("timed out" in r or "within" in r for r in reasons), reasons
PY
done

# a bzImage whose kernel has no PVH entry (an ELF without the note): `fast`
# is refused before anything runs, naming the kernel; `auto` falls back to
# standard with a note (and this one cannot boot at all: an error that says so)
$PY - "$tmp/elf" <<'PY'
import struct, sys
# a minimal ELF64 x86-64 executable: one PT_LOAD, no PT_NOTE
eh = struct.pack("<16sHHIQQQIHHHHHH", b"\x7fELF\x02\x01\x01" + b"\0" * 9, 2, 62, 1, 0x1000000, 64, 0, 0,
                 64, 56, 1, 0, 0, 0)
ph = struct.pack("<IIQQQQQQ", 1, 5, 0x1000, 0x1000000, 0x1000000, 16, 16, 0x1000)
open(sys.argv[1], "wb").write(eh + ph + b"\0" * (0x1000 - len(eh) - len(ph)) + b"\xf4" * 16)
PY
lz4 -l -q -f "$tmp/elf" "$tmp/elf.lz4"
$PY - "$tmp/elf.lz4" "$tmp/nopvh" <<'PY'
import struct, sys
payload = open(sys.argv[1], "rb").read()
setup = bytearray(2 * 512)            # boot sector + one setup sector
setup[0x1f1] = 1                      # setup_sects
setup[0x1fe:0x200] = b"\x55\xaa"
setup[0x202:0x206] = b"HdrS"
struct.pack_into("<H", setup, 0x206, 0x020f)
struct.pack_into("<I", setup, 0x22c, 0x7fffffff)  # initrd_addr_max: QEMU loads the initrd below it
struct.pack_into("<II", setup, 0x248, 0x100, len(payload))
open(sys.argv[2], "wb").write(bytes(setup) + b"\0" * 0x100 + payload)
PY
cat > "$tmp/nopvh.json" <<JSON
{ "name": "nopvh", "repetitions": 1, "warmup": 0, "timeout_s": 15,
  "configurations": [ { "name": "vm", "kind": "vm", "boot": "BOOT", "kernel": "$tmp/nopvh" } ],
  "workloads": [ { "kind": "cpu", "params": { "duration": "10ms" } } ] }
JSON
sed 's/BOOT/fast/' "$tmp/nopvh.json" > "$tmp/fast.json"
"$BENCH" run "$tmp/fast.json" -o "$tmp/fast.result.json" --quiet 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "boot fast with a kernel without PVH: exit $rc, expected 2"
grep -q "$tmp/nopvh" "$tmp/err" && grep -qi 'pvh' "$tmp/err" || fail "the refusal does not name the kernel and PVH: $(cat "$tmp/err")"
[ -e "$tmp/fast.result.json" ] && fail "a refused suite wrote a result"
sed 's/BOOT/auto/' "$tmp/nopvh.json" > "$tmp/auto.json"
"$BENCH" run "$tmp/auto.json" -o "$tmp/auto.result.json" --quiet 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] || fail "boot auto with a kernel that cannot boot: exit $rc, expected 1"
$PY - "$tmp/auto.result.json" <<'PY' || fail "auto's fallback"
import json, sys
d = json.load(open(sys.argv[1]))
notes = [n["reason"] for n in d["notes"]]
assert any("falls back to `standard`" in n and "PVH" in n for n in notes), notes
reasons = [e["reason"] for e in d["errors"]]
assert any("standard boot" in r for r in reasons), reasons
PY

# bad input, checked before anything boots: control characters and
# overlong kernel_args; a `--` would hand the rest to the agent
for bad in '"a\\u001bb"' "\"$(printf 'x%.0s' $(seq 1 1100))\""; do
        sed "s/\"boot\": \"BOOT\"/\"kernel_args\": $bad/" "$tmp/nopvh.json" > "$tmp/bad.json"
        "$BENCH" validate "$tmp/bad.json" >/dev/null 2>"$tmp/err"; rc=$?
        [ $rc -eq 2 ] && grep -q 'kernel_args' "$tmp/err" || fail "bad kernel_args: exit $rc, $(cat "$tmp/err")"
done
# bad input: a `--` in kernel_args would hand the rest to the agent
sed 's/"boot": "BOOT"/"kernel_args": "quiet -- --plan evil"/' "$tmp/nopvh.json" > "$tmp/dash.json"
"$BENCH" run "$tmp/dash.json" -o "$tmp/dash.result.json" --quiet 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q 'kernel_args' "$tmp/err" || fail "kernel_args with --: exit $rc, $(cat "$tmp/err")"

sleep 0.5
after=$(vm_state)
[ "$before" = "$after" ] || fail "left behind: $(diff <(echo "$before") <(echo "$after") | grep '^>')"
echo "ok"
