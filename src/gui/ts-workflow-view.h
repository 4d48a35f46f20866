/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "ts-project.h"

G_BEGIN_DECLS

/* The picture of a project's workflow (ts-workflow-layout.c lays it out):
 * state boxes and trigger arrows, drawn in the theme's colours.  A current
 * state is marked; the triggers the user can press now are emphasised
 * (clicking one emits "trigger-activated") and the others dimmed.  It
 * zooms with Ctrl+scroll, Ctrl+plus/minus/0 and its zoom buttons, inside
 * its own scrolled window. */

#define TS_TYPE_WORKFLOW_VIEW (ts_workflow_view_get_type ())
G_DECLARE_FINAL_TYPE (TsWorkflowView, ts_workflow_view, TS, WORKFLOW_VIEW, GtkWidget)

GtkWidget          *ts_workflow_view_new                    (void);
void                ts_workflow_view_set_project            (TsWorkflowView     *self,
                                                             TsProject          *project);
TsProject          *ts_workflow_view_get_project            (TsWorkflowView     *self);
/* @state: (nullable): the state to mark, NULL for none. */
void                ts_workflow_view_set_current_state      (TsWorkflowView     *self,
                                                             const char         *state);
const char         *ts_workflow_view_get_current_state      (TsWorkflowView     *self);
/* @triggers: (nullable): the triggers the user can press now (leaving the
 * current state); NULL emphasises and dims nothing, an empty list dims
 * every trigger. */
void                ts_workflow_view_set_available_triggers (TsWorkflowView     *self,
                                                             const char * const *triggers);
const char * const *ts_workflow_view_get_available_triggers (TsWorkflowView     *self);
double              ts_workflow_view_get_zoom               (TsWorkflowView     *self);
void                ts_workflow_view_set_zoom               (TsWorkflowView     *self,
                                                             double              zoom);
/* For tests and keyboard handling: where @trigger's label (from the
 * current state when there is one) is, in @self's coordinates, as last
 * drawn.  FALSE when it is not in the picture. */
gboolean            ts_workflow_view_get_trigger_bounds     (TsWorkflowView     *self,
                                                             const char         *trigger,
                                                             graphene_rect_t    *bounds);
/* Where @state's box is, in @self's coordinates. */
gboolean            ts_workflow_view_get_state_bounds       (TsWorkflowView     *self,
                                                             const char         *state,
                                                             graphene_rect_t    *bounds);
/* The drawing at zoom 1 (for saving it as a picture), or NULL. */
GskRenderNode      *ts_workflow_view_render                 (TsWorkflowView     *self,
                                                             int                *width,
                                                             int                *height);

typedef enum {
  TS_WORKFLOW_PICTURE_PNG,
  TS_WORKFLOW_PICTURE_SVG,
} TsWorkflowPictureFormat;

/* Writes the picture (at zoom 1, as drawn now) to @file, replacing it
 * atomically. */
gboolean            ts_workflow_view_save                   (TsWorkflowView          *self,
                                                             GFile                   *file,
                                                             TsWorkflowPictureFormat  format,
                                                             GError                 **error);

G_END_DECLS
