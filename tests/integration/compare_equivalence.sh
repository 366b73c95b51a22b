#!/usr/bin/env bash
# bench compare's statistics on result files made here (no run, no root):
# the exact p-value with ties ([33656]x3 vs [40000]x3: 0.100, not 0.047, so
# no regression), --equivalence verdicts (equivalent, different, inconclusive
# with about how many more samples), metrics without a ratio compared by
# difference, files that disagree on `better` (exit 2 naming the metric),
# and --equivalence values that are not a margin (exit 2, the form shown).
source "$(dirname "$0")/common.bash"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# make.py OUT.json SERIES...: SERIES = configuration:metric:better:unit:v1,v2,...
cat > "$tmp/make.py" <<'PY'
import json, statistics, sys
def stats(x):
    s = sorted(x); n = len(s); mean = statistics.fmean(s); sd = statistics.stdev(s) if n > 1 else 0.0
    return {"n": n, "mean": mean, "median": statistics.median(s), "stddev": sd,
            "cv": sd / mean if mean else 0.0, "min": s[0], "max": s[-1], "p05": s[0], "p95": s[-1],
            "ci95_low": s[0], "ci95_high": s[-1], "ci_level": 0.95, "outliers": []}
d = {"schema": "bench.result/1", "complete": True, "interrupted": None,
     "started_at": "2026-01-01T00:00:00Z", "finished_at": "2026-01-01T00:01:00Z", "repetitions_done": 3,
     "host": {"hostname": "h", "kernel": "6.1", "cpu_model": "cpu", "cores": 2, "memory_kib": 1024,
              "cgroup_mode": "hybrid", "bench_version": "0.1.0"},
     "suite": {"name": "made"}, "pinning": None, "results": [], "skipped": [], "errors": [], "notes": []}
for arg in sys.argv[2:]:
    conf, metric, better, unit, values = arg.split(":")
    x = [float(v) for v in values.split(",")]
    d["results"].append({"workload": "w", "kind": "memory", "configuration": conf,
                         "config_kind": "bare" if conf == "bare" else "container", "metric": metric,
                         "unit": unit, "better": better, "samples": x, "stats": stats(x)})
json.dump(d, open(sys.argv[1], "w"))
PY
mk() { $PY "$tmp/make.py" "$@" || fail "cannot make $1"; }
tight="1000,1000.1,1000.2,1000.3,1000.4,1000.5,1000.6,1000.7,1000.8,1000.9"
tight10="1100,1100.1,1100.2,1100.3,1100.4,1100.5,1100.6,1100.7,1100.8,1100.9"
field() { $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); r=[r for r in d["rows"] if r["metric"]==sys.argv[2]][0]; print(json.dumps(r[sys.argv[3]]))' "$@"; }

# ties on 3 samples a side: exact p 0.100, not significant, no regression
mk "$tmp/t3a.json" "bare:footprint_kib:lower:KiB:33656,33656,33656"
mk "$tmp/t3b.json" "bare:footprint_kib:lower:KiB:40000,40000,40000"
"$BENCH" compare "$tmp/t3a.json" "$tmp/t3b.json" --format json -o "$tmp/t3.json" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || fail "[33656]x3 vs [40000]x3: exit $rc, expected 0 (exact p 0.100): $(cat "$tmp/err")"
[ "$(field "$tmp/t3.json" footprint_kib p_method)" = '"exact-ties"' ] || fail "p_method: $(cat "$tmp/t3.json")"
$PY -c 'import json,sys; r=json.load(open(sys.argv[1]))["rows"][0]; assert abs(r["p_value"]-0.1)<1e-12, r' \
  "$tmp/t3.json" || fail "p is not 0.100"
# with a margin: inconclusive, one more sample a side (4 vs 4 can reach p = 0.029)
"$BENCH" compare "$tmp/t3a.json" "$tmp/t3b.json" --equivalence 2 >"$tmp/out" 2>&1 || fail "t3 --equivalence: exit $?"
grep -q "inconclusive: about 1 more sample" "$tmp/out" || fail "t3 with a margin: $(cat "$tmp/out")"

# equivalent, different, inconclusive
mk "$tmp/base.json" "bare:same:lower:ms:$tight" "bare:up:lower:ms:$tight" "bare:wide3:lower:ms:50,180,95"
mk "$tmp/new.json" "bare:same:lower:ms:$tight" "bare:up:lower:ms:$tight10" "bare:wide3:lower:ms:52,175,99"
"$BENCH" compare "$tmp/base.json" "$tmp/new.json" --equivalence 2% --format json -o "$tmp/eq.json" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] || fail "10% slower with a 2% margin: exit $rc, expected 1 (regressed): $(cat "$tmp/err")"
[ "$(field "$tmp/eq.json" same verdict)" = '"equivalent"' ] || fail "same: $(field "$tmp/eq.json" same verdict)"
[ "$(field "$tmp/eq.json" up verdict)" = '"regressed"' ] || fail "up: $(field "$tmp/eq.json" up verdict)"
[ "$(field "$tmp/eq.json" wide3 verdict)" = '"inconclusive"' ] || fail "wide3: $(field "$tmp/eq.json" wide3 verdict)"
$PY - "$tmp/eq.json" <<'PY' || fail "json fields of the equivalence"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["options"]["equivalence_pct"] == 2, d["options"]
assert d["counts"]["equivalent"] == 1 and d["counts"]["inconclusive"] == 1, d["counts"]
r = {x["metric"]: x for x in d["rows"]}
assert r["wide3"]["n_more"] > 0, r["wide3"]
lo, hi = r["same"]["ratio_ci90"]
assert 0.98 <= lo <= 1 <= hi <= 1.02, (lo, hi)
PY
"$BENCH" compare "$tmp/base.json" "$tmp/new.json" --equivalence 2 >"$tmp/out" 2>/dev/null
grep -q "equivalence margin ±2%" "$tmp/out" || fail "the title does not state the margin"
grep -q "equivalent within ±2%" "$tmp/out" || fail "no equivalent row in the text: $(cat "$tmp/out")"
grep -Eq ", 1 equivalent, 1 inconclusive;" "$tmp/out" || fail "summary counts: $(tail -1 "$tmp/out")"

# a metric whose base median is 0: the difference, regressed when clearly larger (lower is better)
mk "$tmp/d0.json" "bare:overhead_kib:lower:KiB:-40,-12,-4,0,0,4,12,40"
mk "$tmp/d1.json" "bare:overhead_kib:lower:KiB:472,500,508,512,512,516,524,552"
"$BENCH" compare "$tmp/d0.json" "$tmp/d1.json" >"$tmp/out" 2>/dev/null
rc=$?
[ $rc -eq 1 ] || fail "+512 KiB over a median of 0: exit $rc, expected 1: $(cat "$tmp/out")"
grep -q "+512 KiB  \[+" "$tmp/out" || fail "the difference is not shown in KiB: $(cat "$tmp/out")"
grep "overhead_kib" "$tmp/out" | grep -q regressed || fail "not regressed: $(cat "$tmp/out")"

# the files disagree on `better`: exit 2, the metric named
mk "$tmp/flip.json" "bare:same:higher:ms:$tight" "bare:up:lower:ms:$tight10" "bare:wide3:lower:ms:52,175,99"
"$BENCH" compare "$tmp/base.json" "$tmp/flip.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] || fail "better differs: exit $rc, expected 2"
grep -q "w/bare/same: .*base.json says lower is better, .*flip.json says higher" "$tmp/err" \
  || fail "better differs: the message does not name the metric: $(cat "$tmp/err")"
grep -q "better differs: base says lower is better, new says higher" "$tmp/out" || fail "the row does not say it"

# --equivalence values: a percentage above 0 and below 100
for good in 2 2% 0.5% 99.5; do
  "$BENCH" compare "$tmp/base.json" "$tmp/base.json" --equivalence "$good" >/dev/null 2>"$tmp/err" \
    || fail "--equivalence $good: exit $?: $(cat "$tmp/err")"
done
for bad in 0 -2 100 150 2x "2 %" "" "2%%" 1e1; do
  "$BENCH" compare "$tmp/base.json" "$tmp/new.json" --equivalence "$bad" >/dev/null 2>"$tmp/err"
  rc=$?
  [ $rc -eq 2 ] || fail "--equivalence '$bad': exit $rc, expected 2"
  grep -qF -- "--equivalence: \`$bad\` is not a margin; give a percentage above 0 and below 100, e.g. --equivalence 2%" \
    "$tmp/err" || fail "--equivalence '$bad': $(cat "$tmp/err")"
done

# the overhead table: --overhead and bench report take the margin too
mk "$tmp/ovh.json" "bare:lat:lower:ms:$tight" "ctr:lat:lower:ms:$tight10" "bare:kib:lower:KiB:-40,-12,-4,0,0,4,12,40" \
  "ctr:kib:lower:KiB:472,500,508,512,512,516,524,552"
"$BENCH" compare --overhead "$tmp/ovh.json" --equivalence 2 >"$tmp/out" 2>"$tmp/err" || fail "--overhead: exit $?"
grep "w/lat" "$tmp/out" | grep -q worse || fail "--overhead: $(cat "$tmp/out")"
"$BENCH" compare --overhead "$tmp/ovh.json" --equivalence 0 >/dev/null 2>&1
[ $? -eq 2 ] || fail "--overhead --equivalence 0: expected exit 2"
"$BENCH" report "$tmp/ovh.json" --equivalence 2% -o "$tmp/report.md" 2>"$tmp/err" || fail "report: $(cat "$tmp/err")"
grep -q "Verdict (margin ±2%)" "$tmp/report.md" || fail "the report's overhead table does not state the margin"
grep -q "| +512 KiB" "$tmp/report.md" || fail "the report does not show the difference in KiB"
"$BENCH" report "$tmp/ovh.json" --equivalence 2x -o "$tmp/report2.md" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] || fail "bench report --equivalence 2x: exit $rc, expected 2"
grep -q "bench report: --equivalence: \`2x\` is not a margin" "$tmp/err" || fail "report: $(cat "$tmp/err")"
echo "ok"
