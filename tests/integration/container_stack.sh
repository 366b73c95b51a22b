#!/usr/bin/env bash
# bench container run --stack: a synthesized stack runs on bench's base
# layer and sees its files by depth, with --layer dirs above it; an OCI
# image layout made here (busybox, a whiteout in its second layer) runs
# by id, by id prefix and as oci:PATH, without the base layer; a command
# the image lacks is a failed start (125) that says so; a bad spec (unknown
# id, ambiguous prefix, bad synth key, missing path, a tampered image,
# --stack twice) is exit 2 with a message naming --stack and the fix; and
# nothing stays behind: mounts, cgroups, workdir entries, store temp dirs.
source "$(dirname "$0")/common.bash"
need_container
tmp=$(mktemp -d /tmp/bench-ctr-stack.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export BENCH_WORKDIR="$tmp/work" BENCH_CACHE_DIR="$tmp/cache"
mkdir -p "$BENCH_WORKDIR"
store="$BENCH_CACHE_DIR/store"
before=$(host_state)

"$PY" - "$tmp" <<'PY' || fail "cannot make the test image"
import gzip, hashlib, io, json, os, sys, tarfile
tmp = sys.argv[1]
def tar_bytes(entries):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=tarfile.PAX_FORMAT) as t:
        for ti, data in entries:
            t.addfile(ti, io.BytesIO(data) if data is not None else None)
    return b.getvalue()
def reg(name, data, mode=0o644):
    ti = tarfile.TarInfo(name); ti.size = len(data); ti.mode = mode
    return ti, data
def link(name, target):
    ti = tarfile.TarInfo(name); ti.type = tarfile.SYMTYPE; ti.linkname = target
    return ti, None
def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()
def oci(dir, layers):
    os.makedirs(dir + "/blobs/sha256")
    def blob(b):
        open(dir + "/blobs/sha256/" + sha(b)[7:], "wb").write(b)
        return {"digest": sha(b), "size": len(b)}
    descs, diff_ids = [], []
    for plain in layers:
        d = blob(gzip.compress(plain, mtime=0))
        d["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"
        descs.append(d); diff_ids.append(sha(plain))
    config = blob(json.dumps({"architecture": "amd64", "os": "linux",
                              "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode())
    config["mediaType"] = "application/vnd.oci.image.config.v1+json"
    manifest = blob(json.dumps({"schemaVersion": 2, "config": config, "layers": descs}).encode())
    manifest["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
    json.dump({"schemaVersion": 2, "manifests": [manifest]}, open(dir + "/index.json", "w"))
    json.dump({"imageLayoutVersion": "1.0.0"}, open(dir + "/oci-layout", "w"))
busybox = open("/bin/busybox", "rb").read()
base = tar_bytes([reg("bin/busybox", busybox, 0o755), link("bin/sh", "/bin/busybox"),
                  reg("etc/motd", b"layer one\n"), reg("etc/gone", b"whited out above\n")])
top = tar_bytes([reg("etc/motd", b"layer two\n"), reg("etc/.wh.gone", b"")])
oci(tmp + "/img", [base, top])
# another image (a stored one with the same digests would be found, not read), tampered:
# its layer blob no longer matches its digest
oci(tmp + "/bad", [base, tar_bytes([reg("etc/motd", b"layer bad\n")])])
blobs = tmp + "/bad/blobs/sha256/"
big = max(os.listdir(blobs), key=lambda f: os.path.getsize(blobs + f))
with open(blobs + big, "r+b") as f:
    f.seek(100); f.write(b"X")
PY

run() { "$BENCH" container run "$@" 2>"$tmp/err"; }
store_temps() { ls -A "$store" 2>/dev/null | grep -v '^[0-9a-f]\{16\}$' || true; }

# a synthesized stack: bench's base layer below it gives /bin/sh
out=$(run --stack synth:layers=3,files=2 -- /bin/sh -c \
      'ls /bench | tr "\n" " "; head -n1 /bench/depth-3/files/d0/f0') ||
  fail "synth stack: $(cat "$tmp/err")"
[ "$out" = "depth-1 depth-2 depth-3 opaque shadow bench-synth seed=422608528232 layer=1 bench/depth-3/files/d0/f0" ] ||
  fail "synth stack: the container saw: $out"

# --layer dirs go above the stack: their file shadows the stack's
mkdir -p "$tmp/extra/bench/shadow"
echo mine > "$tmp/extra/bench/shadow/s0"
out=$(run --stack synth:layers=3,files=2 --layer "$tmp/extra" -- /bin/sh -c 'cat /bench/shadow/s0') ||
  fail "synth stack + --layer: $(cat "$tmp/err")"
[ "$out" = mine ] || fail "--layer is not above the stack: s0 reads $out"

# an imported OCI layout: by id, by a prefix, as oci:PATH (the same stack)
id=$("$BENCH" layers import "$tmp/img" 2>"$tmp/err" | cut -d' ' -f1) && [ -n "$id" ] ||
  fail "import: $(cat "$tmp/err")"
want="layer two|gone|no agent"
img_check='cat /etc/motd; test -e /etc/gone && echo there || echo gone; test -e /bench-agent || echo no agent'
for spec in "$id" "${id:0:6}" "oci:$tmp/img" "$tmp/img"; do
  out=$(run --stack "$spec" -- /bin/sh -c "$img_check") || fail "--stack $spec: $(cat "$tmp/err")"
  [ "$(echo "$out" | paste -sd'|')" = "$want" ] || fail "--stack $spec: the container saw: $out"
done
[ "$(ls "$store" | grep -c '^[0-9a-f]\{16\}$')" = 2 ] || fail "oci:PATH made another stack: $(ls "$store")"

# a stored id reads meta.json (cJSON), never libarchive; no --stack loads neither
libs() { LD_DEBUG=files "$BENCH" container run "$@" -- /bin/sh -c true 2>&1 | grep -o 'file=[^ ]*' | sort -u; }
libs --stack "$id" | grep -q libarchive && fail "--stack ID loaded libarchive: $(libs --stack "$id")"
libs --stack "$id" | grep -q libcjson || fail "LD_DEBUG shows no library loads: $(libs --stack "$id")"
libs | grep -q 'libarchive\|libcjson' && fail "no --stack: loaded $(libs)"

# exit status passes through; a command the image lacks: 125, and why
run --stack "$id" -- /bin/sh -c 'exit 7'
[ $? = 7 ] || fail "exit status of CMD not passed through"
run --stack "$id" -- /bin/true
[ $? = 125 ] || fail "a missing command: not 125"
grep -q "executing /bin/true: No such file or directory (the rootfs is the stack \`$id\` without bench's base layer: name a program the image holds)" "$tmp/err" ||
  fail "a missing command: $(cat "$tmp/err")"

# bad input: exit 2, the option, the fix
bad() {
  local want=$1; shift
  local state; state=$(ls -A "$store")
  run "$@" -- /bin/sh -c true
  local rc=$?
  [ "$rc" = 2 ] || fail "$*: exit $rc, not 2: $(cat "$tmp/err")"
  grep -qF -- "$want" "$tmp/err" || fail "$*: no \`$want\` in: $(cat "$tmp/err")"
  [ "$(ls -A "$store")" = "$state" ] || fail "$*: the store changed: $(ls -A "$store")"
}
bad "--stack \`0123456789abcdef\`: no stack \`0123456789abcdef\`" --stack 0123456789abcdef
grep -qF 'bench layers import PATH' "$tmp/err" || fail "unknown id: no fix said: $(cat "$tmp/err")"
bad "is not a stack id (up to 16 hex digits" --stack nosuchimage
bad "unknown key \`bogus\` (layers, files, dirs, size, big, copy_files, seed)" --stack synth:layers=2,bogus=1
bad "layers=N (1..500) is required" --stack synth:files=2
bad "--stack \`oci:$tmp/none\`: stack \`oci:$tmp/none\`: No such file or directory" --stack "oci:$tmp/none"
bad "--stack given twice" --stack "$id" --stack "$id"
bad "--stack \`oci:$tmp/bad\`" --stack "oci:$tmp/bad"
grep -q sha256 "$tmp/err" || fail "tampered image: the digest is not named: $(cat "$tmp/err")"
# an ambiguous prefix: a second entry sharing the id's first 15 digits
last=${id:15:1}; [ "$last" = 0 ] && other=1 || other=0
mkdir "$store/${id:0:15}$other"
bad "\`${id:0:15}\` names 2 stacks: give more digits of the id" --stack "${id:0:15}"
rmdir "$store/${id:0:15}$other"

[ -z "$(store_temps)" ] || fail "left in the store: $(store_temps)"
after=$(host_state)
[ "$before" = "$after" ] || fail "left behind: $(diff <(echo "$before") <(echo "$after"))"
echo "ok"
