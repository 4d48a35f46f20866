/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TsRelayModel: the tables' rows.  A ticket read again is shown in the row
 * a view holds, without a change the view would make new widgets for; any
 * other change is passed on, with the rows after it moved along. */
#include "config.h"

#include <stdio.h>

#include "ts-relay-model.h"

typedef struct
{
  GListStore   *tickets;
  TsRelayModel *relay;
  GString      *changes;   /* "position,removed,added;" for each change passed on */
  guint         notified;
} Fixture;

static TsTicket *
ticket_new (gint64 id,
            gint   version)
{
  TsTicket *ticket = ts_ticket_new ();

  ts_ticket_set_id (ticket, id);
  ts_ticket_set_number (ticket, (gint)id);
  ts_ticket_set_version (ticket, version);
  return ticket;
}

static void
on_changed (GListModel *model,
            guint       position,
            guint       removed,
            guint       added,
            Fixture    *fixture)
{
  g_string_append_printf (fixture->changes, "%u,%u,%u;", position, removed, added);
}

static void
on_notified (TsRelayRow *row,
             GParamSpec *pspec,
             Fixture    *fixture)
{
  fixture->notified++;
}

/* Tickets 1 to 5, version 1, in places 0 to 4. */
static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  quiet)
{
  fixture->tickets = g_list_store_new (TS_TYPE_TICKET);
  for (gint64 id = 1; id <= 5; id++)
    {
      g_autoptr(TsTicket) ticket = ticket_new (id, 1);

      g_list_store_append (fixture->tickets, ticket);
    }
  fixture->relay = ts_relay_model_new (G_LIST_MODEL (fixture->tickets), GPOINTER_TO_INT (quiet));
  fixture->changes = g_string_new (NULL);
  g_signal_connect (fixture->relay, "items-changed", G_CALLBACK (on_changed), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  quiet)
{
  g_clear_object (&fixture->relay);
  g_clear_object (&fixture->tickets);
  g_string_free (fixture->changes, TRUE);
}

static TsRelayRow *
hold (Fixture *fixture,
      guint    position)
{
  TsRelayRow *row = g_list_model_get_item (G_LIST_MODEL (fixture->relay), position);

  g_assert_nonnull (row);
  g_signal_connect (row, "notify::ticket", G_CALLBACK (on_notified), fixture);
  return row;
}

static gint64
id_at (Fixture *fixture,
       guint    position)
{
  g_autoptr(TsRelayRow) row = g_list_model_get_item (G_LIST_MODEL (fixture->relay), position);

  return ts_ticket_get_id (ts_relay_row_get_ticket (row));
}

static void
replace (Fixture  *fixture,
         guint     position,
         TsTicket *ticket)
{
  g_list_store_splice (fixture->tickets, position, 1, (gpointer *)&ticket, 1);
  g_object_unref (ticket);
}

/* A new version of a ticket on screen: the row held there shows it, and
 * nothing is passed on. */
static void
test_in_place (Fixture       *fixture,
               gconstpointer  quiet)
{
  g_autoptr(TsRelayRow) row = hold (fixture, 2);
  g_autoptr(TsRelayRow) again = NULL;
  TsTicket *newer = ticket_new (3, 2);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->relay)), ==, 5);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (fixture->relay)) == TS_TYPE_RELAY_ROW);

  replace (fixture, 2, newer);
  g_assert_cmpstr (fixture->changes->str, ==, "");
  g_assert_cmpuint (fixture->notified, ==, 1);
  g_assert_true (ts_relay_row_get_ticket (row) == newer);
  again = g_list_model_get_item (G_LIST_MODEL (fixture->relay), 2);
  g_assert_true (again == row);

  /* A place no view holds: nothing to show again, nothing passed on; who
   * asks next gets the new ticket. */
  replace (fixture, 4, ticket_new (50, 1));
  g_assert_cmpstr (fixture->changes->str, ==, "");
  g_assert_cmpint (id_at (fixture, 4), ==, 50);
}

/* Another ticket in a place a view holds: passed on, a new row there, the
 * old one left as it was. */
static void
test_other_ticket (Fixture       *fixture,
                   gconstpointer  quiet)
{
  g_autoptr(TsRelayRow) row = hold (fixture, 1);
  g_autoptr(TsRelayRow) now = NULL;

  replace (fixture, 1, ticket_new (99, 1));
  g_assert_cmpstr (fixture->changes->str, ==, "1,1,1;");
  g_assert_cmpuint (fixture->notified, ==, 0);
  g_assert_cmpint (ts_ticket_get_id (ts_relay_row_get_ticket (row)), ==, 2);
  now = g_list_model_get_item (G_LIST_MODEL (fixture->relay), 1);
  g_assert_true (now != row);
  g_assert_cmpint (ts_ticket_get_id (ts_relay_row_get_ticket (now)), ==, 99);
}

/* A ticket put in before: the rows after it keep their tickets, one place
 * further on. */
static void
test_insert_before (Fixture       *fixture,
                    gconstpointer  quiet)
{
  g_autoptr(TsRelayRow) first = hold (fixture, 0);
  g_autoptr(TsRelayRow) third = hold (fixture, 2);
  g_autoptr(TsRelayRow) moved = NULL;
  g_autoptr(TsTicket) newest = ticket_new (6, 1);

  g_list_store_insert (fixture->tickets, 1, newest);
  g_assert_cmpstr (fixture->changes->str, ==, "1,0,1;");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->relay)), ==, 6);
  moved = g_list_model_get_item (G_LIST_MODEL (fixture->relay), 3);
  g_assert_true (moved == third);
  g_assert_cmpint (ts_ticket_get_id (ts_relay_row_get_ticket (moved)), ==, 3);
  g_assert_cmpint (id_at (fixture, 1), ==, 6);
  g_assert_cmpint (id_at (fixture, 0), ==, 1);

  g_list_store_remove (fixture->tickets, 0);
  g_assert_cmpstr (fixture->changes->str, ==, "1,0,1;0,1,0;");
  g_clear_object (&moved);
  moved = g_list_model_get_item (G_LIST_MODEL (fixture->relay), 2);
  g_assert_true (moved == third);
}

/* Two tickets swap places: each row follows its ticket, so a selection
 * on one stays on it. */
static void
test_follow (Fixture       *fixture,
             gconstpointer  quiet)
{
  g_autoptr(TsRelayRow) second = hold (fixture, 1);
  g_autoptr(TsRelayRow) third = hold (fixture, 2);
  g_autoptr(TsRelayRow) at1 = NULL;
  g_autoptr(TsRelayRow) at2 = NULL;
  g_autoptr(TsTicket) two = ticket_new (2, 2);
  g_autoptr(TsTicket) three = ticket_new (3, 1);
  gpointer swapped[] = { three, two };

  g_list_store_splice (fixture->tickets, 1, 2, swapped, 2);
  g_assert_cmpstr (fixture->changes->str, ==, "1,2,2;");
  at1 = g_list_model_get_item (G_LIST_MODEL (fixture->relay), 1);
  at2 = g_list_model_get_item (G_LIST_MODEL (fixture->relay), 2);
  g_assert_true (at1 == third);
  g_assert_true (at2 == second);
  g_assert_true (ts_relay_row_get_ticket (second) == two);
}

/* Without quiet-in-place (a sort model above must see every change) the
 * change is passed on too, with the same row. */
static void
test_loud (Fixture       *fixture,
           gconstpointer  quiet)
{
  g_autoptr(TsRelayRow) row = hold (fixture, 2);
  g_autoptr(TsRelayRow) again = NULL;

  replace (fixture, 2, ticket_new (3, 2));
  g_assert_cmpstr (fixture->changes->str, ==, "2,1,1;");
  g_assert_cmpuint (fixture->notified, ==, 1);
  again = g_list_model_get_item (G_LIST_MODEL (fixture->relay), 2);
  g_assert_true (again == row);

  ts_relay_model_rebind (fixture->relay);
  g_assert_cmpstr (fixture->changes->str, ==, "2,1,1;0,5,5;");
  g_assert_cmpuint (fixture->notified, ==, 2);
}

/* Names arrived: every row held is shown again, quietly. */
static void
test_rebind (Fixture       *fixture,
             gconstpointer  quiet)
{
  g_autoptr(TsRelayRow) first = hold (fixture, 0);
  g_autoptr(TsRelayRow) last = hold (fixture, 4);

  ts_relay_model_rebind (fixture->relay);
  g_assert_cmpstr (fixture->changes->str, ==, "");
  g_assert_cmpuint (fixture->notified, ==, 2);
}

/* A row a view still holds when the model is gone, and rows let go
 * before a change. */
static void
test_lifetimes (Fixture       *fixture,
                gconstpointer  quiet)
{
  TsRelayRow *kept = hold (fixture, 3);
  TsRelayRow *dropped = hold (fixture, 1);

  g_object_unref (dropped);
  replace (fixture, 1, ticket_new (70, 1));
  g_assert_cmpstr (fixture->changes->str, ==, "");
  g_assert_cmpint (id_at (fixture, 1), ==, 70);

  g_clear_object (&fixture->relay);
  g_list_store_remove_all (fixture->tickets);
  g_assert_cmpint (ts_ticket_get_id (ts_relay_row_get_ticket (kept)), ==, 4);
  g_object_unref (kept);
}

static gboolean
all_told (gpointer data)
{
  Fixture *fixture = data;

  return g_list_model_get_n_items (G_LIST_MODEL (fixture->relay)) ==
         g_list_model_get_n_items (G_LIST_MODEL (fixture->tickets));
}

/* Rows added are told of a few at a time, frame after frame, then all at
 * once; a change among those told of meanwhile is passed on as it is. */
static void
test_grow (Fixture       *fixture,
           gconstpointer  quiet)
{
  g_autoptr(GPtrArray) more = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  g_auto(GStrv) steps = NULL;
  guint told = 0;

  for (gint64 id = 6; id <= 1005; id++)
    g_ptr_array_add (more, ticket_new (id, 1));
  g_list_store_splice (fixture->tickets, 5, 0, more->pdata, more->len);
  /* The first step at once. */
  g_assert_cmpstr (fixture->changes->str, ==, "5,0,16;");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->relay)), ==, 21);
  g_assert_cmpint (id_at (fixture, 20), ==, 21);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (fixture->relay), 21));

  /* One told of is gone meanwhile: said at once, the rest still to come. */
  g_list_store_remove (fixture->tickets, 0);
  g_assert_cmpstr (fixture->changes->str, ==, "5,0,16;0,1,0;");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->relay)), ==, 20);
  g_assert_cmpint (id_at (fixture, 0), ==, 2);

  while (!all_told (fixture))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->relay)), ==, 1004);
  g_assert_cmpint (id_at (fixture, 1003), ==, 1005);

  /* Sixteen at a time to 200 or so, then the rest in one. */
  steps = g_strsplit (fixture->changes->str, ";", -1);
  for (guint i = 2; steps[i] != NULL && steps[i][0] != '\0'; i++)
    {
      guint position, removed, added;

      g_assert_cmpint (sscanf (steps[i], "%u,%u,%u", &position, &removed, &added), ==, 3);
      g_assert_cmpuint (position, ==, 20 + told);
      g_assert_cmpuint (removed, ==, 0);
      if (steps[i + 1][0] != '\0')
        g_assert_cmpuint (added, ==, 16);
      else
        g_assert_cmpuint (position, >=, 200);
      told += added;
    }
  g_assert_cmpuint (20 + told, ==, 1004);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, quiet) \
  g_test_add ("/ts/relay-model/" path, Fixture, GINT_TO_POINTER (quiet), fixture_set_up, func, fixture_tear_down)
  ADD ("in-place", test_in_place, TRUE);
  ADD ("other-ticket", test_other_ticket, TRUE);
  ADD ("insert-before", test_insert_before, TRUE);
  ADD ("follow", test_follow, TRUE);
  ADD ("loud", test_loud, FALSE);
  ADD ("rebind", test_rebind, TRUE);
  ADD ("lifetimes", test_lifetimes, TRUE);
  ADD ("grow", test_grow, TRUE);
#undef ADD

  return g_test_run ();
}
