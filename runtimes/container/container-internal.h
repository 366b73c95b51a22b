/* SPDX-License-Identifier: MIT */
#pragma once

/* Shared by the container runtime's own files; users outside code against container.h. */

#include "container.h"

#define CTR_MAX_MOUNT_FDS 16

/* "ext2/3/4", "xfs", "tmpfs", ... of the filesystem path is on (for messages). */
const char *ctr_fs_name(const char *path);

/* In the child (no allocation): bounding set, ambient, inheritable, permitted, effective. */
int ctr_caps_apply(const ctr_caps *caps);
