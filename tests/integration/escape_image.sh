#!/usr/bin/env bash
# An image whose files are symlinks to host paths, where bench makes mount
# points before pivot_root: /bench-agent (the agent is bound there) pointing
# at a host path made bench create that file on the host as root. The start
# must fail with the reason, nothing may appear on the host, and the run
# goes on and leaves nothing behind.
source "$(dirname "$0")/common.bash"
need_container
tmp=$(mktemp -d /tmp/bench-escape-image.XXXXXX)
victim=$tmp/host-victim
trap 'rm -rf "$tmp"' EXIT
export BENCH_CACHE_DIR="$tmp/cache" BENCH_WORKDIR="$tmp/work"
mkdir -p "$BENCH_WORKDIR"

"$PY" - "$tmp" "$victim" <<'PY' || fail "cannot make the test image"
import io, json, sys, tarfile
tmp, victim = sys.argv[1], sys.argv[2]
def tar_bytes(entries):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=tarfile.PAX_FORMAT) as t:
        for ti, data in entries:
            t.addfile(ti, io.BytesIO(data) if data is not None else None)
    return b.getvalue()
def reg(name, data):
    ti = tarfile.TarInfo(name); ti.size = len(data); ti.mode = 0o644
    return ti, data
def link(name, target):
    ti = tarfile.TarInfo(name); ti.type = tarfile.SYMTYPE; ti.linkname = target
    return ti, None
layer = tar_bytes([link("bench-agent", victim), reg("etc/motd", b"hostile\n")])
outer = tar_bytes([reg("l0/layer.tar", layer),
                   reg("config.json", json.dumps({"rootfs": {"type": "layers"}}).encode()),
                   reg("manifest.json", json.dumps([{"Config": "config.json", "Layers": ["l0/layer.tar"]}]).encode())])
open(tmp + "/hostile.tar", "wb").write(outer)
PY

cat >"$tmp/suite.json" <<JSON
{ "name": "escape-image", "repetitions": 1, "warmup": 0, "timeout_s": 60,
  "configurations": [ { "name": "ctr", "kind": "container", "stack": "oci:$tmp/hostile.tar" } ],
  "workloads": [ { "kind": "startup", "params": { "runs": 1 } } ] }
JSON
before=$(host_state)
"$BENCH" run "$tmp/suite.json" -o "$tmp/r.json" --quiet 2>"$tmp/err"
rc=$?
[ -e "$victim" ] && fail "a symlink in the image made bench create $victim on the host"
[ $rc -eq 1 ] || fail "bench run: exit $rc, expected 1 (the container cannot start): $(cat "$tmp/err")"
"$PY" - "$tmp/r.json" <<'PY' || fail "the refused start is not an error in the result"
import json, sys
r = json.load(open(sys.argv[1]))
errs = [e["reason"] for e in r["errors"]]
assert errs and any("bench-agent" in e for e in errs), errs
PY
[ "$(host_state)" = "$before" ] || fail "left behind: $(diff <(echo "$before") <(host_state))"
echo "ok: a symlinked /bench-agent in an image is refused and creates nothing on the host"
