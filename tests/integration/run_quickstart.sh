#!/usr/bin/env bash
# The quickstart suite end to end on this host: a valid result file whose
# bare values are sane, container/vm either measured or skipped with a
# reason, and nothing left behind.
source "$(dirname "$0")/common.bash"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
before=$(leftovers)
"$BENCH" run "$BENCH_SOURCE_DIR/suites/quickstart.json" -o "$tmp/q.json" --repetitions 3 --seed 42 --quiet 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || fail "bench run exited $rc: $(cat "$tmp/err")"
checks="--check complete --check quickstart-bare --check skips"
# as root with busybox and overlayfs the container rows must be real results
[ "$(id -u)" -eq 0 ] && [ -x /bin/busybox ] && checks="$checks --check quickstart-container"
check_result "$tmp/q.json" $checks || fail "result checks"
after=$(leftovers)
[ "$before" = "$after" ] || fail "left behind: $(comm -13 <(echo "$before") <(echo "$after"))"
# the report opens with the answer: every measured configuration against bare, with its start
# latency ratio and its memory overhead per environment
"$BENCH" report "$tmp/q.json" -o "$tmp/report/q.md" >/dev/null 2>&1 || fail "bench report"
$PY - "$tmp/q.json" "$tmp/report/q.md" <<'PY' || fail "the headline"
import json, re, sys
d = json.load(open(sys.argv[1]))
doc = open(sys.argv[2]).read()
assert doc.index("\n## Summary\n") < doc.index("\n## Plots\n") < doc.index("\n## Host\n"), "section order"
summary = doc.split("\n## Summary\n", 1)[1].split("\n## ", 1)[0]
measured = {r["configuration"] for r in d["results"]} - {"bare"}
assert measured, "nothing but bare measured"
change = r"(×[0-9,.]+|÷[0-9,.]+|[+-][0-9.]+%) \\\[" # a factor or a percentage, then its interval
for cfg in sorted(measured):
    m = re.search(r"\n### " + re.escape(cfg) + r" vs bare[^\n]*\n(.*?)(?=\n### |\Z)", summary, re.S)
    assert m, "no headline table for %s:\n%s" % (cfg, summary)
    t = m.group(1)
    start = re.search(r"^\| Start latency \| [^|]+s \| [^|]+s \| " + change, t, re.M)
    assert start, "%s: no start latency ratio:\n%s" % (cfg, t)
    mem = re.search(r"^\| Memory overhead per environment \| - \| [-0-9.,]+ (KiB|MiB|GiB) \|", t, re.M)
    assert mem, "%s: no memory overhead:\n%s" % (cfg, t)
    assert t.startswith("\nStart latency: "), "%s: the sentence does not lead with the start" % cfg
    print("%s: %s / %s" % (cfg, start.group(0).split("|")[4].strip(), mem.group(0).split("|")[3].strip()))
PY
# the same seed gives the same configuration order: the recorded seed is the one used
grep -q '"seed":[[:space:]]*42' "$tmp/q.json" || fail "seed 42 not recorded"
echo "ok"
