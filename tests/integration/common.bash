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
