#!/usr/bin/env bash
# bench compare on real result files: an A/A comparison of two runs of the
# same build finds no regression (exit 0); unusable inputs (truncated, another
# schema version, nothing in common, bad options) exit 2 naming the file; a
# halved metric exits 1; the junit/json/markdown outputs are well formed;
# differing environments are loud, and refused with --strict-env.
source "$(dirname "$0")/common.bash"
tmp=$(mktemp -d)
# metadata on tmpfs: the disk's journal, shared with other users, made create
# rates swing 2x between runs; this test is about compare, not the disk
shm=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
trap 'rm -rf "$tmp" "$shm"' EXIT

# A/A: two identical bare configurations of one run, interleaved in shuffled
# order per repetition (as bench runs every suite), then written as two
# files of one configuration each. Two runs minutes apart on this shared
# 2-core host drift more than that: A/A medians of separate runs moved by
# 9-35% (memlat, metadata even on tmpfs), significant at 8 repetitions, which
# made this test flaky; interleaving is what bench recommends against drift.
cat > "$tmp/aa.json" <<JSON
{ "name": "compare-aa", "repetitions": 8, "warmup": 1,
  "configurations": [ { "name": "bare", "kind": "bare" }, { "name": "twin", "kind": "bare" } ],
  "workloads": [ { "kind": "cpu", "params": { "duration": "100ms" } },
                 { "kind": "memlat", "params": { "size": "16M", "accesses": 1000000 } },
                 { "kind": "metadata", "params": { "files": 1000, "dir": "$shm" } } ] }
JSON
"$BENCH" run "$tmp/aa.json" -o "$tmp/ab.json" --quiet || fail "bench run exited $?"
$PY - "$tmp/ab.json" "$tmp/a.json" "$tmp/b.json" <<'PY' || fail "cannot split the A/A run"
import copy, json, sys
d = json.load(open(sys.argv[1]))
for path, name in ((sys.argv[2], "bare"), (sys.argv[3], "twin")):
    o = copy.deepcopy(d)
    o["results"] = [dict(r, configuration="bare") for r in d["results"] if r["configuration"] == name]
    assert o["results"], name
    json.dump(o, open(path, "w"))
PY

# The gate allows for what drift is left; the default 5% stays for quiet CI machines.
"$BENCH" compare "$tmp/a.json" "$tmp/b.json" --threshold 20 --alpha 0.01 >"$tmp/aa.txt" 2>"$tmp/aa.err"
rc=$?
cat "$tmp/aa.txt"
[ $rc -eq 0 ] || fail "A/A comparison: exit $rc, expected 0: $(cat "$tmp/aa.err")"
grep -Eq '^[0-9]+ rows: 0 regressed' "$tmp/aa.txt" || fail "no summary line"
grep -q "cpu/ops_per_s" "$tmp/aa.txt" || fail "cpu row missing"
grep -q "memlat/ns_per_access" "$tmp/aa.txt" || fail "memlat row missing"
grep -q "metadata/" "$tmp/aa.txt" || fail "metadata rows missing"
# a busy host may be said (the files' activity warnings), nothing else
grep -v 'THE HOST WAS NOT QUIET\|WARNING:   host activity: ' "$tmp/aa.err" | grep -q . \
  && fail "A/A on one host must not warn: $(cat "$tmp/aa.err")"

# the machine-readable formats
"$BENCH" compare "$tmp/a.json" "$tmp/b.json" --threshold 20 --alpha 0.01 --format junit -o "$tmp/aa.xml" || fail "junit: exit $?"
$PY - "$tmp/aa.xml" <<'PY' || fail "junit output is not the expected XML"
import sys, xml.etree.ElementTree as E
root = E.parse(sys.argv[1]).getroot()
suites = root.findall("testsuite")
assert len(suites) == 1 and suites[0].get("name") == "bench compare", suites
cases = suites[0].findall("testcase")
assert cases and all(c.get("name").count("/") >= 2 for c in cases), [c.get("name") for c in cases]
assert "cpu/bare/ops_per_s" in [c.get("name") for c in cases]
assert not any(c.find("failure") is not None for c in cases)
PY
"$BENCH" compare "$tmp/a.json" "$tmp/b.json" --threshold 20 --alpha 0.01 --format json > "$tmp/aa.out.json" || fail "json: exit $?"
$PY - "$tmp/aa.out.json" <<'PY' || fail "json output"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["counts"]["regressed"] == 0 and d["counts"]["rows"] == len(d["rows"]) > 0, d["counts"]
assert d["options"]["threshold_pct"] == 20
PY
"$BENCH" compare "$tmp/a.json" "$tmp/b.json" --format markdown | grep -q '^| metric | configuration |' \
  || fail "markdown has no header row"

# a halved cpu throughput: a regression, exit 1
$PY - "$tmp/b.json" "$tmp/slow.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["results"]:
    if r["workload"] == "cpu" and r["metric"] == "ops_per_s":
        r["samples"] = [x / 2 for x in r["samples"]]
json.dump(d, open(sys.argv[2], "w"))
PY
"$BENCH" compare "$tmp/a.json" "$tmp/slow.json" >"$tmp/slow.txt" 2>/dev/null
rc=$?
[ $rc -eq 1 ] || fail "halved cpu ops: exit $rc, expected 1"
grep "cpu/ops_per_s" "$tmp/slow.txt" | grep -q "regressed" || fail "the cpu row is not regressed: $(cat "$tmp/slow.txt")"
"$BENCH" compare "$tmp/a.json" "$tmp/slow.json" --format junit 2>/dev/null | $PY -c '
import sys, xml.etree.ElementTree as E
c = [c for c in E.parse(sys.stdin).getroot().iter("testcase") if c.get("name") == "cpu/bare/ops_per_s"]
assert c[0].find("failure") is not None' || fail "junit: no failure for the regression"

# environments: loud by default, refused with --strict-env. The samples are
# a's own, so that only the environment differs: against b, at the default
# alpha, a busy host's metadata rates (unlink -21%, p 0.02) failed the exit 0.
$PY - "$tmp/a.json" "$tmp/env.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["host"]["kernel"] = "9.9.9-other"
json.dump(d, open(sys.argv[2], "w"))
PY
"$BENCH" compare "$tmp/a.json" "$tmp/env.json" --threshold 20 >/dev/null 2>"$tmp/env.err"
rc=$?
[ $rc -eq 0 ] || fail "different kernel without --strict-env: exit $rc, expected 0"
grep -q "WARNING.*kernel.*9.9.9-other" "$tmp/env.err" || fail "the kernel difference is not loud: $(cat "$tmp/env.err")"
"$BENCH" compare "$tmp/a.json" "$tmp/env.json" --strict-env >/dev/null 2>"$tmp/env.err"
rc=$?
[ $rc -eq 2 ] || fail "different kernel with --strict-env: exit $rc, expected 2"
grep -q "9.9.9-other" "$tmp/env.err" || fail "--strict-env does not say why"
"$BENCH" compare "$tmp/a.json" "$tmp/env.json" --format json 2>/dev/null | grep -q '9.9.9-other' \
  || fail "json output does not carry the environment difference"

# unusable input: exit 2, the message names the file
expect_unusable() {  # what, file pattern, bench compare args...
  local what=$1 pat=$2; shift 2
  "$BENCH" compare "$@" >/dev/null 2>"$tmp/bad.err"
  local rc=$?
  [ $rc -eq 2 ] || fail "$what: exit $rc, expected 2"
  grep -q -- "$pat" "$tmp/bad.err" || fail "$what: the message does not name $pat: $(cat "$tmp/bad.err")"
}
head -c 700 "$tmp/a.json" > "$tmp/truncated.json"
expect_unusable "truncated file" "truncated.json" "$tmp/a.json" "$tmp/truncated.json"
sed 's#"bench.result/1"#"bench.result/9"#' "$tmp/a.json" > "$tmp/v9.json"
grep -q 'bench.result/9' "$tmp/v9.json" || fail "test setup: no schema to replace"
expect_unusable "schema bench.result/9" "v9.json" "$tmp/v9.json" "$tmp/b.json"
grep -q "bench.result/9" "$tmp/bad.err" || fail "the schema message does not quote the version"
$PY - "$tmp/a.json" "$tmp/only-cpu.json" "$tmp/only-memlat.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rows = d["results"]
for path, w in ((sys.argv[2], "cpu"), (sys.argv[3], "memlat")):
    d["results"] = [r for r in rows if r["workload"] == w]
    json.dump(d, open(path, "w"))
PY
expect_unusable "no common metric" "only-cpu.json" "$tmp/only-cpu.json" "$tmp/only-memlat.json"
grep -q "only-memlat.json" "$tmp/bad.err" || fail "no common metric: the second file is not named"
expect_unusable "missing file" "missing.json" "$tmp/a.json" "$tmp/missing.json"
expect_unusable "bad threshold" "threshold" "$tmp/a.json" "$tmp/b.json" --threshold fast
expect_unusable "bad alpha" "alpha" "$tmp/a.json" "$tmp/b.json" --alpha 2
expect_unusable "bad format" "yaml" "$tmp/a.json" "$tmp/b.json" --format yaml
expect_unusable "one file" "two result files" "$tmp/a.json"
expect_unusable "overhead without another configuration" "a.json" --overhead "$tmp/a.json"
expect_unusable "overhead, unknown baseline" "container" --overhead "$tmp/a.json" --baseline container
echo "ok"
