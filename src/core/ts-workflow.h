/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-project.h"
#include "ts-ticket.h"

G_BEGIN_DECLS

/* Why a trigger of the ticket's current state can or cannot fire now. */
typedef enum
{
  TS_TRIGGER_READY,
  TS_TRIGGER_NOT_ASSIGNEE,    /* only the current assignee fires triggers */
  TS_TRIGGER_CONDITION_FALSE, /* trans_condition does not hold            */
  TS_TRIGGER_REQUIRED_EMPTY,  /* a `require` field is empty               */
  TS_TRIGGER_NO_ASSIGNEE,     /* assign_to names an empty user field      */
} TsTriggerState;

#define TS_TYPE_TRIGGER_STATUS (ts_trigger_status_get_type ())
G_DECLARE_FINAL_TYPE (TsTriggerStatus, ts_trigger_status, TS, TRIGGER_STATUS, GObject)

TsTransition   *ts_trigger_status_get_transition (TsTriggerStatus *self);
const char     *ts_trigger_status_get_trigger    (TsTriggerStatus *self);
TsTriggerState  ts_trigger_status_get_state      (TsTriggerStatus *self);
gboolean        ts_trigger_status_is_ready       (TsTriggerStatus *self);
/* The field the trigger waits for (condition, require or assign_to), or
 * NULL. */
const char     *ts_trigger_status_get_field      (TsTriggerStatus *self);
/* Why it cannot fire, in words for a person; NULL when ready. */
const char     *ts_trigger_status_get_reason     (TsTriggerStatus *self);
/* The transition says "comment": "required": pressing the trigger must
 * ask for a comment (the server refuses it without one).  Whether it is
 * ready otherwise is the state's to say. */
gboolean        ts_trigger_status_get_needs_comment (TsTriggerStatus *self);

/* The triggers of the ticket's current state, in schema order, each with
 * its status for @user. */
GPtrArray      *ts_workflow_list_triggers        (TsProject  *project,
                                                  TsTicket   *ticket,
                                                  const char *user);

/* Fires @trigger as @user: returns a copy of @ticket in the destination
 * state, assigned as trans_action says, with trans_action.set applied.
 * @ticket itself is not changed. */
TsTicket       *ts_workflow_fire                 (TsProject  *project,
                                                  TsTicket   *ticket,
                                                  const char *trigger,
                                                  const char *user,
                                                  GError    **error);

#define TS_WORKFLOW_ERROR (ts_workflow_error_quark ())
GQuark ts_workflow_error_quark (void);

typedef enum
{
  TS_WORKFLOW_ERROR_NO_SUCH_TRIGGER,
  TS_WORKFLOW_ERROR_NOT_ASSIGNEE,
  TS_WORKFLOW_ERROR_CONDITION_FALSE,
  TS_WORKFLOW_ERROR_REQUIRED_EMPTY,
  TS_WORKFLOW_ERROR_NO_ASSIGNEE,
} TsWorkflowError;

G_END_DECLS
