#!/usr/bin/env bash
# The host fingerprint and the run's host activity: with a CPU burner of the
# test's own running (named "\e[2J</td>" by writing /proc/self/comm), a short
# bare run records the fingerprint fields, lists the burner under its
# sanitized name, warns that the host was busy (on stderr and in the result,
# escape sequences made inert), and bench compare lists a fingerprint
# difference and the busy host; --strict-env refuses the first, not the second.
source "$(dirname "$0")/common.bash"
tmp=$(mktemp -d)
burner=
cleanup() { [ -n "$burner" ] && kill "$burner" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
cat > "$tmp/s.json" <<'JSON'
{ "name": "activity", "repetitions": 3, "warmup": 0,
  "configurations": [ { "name": "bare", "kind": "bare" } ],
  "workloads": [ { "kind": "cpu", "params": { "duration": "200ms" } } ] }
JSON
# comm comes from the program's name or PR_SET_NAME; writing /proc/self/comm is the same
bash -c 'printf "\033[2J</td>" > /proc/self/comm; while :; do :; done' &
burner=$!
sleep 0.3
"$BENCH" run "$tmp/s.json" -o "$tmp/a.json" --quiet 2>"$tmp/err" || fail "bench run exited $?: $(cat "$tmp/err")"
kill "$burner"; wait "$burner" 2>/dev/null; burner=
check_result "$tmp/a.json" || fail "the result does not pass its schema"
grep -q $'\033' "$tmp/err" && fail "an escape sequence reached the terminal: $(cat -v "$tmp/err")"
grep -q '^bench: warning: host busy: other processes used' "$tmp/err" || fail "no busy warning on stderr: $(cat "$tmp/err")"
$PY - "$tmp/a.json" <<'PY' || fail "the result's fingerprint or activity"
import json, sys
d = json.load(open(sys.argv[1]))
h = d["host"]
for k in ("cpu_governor", "boost", "smt", "smt_control", "smt_active", "thp", "ksm", "mitigations",
          "isolated_cpus", "nohz_full", "boot_params", "swap", "clocksource"):
    assert k in h, "host." + k
import os
vulns = sorted(os.listdir("/sys/devices/system/cpu/vulnerabilities")) if os.path.isdir("/sys/devices/system/cpu/vulnerabilities") else None
assert (vulns is None and h["mitigations"] is None) or sorted(h["mitigations"]) == vulns, h["mitigations"]
assert set(h["swap"]) == {"total_kib", "free_kib", "swappiness"}, h["swap"]
a = d["activity"]
assert a["samples"] == 2 + 3, a["samples"]            # before, after each repetition, at the end
assert a["load_before"] and len(a["load_after"]) == 3
assert a["steal_pct"] is not None and a["other_cpu_pct"] > 10, a
names = [b["comm"] for b in a["busy"]]
assert "?[2J?/td?" in names, names
assert any("other processes used" in w for w in a["warnings"]), a["warnings"]
PY
# the same warning in the result as on stderr
$PY -c 'import json,sys; [print("bench: warning: " + w) for w in json.load(open(sys.argv[1]))["activity"]["warnings"]]' \
  "$tmp/a.json" | diff - "$tmp/err" >/dev/null || fail "stderr and the result's warnings differ"

# a fingerprint difference: swap turned on, a mitigation's text
$PY - "$tmp/a.json" "$tmp/b.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["host"]["swap"]["total_kib"] = 1048576
d["host"]["mitigations"] = dict(d["host"]["mitigations"] or {}, spectre_v2="Vulnerable <b>edited</b>")
d["activity"]["warnings"] = []
json.dump(d, open(sys.argv[2], "w"))
PY
"$BENCH" compare "$tmp/b.json" "$tmp/a.json" >/dev/null 2>"$tmp/cmp.err" || fail "compare exited $?: $(cat "$tmp/cmp.err")"
grep -q 'WARNING:   swap: base `on`, new `off`' "$tmp/cmp.err" || fail "no swap difference: $(cat "$tmp/cmp.err")"
grep -q 'WARNING:   mitigation spectre_v2: base `Vulnerable <b>edited</b>`' "$tmp/cmp.err" || fail "no mitigation difference: $(cat "$tmp/cmp.err")"
grep -q 'WARNING:   host activity: base `quiet`, new `host busy: .*other processes used' "$tmp/cmp.err" \
  || fail "the busy host is not said: $(cat "$tmp/cmp.err")"
"$BENCH" compare "$tmp/b.json" "$tmp/a.json" --format markdown >"$tmp/cmp.md" 2>/dev/null
grep -q '</td>\|<b>' "$tmp/cmp.md" && fail "markup from the file reached Markdown: $(cat "$tmp/cmp.md")"
grep -q $'\033' "$tmp/cmp.md" && fail "an escape sequence reached Markdown"
"$BENCH" compare "$tmp/b.json" "$tmp/a.json" --strict-env >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "--strict-env with swap differing: exit $rc, expected 2"
# the same host, busy: said, not refused
"$BENCH" compare "$tmp/a.json" "$tmp/a.json" --strict-env >/dev/null 2>"$tmp/same.err"; rc=$?
[ $rc -eq 0 ] || fail "--strict-env on a busy host's file against itself: exit $rc: $(cat "$tmp/same.err")"
grep -q 'THE HOST WAS NOT QUIET' "$tmp/same.err" && grep -q 'host activity' "$tmp/same.err" || fail "the busy host is not said: $(cat "$tmp/same.err")"
# a result file is untrusted (a CI artifact): a name or warning planted in it reaches reports inert
$PY - "$tmp/a.json" "$tmp/evil.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["activity"]["busy"] = [{"pid": 7, "comm": "</td><script>x()</script>", "cpu_s": 1, "cpu_pct": 50}]
d["activity"]["warnings"] = ["\u001b[2J<img src=x onerror=y>"]
json.dump(d, open(sys.argv[2], "w"))
PY
for ext in html md; do
  "$BENCH" report "$tmp/evil.json" -o "$tmp/evil.$ext" >/dev/null 2>&1 || fail "report .$ext: exit $?"
  # HTML: &lt;, Markdown: \< (escaped)
  grep -Eq '(^|[^\])<(script>x|img src=x)' "$tmp/evil.$ext" && fail "markup from the file reached the .$ext report"
  grep -q $'\033' "$tmp/evil.$ext" && fail "an escape sequence reached the .$ext report"
  grep -q 'Host activity' "$tmp/evil.$ext" || fail "no Host activity section in the .$ext report"
done
echo ok
