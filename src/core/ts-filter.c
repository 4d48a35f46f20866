/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-filter"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ts-condition.h"
#include "ts-filter-private.h"
#include "ts-schema-private.h"

/* The client's reader of search filters.  tests/data/search.json fixes
 * what a filter means; tasksteper.search_tickets() on the server reads the
 * same filters, and this one answers the same on the offline copy.
 *
 * ts_filter_new() checks the filter against the project once and compiles
 * each key into a Clause: the values to compare with as JSON arrays for
 * ts_clause_matches() (so equality and emptiness are those of transition
 * conditions, tests/data/conditions.json), the words of "contains" already
 * in lower case, and days turned into instants of the search's time zone.
 * Matching a ticket then does no parsing at all. */

typedef enum
{
  SUBJECT_FIELD,        /* a field of the project */
  SUBJECT_KEY,
  SUBJECT_STATE,
  SUBJECT_ASSIGNED_TO,
  SUBJECT_CREATED_BY,
  SUBJECT_CREATED_AT,
  SUBJECT_UPDATED_AT,
  SUBJECT_TEXT,         /* the key and every string, text and url field */
  SUBJECT_REACHED,      /* a state entered, from the history */
} Subject;

typedef struct
{
  Subject      subject;
  char        *name;          /* SUBJECT_FIELD: the field's name */
  TsFieldType  type;          /* SUBJECT_FIELD: its type */

  JsonArray   *one_of;        /* equality (one value or a list), or NULL */
  JsonArray   *none_of;       /* "not", or NULL */
  GPtrArray   *contains;      /* lower-case words, or NULL */
  GPtrArray   *not_contains;  /* lower-case words, or NULL */

  /* Integers: inclusive bounds.  Instants (created_at, updated_at,
   * reached): [min, max) in microseconds since the epoch. */
  gint64       min;
  gint64       max;
  /* Date fields: inclusive bounds, YYYY-MM-DD. */
  char        *min_day;
  char        *max_day;
  char        *state;         /* SUBJECT_REACHED */

  guint        has_min : 1;
  guint        has_max : 1;
  guint        empty : 1;
  guint        not_empty : 1;
} Clause;

struct _TsFilter
{
  GObject     parent_instance;

  JsonNode   *json;
  GArray     *clauses;        /* of Clause */
  /* The fields "text" looks at. */
  GPtrArray  *text_fields;
  guint       needs_history : 1;
};

G_DEFINE_FINAL_TYPE (TsFilter, ts_filter, G_TYPE_OBJECT)
G_DEFINE_QUARK (ts-filter-error-quark, ts_filter_error)

static void
clear_clause (gpointer data)
{
  Clause *clause = data;

  g_clear_pointer (&clause->name, g_free);
  g_clear_pointer (&clause->one_of, json_array_unref);
  g_clear_pointer (&clause->none_of, json_array_unref);
  g_clear_pointer (&clause->contains, g_ptr_array_unref);
  g_clear_pointer (&clause->not_contains, g_ptr_array_unref);
  g_clear_pointer (&clause->min_day, g_free);
  g_clear_pointer (&clause->max_day, g_free);
  g_clear_pointer (&clause->state, g_free);
}

static void
ts_filter_finalize (GObject *object)
{
  TsFilter *self = (TsFilter *)object;

  g_clear_pointer (&self->json, json_node_unref);
  g_clear_pointer (&self->clauses, g_array_unref);
  g_clear_pointer (&self->text_fields, g_ptr_array_unref);

  G_OBJECT_CLASS (ts_filter_parent_class)->finalize (object);
}

static void
ts_filter_class_init (TsFilterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ts_filter_finalize;
}

static void
ts_filter_init (TsFilter *self)
{
  self->clauses = g_array_new (FALSE, TRUE, sizeof (Clause));
  g_array_set_clear_func (self->clauses, clear_clause);
  self->text_fields = g_ptr_array_new_with_free_func (g_free);
}

/* Days and instants {{{1 */

gboolean
_ts_filter_parse_day (const char *str,
                      GDate      *date)
{
  guint y, m, d;

  if (str == NULL || strlen (str) != 10 || str[4] != '-' || str[7] != '-')
    return FALSE;
  for (guint i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (str[i]))
      return FALSE;

  y = (str[0] - '0') * 1000 + (str[1] - '0') * 100 + (str[2] - '0') * 10 + (str[3] - '0');
  m = (str[5] - '0') * 10 + (str[6] - '0');
  d = (str[8] - '0') * 10 + (str[9] - '0');

  if (y < 1 || m < 1 || m > 12 || d < 1 || d > 31 || !g_date_valid_dmy (d, m, y))
    return FALSE;

  if (date != NULL)
    g_date_set_dmy (date, d, m, y);
  return TRUE;
}

static gboolean
digits (const char *str,
        guint       n)
{
  for (guint i = 0; i < n; i++)
    if (!g_ascii_isdigit (str[i]))
      return FALSE;
  return TRUE;
}

gboolean
_ts_filter_parse_instant (const char *str,
                          gint64     *usec)
{
  g_autoptr(GDateTime) time = NULL;
  const char *p;

  /* RFC 3339's date-time, checked by hand: GLib's ISO 8601 reader takes
   * more (week dates, no seconds, basic format), which the server's
   * reader need not. */
  if (str == NULL || strlen (str) < 20)
    return FALSE;
  {
    char day[11];

    memcpy (day, str, 10);
    day[10] = '\0';
    if (!_ts_filter_parse_day (day, NULL))
      return FALSE;
  }
  if (str[10] != 'T' && str[10] != 't' && str[10] != ' ')
    return FALSE;
  p = str + 11;
  if (!digits (p, 2) || p[2] != ':' || !digits (p + 3, 2) || p[5] != ':' || !digits (p + 6, 2))
    return FALSE;
  if ((p[0] - '0') * 10 + (p[1] - '0') > 23 ||
      (p[3] - '0') * 10 + (p[4] - '0') > 59 ||
      (p[6] - '0') * 10 + (p[7] - '0') > 59)
    return FALSE;
  p += 8;
  if (*p == '.')
    {
      p++;
      if (!g_ascii_isdigit (*p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        p++;
    }
  if (*p == 'Z' || *p == 'z')
    p++;
  else if (*p == '+' || *p == '-')
    {
      if (!digits (p + 1, 2) || p[3] != ':' || !digits (p + 4, 2) ||
          (p[1] - '0') * 10 + (p[2] - '0') > 23 || (p[4] - '0') * 10 + (p[5] - '0') > 59)
        return FALSE;
      p += 6;
    }
  else
    return FALSE;
  if (*p != '\0')
    return FALSE;

  /* GLib reads only the upper-case T and Z; with no default zone it
   * refuses a time without an offset too. */
  {
    g_autofree char *upper = g_strdup (str);

    upper[10] = 'T';
    if (p[-1] == 'z')
      upper[p - 1 - str] = 'Z';
    time = g_date_time_new_from_iso8601 (upper, NULL);
  }
  if (time == NULL)
    return FALSE;

  if (usec != NULL)
    *usec = g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
  return TRUE;
}

/* The first instant of @date in @zone. */
static gboolean
day_start (const GDate *date,
           GTimeZone   *zone,
           gint64      *usec)
{
  g_autoptr(GDateTime) time = NULL;

  time = g_date_time_new (zone, g_date_get_year (date), g_date_get_month (date),
                          g_date_get_day (date), 0, 0, 0);
  if (time == NULL)
    return FALSE;

  *usec = g_date_time_to_unix (time) * G_USEC_PER_SEC;
  return TRUE;
}

static gint64
time_to_usec (GDateTime *time)
{
  return g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
}

/* Labels and messages {{{1 */

const char *
_ts_filter_key_label (TsProject  *project,
                      const char *key)
{
  if (g_strcmp0 (key, "text") == 0 && ts_project_lookup_field (project, key) == NULL)
    return _("Text");
  if (g_strcmp0 (key, "reached") == 0 && ts_project_lookup_field (project, key) == NULL)
    return _("Reached");

  return ts_project_get_label_for (project, key);
}

typedef struct
{
  TsProject   *project;
  GTimeZone   *zone;
  const char  *key;
  const char  *label;
  GError     **error;
} Checker;

static gboolean fail (Checker       *checker,
                      TsFilterError  code,
                      const char    *format,
                      ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (Checker       *checker,
      TsFilterError  code,
      const char    *format,
      ...)
{
  va_list args;

  if (checker->error != NULL && *checker->error == NULL)
    {
      va_start (args, format);
      *checker->error = g_error_new_valist (TS_FILTER_ERROR, code, format, args);
      va_end (args);
    }

  return FALSE;
}

/* What a value of @clause's subject is, in words for a message. */
static const char *
expected_type (const Clause *clause)
{
  if (clause->subject != SUBJECT_FIELD)
    return _("a string");

  switch (clause->type)
    {
    case TS_FIELD_INTEGER:
      return _("a whole number");
    case TS_FIELD_BOOLEAN:
      return _("true or false");
    case TS_FIELD_DATE:
      return _("a date written YYYY-MM-DD");
    case TS_FIELD_STRING:
    case TS_FIELD_TEXT:
    case TS_FIELD_CHOICE:
    case TS_FIELD_URL:
    case TS_FIELD_USER:
    default:
      return _("a string");
    }
}

/* Validation {{{1 */

static gboolean
is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_STRING;
}

/* An integer, or a number without a fraction (3.0, as jsonb sees it). */
static gboolean
get_integer (JsonNode *node,
             gint64   *out)
{
  double d;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *out = json_node_get_int (node);
      return TRUE;
    }

  if (json_node_get_value_type (node) != G_TYPE_DOUBLE)
    return FALSE;

  d = json_node_get_double (node);
  if (d != (double)(gint64)d || d < -9.2e18 || d > 9.2e18)
    return FALSE;

  *out = (gint64)d;
  return TRUE;
}

/* One value to compare with: the field's JSON type, and for date fields a
 * day that exists. */
static gboolean
check_scalar (Checker      *checker,
              const Clause *clause,
              JsonNode     *value)
{
  gint64 unused;

  if (JSON_NODE_HOLDS_NULL (value))
    return fail (checker, TS_FILTER_ERROR_BAD_VALUE,
                 _("“%s”: null matches nothing; to find tickets where it is empty write {\"empty\": true}"),
                 checker->label);

  if (!JSON_NODE_HOLDS_VALUE (value))
    return fail (checker, TS_FILTER_ERROR_BAD_VALUE,
                 _("“%s” is compared with %s, not %s: write a single value or a list of values"),
                 checker->label, expected_type (clause), _ts_json_type_name (value));

  if (clause->subject == SUBJECT_FIELD && clause->type == TS_FIELD_INTEGER)
    {
      if (!get_integer (value, &unused))
        return fail (checker, TS_FILTER_ERROR_BAD_VALUE,
                     _("“%s” is a whole number; compare it with one such as 3, not %s"),
                     checker->label, _ts_json_type_name (value));
      return TRUE;
    }

  if (clause->subject == SUBJECT_FIELD && clause->type == TS_FIELD_BOOLEAN)
    {
      if (json_node_get_value_type (value) != G_TYPE_BOOLEAN)
        return fail (checker, TS_FILTER_ERROR_BAD_VALUE,
                     _("“%s” is true or false; compare it with true or false (without quotes), not %s"),
                     checker->label, _ts_json_type_name (value));
      return TRUE;
    }

  if (json_node_get_value_type (value) != G_TYPE_STRING)
    return fail (checker, TS_FILTER_ERROR_BAD_VALUE,
                 _("“%s” is compared with a string, not %s: put the value in quotes"),
                 checker->label, _ts_json_type_name (value));

  if (clause->subject == SUBJECT_FIELD && clause->type == TS_FIELD_DATE &&
      !_ts_filter_parse_day (json_node_get_string (value), NULL))
    return fail (checker, TS_FILTER_ERROR_BAD_DATE,
                 _("“%s”: “%s” is not a day; write a date that exists as YYYY-MM-DD, such as 2018-01-31"),
                 checker->label, json_node_get_string (value));

  return TRUE;
}

/* A scalar or a non-empty list of scalars, copied into an array for
 * ts_clause_matches(). */
static JsonArray *
read_values (Checker      *checker,
             const Clause *clause,
             JsonNode     *node)
{
  g_autoptr(JsonArray) values = json_array_new ();

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *list = json_node_get_array (node);

      if (json_array_get_length (list) == 0)
        {
          fail (checker, TS_FILTER_ERROR_BAD_VALUE,
                _("“%s”: an empty list matches nothing; list the values to find"),
                checker->label);
          return NULL;
        }

      for (guint i = 0; i < json_array_get_length (list); i++)
        {
          JsonNode *element = json_array_get_element (list, i);

          if (!check_scalar (checker, clause, element))
            return NULL;
          json_array_add_element (values, json_node_copy (element));
        }
    }
  else
    {
      if (!check_scalar (checker, clause, node))
        return NULL;
      json_array_add_element (values, json_node_copy (node));
    }

  return g_steal_pointer (&values);
}

/* contains / not_contains: a non-empty string or a non-empty list of them. */
static GPtrArray *
read_words (Checker    *checker,
            const char *op,
            JsonNode   *node)
{
  g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func (g_free);

  if (is_string (node) && *json_node_get_string (node) != '\0')
    {
      g_ptr_array_add (words, g_utf8_strdown (json_node_get_string (node), -1));
      return g_steal_pointer (&words);
    }

  if (JSON_NODE_HOLDS_ARRAY (node) && json_array_get_length (json_node_get_array (node)) > 0)
    {
      JsonArray *list = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (list); i++)
        {
          JsonNode *element = json_array_get_element (list, i);

          if (!is_string (element) || *json_node_get_string (element) == '\0')
            break;
          g_ptr_array_add (words, g_utf8_strdown (json_node_get_string (element), -1));
        }
      if (words->len == json_array_get_length (list))
        return g_steal_pointer (&words);
    }

  fail (checker, TS_FILTER_ERROR_BAD_VALUE,
        _("“%s”: “%s” takes a word or a list of words, none of them empty, such as {\"%s\": \"北京\"}"),
        checker->label, op, op);
  return NULL;
}

static gboolean
read_flag (Checker    *checker,
           const char *op,
           JsonNode   *node)
{
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN &&
      json_node_get_boolean (node))
    return TRUE;

  return fail (checker, TS_FILTER_ERROR_BAD_VALUE,
               _("“%s”: write {\"%s\": true}; for the opposite use {\"%s\": true}"),
               checker->label, op, g_str_equal (op, "empty") ? "not_empty" : "empty");
}

/* A bound on an instant: a day of the time zone (from its first instant;
 * as an upper bound up to the first instant of the next day) or an
 * RFC 3339 instant with an offset (inclusive). */
static gboolean
read_instant_bound (Checker    *checker,
                    const char *op,
                    JsonNode   *node,
                    gboolean    upper,
                    gint64     *out)
{
  const char *str;
  GDate day;

  if (!is_string (node))
    return fail (checker, TS_FILTER_ERROR_BAD_VALUE,
                 _("“%s”: “%s” takes a date such as \"2018-01-31\" or a time such as \"2018-01-31T10:00:00+08:00\", not %s"),
                 checker->label, op, _ts_json_type_name (node));

  str = json_node_get_string (node);

  if (_ts_filter_parse_day (str, &day))
    {
      if (upper)
        {
          if (g_date_get_year (&day) == 9999 && g_date_get_month (&day) == 12 &&
              g_date_get_day (&day) == 31)
            {
              *out = G_MAXINT64;
              return TRUE;
            }
          g_date_add_days (&day, 1);
        }
      if (day_start (&day, checker->zone, out))
        return TRUE;
    }
  else if (_ts_filter_parse_instant (str, out))
    {
      /* Inclusive: [min, max) ends one microsecond later. */
      if (upper && *out < G_MAXINT64)
        *out += 1;
      return TRUE;
    }

  {
    g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
    g_autoptr(GDateTime) local = g_date_time_new_from_iso8601 (str, utc);
    g_autofree char *with_offset = g_strconcat (str, "+08:00", NULL);

    /* A time that only lacks its offset: say so. */
    if (local != NULL && _ts_filter_parse_instant (with_offset, NULL))
      return fail (checker, TS_FILTER_ERROR_BAD_DATE,
                   _("“%s”: the time “%s” has no offset; add Z for UTC or the offset of its zone, such as %s+08:00"),
                   checker->label, str, str);
  }

  return fail (checker, TS_FILTER_ERROR_BAD_DATE,
               _("“%s”: “%s” is neither a day nor a time; write a date that exists as YYYY-MM-DD, "
                 "or a time with its offset such as 2018-01-31T10:00:00+08:00"),
               checker->label, str);
}

static gboolean
read_bound (Checker    *checker,
            Clause     *clause,
            const char *op,
            JsonNode   *node)
{
  gboolean upper = g_str_equal (op, "lte");

  if (clause->subject == SUBJECT_CREATED_AT || clause->subject == SUBJECT_UPDATED_AT)
    {
      if (!read_instant_bound (checker, op, node, upper, upper ? &clause->max : &clause->min))
        return FALSE;
    }
  else if (clause->type == TS_FIELD_INTEGER)
    {
      if (!get_integer (node, upper ? &clause->max : &clause->min))
        return fail (checker, TS_FILTER_ERROR_BAD_VALUE,
                     _("“%s” is a whole number; “%s” takes one such as 5, not %s"),
                     checker->label, op, _ts_json_type_name (node));
    }
  else
    {
      if (!is_string (node))
        return fail (checker, TS_FILTER_ERROR_BAD_VALUE,
                     _("“%s” is a date; “%s” takes one such as \"2018-01-31\", not %s"),
                     checker->label, op, _ts_json_type_name (node));
      if (!_ts_filter_parse_day (json_node_get_string (node), NULL))
        return fail (checker, TS_FILTER_ERROR_BAD_DATE,
                     _("“%s”: “%s” is not a day; write a date that exists as YYYY-MM-DD, such as 2018-01-31"),
                     checker->label, json_node_get_string (node));
      g_free (upper ? clause->max_day : clause->min_day);
      if (upper)
        clause->max_day = g_strdup (json_node_get_string (node));
      else
        clause->min_day = g_strdup (json_node_get_string (node));
    }

  if (upper)
    clause->has_max = TRUE;
  else
    clause->has_min = TRUE;
  return TRUE;
}

enum
{
  OP_CONTAINS     = 1 << 0,
  OP_NOT_CONTAINS = 1 << 1,
  OP_EMPTY        = 1 << 2,
  OP_NOT_EMPTY    = 1 << 3,
  OP_NOT          = 1 << 4,
  OP_GTE          = 1 << 5,
  OP_LTE          = 1 << 6,
};

static const char * const operator_names[] = {
  "contains", "not_contains", "empty", "not_empty", "not", "gte", "lte", NULL
};

/* Which operators @clause's subject takes (search.json's semantics). */
static guint
allowed_operators (const Clause *clause)
{
  switch (clause->subject)
    {
    case SUBJECT_FIELD:
      switch (clause->type)
        {
        case TS_FIELD_STRING:
        case TS_FIELD_TEXT:
        case TS_FIELD_URL:
          return OP_CONTAINS | OP_NOT_CONTAINS | OP_EMPTY | OP_NOT_EMPTY | OP_NOT;
        case TS_FIELD_INTEGER:
        case TS_FIELD_DATE:
          return OP_EMPTY | OP_NOT_EMPTY | OP_NOT | OP_GTE | OP_LTE;
        case TS_FIELD_CHOICE:
        case TS_FIELD_BOOLEAN:
        case TS_FIELD_USER:
        default:
          return OP_EMPTY | OP_NOT_EMPTY | OP_NOT;
        }
    case SUBJECT_KEY:
      return OP_CONTAINS | OP_NOT_CONTAINS | OP_NOT;
    case SUBJECT_ASSIGNED_TO:
      return OP_EMPTY | OP_NOT_EMPTY | OP_NOT;
    case SUBJECT_STATE:
    case SUBJECT_CREATED_BY:
      return OP_NOT;
    case SUBJECT_CREATED_AT:
    case SUBJECT_UPDATED_AT:
      return OP_GTE | OP_LTE;
    case SUBJECT_TEXT:
      return OP_CONTAINS | OP_NOT_CONTAINS;
    case SUBJECT_REACHED:
    default:
      return 0;
    }
}

static char *
operator_list (guint allowed)
{
  g_autoptr(GString) list = g_string_new (NULL);

  for (guint i = 0; operator_names[i]; i++)
    if (allowed & (1u << i))
      g_string_append_printf (list, "%s“%s”", list->len ? ", " : "", operator_names[i]);

  return g_string_free (g_steal_pointer (&list), FALSE);
}

static gboolean
read_operators (Checker    *checker,
                Clause     *clause,
                JsonObject *object)
{
  g_autoptr(GList) members = json_object_get_members (object);
  guint allowed = allowed_operators (clause);

  if (members == NULL)
    {
      g_autofree char *list = operator_list (allowed);

      return fail (checker, TS_FILTER_ERROR_BAD_OPERATOR,
                   _("“%s”: the operator object is empty; use %s"), checker->label, list);
    }

  /* Every operator is known and applies before any value is read, so a
   * wrong operator is reported as such whatever its value. */
  for (const GList *l = members; l; l = l->next)
    {
      const char *op = l->data;
      gint index = -1;

      for (guint i = 0; operator_names[i]; i++)
        if (g_str_equal (op, operator_names[i]))
          index = i;

      if (index < 0 || !(allowed & (1u << index)))
        {
          g_autofree char *list = operator_list (allowed);

          if (index < 0)
            return fail (checker, TS_FILTER_ERROR_BAD_OPERATOR,
                         _("“%s”: there is no operator “%s”; use %s"), checker->label, op, list);
          return fail (checker, TS_FILTER_ERROR_BAD_OPERATOR,
                       _("“%s” cannot be searched with “%s”; use %s"), checker->label, op, list);
        }
    }

  for (const GList *l = members; l; l = l->next)
    {
      const char *op = l->data;
      JsonNode *node = json_object_get_member (object, op);

      if (g_str_equal (op, "contains"))
        {
          if ((clause->contains = read_words (checker, op, node)) == NULL)
            return FALSE;
        }
      else if (g_str_equal (op, "not_contains"))
        {
          if ((clause->not_contains = read_words (checker, op, node)) == NULL)
            return FALSE;
        }
      else if (g_str_equal (op, "empty"))
        {
          if (!(clause->empty = read_flag (checker, op, node)))
            return FALSE;
        }
      else if (g_str_equal (op, "not_empty"))
        {
          if (!(clause->not_empty = read_flag (checker, op, node)))
            return FALSE;
        }
      else if (g_str_equal (op, "not"))
        {
          if (JSON_NODE_HOLDS_OBJECT (node))
            return fail (checker, TS_FILTER_ERROR_BAD_VALUE,
                         _("“%s”: “not” takes a value or a list of values, not an object; "
                           "for “not empty” write {\"not_empty\": true}"),
                         checker->label);
          if ((clause->none_of = read_values (checker, clause, node)) == NULL)
            return FALSE;
        }
      else if (!read_bound (checker, clause, op, node))
        {
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
read_text (Checker  *checker,
           Clause   *clause,
           JsonNode *node)
{
  if (is_string (node))
    return (clause->contains = read_words (checker, "contains", node)) != NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (checker, TS_FILTER_ERROR_BAD_VALUE,
                 _("“%s” takes the words to find, such as \"北京\", or {\"contains\": …, \"not_contains\": …}; not %s"),
                 checker->label, _ts_json_type_name (node));

  return read_operators (checker, clause, json_node_get_object (node));
}

static gboolean
read_reached (Checker  *checker,
              Clause   *clause,
              JsonNode *node)
{
  static const char * const members[] = { "state", "from", "to", NULL };
  g_autoptr(GList) keys = NULL;
  JsonObject *object;
  JsonNode *state;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (checker, TS_FILTER_ERROR_BAD_VALUE,
                 _("“%s” takes an object such as {\"state\": \"关闭\", \"from\": \"2018-01-01\", \"to\": \"2018-01-31\"}, not %s"),
                 checker->label, _ts_json_type_name (node));

  object = json_node_get_object (node);
  keys = json_object_get_members (object);
  for (const GList *l = keys; l; l = l->next)
    if (!g_strv_contains (members, l->data))
      return fail (checker, TS_FILTER_ERROR_BAD_OPERATOR,
                   _("“%s” has no member “%s”; it takes “state”, and “from” and “to” for the time window"),
                   checker->label, (const char *)l->data);

  state = json_object_get_member (object, "state");
  if (!is_string (state) || *json_node_get_string (state) == '\0')
    return fail (checker, TS_FILTER_ERROR_BAD_VALUE,
                 _("“%s” needs the state that was reached, such as {\"state\": \"关闭\"}"),
                 checker->label);
  clause->state = g_strdup (json_node_get_string (state));

  if (json_object_has_member (object, "from"))
    {
      if (!read_instant_bound (checker, "from", json_object_get_member (object, "from"), FALSE, &clause->min))
        return FALSE;
      clause->has_min = TRUE;
    }
  if (json_object_has_member (object, "to"))
    {
      if (!read_instant_bound (checker, "to", json_object_get_member (object, "to"), TRUE, &clause->max))
        return FALSE;
      clause->has_max = TRUE;
    }

  return TRUE;
}

static gboolean
read_clause (Checker  *checker,
             Clause   *clause,
             JsonNode *node)
{
  switch (clause->subject)
    {
    case SUBJECT_TEXT:
      return read_text (checker, clause, node);

    case SUBJECT_REACHED:
      return read_reached (checker, clause, node);

    case SUBJECT_CREATED_AT:
    case SUBJECT_UPDATED_AT:
      if (!JSON_NODE_HOLDS_OBJECT (node))
        return fail (checker, TS_FILTER_ERROR_BAD_OPERATOR,
                     _("“%s” is a time: search it with {\"gte\": …} and {\"lte\": …}, such as {\"gte\": \"2018-01-01\", \"lte\": \"2018-01-31\"}"),
                     checker->label);
      return read_operators (checker, clause, json_node_get_object (node));

    case SUBJECT_FIELD:
    case SUBJECT_KEY:
    case SUBJECT_STATE:
    case SUBJECT_ASSIGNED_TO:
    case SUBJECT_CREATED_BY:
    default:
      if (JSON_NODE_HOLDS_OBJECT (node))
        return read_operators (checker, clause, json_node_get_object (node));
      return (clause->one_of = read_values (checker, clause, node)) != NULL;
    }
}

static gboolean
resolve_subject (Checker    *checker,
                 Clause     *clause,
                 const char *key)
{
  static const struct { const char *name; Subject subject; } system[] = {
    { "key", SUBJECT_KEY },
    { "state", SUBJECT_STATE },
    { "assigned_to", SUBJECT_ASSIGNED_TO },
    { "created_by", SUBJECT_CREATED_BY },
    { "created_at", SUBJECT_CREATED_AT },
    { "updated_at", SUBJECT_UPDATED_AT },
    { "text", SUBJECT_TEXT },
    { "reached", SUBJECT_REACHED },
  };
  TsProject *project = checker->project;
  TsField *field;
  g_autoptr(GStrvBuilder) names = NULL;
  g_auto(GStrv) candidates = NULL;
  const char *suggestion;

  /* A system field first: a schema may not define one again. */
  for (guint i = 0; i < G_N_ELEMENTS (system); i++)
    {
      if (g_str_equal (key, system[i].name) && !(system[i].subject >= SUBJECT_TEXT &&
                                                 ts_project_lookup_field (project, key) != NULL))
        {
          clause->subject = system[i].subject;
          return TRUE;
        }
    }

  if ((field = ts_project_lookup_field (project, key)) != NULL)
    {
      clause->subject = SUBJECT_FIELD;
      clause->name = g_strdup (key);
      clause->type = ts_field_get_field_type (field);
      return TRUE;
    }

  /* People write labels; say which field a label belongs to. */
  for (guint i = 0; i < ts_project_get_n_fields (project); i++)
    {
      field = ts_project_get_field (project, i);
      if (g_str_equal (ts_field_get_label (field), key))
        return fail (checker, TS_FILTER_ERROR_UNKNOWN_FIELD,
                     _("“%s” is a label, not a field name: write “%s” (the name of the field %s)"),
                     key, ts_field_get_name (field), key);
    }

  names = g_strv_builder_new ();
  for (guint i = 0; i < ts_project_get_n_fields (project); i++)
    g_strv_builder_add (names, ts_field_get_name (ts_project_get_field (project, i)));
  for (guint i = 0; i < G_N_ELEMENTS (system); i++)
    g_strv_builder_add (names, system[i].name);
  candidates = g_strv_builder_end (names);

  suggestion = _ts_suggest (key, (const char * const *)candidates);
  if (suggestion != NULL)
    return fail (checker, TS_FILTER_ERROR_UNKNOWN_FIELD,
                 _("“%s” is not a field of this project: did you mean “%s” (%s)?"),
                 key, suggestion, _ts_filter_key_label (project, suggestion));

  return fail (checker, TS_FILTER_ERROR_UNKNOWN_FIELD,
               _("“%s” is not a field of this project: use a field’s name, key, state, assigned_to, "
                 "created_by, created_at, updated_at, text or reached"),
               key);
}

/* A copy that shares nothing with the caller's node, so that a later
 * change there cannot make get_json() disagree with what matches. */
static JsonNode *
deep_copy (JsonNode *node)
{
  JsonNode *copy;

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        g_autoptr(JsonObject) out = json_object_new ();
        g_autoptr(GList) members = json_object_get_members (object);

        for (const GList *l = members; l; l = l->next)
          json_object_set_member (out, l->data, deep_copy (json_object_get_member (object, l->data)));
        copy = json_node_init_object (json_node_alloc (), out);
      }
      break;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        g_autoptr(JsonArray) out = json_array_sized_new (json_array_get_length (array));

        for (guint i = 0; i < json_array_get_length (array); i++)
          json_array_add_element (out, deep_copy (json_array_get_element (array, i)));
        copy = json_node_init_array (json_node_alloc (), out);
      }
      break;

    case JSON_NODE_NULL:
    case JSON_NODE_VALUE:
    default:
      copy = json_node_copy (node);
      break;
    }

  return copy;
}

TsFilter *
ts_filter_new (TsProject   *project,
               JsonNode    *filter,
               GTimeZone   *time_zone,
               char       **bad_field,
               GError     **error)
{
  g_autoptr(TsFilter) self = NULL;
  g_autoptr(GTimeZone) local = NULL;
  g_autoptr(GList) members = NULL;
  JsonObject *object;
  Checker checker = { 0 };

  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);
  g_return_val_if_fail (filter != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (bad_field != NULL)
    *bad_field = NULL;

  if (time_zone == NULL)
    time_zone = local = g_time_zone_new_local ();

  if (!JSON_NODE_HOLDS_OBJECT (filter))
    {
      g_set_error (error, TS_FILTER_ERROR, TS_FILTER_ERROR_BAD_VALUE,
                   _("A search filter is an object of fields and what they must hold, "
                     "such as {\"state\": \"关闭\"}, not %s"),
                   _ts_json_type_name (filter));
      return NULL;
    }

  self = g_object_new (TS_TYPE_FILTER, NULL);
  checker.project = project;
  checker.zone = time_zone;
  checker.error = error;

  object = json_node_get_object (filter);
  members = json_object_get_members (object);

  for (const GList *l = members; l; l = l->next)
    {
      const char *key = l->data;
      Clause clause = { 0 };

      checker.key = key;
      checker.label = key;

      if (!resolve_subject (&checker, &clause, key))
        {
          if (bad_field != NULL)
            *bad_field = g_strdup (key);
          return NULL;
        }

      checker.label = _ts_filter_key_label (project, key);

      if (!read_clause (&checker, &clause, json_object_get_member (object, key)))
        {
          clear_clause (&clause);
          if (bad_field != NULL)
            *bad_field = g_strdup (key);
          return NULL;
        }

      if (clause.subject == SUBJECT_REACHED)
        self->needs_history = TRUE;

      g_array_append_val (self->clauses, clause);
    }

  for (guint i = 0; i < ts_project_get_n_fields (project); i++)
    {
      TsField *field = ts_project_get_field (project, i);

      switch (ts_field_get_field_type (field))
        {
        case TS_FIELD_STRING:
        case TS_FIELD_TEXT:
        case TS_FIELD_URL:
          g_ptr_array_add (self->text_fields, g_strdup (ts_field_get_name (field)));
          break;
        case TS_FIELD_CHOICE:
        case TS_FIELD_DATE:
        case TS_FIELD_BOOLEAN:
        case TS_FIELD_INTEGER:
        case TS_FIELD_USER:
        default:
          break;
        }
    }

  self->json = deep_copy (filter);
  json_node_seal (self->json);

  return g_steal_pointer (&self);
}

JsonNode *
ts_filter_get_json (TsFilter *self)
{
  g_return_val_if_fail (TS_IS_FILTER (self), NULL);

  return self->json;
}

gboolean
ts_filter_needs_history (TsFilter *self)
{
  g_return_val_if_fail (TS_IS_FILTER (self), FALSE);

  return self->needs_history;
}

/* Matching {{{1 */

/* Whether @haystack contains @needle (already lower case), ignoring case.
 * ASCII text is compared in place; anything else is lower-cased first
 * (g_utf8_strdown(), Unicode's lower case, as the server's lower()). */
static gboolean
contains_word (const char *haystack,
               const char *needle)
{
  g_autofree char *lower = NULL;
  const char *p;

  for (p = haystack; *p; p++)
    if ((guchar)*p >= 0x80)
      break;

  if (*p == '\0')
    {
      gsize n = strlen (needle);

      for (p = haystack; *p; p++)
        if (g_ascii_strncasecmp (p, needle, n) == 0)
          return TRUE;
      return n == 0;
    }

  lower = g_utf8_strdown (haystack, -1);
  return strstr (lower, needle) != NULL;
}

/* A value that can contain words: a string, not empty. */
static const char *
searchable (JsonNode *value)
{
  if (!is_string (value) || ts_value_is_empty (value))
    return NULL;
  return json_node_get_string (value);
}

static gboolean
words_hold (const Clause *clause,
            const char   *str)
{
  if (clause->contains != NULL)
    {
      if (str == NULL)
        return FALSE;
      for (guint i = 0; i < clause->contains->len; i++)
        if (!contains_word (str, g_ptr_array_index (clause->contains, i)))
          return FALSE;
    }

  if (clause->not_contains != NULL && str != NULL)
    {
      for (guint i = 0; i < clause->not_contains->len; i++)
        if (contains_word (str, g_ptr_array_index (clause->not_contains, i)))
          return FALSE;
    }

  return TRUE;
}

static gboolean
text_holds (TsFilter     *self,
            const Clause *clause,
            TsTicket     *ticket)
{
  JsonObject *fields = ts_ticket_get_fields (ticket);
  const char **values = g_newa (const char *, self->text_fields->len + 1);
  guint n = 0;

  if (ts_ticket_get_key (ticket) != NULL && *ts_ticket_get_key (ticket) != '\0')
    values[n++] = ts_ticket_get_key (ticket);
  for (guint i = 0; i < self->text_fields->len; i++)
    {
      const char *str = searchable (json_object_get_member (fields, g_ptr_array_index (self->text_fields, i)));

      if (str != NULL)
        values[n++] = str;
    }

  /* Each word may occur in a different field. */
  if (clause->contains != NULL)
    {
      for (guint w = 0; w < clause->contains->len; w++)
        {
          gboolean found = FALSE;

          for (guint i = 0; i < n && !found; i++)
            found = contains_word (values[i], g_ptr_array_index (clause->contains, w));
          if (!found)
            return FALSE;
        }
    }

  if (clause->not_contains != NULL)
    {
      for (guint w = 0; w < clause->not_contains->len; w++)
        for (guint i = 0; i < n; i++)
          if (contains_word (values[i], g_ptr_array_index (clause->not_contains, w)))
            return FALSE;
    }

  return TRUE;
}

static gboolean
in_window (const Clause *clause,
           gint64        usec)
{
  return (!clause->has_min || usec >= clause->min) && (!clause->has_max || usec < clause->max);
}

static gboolean
time_holds (const Clause *clause,
            GDateTime    *time)
{
  return time != NULL && in_window (clause, time_to_usec (time));
}

static gboolean
reached_holds (const Clause       *clause,
               const TsStateEntry *entries,
               guint               n_entries)
{
  for (guint i = 0; i < n_entries; i++)
    if (g_strcmp0 (entries[i].state, clause->state) == 0 && in_window (clause, entries[i].at))
      return TRUE;
  return FALSE;
}

static gboolean
is_day_shape (const char *str)
{
  return strlen (str) == 10 && str[4] == '-' && str[7] == '-' &&
         digits (str, 4) && digits (str + 5, 2) && digits (str + 8, 2);
}

/* gte / lte on an integer or date field: a value of the wrong JSON type,
 * or a date field's value that is not a date (such as the "" of a new
 * ticket), never holds. */
static gboolean
bounds_hold (const Clause *clause,
             JsonNode     *value)
{
  if (!clause->has_min && !clause->has_max)
    return TRUE;

  if (value == NULL || !JSON_NODE_HOLDS_VALUE (value))
    return FALSE;

  if (clause->type == TS_FIELD_INTEGER)
    {
      gint64 n;

      if (json_node_get_value_type (value) != G_TYPE_INT64)
        return FALSE;
      n = json_node_get_int (value);
      return (!clause->has_min || n >= clause->min) && (!clause->has_max || n <= clause->max);
    }
  else
    {
      const char *str;

      if (json_node_get_value_type (value) != G_TYPE_STRING)
        return FALSE;
      str = json_node_get_string (value);
      if (!is_day_shape (str))
        return FALSE;
      /* YYYY-MM-DD sorts as the days do. */
      return (!clause->has_min || strcmp (str, clause->min_day) >= 0) &&
             (!clause->has_max || strcmp (str, clause->max_day) <= 0);
    }
}

static gboolean
value_holds (const Clause *clause,
             JsonNode     *value)
{
  if (clause->one_of != NULL && !ts_clause_matches (TS_CLAUSE_ONE_OF, clause->one_of, value))
    return FALSE;
  if (clause->none_of != NULL && ts_clause_matches (TS_CLAUSE_ONE_OF, clause->none_of, value))
    return FALSE;
  if (clause->empty && !ts_clause_matches (TS_CLAUSE_EMPTY, NULL, value))
    return FALSE;
  if (clause->not_empty && !ts_clause_matches (TS_CLAUSE_NOT_EMPTY, NULL, value))
    return FALSE;
  if ((clause->contains != NULL || clause->not_contains != NULL) &&
      !words_hold (clause, searchable (value)))
    return FALSE;
  return bounds_hold (clause, value);
}

static gboolean
system_value_holds (const Clause *clause,
                    const char   *str)
{
  g_autoptr(JsonNode) value = NULL;

  if (str != NULL)
    value = json_node_init_string (json_node_alloc (), str);

  return value_holds (clause, value);
}

gboolean
ts_filter_matches (TsFilter           *self,
                   TsTicket           *ticket,
                   const TsStateEntry *entries,
                   guint               n_entries)
{
  JsonObject *fields;

  g_return_val_if_fail (TS_IS_FILTER (self), FALSE);
  g_return_val_if_fail (TS_IS_TICKET (ticket), FALSE);
  g_return_val_if_fail (entries != NULL || n_entries == 0, FALSE);

  fields = ts_ticket_get_fields (ticket);

  for (guint i = 0; i < self->clauses->len; i++)
    {
      const Clause *clause = &g_array_index (self->clauses, Clause, i);
      gboolean holds;

      switch (clause->subject)
        {
        case SUBJECT_FIELD:
          holds = value_holds (clause, json_object_get_member (fields, clause->name));
          break;
        case SUBJECT_KEY:
          holds = system_value_holds (clause, ts_ticket_get_key (ticket));
          break;
        case SUBJECT_STATE:
          holds = system_value_holds (clause, ts_ticket_get_state (ticket));
          break;
        case SUBJECT_ASSIGNED_TO:
          holds = system_value_holds (clause, ts_ticket_get_assigned_to (ticket));
          break;
        case SUBJECT_CREATED_BY:
          holds = system_value_holds (clause, ts_ticket_get_created_by (ticket));
          break;
        case SUBJECT_CREATED_AT:
          holds = time_holds (clause, ts_ticket_get_created_at (ticket));
          break;
        case SUBJECT_UPDATED_AT:
          holds = time_holds (clause, ts_ticket_get_updated_at (ticket));
          break;
        case SUBJECT_TEXT:
          holds = text_holds (self, clause, ticket);
          break;
        case SUBJECT_REACHED:
          holds = reached_holds (clause, entries, n_entries);
          break;
        default:
          g_assert_not_reached ();
        }

      if (!holds)
        return FALSE;
    }

  return TRUE;
}

/* vim: set foldmethod=marker: */
