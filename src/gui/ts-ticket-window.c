/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-ticket-window"

#include "config.h"

#include <glib/gi18n.h>

#include "ts-application.h"
#include "ts-ticket-form.h"
#include "ts-a11y.h"
#include "ts-conflict-dialog.h"
#include "ts-linked-from.h"
#include "ts-reassign-dialog.h"
#include "ts-ticket-window.h"
#include "ts-timeline.h"
#include "ts-workflow-view.h"

typedef enum
{
  BANNER_PLAIN,
  BANNER_RELOAD,   /* changed elsewhere: the Reload button */
  BANNER_CLOSE,    /* passed on: the Close button */
} BannerButton;

struct _TsTicketWindow
{
  AdwWindow       parent_instance;

  TsStore        *store;
  TsProject      *project;
  TsTicket       *ticket;        /* as the server last said; NULL until created */
  GCancellable   *cancellable;
  GSettings      *settings;
  TsTicketForm   *form;
  gboolean        busy;
  gboolean        close_after_save;
  gboolean        changed_elsewhere;
  gboolean        opened_online;
  gboolean        passed_on;     /* the banner says who has it now */

  /* Template children */
  AdwToastOverlay *toasts;
  AdwWindowTitle  *window_title;
  GtkBox          *trigger_box;
  GtkButton       *save_button;
  GtkSpinner      *spinner;
  GtkRevealer     *banner_revealer;
  GtkLabel        *banner_label;
  GtkButton       *banner_button;
  GtkButton       *banner_close_button;
  GtkBox          *content_box;
  GtkLabel        *blocked_label;
  AdwPreferencesGroup *history_group;
  TsTimeline      *timeline;
  TsLinkedFrom    *linked_from;   /* the tickets whose links point here */
  GtkToggleButton *workflow_button;
  GtkMenuButton   *menu_button;
  GtkWidget       *comment_box;
  GtkTextView     *comment_view;
  GtkLabel        *comment_error;
  TsWorkflowView  *workflow_view;
  GtkWidget       *reassign_button;

  GPtrArray       *history;        /* of TsHistoryEntry, as last read; shown again once names arrive */
  GPtrArray       *comments;       /* of TsComment, likewise */
  gboolean         posting;        /* a comment is on its way */
  char            *fire_comment;   /* typed in a trigger's comment dialog, kept until the fire succeeds */
};

G_DEFINE_FINAL_TYPE (TsTicketWindow, ts_ticket_window, ADW_TYPE_WINDOW)

static void load_history  (TsTicketWindow *self);
static void ask_fire_comment (TsTicketWindow *self,
                              const char     *trigger,
                              const char     *error_message);
static void show_ticket   (TsTicketWindow *self,
                           TsTicket       *ticket);

static gboolean
is_mine (TsTicketWindow *self)
{
  /* A new ticket is the creator's. */
  return self->ticket == NULL ||
         g_strcmp0 (ts_ticket_get_assigned_to (self->ticket), ts_store_get_user (self->store)) == 0;
}

static void
toast (TsTicketWindow *self,
       const char     *message)
{
  AdwToast *toast = adw_toast_new (message);

  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (self->toasts, toast);
}

static void
show_banner (TsTicketWindow *self,
             const char     *message,
             BannerButton    button)
{
  gtk_label_set_text (self->banner_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->banner_button), button == BANNER_RELOAD);
  gtk_widget_set_visible (GTK_WIDGET (self->banner_close_button), button == BANNER_CLOSE);
  gtk_revealer_set_reveal_child (self->banner_revealer, message != NULL);
}

/* A person by the name the project shows for them. */
static const char *
person (TsTicketWindow *self,
        const char     *login)
{
  return ts_ticket_form_get_display_name (self->form, login);
}

/* The comment box */

static char *
dup_comment_text (TsTicketWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->comment_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static gboolean
has_comment_text (TsTicketWindow *self)
{
  g_autofree char *text = dup_comment_text (self);

  return *g_strstrip (text) != '\0';
}

static void
update_actions (TsTicketWindow *self)
{
  gboolean modified = ts_ticket_form_get_modified (self->form);
  gboolean mine = is_mine (self);
  gboolean online = ts_store_get_online (self->store);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "ticket.save",
                                 !self->busy && online && mine && (self->ticket == NULL || modified));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "ticket.fire", !self->busy && online && mine);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "ticket.reload",
                                 !self->busy && online && self->ticket != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "ticket.new-from", self->ticket != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "ticket.comment",
                                 !self->posting && online && self->ticket != NULL && has_comment_text (self));
  /* Reassign… is for the project's admins only (ts-reassign-dialog.c). */
  gtk_widget_set_visible (self->reassign_button, self->ticket != NULL &&
                          ts_store_is_project_admin (self->store, ts_project_get_name (self->project)));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "ticket.reassign",
                                 !self->busy && online && gtk_widget_get_visible (self->reassign_button));

  gtk_spinner_set_spinning (self->spinner, self->busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy);
}

static void
set_busy (TsTicketWindow *self,
          gboolean        busy)
{
  self->busy = busy;
  update_actions (self);
}

static void
update_title (TsTicketWindow *self)
{
  const char *summary_field = ts_project_get_summary_field (self->project);
  g_autoptr(JsonObject) values = ts_ticket_form_dup_values (self->form);
  const char *summary = json_object_get_string_member_with_default (values, summary_field, "");

  if (self->ticket == NULL)
    {
      /* Translators: the title of the window that creates a ticket of a project */
      g_autofree char *title = g_strdup_printf (_("New Ticket — %s"), ts_project_get_title (self->project));

      adw_window_title_set_title (self->window_title, title);
      adw_window_title_set_subtitle (self->window_title, NULL);
      gtk_window_set_title (GTK_WINDOW (self), title);
    }
  else
    {
      adw_window_title_set_title (self->window_title, ts_ticket_get_key (self->ticket));
      adw_window_title_set_subtitle (self->window_title, summary);
      gtk_window_set_title (GTK_WINDOW (self), ts_ticket_get_key (self->ticket));
    }
}

static int
state_position (TsTicketWindow *self,
                const char     *state)
{
  const char * const *states = ts_project_get_states (self->project);

  for (int i = 0; states != NULL && states[i] != NULL; i++)
    if (g_strcmp0 (states[i], state) == 0)
      return i;
  return -1;
}

/* The main trigger is the one obvious next step, shown as the suggested
 * action (and Save then is not): when exactly one trigger is ready and it
 * moves the ticket to another state, that one; otherwise the first ready
 * trigger, in schema order, whose destination comes later in the
 * project's states than the ticket's state.  A trigger that keeps the
 * state (更新进展) or goes back (打回补充信息) next to one that goes
 * forward is not the obvious step; with no such trigger there is no main
 * one, and Save stays the suggested action. */
static TsTriggerStatus *
find_main_trigger (TsTicketWindow *self,
                   GPtrArray      *statuses)
{
  const char *state = ts_ticket_get_state (self->ticket);
  TsTriggerStatus *only_ready = NULL;
  guint n_ready = 0;

  for (guint i = 0; i < statuses->len; i++)
    {
      TsTriggerStatus *status = g_ptr_array_index (statuses, i);

      if (ts_trigger_status_is_ready (status))
        {
          only_ready = status;
          n_ready++;
        }
    }

  if (n_ready == 1 &&
      g_strcmp0 (ts_transition_get_dest (ts_trigger_status_get_transition (only_ready)), state) != 0)
    return only_ready;

  for (guint i = 0; i < statuses->len; i++)
    {
      TsTriggerStatus *status = g_ptr_array_index (statuses, i);
      const char *dest = ts_transition_get_dest (ts_trigger_status_get_transition (status));

      if (ts_trigger_status_is_ready (status) &&
          state_position (self, dest) > state_position (self, state))
        return status;
    }

  return NULL;
}

/* What a blocked trigger waits for, said under the field: the reason of
 * a missing assignee names the trigger itself, the others do not. */
static char *
describe_hint (TsTriggerStatus *status)
{
  if (ts_trigger_status_get_state (status) == TS_TRIGGER_NO_ASSIGNEE)
    return g_strdup (ts_trigger_status_get_reason (status));

  /* Translators: under a field, what a trigger button waits for: "提交审核: Fill in “维护代表” first" */
  return g_strdup_printf (_("%s: %s"), ts_trigger_status_get_trigger (status), ts_trigger_status_get_reason (status));
}

/* The buttons of the triggers of the ticket's state stay while a person
 * types (so neither a tooltip nor the focus jumps); they are built again
 * only when the triggers themselves change, with the state. */
static gboolean
trigger_buttons_match (TsTicketWindow *self,
                       GPtrArray      *shown)
{
  GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->trigger_box));

  for (guint i = 0; i < shown->len; i++, child = gtk_widget_get_next_sibling (child))
    if (child == NULL ||
        g_strcmp0 (gtk_button_get_label (GTK_BUTTON (child)),
                   ts_trigger_status_get_trigger (g_ptr_array_index (shown, i))) != 0)
      return FALSE;

  return child == NULL;
}

static void
update_trigger_button (TsTicketWindow  *self,
                       GtkWidget       *button,
                       TsTriggerStatus *status,
                       gboolean         main)
{
  const char *trigger = ts_trigger_status_get_trigger (status);

  if (ts_trigger_status_is_ready (status))
    {
      /* The action decides the sensitivity (busy, offline). */
      gtk_widget_set_sensitive (button, TRUE);
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", trigger);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "ticket.fire");
      gtk_widget_set_tooltip_text (button, _("Save the form and pass the ticket on"));
      gtk_accessible_reset_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
    }
  else
    {
      /* Shown, and insensitive, so a person sees the step and why it is
       * not there yet: GTK shows an insensitive widget's tooltip, and the
       * reason is its accessible description too (and a hint under the
       * field it waits for, for the keyboard, which cannot focus it). */
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), NULL);
      gtk_widget_set_sensitive (button, FALSE);
      gtk_widget_set_tooltip_text (button, ts_trigger_status_get_reason (status));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, ts_trigger_status_get_reason (status),
                                      -1);
    }

  if (main)
    gtk_widget_add_css_class (button, "suggested-action");
  else
    gtk_widget_remove_css_class (button, "suggested-action");
}

/* The workflow pane follows the ticket: its state marked, the triggers
 * whose buttons are enabled now emphasised (none for someone else's
 * ticket). */
static void
update_workflow_view (TsTicketWindow *self,
                      GPtrArray      *shown)
{
  g_autoptr(GPtrArray) ready = g_ptr_array_new_null_terminated (shown->len, NULL, TRUE);
  const char *state = self->ticket != NULL ? ts_ticket_get_state (self->ticket)
                                           : ts_project_get_initial_state (self->project);

  for (guint i = 0; i < shown->len; i++)
    if (ts_trigger_status_is_ready (g_ptr_array_index (shown, i)))
      g_ptr_array_add (ready, (gpointer)ts_trigger_status_get_trigger (g_ptr_array_index (shown, i)));

  ts_workflow_view_set_current_state (self->workflow_view, state);
  /* An empty list, not NULL: nothing to press, so every trigger dimmed. */
  ts_workflow_view_set_available_triggers (self->workflow_view,
                                           ready->pdata != NULL ? (const char * const *)ready->pdata
                                                                : (const char * const[]) { NULL });
}

static void
on_workflow_toggled (TsTicketWindow *self)
{
  /* Laid out the first time it is shown, not with every editor. */
  if (gtk_toggle_button_get_active (self->workflow_button) &&
      ts_workflow_view_get_project (self->workflow_view) == NULL)
    ts_workflow_view_set_project (self->workflow_view, self->project);

  gtk_widget_set_tooltip_text (GTK_WIDGET (self->workflow_button),
                               gtk_toggle_button_get_active (self->workflow_button)
                                 ? _("Hide the Workflow (F9)")
                                 : _("Show the Workflow (F9)"));
}

static void
on_workflow_trigger (TsTicketWindow *self,
                     const char     *trigger)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "ticket.fire", "s", trigger);
}

static void
toggle_workflow_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  TsTicketWindow *self = TS_TICKET_WINDOW (widget);

  gtk_toggle_button_set_active (self->workflow_button,
                                !gtk_toggle_button_get_active (self->workflow_button));
}

/* A button for every trigger of the ticket's state (for its assignee):
 * those that apply now, for the values as typed, enabled; the others
 * disabled, with their reason as tooltip and as a hint under the field
 * they wait for. */
static void
update_triggers (TsTicketWindow *self)
{
  g_autoptr(TsTicket) preview = NULL;
  g_autoptr(JsonObject) values = NULL;
  g_autoptr(GPtrArray) statuses = NULL;
  g_autoptr(GPtrArray) shown = g_ptr_array_new ();
  g_autoptr(GHashTable) hints = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GString) elsewhere = g_string_new (NULL);
  TsTriggerStatus *main = NULL;
  GtkWidget *child;

  if (self->ticket != NULL)
    {
      preview = ts_ticket_copy (self->ticket);
      values = ts_ticket_form_dup_values (self->form);
      ts_ticket_set_fields (preview, values);
      statuses = ts_workflow_list_triggers (self->project, preview, ts_store_get_user (self->store));

      for (guint i = 0; i < statuses->len; i++)
        {
          TsTriggerStatus *status = g_ptr_array_index (statuses, i);

          /* Not mine: the banner says who holds it, and no button shows. */
          if (ts_trigger_status_get_state (status) != TS_TRIGGER_NOT_ASSIGNEE)
            g_ptr_array_add (shown, status);
        }
      main = find_main_trigger (self, shown);
    }

  if (!trigger_buttons_match (self, shown))
    {
      while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->trigger_box))) != NULL)
        gtk_box_remove (self->trigger_box, child);
      for (guint i = 0; i < shown->len; i++)
        gtk_box_append (self->trigger_box,
                        gtk_button_new_with_label (ts_trigger_status_get_trigger (g_ptr_array_index (shown, i))));
    }

  child = gtk_widget_get_first_child (GTK_WIDGET (self->trigger_box));
  for (guint i = 0; i < shown->len; i++, child = gtk_widget_get_next_sibling (child))
    {
      TsTriggerStatus *status = g_ptr_array_index (shown, i);
      const char *field = ts_trigger_status_get_field (status);
      g_autofree char *hint = NULL;

      update_trigger_button (self, child, status, status == main);
      if (ts_trigger_status_is_ready (status))
        continue;

      hint = describe_hint (status);
      if (field != NULL && ts_project_lookup_field (self->project, field) != NULL)
        {
          const char *before = g_hash_table_lookup (hints, field);

          g_hash_table_insert (hints, (gpointer)field,
                               before != NULL ? g_strconcat (before, "\n", hint, NULL) : g_steal_pointer (&hint));
        }
      else
        {
          /* Waits for something that is not a field of the form. */
          g_string_append_printf (elsewhere, "%s%s", elsewhere->len ? "\n" : "", hint);
        }
    }

  for (guint i = 0; i < ts_project_get_n_fields (self->project); i++)
    {
      const char *name = ts_field_get_name (ts_project_get_field (self->project, i));

      ts_ticket_form_set_field_hint (self->form, name, g_hash_table_lookup (hints, name));
    }

  gtk_label_set_text (self->blocked_label, elsewhere->str);
  gtk_widget_set_visible (GTK_WIDGET (self->blocked_label), elsewhere->len > 0);

  update_workflow_view (self, shown);

  /* One suggested button in the header bar. */
  if (main != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self->save_button), "suggested-action");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->save_button), "suggested-action");
}

static void
update_read_only (TsTicketWindow *self)
{
  gboolean mine = is_mine (self);

  /* Opened offline: read-only.  Gone offline while editing: the form
   * stays as it is, so typing goes on and nothing typed is lost. */
  ts_ticket_form_set_editable (self->form, mine && (self->opened_online || ts_store_get_online (self->store)));
  gtk_widget_set_visible (GTK_WIDGET (self->save_button), mine);

  if (!ts_store_get_online (self->store) && !self->changed_elsewhere)
    {
      show_banner (self,
                   ts_ticket_form_get_editable (self->form)
                     ? _("Offline: what you type is kept, and can be saved once the connection is back.")
                     : _("Offline: this is the copy saved on this computer, read-only."),
                   BANNER_PLAIN);
    }
  else if (!mine && !self->changed_elsewhere && !self->passed_on)
    {
      g_autofree char *message =
        g_strdup_printf (_("%s holds this ticket, so only they can change it."),
                         person (self, ts_ticket_get_assigned_to (self->ticket)));

      show_banner (self, message, BANNER_PLAIN);
    }
  else if (!self->changed_elsewhere && !self->passed_on)
    {
      show_banner (self, NULL, BANNER_PLAIN);
    }
}

static void
show_ticket (TsTicketWindow *self,
             TsTicket       *ticket)
{
  g_set_object (&self->ticket, ticket);
  self->changed_elsewhere = FALSE;
  self->passed_on = FALSE;
  ts_ticket_form_set_ticket (self->form, ticket);
  /* A ticket just created is edited on in the same window. */
  gtk_button_set_label (self->save_button, _("Save"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->save_button), _("Save the ticket without passing it on (Ctrl+S)"));
  update_read_only (self);
  update_title (self);
  update_triggers (self);
  update_actions (self);
  load_history (self);
  ts_linked_from_set_ticket (self->linked_from, ticket);
}

/* The timeline */

/* The history as last read, with people by the names the project shows
 * for them (again when those arrive after it). */
static void
show_history (TsTicketWindow *self)
{
  ts_timeline_set_history (self->timeline, self->history);
  ts_timeline_set_comments (self->timeline, self->comments);
}

static void
on_comments_loaded (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(TsTicketWindow) self = user_data;
  g_autoptr(GPtrArray) comments = NULL;
  g_autoptr(GError) error = NULL;

  comments = ts_store_list_comments_finish (TS_STORE (object), result, &error);
  if (comments == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Cannot read the comments: %s", error->message);
      return;
    }

  g_clear_pointer (&self->comments, g_ptr_array_unref);
  self->comments = g_steal_pointer (&comments);
  ts_timeline_set_comments (self->timeline, self->comments);
}

static void
load_comments (TsTicketWindow *self)
{
  if (self->ticket == NULL)
    return;

  ts_store_list_comments_async (self->store, ts_ticket_get_id (self->ticket), self->cancellable,
                                on_comments_loaded, g_object_ref (self));
}

/* Someone commented (another client, or this one): the ticket's version
 * stays, so only the comments are read again. */
static void
on_comments_changed (TsTicketWindow *self,
                     gint64          ticket_id,
                     TsStore        *store)
{
  if (self->ticket != NULL && ts_ticket_get_id (self->ticket) == ticket_id)
    load_comments (self);
}

static void
show_comment_error (TsTicketWindow *self,
                    const char     *message)
{
  gtk_label_set_text (self->comment_error, message);
  gtk_widget_set_visible (GTK_WIDGET (self->comment_error), message != NULL);
  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->comment_view), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->comment_view), "error");
}

static void
on_comment_posted (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TsTicketWindow) self = user_data;
  g_autoptr(TsComment) comment = NULL;
  g_autoptr(GError) error = NULL;

  self->posting = FALSE;
  update_actions (self);
  comment = ts_store_add_comment_finish (TS_STORE (object), result, &error);
  if (comment == NULL)
    {
      /* What was typed stays in the box, to post again. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          if (g_error_matches (error, TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE))
            {
              g_autofree char *message = g_strdup_printf (_("%s Your comment is kept: post it again once the connection is back."),
                                                          error->message);
              show_comment_error (self, message);
            }
          else
            {
              /* Translators: under the comment box; %s says why, in a sentence of its own */
              g_autofree char *message = g_strdup_printf (_("The comment was not posted. %s"), error->message);

              show_comment_error (self, message);
            }
        }
      return;
    }

  /* No toast: the comment shows in the timeline above the emptied box,
   * and a toast would cover the box's button. */
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->comment_view), "", -1);
  show_comment_error (self, NULL);
  load_comments (self);
}

static void
comment_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TsTicketWindow *self = TS_TICKET_WINDOW (widget);
  g_autofree char *text = dup_comment_text (self);

  if (self->ticket == NULL || self->posting || *g_strstrip (text) == '\0')
    return;

  self->posting = TRUE;
  update_actions (self);
  ts_store_add_comment_async (self->store, ts_ticket_get_id (self->ticket), text, self->cancellable,
                              on_comment_posted, g_object_ref (self));
}

static void
on_comment_text_changed (TsTicketWindow *self)
{
  update_actions (self);
}

static void
on_history_loaded (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TsTicketWindow) self = user_data;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GError) error = NULL;

  history = ts_store_get_history_finish (TS_STORE (object), result, &error);
  if (history == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Cannot read the history: %s", error->message);
      return;
    }

  /* What was opened can be read offline later. */
  if (self->ticket != NULL)
    ts_store_remember_ticket (self->store, self->ticket, history);

  g_clear_pointer (&self->history, g_ptr_array_unref);
  self->history = g_steal_pointer (&history);
  show_history (self);
}

static void
load_history (TsTicketWindow *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->history_group), self->ticket != NULL);
  gtk_widget_set_visible (self->comment_box, self->ticket != NULL);
  if (self->ticket == NULL)
    return;

  load_comments (self);

  ts_store_get_history_async (self->store, ts_ticket_get_id (self->ticket), self->cancellable,
                              on_history_loaded, g_object_ref (self));
}

/* Conflicts: someone else changed the ticket under our edits */

static void save (TsTicketWindow *self);

static void
on_conflict_response (TsConflictDialog *dialog,
                      const char       *response,
                      gpointer          user_data)
{
  TsTicketWindow *self = user_data;
  g_autoptr(JsonObject) values = NULL;

  if (g_strcmp0 (response, "keep-all") != 0 && g_strcmp0 (response, "apply") != 0)
    {
      /* Cancel: everything typed stays in the form, over the version it
       * was started from; the banner offers to come back to it. */
      self->changed_elsewhere = TRUE;
      show_banner (self, _("Someone else changed this ticket. Your edits are kept: reload to see their changes on top of yours."),
                   BANNER_RELOAD);
      return;
    }

  /* The new version, the chosen typed values over it, saved against it. */
  values = ts_conflict_dialog_dup_values (dialog, g_strcmp0 (response, "keep-all") == 0);
  show_ticket (self, ts_conflict_dialog_get_current (dialog));
  ts_ticket_form_apply_values (self->form, values);
  update_triggers (self);
  update_actions (self);
  if (ts_ticket_form_get_modified (self->form) && is_mine (self))
    save (self);
}

static char *
describe_difference (TsTicketWindow *self,
                     TsTicket       *before,
                     TsTicket       *after)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GList) names = json_object_get_members (ts_ticket_get_fields (after));
  g_autoptr(GString) fields = g_string_new (NULL);

  if (g_strcmp0 (ts_ticket_get_state (before), ts_ticket_get_state (after)) != 0)
    g_string_append_printf (text, _("It moved from %s to %s. "),
                            ts_ticket_get_state (before), ts_ticket_get_state (after));
  if (g_strcmp0 (ts_ticket_get_assigned_to (before), ts_ticket_get_assigned_to (after)) != 0)
    g_string_append_printf (text, _("It is now with %s. "), person (self, ts_ticket_get_assigned_to (after)));

  for (const GList *l = names; l; l = l->next)
    {
      JsonNode *old_value = json_object_get_member (ts_ticket_get_fields (before), l->data);
      JsonNode *new_value = json_object_get_member (ts_ticket_get_fields (after), l->data);

      if (ts_project_lookup_field (self->project, l->data) == NULL)
        continue;
      if (old_value == NULL || !json_node_equal (old_value, new_value))
        g_string_append_printf (fields, "%s%s", fields->len ? _(", ") : "",
                                ts_project_get_label_for (self->project, l->data));
    }
  if (fields->len > 0)
    g_string_append_printf (text, _("Changed: %s."), fields->str);

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
on_conflict_ticket_read (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(TsTicketWindow) self = user_data;
  g_autoptr(GPtrArray) tickets = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *difference = NULL;
  g_autoptr(JsonObject) mine = NULL;
  TsConflictDialog *dialog;
  TsTicket *current;

  set_busy (self, FALSE);
  tickets = ts_store_get_tickets_finish (TS_STORE (object), result, &error);
  if (tickets == NULL || tickets->len == 0)
    {
      toast (self, error ? error->message : _("The ticket is no longer visible to you"));
      return;
    }

  current = g_ptr_array_index (tickets, 0);
  difference = describe_difference (self, self->ticket, current);

  mine = ts_ticket_form_dup_changes (self->form);
  dialog = ts_conflict_dialog_new (GTK_WINDOW (self), self->form, self->ticket, current, mine, difference);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_conflict_response), self, 0);
  ts_a11y_fix_mnemonic_buttons (GTK_WIDGET (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
resolve_conflict (TsTicketWindow *self)
{
  gint64 id = ts_ticket_get_id (self->ticket);

  set_busy (self, TRUE);
  ts_store_get_tickets_async (self->store, &id, 1, self->cancellable,
                              on_conflict_ticket_read, g_object_ref (self));
}

/* Saving and firing */

static void
show_error (TsTicketWindow *self,
            const GError   *error)
{
  const char *field = ts_store_error_get_field (error);

  if (g_error_matches (error, TS_STORE_ERROR, TS_STORE_ERROR_CONFLICT) && self->ticket != NULL)
    {
      resolve_conflict (self);
      return;
    }

  if (field != NULL && ts_project_lookup_field (self->project, field) != NULL)
    {
      /* At the field, scrolled to and focused, and said at once, since the
       * field may have been far from where the person looked. */
      ts_ticket_form_set_field_error (self->form, field, error->message, TRUE);
      toast (self, error->message);
      return;
    }

  if (g_error_matches (error, TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE))
    {
      g_autofree char *message = g_strdup_printf (_("%s Your edits are kept: save again once the connection is back."),
                                                  error->message);
      toast (self, message);
      return;
    }

  toast (self, error->message);
}

static void
on_changed (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(TsTicketWindow) self = user_data;
  g_autoptr(TsTicket) ticket = NULL;
  g_autoptr(GError) error = NULL;
  const char *trigger = g_object_get_data (G_OBJECT (result), "ts-trigger");
  gboolean was_new = self->ticket == NULL;

  set_busy (self, FALSE);
  ticket = ts_store_change_finish (TS_STORE (object), result, &error);
  if (ticket == NULL)
    {
      /* The server wants a comment the schema the client has did not ask
       * for (changed since): asked for at the trigger's dialog. */
      if (trigger != NULL && g_strcmp0 (ts_store_error_get_sqlstate (error), "TS428") == 0 &&
          g_strcmp0 (ts_store_error_get_kind (error), "comment_required") == 0)
        ask_fire_comment (self, trigger, error->message);
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error);
      self->close_after_save = FALSE;
      return;
    }

  /* The comment went with the change. */
  if (trigger != NULL)
    g_clear_pointer (&self->fire_comment, g_free);

  show_ticket (self, ticket);

  if (self->close_after_save)
    {
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }

  if (trigger != NULL && !is_mine (self))
    {
      g_autofree char *message = g_strdup_printf (_("%s: %s is now with %s"), trigger,
                                                  ts_ticket_get_key (ticket),
                                                  person (self, ts_ticket_get_assigned_to (ticket)));

      /* Passed on, there is nothing left to do here. */
      if (g_settings_get_boolean (self->settings, "close-after-passing-on"))
        {
          gtk_window_close (GTK_WINDOW (self));
          return;
        }
      show_banner (self, message, BANNER_CLOSE);
      self->passed_on = TRUE;
    }
  else if (was_new)
    {
      g_autofree char *message = g_strdup_printf (_("Created %s"), ts_ticket_get_key (ticket));
      toast (self, message);
    }
  else
    {
      toast (self, trigger ? trigger : _("Saved"));
    }
}

/* The form's own check before anything is sent: a refusal scrolls to
 * and focuses the first bad field, and a toast says what is wrong (the
 * field may be far from the button that was pressed). */
static gboolean
check_form (TsTicketWindow *self)
{
  const char *field;

  if (ts_ticket_form_validate (self->form))
    return TRUE;

  field = ts_ticket_form_get_first_invalid_field (self->form);
  if (field != NULL)
    {
      ts_ticket_form_focus_field (self->form, field);
      toast (self, ts_ticket_form_get_field_error (self->form, field));
    }
  return FALSE;
}

static void
save (TsTicketWindow *self)
{
  if (!check_form (self))
    {
      self->close_after_save = FALSE;
      return;
    }

  set_busy (self, TRUE);

  if (self->ticket == NULL)
    {
      g_autoptr(JsonObject) values = ts_ticket_form_dup_values (self->form);

      ts_store_create_ticket_async (self->store, ts_project_get_name (self->project), values,
                                    self->cancellable, on_changed, g_object_ref (self));
    }
  else
    {
      g_autoptr(JsonObject) changes = ts_ticket_form_dup_changes (self->form);

      ts_store_save_ticket_async (self->store, ts_ticket_get_id (self->ticket),
                                  ts_ticket_get_version (self->ticket), changes,
                                  self->cancellable, on_changed, g_object_ref (self));
    }
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  save (TS_TICKET_WINDOW (widget));
}

static void
on_fired (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  /* Tell on_changed() which trigger it was, for its message. */
  g_object_set_data_full (G_OBJECT (result), "ts-trigger",
                          g_object_steal_data (G_OBJECT (user_data), "ts-firing"), g_free);
  on_changed (object, result, user_data);
}

static void
fire (TsTicketWindow *self,
      const char     *trigger,
      const char     *comment)
{
  g_autoptr(JsonObject) changes = NULL;

  /* Saves the form and fires in one call, as the seed's form did. */
  changes = ts_ticket_form_dup_changes (self->form);
  g_object_set_data_full (G_OBJECT (self), "ts-firing", g_strdup (trigger), g_free);
  set_busy (self, TRUE);
  ts_store_fire_async (self->store, ts_ticket_get_id (self->ticket), ts_ticket_get_version (self->ticket),
                       trigger, changes, comment, self->cancellable, on_fired, g_object_ref (self));
}

/* A trigger whose transition says "comment": "required": its dialog asks
 * for the comment, which is sent with the fire. */

static char *
dup_text_view_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
on_fire_comment_changed (AdwMessageDialog *dialog,
                         GtkTextBuffer    *buffer)
{
  g_autofree char *text = dup_text_view_text (g_object_get_data (G_OBJECT (dialog), "ts-view"));

  adw_message_dialog_set_response_enabled (dialog, "fire", *g_strstrip (text) != '\0');
}

static void
on_fire_comment_response (AdwMessageDialog *dialog,
                          const char       *response,
                          TsTicketWindow   *self)
{
  const char *trigger = g_object_get_data (G_OBJECT (dialog), "ts-trigger");

  /* Whatever the answer, what was typed is kept for the next time. */
  g_free (self->fire_comment);
  self->fire_comment = dup_text_view_text (g_object_get_data (G_OBJECT (dialog), "ts-view"));

  if (g_strcmp0 (response, "fire") == 0 && self->ticket != NULL && !self->busy)
    fire (self, trigger, self->fire_comment);
}

static void
ask_fire_comment (TsTicketWindow *self,
                  const char     *trigger,
                  const char     *error_message)
{
  /* Translators: the heading of the dialog a trigger that needs a comment opens: "Comment on “提交审核”" */
  g_autofree char *heading = g_strdup_printf (_("Comment on “%s”"), trigger);
  g_autofree char *body = g_strdup_printf (_("“%s” needs a comment: say what was done and why. "
                                             "It is saved with the change, in the ticket's history."), trigger);
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *view = gtk_text_view_new ();
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));

  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 6);
  gtk_widget_set_size_request (view, 320, 96);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Comment"), -1);
  gtk_frame_set_child (GTK_FRAME (frame), view);
  gtk_box_append (GTK_BOX (box), frame);
  if (self->fire_comment != NULL)
    gtk_text_buffer_set_text (buffer, self->fire_comment, -1);
  if (error_message != NULL)
    {
      /* The server's refusal, at the dialog it is about. */
      GtkWidget *error = gtk_label_new (error_message);

      gtk_label_set_wrap (GTK_LABEL (error), TRUE);
      gtk_label_set_xalign (GTK_LABEL (error), 0);
      gtk_widget_add_css_class (error, "field-error");
      gtk_widget_add_css_class (view, "error");
      gtk_box_append (GTK_BOX (box), error);
      gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, error_message, -1);
    }
  adw_message_dialog_set_extra_child (dialog, box);

  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "fire", trigger, NULL);
  adw_message_dialog_set_response_appearance (dialog, "fire", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "ts-trigger", g_strdup (trigger), g_free);
  g_object_set_data (G_OBJECT (dialog), "ts-view", view);
  g_signal_connect_object (buffer, "changed", G_CALLBACK (on_fire_comment_changed), dialog, G_CONNECT_SWAPPED);
  on_fire_comment_changed (dialog, buffer);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_fire_comment_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (view);
}

static void
fire_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TsTicketWindow *self = TS_TICKET_WINDOW (widget);
  const char *trigger = g_variant_get_string (parameter, NULL);
  TsTransition *transition;

  if (self->ticket == NULL || !check_form (self))
    return;

  transition = ts_project_lookup_transition (self->project, ts_ticket_get_state (self->ticket), trigger);
  if (transition != NULL && ts_transition_get_comment_required (transition))
    {
      ask_fire_comment (self, trigger, NULL);
      return;
    }

  fire (self, trigger, NULL);
}

/* New From This Ticket: a new draft starting from this ticket's values
 * as the form shows them (what was typed too), not its history nor its
 * system fields (key, state, assignee, dates: a new ticket's own). */
static void
new_from_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  TsTicketWindow *self = TS_TICKET_WINDOW (widget);
  g_autoptr(JsonObject) values = NULL;
  TsTicketWindow *draft;

  if (self->ticket == NULL)
    return;

  values = ts_ticket_form_dup_values (self->form);
  draft = ts_ticket_window_new (self->store, self->project, NULL);
  ts_ticket_form_apply_values (draft->form, values);
  gtk_window_set_application (GTK_WINDOW (draft), gtk_window_get_application (GTK_WINDOW (self)));
  gtk_window_present (GTK_WINDOW (draft));
  {
    /* Translators: a toast in the new ticket's window; %s is the key of the ticket it was copied from */
    g_autofree char *message = g_strdup_printf (_("The fields of %s are copied: change what differs and create the new ticket."),
                                                ts_ticket_get_key (self->ticket));

    toast (draft, message);
  }
}

/* Reloading, and changes made elsewhere */

static void
on_reloaded (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(TsTicketWindow) self = user_data;
  g_autoptr(GPtrArray) tickets = NULL;
  g_autoptr(GError) error = NULL;

  set_busy (self, FALSE);
  tickets = ts_store_get_tickets_finish (TS_STORE (object), result, &error);
  if (tickets == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error);
      return;
    }

  if (tickets->len == 0)
    {
      show_banner (self, _("This ticket is no longer visible to you."), BANNER_PLAIN);
      ts_ticket_form_set_editable (self->form, FALSE);
      return;
    }

  show_ticket (self, g_ptr_array_index (tickets, 0));
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TsTicketWindow *self = TS_TICKET_WINDOW (widget);
  gint64 id;

  if (self->ticket == NULL)
    return;

  /* With edits in the form, reloading keeps them on top of the new
   * version; the conflict dialog asks how. */
  if (ts_ticket_form_get_modified (self->form))
    {
      resolve_conflict (self);
      return;
    }

  id = ts_ticket_get_id (self->ticket);
  set_busy (self, TRUE);
  ts_store_get_tickets_async (self->store, &id, 1, self->cancellable, on_reloaded, g_object_ref (self));
}

static void
on_ticket_changed (TsTicketWindow *self,
                   gint64          id,
                   int             version,
                   TsStore        *store)
{
  if (self->ticket == NULL || ts_ticket_get_id (self->ticket) != id ||
      ts_ticket_get_version (self->ticket) >= version || self->busy)
    return;

  if (!ts_ticket_form_get_modified (self->form))
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "ticket.reload", NULL);
      return;
    }

  self->changed_elsewhere = TRUE;
  show_banner (self, _("Someone else changed this ticket. Your edits are kept: reload to see their changes on top of yours."),
               BANNER_RELOAD);
}

static void
on_online_changed (TsTicketWindow *self)
{
  update_read_only (self);
  update_actions (self);
}

static void
on_back_online (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(TsTicketWindow) self = user_data;
  g_autoptr(GPtrArray) tickets = ts_store_get_tickets_finish (TS_STORE (object), result, NULL);
  TsTicket *current;

  if (tickets == NULL || tickets->len == 0 || self->ticket == NULL)
    return;

  current = g_ptr_array_index (tickets, 0);
  if (ts_ticket_get_version (current) <= ts_ticket_get_version (self->ticket))
    return;

  /* Changed while we were away: as with a live change. */
  if (!ts_ticket_form_get_modified (self->form))
    show_ticket (self, current);
  else
    {
      self->changed_elsewhere = TRUE;
      show_banner (self, _("Someone else changed this ticket while you were offline. Your edits are kept: reload to see their changes on top of yours."),
                   BANNER_RELOAD);
    }
}

static void
on_reconnected (TsTicketWindow *self)
{
  gint64 id;

  self->opened_online = TRUE;
  update_read_only (self);
  update_actions (self);

  if (self->ticket == NULL)
    return;

  /* Notifications sent while offline were lost: compare versions. */
  id = ts_ticket_get_id (self->ticket);
  ts_store_get_tickets_async (self->store, &id, 1, self->cancellable, on_back_online, g_object_ref (self));
}

static void
on_form_changed (TsTicketWindow *self)
{
  update_title (self);
  update_triggers (self);
  update_actions (self);
}

/* Closing with unsaved edits asks first. */

static gboolean
destroy_now (gpointer user_data)
{
  gtk_window_destroy (GTK_WINDOW (user_data));
  return G_SOURCE_REMOVE;
}

static void
on_close_response (AdwMessageDialog *dialog,
                   const char       *response,
                   TsTicketWindow   *self)
{
  if (g_strcmp0 (response, "discard") == 0)
    {
      /* Not from inside the dialog's "response": the dialog is transient
       * for this window and goes with it, while AdwMessageDialog still
       * has work to do on itself once its handlers return. */
      g_idle_add_full (G_PRIORITY_DEFAULT, destroy_now, g_object_ref (self), g_object_unref);
    }
  else if (g_strcmp0 (response, "save") == 0)
    {
      self->close_after_save = TRUE;
      save (self);
    }
}

static gboolean
ts_ticket_window_close_request (GtkWindow *window)
{
  TsTicketWindow *self = TS_TICKET_WINDOW (window);
  AdwMessageDialog *dialog;

  if (!ts_ticket_form_get_modified (self->form) || !is_mine (self))
    return GTK_WINDOW_CLASS (ts_ticket_window_parent_class)->close_request (window);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (window, _("Save Changes?"),
                                                       _("The ticket has edits that are not saved yet.")));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "discard", _("_Discard"),
                                    "save", _("_Save"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (dialog, "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "save");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_close_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));

  return TRUE;
}

static void
on_members (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(TsTicketWindow) self = user_data;
  g_autoptr(GPtrArray) members = ts_store_list_members_finish (TS_STORE (object), result, NULL);

  if (members == NULL)
    return;

  ts_ticket_form_set_members (self->form, members);
  show_history (self);
  /* The banners name people: by their display names now. */
  if (self->ticket != NULL && !self->passed_on)
    update_read_only (self);
}

/* Reassign… (project admins): the dialog gives the ticket to another
 * member; the window then shows it as after any change made elsewhere. */
static void
on_reassigned (TsTicketWindow *self,
               TsTicket       *ticket)
{
  on_ticket_changed (self, ts_ticket_get_id (ticket), ts_ticket_get_version (ticket), self->store);
}

static void
reassign_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  TsTicketWindow *self = TS_TICKET_WINDOW (widget);
  GtkWidget *dialog = ts_reassign_dialog_new (GTK_WINDOW (self), self->store, self->project, self->ticket);

  g_signal_connect_object (dialog, "reassigned", G_CALLBACK (on_reassigned), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The object */

static void
ts_ticket_window_dispose (GObject *object)
{
  TsTicketWindow *self = (TsTicketWindow *)object;

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), TS_TYPE_TICKET_WINDOW);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  g_clear_object (&self->ticket);
  g_clear_pointer (&self->history, g_ptr_array_unref);
  g_clear_pointer (&self->comments, g_ptr_array_unref);
  g_clear_pointer (&self->fire_comment, g_free);
  g_clear_object (&self->project);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ts_ticket_window_parent_class)->dispose (object);
}

static void
ts_ticket_window_class_init (TsTicketWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ts_ticket_window_dispose;
  window_class->close_request = ts_ticket_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tasksteper/TaskSteper/ts-ticket-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TsTicketWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, TsTicketWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, TsTicketWindow, trigger_box);
  gtk_widget_class_bind_template_child (widget_class, TsTicketWindow, save_button);
  gtk_widget_class_bind_template_child (widget_class, TsTicketWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, TsTicketWindow, banner_revealer);
  gtk_widget_class_bind_template_child (widget_class, TsTicketWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, TsTicketWindow, banner_button);
  gtk_widget_class_bind_template_child (widget_class, TsTicketWindow, banner_close_button);
  gtk_widget_class_bind_template_child (widget_class, TsTicketWindow, content_box);
  gtk_widget_class_bind_template_child (widget_class, TsTicketWindow, blocked_label);
  gtk_widget_class_bind_template_child (widget_class, TsTicketWindow, history_group);
  gtk_widget_class_bind_template_child (widget_class, TsTicketWindow, workflow_button);
  gtk_widget_class_bind_template_child (widget_class, TsTicketWindow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, TsTicketWindow, comment_box);
  gtk_widget_class_bind_template_child (widget_class, TsTicketWindow, comment_view);
  gtk_widget_class_bind_template_child (widget_class, TsTicketWindow, comment_error);
  gtk_widget_class_bind_template_child (widget_class, TsTicketWindow, workflow_view);
  gtk_widget_class_bind_template_child (widget_class, TsTicketWindow, reassign_button);

  gtk_widget_class_install_action (widget_class, "ticket.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "ticket.fire", "s", fire_action);
  gtk_widget_class_install_action (widget_class, "ticket.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "ticket.toggle-workflow", NULL, toggle_workflow_action);
  gtk_widget_class_install_action (widget_class, "ticket.new-from", NULL, new_from_action);
  gtk_widget_class_install_action (widget_class, "ticket.comment", NULL, comment_action);
  gtk_widget_class_install_action (widget_class, "ticket.reassign", NULL, reassign_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "ticket.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "ticket.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "ticket.toggle-workflow", NULL);
}

static void
ts_ticket_window_init (TsTicketWindow *self)
{
  g_type_ensure (TS_TYPE_WORKFLOW_VIEW);
  gtk_widget_init_template (GTK_WIDGET (self));
  ts_a11y_fix_mnemonic_buttons (GTK_WIDGET (self));
  g_signal_connect_object (self->workflow_button, "toggled", G_CALLBACK (on_workflow_toggled), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->workflow_view, "trigger-activated", G_CALLBACK (on_workflow_trigger), self, G_CONNECT_SWAPPED);
  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new (TS_APPLICATION_ID);

  /* Ctrl+Enter in the comment box posts it (before the text view takes
   * Enter as a new line). */
  {
    GtkEventController *shortcuts = gtk_shortcut_controller_new ();

    gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                          gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control>Return|<Control>KP_Enter"),
                                                            gtk_named_action_new ("ticket.comment")));
    gtk_widget_add_controller (GTK_WIDGET (self->comment_view), shortcuts);
  }
  g_signal_connect_object (gtk_text_view_get_buffer (self->comment_view), "changed",
                           G_CALLBACK (on_comment_text_changed), self, G_CONNECT_SWAPPED);
}

TsTicketWindow *
ts_ticket_window_new (TsStore   *store,
                      TsProject *project,
                      TsTicket  *ticket)
{
  TsTicketWindow *self;

  g_return_val_if_fail (TS_IS_STORE (store), NULL);
  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);
  g_return_val_if_fail (ticket == NULL || TS_IS_TICKET (ticket), NULL);

  self = g_object_new (TS_TYPE_TICKET_WINDOW, NULL);
  self->store = g_object_ref (store);
  self->project = g_object_ref (project);

  self->form = ts_ticket_form_new (project);
  gtk_box_prepend (self->content_box, GTK_WIDGET (self->form));
  self->timeline = ts_timeline_new (self->form);
  adw_preferences_group_add (self->history_group, GTK_WIDGET (self->timeline));
  /* Above the history: what points here is part of what the ticket is. */
  self->linked_from = TS_LINKED_FROM (ts_linked_from_new (store, project));
  gtk_box_insert_child_after (self->content_box, GTK_WIDGET (self->linked_from), GTK_WIDGET (self->blocked_label));
  g_signal_connect_object (self->form, "changed", G_CALLBACK (on_form_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (store, "ticket-changed", G_CALLBACK (on_ticket_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (store, "notify::online", G_CALLBACK (on_online_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (store, "reconnected", G_CALLBACK (on_reconnected), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (store, "comments-changed", G_CALLBACK (on_comments_changed), self, G_CONNECT_SWAPPED);
  self->opened_online = ts_store_get_online (store);

  if (ticket != NULL)
    {
      show_ticket (self, ticket);
    }
  else
    {
      /* A new ticket starts at the defaults, created by me. */
      g_autoptr(TsTicket) fresh = ts_ticket_new ();
      g_autoptr(JsonObject) values = ts_project_dup_initial_values (project);

      ts_ticket_set_project (fresh, ts_project_get_name (project));
      ts_ticket_set_state (fresh, ts_project_get_initial_state (project));
      ts_ticket_set_assigned_to (fresh, ts_store_get_user (store));
      ts_ticket_set_created_by (fresh, ts_store_get_user (store));
      ts_ticket_set_fields (fresh, values);
      ts_ticket_form_set_ticket (self->form, fresh);
      gtk_button_set_label (self->save_button, _("Create"));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->save_button), _("Create the ticket (Ctrl+S)"));
      update_title (self);
      update_triggers (self);
      update_actions (self);
      load_history (self);
    }

  ts_store_list_members_async (store, ts_project_get_name (project), self->cancellable,
                               on_members, g_object_ref (self));

  return self;
}

TsTicket *
ts_ticket_window_get_ticket (TsTicketWindow *self)
{
  g_return_val_if_fail (TS_IS_TICKET_WINDOW (self), NULL);
  return self->ticket;
}

char *
ts_ticket_window_dup_key (TsTicketWindow *self)
{
  g_return_val_if_fail (TS_IS_TICKET_WINDOW (self), NULL);

  if (self->ticket == NULL)
    return NULL;

  return g_strdup_printf ("%s/%" G_GINT64_FORMAT, ts_project_get_name (self->project),
                          ts_ticket_get_id (self->ticket));
}

GtkWidget *
ts_ticket_window_get_form (TsTicketWindow *self)
{
  g_return_val_if_fail (TS_IS_TICKET_WINDOW (self), NULL);
  return GTK_WIDGET (self->form);
}

GtkWidget *
ts_ticket_window_get_trigger_button (TsTicketWindow *self,
                                     const char     *trigger)
{
  g_return_val_if_fail (TS_IS_TICKET_WINDOW (self), NULL);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->trigger_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (g_strcmp0 (gtk_button_get_label (GTK_BUTTON (child)), trigger) == 0)
      return child;

  return NULL;
}

GtkWidget *
ts_ticket_window_get_workflow_button (TsTicketWindow *self)
{
  g_return_val_if_fail (TS_IS_TICKET_WINDOW (self), NULL);
  return GTK_WIDGET (self->workflow_button);
}

GtkWidget *
ts_ticket_window_get_workflow_view (TsTicketWindow *self)
{
  g_return_val_if_fail (TS_IS_TICKET_WINDOW (self), NULL);
  return GTK_WIDGET (self->workflow_view);
}

GtkWidget *
ts_ticket_window_get_menu_button (TsTicketWindow *self)
{
  g_return_val_if_fail (TS_IS_TICKET_WINDOW (self), NULL);
  return GTK_WIDGET (self->menu_button);
}
