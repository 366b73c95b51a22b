#!/usr/bin/env bash
# Rootless: an ordinary user runs a container in a new user namespace (root
# inside = that user outside), where the kernel allows it; a skip with the
# reason where it does not.
source "$(dirname "$0")/common.bash"
need_container
command -v setpriv >/dev/null || skip "setpriv (util-linux) is missing"
user=nobody; uid=$(id -u $user 2>/dev/null) || skip "no user $user"
[ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 0)" -gt 0 ] || skip "user namespaces are disabled (user.max_user_namespaces=0)"
[ "$(cat /proc/sys/kernel/unprivileged_userns_clone 2>/dev/null || echo 1)" = 1 ] || skip "unprivileged user namespaces are off (kernel.unprivileged_userns_clone=0)"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"; mkdir -p "$tmp/work" "$tmp/cache"; chown $user "$tmp/work" "$tmp/cache"
# the binaries must be reachable by the user
for d in $(dirname "$BENCH") $(dirname "$(dirname "$BENCH")"); do
  setpriv --reuid=$uid --regid=65534 --clear-groups test -x "$BENCH" || skip "$BENCH is not reachable by $user (a build dir under a private home?)"
done
probe=$(setpriv --reuid=$uid --regid=65534 --clear-groups unshare -Ur true 2>&1) || skip "the kernel refuses unprivileged user namespaces here: $probe"
before=$(host_state)
as_user() { setpriv --reuid=$uid --regid=65534 --clear-groups env BENCH_WORKDIR="$tmp/work" BENCH_CACHE_DIR="$tmp/cache" HOME="$tmp" "$@"; }
out=$(as_user "$BENCH" container run --userns -- /bin/sh -c 'echo uid=$(id -u) pid=$$; echo x > /tmp/f && cat /tmp/f; echo y > /scratch/g && cat /scratch/g' 2>&1) \
  || fail "a rootless container failed: $out"
echo "$out" | grep -q '^uid=0 pid=1$' || fail "inside a user namespace the user should be root and PID 1: $out"
echo "$out" | grep -qx x || fail "/tmp is not writable: $out"
echo "$out" | grep -qx y || fail "the overlay rootfs is not writable: $out"
as_user "$BENCH" container run --userns --memory 64M -- /bin/true 2>"$tmp/err" && fail "cgroup limits without root should be refused"
grep -qi "root" "$tmp/err" || fail "the refusal does not say why: $(cat "$tmp/err")"
after=$(host_state)
[ "$before" = "$after" ] || fail "left behind: $(diff <(echo "$before") <(echo "$after") | grep '^>')"
[ -z "$(ls "$tmp/work")" ] || fail "left in the workdir: $(ls "$tmp/work")"
echo "ok"
