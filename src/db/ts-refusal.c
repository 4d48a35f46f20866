/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-refusal"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ts-refusal.h"

/* Sentences are composed here from the facts, never from the server's
 * words: the server speaks English (or its lc_messages), the person
 * reading them may not.  A kind the server adds later, or facts missing,
 * fall back to the server's own message, which the caller has. */

JsonObject *
ts_refusal_parse_detail (const char *detail)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;
  JsonNode *kind;

  if (detail == NULL || *detail != '{')
    return NULL;

  node = json_from_string (detail, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  object = json_node_get_object (node);
  kind = json_object_get_member (object, "ts");
  if (kind == NULL || !JSON_NODE_HOLDS_VALUE (kind) || json_node_get_value_type (kind) != G_TYPE_STRING)
    return NULL;

  return json_object_ref (object);
}

/* The string @name of @facts, or NULL. */
static const char *
fact (JsonObject *facts,
      const char *name)
{
  JsonNode *node = json_object_get_member (facts, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* The whole number @name of @facts (given as a number or as its digits). */
static gboolean
fact_int (JsonObject *facts,
          const char *name,
          gint64     *value)
{
  JsonNode *node = json_object_get_member (facts, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *value = json_node_get_int (node);
      return TRUE;
    }

  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_ascii_string_to_signed (json_node_get_string (node), 10, G_MININT64, G_MAXINT64, value, NULL);

  return FALSE;
}

/* The field's label, else its name. */
static const char *
label_of (JsonObject *facts)
{
  const char *label = fact (facts, "label");

  return label != NULL ? label : fact (facts, "field");
}

/* "A, B, C" ("A、B、C" in Chinese): the choices of a choice field. */
static char *
join_choices (JsonObject *facts)
{
  JsonNode *node = json_object_get_member (facts, "choices");
  g_autoptr(GString) list = g_string_new (NULL);
  JsonArray *choices;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;

  choices = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (choices); i++)
    {
      JsonNode *choice = json_array_get_element (choices, i);

      if (!JSON_NODE_HOLDS_VALUE (choice) || json_node_get_value_type (choice) != G_TYPE_STRING)
        continue;
      if (list->len > 0)
        /* TRANSLATORS: between the choices of a field: "一般问题、严重问题" */
        g_string_append (list, _(", "));
      g_string_append_printf (list, _("“%s”"), json_node_get_string (choice));
    }

  return g_string_free (g_steal_pointer (&list), FALSE);
}

char *
ts_refusal_describe (const char *kind,
                     JsonObject *facts)
{
  const char *label;
  const char *trigger;
  const char *state;
  const char *value;
  const char *key;

  g_return_val_if_fail (kind != NULL, NULL);
  g_return_val_if_fail (facts != NULL, NULL);

  label = label_of (facts);
  trigger = fact (facts, "trigger");
  state = fact (facts, "state");
  value = fact (facts, "value");
  key = fact (facts, "key");

  /* TS428 */
  if (g_str_equal (kind, "required") && label != NULL)
    {
      if (trigger != NULL)
        /* TRANSLATORS: a required field (label) before a trigger button can be pressed */
        return g_strdup_printf (_("“%s” is required before “%s”: fill it in"), label, trigger);
      return g_strdup_printf (_("“%s” is required: fill it in"), label);
    }

  if (g_str_equal (kind, "assignee_empty") && label != NULL && trigger != NULL)
    return g_strdup_printf (_("“%s” goes to the person in “%s”, which is empty: fill it in first"),
                            trigger, label);

  /* TS412 */
  if (g_str_equal (kind, "condition") && label != NULL && trigger != NULL)
    /* TRANSLATORS: a trigger button, then the field its condition tests */
    return g_strdup_printf (_("“%s” is not possible now: the condition on “%s” does not hold"),
                            trigger, label);

  /* TS410 */
  if (g_str_equal (kind, "no_trigger") && trigger != NULL && state != NULL)
    /* TRANSLATORS: a trigger button, then the ticket's state */
    return g_strdup_printf (_("“%s” is not possible in the state “%s”: reload the ticket to see what is"),
                            trigger, state);

  /* TS409 */
  if (g_str_equal (kind, "stale") && key != NULL)
    /* TRANSLATORS: %s is a ticket's key, such as question_3 */
    return g_strdup_printf (_("Someone else changed %s meanwhile: reload it and apply your edits again"),
                            key);

  /* TS403 */
  if (g_str_equal (kind, "not_assignee") && key != NULL && fact (facts, "assignee") != NULL)
    {
      const char *name = fact (facts, "assignee_name");

      /* TRANSLATORS: a ticket's key, then the person who holds it */
      return g_strdup_printf (_("%s may only be changed by %s, who holds it"),
                              key, name != NULL ? name : fact (facts, "assignee"));
    }

  /* TS404 */
  if (g_str_equal (kind, "no_ticket"))
    return g_strdup (_("This ticket does not exist, or you may no longer see it"));
  if (g_str_equal (kind, "no_project") && fact (facts, "project") != NULL)
    return g_strdup_printf (_("There is no project “%s” that you are a member of"), fact (facts, "project"));

  /* TS503 */
  if (g_str_equal (kind, "busy"))
    return g_strdup (_("The server is busy and nothing was changed: try again"));

  /* TS422: the fields sent */
  if (g_str_equal (kind, "not_an_object"))
    return g_strdup (_("The ticket’s values were not sent as they should be: nothing was changed"));

  if (g_str_equal (kind, "unknown_field") && label != NULL)
    return g_strdup_printf (_("This project has no field “%s”"), label);

  if (g_str_equal (kind, "read_only") && label != NULL)
    return g_strdup_printf (_("“%s” is read-only: only a trigger sets it"), label);

  if (g_str_equal (kind, "not_a_member") && label != NULL && fact (facts, "login") != NULL)
    /* TRANSLATORS: a user field, then the login it names */
    return g_strdup_printf (_("“%s” names %s, who is not a member of this project: pick one of its members"),
                            label, fact (facts, "login"));

  /* TS422: one value */
  if (label == NULL)
    return NULL;

  if (g_str_equal (kind, "not_boolean"))
    return g_strdup_printf (_("“%s” must be checked or unchecked"), label);

  if (g_str_equal (kind, "not_integer"))
    return g_strdup_printf (_("“%s” must be a whole number"), label);

  if (g_str_equal (kind, "out_of_range") && value != NULL && fact (facts, "min") != NULL
      && fact (facts, "max") != NULL)
    /* TRANSLATORS: a field, its smallest and largest value, then the value given */
    return g_strdup_printf (_("“%s” must be between %s and %s, not %s"),
                            label, fact (facts, "min"), fact (facts, "max"), value);

  if (g_str_equal (kind, "not_string"))
    return g_strdup_printf (_("“%s” must be text"), label);

  if (g_str_equal (kind, "line_breaks"))
    return g_strdup_printf (_("“%s” is a single line: remove the line breaks"), label);

  if (g_str_equal (kind, "too_long"))
    {
      gint64 length, max_length;

      if (fact_int (facts, "length", &length) && fact_int (facts, "max_length", &max_length)
          && length > max_length)
        {
          int over = (int) MIN (length - max_length, G_MAXINT);

          /* TRANSLATORS: a field, how many characters too many it has, and
           * how many it may have */
          return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                               "“%s” is %d character too long: it may have at most %d",
                                               "“%s” is %d characters too long: it may have at most %d",
                                               over),
                                  label, over, (int) MIN (max_length, G_MAXINT));
        }
      return NULL;
    }

  if (g_str_equal (kind, "not_a_choice") && value != NULL)
    {
      g_autofree char *choices = join_choices (facts);

      if (choices == NULL)
        return NULL;
      /* TRANSLATORS: a field, its choices, then the value given */
      return g_strdup_printf (_("“%s” must be one of %s, not “%s”"), label, choices, value);
    }

  if (g_str_equal (kind, "not_a_date") && value != NULL)
    return g_strdup_printf (_("“%s” must be a date such as 2018-01-28, not “%s”"), label, value);

  if (g_str_equal (kind, "not_a_link") && value != NULL)
    return g_strdup_printf (_("“%s” must be a link such as https://example.com/bug/1, not “%s”"),
                            label, value);

  if (g_str_equal (kind, "not_a_login"))
    return g_strdup_printf (_("“%s” must name a person by their login"), label);

  return NULL;
}
