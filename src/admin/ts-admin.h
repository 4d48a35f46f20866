/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "tasksteper-core.h"

G_BEGIN_DECLS

/* What the commands of tasksteper-admin share: the command table's row,
 * the exit statuses and option parsing (tasksteper-admin.c).  The commands
 * that talk to the database live in ts-admin-db.c. */

enum
{
  STATUS_OK = 0,
  STATUS_FAILED = 1,
  STATUS_USAGE = 2,
};

typedef struct _Command Command;

struct _Command
{
  const char *name;
  /* The arguments after the name in the usage line, e.g. "FILE…". */
  const char *parameters;
  const char *summary;
  /* @argv[0] is the command's name. */
  int       (*run) (const Command  *command,
                    int             argc,
                    char          **argv);
};

/* Reports a wrong command line for @command and returns the exit status
 * for it. */
int        ts_admin_usage_error   (const Command       *command,
                                   const char          *format,
                                   ...) G_GNUC_PRINTF (2, 3);

/* Parses the options of @command, @entries and --help.  Returns TRUE when
 * the command should go on with what is left in @argv; otherwise it is
 * done (help was shown, or the command line is wrong) and @status is its
 * exit status. */
gboolean   ts_admin_parse_options (const Command       *command,
                                   const GOptionEntry  *entries,
                                   const char          *description,
                                   int                 *argc,
                                   char              ***argv,
                                   int                 *status);

/* Reads and checks one schema file, writing every problem found (warnings
 * too) to stderr.  Returns the project when the file is valid. */
TsProject *ts_admin_load_project  (const char          *path,
                                   TsDiagnostics      **out_diagnostics);

/* The commands of ts-admin-db.c. */
int        ts_admin_run_init      (const Command       *command,
                                   int                  argc,
                                   char               **argv);
int        ts_admin_run_import    (const Command       *command,
                                   int                  argc,
                                   char               **argv);
int        ts_admin_run_user      (const Command       *command,
                                   int                  argc,
                                   char               **argv);
int        ts_admin_run_member    (const Command       *command,
                                   int                  argc,
                                   char               **argv);
int        ts_admin_run_project   (const Command       *command,
                                   int                  argc,
                                   char               **argv);
int        ts_admin_run_changes   (const Command       *command,
                                   int                  argc,
                                   char               **argv);

/* The columns @text takes on a terminal (CJK characters take two), for
 * aligning tables and help text. */
glong ts_admin_display_width (const char *text);

G_END_DECLS
