#!/usr/bin/env bash
# Classic container escapes against bench's own runtime, each asserting
# refusal: host devices (mknod of the host's disk, a device node shipped in
# a layer, /dev/kvm, /dev/net/tun, /dev/fuse, /dev/mem), TIOCSTI into the
# terminal bench runs on, the host's session keyring, unbounded tmpfs; and
# what already held (kill/ptrace of a host process, /proc/sys, /sys/firmware,
# mount, reboot, open_by_handle_at, setuid under no_new_privs, the pids
# limit) so none can regress. Every case runs (a table, one line each);
# the test fails if any attack got through. Nothing may be left behind.
source "$(dirname "$0")/common.bash"
need_container
probe=${BENCH_PROBE:-}
[ -x "$probe" ] || skip "no devices_probe binary (BENCH_PROBE; built by tests/CMakeLists.txt)"
[ -e /proc/self/ns/cgroup ] || skip "no cgroup namespaces"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export BENCH_WORKDIR="$tmp/work"; mkdir -p "$BENCH_WORKDIR"
before=$(host_state)

# The host's root disk (or, on a virtual root, any block device) if host root
# can read it; where even host root cannot (some sandboxes), a loop device on
# a temp file stands in for it, detached at exit.
disk=$(awk '$5 == "/" {print $3; exit}' /proc/self/mountinfo)
case "$disk" in 0:*|"") disk=$(ls /sys/dev/block 2>/dev/null | grep -v '^7:' | head -1) ;; esac
loopdev=
devname=$(sed -n 's/^DEVNAME=//p' "/sys/dev/block/$disk/uevent" 2>/dev/null)
if [ -z "$devname" ] || ! head -c 1 "/dev/$devname" >/dev/null 2>&1; then
  truncate -s 1M "$tmp/disk.img"; printf 'HOSTDISK' | dd of="$tmp/disk.img" conv=notrunc 2>/dev/null
  loopdev=$(losetup -f --show "$tmp/disk.img") || skip "no host block device readable by root and no loop device"
  trap 'losetup -d "$loopdev"; rm -rf "$tmp"' EXIT
  disk=$(cat "/sys/class/block/${loopdev#/dev/}/dev")
  echo "note: the host's root disk is not readable even by host root here; attacking $loopdev ($disk) instead"
fi
dmaj=${disk%:*}; dmin=${disk#*:}

# A layer of its own: busybox, the probe, a setuid-root copy of it, and device nodes an image may ship.
L=$tmp/layer
mkdir -p "$L/bin" "$L/mnt" "$L/dev" "$L/proc" "$L/sys" "$L/tmp" "$L/scratch"
cp /bin/busybox "$L/bin/busybox"; ln -s busybox "$L/bin/sh"
cp "$probe" "$L/probe"; cp "$probe" "$L/suid-probe"; chmod 4755 "$L/suid-probe"
mknod -m 666 "$L/disk" b "$dmaj" "$dmin"  # the host's disk
mknod -m 666 "$L/null2" c 1 3             # allowed by the device list: only nodev stops it
run() { "$BENCH" container run --layer "$L" "$@"; }

bad=0
# check NAME EXPECT OUTPUT: EXPECT is an ERE the probe's line must match for the attack to count as refused
check() {
  if echo "$3" | grep -qE "$2"; then printf '%-58s refused   (%s)\n' "$1" "$(echo "$3" | tr '\n' ' ' | cut -c1-60)"
  else printf '%-58s ALLOWED   (%s)\n' "$1" "$(echo "$3" | tr '\n' ' ' | cut -c1-60)"; bad=$((bad + 1)); fi
}

# ---- 1. host devices ----
check "mknod+open host disk $disk in /dev" ': E(PERM|ACCES)' "$(run -- /probe mknod_open /dev/hostdisk b "$dmaj" "$dmin" 2>&1)"
check "mknod+read host disk $disk in /dev" ': E(PERM|ACCES)' "$(run -- /bin/sh -c "/probe mknod /dev/d b $dmaj $dmin >/dev/null; /probe read /dev/d" 2>&1)"
check "mknod+open host disk on the rootfs (overlay)" ': E(PERM|ACCES)' "$(run -- /probe mknod_open /hostdisk b "$dmaj" "$dmin" 2>&1)"
check "host disk node shipped in a layer, --cap ''" ': E(PERM|ACCES)' "$(run --cap '' -- /probe read /disk 2>&1)"
check "host disk node shipped in a layer, default caps" ': E(PERM|ACCES)' "$(run -- /probe read /disk 2>&1)"
check "allowed node (1:3) shipped in a layer (nodev)" ': EACCES' "$(run --cap '' -- /probe open /null2 2>&1)"
# past one page of mount options the overlay is mounted through fsconfig(): nodev there too
deep=()
for i in $(seq 60); do d=$tmp/deep/layer-$i-padding-padding-padding-padding-padding; mkdir -p "$d"; deep+=(--layer "$d"); done
check "allowed node shipped in a layer, deep stack (fsconfig)" ': EACCES' "$(run "${deep[@]}" --cap '' -- /probe open /null2 2>&1)"
check "mknod+open /dev/kvm (10:232)" ': EPERM' "$(run -- /probe mknod_open /dev/kvm c 10 232 2>&1)"
check "mknod+open /dev/net/tun (10:200)" ': EPERM' "$(run -- /bin/sh -c 'mkdir -p /dev/net; /probe mknod_open /dev/net/tun c 10 200' 2>&1)"
check "mknod+open /dev/fuse (10:229)" ': EPERM' "$(run -- /probe mknod_open /dev/fuse c 10 229 2>&1)"
check "mknod+open /dev/mem (1:1)" ': EPERM' "$(run -- /probe mknod_open /dev/mem c 1 1 2>&1)"
check "mknod+open /dev/kmsg (1:11)" ': EPERM' "$(run -- /probe mknod_open /dev/kmsg c 1 11 2>&1)"
# what a container needs keeps working
[ "$(run -- /probe open /dev/null)" = "open: ok" ] || fail "/dev/null does not open in a container"
[ "$(run -- /probe open /dev/urandom)" = "open: ok" ] || fail "/dev/urandom does not open in a container"
[ "$(run -- /probe open /dev/pts/ptmx)" = "open: ok" ] || fail "/dev/pts/ptmx does not open in a container"

# ---- 2. the terminal: bench under a pty, the container pushes a line into it ----
pty_run() {
  "$PY" - "$1" <<'PY'
import os, pty, select, sys
pid, fd = pty.fork()
if pid == 0:
    os.execvp("/bin/bash", ["/bin/bash", "-c", sys.argv[1]])
out = b""
while True:
    r, _, _ = select.select([fd], [], [], 30)
    if not r:
        break
    try:
        d = os.read(fd, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
PY
}
for caps in default none; do
  capopt=""; [ $caps = none ] && capopt="--cap ''"
  for target in /dev/tty 0; do
    out=$(pty_run "\"$BENCH\" container run --layer \"$L\" $capopt -- /probe tiocsti $target 'echo ZQX$caps
'; read -t 2 line; echo \"GOT[\$line]\"")
    echo "$out" | grep -q 'GOT\[' || fail "the pty run did not finish: $out"
    if echo "$out" | grep -q "GOT\[.*ZQX"; then
      check "TIOCSTI into the host tty via $target, caps $caps" 'never' "$(echo "$out" | grep -E 'tiocsti|GOT')"
    else
      check "TIOCSTI into the host tty via $target, caps $caps" 'tiocsti: E' "$(echo "$out" | grep -E 'tiocsti|GOT')"
    fi
  done
done

# ---- 3. the session keyring: a key in bench's @s, looked for and added from inside ----
key=bench-escape-$$
# (--seccomp none: the default filter refuses keyctl outright; this is the keyring's own isolation)
check "read a key from the host's session keyring" ': ENOKEY' \
  "$("$probe" keysession_exec "$key" "$BENCH" container run --seccomp none --layer "$L" -- /probe keysearch "$key" 2>&1)"
out=$("$probe" keysession_exec "$key" /bin/sh -c "\"$BENCH\" container run --seccomp none --layer \"$L\" -- /probe keyadd $key-inner >/dev/null; \"$probe\" keysearch $key-inner" 2>&1)
check "add a key the host's session keyring sees" 'keysearch: ENOKEY' "$out"
check "read a key from the host's session keyring, default seccomp" ': (EPERM|ENOKEY)' \
  "$("$probe" keysession_exec "$key" "$BENCH" container run --layer "$L" -- /probe keysearch "$key" 2>&1)"
inside=$("$probe" keysession_exec "$key" "$BENCH" container run --seccomp none --layer "$L" -- /probe session_keyring 2>&1)
outside=$("$probe" keysession_exec "$key" "$probe" session_keyring 2>&1)
[ "$inside" != "$outside" ] || fail "the container's session keyring is the host's: $inside"

# ---- 4. bounded tmpfs ----
check "fill /tmp past --tmpfs-size 4M" 'ENOSPC after [34] MiB' "$(run --tmpfs-size 4M -- /probe fill /tmp/f 64 2>&1)"
check "fill /tmp past the default (64M)" 'ENOSPC after (6[0-4]) MiB' "$(run -- /probe fill /tmp/f 100 2>&1)"
check "fill a tmpfs upper past --upper-size 8M" 'ENOSPC after [5-8] MiB' "$(run --upper tmpfs --upper-size 8M -- /probe fill /f 64 2>&1)"
check "fill a tmpfs upper past the default (1G)" 'ENOSPC after (10[0-2][0-9]|9[0-9][0-9]) MiB' "$(run --upper tmpfs -- /probe fill /f 1100 2>&1)"
out=$(run --upper disk --upper-size 8M -- /bin/true 2>&1); rc=$?
check "upper_size on a disk upper: refused, naming the filesystem" '^2 .*upper_size.*(ext2/3/4|xfs|btrfs|tmpfs|filesystem)' "$rc $out"

# ---- what already held ----
sleep 60 & victim=$!
check "kill a host process" ': ESRCH' "$(run -- /probe kill $victim 2>&1)"
check "ptrace a host process" ': ESRCH' "$(run -- /probe ptrace $victim 2>&1)"
kill $victim; wait $victim 2>/dev/null
check "write /proc/sys/kernel/core_pattern" ': E(ROFS|PERM|ACCES)' "$(run -- /probe writefile /proc/sys/kernel/core_pattern '|/probe' 2>&1)"
check "read /sys/firmware" '^0$' "$(run -- /bin/sh -c 'ls -A /sys/firmware | wc -l' 2>&1)"
check "mount a tmpfs" ': EPERM' "$(run -- /probe mount /mnt 2>&1)"
check "reboot" ': EPERM' "$(run -- /probe reboot 2>&1)"
check "open_by_handle_at (shocker)" ': EPERM' "$(run -- /probe open_by_handle / 2>&1)"
check "setuid-root binary under no_new_privs" '^euid: 65534$' "$(run -- /probe dropexec 65534 /suid-probe euid 2>&1)"
check "fork past --pids 20" 'forked then EAGAIN' "$(run --pids 20 -- /probe forks 100 2>&1)"

after=$(host_state)
[ "$before" = "$after" ] || fail "left behind: $(diff <(echo "$before") <(echo "$after") | grep '^>')"
[ $bad -eq 0 ] || fail "$bad attack(s) got through"
echo "ok"
