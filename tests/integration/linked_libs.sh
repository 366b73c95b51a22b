#!/bin/bash
# bench maps only the shared libraries every command needs. Each one more
# costs every bench process its mapping, relocations and symbol lookups at
# start (libvirt 11 ms, libarchive 2 ms, hwloc 0.3 ms here): a library only
# some commands call is loaded on first use (common/dl.h; vm/virt.c,
# runtimes/layers/archive.c, harness/hwloc.c, common/json.c for cJSON), and
# libcap, nettle and libseccomp are linked statically (CMakeLists.txt). libm
# stays: the statistics need it, and glibc's libm.a cannot be linked into a
# program with a shared libc.
source "$(dirname "$0")/common.bash"

if [ -z "${BENCH:-}" ] || [ ! -x "$BENCH" ]; then
        skip "BENCH is not set to an executable (got '${BENCH:-}')"
fi
command -v readelf >/dev/null || skip "readelf (binutils) is not installed"

allowed=(libc.so.6 libm.so.6)
needed=$(readelf -d "$BENCH" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')
[ -n "$needed" ] || fail "readelf -d $BENCH lists no NEEDED library"
# the sanitizer build also needs its runtimes, and what they load
if grep -qx 'libasan.so.[0-9]*' <<<"$needed"; then
        allowed+=(libasan.so.[0-9]* libubsan.so.[0-9]* libstdc++.so.6 libgcc_s.so.1)
fi
is_allowed() {
        local a
        for a in "${allowed[@]}"; do
                # shellcheck disable=SC2053 # a glob on purpose
                [[ $1 == $a ]] && return 0
        done
        return 1
}

# linked: the NEEDED entries
for lib in $needed; do
        is_allowed "$lib" || fail "bench is linked against $lib: every bench process would map it at start.
Load it on first use with common/dl.h (as harness/hwloc.c does), or link it statically (as libcap in
CMakeLists.txt); allowed: ${allowed[*]}"
done

# loaded: what the dynamic loader maps for a command that needs no library (nothing dlopened eagerly)
loaded=$(LD_DEBUG=files "$BENCH" version 2>&1 >/dev/null | sed -n 's/.*file=\([^ ]*\) .*/\1/p' | sort -u)
[ -n "$loaded" ] || fail "LD_DEBUG=files $BENCH version printed no file= line"
for lib in $loaded; do
        is_allowed "$lib" || fail "bench version loads $lib at start: load it on first use, where a command needs it"
done
echo "ok: bench needs $(tr '\n' ' ' <<<"$needed")and loads nothing more for bench version"
