/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-main-window"

#include "config.h"

#include <glib/gi18n.h>

#include "ts-a11y.h"
#include "ts-export-dialog.h"
#include "ts-main-window.h"
#include "ts-member-names.h"
#include "ts-my-tickets.h"
#include "ts-my-tickets-view.h"
#include "ts-release-notes-dialog.h"
#include "ts-workflow-window.h"
#include "ts-save-search-dialog.h"
#include "ts-saved-searches.h"
#include "ts-search-bar.h"
#include "ts-search-results.h"
#include "ts-statistics-view.h"
#include "ts-ticket-list.h"
#include "ts-ticket-table.h"
#include "ts-ticket-window.h"

/* Pending counts of the other projects are refreshed a moment after
 * changes come in, not for each one. */
#define COUNTS_DELAY_MS 300

/* The sidebar: My Tickets, then the projects, each followed by its saved
 * searches. */
#define MY_TICKETS_POSITION 0

struct _TsMainWindow
{
  AdwApplicationWindow  parent_instance;

  TsStore              *store;
  GListStore           *projects;    /* TsProjectSummary */
  TsMyTickets          *my_tickets;
  TsMemberNames        *names;
  GtkSingleSelection   *selection;   /* over My Tickets and the projects */
  TsProject            *project;
  TsTicketList         *pending;
  TsTicketList         *all;
  TsSearchResults      *results;     /* the project's search */
  TsSavedSearches      *saved_searches;
  GHashTable           *editors;     /* "project/id" → TsTicketWindow */
  GCancellable         *cancellable;
  guint                 counts_id;
  guint                 reselect_id;
  char                 *wanted_project;
  char                 *wanted_search_project;
  char                 *wanted_search;  /* a link's saved search there */
  TsSavedSearch        *menu_search;   /* the sidebar row whose menu shows */
  GtkWidget            *search_menu;

  /* Template children */
  AdwToastOverlay      *toasts;
  AdwLeaflet           *leaflet;
  GtkWidget            *sidebar;
  GtkWidget            *sidebar_header;
  GtkWidget            *content_header;
  GtkWidget            *sidebar_scroller;
  GtkWidget            *content_body;
  GtkListView          *project_view;
  AdwWindowTitle       *sidebar_title;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewSwitcherBar   *switcher_bar;
  GtkMenuButton        *columns_button;
  GtkToggleButton      *search_button;
  GtkRevealer          *offline_revealer;
  GtkLabel             *offline_label;
  GtkRevealer          *error_revealer;
  GtkLabel             *error_label;
  GtkStack             *content_stack;
  AdwViewStack         *view_stack;
  GtkStack             *pending_stack;
  AdwBin               *pending_bin;
  AdwBin               *all_bin;
  AdwBin               *mine_bin;
  TsSearchBar          *search_bar;
  GtkStack             *project_stack;
  GtkStack             *search_stack;
  AdwBin               *search_bin;
  TsStatisticsView     *statistics_view;
};

G_DEFINE_FINAL_TYPE (TsMainWindow, ts_main_window, ADW_TYPE_APPLICATION_WINDOW)

static void
show_error (TsMainWindow *self,
            const char   *message)
{
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

static void
update_actions (TsMainWindow *self)
{
  gboolean online = self->store != NULL && ts_store_get_online (self->store);

  /* Shown from My Tickets, there is no project to create a ticket in. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-ticket", self->project != NULL && online);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", self->project != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", self->project != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.release-notes", self->project != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.workflow", self->project != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reconnect", !online);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.clear-cache",
                                 self->store != NULL && ts_store_get_cache (self->store) != NULL);
}

/* Offline, the window says so, since when its data dates, and that it is
 * reconnecting; nothing can be changed until it is back. */
static void
update_offline (TsMainWindow *self)
{
  GDateTime *data_time = ts_store_get_data_time (self->store);
  g_autofree char *message = NULL;

  if (ts_store_get_online (self->store))
    {
      gtk_revealer_set_reveal_child (self->offline_revealer, FALSE);
      update_actions (self);
      return;
    }

  if (data_time != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (data_time);
      g_autofree char *when = g_date_time_format (local, "%Y-%m-%d %H:%M");

      message = g_strdup_printf (_("Offline: showing what was saved at %s, read-only. Reconnecting…"), when);
    }
  else
    message = g_strdup (_("Offline: the server cannot be reached. Nothing can be changed until it is back. Reconnecting…"));

  gtk_label_set_text (self->offline_label, message);
  gtk_revealer_set_reveal_child (self->offline_revealer, TRUE);
  update_actions (self);
}

static void
show_cache_notices (TsMainWindow *self)
{
  TsCache *cache = ts_store_get_cache (self->store);
  g_auto(GStrv) notices = cache ? ts_cache_take_notices (cache) : NULL;

  for (guint i = 0; notices != NULL && notices[i]; i++)
    adw_toast_overlay_add_toast (self->toasts, adw_toast_new (notices[i]));
}

/* Projects */

static TsProjectSummary *
find_summary (TsMainWindow *self,
              const char   *name,
              guint        *position)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->projects)); i++)
    {
      g_autoptr(TsProjectSummary) summary = g_list_model_get_item (G_LIST_MODEL (self->projects), i);

      if (g_strcmp0 (ts_project_summary_get_name (summary), name) == 0)
        {
          if (position != NULL)
            *position = i;
          return summary;  /* the store keeps it alive */
        }
    }

  return NULL;
}

static void
update_pending_page (TsMainWindow *self)
{
  guint n = self->pending ? g_list_model_get_n_items (G_LIST_MODEL (self->pending)) : 0;
  gboolean loading = self->pending && ts_ticket_list_get_loading (self->pending);
  AdwViewStackPage *page = adw_view_stack_get_page (self->view_stack, GTK_WIDGET (self->pending_stack));
  TsProjectSummary *summary = self->project ? find_summary (self, ts_project_get_name (self->project), NULL) : NULL;

  gtk_stack_set_visible_child_name (self->pending_stack, n > 0 || loading ? "table" : "empty");
  adw_view_stack_page_set_badge_number (page, n);
  adw_view_stack_page_set_needs_attention (page, n > 0);

  if (summary != NULL && !loading)
    ts_project_summary_set_n_pending (summary, n);
}

static void
on_list_error (TsTicketList *list,
               GParamSpec   *pspec,
               TsMainWindow *self)
{
  const GError *error = ts_ticket_list_get_error (list);

  show_error (self, error ? error->message : NULL);
}

static void
on_ticket_activated (TsTicketTable *table,
                     TsTicket      *ticket,
                     TsMainWindow  *self)
{
  ts_main_window_open_ticket (self, ticket);
}

static GtkWidget *
make_table (TsMainWindow *self,
            TsTicketList *list)
{
  TsTicketTable *table = ts_ticket_table_new (list, self->names);

  g_signal_connect_object (table, "ticket-activated", G_CALLBACK (on_ticket_activated), self, 0);
  g_signal_connect_object (list, "notify::error", G_CALLBACK (on_list_error), self, 0);
  return GTK_WIDGET (table);
}

static void update_search_page (TsMainWindow *self);
static void open_wanted_search (TsMainWindow *self);
static guint sidebar_position (TsMainWindow  *self,
                               const char    *project,
                               TsSavedSearch *search);
static gboolean select_row (TsMainWindow *self,
                            guint         position);
static void on_search_sort_changed (TsTicketTable *table,
                                    TsMainWindow  *self);

/* The project's search: its results, shown in a table of their own that
 * the server sorts, and read page by page as it is scrolled. */
static void
make_search (TsMainWindow *self,
             TsProject    *project)
{
  TsTicketTable *table;

  self->results = ts_search_results_new (self->store, project);
  table = ts_ticket_table_new_for_search (G_LIST_MODEL (self->results), project, self->names);
  g_signal_connect_object (table, "ticket-activated", G_CALLBACK (on_ticket_activated), self, 0);
  g_signal_connect_object (table, "sort-changed", G_CALLBACK (on_search_sort_changed), self, 0);
  g_signal_connect_object (table, "needs-more", G_CALLBACK (ts_search_results_load_more), self->results,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->results, "notify::loading", G_CALLBACK (update_search_page), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->results, "notify::n-items", G_CALLBACK (update_search_page), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->results, "notify::count", G_CALLBACK (update_search_page), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->results, "notify::error", G_CALLBACK (update_search_page), self, G_CONNECT_SWAPPED);
  adw_bin_set_child (self->search_bin, GTK_WIDGET (table));
  ts_search_bar_set_results (self->search_bar, self->results);
}

static void
show_project (TsMainWindow *self,
              TsProject    *project)
{
  TsTicketTable *table;

  if (self->project == project)
    return;

  g_set_object (&self->project, project);
  g_clear_object (&self->pending);
  g_clear_object (&self->all);
  ts_search_bar_set_results (self->search_bar, NULL);
  g_clear_object (&self->results);
  show_error (self, NULL);

  if (project == NULL)
    {
      gtk_menu_button_set_menu_model (self->columns_button, NULL);
      gtk_widget_insert_action_group (GTK_WIDGET (self->columns_button), "columns", NULL);
      gtk_widget_set_visible (GTK_WIDGET (self->columns_button), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->search_button), FALSE);
      adw_bin_set_child (self->pending_bin, NULL);
      adw_bin_set_child (self->all_bin, NULL);
      adw_bin_set_child (self->search_bin, NULL);
      ts_statistics_view_set_project (self->statistics_view, NULL);
      adw_view_switcher_title_set_subtitle (self->switcher_title, NULL);
      update_pending_page (self);
      update_actions (self);
      return;
    }

  self->pending = ts_ticket_list_new (self->store, project, TS_TICKET_LIST_PENDING);
  self->all = ts_ticket_list_new (self->store, project, TS_TICKET_LIST_ALL);
  g_signal_connect_object (self->pending, "items-changed", G_CALLBACK (update_pending_page), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->pending, "notify::loading", G_CALLBACK (update_pending_page), self, G_CONNECT_SWAPPED);

  adw_bin_set_child (self->pending_bin, make_table (self, self->pending));
  adw_bin_set_child (self->all_bin, make_table (self, self->all));
  make_search (self, project);
  ts_statistics_view_set_project (self->statistics_view, project);

  /* Both tables follow the project's choice of columns: the menu can
   * work on either. */
  table = TS_TICKET_TABLE (adw_bin_get_child (self->all_bin));
  gtk_menu_button_set_menu_model (self->columns_button, ts_ticket_table_get_columns_menu (table));
  gtk_widget_insert_action_group (GTK_WIDGET (self->columns_button), "columns",
                                  ts_ticket_table_get_column_actions (table));
  gtk_widget_set_visible (GTK_WIDGET (self->columns_button), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->search_button), TRUE);
  adw_view_switcher_title_set_title (self->switcher_title, ts_project_get_title (project));
  gtk_window_set_title (GTK_WINDOW (self), ts_project_get_title (project));

  update_pending_page (self);
  update_actions (self);
}

static gboolean
showing_my_tickets (TsMainWindow *self)
{
  return TS_IS_MY_TICKETS (gtk_single_selection_get_selected_item (self->selection));
}

static void
on_selection_changed (TsMainWindow *self)
{
  gpointer item = gtk_single_selection_get_selected_item (self->selection);

  /* A row that went away (a saved search read again): reselect() chooses
   * again, and what is shown stays meanwhile. */
  if (item == NULL)
    return;

  if (TS_IS_MY_TICKETS (item))
    {
      show_project (self, NULL);
      gtk_stack_set_visible_child_name (self->content_stack, "mine");
      adw_view_switcher_title_set_view_switcher_enabled (self->switcher_title, FALSE);
      adw_view_switcher_title_set_title (self->switcher_title, _("My Tickets"));
      adw_view_switcher_title_set_subtitle (self->switcher_title, _("Assigned to me in every project"));
      gtk_window_set_title (GTK_WINDOW (self), _("My Tickets"));
      ts_my_tickets_reload (self->my_tickets);
    }
  else if (TS_IS_SAVED_SEARCH (item))
    {
      /* A saved search: its project, with the bar running its query. */
      TsProjectSummary *summary = find_summary (self, ts_saved_search_get_project (item), NULL);

      if (summary == NULL)
        return;
      gtk_stack_set_visible_child_name (self->content_stack, "project");
      show_project (self, ts_project_summary_get_project (summary));
      if (ts_search_bar_get_saved_search (self->search_bar) != item)
        ts_search_bar_run_saved (self->search_bar, item);
      update_search_page (self);
    }
  else
    {
      TsProject *project = ts_project_summary_get_project (item);

      gtk_stack_set_visible_child_name (self->content_stack, "project");
      /* From a saved search to its project's own lists. */
      if (project == self->project && ts_search_bar_get_saved_search (self->search_bar) != NULL)
        ts_search_bar_stop (self->search_bar);
      show_project (self, project);
      update_search_page (self);
    }
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
on_projects_loaded (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(TsMainWindow) self = user_data;
  g_autoptr(GPtrArray) projects = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *current = NULL;
  g_autoptr(GObject) previous = NULL;
  TsProjectSummary *summary;

  projects = ts_store_list_projects_finish (TS_STORE (object), result, &error);
  show_cache_notices (self);
  if (projects == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error->message);
      return;
    }

  /* Keep the chosen project chosen across a reload. */
  current = g_strdup (self->wanted_project ? self->wanted_project
                      : self->project ? ts_project_get_name (self->project) : NULL);

  /* The same project, unchanged, keeps its tables; only counts move. */
  if (self->project != NULL)
    for (guint i = 0; i < projects->len; i++)
      {
        TsProjectSummary *fresh = g_ptr_array_index (projects, i);
        TsProjectSummary *known = find_summary (self, ts_project_summary_get_name (fresh), NULL);

        if (known != NULL && ts_project_summary_get_revision (known) == ts_project_summary_get_revision (fresh) &&
            ts_project_summary_get_project (known) == self->project)
          {
            ts_project_summary_set_n_pending (known, ts_project_summary_get_n_pending (fresh));
            g_ptr_array_index (projects, i) = g_object_ref (known);
            g_object_unref (fresh);
          }
      }

  previous = gtk_single_selection_get_selected_item (self->selection);
  if (previous != NULL)
    g_object_ref (previous);

  g_signal_handlers_block_by_func (self->selection, on_selection_changed, self);
  g_list_store_splice (self->projects, 0, g_list_model_get_n_items (G_LIST_MODEL (self->projects)),
                       projects->pdata, projects->len);
  g_signal_handlers_unblock_by_func (self->selection, on_selection_changed, self);

  if (projects->len == 0)
    {
      show_error (self, _("You are not a member of any project yet: ask your administrator to add you (tasksteper-admin member add)."));
      show_project (self, NULL);
      return;
    }

  /* My Tickets stays shown across a reload, unless a project is wanted. */
  if (self->wanted_project == NULL && showing_my_tickets (self))
    return;

  summary = current != NULL ? find_summary (self, current, NULL) : NULL;
  if (summary == NULL)
    {
      g_autoptr(TsProjectSummary) first = g_list_model_get_item (G_LIST_MODEL (self->projects), 0);

      summary = first;  /* the store keeps it */
    }

  g_clear_pointer (&self->wanted_project, g_free);
  /* A saved search shown stays chosen. */
  if (!(TS_IS_SAVED_SEARCH (previous) && self->wanted_search == NULL &&
        g_strcmp0 (ts_saved_search_get_project (TS_SAVED_SEARCH (previous)), ts_project_summary_get_name (summary)) == 0 &&
        select_row (self, sidebar_position (self, ts_project_summary_get_name (summary), TS_SAVED_SEARCH (previous)))))
    select_row (self, sidebar_position (self, ts_project_summary_get_name (summary), NULL));
  on_selection_changed (self);
  open_wanted_search (self);
}

static void
load_projects (TsMainWindow *self)
{
  ts_store_list_projects_async (self->store, self->cancellable, on_projects_loaded, g_object_ref (self));
}

static gboolean
refresh_counts (gpointer user_data)
{
  TsMainWindow *self = user_data;

  self->counts_id = 0;
  load_projects (self);
  return G_SOURCE_REMOVE;
}

static void
on_store_changed (TsMainWindow *self)
{
  if (self->counts_id == 0)
    self->counts_id = g_timeout_add (COUNTS_DELAY_MS, refresh_counts, self);
}

/* The sidebar rows: My Tickets and the projects with my pending count;
 * under each project its saved searches, those shared by others with an
 * icon and their owner in the tooltip.  A right click or the Menu key on
 * a saved search offers Rename…, Delete (mine only) and Copy Link. */

static void popup_search_menu (TsMainWindow  *self,
                               TsSavedSearch *search,
                               GtkWidget     *widget,
                               double         x,
                               double         y);

static void
on_row_pressed (GtkGestureClick *gesture,
                int              n_press,
                double           x,
                double           y,
                GtkListItem     *item)
{
  GtkWidget *widget = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  GtkWidget *self = gtk_widget_get_ancestor (widget, TS_TYPE_MAIN_WINDOW);
  gpointer entry = gtk_list_item_get_item (item);

  if (self == NULL || !TS_IS_SAVED_SEARCH (entry))
    return;

  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  popup_search_menu (TS_MAIN_WINDOW (self), entry, widget, x, y);
}

static void
setup_project_row (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *icon = gtk_image_new ();
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *badge = gtk_label_new (NULL);
  GtkGesture *gesture = gtk_gesture_click_new ();

  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
  gtk_widget_set_visible (icon, FALSE);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_widget_add_css_class (badge, "pending-badge");
  gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), badge);

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_SECONDARY);
  g_signal_connect (gesture, "pressed", G_CALLBACK (on_row_pressed), item);
  gtk_widget_add_controller (box, GTK_EVENT_CONTROLLER (gesture));
  gtk_list_item_set_child (item, box);
}

static void
set_badge (GtkWidget *badge,
           guint      n)
{
  g_autofree char *text = g_strdup_printf ("%u", n);
  g_autofree char *description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u ticket waits for you",
                                                               "%u tickets wait for you", n), n);

  gtk_label_set_text (GTK_LABEL (badge), text);
  gtk_widget_set_visible (badge, n > 0);
  gtk_widget_set_tooltip_text (badge, description);
  gtk_accessible_update_property (GTK_ACCESSIBLE (badge), GTK_ACCESSIBLE_PROPERTY_LABEL, description, -1);
}

static void
update_badge (GObject    *item,
              GParamSpec *pspec,
              GtkWidget  *badge)
{
  if (TS_IS_MY_TICKETS (item))
    set_badge (badge, ts_my_tickets_get_n_tickets (TS_MY_TICKETS (item)));
  else
    set_badge (badge, ts_project_summary_get_n_pending (TS_PROJECT_SUMMARY (item)));
}

static void
bind_search_row (TsMainWindow  *self,
                 GtkListItem   *item,
                 TsSavedSearch *search)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *icon = gtk_widget_get_first_child (box);
  GtkWidget *title = gtk_widget_get_next_sibling (icon);
  const char *name = ts_saved_search_get_name (search);
  g_autofree char *tooltip = NULL;
  g_autofree char *label = NULL;

  gtk_label_set_text (GTK_LABEL (title), name);
  gtk_widget_set_margin_start (box, 18);
  gtk_widget_set_visible (icon, TRUE);

  if (ts_saved_search_get_shared (search) && !ts_saved_search_get_mine (search))
    {
      const char *owner = ts_member_names_get (self->names, ts_saved_search_get_project (search),
                                               ts_saved_search_get_owner (search));

      gtk_image_set_from_icon_name (GTK_IMAGE (icon), "system-users-symbolic");
      /* Translators: the tooltip of a saved search another member shares; %s is their name */
      tooltip = g_strdup_printf (_("Shared by %s"), owner);
      /* Translators: what a screen reader says of that row: the search's name, then who shares it */
      label = g_strdup_printf (_("%s, shared by %s"), name, owner);
    }
  else if (ts_saved_search_get_shared (search))
    {
      gtk_image_set_from_icon_name (GTK_IMAGE (icon), "folder-saved-search-symbolic");
      tooltip = g_strdup (_("Shared with the project by you"));
      label = g_strdup_printf (_("%s, shared by you"), name);
    }
  else
    {
      gtk_image_set_from_icon_name (GTK_IMAGE (icon), "folder-saved-search-symbolic");
      tooltip = g_strdup (_("Your saved search"));
      label = g_strdup_printf (_("%s, your saved search"), name);
    }

  gtk_widget_set_tooltip_text (title, tooltip);
  ts_a11y_set_row_label (item, label);
}

static void
bind_project_row (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  TsMainWindow             *self)
{
  GObject *entry = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *icon = gtk_widget_get_first_child (box);
  GtkWidget *title = gtk_widget_get_next_sibling (icon);
  GtkWidget *badge = gtk_widget_get_last_child (box);

  if (TS_IS_SAVED_SEARCH (entry))
    {
      gtk_widget_set_visible (badge, FALSE);
      bind_search_row (self, item, TS_SAVED_SEARCH (entry));
      return;
    }

  gtk_widget_set_visible (icon, FALSE);
  gtk_widget_set_margin_start (box, 0);
  if (TS_IS_MY_TICKETS (entry))
    {
      gtk_label_set_text (GTK_LABEL (title), _("My Tickets"));
      gtk_widget_set_tooltip_text (title, _("The tickets assigned to me in every project"));
      ts_a11y_set_row_label (item, _("My Tickets"));
      g_signal_connect_object (entry, "notify::n-tickets", G_CALLBACK (update_badge), badge, 0);
    }
  else
    {
      gtk_label_set_text (GTK_LABEL (title), ts_project_summary_get_title (TS_PROJECT_SUMMARY (entry)));
      gtk_widget_set_tooltip_text (title, NULL);
      ts_a11y_set_row_label (item, ts_project_summary_get_title (TS_PROJECT_SUMMARY (entry)));
      g_signal_connect_object (entry, "notify::n-pending", G_CALLBACK (update_badge), badge, 0);
    }
  update_badge (entry, NULL, badge);
}

static void
unbind_project_row (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    gpointer                  user_data)
{
  GtkWidget *badge = gtk_widget_get_last_child (gtk_list_item_get_child (item));

  g_signal_handlers_disconnect_by_func (gtk_list_item_get_item (item), update_badge, badge);
}

/* Where in the sidebar a project's row is (@search NULL), or one of its
 * saved searches: the same object, else mine or the shared one of that
 * name. */
static guint
sidebar_position (TsMainWindow  *self,
                  const char    *project,
                  TsSavedSearch *search)
{
  GListModel *model = G_LIST_MODEL (self->selection);
  guint same_name = GTK_INVALID_LIST_POSITION;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);

      if (search == NULL && TS_IS_PROJECT_SUMMARY (item) &&
          g_strcmp0 (ts_project_summary_get_name (TS_PROJECT_SUMMARY (item)), project) == 0)
        return i;

      if (search != NULL && TS_IS_SAVED_SEARCH (item))
        {
          TsSavedSearch *known = TS_SAVED_SEARCH (item);

          if (known == search)
            return i;
          if (same_name == GTK_INVALID_LIST_POSITION &&
              g_strcmp0 (ts_saved_search_get_project (known), ts_saved_search_get_project (search)) == 0 &&
              g_strcmp0 (ts_saved_search_get_name (known), ts_saved_search_get_name (search)) == 0 &&
              g_strcmp0 (ts_saved_search_get_owner (known), ts_saved_search_get_owner (search)) == 0)
            same_name = i;
        }
    }
  return same_name;
}

static gboolean
select_row (TsMainWindow *self,
            guint         position)
{
  if (position == GTK_INVALID_LIST_POSITION)
    return FALSE;
  gtk_single_selection_set_selected (self->selection, position);
  return TRUE;
}

/* A project's sidebar section: its row, then its saved searches. */
static gpointer
project_section (gpointer item,
                 gpointer user_data)
{
  g_autoptr(TsProjectSummary) summary = item;
  TsMainWindow *self = user_data;
  g_autoptr(GListStore) head = g_list_store_new (TS_TYPE_PROJECT_SUMMARY);
  GListStore *parts = g_list_store_new (G_TYPE_LIST_MODEL);

  g_list_store_append (head, summary);
  g_list_store_append (parts, head);
  g_list_store_append (parts, ts_saved_searches_get_model (self->saved_searches,
                                                           ts_project_summary_get_name (summary)));
  return gtk_flatten_list_model_new (G_LIST_MODEL (parts));
}

/* Saved searches: the menu of a row */

static void
update_search_actions (TsMainWindow *self)
{
  gboolean mine = self->menu_search != NULL && ts_saved_search_get_mine (self->menu_search);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sidebar.rename-search", mine);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sidebar.delete-search", mine);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sidebar.copy-search-link", self->menu_search != NULL);
}

static void
popup_search_menu (TsMainWindow  *self,
                   TsSavedSearch *search,
                   GtkWidget     *widget,
                   double         x,
                   double         y)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  graphene_point_t point = GRAPHENE_POINT_INIT (x, y);
  graphene_point_t in_sidebar;

  g_set_object (&self->menu_search, search);
  update_search_actions (self);

  /* Only its owner renames or deletes a search. */
  if (ts_saved_search_get_mine (search))
    {
      g_menu_append (menu, _("_Rename…"), "sidebar.rename-search");
      g_menu_append (menu, _("_Delete"), "sidebar.delete-search");
    }
  g_menu_append (menu, _("_Copy Link"), "sidebar.copy-search-link");
  gtk_popover_menu_set_menu_model (GTK_POPOVER_MENU (self->search_menu), G_MENU_MODEL (menu));

  if (!gtk_widget_compute_point (widget, self->sidebar, &point, &in_sidebar))
    in_sidebar = GRAPHENE_POINT_INIT (0, 0);
  gtk_popover_set_pointing_to (GTK_POPOVER (self->search_menu),
                               &(GdkRectangle) { (int)in_sidebar.x, (int)in_sidebar.y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->search_menu));
}

/* Menu or Shift+F10 in the sidebar: the menu of the selected search. */
static gboolean
on_sidebar_menu_key (GtkWidget *widget,
                     GVariant  *args,
                     gpointer   user_data)
{
  TsMainWindow *self = user_data;
  gpointer item = gtk_single_selection_get_selected_item (self->selection);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  graphene_rect_t bounds;

  if (!TS_IS_SAVED_SEARCH (item))
    return FALSE;

  if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->project_view)) &&
      gtk_widget_compute_bounds (focus, focus, &bounds))
    popup_search_menu (self, item, focus, 24, bounds.size.height / 2);
  else
    popup_search_menu (self, item, GTK_WIDGET (self->project_view), 24, 12);
  return TRUE;
}

static char *
search_link (TsSavedSearch *search)
{
  g_autofree char *name = g_uri_escape_string (ts_saved_search_get_name (search), NULL, TRUE);

  return g_strdup_printf ("tasksteper://%s/search/%s", ts_saved_search_get_project (search), name);
}

static void
copy_search_link_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  TsMainWindow *self = TS_MAIN_WINDOW (widget);
  g_autofree char *link = NULL;

  if (self->menu_search == NULL)
    return;
  link = search_link (self->menu_search);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), link);
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (_("Link copied")));
}

static void
on_search_renamed (TsMainWindow       *self,
                   TsSavedSearch      *renamed,
                   TsSaveSearchDialog *dialog)
{
  TsSavedSearch *shown = ts_search_bar_get_saved_search (self->search_bar);

  /* The search shown keeps being shown under its new name. */
  if (shown != NULL && g_strcmp0 (ts_saved_search_get_project (shown), ts_saved_search_get_project (renamed)) == 0 &&
      g_strcmp0 (ts_saved_search_get_owner (shown), ts_saved_search_get_owner (renamed)) == 0 &&
      g_strcmp0 (ts_saved_search_get_query (shown), ts_saved_search_get_query (renamed)) == 0)
    ts_search_bar_run_saved (self->search_bar, renamed);
}

static void
rename_search_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TsMainWindow *self = TS_MAIN_WINDOW (widget);
  GtkWidget *dialog;

  if (self->menu_search == NULL || !ts_saved_search_get_mine (self->menu_search))
    return;
  dialog = ts_save_search_dialog_new_rename (GTK_WINDOW (self), self->store, self->menu_search);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (on_search_renamed), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_search_deleted (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TsMainWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ts_store_delete_search_finish (TS_STORE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    adw_toast_overlay_add_toast (self->toasts, adw_toast_new (error->message));
}

static void
on_delete_response (AdwMessageDialog *dialog,
                    const char       *response,
                    TsSavedSearch    *search)
{
  TsMainWindow *self = TS_MAIN_WINDOW (gtk_window_get_transient_for (GTK_WINDOW (dialog)));

  if (g_strcmp0 (response, "delete") != 0 || self == NULL || self->store == NULL)
    return;
  ts_store_delete_search_async (self->store, ts_saved_search_get_project (search), ts_saved_search_get_name (search),
                                self->cancellable, on_search_deleted, g_object_ref (self));
}

static void
delete_search_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TsMainWindow *self = TS_MAIN_WINDOW (widget);
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;

  if (self->menu_search == NULL || !ts_saved_search_get_mine (self->menu_search))
    return;

  /* Translators: %s is the name of a saved search */
  heading = g_strdup_printf (_("Delete “%s”?"), ts_saved_search_get_name (self->menu_search));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading,
                                                       ts_saved_search_get_shared (self->menu_search)
                                                       ? _("It is shared with the project: its members lose it too. The tickets stay as they are.")
                                                       : _("The search goes; the tickets it finds stay as they are.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "delete", _("_Delete"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_delete_response),
                         g_object_ref (self->menu_search), (GClosureNotify)(void (*) (void))g_object_unref, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Searching: the bar over the project's lists, the results instead of
 * them while a query is applied. */

static void
update_search_page (TsMainWindow *self)
{
  /* Over the Statistics page a search narrows the statistics, which
   * stay shown, instead of listing its results. */
  gboolean statistics = adw_view_stack_get_visible_child (self->view_stack) == GTK_WIDGET (self->statistics_view);
  gboolean narrowing = self->results != NULL && ts_search_bar_get_searching (self->search_bar) && statistics;
  gboolean searching = self->results != NULL && ts_search_bar_get_searching (self->search_bar) && !statistics;
  gboolean none = searching && g_list_model_get_n_items (G_LIST_MODEL (self->results)) == 0 &&
                  !ts_search_results_get_loading (self->results) && ts_search_results_get_error (self->results) == NULL &&
                  ts_search_results_get_count (self->results) == 0;

  gtk_stack_set_visible_child_name (self->project_stack, searching ? "search" : "lists");
  gtk_stack_set_visible_child_name (self->search_stack, none ? "none" : "results");
  ts_statistics_view_set_filter (self->statistics_view, narrowing ? ts_search_results_get_filter (self->results) : NULL);
  if (self->project != NULL)
    {
      adw_view_switcher_title_set_view_switcher_enabled (self->switcher_title, !searching);
      adw_view_switcher_title_set_subtitle (self->switcher_title, searching ? _("Search Results") : NULL);
    }
  /* The pages' switcher moves to the bottom when the title has no room
   * for it; search results have no pages. */
  adw_view_switcher_bar_set_reveal (self->switcher_bar,
                                    !searching && adw_view_switcher_title_get_view_switcher_enabled (self->switcher_title) &&
                                    adw_view_switcher_title_get_title_visible (self->switcher_title));
}

static void
on_search_sort_changed (TsTicketTable *table,
                        TsMainWindow  *self)
{
  if (self->results != NULL)
    ts_search_results_set_sort (self->results, ts_ticket_table_get_sort_column (table),
                                ts_ticket_table_get_sort_descending (table));
}

static TsSavedSearch *
selected_search (TsMainWindow *self)
{
  gpointer item = gtk_single_selection_get_selected_item (self->selection);

  return TS_IS_SAVED_SEARCH (item) ? item : NULL;
}

static void
on_search_mode_changed (TsMainWindow *self)
{
  gboolean open = ts_search_bar_get_search_mode (self->search_bar);

  gtk_toggle_button_set_active (self->search_button, open);
  if (open)
    return;

  /* Closed: back to the project's lists, the keyboard in the table. */
  if (selected_search (self) != NULL && self->project != NULL)
    select_row (self, sidebar_position (self, ts_project_get_name (self->project), NULL));
  if (self->project != NULL)
    {
      GtkWidget *page = adw_view_stack_get_visible_child (self->view_stack);
      GtkWidget *table = page == GTK_WIDGET (self->all_bin) ? adw_bin_get_child (self->all_bin)
                                                            : adw_bin_get_child (self->pending_bin);

      if (table != NULL && gtk_widget_get_mapped (table))
        gtk_widget_grab_focus (GTK_WIDGET (ts_ticket_table_get_column_view (TS_TICKET_TABLE (table))));
    }
}

/* The query of the saved search shown was changed: the sidebar no longer
 * points at it. */
static void
on_shown_search_changed (TsMainWindow *self)
{
  if (ts_search_bar_get_saved_search (self->search_bar) == NULL && selected_search (self) != NULL &&
      self->project != NULL)
    select_row (self, sidebar_position (self, ts_project_get_name (self->project), NULL));
}

static void
on_search_button_toggled (TsMainWindow *self)
{
  gboolean active = gtk_toggle_button_get_active (self->search_button);

  if (active && !ts_search_bar_get_search_mode (self->search_bar))
    ts_search_bar_start (self->search_bar);
  else if (!active && ts_search_bar_get_search_mode (self->search_bar))
    ts_search_bar_stop (self->search_bar);
}

/* Export the list shown: the search's results, the pending list or all
 * tickets.  The dialog reads the rows from the server itself, with the
 * list's filter, so what is exported does not depend on how far the table
 * has been scrolled. */
static JsonNode *
pending_filter (TsMainWindow *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const char * const *states = ts_project_get_states (self->project);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "assigned_to");
  json_builder_add_string_value (builder, ts_store_get_user (self->store));
  json_builder_set_member_name (builder, "state");
  json_builder_begin_array (builder);
  for (guint i = 0; states[i] != NULL; i++)
    if (!ts_project_is_final_state (self->project, states[i]))
      json_builder_add_string_value (builder, states[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TsMainWindow *self = TS_MAIN_WINDOW (widget);
  g_autoptr(JsonNode) filter = NULL;
  g_auto(GStrv) columns = NULL;
  g_autofree char *title = NULL;
  const char *sort = NULL;
  gboolean descending = TRUE;
  GtkWidget *table;

  if (self->project == NULL || self->store == NULL)
    return;

  if (ts_search_bar_get_search_mode (self->search_bar) && self->results != NULL &&
      ts_search_results_get_filter (self->results) != NULL)
    {
      table = adw_bin_get_child (self->search_bin);
      filter = json_node_copy (ts_search_results_get_filter (self->results));
      sort = ts_search_results_get_sort (self->results);
      descending = ts_search_results_get_descending (self->results);
      /* TRANSLATORS: the file name suggested for exported search results: project title */
      title = g_strdup_printf (_("%s search"), ts_project_get_title (self->project));
    }
  else if (adw_view_stack_get_visible_child (self->view_stack) == GTK_WIDGET (self->pending_bin))
    {
      table = adw_bin_get_child (self->pending_bin);
      filter = pending_filter (self);
      /* TRANSLATORS: the file name suggested for the exported pending list: project title */
      title = g_strdup_printf (_("%s pending"), ts_project_get_title (self->project));
    }
  else
    {
      table = adw_bin_get_child (self->all_bin);
      filter = json_node_init_object (json_node_alloc (), json_object_new ());
      title = g_strdup (ts_project_get_title (self->project));
    }

  if (table != NULL && TS_IS_TICKET_TABLE (table))
    columns = ts_ticket_table_dup_visible_columns (TS_TICKET_TABLE (table));
  /* A list is exported in the order its table shows. */
  if (table != NULL && TS_IS_TICKET_TABLE (table) && ts_ticket_table_get_list (TS_TICKET_TABLE (table)) != NULL)
    {
      sort = ts_ticket_table_get_sort_column (TS_TICKET_TABLE (table));
      descending = ts_ticket_table_get_sort_descending (TS_TICKET_TABLE (table));
    }

  gtk_window_present (GTK_WINDOW (ts_export_dialog_new (GTK_WINDOW (self), self->store, self->project,
                                                        filter, sort, descending, title,
                                                        (const char * const *)columns)));
}

static void
release_notes_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TsMainWindow *self = TS_MAIN_WINDOW (widget);

  if (self->project == NULL || self->store == NULL)
    return;

  gtk_window_present (GTK_WINDOW (ts_release_notes_dialog_new (GTK_WINDOW (self), self->store,
                                                               self->project)));
}

/* The selected project's workflow picture, in a window of its own. */
static void
workflow_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  TsMainWindow *self = TS_MAIN_WINDOW (widget);

  if (self->project != NULL)
    gtk_window_present (GTK_WINDOW (ts_workflow_window_new (GTK_WINDOW (self), self->project)));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TsMainWindow *self = TS_MAIN_WINDOW (widget);

  if (self->project != NULL)
    ts_search_bar_start (self->search_bar);
}

/* Escape over the results (the table has the keyboard) closes the search
 * too; anywhere else Escape goes on to whoever wants it. */
static gboolean
stop_search_shortcut (GtkWidget *widget,
                      GVariant  *args,
                      gpointer   user_data)
{
  TsMainWindow *self = TS_MAIN_WINDOW (widget);

  if (!ts_search_bar_get_search_mode (self->search_bar))
    return FALSE;
  ts_search_bar_stop (self->search_bar);
  return TRUE;
}

/* A link's saved search, once the projects and the searches are known. */
static void
open_wanted_search (TsMainWindow *self)
{
  g_autofree char *project = NULL;
  g_autofree char *name = NULL;
  TsProjectSummary *summary;
  TsSavedSearch *search;
  g_autofree char *message = NULL;

  if (self->wanted_search == NULL || g_list_model_get_n_items (G_LIST_MODEL (self->projects)) == 0 ||
      !ts_saved_searches_get_loaded (self->saved_searches))
    return;

  project = g_steal_pointer (&self->wanted_search_project);
  name = g_steal_pointer (&self->wanted_search);
  summary = find_summary (self, project, NULL);
  if (summary == NULL)
    {
      /* Translators: %s are a saved search's name and a project's name */
      message = g_strdup_printf (_("Cannot open the saved search “%s”: you are not a member of the project “%s”, or it does not exist."),
                                 name, project);
      adw_toast_overlay_add_toast (self->toasts, adw_toast_new (message));
      return;
    }

  search = ts_saved_searches_lookup (self->saved_searches, project, name);
  if (search == NULL)
    {
      select_row (self, sidebar_position (self, project, NULL));
      /* Translators: %s are a saved search's name and a project's title */
      message = g_strdup_printf (_("There is no saved search “%s” in %s: neither one of yours nor one shared with the project. It may have been renamed or deleted."),
                                 name, ts_project_summary_get_title (summary));
      adw_toast_overlay_add_toast (self->toasts, adw_toast_new (message));
      return;
    }

  if (selected_search (self) == search)
    ts_search_bar_run_saved (self->search_bar, search);
  else
    select_row (self, sidebar_position (self, project, search));
}

/* A saved search that was shown was replaced (read again, renamed) or
 * deleted: its new row, else the project's, is chosen again. */
static gboolean
reselect (gpointer user_data)
{
  TsMainWindow *self = user_data;
  TsSavedSearch *shown = ts_search_bar_get_saved_search (self->search_bar);

  self->reselect_id = 0;
  if (gtk_single_selection_get_selected (self->selection) != GTK_INVALID_LIST_POSITION)
    return G_SOURCE_REMOVE;

  if (self->project == NULL)
    return G_SOURCE_REMOVE;
  if (shown == NULL || !select_row (self, sidebar_position (self, ts_project_get_name (self->project), shown)))
    select_row (self, sidebar_position (self, ts_project_get_name (self->project), NULL));
  return G_SOURCE_REMOVE;
}

static void
on_selected_changed (TsMainWindow *self)
{
  if (gtk_single_selection_get_selected (self->selection) == GTK_INVALID_LIST_POSITION && self->reselect_id == 0)
    self->reselect_id = g_idle_add (reselect, self);
}

/* Editors */

static void
on_editor_destroyed (TsMainWindow *self,
                     GtkWidget    *editor)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->editors);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (value == editor)
      g_hash_table_iter_remove (&iter);
}

static char *
editor_key (TsTicket *ticket)
{
  return g_strdup_printf ("%s/%" G_GINT64_FORMAT, ts_ticket_get_project (ticket), ts_ticket_get_id (ticket));
}

static void
present_editor (TsMainWindow   *self,
                TsTicketWindow *editor)
{
  gtk_window_set_application (GTK_WINDOW (editor), gtk_window_get_application (GTK_WINDOW (self)));
  g_signal_connect_object (editor, "destroy", G_CALLBACK (on_editor_destroyed), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (editor));
}

void
ts_main_window_open_ticket (TsMainWindow *self,
                            TsTicket     *ticket)
{
  g_autofree char *key = NULL;
  TsTicketWindow *editor;
  TsProjectSummary *summary;

  g_return_if_fail (TS_IS_MAIN_WINDOW (self));
  g_return_if_fail (TS_IS_TICKET (ticket));

  key = editor_key (ticket);
  if ((editor = g_hash_table_lookup (self->editors, key)) != NULL)
    {
      gtk_window_present (GTK_WINDOW (editor));
      return;
    }

  summary = find_summary (self, ts_ticket_get_project (ticket), NULL);
  if (summary == NULL)
    return;

  editor = ts_ticket_window_new (self->store, ts_project_summary_get_project (summary), ticket);
  g_hash_table_insert (self->editors, g_steal_pointer (&key), editor);
  present_editor (self, editor);
}

static void
on_number_found (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(TsMainWindow) self = user_data;
  g_autoptr(TsTicket) ticket = NULL;
  g_autoptr(GError) error = NULL;

  ticket = ts_store_find_ticket_finish (TS_STORE (object), result, &error);
  if (ticket == NULL)
    {
      adw_toast_overlay_add_toast (self->toasts, adw_toast_new (error->message));
      return;
    }

  ts_main_window_open_ticket (self, ticket);
}

void
ts_main_window_open_number (TsMainWindow *self,
                            const char   *project,
                            int           number)
{
  g_return_if_fail (TS_IS_MAIN_WINDOW (self));

  ts_store_find_ticket_async (self->store, project, number, self->cancellable,
                              on_number_found, g_object_ref (self));
}

/* Actions */

static void
new_ticket_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  TsMainWindow *self = TS_MAIN_WINDOW (widget);

  if (self->project == NULL)
    return;

  present_editor (self, ts_ticket_window_new (self->store, self->project, NULL));
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TsMainWindow *self = TS_MAIN_WINDOW (widget);

  if (self->pending != NULL)
    ts_ticket_list_reload (self->pending);
  if (self->all != NULL)
    ts_ticket_list_reload (self->all);
  if (self->results != NULL)
    ts_search_results_reload (self->results);
  ts_statistics_view_reload (self->statistics_view);
  ts_my_tickets_reload (self->my_tickets);
  ts_member_names_reload (self->names);
  ts_saved_searches_reload (self->saved_searches);
  load_projects (self);
}

static void
reconnect_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ts_store_reconnect (TS_MAIN_WINDOW (widget)->store);
}

static void
clear_cache_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TsMainWindow *self = TS_MAIN_WINDOW (widget);
  TsCache *cache = ts_store_get_cache (self->store);

  if (cache == NULL)
    return;

  ts_cache_clear (cache);
  adw_toast_overlay_add_toast (self->toasts,
                               adw_toast_new (_("The offline copy of your tickets on this computer was deleted")));
}

static void
on_reconnected (TsMainWindow *self)
{
  show_error (self, NULL);
  load_projects (self);
}

static void
on_back_clicked (TsMainWindow *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

/* Tab follows the layout: the header bars across the top (the main menu
 * first), then the sidebar's list, then the tickets.  In the widget tree
 * each pane holds its own header bar, so GTK's order went from the list
 * into the other pane and reached the main menu last. */
static gboolean
ts_main_window_focus (GtkWidget        *widget,
                      GtkDirectionType  direction)
{
  TsMainWindow *self = TS_MAIN_WINDOW (widget);
  GtkWidget *stops[] = { self->sidebar_header, self->content_header, self->sidebar_scroller, self->content_body };
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (widget));
  int n = G_N_ELEMENTS (stops);
  int step = direction == GTK_DIR_TAB_FORWARD ? 1 : -1;
  int current = -1;

  if ((direction != GTK_DIR_TAB_FORWARD && direction != GTK_DIR_TAB_BACKWARD) || focus == NULL)
    return GTK_WIDGET_CLASS (ts_main_window_parent_class)->focus (widget, direction);

  for (int i = 0; i < n; i++)
    if (focus == stops[i] || gtk_widget_is_ancestor (focus, stops[i]))
      current = i;
  /* Elsewhere (a toast, say): GTK's own order. */
  if (current < 0)
    return GTK_WIDGET_CLASS (ts_main_window_parent_class)->focus (widget, direction);

  /* Within the part that has the focus, then into the next one shown. */
  if (gtk_widget_child_focus (stops[current], direction))
    return TRUE;
  for (int i = 1; i <= n; i++)
    {
      GtkWidget *next = stops[(current + step * i + n * 2) % n];

      if (gtk_widget_get_mapped (next) && gtk_widget_child_focus (next, direction))
        return TRUE;
    }
  return FALSE;
}

/* Window size is remembered. */

static void
ts_main_window_constructed (GObject *object)
{
  TsMainWindow *self = (TsMainWindow *)object;
  g_autoptr(GSettings) settings = g_settings_new ("io.github.tasksteper.TaskSteper");

  G_OBJECT_CLASS (ts_main_window_parent_class)->constructed (object);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (settings, "window-width"),
                               g_settings_get_int (settings, "window-height"));
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static gboolean
ts_main_window_close_request (GtkWindow *window)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.tasksteper.TaskSteper");
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (settings, "window-width", width);
  g_settings_set_int (settings, "window-height", height);
  g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (window));

  return GTK_WINDOW_CLASS (ts_main_window_parent_class)->close_request (window);
}

static void
ts_main_window_dispose (GObject *object)
{
  TsMainWindow *self = (TsMainWindow *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->counts_id, g_source_remove);
  g_clear_handle_id (&self->reselect_id, g_source_remove);
  g_clear_pointer (&self->search_menu, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), TS_TYPE_MAIN_WINDOW);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->pending);
  g_clear_object (&self->all);
  g_clear_object (&self->results);
  g_clear_object (&self->menu_search);
  g_clear_object (&self->project);
  g_clear_object (&self->selection);
  g_clear_object (&self->projects);
  g_clear_object (&self->my_tickets);
  g_clear_object (&self->names);
  g_clear_object (&self->saved_searches);
  g_clear_pointer (&self->editors, g_hash_table_unref);
  g_clear_pointer (&self->wanted_project, g_free);
  g_clear_pointer (&self->wanted_search_project, g_free);
  g_clear_pointer (&self->wanted_search, g_free);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ts_main_window_parent_class)->dispose (object);
}

static void
ts_main_window_class_init (TsMainWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = ts_main_window_constructed;
  object_class->dispose = ts_main_window_dispose;
  window_class->close_request = ts_main_window_close_request;
  widget_class->focus = ts_main_window_focus;

  g_type_ensure (TS_TYPE_SEARCH_BAR);
  g_type_ensure (TS_TYPE_STATISTICS_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tasksteper/TaskSteper/ts-main-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TsMainWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, TsMainWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, TsMainWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, TsMainWindow, sidebar_header);
  gtk_widget_class_bind_template_child (widget_class, TsMainWindow, content_header);
  gtk_widget_class_bind_template_child (widget_class, TsMainWindow, sidebar_scroller);
  gtk_widget_class_bind_template_child (widget_class, TsMainWindow, content_body);
  gtk_widget_class_bind_template_child (widget_class, TsMainWindow, project_view);
  gtk_widget_class_bind_template_child (widget_class, TsMainWindow, sidebar_title);
  gtk_widget_class_bind_template_child (widget_class, TsMainWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, TsMainWindow, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, TsMainWindow, columns_button);
  gtk_widget_class_bind_template_child (widget_class, TsMainWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, TsMainWindow, offline_revealer);
  gtk_widget_class_bind_template_child (widget_class, TsMainWindow, offline_label);
  gtk_widget_class_bind_template_child (widget_class, TsMainWindow, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, TsMainWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, TsMainWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, TsMainWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, TsMainWindow, pending_stack);
  gtk_widget_class_bind_template_child (widget_class, TsMainWindow, pending_bin);
  gtk_widget_class_bind_template_child (widget_class, TsMainWindow, all_bin);
  gtk_widget_class_bind_template_child (widget_class, TsMainWindow, mine_bin);
  gtk_widget_class_bind_template_child (widget_class, TsMainWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, TsMainWindow, project_stack);
  gtk_widget_class_bind_template_child (widget_class, TsMainWindow, search_stack);
  gtk_widget_class_bind_template_child (widget_class, TsMainWindow, search_bin);
  gtk_widget_class_bind_template_child (widget_class, TsMainWindow, statistics_view);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_search_mode_changed);
  gtk_widget_class_bind_template_callback (widget_class, update_search_page);
  gtk_widget_class_bind_template_callback (widget_class, on_shown_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_button_toggled);

  gtk_widget_class_install_action (widget_class, "win.new-ticket", NULL, new_ticket_action);
  gtk_widget_class_install_action (widget_class, "win.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "win.reconnect", NULL, reconnect_action);
  gtk_widget_class_install_action (widget_class, "win.clear-cache", NULL, clear_cache_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.release-notes", NULL, release_notes_action);
  gtk_widget_class_install_action (widget_class, "win.workflow", NULL, workflow_action);
  gtk_widget_class_install_action (widget_class, "sidebar.rename-search", NULL, rename_search_action);
  gtk_widget_class_install_action (widget_class, "sidebar.delete-search", NULL, delete_search_action);
  gtk_widget_class_install_action (widget_class, "sidebar.copy-search-link", NULL, copy_search_link_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Escape, 0, stop_search_shortcut, NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.new-ticket", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
ts_main_window_init (TsMainWindow *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkEventController *shortcuts;

  gtk_widget_init_template (GTK_WIDGET (self));
  ts_a11y_fix_mnemonic_buttons (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->editors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->projects = g_list_store_new (TS_TYPE_PROJECT_SUMMARY);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_project_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_project_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_project_row), NULL);
  gtk_list_view_set_factory (self->project_view, factory);

  /* The saved searches' menu hangs from the sidebar, not from the rows,
   * which the list recycles. */
  self->search_menu = gtk_popover_menu_new_from_model (NULL);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->search_menu), FALSE);
  gtk_widget_set_halign (self->search_menu, GTK_ALIGN_START);
  gtk_widget_set_parent (self->search_menu, self->sidebar);
  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Menu, 0),
                                                          gtk_callback_action_new (on_sidebar_menu_key, self, NULL)));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_F10, GDK_SHIFT_MASK),
                                                          gtk_callback_action_new (on_sidebar_menu_key, self, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self->project_view), shortcuts);

  update_actions (self);
  update_search_actions (self);
}

static void
on_my_ticket_activated (TsMyTicketsView *view,
                        TsTicket        *ticket,
                        TsMainWindow    *self)
{
  ts_main_window_open_ticket (self, ticket);
}

/* The sidebar's model: My Tickets, then the projects, each followed by
 * its saved searches. */
static void
setup_sidebar (TsMainWindow *self)
{
  g_autoptr(GListStore) mine = g_list_store_new (TS_TYPE_MY_TICKETS);
  GListStore *parts = g_list_store_new (G_TYPE_LIST_MODEL);
  g_autoptr(GtkFlattenListModel) sections = NULL;
  GtkWidget *view;

  g_list_store_append (mine, self->my_tickets);
  g_list_store_append (parts, mine);
  sections = gtk_flatten_list_model_new (G_LIST_MODEL (gtk_map_list_model_new (G_LIST_MODEL (g_object_ref (self->projects)),
                                                                               project_section, self, NULL)));
  g_list_store_append (parts, sections);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (gtk_flatten_list_model_new (G_LIST_MODEL (parts))));
  /* Made with one item, the selection chose it already: the first
   * project is chosen when the projects arrive. */
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  gtk_list_view_set_model (self->project_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_object (self->selection, "selection-changed", G_CALLBACK (on_selection_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "notify::selected", G_CALLBACK (on_selected_changed),
                           self, G_CONNECT_SWAPPED);

  view = ts_my_tickets_view_new (self->my_tickets, G_LIST_MODEL (self->projects), self->names);
  g_signal_connect_object (view, "ticket-activated", G_CALLBACK (on_my_ticket_activated), self, 0);
  adw_bin_set_child (self->mine_bin, view);
}

TsMainWindow *
ts_main_window_new (AdwApplication *application,
                    TsStore        *store)
{
  TsMainWindow *self;
  g_autofree char *subtitle = NULL;

  g_return_val_if_fail (TS_IS_STORE (store), NULL);

  self = g_object_new (TS_TYPE_MAIN_WINDOW, "application", application, NULL);
  self->store = g_object_ref (store);
  self->names = ts_member_names_new (store);
  self->my_tickets = ts_my_tickets_new (store);
  self->saved_searches = ts_saved_searches_new (store);
  /* Shared searches show their owner's name, which may come later. */
  g_signal_connect_object (self->names, "changed", G_CALLBACK (ts_saved_searches_announce),
                           self->saved_searches, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->saved_searches, "notify::loaded", G_CALLBACK (open_wanted_search),
                           self, G_CONNECT_SWAPPED);
  setup_sidebar (self);
  ts_statistics_view_set_store (self->statistics_view, store, self->names);

  subtitle = g_strdup_printf (_("Signed in as %s"), ts_store_get_user (store));
  adw_window_title_set_subtitle (self->sidebar_title, subtitle);

  g_signal_connect_object (store, "ticket-changed", G_CALLBACK (on_store_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (store, "project-changed", G_CALLBACK (on_store_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (store, "notify::online", G_CALLBACK (update_offline), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (store, "notify::data-time", G_CALLBACK (update_offline), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (store, "reconnected", G_CALLBACK (on_reconnected), self, G_CONNECT_SWAPPED);

  update_offline (self);
  load_projects (self);

  return self;
}

TsStore *
ts_main_window_get_store (TsMainWindow *self)
{
  g_return_val_if_fail (TS_IS_MAIN_WINDOW (self), NULL);
  return self->store;
}

gboolean
ts_main_window_select_project (TsMainWindow *self,
                               const char   *name)
{
  g_return_val_if_fail (TS_IS_MAIN_WINDOW (self), FALSE);

  if (find_summary (self, name, NULL) == NULL)
    {
      /* Still loading: choose it when the list arrives. */
      if (g_list_model_get_n_items (G_LIST_MODEL (self->projects)) == 0)
        {
          g_free (self->wanted_project);
          self->wanted_project = g_strdup (name);
        }
      return FALSE;
    }

  return select_row (self, sidebar_position (self, name, NULL));
}

TsProject *
ts_main_window_get_project (TsMainWindow *self)
{
  g_return_val_if_fail (TS_IS_MAIN_WINDOW (self), NULL);
  return self->project;
}

GtkWidget *
ts_main_window_get_table (TsMainWindow *self,
                          const char   *which)
{
  g_return_val_if_fail (TS_IS_MAIN_WINDOW (self), NULL);

  if (g_strcmp0 (which, "mine") == 0)
    return adw_bin_get_child (self->mine_bin);
  if (g_strcmp0 (which, "search") == 0)
    return adw_bin_get_child (self->search_bin);
  return adw_bin_get_child (g_strcmp0 (which, "pending") == 0 ? self->pending_bin : self->all_bin);
}

void
ts_main_window_show_my_tickets (TsMainWindow *self)
{
  g_return_if_fail (TS_IS_MAIN_WINDOW (self));

  gtk_single_selection_set_selected (self->selection, MY_TICKETS_POSITION);
}

void
ts_main_window_open_search (TsMainWindow *self,
                            const char   *project,
                            const char   *name)
{
  g_return_if_fail (TS_IS_MAIN_WINDOW (self));
  g_return_if_fail (project != NULL && name != NULL);

  g_free (self->wanted_search_project);
  g_free (self->wanted_search);
  self->wanted_search_project = g_strdup (project);
  self->wanted_search = g_strdup (name);
  /* Now, or once the projects and the saved searches are read. */
  open_wanted_search (self);
}

GtkWidget *
ts_main_window_get_search_bar (TsMainWindow *self)
{
  g_return_val_if_fail (TS_IS_MAIN_WINDOW (self), NULL);
  return GTK_WIDGET (self->search_bar);
}

TsSavedSearches *
ts_main_window_get_saved_searches (TsMainWindow *self)
{
  g_return_val_if_fail (TS_IS_MAIN_WINDOW (self), NULL);
  return self->saved_searches;
}
