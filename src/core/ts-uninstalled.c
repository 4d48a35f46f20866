/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "ts-uninstalled.h"

/* Canonical, so that a build directory reached through a symbolic link
 * (or given as a relative path to meson setup) still matches. */
static char *
dup_real_path (const char *path)
{
  char *real = realpath (path, NULL);
  char *copy;

  if (real == NULL)
    return NULL;

  copy = g_strdup (real);
  free (real);
  return copy;
}

gboolean
ts_is_uninstalled (void)
{
  static gsize result;

  if (g_once_init_enter (&result))
    {
      g_autofree char *exe = dup_real_path ("/proc/self/exe");
      g_autofree char *root = dup_real_path (TS_BUILD_ROOT);
      gboolean inside;

      inside = exe != NULL && root != NULL && g_str_has_prefix (exe, root) &&
               exe[strlen (root)] == G_DIR_SEPARATOR;
      g_once_init_leave (&result, inside ? 2 : 1);
    }

  return result == 2;
}

const char *
ts_get_locale_dir (void)
{
  const char *from_env = g_getenv ("TASKSTEPER_LOCALEDIR");

  if (from_env != NULL && *from_env != '\0')
    return from_env;

  return ts_is_uninstalled () ? TS_BUILD_LOCALEDIR : LOCALEDIR;
}

void
ts_init_i18n (void)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, ts_get_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

const char *
ts_get_build_schema_dir (void)
{
  if (ts_is_uninstalled () &&
      g_file_test (TS_BUILD_SCHEMADIR G_DIR_SEPARATOR_S "gschemas.compiled", G_FILE_TEST_IS_REGULAR))
    return TS_BUILD_SCHEMADIR;

  return NULL;
}
