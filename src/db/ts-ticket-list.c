/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-ticket-list"

#include "config.h"

#include "ts-search-private.h"
#include "ts-ticket-list.h"

/* A page is what one query reads. */
#define DEFAULT_PAGE_SIZE 200
/* Pages held; the farthest from what was asked last go first. */
#define DEFAULT_MAX_PAGES 16
/* Page reads in flight at once: a fast scroll asks for many pages, and
 * only the last ones asked for are worth reading. */
#define MAX_READS 2
/* When rows enter, leave or move, these pages (the last asked for: those
 * shown) are read again; the others are dropped. */
#define PAGES_KEPT 2
/* Rows announced in one change, and the time spent announcing in one
 * main-loop iteration.  GTK 4.8 makes a new row of cells for every row it
 * shows that is announced with another object, a few milliseconds a row:
 * a page read or a burst of changes on screen is told a few rows at a
 * time, with frames between, not all in one iteration. */
#define ANNOUNCE_ROWS 2
#define ANNOUNCE_BUDGET_US 8000
/* Notifications come in bursts (an import, a busy team); re-read the
 * changed tickets together a moment later. */
#define COALESCE_MS 100
/* The offline copy is rewritten a while after the last change, not for
 * each one. */
#define SAVE_DELAY_MS 2000

typedef struct
{
  guint         index;
  GPtrArray    *rows;      /* TsTicket: read, or placeholders */
  guint64       used;      /* when get_item() last asked for a row of it */
  GCancellable *read;      /* while it is read */
  guint         wanted : 1; /* to be read (again) */
} Page;

struct _TsTicketList
{
  GObject           parent_instance;

  TsStore          *store;
  TsProject        *project;
  TsTicketListKind  kind;
  char             *sort;
  gboolean          descending;

  guint             n;         /* rows */
  GHashTable       *pages;     /* GUINT_TO_POINTER (index) → Page */
  GHashTable       *cursors;   /* GUINT_TO_POINTER (index) → JsonNode: after that page's last row */
  GHashTable       *by_id;     /* gint64* → TsTicket, borrowed from pages */
  guint64           stamp;
  guint             page_size;
  guint             max_pages;
  guint             n_reading;
  guint             read_id;
  GArray           *replaced;  /* guint: positions holding other objects, to announce */
  guint             announce_id;

  GCancellable     *cancellable; /* counts and re-reads; renewed by a reset */
  GError           *error;
  GError           *saved_error;  /* the offline error, while the saved copy is read */
  guint             started : 1;
  guint             counted : 1;    /* n is the server's count */
  guint             counting : 1;
  guint             refresh_again : 1;
  guint             offline : 1;    /* the saved copy, whole */
  guint             reading_saved : 1;  /* the saved copy is being read */
  guint             loading : 1;
  guint             saved : 1;          /* the saved copy was written once */

  GHashTable       *dirty;     /* gint64* ids to re-read */
  GHashTable       *asked;     /* those being re-read */
  guint             flush_id;
  guint             save_id;

  guint             n_page_queries;
  guint             n_change_queries;
  guint             n_count_queries;
};

static void ts_ticket_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TsTicketList, ts_ticket_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, ts_ticket_list_model_init))

enum {
  PROP_0,
  PROP_LOADING,
  PROP_ERROR,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void schedule_read (TsTicketList *self);
static void schedule_save (TsTicketList *self,
                           guint         delay);
static void refresh (TsTicketList *self);

/* Placeholders */

static GQuark
placeholder_quark (void)
{
  static GQuark quark;

  if (quark == 0)
    quark = g_quark_from_static_string ("ts-ticket-list-placeholder");
  return quark;
}

static TsTicket *
placeholder_new (void)
{
  TsTicket *ticket = ts_ticket_new ();

  g_object_set_qdata (G_OBJECT (ticket), placeholder_quark (), GINT_TO_POINTER (1));
  return ticket;
}

gboolean
ts_ticket_list_is_placeholder (TsTicket *ticket)
{
  g_return_val_if_fail (TS_IS_TICKET (ticket), FALSE);
  return g_object_get_qdata (G_OBJECT (ticket), placeholder_quark ()) != NULL;
}

/* State */

static void
update_loading (TsTicketList *self)
{
  gboolean loading = (self->started && !self->counted && self->error == NULL) ||
                     self->n_reading > 0 || self->counting;

  if (self->loading == !!loading)
    return;

  self->loading = !!loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
set_error (TsTicketList *self,
           GError       *error)
{
  if (self->error == NULL && error == NULL)
    return;

  g_clear_error (&self->error);
  self->error = error;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
items_changed (TsTicketList *self,
               guint         position,
               guint         removed,
               guint         added)
{
  if (removed == 0 && added == 0)
    return;
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  if (removed != added)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/* Pages */

static guint
page_start (TsTicketList *self,
            guint         index)
{
  return index * self->page_size;
}

/* The rows of page @index, as many as the list has. */
static guint
page_rows (TsTicketList *self,
           guint         index)
{
  guint start = page_start (self, index);

  return self->n > start ? MIN (self->page_size, self->n - start) : 0;
}

static void
forget_row (TsTicketList *self,
            TsTicket     *ticket)
{
  gint64 id = ts_ticket_get_id (ticket);

  if (g_hash_table_lookup (self->by_id, &id) == ticket)
    g_hash_table_remove (self->by_id, &id);
}

static void
remember_row (TsTicketList *self,
              TsTicket     *ticket)
{
  gint64 *key;

  if (ts_ticket_list_is_placeholder (ticket))
    return;
  key = g_new (gint64, 1);
  *key = ts_ticket_get_id (ticket);
  g_hash_table_replace (self->by_id, key, ticket);
}

static void
page_free (gpointer data)
{
  Page *page = data;

  g_cancellable_cancel (page->read);
  g_clear_object (&page->read);
  g_ptr_array_unref (page->rows);
  g_free (page);
}

static int
compare_positions (gconstpointer a,
                   gconstpointer b)
{
  guint pa = *(const guint *)a, pb = *(const guint *)b;

  return (pa > pb) - (pa < pb);
}

/* Announces the rows replaced, in order, ANNOUNCE_ROWS at most at a time,
 * for ANNOUNCE_BUDGET_US at most (and at least one change); the rest in
 * the next iterations, frames between. */
static gboolean
announce_replaced (gpointer user_data)
{
  TsTicketList *self = user_data;
  gint64 start = g_get_monotonic_time ();
  gboolean first_run = TRUE;

  while (self->replaced->len > 0 && (first_run || g_get_monotonic_time () - start < ANNOUNCE_BUDGET_US))
    {
      guint first, last, i = 0;

      /* Sorted again each time: a view answering a change may ask for
       * rows, which may drop a page, which adds rows to announce. */
      g_array_sort (self->replaced, compare_positions);
      first = last = g_array_index (self->replaced, guint, 0);
      while (i < self->replaced->len && g_array_index (self->replaced, guint, i) <= last + 1 &&
             g_array_index (self->replaced, guint, i) - first < ANNOUNCE_ROWS)
        {
          last = MAX (last, g_array_index (self->replaced, guint, i));
          i++;
        }
      g_array_remove_range (self->replaced, 0, i);
      first_run = FALSE;

      /* Rows past the end left with an announcement of their own. */
      if (first < self->n)
        items_changed (self, first, MIN (last, self->n - 1) - first + 1, MIN (last, self->n - 1) - first + 1);
    }

  if (self->replaced->len > 0)
    return G_SOURCE_CONTINUE;
  self->announce_id = 0;
  return G_SOURCE_REMOVE;
}

/* Rows @first to @first + @n - 1 hold other objects now: they are
 * announced in a moment, a few at a time (announce_replaced()).  Until
 * then a view shows what it had, which the list may no longer hold. */
static void
rows_replaced (TsTicketList *self,
               guint         first,
               guint         n)
{
  for (guint position = first; position < first + n; position++)
    g_array_append_val (self->replaced, position);
  if (self->announce_id == 0 && self->replaced->len > 0)
    self->announce_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, announce_replaced, self, NULL);
}

/* Drops @page.  Its rows are placeholders now, announced so that a view
 * still holding one asks again: else it would show a row the list no
 * longer has (and a view may hold rows far from those shown, such as the
 * focus row).  Announced later, not now: this runs while a view asks for
 * rows (get_item() makes room for a page), and a list must not change
 * while it is asked. */
static void
drop_page (TsTicketList *self,
           Page         *page)
{
  rows_replaced (self, page_start (self, page->index), page->rows->len);
  for (guint i = 0; i < page->rows->len; i++)
    forget_row (self, g_ptr_array_index (page->rows, i));
  g_hash_table_remove (self->pages, GUINT_TO_POINTER (page->index));
}

/* Drops every page; the caller announces the whole list. */
static void
drop_pages (TsTicketList *self)
{
  g_clear_handle_id (&self->announce_id, g_source_remove);
  g_array_set_size (self->replaced, 0);
  g_hash_table_remove_all (self->by_id);
  g_hash_table_remove_all (self->pages);
  g_hash_table_remove_all (self->cursors);
}

static void
fill_placeholders (Page  *page,
                   guint  rows)
{
  while (page->rows->len < rows)
    g_ptr_array_add (page->rows, placeholder_new ());
}

/* Keeps at most max_pages: drops the one asked for longest ago. */
static void
evict (TsTicketList *self,
       Page         *keep)
{
  while (!self->offline && g_hash_table_size (self->pages) > self->max_pages)
    {
      GHashTableIter iter;
      Page *page, *oldest = NULL;

      g_hash_table_iter_init (&iter, self->pages);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&page))
        if (page != keep && (oldest == NULL || page->used < oldest->used))
          oldest = page;
      if (oldest == NULL)
        return;
      drop_page (self, oldest);
    }
}

static Page *
ensure_page (TsTicketList *self,
             guint         index)
{
  Page *page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index));

  if (page != NULL)
    return page;

  page = g_new0 (Page, 1);
  page->index = index;
  page->rows = g_ptr_array_new_with_free_func (g_object_unref);
  page->wanted = TRUE;
  fill_placeholders (page, page_rows (self, index));
  g_hash_table_insert (self->pages, GUINT_TO_POINTER (index), page);
  evict (self, page);
  return page;
}

/* The list has @n rows now: pages past the end go, a last page grows. */
static void
set_count (TsTicketList *self,
           guint         n)
{
  GHashTableIter iter;
  Page *page;
  guint old = self->n;

  if (n == old)
    return;

  self->n = n;
  g_hash_table_iter_init (&iter, self->pages);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&page))
    {
      guint rows = page_rows (self, page->index);

      if (page->rows->len > rows)
        {
          for (guint i = rows; i < page->rows->len; i++)
            forget_row (self, g_ptr_array_index (page->rows, i));
          g_ptr_array_set_size (page->rows, rows);
        }
      else if (page->rows->len < rows)
        {
          fill_placeholders (page, rows);
          page->wanted = TRUE;
        }

      if (rows == 0)
        g_hash_table_iter_remove (&iter);
    }

  if (n > old)
    items_changed (self, old, 0, n - old);
  else
    items_changed (self, n, old - n, 0);
  if (n > old)
    schedule_read (self);
}

static gboolean
fully_loaded (TsTicketList *self)
{
  guint n_pages = (self->n + self->page_size - 1) / self->page_size;
  GHashTableIter iter;
  Page *page;
  guint loaded = 0;

  if (self->offline)
    return TRUE;
  if (!self->counted)
    return FALSE;

  g_hash_table_iter_init (&iter, self->pages);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&page))
    if (!page->wanted && page->read == NULL)
      loaded++;
  return loaded >= n_pages;
}

/* GListModel */

static GType
ts_ticket_list_get_item_type (GListModel *model)
{
  return TS_TYPE_TICKET;
}

static guint
ts_ticket_list_get_n_items (GListModel *model)
{
  return TS_TICKET_LIST (model)->n;
}

static gpointer
ts_ticket_list_get_item (GListModel *model,
                         guint       position)
{
  TsTicketList *self = TS_TICKET_LIST (model);
  Page *page;
  guint offset;

  if (position >= self->n)
    return NULL;

  page = ensure_page (self, position / self->page_size);
  page->used = ++self->stamp;
  offset = position - page_start (self, page->index);
  if (offset >= page->rows->len)
    {
      fill_placeholders (page, page_rows (self, page->index));
      page->wanted = TRUE;
    }
  if (page->wanted && page->read == NULL)
    schedule_read (self);

  return g_object_ref (g_ptr_array_index (page->rows, offset));
}

static void
ts_ticket_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = ts_ticket_list_get_item_type;
  iface->get_n_items = ts_ticket_list_get_n_items;
  iface->get_item = ts_ticket_list_get_item;
}

static const char *list_name (TsTicketList *self);

/* Reading pages */

typedef struct
{
  TsTicketList *self;
  guint         index;
  GCancellable *read;
} PageRead;

static void
page_read_free (PageRead *read)
{
  g_object_unref (read->self);
  g_object_unref (read->read);
  g_free (read);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PageRead, page_read_free)

static void load_saved (TsTicketList *self,
                        GError       *offline);

/* The rows read for @page replace what it had; a row that did not change
 * keeps its object, so that a selection stays on it. */
static void
apply_page (TsTicketList *self,
            Page         *page,
            GPtrArray    *tickets)
{
  guint index = page->index;
  guint start = page_start (self, index);
  guint first = G_MAXUINT, last = 0;
  gboolean changed_meanwhile = FALSE;

  if (tickets->len == self->page_size)
    g_hash_table_replace (self->cursors, GUINT_TO_POINTER (page->index),
                          ts_store_cursor_for_ticket (g_ptr_array_index (tickets, tickets->len - 1), self->sort));

  /* A short page is the last: the list ends there (the first page tells
   * the length before the count comes).  A full one may go past what was
   * counted.  When the list changed so since it was counted, count again. */
  if (tickets->len < self->page_size || self->n < start + tickets->len)
    {
      if (self->counted && !self->counting && self->n != start + tickets->len)
        changed_meanwhile = TRUE;
      if (index == 0 && tickets->len < self->page_size)
        self->counted = TRUE;
      set_count (self, start + tickets->len);
      if ((page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index))) == NULL)
        {
          if (changed_meanwhile)
            refresh (self);
          return;
        }
    }

  page->wanted = FALSE;
  for (guint i = 0; i < page->rows->len && i < tickets->len; i++)
    {
      TsTicket *old = g_ptr_array_index (page->rows, i);
      TsTicket *ticket = g_ptr_array_index (tickets, i);
      gint64 id = ts_ticket_get_id (ticket);
      TsTicket *known = g_hash_table_lookup (self->by_id, &id);

      if (known != NULL && ts_ticket_get_version (known) == ts_ticket_get_version (ticket))
        ticket = known;
      if (ticket == old)
        continue;

      g_object_ref (ticket);
      forget_row (self, old);
      g_ptr_array_index (page->rows, i) = ticket;
      g_object_unref (old);
      remember_row (self, ticket);
      first = MIN (first, i);
      last = i;
    }

  if (first != G_MAXUINT)
    rows_replaced (self, start + first, last - first + 1);

  if (start < TS_CACHE_MAX_LIST_ROWS)
    schedule_save (self, index == 0 && !self->saved ? 0 : SAVE_DELAY_MS);
  if (changed_meanwhile)
    refresh (self);
}

static void
on_page_read (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(PageRead) read = user_data;
  TsTicketList *self = read->self;
  g_autoptr(GPtrArray) tickets = NULL;
  GError *error = NULL;
  Page *page;

  tickets = ts_store_list_tickets_finish (TS_STORE (object), result, &error);
  self->n_reading--;
  g_debug ("%s %s: page %u read, %u rows", ts_project_get_name (self->project), list_name (self),
           read->index, tickets != NULL ? tickets->len : 0);
  page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (read->index));
  if (page != NULL && page->read == read->read)
    g_clear_object (&page->read);
  else
    page = NULL;   /* dropped or asked for again meanwhile */

  if (tickets == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_error_free (error);
      /* Offline before anything was read: show the saved copy; the store
       * says "reconnected" when the real list can be read again. */
      else if (g_error_matches (error, TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE) && !self->counted)
        load_saved (self, error);
      else
        {
          if (page != NULL)
            page->wanted = FALSE;
          set_error (self, error);
        }
    }
  else if (page != NULL)
    apply_page (self, page, tickets);

  schedule_read (self);
  update_loading (self);
}

/* Page @page->index is read from the nearest row before it whose cursor
 * is known (a keyset), skipping the rows between; or from the start. */
static void
read_page (TsTicketList *self,
           Page         *page)
{
  PageRead *read = g_new0 (PageRead, 1);
  GHashTableIter iter;
  gpointer key, value;
  JsonNode *after = NULL;
  guint from = 0;

  g_hash_table_iter_init (&iter, self->cursors);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      guint index = GPOINTER_TO_UINT (key);

      if (index < page->index && (after == NULL || index + 1 > from))
        {
          after = value;
          from = index + 1;
        }
    }

  page->read = g_cancellable_new ();
  read->self = g_object_ref (self);
  read->index = page->index;
  read->read = g_object_ref (page->read);
  self->n_reading++;
  self->n_page_queries++;
  g_debug ("%s %s: page %u (%s, offset %u)", ts_project_get_name (self->project), list_name (self),
           page->index, after != NULL ? "after a row" : "from the top", (page->index - from) * self->page_size);
  ts_store_list_tickets_async (self->store, ts_project_get_name (self->project), self->kind,
                               self->sort, self->descending, after,
                               (page->index - from) * self->page_size, self->page_size,
                               page->read, on_page_read, read);
}

/* The pages wanted, those asked for last first. */
static gboolean
read_now (gpointer user_data)
{
  TsTicketList *self = user_data;

  self->read_id = 0;
  while (self->n_reading < MAX_READS && !self->offline)
    {
      GHashTableIter iter;
      Page *page, *next = NULL;

      g_hash_table_iter_init (&iter, self->pages);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&page))
        if (page->wanted && page->read == NULL && (next == NULL || page->used > next->used))
          next = page;
      if (next == NULL)
        break;
      read_page (self, next);
    }
  update_loading (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_read (TsTicketList *self)
{
  if (self->read_id == 0 && self->store != NULL)
    self->read_id = g_idle_add (read_now, self);
}

/* Counting */

static void
on_counted (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(TsTicketList) self = user_data;
  GError *error = NULL;
  gint64 n = ts_store_count_tickets_finish (TS_STORE (object), result, &error);

  self->counting = FALSE;
  if (n < 0)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          (g_error_matches (error, TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE) && self->offline))
        g_error_free (error);
      else if (g_error_matches (error, TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE) && !self->counted)
        load_saved (self, error);
      else
        set_error (self, error);
      update_loading (self);
      return;
    }

  g_debug ("%s %s: %" G_GINT64_FORMAT " rows", ts_project_get_name (self->project), list_name (self), n);
  self->counted = TRUE;
  set_count (self, (guint)MIN (n, G_MAXUINT));
  if (self->refresh_again)
    {
      self->refresh_again = FALSE;
      refresh (self);
    }
  update_loading (self);
}

static void
count (TsTicketList *self)
{
  self->counting = TRUE;
  self->n_count_queries++;
  ts_store_count_tickets_async (self->store, ts_project_get_name (self->project), self->kind,
                                self->cancellable, on_counted, g_object_ref (self));
}

/* From nothing: the first page, then the count. */
static void
reset (TsTicketList *self)
{
  guint removed = self->n;
  Page *page;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_handle_id (&self->read_id, g_source_remove);
  g_clear_handle_id (&self->flush_id, g_source_remove);
  g_hash_table_remove_all (self->dirty);
  g_clear_pointer (&self->asked, g_hash_table_unref);

  drop_pages (self);
  self->n = 0;
  self->counted = FALSE;
  self->counting = FALSE;
  self->refresh_again = FALSE;
  self->offline = FALSE;
  self->started = TRUE;
  items_changed (self, 0, removed, 0);
  set_error (self, NULL);

  page = ensure_page (self, 0);
  page->used = ++self->stamp;
  read_now (self);
  count (self);
  update_loading (self);
}

static int
newer_first (gconstpointer a,
             gconstpointer b)
{
  const Page *pa = *(Page * const *)a, *pb = *(Page * const *)b;

  return pa->used < pb->used ? 1 : pa->used > pb->used ? -1 : 0;
}

/* Keeps the PAGES_KEPT pages asked for last (those shown), to be read
 * again, their reads in flight cancelled; drops the others.  Reading every
 * page held again would read the far ones too, by an OFFSET when no cursor
 * is left: seconds of a busy connection at 1,000,000 tickets, with the
 * changes waiting behind.  Returns the pages kept. */
static GPtrArray *
keep_pages_shown (TsTicketList *self)
{
  GPtrArray *pages = g_ptr_array_new ();
  GHashTableIter iter;
  Page *page;

  g_hash_table_iter_init (&iter, self->pages);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&page))
    g_ptr_array_add (pages, page);
  g_ptr_array_sort (pages, newer_first);
  for (guint i = PAGES_KEPT; i < pages->len; i++)
    drop_page (self, g_ptr_array_index (pages, i));
  g_ptr_array_set_size (pages, MIN (pages->len, PAGES_KEPT));
  for (guint i = 0; i < pages->len; i++)
    {
      page = g_ptr_array_index (pages, i);
      g_cancellable_cancel (page->read);
      g_clear_object (&page->read);
      page->wanted = TRUE;
    }
  return pages;
}

/* Rows entered, left or moved: count again and read again the pages
 * asked for last; drop the others.  One count at a time: what comes
 * while it runs is done once after it. */
static void
refresh (TsTicketList *self)
{
  g_autoptr(GPtrArray) kept = NULL;

  if (!self->started || self->offline)
    {
      reset (self);
      return;
    }
  if (self->counting)
    {
      self->refresh_again = TRUE;
      return;
    }

  kept = keep_pages_shown (self);
  g_hash_table_remove_all (self->cursors);

  /* The rows shown first, then how many there are.  Reads cancelled are
   * answered at once and counted down then. */
  g_clear_handle_id (&self->read_id, g_source_remove);
  read_now (self);
  count (self);
  update_loading (self);
}

void
ts_ticket_list_reload (TsTicketList *self)
{
  g_return_if_fail (TS_IS_TICKET_LIST (self));

  set_error (self, NULL);
  refresh (self);
}

/* The offline copy */

static const char *
list_name (TsTicketList *self)
{
  return self->kind == TS_TICKET_LIST_PENDING ? "pending" : "all";
}

/* The rows read from the top, as far as they go without a gap. */
static gboolean
save_now (gpointer user_data)
{
  TsTicketList *self = user_data;
  TsCache *cache = ts_store_get_cache (self->store);
  g_autoptr(GListStore) rows = NULL;
  Page *page;

  self->save_id = 0;
  if (cache == NULL || !ts_store_get_online (self->store) || self->offline || self->error != NULL ||
      self->sort != NULL || !self->descending || !self->counted)
    return G_SOURCE_REMOVE;

  rows = g_list_store_new (TS_TYPE_TICKET);
  for (guint index = 0;
       (page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index))) != NULL && !page->wanted;
       index++)
    for (guint i = 0; i < page->rows->len && g_list_model_get_n_items (G_LIST_MODEL (rows)) < TS_CACHE_MAX_LIST_ROWS; i++)
      if (!ts_ticket_list_is_placeholder (g_ptr_array_index (page->rows, i)))
        g_list_store_append (rows, g_ptr_array_index (page->rows, i));
  self->saved = TRUE;
  if (g_hash_table_lookup (self->pages, GUINT_TO_POINTER (0)) != NULL)
    ts_cache_save_tickets (cache, ts_project_get_name (self->project), list_name (self), G_LIST_MODEL (rows));
  return G_SOURCE_REMOVE;
}

static void
schedule_save (TsTicketList *self,
               guint         delay)
{
  if (ts_store_get_cache (self->store) == NULL || !ts_store_get_online (self->store))
    return;

  g_clear_handle_id (&self->save_id, g_source_remove);
  self->save_id = g_timeout_add (delay, save_now, self);
}

/* Offline: the list as it was last saved, whole. */
typedef struct
{
  TsTicketList *self;
  GCancellable *cancellable;   /* the list's when the read began */
} SavedRead;

static void
saved_read_free (SavedRead *read)
{
  g_object_unref (read->self);
  g_object_unref (read->cancellable);
  g_free (read);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SavedRead, saved_read_free)

static void
on_saved_read (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SavedRead) read = user_data;
  TsTicketList *self = read->self;
  g_autoptr(GPtrArray) saved = ts_cache_load_tickets_finish (TS_CACHE (object), result, NULL);
  g_autoptr(GError) offline = NULL;
  guint removed = self->n;

  self->reading_saved = FALSE;
  if (g_cancellable_is_cancelled (read->cancellable) || self->counted)
    return;   /* reset, or read from the server meanwhile */
  offline = g_steal_pointer (&self->saved_error);

  if (saved == NULL)
    {
      /* Nothing saved: say why there is no list. */
      set_error (self, g_steal_pointer (&offline));
      update_loading (self);
      return;
    }

  drop_pages (self);
  g_clear_handle_id (&self->read_id, g_source_remove);
  self->offline = TRUE;
  self->counted = TRUE;
  self->n = saved->len;
  for (guint index = 0; page_start (self, index) < saved->len; index++)
    {
      Page *page = ensure_page (self, index);

      page->wanted = FALSE;
      for (guint i = 0; i < page->rows->len; i++)
        {
          TsTicket *ticket = g_ptr_array_index (saved, page_start (self, index) + i);

          g_object_unref (g_ptr_array_index (page->rows, i));
          g_ptr_array_index (page->rows, i) = g_object_ref (ticket);
          remember_row (self, ticket);
        }
    }
  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, self->n);
  if (removed != self->n)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  update_loading (self);
}

/* Offline before anything was read: shows the saved copy, read on the
 * cache's thread (5000 rows take a few hundred ms to parse); the store
 * says "reconnected" when the real list can be read again.  Without one,
 * @offline (taken) becomes the list's error. */
static void
load_saved (TsTicketList *self,
            GError       *offline)
{
  TsCache *cache = ts_store_get_cache (self->store);
  SavedRead *read;

  if (cache == NULL)
    {
      set_error (self, offline);
      return;
    }

  g_clear_error (&self->saved_error);
  self->saved_error = offline;
  if (self->reading_saved)
    return;

  read = g_new0 (SavedRead, 1);
  read->self = g_object_ref (self);
  read->cancellable = g_object_ref (self->cancellable);
  self->reading_saved = TRUE;
  ts_cache_load_tickets_async (cache, ts_project_get_name (self->project), list_name (self),
                               read->cancellable, on_saved_read, read);
}

/* Live updates */

static gboolean
belongs (TsTicketList *self,
         TsTicket     *ticket)
{
  if (g_strcmp0 (ts_ticket_get_project (ticket), ts_project_get_name (self->project)) != 0)
    return FALSE;

  if (self->kind == TS_TICKET_LIST_ALL)
    return TRUE;

  return g_strcmp0 (ts_ticket_get_assigned_to (ticket), ts_store_get_user (self->store)) == 0 &&
         !ts_project_is_final_state (self->project, ts_ticket_get_state (ticket));
}

/* Whether a change can move a ticket in the order. */
static gboolean
sort_can_change (TsTicketList *self)
{
  return self->sort != NULL && !g_str_equal (self->sort, "number") && !g_str_equal (self->sort, "key") &&
         !g_str_equal (self->sort, "created_at") && !g_str_equal (self->sort, "created_by");
}

static gboolean
same_place (TsTicketList *self,
            TsTicket     *known,
            TsTicket     *ticket)
{
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) now = NULL;

  if (!sort_can_change (self))
    return TRUE;

  before = _ts_search_sort_value (known, self->sort);
  now = _ts_search_sort_value (ticket, self->sort);
  if (before == NULL || now == NULL)
    return before == now;
  return json_node_equal (before, now);
}

/* @ticket, read again, takes the place of @known; returns its position,
 * or G_MAXUINT when no page holds it.  The caller announces it. */
static guint
replace_row (TsTicketList *self,
             TsTicket     *known,
             TsTicket     *ticket)
{
  GHashTableIter iter;
  Page *page;

  g_hash_table_iter_init (&iter, self->pages);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&page))
    for (guint i = 0; i < page->rows->len; i++)
      if (g_ptr_array_index (page->rows, i) == known)
        {
          guint position = page_start (self, page->index) + i;

          forget_row (self, known);
          g_ptr_array_index (page->rows, i) = g_object_ref (ticket);
          remember_row (self, ticket);
          g_object_unref (known);
          if (position < TS_CACHE_MAX_LIST_ROWS)
            schedule_save (self, SAVE_DELAY_MS);
          return position;
        }

  return G_MAXUINT;
}

static gboolean flush_dirty (gpointer user_data);

static void
on_changed_tickets (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(TsTicketList) self = user_data;
  g_autoptr(GPtrArray) tickets = NULL;
  g_autoptr(GHashTable) asked = g_steal_pointer (&self->asked);
  g_autoptr(GError) error = NULL;
  gboolean whole = fully_loaded (self);
  gboolean moved = FALSE;
  GHashTableIter iter;
  gpointer key;

  tickets = ts_store_get_tickets_finish (TS_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->store == NULL)
    return;

  /* What changed while this read ran is read next. */
  if (g_hash_table_size (self->dirty) > 0 && self->flush_id == 0)
    self->flush_id = g_timeout_add (COALESCE_MS, flush_dirty, self);

  if (tickets == NULL)
    {
      g_debug ("Cannot re-read changed tickets: %s", error->message);
      return;
    }

  for (guint i = 0; i < tickets->len; i++)
    {
      TsTicket *ticket = g_ptr_array_index (tickets, i);
      gint64 id = ts_ticket_get_id (ticket);
      TsTicket *known = g_hash_table_lookup (self->by_id, &id);

      g_hash_table_remove (asked, &id);
      if (known != NULL)
        {
          if (ts_ticket_get_version (known) >= ts_ticket_get_version (ticket))
            continue;
          if (belongs (self, ticket) && same_place (self, known, ticket))
            {
              guint position = replace_row (self, known, ticket);

              if (position != G_MAXUINT)
                rows_replaced (self, position, 1);
            }
          else
            moved = TRUE;
        }
      else if (belongs (self, ticket))
        /* New to the list, or somewhere in the pages not held: only a
         * new ticket, or one whose place can change, moves rows. */
        moved = moved || whole || self->kind == TS_TICKET_LIST_PENDING ||
                ts_ticket_get_version (ticket) <= 1 || sort_can_change (self);
      else if (!whole && self->kind == TS_TICKET_LIST_PENDING)
        /* Perhaps it left the list from a page not held. */
        moved = TRUE;
    }

  /* Asked for but not answered: no longer visible to me. */
  g_hash_table_iter_init (&iter, asked);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_hash_table_lookup (self->by_id, key) != NULL || !whole)
      moved = TRUE;

  if (moved)
    refresh (self);
}

static gboolean
flush_dirty (gpointer user_data)
{
  TsTicketList *self = user_data;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  GHashTableIter iter;
  gpointer key;

  self->flush_id = 0;
  self->asked = g_steal_pointer (&self->dirty);
  self->dirty = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  g_hash_table_iter_init (&iter, self->asked);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_array_append_val (ids, *(gint64 *)key);

  self->n_change_queries++;
  ts_store_get_tickets_async (self->store, (const gint64 *)(gpointer)ids->data, ids->len, self->cancellable,
                              on_changed_tickets, g_object_ref (self));

  return G_SOURCE_REMOVE;
}

static void
on_ticket_changed (TsTicketList *self,
                   gint64        id,
                   int           version,
                   TsStore      *store)
{
  TsTicket *known = g_hash_table_lookup (self->by_id, &id);
  gint64 *key;

  if (self->offline || (known != NULL && ts_ticket_get_version (known) >= version))
    return;

  key = g_new (gint64, 1);
  *key = id;
  g_hash_table_add (self->dirty, key);

  if (self->flush_id == 0 && self->asked == NULL)
    self->flush_id = g_timeout_add (COALESCE_MS, flush_dirty, self);
}

static void
on_reconnected (TsTicketList *self,
                TsStore      *store)
{
  /* Changes made while we were away were not announced. */
  ts_ticket_list_reload (self);
}

static void
on_project_changed (TsTicketList *self,
                    const char   *name,
                    int           revision,
                    TsStore      *store)
{
  if (name == NULL || g_strcmp0 (name, ts_project_get_name (self->project)) == 0)
    reset (self);
}

/* The object */

static void
ts_ticket_list_dispose (GObject *object)
{
  TsTicketList *self = (TsTicketList *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->flush_id, g_source_remove);
  g_clear_handle_id (&self->read_id, g_source_remove);
  if (self->save_id != 0)
    {
      /* Save what is shown before going away. */
      g_clear_handle_id (&self->save_id, g_source_remove);
      if (self->store != NULL)
        save_now (self);
    }
  if (self->pages != NULL)
    drop_pages (self);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ts_ticket_list_parent_class)->dispose (object);
}

static void
ts_ticket_list_finalize (GObject *object)
{
  TsTicketList *self = (TsTicketList *)object;

  g_clear_object (&self->project);
  g_clear_pointer (&self->pages, g_hash_table_unref);
  g_clear_pointer (&self->cursors, g_hash_table_unref);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->dirty, g_hash_table_unref);
  g_clear_pointer (&self->asked, g_hash_table_unref);
  g_clear_pointer (&self->replaced, g_array_unref);
  g_clear_pointer (&self->sort, g_free);
  g_clear_error (&self->error);
  g_clear_error (&self->saved_error);

  G_OBJECT_CLASS (ts_ticket_list_parent_class)->finalize (object);
}

static void
ts_ticket_list_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TsTicketList *self = TS_TICKET_LIST (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;

    case PROP_N_ITEMS:
      g_value_set_uint (value, self->n);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_ticket_list_class_init (TsTicketListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ts_ticket_list_dispose;
  object_class->finalize = ts_ticket_list_finalize;
  object_class->get_property = ts_ticket_list_get_property;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ts_ticket_list_init (TsTicketList *self)
{
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, page_free);
  self->cursors = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify)json_node_unref);
  self->by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->dirty = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->replaced = g_array_new (FALSE, FALSE, sizeof (guint));
  self->page_size = DEFAULT_PAGE_SIZE;
  self->max_pages = DEFAULT_MAX_PAGES;
  self->descending = TRUE;
  self->cancellable = g_cancellable_new ();
}

/**
 * ts_ticket_list_new:
 *
 * Returns: (transfer full): a list that starts loading at once
 */
TsTicketList *
ts_ticket_list_new (TsStore          *store,
                    TsProject        *project,
                    TsTicketListKind  kind)
{
  TsTicketList *self;

  g_return_val_if_fail (TS_IS_STORE (store), NULL);
  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);

  self = g_object_new (TS_TYPE_TICKET_LIST, NULL);
  self->store = g_object_ref (store);
  self->project = g_object_ref (project);
  self->kind = kind;

  g_signal_connect_object (store, "ticket-changed", G_CALLBACK (on_ticket_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (store, "project-changed", G_CALLBACK (on_project_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (store, "reconnected", G_CALLBACK (on_reconnected),
                           self, G_CONNECT_SWAPPED);

  reset (self);

  return self;
}

TsProject *
ts_ticket_list_get_project (TsTicketList *self)
{
  g_return_val_if_fail (TS_IS_TICKET_LIST (self), NULL);
  return self->project;
}

TsTicketListKind
ts_ticket_list_get_kind (TsTicketList *self)
{
  g_return_val_if_fail (TS_IS_TICKET_LIST (self), TS_TICKET_LIST_ALL);
  return self->kind;
}

gboolean
ts_ticket_list_get_loading (TsTicketList *self)
{
  g_return_val_if_fail (TS_IS_TICKET_LIST (self), FALSE);
  return self->loading;
}

const GError *
ts_ticket_list_get_error (TsTicketList *self)
{
  g_return_val_if_fail (TS_IS_TICKET_LIST (self), NULL);
  return self->error;
}

TsTicket *
ts_ticket_list_lookup (TsTicketList *self,
                       gint64        id)
{
  g_return_val_if_fail (TS_IS_TICKET_LIST (self), NULL);
  return g_hash_table_lookup (self->by_id, &id);
}

void
ts_ticket_list_set_sort (TsTicketList *self,
                         const char   *sort,
                         gboolean      descending)
{
  g_autoptr(GPtrArray) kept = NULL;

  g_return_if_fail (TS_IS_TICKET_LIST (self));

  if (g_strcmp0 (sort, "key") == 0)
    sort = "number";
  if (g_strcmp0 (sort, "number") == 0 && descending)
    sort = NULL;
  if (g_strcmp0 (sort, self->sort) == 0 && !!descending == !!self->descending)
    return;

  g_free (self->sort);
  self->sort = g_strdup (sort);
  self->descending = !!descending;
  /* The saved copy is shown as it was saved. */
  if (self->offline)
    return;

  /* Every row kept is another one now: a placeholder until read,
   * announced (a selection looks for its item among the rows announced). */
  g_hash_table_remove_all (self->cursors);
  kept = keep_pages_shown (self);
  for (guint h = 0; h < kept->len; h++)
    {
      Page *page = g_ptr_array_index (kept, h);

      for (guint i = 0; i < page->rows->len; i++)
        {
          forget_row (self, g_ptr_array_index (page->rows, i));
          g_object_unref (g_ptr_array_index (page->rows, i));
          g_ptr_array_index (page->rows, i) = placeholder_new ();
        }
      rows_replaced (self, page_start (self, page->index), page->rows->len);
    }
  schedule_read (self);
}

void
ts_ticket_list_rows_changed (TsTicketList *self)
{
  GHashTableIter iter;
  Page *page;

  g_return_if_fail (TS_IS_TICKET_LIST (self));

  /* Announced later (rows_replaced()), so the pages cannot change under
   * this loop. */
  g_hash_table_iter_init (&iter, self->pages);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&page))
    rows_replaced (self, page_start (self, page->index), page->rows->len);
}

const char *
ts_ticket_list_get_sort (TsTicketList *self)
{
  g_return_val_if_fail (TS_IS_TICKET_LIST (self), NULL);
  return self->sort;
}

gboolean
ts_ticket_list_get_descending (TsTicketList *self)
{
  g_return_val_if_fail (TS_IS_TICKET_LIST (self), TRUE);
  return self->descending;
}

void
ts_ticket_list_set_page_size (TsTicketList *self,
                              guint         page_size)
{
  g_return_if_fail (TS_IS_TICKET_LIST (self));
  page_size = CLAMP (page_size, 1, 1000);
  if (page_size == self->page_size)
    return;
  self->page_size = page_size;
  reset (self);
}

void
ts_ticket_list_set_max_pages (TsTicketList *self,
                              guint         max_pages)
{
  g_return_if_fail (TS_IS_TICKET_LIST (self));
  self->max_pages = MAX (max_pages, 2);
  evict (self, NULL);
}

TsTicket *
ts_ticket_list_peek (TsTicketList *self,
                     guint         position)
{
  Page *page;

  g_return_val_if_fail (TS_IS_TICKET_LIST (self), NULL);

  if (position >= self->n ||
      (page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (position / self->page_size))) == NULL ||
      position - page_start (self, page->index) >= page->rows->len)
    return NULL;
  return g_ptr_array_index (page->rows, position - page_start (self, page->index));
}

guint
ts_ticket_list_get_n_pages (TsTicketList *self)
{
  g_return_val_if_fail (TS_IS_TICKET_LIST (self), 0);
  return g_hash_table_size (self->pages);
}

void
ts_ticket_list_get_n_queries (TsTicketList *self,
                              guint        *pages,
                              guint        *changes,
                              guint        *counts)
{
  g_return_if_fail (TS_IS_TICKET_LIST (self));
  if (pages != NULL)
    *pages = self->n_page_queries;
  if (changes != NULL)
    *changes = self->n_change_queries;
  if (counts != NULL)
    *counts = self->n_count_queries;
}
