/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "ts-project.h"

G_BEGIN_DECLS

/* The query language a person types into the search entry, such as
 * `问题级别:严重问题 state:关闭 北京 -电源 created:2018-01`, read into a
 * search filter (ts-filter.h).  docs/search.md describes every form. */

#define TS_QUERY_ERROR (ts_query_error_quark ())
GQuark ts_query_error_quark (void);

typedef enum
{
  TS_QUERY_ERROR_SYNTAX,         /* unbalanced quote, empty value, bad range ... */
  TS_QUERY_ERROR_UNKNOWN_FIELD,
  TS_QUERY_ERROR_BAD_VALUE,      /* not a choice, not a number, bad date ... */
  TS_QUERY_ERROR_CONFLICT,       /* the same field given twice in a way that cannot both hold */
} TsQueryError;

/* Parses what a person typed into a filter (a JSON object node). @me is the login
 * "me" stands for in user fields (NULL: "me" is refused). On error, [*error_start,
 * *error_end) are the byte offsets of the word at fault in @text and the message says
 * which word, why, and what to write instead. Never crashes on any input.  The
 * filter returned is one ts_filter_new() accepts. */
JsonNode   *ts_query_parse           (TsProject          *project,
                                      const char         *text,
                                      const char         *me,
                                      guint              *error_start,
                                      guint              *error_end,
                                      GError            **error);
/* The canonical query text for @filter: ts_query_parse (ts_query_format (f)) equals f
 * for every filter ts_query_parse() can return; for other valid filters (such as a
 * list of one value) a query with the same meaning.  Fields are written by their
 * labels where that is unambiguous. */
char       *ts_query_format          (TsProject          *project,
                                      JsonNode           *filter);

#define TS_TYPE_QUERY_COMPLETION (ts_query_completion_get_type ())
G_DECLARE_FINAL_TYPE (TsQueryCompletion, ts_query_completion, TS, QUERY_COMPLETION, GObject)

const char *ts_query_completion_get_text   (TsQueryCompletion *self); /* what replaces [start, end) */
const char *ts_query_completion_get_label  (TsQueryCompletion *self); /* what the list shows */
const char *ts_query_completion_get_detail (TsQueryCompletion *self); /* dim text beside it, may be NULL */

/* Completions for the word under @cursor (byte offset): field names and labels, choice
 * values, states, @people (logins, may be NULL) for user fields.  Never NULL; empty
 * when nothing fits.  [*replace_start, *replace_end) is what a completion's text
 * replaces. */
GPtrArray  *ts_query_complete        (TsProject          *project,
                                      const char         *text,
                                      guint               cursor,
                                      const char * const *people,
                                      guint              *replace_start,
                                      guint              *replace_end);

G_END_DECLS
