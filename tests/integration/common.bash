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
    pgrep -f "$BENCH_AGENT" 2>/dev/null | while read -r p; do [ "$(awk "{print \$3}" /proc/$p/stat 2>/dev/null)" = Z ] || echo "$p"; done | sed 's/^/pid /' || true; } | sort
}
# Everything a container run may leave on the host: overlay mounts, bench
# cgroups in every hierarchy, bench dirs in the workdir, agent processes.
host_state() {
  { grep -c ' overlay ' /proc/self/mountinfo | sed 's/^/overlay mounts /'
    find /sys/fs/cgroup -maxdepth 3 -type d -name 'bench-*' 2>/dev/null | sed 's/^/cgroup /'
    ls -d "${BENCH_WORKDIR:-/var/tmp}"/bench-* 2>/dev/null | sed 's/^/dir /'
    leftovers; } | sort
}
need_container() {
  need_root
  [ -x /bin/busybox ] || skip "busybox-static is not installed"
  grep -qw overlay /proc/filesystems || skip "no overlayfs in this kernel"
}

# bench_vm_run ERRFILE ARGS...: "$BENCH" ARGS with stderr to ERRFILE. In the
# sanitizer build LSan's tracer can crash at exit while libvirt's own
# threads wind down ("LeakSanitizer has encountered a fatal error"): a
# failure of the tool, not a finding (a leak says "detected memory leaks").
# Such a run is repeated once, and says so.
bench_vm_run() {
        local errf=$1 rc
        shift
        "$BENCH" "$@" 2>"$errf"; rc=$?
        [ $rc -ne 0 ] && grep -q "LeakSanitizer has encountered a fatal error" "$errf" || return $rc
        # the first run checked for leaks as far as LSan got; the second does
        # without its tracer, which on a fresh machine crashed twice in a row
        echo "note: LSan's tracer crashed at exit (not a leak report); running again without leak detection" >&2
        ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" "$BENCH" "$@" 2>"$errf"
}
