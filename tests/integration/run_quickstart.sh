#!/usr/bin/env bash
# The quickstart suite end to end on this host: a valid result file whose
# bare values are sane, container/vm either measured or skipped with a
# reason, and nothing left behind.
source "$(dirname "$0")/common.bash"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
before=$(leftovers)
"$BENCH" run "$BENCH_SOURCE_DIR/suites/quickstart.json" -o "$tmp/q.json" --repetitions 3 --seed 42 --quiet 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || fail "bench run exited $rc: $(cat "$tmp/err")"
checks="--check complete --check quickstart-bare --check skips"
# as root with busybox and overlayfs the container rows must be real results
[ "$(id -u)" -eq 0 ] && [ -x /bin/busybox ] && checks="$checks --check quickstart-container"
check_result "$tmp/q.json" $checks || fail "result checks"
after=$(leftovers)
[ "$before" = "$after" ] || fail "left behind: $(comm -13 <(echo "$before") <(echo "$after"))"
# the same seed gives the same configuration order: the recorded seed is the one used
grep -q '"seed":[[:space:]]*42' "$tmp/q.json" || fail "seed 42 not recorded"
echo "ok"
