#!/usr/bin/env bash
# scripts/perf-check's bad input, and only that: it is a benchmark, not a CI
# test, so nothing here measures. Each case must exit 2 before measuring, and
# say what is wrong and where: a missing or malformed baseline (file, line,
# field), bad options, an output file in the way, no root, missing tools, no
# or the wrong build. The committed docs/perf-baseline.json validates.
source "$(dirname "$0")/common.bash"
script=$BENCH_SOURCE_DIR/scripts/perf-check
[ -x "$script" ] || fail "$script is missing"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# pc NAME ARGS...: runs perf-check (bounded: a case that measured would take
# seconds), output in $tmp/NAME.out; exit status in $rc
pc() {
  local name=$1
  shift
  timeout 60 "$PY" "$script" "$@" >"$tmp/$name.out" 2>&1
  rc=$?
  grep -q '^perf-check: round 1/' "$tmp/$name.out" && fail "$name: it measured: $(cat "$tmp/$name.out")"
  return 0
}
# expect NAME PATTERN...: exit 2 and each fixed string in the output
expect() {
  local name=$1 p
  shift
  [ "$rc" -eq 2 ] || fail "$name: exit $rc, expected 2: $(cat "$tmp/$name.out")"
  for p in "$@"; do
    grep -qF -- "$p" "$tmp/$name.out" || fail "$name: no '$p' in: $(cat "$tmp/$name.out")"
  done
}

# a valid baseline, then one fault at a time
$PY - "$tmp/good.json" <<'PY' || fail "cannot write the valid baseline"
import json, sys
med = {"bench": 4.4, "bench-disk": 5.5, "crun": 8.0, "bench-version": 1.05, "true": 0.55,
       "bench-ready": 0.42, "plain-placed": 0.54}
pairs = {"bench/crun": ("bench", "crun"), "bench-disk/crun": ("bench-disk", "crun"),
         "bench-version/true": ("bench-version", "true"), "harness-overhead": ("bench-ready", "plain-placed")}
doc = {"format": 1, "commit": "0123456789abcdef0123456789abcdef01234567", "dirty": False,
       "bench_version": "bench 0.1.0 (0123456789ab)", "date": "2025-01-01T00:00:00Z",
       "command": "scripts/perf-check --write-baseline docs/perf-baseline.json",
       "machine": {"cpu": "AMD EPYC", "cores": 2, "kernel": "6.1.0", "hyperfine": "hyperfine 1.15.0",
                   "crun": "crun version 1.8.1"},
       "rounds": 3, "runs": 20, "warmup": 3, "tolerance_pct": 15,
       "round_ratios": {k: [round(med[n] / med[d] * f, 4) for f in (1.1, 1.0, 0.95)] for k, (n, d) in pairs.items()},
       "ratios": {k: round(med[n] / med[d], 4) for k, (n, d) in pairs.items()},
       "median_ms": med, "phases_ms": {"phase.clone_ms": 0.5}}
json.dump(doc, open(sys.argv[1], "w"), indent=2)
PY
touch "$tmp/in-the-way.json"

# the valid one draws no complaint (the case fails for the file in the way)
pc good --baseline "$tmp/good.json" --json "$tmp/in-the-way.json"
expect good "--json $tmp/in-the-way.json: exists; add --force to replace it" "nothing was measured"
grep -qF "$tmp/good.json" "$tmp/good.out" && fail "the valid baseline drew a complaint: $(cat "$tmp/good.out")"

# so does the committed one
committed=$BENCH_SOURCE_DIR/docs/perf-baseline.json
[ -f "$committed" ] || fail "$committed is missing"
pc committed --baseline "$committed" --json "$tmp/in-the-way.json"
expect committed "exists; add --force"
grep -qF "$committed" "$tmp/committed.out" && fail "the committed baseline does not validate: $(cat "$tmp/committed.out")"

# a missing baseline is an error naming it, never a silent pass
pc missing --baseline "$tmp/nope.json"
expect missing "$tmp/nope.json: no such baseline file" "write a new one on purpose" "nothing was measured (exit 2)"
pc empty-name --baseline ""
expect empty-name "--baseline: an empty file name"
pc dir --baseline "$tmp"
expect dir "$tmp: is a directory"

# malformed: the file, line and column
printf '{\n  "format": 1,\n  "commit": \n' >"$tmp/trunc.json"
pc trunc --baseline "$tmp/trunc.json"
expect trunc "$tmp/trunc.json:4:1: malformed JSON"
printf '\xff\xfe' >"$tmp/binary.json"
pc binary --baseline "$tmp/binary.json"
expect binary "$tmp/binary.json: malformed: not UTF-8"
echo '[1, 2]' >"$tmp/array.json"
pc array --baseline "$tmp/array.json"
expect array "$tmp/array.json: malformed: expected a JSON object"
: >"$tmp/zero.json"
pc zero --baseline "$tmp/zero.json"
expect zero "$tmp/zero.json:1:1: malformed JSON"

# one bad field at a time: named, with what was expected and what was found
fault() { # fault NAME PYTHON-STATEMENT-ON-d
  "$PY" - "$tmp/good.json" "$tmp/$1.json" "$2" <<'PY' || fail "cannot make $1"
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
open(sys.argv[2], "w").write(json.dumps(d, indent=2) if not isinstance(d, str) else d)
PY
}
fault wrongtype 'd["ratios"]["bench/crun"] = "fast"'
pc wrongtype --baseline "$tmp/wrongtype.json"
expect wrongtype "$tmp/wrongtype.json: field \`ratios.bench/crun\`: expected a ratio > 0, got \"fast\""
fault nomedian 'del d["median_ms"]["crun"]'
pc nomedian --baseline "$tmp/nomedian.json"
expect nomedian "field \`median_ms.crun\`: missing"
fault noratios 'del d["ratios"]'
pc noratios --baseline "$tmp/noratios.json"
expect noratios "field \`ratios\`: missing"
fault negative 'd["ratios"]["harness-overhead"] = -1'
pc negative --baseline "$tmp/negative.json"
expect negative "field \`ratios.harness-overhead\`: expected a ratio > 0, got -1"
fault format 'd["format"] = 2'
pc format --baseline "$tmp/format.json"
expect format "field \`format\`: expected 1"
fault boolcores 'd["machine"]["cores"] = True'
pc boolcores --baseline "$tmp/boolcores.json"
expect boolcores "field \`machine.cores\`: expected an integer >= 1, got true"
fault tolerance 'd["tolerance_pct"] = 0'
pc tolerance --baseline "$tmp/tolerance.json"
expect tolerance "field \`tolerance_pct\`: expected a percentage > 0"
fault commit 'd["commit"] = "$(reboot)"'
pc commit --baseline "$tmp/commit.json"
expect commit "field \`commit\`: expected a git commit (7-40 hex digits), got \"\$(reboot)\""
fault unknown 'd["ratios"]["bench/runc"] = 1.0'
pc unknown --baseline "$tmp/unknown.json"
expect unknown "field \`ratios.bench/runc\`: unknown field"
fault mismatch 'd["ratios"]["bench/crun"] = 0.3'
pc mismatch --baseline "$tmp/mismatch.json"
expect mismatch "field \`ratios.bench/crun\`: 0.3 does not match the median of round_ratios.bench/crun = 0.5500"
fault rounds 'd["round_ratios"]["harness-overhead"].pop()'
pc rounds --baseline "$tmp/rounds.json"
expect rounds "field \`round_ratios.harness-overhead\`: expected a list of \`rounds\` ratios > 0"
fault nan 'd = json.dumps(d).replace("\"runs\": 20", "\"runs\": NaN")'
pc nan --baseline "$tmp/nan.json"
expect nan "$tmp/nan.json: malformed JSON: NaN is not a JSON number"
fault dup 'd = json.dumps(d).replace("\"runs\": 20", "\"runs\": 20, \"runs\": 99")'
pc dup --baseline "$tmp/dup.json"
expect dup "$tmp/dup.json: malformed JSON: duplicate key \"runs\""
# text from the file is quoted, escapes and all, never echoed raw
fault escape 'd["runs"] = "\u001b]0;owned\u0007"'
pc escape --baseline "$tmp/escape.json"
expect escape "field \`runs\`: expected an integer >= 1, got \"\\u001b]0;owned\\u0007\""
grep -q $'\e' "$tmp/escape.out" && fail "an escape sequence from the baseline reached the terminal"

# options
pc unknown-option --frobnicate
expect unknown-option "unrecognized arguments: --frobnicate"
pc runs --runs 0
expect runs "argument --runs: needs an integer from 1 to 999999, got \"0\""
pc rounds-option --rounds many
expect rounds-option "argument --rounds"
pc tol --tolerance -5
expect tol "argument --tolerance: needs a percentage > 0"
pc same --baseline "$tmp/good.json" --json "$tmp/x.json" --write-baseline "$tmp/x.json"
expect same "--json and --write-baseline name the same file"
pc nodir --baseline "$tmp/good.json" --write-baseline "$tmp/no/such/dir/b.json"
expect nodir "--write-baseline $tmp/no/such/dir/b.json: no directory $tmp/no/such/dir"
ln -s /etc/passwd "$tmp/planted.json"
pc planted --write-baseline "$tmp/planted.json"
expect planted "--write-baseline $tmp/planted.json: exists; add --force"
[ "$(readlink "$tmp/planted.json")" = /etc/passwd ] || fail "the planted symlink was touched"
pc help --help
[ "$rc" -eq 0 ] || fail "--help: exit $rc"
grep -q '^  130 ' "$tmp/help.out" || fail "--help does not list the exit codes"

# no root: said, with the fix
if [ "$(id -u)" -ne 0 ]; then
  pc noroot --baseline "$tmp/good.json"
  expect noroot "must run as root" "sudo scripts/perf-check"
elif command -v setpriv >/dev/null; then
  chmod 755 "$tmp"
  timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
    "$PY" "$script" --baseline "$tmp/good.json" >"$tmp/noroot.out" 2>&1
  rc=$?
  expect noroot "must run as root" "sudo scripts/perf-check"
  chmod 700 "$tmp"
else
  echo "note: the no-root case is not run: root here and no setpriv (util-linux) to drop it"
fi

# missing tools: each named, with its package
mkdir "$tmp/emptybin"
timeout 60 env PATH="$tmp/emptybin" "$PY" "$script" --baseline "$tmp/good.json" >"$tmp/notools.out" 2>&1
rc=$?
expect notools "hyperfine is missing: apt-get install hyperfine" "crun is missing: apt-get install crun" \
  "taskset is missing: apt-get install util-linux"

# no build, then a sanitizer build: a copy of the script in a tree of its own
mkdir -p "$tmp/tree/scripts" "$tmp/tree/docs"
cp "$script" "$tmp/tree/scripts/perf-check"
cp "$tmp/good.json" "$tmp/tree/docs/perf-baseline.json"
script=$tmp/tree/scripts/perf-check
pc nobuild
expect nobuild "bench and bench-agent and spawn-baseline are missing from $tmp/tree/build: run scripts/build release" \
  "$tmp/tree/scripts/peers is missing"
grep -qF "perf-baseline.json" "$tmp/nobuild.out" && fail "nobuild: the tree's baseline drew a complaint"
mkdir "$tmp/tree/build"
for b in bench bench-agent spawn-baseline; do install -m 755 /dev/null "$tmp/tree/build/$b"; done
printf 'CMAKE_BUILD_TYPE:STRING=Debug\nBENCH_SANITIZE:BOOL=ON\n' >"$tmp/tree/build/CMakeCache.txt"
pc asan
expect asan "$tmp/tree/build is a sanitizer build; its times mean nothing: run scripts/build release"
printf 'CMAKE_BUILD_TYPE:STRING=Debug\n' >"$tmp/tree/build/CMakeCache.txt"
pc debug
expect debug "$tmp/tree/build is a \"Debug\" build, not a release build"
rm "$tmp/tree/docs/perf-baseline.json"
pc nodefault
expect nodefault "$tmp/tree/docs/perf-baseline.json: no such baseline file" \
  "git checkout -- docs/perf-baseline.json"

# scripts/phases (the per-phase before/after of a change): bad usage is exit 2, said, measured nothing
phases=$BENCH_SOURCE_DIR/scripts/phases
for c in "none|no bench binary given" "/nonexistent|is not an executable file" \
  "--runs 0 $BENCH|--runs needs a positive integer" "--frob $BENCH|unknown option" \
  "/bin/true|has no bench-agent beside it"; do
  IFS='|' read -r args want <<<"$c"
  [ "$args" = none ] && args=
  # shellcheck disable=SC2086
  timeout 60 "$PY" "$phases" $args >"$tmp/phases.out" 2>&1
  rc=$?
  [ "$rc" -eq 2 ] || fail "phases $args: exit $rc, expected 2: $(cat "$tmp/phases.out")"
  grep -qF -- "$want" "$tmp/phases.out" || fail "phases $args: no '$want' in: $(cat "$tmp/phases.out")"
done
echo "ok"
