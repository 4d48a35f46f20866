/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The statements of the ticket lists (docs/sql-api.md, "Lists (since
 * version 13)"), exactly as TsStore sends them, so that the plan tests
 * (tests/test-server.c, /ts/server/indexes) EXPLAIN what the client runs.
 * Plain SELECTs as the member: row-level security decides which rows; every
 * condition is on a leakproof operator, so it is an index condition under
 * the policy too.
 *
 * A page: the rows of project $1 (all of them, or the open ones assigned to
 * me), in the order of the sort key, descending or not, ties by number in
 * the same direction, after the cursor's row, skipping $2 rows, at most $3
 * rows.  The order is search_tickets()'s (data/sql/0006-search.sql): text
 * in byte order (COLLATE "C"), the times as they are, a field's value when
 * it is a number, a boolean or a non-empty string (for a field of its kind,
 * the only values the server stores), rows without one last either way.
 *
 * Parameters, in this order: $1 the project, $2 the rows to skip (OFFSET),
 * $3 the most rows (LIMIT); for a sort by a field, its name; with a cursor,
 * its sort value (unless TS_LIST_AFTER_NUMBER) and then its number.
 *
 * Every order but a field's reads an index in that order (0006's and
 * 0013's): number, updated_at, created_at, state, assigned_to, created_by;
 * in the pending list, "me" is session_user::text, which has collation "C",
 * so the pending indexes have assigned_to COLLATE "C".  In the pending list
 * every row has the same assigned_to, so that order is the number's. */

/* The columns TsStore parses into a TsTicket. */
#define TS_LIST_SQL_COLUMNS \
  "id, project, number, key, state, assigned_to, created_by, " \
  "(extract(epoch FROM created_at) * 1000000)::bigint, " \
  "(extract(epoch FROM updated_at) * 1000000)::bigint, version, fields::text"

#define TS_LIST_SQL_ALL      "t.project = $1"
#define TS_LIST_SQL_PENDING  "t.project = $1 AND t.assigned_to = session_user::text AND NOT t.is_final"

/* How many rows the list has now: $1 the project. */
#define TS_LIST_SQL_COUNT_ALL     "SELECT count(*) FROM tasksteper.tickets t WHERE " TS_LIST_SQL_ALL
#define TS_LIST_SQL_COUNT_PENDING "SELECT count(*) FROM tasksteper.tickets t WHERE " TS_LIST_SQL_PENDING

/* What the cursor of a page gives, as the statement takes it. */
typedef enum
{
  TS_LIST_AFTER_NONE,     /* no cursor: from the first row */
  TS_LIST_AFTER_NUMBER,   /* its number alone: a sort by number, or a field's cursor without a value */
  TS_LIST_AFTER_TEXT,     /* a string: state, assigned_to, created_by, a text field */
  TS_LIST_AFTER_TIME,     /* a time: created_at, updated_at */
  TS_LIST_AFTER_NUMERIC,  /* a number: an integer field */
  TS_LIST_AFTER_BOOLEAN,  /* true or false: a boolean field */
} TsListAfter;

/* The column of a system sort, or NULL for the number (NULL, "number",
 * "key"; in the pending list "assigned_to" too); @is_field set when @sort
 * is a field's name instead. */
static inline const char *
ts_list_sql_key (gboolean    pending,
                 const char *sort,
                 gboolean   *is_field)
{
  *is_field = FALSE;
  if (sort == NULL || g_str_equal (sort, "number") || g_str_equal (sort, "key"))
    return NULL;
  if (g_str_equal (sort, "assigned_to"))
    return pending ? NULL : "t.assigned_to COLLATE \"C\"";
  if (g_str_equal (sort, "state"))
    return "t.state COLLATE \"C\"";
  if (g_str_equal (sort, "created_by"))
    return "t.created_by COLLATE \"C\"";
  if (g_str_equal (sort, "created_at"))
    return "t.created_at";
  if (g_str_equal (sort, "updated_at"))
    return "t.updated_at";
  *is_field = TRUE;
  return NULL;
}

/* What a cursor of @sort must give: TS_LIST_AFTER_NUMBER, _TEXT or _TIME
 * for a system sort; for a field, -1 (its value's JSON type decides). */
static inline int
ts_list_sql_after_kind (gboolean    pending,
                        const char *sort)
{
  gboolean is_field;
  const char *key = ts_list_sql_key (pending, sort, &is_field);

  if (is_field)
    return -1;
  if (key == NULL)
    return TS_LIST_AFTER_NUMBER;
  return g_str_has_prefix (key, "t.created_at") || g_str_has_prefix (key, "t.updated_at")
           ? TS_LIST_AFTER_TIME : TS_LIST_AFTER_TEXT;
}

/* A field's sort keys ($4 its name): a number, a boolean, a non-empty
 * string; a field of one kind has at most one. */
#define TS_LIST_SQL_FIELD_NUMERIC \
  "(CASE WHEN jsonb_typeof(t.fields -> $4::text) = 'number' THEN (t.fields -> $4::text)::numeric END)"
#define TS_LIST_SQL_FIELD_BOOLEAN \
  "(CASE WHEN jsonb_typeof(t.fields -> $4::text) = 'boolean' THEN (t.fields -> $4::text)::boolean END)"
#define TS_LIST_SQL_FIELD_TEXT \
  "(CASE WHEN jsonb_typeof(t.fields -> $4::text) = 'string'" \
  " AND btrim(t.fields ->> $4::text, E' \\t\\n\\r\\u000b\\f\\u00a0\\u3000') <> ''" \
  " THEN (t.fields ->> $4::text) COLLATE \"C\" END)"

/* The statement of a page of the all list or (@pending) the pending one,
 * sorted by @sort, @descending or not, with a cursor of kind @after (for a
 * system sort, the kind ts_list_sql_after_kind() says, or NONE).
 * Returns (transfer full): the SQL. */
static inline char *
ts_list_sql_page (gboolean     pending,
                  const char  *sort,
                  gboolean     descending,
                  TsListAfter  after)
{
  GString *sql = g_string_new ("SELECT " TS_LIST_SQL_COLUMNS " FROM tasksteper.tickets t WHERE ");
  const char *dir = descending ? "DESC" : "ASC";
  const char *cmp = descending ? "<" : ">";
  gboolean is_field;
  const char *key = ts_list_sql_key (pending, sort, &is_field);
  int next = is_field ? 5 : 4;   /* the first parameter of the cursor */

  g_string_append (sql, pending ? TS_LIST_SQL_PENDING : TS_LIST_SQL_ALL);

  if (after != TS_LIST_AFTER_NONE && !is_field)
    {
      if (key == NULL || after == TS_LIST_AFTER_NUMBER)
        g_string_append_printf (sql, " AND t.number %s $%d::int", cmp, next);
      else
        g_string_append_printf (sql, " AND (%s, t.number) %s ($%d::%s, $%d::int)", key, cmp, next,
                                after == TS_LIST_AFTER_TIME ? "timestamptz" : "text", next + 1);
    }
  else if (after != TS_LIST_AFTER_NONE)
    {
      /* The keys in order; the cursor's is the one of its value's type,
       * those before it are NULL for the rows after it. */
      static const struct { TsListAfter kind; const char *key; const char *type; } keys[] = {
        { TS_LIST_AFTER_NUMERIC, TS_LIST_SQL_FIELD_NUMERIC, "numeric" },
        { TS_LIST_AFTER_BOOLEAN, TS_LIST_SQL_FIELD_BOOLEAN, "boolean" },
        { TS_LIST_AFTER_TEXT, TS_LIST_SQL_FIELD_TEXT, "text" },
      };

      for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
        {
          if (keys[i].kind == after)
            {
              g_string_append_printf (sql, " AND (%s %s $%d::%s OR (%s = $%d::%s AND t.number %s $%d::int) OR %s IS NULL)",
                                      keys[i].key, cmp, next, keys[i].type,
                                      keys[i].key, next, keys[i].type, cmp, next + 1,
                                      keys[i].key);
              break;
            }
          g_string_append_printf (sql, " AND %s IS NULL", keys[i].key);
        }
      if (after == TS_LIST_AFTER_NUMBER)
        g_string_append_printf (sql, " AND t.number %s $%d::int", cmp, next);
    }

  g_string_append (sql, " ORDER BY ");
  if (is_field)
    g_string_append_printf (sql, TS_LIST_SQL_FIELD_NUMERIC " %s NULLS LAST, "
                            TS_LIST_SQL_FIELD_BOOLEAN " %s NULLS LAST, "
                            TS_LIST_SQL_FIELD_TEXT " %s NULLS LAST, ", dir, dir, dir);
  else if (key != NULL)
    g_string_append_printf (sql, "%s %s, ", key, dir);
  g_string_append_printf (sql, "t.number %s OFFSET $2 LIMIT $3", dir);

  return g_string_free (sql, FALSE);
}

G_END_DECLS
