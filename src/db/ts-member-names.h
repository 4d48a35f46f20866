/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-store.h"

G_BEGIN_DECLS

/* The names people are shown by, per project: login → display name, read
 * once per project with ts_store_list_members_async() (from the offline
 * copy when the server cannot be reached).  A lookup before the answer
 * arrives gives NULL and starts the read; "changed" (with the project's
 * name) says when names arrived, so what shows them can refresh. */

#define TS_TYPE_MEMBER_NAMES (ts_member_names_get_type ())
G_DECLARE_FINAL_TYPE (TsMemberNames, ts_member_names, TS, MEMBER_NAMES, GObject)

TsMemberNames *ts_member_names_new    (TsStore       *store);
/* The display name of @login in @project, or NULL when it has none (or is
 * not known yet). */
const char    *ts_member_names_lookup (TsMemberNames *self,
                                       const char    *project,
                                       const char    *login);
/* The display name, or @login itself. */
const char    *ts_member_names_get    (TsMemberNames *self,
                                       const char    *project,
                                       const char    *login);
/* Forgets what was read, so that the next lookups read again. */
void           ts_member_names_reload (TsMemberNames *self);

G_END_DECLS
