/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-condition.h"

G_BEGIN_DECLS

#define TS_TYPE_TRANSITION (ts_transition_get_type ())
G_DECLARE_FINAL_TYPE (TsTransition, ts_transition, TS, TRANSITION, GObject)

const char * const *ts_transition_get_sources   (TsTransition *self);
gboolean            ts_transition_has_source    (TsTransition *self,
                                                 const char   *state);
const char         *ts_transition_get_trigger   (TsTransition *self);
const char         *ts_transition_get_dest      (TsTransition *self);
TsCondition        *ts_transition_get_condition (TsTransition *self);
/* trans_action.assign_to: a user field's name, "created_by", or NULL to
 * keep the assignee. */
const char         *ts_transition_get_assign_to (TsTransition *self);
/* trans_action.set: field name → value; NULL when there is none. */
JsonObject         *ts_transition_get_set       (TsTransition *self);
/* `require`: field names that must be non-empty; never NULL. */
const char * const *ts_transition_get_require   (TsTransition *self);
/* `"comment": "required"`: firing needs a comment (the default, "optional",
 * does not). */
gboolean            ts_transition_get_comment_required (TsTransition *self);

G_END_DECLS
