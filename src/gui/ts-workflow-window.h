/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ts-project.h"

G_BEGIN_DECLS

/* A project's workflow picture in a window of its own (win.workflow of
 * the main window), with Save Picture… for a PNG or SVG of it. */

#define TS_TYPE_WORKFLOW_WINDOW (ts_workflow_window_get_type ())
G_DECLARE_FINAL_TYPE (TsWorkflowWindow, ts_workflow_window, TS, WORKFLOW_WINDOW, AdwWindow)

TsWorkflowWindow *ts_workflow_window_new      (GtkWindow        *parent,
                                               TsProject        *project);
GtkWidget        *ts_workflow_window_get_view (TsWorkflowWindow *self);

G_END_DECLS
