#!/usr/bin/env bash
# The oci kind with runtimes that cannot work: a missing one and one whose
# --version fails are skips with the reason; a runtime that rejects the
# bundle (a fake one, and crun with an argument it does not know) is an error
# carrying its stderr (escaped) while the other configurations run on; suite
# text (runtime, runtime_args) reaches no shell; a symlink planted at the
# record path is refused; bad words are bad input (exit 2).
source "$(dirname "$0")/common.bash"
need_oci
command -v crun >/dev/null || skip "crun is not installed (the healthy configuration of this test)"
planted=""
tmp=$(mktemp -d); trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"; rm -f "$planted"' EXIT
export BENCH_WORKDIR="$tmp/work"; mkdir -p "$BENCH_WORKDIR"
before=$(oci_state; leftovers)

# a runtime that says its version, then refuses every bundle (stderr with an escape sequence)
cat > "$tmp/fakert" <<'SH'
#!/bin/sh
printf '%s\n' "$@" >> "$(dirname "$0")/argv.log"
case " $* " in
  *" --version "*) echo "fakert version 9.9"; exit 0 ;;
  *" create "*) printf 'fakert: bundle rejected \033[31mRED\n' >&2; exit 1 ;;
esac
exit 0
SH
printf '#!/bin/sh\nexit 1\n' > "$tmp/badversion"
# a runtime under a dir whose name is shell syntax
evil="$tmp/d;touch $tmp/pwned-path;"
mkdir -p "$evil"; cp "$tmp/fakert" "$evil/fakert"
chmod +x "$tmp/fakert" "$tmp/badversion" "$evil/fakert"
cat > "$tmp/s.json" <<JSON
{ "name": "oci-faults", "repetitions": 1, "warmup": 0,
  "configurations": [
    { "name": "missing", "kind": "oci", "runtime": "/nonexistent/crun" },
    { "name": "badversion", "kind": "oci", "runtime": "$tmp/badversion" },
    { "name": "rejects", "kind": "oci", "runtime": "$tmp/fakert" },
    { "name": "badarg", "kind": "oci", "runtime": "crun", "runtime_args": ["--no-such-flag-of-crun"] },
    { "name": "shell", "kind": "oci", "runtime": "$evil/fakert",
      "runtime_args": ["--x=\$(touch $tmp/pwned-subst)", "; touch $tmp/pwned-semi", "\`touch $tmp/pwned-tick\`"] },
    { "name": "crun", "kind": "oci", "runtime": "crun" } ],
  "workloads": [ { "kind": "startup", "params": { "runs": 2 } } ] }
JSON
"$BENCH" run "$tmp/s.json" -o "$tmp/r.json" --quiet 2>"$tmp/err.txt"
check_result "$tmp/r.json" || fail "the result file is not valid"
$PY - "$tmp/r.json" "$tmp" <<'PY' || fail "oci faults"
import json, sys
d = json.load(open(sys.argv[1])); tmp = sys.argv[2]
def need(c, msg):
    if not c:
        print("check failed: " + msg, file=sys.stderr); sys.exit(1)
skips = {k["configuration"]: k["reason"] for k in d["skipped"]}
errs = {}
for e in d["errors"]:
    errs.setdefault(e["configuration"], []).append(e["reason"])
need("/nonexistent/crun" in skips.get("missing", ""), "missing runtime: a skip naming it: %r" % skips.get("missing"))
need("--version" in skips.get("badversion", "") and "status 1" in skips["badversion"], "failing --version: a skip: %r" % skips.get("badversion"))
need("missing" not in errs and "badversion" not in errs, "skips are not errors")
r = errs.get("rejects", [])
need(len(r) == 2 and all("bundle rejected" in x and "fakert 9.9 create" in x for x in r), "rejected bundle: its stderr in each error: %r" % r)
need(all("\x1b" not in x and "\\x1b[31mRED" in x for x in r), "the runtime's escape sequence is escaped: %r" % r)
b = errs.get("badarg", [])
need(len(b) == 2 and all("no-such-flag-of-crun" in x for x in b), "crun's refusal of an unknown argument: %r" % b)
need(len(errs.get("shell", [])) == 2, "the shell configuration reached its fake runtime (an error each)")
ok = [x for x in d["results"] if x["configuration"] == "crun" and x["metric"] == "ready_ms"]
need(ok and len(ok[0]["samples"]) == 2, "the healthy configuration ran on after the failures")
PY
for f in pwned-path pwned-subst pwned-semi pwned-tick; do [ -e "$tmp/$f" ] && fail "a shell ran suite text ($f exists)"; done
# the very words of the suite reached the runtime as arguments
grep -qxF -e "--x=\$(touch $tmp/pwned-subst)" "$evil/argv.log" || fail "runtime_args did not arrive verbatim"
grep -qxF -e "; touch $tmp/pwned-semi" "$evil/argv.log" || fail "runtime_args did not arrive verbatim"
grep -qxF -e "create" "$tmp/argv.log" || fail "the fake runtime was not asked to create"
after=$(oci_state; leftovers)
[ "$before" = "$after" ] || fail "left behind: $(comm -13 <(echo "$before") <(echo "$after"))"

# a runtime that hangs in create: the start times out, the shim and the runtime
# are killed after their bound, the run ends, and nothing of it is left
printf '#!/bin/sh\ncase " $* " in *" --version "*) echo "hangrt version 1"; exit 0 ;; *" create "*) exec sleep 1000 ;; esac\nexit 0\n' > "$tmp/hangrt"
chmod +x "$tmp/hangrt"
cat > "$tmp/hang.json" <<JSON
{ "name": "hang", "repetitions": 1, "warmup": 0, "timeout_s": 2,
  "configurations": [ { "name": "hang", "kind": "oci", "runtime": "$tmp/hangrt" } ],
  "workloads": [ { "kind": "startup", "params": { "runs": 1 } } ] }
JSON
timeout 120 "$BENCH" run "$tmp/hang.json" -o "$tmp/hang.result.json" --quiet 2>/dev/null
[ $? -eq 124 ] && fail "bench hung on a runtime that hangs"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); e=d["errors"]; assert e and "said nothing within" in e[0]["reason"], e' "$tmp/hang.result.json" \
  || fail "a hanging runtime: a timeout error"
pgrep -f "$tmp/hangrt" >/dev/null && fail "the hanging runtime outlived the run"
# its record stays (the runtime may have made a container): the next run deletes it (below)
oci_state | grep -q '^record bench-oci-' || fail "no record kept for a container the runtime may have made"

# bad words are bad input, before anything runs
for bad in '"runtime": ""' '"runtime": "bin/crun"' '"runtime_args": [""]'; do
  printf '{ "name": "bad", "configurations": [ { "name": "o", "kind": "oci", %s } ], "workloads": [ { "kind": "startup" } ] }\n' "$bad" > "$tmp/bad.json"
  "$BENCH" run "$tmp/bad.json" -o "$tmp/bad.result.json" --quiet 2>"$tmp/bad.err"; rc=$?
  [ $rc -eq 2 ] || fail "$bad: exit $rc, expected 2 (bad input)"
  grep -q 'runtime' "$tmp/bad.err" || fail "$bad: the message does not name the field: $(cat "$tmp/bad.err")"
done

# a symlink planted at the record path: refused (O_EXCL|O_NOFOLLOW), its target untouched
mkdir -p -m 0700 /run/bench; mkdir -p -m 0700 /run/bench/oci   # private, as bench makes them
cat > "$tmp/one.json" <<'JSON'
{ "name": "planted", "repetitions": 1, "warmup": 0,
  "configurations": [ { "name": "crun", "kind": "oci", "runtime": "crun" } ],
  "workloads": [ { "kind": "startup", "params": { "runs": 1 } } ] }
JSON
echo "target" > "$tmp/target"
# the bench that execs in this shell has its pid: its first container id is bench-oci-PID-000000
planted=$(bash -c 'echo /run/bench/oci/bench-oci-$$-000000; ln -s "$1" /run/bench/oci/bench-oci-$$-000000; exec "$2" run "$3" -o "$4" --quiet 2>/dev/null' _ \
  "$tmp/target" "$BENCH" "$tmp/one.json" "$tmp/one.result.json" | head -1)
[ "$(cat "$tmp/target")" = target ] || fail "the record was written through a planted symlink"
[ -L "$planted" ] || fail "the planted symlink is gone (test premise)"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); e=d["errors"]; assert e and "record" in e[0]["reason"] and "File exists" in e[0]["reason"], e' "$tmp/one.result.json" \
  || fail "a planted record symlink: an error saying so"
rm -f "$planted"
after=$(oci_state; leftovers)
[ "$before" = "$after" ] || fail "left behind: $(comm -13 <(echo "$before") <(echo "$after"))"
echo "ok"
