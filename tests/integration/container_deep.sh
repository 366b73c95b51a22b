#!/usr/bin/env bash
# A stack of 500 lower layers (the kernel's limit) mounts — its layer paths
# need more than the one page of classic mount options, so the runtime goes
# through fsconfig's lowerdir+ — and a file in the bottom layer reads back
# through all of them, as does one in the top.
source "$(dirname "$0")/common.bash"
need_container
# the layers and the workdir apart: the default tmpfs upper covers the workdir
tmp=$(mktemp -d); BENCH_WORKDIR=$(mktemp -d); export BENCH_WORKDIR
trap 'rm -rf "$tmp" "$BENCH_WORKDIR"' EXIT
before=$(host_state)
args=()
for i in $(seq -w 1 500); do
  mkdir "$tmp/$i"; echo "layer $i" > "$tmp/$i/f$i"; args+=(--layer "$tmp/$i")
done
mkdir -p "$tmp/001/bin" "$tmp/001/proc" "$tmp/001/dev" "$tmp/001/sys" "$tmp/001/tmp"
cp /bin/busybox "$tmp/001/bin/"; for a in sh cat ls wc; do ln -s busybox "$tmp/001/bin/$a"; done
echo bottom > "$tmp/001/bottom"; echo top > "$tmp/500/top"; echo shadowed > "$tmp/001/f500"
[ "$(printf '%s ' "${args[@]}" | wc -c)" -gt 4096 ] || fail "test premise: the layer paths should exceed a page"
out=$("$BENCH" container run "${args[@]}" -- /bin/sh -c 'cat /bottom /top /f500; ls / | wc -l') || fail "a 500-layer container failed: $out"
[ "$out" = "$(printf 'bottom\ntop\nlayer 500\n508')" ] || fail "the 500-layer view is wrong: $out"
"$BENCH" container run "${args[@]}" --layer "$tmp/001" -- /bin/true 2>/dev/null && fail "501 layers were accepted"
after=$(host_state)
[ "$before" = "$after" ] || fail "left behind: $(diff <(echo "$before") <(echo "$after") | grep '^>')"
echo "ok"
