#!/usr/bin/env bash
# A million samples a series (result files from CI artifacts can be that
# big): compare (every format, and --overhead), plot, report and trend
# complete; compare finds a 10% regression and no change in an A/A pair,
# with intervals around the true ratios; the plot output stays small.
# Durations are printed, not asserted (this host is shared).
source "$(dirname "$0")/common.bash"
need_root
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/suite.json" <<JSON
{ "name": "scale", "repetitions": 3, "warmup": 0,
  "configurations": [ { "name": "bare", "kind": "bare" }, { "name": "bare2", "kind": "bare" } ],
  "workloads": [ { "kind": "startup" } ] }
JSON
"$BENCH" run "$tmp/suite.json" -o "$tmp/tmpl.json" --quiet || fail "bench run exited $?"

# ready_ms of both configurations: 1e6 lognormal samples rounded to 1 us
# (ties), medians 1 ms and 1.2 ms; NEW: bare 10% slower; AA: another draw
$PY - "$tmp" <<'PY' || fail "cannot make the big result files"
import json, math, random, sys
tmp = sys.argv[1]
def stats(x):
    s = sorted(x); n = len(s); m = sum(x) / n
    q = lambda p: (lambda h, lo: s[lo] + (h - lo) * (s[min(lo + 1, n - 1)] - s[lo]))((n - 1) * p, int((n - 1) * p))
    sd = math.sqrt(sum((v - m) ** 2 for v in x) / (n - 1))
    j = int(n / 2 - 0.98 * math.sqrt(n))
    return {"n": n, "mean": m, "median": q(0.5), "stddev": sd, "cv": sd / m, "min": s[0], "max": s[-1],
            "p05": q(0.05), "p95": q(0.95), "ci95_low": s[j - 1], "ci95_high": s[n - j], "ci_level": 0.95,
            "outliers": []}
for name, seed, slower in (("base", 1, 1.0), ("new", 2, 1.10), ("aa", 3, 1.0)):
    d = json.load(open(tmp + "/tmpl.json"))
    rnd = random.Random(seed)
    for r in d["results"]:
        if r["metric"] != "ready_ms":
            continue
        scale = (slower if r["configuration"] == "bare" else 1.2)
        r["samples"] = [round(scale * math.exp(rnd.gauss(0, 0.25)), 3) for _ in range(1000000)]
        r["stats"] = stats(r["samples"])
    json.dump(d, open(f"{tmp}/{name}.json", "w"))
PY

timed() {  # what, command...: runs it, prints its wall time
  local what=$1 t0 rc; shift
  t0=$(date +%s.%N)
  "$@"; rc=$?
  printf '%s: %.2f s (exit %d)\n' "$what" "$(echo "$(date +%s.%N) - $t0" | bc)" $rc >&2
  return $rc
}

timed "compare json" "$BENCH" compare "$tmp/base.json" "$tmp/new.json" --format json >"$tmp/cmp.json"
rc=$?
[ $rc -eq 1 ] || fail "a 10% slower bare: exit $rc, expected 1"
$PY - "$tmp/cmp.json" <<'PY' || fail "compare of 1e6 samples: $(cat "$tmp/cmp.json")"
import json, sys
rows = {(r["configuration"], r["metric"]): r for r in json.load(open(sys.argv[1]))["rows"]}
bare, b2 = rows[("bare", "ready_ms")], rows[("bare2", "ready_ms")]
assert bare["base_n"] == bare["new_n"] == 1000000, bare
assert bare["verdict"] == "regressed", bare
lo, hi = bare["ratio_ci95"]
assert lo <= bare["ratio"] <= hi and 1.09 < lo and hi < 1.11 and hi - lo < 0.01, bare
assert b2["verdict"] == "unchanged", b2
lo, hi = b2["ratio_ci95"]
assert lo <= b2["ratio"] <= hi and 0.99 < lo and hi < 1.01, b2
PY
for f in text markdown junit; do
  timed "compare $f" "$BENCH" compare "$tmp/base.json" "$tmp/new.json" --format $f >"$tmp/cmp.$f"
  [ $? -eq 1 ] || fail "compare --format $f: expected exit 1"
  grep -q regressed "$tmp/cmp.$f" || fail "compare --format $f says no regression: $(cat "$tmp/cmp.$f")"
done
timed "compare A/A" "$BENCH" compare "$tmp/base.json" "$tmp/aa.json" >"$tmp/aa.txt" \
  || fail "A/A of 1e6 samples: exit $?: $(cat "$tmp/aa.txt")"
timed "compare --overhead" "$BENCH" compare --overhead "$tmp/new.json" >"$tmp/ov.txt" \
  || fail "--overhead: exit $?"
grep -q "bare2" "$tmp/ov.txt" || fail "--overhead has no bare2 row: $(cat "$tmp/ov.txt")"

# plots: bounded whatever n (2000 dots a configuration at most)
timed "plot" "$BENCH" plot "$tmp/new.json" --compare "$tmp/base.json" -o "$tmp/plots" >/dev/null \
  || fail "plot: exit $?"
size=$(du -sb "$tmp/plots" | cut -f1)
echo "plot output: $size bytes" >&2
[ "$size" -lt 5000000 ] || fail "plots of 1e6 samples take $size bytes"
grep -q "evenly spaced quantiles" "$tmp/plots/startup-ready_ms-distribution.gp" \
  || fail "the distribution figure does not say its dots are quantiles"
rows=$(grep -cv '^#\|^$' "$tmp/plots/startup-ready_ms-distribution.dat")
[ "$rows" -le 4004 ] || fail "the distribution data has $rows rows"

for ext in md html; do
  timed "report $ext" "$BENCH" report "$tmp/new.json" --compare "$tmp/base.json" -o "$tmp/x.$ext" >/dev/null \
    || fail "report .$ext: exit $?"
  [ -s "$tmp/x.$ext" ] || fail "report .$ext is empty"
done
mkdir "$tmp/hist"
cp "$tmp/base.json" "$tmp/hist/1.json"
cp "$tmp/new.json" "$tmp/hist/2.json"
timed "trend" "$BENCH" trend "$tmp/hist" -o "$tmp/trend" >/dev/null || fail "trend: exit $?"
[ -s "$tmp/trend/trend.md" ] || fail "trend wrote no trend.md"
echo "ok"
