/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-settings"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "ts-application.h"
#include "ts-schema-resources.h"
#include "ts-settings.h"
#include "ts-uninstalled.h"

#define COMPILED_SCHEMA "/io/github/tasksteper/TaskSteper/schema/gschemas.compiled"

static void
prepend_schema_dir (const char *dir)
{
  const char *current = g_getenv ("GSETTINGS_SCHEMA_DIR");
  g_autofree char *value = NULL;

  if (current != NULL && *current != '\0')
    value = g_strconcat (dir, G_SEARCHPATH_SEPARATOR_S, current, NULL);
  else
    value = g_strdup (dir);

  g_setenv ("GSETTINGS_SCHEMA_DIR", value, TRUE);
}

static gboolean
dir_has_schema (const char *dir)
{
  g_autoptr(GSettingsSchemaSource) source = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;

  source = g_settings_schema_source_new_from_directory (dir, NULL, FALSE, NULL);
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, TS_APPLICATION_ID, FALSE);

  return schema != NULL;
}

/* Where GLib will look (gsettingsschema.c): $GSETTINGS_SCHEMA_DIR, then
 * glib-2.0/schemas of the user's and the system's data directories.  Asked
 * without GLib's default source, which would be fixed from then on. */
static gboolean
schema_is_installed (void)
{
  const char *from_env = g_getenv ("GSETTINGS_SCHEMA_DIR");
  const char * const *system_dirs = g_get_system_data_dirs ();
  g_autofree char *user_dir = g_build_filename (g_get_user_data_dir (), "glib-2.0", "schemas", NULL);

  if (from_env != NULL)
    {
      g_auto(GStrv) dirs = g_strsplit (from_env, G_SEARCHPATH_SEPARATOR_S, -1);

      for (guint i = 0; dirs[i] != NULL; i++)
        if (*dirs[i] != '\0' && dir_has_schema (dirs[i]))
          return TRUE;
    }

  if (dir_has_schema (user_dir))
    return TRUE;

  for (guint i = 0; system_dirs[i] != NULL; i++)
    {
      g_autofree char *dir = g_build_filename (system_dirs[i], "glib-2.0", "schemas", NULL);

      if (dir_has_schema (dir))
        return TRUE;
    }

  return FALSE;
}

/* GLib reads schemas only from files: the one compiled into the program is
 * written to a private directory, loaded (GLib maps it into memory) and
 * removed again. */
static gboolean
use_compiled_in_schema (GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;
  gconstpointer data;
  gsize length;

  bytes = g_resource_lookup_data (ts_schema_get_resource (), COMPILED_SCHEMA,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return FALSE;

  dir = g_dir_make_tmp ("tasksteper-schema-XXXXXX", error);
  if (dir == NULL)
    return FALSE;

  path = g_build_filename (dir, "gschemas.compiled", NULL);
  data = g_bytes_get_data (bytes, &length);
  if (!g_file_set_contents (path, data, length, error))
    {
      g_rmdir (dir);
      return FALSE;
    }

  prepend_schema_dir (dir);
  schema = g_settings_schema_source_lookup (g_settings_schema_source_get_default (), TS_APPLICATION_ID, TRUE);
  g_unlink (path);
  g_rmdir (dir);

  return schema != NULL;
}

void
ts_settings_prepare (void)
{
  const char *build_dir = ts_get_build_schema_dir ();
  g_autoptr(GError) error = NULL;

  if (build_dir != NULL)
    {
      prepend_schema_dir (build_dir);
      return;
    }

  if (schema_is_installed ())
    return;

  /* Before the schema is loaded: GLib picks the backend at the first
   * GSettings. */
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  if (!use_compiled_in_schema (&error))
    g_error ("The settings schema %s is not installed, and the one inside TaskSteper "
             "cannot be used: %s", TS_APPLICATION_ID, error != NULL ? error->message : "");

  g_warning (_("The settings schema %s is not installed (is TaskSteper installed completely?): "
               "settings are kept only until TaskSteper quits."),
             TS_APPLICATION_ID);
}
