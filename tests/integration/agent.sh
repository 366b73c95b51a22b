#!/bin/bash
# bench-agent against the real kernel: protocol, every workload at small
# sizes, the memory hold, bad plans, static linking.
set -u

A=${BENCH_AGENT:-}
PY=/usr/bin/python3
if [ -z "$A" ] || [ ! -x "$A" ]; then
        echo "SKIP: BENCH_AGENT is not set to an executable (got '$A')"
        exit 77
fi
if [ ! -x "$PY" ]; then
        echo "SKIP: $PY is missing"
        exit 77
fi

fail() {
        echo "FAIL: $*" >&2
        exit 1
}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DIR="$WORK/dir"
mkdir "$DIR"

# --- static: no interpreter, no dynamic section (no NEEDED) ---
readelf -l "$A" | grep -q INTERP && fail "bench-agent has a program interpreter: not static"
readelf -d "$A" 2>&1 | grep -q NEEDED && fail "bench-agent has NEEDED entries: not static"

# --- the ready byte is the very first byte on stdout ---
"$A" startup >"$WORK/startup.out" 2>"$WORK/startup.err" </dev/null || fail "startup run failed: $(cat "$WORK/startup.err")"
first=$(head -c1 "$WORK/startup.out" | od -An -tx1 | tr -d ' \n')
[ "$first" = "06" ] || fail "first byte is '$first', expected 06"

# --ready-fd N sends it elsewhere; --no-ready sends none
"$A" --ready-fd 3 startup 3>"$WORK/ready3" >"$WORK/rfd.out" </dev/null || fail "--ready-fd 3 run failed"
[ "$(od -An -tx1 "$WORK/ready3" | tr -d ' \n')" = "06" ] || fail "--ready-fd 3 did not get exactly the ready byte"
[ "$(head -c1 "$WORK/rfd.out")" = "{" ] || fail "with --ready-fd 3 stdout does not start with a JSON line"
"$A" --no-ready startup >"$WORK/nr.out" </dev/null || fail "--no-ready run failed"
[ "$(head -c1 "$WORK/nr.out")" = "{" ] || fail "with --no-ready stdout does not start with a JSON line"

# --- --list names every workload ---
"$A" --list >"$WORK/list" || fail "--list exited non-zero"
for w in startup memory cpu membw memlat fileio metadata; do
        grep -q "^$w " "$WORK/list" || fail "--list does not list workload $w"
done
"$A" --help >/dev/null || fail "--help exited non-zero"
"$A" --version | grep -q '^bench-agent ' || fail "--version does not say bench-agent"

# --- every workload at small sizes ---
"$A" --dir "$DIR" startup memory:size=4M,hold_timeout=5s cpu:duration=100ms membw:size=1M,passes=2 \
        memlat:size=1M,accesses=100000 fileio:size=1M,ops=50,block=4K,seq_block=64K \
        fileio:size=1M,ops=50,direct=true metadata:files=50 \
        >"$WORK/run.out" 2>"$WORK/run.err" </dev/null
rc=$?
[ $rc -eq 0 ] || fail "full run exited $rc: $(cat "$WORK/run.err")"
[ -z "$(ls -A "$DIR")" ] || fail "the run left files in --dir: $(ls -A "$DIR")"

$PY - "$WORK/run.out" <<'EOF' || fail "full run output (see above)"
import json, math, sys

# From the catalog table in DESIGN.md / the specs the workloads/wl_*.c end with, written out by hand.
# footprint_kib/overhead_kib (memory) and the startup metrics are host-side.
EXPECT = {
    "startup": {},
    "memory": {"rss_kib": ("KiB", "lower")},
    "cpu": {"ops_per_s": ("ops/s", "higher")},
    "membw": {k + ".mb_per_s": ("MB/s", "higher") for k in ("copy", "scale", "add", "triad")},
    "memlat": {"ns_per_access": ("ns", "lower")},
    "fileio": {
        "seq_write.mib_per_s": ("MiB/s", "higher"), "seq_read.mib_per_s": ("MiB/s", "higher"),
        "rand_read.iops": ("IOPS", "higher"), "rand_read.lat_p50_us": ("us", "lower"),
        "rand_read.lat_p99_us": ("us", "lower"), "rand_write.iops": ("IOPS", "higher"),
        "rand_write.lat_p50_us": ("us", "lower"), "rand_write.lat_p99_us": ("us", "lower"),
    },
    "metadata": {k + ".ops_per_s": ("ops/s", "higher") for k in ("create", "open", "stat", "unlink")},
}
PLAN = ["startup", "memory", "cpu", "membw", "memlat", "fileio", "fileio", "metadata"]
SHAPES = {
    "agent": {"type", "pid", "ppid", "uid", "hostname", "kernel", "cpus", "ncpus", "mem_total_kib", "cgroup", "in_pid1",
              "seccomp"},
    "metric": {"type", "index", "workload", "metric", "unit", "better", "value"},
    "hold": {"type", "index", "workload"},
    "note": {"type", "index", "message"},
    "done": {"type", "index", "workload"},
    "end": {"type", "status"},
}

def bad(msg):
    print("FAIL:", msg, file=sys.stderr)
    sys.exit(1)

data = open(sys.argv[1], "rb").read()
if data[:1] != b"\x06":
    bad("output does not start with the ready byte")
text = data[1:].decode("utf-8")
if not text.endswith("\n"):
    bad("output does not end with a newline")
lines = []
for n, raw in enumerate(text.split("\n")[:-1]):
    try:
        o = json.loads(raw)
    except ValueError as e:
        bad(f"line {n + 1} is not JSON ({e}): {raw!r}")
    if not isinstance(o, dict) or o.get("type") not in SHAPES:
        bad(f"line {n + 1} has an unknown type: {raw!r}")
    if set(o) != SHAPES[o["type"]]:
        bad(f"line {n + 1} ({o['type']}) has keys {sorted(o)}, expected {sorted(SHAPES[o['type']])}")
    lines.append(o)

agent = lines[0]
if agent["type"] != "agent":
    bad("the first line is not the agent line")
for k in ("pid", "ppid", "uid", "ncpus", "mem_total_kib"):
    if not isinstance(agent[k], int) or agent[k] < 0:
        bad(f"agent.{k} is not a non-negative integer: {agent[k]!r}")
if agent["ncpus"] < 1 or agent["mem_total_kib"] < 1 or not agent["cpus"] or not agent["kernel"]:
    bad(f"agent line looks empty: {agent}")
if agent["in_pid1"] is not False:
    bad("in_pid1 should be false on the host")
# the seccomp mode it runs in: the host's own, as /proc/self/status says here
host_mode = int([l.split()[1] for l in open("/proc/self/status") if l.startswith("Seccomp:")][0])
if agent["seccomp"] != host_mode:
    bad(f"agent.seccomp is {agent['seccomp']!r}, the host process runs in mode {host_mode}")
if lines[-1] != {"type": "end", "status": 0}:
    bad(f"the last line is {lines[-1]}, expected end with status 0")

done = [o for o in lines if o["type"] == "done"]
if [(o["index"], o["workload"]) for o in done] != list(enumerate(PLAN)):
    bad(f"done lines {done} do not follow the plan {PLAN}")
holds = [o for o in lines if o["type"] == "hold"]
if holds != [{"type": "hold", "index": 1, "workload": "memory"}]:
    bad(f"expected one hold line for item 1, got {holds}")
for i, w in enumerate(PLAN):
    got = {o["metric"]: o for o in lines if o["type"] == "metric" and o["index"] == i}
    if set(got) != set(EXPECT[w]):
        bad(f"item {i} ({w}) has metrics {sorted(got)}, expected {sorted(EXPECT[w])}")
    for name, o in got.items():
        if o["workload"] != w:
            bad(f"metric {name} of item {i} says workload {o['workload']}")
        if (o["unit"], o["better"]) != EXPECT[w][name]:
            bad(f"{w}.{name}: unit/better {o['unit']}/{o['better']}, expected {EXPECT[w][name]}")
        v = o["value"]
        if not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
            bad(f"{w}.{name} = {v!r} is not a finite value > 0")
EOF

# --- the memory hold: released by a byte, by EOF, and by its timeout ---
$PY - "$A" <<'EOF' || fail "memory hold (see above)"
import json, subprocess, sys, time

agent = sys.argv[1]

def bad(msg):
    print("FAIL:", msg, file=sys.stderr)
    sys.exit(1)

def run_until_hold(timeout):
    p = subprocess.Popen([agent, f"memory:size=2M,hold_timeout={timeout}"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.stdout.read(1) != b"\x06":
        bad("no ready byte")
    while True:
        line = p.stdout.readline()
        if not line:
            bad("EOF before the hold line")
        if json.loads(line)["type"] == "hold":
            return p

def finish(p, how):
    # read to EOF without touching stdin: closing it would release the hold
    out = p.stdout.read()
    err = p.stderr.read()
    p.wait(timeout=10)
    lines = [json.loads(l) for l in out.decode().splitlines()]
    if p.returncode != 0 or lines[-1] != {"type": "end", "status": 0}:
        bad(f"{how}: exit {p.returncode}, last line {lines[-1] if lines else None}, stderr {err!r}")
    return lines

for how in ("byte", "eof"):
    p = run_until_hold("30s")
    time.sleep(0.3)
    if p.poll() is not None:
        bad(f"{how}: the agent did not hold (it exited)")
    t0 = time.monotonic()
    if how == "byte":
        p.stdin.write(b"g")
        p.stdin.flush()
    else:
        p.stdin.close()
    lines = finish(p, how)
    if time.monotonic() - t0 > 5:
        bad(f"{how}: release took {time.monotonic() - t0:.1f}s")
    if any(o["type"] == "note" for o in lines):
        bad(f"{how}: unexpected note {lines}")

# nobody answers: the timeout releases it, with a note
p = run_until_hold("300ms")
t0 = time.monotonic()
lines = finish(p, "timeout")
if time.monotonic() - t0 < 0.2:
    bad("timeout: released before hold_timeout")
p.stdin.close()
if {"type": "note", "index": 0, "message": "hold timed out"} not in lines:
    bad(f"timeout: no 'hold timed out' note in {lines}")
EOF

# --- bad plans: exit 2, nothing on stdout but the ready byte ---
bad_plan() { # expected-stderr-word args...
        local want=$1
        shift
        "$A" "$@" >"$WORK/bad.out" 2>"$WORK/bad.err" </dev/null
        local rc=$?
        [ $rc -eq 2 ] || fail "bad plan '$*' exited $rc, expected 2"
        [ "$(od -An -tx1 "$WORK/bad.out" | tr -d ' \n')" = "06" ] ||
                fail "bad plan '$*' wrote more than the ready byte to stdout: $(cat -v "$WORK/bad.out")"
        grep -q -- "$want" "$WORK/bad.err" || fail "bad plan '$*': stderr does not mention '$want': $(cat "$WORK/bad.err")"
}
bad_plan membw --dir "$DIR" cpu:duration=10ms membandwith
bad_plan sise --dir "$DIR" membw:sise=1M
bad_plan 12Q --dir "$DIR" fileio:size=12Q
bad_plan -- --dir fileio
bad_plan -- --dir metadata:files=10
bad_plan duration cpu:duration=1ms
[ -z "$(ls -A "$DIR")" ] || fail "a bad plan left files in --dir"

# --- a failing item: an error line (string escaping of an awkward path), the rest still runs, exit 1 ---
weird="$WORK/no such \"dir\"
	\\$(printf '\001\377')"
"$A" "metadata:dir=$weird,files=10" cpu:duration=10ms >"$WORK/fail.out" 2>/dev/null </dev/null
rc=$?
[ $rc -eq 1 ] || fail "a run with a failing item exited $rc, expected 1"
$PY - "$WORK/fail.out" "$weird" <<'EOF' || fail "failing item output (see above)"
import json, os, sys
data = open(sys.argv[1], "rb").read()
# messages are text for people: bench shows control bytes and bytes that
# are not UTF-8 escaped (\x01, \xff), newlines, tabs and the rest as they are
def shown(s):
    out = []
    for c in os.fsencode(s).decode("utf-8", "surrogateescape"):
        o = ord(c)
        if c in "\n\t":
            out.append(c)
        elif 0xDC80 <= o <= 0xDCFF:
            out.append("\\x%02x" % (o - 0xDC00))
        elif o < 0x20 or o == 0x7F:
            out.append("\\x%02x" % o)
        else:
            out.append(c)
    return "".join(out)
weird = shown(sys.argv[2])
lines = [json.loads(l) for l in data[1:].decode("utf-8").splitlines()]
types = [(o["type"], o.get("index")) for o in lines]
want = [("agent", None), ("error", 0), ("done", 0), ("metric", 1), ("done", 1), ("end", None)]
if types != want:
    print(f"FAIL: line types {types}, expected {want}", file=sys.stderr)
    sys.exit(1)
err = lines[1]
if set(err) != {"type", "index", "workload", "message"} or err["workload"] != "metadata" or weird not in err["message"]:
    print(f"FAIL: error line {err!r} does not carry the path {weird!r}", file=sys.stderr)
    sys.exit(1)
if lines[-1]["status"] != 1:
    print(f"FAIL: end line {lines[-1]}", file=sys.stderr)
    sys.exit(1)
EOF

# --- the reader going away mid-run must not leave files behind ---
"$A" --dir "$DIR" fileio:size=4M,ops=200 metadata:files=200 2>/dev/null </dev/null | head -c1 >/dev/null
sleep 0.5
[ -z "$(ls -A "$DIR")" ] || fail "a run whose reader went away left files in --dir: $(ls -A "$DIR")"

echo "agent: all checks passed"
