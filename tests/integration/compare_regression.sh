#!/usr/bin/env bash
# The CI gate on a real regression: the same suite run twice, the second
# time with the cpu workload doing 20% more work per op (slowdown=20).
# bench compare must flag cpu ops_per_s as regressed and exit 1, and the
# same kernel beside it, not slowed, must not be called a regression. (The
# reference is a second cpu workload: memlat at 1 MiB drifts by ~12%
# between sequential runs on these shared hosts, too much for a reference.)
source "$(dirname "$0")/common.bash"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
suite() {
  cat <<JSON
{ "name": "gate", "repetitions": 10, "warmup": 1, "seed": 7,
  "configurations": [ { "name": "bare", "kind": "bare" } ],
  "workloads": [ { "kind": "cpu", "params": { "duration": "100ms", "slowdown": $1 } },
                 { "name": "cpu-ref", "kind": "cpu", "params": { "duration": "100ms" } } ] }
JSON
}
suite 0 > "$tmp/base.json"; suite 20 > "$tmp/slow.json"
"$BENCH" run "$tmp/base.json" -o "$tmp/base.result.json" --quiet || fail "base run"
"$BENCH" run "$tmp/slow.json" -o "$tmp/slow.result.json" --quiet || fail "slowed run"
# 10%: the deliberate regression is -17%; sequential runs on this shared host drift by up to ~9% (memlat)
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
