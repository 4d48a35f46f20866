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
 * it is of the field's kind (a number for an integer field, a boolean for
 * a boolean one, a non-empty string for the others), rows without one last
 * either way.
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

/* A field's sort keys ($4 its name), as search_tickets() reads them: an
 * integer field's number, a boolean field's truth, any other field's
 * non-empty string; a value of another JSON type is none.  The field's type
 * comes from the project's definition (one look, an InitPlan). */
#define TS_LIST_SQL_FIELD_TYPE \
  "(SELECT f ->> 'type' FROM tasksteper.projects p, jsonb_array_elements(p.definition -> 'fields') f" \
  " WHERE p.name = $1 AND f ->> 'name' = $4::text LIMIT 1)"
#define TS_LIST_SQL_FIELD_NUMERIC \
  "(CASE WHEN " TS_LIST_SQL_FIELD_TYPE " = 'integer' AND jsonb_typeof(t.fields -> $4::text) = 'number'" \
  " THEN (t.fields -> $4::text)::numeric END)"
#define TS_LIST_SQL_FIELD_BOOLEAN \
  "(CASE WHEN " TS_LIST_SQL_FIELD_TYPE " = 'boolean' AND jsonb_typeof(t.fields -> $4::text) = 'boolean'" \
  " THEN (t.fields -> $4::text)::boolean END)"
#define TS_LIST_SQL_FIELD_TEXT \
  "(CASE WHEN " TS_LIST_SQL_FIELD_TYPE " NOT IN ('integer', 'boolean') AND jsonb_typeof(t.fields -> $4::text) = 'string'" \
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
      /* The rows after one without a value: those without one, by number.
       * A field has values of its kind only, so a cursor's value of
       * another kind (as search_tickets() reads it) is none either. */
      g_autofree char *none = g_strdup_printf ("(" TS_LIST_SQL_FIELD_NUMERIC " IS NULL AND " TS_LIST_SQL_FIELD_BOOLEAN
                                               " IS NULL AND " TS_LIST_SQL_FIELD_TEXT " IS NULL AND t.number %s $%d::int)",
                                               cmp, after == TS_LIST_AFTER_NUMBER ? next : next + 1);
      const char *fkey = NULL, *ftype = NULL, *fkind = NULL;

      switch (after)
        {
        case TS_LIST_AFTER_NUMERIC:
          fkey = TS_LIST_SQL_FIELD_NUMERIC, ftype = "numeric", fkind = TS_LIST_SQL_FIELD_TYPE " = 'integer'";
          break;
        case TS_LIST_AFTER_BOOLEAN:
          fkey = TS_LIST_SQL_FIELD_BOOLEAN, ftype = "boolean", fkind = TS_LIST_SQL_FIELD_TYPE " = 'boolean'";
          break;
        case TS_LIST_AFTER_TEXT:
          fkey = TS_LIST_SQL_FIELD_TEXT, ftype = "text", fkind = TS_LIST_SQL_FIELD_TYPE " NOT IN ('integer', 'boolean')";
          break;
        case TS_LIST_AFTER_NONE:
        case TS_LIST_AFTER_NUMBER:
        case TS_LIST_AFTER_TIME:
        default:
          break;
        }
      if (fkey == NULL)
        g_string_append_printf (sql, " AND %s", none);
      else
        g_string_append_printf (sql, " AND (CASE WHEN %s THEN (%s %s $%d::%s OR (%s = $%d::%s AND t.number %s $%d::int)"
                                " OR %s IS NULL) ELSE %s END)",
                                fkind, fkey, cmp, next, ftype, fkey, next, ftype, cmp, next + 1, fkey, none);
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
