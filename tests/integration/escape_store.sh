#!/usr/bin/env bash
# The layer store against hostile images (issue 10, items 7, 8, 10): a
# tampered OCI blob is refused and leaves the store as it was, and the
# correct image imports afterwards; two docker-save images with the same
# layer paths but other contents get their own ids and contents; the
# set-id binary and device node an image carries are out of reach of an
# unprivileged host user; a 1 TiB sparse file imports and flattens in a
# few KiB; gzip bombs larger than a small tmpfs store are refused with a
# message saying what they need; a 2000-deep tree in a failed import and in
# a dead bench's workdir is removed; no `.tmp-*` stays after a failure.
# The images are made here with Python's tarfile and gzip.
source "$(dirname "$0")/common.bash"
need_root
command -v setpriv >/dev/null || skip "setpriv (util-linux) is missing"
tmp=$(mktemp -d /tmp/bench-escape-store.XXXXXX)
chmod 755 "$tmp" # the store alone must keep host users out
mnt="$tmp/small"
cleanup() {
  mountpoint -q "$mnt" && umount "$mnt"
  rm -rf "$tmp"
}
trap cleanup EXIT
export BENCH_CACHE_DIR="$tmp/cache" BENCH_WORKDIR="$tmp/work"
mkdir -p "$BENCH_WORKDIR"
store="$BENCH_CACHE_DIR/store"

"$PY" - "$tmp" <<'PY' || fail "cannot make the test images"
import gzip, hashlib, io, json, os, sys, tarfile
tmp = sys.argv[1]

def tar_bytes(entries, fmt=tarfile.PAX_FORMAT):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=fmt) as t:
        for ti, data in entries:
            t.addfile(ti, io.BytesIO(data) if data is not None else None)
    return b.getvalue()

def reg(name, data, mode=0o644, uid=0):
    ti = tarfile.TarInfo(name); ti.size = len(data); ti.mode = mode; ti.uid = uid
    return ti, data

def node(name, kind, mode=0o755, major=0, minor=0):
    ti = tarfile.TarInfo(name); ti.type = kind; ti.mode = mode; ti.devmajor = major; ti.devminor = minor
    return ti, None

def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()

def oci(dir, layers):
    os.makedirs(dir + "/blobs/sha256")
    def blob(b):
        open(dir + "/blobs/sha256/" + sha(b)[7:], "wb").write(b)
        return {"digest": sha(b), "size": len(b)}
    descs, diff_ids = [], []
    for plain, gz in layers:
        data = gzip.compress(plain, mtime=0) if gz else plain
        d = blob(data)
        d["mediaType"] = "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if gz else "")
        descs.append(d); diff_ids.append(sha(plain))
    config = blob(json.dumps({"architecture": "amd64", "os": "linux",
                              "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode())
    config["mediaType"] = "application/vnd.oci.image.config.v1+json"
    manifest = blob(json.dumps({"schemaVersion": 2, "config": config, "layers": descs}).encode())
    manifest["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
    json.dump({"schemaVersion": 2, "manifests": [manifest]}, open(dir + "/index.json", "w"))
    json.dump({"imageLayoutVersion": "1.0.0"}, open(dir + "/oci-layout", "w"))

def docker(path, layers, config=None):
    outer = []
    names = []
    for i, data in enumerate(layers):
        names.append("l%d/layer.tar" % i)
        outer.append(reg(names[-1], data))
    outer.append(reg("config.json", json.dumps(config or {"rootfs": {"type": "layers"}}).encode()))
    outer.append(reg("manifest.json", json.dumps([{"Config": "config.json", "Layers": names}]).encode()))
    open(path, "wb").write(tar_bytes(outer))

# 7: a setuid-root binary and a device node, in a gzip layer and a plain one
busybox = open("/bin/busybox", "rb").read()
good = tar_bytes([reg("bin/id", busybox, 0o4755), node("dev/null0", tarfile.CHRTYPE, 0o666, 1, 3),
                  reg("etc/motd", b"genuine\n")])
second = tar_bytes([reg("etc/motd2", b"genuine too\n" * 100)])
oci(tmp + "/oci", [(good, True), (second, False)])

# two docker-save images: the same layer path, other contents
docker(tmp + "/a.tar", [tar_bytes([reg("who", b"image A\n")])])
docker(tmp + "/b.tar", [tar_bytes([reg("who", b"image B\n")])])
# a config whose diff_ids lie about the layer
docker(tmp + "/liar.tar", [tar_bytes([reg("who", b"image C\n")])],
       {"rootfs": {"type": "layers", "diff_ids": [sha(tar_bytes([reg("who", b"image A\n")]))]}})

# 8: a 1 TiB sparse file (GNU sparse 0.1 in pax headers): 8 KiB of data
T = 1 << 40
data = b"head" * 1024 + b"tail" * 1024
ti = tarfile.TarInfo("GNUSparseFile.0/big"); ti.size = len(data); ti.mode = 0o644
ti.pax_headers = {"GNU.sparse.major": "0", "GNU.sparse.minor": "1", "GNU.sparse.name": "big",
                  "GNU.sparse.size": str(T), "GNU.sparse.numblocks": "2",
                  "GNU.sparse.map": "0,4096,%d,4096" % (T - 4096)}
docker(tmp + "/sparse.tar", [tar_bytes([(ti, data)])])

# gzip bombs, as concatenated gzip members of 1 MiB of zeros each (~1 KiB apiece)
mib = gzip.compress(b"\0" * (1 << 20), mtime=0)
def bomb(files, size):
    out = io.BytesIO()
    for f in range(files):
        h = tarfile.TarInfo("f%d" % f); h.size = size
        out.write(gzip.compress(h.tobuf(tarfile.PAX_FORMAT), mtime=0))
        for _ in range(size >> 20):
            out.write(mib)
    out.write(gzip.compress(b"\0" * 1024, mtime=0))
    return out.getvalue()
docker(tmp + "/bomb.tar", [bomb(1, 2 << 30)])      # one 2 GiB file
docker(tmp + "/bombs.tar", [bomb(32, 8 << 20)])     # 32 files of 8 MiB: none too big alone

# 10: a 2000-deep tree, then an entry that is refused
deep = [node("/".join(["d"] * (i + 1)), tarfile.DIRTYPE) for i in range(2000)]
deep.append(reg("/".join(["d"] * 2000) + "/f", b"x"))
deep.append(reg("../escape", b"out"))
docker(tmp + "/deep.tar", [tar_bytes(deep)])
docker(tmp + "/deep-ok.tar", [tar_bytes(deep[:-1])])
for f in ("oci", "a.tar", "bomb.tar", "bombs.tar", "sparse.tar", "deep.tar"):
    p = tmp + "/" + f
    print("%-10s %8d bytes" % (f, os.path.getsize(p) if os.path.isfile(p) else 0))
PY

store_state() { ls -A "$store" 2>/dev/null | LC_ALL=C sort | tr '\n' ' '; }
import() { "$BENCH" layers import "$1" 2>"$tmp/err" | cut -d' ' -f1; }
refused() { # refused WHAT PATH PATTERN: the import fails, says PATTERN, and leaves the store as it was
  local before after id
  before=$(store_state)
  if id=$(import "$2") && [ -n "$id" ]; then fail "$1: imported as $id"; fi
  grep -Eq "$3" "$tmp/err" || fail "$1: the message does not say /$3/: $(cat "$tmp/err")"
  after=$(store_state)
  [ "$before" = "$after" ] || fail "$1: the store changed: [$before] -> [$after]"
  echo "refused ($1): $(head -c 400 "$tmp/err")"
}

# --- 7: tampered blobs -----------------------------------------------------
"$BENCH" layers list >/dev/null || fail "bench layers list"
blob_of() { "$PY" - "$tmp/oci" "$1" <<'PY'
import json, sys
d = sys.argv[1]
idx = json.load(open(d + "/index.json"))
m = json.load(open(d + "/blobs/sha256/" + idx["manifests"][0]["digest"][7:]))
print(d + "/blobs/sha256/" + (m["config"] if sys.argv[2] == "config" else m["layers"][int(sys.argv[2])])["digest"][7:])
PY
}
flip() { "$PY" -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[len(b)//2]^=1; open(p,"wb").write(b)' "$1"; }
for what in 0 1 config; do
  f=$(blob_of $what); cp "$f" "$tmp/saved"; flip "$f"
  refused "OCI blob $what with one byte changed" "$tmp/oci" "sha256 is sha256:[0-9a-f]{64}, not sha256:[0-9a-f]{64}.*tampered"
  cp "$tmp/saved" "$f"
done
ls -A "$store" | grep -q '^\.tmp-' && fail "a .tmp- dir stayed after a refused import"
id=$(import "$tmp/oci") && [ -n "$id" ] || fail "the genuine image after the tampered ones: $(cat "$tmp/err")"
flat=$("$BENCH" layers flatten "$id") || fail "flatten $id"
[ "$(cat "$flat/etc/motd")" = genuine ] || fail "the stored image is not the genuine one"
cmp -s "$flat/bin/id" /bin/busybox || fail "bin/id differs from what the image holds"

# docker save: ids by content, not by layer paths; a config that lies is refused
ida=$(import "$tmp/a.tar") && idb=$(import "$tmp/b.tar") || fail "docker-save import: $(cat "$tmp/err")"
[ "$ida" != "$idb" ] || fail "two images with other contents got one id $ida"
for x in a b; do
  id=$([ $x = a ] && echo "$ida" || echo "$idb")
  f=$("$BENCH" layers flatten "$id") || fail "flatten $id"
  [ "$(cat "$f/who")" = "image ${x^^}" ] || fail "image $x has the content $(cat "$f/who")"
done
# the liar names image A's diff_id: the cache hands it A's genuine content, never C's
"$BENCH" layers rm "$ida" || fail "rm $ida"
refused "a docker config whose diff_ids lie" "$tmp/liar.tar" "tar's sha256 is .* not .*diff_ids"

# set-id binaries and device nodes are kept (containers mount nodev, run no_new_privs) but out of host users' reach
[ "$(stat -c %a "$store")" = 700 ] || fail "the store is $(stat -c %a "$store"), not 700"
suid=$(find "$store" -path "*/l/1/bin/id" | head -1)
[ -n "$suid" ] && [ "$(stat -c %a "$suid")" = 4755 ] || fail "the stored setuid binary is missing or lost its bit"
dev=$(find "$store" -path "*/l/1/dev/null0" | head -1)
[ -c "$dev" ] || fail "the stored device node is missing"
# through sh: setpriv itself keeps root's capabilities until it execs, the shell has none
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- /bin/sh -c '"$@"' sh "$@"; }
out=$(as_nobody "$suid" -u 2>&1) && fail "nobody ran the stored setuid binary: euid $out"
out=$(as_nobody "$flat/bin/id" -u 2>&1) && fail "nobody ran the flattened setuid binary: euid $out"
as_nobody /bin/sh -c "exec 3<'$dev'" 2>/dev/null && fail "nobody opened the stored device node"
as_nobody /bin/true || fail "nobody cannot run /bin/true: the checks above prove nothing"
echo "setuid binary and device node: out of reach of nobody ($(echo "$out" | head -1))"

# --- 8: a 1 TiB sparse file and gzip bombs, in a 64M tmpfs store ----------------
mkdir -p "$mnt" && mount -t tmpfs -o size=64M tmpfs "$mnt" || skip "cannot mount a tmpfs"
export BENCH_CACHE_DIR="$mnt/cache"
store="$BENCH_CACHE_DIR/store"
id=$(import "$tmp/sparse.tar") && [ -n "$id" ] || fail "the sparse image: $(cat "$tmp/err")"
flat=$("$BENCH" layers flatten "$id") || fail "flatten of the sparse image"
[ "$(stat -c %s "$flat/big")" = 1099511627776 ] || fail "the flat big is $(stat -c %s "$flat/big") bytes, not 1 TiB"
[ "$(head -c 4 "$flat/big")" = head ] && [ "$(tail -c 4 "$flat/big")" = tail ] || fail "the sparse file's data is wrong"
used=$(du -sk "$store" | cut -f1)
[ "$used" -lt 2048 ] || fail "the sparse image takes $used KiB in the store"
echo "1 TiB sparse file: imported and flattened in $used KiB"
# the VM's view of it: a qcow2 chain whose disk is sized by the data, not by the file's length
if command -v qemu-img >/dev/null && command -v debugfs >/dev/null; then
  top=$("$BENCH" layers qcow2 "$id" 2>"$tmp/err") || fail "the sparse image's VM chain: $(cat "$tmp/err")"
  vsize=$(qemu-img info --output=json "$top" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["virtual-size"])')
  [ "$vsize" -lt $((1 << 30)) ] || fail "the sparse image's VM disk is $vsize bytes"
  echo "1 TiB sparse file: a VM disk of $((vsize >> 20)) MiB"
fi
"$BENCH" layers rm "$id" || fail "rm $id"
free_before=$(df -k --output=avail "$mnt" | tail -1)
refused "a 2 GiB gzip bomb in 64M" "$tmp/bomb.tar" "needs 2\.0 GiB, but .* has .* free"
refused "32 x 8 MiB gzip bomb in 64M" "$tmp/bombs.tar" "needs .*, but .* has .* free.*written so far"
[ "$(df -k --output=avail "$mnt" | tail -1)" -ge "$((free_before - 64))" ] || fail "the bombs left data behind"

# --- 10: a 2000-deep tree in a failed import and in a dead bench's workdir -------
export BENCH_CACHE_DIR="$tmp/cache"
store="$BENCH_CACHE_DIR/store"
refused "a 2000-deep image with a bad entry" "$tmp/deep.tar" "\`\.\.\`"
ls -A "$store" | grep -q '^\.tmp-' && fail "a .tmp- dir stayed after the failed deep import"
# the same tree without the bad entry: stored, flatten refuses it with a reason, rm removes it all
id=$(import "$tmp/deep-ok.tar") && [ -n "$id" ] || fail "the 2000-deep image: $(cat "$tmp/err")"
"$BENCH" layers flatten "$id" 2>"$tmp/err" && fail "flatten of a 2000-deep tree should be refused"
grep -q "deeper than 256" "$tmp/err" || fail "flatten's refusal does not say why: $(cat "$tmp/err")"
ls -A "$store/$id" | grep -q '^\.flat-' && fail "a .flat- dir stayed after the refused flatten"
"$BENCH" layers rm "$id" || fail "bench layers rm of the 2000-deep stack"
ls -A "$store" | grep -Eq "^$id|^\." && fail "left in the store after rm: $(ls -A "$store")"
sh -c 'exit 0' & dead=$!; wait $dead
"$PY" - "$BENCH_WORKDIR/bench-$dead.abcdef" <<'PY'
import os, sys
os.mkdir(sys.argv[1]); os.chdir(sys.argv[1])
for _ in range(2000):
    os.mkdir("d"); os.chdir("d")
open("f", "w").write("x")
PY
cat > "$tmp/s.json" <<'JSON'
{ "name": "reap", "repetitions": 1, "warmup": 0,
  "configurations": [ { "name": "bare", "kind": "bare" } ],
  "workloads": [ { "name": "s", "kind": "startup" } ] }
JSON
"$BENCH" run "$tmp/s.json" -o "$tmp/r.json" --quiet || fail "bench run"
[ -e "$BENCH_WORKDIR/bench-$dead.abcdef" ] && fail "the dead bench's 2000-deep dir was not reaped"
echo "ok"
