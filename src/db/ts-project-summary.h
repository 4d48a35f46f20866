/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-project.h"

G_BEGIN_DECLS

/* A project as the server lists it for me: its schema, its revision, how
 * many tickets wait for me there and whether I am one of its admins (who
 * may reassign its tickets, since server version 8).  The sidebar's row
 * item. */
#define TS_TYPE_PROJECT_SUMMARY (ts_project_summary_get_type ())
G_DECLARE_FINAL_TYPE (TsProjectSummary, ts_project_summary, TS, PROJECT_SUMMARY, GObject)

TsProjectSummary *ts_project_summary_new             (TsProject        *project,
                                                      int               revision,
                                                      guint             n_pending,
                                                      gboolean          is_admin);
TsProject        *ts_project_summary_get_project     (TsProjectSummary *self);
const char       *ts_project_summary_get_name        (TsProjectSummary *self);
const char       *ts_project_summary_get_title       (TsProjectSummary *self);
int               ts_project_summary_get_revision    (TsProjectSummary *self);
guint             ts_project_summary_get_n_pending   (TsProjectSummary *self);
gboolean          ts_project_summary_get_is_admin    (TsProjectSummary *self);
void              ts_project_summary_set_n_pending   (TsProjectSummary *self,
                                                      guint             n_pending);

G_END_DECLS
