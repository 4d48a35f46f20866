/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-user-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "ts-user-editor.h"

/* User pickers show people as people: "张伟" with "zhangwei" dim beside
 * it in the list, the display name on the button, and an empty value as
 * the field's placeholder, dim, as an entry shows its placeholder (the
 * seed's "##维护处理人指定##" is a hint, not a person).  The values stay
 * login names.  The first item is "nobody", a member whose login is
 * empty; a login that is not a member (someone who left) is added at the
 * end, so nothing the ticket holds is lost. */
struct _TsUserEditor
{
  GtkWidget   parent_instance;

  TsField    *field;
  GtkWidget  *dropdown;
  GListStore *people;       /* of TsMember, what the drop-down shows */
  GPtrArray  *values;       /* the login at each position */
  GPtrArray  *members;      /* of TsMember, the project's */
  guint       rebuilding;
};

static void field_editor_iface_init (TsFieldEditorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TsUserEditor, ts_user_editor, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (TS_TYPE_FIELD_EDITOR, field_editor_iface_init))

static void
add_value (TsUserEditor *self,
           GPtrArray    *people,
           const char   *value,
           TsMember     *member)
{
  if (g_ptr_array_find_with_equal_func (self->values, value, g_str_equal, NULL))
    return;
  g_ptr_array_add (self->values, g_strdup (value));
  g_ptr_array_add (people, member != NULL ? g_object_ref (member) : ts_member_new (value, NULL));
}

/* Rebuilds the list from the project's members, keeping @keep (the value
 * shown now) even when it is not among them. */
static void
rebuild (TsUserEditor *self,
         const char   *keep)
{
  g_autoptr(GPtrArray) people = g_ptr_array_new_with_free_func (g_object_unref);

  g_ptr_array_set_size (self->values, 0);
  add_value (self, people, "", NULL);
  for (guint i = 0; self->members != NULL && i < self->members->len; i++)
    {
      TsMember *member = g_ptr_array_index (self->members, i);

      add_value (self, people, ts_member_get_login (member), member);
    }
  if (keep != NULL)
    add_value (self, people, keep, NULL);

  self->rebuilding++;
  g_list_store_splice (self->people, 0, g_list_model_get_n_items (G_LIST_MODEL (self->people)),
                       people->pdata, people->len);
  if (keep == NULL || !ts_field_editor_dropdown_select (self->dropdown, self->values, keep))
    gtk_drop_down_set_selected (GTK_DROP_DOWN (self->dropdown), 0);
  self->rebuilding--;
}

static void
on_selected (TsUserEditor *self)
{
  if (self->rebuilding == 0)
    ts_field_editor_changed (TS_FIELD_EDITOR (self));
}

static char *
member_search_text (TsMember *member,
                    gpointer  user_data)
{
  if (*ts_member_get_login (member) == '\0')
    return g_strdup (_("Nobody"));
  return g_strdup_printf ("%s %s", ts_member_get_display_name (member), ts_member_get_login (member));
}

static void
on_button_setup (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 TsUserEditor             *self)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
on_button_bind (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                TsUserEditor             *self)
{
  TsMember *member = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  const char *placeholder = ts_field_get_placeholder (self->field);
  gboolean empty = *ts_member_get_login (member) == '\0';

  if (empty)
    gtk_label_set_text (GTK_LABEL (label), placeholder != NULL && *placeholder != '\0' ? placeholder : _("Nobody"));
  else
    gtk_label_set_text (GTK_LABEL (label), ts_member_get_display_name (member));

  if (empty)
    gtk_widget_add_css_class (label, "dim-label");
  else
    gtk_widget_remove_css_class (label, "dim-label");
}

static void
item_update_check (GtkListItem *item)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *check = gtk_widget_get_last_child (box);
  GtkDropDown *dropdown = g_object_get_data (G_OBJECT (box), "ts-dropdown");

  gtk_widget_set_opacity (check, dropdown != NULL &&
                          gtk_drop_down_get_selected (dropdown) == gtk_list_item_get_position (item) ? 1 : 0);
}

static void
on_item_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               TsUserEditor             *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *login = gtk_label_new (NULL);
  GtkWidget *check = gtk_image_new_from_icon_name ("object-select-symbolic");

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_xalign (GTK_LABEL (login), 0);
  gtk_widget_set_hexpand (login, TRUE);
  gtk_widget_add_css_class (login, "dim-label");
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), login);
  gtk_box_append (GTK_BOX (box), check);
  gtk_list_item_set_child (item, box);
}

static void
on_item_bind (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              TsUserEditor             *self)
{
  TsMember *member = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *name = gtk_widget_get_first_child (box);
  GtkWidget *login = gtk_widget_get_next_sibling (name);
  gboolean empty = *ts_member_get_login (member) == '\0';

  gtk_label_set_text (GTK_LABEL (name), empty ? _("Nobody") : ts_member_get_display_name (member));
  if (empty)
    gtk_widget_add_css_class (name, "dim-label");
  else
    gtk_widget_remove_css_class (name, "dim-label");

  /* The login only says something new beside a display name. */
  gtk_label_set_text (GTK_LABEL (login), ts_member_get_login (member));
  gtk_widget_set_visible (login, !empty && ts_member_has_display_name (member));

  g_object_set_data (G_OBJECT (box), "ts-dropdown", self->dropdown);
  item_update_check (item);
  g_signal_connect_object (self->dropdown, "notify::selected",
                           G_CALLBACK (item_update_check), item, G_CONNECT_SWAPPED);
}

static void
on_item_unbind (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                TsUserEditor             *self)
{
  g_signal_handlers_disconnect_by_func (self->dropdown, item_update_check, item);
}

/* Two things about GTK 4.8's drop-down search that make it work as a
 * person expects, on the widgets inside its popup:
 *
 * - It matches the prefix of the expression's string (GTK 4.12 has
 *   gtk_drop_down_set_search_match_mode() for this), so "zhang" would
 *   not find "张伟 zhangwei": the GtkStringFilter on the model of its
 *   list is made to match substrings.
 * - The popup gives the keyboard focus to the list, not the search
 *   entry, so what is typed went nowhere: the popover becomes the
 *   entry's key-capture widget, and typing anywhere in it searches
 *   while the arrows still move in the list.
 *
 * With another GTK whose popup looks different, nothing is changed and
 * the search works as that GTK does it. */
static void
dropdown_fix_search (GtkWidget *widget)
{
  if (GTK_IS_LIST_VIEW (widget))
    {
      GtkSelectionModel *selection = gtk_list_view_get_model (GTK_LIST_VIEW (widget));
      GListModel *model = GTK_IS_SINGLE_SELECTION (selection)
                            ? gtk_single_selection_get_model (GTK_SINGLE_SELECTION (selection)) : NULL;
      GtkFilter *filter = GTK_IS_FILTER_LIST_MODEL (model)
                            ? gtk_filter_list_model_get_filter (GTK_FILTER_LIST_MODEL (model)) : NULL;

      if (GTK_IS_STRING_FILTER (filter))
        gtk_string_filter_set_match_mode (GTK_STRING_FILTER (filter), GTK_STRING_FILTER_MATCH_MODE_SUBSTRING);
    }
  else if (GTK_IS_SEARCH_ENTRY (widget))
    {
      GtkWidget *popover = gtk_widget_get_ancestor (widget, GTK_TYPE_POPOVER);

      if (popover != NULL)
        gtk_search_entry_set_key_capture_widget (GTK_SEARCH_ENTRY (widget), popover);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    dropdown_fix_search (child);
}

static TsField *
ts_user_editor_get_field (TsFieldEditor *editor)
{
  return TS_USER_EDITOR (editor)->field;
}

static JsonNode *
ts_user_editor_dup_value (TsFieldEditor *editor)
{
  TsUserEditor *self = TS_USER_EDITOR (editor);

  return ts_field_editor_new_string_node (ts_field_editor_dropdown_get_value (self->dropdown, self->values));
}

static void
ts_user_editor_set_value (TsFieldEditor *editor,
                          JsonNode      *value)
{
  TsUserEditor *self = TS_USER_EDITOR (editor);
  g_autofree char *text = ts_field_editor_value_to_text (value);

  if (!ts_field_editor_dropdown_select (self->dropdown, self->values, text))
    rebuild (self, text);
}

static void
ts_user_editor_reset_value (TsFieldEditor *editor,
                            JsonNode      *value)
{
  g_autofree char *text = ts_field_editor_value_to_text (value);

  rebuild (TS_USER_EDITOR (editor), text);
}

static void
ts_user_editor_set_members (TsFieldEditor *editor,
                            GPtrArray     *members)
{
  TsUserEditor *self = TS_USER_EDITOR (editor);
  g_autofree char *current = g_strdup (ts_field_editor_dropdown_get_value (self->dropdown, self->values));

  g_clear_pointer (&self->members, g_ptr_array_unref);
  if (members != NULL)
    self->members = g_ptr_array_ref (members);
  rebuild (self, current);
}

static void
ts_user_editor_set_editable (TsFieldEditor *editor,
                             gboolean       editable)
{
  gtk_widget_set_sensitive (TS_USER_EDITOR (editor)->dropdown, editable);
}

static GtkWidget *
ts_user_editor_get_focus_widget (TsFieldEditor *editor)
{
  return TS_USER_EDITOR (editor)->dropdown;
}

static void
field_editor_iface_init (TsFieldEditorInterface *iface)
{
  iface->get_field = ts_user_editor_get_field;
  iface->dup_value = ts_user_editor_dup_value;
  iface->set_value = ts_user_editor_set_value;
  iface->reset_value = ts_user_editor_reset_value;
  iface->set_members = ts_user_editor_set_members;
  iface->set_editable = ts_user_editor_set_editable;
  iface->get_focus_widget = ts_user_editor_get_focus_widget;
  iface->wide = FALSE;
}

static void
ts_user_editor_dispose (GObject *object)
{
  ts_field_editor_dispose_children (TS_FIELD_EDITOR (object));

  G_OBJECT_CLASS (ts_user_editor_parent_class)->dispose (object);
}

static void
ts_user_editor_finalize (GObject *object)
{
  TsUserEditor *self = TS_USER_EDITOR (object);

  g_clear_pointer (&self->values, g_ptr_array_unref);
  g_clear_pointer (&self->members, g_ptr_array_unref);
  g_clear_object (&self->field);

  G_OBJECT_CLASS (ts_user_editor_parent_class)->finalize (object);
}

static void
ts_user_editor_class_init (TsUserEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ts_user_editor_dispose;
  object_class->finalize = ts_user_editor_finalize;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
ts_user_editor_init (TsUserEditor *self)
{
  self->values = g_ptr_array_new_with_free_func (g_free);
}

TsUserEditor *
ts_user_editor_new (TsField *field)
{
  g_autoptr(GtkListItemFactory) button_factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkListItemFactory) list_factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkExpression) expression = NULL;
  TsUserEditor *self;

  g_return_val_if_fail (TS_IS_FIELD (field), NULL);

  self = g_object_new (TS_TYPE_USER_EDITOR, NULL);
  self->field = g_object_ref (field);

  self->people = g_list_store_new (TS_TYPE_MEMBER);
  /* The drop-down takes the model's reference. */
  self->dropdown = gtk_drop_down_new (G_LIST_MODEL (self->people), NULL);

  g_signal_connect (button_factory, "setup", G_CALLBACK (on_button_setup), self);
  g_signal_connect (button_factory, "bind", G_CALLBACK (on_button_bind), self);
  g_signal_connect (list_factory, "setup", G_CALLBACK (on_item_setup), self);
  g_signal_connect (list_factory, "bind", G_CALLBACK (on_item_bind), self);
  g_signal_connect (list_factory, "unbind", G_CALLBACK (on_item_unbind), self);
  gtk_drop_down_set_factory (GTK_DROP_DOWN (self->dropdown), button_factory);
  gtk_drop_down_set_list_factory (GTK_DROP_DOWN (self->dropdown), list_factory);

  /* Searched by display name and login alike. */
  expression = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                            G_CALLBACK (member_search_text), NULL, NULL);
  gtk_drop_down_set_expression (GTK_DROP_DOWN (self->dropdown), expression);
  gtk_drop_down_set_enable_search (GTK_DROP_DOWN (self->dropdown), TRUE);
  dropdown_fix_search (self->dropdown);
  gtk_widget_set_valign (self->dropdown, GTK_ALIGN_CENTER);
  ts_field_editor_name_dropdown (self->dropdown, ts_field_get_label (field));

  rebuild (self, NULL);
  g_signal_connect_swapped (self->dropdown, "notify::selected", G_CALLBACK (on_selected), self);

  ts_field_editor_set_child (TS_FIELD_EDITOR (self), self->dropdown);
  gtk_widget_set_valign (GTK_WIDGET (self), GTK_ALIGN_CENTER);
  return self;
}
