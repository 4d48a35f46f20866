/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-filter-popover"

#include "config.h"

#include <glib/gi18n.h>

#include "ts-filter-popover.h"
#include "ts-member.h"

/* The rows come from the project's fields, so they are built here in code
 * (the frame around them is ui/ts-filter-popover.ui).  Each row is a
 * Condition: a field, what must hold of it, and value widgets that depend
 * on both; they are made again when either changes. */

#define TS_FILTER_POPOVER_ERROR (ts_filter_popover_error_quark ())
GQuark ts_filter_popover_error_quark (void);
G_DEFINE_QUARK (ts-filter-popover-error-quark, ts_filter_popover_error)

typedef enum
{
  KIND_TEXT,      /* string, text and url fields, key */
  KIND_ANY_TEXT,  /* "text": the key and every text field */
  KIND_CHOICE,    /* choice fields and state */
  KIND_PERSON,    /* user fields, assigned_to, created_by */
  KIND_INTEGER,
  KIND_DATE,
  KIND_INSTANT,   /* created_at, updated_at */
  KIND_BOOLEAN,
  KIND_REACHED,
} FieldKind;

typedef enum
{
  OP_CONTAINS,
  OP_NOT_CONTAINS,
  OP_IS,
  OP_IS_NOT,
  OP_ON,
  OP_GTE,
  OP_LTE,
  OP_BETWEEN,
  OP_EMPTY,
  OP_NOT_EMPTY,
  OP_REACHED,
} Op;

static const Op text_ops[] = { OP_CONTAINS, OP_NOT_CONTAINS, OP_IS, OP_EMPTY, OP_NOT_EMPTY };
static const Op any_text_ops[] = { OP_CONTAINS, OP_NOT_CONTAINS };
static const Op choice_ops[] = { OP_IS, OP_IS_NOT, OP_EMPTY, OP_NOT_EMPTY };
static const Op integer_ops[] = { OP_IS, OP_GTE, OP_LTE, OP_BETWEEN, OP_IS_NOT, OP_EMPTY, OP_NOT_EMPTY };
static const Op date_ops[] = { OP_ON, OP_GTE, OP_LTE, OP_BETWEEN, OP_EMPTY, OP_NOT_EMPTY };
static const Op instant_ops[] = { OP_ON, OP_GTE, OP_LTE, OP_BETWEEN };
static const Op boolean_ops[] = { OP_IS, OP_EMPTY, OP_NOT_EMPTY };
static const Op reached_ops[] = { OP_REACHED };

static const struct {
  const Op *ops;
  guint     n_ops;
} kind_ops[] = {
  [KIND_TEXT] = { text_ops, G_N_ELEMENTS (text_ops) },
  [KIND_ANY_TEXT] = { any_text_ops, G_N_ELEMENTS (any_text_ops) },
  [KIND_CHOICE] = { choice_ops, G_N_ELEMENTS (choice_ops) },
  [KIND_PERSON] = { choice_ops, G_N_ELEMENTS (choice_ops) },
  [KIND_INTEGER] = { integer_ops, G_N_ELEMENTS (integer_ops) },
  [KIND_DATE] = { date_ops, G_N_ELEMENTS (date_ops) },
  [KIND_INSTANT] = { instant_ops, G_N_ELEMENTS (instant_ops) },
  [KIND_BOOLEAN] = { boolean_ops, G_N_ELEMENTS (boolean_ops) },
  [KIND_REACHED] = { reached_ops, G_N_ELEMENTS (reached_ops) },
};

typedef struct
{
  char               *key;      /* the filter's key */
  char               *label;    /* what the drop-down shows */
  FieldKind           kind;
  const char * const *choices;  /* KIND_CHOICE: borrowed from the project */
} FieldInfo;

typedef struct _Condition Condition;

struct _TsFilterPopover
{
  GtkPopover   parent_instance;

  TsProject   *project;
  GListModel  *members;
  GPtrArray   *fields;       /* FieldInfo */
  GtkStringList *field_labels;
  GPtrArray   *conditions;   /* Condition */

  /* Template children */
  GtkLabel    *problem_label;
  GtkWidget   *empty_label;
  GtkBox      *rows;
  GtkLabel    *error_label;
  GtkWidget   *add_button;
  GtkWidget   *apply_button;
};

G_DEFINE_FINAL_TYPE (TsFilterPopover, ts_filter_popover, GTK_TYPE_POPOVER)

enum {
  APPLY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

struct _Condition
{
  TsFilterPopover *popover;   /* unowned: the popover owns its conditions */
  GtkWidget       *row;
  GtkDropDown     *field;
  GtkDropDown     *op;
  GtkWidget       *value_box;
  FieldInfo       *info;
  guint            building : 1;

  /* The value widgets of the field and operator chosen */
  GtkWidget       *entry;
  GtkWidget       *entry2;
  GtkDropDown     *dropdown;  /* a person, yes/no, reached's state */
  GPtrArray       *checks;    /* GtkCheckButton per choice */
  GStrv            logins;    /* the people of the drop-down */

  /* A condition kept as it came, with no row of its own */
  char            *raw_key;
  JsonNode        *raw;
};

static void
field_info_free (gpointer data)
{
  FieldInfo *info = data;

  g_free (info->key);
  g_free (info->label);
  g_free (info);
}

static void
condition_free (gpointer data)
{
  Condition *condition = data;

  g_clear_pointer (&condition->checks, g_ptr_array_unref);
  g_clear_pointer (&condition->logins, g_strfreev);
  g_clear_pointer (&condition->raw, json_node_unref);
  g_free (condition->raw_key);
  g_free (condition);
}

static const char *
op_label (Op        op,
          FieldKind kind)
{
  gboolean dates = kind == KIND_DATE || kind == KIND_INSTANT;

  switch (op)
    {
    case OP_CONTAINS: return _("contains");
    case OP_NOT_CONTAINS: return _("does not contain");
    case OP_IS: return _("is");
    case OP_IS_NOT: return _("is not");
    case OP_ON: return _("on");
    case OP_GTE: return dates ? _("on or after") : _("at least");
    case OP_LTE: return dates ? _("on or before") : _("at most");
    case OP_BETWEEN: return _("between");
    case OP_EMPTY: return _("is empty");
    case OP_NOT_EMPTY: return _("is not empty");
    case OP_REACHED: return _("entered");
    default: g_assert_not_reached ();
    }
}

/* Fields */

static void
add_field (TsFilterPopover    *self,
           const char         *key,
           const char         *label,
           FieldKind           kind,
           const char * const *choices)
{
  FieldInfo *info = g_new0 (FieldInfo, 1);

  info->key = g_strdup (key);
  info->label = g_strdup (label);
  info->kind = kind;
  info->choices = choices;
  g_ptr_array_add (self->fields, info);
  gtk_string_list_append (self->field_labels, label);
}

static void
build_fields (TsFilterPopover *self)
{
  g_ptr_array_set_size (self->fields, 0);
  g_clear_object (&self->field_labels);
  self->field_labels = gtk_string_list_new (NULL);
  if (self->project == NULL)
    return;

  add_field (self, "text", _("Any text"), KIND_ANY_TEXT, NULL);
  for (guint i = 0; i < ts_project_get_n_fields (self->project); i++)
    {
      TsField *field = ts_project_get_field (self->project, i);
      FieldKind kind;

      switch (ts_field_get_field_type (field))
        {
        case TS_FIELD_STRING:
        case TS_FIELD_TEXT:
        case TS_FIELD_URL:
          kind = KIND_TEXT;
          break;
        case TS_FIELD_CHOICE:
          kind = KIND_CHOICE;
          break;
        case TS_FIELD_USER:
          kind = KIND_PERSON;
          break;
        case TS_FIELD_INTEGER:
          kind = KIND_INTEGER;
          break;
        case TS_FIELD_DATE:
          kind = KIND_DATE;
          break;
        case TS_FIELD_BOOLEAN:
        default:
          kind = KIND_BOOLEAN;
          break;
        }
      add_field (self, ts_field_get_name (field), ts_field_get_label (field), kind,
                 kind == KIND_CHOICE ? ts_field_get_choices (field) : NULL);
    }
  add_field (self, "key", ts_project_get_label_for (self->project, "key"), KIND_TEXT, NULL);
  add_field (self, "state", ts_project_get_label_for (self->project, "state"), KIND_CHOICE,
             ts_project_get_states (self->project));
  add_field (self, "assigned_to", ts_project_get_label_for (self->project, "assigned_to"), KIND_PERSON, NULL);
  add_field (self, "created_by", ts_project_get_label_for (self->project, "created_by"), KIND_PERSON, NULL);
  add_field (self, "created_at", ts_project_get_label_for (self->project, "created_at"), KIND_INSTANT, NULL);
  add_field (self, "updated_at", ts_project_get_label_for (self->project, "updated_at"), KIND_INSTANT, NULL);
  add_field (self, "reached", _("Entered state"), KIND_REACHED, ts_project_get_states (self->project));
}

static FieldInfo *
lookup_field (TsFilterPopover *self,
              const char      *key,
              guint           *position)
{
  for (guint i = 0; i < self->fields->len; i++)
    {
      FieldInfo *info = g_ptr_array_index (self->fields, i);

      if (g_str_equal (info->key, key))
        {
          if (position != NULL)
            *position = i;
          return info;
        }
    }
  return NULL;
}

/* Values */

static gboolean
parse_date (const char *text)
{
  int year, month, day;

  if (strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  for (guint i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (text[i]))
      return FALSE;
  year = atoi (text);
  month = atoi (text + 5);
  day = atoi (text + 8);
  return g_date_valid_dmy (day, month, year);
}

static gboolean
parse_integer (const char *text,
               gint64     *value)
{
  return g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, value, NULL);
}

/* An entry whose text is not what its row needs is marked as an error
 * while one types. */
static void
on_value_changed (GtkEditable *entry,
                  Condition   *condition)
{
  const char *text = gtk_editable_get_text (entry);
  gboolean bad = FALSE;

  if (*text != '\0' && condition->info != NULL)
    {
      if (condition->info->kind == KIND_INTEGER)
        bad = !parse_integer (text, &(gint64) { 0 });
      else if (condition->info->kind == KIND_DATE || condition->info->kind == KIND_INSTANT ||
               condition->info->kind == KIND_REACHED)
        bad = !parse_date (text);
    }

  if (bad)
    gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
}

static GtkWidget *
make_entry (Condition  *condition,
            const char *placeholder,
            const char *name)
{
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), placeholder);
  gtk_editable_set_width_chars (GTK_EDITABLE (entry), 11);
  gtk_widget_set_hexpand (entry, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  g_signal_connect (entry, "changed", G_CALLBACK (on_value_changed), condition);
  gtk_box_append (GTK_BOX (condition->value_box), entry);
  return entry;
}

static GtkDropDown *
make_dropdown (Condition          *condition,
               const char * const *strings,
               const char         *name)
{
  GtkWidget *dropdown = gtk_drop_down_new_from_strings (strings);

  gtk_widget_set_hexpand (dropdown, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (dropdown), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  gtk_box_append (GTK_BOX (condition->value_box), dropdown);
  return GTK_DROP_DOWN (dropdown);
}

static Op
current_op (Condition *condition)
{
  guint position = gtk_drop_down_get_selected (condition->op);
  const Op *ops = kind_ops[condition->info->kind].ops;

  if (position >= kind_ops[condition->info->kind].n_ops)
    return ops[0];
  return ops[position];
}

static void
clear_values (Condition *condition)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (condition->value_box)) != NULL)
    gtk_box_remove (GTK_BOX (condition->value_box), child);
  condition->entry = NULL;
  condition->entry2 = NULL;
  condition->dropdown = NULL;
  g_clear_pointer (&condition->checks, g_ptr_array_unref);
  g_clear_pointer (&condition->logins, g_strfreev);
}

/* The value widgets for the field and operator chosen. */
static void
build_values (Condition *condition)
{
  FieldInfo *info = condition->info;
  Op op = current_op (condition);
  const char *date_hint = _("YYYY-MM-DD");

  clear_values (condition);

  switch (op)
    {
    case OP_EMPTY:
    case OP_NOT_EMPTY:
      return;

    case OP_BETWEEN:
      if (info->kind == KIND_INTEGER)
        {
          condition->entry = make_entry (condition, _("from"), _("Lowest value"));
          condition->entry2 = make_entry (condition, _("to"), _("Highest value"));
        }
      else
        {
          condition->entry = make_entry (condition, date_hint, _("First day"));
          condition->entry2 = make_entry (condition, date_hint, _("Last day"));
        }
      return;

    case OP_REACHED:
      {
        condition->dropdown = make_dropdown (condition, info->choices, _("State"));
        condition->entry = make_entry (condition, _("from YYYY-MM-DD"), _("First day"));
        condition->entry2 = make_entry (condition, _("to YYYY-MM-DD"), _("Last day"));
        return;
      }

    case OP_CONTAINS:
    case OP_NOT_CONTAINS:
    case OP_IS:
    case OP_IS_NOT:
    case OP_ON:
    case OP_GTE:
    case OP_LTE:
    default:
      break;
    }

  switch (info->kind)
    {
    case KIND_CHOICE:
      {
        GtkWidget *flow = gtk_flow_box_new ();

        gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow), GTK_SELECTION_NONE);
        gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (flow), 4);
        gtk_widget_set_hexpand (flow, TRUE);
        gtk_accessible_update_property (GTK_ACCESSIBLE (flow), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Values"), -1);
        condition->checks = g_ptr_array_new ();
        for (guint i = 0; info->choices[i]; i++)
          {
            GtkWidget *check = gtk_check_button_new_with_label (info->choices[i]);

            gtk_flow_box_append (GTK_FLOW_BOX (flow), check);
            g_ptr_array_add (condition->checks, check);
          }
        gtk_box_append (GTK_BOX (condition->value_box), flow);
      }
      break;

    case KIND_PERSON:
      {
        g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
        g_autoptr(GStrvBuilder) logins = g_strv_builder_new ();
        g_auto(GStrv) shown = NULL;
        GListModel *members = condition->popover->members;

        for (guint i = 0; members != NULL && i < g_list_model_get_n_items (members); i++)
          {
            g_autoptr(TsMember) member = g_list_model_get_item (members, i);
            g_autofree char *name = NULL;

            name = ts_member_has_display_name (member)
                   ? g_strdup_printf ("%s (%s)", ts_member_get_display_name (member), ts_member_get_login (member))
                   : g_strdup (ts_member_get_login (member));
            g_strv_builder_add (names, name);
            g_strv_builder_add (logins, ts_member_get_login (member));
          }
        shown = g_strv_builder_end (names);
        condition->logins = g_strv_builder_end (logins);
        condition->dropdown = make_dropdown (condition, (const char * const *)shown, _("Person"));
      }
      break;

    case KIND_BOOLEAN:
      {
        const char *strings[] = { _("Yes"), _("No"), NULL };

        condition->dropdown = make_dropdown (condition, strings, _("Value"));
      }
      break;

    case KIND_INTEGER:
      condition->entry = make_entry (condition, _("a whole number"), _("Value"));
      break;

    case KIND_DATE:
    case KIND_INSTANT:
      condition->entry = make_entry (condition, date_hint, _("Day"));
      break;

    case KIND_TEXT:
    case KIND_ANY_TEXT:
    case KIND_REACHED:
    default:
      condition->entry = make_entry (condition, _("text"), _("Value"));
      break;
    }
}

static void
on_op_changed (Condition *condition)
{
  if (!condition->building)
    build_values (condition);
}

static void
set_ops (Condition *condition)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  FieldKind kind = condition->info->kind;

  for (guint i = 0; i < kind_ops[kind].n_ops; i++)
    gtk_string_list_append (labels, op_label (kind_ops[kind].ops[i], kind));

  condition->building = TRUE;
  gtk_drop_down_set_model (condition->op, G_LIST_MODEL (labels));
  gtk_drop_down_set_selected (condition->op, 0);
  condition->building = FALSE;
  build_values (condition);
}

static void
on_field_changed (Condition *condition)
{
  guint position = gtk_drop_down_get_selected (condition->field);

  if (condition->building || position >= condition->popover->fields->len)
    return;
  condition->info = g_ptr_array_index (condition->popover->fields, position);
  set_ops (condition);
}

/* Rows */

static void
update_empty (TsFilterPopover *self)
{
  gtk_widget_set_visible (self->empty_label, self->conditions->len == 0);
}

static void
on_remove_clicked (GtkButton *button,
                   Condition *condition)
{
  TsFilterPopover *self = condition->popover;

  gtk_box_remove (self->rows, condition->row);
  g_ptr_array_remove (self->conditions, condition);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  update_empty (self);
}

static Condition *
add_condition (TsFilterPopover *self,
               guint            field_position)
{
  Condition *condition = g_new0 (Condition, 1);
  GtkWidget *remove = gtk_button_new_from_icon_name ("list-remove-symbolic");

  condition->popover = self;
  condition->row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_add_css_class (condition->row, "filter-condition");

  condition->field = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (self->field_labels)), NULL));
  gtk_drop_down_set_expression (condition->field, gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string"));
  gtk_drop_down_set_enable_search (condition->field, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (condition->field), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Field"), -1);
  gtk_widget_set_valign (GTK_WIDGET (condition->field), GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (condition->row), GTK_WIDGET (condition->field));

  condition->op = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
  gtk_accessible_update_property (GTK_ACCESSIBLE (condition->op), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Condition"), -1);
  gtk_widget_set_valign (GTK_WIDGET (condition->op), GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (condition->row), GTK_WIDGET (condition->op));

  condition->value_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_hexpand (condition->value_box, TRUE);
  gtk_box_append (GTK_BOX (condition->row), condition->value_box);

  gtk_widget_set_tooltip_text (remove, _("Remove Condition"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Remove Condition"), -1);
  gtk_widget_set_valign (remove, GTK_ALIGN_START);
  gtk_widget_add_css_class (remove, "flat");
  g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_clicked), condition);
  gtk_box_append (GTK_BOX (condition->row), remove);

  condition->building = TRUE;
  gtk_drop_down_set_selected (condition->field, field_position);
  condition->building = FALSE;
  condition->info = g_ptr_array_index (self->fields, field_position);
  g_signal_connect_swapped (condition->field, "notify::selected", G_CALLBACK (on_field_changed), condition);
  g_signal_connect_swapped (condition->op, "notify::selected", G_CALLBACK (on_op_changed), condition);
  set_ops (condition);

  g_ptr_array_add (self->conditions, condition);
  gtk_box_append (self->rows, condition->row);
  update_empty (self);
  return condition;
}

/* A condition with no row of its own: shown as the query says it. */
static void
add_raw_condition (TsFilterPopover *self,
                   const char      *key,
                   JsonNode        *value)
{
  Condition *condition = g_new0 (Condition, 1);
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *query = NULL;
  GtkWidget *label, *remove;

  json_object_set_member (object, key, json_node_copy (value));
  json_node_set_object (node, object);
  query = ts_query_format (self->project, node);

  condition->popover = self;
  condition->raw_key = g_strdup (key);
  condition->raw = json_node_copy (value);
  condition->row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_add_css_class (condition->row, "filter-condition");

  label = gtk_label_new (query);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_tooltip_text (label, _("Kept as typed: change it in the search entry"));
  gtk_widget_add_css_class (label, "monospace");
  gtk_box_append (GTK_BOX (condition->row), label);

  remove = gtk_button_new_from_icon_name ("list-remove-symbolic");
  gtk_widget_set_tooltip_text (remove, _("Remove Condition"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Remove Condition"), -1);
  gtk_widget_add_css_class (remove, "flat");
  g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_clicked), condition);
  gtk_box_append (GTK_BOX (condition->row), remove);

  g_ptr_array_add (self->conditions, condition);
  gtk_box_append (self->rows, condition->row);
  update_empty (self);
}

static void
remove_all (TsFilterPopover *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->rows))) != NULL)
    gtk_box_remove (self->rows, child);
  g_ptr_array_set_size (self->conditions, 0);
  update_empty (self);
}

/* From a filter to rows */

static gboolean
select_op (Condition *condition,
           Op         op)
{
  FieldKind kind = condition->info->kind;

  for (guint i = 0; i < kind_ops[kind].n_ops; i++)
    if (kind_ops[kind].ops[i] == op)
      {
        gtk_drop_down_set_selected (condition->op, i);
        build_values (condition);
        return TRUE;
      }
  return FALSE;
}

static const char *
node_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
         ? json_node_get_string (node) : NULL;
}

static gboolean
node_is_integer (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
}

/* Writes @node (a scalar) into the value widgets; FALSE when they cannot
 * hold it. */
static gboolean
show_scalar (Condition *condition,
             GtkWidget *entry,
             JsonNode  *node)
{
  FieldKind kind = condition->info->kind;

  if (entry != NULL)
    {
      g_autofree char *text = NULL;

      if (kind == KIND_INTEGER && node_is_integer (node))
        text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      else if (kind != KIND_INTEGER && node_string (node) != NULL)
        text = g_strdup (node_string (node));
      else
        return FALSE;
      /* Instants other than whole days have no row. */
      if ((kind == KIND_DATE || kind == KIND_INSTANT) && !parse_date (text))
        return FALSE;
      gtk_editable_set_text (GTK_EDITABLE (entry), text);
      return TRUE;
    }

  if (kind == KIND_BOOLEAN && condition->dropdown != NULL && node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    {
      gtk_drop_down_set_selected (condition->dropdown, json_node_get_boolean (node) ? 0 : 1);
      return TRUE;
    }

  if (kind == KIND_PERSON && condition->dropdown != NULL && node_string (node) != NULL)
    {
      for (guint i = 0; condition->logins && condition->logins[i]; i++)
        if (g_str_equal (condition->logins[i], node_string (node)))
          {
            gtk_drop_down_set_selected (condition->dropdown, i);
            return TRUE;
          }
      return FALSE;
    }

  if (kind == KIND_CHOICE && condition->checks != NULL)
    {
      g_autoptr(JsonArray) single = NULL;
      JsonArray *values;
      guint found = 0;

      if (JSON_NODE_HOLDS_ARRAY (node))
        values = json_node_get_array (node);
      else
        {
          single = json_array_new ();
          json_array_add_element (single, json_node_copy (node));
          values = single;
        }

      for (guint v = 0; v < json_array_get_length (values); v++)
        {
          const char *value = node_string (json_array_get_element (values, v));
          gboolean matched = FALSE;

          for (guint i = 0; value != NULL && i < condition->checks->len; i++)
            if (g_str_equal (gtk_check_button_get_label (g_ptr_array_index (condition->checks, i)), value))
              {
                gtk_check_button_set_active (g_ptr_array_index (condition->checks, i), TRUE);
                matched = TRUE;
              }
          /* An old value no longer among the choices has no check box. */
          if (!matched)
            return FALSE;
          found++;
        }
      return found > 0;
    }

  return FALSE;
}

/* Words to find, one or a list, into the row's entry, separated by
 * spaces; FALSE for a phrase with a space in it, which the entry could
 * not tell from two words. */
static gboolean
show_words (Condition *condition,
            JsonNode  *node)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (node_string (node) != NULL)
    {
      if (strpbrk (node_string (node), " \t") != NULL)
        return FALSE;
      g_string_append (text, node_string (node));
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *words = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (words); i++)
        {
          const char *word = node_string (json_array_get_element (words, i));

          if (word == NULL || *word == '\0' || strpbrk (word, " \t") != NULL)
            return FALSE;
          g_string_append_printf (text, "%s%s", i ? " " : "", word);
        }
    }
  else
    return FALSE;

  if (condition->entry == NULL || text->len == 0)
    return FALSE;
  gtk_editable_set_text (GTK_EDITABLE (condition->entry), text->str);
  return TRUE;
}

/* Makes the row for @key: @value; FALSE when no row can show it. */
static gboolean
show_condition (TsFilterPopover *self,
                const char      *key,
                JsonNode        *value)
{
  guint position;
  FieldInfo *info = lookup_field (self, key, &position);
  Condition *condition;
  JsonObject *object;
  gboolean ok = FALSE;

  if (info == NULL)
    return FALSE;

  condition = add_condition (self, position);
  object = JSON_NODE_HOLDS_OBJECT (value) ? json_node_get_object (value) : NULL;

  if (object == NULL)
    {
      /* A scalar or a list: equality. */
      if (JSON_NODE_HOLDS_ARRAY (value) && info->kind != KIND_CHOICE)
        ok = FALSE;
      else if (info->kind == KIND_DATE)
        ok = select_op (condition, OP_ON) && show_scalar (condition, condition->entry, value);
      else if (info->kind == KIND_ANY_TEXT)
        /* Text to find, as one word or a phrase. */
        ok = select_op (condition, OP_CONTAINS) && show_words (condition, value);
      else if (info->kind == KIND_INSTANT || info->kind == KIND_REACHED)
        ok = FALSE;
      else
        ok = select_op (condition, OP_IS) && show_scalar (condition, condition->entry, value);
    }
  else if (info->kind == KIND_REACHED)
    {
      const char *state = node_string (json_object_get_member (object, "state"));
      guint n = json_object_get_size (object);
      const char *from = json_object_has_member (object, "from") ? node_string (json_object_get_member (object, "from")) : NULL;
      const char *to = json_object_has_member (object, "to") ? node_string (json_object_get_member (object, "to")) : NULL;

      ok = state != NULL && n == 1u + (from != NULL) + (to != NULL) &&
           (from == NULL || parse_date (from)) && (to == NULL || parse_date (to));
      for (guint i = 0; ok && info->choices[i]; i++)
        if (g_str_equal (info->choices[i], state))
          {
            gtk_drop_down_set_selected (condition->dropdown, i);
            break;
          }
      if (ok)
        {
          gtk_editable_set_text (GTK_EDITABLE (condition->entry), from ? from : "");
          gtk_editable_set_text (GTK_EDITABLE (condition->entry2), to ? to : "");
        }
    }
  else if (json_object_get_size (object) == 1)
    {
      g_autoptr(GList) members = json_object_get_members (object);
      const char *name = members->data;
      JsonNode *argument = json_object_get_member (object, name);
      if (g_str_equal (name, "contains"))
        ok = select_op (condition, OP_CONTAINS) && show_words (condition, argument);
      else if (g_str_equal (name, "not_contains"))
        ok = select_op (condition, OP_NOT_CONTAINS) && show_words (condition, argument);
      else if (g_str_equal (name, "empty") && JSON_NODE_HOLDS_VALUE (argument) && json_node_get_boolean (argument))
        ok = select_op (condition, OP_EMPTY);
      else if (g_str_equal (name, "not_empty") && JSON_NODE_HOLDS_VALUE (argument) && json_node_get_boolean (argument))
        ok = select_op (condition, OP_NOT_EMPTY);
      else if (g_str_equal (name, "not") && (info->kind == KIND_CHOICE || !JSON_NODE_HOLDS_ARRAY (argument)))
        ok = select_op (condition, OP_IS_NOT) && show_scalar (condition, condition->entry, argument);
      else if (g_str_equal (name, "gte"))
        ok = select_op (condition, OP_GTE) && show_scalar (condition, condition->entry, argument);
      else if (g_str_equal (name, "lte"))
        ok = select_op (condition, OP_LTE) && show_scalar (condition, condition->entry, argument);
    }
  else if (json_object_get_size (object) == 2 && json_object_has_member (object, "gte") &&
           json_object_has_member (object, "lte"))
    {
      JsonNode *low = json_object_get_member (object, "gte");
      JsonNode *high = json_object_get_member (object, "lte");

      /* One day of an instant is "on" that day. */
      if (info->kind == KIND_INSTANT && node_string (low) && g_strcmp0 (node_string (low), node_string (high)) == 0)
        ok = select_op (condition, OP_ON) && show_scalar (condition, condition->entry, low);
      else
        ok = select_op (condition, OP_BETWEEN) && show_scalar (condition, condition->entry, low) &&
             show_scalar (condition, condition->entry2, high);
    }

  else if (json_object_get_size (object) > 1)
    {
      /* Several operators ("contains" and "not_contains"): a row each,
       * which Apply puts together again. */
      g_autoptr(GList) members = json_object_get_members (object);
      guint first = self->conditions->len;

      gtk_box_remove (self->rows, condition->row);
      g_ptr_array_remove (self->conditions, condition);
      condition = NULL;
      ok = TRUE;
      for (GList *l = members; ok && l; l = l->next)
        {
          g_autoptr(JsonObject) single = json_object_new ();
          g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

          json_object_set_member (single, l->data, json_node_copy (json_object_get_member (object, l->data)));
          json_node_set_object (node, single);
          ok = show_condition (self, key, node);
        }
      while (!ok && self->conditions->len > first)
        {
          Condition *added = g_ptr_array_index (self->conditions, self->conditions->len - 1);

          gtk_box_remove (self->rows, added->row);
          g_ptr_array_remove_index (self->conditions, self->conditions->len - 1);
        }
      update_empty (self);
      return ok;
    }

  if (!ok)
    {
      gtk_box_remove (self->rows, condition->row);
      g_ptr_array_remove (self->conditions, condition);
      update_empty (self);
    }
  return ok;
}

void
ts_filter_popover_set_filter (TsFilterPopover *self,
                              JsonNode        *filter,
                              const char      *problem)
{
  g_return_if_fail (TS_IS_FILTER_POPOVER (self));

  remove_all (self);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);

  if (problem != NULL)
    {
      /* Translators: %s says what is wrong with the query typed */
      g_autofree char *text = g_strdup_printf (_("The query in the search entry cannot be shown here: %s "
                                                 "What you apply here replaces it."), problem);

      gtk_label_set_text (self->problem_label, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), problem != NULL);

  if (self->project == NULL || filter == NULL || !JSON_NODE_HOLDS_OBJECT (filter))
    return;

  {
    g_autoptr(GList) keys = json_object_get_members (json_node_get_object (filter));

    for (GList *l = keys; l; l = l->next)
      {
        JsonNode *value = json_object_get_member (json_node_get_object (filter), l->data);

        if (!show_condition (self, l->data, value))
          add_raw_condition (self, l->data, value);
      }
  }
}

/* From rows to a filter */

static JsonNode *
string_node (const char *text)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, text);
  return node;
}

static JsonNode *
object_node (const char *name,
             JsonNode   *value,
             ...)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  va_list args;

  va_start (args, value);
  while (name != NULL)
    {
      if (value != NULL)
        json_object_set_member (object, name, value);
      name = va_arg (args, const char *);
      if (name != NULL)
        value = va_arg (args, JsonNode *);
    }
  va_end (args);
  json_node_take_object (node, object);
  return node;
}

static JsonNode *
entry_value (Condition  *condition,
             GtkWidget  *entry,
             gboolean    optional,
             GError    **error)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  FieldKind kind = condition->info->kind;
  gint64 number;

  if (*trimmed == '\0')
    {
      if (optional)
        return NULL;
      g_set_error (error, TS_FILTER_POPOVER_ERROR, 0,
                   /* Translators: %s is a field's label */
                   _("“%s” needs a value: type one, or remove the condition."), condition->info->label);
      return NULL;
    }

  if (kind == KIND_INTEGER)
    {
      JsonNode *node;

      if (!parse_integer (trimmed, &number))
        {
          g_set_error (error, TS_FILTER_POPOVER_ERROR, 0,
                       _("“%s” for “%s” is not a whole number: write digits only, such as 12."),
                       trimmed, condition->info->label);
          return NULL;
        }
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_int (node, number);
      return node;
    }

  if ((kind == KIND_DATE || kind == KIND_INSTANT || kind == KIND_REACHED) && !parse_date (trimmed))
    {
      g_set_error (error, TS_FILTER_POPOVER_ERROR, 0,
                   _("“%s” for “%s” is not a day: write YYYY-MM-DD, such as 2018-01-31."),
                   trimmed, condition->info->label);
      return NULL;
    }

  return string_node (trimmed);
}

static JsonNode *
checked_values (Condition  *condition,
                GError    **error)
{
  JsonArray *values = json_array_new ();
  JsonNode *node;

  for (guint i = 0; i < condition->checks->len; i++)
    if (gtk_check_button_get_active (g_ptr_array_index (condition->checks, i)))
      json_array_add_string_element (values, gtk_check_button_get_label (g_ptr_array_index (condition->checks, i)));

  if (json_array_get_length (values) == 0)
    {
      json_array_unref (values);
      g_set_error (error, TS_FILTER_POPOVER_ERROR, 0,
                   _("Tick at least one value for “%s”, or remove the condition."), condition->info->label);
      return NULL;
    }

  /* One value is equality, several "one of". */
  if (json_array_get_length (values) == 1)
    {
      node = json_node_copy (json_array_get_element (values, 0));
      json_array_unref (values);
      return node;
    }
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, values);
  return node;
}

/* The value of the row's field: what it is (or is not) equal to. */
static JsonNode *
operand (Condition  *condition,
         GError    **error)
{
  switch (condition->info->kind)
    {
    case KIND_CHOICE:
      return checked_values (condition, error);

    case KIND_PERSON:
      {
        guint position = gtk_drop_down_get_selected (condition->dropdown);

        if (condition->logins == NULL || position >= g_strv_length (condition->logins))
          {
            g_set_error (error, TS_FILTER_POPOVER_ERROR, 0,
                         _("Choose a person for “%s”, or remove the condition."), condition->info->label);
            return NULL;
          }
        return string_node (condition->logins[position]);
      }

    case KIND_BOOLEAN:
      {
        JsonNode *node = json_node_new (JSON_NODE_VALUE);

        json_node_set_boolean (node, gtk_drop_down_get_selected (condition->dropdown) == 0);
        return node;
      }

    case KIND_TEXT:
    case KIND_ANY_TEXT:
    case KIND_INTEGER:
    case KIND_DATE:
    case KIND_INSTANT:
    case KIND_REACHED:
    default:
      return entry_value (condition, condition->entry, FALSE, error);
    }
}

/* The words of the row's entry: one, or a list of them all. */
static JsonNode *
words_value (Condition  *condition,
             GError    **error)
{
  JsonNode *text = entry_value (condition, condition->entry, FALSE, error);
  g_auto(GStrv) words = NULL;
  JsonArray *list;
  JsonNode *node;

  if (text == NULL)
    return NULL;
  words = g_regex_split_simple ("\\s+", json_node_get_string (text), 0, 0);
  if (g_strv_length (words) <= 1)
    return text;

  json_node_unref (text);
  list = json_array_new ();
  for (guint i = 0; words[i]; i++)
    if (*words[i] != '\0')
      json_array_add_string_element (list, words[i]);
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, list);
  return node;
}

static JsonNode *
true_node (void)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_boolean (node, TRUE);
  return node;
}

static JsonNode *
condition_value (Condition  *condition,
                 GError    **error)
{
  JsonNode *value, *high;

  if (condition->raw != NULL)
    return json_node_copy (condition->raw);

  switch (current_op (condition))
    {
    case OP_EMPTY:
      return object_node ("empty", true_node (), NULL);

    case OP_NOT_EMPTY:
      return object_node ("not_empty", true_node (), NULL);

    case OP_CONTAINS:
      return (value = words_value (condition, error)) ? object_node ("contains", value, NULL) : NULL;

    case OP_NOT_CONTAINS:
      return (value = words_value (condition, error)) ? object_node ("not_contains", value, NULL) : NULL;

    case OP_IS:
      return operand (condition, error);

    case OP_IS_NOT:
      return (value = operand (condition, error)) ? object_node ("not", value, NULL) : NULL;

    case OP_ON:
      if ((value = operand (condition, error)) == NULL)
        return NULL;
      /* A date field holds a day; an instant is on that day. */
      if (condition->info->kind == KIND_DATE)
        return value;
      return object_node ("gte", value, "lte", json_node_copy (value), NULL);

    case OP_GTE:
      return (value = operand (condition, error)) ? object_node ("gte", value, NULL) : NULL;

    case OP_LTE:
      return (value = operand (condition, error)) ? object_node ("lte", value, NULL) : NULL;

    case OP_BETWEEN:
      if ((value = entry_value (condition, condition->entry, FALSE, error)) == NULL)
        return NULL;
      if ((high = entry_value (condition, condition->entry2, FALSE, error)) == NULL)
        {
          json_node_unref (value);
          return NULL;
        }
      return object_node ("gte", value, "lte", high, NULL);

    case OP_REACHED:
      {
        guint position = gtk_drop_down_get_selected (condition->dropdown);
        GError *local = NULL;
        JsonNode *from = entry_value (condition, condition->entry, TRUE, &local);
        JsonNode *to = local ? NULL : entry_value (condition, condition->entry2, TRUE, &local);

        if (local != NULL)
          {
            g_clear_pointer (&from, json_node_unref);
            g_propagate_error (error, local);
            return NULL;
          }
        return object_node ("state", string_node (condition->info->choices[position]),
                            "from", from, "to", to, NULL);
      }

    default:
      g_assert_not_reached ();
    }
}

JsonNode *
ts_filter_popover_build_filter (TsFilterPopover  *self,
                                GError          **error)
{
  g_autoptr(JsonObject) filter = json_object_new ();
  JsonNode *node;

  g_return_val_if_fail (TS_IS_FILTER_POPOVER (self), NULL);

  for (guint i = 0; i < self->conditions->len; i++)
    {
      Condition *condition = g_ptr_array_index (self->conditions, i);
      const char *key = condition->raw_key ? condition->raw_key : condition->info->key;
      const char *label = condition->info ? condition->info->label : key;
      JsonNode *value = condition_value (condition, error);
      JsonNode *known;

      if (value == NULL)
        return NULL;

      if ((known = json_object_get_member (filter, key)) == NULL)
        {
          json_object_set_member (filter, key, value);
          continue;
        }

      /* Two rows of one field combine when each says something else
       * ("at least" and "at most"); otherwise they cannot both be kept. */
      if (JSON_NODE_HOLDS_OBJECT (known) && JSON_NODE_HOLDS_OBJECT (value) && !g_str_equal (key, "reached"))
        {
          g_autoptr(GList) names = json_object_get_members (json_node_get_object (value));
          gboolean clash = FALSE;

          for (GList *l = names; l; l = l->next)
            clash |= json_object_has_member (json_node_get_object (known), l->data);
          if (!clash)
            {
              for (GList *l = names; l; l = l->next)
                json_object_set_member (json_node_get_object (known), l->data,
                                        json_node_copy (json_object_get_member (json_node_get_object (value), l->data)));
              json_node_unref (value);
              continue;
            }
        }

      json_node_unref (value);
      g_set_error (error, TS_FILTER_POPOVER_ERROR, 0,
                   _("“%s” has two conditions that cannot be combined: remove one of them."), label);
      return NULL;
    }

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, filter);
  return node;
}

/* Buttons */

static void
on_add_clicked (TsFilterPopover *self)
{
  Condition *condition;
  guint position = 0;

  if (self->project == NULL)
    return;

  /* The summary first: what people look for most. */
  lookup_field (self, ts_project_get_summary_field (self->project), &position);
  condition = add_condition (self, position);
  gtk_widget_grab_focus (GTK_WIDGET (condition->field));
}

static void
on_apply_clicked (TsFilterPopover *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) filter = ts_filter_popover_build_filter (self, &error);

  if (filter == NULL)
    {
      gtk_label_set_text (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  g_signal_emit (self, signals[APPLY], 0, filter);
}

/* The object */

static void
ts_filter_popover_dispose (GObject *object)
{
  TsFilterPopover *self = (TsFilterPopover *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), TS_TYPE_FILTER_POPOVER);
  g_clear_pointer (&self->conditions, g_ptr_array_unref);
  g_clear_object (&self->members);
  g_clear_object (&self->project);
  g_clear_object (&self->field_labels);

  G_OBJECT_CLASS (ts_filter_popover_parent_class)->dispose (object);
}

static void
ts_filter_popover_finalize (GObject *object)
{
  TsFilterPopover *self = (TsFilterPopover *)object;

  g_clear_pointer (&self->fields, g_ptr_array_unref);

  G_OBJECT_CLASS (ts_filter_popover_parent_class)->finalize (object);
}

static void
ts_filter_popover_class_init (TsFilterPopoverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ts_filter_popover_dispose;
  object_class->finalize = ts_filter_popover_finalize;

  signals[APPLY] =
    g_signal_new ("apply", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, JSON_TYPE_NODE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tasksteper/TaskSteper/ts-filter-popover.ui");
  gtk_widget_class_bind_template_child (widget_class, TsFilterPopover, problem_label);
  gtk_widget_class_bind_template_child (widget_class, TsFilterPopover, empty_label);
  gtk_widget_class_bind_template_child (widget_class, TsFilterPopover, rows);
  gtk_widget_class_bind_template_child (widget_class, TsFilterPopover, error_label);
  gtk_widget_class_bind_template_child (widget_class, TsFilterPopover, add_button);
  gtk_widget_class_bind_template_child (widget_class, TsFilterPopover, apply_button);
  gtk_widget_class_bind_template_callback (widget_class, on_add_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_apply_clicked);
}

static void
ts_filter_popover_init (TsFilterPopover *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->fields = g_ptr_array_new_with_free_func (field_info_free);
  self->conditions = g_ptr_array_new_with_free_func (condition_free);
  self->field_labels = gtk_string_list_new (NULL);
}

GtkWidget *
ts_filter_popover_new (void)
{
  return g_object_new (TS_TYPE_FILTER_POPOVER, NULL);
}

void
ts_filter_popover_set_project (TsFilterPopover *self,
                               TsProject       *project)
{
  g_return_if_fail (TS_IS_FILTER_POPOVER (self));
  g_return_if_fail (project == NULL || TS_IS_PROJECT (project));

  remove_all (self);
  g_set_object (&self->project, project);
  build_fields (self);
}

void
ts_filter_popover_set_members (TsFilterPopover *self,
                               GListModel      *members)
{
  g_return_if_fail (TS_IS_FILTER_POPOVER (self));
  g_set_object (&self->members, members);
}
