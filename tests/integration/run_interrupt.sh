#!/usr/bin/env bash
# SIGINT mid-run: exit 130, the result file is valid and keeps what was
# measured, and no agent process or state dir is left behind.
source "$(dirname "$0")/common.bash"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/s.json" <<'JSON'
{ "name": "interrupt", "repetitions": 1000, "warmup": 0,
  "configurations": [ { "name": "bare", "kind": "bare" } ],
  "workloads": [ { "kind": "cpu", "params": { "duration": "100ms" } },
                 { "kind": "memory", "params": { "size": "8M" } } ] }
JSON
before=$(leftovers)
"$BENCH" run "$tmp/s.json" -o "$tmp/r.json" --quiet &
pid=$!
for _ in $(seq 1 200); do
  [ -f "$tmp/r.json" ] && grep -q '"repetitions_done":[[:space:]]*[2-9]' "$tmp/r.json" && break
  sleep 0.1
done
sleep 0.05   # land somewhere inside a repetition
kill -INT $pid
wait $pid; rc=$?
[ $rc -eq 130 ] || fail "interrupted run exited $rc, expected 130"
check_result "$tmp/r.json" --check interrupted || fail "result after SIGINT"
after=$(leftovers)
[ "$before" = "$after" ] || fail "left behind: $(comm -13 <(echo "$before") <(echo "$after"))"
ls "$tmp" | grep -q '\.tmp\.' && fail "a temporary result file was left"
echo "ok"
