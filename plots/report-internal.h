/* SPDX-License-Identifier: MIT */
#pragma once

/* Shared by report.c and trend.c: escaping and number formatting. */
#include <stddef.h>
#include <stdio.h>

/* HTML text and attribute values: & < > " '. */
void report_put_html(FILE *m, const char *s);
/* A relative link target: percent-encodes all but [A-Za-z0-9-._~/]. */
void report_put_url(FILE *m, const char *s);
/* 4 significant digits, whole numbers from 1e4 on, "-" if not finite. */
const char *report_num(double x, char *buf, size_t len);
