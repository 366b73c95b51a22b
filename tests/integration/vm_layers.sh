#!/usr/bin/env bash
# A stack as a VM sees it: a qcow2 backing chain with one level per layer.
# Without booting: every level is a valid qcow2 holding only what its layer
# changed, and the chain's top reads back as exactly the stack's flattened
# tree (whiteouts and the opaque dir applied) in a clean ext4; a second call
# reuses the cache and a chain cut short is resumed to the same content.
# Then one guest reads the stack's bottom through the chain, as bare and a
# container read the same files.
source "$(dirname "$0")/common.bash"
need_root
for t in qemu-img debugfs e2fsck; do command -v $t >/dev/null || skip "$t is not installed"; done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# ---- the chain, in a cache of its own ----
(
export BENCH_CACHE_DIR="$tmp/cache"
id=$("$BENCH" layers synth --layers 6 --files 12 --big 64K | cut -d' ' -f1) || fail "synth"
top=$("$BENCH" layers qcow2 "$id") || fail "bench layers qcow2"
dir=$(dirname "$top")
[ "$(ls "$dir" | grep -c '^level-.*\.qcow2$')" = 6 ] || fail "6 levels expected: $(ls "$dir")"
ls "$dir" | grep -v '^level-' && fail "temp files left in $dir"
for k in 1 2 3 4 5 6; do
    qemu-img check -q "$dir/level-$k.qcow2" || fail "level $k is not a valid qcow2"
done
qemu-img info --backing-chain "$top" | grep -c '^image:' | grep -qx 6 || fail "the chain is not 6 deep"
# the top level holds what layer 6 changed, not the whole tree
top_kib=$(du -k "$top" | cut -f1); all_kib=$(du -sk "$dir" | cut -f1)
[ $((top_kib * 3)) -lt "$all_kib" ] || fail "level 6 ($top_kib KiB) is not a delta of the chain ($all_kib KiB)"

check_tree() {
    rm -rf "$tmp/raw" "$tmp/dump"; mkdir -p "$tmp/dump"
    qemu-img convert -O raw "$1" "$tmp/raw" || fail "convert"
    e2fsck -fn "$tmp/raw" >/dev/null 2>&1 || fail "the chain's ext4 is not clean: $(e2fsck -fn "$tmp/raw" 2>&1 | tail -5)"
    debugfs -R "rdump /bench $tmp/dump" "$tmp/raw" 2>/dev/null
    flat=$("$BENCH" layers flatten "$id") || fail "flatten"
    diff -r "$flat/bench" "$tmp/dump/bench" >/dev/null || fail "the chain differs from the flattened stack: $(diff -r "$flat/bench" "$tmp/dump/bench" | head -5)"
    [ -z "$(ls "$tmp/dump/bench/opaque")" ] || [ "$(ls "$tmp/dump/bench/opaque")" = o6 ] || fail "opaque dir: $(ls "$tmp/dump/bench/opaque")"
    for d in 2 3 4 5 6; do [ ! -e "$tmp/dump/bench/depth-$d/gone" ] || fail "depth-$d/gone was whited out"; done
    debugfs -R "ls /" "$tmp/raw" 2>/dev/null | grep -o '\.bench-layer-[0-9]*' | sort -u | wc -l | grep -qx 6 || fail "a level's marker is missing"
}
check_tree "$top"
sum=$(sha256sum "$top" | cut -d' ' -f1)
[ "$("$BENCH" layers qcow2 "$id")" = "$top" ] && [ "$(sha256sum "$top" | cut -d' ' -f1)" = "$sum" ] || fail "the cached chain was rebuilt"
# a build that died after level 3: its temp dir is reaped, levels 4..6 rebuilt to the same tree
rm "$dir"/level-{4,5,6}.qcow2; mkdir "$dir/bench-999999.dead00"
"$BENCH" layers qcow2 "$id" >/dev/null || fail "resuming the chain"
[ -e "$dir/bench-999999.dead00" ] && fail "a dead builder's temp dir was left"
check_tree "$top"
# a damaged level is found by its integrity record (level-K.qcow2.sum) and
# rebuilt with the levels above it (backed by it), and said so once
truncate -s 4096 "$dir/level-5.qcow2"
"$BENCH" layers qcow2 "$id" >/dev/null 2>"$tmp/err" || fail "rebuilding a truncated level: $(cat "$tmp/err")"
grep -q "rebuilt levels 5..6 of the qcow2 chain .*level-5.qcow2 is 4096 bytes" "$tmp/err" || fail "the rebuild was not said: $(cat "$tmp/err")"
check_tree "$top"
printf 'X' | dd of="$dir/level-3.qcow2" bs=1 seek=70000 conv=notrunc 2>/dev/null
"$BENCH" layers qcow2 "$id" >/dev/null 2>"$tmp/err" || fail "rebuilding a changed level: $(cat "$tmp/err")"
grep -q "rebuilt levels 3..6 .*level-3.qcow2 has sha256" "$tmp/err" || fail "a changed level was not found: $(cat "$tmp/err")"
check_tree "$top"
"$BENCH" layers qcow2 "$id" >/dev/null 2>"$tmp/err" && [ ! -s "$tmp/err" ] || fail "a sound chain was rebuilt: $(cat "$tmp/err")"
"$BENCH" layers qcow2 nosuchstack >/dev/null 2>&1; [ $? -eq 2 ] || fail "an unknown stack must exit 2"

# an imported image (docker save) with what synthesized stacks lack: a
# whited-out directory, a directory replaced by a file, a symlink replaced
# by a file, an opaque sticky dir, owners and modes
$PY - "$tmp/img.tar" <<'PY' || fail "making the image"
import io, json, sys, tarfile
def layer(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for kind, name, *rest in entries:
            ti = tarfile.TarInfo(name)
            if kind == "d":
                ti.type, ti.mode = tarfile.DIRTYPE, rest[0]
                t.addfile(ti)
            elif kind == "f":
                data = rest[0].encode()
                ti.size, ti.mode = len(data), rest[1]
                ti.uid = ti.gid = rest[2] if len(rest) > 2 else 0
                t.addfile(ti, io.BytesIO(data))
            else:
                ti.type, ti.linkname = tarfile.SYMTYPE, rest[0]
                t.addfile(ti)
    return buf.getvalue()
layers = [
    [("d", "a", 0o755), ("d", "a/b", 0o700), ("f", "a/b/f1", "one", 0o600, 1000), ("f", "a/keep", "k", 0o640, 1000),
     ("d", "x", 0o755), ("f", "x/inner", "i", 0o644), ("d", "c", 0o1777), ("f", "c/old1", "o1", 0o644),
     ("l", "abs", "/a/keep"), ("l", "rel", "a/keep"), ("f", "gone-later", "g", 0o644)],
    [("f", "a/.wh.b", "", 0o644), ("f", "x", "x is a file now", 0o640), ("f", ".wh.gone-later", "", 0o644),
     ("f", "a/new", "n", 0o644, 33)],
    [("d", "c", 0o1777), ("f", "c/.wh..wh..opq", "", 0o644), ("f", "c/n", "fresh", 0o644),
     ("f", "abs", "not a link", 0o644), ("d", "a/b", 0o750), ("f", "a/b/again", "again", 0o644)],
]
out = tarfile.open(sys.argv[1], "w")
names = []
for i, l in enumerate(layers):
    data = layer(l)
    ti = tarfile.TarInfo("l%d/layer.tar" % i)
    ti.size = len(data)
    out.addfile(ti, io.BytesIO(data))
    names.append(ti.name)
for name, obj in (("config.json", {"rootfs": {"type": "layers"}}),
                  ("manifest.json", [{"Config": "config.json", "RepoTags": ["t:1"], "Layers": names}])):
    data = json.dumps(obj).encode()
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    out.addfile(ti, io.BytesIO(data))
out.close()
PY
img=$("$BENCH" layers import "$tmp/img.tar" | cut -d' ' -f1) || fail "import"
itop=$("$BENCH" layers qcow2 "$img") || fail "bench layers qcow2 of the imported image"
rm -rf "$tmp/raw" "$tmp/dump"; mkdir -p "$tmp/dump"
qemu-img convert -O raw "$itop" "$tmp/raw" || fail "convert"
e2fsck -fn "$tmp/raw" >/dev/null 2>&1 || fail "the imported chain's ext4 is not clean"
debugfs -R "rdump / $tmp/dump" "$tmp/raw" 2>/dev/null
iflat=$("$BENCH" layers flatten "$img") || fail "flatten"
diff -r --no-dereference -x '.bench-layer-*' -x lost+found "$iflat" "$tmp/dump" >/dev/null || fail "the imported chain differs from the flattened image: $(diff -r --no-dereference -x '.bench-layer-*' -x lost+found "$iflat" "$tmp/dump" | head -5)"
# modes and owners as the image's ext4 holds them (rdump does not restore sticky bits)
( cd "$iflat" && find . -mindepth 1 ! -type l -printf '%P %m %U %G\n' | sort ) > "$tmp/want"
( cd "$iflat" && find . -mindepth 1 ! -type l -printf '%P\n' | sort | while read -r p; do
        debugfs -R "stat \"/$p\"" "$tmp/raw" 2>/dev/null |
                awk -v p="$p" '/Mode:/ { for (i = 1; i <= NF; i++) if ($i == "Mode:") m = $(i + 1) }
                               /^User:/ { u = $2; g = $4 } END { sub(/^0+/, "", m); print p, m, u, g }'
done ) > "$tmp/got"
diff "$tmp/want" "$tmp/got" >/dev/null || fail "modes or owners differ (path mode uid gid): $(diff "$tmp/want" "$tmp/got" | head -6)"
grep -q '^c 1777 0 0$' "$tmp/got" && grep -q '^a/keep 640 1000 1000$' "$tmp/got" || fail "sticky dir or owner lost: $(cat "$tmp/got")"
"$BENCH" layers rm "$img" >/dev/null || fail "bench layers rm of the image"

"$BENCH" layers rm "$id" || fail "bench layers rm"
[ ! -e "$dir" ] || fail "bench layers rm left the stack's chain: $(ls "$dir")"
) || exit 1

# ---- a guest reads the stack ----
need_vm # (the chain checks above passed)
export BENCH_WORKDIR="$tmp/work"; mkdir -p "$BENCH_WORKDIR"
before=$(pgrep -f 'qemu-system.*guest=bench-')
cat > "$tmp/s.json" <<'JSON'
{ "name": "vmstack", "repetitions": 1, "warmup": 0, "timeout_s": 180,
  "configurations": [
    { "name": "vm-4", "kind": "vm", "stack": "synth:layers=4,files=20,big=4K" },
    { "name": "bare-4", "kind": "bare", "stack": "synth:layers=4,files=20,big=4K" },
    { "name": "vm-250", "kind": "vm", "stack": "synth:layers=250,files=10,big=4K" } ],
  "workloads": [
    { "name": "meta-bottom", "kind": "metadata", "params": { "bottom": true, "files": 20 } },
    { "name": "copyup-bottom", "kind": "copyup", "params": { "bottom": true, "size": "4K" } } ] }
JSON
"$BENCH" run "$tmp/s.json" -o "$tmp/r.json" --quiet 2>"$tmp/err" || fail "the vm stack run failed: $(cat "$tmp/err")"
check_result "$tmp/r.json" || fail "schema"
$PY - "$tmp/r.json" <<'PY' || fail "vm stack results"
import json, sys
d = json.load(open(sys.argv[1]))
assert not d["errors"], d["errors"]
m = {(r["configuration"], r["workload"], r["metric"]): r for r in d["results"]}
for c in ("vm-4", "bare-4"):
    for k in ("stat.ops_per_s", "miss.ops_per_s", "readdir.entries_per_s"):
        assert m[(c, "meta-bottom", k)]["stats"]["median"] > 0, (c, k)
assert m[("vm-4", "meta-bottom", "stat.ops_per_s")]["accel"] in ("tcg", "kvm")
assert d["pinning"]["seen"]["vm-4"].get("scratch_layers") == 4, d["pinning"]["seen"]["vm-4"]
first = m[("vm-4", "copyup-bottom", "first_write_ms")]["stats"]["median"]
second = m[("vm-4", "copyup-bottom", "second_write_ms")]["stats"]["median"]
assert first > second, "qcow2 copy-on-write: the first write (%.3f ms) allocates, the second (%.3f ms) not" % (first, second)
# deeper than libvirt follows a chain (200): the disk goes to QEMU directly
deep = d["pinning"]["seen"]["vm-250"]
assert deep.get("scratch_layers") == 250, deep
assert m[("vm-250", "meta-bottom", "stat.ops_per_s")].get("depth") == 250
assert m[("vm-4", "meta-bottom", "stat.ops_per_s")].get("depth") == 4
print("vm bottom of 4 levels: stat %.0f/s (bare %.0f/s), first write %.3f ms" % (
    m[("vm-4", "meta-bottom", "stat.ops_per_s")]["stats"]["median"],
    m[("bare-4", "meta-bottom", "stat.ops_per_s")]["stats"]["median"], first))
PY
sleep 0.5
[ "$(pgrep -f 'qemu-system.*guest=bench-')" = "$before" ] || fail "a QEMU process was left"
[ -z "$(ls "$BENCH_WORKDIR")" ] || fail "left in the workdir: $(ls "$BENCH_WORKDIR")"
echo "ok"
