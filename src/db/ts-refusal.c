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

/* The project's title, else its name. */
static const char *
project_of (JsonObject *facts)
{
  const char *title = fact (facts, "title");

  return title != NULL ? title : fact (facts, "project");
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

  if (g_str_equal (kind, "comment_required") && trigger != NULL)
    {
      if (key != NULL)
        /* TRANSLATORS: a trigger button, then a ticket's key such as question_3 */
        return g_strdup_printf (_("“%s” needs a comment on %s: write one saying why, then press it again"),
                                trigger, key);
      /* TRANSLATORS: a trigger button */
      return g_strdup_printf (_("“%s” needs a comment: write one saying why, then press it again"),
                              trigger);
    }

  /* TS422 of add_comment() and fire() */
  if (g_str_equal (kind, "comment_empty"))
    return g_strdup (_("The comment is empty: write something in it, then send it again."));

  if (g_str_equal (kind, "comment_too_long"))
    {
      gint64 length, max_length;

      if (fact_int (facts, "length", &length) && fact_int (facts, "max_length", &max_length))
        /* TRANSLATORS: the comment's length, then the most it may have, in characters */
        return g_strdup_printf (_("The comment is %d characters long; it may have at most %d. Shorten it, then send it again."),
                                (int) MIN (length, G_MAXINT), (int) MIN (max_length, G_MAXINT));
      return g_strdup (_("The comment is too long: shorten it, then send it again."));
    }

  if (g_str_equal (kind, "assignee_empty") && label != NULL && trigger != NULL)
    return g_strdup_printf (_("“%s” goes to the person in “%s”, which is empty: fill it in first"),
                            trigger, label);

  /* TS428, since version 10: the rules of a state (state_rules) */
  if (g_str_equal (kind, "required_in_state") && label != NULL && state != NULL)
    {
      if (trigger != NULL)
        /* TRANSLATORS: a trigger button, the state it leads to, then a field's label */
        return g_strdup_printf (_("“%s” leads to “%s”, where “%s” is required: fill it in first, then try again"),
                                trigger, state, label);
      /* TRANSLATORS: a field's label, then the ticket's state */
      return g_strdup_printf (_("“%s” is required while the ticket is in “%s”: fill it in before saving"),
                              label, state);
    }

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

  /* Saved searches: TS409, TS404 and TS422 of save_search(),
   * rename_search(), delete_search().  "title" is the project's title,
   * when the caller knows it; "own" whether the search in the way is the
   * caller's. */
  if (g_str_equal (kind, "name_taken") && fact (facts, "name") != NULL && project_of (facts) != NULL)
    {
      const char *name = fact (facts, "name");
      const char *owner = fact (facts, "owner");

      if (json_object_get_boolean_member_with_default (facts, "own", FALSE))
        /* TRANSLATORS: a saved search's name, then a project's title */
        return g_strdup_printf (_("You already have a saved search called “%s” in %s. Choose another name, or delete that search first."),
                                name, project_of (facts));
      if (owner != NULL)
        /* TRANSLATORS: a login, a saved search's name, then a project's title */
        return g_strdup_printf (_("%s already shares a search called “%s” in %s. Choose another name, or keep yours private."),
                                owner, name, project_of (facts));
      return g_strdup_printf (_("A shared search called “%s” already exists in %s. Choose another name."),
                              name, project_of (facts));
    }

  if (g_str_equal (kind, "no_search") && fact (facts, "name") != NULL && project_of (facts) != NULL)
    /* TRANSLATORS: a saved search's name, then a project's title */
    return g_strdup_printf (_("You have no saved search called “%s” in %s: it may have been renamed or deleted meanwhile. Reload the list of saved searches."),
                            fact (facts, "name"), project_of (facts));

  if (g_str_equal (kind, "blank_name"))
    return g_strdup (_("A saved search needs a name that is not only spaces. Type a name for it."));

  if (g_str_equal (kind, "too_long") &&
      (g_strcmp0 (fact (facts, "field"), "name") == 0 || g_strcmp0 (fact (facts, "field"), "new_name") == 0 ||
       g_strcmp0 (fact (facts, "field"), "query") == 0))
    {
      gint64 length = 0, max_length = 0;

      if (!fact_int (facts, "length", &length) || !fact_int (facts, "max_length", &max_length))
        return NULL;
      if (g_str_equal (fact (facts, "field"), "query"))
        /* TRANSLATORS: the most characters a saved search's query may have, then how many it has */
        return g_strdup_printf (_("A saved search’s query may have at most %d characters; this one has %d. Shorten it."),
                                (int) MIN (max_length, G_MAXINT), (int) MIN (length, G_MAXINT));
      return g_strdup_printf (_("A saved search’s name may have at most %d characters; this one has %d. Shorten it."),
                              (int) MIN (max_length, G_MAXINT), (int) MIN (length, G_MAXINT));
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

  /* TS422, since version 10 */
  if (g_str_equal (kind, "read_only_in_state") && label != NULL && state != NULL)
    /* TRANSLATORS: a field's label, then the ticket's state */
    return g_strdup_printf (_("“%s” cannot be changed while the ticket is in “%s”: undo your change to it, then save again"),
                            label, state);

  if (g_str_equal (kind, "not_allowed_for_parent") && label != NULL && value != NULL)
    {
      const char *parent_label = fact (facts, "parent_label") != NULL ? fact (facts, "parent_label")
                                                                       : fact (facts, "parent");
      const char *parent_value = fact (facts, "parent_value");
      g_autofree char *choices = join_choices (facts);

      if (parent_label == NULL)
        return NULL;
      if (parent_value == NULL || *parent_value == '\0')
        /* TRANSLATORS: a field, its value, then the field it depends on (empty) */
        return g_strdup_printf (_("“%s” cannot be “%s” while “%s” is empty: choose “%s” first"),
                                label, value, parent_label, parent_label);
      if (choices == NULL || *choices == '\0')
        /* TRANSLATORS: a field, its value, then the field it depends on and that field's value */
        return g_strdup_printf (_("“%s” cannot be “%s” when “%s” is “%s”, which allows no choice for it: leave “%s” empty"),
                                label, value, parent_label, parent_value, label);
      /* TRANSLATORS: a field, its value, the field it depends on, that field's value, then the choices allowed */
      return g_strdup_printf (_("“%s” cannot be “%s” when “%s” is “%s”: choose one of %s"),
                              label, value, parent_label, parent_value, choices);
    }

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

char *
ts_refusal_describe_filter (const char *kind,
                            JsonObject *facts)
{
  const char *label;
  const char *field;
  const char *operator;
  const char *expected;
  const char *value;
  const char *what = NULL;

  g_return_val_if_fail (kind != NULL, NULL);
  g_return_val_if_fail (facts != NULL, NULL);

  label = label_of (facts);
  field = fact (facts, "field");
  operator = fact (facts, "operator");
  expected = fact (facts, "expected");
  value = fact (facts, "value");

  /* TS444 (ticket_counts) */
  if (g_str_equal (kind, "group_by") && label != NULL)
    /* TRANSLATORS: a field's label; "true/false" is a kind of field */
    return g_strdup_printf (_("Tickets cannot be counted by “%s”: only the state, the assignee, or a choice, user or true/false field sorts them into groups. Choose one of those."),
                            label);

  /* The sort; the other parameters (the cursor, the limit) are the
   * program's to get right, and the server's words say it. */
  if (fact (facts, "parameter") != NULL)
    {
      if (g_str_equal (kind, "unknown_field") && g_str_equal (fact (facts, "parameter"), "p_sort") && field != NULL)
        return g_strdup_printf (_("Tickets cannot be sorted by “%s”: it is not a field of this project. Sort by one of its fields, or by key, state, assignee, creator or a time."),
                                field);
      if (g_str_equal (kind, "unknown_field") && g_str_equal (fact (facts, "parameter"), "p_group_by") && field != NULL)
        /* TRANSLATORS: a statistic's grouping; "true/false" is a kind of field */
        return g_strdup_printf (_("Tickets cannot be counted by “%s”: it is not a field of this project. Count them by state, by assignee, or by a choice, user or true/false field."),
                                field);
      return NULL;
    }

  /* TS440 */
  if (g_str_equal (kind, "unknown_field") && field != NULL)
    /* TRANSLATORS: do not translate the names after "key": they are written as they are */
    return g_strdup_printf (_("The search names “%s”, which is not a field of this project. Use a field’s name (not its label), or key, state, assigned_to, created_by, created_at, updated_at, text or reached."),
                            field);

  /* TS441 */
  if (g_str_equal (kind, "bad_operator") && label != NULL)
    {
      if (operator != NULL)
        /* TRANSLATORS: a field, then a search operator such as "contains" or "gte" */
        return g_strdup_printf (_("“%s” cannot be searched with “%s”. Search it another way."), label, operator);
      return g_strdup_printf (_("The search’s condition on “%s” is not one it takes. Change it."), label);
    }

  /* TS442 */
  if (g_str_equal (kind, "bad_value"))
    {
      if (label == NULL)
        return g_strdup (_("A search filter must be an object of fields and what they must hold, such as {\"state\": \"关闭\"}. Change the search."));

      if (g_strcmp0 (expected, "true") == 0 && operator != NULL)
        /* TRANSLATORS: a field, then "empty" or "not_empty" */
        return g_strdup_printf (_("“%s”: “%s” takes only true. For the opposite, use the other one of “empty” and “not_empty”."),
                                label, operator);

      if (g_strcmp0 (expected, "integer") == 0)
        what = _("a whole number");
      else if (g_strcmp0 (expected, "boolean") == 0)
        what = _("true or false");
      else if (g_strcmp0 (expected, "string") == 0)
        what = _("text in quotes");
      else if (g_strcmp0 (expected, "date") == 0)
        what = _("a date written YYYY-MM-DD");
      else if (g_strcmp0 (expected, "instant") == 0)
        what = _("a date written YYYY-MM-DD or a time with its offset");
      else if (g_strcmp0 (expected, "value") == 0)
        what = _("a single value or a list of values");
      else if (g_strcmp0 (expected, "values") == 0)
        what = _("a value or a list of at least one value");
      else if (g_strcmp0 (expected, "words") == 0)
        what = _("a word or a list of words, none of them empty");
      else if (g_strcmp0 (expected, "state") == 0)
        what = _("an object naming the state, such as {\"state\": \"关闭\"}");
      else if (g_strcmp0 (expected, "object") == 0)
        what = _("an object such as {\"state\": \"关闭\", \"from\": \"2018-01-01\", \"to\": \"2018-01-31\"}");

      if (what != NULL)
        /* TRANSLATORS: a field, then what its value must be ("a whole number") */
        return g_strdup_printf (_("What “%s” is searched for must be %s. Change it."), label, what);
      return g_strdup_printf (_("What “%s” is searched for is not something it can hold. Change it."), label);
    }

  /* TS443 */
  if (g_str_equal (kind, "bad_date") && label != NULL)
    {
      if (value != NULL)
        /* TRANSLATORS: a field, then what was written as its date */
        return g_strdup_printf (_("“%s” is searched with “%s”, which is not a day or a time. Write a date that exists as YYYY-MM-DD, such as 2018-01-31."),
                                label, value);
      return g_strdup_printf (_("“%s” is searched with something that is not a day or a time. Write a date that exists as YYYY-MM-DD, such as 2018-01-31."),
                              label);
    }

  return NULL;
}
