/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-project"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "ts-project.h"
#include "ts-schema-private.h"
#include "ts-ticket.h"

/* A project schema (SPEC §1), read and validated as a whole: every problem
 * in a file is reported in one pass, and a project object exists only for a
 * file without errors, so later code never meets a broken definition. */

#define MAX_STATE_LENGTH      100
#define MAX_KEY_PREFIX_LENGTH 32

struct _TsProject
{
  GObject     parent_instance;

  char       *name;
  char       *title;
  char       *description;
  char       *key_prefix;
  char       *summary_field;
  GStrv       list_columns;
  JsonNode   *definition;
  GPtrArray  *fields;
  GHashTable *fields_by_name;
  GStrv       states;
  GPtrArray  *transitions;
  /* state → (field name → TsStateRule) */
  GHashTable *state_rules;
};

G_DEFINE_FINAL_TYPE (TsProject, ts_project, G_TYPE_OBJECT)

static const char * const top_level_keys[] = {
  "tasksteper", "name", "title", "description", "key_prefix", "summary_field",
  "list_columns", "fields", "states", "transitions", "state_rules", NULL
};

/* The seed names system fields by their labels in its tables; these let a
 * message point from the label to the name.  Pairs of name, label. */
static const char * const system_aliases[] = {
  "created_by", "创建人",
  "created_by", "创建人(只读)",
  "assigned_to", "当前处理人",
  "assigned_to", "当前处理人(只读)",
  "state", "当前状态",
  "state", "当前状态(只读)",
  NULL
};

static void
ts_project_finalize (GObject *object)
{
  TsProject *self = (TsProject *)object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->description, g_free);
  g_clear_pointer (&self->key_prefix, g_free);
  g_clear_pointer (&self->summary_field, g_free);
  g_clear_pointer (&self->list_columns, g_strfreev);
  g_clear_pointer (&self->definition, json_node_unref);
  g_clear_pointer (&self->fields, g_ptr_array_unref);
  g_clear_pointer (&self->fields_by_name, g_hash_table_unref);
  g_clear_pointer (&self->states, g_strfreev);
  g_clear_pointer (&self->transitions, g_ptr_array_unref);
  g_clear_pointer (&self->state_rules, g_hash_table_unref);

  G_OBJECT_CLASS (ts_project_parent_class)->finalize (object);
}

static void
ts_project_class_init (TsProjectClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ts_project_finalize;
}

static void
ts_project_init (TsProject *self)
{
  self->fields = g_ptr_array_new_with_free_func (g_object_unref);
  self->fields_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  self->transitions = g_ptr_array_new_with_free_func (g_object_unref);
  self->state_rules = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify)g_hash_table_unref);
}

static TsField *
lookup_field_cb (gpointer    user_data,
                 const char *name)
{
  TsProject *self = user_data;

  return g_hash_table_lookup (self->fields_by_name, name);
}

static void
read_format_version (TsDiagnostics *diagnostics,
                     JsonObject    *root)
{
  JsonNode *node = json_object_get_member (root, "tasksteper");

  if (node == NULL)
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, "$.tasksteper",
                          _("“tasksteper” is missing: add \"tasksteper\": %d to say which format version the file is written in"),
                          TS_PROJECT_FORMAT_VERSION);
      return;
    }

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, "$.tasksteper",
                          _("“tasksteper” must be the number %d, not %s"),
                          TS_PROJECT_FORMAT_VERSION, _ts_json_type_name (node));
      return;
    }

  if (json_node_get_int (node) != TS_PROJECT_FORMAT_VERSION)
    ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, "$.tasksteper",
                        _("the file is written in format version %" PRId64 "; this version of TaskSteper reads version %d"),
                        json_node_get_int (node), TS_PROJECT_FORMAT_VERSION);
}

static gboolean
is_valid_key_prefix (const char *prefix)
{
  if (!g_ascii_isalpha (*prefix) || strlen (prefix) > MAX_KEY_PREFIX_LENGTH)
    return FALSE;
  for (const char *p = prefix; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_')
      return FALSE;
  return TRUE;
}

static JsonArray *
read_array (TsDiagnostics *diagnostics,
            JsonObject    *root,
            const char    *key,
            const char    *example)
{
  g_autofree char *path = _ts_path_member ("$", key);
  JsonNode *node = json_object_get_member (root, key);

  if (node == NULL)
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                          _("“%s” is missing: add it as a list, e.g. %s"), key, example);
      return NULL;
    }

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                          _("“%s” must be a list, not %s"), key, _ts_json_type_name (node));
      return NULL;
    }

  return json_node_get_array (node);
}

static gboolean
read_states (TsProject     *self,
             TsDiagnostics *diagnostics,
             JsonObject    *root)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *array = read_array (diagnostics, root, "states", "[\"维护人员处理\", \"关闭\"]");

  if (array != NULL && json_array_get_length (array) == 0)
    ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, "$.states",
                        _("“states” is empty: list the steps of the workflow, the first being where a new ticket starts"));

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      g_autofree char *path = _ts_path_index ("$.states", i);
      const char *state;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        {
          ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                              _("a state must be a name (a string), not %s"), _ts_json_type_name (node));
          continue;
        }

      state = json_node_get_string (node);
      if (ts_value_is_empty (node))
        ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                            _("a state name cannot be blank"));
      else if (g_utf8_strlen (state, -1) > MAX_STATE_LENGTH)
        ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                            _("a state name may have at most %u characters"), MAX_STATE_LENGTH);
      else if (!g_hash_table_add (seen, (gpointer)state))
        ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                            _("the state “%s” is listed twice: remove one"), state);
      else
        g_strv_builder_add (builder, state);
    }

  self->states = g_strv_builder_end (builder);

  return self->states[0] != NULL;
}

/* Remembers the name and label of a field that could not be read. */
static void
remember_broken_field (GHashTable *broken,
                       JsonNode   *node)
{
  static const char * const keys[] = { "name", "label" };

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return;

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      JsonNode *member = json_object_get_member (json_node_get_object (node), keys[i]);

      if (member != NULL && JSON_NODE_HOLDS_VALUE (member) &&
          json_node_get_value_type (member) == G_TYPE_STRING)
        g_hash_table_add (broken, g_strdup (json_node_get_string (member)));
    }
}

/* Returns FALSE when "fields" as a whole is unusable. */
static gboolean
read_fields (TsProject     *self,
             TsDiagnostics *diagnostics,
             JsonObject    *root,
             GHashTable    *broken,
             GHashTable    *where)
{
  JsonArray *array = read_array (diagnostics, root, "fields",
                                 "[{\"name\": \"summary\", \"label\": \"概要\", \"type\": \"string\"}]");

  if (array != NULL && json_array_get_length (array) == 0)
    ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, "$.fields",
                        _("“fields” is empty: a ticket needs at least a summary field"));

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      g_autofree char *path = _ts_path_index ("$.fields", i);
      g_autoptr(TsField) field = _ts_field_new_from_json (json_array_get_element (array, i),
                                                         path, diagnostics);
      const char *earlier;

      if (field == NULL)
        {
          remember_broken_field (broken, json_array_get_element (array, i));
          continue;
        }

      if ((earlier = g_hash_table_lookup (where, ts_field_get_name (field))) != NULL)
        {
          g_autofree char *name_path = _ts_path_member (path, "name");

          ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, name_path,
                              _("the field name “%s” is already used by %s: field names must be unique"),
                              ts_field_get_name (field), earlier);
          continue;
        }

      g_hash_table_insert (where, (gpointer)ts_field_get_name (field), g_steal_pointer (&path));
      g_hash_table_insert (self->fields_by_name, (gpointer)ts_field_get_name (field), field);
      g_ptr_array_add (self->fields, g_steal_pointer (&field));
    }

  return array != NULL && json_array_get_length (array) > 0;
}

static TsField *
read_field_reference (TsProject           *self,
                      TsDiagnostics       *diagnostics,
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

  if ((field = g_hash_table_lookup (self->fields_by_name, json_node_get_string (node))) == NULL)
    _ts_report_unknown_field (diagnostics, path, scope, json_node_get_string (node), what);

  return field;
}

static void
read_summary_and_columns (TsProject           *self,
                          TsDiagnostics       *diagnostics,
                          const TsSchemaScope *scope,
                          JsonObject          *root)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonNode *node;

  if ((node = json_object_get_member (root, "summary_field")) != NULL)
    {
      TsField *field = read_field_reference (self, diagnostics, "$.summary_field", scope, node,
                                             _("“summary_field”"));

      if (field != NULL && ts_field_get_field_type (field) == TS_FIELD_BOOLEAN)
        ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, "$.summary_field",
                            _("“summary_field” names a boolean field; a summary should be text: name a string field"));
      else if (field != NULL)
        self->summary_field = g_strdup (ts_field_get_name (field));
    }
  else
    {
      for (guint i = 0; i < self->fields->len && self->summary_field == NULL; i++)
        if (ts_field_get_field_type (g_ptr_array_index (self->fields, i)) == TS_FIELD_STRING)
          self->summary_field = g_strdup (ts_field_get_name (g_ptr_array_index (self->fields, i)));

      if (self->summary_field == NULL && self->fields->len > 0 &&
          g_hash_table_size (scope->broken_fields) == 0)
        ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, "$.fields",
                            _("no string field to show as the ticket’s summary: add one, or name a field in “summary_field”"));
    }

  if ((node = json_object_get_member (root, "list_columns")) != NULL)
    {
      g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

      if (!JSON_NODE_HOLDS_ARRAY (node))
        ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, "$.list_columns",
                            _("“list_columns” must be a list of field names, not %s"), _ts_json_type_name (node));

      for (guint i = 0; JSON_NODE_HOLDS_ARRAY (node) && i < json_array_get_length (json_node_get_array (node)); i++)
        {
          g_autofree char *path = _ts_path_index ("$.list_columns", i);
          TsField *field = read_field_reference (self, diagnostics, path, scope,
                                                 json_array_get_element (json_node_get_array (node), i),
                                                 _("“list_columns”"));

          if (field == NULL)
            continue;
          if (!g_hash_table_add (seen, (gpointer)ts_field_get_name (field)))
            ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                                _("the column “%s” is listed twice: remove one"), ts_field_get_name (field));
          else
            g_strv_builder_add (builder, ts_field_get_name (field));
        }
    }

  self->list_columns = g_strv_builder_end (builder);
}

static void
read_transitions (TsProject           *self,
                  TsDiagnostics       *diagnostics,
                  const TsSchemaScope *scope,
                  JsonObject          *root)
{
  /* "state\x1ftrigger" → the path of the transition that has it. */
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  JsonArray *array = read_array (diagnostics, root, "transitions",
                                 "[{\"source\": \"维护人员处理\", \"trigger\": \"提交审核\", \"dest\": \"维护代表审核\"}]");

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      g_autofree char *path = _ts_path_index ("$.transitions", i);
      g_autoptr(TsTransition) transition = _ts_transition_new_from_json (json_array_get_element (array, i),
                                                                        path, scope, diagnostics);
      const char * const *sources;
      gboolean duplicate = FALSE;

      if (transition == NULL)
        continue;

      sources = ts_transition_get_sources (transition);
      for (guint s = 0; sources[s]; s++)
        {
          g_autofree char *pair = g_strdup_printf ("%s\x1f%s", sources[s], ts_transition_get_trigger (transition));
          const char *earlier = g_hash_table_lookup (seen, pair);

          if (earlier != NULL)
            {
              g_autofree char *trigger_path = _ts_path_member (path, "trigger");

              ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, trigger_path,
                                  _("the trigger “%s” from “%s” is already defined by %s: the buttons of one state must differ"),
                                  ts_transition_get_trigger (transition), sources[s], earlier);
              duplicate = TRUE;
            }
          else
            {
              g_hash_table_insert (seen, g_steal_pointer (&pair), g_strdup (path));
            }
        }

      if (!duplicate)
        g_ptr_array_add (self->transitions, g_steal_pointer (&transition));
    }
}

static guint
state_index (TsProject  *self,
             const char *state)
{
  for (guint i = 0; self->states[i]; i++)
    if (g_str_equal (self->states[i], state))
      return i;
  g_return_val_if_reached (0);
}

/* Reachability over the transition graph: errors for states no ticket can
 * ever reach, warnings for the shapes that trap tickets. */
static void
check_graph (TsProject     *self,
             TsDiagnostics *diagnostics)
{
  guint n = g_strv_length (self->states);
  g_autofree gboolean *reached = g_new0 (gboolean, n);
  g_autofree gboolean *finishes = g_new0 (gboolean, n);
  g_autofree guint *queue = g_new (guint, n);
  guint head = 0, tail = 0;
  gboolean any_final = FALSE;
  gboolean changed;

  if (n == 0)
    return;

  /* Forward from the initial state. */
  reached[0] = TRUE;
  queue[tail++] = 0;
  while (head < tail)
    {
      guint from = queue[head++];

      for (guint t = 0; t < self->transitions->len; t++)
        {
          TsTransition *transition = g_ptr_array_index (self->transitions, t);
          guint to = state_index (self, ts_transition_get_dest (transition));

          if (ts_transition_has_source (transition, self->states[from]) && !reached[to])
            {
              reached[to] = TRUE;
              queue[tail++] = to;
            }
        }
    }

  for (guint i = 1; i < n; i++)
    {
      if (!reached[i])
        {
          g_autofree char *path = _ts_path_index ("$.states", i);

          ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, path,
                              _("no transition leads to “%s” from the initial state “%s”: add a transition whose “dest” is “%s”, or remove the state"),
                              self->states[i], self->states[0], self->states[i]);
        }
    }

  /* Backward from the final states. */
  for (guint i = 0; i < n; i++)
    {
      finishes[i] = ts_project_is_final_state (self, self->states[i]);
      any_final |= finishes[i];
    }

  if (!any_final)
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_WARNING, "$.states",
                          _("every state has a transition out, so no ticket is ever finished: if tickets should end, add a final state that no transition leaves"));
      return;
    }

  do
    {
      changed = FALSE;
      for (guint t = 0; t < self->transitions->len; t++)
        {
          TsTransition *transition = g_ptr_array_index (self->transitions, t);
          const char * const *sources = ts_transition_get_sources (transition);

          if (!finishes[state_index (self, ts_transition_get_dest (transition))])
            continue;
          for (guint s = 0; sources[s]; s++)
            {
              guint from = state_index (self, sources[s]);

              if (!finishes[from])
                finishes[from] = changed = TRUE;
            }
        }
    }
  while (changed);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = _ts_path_index ("$.states", i);

      if (reached[i] && !finishes[i])
        ts_diagnostics_add (diagnostics, TS_SEVERITY_WARNING, path,
                            _("a ticket in “%s” can never reach a final state: its transitions only lead back among the same states"),
                            self->states[i]);

      if (i + 1 < n && ts_project_is_final_state (self, self->states[i]) &&
          !ts_project_is_final_state (self, self->states[i + 1]))
        ts_diagnostics_add (diagnostics, TS_SEVERITY_WARNING, path,
                            _("no transition leaves “%s”, so tickets stop there, yet it is listed before states that go on: add its transitions, or list the final states last"),
                            self->states[i]);
    }
}

/* The parent "depends_on" names must be another choice field; the keys of
 * "choices" its choices; the default one allowed with the parent's
 * default; and following depends_on must never come back. */
static void
check_dependencies (TsProject           *self,
                    TsDiagnostics       *diagnostics,
                    const TsSchemaScope *scope,
                    GHashTable          *field_paths)
{
  for (guint i = 0; i < self->fields->len; i++)
    {
      TsField *field = g_ptr_array_index (self->fields, i);
      const char *name = ts_field_get_name (field);
      const char *parent_name = ts_field_get_depends_on (field);
      const char *path = g_hash_table_lookup (field_paths, name);
      g_autofree char *depends_path = NULL;
      g_autofree char *choices_path = NULL;
      const char * const *keys;
      gboolean keys_ok;
      TsField *parent;

      if (parent_name == NULL || path == NULL)
        continue;

      depends_path = _ts_path_member (path, "depends_on");
      choices_path = _ts_path_member (path, "choices");

      if (g_str_equal (parent_name, name))
        {
          ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, depends_path,
                              _("“%s” depends on itself: name another choice field in “depends_on”, or remove it"),
                              name);
          continue;
        }

      if ((parent = g_hash_table_lookup (self->fields_by_name, parent_name)) == NULL)
        {
          if (ts_is_system_field (parent_name))
            ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, depends_path,
                                _("“depends_on” names the system field “%s”: a field can only depend on a choice field of the project"),
                                parent_name);
          else
            _ts_report_unknown_field (diagnostics, depends_path, scope, parent_name, _("“depends_on”"));
          continue;
        }

      if (ts_field_get_field_type (parent) != TS_FIELD_CHOICE)
        {
          ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, depends_path,
                              _("“depends_on” names “%s” (%s), a %s field: a field can only depend on a choice field"),
                              parent_name, ts_field_get_label (parent),
                              ts_field_type_to_string (ts_field_get_field_type (parent)));
          continue;
        }

      /* A cycle is reported at the first of its fields only. */
      {
        g_autoptr(GHashTable) visited = g_hash_table_new (g_str_hash, g_str_equal);
        g_autoptr(GString) chain = g_string_new (name);
        TsField *step = parent;
        gboolean cycle = FALSE;
        gboolean first = TRUE;

        g_hash_table_add (visited, (gpointer)name);
        while (step != NULL)
          {
            const char *step_name = ts_field_get_name (step);

            g_string_append_printf (chain, " → %s", step_name);
            if (g_str_equal (step_name, name))
              {
                cycle = TRUE;
                break;
              }
            if (!g_hash_table_add (visited, (gpointer)step_name))
              break;  /* a cycle further on, reported at its own fields */
            for (guint j = 0; j < i; j++)
              if (g_ptr_array_index (self->fields, j) == step)
                first = FALSE;
            step = ts_field_get_depends_on (step) != NULL
                   ? g_hash_table_lookup (self->fields_by_name, ts_field_get_depends_on (step))
                   : NULL;
          }

        if (cycle)
          {
            if (first)
              ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, depends_path,
                                  _("“depends_on” goes round in a circle (%s): one of these fields must not depend on another"),
                                  chain->str);
            continue;
          }
      }

      keys = _ts_field_get_parent_values (field);
      keys_ok = TRUE;
      for (guint k = 0; keys != NULL && keys[k]; k++)
        {
          const char * const *parent_choices = ts_field_get_choices (parent);

          if (!g_strv_contains (parent_choices, keys[k]))
            {
              g_autofree char *key_path = _ts_path_member (choices_path, keys[k]);
              const char *suggestion = _ts_suggest (keys[k], parent_choices);
              g_autofree char *list = g_strjoinv ("、", (char **)parent_choices);

              if (suggestion != NULL)
                ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, key_path,
                                    _("“%s” is not a choice of “%s” (%s): did you mean “%s”?"),
                                    keys[k], ts_field_get_label (parent), parent_name, suggestion);
              else
                ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, key_path,
                                    _("“%s” is not a choice of “%s” (%s): the keys of “choices” must be among %s"),
                                    keys[k], ts_field_get_label (parent), parent_name, list);
              keys_ok = FALSE;
            }
        }
      if (keys_ok)
        _ts_field_order_choices_by (field, ts_field_get_choices (parent));

      if (ts_field_get_default (field) != NULL && !ts_value_is_empty (ts_field_get_default (field)))
        {
          JsonNode *parent_default = ts_field_get_default (parent);
          const char *parent_value = parent_default != NULL && !ts_value_is_empty (parent_default)
                                     ? json_node_get_string (parent_default) : NULL;
          const char *value = json_node_get_string (ts_field_get_default (field));
          g_autofree char *default_path = _ts_path_member (path, "default");

          if (parent_value == NULL)
            ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, default_path,
                                _("the default “%s” cannot be chosen while “%s” is empty, as it is in a new ticket: give “%s” a default too, or remove this one"),
                                value, ts_field_get_label (parent), parent_name);
          else if (!g_strv_contains (ts_field_get_choices_for (field, parent_value), value))
            ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, default_path,
                                _("the default “%s” is not allowed with “%s”, the default of “%s”: list it under “%s” in “choices”, or change the default"),
                                value, parent_value, ts_field_get_label (parent), parent_value);
        }
    }
}

static const char * const state_rule_names[] = { "readonly", "required", "hidden", NULL };

/* "state_rules": { state: { field: "readonly" | "required" | "hidden" } } */
static void
read_state_rules (TsProject           *self,
                  TsDiagnostics       *diagnostics,
                  const TsSchemaScope *scope,
                  JsonObject          *root)
{
  JsonNode *node = json_object_get_member (root, "state_rules");
  JsonObjectIter iter;
  const char *state;
  JsonNode *rules;

  if (node == NULL)
    return;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, "$.state_rules",
                          _("“state_rules” must be an object such as {\"维护代表审核\": {\"issue_se\": \"required\"}}, not %s"),
                          _ts_json_type_name (node));
      return;
    }

  json_object_iter_init_ordered (&iter, json_node_get_object (node));
  while (json_object_iter_next_ordered (&iter, &state, &rules))
    {
      g_autofree char *state_path = _ts_path_member ("$.state_rules", state);
      GHashTable *table = NULL;
      JsonObjectIter field_iter;
      const char *name;
      JsonNode *rule_node;

      if (!g_strv_contains ((const char * const *)self->states, state))
        {
          if (!scope->states_unusable)
            {
              const char *suggestion = _ts_suggest (state, (const char * const *)self->states);
              g_autofree char *list = g_strjoinv ("、", self->states);

              if (suggestion != NULL)
                ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, state_path,
                                    _("“state_rules” names the state “%s”, which is not a state of this project: did you mean “%s”?"),
                                    state, suggestion);
              else
                ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, state_path,
                                    _("“state_rules” names the state “%s”, which is not a state of this project: use one of %s"),
                                    state, list);
            }
        }
      else
        {
          table = g_hash_table_new (g_str_hash, g_str_equal);
          g_hash_table_insert (self->state_rules, g_strdup (state), table);
        }

      if (!JSON_NODE_HOLDS_OBJECT (rules))
        {
          ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, state_path,
                              _("the rules of a state must be an object of field names and “readonly”, “required” or “hidden”, not %s"),
                              _ts_json_type_name (rules));
          continue;
        }

      json_object_iter_init_ordered (&field_iter, json_node_get_object (rules));
      while (json_object_iter_next_ordered (&field_iter, &name, &rule_node))
        {
          g_autofree char *field_path = _ts_path_member (state_path, name);
          TsField *field = NULL;
          const char *rule;
          const char *suggestion;
          guint r;

          if (ts_is_system_field (name))
            ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, field_path,
                                _("“%s” is a system field, which only transitions change: state rules apply to the project’s own fields"),
                                name);
          else if ((field = g_hash_table_lookup (self->fields_by_name, name)) == NULL)
            _ts_report_unknown_field (diagnostics, field_path, scope, name, _("“state_rules”"));

          if (!JSON_NODE_HOLDS_VALUE (rule_node) || json_node_get_value_type (rule_node) != G_TYPE_STRING)
            {
              ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, field_path,
                                  _("a state rule must be “readonly”, “required” or “hidden”, not %s"),
                                  _ts_json_type_name (rule_node));
              continue;
            }

          rule = json_node_get_string (rule_node);
          for (r = 0; state_rule_names[r]; r++)
            if (g_str_equal (rule, state_rule_names[r]))
              break;

          if (state_rule_names[r] == NULL)
            {
              suggestion = _ts_suggest (rule, state_rule_names);
              if (suggestion != NULL)
                ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, field_path,
                                    _("unknown state rule “%s”: did you mean “%s”?"), rule, suggestion);
              else
                ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, field_path,
                                    _("unknown state rule “%s”: use “readonly”, “required” or “hidden”"), rule);
              continue;
            }

          if (field != NULL && table != NULL)
            g_hash_table_insert (table, (gpointer)ts_field_get_name (field),
                                 GINT_TO_POINTER (TS_STATE_RULE_READONLY + r));
        }
    }
}

static GStrv
collect_names (TsProject *self,
               gboolean   labels)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < self->fields->len; i++)
    {
      TsField *field = g_ptr_array_index (self->fields, i);

      g_strv_builder_add (builder, labels ? ts_field_get_label (field) : ts_field_get_name (field));
    }

  for (guint i = 0; system_aliases[i]; i += 2)
    g_strv_builder_add (builder, system_aliases[i + (labels ? 1 : 0)]);

  return g_strv_builder_end (builder);
}

TsProject *
ts_project_new_from_data (const char    *data,
                          gssize         length,
                          TsDiagnostics *diagnostics)
{
  g_autoptr(TsProject) self = NULL;
  g_autoptr(GHashTable) locations = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) field_names = NULL;
  g_auto(GStrv) labels = NULL;
  g_autoptr(GHashTable) broken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* field name → its JSON path ("$.fields[3]") */
  g_autoptr(GHashTable) field_paths = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  TsSchemaScope scope = { 0 };
  JsonObject *root;
  const char *str;
  guint errors_before;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (TS_IS_DIAGNOSTICS (diagnostics), NULL);

  errors_before = ts_diagnostics_get_n_errors (diagnostics);

  if (length < 0)
    length = strlen (data);

  if (length > TS_PROJECT_MAX_FILE_SIZE)
    {
      g_autofree char *size = g_format_size (length);
      g_autofree char *limit = g_format_size (TS_PROJECT_MAX_FILE_SIZE);

      ts_diagnostics_add_at (diagnostics, TS_SEVERITY_ERROR, 0, 0,
                             _("the file is %s; a project schema may be at most %s: is this the right file?"),
                             size, limit);
      return NULL;
    }

  if ((locations = _ts_json_locate (data, length, diagnostics)) == NULL)
    return NULL;
  _ts_diagnostics_set_locations (diagnostics, locations);

  /* The scanner has accepted the text, so json-glib will too; a byte order
   * mark is the one thing it would not take. */
  if (length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    {
      data += 3;
      length -= 3;
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, length, &error))
    {
      ts_diagnostics_add_at (diagnostics, TS_SEVERITY_ERROR, 0, 0,
                             _("the file could not be read as JSON: %s"), error->message);
      return NULL;
    }

  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, "$",
                          _("a project schema is a JSON object {…}, not %s: see schemas/issue_track.json"),
                          _ts_json_type_name (json_parser_get_root (parser)));
      return NULL;
    }

  self = g_object_new (TS_TYPE_PROJECT, NULL);
  self->definition = json_node_copy (json_parser_get_root (parser));
  root = json_node_get_object (self->definition);

  _ts_check_members (diagnostics, "$", root, top_level_keys, _("a project schema"));
  read_format_version (diagnostics, root);

  if ((str = _ts_read_string (diagnostics, "$", root, "name", TRUE, TRUE)) != NULL)
    {
      if (!_ts_is_identifier (str))
        ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, "$.name",
                            _("the project name “%s” is not valid: use lower-case ASCII letters, digits and “_”, starting with a letter, at most 63 bytes (put other text in “title”)"),
                            str);
      self->name = g_strdup (str);
    }

  self->title = g_strdup (_ts_read_string (diagnostics, "$", root, "title", TRUE, TRUE));
  self->description = g_strdup (_ts_read_string (diagnostics, "$", root, "description", FALSE, FALSE));

  if ((str = _ts_read_string (diagnostics, "$", root, "key_prefix", FALSE, TRUE)) != NULL &&
      !is_valid_key_prefix (str))
    ts_diagnostics_add (diagnostics, TS_SEVERITY_ERROR, "$.key_prefix",
                        _("the key prefix “%s” is not valid: use ASCII letters, digits and “_”, starting with a letter, at most %u characters"),
                        str, MAX_KEY_PREFIX_LENGTH);
  self->key_prefix = g_strdup (str ? str : self->name);

  scope.states_unusable = !read_states (self, diagnostics, root);
  scope.fields_unusable = !read_fields (self, diagnostics, root, broken, field_paths);
  scope.broken_fields = broken;

  field_names = collect_names (self, FALSE);
  labels = collect_names (self, TRUE);
  scope.lookup = lookup_field_cb;
  scope.user_data = self;
  scope.field_names = (const char * const *)field_names;
  scope.labels = (const char * const *)labels;
  scope.states = (const char * const *)self->states;

  read_summary_and_columns (self, diagnostics, &scope, root);
  check_dependencies (self, diagnostics, &scope, field_paths);
  read_transitions (self, diagnostics, &scope, root);
  read_state_rules (self, diagnostics, &scope, root);

  /* The graph is only meaningful once every state and transition is. */
  if (ts_diagnostics_get_n_errors (diagnostics) == errors_before)
    check_graph (self, diagnostics);

  if (ts_diagnostics_get_n_errors (diagnostics) > errors_before)
    return NULL;

  return g_steal_pointer (&self);
}

TsProject *
ts_project_new_from_file (const char    *path,
                          TsDiagnostics *diagnostics)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (TS_IS_DIAGNOSTICS (diagnostics), NULL);

  /* Ask the size first: a schema path pointing at a disk image or a
   * device must be refused without reading it. */
  file = g_file_new_for_commandline_arg (path);
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                            G_FILE_QUERY_INFO_NONE, NULL, &error);
  if (info == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        ts_diagnostics_add_at (diagnostics, TS_SEVERITY_ERROR, 0, 0,
                               _("cannot read the file: it does not exist; check the path"));
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
        ts_diagnostics_add_at (diagnostics, TS_SEVERITY_ERROR, 0, 0,
                               _("cannot read the file: permission denied"));
      else
        ts_diagnostics_add_at (diagnostics, TS_SEVERITY_ERROR, 0, 0,
                               _("cannot read the file: %s"), error->message);
      return NULL;
    }

  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      ts_diagnostics_add_at (diagnostics, TS_SEVERITY_ERROR, 0, 0,
                             _("not a regular file: give the path of a .json project schema"));
      return NULL;
    }

  if (g_file_info_get_size (info) > TS_PROJECT_MAX_FILE_SIZE)
    {
      g_autofree char *size = g_format_size (g_file_info_get_size (info));
      g_autofree char *limit = g_format_size (TS_PROJECT_MAX_FILE_SIZE);

      ts_diagnostics_add_at (diagnostics, TS_SEVERITY_ERROR, 0, 0,
                             _("the file is %s; a project schema may be at most %s: is this the right file?"),
                             size, limit);
      return NULL;
    }

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      ts_diagnostics_add_at (diagnostics, TS_SEVERITY_ERROR, 0, 0,
                             _("cannot read the file: %s"), error->message);
      return NULL;
    }

  return ts_project_new_from_data (contents, length, diagnostics);
}

const char *
ts_project_get_name (TsProject *self)
{
  g_return_val_if_fail (TS_IS_PROJECT (self), NULL);
  return self->name;
}

const char *
ts_project_get_title (TsProject *self)
{
  g_return_val_if_fail (TS_IS_PROJECT (self), NULL);
  return self->title;
}

const char *
ts_project_get_description (TsProject *self)
{
  g_return_val_if_fail (TS_IS_PROJECT (self), NULL);
  return self->description;
}

const char *
ts_project_get_key_prefix (TsProject *self)
{
  g_return_val_if_fail (TS_IS_PROJECT (self), NULL);
  return self->key_prefix;
}

const char *
ts_project_get_summary_field (TsProject *self)
{
  g_return_val_if_fail (TS_IS_PROJECT (self), NULL);
  return self->summary_field;
}

const char * const *
ts_project_get_list_columns (TsProject *self)
{
  g_return_val_if_fail (TS_IS_PROJECT (self), NULL);
  return (const char * const *)self->list_columns;
}

JsonNode *
ts_project_get_definition (TsProject *self)
{
  g_return_val_if_fail (TS_IS_PROJECT (self), NULL);
  return self->definition;
}

guint
ts_project_get_n_fields (TsProject *self)
{
  g_return_val_if_fail (TS_IS_PROJECT (self), 0);
  return self->fields->len;
}

TsField *
ts_project_get_field (TsProject *self,
                      guint      position)
{
  g_return_val_if_fail (TS_IS_PROJECT (self), NULL);
  g_return_val_if_fail (position < self->fields->len, NULL);
  return g_ptr_array_index (self->fields, position);
}

TsField *
ts_project_lookup_field (TsProject  *self,
                         const char *name)
{
  g_return_val_if_fail (TS_IS_PROJECT (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return g_hash_table_lookup (self->fields_by_name, name);
}

const char * const *
ts_project_get_states (TsProject *self)
{
  g_return_val_if_fail (TS_IS_PROJECT (self), NULL);
  return (const char * const *)self->states;
}

const char *
ts_project_get_initial_state (TsProject *self)
{
  g_return_val_if_fail (TS_IS_PROJECT (self), NULL);
  return self->states[0];
}

gboolean
ts_project_has_state (TsProject  *self,
                      const char *state)
{
  g_return_val_if_fail (TS_IS_PROJECT (self), FALSE);
  return state != NULL && g_strv_contains ((const char * const *)self->states, state);
}

gboolean
ts_project_is_final_state (TsProject  *self,
                           const char *state)
{
  g_return_val_if_fail (TS_IS_PROJECT (self), FALSE);

  if (!ts_project_has_state (self, state))
    return FALSE;

  for (guint i = 0; i < self->transitions->len; i++)
    if (ts_transition_has_source (g_ptr_array_index (self->transitions, i), state))
      return FALSE;

  return TRUE;
}

guint
ts_project_get_n_transitions (TsProject *self)
{
  g_return_val_if_fail (TS_IS_PROJECT (self), 0);
  return self->transitions->len;
}

TsTransition *
ts_project_get_transition (TsProject *self,
                           guint      position)
{
  g_return_val_if_fail (TS_IS_PROJECT (self), NULL);
  g_return_val_if_fail (position < self->transitions->len, NULL);
  return g_ptr_array_index (self->transitions, position);
}

TsTransition *
ts_project_lookup_transition (TsProject  *self,
                              const char *state,
                              const char *trigger)
{
  g_return_val_if_fail (TS_IS_PROJECT (self), NULL);

  for (guint i = 0; i < self->transitions->len; i++)
    {
      TsTransition *transition = g_ptr_array_index (self->transitions, i);

      if (ts_transition_has_source (transition, state) &&
          g_strcmp0 (ts_transition_get_trigger (transition), trigger) == 0)
        return transition;
    }

  return NULL;
}

/**
 * ts_project_dup_initial_values:
 *
 * Returns: (transfer full): field name → initial value, for a new ticket
 */
JsonObject *
ts_project_dup_initial_values (TsProject *self)
{
  JsonObject *values;

  g_return_val_if_fail (TS_IS_PROJECT (self), NULL);

  values = json_object_new ();
  for (guint i = 0; i < self->fields->len; i++)
    {
      TsField *field = g_ptr_array_index (self->fields, i);

      json_object_set_member (values, ts_field_get_name (field), ts_field_dup_initial_value (field));
    }

  return values;
}

TsStateRule
ts_project_get_state_rule (TsProject  *self,
                           const char *state,
                           const char *field)
{
  GHashTable *table;

  g_return_val_if_fail (TS_IS_PROJECT (self), TS_STATE_RULE_NONE);

  if (state == NULL || field == NULL ||
      (table = g_hash_table_lookup (self->state_rules, state)) == NULL)
    return TS_STATE_RULE_NONE;

  return GPOINTER_TO_INT (g_hash_table_lookup (table, field));
}

const char *
ts_project_get_label_for (TsProject  *self,
                          const char *name)
{
  TsField *field;

  g_return_val_if_fail (TS_IS_PROJECT (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if ((field = ts_project_lookup_field (self, name)) != NULL)
    return ts_field_get_label (field);

  /* The seed's names for the system fields; zh_CN shows them as the seed
   * did (ID, 当前状态, 当前处理人, 创建人). */
  if (g_str_equal (name, "key"))
    return _("ID");
  if (g_str_equal (name, "state"))
    return _("State");
  if (g_str_equal (name, "assigned_to"))
    return _("Assignee");
  if (g_str_equal (name, "created_by"))
    return _("Reporter");
  if (g_str_equal (name, "created_at"))
    return _("Created");
  if (g_str_equal (name, "updated_at"))
    return _("Updated");

  return name;
}
