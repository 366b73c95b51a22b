#!/usr/bin/env bash
# Without root: bare runs, a container that needs root is skipped once with
# the reason and the fix (not an error per sample), a rootless container
# ("userns": true) is not skipped where the kernel allows it, a vm runs
# (libvirt's embedded driver runs unprivileged, under TCG without /dev/kvm)
# or is skipped once; exit 0, no errors, nothing left behind.
source "$(dirname "$0")/common.bash"
[ "$(id -u)" -eq 0 ] || skip "needs root to become another user (setpriv)"
command -v setpriv >/dev/null || skip "setpriv (util-linux) is missing"
uid=65534
as_user() { setpriv --reuid=$uid --regid=$uid --clear-groups env HOME="$tmp/home" BENCH_WORKDIR="$tmp/work" "$@"; }
# a vm's libvirt root goes to /tmp/bench-libvirt-UID when the cache dir's path is long (kept as a cache):
# made by this test, removed by it
lvroot=/tmp/bench-libvirt-$uid; [ -e "$lvroot" ] && lvroot=
tmp=$(mktemp -d); trap 'rm -rf "$tmp" ${lvroot:+"$lvroot"}' EXIT
chmod 755 "$tmp"; mkdir -p "$tmp/work" "$tmp/home" "$tmp/out"; chown $uid:$uid "$tmp/work" "$tmp/home" "$tmp/out"
# the build tree may sit under a directory only root can enter
as_user test -x "$BENCH" || skip "$BENCH is not reachable by uid $uid (a build dir under a private directory?)"
as_user test -x "$BENCH_AGENT" || skip "$BENCH_AGENT is not reachable by uid $uid"
userns=0
as_user unshare -Ur true 2>/dev/null && userns=1
vm=0
command -v qemu-system-x86_64 >/dev/null && [ -x /usr/bin/qemu-system-x86_64 ] && vm=1

cat > "$tmp/suite.json" <<JSON
{ "name": "nonroot", "repetitions": 2, "warmup": 0,
  "configurations": [ { "name": "bare", "kind": "bare" },
                      { "name": "ctr", "kind": "container" },
                      { "name": "rootless", "kind": "container", "userns": true }
                      $([ $vm = 1 ] && echo ', { "name": "vm", "kind": "vm" }') ],
  "workloads": [ { "kind": "startup", "params": { "runs": 2 } },
                 { "kind": "cpu", "params": { "duration": "50ms" } } ] }
JSON
chmod 644 "$tmp/suite.json"
# the user's processes; a zombie is not left behind (its parent, init here, reaps it), as in leftovers()
user_procs() { ps -o pid=,stat=,comm= -u $uid | awk '$2 !~ /^Z/ {print "uid process " $1 " " $3}'; }
before=$(leftovers; user_procs)
as_user "$BENCH" run "$tmp/suite.json" -o "$tmp/out/r.json" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || fail "exit $rc (bare ran, the others were skipped or ran): $(cat "$tmp/err")"
"$PY" - "$tmp/out/r.json" "$userns" "$vm" <<'PY' || fail "the result: $(cat "$tmp/err")"
import json, sys
d = json.load(open(sys.argv[1]))
userns, vm = sys.argv[2] == "1", sys.argv[3] == "1"
assert d["errors"] == [], d["errors"]
skips = {}
for s in d["skipped"]:
    skips.setdefault(s["configuration"], []).append(s["reason"])
measured = {r["configuration"] for r in d["results"] if r["samples"]}
assert "bare" in measured, measured
# the container that needs root: once, the reason and both fixes
assert len(skips.get("ctr", [])) == 1, skips
why = skips["ctr"][0]
assert why.startswith("needs root") and "sudo" in why and '"userns": true' in why and "CAP_SYS_ADMIN" in why, why
# a rootless container works without root: it must not be skipped for root
if userns:
    assert "rootless" not in skips and "rootless" in measured, (skips, measured)
else:
    assert "rootless" in skips, skips
if vm:
    # runs unprivileged (TCG where /dev/kvm is closed to the user), or is skipped once with the reason
    assert ("vm" in measured) != ("vm" in skips), (measured, skips)
    assert len(skips.get("vm", [])) <= 1, skips
PY
[ "$(grep -c '^bench: skipped ctr: needs root' "$tmp/err")" -eq 1 ] || fail "the skip is not said once on stderr: $(cat "$tmp/err")"
grep -q '^bench: error' "$tmp/err" && fail "errors on stderr: $(cat "$tmp/err")"
after=$(leftovers; user_procs)
[ "$before" = "$after" ] || fail "left behind: $(comm -13 <(echo "$before") <(echo "$after"))"
[ -z "$(ls "$tmp/work")" ] || fail "left in the workdir: $(ls "$tmp/work")"
echo "ok"
