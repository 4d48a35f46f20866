/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-transition"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ts-schema-private.h"
#include "ts-transition.h"

/* One row of a project's transition table (the seed's FSM_TRANS_*). */

struct _TsTransition
{
  GObject      parent_instance;

  GStrv        sources;
  char        *trigger;
  char        *dest;
  TsCondition *condition;
  char        *assign_to;
  JsonObject  *set;
  GStrv        require;
  gboolean     comment_required;
};

G_DEFINE_FINAL_TYPE (TsTransition, ts_transition, G_TYPE_OBJECT)

#define MAX_TRIGGER_LENGTH 100

static void
ts_transition_finalize (GObject *object)
{
  TsTransition *self = (TsTransition *)object;

  g_clear_pointer (&self->sources, g_strfreev);
  g_clear_pointer (&self->trigger, g_free);
  g_clear_pointer (&self->dest, g_free);
  g_clear_object (&self->condition);
  g_clear_pointer (&self->assign_to, g_free);
  g_clear_pointer (&self->set, json_object_unref);
  g_clear_pointer (&self->require, g_strfreev);

  G_OBJECT_CLASS (ts_transition_parent_class)->finalize (object);
}

static void
ts_transition_class_init (TsTransitionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ts_transition_finalize;
}

static void
ts_transition_init (TsTransition *self)
{
}

const char * const *
ts_transition_get_sources (TsTransition *self)
{
  g_return_val_if_fail (TS_IS_TRANSITION (self), NULL);
  return (const char * const *)self->sources;
}

gboolean
ts_transition_has_source (TsTransition *self,
                          const char   *state)
{
  g_return_val_if_fail (TS_IS_TRANSITION (self), FALSE);
  return state != NULL && g_strv_contains ((const char * const *)self->sources, state);
}

const char *
ts_transition_get_trigger (TsTransition *self)
{
  g_return_val_if_fail (TS_IS_TRANSITION (self), NULL);
  return self->trigger;
}

const char *
ts_transition_get_dest (TsTransition *self)
{
  g_return_val_if_fail (TS_IS_TRANSITION (self), NULL);
  return self->dest;
}

TsCondition *
ts_transition_get_condition (TsTransition *self)
{
  g_return_val_if_fail (TS_IS_TRANSITION (self), NULL);
  return self->condition;
}

const char *
ts_transition_get_assign_to (TsTransition *self)
{
  g_return_val_if_fail (TS_IS_TRANSITION (self), NULL);
  return self->assign_to;
}

JsonObject *
ts_transition_get_set (TsTransition *self)
{
  g_return_val_if_fail (TS_IS_TRANSITION (self), NULL);
  return self->set;
}

const char * const *
ts_transition_get_require (TsTransition *self)
{
  g_return_val_if_fail (TS_IS_TRANSITION (self), NULL);
  return (const char * const *)self->require;
}

gboolean
ts_transition_get_comment_required (TsTransition *self)
{
  g_return_val_if_fail (TS_IS_TRANSITION (self), FALSE);
  return self->comment_required;
}

static gboolean
check_state (TsDiagnostics       *diagnostics,
             const char          *path,
             const TsSchemaScope *scope,
             JsonNode            *node,
             const char          *what)
{
  const char *state;
  const char *suggestion;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                          _("%s must be a state name (a string), not %s"), what, _ts_json_type_name (node));
      return FALSE;
    }

  state = json_node_get_string (node);
  if (g_strv_contains (scope->states, state))
    return TRUE;

  if (scope->states_unusable)
    return FALSE;

  suggestion = _ts_suggest (state, scope->states);
  if (suggestion != NULL)
    ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                        _("unknown state “%s”: did you mean “%s”?"), state, suggestion);
  else
    {
      g_autofree char *list = g_strjoinv ("、", (char **)scope->states);

      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                          _("unknown state “%s”: add it to “states” or use one of %s"), state, list);
    }
  return FALSE;
}

static GStrv
read_sources (TsDiagnostics       *diagnostics,
              const char          *path,
              const TsSchemaScope *scope,
              JsonObject          *object)
{
  g_autofree char *child = _ts_path_member (path, "source");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonNode *node = json_object_get_member (object, "source");
  gboolean ok = TRUE;

  if (node == NULL)
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                          _("“source” is missing: name the state (or list of states) the transition leaves"));
      return NULL;
    }

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

      if (json_array_get_length (array) == 0)
        {
          ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                              _("“source” is an empty list: name at least one state"));
          return NULL;
        }

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          g_autofree char *element_path = _ts_path_index (child, i);

          if (!check_state (diagnostics, element_path, scope, element, _("a source")))
            ok = FALSE;
          else if (!g_hash_table_add (seen, (gpointer)json_node_get_string (element)))
            {
              ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, element_path,
                                  _("the state “%s” is listed twice: remove one"),
                                  json_node_get_string (element));
              ok = FALSE;
            }
          else
            g_strv_builder_add (builder, json_node_get_string (element));
        }
    }
  else if (check_state (diagnostics, child, scope, node, _("“source”")))
    g_strv_builder_add (builder, json_node_get_string (node));
  else
    ok = FALSE;

  return ok ? g_strv_builder_end (builder) : NULL;
}

static TsField *
resolve_field (TsDiagnostics       *diagnostics,
               const char          *path,
               const TsSchemaScope *scope,
               JsonNode            *node,
               const char          *what)
{
  TsField *field;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                          _("%s must be a field name (a string), not %s"), what, _ts_json_type_name (node));
      return NULL;
    }

  field = scope->lookup (scope->user_data, json_node_get_string (node));
  if (field == NULL)
    _ts_report_unknown_field (diagnostics, path, scope, json_node_get_string (node), what);

  return field;
}

static void
read_action (TsTransition        *self,
             TsDiagnostics       *diagnostics,
             const char          *path,
             const TsSchemaScope *scope,
             JsonNode            *node)
{
  static const char * const action_keys[] = { "assign_to", "set", NULL };
  JsonObject *object;
  JsonNode *assign_to;
  JsonNode *set;

  if (node == NULL)
    return;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                          _("“trans_action” must be an object such as {} or {\"assign_to\": \"issue_checker\"}, not %s"),
                          _ts_json_type_name (node));
      return;
    }

  object = json_node_get_object (node);
  _ts_check_members (diagnostics, path, object, action_keys, _("“trans_action”"));

  if ((assign_to = json_object_get_member (object, "assign_to")) != NULL)
    {
      g_autofree char *child = _ts_path_member (path, "assign_to");

      if (JSON_NODE_HOLDS_VALUE (assign_to) &&
          json_node_get_value_type (assign_to) == G_TYPE_STRING &&
          g_str_equal (json_node_get_string (assign_to), "created_by"))
        {
          self->assign_to = g_strdup ("created_by");
        }
      else if (JSON_NODE_HOLDS_VALUE (assign_to) &&
               json_node_get_value_type (assign_to) == G_TYPE_STRING &&
               ts_is_system_field (json_node_get_string (assign_to)))
        {
          ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                              _("“assign_to” can name “created_by” or a user field, not the system field “%s”; leave “assign_to” out to keep the assignee"),
                              json_node_get_string (assign_to));
        }
      else
        {
          TsField *field = resolve_field (diagnostics, child, scope, assign_to, _("“assign_to”"));

          if (field != NULL && ts_field_get_field_type (field) != TS_FIELD_USER)
            ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                                _("“assign_to” names “%s” (%s), a %s field: it must name a user field or “created_by”"),
                                ts_field_get_name (field), ts_field_get_label (field),
                                ts_field_type_to_string (ts_field_get_field_type (field)));
          else if (field != NULL)
            self->assign_to = g_strdup (ts_field_get_name (field));
        }
    }

  if ((set = json_object_get_member (object, "set")) != NULL)
    {
      g_autofree char *child = _ts_path_member (path, "set");
      g_autoptr(GList) members = NULL;
      JsonObject *values;

      if (!JSON_NODE_HOLDS_OBJECT (set))
        {
          ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                              _("“set” must be an object of field names and the values to write, not %s"),
                              _ts_json_type_name (set));
          return;
        }

      values = json_node_get_object (set);
      members = json_object_get_members (values);
      for (const GList *l = members; l; l = l->next)
        {
          const char *name = l->data;
          JsonNode *value = json_object_get_member (values, name);
          g_autofree char *value_path = _ts_path_member (child, name);
          g_autoptr(GError) error = NULL;
          TsField *field;

          if (ts_is_system_field (name))
            {
              ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, value_path,
                                  _("“set” cannot write the system field “%s”: the server sets it (use “dest” and “assign_to”)"),
                                  name);
              continue;
            }

          if ((field = scope->lookup (scope->user_data, name)) == NULL)
            {
              _ts_report_unknown_field (diagnostics, value_path, scope, name, _("“set”"));
              continue;
            }

          if (JSON_NODE_HOLDS_OBJECT (value) || JSON_NODE_HOLDS_ARRAY (value))
            ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, value_path,
                                _("“set” writes a single value, not %s"), _ts_json_type_name (value));
          else if (!ts_field_check_value (field, value, &error))
            ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, value_path,
                                _("“set” writes a value the field does not accept: %s"), error->message);
        }

      if (json_object_get_size (values) > 0)
        self->set = json_object_ref (values);
    }
}

static GStrv
read_require (TsDiagnostics       *diagnostics,
              const char          *path,
              const TsSchemaScope *scope,
              JsonNode            *node)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *array;

  if (node == NULL)
    return g_strv_builder_end (builder);

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                          _("“require” must be a list of field names, not %s"), _ts_json_type_name (node));
      return g_strv_builder_end (builder);
    }

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *element_path = _ts_path_index (path, i);
      TsField *field = resolve_field (diagnostics, element_path, scope,
                                      json_array_get_element (array, i), _("“require”"));

      if (field == NULL)
        continue;

      if (!g_hash_table_add (seen, (gpointer)ts_field_get_name (field)))
        ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, element_path,
                            _("“%s” is listed twice in “require”: remove one"), ts_field_get_name (field));
      else
        g_strv_builder_add (builder, ts_field_get_name (field));
    }

  return g_strv_builder_end (builder);
}

/* `comment`: "required" or "optional" (the default when it is missing). */
static gboolean
read_comment (TsDiagnostics *diagnostics,
              const char    *path,
              JsonNode      *node)
{
  const char *value;

  if (node == NULL)
    return FALSE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                          _("“comment” must be the string “required” or “optional”, not %s"),
                          _ts_json_type_name (node));
      return FALSE;
    }

  value = json_node_get_string (node);
  if (g_str_equal (value, "required"))
    return TRUE;
  if (!g_str_equal (value, "optional"))
    ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                        _("“comment” is “%s”: write “required” (firing needs a comment) or “optional”"),
                        value);
  return FALSE;
}

TsTransition *
_ts_transition_new_from_json (JsonNode            *node,
                              const char          *path,
                              const TsSchemaScope *scope,
                              TsDiagnostics       *diagnostics)
{
  static const char * const transition_keys[] = {
    "source", "trigger", "dest", "trans_condition", "trans_action", "require", "comment", NULL
  };
  g_autoptr(TsTransition) self = NULL;
  g_autofree char *condition_path = NULL;
  g_autofree char *action_path = NULL;
  g_autofree char *require_path = NULL;
  g_autofree char *comment_path = NULL;
  JsonObject *object;
  JsonNode *dest;
  const char *trigger;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                          _("each transition must be an object with “source”, “trigger” and “dest”, not %s"),
                          _ts_json_type_name (node));
      return NULL;
    }

  object = json_node_get_object (node);
  self = g_object_new (TS_TYPE_TRANSITION, NULL);

  _ts_check_members (diagnostics, path, object, transition_keys, _("a transition"));

  self->sources = read_sources (diagnostics, path, scope, object);

  trigger = _ts_read_string (diagnostics, path, object, "trigger", TRUE, TRUE);
  if (trigger != NULL && g_utf8_strlen (trigger, -1) > MAX_TRIGGER_LENGTH)
    {
      g_autofree char *child = _ts_path_member (path, "trigger");

      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                          _("the trigger is the text of a button: keep it to %u characters"),
                          MAX_TRIGGER_LENGTH);
      trigger = NULL;
    }
  else if (trigger != NULL && ts_value_is_empty (json_object_get_member (object, "trigger")))
    {
      g_autofree char *child = _ts_path_member (path, "trigger");

      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                          _("the trigger is blank: write the text of its button"));
      trigger = NULL;
    }
  self->trigger = g_strdup (trigger);

  if ((dest = json_object_get_member (object, "dest")) == NULL)
    {
      g_autofree char *child = _ts_path_member (path, "dest");

      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                          _("“dest” is missing: name the state the transition leads to"));
    }
  else
    {
      g_autofree char *child = _ts_path_member (path, "dest");

      if (check_state (diagnostics, child, scope, dest, _("“dest”")))
        self->dest = g_strdup (json_node_get_string (dest));
    }

  condition_path = _ts_path_member (path, "trans_condition");
  self->condition = _ts_condition_new_from_json (json_object_get_member (object, "trans_condition"),
                                                 condition_path, scope, diagnostics);
  if (self->condition == NULL)
    self->condition = _ts_condition_new_from_json (NULL, condition_path, scope, diagnostics);

  action_path = _ts_path_member (path, "trans_action");
  read_action (self, diagnostics, action_path, scope, json_object_get_member (object, "trans_action"));

  require_path = _ts_path_member (path, "require");
  self->require = read_require (diagnostics, require_path, scope, json_object_get_member (object, "require"));

  comment_path = _ts_path_member (path, "comment");
  self->comment_required = read_comment (diagnostics, comment_path, json_object_get_member (object, "comment"));

  if (self->sources == NULL || self->trigger == NULL || self->dest == NULL)
    return NULL;

  return g_steal_pointer (&self);
}
