#!/usr/bin/env bash
# Untrusted result files and shared output dirs (issue 10, items 5, 6, 11).
# 1. A result file whose configuration, workload and metric names hold a
#    backtick command, system(), $(...), @macro, newlines, quotes,
#    backslashes, Markdown link/image syntax, HTML and terminal escapes:
#    bench plot, report (md, html), trend and compare (every format) run the
#    real gnuplot on it, no command runs, the figures are drawn, and every
#    output carries the names inert (rendered Markdown has no link, image or
#    tag of theirs, the HTML no tag, JUnit is XML 1.0, text and stderr no
#    control byte).
# 2. Another user (nobody) plants symlinks to a victim file at the names the
#    temp files used to have (NAME.tmp.PID; bench runs as PID 1 of a new PID
#    namespace so that PID is known), races gnuplot's outputs, and points the
#    output dir itself at a victim dir: the victims stay unchanged and the
#    outputs are right. -o on a symlink replaces the link, not its target.
# Each check prints one line "ok|FAIL: what"; the test fails if any failed.
source "$(dirname "$0")/common.bash"
need_root
command -v gnuplot >/dev/null || skip "gnuplot is not installed (scripts/setup installs gnuplot-nox)"
command -v cmark-gfm >/dev/null || skip "cmark-gfm is not installed (scripts/setup installs it): it renders the Markdown as GitHub does"
command -v setpriv >/dev/null || skip "setpriv (util-linux) is missing"
id nobody >/dev/null 2>&1 || skip "no user nobody to plant symlinks as"
unshare --pid --fork true 2>/dev/null || skip "cannot make a PID namespace (unshare --pid)"

tmp=$(mktemp -d)
trap 'touch "$tmp/stop-racer"; [ -n "$racer" ] && kill $racer 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
racer=
chmod 0711 "$tmp"
failed=0
check() { # check WHAT CMD...: runs CMD, prints ok/FAIL
  local what=$1; shift
  if "$@"; then echo "ok:   $what"; else echo "FAIL: $what"; failed=1; fi
}
no_marker() { ! ls "$tmp"/pwned-* >/dev/null 2>&1; }

# a real small result: two bare configurations, cpu and startup
cat > "$tmp/suite.json" <<'JSON'
{ "name": "escape", "repetitions": 3, "warmup": 0,
  "configurations": [ { "name": "bare", "kind": "bare" }, { "name": "other", "kind": "bare" } ],
  "workloads": [ { "kind": "cpu", "params": { "duration": "20ms" } }, { "kind": "startup" } ] }
JSON
"$BENCH" run "$tmp/suite.json" -o "$tmp/good.json" --quiet || fail "bench run exited $?"

# the hostile names, edited into the real result
$PY - "$tmp/good.json" "$tmp/evil.json" "$tmp/pwned" <<'PY'
import json, sys
src, dst, m = sys.argv[1:]
cfg = ('c\x1b[31mred\x1b]0;title\x07`touch %s-cfg`"\\\'@m $(touch %s-dollar); system("touch %s-sys")\n'
       '[x](javascript:alert(1))<script>alert(1)</script>|' % (m, m, m))
wl = ('w`touch %s-wl`@macro{/Symbol a}^_&~\\n![](http://e.example/x.png) www.e.example a@b.example'
      "'it''s'" % m)
metric = 'm`touch %s-m`<b>bold</b>\nline2 BADUTF8' % m
d = json.load(open(src))
for c in d["suite"]["configurations"]:
    if c["name"] == "bare": c["name"] = cfg
for w in d["suite"]["workloads"]:
    if w["name"] == "cpu": w["name"] = wl
for r in d["results"]:
    if r["configuration"] == "bare": r["configuration"] = cfg
    if r["workload"] == "cpu": r["workload"] = wl
    if r["metric"] == "total_ms": r["metric"] = metric
d["suite"]["name"] = "evil `touch %s-suite` <i>x</i>" % m
# bytes that are not UTF-8 (a stray byte, a surrogate, U+FFFE) in the metric's name
open(dst, "wb").write(json.dumps(d).encode().replace(b"BADUTF8", b"\xff\xed\xa0\x80\xef\xbf\xbe"))
json.dump({"cfg": cfg, "wl": wl, "metric": metric}, open(dst + ".names", "w"))
PY

cd "$tmp"
cp evil.json evil2.json
"$BENCH" plot evil.json -o plots >plot.out 2>plot.err; rc=$?
check "bench plot exits 0 ($rc: $(head -c 300 plot.err))" [ $rc -eq 0 ]
"$BENCH" report evil.json -o rep.md 2>rep.err; rc=$?
check "bench report .md exits 0 ($rc: $(head -c 300 rep.err))" [ $rc -eq 0 ]
"$BENCH" report evil.json -o rep.html 2>/dev/null; rc=$?
check "bench report .html exits 0 ($rc)" [ $rc -eq 0 ]
"$BENCH" trend evil.json evil2.json -o trend >/dev/null 2>trend.err; rc=$?
check "bench trend exits 0 ($rc: $(head -c 300 trend.err))" [ $rc -eq 0 ]
for fmt in text markdown junit json; do
  "$BENCH" compare evil.json evil2.json --format $fmt >cmp.$fmt 2>cmp.$fmt.err; rc=$?
  check "bench compare --format $fmt runs ($rc)" [ $rc -le 1 ]
done
"$BENCH" compare --overhead --baseline nosuch evil.json >/dev/null 2>overhead.err

check "no command from a name ran (backtick, \$(), system(), @macro)" no_marker
check "the figures were drawn (4 PNG + SVG, PNG magic)" $PY - plots <<'PY'
import glob, sys
png = sorted(glob.glob(sys.argv[1] + "/*.png")); svg = glob.glob(sys.argv[1] + "/*.svg")
assert len(png) == 4 and len(svg) == 4, (png, svg)
assert all(open(p, "rb").read(4) == b"\x89PNG" for p in png)
PY
check "the SVGs are XML (UTF-8) and carry the names as text" $PY - plots <<'PY'
import glob, sys, xml.etree.ElementTree as E
texts = []
for p in glob.glob(sys.argv[1] + "/*.svg"):
    texts += ["".join(t.itertext()) for t in E.parse(p).getroot().iter("{http://www.w3.org/2000/svg}text")]
svg = "\n".join(texts)
assert "w`touch" in svg, "workload name not drawn"
assert "`touch" in svg and "$(touch" in svg, "configuration name not drawn"
assert "<b>bold</b>" in svg and "line2 \ufffd" in svg, "metric name not drawn"
PY
check "no private work dir left in the plot dirs" bash -c '! ls -a plots trend rep-plots | grep -q bench-plot'

render() { cmark-gfm --unsafe -e table -e autolink -e strikethrough "$1"; }
md_inert() { # the rendered Markdown: only bench's own relative links, no tag from a name
  render "$1" > "$1.rendered.html"
  $PY - "$1.rendered.html" "$2" <<'PY'
import sys
from html.parser import HTMLParser
own = sys.argv[2]
class P(HTMLParser):
    bad = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("a", "img"):
            url = a.get("href") or a.get("src") or ""
            # GFM links any a@b.org (escaping cannot stop it); mailto: fetches and runs nothing
            if not (own and url.startswith(own)) and not (tag == "a" and url.startswith("mailto:")):
                self.bad.append((tag, url))
        elif tag not in ("p", "h1", "h2", "h3", "h4", "ul", "li", "table", "thead", "tbody", "tr", "th",
                         "td", "strong", "em", "br", "blockquote", "code", "pre", "ol", "hr"):
            self.bad.append((tag, attrs))
p = P(); p.feed(open(sys.argv[1], errors="replace").read())
assert not p.bad, p.bad
PY
}
check "report.md renders with no link, image or tag from a name" md_inert rep.md rep-plots/
check "compare markdown renders with no link, image or tag" md_inert cmp.markdown ""
check "trend.md renders with no link, image or tag from a name" md_inert trend/trend.md trend-
check "report.md: the names are there, as text" grep -q 'javascript' rep.md.rendered.html
check "report.html has no tag from a name, and the names as text" $PY - rep.html <<'PY'
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    tags = []; text = ""; script = None
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "script": self.script = ""
    def handle_endtag(self, tag):
        if tag == "script": self.script_text, self.script = self.script, None
    def handle_data(self, d):
        if self.script is not None: self.script += d
        else: self.text += d
p = P(); p.feed(open(sys.argv[1], errors="replace").read())
# one script: the report's own sort script (check_report_html.py checks its CSP hash)
assert p.tags.count("script") == 1 and "table.sortable" in p.script_text, p.tags
assert "alert" not in p.script_text
assert "i" not in p.tags and "svg" not in p.tags, p.tags
assert "<script>alert(1)</script>" in p.text and "<b>bold</b>" in p.text
PY
check "report.html stands alone: nothing external, figures inline" \
  $PY "$BENCH_SOURCE_DIR/tests/integration/check_report_html.py" rep.html --figures 4
check "every output is UTF-8 (figures, Markdown, HTML, JUnit, text)" $PY - plots/*.svg plots/*.gp rep.md rep.html cmp.markdown cmp.junit cmp.text trend/trend.md <<'PY'
import sys
for p in sys.argv[1:]:
    try:
        open(p, "rb").read().decode("utf-8")
    except UnicodeDecodeError as e:
        sys.exit("%s: %s" % (p, e))
PY
check "junit is XML 1.0 (no control byte, UTF-8 only) and names the rows" $PY - cmp.junit <<'PY'
import sys, xml.etree.ElementTree as E
names = [c.get("name") for c in E.parse(sys.argv[1]).getroot().iter("testcase")]
assert any("[31mred]0;title`touch" in n for n in names), names
assert any("line2 \ufffd" in n for n in names), names
PY
check "json keeps the names exactly" $PY - cmp.json evil.json.names <<'PY'
import json, sys
d = json.load(open(sys.argv[1], errors="surrogateescape")); n = json.load(open(sys.argv[2]))
assert any(r["configuration"] == n["cfg"] for r in d["rows"]), [r["configuration"] for r in d["rows"]]
PY
no_ctl() { ! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$@"; }
check "compare text: no control byte, ESC shown as \\x1b" bash -c "$(declare -f no_ctl); no_ctl cmp.text && grep -qF '\\x1b[31m' cmp.text"
check "compare text: a newline in a name does not break its line" bash -c "! grep -q '^\\[x\\]' cmp.text && ! grep -q '^line2' cmp.text"
check "compare markdown/report: no control byte" no_ctl cmp.markdown rep.md rep.html cmp.junit
check "stderr of an error naming the configurations: no control byte" bash -c "$(declare -f no_ctl); no_ctl overhead.err && grep -qF '\\x1b' overhead.err"
printf '{ "name": "s", "configurations": [ { "name": "a\\u001b[2Jb", "kind": "bare" } ], "workloads": [ { "kind": "cpu" } ] }' > ctl-suite.json
"$BENCH" validate ctl-suite.json >/dev/null 2>validate.err
check "bench validate quotes a name with ESC visibly" bash -c "$(declare -f no_ctl); no_ctl validate.err && grep -qF 'a\\x1b[2Jb' validate.err"
# a tar entry's name in an error message (docker save tarball, one layer)
$PY - "$tmp/bad.tar" <<'PY'
import io, json, sys, tarfile
def add(t, name, data):
    ti = tarfile.TarInfo(name); ti.size = len(data); t.addfile(ti, io.BytesIO(data))
layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w") as l:
    add(l, "../\x1b]0;pwned\x07\x1b[2Jevil", b"x")
with tarfile.open(sys.argv[1], "w") as t:
    add(t, "manifest.json", json.dumps([{"Config": "c.json", "RepoTags": ["x:1"], "Layers": ["l1/layer.tar"]}]).encode())
    add(t, "c.json", b"{}")
    add(t, "l1/layer.tar", layer.getvalue())
PY
BENCH_CACHE_DIR="$tmp/cache" "$BENCH" layers import "$tmp/bad.tar" >/dev/null 2>import.err
check "bench layers import: a tar entry's ESC/BEL shown escaped in the error" bash -c "$(declare -f no_ctl); no_ctl import.err && grep -qF '\\x1b]0;pwned\\x07' import.err"
check "still no command ran" no_marker

# ---- temp files and output dirs in a dir another user can write to ----
shared="$tmp/shared"; mkdir -m 0777 "$shared"
victim="$tmp/victim"; echo victim-content > "$victim"; chmod 0644 "$victim"
mkdir "$tmp/victimdir"; echo keep > "$tmp/victimdir/keep"; chmod 0755 "$tmp/victimdir"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
plant() { # plant NAME...: symlinks to the victim at every old temp name, pids 1..8
  local n p
  for n in "$@"; do for p in 1 2 3 4 5 6 7 8; do as_nobody ln -sf "$victim" "$shared/$n.tmp.$p"; done; done
}
victim_ok() { [ "$(cat "$victim")" = victim-content ] && [ "$(ls "$tmp/victimdir")" = keep ]; }
# each attack starts from an untouched victim, so that each check says what that command did
reset_victim() { echo victim-content > "$victim"; rm -rf "$tmp/victimdir"/*; echo keep > "$tmp/victimdir/keep"; }
in_ns() { unshare --pid --fork "$@"; } # bench is PID 1: the old temp name was NAME.tmp.1

plant run.json cmp.txt rep.md trend.md
in_ns "$BENCH" run suite.json -o "$shared/run.json" --quiet 2>/dev/null
check "bench run -o: victim unchanged" victim_ok
check "bench run -o: the result is right" $PY -c "import json,sys; d=json.load(open('$shared/run.json')); assert d['complete'] and d['results']"
reset_victim
in_ns "$BENCH" compare good.json good.json -o "$shared/cmp.txt" 2>/dev/null
check "bench compare -o: victim unchanged" victim_ok
check "bench compare -o: the output is right" grep -q '^metric ' "$shared/cmp.txt"
# gnuplot's outputs raced: nobody re-plants NAME.png/svg/dat/gp as links to the victim, all the time
# (setpriv execs the racer: $! is its pid; it stops on its own after 60 s or at the stop file, and
# closes every inherited fd so that no lock of the caller outlives the test)
setpriv --reuid=nobody --regid=nogroup --clear-groups bash -c '
  for fd in /proc/$$/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done
  cd "$1"; end=$((SECONDS + 60))
  while [ $SECONDS -lt $end ] && [ ! -e "$3" ]; do
    for n in startup-ready_ms startup-ready_ms-distribution startup-total_ms cpu-ops_per_s; do
      for e in png svg dat gp; do for d in plots rep-plots; do
        ln -sf "$2" "$d/$n.$e" 2>/dev/null; ln -sf "$2" "$d/.$n.$e.tmp.1" 2>/dev/null
      done; done
    done
  done' racer "$shared" "$victim" "$tmp/stop-racer" </dev/null >/dev/null 2>&1 &
racer=$!
mkdir -m 0777 "$shared/plots" "$shared/rep-plots"
sleep 0.3
reset_victim
in_ns "$BENCH" report good.json -o "$shared/rep.md" 2>/dev/null; rc1=$?
check "bench report -o, symlinks raced at every figure file: victim unchanged" victim_ok
check "bench report -o: the report is right ($rc1)" grep -q '^## Plots' "$shared/rep.md"
reset_victim
in_ns "$BENCH" plot good.json -o "$shared/plots" >/dev/null 2>&1; rc2=$?
check "bench plot -o, symlinks raced at every figure file: victim unchanged" victim_ok
check "bench plot -o: ran ($rc2)" [ $rc2 -eq 0 ]
touch "$tmp/stop-racer"; kill $racer 2>/dev/null; wait $racer 2>/dev/null; racer=
reset_victim
in_ns "$BENCH" trend good.json good.json -o "$shared" >/dev/null 2>&1
check "bench trend -o: victim unchanged" victim_ok
check "bench trend -o: trend.md written" test -f "$shared/trend.md" -a ! -L "$shared/trend.md"

# the output dir itself planted as a symlink to a victim dir
reset_victim
as_nobody ln -s "$tmp/victimdir" "$shared/plots2"
"$BENCH" plot good.json -o "$shared/plots2" >/dev/null 2>plots2.err
check "bench plot -o DIR where DIR is a planted symlink: nothing written through it" victim_ok
reset_victim
as_nobody ln -s "$tmp/victimdir" "$shared/rep2-plots"
"$BENCH" report good.json -o "$shared/rep2.md" 2>/dev/null
check "bench report's plot dir planted as a symlink: nothing written through it" victim_ok

# -o on a symlink: the link is replaced, its target kept
reset_victim
as_nobody ln -s "$victim" "$shared/link.txt"
"$BENCH" compare good.json good.json -o "$shared/link.txt" 2>/dev/null
check "-o on a symlink replaces the link, not its target" bash -c "[ ! -L '$shared/link.txt' ] && grep -q '^metric ' '$shared/link.txt'"
check "-o on a symlink: victim unchanged" victim_ok
check "no temp file left in the shared dir" bash -c "! ls -a '$shared' | grep -q '\\.tmp-'"

[ $failed -eq 0 ] || fail "some checks failed (above)"
echo "all checks passed"
