#!/usr/bin/env bash
# The CI gate on a real regression: the cpu workload against itself doing
# 20% more work per op (slowdown=20).
# bench compare must flag cpu ops_per_s as regressed and exit 1, and the
# same kernel beside it, not slowed, must not be called a regression.
source "$(dirname "$0")/common.bash"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# One run, so that base and slowed share the host's drift: each repetition
# runs the four workloads one after another in one environment. Two runs
# minutes apart drifted by up to ~20% here, more than the regression. The
# run is then written as two files: base (cpu, cpu-ref) and slowed
# (cpu-slowed as cpu, cpu-ref2 as cpu-ref).
cat > "$tmp/gate.json" <<JSON
{ "name": "gate", "repetitions": 10, "warmup": 1, "seed": 7,
  "configurations": [ { "name": "bare", "kind": "bare" } ],
  "workloads": [ { "kind": "cpu", "params": { "duration": "100ms" } },
                 { "name": "cpu-slowed", "kind": "cpu", "params": { "duration": "100ms", "slowdown": 20 } },
                 { "name": "cpu-ref", "kind": "cpu", "params": { "duration": "100ms" } },
                 { "name": "cpu-ref2", "kind": "cpu", "params": { "duration": "100ms" } } ] }
JSON
"$BENCH" run "$tmp/gate.json" -o "$tmp/gate.result.json" --quiet || fail "the run"
$PY - "$tmp/gate.result.json" "$tmp/base.result.json" "$tmp/slow.result.json" <<'PY' || fail "cannot split the run"
import copy, json, sys
d = json.load(open(sys.argv[1]))
for path, names in ((sys.argv[2], {"cpu": "cpu", "cpu-ref": "cpu-ref"}),
                    (sys.argv[3], {"cpu-slowed": "cpu", "cpu-ref2": "cpu-ref"})):
    o = copy.deepcopy(d)
    o["results"] = [dict(r, workload=names[r["workload"]]) for r in d["results"] if r["workload"] in names]
    assert len(o["results"]) == 2, o["results"]
    json.dump(o, open(path, "w"))
PY
# 10%: the deliberate regression is -17%
"$BENCH" compare "$tmp/base.result.json" "$tmp/slow.result.json" --threshold 10 --format json -o "$tmp/cmp.json" 2>"$tmp/cmp.err"
rc=$?
[ $rc -eq 1 ] || fail "a 20% slower cpu workload: bench compare exit $rc, expected 1 ($(cat "$tmp/cmp.err"))"
$PY - "$tmp/cmp.json" <<'PY' || fail "compare verdicts"
import json, sys
d = json.load(open(sys.argv[1]))
rows = {(r["workload"], r["configuration"], r["metric"]): r for r in d["rows"]}
cpu = rows[("cpu", "bare", "ops_per_s")]
assert cpu["verdict"] == "regressed", cpu
assert cpu["change_pct"] < -8, "expected about -17%% (more on a loaded machine), got %.1f%%" % cpu["change_pct"]
assert cpu["ratio_ci95"][1] < 1, "the interval excludes no change"
ref = rows[("cpu-ref", "bare", "ops_per_s")]
assert ref["verdict"] != "regressed", "the unslowed reference must not be flagged: %s" % ref
print("cpu ops_per_s %.1f%% (p=%.2g) -> %s" % (cpu["change_pct"], cpu["p_value"], cpu["verdict"]))
PY
echo "ok"
