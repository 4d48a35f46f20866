/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-export-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ts-a11y.h"
#include "ts-export-dialog-private.h"
#include "ts-export-job.h"

/* The export runs as a TsExportJob (src/db), whose writer works on a
 * thread of its own; this window only chooses, shows progress and the
 * outcome.  One export at a time. */

struct _TsExportDialog
{
  AdwWindow             parent_instance;

  TsStore              *store;
  TsProject            *project;
  JsonNode             *filter;
  char                 *sort;
  gboolean              descending;
  char                 *title;
  char                **visible_columns;

  AdwWindowTitle       *window_title;
  GtkCheckButton       *csv_check;
  GtkCheckButton       *xlsx_check;
  AdwActionRow         *excel_row;
  GtkSwitch            *excel_switch;
  AdwActionRow         *visible_row;
  AdwActionRow         *all_row;
  GtkCheckButton       *visible_check;
  GtkCheckButton       *all_check;
  GtkWidget            *format_group;
  GtkWidget            *columns_group;
  GtkWidget            *progress_box;
  GtkProgressBar       *progress_bar;
  GtkLabel             *progress_label;
  GtkLabel             *result_label;
  GtkLabel             *error_label;
  GtkWidget            *open_button;
  GtkWidget            *cancel_button;

  GtkFileChooserNative *chooser;
  TsExportJob          *job;          /* while exporting */
  GCancellable         *cancellable;  /* the export's */
  char                 *path;         /* where it writes */
  char                 *exported;     /* the last file written, for Open */
  char                 *destination;  /* tests only */
  guint                 pulse_id;
};

G_DEFINE_FINAL_TYPE (TsExportDialog, ts_export_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_PROJECT,
  PROP_FILTER,
  PROP_SORT,
  PROP_DESCENDING,
  PROP_LIST_TITLE,
  PROP_VISIBLE_COLUMNS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static TsExportFormat
chosen_format (TsExportDialog *self)
{
  return gtk_check_button_get_active (self->xlsx_check) ? TS_EXPORT_FORMAT_XLSX : TS_EXPORT_FORMAT_CSV;
}

static void
update_actions (TsExportDialog *self)
{
  gboolean running = self->job != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "export.start", !running && self->chooser == NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "export.cancel", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "export.open", !running && self->exported != NULL);

  gtk_widget_set_sensitive (self->format_group, !running);
  gtk_widget_set_sensitive (self->columns_group, !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->excel_row), chosen_format (self) == TS_EXPORT_FORMAT_CSV);
  gtk_widget_set_visible (self->cancel_button, running);
  gtk_widget_set_visible (self->progress_box, running);
  gtk_widget_set_visible (self->open_button, !running && self->exported != NULL);
}

static void
on_choice_toggled (TsExportDialog *self)
{
  update_actions (self);
}

static void
show_error (TsExportDialog *self,
            const char     *message)
{
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
show_result (TsExportDialog *self,
             const char     *message)
{
  gtk_label_set_text (self->result_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->result_label), message != NULL);
}

/* A count for people: 100,000 with the locale's grouping. */
static char *
count_text (guint64 n)
{
  return g_strdup_printf ("%'" G_GUINT64_FORMAT, n);
}

/* Progress */

static gboolean
pulse (gpointer user_data)
{
  TsExportDialog *self = user_data;

  gtk_progress_bar_pulse (self->progress_bar);
  return G_SOURCE_CONTINUE;
}

static void
on_progress (TsExportDialog *self)
{
  gint64 total;
  guint64 written;
  g_autofree char *written_text = NULL;
  g_autofree char *total_text = NULL;
  g_autofree char *text = NULL;

  if (self->job == NULL)
    return;

  total = ts_export_job_get_total (self->job);
  written = ts_export_job_get_written (self->job);
  written_text = count_text (written);
  if (total < 0)
    {
      gtk_label_set_text (self->progress_label, _("Counting the tickets…"));
      return;
    }

  g_clear_handle_id (&self->pulse_id, g_source_remove);
  total_text = count_text (total);
  /* Translators: "1,000 of 100,000 tickets written" */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s of %s ticket written", "%s of %s tickets written",
                                       (gulong)total),
                          written_text, total_text);
  gtk_label_set_text (self->progress_label, text);
  gtk_progress_bar_set_fraction (self->progress_bar, total > 0 ? MIN (1.0, (double)written / total) : 0);
}

static void
finish_run (TsExportDialog *self)
{
  if (self->job != NULL)
    g_signal_handlers_disconnect_by_data (self->job, self);
  g_clear_object (&self->job);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->pulse_id, g_source_remove);
  update_actions (self);
}

static void
on_exported (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(TsExportDialog) self = user_data;
  TsExportJob *job = TS_EXPORT_JOB (object);
  g_autoptr(GError) error = NULL;
  gboolean ok = ts_export_job_run_finish (job, result, &error);

  /* The window went away, or this is an older export's answer. */
  if (self->job != job)
    return;

  if (!ok)
    {
      finish_run (self);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_result (self, _("The export was cancelled; no file was written."));
      else
        show_error (self, error->message);
      return;
    }

  {
    guint64 n = ts_export_job_get_written (job);
    guint64 cut = ts_export_job_get_n_truncated (job);
    g_autofree char *n_text = count_text (n);
    g_autoptr(GString) message = g_string_new (NULL);

    g_string_printf (message, g_dngettext (GETTEXT_PACKAGE, "Exported %s ticket to %s", "Exported %s tickets to %s",
                                           (gulong)n),
                     n_text, self->path);
    if (cut > 0)
      {
        g_autofree char *cut_text = count_text (cut);

        g_string_append_c (message, '\n');
        g_string_append_printf (message,
                                g_dngettext (GETTEXT_PACKAGE,
                                             "%s cell was longer than Excel allows and was cut to %d characters.",
                                             "%s cells were longer than Excel allows and were cut to %d characters.",
                                             (gulong)cut),
                                cut_text, TS_EXPORT_XLSX_MAX_CELL_CHARS);
      }
    g_free (self->exported);
    self->exported = g_strdup (self->path);
    finish_run (self);
    show_result (self, message->str);
  }
}

static char **
chosen_columns (TsExportDialog *self)
{
  g_autoptr(GStrvBuilder) builder = NULL;

  if (gtk_check_button_get_active (self->all_check))
    return ts_export_all_columns (self->project);

  builder = g_strv_builder_new ();
  for (guint i = 0; self->visible_columns && self->visible_columns[i]; i++)
    g_strv_builder_add (builder, self->visible_columns[i]);
  return g_strv_builder_end (builder);
}

static void
start_export (TsExportDialog *self,
              const char     *path)
{
  g_auto(GStrv) columns = chosen_columns (self);
  TsExportFormat format = chosen_format (self);
  TsExportFlags flags = TS_EXPORT_FLAGS_NONE;
  g_autoptr(TsExportJob) job = NULL;

  if (format == TS_EXPORT_FORMAT_CSV && gtk_switch_get_active (self->excel_switch))
    flags |= TS_EXPORT_FLAGS_EXCEL_COMPATIBLE;

  show_error (self, NULL);
  show_result (self, NULL);
  g_clear_pointer (&self->exported, g_free);

  job = ts_export_job_new (self->store, self->project, self->filter, self->sort, self->descending,
                           format, (const char * const *)columns, flags);
  g_free (self->path);
  self->path = g_strdup (path);
  self->job = g_object_ref (job);
  self->cancellable = g_cancellable_new ();
  g_signal_connect_object (job, "notify::written", G_CALLBACK (on_progress), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (job, "notify::total", G_CALLBACK (on_progress), self, G_CONNECT_SWAPPED);

  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  self->pulse_id = g_timeout_add (150, pulse, self);
  on_progress (self);
  update_actions (self);

  ts_export_job_run_async (job, path, self->cancellable, on_exported, g_object_ref (self));
}

/* Choosing the file */

char *
_ts_export_dialog_suggest_name (const char *title,
                                GDateTime  *date,
                                const char *extension)
{
  g_autofree char *day = g_date_time_format (date, "%Y-%m-%d");
  g_autoptr(GString) name = g_string_new (NULL);

  /* Characters no file name should have (Windows' too, for a copy). */
  for (const char *p = title ? title : ""; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || (c < 0x80 && strchr ("/\\:*?\"<>|", (int)c) != NULL))
        g_string_append_c (name, '-');
      else
        g_string_append_unichar (name, c);
    }
  g_strstrip (name->str);
  g_string_set_size (name, strlen (name->str));
  while (name->len > 0 && name->str[0] == '.')
    g_string_erase (name, 0, 1);
  if (name->len == 0)
    g_string_assign (name, _("tickets"));

  g_string_append_printf (name, " %s.%s", day, extension);
  return g_string_free (g_steal_pointer (&name), FALSE);
}

static void
on_chosen (TsExportDialog       *self,
           int                   response,
           GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  path = file ? g_file_get_path (file) : NULL;
  g_clear_object (&self->chooser);
  update_actions (self);

  if (file != NULL && path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_autofree char *message = g_strdup_printf (_("Cannot export to “%s”: choose a file on this computer"), uri);

      show_error (self, message);
      return;
    }
  if (path != NULL)
    start_export (self, path);
}

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  TsExportDialog *self = TS_EXPORT_DIALOG (widget);
  TsExportFormat format = chosen_format (self);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *name = _ts_export_dialog_suggest_name (self->title, now, ts_export_format_get_extension (format));
  const char *documents = g_get_user_special_dir (G_USER_DIRECTORY_DOCUMENTS);

  if (self->job != NULL || self->chooser != NULL)
    return;

  if (self->destination != NULL)
    {
      start_export (self, self->destination);
      return;
    }

  /* GtkFileChooserNative, not GtkFileDialog, which is GTK 4.10. */
  self->chooser = gtk_file_chooser_native_new (_("Export Tickets"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  if (format == TS_EXPORT_FORMAT_XLSX)
    {
      gtk_file_filter_set_name (filter, _("Excel workbooks (XLSX)"));
      gtk_file_filter_add_suffix (filter, "xlsx");
    }
  else
    {
      gtk_file_filter_set_name (filter, _("CSV files"));
      gtk_file_filter_add_suffix (filter, "csv");
    }
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  if (documents != NULL && g_file_test (documents, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GFile) folder = g_file_new_for_path (documents);

      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), folder, NULL);
    }
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_chosen), self, G_CONNECT_SWAPPED);
  update_actions (self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TsExportDialog *self = TS_EXPORT_DIALOG (widget);

  g_cancellable_cancel (self->cancellable);
}

static void
on_shown (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(TsExportDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!gtk_show_uri_full_finish (GTK_WINDOW (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *message = g_strdup_printf (_("Cannot open “%s”: %s"), self->exported, error->message);

      show_error (self, message);
    }
}

/* GtkFileLauncher is GTK 4.10: gtk_show_uri_full() opens the file in the
 * application the desktop has for it. */
static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TsExportDialog *self = TS_EXPORT_DIALOG (widget);
  g_autoptr(GFile) file = NULL;
  g_autofree char *uri = NULL;

  if (self->exported == NULL)
    return;
  file = g_file_new_for_path (self->exported);
  uri = g_file_get_uri (file);
  show_error (self, NULL);
  gtk_show_uri_full (GTK_WINDOW (self), uri, GDK_CURRENT_TIME, NULL, on_shown, g_object_ref (self));
}

void
_ts_export_dialog_set_destination (TsExportDialog *self,
                                   const char     *path)
{
  g_return_if_fail (TS_IS_EXPORT_DIALOG (self));

  g_free (self->destination);
  self->destination = g_strdup (path);
}

/* The object */

static void
ts_export_dialog_constructed (GObject *object)
{
  TsExportDialog *self = (TsExportDialog *)object;
  g_autoptr(GStrvBuilder) known = g_strv_builder_new ();
  g_autoptr(GString) labels = g_string_new (NULL);
  g_auto(GStrv) all = NULL;
  g_autofree char *all_text = NULL;

  G_OBJECT_CLASS (ts_export_dialog_parent_class)->constructed (object);

  adw_window_title_set_subtitle (self->window_title, self->title ? self->title : ts_project_get_title (self->project));

  /* The list's columns that are the project's (a column of another
   * version of the schema would be refused by the writer). */
  for (guint i = 0; self->visible_columns && self->visible_columns[i]; i++)
    {
      const char *name = self->visible_columns[i];

      if (ts_is_system_field (name) || ts_project_lookup_field (self->project, name) != NULL)
        {
          g_strv_builder_add (known, name);
          if (labels->len > 0)
            g_string_append (labels, _(", "));
          g_string_append (labels, ts_project_get_label_for (self->project, name));
        }
    }
  g_strfreev (self->visible_columns);
  self->visible_columns = g_strv_builder_end (known);
  if (self->visible_columns[0] == NULL)
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->visible_row), FALSE);
      gtk_check_button_set_active (self->all_check, TRUE);
    }
  adw_action_row_set_subtitle (self->visible_row, labels->str);

  all = ts_export_all_columns (self->project);
  all_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u column", "%u columns", g_strv_length (all)),
                              g_strv_length (all));
  adw_action_row_set_subtitle (self->all_row, all_text);

  update_actions (self);
}

static void
ts_export_dialog_dispose (GObject *object)
{
  TsExportDialog *self = (TsExportDialog *)object;

  /* An export under way stops, and leaves no file. */
  g_cancellable_cancel (self->cancellable);
  if (self->job != NULL)
    g_signal_handlers_disconnect_by_data (self->job, self);
  g_clear_object (&self->job);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->pulse_id, g_source_remove);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  gtk_widget_dispose_template (GTK_WIDGET (self), TS_TYPE_EXPORT_DIALOG);

  G_OBJECT_CLASS (ts_export_dialog_parent_class)->dispose (object);
}

static void
ts_export_dialog_finalize (GObject *object)
{
  TsExportDialog *self = (TsExportDialog *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->project);
  g_clear_pointer (&self->filter, json_node_unref);
  g_free (self->sort);
  g_free (self->title);
  g_strfreev (self->visible_columns);
  g_free (self->exported);
  g_free (self->path);
  g_free (self->destination);

  G_OBJECT_CLASS (ts_export_dialog_parent_class)->finalize (object);
}

static void
ts_export_dialog_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  TsExportDialog *self = TS_EXPORT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_PROJECT:
      g_value_set_object (value, self->project);
      break;

    case PROP_FILTER:
      g_value_set_boxed (value, self->filter);
      break;

    case PROP_SORT:
      g_value_set_string (value, self->sort);
      break;

    case PROP_DESCENDING:
      g_value_set_boolean (value, self->descending);
      break;

    case PROP_LIST_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_VISIBLE_COLUMNS:
      g_value_set_boxed (value, self->visible_columns);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_export_dialog_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  TsExportDialog *self = TS_EXPORT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_PROJECT:
      self->project = g_value_dup_object (value);
      break;

    case PROP_FILTER:
      {
        JsonNode *filter = g_value_get_boxed (value);

        self->filter = filter ? json_node_copy (filter) : json_node_init_object (json_node_alloc (), json_object_new ());
      }
      break;

    case PROP_SORT:
      self->sort = g_value_dup_string (value);
      break;

    case PROP_DESCENDING:
      self->descending = g_value_get_boolean (value);
      break;

    case PROP_LIST_TITLE:
      self->title = g_value_dup_string (value);
      break;

    case PROP_VISIBLE_COLUMNS:
      self->visible_columns = g_value_dup_boxed (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_export_dialog_class_init (TsExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ts_export_dialog_constructed;
  object_class->dispose = ts_export_dialog_dispose;
  object_class->finalize = ts_export_dialog_finalize;
  object_class->get_property = ts_export_dialog_get_property;
  object_class->set_property = ts_export_dialog_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TS_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL, TS_TYPE_PROJECT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FILTER] =
    g_param_spec_boxed ("filter", NULL, NULL, JSON_TYPE_NODE,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SORT] =
    g_param_spec_string ("sort", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DESCENDING] =
    g_param_spec_boolean ("descending", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LIST_TITLE] =
    g_param_spec_string ("list-title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VISIBLE_COLUMNS] =
    g_param_spec_boxed ("visible-columns", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tasksteper/TaskSteper/ts-export-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TsExportDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, TsExportDialog, csv_check);
  gtk_widget_class_bind_template_child (widget_class, TsExportDialog, xlsx_check);
  gtk_widget_class_bind_template_child (widget_class, TsExportDialog, excel_row);
  gtk_widget_class_bind_template_child (widget_class, TsExportDialog, excel_switch);
  gtk_widget_class_bind_template_child (widget_class, TsExportDialog, visible_row);
  gtk_widget_class_bind_template_child (widget_class, TsExportDialog, all_row);
  gtk_widget_class_bind_template_child (widget_class, TsExportDialog, visible_check);
  gtk_widget_class_bind_template_child (widget_class, TsExportDialog, all_check);
  gtk_widget_class_bind_template_child (widget_class, TsExportDialog, format_group);
  gtk_widget_class_bind_template_child (widget_class, TsExportDialog, columns_group);
  gtk_widget_class_bind_template_child (widget_class, TsExportDialog, progress_box);
  gtk_widget_class_bind_template_child (widget_class, TsExportDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, TsExportDialog, progress_label);
  gtk_widget_class_bind_template_child (widget_class, TsExportDialog, result_label);
  gtk_widget_class_bind_template_child (widget_class, TsExportDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, TsExportDialog, open_button);
  gtk_widget_class_bind_template_child (widget_class, TsExportDialog, cancel_button);
  gtk_widget_class_bind_template_callback (widget_class, on_choice_toggled);

  gtk_widget_class_install_action (widget_class, "export.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "export.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "export.open", NULL, open_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ts_export_dialog_init (TsExportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ts_a11y_fix_mnemonic_buttons (GTK_WIDGET (self));
}

TsExportDialog *
ts_export_dialog_new (GtkWindow          *parent,
                      TsStore            *store,
                      TsProject          *project,
                      JsonNode           *filter,
                      const char         *sort,
                      gboolean            descending,
                      const char         *title,
                      const char * const *visible_columns)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (TS_IS_STORE (store), NULL);
  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);
  g_return_val_if_fail (filter == NULL || JSON_NODE_HOLDS_OBJECT (filter), NULL);

  return g_object_new (TS_TYPE_EXPORT_DIALOG,
                       "transient-for", parent,
                       "store", store,
                       "project", project,
                       "filter", filter,
                       "sort", sort,
                       "descending", descending,
                       "list-title", title,
                       "visible-columns", visible_columns,
                       NULL);
}
