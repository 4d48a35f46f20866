/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tasksteper-admin: the administrator's command-line tool.
 *
 * Each command is a row of the table below and parses its own options
 * with a GOptionContext, so `tasksteper-admin COMMAND --help` and
 * `tasksteper-admin help COMMAND` describe it.  Every command ends with
 * the same exit statuses: 0 when all went well, 1 when what it was given
 * is not valid or could not be done, 2 when the command line is wrong. */
#define G_LOG_DOMAIN "tasksteper-admin"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "tasksteper-core.h"
#include "ts-admin.h"
#include "ts-dot.h"
#include "ts-uninstalled.h"

static int run_validate (const Command  *command,
                         int             argc,
                         char          **argv);
static int run_dot      (const Command  *command,
                         int             argc,
                         char          **argv);
static int run_help     (const Command  *command,
                         int             argc,
                         char          **argv);

/* The commands, in the order `--help` lists them.  Those that talk to the
 * database (ts-admin-db.c) each parse their own connection option. */
static const Command commands[] = {
  { "validate", N_("FILE…"),
    N_("Check project schema files and list every problem"), run_validate },
  { "dot", N_("FILE"),
    N_("Write a project’s workflow as a Graphviz DOT graph"), run_dot },
  { "init", NULL,
    N_("Install or upgrade the TaskSteper server side in a database"), ts_admin_run_init },
  { "import", N_("FILE…"),
    N_("Check project schema files and load them into the database"), ts_admin_run_import },
  { "user", N_("add|set|passwd|disable|enable|remove NAME | list"),
    N_("Add, change, disable or remove a person who may log in, or list them"), ts_admin_run_user },
  { "member", N_("add|remove|admin|unadmin PROJECT USER…"),
    N_("Put people into a project, take them out, or make them its admins"), ts_admin_run_member },
  { "project", N_("list"),
    N_("List the projects in the database"), ts_admin_run_project },
  { "changes", N_("prune --older-than DAYS"),
    N_("Delete old rows of the change feed"), ts_admin_run_changes },
  { "help", N_("[COMMAND]"),
    N_("Show how to use a command"), run_help },
};

static const Command *
lookup_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, name))
      return &commands[i];

  return NULL;
}

/* The optimal string alignment distance: edits, with a swap of two
 * neighbours counting as one, since "valdiate" is a typo of "validate". */
static guint
edit_distance (const char *a,
               const char *b)
{
  g_autofree gunichar *ua = g_utf8_to_ucs4_fast (a, -1, NULL);
  g_autofree gunichar *ub = g_utf8_to_ucs4_fast (b, -1, NULL);
  g_autofree guint *d = NULL;
  glong la = 0;
  glong lb = 0;

  while (ua[la] != 0)
    la++;
  while (ub[lb] != 0)
    lb++;

  d = g_new (guint, (la + 1) * (lb + 1));
#define D(i, j) d[(i) * (lb + 1) + (j)]

  for (glong i = 0; i <= la; i++)
    D (i, 0) = i;
  for (glong j = 0; j <= lb; j++)
    D (0, j) = j;

  for (glong i = 1; i <= la; i++)
    for (glong j = 1; j <= lb; j++)
      {
        guint cost = g_unichar_tolower (ua[i - 1]) == g_unichar_tolower (ub[j - 1]) ? 0 : 1;
        guint best = MIN (MIN (D (i - 1, j) + 1, D (i, j - 1) + 1), D (i - 1, j - 1) + cost);

        if (i > 1 && j > 1 && ua[i - 1] == ub[j - 2] && ua[i - 2] == ub[j - 1])
          best = MIN (best, D (i - 2, j - 2) + 1);

        D (i, j) = best;
      }

  return D (la, lb);
#undef D
}

/* The command @name is likely a typo of, or NULL. */
static const Command *
suggest_command (const char *name)
{
  const Command *best = NULL;
  guint best_distance = G_MAXUINT;
  glong length;

  if (!g_utf8_validate (name, -1, NULL))
    return NULL;

  /* Long words are no typos of our short names; spare the work. */
  length = g_utf8_strlen (name, -1);
  if (length > 64)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      guint distance = edit_distance (name, commands[i].name);

      if (distance < best_distance)
        {
          best_distance = distance;
          best = &commands[i];
        }
    }

  return best_distance <= 2 && best_distance < length ? best : NULL;
}

static int
unknown_command (const char *name)
{
  g_autofree char *display = g_utf8_make_valid (name, -1);
  const Command *suggestion = suggest_command (name);

  g_printerr (_("%s: unknown command “%s”. Run “%s --help” to see the commands.\n"),
              g_get_prgname (), display, g_get_prgname ());
  if (suggestion != NULL)
    g_printerr (_("Did you mean “%s”?\n"), suggestion->name);

  return STATUS_USAGE;
}

int
ts_admin_usage_error (const Command *command,
                      const char    *format,
                      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("%s %s: %s\n", g_get_prgname (), command->name, message);
  g_printerr (_("Run “%s %s --help” to see how to use it.\n"), g_get_prgname (), command->name);

  return STATUS_USAGE;
}

/* The list of commands for the main `--help`, aligned in two columns. */
static char *
dup_command_usage (const Command *command)
{
  /* A command without arguments has NULL: gettext ("") would be the
   * translation's header. */
  if (command->parameters == NULL)
    return g_strdup (command->name);

  return g_strdup_printf ("%s %s", command->name, _(command->parameters));
}

static char *
dup_commands_description (void)
{
  GString *str = g_string_new (NULL);
  glong width = 0;

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *usage = dup_command_usage (&commands[i]);

      width = MAX (width, ts_admin_display_width (usage));
    }

  g_string_append (str, _("Commands:"));
  g_string_append_c (str, '\n');

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *usage = dup_command_usage (&commands[i]);

      g_string_append_printf (str, "  %s", usage);
      for (glong pad = ts_admin_display_width (usage); pad < width + 3; pad++)
        g_string_append_c (str, ' ');
      g_string_append_printf (str, "%s\n", _(commands[i].summary));
    }

  g_string_append_c (str, '\n');
  g_string_append_printf (str, _("Run “%s help COMMAND” or “%s COMMAND --help”\n"
                                 "to see the options of a command."),
                          g_get_prgname (), g_get_prgname ());
  g_string_append (str, "\n\n");
  g_string_append (str, _("Exit status: 0 when all went well, 1 when a file is not valid or an\n"
                          "action failed, 2 when the command line is wrong."));
  g_string_append_c (str, '\n');

  return g_string_free (str, FALSE);
}

static GOptionContext *
main_context_new (gboolean *show_version,
                  gboolean *show_help)
{
  g_autofree char *description = dup_commands_description ();
  const GOptionEntry entries[] = {
    { "version", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, show_version,
      N_("Show the version and exit"), NULL },
    { "help", 'h', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, show_help,
      N_("Show this help and exit"), NULL },
    { NULL }
  };
  GOptionContext *context;

  context = g_option_context_new (N_("COMMAND [ARGUMENT…]"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, N_("Administer TaskSteper projects."));
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  /* The command's own options follow its name; leave them to it. */
  g_option_context_set_strict_posix (context, TRUE);
  /* Our --help prints and returns instead of calling exit(). */
  g_option_context_set_help_enabled (context, FALSE);

  return context;
}

static void
print_main_help (void)
{
  gboolean unused_version = FALSE;
  gboolean unused_help = FALSE;
  g_autoptr(GOptionContext) context = main_context_new (&unused_version, &unused_help);
  g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

  g_print ("%s", help);
}

/* GOptionContext writes "Usage: PROGRAM [OPTION…] PARAMETERS"; the
 * options of a command come after its name, so put the name in. */
static char *
dup_command_help (const Command  *command,
                  GOptionContext *context)
{
  g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);
  const char *prgname = g_get_prgname ();
  const char *at = strstr (help, prgname);
  GString *str;

  if (at == NULL)
    return g_steal_pointer (&help);

  at += strlen (prgname);
  str = g_string_new_len (help, at - help);
  g_string_append_printf (str, " %s", command->name);
  g_string_append (str, at);

  return g_string_free (str, FALSE);
}

gboolean
ts_admin_parse_options (const Command       *command,
                        const GOptionEntry  *entries,
                        const char          *description,
                        int                 *argc,
                        char              ***argv,
                        int                 *status)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  gboolean show_help = FALSE;
  const GOptionEntry help_entries[] = {
    { "help", 'h', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &show_help,
      N_("Show this help and exit"), NULL },
    { NULL }
  };

  context = g_option_context_new (command->parameters);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, command->summary);
  if (description != NULL)
    g_option_context_set_description (context, description);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, help_entries, GETTEXT_PACKAGE);
  g_option_context_set_help_enabled (context, FALSE);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *status = ts_admin_usage_error (command, "%s", error->message);
      return FALSE;
    }

  if (show_help)
    {
      g_autofree char *help = dup_command_help (command, context);

      g_print ("%s", help);
      *status = STATUS_OK;
      return FALSE;
    }

  return TRUE;
}

TsProject *
ts_admin_load_project (const char     *path,
                       TsDiagnostics **out_diagnostics)
{
  g_autofree char *display_name = g_filename_display_name (path);
  g_autoptr(TsDiagnostics) diagnostics = ts_diagnostics_new (display_name);
  g_autoptr(TsProject) project = ts_project_new_from_file (path, diagnostics);
  g_autofree char *report = ts_diagnostics_to_string (diagnostics);

  g_printerr ("%s", report);

  /* Every refusal should come with a reason; say something all the same. */
  if (project == NULL && ts_diagnostics_get_n_errors (diagnostics) == 0)
    g_printerr (_("%s: error: not a valid project schema\n"), display_name);

  if (out_diagnostics != NULL)
    *out_diagnostics = g_steal_pointer (&diagnostics);

  return g_steal_pointer (&project);
}

static gboolean
validate_file (const char *path,
               gboolean    quiet)
{
  g_autoptr(TsDiagnostics) diagnostics = NULL;
  g_autoptr(TsProject) project = ts_admin_load_project (path, &diagnostics);
  g_autofree char *fields = NULL;
  g_autofree char *states = NULL;
  g_autofree char *transitions = NULL;
  g_autoptr(GString) line = NULL;
  guint n_fields;
  guint n_states;
  guint n_transitions;
  guint n_warnings;

  if (project == NULL)
    return FALSE;

  if (quiet)
    return TRUE;

  n_fields = ts_project_get_n_fields (project);
  n_states = g_strv_length ((char **)ts_project_get_states (project));
  n_transitions = ts_project_get_n_transitions (project);
  n_warnings = ts_diagnostics_get_n_warnings (diagnostics);

  fields = g_strdup_printf (ngettext ("%u field", "%u fields", n_fields), n_fields);
  states = g_strdup_printf (ngettext ("%u state", "%u states", n_states), n_states);
  transitions = g_strdup_printf (ngettext ("%u transition", "%u transitions", n_transitions),
                                 n_transitions);

  line = g_string_new (NULL);
  /* Translators: FILE: ok, project NAME (TITLE): N fields, N states,
   * N transitions */
  g_string_append_printf (line, _("%s: ok, project %s (%s): %s, %s, %s"),
                          ts_diagnostics_get_file_name (diagnostics),
                          ts_project_get_name (project),
                          ts_project_get_title (project),
                          fields, states, transitions);
  if (n_warnings > 0)
    {
      g_string_append (line, ", ");
      g_string_append_printf (line, ngettext ("%u warning", "%u warnings", n_warnings), n_warnings);
    }

  g_print ("%s\n", line->str);
  /* Keep the lines in step with the problems on stderr when both go to
   * one log. */
  fflush (stdout);

  return TRUE;
}

static int
run_validate (const Command  *command,
              int             argc,
              char          **argv)
{
  gboolean quiet = FALSE;
  const GOptionEntry entries[] = {
    { "quiet", 'q', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &quiet,
      N_("Write only the problems, not a line for each valid file"), NULL },
    { NULL }
  };
  gboolean all_valid = TRUE;
  int status;

  if (!ts_admin_parse_options (command, entries,
                      _("Checks each project schema FILE completely and writes every problem,\n"
                        "warnings too, to standard error, one a line:\n"
                        "\n"
                        "  FILE:LINE:COLUMN: error: $.json.path: MESSAGE\n"
                        "\n"
                        "Exit status: 0 when every file is valid (warnings allowed), 1 when any\n"
                        "is not or cannot be read, 2 when the command line is wrong."),
                      &argc, &argv, &status))
    return status;

  if (argc < 2)
    return ts_admin_usage_error (command, _("give at least one project schema FILE to check"));

  for (int i = 1; i < argc; i++)
    {
      if (!validate_file (argv[i], quiet))
        all_valid = FALSE;
    }

  return all_valid ? STATUS_OK : STATUS_FAILED;
}

static int
run_dot (const Command  *command,
         int             argc,
         char          **argv)
{
  g_autofree char *state = NULL;
  const GOptionEntry entries[] = {
    { "state", 's', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &state,
      N_("Highlight STATE, e.g. the state a ticket is in"), N_("STATE") },
    { NULL }
  };
  g_autoptr(TsProject) project = NULL;
  g_autofree char *dot = NULL;
  int status;

  if (!ts_admin_parse_options (command, entries,
                      _("Writes the workflow of the project schema FILE to standard output as a\n"
                        "Graphviz DOT graph: the states are boxes and the triggers arrows,\n"
                        "labelled with their conditions and the new assignee.  The initial\n"
                        "state is entered from a dot; final states have a double border.\n"
                        "For a picture:\n"
                        "\n"
                        "  tasksteper-admin dot schemas/issue_track.json | dot -Tsvg > issue.svg\n"
                        "\n"
                        "Exit status: 0 when the graph was written, 1 when FILE is not valid,\n"
                        "2 when the command line is wrong."),
                      &argc, &argv, &status))
    return status;

  if (argc < 2)
    return ts_admin_usage_error (command, _("give the project schema FILE to draw"));
  if (argc > 2)
    return ts_admin_usage_error (command, _("give one project schema FILE, not %d"), argc - 1);

  project = ts_admin_load_project (argv[1], NULL);
  if (project == NULL)
    return STATUS_FAILED;

  if (state != NULL && !ts_project_has_state (project, state))
    {
      g_autofree char *list = g_strjoinv ("”, “", (char **)ts_project_get_states (project));

      g_printerr (_("%s %s: “%s” is not a state of project %s; its states are “%s”.\n"),
                  g_get_prgname (), command->name, state, ts_project_get_name (project), list);
      return STATUS_USAGE;
    }

  dot = ts_project_to_dot (project, state);

  /* The graph is UTF-8 whatever the locale, so not g_print(). */
  if (fputs (dot, stdout) == EOF || fflush (stdout) != 0)
    {
      int saved_errno = errno;

      g_printerr (_("%s %s: could not write the graph: %s\n"),
                  g_get_prgname (), command->name, g_strerror (saved_errno));
      return STATUS_FAILED;
    }

  return STATUS_OK;
}

static int
run_help (const Command  *command,
          int             argc,
          char          **argv)
{
  const Command *topic;
  int status;

  if (!ts_admin_parse_options (command, NULL, NULL, &argc, &argv, &status))
    return status;

  if (argc > 2)
    return ts_admin_usage_error (command, _("give at most one COMMAND"));

  if (argc < 2)
    {
      print_main_help ();
      return STATUS_OK;
    }

  topic = lookup_command (argv[1]);
  if (topic == NULL)
    return unknown_command (argv[1]);

  {
    char *help_argv[] = { (char *)topic->name, (char *)"--help", NULL };

    return topic->run (topic, G_N_ELEMENTS (help_argv) - 1, help_argv);
  }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  gboolean show_version = FALSE;
  gboolean show_help = FALSE;
  const Command *command;

  ts_init_i18n ();

  g_set_prgname ("tasksteper-admin");

  context = main_context_new (&show_version, &show_help);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      g_printerr (_("Run “%s --help” to see the commands and options.\n"), g_get_prgname ());
      return STATUS_USAGE;
    }

  if (show_help)
    {
      print_main_help ();
      return STATUS_OK;
    }

  if (show_version)
    {
      g_print ("%s %s\n", g_get_prgname (), PACKAGE_VERSION);
      return STATUS_OK;
    }

  if (argc < 2)
    {
      g_printerr (_("%s: no command given. Run “%s --help” to see the commands.\n"),
                  g_get_prgname (), g_get_prgname ());
      return STATUS_USAGE;
    }

  command = lookup_command (argv[1]);
  if (command == NULL)
    return unknown_command (argv[1]);

  return command->run (command, argc - 1, argv + 1);
}
