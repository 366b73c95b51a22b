#!/usr/bin/env python3
"""Mann-Whitney p-values of results/compare.c held to full enumeration.

An independent implementation, standard library only: for every split of
the pooled values into sides of the given sizes (itertools.combinations),
the rank sum of the first side from mid-ranks computed directly (1-based
rank of each value = number of smaller values + (number equal + 1) / 2),
and p = min(1, 2 min(P(W <= w), P(W >= w))) in exact fractions. The C side
(tests/unit/mw_p, through cmp_mann_whitney) must agree to 1e-12 and say
how it got p: "exact" without ties, "exact-ties" with them.

usage: mw_exact_check.py PATH/TO/mw_p
"""
import itertools
import random
import subprocess
import sys
from fractions import Fraction


def midrank_sum(side, pooled):
    # twice the rank sum: integers, compared exactly
    return sum(2 * sum(1 for v in pooled if v < x) + sum(1 for v in pooled if v == x) + 1 for x in side)


def exact_p(a, b):
    pooled = a + b
    n, m = len(pooled), len(a)
    w = midrank_sum(a, pooled)
    le = ge = total = 0
    for idx in itertools.combinations(range(n), m):
        s = midrank_sum([pooled[i] for i in idx], pooled)
        total += 1
        le += s <= w
        ge += s >= w
    return min(Fraction(1), 2 * min(Fraction(le, total), Fraction(ge, total)))


def cases():
    rnd = random.Random(14)
    yield [33656.0] * 3, [40000.0] * 3  # the normal approximation says 0.047
    yield [1.0, 2.0, 2.0, 3.0, 4.0], [2.0, 3.0, 3.0, 5.0, 6.0, 6.0]
    yield [5.0] * 4, [5.0] * 4  # everything tied: p = 1
    for _ in range(300):
        na, nb = rnd.randint(1, 8), rnd.randint(1, 8)
        levels = rnd.randint(1, 6)  # few levels: many ties
        shift = rnd.choice([0, 0, 1, 2])
        a = [float(rnd.randint(0, levels)) for _ in range(na)]
        b = [float(rnd.randint(0, levels) + shift) for _ in range(nb)]
        yield a, b
    for _ in range(20):  # larger, still enumerable: C(18, 9) = 48620 splits
        na = rnd.randint(6, 9)
        nb = 18 - na
        a = [float(rnd.randint(0, 4)) for _ in range(na)]
        b = [float(rnd.randint(1, 5)) for _ in range(nb)]
        yield a, b
    for _ in range(30):  # no ties: the exact U branch
        vals = rnd.sample(range(1000), rnd.randint(2, 14))
        k = rnd.randint(1, len(vals) - 1)
        yield [float(v) for v in vals[:k]], [float(v) for v in vals[k:]]


def main():
    prog = sys.argv[1]
    all_cases = list(cases())
    text = "".join(" ".join(repr(x) for x in a) + " ; " + " ".join(repr(x) for x in b) + "\n"
                   for a, b in all_cases)
    out = subprocess.run([prog], input=text, capture_output=True, text=True, check=True).stdout.split("\n")
    bad = 0
    for (a, b), line in zip(all_cases, out):
        p_c, method = line.split()
        want = exact_p(a, b)
        ties = len(set(a + b)) < len(a + b)
        want_method = "exact-ties" if ties else "exact"
        if abs(float(p_c) - float(want)) > 1e-12 or method != want_method:
            print("MISMATCH %s vs %s: C %s (%s), enumeration %.17g (%s)"
                  % (a, b, p_c, method, float(want), want_method))
            bad += 1
    first = out[0].split()
    if abs(float(first[0]) - 0.1) > 1e-12:
        print("[33656]x3 vs [40000]x3: got %s, want 0.100" % first[0])
        bad += 1
    print("%d cases, %d mismatches; [33656]x3 vs [40000]x3: p %s (%s)" % (len(all_cases), bad, first[0], first[1]))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
