/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-dot"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ts-dot.h"

/* The colour of the current state: GNOME's palette "Yellow 2". */
#define CURRENT_STATE_COLOR "#f9f06b"

/* Appends @text as a DOT quoted string.  The DOT parser itself unescapes
 * only \", but labels then interpret \n, \l, \N and friends, so a backslash
 * is doubled to stay a backslash.  A line break becomes \n and any other
 * control character a space, so that an ID stays on one line and is spelled
 * the same wherever it is used. */
static void
append_quoted (GString    *out,
               const char *text)
{
  g_string_append_c (out, '"');

  for (const char *p = text; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;

        case '\\':
          g_string_append (out, "\\\\");
          break;

        case '\n':
          g_string_append (out, "\\n");
          break;

        default:
          if ((guchar)*p < 0x20 || *p == 0x7f)
            g_string_append_c (out, ' ');
          else
            g_string_append_c (out, *p);
          break;
        }
    }

  g_string_append_c (out, '"');
}

/* A node name for the dot the initial state is entered from, which no
 * state has. */
static char *
dup_start_node_name (const char * const *states)
{
  GString *name = g_string_new ("__start");

  while (g_strv_contains (states, name->str))
    g_string_append_c (name, '_');

  return g_string_free (name, FALSE);
}

static char *
value_to_text (JsonNode *node)
{
  if (node == NULL)
    return g_strdup ("null");

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));

  return json_to_string (node, FALSE);
}

static char *
describe_clause (TsProject   *project,
                 TsCondition *condition,
                 guint        position)
{
  const char *field = ts_condition_get_clause_field (condition, position);
  const char *label = ts_project_get_label_for (project, field);
  JsonArray *values = ts_condition_get_clause_values (condition, position);
  guint n_values = values != NULL ? json_array_get_length (values) : 0;

  switch (ts_condition_get_clause_op (condition, position))
    {
    case TS_CLAUSE_EQUALS:
      {
        g_autofree char *value = NULL;

        value = value_to_text (n_values > 0 ? json_array_get_element (values, 0) : NULL);
        return g_strdup_printf ("%s = %s", label, value);
      }

    case TS_CLAUSE_ONE_OF:
      {
        g_autoptr(GString) list = g_string_new (NULL);

        for (guint i = 0; i < n_values; i++)
          {
            g_autofree char *value = value_to_text (json_array_get_element (values, i));

            if (i > 0)
              g_string_append (list, ", ");
            g_string_append (list, value);
          }

        return g_strdup_printf ("%s ∈ {%s}", label, list->str);
      }

    case TS_CLAUSE_EMPTY:
      /* Translators: a condition on a trigger in the workflow graph; %s
       * is a field's label. */
      return g_strdup_printf (_("%s is empty"), label);

    case TS_CLAUSE_NOT_EMPTY:
      /* Translators: a condition on a trigger in the workflow graph; %s
       * is a field's label. */
      return g_strdup_printf (_("%s is filled in"), label);

    default:
      g_return_val_if_reached (g_strdup (label));
    }
}

/* The edge label, one line per part, as UML writes a transition:
 *
 *   trigger
 *   [condition]
 *   requires FIELD, FIELD
 *   FIELD := VALUE
 *   → ASSIGNEE
 */
static char *
describe_transition (TsProject    *project,
                     TsTransition *transition)
{
  GString *label = g_string_new (ts_transition_get_trigger (transition));
  TsCondition *condition = ts_transition_get_condition (transition);
  const char * const *require = ts_transition_get_require (transition);
  JsonObject *set = ts_transition_get_set (transition);
  const char *assign_to = ts_transition_get_assign_to (transition);

  if (condition != NULL && ts_condition_get_n_clauses (condition) > 0)
    {
      g_string_append (label, "\n[");
      for (guint i = 0; i < ts_condition_get_n_clauses (condition); i++)
        {
          g_autofree char *clause = describe_clause (project, condition, i);

          if (i > 0)
            g_string_append (label, ", ");
          g_string_append (label, clause);
        }
      g_string_append_c (label, ']');
    }

  if (require != NULL && require[0] != NULL)
    {
      g_autoptr(GString) fields = g_string_new (NULL);

      for (guint i = 0; require[i] != NULL; i++)
        {
          if (i > 0)
            g_string_append (fields, ", ");
          g_string_append (fields, ts_project_get_label_for (project, require[i]));
        }

      g_string_append_c (label, '\n');
      /* Translators: in the workflow graph, the fields a trigger needs
       * filled in, e.g. "requires 维护代表, 概要". */
      g_string_append_printf (label, _("requires %s"), fields->str);
    }

  if (set != NULL && json_object_get_size (set) > 0)
    {
      g_autoptr(GList) members = json_object_get_members (set);

      g_string_append_c (label, '\n');
      for (const GList *l = members; l != NULL; l = l->next)
        {
          const char *name = l->data;
          g_autofree char *value = value_to_text (json_object_get_member (set, name));

          if (l != members)
            g_string_append (label, ", ");
          g_string_append_printf (label, "%s := %s",
                                  ts_project_get_label_for (project, name), value);
        }
    }

  if (assign_to != NULL)
    g_string_append_printf (label, "\n→ %s", ts_project_get_label_for (project, assign_to));

  return g_string_free (label, FALSE);
}

/**
 * ts_project_to_dot:
 * @project: a valid project
 * @current_state: (nullable): the state to highlight
 *
 * Returns: (transfer full): the workflow as a Graphviz DOT graph, for
 *   `dot -Tsvg` and friends
 */
char *
ts_project_to_dot (TsProject  *project,
                   const char *current_state)
{
  return ts_project_to_dot_full (project, current_state, TS_DOT_DEFAULT);
}

/**
 * ts_project_to_dot_full:
 * @project: a valid project
 * @current_state: (nullable): the state to highlight
 * @flags: what to add to the graph ts_project_to_dot() writes
 *
 * Returns: (transfer full): the workflow as a Graphviz DOT graph
 */
char *
ts_project_to_dot_full (TsProject  *project,
                        const char *current_state,
                        TsDotFlags  flags)
{
  const char * const *states;
  const char *initial;
  const char *title;
  g_autofree char *start = NULL;
  GString *out;
  guint n_transitions;

  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);

  states = ts_project_get_states (project);
  initial = ts_project_get_initial_state (project);
  title = ts_project_get_title (project);
  n_transitions = ts_project_get_n_transitions (project);
  start = dup_start_node_name (states);

  out = g_string_new ("digraph ");
  append_quoted (out, ts_project_get_name (project));
  g_string_append (out, " {\n");

  g_string_append (out, "  graph [label=");
  append_quoted (out, title != NULL ? title : ts_project_get_name (project));
  g_string_append (out, ", labelloc=t, rankdir=LR, fontname=\"sans-serif\"];\n");
  g_string_append (out, "  node [shape=box, style=rounded, fontname=\"sans-serif\"];\n");
  g_string_append (out, "  edge [fontname=\"sans-serif\", fontsize=10];\n");

  /* The initial state is entered from a dot, as in UML state diagrams. */
  if (initial != NULL)
    {
      g_string_append (out, "\n  ");
      append_quoted (out, start);
      g_string_append (out, " [shape=point, width=0.15, label=\"\"];\n  ");
      append_quoted (out, start);
      g_string_append (out, " -> ");
      append_quoted (out, initial);
      g_string_append (out, ";\n");
    }

  g_string_append_c (out, '\n');
  for (guint i = 0; states != NULL && states[i] != NULL; i++)
    {
      gboolean is_final = ts_project_is_final_state (project, states[i]);
      gboolean is_current = g_strcmp0 (states[i], current_state) == 0;

      g_string_append (out, "  ");
      append_quoted (out, states[i]);

      if (is_final || is_current)
        {
          g_string_append (out, " [");
          if (is_final)
            g_string_append (out, "peripheries=2");
          if (is_final && is_current)
            g_string_append (out, ", ");
          if (is_current)
            g_string_append (out, "style=\"rounded,filled\", "
                                  "fillcolor=\"" CURRENT_STATE_COLOR "\", penwidth=2");
          g_string_append_c (out, ']');
        }

      g_string_append (out, ";\n");
    }

  if (n_transitions > 0)
    g_string_append_c (out, '\n');

  for (guint i = 0; i < n_transitions; i++)
    {
      TsTransition *transition = ts_project_get_transition (project, i);
      const char * const *sources = ts_transition_get_sources (transition);
      g_autofree char *label = describe_transition (project, transition);

      for (guint j = 0; sources != NULL && sources[j] != NULL; j++)
        {
          g_string_append (out, "  ");
          append_quoted (out, sources[j]);
          g_string_append (out, " -> ");
          append_quoted (out, ts_transition_get_dest (transition));
          g_string_append (out, " [label=");
          append_quoted (out, label);
          if (flags & TS_DOT_EDGE_IDS)
            g_string_append_printf (out, ", id=\"t%u.%u\"", i, j);
          g_string_append (out, "];\n");
        }
    }

  g_string_append (out, "}\n");

  return g_string_free (out, FALSE);
}
