#!/usr/bin/env python3
"""bench compare's equivalence verdicts held to an independent implementation.

Standard library only, written from the rule in the README, not from
results/compare.c: for random pairs of samples (no ties; 6 to 20 a side, where both use the exact U distribution;
spreads of 0.5-8%; shifts of -8..+8%) and margins of 2% and 5%,
  - the ratio of medians with a percentile bootstrap (Python's own RNG,
    each side resampled with replacement), its 90% interval (5th, 95th
    percentiles) and 95% interval,
  - the two-sided Mann-Whitney p (the exact null distribution of U, counted
    by the recurrence on (m, n), no ties),
  - the verdict: regressed/improved when p < 0.05 and the ratio is outside
    1 +- margin (lower is better here), equivalent when the 90% interval lies
    inside, inconclusive otherwise,
  - within_pct: how far the 90% interval reaches from 1, in percent.
Both sides bootstrap with other random numbers, so a case is judged only
where the Python intervals are clear of the margin by a quarter of their
width and p is clear of 0.05 (0.035-0.065 skipped); there every verdict must
agree, within_pct must agree to a quarter of the interval's width, and enough
cases of each verdict must have been judged for the check to mean something.

usage: equivalence_check.py PATH/TO/bench
"""
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile

BOOT = 2000


def median(x):
    return statistics.median(x)


def pct(sorted_x, p):
    # type 7 percentile, p in 0..100
    h = (len(sorted_x) - 1) * p / 100
    lo = int(h)
    hi = min(lo + 1, len(sorted_x) - 1)
    return sorted_x[lo] + (h - lo) * (sorted_x[hi] - sorted_x[lo])


def bootstrap(a, b, rnd):
    ratios = []
    for _ in range(BOOT):
        ma = median([a[rnd.randrange(len(a))] for _ in a])
        mb = median([b[rnd.randrange(len(b))] for _ in b])
        ratios.append(mb / ma)
    ratios.sort()
    return pct(ratios, 5), pct(ratios, 95), pct(ratios, 2.5), pct(ratios, 97.5)


def u_counts(m, n):
    # f[m][n][u]: arrangements of m x's and n y's with U = u (Mann & Whitney's recurrence)
    memo = {}

    def f(i, j):
        if (i, j) in memo:
            return memo[(i, j)]
        if i == 0 or j == 0:
            c = [1]
        else:
            left, right = f(i - 1, j), f(i, j - 1)
            c = [0] * (i * j + 1)
            for u, v in enumerate(left):
                c[u + j] += v
            for u, v in enumerate(right):
                c[u] += v
        memo[(i, j)] = c
        return c

    return f(m, n)


def mw_p(a, b):
    # U of a: pairs (x in a, y in b) with x > y; no ties here
    u = sum(1 for x in a for y in b if x > y)
    c = u_counts(len(a), len(b))
    total = sum(c)
    le = sum(c[: u + 1]) / total
    ge = sum(c[u:]) / total
    return min(1.0, 2 * min(le, ge))


def cases(rnd):
    out = []
    for k in range(120):
        n = rnd.randint(6, 20)
        cv = rnd.choice([0.005, 0.01, 0.02, 0.04, 0.08])
        shift = rnd.choice([0.0, 0.0, 0.005, -0.01, 0.03, -0.05, 0.08, -0.08, 0.15])
        a = [1000 * (1 + rnd.gauss(0, cv)) for _ in range(n)]
        b = [1000 * (1 + shift) * (1 + rnd.gauss(0, cv)) for _ in range(n)]
        # distinct values: the exact no-ties U distribution applies on both sides
        a = [round(v, 6) + i * 1e-9 for i, v in enumerate(a)]
        b = [round(v, 6) + 0.5e-9 + i * 1e-9 for i, v in enumerate(b)]
        out.append((f"m{k}", a, b))
    return out


def result_file(path, series):
    def stats(x):
        s = sorted(x)
        mean = statistics.fmean(s)
        sd = statistics.stdev(s)
        return {"n": len(s), "mean": mean, "median": median(s), "stddev": sd, "cv": sd / mean,
                "min": s[0], "max": s[-1], "p05": s[0], "p95": s[-1], "ci95_low": s[0],
                "ci95_high": s[-1], "ci_level": 0.95, "outliers": []}

    d = {"schema": "bench.result/1", "complete": True, "interrupted": None,
         "started_at": "2026-01-01T00:00:00Z", "finished_at": "2026-01-01T00:01:00Z",
         "repetitions_done": 3,
         "host": {"hostname": "h", "kernel": "6.1", "cpu_model": "cpu", "cores": 2, "memory_kib": 1024,
                  "cgroup_mode": "hybrid", "bench_version": "0.1.0"},
         "suite": {"name": "made"}, "pinning": None, "results": [], "skipped": [], "errors": [],
         "notes": []}
    for metric, x in series:
        d["results"].append({"workload": "w", "kind": "cpu", "configuration": "bare", "config_kind": "bare",
                             "metric": metric, "unit": "ms", "better": "lower", "samples": x,
                             "stats": stats(x)})
    with open(path, "w") as f:
        json.dump(d, f)


def main():
    bench = sys.argv[1]
    rnd = random.Random(1414)
    all_cases = cases(rnd)
    judged, counts, bad = 0, {}, []
    with tempfile.TemporaryDirectory() as tmp:
        base, new = os.path.join(tmp, "base.json"), os.path.join(tmp, "new.json")
        result_file(base, [(m, a) for m, a, _ in all_cases])
        result_file(new, [(m, b) for m, _, b in all_cases])
        for margin in (2.0, 5.0):
            out = subprocess.run([bench, "compare", base, new, "--equivalence", f"{margin}%", "--format",
                                  "json"], capture_output=True, text=True)
            if out.returncode not in (0, 1):
                sys.exit(f"bench compare exited {out.returncode}: {out.stderr}")
            rows = {r["metric"]: r for r in json.loads(out.stdout)["rows"]}
            m = margin / 100
            for metric, a, b in all_cases:
                r = rows[metric]
                ratio = median(b) / median(a)
                lo90, hi90, lo95, hi95 = bootstrap(a, b, rnd)
                p = mw_p(a, b)
                width = hi90 - lo90
                if 0.035 < p < 0.065:
                    continue
                if p < 0.05 and abs(abs(ratio - 1) - m) > 0.002:
                    want = ("regressed" if ratio > 1 else "improved") if abs(ratio - 1) > m else None
                else:
                    want = None
                if want is None:
                    clear_in = lo90 > 1 - m + width / 4 and hi90 < 1 + m - width / 4
                    clear_out = lo90 < 1 - m - width / 4 or hi90 > 1 + m + width / 4
                    if p < 0.05 and abs(ratio - 1) > m:
                        continue  # decided above when clear
                    if not (clear_in or clear_out):
                        continue
                    want = "equivalent" if clear_in else "inconclusive"
                judged += 1
                counts[want] = counts.get(want, 0) + 1
                if abs(r["p_value"] - p) > 1e-9:
                    bad.append(f"{metric} at {margin}%: p {r['p_value']} vs {p}")
                if r["verdict"] != want:
                    bad.append(f"{metric} at {margin}%: bench says {r['verdict']}, the check {want} "
                               f"(ratio {ratio:.4f}, 90% [{lo90:.4f}, {hi90:.4f}], p {p:.4f})")
                within = max(1 - lo90, hi90 - 1, 0) * 100
                if abs(r["within_pct"] - within) > width * 100 / 4 + 1e-9:
                    bad.append(f"{metric} at {margin}%: within_pct {r['within_pct']:.3f} vs {within:.3f}")
    print(f"equivalence_check: {judged} verdicts judged ({counts}), {len(bad)} disagreements")
    for line in bad:
        print("  " + line)
    for v in ("equivalent", "inconclusive", "regressed", "improved"):
        if counts.get(v, 0) < 5:
            sys.exit(f"too few '{v}' cases judged ({counts.get(v, 0)}): the check would mean little")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
