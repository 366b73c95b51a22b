/* SPDX-License-Identifier: MIT */
/*
 * Capabilities, via libcap. The set is parsed in the parent; the child only
 * makes syscalls. For a root process the bounding set is what survives
 * execve (root's permitted set after exec is the bounding set), so the
 * bounding set is cut first; inheritable and ambient are emptied (Docker
 * since the CVE-2022-24769 fix), permitted = effective = the set.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "../../common/cleanup.h"
#include "container-internal.h"

/* Docker's default set (moby oci/caps/defaults.go). */
const char ctr_caps_docker_default[] = "chown,dac_override,fsetid,fowner,mknod,net_raw,setgid,setuid,setfcap,"
                                       "setpcap,net_bind_service,sys_chroot,kill,audit_write";

int ctr_caps_parse(const char *names, ctr_caps *ret, bench_error **err) {
        /* the same set is parsed at check and at every start: remember the last one */
        static char *last_names;
        static ctr_caps last;
        ctr_caps c = {0};
        if (!names)
                names = ctr_caps_docker_default;
        if (last_names && !strcmp(last_names, names)) {
                *ret = last;
                return 0;
        }
        _cleanup_free_ char *copy = strdup(names);
        if (!copy)
                return bench_error_set(err, ENOMEM, "out of memory");
        char *save = NULL;
        for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
                char name[64];
                /* accept CAP_CHOWN, cap_chown and chown */
                size_t i = 0;
                const char *p = tok;
                if (!strncasecmp(p, "cap_", 4))
                        p += 4;
                i = (size_t)snprintf(name, sizeof(name), "cap_");
                for (; *p && i + 1 < sizeof(name); p++)
                        name[i++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
                name[i] = '\0';
                cap_value_t v;
                if (cap_from_name(name, &v) < 0 || v < 0 || v >= 64)
                        return bench_error_set(err, EINVAL,
                                               "unknown capability `%s` (names as in capabilities(7), e.g. "
                                               "CAP_NET_ADMIN or net_admin)",
                                               tok);
                c.keep |= 1ull << v;
        }
        char *keep = strdup(names);
        if (keep) {
                free(last_names);
                last_names = keep;
                last = c;
        }
        *ret = c;
        return 0;
}

int ctr_caps_apply(const ctr_caps *caps) {
        int last = (int)cap_max_bits() - 1;
        for (int v = 0; v <= last && v < 64; v++)
                if (!(caps->keep & (1ull << v)) && cap_drop_bound((cap_value_t)v) < 0 && errno != EINVAL)
                        return -errno;
        if (cap_reset_ambient() < 0 && errno != EINVAL)
                return -errno;
        /* capset by hand: cap_init() would allocate in the child */
        struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
        struct __user_cap_data_struct data[2];
        memset(data, 0, sizeof(data));
        for (int i = 0; i < 2; i++) {
                uint32_t bits = (uint32_t)(caps->keep >> (32 * i));
                data[i].effective = bits;
                data[i].permitted = bits;
                data[i].inheritable = 0;
        }
        if (capset(&hdr, data) < 0)
                return -errno;
        return 0;
}
