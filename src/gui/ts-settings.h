/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Makes sure g_settings_new (TS_APPLICATION_ID) finds its schema, so that
 * no copy of TaskSteper aborts with "Settings schema … is not installed".
 * Call it first in main(), before anything reads settings (GLib reads the
 * schema directories once, at the first use):
 *  - uninstalled (ts_is_uninstalled()), the build's compiled schema comes
 *    first in GSETTINGS_SCHEMA_DIR: it is the one this binary was built
 *    with;
 *  - otherwise the installed schema is used when there is one;
 *  - else the schema compiled into the program is used, with settings kept
 *    in memory until the program ends, and one warning says so. */
void ts_settings_prepare (void);

G_END_DECLS
