/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-project.h"

G_BEGIN_DECLS

/* The project's workflow as a Graphviz DOT graph: states are nodes,
 * triggers are labelled edges, the initial state is entered from a dot and
 * final states have a double border.  When @current_state names a state of
 * the project, that node is highlighted (a ticket's state).  The output is
 * UTF-8 and depends only on the schema, in schema order. */
char *ts_project_to_dot (TsProject  *project,
                         const char *current_state);

typedef enum {
  TS_DOT_DEFAULT  = 0,
  /* Each edge gets an `id` attribute "tI.J": transition I (in schema
   * order) from its source J, so a program laying the graph out can tell
   * which trigger an edge stands for. */
  TS_DOT_EDGE_IDS = 1 << 0,
} TsDotFlags;

char *ts_project_to_dot_full (TsProject  *project,
                              const char *current_state,
                              TsDotFlags  flags);

G_END_DECLS
