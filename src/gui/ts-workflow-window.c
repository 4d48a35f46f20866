/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-workflow-window"

#include "config.h"

#include <glib/gi18n.h>

#include "ts-workflow-view.h"
#include "ts-workflow-window.h"

struct _TsWorkflowWindow
{
  AdwWindow             parent_instance;

  TsProject            *project;
  AdwToastOverlay      *toasts;
  TsWorkflowView       *view;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (TsWorkflowWindow, ts_workflow_window, ADW_TYPE_WINDOW)

static void
on_chosen (TsWorkflowWindow     *self,
           int                   response,
           GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *basename = NULL;
  TsWorkflowPictureFormat format = TS_WORKFLOW_PICTURE_PNG;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);
  if (file == NULL)
    return;

  /* The format by the name's extension; PNG unless it says .svg. */
  basename = g_file_get_basename (file);
  if (basename != NULL && g_str_has_suffix (g_ascii_strdown (basename, -1), ".svg"))
    format = TS_WORKFLOW_PICTURE_SVG;

  if (!ts_workflow_view_save (self->view, file, format, &error))
    adw_toast_overlay_add_toast (self->toasts, adw_toast_new (error->message));
  else
    {
      /* TRANSLATORS: %s is the file the picture was saved as. */
      g_autofree char *message = g_strdup_printf (_("Saved as %s"), basename);

      adw_toast_overlay_add_toast (self->toasts, adw_toast_new (message));
    }
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TsWorkflowWindow *self = TS_WORKFLOW_WINDOW (widget);
  g_autoptr(GtkFileFilter) png = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) svg = gtk_file_filter_new ();
  g_autofree char *name = NULL;

  if (self->chooser != NULL)
    return;

  /* GtkFileChooserNative, not GtkFileDialog, which is GTK 4.10. */
  self->chooser = gtk_file_chooser_native_new (_("Save Workflow Picture"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_filter_set_name (png, _("PNG images"));
  gtk_file_filter_add_suffix (png, "png");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), png);
  gtk_file_filter_set_name (svg, _("SVG images"));
  gtk_file_filter_add_suffix (svg, "svg");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), svg);
  name = g_strdup_printf ("%s.png", ts_project_get_title (self->project));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_chosen), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
ts_workflow_window_dispose (GObject *object)
{
  TsWorkflowWindow *self = TS_WORKFLOW_WINDOW (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->project);

  G_OBJECT_CLASS (ts_workflow_window_parent_class)->dispose (object);
}

static void
ts_workflow_window_class_init (TsWorkflowWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ts_workflow_window_dispose;

  gtk_widget_class_install_action (widget_class, "workflow.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "workflow.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
ts_workflow_window_init (TsWorkflowWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *save = gtk_button_new_from_icon_name ("document-save-as-symbolic");

  gtk_widget_set_tooltip_text (save, _("Save Picture… (Ctrl+S)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (save), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Save Picture…"), -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (save), "workflow.save");
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), save);
  gtk_box_append (GTK_BOX (box), header);

  self->view = TS_WORKFLOW_VIEW (ts_workflow_view_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->view), TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->view));

  self->toasts = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toasts, box);
  adw_window_set_content (ADW_WINDOW (self), GTK_WIDGET (self->toasts));
  gtk_window_set_default_size (GTK_WINDOW (self), 900, 600);
}

TsWorkflowWindow *
ts_workflow_window_new (GtkWindow *parent,
                        TsProject *project)
{
  TsWorkflowWindow *self;
  g_autofree char *title = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);

  self = g_object_new (TS_TYPE_WORKFLOW_WINDOW,
                       "transient-for", parent,
                       "application", parent != NULL ? gtk_window_get_application (parent) : NULL,
                       NULL);
  self->project = g_object_ref (project);
  ts_workflow_view_set_project (self->view, project);

  /* Big enough for the whole picture when the screen allows. */
  {
    g_autoptr(GskRenderNode) node = NULL;
    int width = 0, height = 0;

    node = ts_workflow_view_render (self->view, &width, &height);
    if (node != NULL)
      gtk_window_set_default_size (GTK_WINDOW (self), CLAMP (width + 2, 480, 1400),
                                   CLAMP (height + 48, 360, 900));
  }

  /* TRANSLATORS: the title of the window with a project's workflow
   * picture; %s is the project's title. */
  title = g_strdup_printf (_("Workflow — %s"), ts_project_get_title (project));
  gtk_window_set_title (GTK_WINDOW (self), title);

  return self;
}

GtkWidget *
ts_workflow_window_get_view (TsWorkflowWindow *self)
{
  g_return_val_if_fail (TS_IS_WORKFLOW_WINDOW (self), NULL);

  return GTK_WIDGET (self->view);
}
