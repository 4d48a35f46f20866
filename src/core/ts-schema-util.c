/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-schema"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ts-schema-private.h"

static gboolean
is_plain_key (const char *key)
{
  if (!g_ascii_isalpha (*key) && *key != '_')
    return FALSE;
  for (const char *p = key; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_')
      return FALSE;
  return TRUE;
}

/* `$.fields`, or `$["维护代表"]` for keys that are not identifiers. */
char *
_ts_path_member (const char *path,
                 const char *key)
{
  GString *str = g_string_new (path);

  if (is_plain_key (key))
    {
      g_string_append_printf (str, ".%s", key);
    }
  else
    {
      g_string_append (str, "[\"");
      for (const char *p = key; *p; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (str, '\\');
          g_string_append_c (str, *p);
        }
      g_string_append (str, "\"]");
    }

  return g_string_free (str, FALSE);
}

char *
_ts_path_index (const char *path,
                guint       index)
{
  return g_strdup_printf ("%s[%u]", path, index);
}

/* The rule for project and field names: they become SQL-visible JSON keys
 * and identifiers in scripts, so plain lower-case ASCII. */
gboolean
_ts_is_identifier (const char *name)
{
  if (name == NULL || !g_ascii_islower (*name) || strlen (name) > 63)
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '_')
      return FALSE;
  return TRUE;
}

/* Optimal string alignment distance: insertions, deletions, substitutions
 * and swaps of neighbours ("nmae" → "name") each cost one. */
static guint
edit_distance (const char *a,
               const char *b)
{
  g_autofree gunichar *ua = g_utf8_to_ucs4_fast (a, -1, NULL);
  g_autofree gunichar *ub = g_utf8_to_ucs4_fast (b, -1, NULL);
  g_autofree guint *d = NULL;
  glong la = 0, lb = 0;

  while (ua[la]) la++;
  while (ub[lb]) lb++;

#define D(i, j) d[(i) * (lb + 1) + (j)]
  d = g_new (guint, (la + 1) * (lb + 1));
  for (glong i = 0; i <= la; i++)
    D (i, 0) = i;
  for (glong j = 0; j <= lb; j++)
    D (0, j) = j;

  for (glong i = 1; i <= la; i++)
    {
      for (glong j = 1; j <= lb; j++)
        {
          guint cost = g_unichar_tolower (ua[i - 1]) == g_unichar_tolower (ub[j - 1]) ? 0 : 1;

          D (i, j) = MIN (MIN (D (i - 1, j) + 1, D (i, j - 1) + 1), D (i - 1, j - 1) + cost);
          if (i > 1 && j > 1 && ua[i - 1] == ub[j - 2] && ua[i - 2] == ub[j - 1])
            D (i, j) = MIN (D (i, j), D (i - 2, j - 2) + 1);
        }
    }

  return D (la, lb);
#undef D
}

const char *
_ts_suggest (const char         *word,
             const char * const *candidates)
{
  const char *best = NULL;
  guint best_distance = G_MAXUINT;
  guint limit;

  if (word == NULL || candidates == NULL)
    return NULL;

  /* Long inputs are not typos of our short names; skip the work. */
  if (strlen (word) > 256)
    return NULL;

  limit = MAX (1, g_utf8_strlen (word, -1) / 3);

  for (guint i = 0; candidates[i]; i++)
    {
      guint d = edit_distance (word, candidates[i]);

      if (d < best_distance)
        {
          best_distance = d;
          best = candidates[i];
        }
    }

  return best_distance <= limit ? best : NULL;
}

const char *
_ts_json_type_name (JsonNode *node)
{
  if (node == NULL)
    return _("nothing");

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      return _("an object");
    case JSON_NODE_ARRAY:
      return _("a list");
    case JSON_NODE_NULL:
      return _("null");
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          return _("a string");
        case G_TYPE_BOOLEAN:
          return _("a boolean");
        case G_TYPE_INT64:
          return _("a whole number");
        default:
          return _("a number");
        }
    default:
      g_assert_not_reached ();
    }
}

gboolean
_ts_check_members (TsDiagnostics      *diagnostics,
                   const char         *path,
                   JsonObject         *object,
                   const char * const *allowed,
                   const char         *what)
{
  g_autoptr(GList) members = json_object_get_members (object);
  gboolean ok = TRUE;

  for (const GList *l = members; l; l = l->next)
    {
      const char *key = l->data;
      g_autofree char *child = NULL;
      const char *suggestion;

      if (g_strv_contains (allowed, key))
        continue;

      ok = FALSE;
      child = _ts_path_member (path, key);
      suggestion = _ts_suggest (key, allowed);

      if (suggestion != NULL)
        ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                            _("unknown key “%s” in %s: did you mean “%s”?"),
                            key, what, suggestion);
      else
        {
          g_autofree char *list = g_strjoinv (", ", (char **)allowed);

          ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                              _("unknown key “%s” in %s: remove it (the keys are %s)"),
                              key, what, list);
        }
    }

  return ok;
}

const char *
_ts_read_string (TsDiagnostics *diagnostics,
                 const char    *path,
                 JsonObject    *object,
                 const char    *key,
                 gboolean       required,
                 gboolean       non_empty)
{
  g_autofree char *child = _ts_path_member (path, key);
  JsonNode *node = json_object_get_member (object, key);
  const char *value;

  if (node == NULL)
    {
      if (required)
        ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                            _("“%s” is missing: add it as a string"), key);
      return NULL;
    }

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                          _("“%s” must be a string, not %s"), key, _ts_json_type_name (node));
      return NULL;
    }

  value = json_node_get_string (node);
  if (non_empty && *value == '\0')
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                          _("“%s” is empty: write something in it"), key);
      return NULL;
    }

  return value;
}

gboolean
_ts_read_boolean (TsDiagnostics *diagnostics,
                  const char    *path,
                  JsonObject    *object,
                  const char    *key,
                  gboolean       fallback)
{
  JsonNode *node = json_object_get_member (object, key);

  if (node == NULL)
    return fallback;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      g_autofree char *child = _ts_path_member (path, key);

      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                          _("“%s” must be true or false, not %s"), key, _ts_json_type_name (node));
      return fallback;
    }

  return json_node_get_boolean (node);
}

void
_ts_report_unknown_field (TsDiagnostics       *diagnostics,
                          const char          *path,
                          const TsSchemaScope *scope,
                          const char          *name,
                          const char          *what)
{
  const char *suggestion;

  if (scope->fields_unusable || g_hash_table_contains (scope->broken_fields, name))
    return;

  /* The seed's own tables name fields by label ("维护代表"); say which
   * field that label belongs to. */
  for (guint i = 0; scope->labels[i]; i++)
    {
      if (g_str_equal (scope->labels[i], name))
        {
          ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                              _("%s names “%s”, which is a label, not a field name: did you mean “%s” (%s)?"),
                              what, name, scope->field_names[i], scope->labels[i]);
          return;
        }
    }

  suggestion = _ts_suggest (name, scope->field_names);
  if (suggestion != NULL)
    ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                        _("%s names “%s”, which is not a field of this project: did you mean “%s”?"),
                        what, name, suggestion);
  else
    ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                        _("%s names “%s”, which is not a field of this project: use the “name” of one of the fields"),
                        what, name);
}
