/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-comment.h"
#include "ts-connection.h"
#include "ts-filter.h"
#include "ts-history-entry.h"
#include "ts-member.h"
#include "ts-project-summary.h"
#include "ts-ticket.h"

G_BEGIN_DECLS

/* What the client last saw of one server as one user, kept on disk so the
 * application can start and be read without the server.
 *
 * Format: one small JSON document per thing shown (the projects, each
 * ticket list, my tickets across projects, each project's members, each
 * ticket opened with its history, the saved searches), each replaced
 * atomically (written to a temporary file, synced, renamed over the old
 * one), so a crash or power cut leaves the old copy or the new one, never
 * half of either.  JSON files rather than SQLite: the data is a handful of
 * whole documents that are always read and written whole, GLib already
 * does atomic replacement, and a person can read a file when in doubt.
 * Files are 0600 in a 0700 directory: they hold ticket data.  Each file
 * names its server and user; a file that cannot be read, or that belongs
 * to someone else, is set aside (renamed *.bad) with a notice and never
 * shown.
 *
 * Saves take a snapshot (references to the tickets and other objects,
 * which are not changed once made) and return; the JSON text is made,
 * written, synced and renamed into place on a worker thread, and saves of
 * a file made before its previous save was written replace it (only the
 * newest is written).  A save that fails leaves a notice
 * (ts_cache_take_notices()).  Reads are made only when offline, on the
 * calling thread, or for the ticket lists also on another
 * (ts_cache_load_tickets_async()).  Use a cache from one thread, the one
 * that made it, whose main context releases what was written. */

#define TS_CACHE_FORMAT 1
/* Rows of the all-tickets list kept on disk; the rest is read online. */
#define TS_CACHE_MAX_LIST_ROWS 5000

#define TS_TYPE_CACHE (ts_cache_get_type ())
G_DECLARE_FINAL_TYPE (TsCache, ts_cache, TS, CACHE, GObject)

/* @server: identifies the server and database ("host|port|dbname"). */
TsCache    *ts_cache_new              (const char        *server,
                                       const char        *user);
/* The cache of the server and login @connection's string names. */
TsCache    *ts_cache_new_for_connection (TsConnection    *connection);
/* The same, under @root instead of the user's cache directory (tests). */
TsCache    *ts_cache_new_in           (const char        *root,
                                       const char        *server,
                                       const char        *user);
const char *ts_cache_get_directory    (TsCache           *self);
gboolean    ts_cache_exists           (TsCache           *self);

void        ts_cache_save_projects    (TsCache           *self,
                                       GPtrArray         *summaries);
GPtrArray  *ts_cache_load_projects    (TsCache           *self,
                                       GDateTime        **saved_at);

/* @list: "pending" or "all". */
void        ts_cache_save_tickets     (TsCache           *self,
                                       const char        *project,
                                       const char        *list,
                                       GListModel        *tickets);
GPtrArray  *ts_cache_load_tickets     (TsCache           *self,
                                       const char        *project,
                                       const char        *list,
                                       GDateTime        **saved_at);

/* The same, read and parsed on another thread: a list of
 * TS_CACHE_MAX_LIST_ROWS takes a tenth of a second or more to parse, too
 * long for the main loop.  Finish returns NULL when nothing was saved (or
 * the file was set aside, with a notice), as ts_cache_load_tickets(). */
void        ts_cache_load_tickets_async  (TsCache             *self,
                                          const char          *project,
                                          const char          *list,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
GPtrArray  *ts_cache_load_tickets_finish (TsCache             *self,
                                          GAsyncResult        *result,
                                          GDateTime          **saved_at);

/* The open tickets assigned to me in every project (element-type TsTicket). */
void        ts_cache_save_my_tickets  (TsCache           *self,
                                       GPtrArray         *tickets);
GPtrArray  *ts_cache_load_my_tickets  (TsCache           *self,
                                       GDateTime        **saved_at);

/* A project's members (element-type TsMember), in the server's order. */
void        ts_cache_save_members     (TsCache           *self,
                                       const char        *project,
                                       GPtrArray         *members);
GPtrArray  *ts_cache_load_members     (TsCache           *self,
                                       const char        *project,
                                       GDateTime        **saved_at);

void        ts_cache_save_ticket      (TsCache           *self,
                                       TsTicket          *ticket,
                                       GPtrArray         *history);
TsTicket   *ts_cache_load_ticket      (TsCache           *self,
                                       gint64             id,
                                       GPtrArray        **history);

/* A ticket's comments (element-type TsComment), oldest first, as the
 * server listed them when they were last read online. */
void        ts_cache_save_comments    (TsCache           *self,
                                       gint64             ticket_id,
                                       GPtrArray         *comments);
GPtrArray  *ts_cache_load_comments    (TsCache           *self,
                                       gint64             ticket_id,
                                       GDateTime        **saved_at);

/* Searching the offline copy.
 *
 * "reached" needs the states each ticket entered and when (from its
 * history, oldest first).  The store reads them with each page of a list
 * and tells the cache here; every list saved after this (the tickets
 * lists and my tickets) keeps each ticket's entries with it, as
 * "states".  Lists saved before entries were kept have none, and are
 * still read. */
void        ts_cache_set_states       (TsCache            *self,
                                       gint64              ticket_id,
                                       const TsStateEntry *entries,
                                       guint               n_entries);
/* Every ticket of @project that the offline copy holds (its two lists, my
 * tickets, the tickets opened), each once, in the newest version held.
 * @states: (out) (optional): ticket id (gint64 *) → GArray of
 * TsStateEntry (interned strings) for the tickets whose entries were
 * saved.  @saved_at: (out) (optional): when the oldest part of the answer
 * was saved.  Returns (element-type TsTicket), in no particular order, or
 * NULL when nothing of @project was saved. */
GPtrArray  *ts_cache_load_project_tickets (TsCache        *self,
                                           const char     *project,
                                           GHashTable    **states,
                                           GDateTime     **saved_at);

/* The saved searches (element-type TsSavedSearch) of @project as listed,
 * or of all my projects when @project is NULL.  Loading a project's gives
 * the newer of its own list and the list of all. */
void        ts_cache_save_saved_searches (TsCache         *self,
                                          const char      *project,
                                          GPtrArray       *searches);
GPtrArray  *ts_cache_load_saved_searches (TsCache         *self,
                                          const char      *project,
                                          GDateTime      **saved_at);

/* Copies older than this are not shown, and are deleted; 0 keeps all. */
void        ts_cache_set_max_age_days (TsCache           *self,
                                       guint              days);

/* Waits until every queued write is on disk. */
void        ts_cache_flush            (TsCache           *self);
/* Removes everything cached for this server and user. */
void        ts_cache_clear            (TsCache           *self);

/* Files found unreadable and set aside since the last call, as messages
 * for a person.  Returns (transfer full) (nullable): a GStrv. */
char      **ts_cache_take_notices     (TsCache           *self);

/* The directory of all caches (for "clear all"). */
char       *ts_cache_dup_root         (void);

G_END_DECLS
