/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-condition"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ts-condition.h"
#include "ts-schema-private.h"

/* A transition's trans_condition.  Its meaning is pinned down by
 * tests/data/conditions.json, which the SQL implementation runs too. */

typedef struct
{
  char       *field;
  TsClauseOp  op;
  JsonArray  *values;
} Clause;

struct _TsCondition
{
  GObject  parent_instance;
  GArray  *clauses;
};

G_DEFINE_FINAL_TYPE (TsCondition, ts_condition, G_TYPE_OBJECT)

/* System fields a condition may test; the times are not compared. */
static const char * const condition_system_fields[] = {
  "key", "state", "assigned_to", "created_by", NULL
};

static void
clear_clause (gpointer data)
{
  Clause *clause = data;

  g_clear_pointer (&clause->field, g_free);
  g_clear_pointer (&clause->values, json_array_unref);
}

static void
ts_condition_finalize (GObject *object)
{
  TsCondition *self = (TsCondition *)object;

  g_clear_pointer (&self->clauses, g_array_unref);

  G_OBJECT_CLASS (ts_condition_parent_class)->finalize (object);
}

static void
ts_condition_class_init (TsConditionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ts_condition_finalize;
}

static void
ts_condition_init (TsCondition *self)
{
  self->clauses = g_array_new (FALSE, TRUE, sizeof (Clause));
  g_array_set_clear_func (self->clauses, clear_clause);
}

guint
ts_condition_get_n_clauses (TsCondition *self)
{
  g_return_val_if_fail (TS_IS_CONDITION (self), 0);

  return self->clauses->len;
}

static Clause *
get_clause (TsCondition *self,
            guint        position)
{
  g_return_val_if_fail (TS_IS_CONDITION (self), NULL);
  g_return_val_if_fail (position < self->clauses->len, NULL);

  return &g_array_index (self->clauses, Clause, position);
}

const char *
ts_condition_get_clause_field (TsCondition *self,
                               guint        position)
{
  Clause *clause = get_clause (self, position);

  return clause ? clause->field : NULL;
}

TsClauseOp
ts_condition_get_clause_op (TsCondition *self,
                            guint        position)
{
  Clause *clause = get_clause (self, position);

  return clause ? clause->op : TS_CLAUSE_EQUALS;
}

JsonArray *
ts_condition_get_clause_values (TsCondition *self,
                                guint        position)
{
  Clause *clause = get_clause (self, position);

  return clause ? clause->values : NULL;
}

static gboolean
scalar_equal (JsonNode *a,
              JsonNode *b)
{
  GType ta, tb;

  if (a == NULL || b == NULL || !JSON_NODE_HOLDS_VALUE (a) || !JSON_NODE_HOLDS_VALUE (b))
    return FALSE;

  ta = json_node_get_value_type (a);
  tb = json_node_get_value_type (b);

  if (ta == G_TYPE_STRING || tb == G_TYPE_STRING)
    return ta == tb && g_strcmp0 (json_node_get_string (a), json_node_get_string (b)) == 0;

  if (ta == G_TYPE_BOOLEAN || tb == G_TYPE_BOOLEAN)
    return ta == tb && json_node_get_boolean (a) == json_node_get_boolean (b);

  if (ta == G_TYPE_INT64 && tb == G_TYPE_INT64)
    return json_node_get_int (a) == json_node_get_int (b);

  /* Numbers compare by value, 3 == 3.0, as jsonb does. */
  return json_node_get_double (a) == json_node_get_double (b);
}

gboolean
ts_clause_matches (TsClauseOp  op,
                   JsonArray  *values,
                   JsonNode   *value)
{
  switch (op)
    {
    case TS_CLAUSE_EMPTY:
      return ts_value_is_empty (value);

    case TS_CLAUSE_NOT_EMPTY:
      return !ts_value_is_empty (value);

    case TS_CLAUSE_EQUALS:
    case TS_CLAUSE_ONE_OF:
      g_return_val_if_fail (values != NULL, FALSE);
      for (guint i = 0; i < json_array_get_length (values); i++)
        if (scalar_equal (json_array_get_element (values, i), value))
          return TRUE;
      return FALSE;

    default:
      g_return_val_if_reached (FALSE);
    }
}

gboolean
ts_condition_evaluate (TsCondition *self,
                       TsTicket    *ticket,
                       guint       *failing_clause)
{
  g_return_val_if_fail (TS_IS_CONDITION (self), FALSE);
  g_return_val_if_fail (TS_IS_TICKET (ticket), FALSE);

  for (guint i = 0; i < self->clauses->len; i++)
    {
      const Clause *clause = &g_array_index (self->clauses, Clause, i);
      g_autoptr(JsonNode) value = ts_ticket_dup_value (ticket, clause->field);

      if (!ts_clause_matches (clause->op, clause->values, value))
        {
          if (failing_clause != NULL)
            *failing_clause = i;
          return FALSE;
        }
    }

  return TRUE;
}

/* Whether @value is one the subject of the clause could ever hold. */
static gboolean
check_operand (TsDiagnostics       *diagnostics,
               const char          *path,
               const TsSchemaScope *scope,
               const char          *name,
               TsField             *field,
               JsonNode            *value)
{
  g_autoptr(GError) error = NULL;

  if (JSON_NODE_HOLDS_NULL (value))
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                          _("null never matches: write {\"empty\": true} to test for an empty field"));
      return FALSE;
    }

  if (!JSON_NODE_HOLDS_VALUE (value))
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                          _("a condition compares with a string, number or boolean, not %s"),
                          _ts_json_type_name (value));
      return FALSE;
    }

  if (field != NULL)
    {
      if (!ts_field_check_value (field, value, &error))
        {
          ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                              _("the condition can never hold: %s"), error->message);
          return FALSE;
        }
      return TRUE;
    }

  /* A system field: all are strings, and the state must be one of ours. */
  if (json_node_get_value_type (value) != G_TYPE_STRING)
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                          _("the condition can never hold: “%s” is a string, not %s"),
                          name, _ts_json_type_name (value));
      return FALSE;
    }

  if (g_str_equal (name, "state") && !scope->states_unusable &&
      !g_strv_contains (scope->states, json_node_get_string (value)))
    {
      const char *suggestion = _ts_suggest (json_node_get_string (value), scope->states);

      if (suggestion != NULL)
        ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                            _("the condition can never hold: “%s” is not a state of this project; did you mean “%s”?"),
                            json_node_get_string (value), suggestion);
      else
        ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                            _("the condition can never hold: “%s” is not a state of this project"),
                            json_node_get_string (value));
      return FALSE;
    }

  return TRUE;
}

static gboolean
read_test (TsDiagnostics *diagnostics,
           const char    *path,
           JsonObject    *test,
           TsClauseOp    *op)
{
  g_autoptr(GList) members = json_object_get_members (test);
  const char *key;
  JsonNode *flag;

  if (g_list_length (members) != 1)
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                          _("a test object holds exactly one of {\"empty\": true} or {\"not_empty\": true}"));
      return FALSE;
    }

  key = members->data;
  flag = json_object_get_member (test, key);

  if (g_str_equal (key, "empty"))
    *op = TS_CLAUSE_EMPTY;
  else if (g_str_equal (key, "not_empty"))
    *op = TS_CLAUSE_NOT_EMPTY;
  else
    {
      static const char * const tests[] = { "empty", "not_empty", NULL };
      g_autofree char *child = _ts_path_member (path, key);
      const char *suggestion = _ts_suggest (key, tests);

      if (suggestion != NULL)
        ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                            _("unknown test “%s”: did you mean “%s”?"), key, suggestion);
      else
        ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                            _("unknown test “%s”: use {\"empty\": true} or {\"not_empty\": true}"), key);
      return FALSE;
    }

  if (!JSON_NODE_HOLDS_VALUE (flag) || json_node_get_value_type (flag) != G_TYPE_BOOLEAN ||
      !json_node_get_boolean (flag))
    {
      g_autofree char *child = _ts_path_member (path, key);

      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                          _("write {\"%s\": true}; for the opposite use {\"%s\": true}"),
                          key, *op == TS_CLAUSE_EMPTY ? "not_empty" : "empty");
      return FALSE;
    }

  return TRUE;
}

TsCondition *
_ts_condition_new_from_json (JsonNode            *node,
                             const char          *path,
                             const TsSchemaScope *scope,
                             TsDiagnostics       *diagnostics)
{
  g_autoptr(TsCondition) self = NULL;
  g_autoptr(GList) members = NULL;
  JsonObject *object;

  self = g_object_new (TS_TYPE_CONDITION, NULL);

  if (node == NULL)
    return g_steal_pointer (&self);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                          _("“trans_condition” must be an object: {} for always, or field names with the values they need; not %s"),
                          _ts_json_type_name (node));
      return NULL;
    }

  object = json_node_get_object (node);
  members = json_object_get_members (object);

  for (const GList *l = members; l; l = l->next)
    {
      const char *name = l->data;
      JsonNode *operand = json_object_get_member (object, name);
      g_autofree char *child = _ts_path_member (path, name);
      TsField *field = NULL;
      Clause clause = { 0 };
      gboolean ok = TRUE;

      if (ts_is_system_field (name))
        {
          if (!g_strv_contains (condition_system_fields, name))
            {
              ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                                  _("“%s” cannot be used in a condition: test key, state, assigned_to, created_by or a field"),
                                  name);
              continue;
            }
        }
      else if ((field = scope->lookup (scope->user_data, name)) == NULL)
        {
          _ts_report_unknown_field (diagnostics, child, scope, name, _("the condition"));
          continue;
        }

      if (JSON_NODE_HOLDS_OBJECT (operand))
        {
          ok = read_test (diagnostics, child, json_node_get_object (operand), &clause.op);
        }
      else if (JSON_NODE_HOLDS_ARRAY (operand))
        {
          JsonArray *list = json_node_get_array (operand);

          clause.op = TS_CLAUSE_ONE_OF;
          if (json_array_get_length (list) == 0)
            {
              ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, child,
                                  _("an empty list never matches: list the values that allow the transition"));
              ok = FALSE;
            }
          for (guint i = 0; i < json_array_get_length (list); i++)
            {
              g_autofree char *element = _ts_path_index (child, i);

              ok &= check_operand (diagnostics, element, scope, name, field,
                                   json_array_get_element (list, i));
            }
          clause.values = json_array_ref (list);
        }
      else
        {
          clause.op = TS_CLAUSE_EQUALS;
          ok = check_operand (diagnostics, child, scope, name, field, operand);
          clause.values = json_array_new ();
          json_array_add_element (clause.values, json_node_copy (operand));
        }

      if (!ok)
        {
          clear_clause (&clause);
          continue;
        }

      clause.field = g_strdup (name);
      g_array_append_val (self->clauses, clause);
    }

  return g_steal_pointer (&self);
}
