#!/usr/bin/env bash
# The vm option `ksm`: a bad value is refused naming the field and the
# choices; a record of a live bench, one of another mode, or a symlink in
# its place refuses the run before anything boots and changes nothing.
# Then, after a simulated SIGKILL (a record owned by a dead pid, whose
# values the run restores first), two guests one after the other, `ksm:
# on` and `ksm: off`: each really sets /sys/kernel/mm/ksm while its guest
# runs (run=1 pages_to_scan=1000; run=0) and restores it when the guest is
# gone (else the other could not set its own), the memory workload
# reports what ksmd merged under `on` only, and the values the dead
# bench saved are there at the end with the record gone. Then `ksm: on`
# interrupted (SIGINT) as soon as it is set: exit 130, values restored,
# nothing left. The host's own KSM values are put back at the end anyway.
source "$(dirname "$0")/common.bash"
K=/sys/kernel/mm/ksm
REC=/run/bench/ksm.saved
need_vm
[ -w $K/run ] || skip "this kernel has no KSM ($K)"
[ -e $REC ] && skip "$REC exists: another bench holds the host's KSM settings"

ksm_now() { echo "$(cat $K/run) $(cat $K/pages_to_scan) $(cat $K/sleep_millisecs)"; }
ksm_set() { echo "$2" > $K/pages_to_scan; echo "$3" > $K/sleep_millisecs; echo "$1" > $K/run; }
orig=$(ksm_now)
tmp=$(mktemp -d)
cleanup() {
  [ -n "${watcher:-}" ] && kill "$watcher" 2>/dev/null
  rm -f $REC
  rmdir /run/bench 2>/dev/null   # if the test made it (a live run's lock keeps it)
  ksm_set $orig
  rm -rf "$tmp"
}
trap cleanup EXIT
export BENCH_WORKDIR="$tmp/work"; mkdir -p "$BENCH_WORKDIR"
# what the benches of this test left (other benches may run VMs meanwhile)
pids=()
left() {
  for p in "${pids[@]}"; do pgrep -f "qemu-system.*guest=bench-$p-" | sed 's/^/qemu /'; done
  ls -A "$BENCH_WORKDIR"
}
suite() { # name mode... (one vm configuration, vm-MODE, per mode)
  local name=$1 cfgs='' m; shift
  for m in "$@"; do
    cfgs+="${cfgs:+, }{ \"name\": \"vm-$m\", \"kind\": \"vm\", \"memory\": \"128M\", \"ksm\": \"$m\" }"
  done
  cat > "$tmp/$name.json" <<JSON
{ "name": "$name", "repetitions": 1, "warmup": 0, "timeout_s": 120,
  "configurations": [ $cfgs ],
  "workloads": [ { "kind": "memory", "params": { "size": "32M" } } ] }
JSON
}
# a record as bench writes it: pid, its start time, the values to restore
plant() { # pid start run pages sleep
  rm -f $REC
  mkdir -p -m 0700 /run/bench   # as bench makes it (the last run out removes it)
  printf 'bench ksm.saved v1\npid %s %s\nrun %s\npages_to_scan %s\nsleep_millisecs %s\n' "$@" > $REC.tmp
  chmod 600 $REC.tmp; mv $REC.tmp $REC
}
start_time() { sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f20; }

# 1. validation
suite bad maybe
"$BENCH" validate "$tmp/bad.json" 2>"$tmp/err"; rc=$?
[ $rc = 2 ] || fail "ksm maybe: exit $rc, not 2"
grep -qF 'configurations[0].ksm: `maybe`: expected host, on or off' "$tmp/err" || fail "ksm maybe: $(cat "$tmp/err")"

# 2. a live bench's record (this shell's pid), a record of another mode, a symlink: refused,
#    nothing changes, nothing boots
suite on on
ksm_set 0 222 44
plant $$ "$(start_time $$)" 1 100 20
"$BENCH" run "$tmp/on.json" -o "$tmp/busy.json" --quiet 2>"$tmp/err"; rc=$?
[ $rc = 1 ] || fail "a live record: exit $rc, not 1: $(cat "$tmp/err")"
$PY - "$tmp/busy.json" $$ <<'PY' || fail "a live record: the error"
import json, sys
d = json.load(open(sys.argv[1]))
errs = [e["reason"] for e in d["errors"]]
assert any("bench pid %s holds the host's KSM settings" % sys.argv[2] in e and "ksm: host" in e for e in errs), errs
assert not d["results"], d["results"]
PY
[ "$(ksm_now)" = "0 222 44" ] || fail "a live record: KSM changed to $(ksm_now)"
grep -q "^pid $$ " $REC || fail "a live bench's record was removed or changed"
# a file in bench's format that bench did not make so (mode 0644): refused and left alone
plant 1 1 1 1000 20; chmod 644 $REC
"$BENCH" run "$tmp/on.json" -o "$tmp/mode.json" --quiet 2>"$tmp/err"; rc=$?
[ $rc = 1 ] || fail "a 0644 record: exit $rc, not 1"
grep -q 'ksm.saved is not a record of bench' "$tmp/mode.json" || fail "a 0644 record: $(cat "$tmp/mode.json")"
[ "$(ksm_now)" = "0 222 44" ] && [ -e $REC ] || fail "a 0644 record was used or removed: $(ksm_now)"
rm -f $REC
ln -s /etc/hostname $REC
host_before=$(cat /etc/hostname)
"$BENCH" run "$tmp/on.json" -o "$tmp/link.json" --quiet 2>"$tmp/err"; rc=$?
[ $rc = 1 ] || fail "a symlinked record: exit $rc, not 1"
grep -q 'ksm.saved is a symbolic link, not a record' "$tmp/link.json" || fail "a symlinked record: $(cat "$tmp/link.json")"
[ "$(ksm_now)" = "0 222 44" ] || fail "a symlinked record: KSM changed to $(ksm_now)"
[ "$(cat /etc/hostname)" = "$host_before" ] && [ -L $REC ] || fail "the symlink was followed or removed"
rm -f $REC

# 3. a SIGKILLed bench's record (its pid is gone), then two guests, one after the other (shuffled):
#    ksm on and ksm off. Each restores when its guest is gone, or the other could not set its own.
dead=$(sh -c 'echo $$ $(sed "s/.*) //" /proc/$$/stat | cut -d" " -f20)')
plant $dead 1 222 44
ksm_set 0 333 55 # what the dead bench had set
suite both on off
( while :; do ksm_now; sleep 0.05; done ) > "$tmp/seen" 2>/dev/null &
watcher=$!
"$BENCH" run "$tmp/both.json" -o "$tmp/both.result.json" --quiet 2>"$tmp/err" &
pids+=($!)
wait $! || fail "ksm on, off: $(cat "$tmp/err")"
kill $watcher; wait $watcher 2>/dev/null; watcher=
check_result "$tmp/both.result.json" || fail "schema"
grep -qx '1 1000 20' "$tmp/seen" || fail "ksm on never set run=1 pages_to_scan=1000: $(uniq "$tmp/seen")"
grep -qx '0 222 44' "$tmp/seen" || fail "ksm off never set run=0: $(uniq "$tmp/seen")"
[ "$(ksm_now)" = "1 222 44" ] || fail "after the run: $(ksm_now), expected the dead bench's saved 1 222 44"
[ ! -e $REC ] || fail "the record stayed: $(cat $REC)"
$PY - "$tmp/both.result.json" <<'PY' || fail "ksm on, off: results"
import json, sys
d = json.load(open(sys.argv[1]))
assert not d["errors"], d["errors"]
on = {r["metric"]: r for r in d["results"] if r["configuration"] == "vm-on"}
off = {r["metric"]: r for r in d["results"] if r["configuration"] == "vm-off"}
sharing, saved = on["ksm_pages_sharing"], on["ksm_saved_kib"]
assert sharing["unit"] == "pages" and sharing["better"] == "higher", sharing
assert saved["unit"] == "KiB" and saved["better"] == "higher", saved
assert sharing["stats"]["median"] > 0 and saved["stats"]["median"] >= sharing["stats"]["median"] * 4, (sharing, saved)
assert "footprint_kib" in off and "ksm_pages_sharing" not in off, "ksmd stopped, yet: %s" % sorted(off)
seen = d["pinning"]["seen"]
assert seen["vm-on"]["ksm"] == {"mode": "on", "run": 1, "pages_to_scan": 1000, "sleep_millisecs": 20}, seen["vm-on"]
assert seen["vm-off"]["ksm"] == {"mode": "off", "run": 0, "pages_to_scan": 222, "sleep_millisecs": 44}, seen["vm-off"]
host = d["host"]
# captured after the driver's reap_stale (before any guest): the dead bench's record already restored
assert (host["ksm"]["run"], host["ksm"]["pages_to_scan"], host["ksm"]["sleep_millisecs"]) == (1, 222, 44), host["ksm"]
assert host["thp"]["enabled"] in ("always", "madvise", "never"), host["thp"]
print("ksm on: %d pages sharing, %.0f KiB saved; footprint %.0f KiB (off: %.0f KiB)" % (
    sharing["stats"]["median"], saved["stats"]["median"], on["footprint_kib"]["stats"]["median"],
    off["footprint_kib"]["stats"]["median"]))
PY

# 4. ksm on, interrupted (SIGINT) as soon as it is set, before or while its guest boots
suite on on
"$BENCH" run "$tmp/on.json" -o "$tmp/on.result.json" --quiet 2>"$tmp/err" &
pid=$!
pids+=($pid)
for _ in $(seq 600); do [ "$(ksm_now)" = "1 1000 20" ] && break; sleep 0.05; done
[ "$(ksm_now)" = "1 1000 20" ] || { kill -INT $pid; fail "ksm on was never set"; }
grep -q "^pid $pid " $REC || fail "no record of pid $pid while it runs: $(cat $REC 2>&1)"
kill -INT $pid
wait $pid; rc=$?
[ $rc = 130 ] || fail "SIGINT: exit $rc, not 130: $(cat "$tmp/err")"
[ "$(ksm_now)" = "1 222 44" ] || fail "after SIGINT: $(ksm_now), expected 1 222 44"
[ ! -e $REC ] || fail "the record stayed after SIGINT"
[ -z "$(left)" ] || fail "left behind: $(left)"
echo ok
