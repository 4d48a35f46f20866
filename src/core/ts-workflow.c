/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-workflow"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ts-workflow.h"

/* The workflow engine: which triggers a person may press on a ticket now,
 * why the others are missing, and what pressing one does.  The server has
 * the final word (it applies the same rules in SQL); the client uses this
 * to show exactly the buttons the server will accept, and to explain the
 * ones it will not. */

G_DEFINE_QUARK (ts-workflow-error-quark, ts_workflow_error)

struct _TsTriggerStatus
{
  GObject         parent_instance;

  TsTransition   *transition;
  TsTriggerState  state;
  char           *field;
  char           *reason;
};

G_DEFINE_FINAL_TYPE (TsTriggerStatus, ts_trigger_status, G_TYPE_OBJECT)

static void
ts_trigger_status_finalize (GObject *object)
{
  TsTriggerStatus *self = (TsTriggerStatus *)object;

  g_clear_object (&self->transition);
  g_clear_pointer (&self->field, g_free);
  g_clear_pointer (&self->reason, g_free);

  G_OBJECT_CLASS (ts_trigger_status_parent_class)->finalize (object);
}

static void
ts_trigger_status_class_init (TsTriggerStatusClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ts_trigger_status_finalize;
}

static void
ts_trigger_status_init (TsTriggerStatus *self)
{
}

TsTransition *
ts_trigger_status_get_transition (TsTriggerStatus *self)
{
  g_return_val_if_fail (TS_IS_TRIGGER_STATUS (self), NULL);
  return self->transition;
}

const char *
ts_trigger_status_get_trigger (TsTriggerStatus *self)
{
  g_return_val_if_fail (TS_IS_TRIGGER_STATUS (self), NULL);
  return ts_transition_get_trigger (self->transition);
}

TsTriggerState
ts_trigger_status_get_state (TsTriggerStatus *self)
{
  g_return_val_if_fail (TS_IS_TRIGGER_STATUS (self), TS_TRIGGER_NOT_ASSIGNEE);
  return self->state;
}

gboolean
ts_trigger_status_is_ready (TsTriggerStatus *self)
{
  g_return_val_if_fail (TS_IS_TRIGGER_STATUS (self), FALSE);
  return self->state == TS_TRIGGER_READY;
}

const char *
ts_trigger_status_get_field (TsTriggerStatus *self)
{
  g_return_val_if_fail (TS_IS_TRIGGER_STATUS (self), NULL);
  return self->field;
}

const char *
ts_trigger_status_get_reason (TsTriggerStatus *self)
{
  g_return_val_if_fail (TS_IS_TRIGGER_STATUS (self), NULL);
  return self->reason;
}

gboolean
ts_trigger_status_get_needs_comment (TsTriggerStatus *self)
{
  g_return_val_if_fail (TS_IS_TRIGGER_STATUS (self), FALSE);
  return ts_transition_get_comment_required (self->transition);
}

static char *
describe_clause (TsProject   *project,
                 TsCondition *condition,
                 guint        position)
{
  const char *name = ts_condition_get_clause_field (condition, position);
  const char *label = ts_project_get_label_for (project, name);
  JsonArray *values = ts_condition_get_clause_values (condition, position);
  g_autoptr(GString) list = NULL;

  switch (ts_condition_get_clause_op (condition, position))
    {
    case TS_CLAUSE_EMPTY:
      return g_strdup_printf (_("“%s” must be empty"), label);

    case TS_CLAUSE_NOT_EMPTY:
      return g_strdup_printf (_("“%s” must be filled in"), label);

    case TS_CLAUSE_EQUALS:
    case TS_CLAUSE_ONE_OF:
    default:
      list = g_string_new (NULL);
      for (guint i = 0; i < json_array_get_length (values); i++)
        {
          JsonNode *value = json_array_get_element (values, i);

          if (i > 0)
            g_string_append (list, _(" or "));
          if (json_node_get_value_type (value) == G_TYPE_STRING)
            g_string_append_printf (list, "“%s”", json_node_get_string (value));
          else if (json_node_get_value_type (value) == G_TYPE_BOOLEAN)
            g_string_append (list, json_node_get_boolean (value) ? _("checked") : _("unchecked"));
          else
            g_string_append_printf (list, "%" G_GINT64_FORMAT, json_node_get_int (value));
        }
      return g_strdup_printf (_("“%s” must be %s"), label, list->str);
    }
}

/* Decides whether @transition may fire for @user; fills @field and @reason
 * for the first rule that stops it. */
static TsTriggerState
check_transition (TsProject     *project,
                  TsTicket      *ticket,
                  TsTransition  *transition,
                  const char    *user,
                  char         **field,
                  char         **reason)
{
  TsCondition *condition = ts_transition_get_condition (transition);
  const char * const *require = ts_transition_get_require (transition);
  const char *assign_to = ts_transition_get_assign_to (transition);
  guint failing;

  /* A ticket nobody holds can be moved by nobody. */
  if (user == NULL || *user == '\0' ||
      g_strcmp0 (user, ts_ticket_get_assigned_to (ticket)) != 0)
    {
      *field = g_strdup ("assigned_to");
      *reason = g_strdup_printf (_("Only %s, who holds this ticket, can press “%s”"),
                                 ts_ticket_get_assigned_to (ticket) ? ts_ticket_get_assigned_to (ticket) : _("its assignee"),
                                 ts_transition_get_trigger (transition));
      return TS_TRIGGER_NOT_ASSIGNEE;
    }

  if (!ts_condition_evaluate (condition, ticket, &failing))
    {
      *field = g_strdup (ts_condition_get_clause_field (condition, failing));
      *reason = describe_clause (project, condition, failing);
      return TS_TRIGGER_CONDITION_FALSE;
    }

  for (guint i = 0; require[i]; i++)
    {
      g_autoptr(JsonNode) value = ts_ticket_dup_value (ticket, require[i]);

      if (ts_value_is_empty (value))
        {
          *field = g_strdup (require[i]);
          *reason = g_strdup_printf (_("Fill in “%s” first"), ts_project_get_label_for (project, require[i]));
          return TS_TRIGGER_REQUIRED_EMPTY;
        }
    }

  if (assign_to != NULL)
    {
      g_autoptr(JsonNode) value = ts_ticket_dup_value (ticket, assign_to);

      if (ts_value_is_empty (value))
        {
          *field = g_strdup (assign_to);
          *reason = g_strdup_printf (_("“%s” goes to the person in “%s”, which is empty: fill it in first"),
                                     ts_transition_get_trigger (transition),
                                     ts_project_get_label_for (project, assign_to));
          return TS_TRIGGER_NO_ASSIGNEE;
        }
    }

  return TS_TRIGGER_READY;
}

/**
 * ts_workflow_list_triggers:
 *
 * Returns: (transfer container) (element-type TsTriggerStatus): the
 *   triggers from the ticket's state
 */
GPtrArray *
ts_workflow_list_triggers (TsProject  *project,
                           TsTicket   *ticket,
                           const char *user)
{
  GPtrArray *list;

  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);
  g_return_val_if_fail (TS_IS_TICKET (ticket), NULL);

  list = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < ts_project_get_n_transitions (project); i++)
    {
      TsTransition *transition = ts_project_get_transition (project, i);
      TsTriggerStatus *status;

      if (!ts_transition_has_source (transition, ts_ticket_get_state (ticket)))
        continue;

      status = g_object_new (TS_TYPE_TRIGGER_STATUS, NULL);
      status->transition = g_object_ref (transition);
      status->state = check_transition (project, ticket, transition, user, &status->field, &status->reason);
      if (status->state == TS_TRIGGER_READY)
        g_clear_pointer (&status->field, g_free);
      g_ptr_array_add (list, status);
    }

  return list;
}

static const TsWorkflowError error_for_state[] = {
  [TS_TRIGGER_NOT_ASSIGNEE] = TS_WORKFLOW_ERROR_NOT_ASSIGNEE,
  [TS_TRIGGER_CONDITION_FALSE] = TS_WORKFLOW_ERROR_CONDITION_FALSE,
  [TS_TRIGGER_REQUIRED_EMPTY] = TS_WORKFLOW_ERROR_REQUIRED_EMPTY,
  [TS_TRIGGER_NO_ASSIGNEE] = TS_WORKFLOW_ERROR_NO_ASSIGNEE,
};

/**
 * ts_workflow_fire:
 *
 * Returns: (transfer full): the ticket after the transition, or NULL with
 *   @error set (TS_WORKFLOW_ERROR) saying why it may not fire
 */
TsTicket *
ts_workflow_fire (TsProject   *project,
                  TsTicket    *ticket,
                  const char  *trigger,
                  const char  *user,
                  GError     **error)
{
  g_autoptr(TsTicket) result = NULL;
  g_autofree char *field = NULL;
  g_autofree char *reason = NULL;
  TsTransition *transition;
  TsTriggerState state;
  JsonObject *set;
  const char *assign_to;

  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);
  g_return_val_if_fail (TS_IS_TICKET (ticket), NULL);
  g_return_val_if_fail (trigger != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  transition = ts_project_lookup_transition (project, ts_ticket_get_state (ticket), trigger);
  if (transition == NULL)
    {
      g_set_error (error, TS_WORKFLOW_ERROR, TS_WORKFLOW_ERROR_NO_SUCH_TRIGGER,
                   _("“%s” is not a trigger of the state “%s”"),
                   trigger, ts_ticket_get_state (ticket));
      return NULL;
    }

  state = check_transition (project, ticket, transition, user, &field, &reason);
  if (state != TS_TRIGGER_READY)
    {
      g_set_error_literal (error, TS_WORKFLOW_ERROR, error_for_state[state], reason);
      return NULL;
    }

  result = ts_ticket_copy (ticket);
  ts_ticket_set_state (result, ts_transition_get_dest (transition));

  if ((assign_to = ts_transition_get_assign_to (transition)) != NULL)
    {
      g_autoptr(JsonNode) assignee = ts_ticket_dup_value (ticket, assign_to);

      ts_ticket_set_assigned_to (result, json_node_get_string (assignee));
    }

  if ((set = ts_transition_get_set (transition)) != NULL)
    {
      g_autoptr(GList) members = json_object_get_members (set);

      for (const GList *l = members; l; l = l->next)
        ts_ticket_set_value (result, l->data, json_object_get_member (set, l->data));
    }

  return g_steal_pointer (&result);
}
