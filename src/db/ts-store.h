/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ts-cache.h"
#include "ts-connection.h"
#include "ts-comment.h"
#include "ts-history-entry.h"
#include "ts-member.h"
#include "ts-project.h"
#include "ts-project-summary.h"
#include "ts-saved-search.h"
#include "ts-statistics.h"
#include "ts-ticket.h"

G_BEGIN_DECLS

/* The client's view of the server: the public SQL API (docs/sql-api.md) as
 * asynchronous calls that give GObjects, with the server's refusals turned
 * into TS_STORE_ERROR codes a window can act on.  It also LISTENs and
 * re-emits what changed as signals.  GTK-free.
 *
 * The session's TimeZone is the local time zone (set at every open), so
 * that the days of a search are the days of the person searching, online
 * as offline. */

#define TS_STORE_ERROR (ts_store_error_quark ())
GQuark ts_store_error_quark (void);

typedef enum
{
  TS_STORE_ERROR_FAILED,         /* anything else; the message says what */
  TS_STORE_ERROR_OFFLINE,        /* no connection: lost, closed, timed out */
  TS_STORE_ERROR_NOT_INSTALLED,  /* the database has no TaskSteper server side */
  TS_STORE_ERROR_FORBIDDEN,      /* not the assignee / not allowed */
  TS_STORE_ERROR_NOT_FOUND,      /* no such ticket or project, or not visible */
  TS_STORE_ERROR_CONFLICT,       /* someone else changed the ticket meanwhile */
  TS_STORE_ERROR_NOT_AVAILABLE,  /* the trigger cannot fire now (state, condition, required field) */
  TS_STORE_ERROR_INVALID,        /* a field value the server refuses */
  TS_STORE_ERROR_BUSY,           /* the server was busy (TS503); nothing changed: send it again */
} TsStoreError;

/* The field an error is about (the SQL error's COLUMN), or NULL. */
const char *ts_store_error_get_field    (const GError *error);
/* The server's SQLSTATE, or NULL when the error did not come from SQL. */
const char *ts_store_error_get_sqlstate (const GError *error);
/* The kind of a refusal ("required", "stale", "too_long", …: the "ts" of
 * docs/sql-api.md, "Errors") and its facts (the DETAIL's JSON object), or
 * NULL.  The error's message is then the sentence ts_refusal_describe()
 * composes from them, in the user's language. */
const char *ts_store_error_get_kind     (const GError *error);
JsonObject *ts_store_error_get_facts    (const GError *error);
/* The server's own message (English for psql users), or NULL. */
const char *ts_store_error_get_server_message (const GError *error);

typedef enum
{
  TS_TICKET_LIST_PENDING,  /* open tickets assigned to me */
  TS_TICKET_LIST_ALL,
} TsTicketListKind;

#define TS_TYPE_STORE (ts_store_get_type ())
G_DECLARE_FINAL_TYPE (TsStore, ts_store, TS, STORE, GObject)

TsStore      *ts_store_new                  (TsConnection         *connection);

/* Offline: with a cache, what the store reads is saved there, and read from
 * there while the server cannot be reached.  "online" follows the
 * connection; once it is lost the store reconnects by itself, with backoff,
 * and emits "reconnected" when it is back (LISTENing again).  While
 * offline, "data-time" says when the data shown was saved. */
void          ts_store_set_cache            (TsStore              *self,
                                             TsCache              *cache);
TsCache      *ts_store_get_cache            (TsStore              *self);
gboolean      ts_store_get_online           (TsStore              *self);
GDateTime    *ts_store_get_data_time        (TsStore              *self);
/* Starts reconnecting now (e.g. when the application starts offline). */
void          ts_store_reconnect            (TsStore              *self);
/* Saves a ticket and its history for offline reading (an opened editor). */
void          ts_store_remember_ticket      (TsStore              *self,
                                             TsTicket             *ticket,
                                             GPtrArray            *history);
TsConnection *ts_store_get_connection       (TsStore              *self);
/* Following changes (docs/sql-api.md, "The change feed"): the longest wait
 * between two reads of the feed without news, in seconds (default 30);
 * whether notifications cannot be relied on, so the store reads every 2 s. */
void          ts_store_set_poll_interval    (TsStore              *self,
                                             guint                 seconds);
guint         ts_store_get_poll_interval    (TsStore              *self);
gboolean      ts_store_get_pooled           (TsStore              *self);
/* The login role of the connection. */
const char   *ts_store_get_user             (TsStore              *self);

/* Connects (if needed), checks that TaskSteper is installed and LISTENs. */
void          ts_store_open_async           (TsStore              *self,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean      ts_store_open_finish          (TsStore              *self,
                                             GAsyncResult         *result,
                                             GError              **error);

/* The projects I am a member of, with my pending counts.
 * Returns (element-type TsProjectSummary). */
void          ts_store_list_projects_async  (TsStore              *self,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
GPtrArray    *ts_store_list_projects_finish (TsStore              *self,
                                             GAsyncResult         *result,
                                             GError              **error);

/* A page of a project's list in the order @sort (NULL or "number",
 * "updated_at", "created_at", "state", "assigned_to", "created_by", or a
 * field of the project, as search_tickets() sorts), @descending or not;
 * after the row whose cursor is @after (NULL: from the first row; else
 * {"value": <sort value>, "number": <number>}, exactly search_tickets()'s
 * p_after, made by ts_store_cursor_for_ticket()), skipping @offset rows
 * first (0 for the next page; a jump far into the list uses a large offset
 * from the nearest known cursor), at most @limit rows (1..1000).  One
 * statement (src/db/ts-list-sql.h), served by an index in that order for
 * every sort but a field's.  A cursor that is not one fails with INVALID;
 * offline, OFFLINE (no copy is read: the list shows its saved one).
 * Returns (element-type TsTicket). */
void          ts_store_list_tickets_async   (TsStore              *self,
                                             const char           *project,
                                             TsTicketListKind      list,
                                             const char           *sort,
                                             gboolean              descending,
                                             JsonNode             *after,
                                             guint                 offset,
                                             guint                 limit,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
GPtrArray    *ts_store_list_tickets_finish  (TsStore              *self,
                                             GAsyncResult         *result,
                                             GError              **error);
/* The cursor of @ticket's row for @sort, for ts_store_list_tickets_async's
 * @after.  Returns (transfer full). */
JsonNode     *ts_store_cursor_for_ticket    (TsTicket             *ticket,
                                             const char           *sort);
/* How many rows the list has now (one statement); offline, OFFLINE.
 * -1 and @error on failure. */
void          ts_store_count_tickets_async  (TsStore              *self,
                                             const char           *project,
                                             TsTicketListKind      list,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gint64        ts_store_count_tickets_finish (TsStore              *self,
                                             GAsyncResult         *result,
                                             GError              **error);

/* Tickets by id, those I can see (after notifications).
 * Returns (element-type TsTicket). */
void          ts_store_get_tickets_async    (TsStore              *self,
                                             const gint64         *ids,
                                             guint                 n_ids,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
GPtrArray    *ts_store_get_tickets_finish   (TsStore              *self,
                                             GAsyncResult         *result,
                                             GError              **error);

/* The ticket PROJECT/NUMBER (as tasksteper:// links name it); NOT_FOUND
 * when it does not exist or is not mine to see. */
void          ts_store_find_ticket_async    (TsStore              *self,
                                             const char           *project,
                                             int                   number,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
TsTicket     *ts_store_find_ticket_finish   (TsStore              *self,
                                             GAsyncResult         *result,
                                             GError              **error);

/* Returns (element-type TsHistoryEntry), oldest first. */
void          ts_store_get_history_async    (TsStore              *self,
                                             gint64                ticket_id,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
GPtrArray    *ts_store_get_history_finish   (TsStore              *self,
                                             GAsyncResult         *result,
                                             GError              **error);

/* Comments (docs/sql-api.md, "Comments (since version 9)").  Any member
 * of the ticket's project may comment; a comment is never changed.
 * Listing gives (element-type TsComment), oldest first; online the answer
 * is also saved to the cache, offline the cached answer is given. */
void          ts_store_add_comment_async    (TsStore              *self,
                                             gint64                ticket_id,
                                             const char           *body,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
TsComment    *ts_store_add_comment_finish   (TsStore              *self,
                                             GAsyncResult         *result,
                                             GError              **error);
void          ts_store_list_comments_async  (TsStore              *self,
                                             gint64                ticket_id,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
GPtrArray    *ts_store_list_comments_finish (TsStore              *self,
                                             GAsyncResult         *result,
                                             GError              **error);

/* A project's members with their display names, sorted by the name shown
 * (tasksteper.project_members).  Online the answer is also saved to the
 * cache; offline the cached answer is given.
 * Returns (element-type TsMember). */
void          ts_store_list_members_async   (TsStore              *self,
                                             const char           *project,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
GPtrArray    *ts_store_list_members_finish  (TsStore              *self,
                                             GAsyncResult         *result,
                                             GError              **error);

/* My tickets: the open tickets assigned to me in every project I am a
 * member of, by project and newest number first (tasksteper.my_tickets).
 * Online the answer is also saved to the cache; offline the cached answer
 * is given.  Returns (element-type TsTicket). */
void          ts_store_list_my_tickets_async  (TsStore            *self,
                                               GCancellable       *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer            user_data);
GPtrArray    *ts_store_list_my_tickets_finish (TsStore            *self,
                                               GAsyncResult       *result,
                                               GError            **error);

/* create_ticket / save_ticket / fire / reassign: each gives the ticket's
 * new row.  fire's @comment (nullable) is stored with the change, in the
 * same transaction; a trigger whose transition requires one fails without
 * it (TS_STORE_ERROR_NOT_AVAILABLE, "comment_required"). */
void          ts_store_create_ticket_async  (TsStore              *self,
                                             const char           *project,
                                             JsonObject           *fields,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
void          ts_store_save_ticket_async    (TsStore              *self,
                                             gint64                id,
                                             int                   version,
                                             JsonObject           *fields,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
void          ts_store_fire_async           (TsStore              *self,
                                             gint64                id,
                                             int                   version,
                                             const char           *trigger,
                                             JsonObject           *fields,
                                             const char           *comment,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
/* reassign (since server version 8): a project admin (or a TaskSteper
 * admin) gives the ticket to the member @to_login.  Refusals: FORBIDDEN
 * ("not_project_admin"), CONFLICT ("stale"), INVALID ("not_a_member",
 * "already_assignee", field "assigned_to").  Finished with
 * ts_store_change_finish(). */
/* Whether I am an admin of @project, as the projects were last listed
 * online (ts_store_list_projects_async); FALSE before that. */
gboolean      ts_store_is_project_admin     (TsStore              *self,
                                             const char           *project);
void          ts_store_reassign_async       (TsStore              *self,
                                             gint64                id,
                                             int                   version,
                                             const char           *to_login,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
/* Linked From (tasksteper.linked_from, since server version 8): the
 * tickets of my projects whose url fields hold tasksteper://PROJECT/NUMBER
 * of ticket @id, by project and number.  NOT_FOUND when I may not see
 * @id.  Returns (element-type TsTicket). */
void          ts_store_linked_from_async    (TsStore              *self,
                                             gint64                id,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
GPtrArray    *ts_store_linked_from_finish   (TsStore              *self,
                                             GAsyncResult         *result,
                                             GError              **error);

TsTicket     *ts_store_change_finish        (TsStore              *self,
                                             GAsyncResult         *result,
                                             GError              **error);

/* Searching (tasksteper.search_tickets, docs/sql-api.md): the tickets of
 * @project that @filter (a JSON node, not consumed; tests/data/search.json
 * says what it means) matches, sorted by @sort (NULL: "number"; "key",
 * "state", "assigned_to", "created_by", "created_at", "updated_at" or a
 * field's name), @descending or not; tickets without a value for @sort
 * come last either way, ties go by number.  @after: NULL for the first
 * page, else the last ticket of the previous page (its values as it was
 * shown); at most @limit (1..1000) tickets.
 *
 * Offline (the server cannot be reached, a cache is set), the tickets the
 * cache holds for @project (its lists, my tickets, the tickets opened)
 * are searched with TsFilter instead: the same meaning, order and pages,
 * and ts_store_get_online() is FALSE; "data-time" says since when.
 *
 * A bad filter fails with TS_STORE_ERROR_INVALID, online and offline;
 * ts_store_error_get_field() then names the key at fault (NULL: the filter
 * as a whole) and the message says what is wrong with it.  An unknown
 * project, or one I am not a member of: NOT_FOUND.
 * Returns (element-type TsTicket). */
void          ts_store_search_tickets_async  (TsStore             *self,
                                              const char          *project,
                                              JsonNode            *filter,
                                              const char          *sort,
                                              gboolean             descending,
                                              TsTicket            *after,
                                              int                  limit,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
GPtrArray    *ts_store_search_tickets_finish (TsStore             *self,
                                              GAsyncResult        *result,
                                              GError             **error);
/* How many tickets the search would give in all its pages
 * (tasksteper.count_tickets); offline, as above.  -1 on error. */
void          ts_store_count_search_async   (TsStore             *self,
                                              const char          *project,
                                              JsonNode            *filter,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gint64        ts_store_count_search_finish  (TsStore             *self,
                                              GAsyncResult        *result,
                                              GError             **error);

/* Statistics (docs/sql-api.md, "Statistics"), each narrowed by @filter
 * (a JSON object node, not consumed, as for searching; {} or NULL: every
 * ticket).  Errors as for searching: a bad filter INVALID with
 * ts_store_error_get_field() naming the key at fault and a message in the
 * user's language; an unknown project or one I am not a member of
 * NOT_FOUND.
 *
 * Ticket counts by @group_by: "state", "assigned_to" or the name of a
 * choice, user or boolean field (else INVALID, the field being
 * @group_by).  For a state or choice every value of the definition in
 * schema order (0 included), for a boolean "false" then "true", for a
 * user only the values present, most tickets first; then values present
 * but no longer defined, most first; last the empty group (value NULL),
 * when it has tickets.  Offline (as searching) the counts are those of
 * the tickets the cache holds for @project, in the same order, and
 * ts_store_get_online() is FALSE.
 * Returns (transfer container) (element-type TsStatCount). */
void          ts_store_ticket_counts_async   (TsStore             *self,
                                              const char          *project,
                                              const char          *group_by,
                                              JsonNode            *filter,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
GPtrArray    *ts_store_ticket_counts_finish  (TsStore             *self,
                                              GAsyncResult        *result,
                                              GError             **error);
/* Tickets created and closed (entered a final state) per @bucket, from
 * the bucket holding @from to the one holding @to (days of the local
 * time zone), zeros included.  INVALID when @from is after @to or there
 * would be more than 1000 buckets.  Offline it fails with OFFLINE: the
 * offline copy does not hold the history it needs.
 * Returns (transfer container) (element-type TsStatPeriod). */
void          ts_store_created_closed_async  (TsStore             *self,
                                              const char          *project,
                                              GDate               *from,
                                              GDate               *to,
                                              TsStatBucket         bucket,
                                              JsonNode            *filter,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
GPtrArray    *ts_store_created_closed_finish (TsStore             *self,
                                              GAsyncResult        *result,
                                              GError             **error);
/* Per state, in schema order: how many tickets passed through it, how
 * many are in it now, and the median and 90th percentile of the time
 * they spent there.  Offline: OFFLINE, as above.
 * Returns (transfer container) (element-type TsStatStay). */
void          ts_store_time_in_state_async   (TsStore             *self,
                                              const char          *project,
                                              JsonNode            *filter,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
GPtrArray    *ts_store_time_in_state_finish  (TsStore             *self,
                                              GAsyncResult        *result,
                                              GError             **error);

/* Saved searches (tasksteper.saved_searches): mine and those shared with
 * the project, by project, then name, mine before another's of the same
 * name.  @project NULL: of all my projects.  Online the answer is also
 * saved to the cache; offline the cached answer is given.
 * Returns (element-type TsSavedSearch). */
void          ts_store_list_saved_searches_async  (TsStore             *self,
                                                   const char          *project,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
GPtrArray    *ts_store_list_saved_searches_finish (TsStore             *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
/* Creates my search @name in @project, or replaces mine of that name.
 * Errors: INVALID (a bad filter, name or query; the field says which),
 * CONFLICT (@shared, and another member shares one of that name),
 * NOT_FOUND (not a member of @project).  Each change emits
 * "saved-searches-changed" before the call finishes. */
void          ts_store_save_search_async          (TsStore             *self,
                                                   const char          *project,
                                                   const char          *name,
                                                   const char          *query,
                                                   JsonNode            *filter,
                                                   gboolean             shared,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
TsSavedSearch *ts_store_save_search_finish        (TsStore             *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
/* Renames my search: NOT_FOUND when I have none of that name, CONFLICT
 * when the new name is taken, INVALID for a bad new name. */
void          ts_store_rename_search_async        (TsStore             *self,
                                                   const char          *project,
                                                   const char          *name,
                                                   const char          *new_name,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
TsSavedSearch *ts_store_rename_search_finish      (TsStore             *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
/* Deletes my search: NOT_FOUND when I have none of that name. */
void          ts_store_delete_search_async        (TsStore             *self,
                                                   const char          *project,
                                                   const char          *name,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean      ts_store_delete_search_finish       (TsStore             *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

G_END_DECLS
