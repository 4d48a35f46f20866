/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-save-search-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ts-a11y.h"
#include "ts-save-search-dialog.h"

struct _TsSaveSearchDialog
{
  AdwWindow      parent_instance;

  TsStore       *store;
  TsProject     *project;      /* saving */
  char          *query;
  JsonNode      *filter;
  TsSavedSearch *existing;     /* the one shown (saving) or renamed */
  gboolean       rename;
  GCancellable  *cancellable;
  gboolean       busy;

  /* Template children */
  GtkWidget     *save_button;
  AdwEntryRow   *name_row;
  GtkWidget     *share_row;
  GtkSwitch     *share_switch;
  GtkLabel      *query_label;
  GtkLabel      *notice_label;
  GtkLabel      *error_label;
};

G_DEFINE_FINAL_TYPE (TsSaveSearchDialog, ts_save_search_dialog, ADW_TYPE_WINDOW)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_error (TsSaveSearchDialog *self,
            const char         *message)
{
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static gboolean
online (TsSaveSearchDialog *self)
{
  return ts_store_get_online (self->store);
}

static void
update_actions (TsSaveSearchDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  g_autofree char *trimmed = g_strstrip (g_strdup (name));

  gtk_widget_set_sensitive (self->save_button, !self->busy && online (self) && *trimmed != '\0');
}

static void
update_online (TsSaveSearchDialog *self)
{
  /* The offline copy can be searched, not changed. */
  if (!online (self))
    show_error (self, _("You are offline: saved searches can be saved, renamed and deleted once the "
                        "server is back. TaskSteper is reconnecting."));
  else
    show_error (self, NULL);
  update_actions (self);
}

static void
on_name_changed (TsSaveSearchDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));

  /* The search shown keeps its name: saving updates it. */
  if (!self->rename && self->existing != NULL && ts_saved_search_get_mine (self->existing) &&
      g_strcmp0 (name, ts_saved_search_get_name (self->existing)) == 0)
    {
      g_autofree char *notice = g_strdup_printf (_("Your saved search “%s” will be updated."), name);

      gtk_label_set_text (self->notice_label, notice);
      gtk_widget_set_visible (GTK_WIDGET (self->notice_label), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->notice_label), FALSE);

  gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
  if (online (self))
    show_error (self, NULL);
  update_actions (self);
}

static void
on_done (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(TsSaveSearchDialog) self = user_data;
  g_autoptr(TsSavedSearch) search = NULL;
  g_autoptr(GError) error = NULL;

  if (self->rename)
    search = ts_store_rename_search_finish (TS_STORE (object), result, &error);
  else
    search = ts_store_save_search_finish (TS_STORE (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->busy = FALSE;
  if (search == NULL)
    {
      /* The name typed stays, to be changed. */
      gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
      show_error (self, error->message);
      update_actions (self);
      gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
      return;
    }

  g_signal_emit (self, signals[SAVED], 0, search);
  gtk_window_close (GTK_WINDOW (self));
}

static void
on_save_clicked (TsSaveSearchDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));

  update_actions (self);
  if (!gtk_widget_get_sensitive (self->save_button))
    return;

  self->busy = TRUE;
  show_error (self, NULL);
  update_actions (self);

  if (self->rename)
    ts_store_rename_search_async (self->store, ts_saved_search_get_project (self->existing),
                                  ts_saved_search_get_name (self->existing), name,
                                  self->cancellable, on_done, g_object_ref (self));
  else
    ts_store_save_search_async (self->store, ts_project_get_name (self->project), name, self->query,
                                self->filter, gtk_switch_get_active (self->share_switch),
                                self->cancellable, on_done, g_object_ref (self));
}

static void
ts_save_search_dialog_dispose (GObject *object)
{
  TsSaveSearchDialog *self = (TsSaveSearchDialog *)object;

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), TS_TYPE_SAVE_SEARCH_DIALOG);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->project);
  g_clear_object (&self->existing);
  g_clear_pointer (&self->filter, json_node_unref);
  g_clear_pointer (&self->query, g_free);

  G_OBJECT_CLASS (ts_save_search_dialog_parent_class)->dispose (object);
}

static void
ts_save_search_dialog_class_init (TsSaveSearchDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ts_save_search_dialog_dispose;

  signals[SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, TS_TYPE_SAVED_SEARCH);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tasksteper/TaskSteper/ts-save-search-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TsSaveSearchDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, TsSaveSearchDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, TsSaveSearchDialog, share_row);
  gtk_widget_class_bind_template_child (widget_class, TsSaveSearchDialog, share_switch);
  gtk_widget_class_bind_template_child (widget_class, TsSaveSearchDialog, query_label);
  gtk_widget_class_bind_template_child (widget_class, TsSaveSearchDialog, notice_label);
  gtk_widget_class_bind_template_child (widget_class, TsSaveSearchDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_name_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_save_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ts_save_search_dialog_init (TsSaveSearchDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ts_a11y_fix_mnemonic_buttons (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

static TsSaveSearchDialog *
new_dialog (GtkWindow *parent,
            TsStore   *store)
{
  TsSaveSearchDialog *self = g_object_new (TS_TYPE_SAVE_SEARCH_DIALOG,
                                           "transient-for", parent,
                                           "application", parent ? gtk_window_get_application (parent) : NULL,
                                           NULL);

  self->store = g_object_ref (store);
  g_signal_connect_object (store, "notify::online", G_CALLBACK (update_online), self, G_CONNECT_SWAPPED);
  return self;
}

GtkWidget *
ts_save_search_dialog_new (GtkWindow     *parent,
                           TsStore       *store,
                           TsProject     *project,
                           const char    *query,
                           JsonNode      *filter,
                           TsSavedSearch *existing)
{
  TsSaveSearchDialog *self;
  g_autofree char *subtitle = NULL;

  g_return_val_if_fail (TS_IS_STORE (store), NULL);
  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);
  g_return_val_if_fail (query != NULL && filter != NULL, NULL);

  self = new_dialog (parent, store);
  self->project = g_object_ref (project);
  self->query = g_strdup (query);
  self->filter = json_node_copy (filter);
  self->existing = existing ? g_object_ref (existing) : NULL;

  /* Translators: %s is a project's title */
  subtitle = g_strdup_printf (_("Its members see it under %s in their sidebar"), ts_project_get_title (project));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->share_row), subtitle);
  gtk_label_set_text (self->query_label, query);

  if (existing != NULL && ts_saved_search_get_mine (existing))
    {
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), ts_saved_search_get_name (existing));
      gtk_switch_set_active (self->share_switch, ts_saved_search_get_shared (existing));
    }
  update_online (self);
  return GTK_WIDGET (self);
}

GtkWidget *
ts_save_search_dialog_new_rename (GtkWindow     *parent,
                                  TsStore       *store,
                                  TsSavedSearch *search)
{
  TsSaveSearchDialog *self;

  g_return_val_if_fail (TS_IS_STORE (store), NULL);
  g_return_val_if_fail (TS_IS_SAVED_SEARCH (search), NULL);

  self = new_dialog (parent, store);
  self->rename = TRUE;
  self->existing = g_object_ref (search);
  gtk_window_set_title (GTK_WINDOW (self), _("Rename Search"));
  gtk_button_set_label (GTK_BUTTON (self->save_button), _("_Rename"));
  gtk_widget_set_visible (self->share_row, FALSE);
  gtk_label_set_text (self->query_label, ts_saved_search_get_query (search));
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), ts_saved_search_get_name (search));
  update_online (self);
  return GTK_WIDGET (self);
}

GtkWidget *
ts_save_search_dialog_get_name_row (TsSaveSearchDialog *self)
{
  g_return_val_if_fail (TS_IS_SAVE_SEARCH_DIALOG (self), NULL);
  return GTK_WIDGET (self->name_row);
}
