#!/usr/bin/env bash
# The same synthesized stack read as a flattened tree (bare) and through
# overlayfs (container): the depth workloads measure both, copy-up costs
# what it should (a first write copies the file up, the second does not),
# the bottom of the stack is reachable (fileio reads its big file), every
# result says at which depth it ran, bare's cached tree is left as built,
# the plots show metric against layers, and nothing is left behind.
source "$(dirname "$0")/common.bash"
need_container
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export BENCH_WORKDIR="$tmp/work"; mkdir -p "$BENCH_WORKDIR"
before=$(host_state)
# bare reads the stacks' flattened trees from the shared cache: hash them (names and bytes) before and after
flat_state() {
  for n in 2 8; do
    id=$("$BENCH" layers synth --layers $n --files 20 --big 64K | cut -d' ' -f1) || return 1
    flat=$("$BENCH" layers flatten "$id") || return 1
    (cd "$flat" && find . | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
  done
}
flat_before=$(flat_state) || fail "cannot build the stacks"
cat > "$tmp/s.json" <<'JSON'
{ "name": "depth", "repetitions": 3, "warmup": 0,
  "configurations": [
    { "name": "bare-2", "kind": "bare", "stack": "synth:layers=2,files=20,big=64K" },
    { "name": "ctr-2", "kind": "container", "stack": "synth:layers=2,files=20,big=64K" },
    { "name": "bare-8", "kind": "bare", "stack": "synth:layers=8,files=20,big=64K" },
    { "name": "ctr-8", "kind": "container", "stack": "synth:layers=8,files=20,big=64K" } ],
  "workloads": [
    { "name": "meta-bottom", "kind": "metadata", "params": { "bottom": true, "files": 20 } },
    { "name": "copyup-bottom", "kind": "copyup", "params": { "bottom": true, "size": "64K" } },
    { "name": "fileio-bottom", "kind": "fileio",
      "params": { "bottom": true, "size": "64K", "seq_block": "64K", "ops": 50 } } ] }
JSON
"$BENCH" run "$tmp/s.json" -o "$tmp/r.json" --plots "$tmp/plots" --quiet || fail "the depth run failed"
check_result "$tmp/r.json" || fail "schema"
$PY - "$tmp/r.json" <<'PY' || fail "depth results"
import json, sys
d = json.load(open(sys.argv[1]))
m = {(r["configuration"], r["workload"], r["metric"]): r["stats"]["median"] for r in d["results"]}
for r in d["results"]:
    n = int(r["configuration"].split("-")[1])
    assert r.get("depth") == n, "%s/%s/%s: depth %s, expected the stack's height %d" % (
        r["configuration"], r["workload"], r["metric"], r.get("depth"), n)
for n in (2, 8):
    c, b = "ctr-%d" % n, "bare-%d" % n
    for k in ("stat.ops_per_s", "miss.ops_per_s", "readdir.entries_per_s"):
        assert m[(c, "meta-bottom", k)] > 0 and m[(b, "meta-bottom", k)] > 0, k
    for k in ("seq_read.mib_per_s", "rand_read.iops", "rand_read.lat_p50_us", "rand_read.lat_p99_us",
              "seq_write.mib_per_s", "rand_write.iops"):
        assert m[(c, "fileio-bottom", k)] > 0 and m[(b, "fileio-bottom", k)] > 0, k
    first, second = m[(c, "copyup-bottom", "first_write_ms")], m[(c, "copyup-bottom", "second_write_ms")]
    assert first > 3 * second, "ctr-%d: a first write (%.3f ms) must copy up, the second (%.3f ms) not" % (n, first, second)
    assert first > m[(b, "copyup-bottom", "first_write_ms")], "copy-up costs more than a plain write"
assert not d["errors"], d["errors"]
print("copy-up of a 64K bottom file: %.3f ms (8 layers) vs %.3f ms bare" % (m[("ctr-8", "copyup-bottom", "first_write_ms")], m[("bare-8", "copyup-bottom", "first_write_ms")]))
PY
[ "$(flat_state)" = "$flat_before" ] || fail "bare's cached flat tree changed: $(diff <(echo "$flat_before") <(flat_state) | head)"
ls "$tmp/plots" | grep -q "layers" || fail "no metric-against-layers figure: $(ls "$tmp/plots" | head)"
after=$(host_state)
[ "$before" = "$after" ] || fail "left behind: $(diff <(echo "$before") <(echo "$after") | grep '^>')"
echo "ok"
