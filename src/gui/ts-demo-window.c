/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "ts-a11y.h"
#include "ts-demo-window.h"

struct _TsDemoWindow
{
  AdwApplicationWindow  parent_instance;

  AdwStatusPage        *status_page;
  GtkStack             *stack;
  GtkSpinner           *spinner;

  gboolean              failed;
};

G_DEFINE_FINAL_TYPE (TsDemoWindow, ts_demo_window, ADW_TYPE_APPLICATION_WINDOW)

static void
ts_demo_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), TS_TYPE_DEMO_WINDOW);

  G_OBJECT_CLASS (ts_demo_window_parent_class)->dispose (object);
}

static void
ts_demo_window_class_init (TsDemoWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ts_demo_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tasksteper/TaskSteper/ts-demo-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TsDemoWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, TsDemoWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, TsDemoWindow, spinner);
}

static void
ts_demo_window_init (TsDemoWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ts_a11y_fix_mnemonic_buttons (GTK_WIDGET (self));
}

TsDemoWindow *
ts_demo_window_new (AdwApplication *application)
{
  g_return_val_if_fail (application == NULL || ADW_IS_APPLICATION (application), NULL);

  return g_object_new (TS_TYPE_DEMO_WINDOW,
                       "application", application,
                       NULL);
}

void
ts_demo_window_set_status (TsDemoWindow *self,
                           const char   *status)
{
  g_return_if_fail (TS_IS_DEMO_WINDOW (self));

  self->failed = FALSE;
  adw_status_page_set_icon_name (self->status_page, "network-server-symbolic");
  adw_status_page_set_title (self->status_page, _("Starting the Demo"));
  adw_status_page_set_description (self->status_page, status);
  gtk_stack_set_visible_child_name (self->stack, "busy");
  gtk_spinner_set_spinning (self->spinner, TRUE);
}

void
ts_demo_window_show_error (TsDemoWindow *self,
                           const char   *message)
{
  g_return_if_fail (TS_IS_DEMO_WINDOW (self));
  g_return_if_fail (message != NULL);

  self->failed = TRUE;
  adw_status_page_set_icon_name (self->status_page, "dialog-error-symbolic");
  adw_status_page_set_title (self->status_page, _("The Demo Could Not Start"));
  adw_status_page_set_description (self->status_page, message);
  gtk_spinner_set_spinning (self->spinner, FALSE);
  gtk_stack_set_visible_child_name (self->stack, "failed");
}

gboolean
ts_demo_window_get_failed (TsDemoWindow *self)
{
  g_return_val_if_fail (TS_IS_DEMO_WINDOW (self), FALSE);
  return self->failed;
}
