/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <gdk-pixbuf/gdk-pixbuf.h>

/* The application's icons, drawn by the same SVG loader (librsvg, through
 * gdk-pixbuf) that GTK uses for icons: each must render at its nominal size
 * and at the sizes a desktop asks for, the symbolic one in its single colour
 * only (the theme recolours it, so any other colour would show through).
 * Each rendering is saved as a test artifact, to be looked at. */

#define APP_ID "io.github.tasksteper.TaskSteper"

static char *
icon_path (const char *kind,
           const char *suffix)
{
  g_autofree char *name = g_strconcat (APP_ID, suffix, ".svg", NULL);

  return g_test_build_filename (G_TEST_DIST, "..", "data", "icons", "hicolor", kind, "apps", name, NULL);
}

static void
save_artifact (GdkPixbuf  *pixbuf,
               const char *name)
{
  const char *dir = g_getenv ("TS_ARTIFACTS_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (dir == NULL)
    return;

  g_mkdir_with_parents (dir, 0755);
  path = g_build_filename (dir, name, NULL);
  gdk_pixbuf_save (pixbuf, path, "png", &error, NULL);
  g_assert_no_error (error);
}

/* Counts the pixels that are fully opaque and those that are visible at
 * all; with @check_color, also checks that every visible pixel has the
 * colour @only_color (gdk-pixbuf's pixels are not premultiplied, so edges
 * are anti-aliased in alpha only). */
static void
count_pixels (GdkPixbuf *pixbuf,
              guint32    only_color,
              gboolean   check_color,
              guint     *opaque,
              guint     *visible)
{
  int width = gdk_pixbuf_get_width (pixbuf);
  int height = gdk_pixbuf_get_height (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);

  g_assert_true (gdk_pixbuf_get_has_alpha (pixbuf));
  g_assert_cmpint (gdk_pixbuf_get_n_channels (pixbuf), ==, 4);

  *opaque = *visible = 0;
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        const guint8 *p = pixels + y * stride + x * 4;

        if (p[3] == 0)
          continue;
        (*visible)++;
        if (p[3] == 0xff)
          (*opaque)++;
        if (check_color)
          {
            /* Drawn premultiplied and divided back, a faint pixel's
             * colour is only as precise as its alpha allows. */
            int slack = 255 / p[3] + 1;

            for (int c = 0; c < 3; c++)
              {
                int expected = (only_color >> (16 - 8 * c)) & 0xff;

                if (ABS (p[c] - expected) > slack)
                  g_error ("pixel %d,%d is #%02x%02x%02x (alpha %u), not #%06x",
                           x, y, p[0], p[1], p[2], p[3], only_color);
              }
          }
      }
}

static GdkPixbuf *
load (const char *path,
      int         size)
{
  g_autoptr(GError) error = NULL;
  GdkPixbuf *pixbuf;

  if (size > 0)
    pixbuf = gdk_pixbuf_new_from_file_at_size (path, size, size, &error);
  else
    pixbuf = gdk_pixbuf_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (pixbuf);
  return pixbuf;
}

static void
test_scalable (void)
{
  g_autofree char *path = icon_path ("scalable", "");
  static const int sizes[] = { 16, 32, 64, 256 };
  g_autoptr(GdkPixbuf) pixbuf = load (path, 0);
  guint opaque, visible;

  /* The GNOME icon grid: a 128×128 canvas, the shape inside it with
   * transparent margins (a full square would look heavier than the other
   * icons beside it). */
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, 128);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, 128);
  count_pixels (pixbuf, 0, FALSE, &opaque, &visible);
  g_assert_cmpuint (opaque, >, 128 * 128 / 2);
  g_assert_cmpuint (visible, <, 128 * 128 * 9 / 10);
  save_artifact (pixbuf, "icon-128.png");

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GdkPixbuf) scaled = load (path, sizes[i]);
      g_autofree char *name = g_strdup_printf ("icon-%d.png", sizes[i]);

      g_assert_cmpint (gdk_pixbuf_get_width (scaled), ==, sizes[i]);
      g_assert_cmpint (gdk_pixbuf_get_height (scaled), ==, sizes[i]);
      save_artifact (scaled, name);
    }
}

static void
test_symbolic (void)
{
  g_autofree char *path = icon_path ("symbolic", "-symbolic");
  g_autoptr(GdkPixbuf) pixbuf = load (path, 0);
  g_autoptr(GdkPixbuf) large = NULL;
  guint opaque, visible;

  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, 16);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, 16);
  count_pixels (pixbuf, 0x2e3436, TRUE, &opaque, &visible);
  g_assert_cmpuint (opaque, >, 16);

  /* Larger, where every edge shows. */
  large = load (path, 128);
  count_pixels (large, 0x2e3436, TRUE, &opaque, &visible);
  g_assert_cmpuint (opaque, >, 128 * 4);
  save_artifact (large, "icon-symbolic-128.png");
  save_artifact (pixbuf, "icon-symbolic.png");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/icons/scalable", test_scalable);
  g_test_add_func ("/icons/symbolic", test_symbolic);

  return g_test_run ();
}
