#!/usr/bin/env bash
# What `bench run` says while it runs: on a terminal one line redrawn in
# place (repetition, percent, ETA, configuration, workload), cleared at the
# end; off a terminal one line per repetition and no \r; --quiet nothing;
# an error said as it happens (before the next repetition), escaped, and
# not again one by one at the end.
source "$(dirname "$0")/common.bash"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
before=$(leftovers)

cat > "$tmp/small.json" <<'JSON'
{ "name": "small", "repetitions": 3, "warmup": 1,
  "configurations": [ { "name": "bare-cfg", "kind": "bare" } ],
  "workloads": [ { "kind": "startup", "params": { "runs": 3 } },
                 { "kind": "cpu", "params": { "duration": "50ms" } } ] }
JSON
# the names and the reason come from the file: an escape sequence in them must not reach the terminal
cat > "$tmp/fail.json" <<'JSON'
{ "name": "fail", "repetitions": 2, "warmup": 0,
  "configurations": [ { "name": "bare", "kind": "bare" } ],
  "workloads": [ { "kind": "fileio", "params": { "dir": "/nonexistent/\u001b]0;pwned\u0007dir", "size": "1M" } },
                 { "kind": "cpu", "params": { "duration": "50ms" } } ] }
JSON

# under a pseudo-terminal: stdout and stderr both the terminal, as a user sees it
on_tty() {
  "$PY" - "$@" <<'PY'
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        d = os.read(fd, 65536)
    except OSError:
        break
    if not d:
        break
    out += d
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(status))
PY
}

# (1) a terminal
on_tty "$BENCH" run "$tmp/small.json" -o "$tmp/tty.json" > "$tmp/tty.out" || fail "the run on a terminal failed: $(cat -v "$tmp/tty.out")"
"$PY" - "$tmp/tty.out" <<'PY' || fail "the terminal's progress line: $(cat -v "$tmp/tty.out")"
import re, sys
out = open(sys.argv[1], "rb").read().decode()
draws = out.split("\r\x1b[K")
lines = [d for d in draws[1:] if d and not d.startswith("bench:")]
assert len(lines) >= 4 * 4, ("one draw per unit: 4 repetitions x (3 starts + 1 environment)", lines)
assert any(l.startswith("warmup 1/1 ") for l in lines), lines
for rep in (1, 2, 3):
    assert any(l.startswith("repetition %d/3 " % rep) for l in lines), (rep, lines)
assert all(re.search(r"  \d+%  ETA ", l) for l in lines), lines
assert any(re.search(r"ETA \d", l) for l in lines), "an ETA learned from the samples"
assert lines[0].split("ETA ")[1].startswith("?"), "before any sample the ETA is unknown"
assert all("bare-cfg" in l for l in lines), lines
assert any(" startup" in l for l in lines) and any(" cpu" in l for l in lines), lines
# the percent only grows
pcts = [int(re.search(r"  (\d+)%  ", l).group(1)) for l in lines]
assert pcts == sorted(pcts) and pcts[0] == 0 and pcts[-1] < 100, pcts
# the line is cleared before the summary, which is on lines of its own
tail = draws[-1]
assert tail.startswith("bench:") or "\r\n" in tail, repr(tail)
assert re.search(r"\x1b\[K(bench: [^\r]*\r\n)*bench: \d+ series, \d+ samples, 0 skipped, 0 errors -> ", out), repr(out[-400:])
# no line wider than 80 columns (a pty reports 0: the default)
assert all(len(l) < 80 for l in lines), max(lines, key=len)
PY

# (2) a file: one line per repetition, the warmup's included, no \r
"$BENCH" run "$tmp/small.json" -o "$tmp/file.json" 2>"$tmp/file.err" || fail "the run off a terminal failed: $(cat "$tmp/file.err")"
grep -q $'\r' "$tmp/file.err" && fail "\\r in a file: $(cat -A "$tmp/file.err")"
grep -q $'\e' "$tmp/file.err" && fail "an escape sequence in a file: $(cat -A "$tmp/file.err")"
[ "$(grep -c '^bench: \(warmup\|repetition\) [0-9]/[0-9] done in ' "$tmp/file.err")" -eq 4 ] || fail "not one line per repetition (1 warmup + 3): $(cat "$tmp/file.err")"
grep -q '^bench: warmup 1/1 done in [0-9.]* s (25%), ETA [0-9.]* s, 0 errors so far$' "$tmp/file.err" || fail "the warmup's line: $(cat "$tmp/file.err")"
grep -q '^bench: repetition 3/3 done in [0-9.]* s (100%), ETA 0.0 s, 0 errors so far$' "$tmp/file.err" || fail "the last line: $(cat "$tmp/file.err")"
grep -q "^bench: [0-9]* series, " "$tmp/file.err" || fail "no summary line: $(cat "$tmp/file.err")"

# (3) --quiet: nothing (a busy host's warning stays: it qualifies the figures)
"$BENCH" run "$tmp/small.json" -o "$tmp/quiet.json" --quiet 2>"$tmp/quiet.err" || fail "the quiet run failed: $(cat "$tmp/quiet.err")"
[ -z "$(grep -v '^bench: warning: host busy' "$tmp/quiet.err")" ] || fail "--quiet said: $(cat "$tmp/quiet.err")"
check_result "$tmp/quiet.json" || fail "schema"

# (4) an error as it happens: before the repetition's line, escaped, counted at the end
"$BENCH" run "$tmp/fail.json" -o "$tmp/fail.result.json" 2>"$tmp/fail.err"; rc=$?
[ $rc -eq 1 ] || fail "a failing workload: exit $rc, expected 1"
grep -q $'\e' "$tmp/fail.err" && fail "the reason's escape sequence reached stderr: $(cat -A "$tmp/fail.err")"
"$PY" - "$tmp/fail.err" <<'PY' || fail "errors as they happen: $(cat "$tmp/fail.err")"
import sys
lines = open(sys.argv[1]).read().splitlines()
def at(prefix):
    return [i for i, l in enumerate(lines) if l.startswith(prefix)]
e1, e2 = at("bench: error in bare/fileio (repetition 1)"), at("bench: error in bare/fileio (repetition 2)")
r1, r2 = at("bench: repetition 1/2 done"), at("bench: repetition 2/2 done")
assert len(e1) == 1 and len(e2) == 1 and len(r1) == 1 and len(r2) == 1, lines
assert e1[0] < r1[0] < e2[0] < r2[0], lines
assert "1 error so far" in lines[r1[0]] and "2 errors so far" in lines[r2[0]], lines
assert "\\x1b]0;pwned" in lines[e1[0]], lines[e1[0]]
assert len(at("bench: error in ")) == 2, "each error once"
assert any(l.startswith("bench: 2 errors") for l in lines), lines
PY
on_tty "$BENCH" run "$tmp/fail.json" -o "$tmp/fail2.json" > "$tmp/fail.tty"; rc=$?
[ $rc -eq 1 ] || fail "a failing workload on a terminal: exit $rc, expected 1"
"$PY" - "$tmp/fail.tty" <<'PY' || fail "errors on a terminal: $(cat -v "$tmp/fail.tty")"
import sys
out = open(sys.argv[1], "rb").read().decode()
assert "\x1b]" not in out and "\x07" not in out, "the reason's escape sequence reached the terminal"
# said above the line, which is drawn again under it; before repetition 2 is drawn
first = out.index("bench: error in bare/fileio (repetition 1)")
assert out.index("repetition 2/2 ") > first, out
assert out[:first].endswith("\r\x1b[K"), repr(out[:first][-80:])
after = out[first:].split("\r\n", 1)[1]
assert after.startswith("\r\x1b[Krepetition 1/2 "), repr(after[:80])
assert out.count("bench: error in ") == 2, out
PY
# --quiet: the errors still said, at the end (they are why the exit status is 1)
"$BENCH" run "$tmp/fail.json" -o "$tmp/fail3.json" --quiet 2>"$tmp/fail.quiet"
[ "$(grep -c '^bench: error in bare/fileio' "$tmp/fail.quiet")" -eq 2 ] || fail "--quiet lost the errors: $(cat "$tmp/fail.quiet")"

after=$(leftovers)
[ "$before" = "$after" ] || fail "left behind: $(comm -13 <(echo "$before") <(echo "$after"))"
echo "ok"
