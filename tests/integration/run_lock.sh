#!/usr/bin/env bash
# One measuring run per host: a second `bench run` is refused (exit 75) with
# a message naming the first and writes nothing; with --allow-concurrent it
# measures and both results record each other; a SIGKILLed run's lock and
# record do not outlive it; validate/compare/report are never blocked;
# hostile records (garbage, escapes, huge, held or not) are survived; the
# last run out removes runs/ and run.lock (nothing left behind).
source "$(dirname "$0")/common.bash"
need_root
LOCKDIR=/run/bench
tmp=$(mktemp -d)
holders=()
cleanup() {
  for p in "${holders[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -f "$LOCKDIR"/runs/99999-00000000000000aa "$LOCKDIR"/runs/99998-00000000000000bb
  rm -rf "$tmp"
}
trap cleanup EXIT
suite() { # NAME REPETITIONS
  cat > "$tmp/$1.json" <<JSON
{ "name": "$1", "repetitions": $2, "warmup": 0,
  "configurations": [ { "name": "bare", "kind": "bare" } ],
  "workloads": [ { "kind": "cpu", "params": { "duration": "100ms" } } ] }
JSON
}
# until FILE exists (the run took the lock before it wrote anything)
wait_file() {
  for _ in $(seq 1 200); do [ -s "$1" ] && return 0; sleep 0.05; done
  fail "$1 never appeared"
}
pyjson() { $PY - "$@"; }
# a process holding a flock on FILE, taken by itself (it then becomes sleep: killing it lets the lock go)
hold() {
  $PY -c 'import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
os.set_inheritable(fd, True)
os.execvp("sleep", ["sleep", "60"])' "$1" &
  held=$!; holders+=($held)
  for _ in $(seq 1 100); do grep -q "FLOCK.* $held " /proc/locks && return 0; sleep 0.02; done
  fail "could not hold $1"
}
suite short 2
suite long 60   # ~6 s of cpu alone; ended by SIGINT once the checks are done
before=$(leftovers)

# a result to compare and report while another run holds the lock
"$BENCH" run "$tmp/short.json" -o "$tmp/r0.json" --quiet || fail "a run alone failed"
pyjson "$tmp/r0.json" <<'PY' || fail "a run alone records no other run"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["allow_concurrent"] is False and d["concurrent"] == [], d["concurrent"]
PY

# 1. a second run is refused, names the first, writes nothing
"$BENCH" run "$tmp/long.json" -o "$tmp/a.json" --quiet 2>"$tmp/a.err" &
a=$!
wait_file "$tmp/a.json"
t0=$(date +%s%N)
"$BENCH" run "$tmp/short.json" -o "$tmp/b.json" --quiet 2>"$tmp/b.err"; rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ $rc -eq 75 ] || fail "second run exited $rc, expected 75: $(cat "$tmp/b.err")"
grep -q "^bench run: another run is measuring on this host: pid $a, suite long ($tmp/long.json → $tmp/a.json), started 20.*Z; wait for it to end, or give --allow-concurrent (both results will say so)$" "$tmp/b.err" \
  || fail "refusal message: $(cat "$tmp/b.err")"
[ ! -e "$tmp/b.json" ] || fail "the refused run wrote its result file"
echo "refused in $ms ms: $(cat "$tmp/b.err")"

# 2. the verbs that do not measure are never blocked
"$BENCH" validate "$tmp/short.json" >/dev/null || fail "validate blocked"
"$BENCH" compare "$tmp/r0.json" "$tmp/r0.json" >/dev/null 2>&1 || fail "compare blocked"
"$BENCH" report "$tmp/r0.json" -o "$tmp/r0.md" >/dev/null 2>&1 || fail "report blocked"
"$BENCH" info >/dev/null || fail "info blocked"
"$BENCH" list >/dev/null || fail "list blocked"

# 3. --allow-concurrent measures; both results record each other
"$BENCH" run "$tmp/short.json" -o "$tmp/c.json" --quiet --allow-concurrent 2>"$tmp/c.err" &
c=$!
wait $c || fail "the --allow-concurrent run failed: $(cat "$tmp/c.err")"
grep -q "^bench: measuring alongside pid $a, suite long" "$tmp/c.err" || fail "no note at start: $(cat "$tmp/c.err")"
# ... and while one with the flag measures, another without it is refused too (checked in unit tests);
# end the first: SIGINT, its result is written
sleep 0.3
kill -INT $a; wait $a; rc=$?
[ $rc -eq 130 ] || fail "the first run exited $rc: $(cat "$tmp/a.err")"
grep -q "^bench: pid $c, suite short (started .*, with --allow-concurrent) measured alongside this run" "$tmp/a.err" \
  || fail "the first run did not say so: $(cat "$tmp/a.err")"
check_result "$tmp/a.json" >/dev/null || fail "schema of the first result"
check_result "$tmp/c.json" >/dev/null || fail "schema of the second result"
pyjson "$tmp/a.json" "$tmp/c.json" "$a" "$c" <<'PY' || fail "concurrent fields"
import json, sys
a, c = (json.load(open(p)) for p in sys.argv[1:3])
pa, pc = int(sys.argv[3]), int(sys.argv[4])
assert a["allow_concurrent"] is False and c["allow_concurrent"] is True
assert [(r["pid"], r["suite"], r["allow_concurrent"]) for r in a["concurrent"]] == [(pc, "short", True)], a["concurrent"]
assert [(r["pid"], r["suite"], r["allow_concurrent"]) for r in c["concurrent"]] == [(pa, "long", False)], c["concurrent"]
assert c["concurrent"][0]["started_at"] <= c["started_at"], (c["concurrent"], c["started_at"])
PY
"$BENCH" report "$tmp/a.json" -o "$tmp/a.md" >/dev/null 2>&1 || fail "report of the first result"
grep -q "^Warning: 1 other bench run measured on this host during this one (pid $c, suite short, started .*): the figures may be distorted.$" "$tmp/a.md" \
  || fail "the report does not warn: $(sed -n 1,12p "$tmp/a.md")"
grep -q "^Warning" "$tmp/r0.md" && fail "a report of a run alone warns"
"$BENCH" compare "$tmp/r0.json" "$tmp/a.json" >/dev/null 2>"$tmp/cmp.err"
grep -q "concurrent runs: base \`0 other runs measured alongside\`, new \`1 other run measured alongside\`" "$tmp/cmp.err" \
  || fail "compare does not say so: $(cat "$tmp/cmp.err")"

# 4. a SIGKILLed run: its lock goes with it, the next run takes over and removes its record
"$BENCH" run "$tmp/long.json" -o "$tmp/k.json" --quiet 2>/dev/null &
k=$!
wait_file "$tmp/k.json"
ls "$LOCKDIR/runs" | grep -q "^$k-" || fail "no record of the live run: $(ls "$LOCKDIR/runs")"
kill -KILL $k; wait $k 2>/dev/null
"$BENCH" run "$tmp/short.json" -o "$tmp/n.json" --quiet 2>"$tmp/n.err" || fail "the run after a killed one: $(cat "$tmp/n.err")"
ls "$LOCKDIR/runs" 2>/dev/null | grep -q "^$k-" && fail "the killed run's record stayed"
# the last run out removed the lock's files, the killed run's record with them
[ ! -e "$LOCKDIR/runs" ] && [ ! -e "$LOCKDIR/run.lock" ] || fail "the last run out left $(ls -A "$LOCKDIR")"
pyjson "$tmp/n.json" <<'PY' || fail "the killed run is not a concurrent one"
import json, sys
assert json.load(open(sys.argv[1]))["concurrent"] == []
PY

# 5. hostile records: a held one of garbage (escape sequences, 1 MiB) refuses, escaped; not held: ignored
rec="$LOCKDIR/runs/99999-00000000000000aa"
mkdir -p -m 0700 "$LOCKDIR"; mkdir -p -m 0700 "$LOCKDIR/runs"   # as a live run keeps them
{ printf '\033]0;pwned\007\033[2J'; head -c 1048576 /dev/zero | tr '\0' 'A'; } > "$rec"
hold "$rec"
"$BENCH" run "$tmp/short.json" -o "$tmp/h.json" --quiet 2>"$tmp/h.err"; rc=$?
[ $rc -eq 75 ] || fail "a held garbage record: exit $rc: $(cat "$tmp/h.err")"
grep -q "pid 99999 (its record $rec is not one bench wrote)" "$tmp/h.err" || fail "garbage: $(cat -v "$tmp/h.err")"
grep -q $'\033' "$tmp/h.err" && fail "an escape sequence reached the terminal"
[ $(wc -c < "$tmp/h.err") -lt 1000 ] || fail "the refusal printed the garbage"
echo "held garbage: $(cat "$tmp/h.err")"
# valid JSON with escapes in its strings, held: named, escaped
rec2="$LOCKDIR/runs/99998-00000000000000bb"
printf '{"bench_run":1,"id":"99998-00000000000000bb","pid":99998,"suite":"\\u001b]0;x\\u0007evil","suite_file":"s","output":"o","started_at":"t","allow_concurrent":true}\n' > "$rec2"
hold "$rec2"
"$BENCH" run "$tmp/short.json" -o "$tmp/h.json" --quiet 2>"$tmp/h.err"; rc=$?
[ $rc -eq 75 ] || fail "a held record with escapes: exit $rc"
grep -qF 'pid 99998, suite \x1b]0;x\x07evil (s → o), started t, with --allow-concurrent' "$tmp/h.err" || fail "escapes: $(cat -v "$tmp/h.err")"
grep -q $'\033' "$tmp/h.err" && fail "an escape sequence reached the terminal"
[ ! -e "$tmp/h.json" ] || fail "a refused run wrote its result"
echo "held escapes: $(cat "$tmp/h.err")"
# nobody holds them any more: stale, removed, the run goes ahead
for p in "${holders[@]}"; do kill "$p"; done; wait "${holders[@]}" 2>/dev/null; holders=()
"$BENCH" run "$tmp/short.json" -o "$tmp/h.json" --quiet 2>"$tmp/h.err" || fail "stale hostile records block: $(cat -v "$tmp/h.err")"
[ ! -e "$rec" ] && [ ! -e "$rec2" ] || fail "stale records stayed: $(ls "$LOCKDIR/runs")"
[ ! -e "$LOCKDIR/runs" ] || fail "the last run out left runs/: $(ls -A "$LOCKDIR/runs")"

# 6. run.lock held by a process that is no bench run: refused, naming it (from /proc/locks)
mkdir -p -m 0700 "$LOCKDIR"; (umask 077; : > "$LOCKDIR/run.lock")
hold "$LOCKDIR/run.lock"
fl=$held
"$BENCH" run "$tmp/short.json" -o "$tmp/h2.json" --quiet 2>"$tmp/h2.err"; rc=$?
[ $rc -eq 75 ] || fail "run.lock held: exit $rc: $(cat "$tmp/h2.err")"
grep -q "another run is measuring on this host: a process holds $LOCKDIR/run.lock but left no record of a bench run (the lock was taken by pid $fl)" "$tmp/h2.err" \
  || fail "run.lock held: $(cat "$tmp/h2.err")"
echo "run.lock held: $(cat "$tmp/h2.err")"
kill $fl; wait $fl 2>/dev/null; holders=()

# its holder gone, the next run takes the lock, and removes it at its end
"$BENCH" run "$tmp/short.json" -o "$tmp/h3.json" --quiet 2>"$tmp/h3.err" || fail "run.lock let go: $(cat "$tmp/h3.err")"
[ ! -e "$LOCKDIR/runs" ] && [ ! -e "$LOCKDIR/run.lock" ] || fail "left in $LOCKDIR: $(ls -A "$LOCKDIR")"
after=$(leftovers)
[ "$before" = "$after" ] || fail "left behind: $(comm -13 <(echo "$before") <(echo "$after"))"
echo "ok"
