#!/usr/bin/env bash
# bench container run, checked from inside: PID 1 with no host PID visible,
# its own hostname, only lo, no way to the host's root, mount refused
# without CAP_SYS_ADMIN, exit status passed through, cpuset applied; and
# nothing left on the host after each run.
source "$(dirname "$0")/common.bash"
need_container
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export BENCH_WORKDIR="$tmp/work"; mkdir -p "$BENCH_WORKDIR"
run() { "$BENCH" container run "$@"; }
before=$(host_state)

out=$(run -- /bin/sh -c 'echo pid=$$; ls /proc | grep -E "^[0-9]+$" | tr "\n" " "') || fail "sh in a container: exit $?"
echo "$out" | grep -q '^pid=1$' || fail "the first process is not PID 1: $out"
pids=$(echo "$out" | tail -1)
for p in $pids; do [ "$p" -le 5 ] || fail "a host PID is visible in the container's /proc: $pids"; done

[ "$(run --hostname box1 -- /bin/hostname)" = box1 ] || fail "hostname not set"
[ "$(hostname)" != box1 ] || fail "the host's hostname changed"

# the network namespace: made by a second thread on another cpu where there is
# one, else at clone (one allowed cpu): the same namespace either way
host_net=$(readlink /proc/self/ns/net)
cpu=$(cut -d- -f1 /sys/fs/cgroup/cpuset/cpuset.effective_cpus 2>/dev/null || echo 0); cpu=${cpu%%,*}
for how in "" "taskset -c ${cpu:-0}"; do
  nets=$($how "$BENCH" container run -- /bin/ls /sys/class/net | tr '\n' ' ')
  [ "$nets" = "lo " ] || fail "${how:-two cpus}: network devices inside: '$nets', expected only lo"
  $how "$BENCH" container run -- /bin/sh -c 'cat /sys/class/net/lo/operstate; ip link show lo 2>/dev/null' |
    grep -qiE 'unknown|up' || fail "${how:-two cpus}: lo is not up"
  [ "$($how "$BENCH" container run --network none -- /bin/cat /sys/class/net/lo/flags)" = 0x8 ] ||
    fail "${how:-two cpus}: --network none: lo should be down"
  inside=$($how "$BENCH" container run -- /bin/readlink /proc/self/ns/net)
  case "$inside" in net:\[*\]) ;; *) fail "${how:-two cpus}: no network namespace seen inside: '$inside'" ;; esac
  [ "$inside" != "$host_net" ] || fail "${how:-two cpus}: the container shares the host's network namespace"
done

run -- /bin/sh -c 'test -e /etc/debian_version' && fail "the host's root is reachable (/etc/debian_version seen)"
run -- /bin/sh -c 'test -e /proc/1/root/etc/debian_version' && fail "the host's root is reachable through /proc/1/root"
# Docker's masked paths: whichever of them this kernel has must read empty inside
masked=0
for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/latency_stats; do
  [ -e "$f" ] || continue
  masked=$((masked + 1))
  [ "$(run -- /bin/sh -c "wc -c < $f")" = 0 ] || fail "$f is not masked"
done
[ $masked -gt 0 ] || echo "note: none of the masked /proc files exists on this kernel"
# ... and the masked dirs it has are empty, read-only, noexec tmpfs mounts (one tmpfs, bound to each)
dirs=""
for d in /proc/acpi /proc/scsi /proc/asound /sys/firmware /sys/devices/virtual/powercap; do
  [ -d "$d" ] && dirs="$dirs $d"
done
if [ -n "$dirs" ]; then
  out=$(run -- /bin/sh -c 'for d in '"$dirs"'; do
      [ -z "$(ls -A $d)" ] || echo "$d is not empty"
      touch $d/x 2>/dev/null && echo "$d is writable"
      grep -q " $d ro,nosuid,nodev,noexec,[^ ]* - tmpfs " /proc/self/mountinfo || echo "$d: $(grep " $d " /proc/self/mountinfo)"
    done; echo checked') || fail "checking the masked dirs failed: $out"
  [ "$out" = checked ] || fail "a masked dir is not an empty read-only tmpfs: $out"
else
  echo "note: none of the masked dirs exists on this kernel"
fi
run -- /bin/sh -c 'echo 1 > /proc/sys/kernel/sysrq' 2>/dev/null && fail "/proc/sys is writable inside"

# mount points an image lacks, or hides with a whiteout, are made in the upper layer; where the
# top layer has them (bench's base layer) they are not made again
low="$tmp/low"; top="$tmp/top"
mkdir -p "$low/bin" "$low/proc" "$low/dev" "$low/sys" "$low/tmp" "$top"
cp /bin/busybox "$low/bin/"; for a in sh awk test; do ln -s busybox "$low/bin/$a"; done
mknod "$top/tmp" c 0 0 # a whiteout: the lower layer's /tmp is gone from the merged view
cat > "$low/mounts.sh" <<'SH'
for m in /proc /dev /sys /tmp; do awk -v m=$m '$2 == m { printf "%s=%s ", m, $3 }' /proc/mounts; done
test -d /scratch && echo scratch
SH
out=$(run --layer "$low" --layer "$top" -- /bin/sh /mounts.sh) || fail "a container on layers without mount points failed: $out"
[ "$out" = "/proc=proc /dev=tmpfs /sys=sysfs /tmp=tmpfs scratch" ] || fail "mount points of a layer without them: $out"

run -- /bin/mount -t tmpfs none /mnt 2>/dev/null && fail "mount succeeded without CAP_SYS_ADMIN"
caps=$(run -- /bin/sh -c 'grep CapEff /proc/self/status')
[ "$caps" = "CapEff:	00000000a80425fb" ] || fail "effective capabilities are not Docker's default set: $caps"
[ "$(run -- /bin/sh -c 'grep NoNewPrivs /proc/self/status')" = "NoNewPrivs:	1" ] || fail "no_new_privs not set"
[ "$(run --cap '' -- /bin/sh -c 'grep CapBnd /proc/self/status')" = "CapBnd:	0000000000000000" ] || fail "--cap '' keeps capabilities"

run -- /bin/sh -c 'exit 7'; [ $? -eq 7 ] || fail "exit status not passed through"
# (PID 1 cannot be killed from inside its namespace; 128+N is checked from outside in container_limits)
run -- /nonexistent/cmd 2>"$tmp/err"; rc=$?
[ $rc -eq 125 ] || fail "an unstartable command: exit $rc, expected 125"
grep -q "/nonexistent/cmd" "$tmp/err" || fail "the start error does not name the command"

cpu=$(taskset -pc $$ | sed 's/.*: //' | tr ',' '\n' | sed 's/-.*//' | tail -1)
seen=$(run --cpus "$cpu" -- /bin/sh -c 'grep Cpus_allowed_list /proc/self/status | cut -f2')
[ "$seen" = "$cpu" ] || fail "--cpus $cpu: the container runs on $seen"
run --cpus 4095 -- /bin/true 2>"$tmp/err" && fail "an impossible cpuset was accepted"
grep -qi "cpu" "$tmp/err" || fail "the cpuset error does not say what is wrong: $(cat "$tmp/err")"

after=$(host_state)
[ "$before" = "$after" ] || fail "left behind: $(diff <(echo "$before") <(echo "$after") | grep '^>')"
echo "ok"
