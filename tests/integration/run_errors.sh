#!/usr/bin/env bash
# Faults during a run: a workload that fails and one that times out are
# recorded in errors[] with their reason, the run goes on, exit status 1,
# nothing left behind. A bad suite never starts: exit 2, every problem listed.
source "$(dirname "$0")/common.bash"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
before=$(leftovers)

cat > "$tmp/fail.json" <<'JSON'
{ "name": "fail", "repetitions": 2, "warmup": 0,
  "configurations": [ { "name": "bare", "kind": "bare" } ],
  "workloads": [ { "kind": "fileio", "params": { "dir": "/nonexistent/dir", "size": "1M" } },
                 { "kind": "cpu", "params": { "duration": "50ms" } } ] }
JSON
"$BENCH" run "$tmp/fail.json" -o "$tmp/fail.result.json" --quiet 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] || fail "a failing workload: exit $rc, expected 1"
$PY - "$tmp/fail.result.json" <<'PY' || fail "failing workload result"
import json, sys
d = json.load(open(sys.argv[1]))
errs = [e for e in d["errors"] if e["workload"] == "fileio"]
assert len(errs) == 2, errs
assert "/nonexistent/dir" in errs[0]["reason"], errs[0]
cpu = [r for r in d["results"] if r["workload"] == "cpu"]
assert cpu and len(cpu[0]["samples"]) == 2, "the run went on"
PY
grep -q "nonexistent" "$tmp/err" || fail "the error is not reported on stderr"
check_result "$tmp/fail.result.json" || fail "schema"

cat > "$tmp/slow.json" <<'JSON'
{ "name": "slow", "repetitions": 1, "warmup": 0, "timeout_s": 0.5,
  "configurations": [ { "name": "bare", "kind": "bare" } ],
  "workloads": [ { "kind": "cpu", "params": { "duration": "20s" } } ] }
JSON
start=$(date +%s)
"$BENCH" run "$tmp/slow.json" -o "$tmp/slow.result.json" --quiet 2>/dev/null
rc=$?
[ $rc -eq 1 ] || fail "a timed-out workload: exit $rc, expected 1"
[ $(( $(date +%s) - start )) -lt 10 ] || fail "the timeout did not stop the agent"
grep -q "timed out" "$tmp/slow.result.json" || fail "timeout not recorded as the reason"

cat > "$tmp/bad.json" <<'JSON'
{ "name": "bad", "repetitions": 0,
  "configurations": [ { "name": "bare", "kind": "bare" } ],
  "workloads": [ { "kind": "membandwith" }, { "kind": "cpu", "params": { "duration": "fast" } } ] }
JSON
"$BENCH" run "$tmp/bad.json" -o "$tmp/bad.result.json" 2>"$tmp/bad.err"
rc=$?
[ $rc -eq 2 ] || fail "a bad suite: exit $rc, expected 2"
[ -e "$tmp/bad.result.json" ] && fail "a bad suite must not start measuring"
grep -q "repetitions" "$tmp/bad.err" || fail "repetitions problem not reported"
grep -q "did you mean \`membw\`" "$tmp/bad.err" || fail "no did-you-mean for membandwith: $(cat "$tmp/bad.err")"
grep -q "duration" "$tmp/bad.err" || fail "duration problem not reported"
grep -q "bad.json:" "$tmp/bad.err" || fail "messages do not name the file"

"$BENCH" run "$tmp/missing.json" 2>/dev/null; [ $? -eq 2 ] || fail "missing suite file: expected exit 2"
# a missing dir is made (even as root, nothing outside $tmp); a file in the way is refused, named
touch "$tmp/afile"
"$BENCH" run "$tmp/fail.json" -o "$tmp/afile/dir/r.json" 2>"$tmp/out.err"; [ $? -eq 2 ] || fail "unwritable output: expected exit 2"
grep -q "$tmp/afile/dir/r.json" "$tmp/out.err" || fail "unwritable output: message does not name the path: $(cat "$tmp/out.err")"
"$BENCH" frobnicate 2>/dev/null; [ $? -eq 2 ] || fail "unknown command: expected exit 2"

# an agent's note reaches the result's notes[]: O_DIRECT refused by ramfs
# (tmpfs has taken O_DIRECT since Linux 6.6)
if [ "$(id -u)" -eq 0 ] && mkdir "$tmp/ramfs" && mount -t ramfs ramfs "$tmp/ramfs" 2>/dev/null; then
        trap 'umount "$tmp/ramfs" 2>/dev/null; rm -rf "$tmp"' EXIT
        cat > "$tmp/note.json" <<JSON
{ "name": "note", "repetitions": 1, "warmup": 0,
  "configurations": [ { "name": "bare", "kind": "bare" } ],
  "workloads": [ { "kind": "fileio", "params": { "size": "1M", "ops": 20, "direct": true, "dir": "$tmp/ramfs" } } ] }
JSON
        "$BENCH" run "$tmp/note.json" -o "$tmp/note.result.json" --quiet 2>/dev/null; rc=$?
        umount "$tmp/ramfs"
        [ $rc -eq 0 ] || fail "the O_DIRECT run failed: exit $rc"
        $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); n=[x["reason"] for x in d["notes"] if x.get("workload")=="fileio"]; assert any("O_DIRECT" in m for m in n), d["notes"]' "$tmp/note.result.json" || fail "the agent's O_DIRECT note is not in notes[]"
fi

after=$(leftovers)
[ "$before" = "$after" ] || fail "left behind: $(comm -13 <(echo "$before") <(echo "$after"))"
echo "ok"
