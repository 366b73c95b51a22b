#!/usr/bin/env bash
# An HTML report is one file that works offline and when mailed (issue 17):
#  - a real small run (bare twice, cpu and startup), its names made hostile afterwards (a workload
#    `</text><script>..`, a configuration with quotes, <script> and javascript:, a suite name that
#    closes <title>), bench report -o into dirs that do not exist yet: they are made;
#  - check_report_html.py: balanced tags, nothing external, the CSP with the script's hash, the
#    figures as data: URIs of valid SVG whose .gp/.dat links exist, every table sortable;
#  - the hostile names are text: escaped in the page, inside the base64 SVGs only as SVG text;
#  - the sort script (taken from the report) orders "+3.1% [..]", "×10,508", "1.80 s" by number and
#    "-" last, both ways (node with a minimal DOM; skipped with a note without node);
#  - the Markdown report links each figure's .gp and .dat; bench fleet report, trend, compare and
#    run make their -o dirs too; a -o that cannot be made is bad input (exit 2) naming the path.
source "$(dirname "$0")/common.bash"
command -v gnuplot >/dev/null || skip "gnuplot is not installed (scripts/setup installs gnuplot-nox)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || fail "cannot enter $tmp"
check_html() { "$PY" "$BENCH_SOURCE_DIR/tests/integration/check_report_html.py" "$@"; }

cat > suite.json <<'JSON'
{ "name": "report-html", "repetitions": 2, "warmup": 0,
  "configurations": [ { "name": "bare", "kind": "bare" }, { "name": "other", "kind": "bare" } ],
  "workloads": [ { "kind": "cpu", "params": { "duration": "50ms" } },
                 { "kind": "startup", "params": { "runs": 3 } } ] }
JSON
"$BENCH" run suite.json -o runs/new/r.json --quiet || fail "bench run -o runs/new/r.json exited $?"
[ -s runs/new/r.json ] || fail "bench run did not make runs/new/"

$PY - runs/new/r.json evil.json <<'PY' || fail "cannot edit the names"
import json, sys
d = json.load(open(sys.argv[1]))
wl = '</text><script>alert(1)</script>'
cfg = 'o"\'<script>alert(2)</script>javascript:alert(3)'
d["suite"]["name"] = 's</title><script>alert(4)</script>'
for c in d["suite"]["configurations"]:
    if c["name"] == "other": c["name"] = cfg
for w in d["suite"]["workloads"]:
    if w["name"] == "cpu": w["name"] = wl
for r in d["results"]:
    if r["configuration"] == "other": r["configuration"] = cfg
    if r["workload"] == "cpu": r["workload"] = wl
json.dump(d, open(sys.argv[2], "w"))
PY

"$BENCH" report evil.json -o "$tmp/new/dir/r.html" 2>err.txt || fail "bench report exited $?: $(cat err.txt)"
[ -d new/dir/r-plots ] || fail "no figure files next to the report"
check_html new/dir/r.html --figures 4 \
  --h2 "Host,Configurations,Overhead vs bare,Results,Plots,Notes,Skipped,Errors" || fail "the HTML report"
echo "ok: one file, strict, nothing external, figures inline"

# hostile names: never markup, never a link
grep -q '<script>alert' new/dir/r.html && fail "a raw <script> from a name"
grep -qi 'href="javascript' new/dir/r.html && fail "a javascript: link"
grep -qF '&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;' new/dir/r.html || fail "the workload name is not shown, escaped"
grep -qF 'o&quot;&#39;&lt;script&gt;alert(2)&lt;/script&gt;javascript:alert(3)' new/dir/r.html || fail "the configuration name is not shown, escaped"
grep -qF '<title>bench report: s&lt;/title&gt;&lt;script&gt;alert(4)' new/dir/r.html || fail "the title is not escaped"
$PY - new/dir/r.html <<'PY' || fail "the embedded SVGs"
import base64, re, sys, xml.etree.ElementTree as ET
html = open(sys.argv[1]).read()
texts = []
for m in re.finditer(r'<img src="data:image/svg\+xml;base64,([^"]+)"', html):
    root = ET.fromstring(base64.b64decode(m.group(1)))
    assert not list(root.iter("{http://www.w3.org/2000/svg}script")), "a script element in a figure"
    texts += ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
# the names are drawn, as the SVG's text (and the SVG is only ever an image)
assert any("</text><script>alert(1)</script>" in t for t in texts), texts
assert any("<script>alert(2)</script>" in t for t in texts), texts
PY
echo "ok: hostile names inert"

# the sort script of the report, on a table of the formats bench writes
if command -v node >/dev/null; then
  $PY - new/dir/r.html > sort.js <<'PY' || fail "no script in the report"
import sys
h = open(sys.argv[1]).read()
print(h.split("<script>", 1)[1].split("</script>", 1)[0])
PY
  node - "$tmp/sort.js" <<'JS' || fail "the sort script"
const fs = require("fs"), vm = require("vm");
const vals = ["+3.1% [+1.0, +5.2]", "-", "×10,508", "1.80 s", "-12.5% [-14.0, -11.0]", "abc", "",
              "\u22122", "900"];
function node(t) { return {textContent: t, a: {}, setAttribute(k, v) { this.a[k] = v; },
                           getAttribute(k) { return k in this.a ? this.a[k] : null; }}; }
const body = {rows: vals.map((v, i) => ({cells: [node("r" + i), node(v)]})),
              appendChild(r) { this.rows.splice(this.rows.indexOf(r), 1); this.rows.push(r); }};
const table = {tBodies: [body]};
const ths = [0, 1].map(i => Object.assign(node("h" + i), {cellIndex: i, l: {},
        closest: () => table, addEventListener(e, f) { this.l[e] = f; }}));
ths.forEach(th => th.parentNode = {cells: ths});
const ctx = {document: {querySelectorAll: s => s === "table.sortable th" ? ths : []}};
vm.runInNewContext(fs.readFileSync(process.argv[2], "utf8"), ctx);
const order = () => body.rows.map(r => r.cells[1].textContent);
const want_up = ["-12.5% [-14.0, -11.0]", "\u22122", "1.80 s", "+3.1% [+1.0, +5.2]", "900", "×10,508", "abc",
                 "-", ""];
const want_down = ["abc", "×10,508", "900", "+3.1% [+1.0, +5.2]", "1.80 s", "\u22122", "-12.5% [-14.0, -11.0]",
                   "-", ""];
ths[1].l.click();
if (JSON.stringify(order()) !== JSON.stringify(want_up)) { console.error("ascending:", order()); process.exit(1); }
if (ths[1].a["aria-sort"] !== "ascending" || ths[0].a["aria-sort"] !== "none") { console.error(ths); process.exit(1); }
ths[1].l.click();
if (JSON.stringify(order()) !== JSON.stringify(want_down)) { console.error("descending:", order()); process.exit(1); }
ths[0].l.click(); /* text with numbers in it: r0 < r2 < r10 */
if (body.rows[0].cells[0].textContent !== "r0" || body.rows[8].cells[0].textContent !== "r8") {
  console.error("by name:", body.rows.map(r => r.cells[0].textContent)); process.exit(1); }
JS
  echo "ok: the sort script orders numbers by value, '-' last, both ways"
else
  echo "note: node is not installed: the sort script was not run (the page works without it)"
fi

# Markdown: the image, and the figure's files linked
"$BENCH" report evil.json -o new/md/r.md 2>err.txt || fail "bench report .md exited $?: $(cat err.txt)"
$PY - new/md/r.md <<'PY' || fail "the Markdown report's figure links"
import os, re, sys, urllib.parse
md = open(sys.argv[1]).read(); base = os.path.dirname(sys.argv[1])
links = re.findall(r"\]\(([^)]+\.(png|svg|gp|dat))\)", md)
kinds = [k for _, k in links]
assert kinds.count("png") >= 8 and kinds.count("gp") >= 4 and kinds.count("dat") == kinds.count("gp"), kinds
for t, _ in links:
    assert os.path.isfile(os.path.join(base, urllib.parse.unquote(t))), t
PY
echo "ok: Markdown links the .gp and .dat"

# the other commands with -o make their dirs
for h in a b; do
  $PY - runs/new/r.json "F/$h.json" "$h" <<'PY' || fail "cannot make the fleet dir"
import json, os, sys
d = json.load(open(sys.argv[1])); d["host"]["hostname"] = sys.argv[3]; d["host"].pop("allocation", None)
os.makedirs(os.path.dirname(sys.argv[2]), exist_ok=True); json.dump(d, open(sys.argv[2], "w"))
PY
done
"$BENCH" fleet report F -o fleet/new/f.html --quiet 2>err.txt || fail "bench fleet report -o a new dir exited $?: $(cat err.txt)"
check_html fleet/new/f.html --figures 1 --h2 "Hosts,Across hosts" || fail "the fleet HTML report"
"$BENCH" trend runs/new/r.json F/a.json -o trend/new/dir 2>err.txt || fail "bench trend -o a new dir exited $?: $(cat err.txt)"
[ -s trend/new/dir/trend.md ] || fail "no trend.md"
grep -q '](trend-[^)]*\.gp)' trend/new/dir/trend.md || fail "trend.md does not link the .gp"
"$BENCH" compare runs/new/r.json F/a.json --format json -o cmp/new/c.json >/dev/null 2>err.txt; rc=$?
[ $rc -le 1 ] && [ -s cmp/new/c.json ] || fail "bench compare -o a new dir: exit $rc: $(cat err.txt)"
echo "ok: fleet report, trend, compare and run make the dir of -o"

# a dir that cannot be made: bad input, the path named, nothing plotted
touch afile
"$BENCH" report evil.json -o afile/r.html 2>err.txt; rc=$?
[ $rc -eq 2 ] || fail "report -o under a file: exit $rc, expected 2"
grep -q 'afile' err.txt || fail "the error does not name the path: $(cat err.txt)"
"$BENCH" run suite.json -o afile/x/r.json --quiet 2>err.txt; rc=$?
[ $rc -eq 2 ] || fail "run -o under a file: exit $rc, expected 2"
grep -q 'afile' err.txt || fail "bench run's error does not name the path: $(cat err.txt)"
echo "ok: an impossible -o is refused, named"
echo ok
