/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ts-store.h"

G_BEGIN_DECLS

/* Asks where the server is and who the person is, connects without ever
 * blocking the window, and says clearly what went wrong: a wrong password,
 * a server that cannot be reached, a database without TaskSteper, a login
 * that is not a TaskSteper user.  The last server (never the password) is
 * remembered in GSettings. */

#define TS_TYPE_LOGIN_WINDOW (ts_login_window_get_type ())
G_DECLARE_FINAL_TYPE (TsLoginWindow, ts_login_window, TS, LOGIN_WINDOW, AdwApplicationWindow)

TsLoginWindow *ts_login_window_new              (AdwApplication *application);
/* Fills the fields from a libpq connection string or URI and connects at
 * once (tasksteper -d CONNINFO). */
void           ts_login_window_connect_conninfo (TsLoginWindow  *self,
                                                 const char     *conninfo);

/* Shows @message where connection problems show. */
void           ts_login_window_show_error       (TsLoginWindow  *self,
                                                 const char     *message);

/* Emitted with the open TsStore once connected:
 *   void (*connected) (TsLoginWindow *self, TsStore *store); */

G_END_DECLS
