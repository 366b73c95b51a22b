#!/usr/bin/env bash
# Seccomp in bench's containers, tried as an attacker would: with the
# default profile the container runs in filter mode and cannot read or add
# keys in the host root's user keyring, make a user namespace and mount in
# it, make a network namespace, or call perf_event_open, bpf or
# userfaultfd; `none` turns the filter off (and shows the probes work); a
# custom profile takes effect; a malformed one is a clear error naming the
# file and the field (125 from container run, 2 from a suite, nothing
# run); ordinary work and the agent's workloads still run through a suite,
# whose result records the mode the agent saw and the profile. Nothing is
# left behind.
source "$(dirname "$0")/common.bash"
need_container
probe="$BENCH_BUILD_DIR/tests/seccomp_probe"
[ -x "$probe" ] || fail "the probe $probe is not built (cmake --build builds it)"
grep -q '^Seccomp:' /proc/self/status || skip "this kernel has no seccomp"
tmp=$(mktemp -d)
key="bench-escape-$$"
cleanup() {
  # the keys this test put into root's user keyring: the host's probe key and any the container added
  $PY - "$key" <<'PY' 2>/dev/null
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
SYS_keyctl, KEYCTL_SEARCH, KEYCTL_INVALIDATE, USER = 250, 10, 21, -4
for d in (sys.argv[1], sys.argv[1] + "-added"):
    k = libc.syscall(SYS_keyctl, KEYCTL_SEARCH, USER, b"user", d.encode(), 0)
    if k > 0:
        libc.syscall(SYS_keyctl, KEYCTL_INVALIDATE, k)
PY
  rm -rf "$tmp"
}
trap cleanup EXIT
export BENCH_WORKDIR="$tmp/work"; mkdir -p "$BENCH_WORKDIR"
before=$(host_state)

layer="$tmp/layer"; mkdir -p "$layer/bin" "$layer/proc" "$layer/dev" "$layer/sys" "$layer/tmp"
cp /bin/busybox "$layer/bin/"; for a in sh cat ls mkdir grep; do ln -s busybox "$layer/bin/$a"; done
cp "$probe" "$layer/probe"
run() { "$BENCH" container run --layer "$layer" "$@"; }

# a key in the host root's user keyring (what the container must not read)
[ "$(uname -m)" = x86_64 ] || skip "the host-side key probe uses x86_64 syscall numbers"
$PY - "$key" <<'PY' || skip "cannot add a key to root's user keyring here (no keyrings?)"
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
SYS_add_key, SYS_keyctl, KEYCTL_SETPERM, USER = 248, 250, 5, -4
k = libc.syscall(SYS_add_key, b"user", sys.argv[1].encode(), b"host-secret", 11, USER)
# readable by its user without possessing it: each container has a session
# keyring of its own (no possession through the host's), so only seccomp
# stands between the container's root and a key of this kind
sys.exit(0 if k > 0 and libc.syscall(SYS_keyctl, KEYCTL_SETPERM, k, 0x3F3F0000) == 0 else 1)
PY

mode() { run "$@" -- /bin/sh -c 'grep "^Seccomp:" /proc/self/status' | cut -f2; }
[ "$(mode)" = 2 ] || fail "the default profile does not put the container in seccomp filter mode: Seccomp $(mode)"
[ "$(mode --seccomp default)" = 2 ] || fail "--seccomp default: not in filter mode"
[ "$(mode --seccomp none)" = 0 ] || fail "--seccomp none: Seccomp $(mode --seccomp none), expected 0"

# the attacks: refused by the default filter (EPERM, as Docker), and what they do without it
refused() { # NAME PROBE-ARGS...: the default profile must refuse it with EPERM
  local name=$1; shift
  out=$(run -- /probe "$@" 2>&1); rc=$?
  [ $rc -eq 1 ] || fail "$name was not refused by the default profile (exit $rc): $out"
  echo "$out" | grep -q "refused: EPERM" || fail "$name: refused, but not by the filter's EPERM: $out"
  echo "default: $out"
  out=$(run --seccomp none -- /probe "$@" 2>&1)
  echo "none:    $out"
}
refused "reading a key of the host root's user keyring" keyread "$key"
echo "$out" | grep -q "payload=host-secret" || fail "test premise: without a filter the container should read the host key: $out"
refused "adding a key to the host root's user keyring" addkey "$key-added"
echo "$out" | grep -q "addkey ok" || fail "test premise: without a filter the container should add a key: $out"
refused "unshare(CLONE_NEWUSER) and mount" userns-mount
echo "$out" | grep -q "userns-mount ok" || fail "test premise: without a filter a user namespace mount should work: $out"
refused "a new network namespace" netns
echo "$out" | grep -q "netns ok" || fail "test premise: without a filter a network namespace should be made: $out"
refused "perf_event_open" perf
refused "bpf" bpf
refused "userfaultfd" userfaultfd
# clone3 says ENOSYS so that libc falls back to clone, whose flags the filter can see
out=$(run -- /probe clone3); echo "$out" | grep -q "refused: ENOSYS" || fail "clone3 should fail with ENOSYS: $out"

# ordinary work still runs under the filter (busybox forks through clone without namespace flags)
out=$(run -- /bin/sh -c 'ls / >/dev/null && mkdir /tmp/d && (echo sub) && cat /proc/self/status | grep -c "^Seccomp:"') ||
  fail "ordinary work under the default profile failed: $out"
[ "$(echo "$out" | tail -1)" = 1 ] || fail "ordinary work: $out"

# the profile an OCI runtime would be given: Docker's rules resolved against the capability set
"$BENCH" container seccomp-profile > "$tmp/oci.json" || fail "bench container seccomp-profile failed"
"$BENCH" container seccomp-profile --cap CAP_SYS_ADMIN > "$tmp/oci-admin.json" || fail "seccomp-profile --cap failed"
$PY - "$tmp/oci.json" "$tmp/oci-admin.json" <<'PY' || fail "the OCI rendering of the default profile is wrong"
import json, sys
def names(f):
    d = json.load(open(f))
    assert d["defaultAction"] == "SCMP_ACT_ERRNO" and d["defaultErrnoRet"] == 1, d["defaultAction"]
    return {n for r in d["syscalls"] if r["action"] == "SCMP_ACT_ALLOW" for n in r["names"]}
plain, admin = names(sys.argv[1]), names(sys.argv[2])
assert "read" in plain and not {"keyctl", "add_key", "mount", "unshare", "bpf"} & plain, plain
assert {"mount", "unshare", "setns"} <= admin and "keyctl" not in admin
PY

# a custom profile: everything but mkdir, which fails with EACCES
cat > "$tmp/nomkdir.json" <<'JSON'
{ "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 } ] }
JSON
out=$(run --seccomp "$tmp/nomkdir.json" -- /probe mkdir /tmp/x)
echo "$out" | grep -q "refused: EACCES" || fail "the custom profile did not make mkdir fail with EACCES: $out"
out=$(run --seccomp "$tmp/nomkdir.json" -- /probe keyread "$key")
echo "$out" | grep -q "keyread ok" || fail "the custom profile allows keyctl, yet: $out"

# a malformed profile: container run exits 125, naming the file and the field
printf '{ "defaultAction": "SCMP_ACT_BOGUS", "syscalls": [] }' > "$tmp/bad.json"
run --seccomp "$tmp/bad.json" -- /bin/true 2>"$tmp/err"; rc=$?
[ $rc -eq 125 ] || fail "a malformed profile: exit $rc, expected 125"
grep -q "$tmp/bad.json: defaultAction: unknown action \`SCMP_ACT_BOGUS\`" "$tmp/err" || fail "the error does not name file and field: $(cat "$tmp/err")"
printf '{ "defaultAction": "SCMP_ACT_ERRNO", "syscalls": [ { "names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [ { "index": 9, "value": 1, "op": "SCMP_CMP_EQ" } ] } ] }' > "$tmp/bad2.json"
run --seccomp "$tmp/bad2.json" -- /bin/true 2>"$tmp/err"; rc=$?
[ $rc -eq 125 ] || fail "a profile with a bad argument index: exit $rc, expected 125"
grep -q 'syscalls\[0\].args\[0\].index' "$tmp/err" || fail "the error does not name the field: $(cat "$tmp/err")"
run --seccomp "$tmp/missing.json" -- /bin/true 2>"$tmp/err"; rc=$?
[ $rc -eq 125 ] && grep -q "missing.json" "$tmp/err" || fail "a missing profile: exit $rc: $(cat "$tmp/err")"

# through a suite: a malformed profile is bad input (exit 2, nothing run) ...
cat > "$tmp/badsuite.json" <<JSON
{ "name": "bad", "repetitions": 1,
  "configurations": [ { "name": "c", "kind": "container", "seccomp": "$tmp/bad.json" } ],
  "workloads": [ { "kind": "startup" } ] }
JSON
"$BENCH" run "$tmp/badsuite.json" -o "$tmp/bad.result.json" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "a suite with a malformed profile: exit $rc, expected 2"
[ -e "$tmp/bad.result.json" ] && fail "a malformed profile must not start measuring"
grep -q "bad.json: defaultAction" "$tmp/err" || fail "the suite error does not name the profile and field: $(cat "$tmp/err")"

# ... and the agent's workloads run under each profile, which the result records
cat > "$tmp/nokeys.json" <<'JSON'
{ "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [ { "names": ["add_key", "keyctl", "request_key"], "action": "SCMP_ACT_ERRNO" } ] }
JSON
cat > "$tmp/suite.json" <<JSON
{ "name": "seccomp", "repetitions": 1, "warmup": 0,
  "configurations": [ { "name": "dflt", "kind": "container" },
                      { "name": "off", "kind": "container", "seccomp": "none" },
                      { "name": "custom", "kind": "container", "seccomp": "$tmp/nokeys.json" } ],
  "workloads": [ { "kind": "startup", "params": { "runs": 2 } },
                 { "kind": "cpu", "params": { "duration": "20ms" } },
                 { "kind": "metadata", "params": { "files": 50 } } ] }
JSON
"$BENCH" run "$tmp/suite.json" -o "$tmp/result.json" --quiet 2>"$tmp/err" || fail "the suite failed: $(cat "$tmp/err")"
$PY - "$tmp/result.json" "$tmp/nokeys.json" <<'PY' || fail "the result does not record the profiles"
import hashlib, json, sys
d = json.load(open(sys.argv[1]))
seen = d["pinning"]["seen"]
sha = "sha256:" + hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest()
assert seen["dflt"]["seccomp"] == 2 and seen["dflt"]["seccomp_profile"] == "default", seen["dflt"]
assert seen["off"]["seccomp"] == 0 and seen["off"]["seccomp_profile"] == "none", seen["off"]
assert seen["custom"]["seccomp"] == 2 and seen["custom"]["seccomp_profile"] == sha, seen["custom"]
assert not d["errors"], d["errors"]
for conf in ("dflt", "off", "custom"):
    for w, m in (("startup", "ready_ms"), ("metadata", None), ("cpu", "ops_per_s")):
        rs = [r for r in d["results"] if r["configuration"] == conf and r["workload"] == w and (m is None or r["metric"] == m)]
        assert rs and all(r["samples"] for r in rs), (conf, w)
PY
check_result "$tmp/result.json" || fail "schema"

after=$(host_state)
[ "$before" = "$after" ] || fail "left behind: $(diff <(echo "$before") <(echo "$after") | grep '^>')"
echo "ok"
