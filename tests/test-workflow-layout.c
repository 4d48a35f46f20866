/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Tests of the workflow picture's layout (src/core/ts-workflow-layout.c):
 * every example project laid out by Graphviz's dot through libgvc, with
 * the label sizes a measure function gives, read back in screen
 * coordinates. */

#include <locale.h>
#include <math.h>
#include <string.h>

#include "tasksteper-core.h"
#include "ts-workflow-layout.h"

/* Helpers {{{1 */

/* A stand-in for Pango: 7 points per narrow character, 14 per wide (CJK)
 * one, 16 points per line; trigger labels a little smaller. */
static void
measure_text (const char         *text,
              TsWorkflowTextKind  kind,
              double             *width,
              double             *height,
              gpointer            user_data)
{
  double scale = kind == TS_WORKFLOW_TEXT_TRIGGER ? 0.8 : 1.0;
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint *calls = user_data;
  double widest = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      double line = 0;

      for (const char *p = lines[i]; *p != '\0'; p = g_utf8_next_char (p))
        line += g_unichar_iswide (g_utf8_get_char (p)) ? 14 : 7;
      widest = MAX (widest, line);
    }

  *width = widest * scale;
  *height = 16 * scale * g_strv_length (lines);
  if (calls != NULL)
    (*calls)++;
}

static char *
schemas_dir (void)
{
  const char *dir = g_getenv ("TS_SCHEMAS_DIR");

  if (dir != NULL)
    return g_strdup (dir);

  return g_test_build_filename (G_TEST_DIST, "..", "schemas", NULL);
}

static TsProject *
load_project_file (const char *path)
{
  g_autoptr(TsDiagnostics) diagnostics = ts_diagnostics_new (path);
  TsProject *project = ts_project_new_from_file (path, diagnostics);

  g_assert_cmpuint (ts_diagnostics_get_n_errors (diagnostics), ==, 0);
  g_assert_nonnull (project);

  return project;
}

static TsProject *
load_example (const char *name)
{
  g_autofree char *dir = schemas_dir ();
  g_autofree char *path = g_build_filename (dir, name, NULL);

  return load_project_file (path);
}

static TsWorkflowLayout *
lay_out (TsProject *project)
{
  g_autoptr(GError) error = NULL;
  TsWorkflowLayout *layout;

  layout = ts_workflow_layout_new (project, measure_text, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (layout);

  return layout;
}

static gboolean
inside (const TsWorkflowNode *node,
        TsWorkflowPoint       point,
        double                slack)
{
  return fabs (point.x - node->centre.x) <= node->width / 2 + slack &&
         fabs (point.y - node->centre.y) <= node->height / 2 + slack;
}

/* On the box's outline, give or take the arrow's and the line's width. */
static gboolean
on_border (const TsWorkflowNode *node,
           TsWorkflowPoint       point)
{
  return inside (node, point, 3) &&
         !inside (node, point, -MIN (node->width, node->height) / 2 + 2);
}

/* Checks everything the view relies on, for any project. */
static void
check_layout (TsProject        *project,
              TsWorkflowLayout *layout)
{
  const char * const *states = ts_project_get_states (project);
  double width = ts_workflow_layout_get_width (layout);
  double height = ts_workflow_layout_get_height (layout);
  guint n_states = g_strv_length ((GStrv)states);
  guint n_transition_edges = 0;
  guint n_start_edges = 0;
  guint expected_edges = 0;

  g_assert_cmpfloat (width, >, 0);
  g_assert_cmpfloat (height, >, 0);

  /* Every state is a node, in schema order after the start dot. */
  g_assert_cmpuint (ts_workflow_layout_get_n_nodes (layout), ==, n_states + 1);
  g_assert_null (ts_workflow_layout_get_node (layout, 0)->state);
  for (guint i = 0; i < n_states; i++)
    {
      const TsWorkflowNode *node = ts_workflow_layout_get_node (layout, i + 1);

      g_assert_cmpstr (node->state, ==, states[i]);
      g_assert_cmpstr (node->label, ==, states[i]);
      g_assert_true (ts_workflow_layout_lookup_node (layout, states[i]) == node);
      g_assert_cmpint (node->initial, ==,
                       g_str_equal (states[i], ts_project_get_initial_state (project)));
      g_assert_cmpint (node->final, ==, ts_project_is_final_state (project, states[i]));
    }

  /* Inside the bounding box, and no two overlap. */
  for (guint i = 0; i < ts_workflow_layout_get_n_nodes (layout); i++)
    {
      const TsWorkflowNode *a = ts_workflow_layout_get_node (layout, i);

      g_assert_cmpfloat (a->centre.x - a->width / 2, >=, -1);
      g_assert_cmpfloat (a->centre.y - a->height / 2, >=, -1);
      g_assert_cmpfloat (a->centre.x + a->width / 2, <=, width + 1);
      g_assert_cmpfloat (a->centre.y + a->height / 2, <=, height + 1);

      for (guint j = i + 1; j < ts_workflow_layout_get_n_nodes (layout); j++)
        {
          const TsWorkflowNode *b = ts_workflow_layout_get_node (layout, j);
          gboolean apart = fabs (a->centre.x - b->centre.x) >= (a->width + b->width) / 2 ||
                           fabs (a->centre.y - b->centre.y) >= (a->height + b->height) / 2;

          if (!apart)
            g_error ("“%s” and “%s” overlap", a->label, b->label);
        }
    }

  for (guint i = 0; i < ts_project_get_n_transitions (project); i++)
    expected_edges += g_strv_length ((GStrv)ts_transition_get_sources (ts_project_get_transition (project, i)));

  /* Every transition (each of its sources) is an edge with the right ends,
   * starting at its source's box and with the arrow at its destination's. */
  for (guint i = 0; i < ts_workflow_layout_get_n_edges (layout); i++)
    {
      const TsWorkflowEdge *edge = ts_workflow_layout_get_edge (layout, i);
      const TsWorkflowNode *to = ts_workflow_layout_lookup_node (layout, edge->to);
      const TsWorkflowNode *from;

      g_assert_nonnull (to);
      g_assert_cmpuint (edge->n_points, >=, 4);
      g_assert_cmpuint ((edge->n_points - 1) % 3, ==, 0);
      g_assert_true (edge->has_arrow);
      g_assert_true (on_border (to, edge->arrow_tip));

      if (edge->trigger == NULL)
        {
          g_assert_cmpint (edge->transition, ==, -1);
          g_assert_null (edge->from);
          g_assert_cmpstr (edge->to, ==, ts_project_get_initial_state (project));
          g_assert_false (edge->has_label);
          from = ts_workflow_layout_get_node (layout, 0);
          n_start_edges++;
        }
      else
        {
          TsTransition *transition = ts_project_get_transition (project, (guint)edge->transition);

          g_assert_cmpstr (edge->trigger, ==, ts_transition_get_trigger (transition));
          g_assert_cmpstr (edge->from, ==, ts_transition_get_sources (transition)[edge->source]);
          g_assert_cmpstr (edge->to, ==, ts_transition_get_dest (transition));
          g_assert_true (g_str_has_prefix (edge->label, edge->trigger));
          g_assert_true (edge->has_label);
          from = ts_workflow_layout_lookup_node (layout, edge->from);
          n_transition_edges++;
        }

      g_assert_nonnull (from);
      g_assert_true (on_border (from, edge->points[0]));
    }

  g_assert_cmpuint (n_start_edges, ==, 1);
  g_assert_cmpuint (n_transition_edges, ==, expected_edges);
}

/* Tests {{{1 */

static void
test_examples (void)
{
  g_autofree char *dir = schemas_dir ();
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  guint n_laid_out = 0;
  const char *name;

  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr(TsProject) project = NULL;
      g_autoptr(TsWorkflowLayout) layout = NULL;

      if (!g_str_has_suffix (name, ".json"))
        continue;

      g_test_message ("%s", name);
      path = g_build_filename (dir, name, NULL);
      project = load_project_file (path);
      layout = lay_out (project);
      check_layout (project, layout);
      n_laid_out++;
    }

  g_assert_cmpuint (n_laid_out, >=, 4);
}

static void
test_self_loop (void)
{
  g_autoptr(TsProject) project = load_example ("issue_track.json");
  g_autoptr(TsWorkflowLayout) layout = lay_out (project);
  const TsWorkflowEdge *loop = NULL;
  const TsWorkflowNode *node;

  for (guint i = 0; i < ts_workflow_layout_get_n_edges (layout); i++)
    if (g_strcmp0 (ts_workflow_layout_get_edge (layout, i)->trigger, "更新进展") == 0)
      loop = ts_workflow_layout_get_edge (layout, i);

  g_assert_nonnull (loop);
  g_assert_cmpstr (loop->from, ==, "维护人员处理");
  g_assert_cmpstr (loop->to, ==, "维护人员处理");
  node = ts_workflow_layout_lookup_node (layout, loop->from);

  /* The loop leaves the box and comes back to it. */
  {
    gboolean outside = FALSE;

    for (guint i = 0; i < loop->n_points; i++)
      outside |= !inside (node, loop->points[i], 1);
    g_assert_true (outside);
  }

  /* Its label is beside the box, not on it. */
  g_assert_true (loop->has_label);
  g_assert_false (inside (node, loop->label_centre, 0));
}

static void
test_measured_sizes (void)
{
  g_autoptr(TsProject) project = load_example ("issue_track.json");
  g_autoptr(GError) error = NULL;
  g_autoptr(TsWorkflowLayout) layout = NULL;
  guint calls = 0;

  layout = ts_workflow_layout_new (project, measure_text, &calls, &error);
  g_assert_no_error (error);
  /* Once per state and once per edge with a label. */
  g_assert_cmpuint (calls, ==, ts_workflow_layout_get_n_nodes (layout) - 1 +
                               ts_workflow_layout_get_n_edges (layout) - 1);

  for (guint i = 1; i < ts_workflow_layout_get_n_nodes (layout); i++)
    {
      const TsWorkflowNode *node = ts_workflow_layout_get_node (layout, i);
      double width, height;

      measure_text (node->label, TS_WORKFLOW_TEXT_STATE, &width, &height, NULL);
      /* The Chinese label's own width, as measured, plus the padding; a
       * final state's second border adds a little. */
      g_assert_cmpfloat (node->width, >=, width + 20);
      g_assert_cmpfloat (node->width, <=, width + (node->final ? 40 : 30));
      g_assert_cmpfloat (node->height, >=, height + 12);
      g_assert_cmpfloat (node->height, <=, height + (node->final ? 30 : 20));
    }

  for (guint i = 0; i < ts_workflow_layout_get_n_edges (layout); i++)
    {
      const TsWorkflowEdge *edge = ts_workflow_layout_get_edge (layout, i);
      double width, height;

      if (edge->trigger == NULL)
        continue;

      measure_text (edge->label, TS_WORKFLOW_TEXT_TRIGGER, &width, &height, NULL);
      g_assert_cmpfloat (fabs (edge->label_width - width), <=, 1.01);
      g_assert_cmpfloat (fabs (edge->label_height - height), <=, 1.01);
      /* Multi-line labels keep their lines. */
      if (strchr (edge->label, '\n') != NULL)
        g_assert_cmpfloat (edge->label_height, >, 16);
    }
}

/* Wider labels make a wider picture. */
static void
test_measure_matters (void)
{
  g_autoptr(TsProject) project = load_example ("issue_track.json");
  g_autoptr(TsWorkflowLayout) layout = lay_out (project);
  const TsWorkflowNode *node = ts_workflow_layout_lookup_node (layout, "维护代表审核");
  double width, height;

  measure_text ("维护代表审核", TS_WORKFLOW_TEXT_STATE, &width, &height, NULL);
  g_assert_cmpfloat (width, ==, 6 * 14);
  g_assert_cmpfloat (node->width, >=, 6 * 14 + 2 * 12 - 0.5);
  g_assert_cmpfloat (node->width, <=, 6 * 14 + 2 * 12 + 0.5);
}

static char *
big_workflow_json (guint n_states)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "tasksteper");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, "big_flow");
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, "大流程");
  json_builder_set_member_name (builder, "key_prefix");
  json_builder_add_string_value (builder, "big");
  json_builder_set_member_name (builder, "summary_field");
  json_builder_add_string_value (builder, "summary");
  json_builder_set_member_name (builder, "fields");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, "summary");
  json_builder_set_member_name (builder, "label");
  json_builder_add_string_value (builder, "概要");
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "string");
  json_builder_end_object (builder);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "states");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_states; i++)
    {
      g_autofree char *state = g_strdup_printf ("第%u步处理", i + 1);

      json_builder_add_string_value (builder, state);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "transitions");
  json_builder_begin_array (builder);
  for (guint i = 0; i + 1 < n_states; i++)
    {
      const struct { guint dest; const char *trigger; } moves[] = {
        { i + 1, "前进" },
        { i >= 3 ? i - 3 : n_states, "退回三步" },
        { i + 5 < n_states ? i + 5 : n_states, "跳过" },
        { i % 7 == 0 ? i : n_states, "更新进展" },
      };

      for (guint k = 0; k < G_N_ELEMENTS (moves); k++)
        {
          g_autofree char *source = g_strdup_printf ("第%u步处理", i + 1);
          g_autofree char *dest = g_strdup_printf ("第%u步处理", moves[k].dest + 1);

          if (moves[k].dest >= n_states)
            continue;

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "source");
          json_builder_add_string_value (builder, source);
          json_builder_set_member_name (builder, "trigger");
          json_builder_add_string_value (builder, moves[k].trigger);
          json_builder_set_member_name (builder, "dest");
          json_builder_add_string_value (builder, dest);
          json_builder_set_member_name (builder, "trans_condition");
          json_builder_begin_object (builder);
          json_builder_end_object (builder);
          json_builder_set_member_name (builder, "trans_action");
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "assign_to");
          json_builder_add_string_value (builder, "created_by");
          json_builder_end_object (builder);
          json_builder_end_object (builder);
        }
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, TRUE);
}

static void
test_big_workflow (void)
{
  g_autofree char *json = big_workflow_json (40);
  g_autoptr(TsDiagnostics) diagnostics = ts_diagnostics_new ("big_flow.json");
  g_autoptr(TsProject) project = ts_project_new_from_data (json, -1, diagnostics);
  g_autoptr(TsWorkflowLayout) layout = NULL;
  gint64 start;
  double seconds;

  if (ts_diagnostics_get_n_errors (diagnostics) > 0)
    {
      g_autofree char *report = ts_diagnostics_to_string (diagnostics);

      g_test_message ("%s", report);
    }
  g_assert_cmpuint (ts_diagnostics_get_n_errors (diagnostics), ==, 0);
  g_assert_cmpuint (g_strv_length ((GStrv)ts_project_get_states (project)), ==, 40);

  start = g_get_monotonic_time ();
  layout = lay_out (project);
  seconds = (g_get_monotonic_time () - start) / (double)G_USEC_PER_SEC;
  g_test_message ("40 states, %u edges laid out in %.3f s (%.0f × %.0f points)",
                  ts_workflow_layout_get_n_edges (layout), seconds,
                  ts_workflow_layout_get_width (layout), ts_workflow_layout_get_height (layout));

  check_layout (project, layout);
  /* Interactive: the editor lays out when its pane opens. */
  g_assert_cmpfloat (seconds, <, 3.0);
}

/* Only the core and dot_layout plugins are in the process: Debian's
 * plugin configuration also lists GTK 2 and GDK plugins, which must never
 * be loaded next to GTK 4. */
static void
test_plugins (void)
{
  g_autoptr(TsProject) project = load_example ("issue_track.json");
  g_autoptr(TsWorkflowLayout) layout = lay_out (project);
  g_autofree char *maps = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents ("/proc/self/maps", &maps, NULL, &error);
  g_assert_no_error (error);

  g_assert_nonnull (strstr (maps, "libgvplugin_dot_layout"));
  g_assert_nonnull (strstr (maps, "libgvplugin_core"));
  g_assert_null (strstr (maps, "libgvplugin_gdk"));
  g_assert_null (strstr (maps, "libgvplugin_gtk"));
  g_assert_null (strstr (maps, "libgvplugin_xlib"));
  g_assert_null (strstr (maps, "libgvplugin_pango"));
  g_assert_null (strstr (maps, "libgtk-x11"));
}

/* Without Graphviz's plugins, the layout fails with a GError saying so;
 * nothing is written to stderr. */
static void
test_no_plugins (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(TsProject) project = load_example ("issue_track.json");
      g_autoptr(GError) error = NULL;
      g_autoptr(TsWorkflowLayout) layout = NULL;

      g_setenv ("TASKSTEPER_GRAPHVIZ_PLUGINDIR", "/nonexistent/graphviz", TRUE);
      layout = ts_workflow_layout_new (project, measure_text, NULL, &error);
      g_assert_null (layout);
      g_assert_error (error, TS_WORKFLOW_LAYOUT_ERROR, TS_WORKFLOW_LAYOUT_ERROR_FAILED);
      g_assert_nonnull (strstr (error->message, "issue_track"));
      g_assert_nonnull (strstr (error->message, "/nonexistent/graphviz"));
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("");
}

/* A layout reports nothing on stderr, and the same project lays out the
 * same way twice. */
static void
test_quiet_and_stable (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(TsProject) project = load_example ("improvement.json");
      g_autoptr(TsWorkflowLayout) first = lay_out (project);
      g_autoptr(TsWorkflowLayout) second = lay_out (project);

      g_assert_cmpfloat (ts_workflow_layout_get_width (first), ==,
                         ts_workflow_layout_get_width (second));
      for (guint i = 0; i < ts_workflow_layout_get_n_nodes (first); i++)
        {
          g_assert_cmpfloat (ts_workflow_layout_get_node (first, i)->centre.x, ==,
                             ts_workflow_layout_get_node (second, i)->centre.x);
          g_assert_cmpfloat (ts_workflow_layout_get_node (first, i)->centre.y, ==,
                             ts_workflow_layout_get_node (second, i)->centre.y);
        }
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("");
  g_test_trap_assert_stdout ("");
}

/* The ids the layout reads do not change what `tasksteper-admin dot`
 * writes. */
static void
test_dot_ids (void)
{
  g_autoptr(TsProject) project = load_example ("issue_track.json");
  g_autofree char *plain = ts_project_to_dot (project, NULL);
  g_autofree char *with_ids = ts_project_to_dot_full (project, NULL, TS_DOT_EDGE_IDS);
  g_autofree char *without = ts_project_to_dot_full (project, NULL, TS_DOT_DEFAULT);

  g_assert_cmpstr (plain, ==, without);
  g_assert_null (strstr (plain, "id=\""));
  g_assert_nonnull (strstr (with_ids, ", id=\"t0.0\"];\n"));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ts/workflow-layout/examples", test_examples);
  g_test_add_func ("/ts/workflow-layout/self-loop", test_self_loop);
  g_test_add_func ("/ts/workflow-layout/measured-sizes", test_measured_sizes);
  g_test_add_func ("/ts/workflow-layout/measure-matters", test_measure_matters);
  g_test_add_func ("/ts/workflow-layout/big", test_big_workflow);
  g_test_add_func ("/ts/workflow-layout/plugins", test_plugins);
  g_test_add_func ("/ts/workflow-layout/no-plugins", test_no_plugins);
  g_test_add_func ("/ts/workflow-layout/quiet", test_quiet_and_stable);
  g_test_add_func ("/ts/workflow-layout/dot-ids", test_dot_ids);

  return g_test_run ();
}
