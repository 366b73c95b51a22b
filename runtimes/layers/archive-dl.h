/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * libarchive, loaded on first use (archive.c): linked, it brought libxml2,
 * ICU and libstdc++ into every bench process (2 ms at each start) though
 * only `bench layers import` and stacks from images read archives. Include
 * this after <archive.h> and <archive_entry.h>, in the one file that reads
 * archives: the calls below then go through the loaded table, and
 * lay_archive_load() must have succeeded before the first of them.
 */
#include <archive.h>
#include <archive_entry.h>

#include "../../common/error.h"

#define LAY_ARCHIVE_FUNCS(X)                                                                                 \
        X(archive_entry_filetype)                                                                            \
        X(archive_entry_gid)                                                                                 \
        X(archive_entry_hardlink)                                                                            \
        X(archive_entry_pathname)                                                                            \
        X(archive_entry_perm)                                                                                \
        X(archive_entry_rdev)                                                                                \
        X(archive_entry_size)                                                                                \
        X(archive_entry_size_is_set)                                                                         \
        X(archive_entry_sparse_next)                                                                         \
        X(archive_entry_sparse_reset)                                                                        \
        X(archive_entry_symlink)                                                                             \
        X(archive_entry_uid)                                                                                 \
        X(archive_error_string)                                                                              \
        X(archive_read_data)                                                                                 \
        X(archive_read_data_block)                                                                           \
        X(archive_read_free)                                                                                 \
        X(archive_read_new)                                                                                  \
        X(archive_read_next_header)                                                                          \
        X(archive_read_open)                                                                                 \
        X(archive_read_open_filename)                                                                        \
        X(archive_read_support_filter_all)                                                                   \
        X(archive_read_support_format_raw)                                                                   \
        X(archive_read_support_format_tar)                                                                   \
        X(archive_set_error)

typedef struct lay_archive_api {
#define LAY_ARCHIVE_FIELD(f) __typeof__(&f) f;
        LAY_ARCHIVE_FUNCS(LAY_ARCHIVE_FIELD)
#undef LAY_ARCHIVE_FIELD
} lay_archive_api;

extern const lay_archive_api *lay_ar; /* NULL until lay_archive_load succeeded */
/* Loads libarchive once per process; the message says how to get it. */
int lay_archive_load(bench_error **err);

#ifndef LAY_ARCHIVE_NO_MACROS
#define archive_entry_filetype (lay_ar->archive_entry_filetype)
#define archive_entry_gid (lay_ar->archive_entry_gid)
#define archive_entry_hardlink (lay_ar->archive_entry_hardlink)
#define archive_entry_pathname (lay_ar->archive_entry_pathname)
#define archive_entry_perm (lay_ar->archive_entry_perm)
#define archive_entry_rdev (lay_ar->archive_entry_rdev)
#define archive_entry_size (lay_ar->archive_entry_size)
#define archive_entry_size_is_set (lay_ar->archive_entry_size_is_set)
#define archive_entry_sparse_next (lay_ar->archive_entry_sparse_next)
#define archive_entry_sparse_reset (lay_ar->archive_entry_sparse_reset)
#define archive_entry_symlink (lay_ar->archive_entry_symlink)
#define archive_entry_uid (lay_ar->archive_entry_uid)
#define archive_error_string (lay_ar->archive_error_string)
#define archive_read_data (lay_ar->archive_read_data)
#define archive_read_data_block (lay_ar->archive_read_data_block)
#define archive_read_free (lay_ar->archive_read_free)
#define archive_read_new (lay_ar->archive_read_new)
#define archive_read_next_header (lay_ar->archive_read_next_header)
#define archive_read_open (lay_ar->archive_read_open)
#define archive_read_open_filename (lay_ar->archive_read_open_filename)
#define archive_read_support_filter_all (lay_ar->archive_read_support_filter_all)
#define archive_read_support_format_raw (lay_ar->archive_read_support_format_raw)
#define archive_read_support_format_tar (lay_ar->archive_read_support_format_tar)
#define archive_set_error (lay_ar->archive_set_error)
#endif
