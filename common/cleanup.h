/* SPDX-License-Identifier: MIT */
#pragma once

/* systemd-style scope cleanup: destructors accept NULL / -1. */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void freep(void *p) {
        free(*(void **)p);
}
static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}
static inline void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}
static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}

#define _cleanup_(fn) __attribute__((cleanup(fn)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Hand ownership on: returns the value and leaves the source empty. */
#define steal_pointer(pp)                                                                                    \
        ({                                                                                                   \
                __typeof__(*(pp)) _ptr_ = *(pp);                                                             \
                *(pp) = NULL;                                                                                \
                _ptr_;                                                                                       \
        })
static inline int take_fd(int *fd) {
        int r = *fd;
        *fd = -1;
        return r;
}

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))
