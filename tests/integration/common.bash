# Shared by the integration tests (sourced; not globbed as a test).
set -u
PY=/usr/bin/python3
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
need_root() { [ "$(id -u)" -eq 0 ] || skip "needs root"; }
check_result() { "$PY" "$BENCH_SOURCE_DIR/tests/integration/check_result.py" "$@"; }
# What a run may leave behind: state dirs and agent processes. Listed before and after.
leftovers() {
  { ls -d "${BENCH_WORKDIR:-/var/tmp}"/bench-* 2>/dev/null || true
    # the run lock's files once no run is measuring (the last one out removes them)
    ls -d /run/bench/runs /run/bench/run.lock /tmp/bench-[0-9]* 2>/dev/null || true
    pgrep -f "$BENCH_AGENT" 2>/dev/null | while read -r p; do [ "$(awk "{print \$3}" /proc/$p/stat 2>/dev/null)" = Z ] || echo "$p"; done | sed 's/^/pid /' || true; } | sort
}
# Everything a container run may leave on the host: overlay mounts, bench
# cgroups in every hierarchy, bench dirs in the workdir, agent processes.
host_state() {
  { grep -c ' overlay ' /proc/self/mountinfo | sed 's/^/overlay mounts /'
    find /sys/fs/cgroup -maxdepth 8 -type d -name 'bench-*' 2>/dev/null | sed 's/^/cgroup /'
    ls -d "${BENCH_WORKDIR:-/var/tmp}"/bench-* 2>/dev/null | sed 's/^/dir /'
    leftovers; } | sort
}
need_container() {
  need_root
  [ -x /bin/busybox ] || skip "busybox-static is not installed"
  grep -qw overlay /proc/filesystems || skip "no overlayfs in this kernel"
}
# The vm kind: root, QEMU, and whatever `bench info` says a vm needs here (a kernel, ...).
need_vm() {
  need_root
  command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86 is not installed"
  local why
  why=$("$BENCH" info --json | $PY -c 'import json,sys; d=json.load(sys.stdin); k=[x for x in d["kinds"] if x["kind"]=="vm"][0]; print("" if k["runnable"] else k["reason"])')
  [ -z "$why" ] || skip "vm cannot run here: $why"
}
# What a VM run may leave: QEMU processes of bench's domains, entries in the workdir.
vm_state() { { pgrep -f 'qemu-system.*guest=bench-' | sed 's/^/qemu /'; ls "$BENCH_WORKDIR"; } | sort; }
# The oci kind: root, overlayfs, busybox; oci_state lists what its runs may leave
# (containers named bench-oci-* in the runtimes' lists, their cgroups, records,
# overlay mounts, shims and agents).
need_oci() {
  need_container
}
oci_state() {
  { for rt in crun runc runsc; do
      command -v $rt >/dev/null && $rt list 2>/dev/null | awk -v r=$rt 'NR>1 && $1 ~ /^bench-oci-/ {print r " container " $1}'
    done
    grep ' overlay ' /proc/self/mountinfo | grep -c 'bench-oci-' | sed 's/^/oci overlay mounts /'
    find /sys/fs/cgroup -maxdepth 4 -type d -name 'bench-oci-*' 2>/dev/null | sed 's/^/cgroup /'
    ls /run/bench/oci 2>/dev/null | sed 's/^/record /'
    pgrep -f 'runsc-(sandbox|gofer)' 2>/dev/null | while read -r p; do
      grep -qa 'bench-oci-' /proc/$p/cmdline 2>/dev/null && echo "runsc process $p"; done
    true; } | sort
}
