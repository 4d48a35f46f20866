/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <libpq-fe.h>

#include <gdk/x11/gdkx.h>
#include <X11/XKBlib.h>
#include <X11/extensions/XTest.h>

#include "ts-gui-test-util.h"
#include "ts-migrations.h"

void
ts_test_iterate (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

void
ts_test_save_screenshot (GtkWidget     *widget,
                         const char    *name,
                         const GdkRGBA *background)
{
  const char *dir = g_getenv ("TS_ARTIFACTS_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  graphene_rect_t bounds;
  int width, height;

  if (dir == NULL)
    return;

  ts_test_iterate (300);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);
  graphene_rect_init (&bounds, 0, 0, width, height);

  paintable = gtk_widget_paintable_new (widget);
  /* A widget that has not been drawn since it last changed (a busy
   * machine) gives no render node yet: let the frame clock catch up. */
  for (guint attempt = 0; node == NULL && attempt < 20; attempt++)
    {
      if (attempt > 0)
        ts_test_iterate (100);
      snapshot = gtk_snapshot_new ();
      if (background != NULL)
        gtk_snapshot_append_color (snapshot, background, &bounds);
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }
  g_assert_nonnull (node);

  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node, &bounds);
  g_assert_nonnull (texture);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

static PGconn *
connect_superuser (TsTestServer *server,
                   const char   *db)
{
  g_autofree char *conninfo = ts_test_server_conninfo (server, db, NULL);
  PGconn *conn = PQconnectdb (conninfo);

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  return conn;
}

char *
ts_test_query_value (TsTestServer *server,
                     const char   *db,
                     const char   *sql,
                     const char   *param)
{
  PGconn *conn = connect_superuser (server, db);
  const char *params[] = { param };
  PGresult *result = PQexecParams (conn, sql, param ? 1 : 0, NULL, params, NULL, NULL, 0);
  char *value = NULL;

  g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
  if (PQntuples (result) > 0)
    value = g_strdup (PQgetvalue (result, 0, 0));
  PQclear (result);
  PQfinish (conn);
  return value;
}

char *
ts_test_prepare_issue_track (TsTestServer       *server,
                             const char * const *members)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_getenv ("TS_SCHEMAS_DIR"), "issue_track.json", NULL);
  g_autofree char *schema = NULL;
  char *db;
  PGconn *conn;
  PGresult *result;
  const char *params[1];

  db = ts_test_server_create_database (server, &error);
  g_assert_no_error (error);
  conn = connect_superuser (server, db);
  g_assert_true (ts_migrations_apply (conn, NULL, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (path, &schema, NULL, NULL));
  params[0] = schema;
  result = PQexecParams (conn, "SELECT tasksteper.import_project ($1::jsonb)", 1, NULL, params, NULL, NULL, 0);
  g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
  PQclear (result);

  for (guint i = 0; members[i]; i++)
    {
      /* Roles are cluster-wide: another database may have made it. */
      g_autofree char *create = g_strdup_printf ("DO $$ BEGIN CREATE ROLE %s LOGIN IN ROLE tasksteper_user; "
                                                 "EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                                                 members[i]);

      result = PQexec (conn, create);
      g_assert_cmpint (PQresultStatus (result), ==, PGRES_COMMAND_OK);
      PQclear (result);

      params[0] = members[i];
      result = PQexecParams (conn, "SELECT tasksteper.add_member ('issue_track', $1)", 1, NULL, params, NULL, NULL, 0);
      g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
      PQclear (result);
    }

  PQfinish (conn);
  return db;
}

/* ---- real input through the X server -------------------------------- */

static Display *
x_display (void)
{
  GdkDisplay *display = gdk_display_get_default ();

  /* The GUI tests run with GDK_BACKEND=x11 under Xvfb (tests/meson.build). */
  g_assert_true (GDK_IS_X11_DISPLAY (display));
  return gdk_x11_display_get_xdisplay (display);
}

/* Waits until the X server has handled what was sent, and GTK the events
 * it caused (and the idles and frames those queued). */
static void
x_settle (guint ms)
{
  XSync (x_display (), False);
  ts_test_iterate (ms);
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
}

static Window
x_window_of (GtkWidget *widget)
{
  GtkNative *native = gtk_widget_get_native (widget);

  g_assert_nonnull (native);
  return gdk_x11_surface_get_xid (gtk_native_get_surface (native));
}

/* Where (@x, @y) of @widget is on the screen. */
static void
x_root_point (GtkWidget *widget,
              double     x,
              double     y,
              int       *root_x,
              int       *root_y)
{
  GtkNative *native = gtk_widget_get_native (widget);
  graphene_point_t point = GRAPHENE_POINT_INIT (x, y);
  graphene_point_t in_native;
  double surface_x, surface_y;
  Window child;

  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (native), &point, &in_native));
  gtk_native_get_surface_transform (native, &surface_x, &surface_y);
  XTranslateCoordinates (x_display (), x_window_of (widget), DefaultRootWindow (x_display ()),
                         (int)(in_native.x + surface_x), (int)(in_native.y + surface_y),
                         root_x, root_y, &child);
}

/* There is no window manager under Xvfb: do what one does on a click, and
 * raise the toplevel and give it the keyboard focus. */
static void
x_focus_toplevel (GtkWidget *widget)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  Window window;

  g_assert_nonnull (root);
  window = x_window_of (GTK_WIDGET (root));
  XRaiseWindow (x_display (), window);
  XSetInputFocus (x_display (), window, RevertToParent, CurrentTime);
  x_settle (20);
}

static void
wait_mapped (GtkWidget *widget)
{
  TS_WAIT_FOR (gtk_widget_get_mapped (widget) &&
               gtk_widget_get_width (widget) > 0 && gtk_widget_get_height (widget) > 0);
  x_settle (30);
}

/* A person scrolls a widget into view before clicking it: wheel steps over
 * each scrolled window around it (at its right edge, over its scroll bar,
 * where no nested scrollable takes the wheel) until its point shows. */
static void
scroll_into_view (GtkWidget *widget,
                  double     y)
{
  for (GtkWidget *scrolled = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
       scrolled != NULL;
       scrolled = gtk_widget_get_ancestor (gtk_widget_get_parent (scrolled), GTK_TYPE_SCROLLED_WINDOW))
    {
      for (guint step = 0; step < 200; step++)
        {
          graphene_point_t point = GRAPHENE_POINT_INIT (0, y);
          graphene_point_t in_scrolled;
          int root_x, root_y;
          guint button;

          g_assert_true (gtk_widget_compute_point (widget, scrolled, &point, &in_scrolled));
          if (in_scrolled.y < 4)
            button = 4;   /* wheel up */
          else if (in_scrolled.y > gtk_widget_get_height (scrolled) - 4)
            button = 5;   /* wheel down */
          else
            break;

          x_root_point (scrolled, gtk_widget_get_width (scrolled) - 3, gtk_widget_get_height (scrolled) / 2.0,
                        &root_x, &root_y);
          XTestFakeMotionEvent (x_display (), -1, root_x, root_y, CurrentTime);
          XTestFakeButtonEvent (x_display (), button, True, CurrentTime);
          XTestFakeButtonEvent (x_display (), button, False, CurrentTime);
          x_settle (30);
        }
      if (gtk_widget_get_parent (scrolled) == NULL)
        break;
    }
}

static void
x_click (GtkWidget *widget,
         double     x,
         double     y,
         guint      button,
         guint      n_clicks)
{
  int root_x, root_y;

  wait_mapped (widget);
  x_focus_toplevel (widget);
  scroll_into_view (widget, y);

  /* Aim where the widget has come to rest: a scroll or a new layout may
   * still be moving it (slowly, on a loaded machine). */
  x_root_point (widget, x, y, &root_x, &root_y);
  for (guint i = 0; i < 50; i++)
    {
      int still_x, still_y;

      x_settle (40);
      x_root_point (widget, x, y, &still_x, &still_y);
      if (still_x == root_x && still_y == root_y)
        break;
      root_x = still_x;
      root_y = still_y;
    }

  /* Arrive first, as a hand does: hover and enter handlers run. */
  XTestFakeMotionEvent (x_display (), -1, root_x - 1, root_y, CurrentTime);
  x_settle (20);
  XTestFakeMotionEvent (x_display (), -1, root_x, root_y, CurrentTime);
  x_settle (20);

  /* The clicks of a double click go out together: settling between them
   * on a loaded machine could let the double-click time pass. */
  for (guint i = 0; i < n_clicks; i++)
    {
      XTestFakeButtonEvent (x_display (), button, True, CurrentTime);
      if (n_clicks == 1)
        x_settle (10);
      XTestFakeButtonEvent (x_display (), button, False, CurrentTime);
    }
  x_settle (60);
}

void
ts_test_click_at (GtkWidget *widget,
                  double     x,
                  double     y)
{
  x_click (widget, x, y, 1, 1);
}

void
ts_test_click (GtkWidget *widget)
{
  wait_mapped (widget);
  x_click (widget, gtk_widget_get_width (widget) / 2.0, gtk_widget_get_height (widget) / 2.0, 1, 1);
}

void
ts_test_double_click (GtkWidget *widget)
{
  wait_mapped (widget);
  x_click (widget, gtk_widget_get_width (widget) / 2.0, gtk_widget_get_height (widget) / 2.0, 1, 2);
}

void
ts_test_right_click (GtkWidget *widget)
{
  wait_mapped (widget);
  x_click (widget, gtk_widget_get_width (widget) / 2.0, gtk_widget_get_height (widget) / 2.0, 3, 1);
}

/* A keycode with no keysym, to put characters on that the keyboard map
 * lacks (CJK, say). */
static KeyCode
spare_keycode (void)
{
  Display *dpy = x_display ();
  int min_code, max_code, per_code;
  KeyCode spare = 0;
  KeySym *map;

  XDisplayKeycodes (dpy, &min_code, &max_code);
  map = XGetKeyboardMapping (dpy, min_code, max_code - min_code + 1, &per_code);
  for (int code = max_code; code >= min_code && spare == 0; code--)
    {
      gboolean empty = TRUE;

      for (int i = 0; i < per_code; i++)
        if (map[(code - min_code) * per_code + i] != NoSymbol)
          empty = FALSE;
      if (empty)
        spare = code;
    }
  XFree (map);
  g_assert_cmpuint (spare, !=, 0);
  return spare;
}

static void
x_key (KeyCode code,
       gboolean press)
{
  XTestFakeKeyEvent (x_display (), code, press, CurrentTime);
}

static KeyCode
modifier_code (KeySym keysym)
{
  KeyCode code = XKeysymToKeycode (x_display (), keysym);

  g_assert_cmpuint (code, !=, 0);
  return code;
}

/* Presses @keysym once: with Shift when it is on the key's second level,
 * on the spare key when it is on none. */
static void
x_type_keysym (KeySym   keysym,
               KeyCode *spare,
               KeySym  *spare_keysym)
{
  Display *dpy = x_display ();
  KeyCode code = XKeysymToKeycode (dpy, keysym);
  gboolean shift = FALSE;

  if (code != 0 && XkbKeycodeToKeysym (dpy, code, 0, 0) != keysym)
    {
      if (XkbKeycodeToKeysym (dpy, code, 0, 1) == keysym)
        shift = TRUE;
      else
        code = 0;
    }

  if (code == 0)
    {
      if (*spare == 0)
        *spare = spare_keycode ();
      if (*spare_keysym != keysym)
        {
          KeySym both[2] = { keysym, keysym };

          XChangeKeyboardMapping (dpy, *spare, 2, both, 1);
          *spare_keysym = keysym;
          /* GDK rereads the map on the notify that this causes. */
          x_settle (50);
        }
      code = *spare;
    }

  if (shift)
    x_key (modifier_code (XK_Shift_L), TRUE);
  x_key (code, TRUE);
  x_key (code, FALSE);
  if (shift)
    x_key (modifier_code (XK_Shift_L), FALSE);
  x_settle (5);
}

void
ts_test_type (GtkWidget  *window,
              const char *text)
{
  KeyCode spare = 0;
  KeySym spare_keysym = NoSymbol;

  g_return_if_fail (g_utf8_validate (text, -1, NULL));

  wait_mapped (window);
  x_focus_toplevel (window);
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      KeySym keysym;

      if (c == '\n')
        keysym = XK_Return;
      else if (c == '\t')
        keysym = XK_Tab;
      else if ((c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff))
        keysym = c;  /* Latin-1 keysyms are their code points */
      else
        keysym = 0x01000000 | c;
      x_type_keysym (keysym, &spare, &spare_keysym);
    }

  if (spare != 0)
    {
      KeySym none[2] = { NoSymbol, NoSymbol };

      XChangeKeyboardMapping (x_display (), spare, 2, none, 1);
    }
  x_settle (60);
}

void
ts_test_key (GtkWidget       *window,
             guint            keyval,
             GdkModifierType  modifiers)
{
  static const struct { GdkModifierType mask; KeySym keysym; } mods[] = {
    { GDK_CONTROL_MASK, XK_Control_L },
    { GDK_SHIFT_MASK, XK_Shift_L },
    { GDK_ALT_MASK, XK_Alt_L },
  };
  KeyCode code;

  wait_mapped (window);
  x_focus_toplevel (window);
  code = XKeysymToKeycode (x_display (), keyval);  /* GDK keyvals are X keysyms */
  g_assert_cmpuint (code, !=, 0);

  for (guint i = 0; i < G_N_ELEMENTS (mods); i++)
    if (modifiers & mods[i].mask)
      x_key (modifier_code (mods[i].keysym), TRUE);
  x_key (code, TRUE);
  x_key (code, FALSE);
  for (guint i = G_N_ELEMENTS (mods); i > 0; i--)
    if (modifiers & mods[i - 1].mask)
      x_key (modifier_code (mods[i - 1].keysym), FALSE);
  x_settle (60);
}

GtkWidget *
ts_test_find_label (GtkWidget  *ancestor,
                    const char *text)
{
  if (GTK_IS_LABEL (ancestor) && gtk_widget_get_mapped (ancestor) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (ancestor)), text) == 0)
    return ancestor;

  for (GtkWidget *child = gtk_widget_get_first_child (ancestor);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = ts_test_find_label (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

void
ts_test_choose (GtkWidget  *dropdown,
                const char *text)
{
  GtkWidget *popover = NULL;
  GtkWidget *item = NULL;

  ts_test_click (dropdown);
  /* The popover is the drop-down's child; its list shows once mapped. */
  for (GtkWidget *child = gtk_widget_get_first_child (dropdown);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_POPOVER (child))
      popover = child;
  g_assert_nonnull (popover);
  TS_WAIT_FOR ((item = ts_test_find_label (popover, text)) != NULL && gtk_widget_get_width (item) > 0);
  ts_test_click (item);
  TS_WAIT_FOR (!gtk_widget_get_mapped (popover));
}

/* Rests the pointer on the middle of @widget, arriving from beside it,
 * as a person does to read a tooltip; returns the tooltip's window once
 * it shows.  (ts_test_click() clicks, which hides tooltips.) */
GtkWidget *
ts_test_hover (GtkWidget *widget)
{
  Display *dpy = gdk_x11_display_get_xdisplay (gdk_display_get_default ());
  GtkNative *native = gtk_widget_get_native (widget);
  GtkWidget *root = GTK_WIDGET (gtk_widget_get_root (widget));
  graphene_point_t centre = GRAPHENE_POINT_INIT (gtk_widget_get_width (widget) / 2.0,
                                                 gtk_widget_get_height (widget) / 2.0);
  graphene_point_t in_native;
  GtkWidget *tooltip = NULL;
  double surface_x, surface_y;
  int root_x, root_y;
  Window child;

  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (native), &centre, &in_native));
  gtk_native_get_surface_transform (native, &surface_x, &surface_y);
  XTranslateCoordinates (dpy, gdk_x11_surface_get_xid (gtk_native_get_surface (native)), DefaultRootWindow (dpy),
                         (int)(in_native.x + surface_x), (int)(in_native.y + surface_y), &root_x, &root_y, &child);

  XTestFakeMotionEvent (dpy, -1, root_x, root_y + gtk_widget_get_height (widget), CurrentTime);
  XSync (dpy, False);
  ts_test_iterate (100);
  XTestFakeMotionEvent (dpy, -1, root_x, root_y, CurrentTime);
  XSync (dpy, False);
  ts_test_iterate (100);
  XTestFakeMotionEvent (dpy, -1, root_x + 1, root_y, CurrentTime);
  XSync (dpy, False);

  /* GTK's tooltip window is a native child of the toplevel. */
  TS_WAIT_FOR (({
    tooltip = NULL;
    for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
      if (GTK_IS_NATIVE (c) && !GTK_IS_POPOVER (c) && gtk_widget_get_mapped (c))
        tooltip = c;
    tooltip != NULL;
  }));
  return tooltip;
}
