/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include <adwaita.h>
#include <gdk/x11/gdkx.h>
#include <X11/extensions/XTest.h>

#include "tasksteper-core.h"
#include "ts-gui-test-util.h"
#include "ts-main-window.h"
#include "ts-store.h"
#include "ts-test-server.h"
#include "ts-ticket-form.h"
#include "ts-ticket-table.h"
#include "ts-ticket-window.h"
#include "ts-workflow-view.h"
#include "ts-workflow-window.h"

/* The workflow picture as a person uses it, against a real server: the
 * Workflow toggle of the ticket editor reveals the picture with the
 * ticket's state marked and the assignee's triggers emphasised (none for
 * someone else), a trigger clicked in the picture is fired and the mark
 * moves; the main menu's Workflow opens the project's picture; zooming
 * with the keys and the buttons; screenshots in the light and dark styles
 * (and, as test-workflow-view-zh_CN, in Chinese). */

static TsTestServer *server;
static char *db;

/* Helpers */

static void
on_opened (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  *(gboolean *)user_data = ts_store_open_finish (TS_STORE (object), result, &error);
  g_assert_no_error (error);
}

static TsStore *
open_store (const char *user)
{
  g_autofree char *conninfo = ts_test_server_conninfo (server, db, user);
  g_autoptr(TsConnection) connection = ts_connection_new (conninfo, NULL);
  TsStore *store = ts_store_new (connection);
  gboolean opened = FALSE;

  ts_store_open_async (store, NULL, on_opened, &opened);
  TS_WAIT_FOR (opened);
  return store;
}

static void
on_created (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  TsTicket **ticket = user_data;

  *ticket = ts_store_change_finish (TS_STORE (object), result, &error);
  g_assert_no_error (error);
}

static TsTicket *
create_ticket (TsStore    *store,
               const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  TsTicket *ticket = NULL;

  ts_store_create_ticket_async (store, "issue_track", json_node_get_object (node), NULL, on_created, &ticket);
  TS_WAIT_FOR (ticket != NULL);
  return ticket;
}

static TsMainWindow *
open_main_window (TsStore *store)
{
  TsMainWindow *window = ts_main_window_new (NULL, store);

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  gtk_window_present (GTK_WINDOW (window));
  TS_WAIT_FOR (ts_main_window_get_project (window) != NULL);
  return window;
}

static TsTicketWindow *
find_editor (const char *key)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (TS_IS_TICKET_WINDOW (window) && ts_ticket_window_get_ticket (TS_TICKET_WINDOW (window)) != NULL &&
          g_strcmp0 (ts_ticket_get_key (ts_ticket_window_get_ticket (TS_TICKET_WINDOW (window))), key) == 0 &&
          gtk_widget_get_visible (GTK_WIDGET (window)))
        return TS_TICKET_WINDOW (window);
    }

  return NULL;
}

static TsWorkflowWindow *
find_workflow_window (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (TS_IS_WORKFLOW_WINDOW (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return TS_WORKFLOW_WINDOW (window);
    }

  return NULL;
}

/* Opens the ticket @key from the Pending table with a double click. */
static TsTicketWindow *
open_editor (TsMainWindow *window,
             const char   *key)
{
  GtkColumnView *view = ts_ticket_table_get_column_view (TS_TICKET_TABLE (ts_main_window_get_table (window, "pending")));
  TsTicketWindow *editor = NULL;
  GtkWidget *cell = NULL;

  TS_WAIT_FOR ((cell = ts_test_find_label (GTK_WIDGET (view), key)) != NULL);
  ts_test_double_click (cell);
  TS_WAIT_FOR ((editor = find_editor (key)) != NULL);
  return editor;
}

static GtkWidget *
find_widget (GtkWidget *root,
             gboolean (*match) (GtkWidget *widget, gconstpointer data),
             gconstpointer data)
{
  if (match (root, data))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, match, data);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
is_primary_menu_button (GtkWidget     *widget,
                        gconstpointer  data)
{
  return GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_primary (GTK_MENU_BUTTON (widget));
}

/* GtkModelButton is private, its "text" property is not. */
static gboolean
is_menu_item_saying (GtkWidget     *widget,
                     gconstpointer  text)
{
  g_autofree char *item_text = NULL;

  if (g_strcmp0 (G_OBJECT_TYPE_NAME (widget), "GtkModelButton") != 0)
    return FALSE;

  g_object_get (widget, "text", &item_text, NULL);
  if (item_text == NULL || !gtk_widget_is_drawable (widget))
    return FALSE;

  /* With or without the mnemonic's underscore. */
  {
    g_autoptr(GString) shown = g_string_new (text);

    g_string_replace (shown, "_", "", 1);
    return g_str_equal (item_text, text) || g_str_equal (item_text, shown->str);
  }
}

static gboolean
is_button_of_action (GtkWidget     *widget,
                     gconstpointer  action)
{
  return GTK_IS_BUTTON (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0;
}

static gboolean
is_canvas (GtkWidget     *widget,
           gconstpointer  data)
{
  return g_strcmp0 (gtk_widget_get_css_name (widget), "workflowcanvas") == 0;
}

/* What a screen reader says of the picture. */
static void
assert_description (TsWorkflowView *view,
                    const char     *description)
{
  GtkWidget *canvas = find_widget (GTK_WIDGET (view), is_canvas, NULL);

  g_assert_nonnull (canvas);
  gtk_test_accessible_assert_role (canvas, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_test_accessible_assert_property (canvas, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description);
}

static gboolean
is_available (TsWorkflowView *view,
              const char     *trigger)
{
  const char * const *available = ts_workflow_view_get_available_triggers (view);

  return available != NULL && g_strv_contains (available, trigger);
}

static guint
n_available (TsWorkflowView *view)
{
  const char * const *available = ts_workflow_view_get_available_triggers (view);

  return available != NULL ? g_strv_length ((GStrv)available) : 0;
}

/* Whether @rect of @view is where a person can see it (not scrolled away). */
static gboolean
shows (TsWorkflowView        *view,
       const graphene_rect_t *rect)
{
  return rect->origin.x >= 0 && rect->origin.y >= 0 &&
         rect->origin.x + rect->size.width <= gtk_widget_get_width (GTK_WIDGET (view)) &&
         rect->origin.y + rect->size.height <= gtk_widget_get_height (GTK_WIDGET (view));
}

/* Clicks @trigger's label in the picture, zooming out until it shows. */
static void
click_trigger (TsWorkflowView *view,
               const char     *trigger)
{
  graphene_rect_t rect;

  g_assert_true (ts_workflow_view_get_trigger_bounds (view, trigger, &rect));
  for (guint i = 0; i < 6 && !shows (view, &rect); i++)
    {
      ts_test_key (GTK_WIDGET (view), GDK_KEY_minus, GDK_CONTROL_MASK);
      ts_test_iterate (200);
      g_assert_true (ts_workflow_view_get_trigger_bounds (view, trigger, &rect));
    }
  g_assert_true (shows (view, &rect));

  ts_test_click_at (GTK_WIDGET (view), rect.origin.x + rect.size.width / 2, rect.origin.y + rect.size.height / 2);
}

/* Ctrl+scroll (the wheel turned @clicks notches, up for a positive
 * number) with the pointer at (@x, @y) of @widget, through the X server. */
static void
ctrl_scroll (GtkWidget *widget,
             double     x,
             double     y,
             int        clicks)
{
  Display *display = gdk_x11_display_get_xdisplay (gdk_display_get_default ());
  KeyCode control = XKeysymToKeycode (display, XK_Control_L);

  /* Puts the pointer there (a click on the picture's empty corner does
   * nothing else). */
  ts_test_click_at (widget, x, y);
  XTestFakeKeyEvent (display, control, True, CurrentTime);
  for (int i = 0; i < ABS (clicks); i++)
    {
      XTestFakeButtonEvent (display, clicks > 0 ? 4 : 5, True, CurrentTime);
      XTestFakeButtonEvent (display, clicks > 0 ? 4 : 5, False, CurrentTime);
    }
  XTestFakeKeyEvent (display, control, False, CurrentTime);
  XSync (display, False);
  ts_test_iterate (300);
}

static void
set_dark (gboolean dark)
{
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      dark ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_DEFAULT);
  ts_test_iterate (300);
}

static char *
screenshot_name (const char *name)
{
  const char *lang = g_getenv ("LANG");

  if (lang != NULL && g_str_has_prefix (lang, "zh_CN"))
    return g_strdup_printf ("%s-zh_CN.png", name);
  return g_strdup_printf ("%s.png", name);
}

static void
screenshot (GtkWidget  *widget,
            const char *name)
{
  g_autofree char *file = screenshot_name (name);

  ts_test_save_screenshot (widget, file, NULL);
}

/* Tests */

/* zhangwei opens his ticket, shows the workflow and passes the ticket on
 * from the picture; lina then sees it in her state with her triggers. */
static void
test_ticket_pane (void)
{
  g_autoptr(TsStore) zhangwei = open_store ("zhangwei");
  g_autoptr(TsStore) lina = open_store ("lina");
  g_autoptr(TsTicket) ticket = create_ticket (zhangwei, "{\"summary\": \"【20180301】工作流图测试\", \"issue_level\": \"严重问题\"}");
  const char *key = ts_ticket_get_key (ticket);
  TsMainWindow *window = open_main_window (zhangwei);
  TsTicketWindow *editor = open_editor (window, key);
  GtkWidget *toggle = ts_ticket_window_get_workflow_button (editor);
  TsWorkflowView *view = TS_WORKFLOW_VIEW (ts_ticket_window_get_workflow_view (editor));
  TsTicketForm *form = TS_TICKET_FORM (ts_ticket_window_get_form (editor));
  graphene_rect_t rect;
  g_autofree char *state = NULL;

  gtk_window_set_default_size (GTK_WINDOW (editor), 1200, 800);
  TS_WAIT_FOR (gtk_widget_get_mapped (toggle));
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (view)));
  g_assert_nonnull (gtk_widget_get_tooltip_text (toggle));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (toggle), "F9"));

  /* The toggle reveals the picture. */
  ts_test_click (toggle);
  TS_WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (view)) &&
               ts_workflow_view_get_state_bounds (view, "维护人员处理", &rect));
  ts_test_iterate (500);
  g_assert_cmpstr (ts_workflow_view_get_current_state (view), ==, "维护人员处理");
  /* His triggers that can be pressed now: 更新进展; 提交审核 waits for a
   * 维护代表, as its button does. */
  g_assert_true (is_available (view, "更新进展"));
  g_assert_false (is_available (view, "提交审核"));
  g_assert_cmpint (gtk_widget_get_sensitive (ts_ticket_window_get_trigger_button (editor, "提交审核")), ==, FALSE);
  /* The current state is where one can see it. */
  g_assert_true (ts_workflow_view_get_state_bounds (view, "维护人员处理", &rect));
  g_assert_true (shows (view, &rect));
  {
    g_autofree char *description = g_strdup_printf (_("Current state: %s; you can: %s"), "维护人员处理", "更新进展");

    assert_description (view, description);
  }
  screenshot (GTK_WIDGET (editor), "workflow-pane");

  /* Choosing a 维护代表 makes 提交审核 available in the picture too. */
  ts_test_choose (ts_ticket_form_get_field_widget (form, "issue_checker"), "lina");
  TS_WAIT_FOR (is_available (view, "提交审核"));
  g_assert_true (gtk_widget_get_sensitive (ts_ticket_window_get_trigger_button (editor, "提交审核")));
  set_dark (TRUE);
  screenshot (GTK_WIDGET (editor), "workflow-pane-dark");
  set_dark (FALSE);

  /* Clicked in the picture, it is fired; the mark moves and, the ticket
   * being lina's now, nothing is emphasised for zhangwei. */
  click_trigger (view, "提交审核");
  TS_WAIT_FOR (g_strcmp0 (ts_workflow_view_get_current_state (view), "维护代表审核") == 0);
  TS_WAIT_FOR (n_available (view) == 0);
  g_assert_nonnull (ts_workflow_view_get_available_triggers (view));
  state = ts_test_query_value (server, db, "SELECT state || ' ' || assigned_to FROM tasksteper.tickets WHERE key = $1", key);
  g_assert_cmpstr (state, ==, "维护代表审核 lina");
  {
    g_autofree char *description = g_strdup_printf (_("Current state: %s; nothing you can do now"), "维护代表审核");

    assert_description (view, description);
  }
  screenshot (GTK_WIDGET (editor), "workflow-pane-passed");

  /* F9 hides it again. */
  ts_test_key (GTK_WIDGET (editor), GDK_KEY_F9, 0);
  TS_WAIT_FOR (!gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (toggle)));
  gtk_window_destroy (GTK_WINDOW (editor));

  /* lina, who holds it now, sees her triggers. */
  {
    TsMainWindow *lina_window = open_main_window (lina);
    TsTicketWindow *lina_editor = open_editor (lina_window, key);
    TsWorkflowView *lina_view = TS_WORKFLOW_VIEW (ts_ticket_window_get_workflow_view (lina_editor));

    ts_test_key (GTK_WIDGET (lina_editor), GDK_KEY_F9, 0);
    TS_WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (lina_view)));
    TS_WAIT_FOR (ts_workflow_view_get_current_state (lina_view) != NULL);
    g_assert_cmpstr (ts_workflow_view_get_current_state (lina_view), ==, "维护代表审核");
    /* 打回补充信息 goes back to the 维护处理人, whom nobody chose yet: like its
     * button, it is not available until someone is. */
    g_assert_false (is_available (lina_view, "打回补充信息"));
    g_assert_false (gtk_widget_get_sensitive (ts_ticket_window_get_trigger_button (lina_editor, "打回补充信息")));
    ts_test_choose (ts_ticket_form_get_field_widget (TS_TICKET_FORM (ts_ticket_window_get_form (lina_editor)),
                                                     "issue_processor"),
                    "zhangwei");
    TS_WAIT_FOR (is_available (lina_view, "打回补充信息"));
    g_assert_false (is_available (lina_view, "转SE分析改进"));
    for (guint i = 0; i < n_available (lina_view); i++)
      {
        const char *trigger = ts_workflow_view_get_available_triggers (lina_view)[i];
        GtkWidget *button = ts_ticket_window_get_trigger_button (lina_editor, trigger);

        g_assert_nonnull (button);
        g_assert_true (gtk_widget_get_sensitive (button));
      }
    gtk_window_destroy (GTK_WINDOW (lina_editor));
    gtk_window_destroy (GTK_WINDOW (lina_window));
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The main menu's Workflow, with the pointer, opens the project's
 * picture; it zooms with the keys and the buttons, and saves as PNG and
 * SVG. */
static void
test_project_window (void)
{
  g_autoptr(TsStore) zhangwei = open_store ("zhangwei");
  TsMainWindow *window = open_main_window (zhangwei);
  GtkWidget *menu_button = find_widget (GTK_WIDGET (window), is_primary_menu_button, NULL);
  g_autofree char *label = g_strdup (_("_Workflow"));
  g_autofree char *dir = g_dir_make_tmp ("ts-workflow-XXXXXX", NULL);
  TsWorkflowWindow *workflow = NULL;
  TsWorkflowView *view;
  GtkPopover *popover;
  GtkWidget *item = NULL;
  graphene_rect_t rect;
  double zoom;

  g_assert_nonnull (menu_button);
  ts_test_click (menu_button);
  popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu_button));
  TS_WAIT_FOR ((item = find_widget (GTK_WIDGET (popover), is_menu_item_saying, label)) != NULL);
  ts_test_click (item);
  TS_WAIT_FOR ((workflow = find_workflow_window ()) != NULL);
  view = TS_WORKFLOW_VIEW (ts_workflow_window_get_view (workflow));
  g_assert_true (ts_workflow_view_get_project (view) == ts_main_window_get_project (window));
  TS_WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (view)) &&
               ts_workflow_view_get_state_bounds (view, "关闭", &rect));
  /* No ticket: nothing marked, nothing dimmed. */
  g_assert_null (ts_workflow_view_get_current_state (view));
  g_assert_null (ts_workflow_view_get_available_triggers (view));
  ts_test_iterate (500);
  screenshot (GTK_WIDGET (workflow), "workflow-window");
  set_dark (TRUE);
  screenshot (GTK_WIDGET (workflow), "workflow-window-dark");
  set_dark (FALSE);

  /* Zooming with the keys, once the picture has the keyboard (a click). */
  g_assert_cmpfloat (ts_workflow_view_get_zoom (view), ==, 1.0);
  ts_test_click_at (GTK_WIDGET (view), 5, 5);
  ts_test_key (GTK_WIDGET (workflow), GDK_KEY_plus, GDK_CONTROL_MASK);
  TS_WAIT_FOR (ts_workflow_view_get_zoom (view) > 1.1);
  zoom = ts_workflow_view_get_zoom (view);
  {
    graphene_rect_t bigger;

    ts_test_iterate (200);
    g_assert_true (ts_workflow_view_get_state_bounds (view, "关闭", &bigger));
    g_assert_cmpfloat (bigger.size.width, >, rect.size.width * 1.1);
  }
  ts_test_key (GTK_WIDGET (workflow), GDK_KEY_minus, GDK_CONTROL_MASK);
  ts_test_key (GTK_WIDGET (workflow), GDK_KEY_minus, GDK_CONTROL_MASK);
  TS_WAIT_FOR (ts_workflow_view_get_zoom (view) < 1.0);
  ts_test_key (GTK_WIDGET (workflow), GDK_KEY_0, GDK_CONTROL_MASK);
  TS_WAIT_FOR (ts_workflow_view_get_zoom (view) == 1.0);
  /* And with the buttons. */
  ts_test_click (find_widget (GTK_WIDGET (view), is_button_of_action, "workflow.zoom-in"));
  TS_WAIT_FOR (ts_workflow_view_get_zoom (view) == zoom);
  ts_test_click (find_widget (GTK_WIDGET (view), is_button_of_action, "workflow.zoom-out"));
  TS_WAIT_FOR (ts_workflow_view_get_zoom (view) == 1.0);
  /* And with Ctrl and the wheel, over the picture. */
  ctrl_scroll (GTK_WIDGET (view), 5, 5, 1);
  TS_WAIT_FOR (ts_workflow_view_get_zoom (view) > 1.0);
  ctrl_scroll (GTK_WIDGET (view), 5, 5, -2);
  TS_WAIT_FOR (ts_workflow_view_get_zoom (view) < 1.0);
  ts_test_key (GTK_WIDGET (workflow), GDK_KEY_0, GDK_CONTROL_MASK);
  TS_WAIT_FOR (ts_workflow_view_get_zoom (view) == 1.0);

  /* Saved as pictures. */
  {
    g_autofree char *png_path = g_build_filename (dir, "workflow.png", NULL);
    g_autofree char *svg_path = g_build_filename (dir, "workflow.svg", NULL);
    g_autoptr(GFile) png = g_file_new_for_path (png_path);
    g_autoptr(GFile) svg = g_file_new_for_path (svg_path);
    g_autoptr(GError) error = NULL;
    g_autofree char *data = NULL;
    gsize length = 0;

    g_assert_true (ts_workflow_view_save (view, png, TS_WORKFLOW_PICTURE_PNG, &error));
    g_assert_no_error (error);
    g_file_get_contents (png_path, &data, &length, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (length, >, 1000);
    g_assert_true (memcmp (data, "\x89PNG", 4) == 0);
    g_clear_pointer (&data, g_free);

    g_assert_true (ts_workflow_view_save (view, svg, TS_WORKFLOW_PICTURE_SVG, &error));
    g_assert_no_error (error);
    g_file_get_contents (svg_path, &data, &length, &error);
    g_assert_no_error (error);
    g_assert_nonnull (strstr (data, "<svg"));

    g_assert_cmpint (g_unlink (png_path), ==, 0);
    g_assert_cmpint (g_unlink (svg_path), ==, 0);
    g_assert_cmpint (g_rmdir (dir), ==, 0);
  }

  /* Ctrl+W closes it. */
  ts_test_key (GTK_WIDGET (workflow), GDK_KEY_w, GDK_CONTROL_MASK);
  TS_WAIT_FOR (find_workflow_window () == NULL);
  gtk_window_destroy (GTK_WINDOW (window));
}


/* A workflow of 40 states: the window opens at a readable size, scrolled
 * to the marked state, and zooms in to the most without trouble. */
static void
test_large (void)
{
  g_autoptr(GString) json = g_string_new ("{\"tasksteper\": 1, \"name\": \"big_flow\", \"title\": \"大流程\","
                                          " \"key_prefix\": \"big\", \"summary_field\": \"summary\","
                                          " \"fields\": [{\"name\": \"summary\", \"label\": \"概要\", \"type\": \"string\"}],"
                                          " \"states\": [");
  g_autoptr(TsDiagnostics) diagnostics = ts_diagnostics_new ("big_flow.json");
  g_autoptr(TsProject) project = NULL;
  TsWorkflowWindow *window;
  TsWorkflowView *view;
  graphene_rect_t rect;

  for (guint i = 0; i < 40; i++)
    g_string_append_printf (json, "%s\"第%u步处理\"", i > 0 ? ", " : "", i + 1);
  g_string_append (json, "], \"transitions\": [");
  for (guint i = 0; i + 1 < 40; i++)
    {
      g_string_append_printf (json, "%s{\"source\": \"第%u步处理\", \"trigger\": \"前进\", \"dest\": \"第%u步处理\","
                                    " \"trans_condition\": {}, \"trans_action\": {}}",
                              i > 0 ? ", " : "", i + 1, i + 2);
      if (i >= 3)
        g_string_append_printf (json, ", {\"source\": \"第%u步处理\", \"trigger\": \"退回三步\", \"dest\": \"第%u步处理\","
                                      " \"trans_condition\": {}, \"trans_action\": {}}",
                                i + 1, i - 2);
    }
  g_string_append (json, "]}");
  project = ts_project_new_from_data (json->str, -1, diagnostics);
  g_assert_cmpuint (ts_diagnostics_get_n_errors (diagnostics), ==, 0);

  window = ts_workflow_window_new (NULL, project);
  view = TS_WORKFLOW_VIEW (ts_workflow_window_get_view (window));
  ts_workflow_view_set_current_state (view, "第20步处理");
  gtk_window_present (GTK_WINDOW (window));
  TS_WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (view)) &&
               ts_workflow_view_get_state_bounds (view, "第20步处理", &rect));
  ts_test_iterate (500);

  /* Not shrunk to fit: the names stay their size, the window as large as
   * the screen allows, with the marked state in sight. */
  g_assert_cmpfloat (ts_workflow_view_get_zoom (view), ==, 1.0);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), >=, 1000);
  g_assert_true (ts_workflow_view_get_state_bounds (view, "第20步处理", &rect));
  g_test_message ("第20步处理 at %.0f,%.0f in %d×%d", rect.origin.x, rect.origin.y,
                  gtk_widget_get_width (GTK_WIDGET (view)), gtk_widget_get_height (GTK_WIDGET (view)));
  g_assert_true (shows (view, &rect));
  g_assert_false (ts_workflow_view_get_state_bounds (view, "第1步处理", &rect) && shows (view, &rect));
  screenshot (GTK_WIDGET (window), "workflow-large");

  ts_test_click_at (GTK_WIDGET (view), 5, 5);
  for (guint i = 0; i < 10; i++)
    ts_test_key (GTK_WIDGET (window), GDK_KEY_plus, GDK_CONTROL_MASK);
  TS_WAIT_FOR (ts_workflow_view_get_zoom (view) == 4.0);
  ts_test_iterate (500);
  screenshot (GTK_WIDGET (window), "workflow-large-zoomed");

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, TS_BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* GTK's test accessibility backend, so that what a screen reader is
   * told can be checked (gtk_test_accessible_assert_property). */
  g_setenv ("GTK_A11Y", "test", TRUE);
  gtk_init ();
  adw_init ();
  g_test_init (&argc, &argv, NULL);

  server = ts_test_server_start (&error);
  g_assert_no_error (error);
  db = ts_test_prepare_issue_track (server, (const char *[]) { "zhangwei", "lina", "wangfang", NULL });

  g_test_add_func ("/ts/workflow-view/ticket-pane", test_ticket_pane);
  g_test_add_func ("/ts/workflow-view/project-window", test_project_window);
  g_test_add_func ("/ts/workflow-view/large", test_large);

  ret = g_test_run ();
  ts_test_server_free (server);
  g_free (db);
  return ret;
}
