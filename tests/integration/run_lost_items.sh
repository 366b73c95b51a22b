#!/usr/bin/env bash
# An agent that ends silently, after its ready byte and with exit status 0
# but before every planned workload sent a metric or an error line: each
# missing workload is an error in the result (configuration, workload,
# repetition, why) and bench exits 1. Bare: the real agent's output cut
# after the first workload; container: an agent that only says it is ready.
source "$(dirname "$0")/common.bash"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export BENCH_WORKDIR="$tmp/work"; mkdir -p "$BENCH_WORKDIR"
export BENCH_CACHE_DIR="$tmp/cache"

cat > "$tmp/cut.sh" <<EOF2
#!/bin/sh
# the agent line, the first workload's metric and its done line, then nothing
"$BENCH_AGENT" "\$@" | head -n 3
exit 0
EOF2
cat > "$tmp/ready-only.sh" <<'EOF2'
#!/bin/sh
printf '\006'
exit 0
EOF2
chmod +x "$tmp/cut.sh" "$tmp/ready-only.sh"

# lost: the workloads that must be errors; kept: those that must have results
check() {
  $PY - "$1" "$2" "$3" "$4" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
cfg, lost, kept = sys.argv[2], sys.argv[3].split(",") if sys.argv[3] else [], sys.argv[4].split(",") if sys.argv[4] else []
errs = {e["workload"]: e for e in d["errors"] if e["configuration"] == cfg}
for w in lost:
    assert w in errs, "no error for the lost workload %s: %s" % (w, d["errors"])
    assert errs[w]["repetition"] == 0 and "no metric and no error arrived" in errs[w]["reason"], errs[w]
for w in kept:
    assert w not in errs, errs[w]
    assert any(r["configuration"] == cfg and r["workload"] == w for r in d["results"]), "no result for " + w
print("%s: errors for %s, results for %s" % (cfg, lost, kept))
PY
}

cat > "$tmp/b.json" <<'JSON'
{ "name": "lost", "repetitions": 1, "warmup": 0,
  "configurations": [ { "name": "bare", "kind": "bare" } ],
  "workloads": [ { "name": "c1", "kind": "cpu", "params": { "duration": "20ms" } },
                 { "name": "m1", "kind": "metadata", "params": { "files": 20 } },
                 { "name": "c2", "kind": "cpu", "params": { "duration": "20ms" } } ] }
JSON
"$BENCH" run "$tmp/b.json" -o "$tmp/b.result.json" --quiet --agent "$tmp/cut.sh" 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] || fail "bare with lost workloads: exit $rc, expected 1: $(cat "$tmp/err")"
check_result "$tmp/b.result.json" || fail "schema"
check "$tmp/b.result.json" bare m1,c2 c1 || fail "bare lost workloads"
# the real agent, whole: no error
"$BENCH" run "$tmp/b.json" -o "$tmp/ok.json" --quiet || fail "the uncut agent failed: $(cat "$tmp/ok.json")"

if [ "$(id -u)" -eq 0 ] && [ -x /bin/busybox ] && grep -qw overlay /proc/filesystems; then
  cat > "$tmp/c.json" <<'JSON'
{ "name": "lost-ctr", "repetitions": 1, "warmup": 0,
  "configurations": [ { "name": "ctr", "kind": "container" } ],
  "workloads": [ { "name": "c1", "kind": "cpu", "params": { "duration": "20ms" } },
                 { "name": "m1", "kind": "metadata", "params": { "files": 20 } } ] }
JSON
  before=$(host_state)
  "$BENCH" run "$tmp/c.json" -o "$tmp/c.result.json" --quiet --agent "$tmp/ready-only.sh" 2>"$tmp/err"; rc=$?
  [ $rc -eq 1 ] || fail "container with lost workloads: exit $rc, expected 1: $(cat "$tmp/err")"
  check "$tmp/c.result.json" ctr c1,m1 "" || fail "container lost workloads"
  [ "$(host_state)" = "$before" ] || fail "the container run left: $(diff <(echo "$before") <(host_state))"
else
  echo "note: not root or no busybox/overlayfs: the container part is not run"
fi
echo "ok"
