/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-field"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "ts-field.h"
#include "ts-schema-private.h"
#include "ts-ticket.h"

/* Limits that keep a schema sane; the server applies the same ones. */
#define DEFAULT_STRING_LENGTH 200
#define DEFAULT_TEXT_LENGTH   5000
#define MAX_DECLARED_LENGTH   1000000
#define URL_MAX_LENGTH        2000
#define USER_MAX_BYTES        63

struct _TsField
{
  GObject      parent_instance;

  char        *name;
  char        *label;
  TsFieldType  type;
  char        *placeholder;
  char        *help;
  char        *group;
  JsonNode    *default_value;
  GStrv        choices;      /* with depends_on: the union of the lists */
  char        *depends_on;
  /* With depends_on: the parent's values in the order the schema lists
   * them, and parent value → its list (GStrv). */
  GStrv        parent_values;
  GHashTable  *choices_for;
  gint64       min;
  gint64       max;
  guint        max_length;
  guint        width_chars;
  guint        rows;
  guint        has_min : 1;
  guint        has_max : 1;
  guint        required : 1;
  guint        readonly : 1;
};

G_DEFINE_FINAL_TYPE (TsField, ts_field, G_TYPE_OBJECT)
G_DEFINE_QUARK (ts-field-error-quark, ts_field_error)

static const GEnumValue field_type_values[] = {
  { TS_FIELD_STRING, "TS_FIELD_STRING", "string" },
  { TS_FIELD_TEXT, "TS_FIELD_TEXT", "text" },
  { TS_FIELD_CHOICE, "TS_FIELD_CHOICE", "choice" },
  { TS_FIELD_URL, "TS_FIELD_URL", "url" },
  { TS_FIELD_DATE, "TS_FIELD_DATE", "date" },
  { TS_FIELD_BOOLEAN, "TS_FIELD_BOOLEAN", "boolean" },
  { TS_FIELD_INTEGER, "TS_FIELD_INTEGER", "integer" },
  { TS_FIELD_USER, "TS_FIELD_USER", "user" },
  { 0, NULL, NULL },
};

static const char * const field_type_names[] = {
  "string", "text", "choice", "url", "date", "boolean", "integer", "user", NULL
};

GType
ts_field_type_get_type (void)
{
  static gsize type_id;

  if (g_once_init_enter (&type_id))
    g_once_init_leave (&type_id, g_enum_register_static ("TsFieldType", field_type_values));

  return type_id;
}

const char *
ts_field_type_to_string (TsFieldType type)
{
  g_return_val_if_fail (type <= TS_FIELD_USER, NULL);

  return field_type_names[type];
}

gboolean
ts_field_type_from_string (const char  *name,
                           TsFieldType *type)
{
  for (guint i = 0; field_type_names[i]; i++)
    {
      if (g_strcmp0 (name, field_type_names[i]) == 0)
        {
          *type = i;
          return TRUE;
        }
    }
  return FALSE;
}

static void
ts_field_finalize (GObject *object)
{
  TsField *self = (TsField *)object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->label, g_free);
  g_clear_pointer (&self->placeholder, g_free);
  g_clear_pointer (&self->help, g_free);
  g_clear_pointer (&self->group, g_free);
  g_clear_pointer (&self->default_value, json_node_unref);
  g_clear_pointer (&self->choices, g_strfreev);
  g_clear_pointer (&self->depends_on, g_free);
  g_clear_pointer (&self->parent_values, g_strfreev);
  g_clear_pointer (&self->choices_for, g_hash_table_unref);

  G_OBJECT_CLASS (ts_field_parent_class)->finalize (object);
}

static void
ts_field_class_init (TsFieldClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ts_field_finalize;
}

static void
ts_field_init (TsField *self)
{
}

const char *
ts_field_get_name (TsField *self)
{
  g_return_val_if_fail (TS_IS_FIELD (self), NULL);
  return self->name;
}

const char *
ts_field_get_label (TsField *self)
{
  g_return_val_if_fail (TS_IS_FIELD (self), NULL);
  return self->label;
}

TsFieldType
ts_field_get_field_type (TsField *self)
{
  g_return_val_if_fail (TS_IS_FIELD (self), TS_FIELD_STRING);
  return self->type;
}

const char *
ts_field_get_placeholder (TsField *self)
{
  g_return_val_if_fail (TS_IS_FIELD (self), NULL);
  return self->placeholder;
}

const char *
ts_field_get_help (TsField *self)
{
  g_return_val_if_fail (TS_IS_FIELD (self), NULL);
  return self->help;
}

const char *
ts_field_get_group (TsField *self)
{
  g_return_val_if_fail (TS_IS_FIELD (self), NULL);
  return self->group;
}

gboolean
ts_field_get_required (TsField *self)
{
  g_return_val_if_fail (TS_IS_FIELD (self), FALSE);
  return self->required;
}

gboolean
ts_field_get_readonly (TsField *self)
{
  g_return_val_if_fail (TS_IS_FIELD (self), FALSE);
  return self->readonly;
}

JsonNode *
ts_field_get_default (TsField *self)
{
  g_return_val_if_fail (TS_IS_FIELD (self), NULL);
  return self->default_value;
}

guint
ts_field_get_max_length (TsField *self)
{
  g_return_val_if_fail (TS_IS_FIELD (self), 0);
  return self->max_length;
}

guint
ts_field_get_width_chars (TsField *self)
{
  g_return_val_if_fail (TS_IS_FIELD (self), 0);
  return self->width_chars;
}

guint
ts_field_get_rows (TsField *self)
{
  g_return_val_if_fail (TS_IS_FIELD (self), 0);
  return self->rows;
}

const char * const *
ts_field_get_choices (TsField *self)
{
  g_return_val_if_fail (TS_IS_FIELD (self), NULL);
  return (const char * const *)self->choices;
}

const char *
ts_field_get_depends_on (TsField *self)
{
  g_return_val_if_fail (TS_IS_FIELD (self), NULL);
  return self->depends_on;
}

const char * const *
ts_field_get_choices_for (TsField    *self,
                          const char *parent_value)
{
  static const char * const none[] = { NULL };
  const char * const *list;

  g_return_val_if_fail (TS_IS_FIELD (self), none);

  if (self->depends_on == NULL)
    return (const char * const *)self->choices;
  if (parent_value == NULL || self->choices_for == NULL)
    return none;

  list = g_hash_table_lookup (self->choices_for, parent_value);
  return list != NULL ? list : none;
}

const char * const *
_ts_field_get_parent_values (TsField *self)
{
  return (const char * const *)self->parent_values;
}

/* Orders the union of the lists by the parent's choices (@parent_choices)
 * rather than by the keys' order in the file, which a database's JSON
 * storage does not keep: the same schema then lists the same union
 * whether read from its file or from the server. */
void
_ts_field_order_choices_by (TsField            *self,
                            const char * const *parent_choices)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  if (self->choices_for == NULL || self->choices == NULL || self->choices[0] == NULL)
    return;

  for (guint i = 0; parent_choices[i]; i++)
    {
      const char * const *list = g_hash_table_lookup (self->choices_for, parent_choices[i]);

      for (guint j = 0; list != NULL && list[j]; j++)
        if (g_hash_table_add (seen, (gpointer)list[j]))
          g_strv_builder_add (builder, list[j]);
    }

  g_strfreev (self->choices);
  self->choices = g_strv_builder_end (builder);
}

gboolean
ts_field_get_min (TsField *self,
                  gint64  *min)
{
  g_return_val_if_fail (TS_IS_FIELD (self), FALSE);

  if (self->has_min && min != NULL)
    *min = self->min;
  return self->has_min;
}

gboolean
ts_field_get_max (TsField *self,
                  gint64  *max)
{
  g_return_val_if_fail (TS_IS_FIELD (self), FALSE);

  if (self->has_max && max != NULL)
    *max = self->max;
  return self->has_max;
}

JsonNode *
ts_field_dup_initial_value (TsField *self)
{
  JsonNode *node;

  g_return_val_if_fail (TS_IS_FIELD (self), NULL);

  if (self->default_value != NULL)
    return json_node_copy (self->default_value);

  switch (self->type)
    {
    case TS_FIELD_BOOLEAN:
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_boolean (node, FALSE);
      return node;

    case TS_FIELD_INTEGER:
      return json_node_new (JSON_NODE_NULL);

    case TS_FIELD_STRING:
    case TS_FIELD_TEXT:
    case TS_FIELD_CHOICE:
    case TS_FIELD_URL:
    case TS_FIELD_DATE:
    case TS_FIELD_USER:
    default:
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_string (node, "");
      return node;
    }
}

/* The white space of ts_value_is_empty(); tests/data/conditions.json and
 * the SQL side use exactly this set. */
static gboolean
is_blank_char (gunichar c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
         c == 0x00A0 || c == 0x3000;
}

gboolean
ts_value_is_empty (JsonNode *value)
{
  const char *str;

  if (value == NULL || JSON_NODE_HOLDS_NULL (value))
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
    return FALSE;

  for (str = json_node_get_string (value); *str; str = g_utf8_next_char (str))
    if (!is_blank_char (g_utf8_get_char (str)))
      return FALSE;

  return TRUE;
}

static gboolean
is_string_value (JsonNode *value)
{
  return JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING;
}

static gboolean
is_valid_date (const char *str)
{
  guint64 y, m, d;

  if (strlen (str) != 10 || str[4] != '-' || str[7] != '-')
    return FALSE;
  for (guint i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (str[i]))
      return FALSE;

  y = g_ascii_strtoull (str, NULL, 10);
  m = g_ascii_strtoull (str + 5, NULL, 10);
  d = g_ascii_strtoull (str + 8, NULL, 10);

  return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= 31 &&
         g_date_valid_dmy (d, m, y);
}

/* A scheme, a colon and no white space: http://…, https://…, ftp://…,
 * file:…, mailto:…, tasksteper://PROJECT/NUMBER. */
static gboolean
is_valid_url (const char *str)
{
  const char *p = str;

  if (!g_ascii_isalpha (*p))
    return FALSE;
  while (g_ascii_isalnum (*p) || *p == '+' || *p == '-' || *p == '.')
    p++;
  if (*p != ':' || p[1] == '\0')
    return FALSE;
  for (; *p; p = g_utf8_next_char (p))
    if (is_blank_char (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

static char *
join_choices (TsField *self)
{
  return g_strjoinv ("、", self->choices);
}

gboolean
ts_field_check_value (TsField   *self,
                      JsonNode  *value,
                      GError   **error)
{
  const char *str = NULL;

  g_return_val_if_fail (TS_IS_FIELD (self), FALSE);

  if (value == NULL || JSON_NODE_HOLDS_NULL (value))
    return TRUE;

  switch (self->type)
    {
    case TS_FIELD_BOOLEAN:
      if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_BOOLEAN)
        return TRUE;
      g_set_error (error, TS_FIELD_ERROR, TS_FIELD_ERROR_TYPE,
                   _("“%s” must be true or false, not %s"),
                   self->label, _ts_json_type_name (value));
      return FALSE;

    case TS_FIELD_INTEGER:
      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_INT64)
        {
          g_set_error (error, TS_FIELD_ERROR, TS_FIELD_ERROR_TYPE,
                       _("“%s” must be a whole number, not %s"),
                       self->label, _ts_json_type_name (value));
          return FALSE;
        }
      if ((self->has_min && json_node_get_int (value) < self->min) ||
          (self->has_max && json_node_get_int (value) > self->max))
        {
          g_autofree char *range = NULL;

          if (self->has_min && self->has_max)
            range = g_strdup_printf (_("between %" PRId64 " and %" PRId64),
                                     self->min, self->max);
          else if (self->has_min)
            range = g_strdup_printf (_("at least %" PRId64), self->min);
          else
            range = g_strdup_printf (_("at most %" PRId64), self->max);

          g_set_error (error, TS_FIELD_ERROR, TS_FIELD_ERROR_OUT_OF_RANGE,
                       _("“%s” must be %s, not %" PRId64),
                       self->label, range, json_node_get_int (value));
          return FALSE;
        }
      return TRUE;

    case TS_FIELD_STRING:
    case TS_FIELD_TEXT:
    case TS_FIELD_CHOICE:
    case TS_FIELD_URL:
    case TS_FIELD_DATE:
    case TS_FIELD_USER:
    default:
      break;
    }

  if (!is_string_value (value))
    {
      g_set_error (error, TS_FIELD_ERROR, TS_FIELD_ERROR_TYPE,
                   _("“%s” must be a string, not %s"),
                   self->label, _ts_json_type_name (value));
      return FALSE;
    }

  str = json_node_get_string (value);

  switch (self->type)
    {
    case TS_FIELD_STRING:
      if (strchr (str, '\n') != NULL || strchr (str, '\r') != NULL)
        {
          g_set_error (error, TS_FIELD_ERROR, TS_FIELD_ERROR_TYPE,
                       _("“%s” is a single line: remove the line breaks"), self->label);
          return FALSE;
        }
      G_GNUC_FALLTHROUGH;

    case TS_FIELD_TEXT:
      {
        glong length = g_utf8_strlen (str, -1);

        if (length > (glong)self->max_length)
          {
            g_set_error (error, TS_FIELD_ERROR, TS_FIELD_ERROR_TOO_LONG,
                         _("“%s” is %ld characters long; it may have at most %u: shorten it"),
                         self->label, length, self->max_length);
            return FALSE;
          }
      }
      return TRUE;

    case TS_FIELD_CHOICE:
      if (*str == '\0' || g_strv_contains ((const char * const *)self->choices, str))
        return TRUE;
      {
        g_autofree char *list = join_choices (self);

        g_set_error (error, TS_FIELD_ERROR, TS_FIELD_ERROR_NOT_A_CHOICE,
                     _("“%s” must be one of %s, not “%s”"), self->label, list, str);
      }
      return FALSE;

    case TS_FIELD_DATE:
      if (*str == '\0' || is_valid_date (str))
        return TRUE;
      g_set_error (error, TS_FIELD_ERROR, TS_FIELD_ERROR_BAD_DATE,
                   _("“%s” must be a date written YYYY-MM-DD, such as 2018-01-28, not “%s”"),
                   self->label, str);
      return FALSE;

    case TS_FIELD_URL:
      if (*str == '\0')
        return TRUE;
      if (g_utf8_strlen (str, -1) > URL_MAX_LENGTH)
        {
          g_set_error (error, TS_FIELD_ERROR, TS_FIELD_ERROR_TOO_LONG,
                       _("“%s” may have at most %u characters: shorten the link"),
                       self->label, URL_MAX_LENGTH);
          return FALSE;
        }
      if (is_valid_url (str))
        return TRUE;
      g_set_error (error, TS_FIELD_ERROR, TS_FIELD_ERROR_TYPE,
                   _("“%s” must be a link such as https://example.com/bug/1 or tasksteper://issue_track/3, not “%s”"),
                   self->label, str);
      return FALSE;

    case TS_FIELD_USER:
      if (strlen (str) <= USER_MAX_BYTES && strchr (str, '\n') == NULL)
        return TRUE;
      g_set_error (error, TS_FIELD_ERROR, TS_FIELD_ERROR_TYPE,
                   _("“%s” must be a login name of at most %u bytes"), self->label, USER_MAX_BYTES);
      return FALSE;

    case TS_FIELD_BOOLEAN:
    case TS_FIELD_INTEGER:
    default:
      g_assert_not_reached ();
    }
}

static const char * const common_keys[] = {
  "name", "label", "type", "default", "placeholder", "help", "required", "readonly", "group", NULL
};

/* Extra keys, and which types take them. */
static const struct
{
  const char *key;
  guint       types;  /* bit mask of TsFieldType */
} type_keys[] = {
  { "max_length", (1 << TS_FIELD_STRING) | (1 << TS_FIELD_TEXT) },
  { "width_chars", (1 << TS_FIELD_STRING) | (1 << TS_FIELD_URL) },
  { "rows", 1 << TS_FIELD_TEXT },
  { "choices", 1 << TS_FIELD_CHOICE },
  { "depends_on", 1 << TS_FIELD_CHOICE },
  { "min", 1 << TS_FIELD_INTEGER },
  { "max", 1 << TS_FIELD_INTEGER },
};

static gboolean
read_count (TsDiagnostics *diagnostics,
            const char    *path,
            JsonObject    *object,
            const char    *key,
            guint          lower,
            guint          upper,
            guint         *out)
{
  JsonNode *node = json_object_get_member (object, key);
  g_autofree char *child = NULL;

  if (node == NULL)
    return FALSE;

  child = _ts_path_member (path, key);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                          _("“%s” must be a whole number, not %s"), key, _ts_json_type_name (node));
      return FALSE;
    }
  if (json_node_get_int (node) < lower || json_node_get_int (node) > upper)
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                          _("“%s” must be between %u and %u, not %" PRId64),
                          key, lower, upper, json_node_get_int (node));
      return FALSE;
    }

  *out = json_node_get_int (node);
  return TRUE;
}

static gboolean
read_bound (TsDiagnostics *diagnostics,
            const char    *path,
            JsonObject    *object,
            const char    *key,
            gint64        *out)
{
  JsonNode *node = json_object_get_member (object, key);

  if (node == NULL)
    return FALSE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_autofree char *child = _ts_path_member (path, key);

      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                          _("“%s” must be a whole number, not %s"), key, _ts_json_type_name (node));
      return FALSE;
    }

  *out = json_node_get_int (node);
  return TRUE;
}

/* One list of choices at @child: distinct, non-empty strings.  The
 * union of all lists read so far grows in @union_builder/@union_seen. */
static GStrv
read_choice_list (TsDiagnostics *diagnostics,
                  const char    *child,
                  JsonNode      *node,
                  GStrvBuilder  *union_builder,
                  GHashTable    *union_seen)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *array;
  gboolean ok = TRUE;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                          _("“choices” must be a list of strings, not %s"), _ts_json_type_name (node));
      return NULL;
    }

  array = json_node_get_array (node);
  if (json_array_get_length (array) == 0)
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                          _("“choices” is empty: list at least one value"));
      return NULL;
    }

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *element_path = _ts_path_index (child, i);
      const char *str;

      if (!is_string_value (element))
        {
          ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, element_path,
                              _("each choice must be a string, not %s"), _ts_json_type_name (element));
          ok = FALSE;
          continue;
        }

      str = json_node_get_string (element);
      if (ts_value_is_empty (element))
        {
          ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, element_path,
                              _("a choice cannot be empty: an empty value already means “not chosen”"));
          ok = FALSE;
        }
      else if (g_utf8_strlen (str, -1) > DEFAULT_STRING_LENGTH)
        {
          ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, element_path,
                              _("a choice may have at most %u characters"), DEFAULT_STRING_LENGTH);
          ok = FALSE;
        }
      else if (!g_hash_table_add (seen, (gpointer)str))
        {
          ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, element_path,
                              _("the choice “%s” is listed twice: remove one"), str);
          ok = FALSE;
        }
      else
        {
          g_strv_builder_add (builder, str);
          if (g_hash_table_add (union_seen, (gpointer)str))
            g_strv_builder_add (union_builder, str);
        }
    }

  return ok ? g_strv_builder_end (builder) : NULL;
}

/* "choices" of a field without "depends_on": one list. */
static GStrv
read_choices (TsDiagnostics *diagnostics,
              const char    *path,
              JsonObject    *object)
{
  g_autofree char *child = _ts_path_member (path, "choices");
  g_autoptr(GStrvBuilder) union_builder = g_strv_builder_new ();
  g_autoptr(GHashTable) union_seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonNode *node = json_object_get_member (object, "choices");

  if (node == NULL)
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                          _("a choice field needs “choices”: add a list of the values to pick from"));
      return NULL;
    }
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                          _("“choices” is an object, which lists choices per value of another field: add “depends_on” naming that field, or make “choices” a list"));
      return NULL;
    }

  return read_choice_list (diagnostics, child, node, union_builder, union_seen);
}

/* "choices" of a field with "depends_on": an object from each of the
 * parent's values to its own list.  Whether the keys are the parent's
 * choices is checked by the project, which knows the parent. */
static gboolean
read_dependent_choices (TsField       *self,
                        TsDiagnostics *diagnostics,
                        const char    *path,
                        JsonObject    *object)
{
  g_autofree char *child = _ts_path_member (path, "choices");
  g_autoptr(GStrvBuilder) union_builder = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) keys_builder = g_strv_builder_new ();
  g_autoptr(GHashTable) union_seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonNode *node = json_object_get_member (object, "choices");
  JsonObjectIter iter;
  const char *key;
  JsonNode *list;
  gboolean ok = TRUE;

  if (node == NULL)
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                          _("a choice field needs “choices”: with “depends_on”, give an object from each value of “%s” to the list of values allowed with it"),
                          self->depends_on);
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                          _("with “depends_on”, “choices” must be an object such as {\"硬件\": [\"线缆\", \"硬盘\"]} from each value of “%s” to its list, not %s"),
                          self->depends_on, _ts_json_type_name (node));
      return FALSE;
    }
  if (json_object_get_size (json_node_get_object (node)) == 0)
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                          _("“choices” is empty: give the values allowed with at least one value of “%s”"),
                          self->depends_on);
      return FALSE;
    }

  self->choices_for = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_strfreev);
  json_object_iter_init_ordered (&iter, json_node_get_object (node));
  while (json_object_iter_next_ordered (&iter, &key, &list))
    {
      g_autofree char *key_path = _ts_path_member (child, key);
      GStrv values = read_choice_list (diagnostics, key_path, list, union_builder, union_seen);

      if (values == NULL)
        {
          ok = FALSE;
          continue;
        }
      g_strv_builder_add (keys_builder, key);
      g_hash_table_insert (self->choices_for, g_strdup (key), values);
    }

  self->parent_values = g_strv_builder_end (keys_builder);
  if (ok)
    self->choices = g_strv_builder_end (union_builder);
  return ok;
}

TsField *
_ts_field_new_from_json (JsonNode      *node,
                         const char    *path,
                         TsDiagnostics *diagnostics)
{
  g_autoptr(TsField) self = NULL;
  g_autoptr(GStrvBuilder) allowed_builder = NULL;
  g_auto(GStrv) allowed = NULL;
  JsonObject *object;
  const char *name;
  const char *label;
  const char *type_name;
  TsFieldType type;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                          _("each field must be an object such as {\"name\": \"summary\", \"label\": \"概要\", \"type\": \"string\"}, not %s"),
                          _ts_json_type_name (node));
      return NULL;
    }

  object = json_node_get_object (node);
  name = _ts_read_string (diagnostics, path, object, "name", TRUE, TRUE);
  label = _ts_read_string (diagnostics, path, object, "label", TRUE, TRUE);
  type_name = _ts_read_string (diagnostics, path, object, "type", TRUE, TRUE);

  if (name != NULL)
    {
      g_autofree char *child = _ts_path_member (path, "name");

      if (ts_is_system_field (name))
        {
          ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                              _("“%s” is a system field every ticket already has: remove this field or give it another name"),
                              name);
          name = NULL;
        }
      else if (!_ts_is_identifier (name))
        {
          ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                              _("the field name “%s” is not valid: use lower-case ASCII letters, digits and “_”, starting with a letter, at most 63 bytes (put other text in “label”)"),
                              name);
          name = NULL;
        }
    }

  if (type_name != NULL && !ts_field_type_from_string (type_name, &type))
    {
      g_autofree char *child = _ts_path_member (path, "type");
      const char *suggestion = _ts_suggest (type_name, field_type_names);
      g_autofree char *list = g_strjoinv (", ", (char **)field_type_names);

      if (suggestion != NULL)
        ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                            _("unknown field type “%s”: did you mean “%s”?"), type_name, suggestion);
      else
        ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                            _("unknown field type “%s”: use one of %s"), type_name, list);
      type_name = NULL;
    }

  if (name == NULL || type_name == NULL)
    {
      /* Still check the keys, so one pass shows every problem. */
      allowed_builder = g_strv_builder_new ();
      g_strv_builder_addv (allowed_builder, (const char **)common_keys);
      for (guint i = 0; i < G_N_ELEMENTS (type_keys); i++)
        g_strv_builder_add (allowed_builder, type_keys[i].key);
      allowed = g_strv_builder_end (allowed_builder);
      _ts_check_members (diagnostics, path, object, (const char * const *)allowed, _("a field"));
      return NULL;
    }

  self = g_object_new (TS_TYPE_FIELD, NULL);
  self->name = g_strdup (name);
  self->label = g_strdup (label ? label : name);
  self->type = type;
  self->placeholder = g_strdup (_ts_read_string (diagnostics, path, object, "placeholder", FALSE, FALSE));
  self->help = g_strdup (_ts_read_string (diagnostics, path, object, "help", FALSE, FALSE));
  self->group = g_strdup (_ts_read_string (diagnostics, path, object, "group", FALSE, TRUE));
  self->required = _ts_read_boolean (diagnostics, path, object, "required", FALSE);
  self->readonly = _ts_read_boolean (diagnostics, path, object, "readonly", FALSE);

  /* Keys of other types get a message that says which type takes them. */
  allowed_builder = g_strv_builder_new ();
  g_strv_builder_addv (allowed_builder, (const char **)common_keys);
  for (guint i = 0; i < G_N_ELEMENTS (type_keys); i++)
    {
      if (type_keys[i].types & (1u << type))
        g_strv_builder_add (allowed_builder, type_keys[i].key);
      else if (json_object_has_member (object, type_keys[i].key))
        {
          g_autofree char *child = _ts_path_member (path, type_keys[i].key);
          g_autoptr(GString) takers = g_string_new (NULL);

          for (guint t = 0; field_type_names[t]; t++)
            if (type_keys[i].types & (1u << t))
              g_string_append_printf (takers, "%s%s", takers->len ? ", " : "", field_type_names[t]);

          ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                              _("“%s” does not apply to a %s field (only to %s): remove it or change the type"),
                              type_keys[i].key, type_name, takers->str);
          /* Reported here; keep _ts_check_members() from saying it again. */
          g_strv_builder_add (allowed_builder, type_keys[i].key);
        }
    }
  allowed = g_strv_builder_end (allowed_builder);
  _ts_check_members (diagnostics, path, object, (const char * const *)allowed, _("a field"));

  switch (type)
    {
    case TS_FIELD_STRING:
      self->max_length = DEFAULT_STRING_LENGTH;
      read_count (diagnostics, path, object, "max_length", 1, MAX_DECLARED_LENGTH, &self->max_length);
      read_count (diagnostics, path, object, "width_chars", 1, 500, &self->width_chars);
      break;

    case TS_FIELD_TEXT:
      self->max_length = DEFAULT_TEXT_LENGTH;
      self->rows = 5;
      read_count (diagnostics, path, object, "max_length", 1, MAX_DECLARED_LENGTH, &self->max_length);
      read_count (diagnostics, path, object, "rows", 1, 100, &self->rows);
      break;

    case TS_FIELD_URL:
      self->max_length = URL_MAX_LENGTH;
      read_count (diagnostics, path, object, "width_chars", 1, 500, &self->width_chars);
      break;

    case TS_FIELD_CHOICE:
      if (json_object_has_member (object, "depends_on"))
        {
          const char *parent = _ts_read_string (diagnostics, path, object, "depends_on", FALSE, TRUE);

          if (parent == NULL)
            break;  /* reported */
          self->depends_on = g_strdup (parent);
          read_dependent_choices (self, diagnostics, path, object);
        }
      else
        self->choices = read_choices (diagnostics, path, object);
      break;

    case TS_FIELD_INTEGER:
      self->has_min = read_bound (diagnostics, path, object, "min", &self->min);
      self->has_max = read_bound (diagnostics, path, object, "max", &self->max);
      break;

    case TS_FIELD_DATE:
    case TS_FIELD_BOOLEAN:
    case TS_FIELD_USER:
    default:
      break;
    }

  if (self->choices == NULL)
    self->choices = g_new0 (char *, 1);

  if (self->has_min && self->has_max && self->min > self->max)
    {
      g_autofree char *child = _ts_path_member (path, "max");

      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                          _("“max” (%" PRId64 ") is less than “min” (%" PRId64 "): no value could be valid"),
                          self->max, self->min);
    }

  if (json_object_has_member (object, "default") &&
      !JSON_NODE_HOLDS_NULL (json_object_get_member (object, "default")))
    {
      JsonNode *value = json_object_get_member (object, "default");
      g_autofree char *child = _ts_path_member (path, "default");
      g_autoptr(GError) error = NULL;

      if (JSON_NODE_HOLDS_OBJECT (value) || JSON_NODE_HOLDS_ARRAY (value))
        ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                            _("the default must be a single value, not %s"), _ts_json_type_name (value));
      else if (type == TS_FIELD_CHOICE && self->choices[0] == NULL)
        ; /* the broken choices were reported already */
      else if (!ts_field_check_value (self, value, &error))
        ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                            _("the default breaks the field’s own rules: %s"), error->message);
      else
        self->default_value = json_node_copy (value);
    }

  /* A field with errors is still returned, so that references to it are
   * checked too; the project as a whole is refused by its error count. */
  return g_steal_pointer (&self);
}
