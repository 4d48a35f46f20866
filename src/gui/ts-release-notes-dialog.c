/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-release-notes-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ts-a11y.h"
#include "ts-export.h"
#include "ts-release-notes.h"
#include "ts-release-notes-dialog-private.h"

/* Every change of a choice reads the tickets again, a moment after the
 * last keystroke, cancelling a read still under way. */

#define REFRESH_DELAY_MS 300
#define PAGE_SIZE        500
#define LINK_SCHEME      "tasksteper://"

struct _TsReleaseNotesDialog
{
  AdwWindow             parent_instance;

  TsStore              *store;
  TsProject            *project;

  AdwWindowTitle       *window_title;
  AdwToastOverlay      *toasts;
  GtkDropDown          *state_dropdown;
  AdwEntryRow          *from_row;
  AdwEntryRow          *to_row;
  GtkDropDown          *field_dropdown;
  GtkDropDown          *group_dropdown;
  GtkLabel             *error_label;
  GtkLabel             *status_label;
  GtkSpinner           *spinner;
  GtkTextView          *preview;
  GtkTextTag           *link_tag;

  GPtrArray            *text_fields;   /* names, in the order of field_dropdown */
  GPtrArray            *group_fields;  /* names, NULL first ("None"), in the order of group_dropdown */
  GCancellable         *cancellable;   /* the read under way */
  GCancellable         *save_cancellable;
  GtkFileChooserNative *chooser;
  char                 *markdown;      /* what the preview shows, when current */
  char                 *destination;   /* tests only */
  guint                 refresh_id;
};

G_DEFINE_FINAL_TYPE (TsReleaseNotesDialog, ts_release_notes_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_PROJECT,
  PROP_MARKDOWN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_actions (TsReleaseNotesDialog *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "notes.copy", self->markdown != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "notes.save",
                                 self->markdown != NULL && self->chooser == NULL && self->save_cancellable == NULL);
}

static void
show_error (TsReleaseNotesDialog *self,
            const char           *message)
{
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
set_busy (TsReleaseNotesDialog *self,
          gboolean              busy)
{
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
}

/* The preview and its links */

static void
tag_links (TsReleaseNotesDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->preview);
  GtkTextIter iter;

  /* Each "[KEY](tasksteper://PROJECT/NUMBER)" at the start of an item. */
  gtk_text_buffer_get_start_iter (buffer, &iter);
  while (!gtk_text_iter_is_end (&iter))
    {
      GtkTextIter line_end = iter;
      g_autofree char *line = NULL;
      const char *open, *close;

      if (!gtk_text_iter_ends_line (&line_end))
        gtk_text_iter_forward_to_line_end (&line_end);
      line = gtk_text_iter_get_text (&iter, &line_end);
      if (g_str_has_prefix (line, "- [") &&
          (open = strstr (line, "](" LINK_SCHEME)) != NULL &&
          (close = strchr (open, ')')) != NULL)
        {
          GtkTextIter start = iter, end = iter;

          gtk_text_iter_forward_chars (&start, 2);
          gtk_text_iter_forward_chars (&end, g_utf8_pointer_to_offset (line, close + 1));
          gtk_text_buffer_apply_tag (buffer, self->link_tag, &start, &end);
        }
      if (!gtk_text_iter_forward_line (&iter))
        break;
    }
}

static void
set_markdown (TsReleaseNotesDialog *self,
              char                 *markdown)
{
  if (markdown != NULL)
    {
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->preview), markdown, -1);
      tag_links (self);
    }
  g_free (self->markdown);
  self->markdown = markdown;
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MARKDOWN]);
}

/* The link under (@x, @y) of the preview: "PROJECT/NUMBER", or NULL. */
static char *
link_at (TsReleaseNotesDialog *self,
         double                x,
         double                y)
{
  GtkTextIter iter, start, end;
  int bx, by;
  g_autofree char *text = NULL;
  const char *url, *close;

  gtk_text_view_window_to_buffer_coords (self->preview, GTK_TEXT_WINDOW_WIDGET, (int)x, (int)y, &bx, &by);
  if (!gtk_text_view_get_iter_at_location (self->preview, &iter, bx, by) ||
      !gtk_text_iter_has_tag (&iter, self->link_tag))
    return NULL;

  start = end = iter;
  if (!gtk_text_iter_starts_tag (&start, self->link_tag))
    gtk_text_iter_backward_to_tag_toggle (&start, self->link_tag);
  gtk_text_iter_forward_to_tag_toggle (&end, self->link_tag);
  text = gtk_text_iter_get_text (&start, &end);
  if ((url = strstr (text, "](" LINK_SCHEME)) == NULL || (close = strchr (url, ')')) == NULL)
    return NULL;
  url += strlen ("](" LINK_SCHEME);
  return g_strndup (url, close - url);
}

static void
on_preview_released (GtkGestureClick      *gesture,
                     int                   n_press,
                     double                x,
                     double                y,
                     TsReleaseNotesDialog *self)
{
  g_autofree char *target = link_at (self, x, y);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->preview);
  GtkTextIter start, end;

  /* A click that selected text is not a click on the link. */
  if (target == NULL || (gtk_text_buffer_get_selection_bounds (buffer, &start, &end)))
    return;

  /* The application installs app.open-ticket ("PROJECT/NUMBER"), as for
   * a form's link button. */
  gtk_widget_activate_action (GTK_WIDGET (self->preview), "app.open-ticket", "s", target);
}

static void
on_preview_motion (GtkEventControllerMotion *motion,
                   double                    x,
                   double                    y,
                   TsReleaseNotesDialog     *self)
{
  g_autofree char *target = link_at (self, x, y);

  gtk_widget_set_cursor_from_name (GTK_WIDGET (self->preview), target ? "pointer" : NULL);
}

/* Reading the tickets */

typedef struct
{
  TsReleaseNotesDialog *self;
  TsReleaseNotes       *notes;
  GCancellable         *cancellable;
  JsonNode             *filter;
} Read;

static void
read_free (Read *read)
{
  g_clear_object (&read->self);
  g_clear_object (&read->notes);
  g_clear_object (&read->cancellable);
  g_clear_pointer (&read->filter, json_node_unref);
  g_free (read);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Read, read_free)

static void read_page (Read *read, TsTicket *after);

static void
on_page (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(Read) read = user_data;
  TsReleaseNotesDialog *self = read->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = ts_store_search_tickets_finish (TS_STORE (object), result, &error);
  g_autofree char *status = NULL;
  guint n;

  if (g_cancellable_is_cancelled (read->cancellable) || self->cancellable != read->cancellable)
    return;

  if (page == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Cannot read the tickets: %s"), error->message);

      set_busy (self, FALSE);
      gtk_label_set_text (self->status_label, "");
      show_error (self, message);
      return;
    }

  for (guint i = 0; i < page->len; i++)
    ts_release_notes_add (read->notes, g_ptr_array_index (page, i));

  if (page->len == PAGE_SIZE)
    {
      read_page (g_steal_pointer (&read), g_ptr_array_index (page, page->len - 1));
      return;
    }

  set_busy (self, FALSE);
  n = ts_release_notes_get_n_tickets (read->notes);
  status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u ticket", "%u tickets", n), n);
  if (!ts_store_get_online (self->store))
    {
      g_autofree char *offline = g_strdup_printf (_("%s, from the offline copy"), status);

      g_free (status);
      status = g_steal_pointer (&offline);
    }
  gtk_label_set_text (self->status_label, status);
  g_clear_object (&self->cancellable);
  set_markdown (self, ts_release_notes_to_markdown (read->notes));
}

static void
read_page (Read     *read,
           TsTicket *after)
{
  TsReleaseNotesDialog *self = read->self;

  ts_store_search_tickets_async (self->store, ts_project_get_name (self->project), read->filter,
                                 "number", FALSE, after, PAGE_SIZE, read->cancellable, on_page, read);
}

/* What the rows say, checked: a new TsReleaseNotes, or NULL with the
 * problem shown next to the row at fault. */
static TsReleaseNotes *
check_input (TsReleaseNotesDialog *self)
{
  const char *from = gtk_editable_get_text (GTK_EDITABLE (self->from_row));
  const char *to = gtk_editable_get_text (GTK_EDITABLE (self->to_row));
  guint state = gtk_drop_down_get_selected (self->state_dropdown);
  guint field = gtk_drop_down_get_selected (self->field_dropdown);
  guint group = gtk_drop_down_get_selected (self->group_dropdown);
  const char * const *states = ts_project_get_states (self->project);
  g_autoptr(GError) error = NULL;
  GDate date;
  TsReleaseNotes *notes;

  gtk_widget_remove_css_class (GTK_WIDGET (self->from_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->to_row), "error");

  if (!ts_release_notes_parse_date (from, &date, &error))
    {
      g_autofree char *message = g_strdup_printf (_("From: %s"), error->message);

      gtk_widget_add_css_class (GTK_WIDGET (self->from_row), "error");
      show_error (self, message);
      return NULL;
    }
  if (!ts_release_notes_parse_date (to, &date, &error))
    {
      g_autofree char *message = g_strdup_printf (_("To: %s"), error->message);

      gtk_widget_add_css_class (GTK_WIDGET (self->to_row), "error");
      show_error (self, message);
      return NULL;
    }
  if (self->text_fields->len == 0)
    {
      show_error (self, _("This project has no text field to collect release notes from"));
      return NULL;
    }

  notes = ts_release_notes_new (self->project,
                                state < g_strv_length ((char **)states) ? states[state] : NULL,
                                from, to,
                                field < self->text_fields->len ? g_ptr_array_index (self->text_fields, field) : NULL,
                                group < self->group_fields->len ? g_ptr_array_index (self->group_fields, group) : NULL,
                                &error);
  if (notes == NULL)
    {
      if (g_error_matches (error, TS_RELEASE_NOTES_ERROR, TS_RELEASE_NOTES_ERROR_BAD_WINDOW))
        {
          gtk_widget_add_css_class (GTK_WIDGET (self->from_row), "error");
          gtk_widget_add_css_class (GTK_WIDGET (self->to_row), "error");
        }
      show_error (self, error->message);
      return NULL;
    }

  show_error (self, NULL);
  return notes;
}

static gboolean
refresh (gpointer user_data)
{
  TsReleaseNotesDialog *self = user_data;
  g_autoptr(TsReleaseNotes) notes = NULL;
  Read *read;

  self->refresh_id = 0;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  if ((notes = check_input (self)) == NULL)
    {
      set_busy (self, FALSE);
      gtk_label_set_text (self->status_label, "");
      return G_SOURCE_REMOVE;
    }

  self->cancellable = g_cancellable_new ();
  read = g_new0 (Read, 1);
  read->self = g_object_ref (self);
  read->notes = g_steal_pointer (&notes);
  read->cancellable = g_object_ref (self->cancellable);
  read->filter = ts_release_notes_dup_filter (read->notes);
  set_busy (self, TRUE);
  gtk_label_set_text (self->status_label, _("Reading the tickets…"));
  read_page (read, NULL);
  return G_SOURCE_REMOVE;
}

static void
on_input_changed (TsReleaseNotesDialog *self)
{
  /* Until the new answer, nothing may be copied or saved. */
  if (self->markdown != NULL)
    set_markdown (self, NULL);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  self->refresh_id = g_timeout_add (REFRESH_DELAY_MS, refresh, self);
}

/* Copy and Save */

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TsReleaseNotesDialog *self = TS_RELEASE_NOTES_DIALOG (widget);

  if (self->markdown == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), self->markdown);
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (_("Copied the release notes")));
}

static void
save_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  char **args = task_data;   /* path, text */
  GError *error = NULL;

  if (ts_export_save_text (args[0], args[1], -1, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_saved (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  TsReleaseNotesDialog *self = TS_RELEASE_NOTES_DIALOG (object);
  char **args = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  g_clear_object (&self->save_cancellable);
  update_actions (self);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      show_error (self, error->message);
      return;
    }

  {
    g_autofree char *message = g_strdup_printf (_("Saved the release notes to %s"), args[0]);

    gtk_label_set_text (self->status_label, message);
    adw_toast_overlay_add_toast (self->toasts, adw_toast_new (message));
  }
}

static void
save_to (TsReleaseNotesDialog *self,
         const char           *path)
{
  g_autoptr(GTask) task = NULL;
  char **args = g_new0 (char *, 3);

  args[0] = g_strdup (path);
  args[1] = g_strdup (self->markdown);
  self->save_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->save_cancellable, on_saved, NULL);
  g_task_set_source_tag (task, save_to);
  g_task_set_task_data (task, args, (GDestroyNotify)g_strfreev);
  update_actions (self);
  show_error (self, NULL);
  g_task_run_in_thread (task, save_in_thread);
}

static void
on_chosen (TsReleaseNotesDialog *self,
           int                   response,
           GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = response == GTK_RESPONSE_ACCEPT ? gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser)) : NULL;
  g_autofree char *path = file ? g_file_get_path (file) : NULL;

  g_clear_object (&self->chooser);
  update_actions (self);
  if (file != NULL && path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_autofree char *message = g_strdup_printf (_("Cannot save to “%s”: choose a file on this computer"), uri);

      show_error (self, message);
      return;
    }
  if (path != NULL && self->markdown != NULL)
    save_to (self, path);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TsReleaseNotesDialog *self = TS_RELEASE_NOTES_DIALOG (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *name = NULL;
  const char *documents = g_get_user_special_dir (G_USER_DIRECTORY_DOCUMENTS);

  if (self->markdown == NULL || self->chooser != NULL || self->save_cancellable != NULL)
    return;

  if (self->destination != NULL)
    {
      save_to (self, self->destination);
      return;
    }

  name = g_strdup_printf ("release-notes-%s-%s-%s.md", ts_project_get_name (self->project),
                          gtk_editable_get_text (GTK_EDITABLE (self->from_row)),
                          gtk_editable_get_text (GTK_EDITABLE (self->to_row)));
  g_strstrip (g_strdelimit (name, "/\\:", '-'));

  /* GtkFileChooserNative, not GtkFileDialog, which is GTK 4.10. */
  self->chooser = gtk_file_chooser_native_new (_("Save Release Notes"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_filter_set_name (filter, _("Markdown files"));
  gtk_file_filter_add_suffix (filter, "md");
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

void
_ts_release_notes_dialog_set_destination (TsReleaseNotesDialog *self,
                                          const char           *path)
{
  g_return_if_fail (TS_IS_RELEASE_NOTES_DIALOG (self));

  g_free (self->destination);
  self->destination = g_strdup (path);
}

const char *
ts_release_notes_dialog_get_markdown (TsReleaseNotesDialog *self)
{
  g_return_val_if_fail (TS_IS_RELEASE_NOTES_DIALOG (self), NULL);
  return self->markdown;
}

/* The object */

static void
ts_release_notes_dialog_constructed (GObject *object)
{
  TsReleaseNotesDialog *self = (TsReleaseNotesDialog *)object;
  const char * const *states;
  g_autoptr(GtkStringList) state_list = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) field_list = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) group_list = gtk_string_list_new (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) first = NULL;
  g_autoptr(GDateTime) next_month = NULL;
  g_autoptr(GDateTime) last = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  guint final = 0, notes_field = G_MAXUINT;

  G_OBJECT_CLASS (ts_release_notes_dialog_parent_class)->constructed (object);

  adw_window_title_set_subtitle (self->window_title, ts_project_get_title (self->project));

  /* The states, the last final one chosen. */
  states = ts_project_get_states (self->project);
  for (guint i = 0; states[i]; i++)
    {
      gtk_string_list_append (state_list, states[i]);
      if (ts_project_is_final_state (self->project, states[i]))
        final = i;
    }

  /* The string and text fields, release_notes chosen when there is one,
   * else the first text field. */
  g_ptr_array_add (self->group_fields, NULL);
  gtk_string_list_append (group_list, C_("group by", "None"));
  for (guint i = 0; i < ts_project_get_n_fields (self->project); i++)
    {
      TsField *field = ts_project_get_field (self->project, i);
      TsFieldType type = ts_field_get_field_type (field);

      if (type == TS_FIELD_TEXT || type == TS_FIELD_STRING)
        {
          if (g_str_equal (ts_field_get_name (field), "release_notes") ||
              (notes_field == G_MAXUINT && type == TS_FIELD_TEXT))
            notes_field = self->text_fields->len;
          g_ptr_array_add (self->text_fields, g_strdup (ts_field_get_name (field)));
          gtk_string_list_append (field_list, ts_field_get_label (field));
        }
      else if (type == TS_FIELD_CHOICE)
        {
          g_ptr_array_add (self->group_fields, g_strdup (ts_field_get_name (field)));
          gtk_string_list_append (group_list, ts_field_get_label (field));
        }
    }

  gtk_drop_down_set_model (self->state_dropdown, G_LIST_MODEL (state_list));
  gtk_drop_down_set_selected (self->state_dropdown, final);
  gtk_drop_down_set_model (self->field_dropdown, G_LIST_MODEL (field_list));
  gtk_drop_down_set_selected (self->field_dropdown, notes_field == G_MAXUINT ? 0 : notes_field);
  gtk_drop_down_set_model (self->group_dropdown, G_LIST_MODEL (group_list));
  gtk_drop_down_set_selected (self->group_dropdown, 0);

  /* This month. */
  first = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now), 1, 0, 0, 0);
  next_month = g_date_time_add_months (first, 1);
  last = g_date_time_add_days (next_month, -1);
  from = g_date_time_format (first, "%Y-%m-%d");
  to = g_date_time_format (last, "%Y-%m-%d");
  gtk_editable_set_text (GTK_EDITABLE (self->from_row), from);
  gtk_editable_set_text (GTK_EDITABLE (self->to_row), to);

  /* Read at once, not after the delay of a keystroke. */
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  refresh (self);
}

static void
ts_release_notes_dialog_dispose (GObject *object)
{
  TsReleaseNotesDialog *self = (TsReleaseNotesDialog *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->save_cancellable);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  gtk_widget_dispose_template (GTK_WIDGET (self), TS_TYPE_RELEASE_NOTES_DIALOG);

  G_OBJECT_CLASS (ts_release_notes_dialog_parent_class)->dispose (object);
}

static void
ts_release_notes_dialog_finalize (GObject *object)
{
  TsReleaseNotesDialog *self = (TsReleaseNotesDialog *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->project);
  g_clear_object (&self->save_cancellable);
  g_clear_pointer (&self->text_fields, g_ptr_array_unref);
  g_clear_pointer (&self->group_fields, g_ptr_array_unref);
  g_free (self->markdown);
  g_free (self->destination);

  G_OBJECT_CLASS (ts_release_notes_dialog_parent_class)->finalize (object);
}

static void
ts_release_notes_dialog_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  TsReleaseNotesDialog *self = TS_RELEASE_NOTES_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_PROJECT:
      g_value_set_object (value, self->project);
      break;

    case PROP_MARKDOWN:
      g_value_set_string (value, self->markdown);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_release_notes_dialog_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  TsReleaseNotesDialog *self = TS_RELEASE_NOTES_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_PROJECT:
      self->project = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_release_notes_dialog_class_init (TsReleaseNotesDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ts_release_notes_dialog_constructed;
  object_class->dispose = ts_release_notes_dialog_dispose;
  object_class->finalize = ts_release_notes_dialog_finalize;
  object_class->get_property = ts_release_notes_dialog_get_property;
  object_class->set_property = ts_release_notes_dialog_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TS_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL, TS_TYPE_PROJECT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MARKDOWN] =
    g_param_spec_string ("markdown", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tasksteper/TaskSteper/ts-release-notes-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TsReleaseNotesDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, TsReleaseNotesDialog, toasts);
  gtk_widget_class_bind_template_child (widget_class, TsReleaseNotesDialog, state_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TsReleaseNotesDialog, from_row);
  gtk_widget_class_bind_template_child (widget_class, TsReleaseNotesDialog, to_row);
  gtk_widget_class_bind_template_child (widget_class, TsReleaseNotesDialog, field_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TsReleaseNotesDialog, group_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TsReleaseNotesDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, TsReleaseNotesDialog, status_label);
  gtk_widget_class_bind_template_child (widget_class, TsReleaseNotesDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, TsReleaseNotesDialog, preview);
  gtk_widget_class_bind_template_callback (widget_class, on_input_changed);

  gtk_widget_class_install_action (widget_class, "notes.copy", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "notes.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "notes.save", NULL);
}

static void
ts_release_notes_dialog_init (TsReleaseNotesDialog *self)
{
  GtkGesture *click;
  GtkEventController *motion;

  self->text_fields = g_ptr_array_new_with_free_func (g_free);
  self->group_fields = g_ptr_array_new_with_free_func (g_free);

  gtk_widget_init_template (GTK_WIDGET (self));
  ts_a11y_fix_mnemonic_buttons (GTK_WIDGET (self));

  self->link_tag = gtk_text_buffer_create_tag (gtk_text_view_get_buffer (self->preview), "link",
                                               "underline", PANGO_UNDERLINE_SINGLE,
                                               "foreground", "#3584e4",
                                               NULL);
  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "released", G_CALLBACK (on_preview_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self->preview), GTK_EVENT_CONTROLLER (click));
  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (on_preview_motion), self);
  gtk_widget_add_controller (GTK_WIDGET (self->preview), motion);

  update_actions (self);
}

TsReleaseNotesDialog *
ts_release_notes_dialog_new (GtkWindow *parent,
                             TsStore   *store,
                             TsProject *project)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (TS_IS_STORE (store), NULL);
  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);

  return g_object_new (TS_TYPE_RELEASE_NOTES_DIALOG,
                       "transient-for", parent,
                       "store", store,
                       "project", project,
                       NULL);
}
