#!/usr/bin/env bash
# The container base layer (busybox + bench-agent) is cached: a truncated or
# changed agent in it is found by its integrity record, the layer is
# rebuilt (said on stderr and as a note in the result) and the run measures.
source "$(dirname "$0")/common.bash"
need_container
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export BENCH_WORKDIR="$tmp/work" BENCH_CACHE_DIR="$tmp/cache"; mkdir -p "$BENCH_WORKDIR"
cat > "$tmp/s.json" <<'JSON'
{ "name": "ctrcache", "repetitions": 1, "warmup": 0,
  "configurations": [ { "name": "ctr", "kind": "container" } ],
  "workloads": [ { "name": "cpu", "kind": "cpu", "params": { "duration": "20ms" } } ] }
JSON
ok() {
  $PY - "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert not d["errors"], d["errors"]
assert any(r["workload"] == "cpu" for r in d["results"]), d["results"]
notes = [n["reason"] for n in d["notes"]]
assert (len(sys.argv) > 2) == any("rebuilt the container layer" in n for n in notes), notes
for want in sys.argv[2:]:
    assert any(want in n for n in notes), "no note with %r in %s" % (want, notes)
PY
}
"$BENCH" run "$tmp/s.json" -o "$tmp/r1.json" --quiet 2>"$tmp/err" || fail "first run: $(cat "$tmp/err")"
ok "$tmp/r1.json" || fail "first run"
layer=$(ls -d "$BENCH_CACHE_DIR"/layers/base-*/)
layer=${layer%/}
[ -f "$layer.bench-agent.sum" ] && [ -f "$layer.busybox.sum" ] || fail "no integrity records beside $layer: $(ls "$BENCH_CACHE_DIR/layers")"
size=$(stat -c %s "$layer/bench-agent")

truncate -s 4096 "$layer/bench-agent"
"$BENCH" run "$tmp/s.json" -o "$tmp/r2.json" --quiet 2>"$tmp/err" || fail "a truncated agent in the cached layer: $(cat "$tmp/err")"
ok "$tmp/r2.json" "bench-agent is 4096 bytes" || fail "after truncation: $(cat "$tmp/err")"
[ "$(grep -c 'rebuilt the container layer' "$tmp/err")" = 1 ] || fail "not said once on stderr: $(cat "$tmp/err")"
[ "$(stat -c %s "$layer/bench-agent")" = "$size" ] || fail "the agent was not rebuilt whole"

printf 'X' | dd of="$layer/bin/busybox" bs=1 seek=1000 conv=notrunc 2>/dev/null
"$BENCH" run "$tmp/s.json" -o "$tmp/r3.json" --quiet 2>"$tmp/err" || fail "a changed busybox: $(cat "$tmp/err")"
ok "$tmp/r3.json" "busybox has sha256" || fail "after a change: $(cat "$tmp/err")"

"$BENCH" run "$tmp/s.json" -o "$tmp/r4.json" --quiet 2>"$tmp/err" || fail "a sound layer: $(cat "$tmp/err")"
ok "$tmp/r4.json" || fail "a sound layer was rebuilt"
echo "ok"
