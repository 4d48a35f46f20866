/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-workflow-layout"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <gmodule.h>

#include <graphviz/gvc.h>

#include "ts-dot.h"
#include "ts-workflow-layout.h"

/* Room around a state's label inside its box, in points. */
#define NODE_PADDING_X 12.0
#define NODE_PADDING_Y 8.0
#define NODE_MIN_WIDTH 48.0
/* Room around a trigger's label, so neighbouring labels do not touch. */
#define EDGE_LABEL_PADDING 3.0

struct _TsWorkflowLayout
{
  GObject    parent_instance;

  TsProject *project;
  double     width;
  double     height;
  GArray    *nodes;   /* TsWorkflowNode */
  GArray    *edges;   /* TsWorkflowEdge */
};

G_DEFINE_FINAL_TYPE (TsWorkflowLayout, ts_workflow_layout, G_TYPE_OBJECT)

G_DEFINE_QUARK (ts-workflow-layout-error-quark, ts_workflow_layout_error)

static void
clear_node (gpointer data)
{
  TsWorkflowNode *node = data;

  g_clear_pointer (&node->state, g_free);
  g_clear_pointer (&node->label, g_free);
}

static void
clear_edge (gpointer data)
{
  TsWorkflowEdge *edge = data;

  g_clear_pointer (&edge->trigger, g_free);
  g_clear_pointer (&edge->label, g_free);
  g_clear_pointer (&edge->from, g_free);
  g_clear_pointer (&edge->to, g_free);
  g_clear_pointer (&edge->points, g_free);
}

static void
ts_workflow_layout_finalize (GObject *object)
{
  TsWorkflowLayout *self = TS_WORKFLOW_LAYOUT (object);

  g_clear_object (&self->project);
  g_clear_pointer (&self->nodes, g_array_unref);
  g_clear_pointer (&self->edges, g_array_unref);

  G_OBJECT_CLASS (ts_workflow_layout_parent_class)->finalize (object);
}

static void
ts_workflow_layout_class_init (TsWorkflowLayoutClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ts_workflow_layout_finalize;
}

static void
ts_workflow_layout_init (TsWorkflowLayout *self)
{
  self->nodes = g_array_new (FALSE, TRUE, sizeof (TsWorkflowNode));
  g_array_set_clear_func (self->nodes, clear_node);
  self->edges = g_array_new (FALSE, TRUE, sizeof (TsWorkflowEdge));
  g_array_set_clear_func (self->edges, clear_edge);
}

/* ---- Graphviz ---- */

/* The plugins we hand to libgvc.  gvContext() would read the plugin
 * configuration (config6a), which on Debian also lists the GTK 2 and GDK
 * plugins; loading those into a GTK 4 process breaks it.  So the context
 * is made with gvContextPlugins() and no demand loading: only these two
 * libraries, opened here, are known to it.  Layout needs only dot_layout;
 * core is the one every Graphviz program has (and what a later export to
 * DOT or SVG would use). */
typedef struct {
  const char *library;
  const char *symbol;
} PluginSpec;

static const PluginSpec plugin_specs[] = {
  { "libgvplugin_dot_layout", "gvplugin_dot_layout_LTX_library" },
  { "libgvplugin_core", "gvplugin_core_LTX_library" },
};

static lt_symlist_t builtins[G_N_ELEMENTS (plugin_specs) + 1];
static char *plugins_error;

static gpointer
load_plugins (gpointer data)
{
  const char *dir = g_getenv ("TASKSTEPER_GRAPHVIZ_PLUGINDIR");

  if (dir == NULL || *dir == '\0')
    dir = TS_GRAPHVIZ_PLUGINDIR;

  for (guint i = 0; i < G_N_ELEMENTS (plugin_specs); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s.so.%s", plugin_specs[i].library,
                                               TS_GRAPHVIZ_PLUGIN_VERSION);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      GModule *module;
      gpointer address = NULL;

      module = g_module_open (path, G_MODULE_BIND_LOCAL);
      if (module == NULL || !g_module_symbol (module, plugin_specs[i].symbol, &address))
        {
          plugins_error = g_strdup (g_module_error ());
          if (module != NULL)
            g_module_close (module);
          return NULL;
        }

      /* libgvc keeps pointers into the library for as long as the
       * process runs. */
      g_module_make_resident (module);
      builtins[i].name = plugin_specs[i].symbol;
      builtins[i].address = address;
    }

  return GINT_TO_POINTER (TRUE);
}

/* libgvc reports through agerr(), to stderr unless told otherwise; while
 * we lay out, its messages are collected here instead. */
static GString *graphviz_messages;

static int
collect_message (char *message)
{
  if (graphviz_messages != NULL)
    g_string_append (graphviz_messages, message);

  return 0;
}

static void
set_layout_error (GError    **error,
                  TsProject  *project,
                  const char *messages)
{
  g_autofree char *details = g_strstrip (g_strdup (messages != NULL ? messages : ""));

  if (*details == '\0')
    g_set_error (error, TS_WORKFLOW_LAYOUT_ERROR, TS_WORKFLOW_LAYOUT_ERROR_FAILED,
                 /* TRANSLATORS: %s is a project's name; Graphviz is the
                  * program that draws workflow pictures. */
                 _("Could not lay out the workflow of project “%s” with Graphviz."),
                 ts_project_get_name (project));
  else
    g_set_error (error, TS_WORKFLOW_LAYOUT_ERROR, TS_WORKFLOW_LAYOUT_ERROR_FAILED,
                 /* TRANSLATORS: the first %s is a project's name, the second
                  * what Graphviz said (in English). */
                 _("Could not lay out the workflow of project “%s” with Graphviz: %s"),
                 ts_project_get_name (project), details);
}

/* A label as written in DOT, after the parser: \" is already a quote;
 * \\ stands for a backslash and \n, \l, \r for line breaks. */
static char *
unescape_label (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\\' && p[1] != '\0')
        {
          p++;
          if (*p == 'n' || *p == 'l' || *p == 'r')
            g_string_append_c (out, '\n');
          else
            g_string_append_c (out, *p);
        }
      else
        g_string_append_c (out, *p);
    }

  /* A trailing \l or \n does not start another line. */
  if (out->len > 0 && out->str[out->len - 1] == '\n')
    g_string_truncate (out, out->len - 1);

  return g_string_free (out, FALSE);
}

static void
set_attr (void       *object,
          const char *name,
          const char *value)
{
  agsafeset (object, (char *)name, (char *)value, "");
}

static void
set_inches (void       *object,
            const char *name,
            double      points)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  set_attr (object, name, g_ascii_formatd (buf, sizeof buf, "%.4f", points / 72.0));
}

/* Gives every state node the size of its label as the caller measures it
 * (so Chinese is as wide as Pango draws it, not as Graphviz's Latin font
 * metrics guess), and every edge label a box of that size: an HTML-like
 * label with one fixed-size cell and no text. */
static void
apply_sizes (TsWorkflowLayout      *self,
             Agraph_t              *graph,
             GHashTable            *labels,
             TsWorkflowMeasureFunc  measure,
             gpointer               user_data)
{
  for (Agnode_t *node = agfstnode (graph); node != NULL; node = agnxtnode (graph, node))
    {
      const char *name = agnameof (node);
      const char *label;
      double width = 0, height = 0;

      if (!ts_project_has_state (self->project, name))
        continue;

      label = agget (node, "label");
      if (label == NULL || *label == '\0' || g_str_equal (label, "\\N"))
        g_hash_table_insert (labels, node, g_strdup (name));
      else
        g_hash_table_insert (labels, node, unescape_label (label));

      measure (g_hash_table_lookup (labels, node), TS_WORKFLOW_TEXT_STATE,
               &width, &height, user_data);
      set_inches (node, "width", MAX (width + 2 * NODE_PADDING_X, NODE_MIN_WIDTH));
      set_inches (node, "height", height + 2 * NODE_PADDING_Y);
      set_attr (node, "fixedsize", "true");
      set_attr (node, "label", "");

      for (Agedge_t *edge = agfstout (graph, node); edge != NULL; edge = agnxtout (graph, edge))
        {
          const char *text = agget (edge, "label");
          g_autofree char *html = NULL;

          if (text == NULL || *text == '\0')
            continue;

          g_hash_table_insert (labels, edge, unescape_label (text));
          width = height = 0;
          measure (g_hash_table_lookup (labels, edge), TS_WORKFLOW_TEXT_TRIGGER,
                   &width, &height, user_data);
          html = g_strdup_printf ("<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"0\" "
                                  "CELLPADDING=\"0\"><TR><TD FIXEDSIZE=\"TRUE\" "
                                  "WIDTH=\"%d\" HEIGHT=\"%d\"></TD></TR></TABLE>",
                                  (int)MIN (ceil (width + 2 * EDGE_LABEL_PADDING), 65535),
                                  (int)MIN (ceil (height + 2 * EDGE_LABEL_PADDING), 65535));
          agsafeset (edge, (char *)"label", agstrdup_html (graph, html), "");
        }
    }
}

static TsWorkflowPoint
to_screen (TsWorkflowLayout *self,
           boxf              bb,
           pointf            point)
{
  return (TsWorkflowPoint) { point.x - bb.LL.x, bb.UR.y - point.y };
}

static gboolean
parse_edge_id (const char *id,
               guint      *transition,
               guint      *source)
{
  char end;

  return id != NULL && sscanf (id, "t%u.%u%c", transition, source, &end) == 2;
}

static int
compare_edges (gconstpointer a,
               gconstpointer b)
{
  const TsWorkflowEdge *edge_a = a;
  const TsWorkflowEdge *edge_b = b;

  if (edge_a->transition != edge_b->transition)
    return edge_a->transition - edge_b->transition;

  return edge_a->source - edge_b->source;
}

static void
read_back (TsWorkflowLayout *self,
           Agraph_t         *graph,
           GHashTable       *labels)
{
  boxf bb = GD_bb (graph);
  const char * const *states = ts_project_get_states (self->project);
  const char *initial = ts_project_get_initial_state (self->project);

  self->width = bb.UR.x - bb.LL.x;
  self->height = bb.UR.y - bb.LL.y;

  /* Start dots first, then the states in schema order. */
  for (Agnode_t *node = agfstnode (graph); node != NULL; node = agnxtnode (graph, node))
    {
      TsWorkflowNode item = { 0 };

      if (ts_project_has_state (self->project, agnameof (node)))
        continue;

      item.centre = to_screen (self, bb, ND_coord (node));
      item.width = ND_width (node) * 72.0;
      item.height = ND_height (node) * 72.0;
      g_array_append_val (self->nodes, item);
    }

  for (guint i = 0; states != NULL && states[i] != NULL; i++)
    {
      Agnode_t *node = agnode (graph, (char *)states[i], FALSE);
      TsWorkflowNode item = { 0 };

      if (node == NULL)
        continue;

      item.state = g_strdup (states[i]);
      item.label = g_strdup (g_hash_table_lookup (labels, node));
      item.centre = to_screen (self, bb, ND_coord (node));
      item.width = ND_width (node) * 72.0;
      item.height = ND_height (node) * 72.0;
      item.initial = g_strcmp0 (states[i], initial) == 0;
      item.final = ts_project_is_final_state (self->project, states[i]);
      g_array_append_val (self->nodes, item);
    }

  for (Agnode_t *node = agfstnode (graph); node != NULL; node = agnxtnode (graph, node))
    {
      for (Agedge_t *edge = agfstout (graph, node); edge != NULL; edge = agnxtout (graph, edge))
        {
          const char *tail = agnameof (agtail (edge));
          const char *head = agnameof (aghead (edge));
          splines *spl = ED_spl (edge);
          textlabel_t *label = ED_label (edge);
          TsWorkflowEdge item = { 0 };
          guint transition, source;

          if (parse_edge_id (agget (edge, "id"), &transition, &source) &&
              transition < ts_project_get_n_transitions (self->project))
            {
              TsTransition *t = ts_project_get_transition (self->project, transition);

              item.trigger = g_strdup (ts_transition_get_trigger (t));
              item.transition = (int)transition;
              item.source = (int)source;
            }
          else
            item.transition = -1;

          if (ts_project_has_state (self->project, tail))
            item.from = g_strdup (tail);
          item.to = g_strdup (head);
          item.label = g_strdup (g_hash_table_lookup (labels, edge));

          if (spl != NULL && spl->size > 0)
            {
              /* dot draws an edge as one bézier (several only for
               * concentrated edges, which we do not ask for). */
              const bezier *bz = &spl->list[0];

              item.n_points = (guint)bz->size;
              item.points = g_new (TsWorkflowPoint, item.n_points);
              for (guint k = 0; k < item.n_points; k++)
                item.points[k] = to_screen (self, bb, bz->list[k]);

              if (bz->eflag)
                {
                  item.has_arrow = TRUE;
                  item.arrow_tip = to_screen (self, bb, bz->ep);
                }
            }

          if (label != NULL && label->set)
            {
              item.has_label = TRUE;
              item.label_centre = to_screen (self, bb, label->pos);
              item.label_width = label->dimen.x - 2 * EDGE_LABEL_PADDING;
              item.label_height = label->dimen.y - 2 * EDGE_LABEL_PADDING;
            }

          g_array_append_val (self->edges, item);
        }
    }

  /* The start edge (-1) first, then in schema order. */
  g_array_sort (self->edges, compare_edges);
}

/**
 * ts_workflow_layout_new:
 * @project: a valid project
 * @measure: (scope call): measures the labels as they will be drawn
 * @user_data: for @measure
 * @error: where to put a failure
 *
 * Lays out the graph ts_project_to_dot() writes for @project with
 * Graphviz's `dot`, with the label sizes @measure gives.
 *
 * Returns: (transfer full): the layout, or %NULL with @error set
 */
TsWorkflowLayout *
ts_workflow_layout_new (TsProject              *project,
                        TsWorkflowMeasureFunc   measure,
                        gpointer                user_data,
                        GError                **error)
{
  static GOnce plugins_once = G_ONCE_INIT;
  g_autoptr(TsWorkflowLayout) self = NULL;
  g_autoptr(GHashTable) labels = NULL;
  g_autofree char *dot = NULL;
  g_autoptr(GString) messages = g_string_new (NULL);
  agusererrf previous_handler;
  GVC_t *context;
  Agraph_t *graph;
  gboolean ok = FALSE;

  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);
  g_return_val_if_fail (measure != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  /* Graphviz keeps global state; layouts happen on the main thread. */
  g_return_val_if_fail (graphviz_messages == NULL, NULL);

  if (g_once (&plugins_once, load_plugins, NULL) == NULL)
    {
      set_layout_error (error, project, plugins_error);
      return NULL;
    }

  self = g_object_new (TS_TYPE_WORKFLOW_LAYOUT, NULL);
  self->project = g_object_ref (project);
  labels = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  dot = ts_project_to_dot_full (project, NULL, TS_DOT_EDGE_IDS);

  graphviz_messages = messages;
  previous_handler = agseterrf (collect_message);
  agreseterrors ();

  context = gvContextPlugins (builtins, FALSE);
  graph = agmemread (dot);
  if (graph != NULL)
    {
      /* The title is the window's business, not the picture's. */
      set_attr (graph, "label", "");
      apply_sizes (self, graph, labels, measure, user_data);

      if (gvLayout (context, graph, "dot") == 0)
        {
          if (agerrors () == 0)
            {
              read_back (self, graph, labels);
              ok = TRUE;
            }
          gvFreeLayout (context, graph);
        }
      agclose (graph);
    }
  gvFreeContext (context);

  agseterrf (previous_handler);
  graphviz_messages = NULL;

  if (!ok)
    {
      set_layout_error (error, project, messages->str);
      return NULL;
    }

  if (messages->len > 0)
    g_debug ("Graphviz: %s", messages->str);

  return g_steal_pointer (&self);
}

TsProject *
ts_workflow_layout_get_project (TsWorkflowLayout *self)
{
  g_return_val_if_fail (TS_IS_WORKFLOW_LAYOUT (self), NULL);

  return self->project;
}

double
ts_workflow_layout_get_width (TsWorkflowLayout *self)
{
  g_return_val_if_fail (TS_IS_WORKFLOW_LAYOUT (self), 0);

  return self->width;
}

double
ts_workflow_layout_get_height (TsWorkflowLayout *self)
{
  g_return_val_if_fail (TS_IS_WORKFLOW_LAYOUT (self), 0);

  return self->height;
}

guint
ts_workflow_layout_get_n_nodes (TsWorkflowLayout *self)
{
  g_return_val_if_fail (TS_IS_WORKFLOW_LAYOUT (self), 0);

  return self->nodes->len;
}

const TsWorkflowNode *
ts_workflow_layout_get_node (TsWorkflowLayout *self,
                             guint             position)
{
  g_return_val_if_fail (TS_IS_WORKFLOW_LAYOUT (self), NULL);
  g_return_val_if_fail (position < self->nodes->len, NULL);

  return &g_array_index (self->nodes, TsWorkflowNode, position);
}

const TsWorkflowNode *
ts_workflow_layout_lookup_node (TsWorkflowLayout *self,
                                const char       *state)
{
  g_return_val_if_fail (TS_IS_WORKFLOW_LAYOUT (self), NULL);

  for (guint i = 0; i < self->nodes->len; i++)
    {
      const TsWorkflowNode *node = &g_array_index (self->nodes, TsWorkflowNode, i);

      if (node->state != NULL && g_strcmp0 (node->state, state) == 0)
        return node;
    }

  return NULL;
}

guint
ts_workflow_layout_get_n_edges (TsWorkflowLayout *self)
{
  g_return_val_if_fail (TS_IS_WORKFLOW_LAYOUT (self), 0);

  return self->edges->len;
}

const TsWorkflowEdge *
ts_workflow_layout_get_edge (TsWorkflowLayout *self,
                             guint             position)
{
  g_return_val_if_fail (TS_IS_WORKFLOW_LAYOUT (self), NULL);
  g_return_val_if_fail (position < self->edges->len, NULL);

  return &g_array_index (self->edges, TsWorkflowEdge, position);
}
