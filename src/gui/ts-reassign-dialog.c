/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-reassign-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ts-a11y.h"
#include "ts-member.h"
#include "ts-reassign-dialog.h"

struct _TsReassignDialog
{
  AdwWindow     parent_instance;

  TsStore      *store;
  TsProject    *project;
  TsTicket     *ticket;        /* as last read: its version is the one sent */
  GPtrArray    *members;       /* of TsMember, in the order of the list's rows */
  GCancellable *cancellable;
  gboolean      busy;

  /* Template children */
  GtkWidget    *reassign_button;
  GtkSpinner   *spinner;
  GtkLabel     *holder_label;
  GtkEditable  *search_entry;
  GtkListBox   *member_list;
  GtkLabel     *error_label;
  GtkWidget    *reload_button;
};

G_DEFINE_FINAL_TYPE (TsReassignDialog, ts_reassign_dialog, ADW_TYPE_WINDOW)

enum {
  REASSIGNED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_error (TsReassignDialog *self,
            const char       *message,
            gboolean          offer_reload)
{
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  gtk_widget_set_visible (self->reload_button, offer_reload);
}

static TsMember *
member_of_row (TsReassignDialog *self,
               GtkListBoxRow    *row)
{
  int index;

  if (row == NULL || self->members == NULL)
    return NULL;

  index = gtk_list_box_row_get_index (row);
  if (index < 0 || (guint) index >= self->members->len)
    return NULL;

  return g_ptr_array_index (self->members, index);
}

static const char *
holder (TsReassignDialog *self)
{
  return ts_ticket_get_assigned_to (self->ticket);
}

static TsMember *
selected_member (TsReassignDialog *self)
{
  return member_of_row (self, gtk_list_box_get_selected_row (self->member_list));
}

static void
update_actions (TsReassignDialog *self)
{
  TsMember *member = selected_member (self);
  gboolean online = ts_store_get_online (self->store);

  gtk_widget_set_sensitive (self->reassign_button,
                            !self->busy && online && member != NULL &&
                            g_strcmp0 (ts_member_get_login (member), holder (self)) != 0);
  gtk_widget_set_sensitive (self->reload_button, !self->busy && online);
  gtk_spinner_set_spinning (self->spinner, self->busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy);
}

static void
update_online (TsReassignDialog *self)
{
  if (!ts_store_get_online (self->store))
    show_error (self, _("You are offline: the ticket can be reassigned once the server is back. "
                        "TaskSteper is reconnecting."), FALSE);
  else if (!gtk_widget_get_visible (self->reload_button))
    show_error (self, NULL, FALSE);
  update_actions (self);
}

/* The name the project shows for @login. */
static const char *
person (TsReassignDialog *self,
        const char       *login)
{
  for (guint i = 0; self->members != NULL && i < self->members->len; i++)
    {
      TsMember *member = g_ptr_array_index (self->members, i);

      if (g_strcmp0 (ts_member_get_login (member), login) == 0)
        return ts_member_get_display_name (member);
    }

  return login;
}

static void
update_holder (TsReassignDialog *self)
{
  g_autofree char *text = NULL;

  /* Translators: a person, then a ticket's key (question_3) */
  text = g_strdup_printf (_("%s holds %s now. Pick the member to give it to."),
                          person (self, holder (self)), ts_ticket_get_key (self->ticket));
  gtk_label_set_text (self->holder_label, text);
}

static void
fill_members (TsReassignDialog *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->member_list))) != NULL)
    gtk_list_box_remove (self->member_list, child);

  for (guint i = 0; self->members != NULL && i < self->members->len; i++)
    {
      TsMember *member = g_ptr_array_index (self->members, i);
      const char *login = ts_member_get_login (member);
      gboolean holds = g_strcmp0 (login, holder (self)) == 0;
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *subtitle = NULL;

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), ts_member_get_display_name (member));
      if (holds && ts_member_has_display_name (member))
        /* Translators: a login, of the person who holds the ticket */
        subtitle = g_strdup_printf (_("%s, holds it now"), login);
      else if (holds)
        subtitle = g_strdup (_("Holds it now"));
      else if (ts_member_has_display_name (member))
        subtitle = g_strdup (login);
      if (subtitle != NULL)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      ts_member_get_display_name (member), -1);
      /* Giving the ticket to whoever has it is no reassignment. */
      gtk_widget_set_sensitive (row, !holds);
      gtk_list_box_append (self->member_list, row);
    }

  update_holder (self);
  update_actions (self);
}

static gboolean
filter_row (GtkListBoxRow *row,
            gpointer       user_data)
{
  TsReassignDialog *self = user_data;
  TsMember *member = member_of_row (self, row);
  g_autofree char *needle = g_utf8_casefold (gtk_editable_get_text (self->search_entry), -1);
  g_autofree char *name = NULL;
  g_autofree char *login = NULL;

  if (member == NULL || *needle == '\0')
    return TRUE;

  name = g_utf8_casefold (ts_member_get_display_name (member), -1);
  login = g_utf8_casefold (ts_member_get_login (member), -1);

  return strstr (name, needle) != NULL || strstr (login, needle) != NULL;
}

static void
on_search_changed (TsReassignDialog *self)
{
  gtk_list_box_invalidate_filter (self->member_list);
}

static void
on_row_selected (TsReassignDialog *self)
{
  /* The list empties itself as the template is disposed. */
  if (self->member_list == NULL)
    return;
  update_actions (self);
}

static void
on_members (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(TsReassignDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) members = ts_store_list_members_finish (TS_STORE (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (members == NULL)
    {
      show_error (self, error->message, FALSE);
      return;
    }

  g_clear_pointer (&self->members, g_ptr_array_unref);
  self->members = g_steal_pointer (&members);
  fill_members (self);
}

static void
on_reassigned (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TsReassignDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TsTicket) ticket = ts_store_change_finish (TS_STORE (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->busy = FALSE;
  if (ticket == NULL)
    {
      gboolean stale = g_error_matches (error, TS_STORE_ERROR, TS_STORE_ERROR_CONFLICT);

      if (stale)
        {
          /* Translators: a ticket's key */
          g_autofree char *message = g_strdup_printf (_("Someone changed %s while this dialog was open, "
                                                        "so it was not reassigned. Reload it to see who "
                                                        "holds it now, then pick again."),
                                                      ts_ticket_get_key (self->ticket));

          show_error (self, message, TRUE);
        }
      else
        show_error (self, error->message, FALSE);
      update_actions (self);
      return;
    }

  g_signal_emit (self, signals[REASSIGNED], 0, ticket);
  gtk_window_close (GTK_WINDOW (self));
}

static void
on_reassign_clicked (TsReassignDialog *self)
{
  TsMember *member;

  update_actions (self);
  if (!gtk_widget_get_sensitive (self->reassign_button))
    return;

  member = selected_member (self);
  self->busy = TRUE;
  show_error (self, NULL, FALSE);
  update_actions (self);
  ts_store_reassign_async (self->store, ts_ticket_get_id (self->ticket), ts_ticket_get_version (self->ticket),
                           ts_member_get_login (member), self->cancellable, on_reassigned, g_object_ref (self));
}

static void
on_reloaded (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(TsReassignDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tickets = ts_store_get_tickets_finish (TS_STORE (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->busy = FALSE;
  if (tickets == NULL || tickets->len == 0)
    {
      show_error (self, error != NULL ? error->message : _("This ticket does not exist, or you may no longer see it"),
                  TRUE);
      update_actions (self);
      return;
    }

  g_set_object (&self->ticket, g_ptr_array_index (tickets, 0));
  show_error (self, NULL, FALSE);
  fill_members (self);
}

static void
on_reload_clicked (TsReassignDialog *self)
{
  gint64 id = ts_ticket_get_id (self->ticket);

  self->busy = TRUE;
  update_actions (self);
  ts_store_get_tickets_async (self->store, &id, 1, self->cancellable, on_reloaded, g_object_ref (self));
}

static void
ts_reassign_dialog_dispose (GObject *object)
{
  TsReassignDialog *self = (TsReassignDialog *)object;

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), TS_TYPE_REASSIGN_DIALOG);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->project);
  g_clear_object (&self->ticket);
  g_clear_pointer (&self->members, g_ptr_array_unref);

  G_OBJECT_CLASS (ts_reassign_dialog_parent_class)->dispose (object);
}

static void
ts_reassign_dialog_class_init (TsReassignDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ts_reassign_dialog_dispose;

  signals[REASSIGNED] =
    g_signal_new ("reassigned", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, TS_TYPE_TICKET);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tasksteper/TaskSteper/ts-reassign-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TsReassignDialog, reassign_button);
  gtk_widget_class_bind_template_child (widget_class, TsReassignDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, TsReassignDialog, holder_label);
  gtk_widget_class_bind_template_child (widget_class, TsReassignDialog, search_entry);
  gtk_widget_class_bind_template_child (widget_class, TsReassignDialog, member_list);
  gtk_widget_class_bind_template_child (widget_class, TsReassignDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, TsReassignDialog, reload_button);
  gtk_widget_class_bind_template_callback (widget_class, on_reassign_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_reload_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_row_selected);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ts_reassign_dialog_init (TsReassignDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ts_a11y_fix_mnemonic_buttons (GTK_WIDGET (self));
  gtk_list_box_set_filter_func (self->member_list, filter_row, self, NULL);
  self->cancellable = g_cancellable_new ();
}

GtkWidget *
ts_reassign_dialog_new (GtkWindow *parent,
                        TsStore   *store,
                        TsProject *project,
                        TsTicket  *ticket)
{
  TsReassignDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (TS_IS_STORE (store), NULL);
  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);
  g_return_val_if_fail (TS_IS_TICKET (ticket), NULL);

  self = g_object_new (TS_TYPE_REASSIGN_DIALOG,
                       "transient-for", parent,
                       "application", parent ? gtk_window_get_application (parent) : NULL,
                       NULL);
  self->store = g_object_ref (store);
  self->project = g_object_ref (project);
  self->ticket = g_object_ref (ticket);
  g_signal_connect_object (store, "notify::online", G_CALLBACK (update_online), self, G_CONNECT_SWAPPED);

  update_holder (self);
  update_online (self);
  ts_store_list_members_async (store, ts_project_get_name (project), self->cancellable,
                               on_members, g_object_ref (self));

  return GTK_WIDGET (self);
}

GtkWidget *
ts_reassign_dialog_get_member_row (TsReassignDialog *self,
                                   const char       *login)
{
  g_return_val_if_fail (TS_IS_REASSIGN_DIALOG (self), NULL);

  for (guint i = 0; self->members != NULL && i < self->members->len; i++)
    if (g_strcmp0 (ts_member_get_login (g_ptr_array_index (self->members, i)), login) == 0)
      return GTK_WIDGET (gtk_list_box_get_row_at_index (self->member_list, i));

  return NULL;
}

GtkWidget *
ts_reassign_dialog_get_reassign_button (TsReassignDialog *self)
{
  g_return_val_if_fail (TS_IS_REASSIGN_DIALOG (self), NULL);
  return self->reassign_button;
}

GtkWidget *
ts_reassign_dialog_get_search_entry (TsReassignDialog *self)
{
  g_return_val_if_fail (TS_IS_REASSIGN_DIALOG (self), NULL);
  return GTK_WIDGET (self->search_entry);
}

GtkWidget *
ts_reassign_dialog_get_reload_button (TsReassignDialog *self)
{
  g_return_val_if_fail (TS_IS_REASSIGN_DIALOG (self), NULL);
  return self->reload_button;
}

/* NULL when none is shown. */
const char *
ts_reassign_dialog_get_error (TsReassignDialog *self)
{
  g_return_val_if_fail (TS_IS_REASSIGN_DIALOG (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;
  return gtk_label_get_text (self->error_label);
}
