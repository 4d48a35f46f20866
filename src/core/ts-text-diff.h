/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A line-based difference between two texts, for showing what a change
 * did to a multi-line `text` field (the timeline).  GTK-free. */

typedef enum
{
  TS_DIFF_SAME,
  TS_DIFF_REMOVED,
  TS_DIFF_ADDED,
} TsDiffOp;

typedef struct
{
  TsDiffOp  op;
  char     *text;   /* the line, without its line break */
} TsDiffLine;

/* The lines of @old_text and @new_text (either may be NULL: no lines) as
 * a shortest edit script: every line of both texts once, in order, kept
 * lines as TS_DIFF_SAME, and at each place the removed lines before the
 * added ones.  "\r\n" and "\n" both end a line; a final line break adds
 * no empty line.  Texts too long to compare line by line in reasonable
 * time keep their common first and last lines and show the rest as
 * removed, then added.
 * Returns: (transfer full) (element-type TsDiffLine): freed with
 * g_ptr_array_unref(). */
GPtrArray *ts_text_diff_lines   (const char *old_text,
                                 const char *new_text);

/* The lines as plain text, each marked by what happened to it: "- " for a
 * removed line, "+ " for an added one, "  " for a kept one, joined by
 * "\n".  Read by screen readers and copied: the marks say it without
 * colour. */
char      *ts_text_diff_format  (GPtrArray  *lines);

/* Whether any line was removed or added. */
gboolean   ts_text_diff_changed (GPtrArray  *lines);

G_END_DECLS
