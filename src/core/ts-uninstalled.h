/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Running TaskSteper from its build tree, uninstalled: the programs then
 * use what the build made (the message catalogues of build/po, the
 * compiled GSettings schema of build/data) rather than what an earlier
 * `meson install` may have left under the prefix, which belongs to another
 * version or is missing altogether.
 *
 * "Uninstalled" means that the running executable lies inside the build
 * directory it was configured in (TS_BUILD_ROOT), which is what `meson
 * devenv`, build-aux/run.sh and the README's build/src/… commands do.  An
 * installed copy never lies there, so it never reads a build tree, even one
 * that still exists on the same machine. */
gboolean    ts_is_uninstalled        (void);

/* Where the catalogues are (DIR/LANG/LC_MESSAGES/tasksteper.mo):
 * $TASKSTEPER_LOCALEDIR when set (meson devenv sets it), else the build's
 * po/ when uninstalled, else the installed LOCALEDIR. */
const char *ts_get_locale_dir        (void);

/* setlocale(LC_ALL, "") and the text domain bound to ts_get_locale_dir():
 * the first thing main() does, in the application and the admin tool. */
void        ts_init_i18n             (void);

/* The build's compiled GSettings schemas (build/data), when uninstalled
 * and compiled, else NULL. */
const char *ts_get_build_schema_dir  (void);

G_END_DECLS
