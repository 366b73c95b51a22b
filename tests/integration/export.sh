#!/usr/bin/env bash
# bench export on a real result, and on that result with hostile names: every
# sample appears exactly once in the CSV and in the TSV with the value bit for
# bit (read back with Python's csv module / the documented TSV unescaping); the
# summary has a row per series; the LaTeX table compiles with pdflatex (when
# installed) and the Markdown one renders as a table with cmark-gfm (when
# installed); bad input exits 2 naming the file or the flag.
source "$(dirname "$0")/common.bash"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

configs='{ "name": "bare", "kind": "bare" }'
container=0
if [ "$(id -u)" -eq 0 ] && [ -x /bin/busybox ] && grep -qw overlay /proc/filesystems; then
  configs="$configs, { \"name\": \"container\", \"kind\": \"container\" }"
  container=1
else
  echo "note: bare only (a container needs root, busybox-static and overlayfs): no overhead table to check"
fi
cat > "$tmp/suite.json" <<JSON
{ "name": "export", "repetitions": 2, "warmup": 0,
  "configurations": [ $configs ],
  "workloads": [ { "kind": "cpu", "params": { "duration": "50ms" } },
                 { "kind": "startup", "params": { "runs": 2 } },
                 { "kind": "memory", "params": { "size": "8M" } } ] }
JSON
before=$(leftovers)
"$BENCH" run "$tmp/suite.json" -o "$tmp/r.json" --quiet || fail "bench run exited $?"
[ "$(leftovers)" = "$before" ] || fail "the run left something behind"

# The same result with hostile names: CSV/TSV structure, spreadsheet formulas, LaTeX, Markdown, HTML.
$PY - "$tmp/r.json" "$tmp/evil.json" <<'PY' || fail "cannot write the hostile result"
import json, sys
d = json.load(open(sys.argv[1]))
evil_cfg = 'c,"q"\n\r\t\\ $&#^_%~{}<>|[x]*--`\'\' é Łódź ☺ \\\\[3pt]\\end{tabular}\\input{/etc/passwd} <script>'
rename = {c["name"]: evil_cfg for c in d["suite"]["configurations"] if c["kind"] != "bare"}
for c in d["suite"]["configurations"]:
    c["name"] = rename.get(c["name"], c["name"])
for r in d["results"]:
    r["configuration"] = rename.get(r["configuration"], r["configuration"])
    # a row starts with its workload: after \\ or \midrule a [ would be an optional argument
    r["workload"] = "[w] =cmd|' /C calc'!A0 " + r["workload"] + " | a\tb\\"
d["suite"]["name"] = '=HYPERLINK("http://x","y"),@SUM(1+1)\n-2'
json.dump(d, open(sys.argv[2], "w"))
PY

cat > "$tmp/check.py" <<'PY'
import csv, json, math, re, struct, sys
res_path, csv_path, tsv_path, sum_csv, sum_tsv = sys.argv[1:6]  # argv[6]: 1 = a container ran
res = json.load(open(res_path))
suite = res["suite"]["name"]
KEY = ["suite", "configuration", "kind", "accel", "workload", "params", "depth", "metric", "unit"]
TIDY = KEY + ["repetition", "value", "density_k", "density_n", "derived"]
SUMMARY = KEY + ["better", "n", "median", "ci95_low", "ci95_high", "cv", "outliers", "ratio", "ratio_low",
                 "ratio_high", "verdict", "density_k", "density_n", "derived", "ci_level", "baseline", "p_value",
                 "diff", "diff_low", "diff_high"]

def bits(x):
    return struct.pack("<d", x)

def read_tsv(path):
    # the documented TSV: no quoting, \\ \t \n \r escaped in fields
    unesc = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
    lines = open(path, newline="", encoding="utf-8").read().split("\n")
    assert lines[-1] == "", "the TSV does not end with a newline"
    rows = [[re.sub(r"\\(.)", lambda m: unesc[m.group(1)], f) for f in l.split("\t")] for l in lines[:-1]]
    assert all(len(r) == len(rows[0]) for r in rows), "a TSV row with another number of fields"
    return rows

def read_csv(path):
    return list(csv.reader(open(path, newline="", encoding="utf-8")))

def series_key(r):
    return (r["configuration"], r["workload"], r["metric"], r.get("k", 0), r.get("n", 0))

def key_checks(row, r, what):
    assert row["suite"] == suite, (what, row["suite"])
    assert row["kind"] == r["config_kind"], what
    assert row["accel"] == r.get("accel", ""), what
    assert json.loads(row["params"]) == r.get("params", {}), what
    assert int(row["depth"]) == r.get("depth", 0), what
    assert row["unit"] == r["unit"], what
    derived = r["metric"] == "overhead_kib" and r["config_kind"] != "bare"
    assert row["derived"] == ("1" if derived else "0"), (what, row["derived"])

def check_tidy(table, what):
    assert table[0] == TIDY, (what, table[0])
    expected = {}
    for r in res["results"]:
        for i, v in enumerate(r["samples"]):
            expected[series_key(r) + (i + 1,)] = (v, r)
    seen = set()
    for cells in table[1:]:
        row = dict(zip(TIDY, cells))
        k = (row["configuration"], row["workload"], row["metric"], int(row["density_k"]),
             int(row["density_n"]), int(row["repetition"]))
        assert k in expected, (what, "a row that is no sample", k)
        assert k not in seen, (what, "a sample twice", k)
        seen.add(k)
        v, r = expected[k]
        assert bits(float(row["value"])) == bits(v), (what, k, row["value"], v)
        key_checks(row, r, what)
    assert seen == set(expected), (what, "samples missing", set(expected) - seen)
    return len(seen)

def check_summary(table, what):
    assert table[0] == SUMMARY, (what, table[0])
    series = {series_key(r): r for r in res["results"]}
    seen = set()
    compared = 0
    for cells in table[1:]:
        row = dict(zip(SUMMARY, cells))
        k = (row["configuration"], row["workload"], row["metric"], int(row["density_k"]), int(row["density_n"]))
        assert k in series and k not in seen, (what, k)
        seen.add(k)
        r = series[k]
        key_checks(row, r, what)
        assert int(row["n"]) == len(r["samples"]), what
        if r["stats"]:
            assert bits(float(row["median"])) == bits(r["stats"]["median"]), (what, k)
        if row["ratio"]:
            compared += 1
            assert float(row["ratio_low"]) <= float(row["ratio"]) <= float(row["ratio_high"]), (what, k)
            assert row["verdict"] and row["baseline"] == "bare", (what, k)
            assert r["config_kind"] != "bare", (what, k)
    assert seen == set(series), (what, "series missing", set(series) - seen)
    return compared

n = check_tidy(read_csv(csv_path), "csv")
assert check_tidy(read_tsv(tsv_path), "tsv") == n
c = check_summary(read_csv(sum_csv), "summary csv")
assert check_summary(read_tsv(sum_tsv), "summary tsv") == c
print(f"{res_path}: {n} samples, {len(res['results'])} series, {c} compared with bare: ok")
if sys.argv[6] == "1":  # a container ran: its series are compared with bare
    assert c > 0, "no series compared with bare"
PY

for r in r evil; do
  for fmt in csv tsv; do
    "$BENCH" export "$tmp/$r.json" --format $fmt -o "$tmp/$r/out.$fmt" || fail "$r: export $fmt exited $?"
    "$BENCH" export "$tmp/$r.json" --format $fmt --summary -o "$tmp/$r/summary.$fmt" || fail "$r: --summary $fmt exited $?"
  done
  # stdout and -o agree; nothing but the file in the directory -o made
  "$BENCH" export "$tmp/$r.json" --format csv | cmp -s - "$tmp/$r/out.csv" || fail "$r: stdout differs from -o"
  [ "$(ls -A "$tmp/$r" | sort | tr '\n' ' ')" = "out.csv out.tsv summary.csv summary.tsv " ] \
    || fail "$r: unexpected files: $(ls -A "$tmp/$r")"
  $PY "$tmp/check.py" "$tmp/$r.json" "$tmp/$r/out.csv" "$tmp/$r/out.tsv" "$tmp/$r/summary.csv" \
    "$tmp/$r/summary.tsv" $container || fail "$r: the exported data does not match the result"
done
# the spreadsheet formula stays as data (documented), quoted where CSV needs it
grep -q '^"=HYPERLINK(""http://x"",""y""),@SUM(1+1)' "$tmp/evil/out.csv" || fail "the suite name is not RFC 4180 quoted"

if [ $container -eq 1 ]; then
  rows=$($PY -c 'import csv,sys; print(sum(1 for r in csv.DictReader(open(sys.argv[1])) if r["ratio"] or r["diff"]))' \
    "$tmp/r/summary.csv")
  for r in r evil; do
    "$BENCH" export "$tmp/$r.json" --format latex -o "$tmp/$r/table.tex" || fail "$r: latex exited $?"
    grep -q '^\\toprule$' "$tmp/$r/table.tex" && grep -q '^\\midrule$' "$tmp/$r/table.tex" \
      && grep -q '^\\bottomrule$' "$tmp/$r/table.tex" || fail "$r: not a booktabs table"
    # header + a row per compared series, each ending in \\
    [ "$(grep -c '\\\\$' "$tmp/$r/table.tex")" -eq $((rows + 1)) ] || fail "$r: latex rows: $(cat "$tmp/$r/table.tex")"
    grep -qF '\input{' "$tmp/$r/table.tex" && fail "$r: a command from the file reached the LaTeX"
    "$BENCH" export "$tmp/$r.json" --format markdown -o "$tmp/$r/table.md" || fail "$r: markdown exited $?"
    if command -v cmark-gfm >/dev/null; then
      cmark-gfm --extension table "$tmp/$r/table.md" > "$tmp/$r/table.html" || fail "$r: cmark-gfm failed"
      $PY - "$tmp/$r/table.html" "$rows" <<'PY' || fail "$r: the Markdown is not the table: $(cat "$tmp/$r/table.md")"
import sys, xml.etree.ElementTree as E
root = E.fromstring("<r>" + open(sys.argv[1]).read() + "</r>")  # also: no raw HTML got through
tables = root.findall("table")
assert len(tables) == 1, "no single table"
assert len(tables[0].findall("thead/tr/th")) == 7
body = tables[0].findall("tbody/tr")
assert len(body) == int(sys.argv[2]) and all(len(tr.findall("td")) == 7 for tr in body), len(body)
PY
    else
      echo "note: cmark-gfm is not installed: the Markdown table was not rendered"
    fi
  done
  grep -q 'Łódź' "$tmp/evil/table.tex" || fail "Latin letters should reach LaTeX as they are"
  if command -v pdflatex >/dev/null; then
    for r in r evil; do
      mkdir "$tmp/$r/tex"
      { printf '\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n'
        cat "$tmp/$r/table.tex"
        printf '\\end{document}\n'; } > "$tmp/$r/tex/doc.tex"
      (cd "$tmp/$r/tex" && pdflatex -interaction=nonstopmode -halt-on-error -no-shell-escape ./doc.tex \
        > pdflatex.out 2>&1) || fail "$r: pdflatex failed: $(tail -20 "$tmp/$r/tex/pdflatex.out")"
      [ -s "$tmp/$r/tex/doc.pdf" ] || fail "$r: no PDF"
    done
    "$BENCH" export "$tmp/r.json" --format latex --standalone -o "$tmp/standalone/table.tex" || fail "--standalone exited $?"
    (cd "$tmp/standalone" && pdflatex -interaction=nonstopmode -halt-on-error -no-shell-escape ./table.tex \
      > pdflatex.out 2>&1) || fail "--standalone does not compile: $(tail -20 "$tmp/standalone/pdflatex.out")"
  else
    echo "note: pdflatex is not installed: the LaTeX table was checked, not compiled"
  fi
else
  # bare only: no overhead table, said as bad input naming the file
  "$BENCH" export "$tmp/r.json" --format latex > /dev/null 2> "$tmp/err"
  [ $? -eq 2 ] && grep -q "r.json: no overhead table" "$tmp/err" || fail "latex without a comparison: $(cat "$tmp/err")"
fi

# bad input: exit 2, the message names the flag or the file
"$BENCH" export "$tmp/r.json" --format xlsx 2> "$tmp/err" > /dev/null
[ $? -eq 2 ] && grep -q 'xlsx.*allowed: csv, tsv, latex, markdown' "$tmp/err" || fail "unknown format: $(cat "$tmp/err")"
"$BENCH" export "$tmp/r.json" 2> "$tmp/err" > /dev/null
[ $? -eq 2 ] && grep -q -- '--format' "$tmp/err" || fail "no format: $(cat "$tmp/err")"
"$BENCH" export "$tmp/r.json" --format latex --summary 2> "$tmp/err" > /dev/null
[ $? -eq 2 ] && grep -q -- '--summary' "$tmp/err" || fail "--summary with latex: $(cat "$tmp/err")"
"$BENCH" export "$tmp/missing.json" --format csv 2> "$tmp/err" > /dev/null
[ $? -eq 2 ] && grep -q 'missing.json' "$tmp/err" || fail "missing file: $(cat "$tmp/err")"
head -c 200 "$tmp/r.json" > "$tmp/cut.json"
"$BENCH" export "$tmp/cut.json" --format csv -o "$tmp/cut.csv" 2> "$tmp/err"
[ $? -eq 2 ] && grep -q 'cut.json' "$tmp/err" && [ ! -e "$tmp/cut.csv" ] || fail "truncated file: $(cat "$tmp/err")"
echo ok
