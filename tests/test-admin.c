/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Runs the real tasksteper-admin ($TS_ADMIN) and checks its exit statuses
 * and messages, and checks ts_project_to_dot() with Graphviz when `dot`
 * is installed. */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "tasksteper-core.h"
#include "ts-dot.h"

/* Exit statuses of every command. */
#define STATUS_OK     0
#define STATUS_FAILED 1
#define STATUS_USAGE  2

typedef struct
{
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* Runs tasksteper-admin with @args in @cwd (NULL: ours). */
static void
run_admin_in (Run                *run,
              const char         *cwd,
              const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *command_line = NULL;
  const char *admin = g_getenv ("TS_ADMIN");

  g_assert_nonnull (admin);

  g_ptr_array_add (argv, (gpointer)admin);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)args[i]);
  g_ptr_array_add (argv, NULL);

  command_line = g_strjoinv (" ", (char **)argv->pdata);
  g_test_message ("running: %s", command_line);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (cwd != NULL)
    g_subprocess_launcher_set_cwd (launcher, cwd);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata, &error);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));

  run->status = g_subprocess_get_exit_status (process);
  g_test_message ("exit status %d\n--- stdout ---\n%s--- stderr ---\n%s",
                  run->status, run->out, run->err);
}

static void
run_admin (Run                *run,
           const char * const *args)
{
  run_admin_in (run, NULL, args);
}

#define ARGS(...) ((const char * const[]) { __VA_ARGS__, NULL })

static char *
data_file (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "admin", name, NULL);
}

static const char *
schemas_dir (void)
{
  const char *dir = g_getenv ("TS_SCHEMAS_DIR");

  g_assert_nonnull (dir);
  return dir;
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char * const *)a, *(char * const *)b);
}

/* The example schemas, sorted. */
static GPtrArray *
list_example_schemas (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (schemas_dir (), 0, &error);
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_no_error (error);

  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".json"))
      g_ptr_array_add (files, g_build_filename (schemas_dir (), name, NULL));

  g_ptr_array_sort (files, compare_paths);
  g_assert_cmpuint (files->len, >, 0);

  return files;
}

static TsProject *
load_project (const char     *path,
              TsDiagnostics **out_diagnostics)
{
  g_autoptr(TsDiagnostics) diagnostics = ts_diagnostics_new (path);
  g_autoptr(TsProject) project = ts_project_new_from_file (path, diagnostics);

  if (project == NULL)
    {
      g_autofree char *report = ts_diagnostics_to_string (diagnostics);

      g_test_message ("%s", report);
    }
  g_assert_nonnull (project);

  if (out_diagnostics != NULL)
    *out_diagnostics = g_steal_pointer (&diagnostics);

  return g_steal_pointer (&project);
}

static void
assert_matches (const char *pattern,
                const char *text)
{
  if (!g_regex_match_simple (pattern, text, G_REGEX_MULTILINE, 0))
    g_error ("“%s” does not match /%s/", text, pattern);
}

static void
assert_contains (const char *text,
                 const char *needle)
{
  if (strstr (text, needle) == NULL)
    g_error ("“%s” does not contain “%s”", text, needle);
}

static void
assert_not_contains (const char *text,
                     const char *needle)
{
  if (strstr (text, needle) != NULL)
    g_error ("“%s” contains “%s”", text, needle);
}

/* Runs `dot -Tsvg` on @graph and returns the SVG, or NULL (and marks the
 * test skipped) when Graphviz is not installed. */
static char *
render_svg (const char *graph)
{
  g_autofree char *program = g_find_program_in_path ("dot");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *svg = NULL;

  if (program == NULL)
    {
      g_test_skip ("Graphviz (dot) is not installed");
      return NULL;
    }

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                              G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                              G_SUBPROCESS_FLAGS_STDERR_PIPE,
                              &error, program, "-Tsvg", NULL);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8 (process, graph, NULL, &svg, &err, &error);
  g_assert_no_error (error);

  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    g_error ("dot -Tsvg refused the graph:\n%s\n%s", err, graph);

  /* Font warnings are the machine's business; syntax errors are ours. */
  assert_not_contains (err, "rror");
  assert_contains (svg, "<svg");

  return svg;
}

/* validate */

static void
test_validate_examples (void)
{
  g_autoptr(GPtrArray) files = list_example_schemas ();
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_auto(Run) run = { 0 };

  g_ptr_array_add (args, (gpointer)"validate");
  for (guint i = 0; i < files->len; i++)
    g_ptr_array_add (args, files->pdata[i]);
  g_ptr_array_add (args, NULL);

  run_admin (&run, (const char * const *)args->pdata);
  g_assert_cmpint (run.status, ==, STATUS_OK);
  assert_not_contains (run.err, "error:");

  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *ok = g_strdup_printf ("%s: ok, project ", (char *)files->pdata[i]);

      assert_contains (run.out, ok);
    }
}

static void
test_validate_summary (void)
{
  g_autofree char *path = g_build_filename (schemas_dir (), "issue_track.json", NULL);
  g_autofree char *top = g_path_get_dirname (schemas_dir ());
  g_autofree char *dir_name = g_path_get_basename (schemas_dir ());
  g_autofree char *relative = g_build_filename (dir_name, "issue_track.json", NULL);
  g_autoptr(TsDiagnostics) diagnostics = NULL;
  g_autoptr(TsProject) project = load_project (path, &diagnostics);
  guint n_states = g_strv_length ((char **)ts_project_get_states (project));
  g_autoptr(GString) expected = g_string_new (NULL);
  g_auto(Run) run = { 0 };

  g_string_printf (expected,
                   "%s: ok, project issue_track (网上问题处理): %u fields, %u states, %u transitions",
                   relative, ts_project_get_n_fields (project), n_states,
                   ts_project_get_n_transitions (project));
  if (ts_diagnostics_get_n_warnings (diagnostics) == 1)
    g_string_append (expected, ", 1 warning");
  else if (ts_diagnostics_get_n_warnings (diagnostics) > 1)
    g_string_append_printf (expected, ", %u warnings", ts_diagnostics_get_n_warnings (diagnostics));
  g_string_append_c (expected, '\n');

  /* Files are named as given. */
  run_admin_in (&run, top, ARGS ("validate", relative));
  g_assert_cmpint (run.status, ==, STATUS_OK);
  g_assert_cmpstr (run.out, ==, expected->str);
}

static void
test_validate_quiet (void)
{
  g_autofree char *path = g_build_filename (schemas_dir (), "issue_track.json", NULL);
  g_autofree char *invalid = data_file ("unknown-state.json");
  g_auto(Run) run = { 0 };
  g_auto(Run) run2 = { 0 };

  run_admin (&run, ARGS ("validate", "--quiet", path));
  g_assert_cmpint (run.status, ==, STATUS_OK);
  g_assert_cmpstr (run.out, ==, "");

  /* Problems are still written. */
  run_admin (&run2, ARGS ("validate", "-q", path, invalid));
  g_assert_cmpint (run2.status, ==, STATUS_FAILED);
  g_assert_cmpstr (run2.out, ==, "");
  assert_contains (run2.err, "unknown-state.json");
}

static void
test_validate_unknown_state (void)
{
  g_autofree char *path = data_file ("unknown-state.json");
  g_auto(Run) run = { 0 };

  run_admin (&run, ARGS ("validate", path));
  g_assert_cmpint (run.status, ==, STATUS_FAILED);
  g_assert_cmpstr (run.out, ==, "");
  /* Named as given, with line, column and JSON path, like a compiler. */
  assert_contains (run.err, path);
  assert_matches ("^.*unknown-state\\.json:[0-9]+:[0-9]+: error: "
                  "\\$\\.transitions\\[1\\]\\.dest: .*归档", run.err);
}

static void
test_validate_syntax_error (void)
{
  g_autofree char *path = data_file ("syntax-error.json");
  g_autofree char *expected = g_strdup_printf ("%s:4:3: error: ", path);
  g_auto(Run) run = { 0 };

  run_admin (&run, ARGS ("validate", path));
  g_assert_cmpint (run.status, ==, STATUS_FAILED);
  g_assert_cmpstr (run.out, ==, "");
  /* The missing comma: "title" is where one was expected. */
  g_assert_true (g_str_has_prefix (run.err, expected));
}

static void
test_validate_mixed (void)
{
  g_autofree char *valid = g_build_filename (schemas_dir (), "issue_track.json", NULL);
  g_autofree char *unknown_state = data_file ("unknown-state.json");
  g_autofree char *syntax_error = data_file ("syntax-error.json");
  g_autofree char *ok = g_strdup_printf ("%s: ok, project issue_track ", valid);
  g_auto(Run) run = { 0 };

  run_admin (&run, ARGS ("validate", unknown_state, valid, syntax_error));
  g_assert_cmpint (run.status, ==, STATUS_FAILED);
  /* The valid file is still reported, and only it. */
  g_assert_true (g_str_has_prefix (run.out, ok));
  g_assert_cmpuint (strlen (run.out), ==, strchr (run.out, '\n') - run.out + 1);
  assert_contains (run.err, "unknown-state.json:");
  assert_contains (run.err, "syntax-error.json:");
  assert_not_contains (run.err, "issue_track.json");
}

static void
test_validate_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-admin-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *valid = g_build_filename (schemas_dir (), "issue_track.json", NULL);
  g_auto(Run) run = { 0 };

  g_assert_no_error (error);
  path = g_build_filename (dir, "no-such-project.json", NULL);

  run_admin (&run, ARGS ("validate", path, valid));
  g_assert_cmpint (run.status, ==, STATUS_FAILED);
  assert_contains (run.err, path);
  assert_contains (run.err, "error:");
  /* The other files are still checked. */
  assert_contains (run.out, "issue_track.json: ok");

  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_validate_warnings (void)
{
  g_autofree char *path = data_file ("dead-end.json");
  g_autoptr(TsDiagnostics) diagnostics = NULL;
  g_autoptr(TsProject) project = load_project (path, &diagnostics);
  guint n_warnings = ts_diagnostics_get_n_warnings (diagnostics);
  g_autofree char *count = NULL;
  g_auto(Run) run = { 0 };

  /* A state no trigger leaves that is not the last is suspicious. */
  g_assert_cmpuint (n_warnings, >, 0);
  count = g_strdup_printf (n_warnings == 1 ? ", %u warning\n" : ", %u warnings\n", n_warnings);

  run_admin (&run, ARGS ("validate", path));
  g_assert_cmpint (run.status, ==, STATUS_OK);
  assert_matches ("dead-end\\.json(:[0-9]+:[0-9]+)?: warning: ", run.err);
  assert_not_contains (run.err, "error:");
  assert_contains (run.out, "dead-end.json: ok, project dead_end ");
  g_assert_true (g_str_has_suffix (run.out, count));
}

static void
test_validate_no_files (void)
{
  g_auto(Run) run = { 0 };
  g_auto(Run) run2 = { 0 };

  run_admin (&run, ARGS ("validate"));
  g_assert_cmpint (run.status, ==, STATUS_USAGE);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_true (g_str_has_prefix (run.err, "tasksteper-admin validate: "));
  assert_contains (run.err, "tasksteper-admin validate --help");

  run_admin (&run2, ARGS ("validate", "--quiet"));
  g_assert_cmpint (run2.status, ==, STATUS_USAGE);
}

/* Command line */

static void
test_no_command (void)
{
  g_auto(Run) run = { 0 };

  run_admin (&run, ARGS (NULL));
  g_assert_cmpint (run.status, ==, STATUS_USAGE);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_cmpstr (run.err, ==,
                   "tasksteper-admin: no command given. "
                   "Run “tasksteper-admin --help” to see the commands.\n");
}

static void
test_unknown_command (void)
{
  g_auto(Run) run = { 0 };
  g_auto(Run) typo = { 0 };
  g_auto(Run) swapped = { 0 };

  run_admin (&run, ARGS ("frob", "x.json"));
  g_assert_cmpint (run.status, ==, STATUS_USAGE);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_cmpstr (run.err, ==,
                   "tasksteper-admin: unknown command “frob”. "
                   "Run “tasksteper-admin --help” to see the commands.\n");

  run_admin (&typo, ARGS ("valdate", "x.json"));
  g_assert_cmpint (typo.status, ==, STATUS_USAGE);
  assert_contains (typo.err, "unknown command “valdate”");
  assert_contains (typo.err, "Did you mean “validate”?");

  run_admin (&swapped, ARGS ("dto"));
  g_assert_cmpint (swapped.status, ==, STATUS_USAGE);
  assert_contains (swapped.err, "Did you mean “dot”?");
}

static void
test_unknown_option (void)
{
  g_autofree char *path = g_build_filename (schemas_dir (), "issue_track.json", NULL);
  g_auto(Run) global = { 0 };
  g_auto(Run) validate = { 0 };
  g_auto(Run) dot = { 0 };
  g_auto(Run) missing = { 0 };

  run_admin (&global, ARGS ("--frob", "validate", path));
  g_assert_cmpint (global.status, ==, STATUS_USAGE);
  g_assert_cmpstr (global.out, ==, "");
  g_assert_true (g_str_has_prefix (global.err, "tasksteper-admin: "));
  assert_contains (global.err, "--frob");
  assert_contains (global.err, "tasksteper-admin --help");

  run_admin (&validate, ARGS ("validate", "--frob", path));
  g_assert_cmpint (validate.status, ==, STATUS_USAGE);
  g_assert_cmpstr (validate.out, ==, "");
  g_assert_true (g_str_has_prefix (validate.err, "tasksteper-admin validate: "));
  assert_contains (validate.err, "--frob");
  assert_contains (validate.err, "tasksteper-admin validate --help");

  run_admin (&dot, ARGS ("dot", path, "-x"));
  g_assert_cmpint (dot.status, ==, STATUS_USAGE);
  g_assert_cmpstr (dot.out, ==, "");
  g_assert_true (g_str_has_prefix (dot.err, "tasksteper-admin dot: "));
  assert_contains (dot.err, "-x");

  /* An option without its value. */
  run_admin (&missing, ARGS ("dot", path, "--state"));
  g_assert_cmpint (missing.status, ==, STATUS_USAGE);
  g_assert_true (g_str_has_prefix (missing.err, "tasksteper-admin dot: "));
  assert_contains (missing.err, "--state");
}

static void
test_help (void)
{
  g_auto(Run) help = { 0 };
  g_auto(Run) h = { 0 };
  g_auto(Run) command = { 0 };

  run_admin (&help, ARGS ("--help"));
  g_assert_cmpint (help.status, ==, STATUS_OK);
  g_assert_cmpstr (help.err, ==, "");
  assert_contains (help.out, "Usage:");
  assert_contains (help.out, "tasksteper-admin");
  assert_contains (help.out, "--version");
  assert_contains (help.out, "\n  validate FILE…");
  assert_contains (help.out, "\n  dot FILE");
  assert_contains (help.out, "\n  help [COMMAND]");

  run_admin (&h, ARGS ("-h"));
  g_assert_cmpint (h.status, ==, STATUS_OK);
  g_assert_cmpstr (h.out, ==, help.out);

  run_admin (&command, ARGS ("help"));
  g_assert_cmpint (command.status, ==, STATUS_OK);
  g_assert_cmpstr (command.out, ==, help.out);
}

static void
test_help_commands (void)
{
  static const struct
  {
    const char *name;
    const char *usage;
    const char *option;
  } cases[] = {
    { "validate", "tasksteper-admin validate [OPTION…] FILE…", "--quiet" },
    { "dot", "tasksteper-admin dot [OPTION…] FILE", "--state=STATE" },
    { "help", "tasksteper-admin help [OPTION…] [COMMAND]", "--help" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) option = { 0 };
      g_auto(Run) short_option = { 0 };
      g_auto(Run) command = { 0 };

      run_admin (&option, ARGS (cases[i].name, "--help"));
      g_assert_cmpint (option.status, ==, STATUS_OK);
      g_assert_cmpstr (option.err, ==, "");
      assert_contains (option.out, "Usage:");
      assert_contains (option.out, cases[i].usage);
      assert_contains (option.out, cases[i].option);

      run_admin (&short_option, ARGS (cases[i].name, "-h"));
      g_assert_cmpint (short_option.status, ==, STATUS_OK);
      g_assert_cmpstr (short_option.out, ==, option.out);

      run_admin (&command, ARGS ("help", cases[i].name));
      g_assert_cmpint (command.status, ==, STATUS_OK);
      g_assert_cmpstr (command.err, ==, "");
      g_assert_cmpstr (command.out, ==, option.out);
    }
}

static void
test_help_errors (void)
{
  g_auto(Run) unknown = { 0 };
  g_auto(Run) two = { 0 };

  run_admin (&unknown, ARGS ("help", "frob"));
  g_assert_cmpint (unknown.status, ==, STATUS_USAGE);
  assert_contains (unknown.err, "unknown command “frob”");

  run_admin (&two, ARGS ("help", "validate", "dot"));
  g_assert_cmpint (two.status, ==, STATUS_USAGE);
  g_assert_true (g_str_has_prefix (two.err, "tasksteper-admin help: "));
}

static void
test_version (void)
{
  g_auto(Run) run = { 0 };

  run_admin (&run, ARGS ("--version"));
  g_assert_cmpint (run.status, ==, STATUS_OK);
  g_assert_cmpstr (run.out, ==, "tasksteper-admin " PACKAGE_VERSION "\n");
  g_assert_cmpstr (run.err, ==, "");
}

/* dot */

static void
test_dot_issue_track (void)
{
  g_autofree char *path = g_build_filename (schemas_dir (), "issue_track.json", NULL);
  g_autoptr(TsProject) project = load_project (path, NULL);
  const char * const *states = ts_project_get_states (project);
  g_autofree char *svg = NULL;
  g_auto(Run) run = { 0 };

  run_admin (&run, ARGS ("dot", path));
  g_assert_cmpint (run.status, ==, STATUS_OK);
  g_assert_true (g_str_has_prefix (run.out, "digraph \"issue_track\" {\n"));
  assert_contains (run.out, "label=\"网上问题处理\"");
  assert_contains (run.out, "rankdir=LR");
  assert_not_contains (run.out, "style=\"rounded,filled\"");

  for (guint i = 0; states[i] != NULL; i++)
    {
      g_autofree char *node = g_strdup_printf ("\n  \"%s\"", states[i]);

      assert_contains (run.out, node);
    }

  /* The initial state is entered from the start dot. */
  {
    g_autofree char *start = g_strdup_printf ("\"__start\" -> \"%s\";\n",
                                              ts_project_get_initial_state (project));

    assert_contains (run.out, start);
  }

  for (guint i = 0; i < ts_project_get_n_transitions (project); i++)
    {
      TsTransition *transition = ts_project_get_transition (project, i);
      g_autofree char *label = g_strdup_printf ("[label=\"%s",
                                                ts_transition_get_trigger (transition));

      assert_contains (run.out, label);
    }

  /* assign_to is shown by label. */
  assert_contains (run.out, "→ 维护代表\"");
  assert_contains (run.out, "\"关闭\" [peripheries=2];\n");

  svg = render_svg (run.out);
}

static void
test_dot_examples (void)
{
  g_autoptr(GPtrArray) files = list_example_schemas ();

  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *svg = NULL;
      g_auto(Run) run = { 0 };

      run_admin (&run, ARGS ("dot", files->pdata[i]));
      g_assert_cmpint (run.status, ==, STATUS_OK);
      assert_not_contains (run.err, "error:");

      svg = render_svg (run.out);
      if (svg == NULL)
        return;
    }
}

static void
test_dot_state (void)
{
  g_autofree char *path = g_build_filename (schemas_dir (), "issue_track.json", NULL);
  g_autofree char *svg = NULL;
  g_auto(Run) run = { 0 };
  g_auto(Run) short_option = { 0 };

  run_admin (&run, ARGS ("dot", "--state", "关闭", path));
  g_assert_cmpint (run.status, ==, STATUS_OK);
  assert_matches ("^  \"关闭\" \\[.*style=\"rounded,filled\".*\\];$", run.out);
  /* Only that one. */
  assert_not_contains (strstr (run.out, "rounded,filled") + 1, "rounded,filled");

  run_admin (&short_option, ARGS ("dot", path, "-s", "维护代表审核"));
  g_assert_cmpint (short_option.status, ==, STATUS_OK);
  assert_matches ("^  \"维护代表审核\" \\[style=\"rounded,filled\".*\\];$", short_option.out);

  svg = render_svg (run.out);
}

static void
test_dot_no_such_state (void)
{
  g_autofree char *path = g_build_filename (schemas_dir (), "issue_track.json", NULL);
  g_auto(Run) run = { 0 };

  run_admin (&run, ARGS ("dot", "--state", "nosuch", path));
  g_assert_cmpint (run.status, ==, STATUS_USAGE);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_true (g_str_has_prefix (run.err, "tasksteper-admin dot: “nosuch” is not a state "
                                            "of project issue_track"));
  /* It says which states there are. */
  assert_contains (run.err, "“维护人员处理”");
  assert_contains (run.err, "“关闭”");
}

static void
test_dot_invalid (void)
{
  g_autofree char *invalid = data_file ("unknown-state.json");
  g_autofree char *valid = g_build_filename (schemas_dir (), "issue_track.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-admin-XXXXXX", &error);
  g_autofree char *missing = NULL;
  g_auto(Run) run = { 0 };
  g_auto(Run) none = { 0 };
  g_auto(Run) two = { 0 };
  g_auto(Run) absent = { 0 };

  g_assert_no_error (error);
  missing = g_build_filename (dir, "missing.json", NULL);

  run_admin (&run, ARGS ("dot", invalid));
  g_assert_cmpint (run.status, ==, STATUS_FAILED);
  g_assert_cmpstr (run.out, ==, "");
  assert_contains (run.err, "unknown-state.json:");
  assert_contains (run.err, "error:");

  run_admin (&absent, ARGS ("dot", missing));
  g_assert_cmpint (absent.status, ==, STATUS_FAILED);
  g_assert_cmpstr (absent.out, ==, "");
  assert_contains (absent.err, missing);

  run_admin (&none, ARGS ("dot"));
  g_assert_cmpint (none.status, ==, STATUS_USAGE);
  g_assert_true (g_str_has_prefix (none.err, "tasksteper-admin dot: "));

  run_admin (&two, ARGS ("dot", valid, valid));
  g_assert_cmpint (two.status, ==, STATUS_USAGE);
  g_assert_cmpstr (two.out, ==, "");
  g_assert_true (g_str_has_prefix (two.err, "tasksteper-admin dot: "));

  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* ts_project_to_dot() */

static void
test_dot_golden (void)
{
  g_autofree char *path = data_file ("escape.json");
  g_autofree char *golden_path = data_file ("escape.dot");
  g_autoptr(TsProject) project = load_project (path, NULL);
  g_autofree char *dot = ts_project_to_dot (project, NULL);
  g_autofree char *again = ts_project_to_dot (project, NULL);
  g_autofree char *unknown = ts_project_to_dot (project, "no such state");
  g_autofree char *golden = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (golden_path, &golden, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (dot, ==, golden);
  g_assert_cmpstr (again, ==, dot);
  /* An unknown state highlights nothing. */
  g_assert_cmpstr (unknown, ==, dot);
}

static void
test_dot_escape (void)
{
  g_autofree char *path = data_file ("escape.json");
  g_autoptr(TsProject) project = load_project (path, NULL);
  g_autofree char *dot = ts_project_to_dot (project, "审核\\review");
  g_autofree char *svg = NULL;

  /* Quotes and backslashes are escaped wherever a name is used. */
  assert_contains (dot, "label=\"引号 \\\"和\\\" 反斜杠 \\\\ 测试\"");
  assert_contains (dot, "\n  \"新建 \\\"draft\\\"\";\n");
  assert_contains (dot, "\n  \"审核\\\\review\" [style=\"rounded,filled\"");
  /* One edge per source. */
  assert_contains (dot, "\n  \"新建 \\\"draft\\\"\" -> \"关闭\" [label=\"关闭\\n");
  assert_contains (dot, "\n  \"审核\\\\review\" -> \"关闭\" [label=\"关闭\\n");

  svg = render_svg (dot);
  if (svg == NULL)
    return;

  /* Graphviz read the names back as they are in the schema. */
  assert_contains (svg, ">引号 &quot;和&quot; 反斜杠 \\ 测试</text>");
  assert_contains (svg, ">新建 &quot;draft&quot;</text>");
  assert_contains (svg, ">审核\\review</text>");
  assert_contains (svg, ">打回 &quot;重写&quot;</text>");
  assert_not_contains (svg, "审核\\\\review</text>");
}

int
main (int    argc,
      char **argv)
{
  /* UTF-8 messages, and the untranslated strings the golden file has. */
  if (setlocale (LC_ALL, "C.UTF-8") == NULL)
    setlocale (LC_ALL, "");

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ts/admin/validate/examples", test_validate_examples);
  g_test_add_func ("/ts/admin/validate/summary", test_validate_summary);
  g_test_add_func ("/ts/admin/validate/quiet", test_validate_quiet);
  g_test_add_func ("/ts/admin/validate/unknown-state", test_validate_unknown_state);
  g_test_add_func ("/ts/admin/validate/syntax-error", test_validate_syntax_error);
  g_test_add_func ("/ts/admin/validate/mixed", test_validate_mixed);
  g_test_add_func ("/ts/admin/validate/missing-file", test_validate_missing_file);
  g_test_add_func ("/ts/admin/validate/warnings", test_validate_warnings);
  g_test_add_func ("/ts/admin/validate/no-files", test_validate_no_files);
  g_test_add_func ("/ts/admin/usage/no-command", test_no_command);
  g_test_add_func ("/ts/admin/usage/unknown-command", test_unknown_command);
  g_test_add_func ("/ts/admin/usage/unknown-option", test_unknown_option);
  g_test_add_func ("/ts/admin/help/main", test_help);
  g_test_add_func ("/ts/admin/help/commands", test_help_commands);
  g_test_add_func ("/ts/admin/help/errors", test_help_errors);
  g_test_add_func ("/ts/admin/version", test_version);
  g_test_add_func ("/ts/admin/dot/issue-track", test_dot_issue_track);
  g_test_add_func ("/ts/admin/dot/examples", test_dot_examples);
  g_test_add_func ("/ts/admin/dot/state", test_dot_state);
  g_test_add_func ("/ts/admin/dot/no-such-state", test_dot_no_such_state);
  g_test_add_func ("/ts/admin/dot/invalid", test_dot_invalid);
  g_test_add_func ("/ts/dot/golden", test_dot_golden);
  g_test_add_func ("/ts/dot/escape", test_dot_escape);

  return g_test_run ();
}
