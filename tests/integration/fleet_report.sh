#!/usr/bin/env bash
# bench fleet report and bench compare of two fleet dirs (issue 15) on
# result files of five real runs (bare + container, startup and cpu), made
# into a fleet of hosts a..e by rewriting host.hostname (d gets another CPU
# model: a second fingerprint group). Checks:
#  - the report (md, html) with its figures, e's container made 10x slower
#    (its samples edited) named as standing out and no other host for that
#    metric, the two groups;
#  - refused with the file named: another schema version, another suite, a
#    host twice, a symlink, a .json that is no JSON; other files are ignored;
#  - fleet.json nodes without results (timeout, cancelled) and a partial
#    result shown with their states;
#  - bench compare DIR_A DIR_B: 0 for the same dirs (every format), 1 with
#    one host regressed (its samples edited) and that host named, 2 for an
#    unusable dir;
#  - a host and a file named with HTML, Markdown, gnuplot and shell
#    metacharacters reach the report, the figures and the terminal inert.
source "$(dirname "$0")/common.bash"
need_container
command -v gnuplot >/dev/null || skip "gnuplot is not installed (scripts/setup installs gnuplot-nox)"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export BENCH_WORKDIR="$tmp/work"; mkdir -p "$BENCH_WORKDIR"
cd "$tmp" || fail "cd"

cat > suite.json <<'JSON'
{ "name": "fleet-tiny", "repetitions": 7, "warmup": 1, "seed": 3,
  "configurations": [ { "name": "bare", "kind": "bare" },
                      { "name": "container", "kind": "container" } ],
  "workloads": [ { "kind": "startup", "params": { "runs": 3 } },
                 { "kind": "cpu", "params": { "duration": "20ms" } } ] }
JSON
for i in 1 2 3 4 5; do
  "$BENCH" run suite.json -o "run$i.json" --quiet || fail "bench run $i exited $?"
done

# the fleet: runs 1..5 as hosts a..e; d another CPU; e's container 10x slower on cpu (far beyond
# the spread between real runs, which reached +-50% under ASan on a busy host)
$PY - <<'PY' || fail "cannot make the fleet"
import json, os
os.makedirs("A", exist_ok=True)
for i, h in enumerate("abcde", 1):
    d = json.load(open("run%d.json" % i))
    d["host"]["hostname"] = h
    d["host"].pop("allocation", None)
    if h == "d":
        d["host"]["cpu_model"] = "Other CPU 9000"
    if h == "e":
        for r in d["results"]:
            if r["configuration"] == "container" and r["workload"] == "cpu":
                r["samples"] = [x / 10 for x in r["samples"]]
    json.dump(d, open("A/%s.json" % h, "w"))
PY
echo "not a result" > A/notes.txt   # not *.json: ignored

"$BENCH" fleet report A -o out/report.md >out.txt 2>err.txt || fail "fleet report exited $?: $(cat err.txt)"
[ -d out ] || fail "-o in a missing dir: the dir was not made"
"$BENCH" fleet report A -o out/report.html --quiet >out2.txt 2>>err.txt || fail "fleet report html exited $?"
[ -s out2.txt ] && fail "--quiet printed: $(cat out2.txt)"
cat out.txt
ls out/report-plots/*.png >/dev/null 2>&1 || fail "no PNG figures: $(cat err.txt)"
ls out/report-plots/*.svg >/dev/null 2>&1 || fail "no SVG figures"
ls out/report-plots/ | grep -q 'fleet-cpu-container-ops_per_s.png' || fail "no figure for cpu/container/ops_per_s"
$PY - <<'PY' || fail "the report"
import re
md = open("out/report.md").read()
html = open("out/report.html").read()
out = open("out.txt").read()
# e stands out for cpu/container, and only e
sec = md.split("## Hosts that stand out")[1].split("\n## ")[0]
rows = [l for l in sec.splitlines() if "| cpu | container | ops_per_s |" in l]
hosts = sorted(l.split("|")[1].strip() for l in rows)
assert hosts == ["e"], "stand-outs for cpu/container/ops_per_s: %s\n%s" % (hosts, sec)
assert re.search(r"cpu/container/ops_per_s: median .*\n    stands out: e -[89]\d\.\d%", out), out
# two fingerprint groups, d alone in its own
grp = md.split("## Hosts by fingerprint")[1].split("\n## ")[0]
assert "| G2 | Other CPU 9000 |" in grp and grp.rstrip().count("| G") >= 2, grp
assert re.search(r"\| G1 \|[^\n]*\| a, b, c, e \|", grp), grp
assert "The median overhead of each group" in grp
# the across-hosts table: five hosts for cpu/container
acr = md.split("## Across hosts")[1].split("\n## ")[0]
assert re.search(r"\| cpu \| container \| ops_per_s \| 5 \|", acr), acr
# no fleet.json: said
assert "No fleet.json" in md
assert "<h2>Hosts that stand out</h2>" in html and "<td>e</td>" in html
assert "report-plots/fleet-cpu-container-ops_per_s.png" in html
PY
echo "ok: report, stand-out, groups"

# refusals, each naming its file (a fresh copy of A each time)
refuse() { # refuse WHAT EXPECTED-TEXT: the last made dir R must be refused with exit 2
  "$BENCH" fleet report R -o out/r.md >/dev/null 2>err.txt; local rc=$?
  [ $rc -eq 2 ] || fail "$1: exit $rc, expected 2 ($(cat err.txt))"
  grep -qF -- "$2" err.txt || fail "$1: the message does not say \`$2\`: $(cat err.txt)"
  echo "ok: refused $1: $(head -c 300 err.txt)"
}
fresh() { rm -rf R; cp -r A R; }
fresh; $PY -c 'import json; d=json.load(open("R/b.json")); d["schema"]="bench.result/2"; json.dump(d, open("R/b.json","w"))'
refuse "another schema version" "R/b.json"
grep -q 'bench.result/2' err.txt || fail "the schema version is not named"
fresh; $PY -c 'import json; d=json.load(open("R/c.json")); d["suite"]["name"]="other"; json.dump(d, open("R/c.json","w"))'
refuse "another suite" "R/c.json: the results of another suite"
fresh; cp R/a.json R/a2.json
refuse "a host twice" "host \`a\` again"
fresh; ln -s "$tmp/run1.json" R/link.json
refuse "a symlink" "R/link.json is a symbolic link"
fresh; echo '{"schema": ' > R/broken.json
refuse "a .json that is no JSON" "R/broken.json"
fresh; rm R/*.json
refuse "a dir without results" "holds no result file"
fresh; (cd R && seq -f 'x%g.json' 1 10001 | xargs touch)
refuse "a huge dir" "more than the 10000 a fleet report reads"

# fleet.json: nodes that brought nothing, and e's result partial after a timeout
fresh
$PY - <<'PY' || fail "cannot write fleet.json"
import json
d = json.load(open("R/e.json")); d["complete"] = False; d["interrupted"] = "SIGTERM"
json.dump(d, open("R/e.json", "w"))
# nodes named otherwise than the hosts: matched by their result file
nodes = [{"node": "cn-" + h, "state": "done", "reason": None, "exit_code": 0, "result": h + ".json"} for h in "abcd"]
nodes.append({"node": "cn-e", "state": "timeout", "reason": "DUE TO TIME LIMIT", "exit_code": None, "result": "e.json"})
nodes.append({"node": "f", "state": "timeout", "reason": "DUE TO TIME LIMIT", "exit_code": None, "result": None})
nodes.append({"node": "g", "state": "cancelled", "reason": "cancelled by user", "exit_code": None, "result": None})
nodes.append({"node": "h", "state": "failed", "reason": "exit 1", "exit_code": 1, "result": None})
m = {"schema": "bench-fleet/1", "suite": "suite.json", "suite_name": "fleet-tiny", "scheduler": "slurm",
     "job_id": "42", "transport": "shared", "submitted_at": "2026-12-02T04:00:00Z",
     "ended_at": "2026-12-02T04:10:00Z", "state": "TIMEOUT", "interrupted": False, "nodes": nodes}
json.dump(m, open("R/fleet.json", "w"), indent=1)
PY
"$BENCH" fleet report R -o out/m.md >out.txt 2>err.txt || fail "fleet report with fleet.json exited $?: $(cat err.txt)"
$PY - <<'PY' || fail "nodes without results"
md = open("out/m.md").read()
sec = md.split("## Nodes without results")[1].split("\n## ")[0]
assert "| f | timeout | DUE TO TIME LIMIT | - |" in sec, sec
assert "| g | cancelled | cancelled by user | - |" in sec, sec
assert "| h | failed | exit 1 | 1 |" in sec, sec
assert "| e |" not in sec and "cn-" not in sec, sec
hosts = md.split("## Hosts")[1].split("\n## ")[0]
assert "partial: node timeout, run SIGTERM" in hosts, hosts
assert "job state TIMEOUT, 3 nodes without a result" in md, md[:600]
PY
grep -q "R/e.json is incomplete (SIGTERM)" err.txt || fail "no warning for the partial file: $(cat err.txt)"
grep -q "no result from node f (timeout" out.txt || fail "the summary does not name node f: $(cat out.txt)"
echo "ok: fleet.json nodes and a partial result"

# bench compare of two fleet dirs
for fmt in text markdown junit json; do
  "$BENCH" compare A A --format $fmt -o "cmp.$fmt" 2>err.txt; rc=$?
  [ $rc -eq 0 ] || fail "compare A A --format $fmt: exit $rc ($(cat err.txt))"
done
$PY - <<'PY' || fail "compare A A outputs"
import json, xml.dom.minidom
d = json.load(open("cmp.json"))
assert d["mode"] == "fleet-compare" and d["counts"]["hosts"] == 5 and d["counts"]["regressed_hosts"] == 0, d["counts"]
assert sorted(h["host"] for h in d["hosts"]) == list("abcde")
doc = xml.dom.minidom.parse("cmp.junit")
assert len(doc.getElementsByTagName("testsuite")) == 5
assert "5 hosts compared, 0 with a regression" in open("cmp.text").read()
assert "### host c" in open("cmp.markdown").read()
PY
rm -rf B; cp -r A B; rm B/a.json
$PY - <<'PY' || fail "cannot make B"
import json
d = json.load(open("B/c.json"))
for r in d["results"]:
    if r["workload"] == "cpu" and r["configuration"] == "container":
        r["samples"] = [x * 0.5 for x in r["samples"]]
json.dump(d, open("B/c.json", "w"))
PY
"$BENCH" compare A B --format json -o cmp2.json 2>err.txt; rc=$?
[ $rc -eq 1 ] || fail "compare with host c regressed: exit $rc, expected 1 ($(cat err.txt))"
grep -q "1 of 4 hosts regressed: c" err.txt || fail "the regressed host is not named: $(cat err.txt)"
grep -q "host a (A/a.json) is only in the base" err.txt || fail "a host only in the base is not listed: $(cat err.txt)"
$PY - <<'PY' || fail "compare A B json"
import json
d = json.load(open("cmp2.json"))
reg = [h["host"] for h in d["hosts"] if h["regressed"]]
assert reg == ["c"], reg
assert d["only_in_base"] == ["a"] and d["only_in_new"] == []
PY
"$BENCH" compare A nonexistent 2>err.txt; rc=$?
[ $rc -eq 2 ] || fail "compare with a missing dir: exit $rc, expected 2"
rm -rf E; mkdir E
"$BENCH" compare A E 2>err.txt; rc=$?
[ $rc -eq 2 ] || fail "compare with an empty dir: exit $rc, expected 2"
grep -q "holds no result file" err.txt || fail "empty dir: $(cat err.txt)"
fresh; $PY -c 'import json; d=json.load(open("R/b.json")); d["schema"]="bench.result/2"; json.dump(d, open("R/b.json","w"))'
"$BENCH" compare A R 2>err.txt; rc=$?
[ $rc -eq 2 ] || fail "compare with another schema version in a dir: exit $rc, expected 2"
grep -q "R/b.json" err.txt || fail "the file of another version is not named: $(cat err.txt)"
rm -rf C; mkdir C; $PY -c '
import json
for h in "xy":
    d = json.load(open("A/a.json")); d["host"]["hostname"] = h; json.dump(d, open("C/%s.json" % h, "w"))'
"$BENCH" compare A C 2>err.txt; rc=$?
[ $rc -eq 2 ] || fail "compare without a host in common: exit $rc, expected 2"
grep -q "no host in common" err.txt || fail "no host in common: $(cat err.txt)"
$PY -c 'import json; d=json.load(open("C/x.json")); d["host"]["kernel"]="0.0-other"; d["host"]["hostname"]="a"; json.dump(d, open("C/x.json","w"))'
"$BENCH" compare A C --strict-env 2>err.txt; rc=$?
[ $rc -eq 2 ] || fail "--strict-env with another kernel on host a: exit $rc, expected 2"
"$BENCH" compare A C 2>err.txt >cmp3.txt; rc=$?
[ $rc -eq 0 ] || fail "another kernel without --strict-env: exit $rc, expected 0 ($(cat err.txt))"
grep -q "FINGERPRINT DIFFERS: kernel" cmp3.txt && grep -q "THE ENVIRONMENTS DIFFER" err.txt || fail "a differing fingerprint is not said loudly"
echo "ok: compare of fleet dirs"

# hostile host and file names: inert in Markdown, HTML, gnuplot and the terminal
rm -rf H; cp -r A H; rm H/a.json
evil=$'<script>alert(1)</script>|`touch '"$tmp"$'/pwned-bt`"\'$(touch '"$tmp"$'/pwned-d)\n# h\x1b[31m'
EVIL="$evil" $PY - <<'PY' || fail "cannot make the hostile host"
import json, os
d = json.load(open("A/a.json")); d["host"]["hostname"] = os.environ["EVIL"]
json.dump(d, open("H/we|ird `x` <b>.json", "w"))
PY
"$BENCH" fleet report H -o out/h.md >h.txt 2>err.txt || fail "fleet report with a hostile host exited $?: $(cat err.txt)"
"$BENCH" fleet report H -o out/h.html --quiet 2>>err.txt || fail "fleet report html with a hostile host exited $?"
ls "$tmp"/pwned-* >/dev/null 2>&1 && fail "a command ran from a host name"
grep -q $'\x1b' h.txt err.txt && fail "an escape sequence reached the terminal"
grep -qF '<script>alert' out/h.html && fail "a raw <script> in the HTML"
$PY "$BENCH_SOURCE_DIR/tests/integration/check_report_html.py" out/h.html --figures 1 || fail "the hostile host's HTML report"
grep -qF '<b>.json' out/h.html && fail "a raw <b> in the HTML"
grep -qF '&lt;script&gt;' out/h.html || fail "the hostile host is missing from the HTML"
$PY - <<'PY' || fail "the hostile host in Markdown"
md = open("out/h.md").read()
assert "<script>" not in md.replace("\\<script\\>", ""), "raw <script> in Markdown"
# every table row keeps its cells: the host's | is escaped
for l in md.split("## Hosts\n")[1].split("\n## ")[0].splitlines():
    if l.startswith("| ") and "script" in l:
        assert l.count("|") - l.count("\\|") == 7, l
PY
if command -v cmark-gfm >/dev/null; then
  cmark-gfm -e table out/h.md > h.rendered.html
  grep -qF '<script>' h.rendered.html && fail "the rendered Markdown has a <script>"
  grep -q '<h1>h' h.rendered.html && fail "a newline in a host name made a heading"
fi
ls out/h-plots/*.png >/dev/null 2>&1 || fail "no figures with a hostile host: $(cat err.txt)"
echo "ok: hostile names inert"
echo "ok"
