/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-project.h"

G_BEGIN_DECLS

#define TS_WORKFLOW_LAYOUT_ERROR (ts_workflow_layout_error_quark ())

typedef enum {
  /* Graphviz refused the graph or could not lay it out. */
  TS_WORKFLOW_LAYOUT_ERROR_FAILED,
} TsWorkflowLayoutError;

GQuark ts_workflow_layout_error_quark (void);

typedef struct {
  double x;
  double y;
} TsWorkflowPoint;

/* A state (or, with @state NULL, the dot the initial state is entered
 * from).  Coordinates are in points with y growing downwards, from the
 * top left corner of the bounding box. */
typedef struct {
  char            *state;   /* NULL: the start dot */
  char            *label;
  TsWorkflowPoint  centre;
  double           width;   /* the whole box, a final state's outer border included */
  double           height;
  gboolean         initial;
  gboolean         final;
} TsWorkflowNode;

/* One edge per source of a transition, or (with @trigger NULL) the edge
 * from the start dot to the initial state. */
typedef struct {
  char            *trigger;       /* NULL: the start edge */
  int              transition;    /* index in the project, -1 for the start edge */
  int              source;        /* which of the transition's sources @from is */
  char            *label;         /* the label ts_project_to_dot() writes; NULL for the start edge */
  char            *from;          /* NULL: from the start dot */
  char            *to;
  /* A cubic bézier spline: a first point, then three per segment. */
  TsWorkflowPoint *points;
  guint            n_points;
  gboolean         has_arrow;
  TsWorkflowPoint  arrow_tip;     /* the arrow goes from the last point to here */
  gboolean         has_label;
  TsWorkflowPoint  label_centre;
  double           label_width;
  double           label_height;
} TsWorkflowEdge;

typedef enum {
  TS_WORKFLOW_TEXT_STATE,
  TS_WORKFLOW_TEXT_TRIGGER,
} TsWorkflowTextKind;

/* Measures @text (lines separated by '\n') as it will be drawn, in the
 * units the picture is drawn in (a pixel at zoom 1 is a point here). */
typedef void (*TsWorkflowMeasureFunc) (const char         *text,
                                       TsWorkflowTextKind  kind,
                                       double             *width,
                                       double             *height,
                                       gpointer            user_data);

#define TS_TYPE_WORKFLOW_LAYOUT (ts_workflow_layout_get_type ())
G_DECLARE_FINAL_TYPE (TsWorkflowLayout, ts_workflow_layout, TS, WORKFLOW_LAYOUT, GObject)

TsWorkflowLayout     *ts_workflow_layout_new         (TsProject              *project,
                                                      TsWorkflowMeasureFunc   measure,
                                                      gpointer                user_data,
                                                      GError                **error);
TsProject            *ts_workflow_layout_get_project (TsWorkflowLayout       *self);
double                ts_workflow_layout_get_width   (TsWorkflowLayout       *self);
double                ts_workflow_layout_get_height  (TsWorkflowLayout       *self);
guint                 ts_workflow_layout_get_n_nodes (TsWorkflowLayout       *self);
const TsWorkflowNode *ts_workflow_layout_get_node    (TsWorkflowLayout       *self,
                                                      guint                   position);
const TsWorkflowNode *ts_workflow_layout_lookup_node (TsWorkflowLayout       *self,
                                                      const char             *state);
guint                 ts_workflow_layout_get_n_edges (TsWorkflowLayout       *self);
const TsWorkflowEdge *ts_workflow_layout_get_edge    (TsWorkflowLayout       *self,
                                                      guint                   position);

G_END_DECLS
