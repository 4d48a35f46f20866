/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* A member of a project as a person sees them: the login name (what user
 * fields and assignees hold) and the display name set by an admin ("张伟"
 * for zhangwei), when there is one.  The row item of member lists and
 * pickers.  Immutable. */
#define TS_TYPE_MEMBER (ts_member_get_type ())
G_DECLARE_FINAL_TYPE (TsMember, ts_member, TS, MEMBER, GObject)

/* @display_name: (nullable): NULL or "" when none is set. */
TsMember   *ts_member_new              (const char *login,
                                        const char *display_name);
const char *ts_member_get_login        (TsMember   *self);
/* The name to show: the display name, or the login when none is set. */
const char *ts_member_get_display_name (TsMember   *self);
gboolean    ts_member_has_display_name (TsMember   *self);

G_END_DECLS
