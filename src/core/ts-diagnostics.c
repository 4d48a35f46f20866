/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-diagnostics"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ts-diagnostics.h"
#include "ts-schema-private.h"

struct _TsDiagnostics
{
  GObject     parent_instance;

  char       *file_name;
  GArray     *items;
  GHashTable *locations;
  guint       n_errors;
};

G_DEFINE_FINAL_TYPE (TsDiagnostics, ts_diagnostics, G_TYPE_OBJECT)

static void
clear_item (gpointer data)
{
  TsDiagnostic *item = data;

  g_clear_pointer (&item->path, g_free);
  g_clear_pointer (&item->message, g_free);
}

static void
ts_diagnostics_finalize (GObject *object)
{
  TsDiagnostics *self = (TsDiagnostics *)object;

  g_clear_pointer (&self->file_name, g_free);
  g_clear_pointer (&self->items, g_array_unref);
  g_clear_pointer (&self->locations, g_hash_table_unref);

  G_OBJECT_CLASS (ts_diagnostics_parent_class)->finalize (object);
}

static void
ts_diagnostics_class_init (TsDiagnosticsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ts_diagnostics_finalize;
}

static void
ts_diagnostics_init (TsDiagnostics *self)
{
  self->items = g_array_new (FALSE, TRUE, sizeof (TsDiagnostic));
  g_array_set_clear_func (self->items, clear_item);
}

/**
 * ts_diagnostics_new:
 * @file_name: how messages name the file, e.g. "schemas/issue_track.json"
 *
 * Returns: (transfer full): an empty collection of problems.
 */
TsDiagnostics *
ts_diagnostics_new (const char *file_name)
{
  TsDiagnostics *self = g_object_new (TS_TYPE_DIAGNOSTICS, NULL);

  self->file_name = g_strdup (file_name ? file_name : "<schema>");

  return self;
}

const char *
ts_diagnostics_get_file_name (TsDiagnostics *self)
{
  g_return_val_if_fail (TS_IS_DIAGNOSTICS (self), NULL);

  return self->file_name;
}

guint
ts_diagnostics_get_n_errors (TsDiagnostics *self)
{
  g_return_val_if_fail (TS_IS_DIAGNOSTICS (self), 0);

  return self->n_errors;
}

guint
ts_diagnostics_get_n_warnings (TsDiagnostics *self)
{
  g_return_val_if_fail (TS_IS_DIAGNOSTICS (self), 0);

  return self->items->len - self->n_errors;
}

guint
ts_diagnostics_get_n_items (TsDiagnostics *self)
{
  g_return_val_if_fail (TS_IS_DIAGNOSTICS (self), 0);

  return self->items->len;
}

const TsDiagnostic *
ts_diagnostics_get_item (TsDiagnostics *self,
                         guint          position)
{
  g_return_val_if_fail (TS_IS_DIAGNOSTICS (self), NULL);
  g_return_val_if_fail (position < self->items->len, NULL);

  return &g_array_index (self->items, TsDiagnostic, position);
}

void
_ts_diagnostics_set_locations (TsDiagnostics *self,
                               GHashTable    *locations)
{
  g_return_if_fail (TS_IS_DIAGNOSTICS (self));

  g_clear_pointer (&self->locations, g_hash_table_unref);
  if (locations != NULL)
    self->locations = g_hash_table_ref (locations);
}

static void
append (TsDiagnostics *self,
        TsSeverity     severity,
        guint          line,
        guint          column,
        const char    *path,
        char          *message)
{
  TsDiagnostic item = { severity, line, column, g_strdup (path), message };

  if (severity == TS_SEVERITY_ERROR)
    self->n_errors++;

  g_array_append_val (self->items, item);
}

/**
 * ts_diagnostics_add:
 * @path: the JSON path of the offending value, e.g. "$.fields[2].type"
 *
 * Records a problem.  Its line and column are looked up from @path when the
 * document was located (see _ts_json_locate()); the nearest located parent
 * is used for values the file does not hold (a missing key).
 */
void
ts_diagnostics_add (TsDiagnostics *self,
                    TsSeverity     severity,
                    const char    *path,
                    const char    *format,
                    ...)
{
  g_autofree char *lookup = NULL;
  const TsJsonPos *pos = NULL;
  va_list args;
  char *message;

  g_return_if_fail (TS_IS_DIAGNOSTICS (self));
  g_return_if_fail (format != NULL);

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (self->locations != NULL && path != NULL)
    {
      lookup = g_strdup (path);

      while ((pos = g_hash_table_lookup (self->locations, lookup)) == NULL)
        {
          char *cut = MAX (strrchr (lookup, '.'), strrchr (lookup, '['));

          if (cut == NULL || cut == lookup)
            break;
          *cut = '\0';
        }
    }

  append (self, severity, pos ? pos->line : 0, pos ? pos->column : 0, path, message);
}

void
ts_diagnostics_add_at (TsDiagnostics *self,
                       TsSeverity     severity,
                       guint          line,
                       guint          column,
                       const char    *format,
                       ...)
{
  va_list args;
  char *message;

  g_return_if_fail (TS_IS_DIAGNOSTICS (self));
  g_return_if_fail (format != NULL);

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  append (self, severity, line, column, NULL, message);
}

/**
 * ts_diagnostic_format:
 *
 * Formats one problem the way compilers do, so editors can jump to it:
 * `FILE:LINE:COL: error: $.path: MESSAGE`, leaving out what is unknown.
 *
 * Returns: (transfer full): the line, without a newline
 */
char *
ts_diagnostic_format (TsDiagnostics      *self,
                      const TsDiagnostic *item)
{
  GString *str;

  g_return_val_if_fail (TS_IS_DIAGNOSTICS (self), NULL);
  g_return_val_if_fail (item != NULL, NULL);

  str = g_string_new (self->file_name);
  if (item->line > 0)
    g_string_append_printf (str, ":%u:%u", item->line, item->column);
  g_string_append (str, ": ");
  /* Translators: kept as "error"/"warning" by most tools so editors can
   * recognise the line; translate only if yours do the same. */
  g_string_append (str, item->severity == TS_SEVERITY_ERROR ? _("error") : _("warning"));
  g_string_append (str, ": ");
  if (item->path != NULL)
    g_string_append_printf (str, "%s: ", item->path);
  g_string_append (str, item->message);

  return g_string_free (str, FALSE);
}

/**
 * ts_diagnostics_to_string:
 *
 * Returns: (transfer full): every problem, one a line, each ending in a
 *   newline; "" when there is none
 */
char *
ts_diagnostics_to_string (TsDiagnostics *self)
{
  GString *str;

  g_return_val_if_fail (TS_IS_DIAGNOSTICS (self), NULL);

  str = g_string_new (NULL);
  for (guint i = 0; i < self->items->len; i++)
    {
      g_autofree char *line = ts_diagnostic_format (self, ts_diagnostics_get_item (self, i));

      g_string_append (str, line);
      g_string_append_c (str, '\n');
    }

  return g_string_free (str, FALSE);
}
