/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "tasksteper-core.h"
#include "ts-cache-private.h"

/* The offline copy on its own: what is saved comes back, files are private,
 * and a damaged, foreign or other user's file is set aside, never shown. */

typedef struct
{
  char *root;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->root = g_dir_make_tmp ("ts-cache-XXXXXX", NULL);
  g_assert_nonnull (fixture->root);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  remove_tree (fixture->root);
  g_free (fixture->root);
}

static TsProject *
issue_track (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("TS_SCHEMAS_DIR"), "issue_track.json", NULL);
  g_autoptr(TsDiagnostics) diagnostics = ts_diagnostics_new ("issue_track.json");
  TsProject *project = ts_project_new_from_file (path, diagnostics);

  g_assert_nonnull (project);
  return project;
}

static TsTicket *
make_ticket (gint64      id,
             const char *summary)
{
  TsTicket *ticket = ts_ticket_new ();
  g_autoptr(GDateTime) at = g_date_time_new_utc (2018, 1, 28, 9, 30, 0);
  g_autoptr(JsonObject) fields = json_object_new ();

  json_object_set_string_member (fields, "summary", summary);
  json_object_set_int_member (fields, "device_count", 3);
  json_object_set_boolean_member (fields, "clean", TRUE);
  json_object_set_null_member (fields, "nothing");
  /* Every kind of JSON value, written as the server sent it. */
  json_object_set_double_member (fields, "ratio", 0.1);
  json_object_set_double_member (fields, "whole", 3.0);
  json_object_set_double_member (fields, "tiny", -1.5e-300);
  json_object_set_string_member (fields, "control", "\x01\b\f\n\r\t\x1f/\u00e9");
  json_object_set_member (fields, "nested", json_from_string ("[1, {\"a\": [true, false, null]}, [], {}]", NULL));
  ts_ticket_set_id (ticket, id);
  ts_ticket_set_project (ticket, "issue_track");
  ts_ticket_set_number (ticket, id);
  ts_ticket_set_key (ticket, "question_1");
  ts_ticket_set_state (ticket, "维护人员处理");
  ts_ticket_set_assigned_to (ticket, "zhangwei");
  ts_ticket_set_created_by (ticket, "zhangwei");
  ts_ticket_set_created_at (ticket, at);
  ts_ticket_set_updated_at (ticket, at);
  ts_ticket_set_version (ticket, 4);
  ts_ticket_set_fields (ticket, fields);
  return ticket;
}

static void
assert_private (const char *path,
                guint       mode)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, mode);
}

static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(TsCache) cache = ts_cache_new_in (fixture->root, "db.example.com|5432|tasksteper", "zhangwei");
  g_autoptr(TsProject) project = issue_track ();
  g_autoptr(TsProjectSummary) summary = ts_project_summary_new (project, 3, 2, TRUE);
  g_autoptr(GPtrArray) summaries = g_ptr_array_new ();
  g_autoptr(GListStore) tickets = g_list_store_new (TS_TYPE_TICKET);
  g_autoptr(TsTicket) ticket = make_ticket (1, "【20180128】某局点 😀 \"引号\" \\ 设备");
  g_autoptr(TsTicket) second = make_ticket (2, "第二个");
  g_autoptr(GPtrArray) history = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(JsonObject) changes = json_object_new ();
  g_autoptr(GPtrArray) projects = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) loaded_history = NULL;
  g_autoptr(TsTicket) loaded = NULL;
  g_autoptr(GDateTime) saved_at = NULL;
  g_autofree char *file = NULL;
  TsHistoryEntry *entry;

  g_assert_false (ts_cache_exists (cache));
  g_assert_null (ts_cache_load_projects (cache, NULL));

  g_ptr_array_add (summaries, summary);
  ts_cache_save_projects (cache, summaries);
  g_list_store_append (tickets, ticket);
  g_list_store_append (tickets, second);
  ts_cache_save_tickets (cache, "issue_track", "pending", G_LIST_MODEL (tickets));
  json_object_set_string_member (changes, "issue_checker", "lina");
  g_ptr_array_add (history, ts_history_entry_new (ts_ticket_get_created_at (ticket), "zhangwei", "提交审核",
                                                  "维护人员处理", "维护代表审核", "zhangwei", "lina", changes));
  ts_cache_save_ticket (cache, ticket, history);
  ts_cache_flush (cache);
  g_assert_true (ts_cache_exists (cache));

  projects = ts_cache_load_projects (cache, &saved_at);
  g_assert_nonnull (saved_at);
  g_assert_cmpuint (projects->len, ==, 1);
  g_assert_cmpstr (ts_project_summary_get_title (g_ptr_array_index (projects, 0)), ==, "网上问题处理");
  g_assert_cmpint (ts_project_summary_get_revision (g_ptr_array_index (projects, 0)), ==, 3);
  g_assert_cmpuint (ts_project_summary_get_n_pending (g_ptr_array_index (projects, 0)), ==, 2);
  g_assert_true (ts_project_summary_get_is_admin (g_ptr_array_index (projects, 0)));
  g_assert_cmpuint (ts_project_get_n_fields (ts_project_summary_get_project (g_ptr_array_index (projects, 0))), ==, 14);

  list = ts_cache_load_tickets (cache, "issue_track", "pending", NULL);
  g_assert_cmpuint (list->len, ==, 2);
  loaded = g_object_ref (g_ptr_array_index (list, 0));
  g_assert_cmpstr (ts_ticket_get_key (loaded), ==, "question_1");
  g_assert_cmpint (ts_ticket_get_version (loaded), ==, 4);
  g_assert_true (g_date_time_equal (ts_ticket_get_created_at (loaded), ts_ticket_get_created_at (ticket)));
  {
    g_autoptr(JsonNode) a = json_node_init_object (json_node_alloc (), ts_ticket_get_fields (loaded));
    g_autoptr(JsonNode) b = json_node_init_object (json_node_alloc (), ts_ticket_get_fields (ticket));

    g_assert_true (json_node_equal (a, b));
    g_assert_cmpint (json_node_get_value_type (json_object_get_member (ts_ticket_get_fields (loaded), "whole")),
                     ==, G_TYPE_DOUBLE);
    g_assert_cmpfloat (json_object_get_double_member (ts_ticket_get_fields (loaded), "ratio"), ==, 0.1);
  }
  g_assert_null (ts_cache_load_tickets (cache, "issue_track", "all", NULL));
  g_clear_object (&loaded);

  loaded = ts_cache_load_ticket (cache, 1, &loaded_history);
  g_assert_nonnull (loaded);
  g_assert_cmpuint (loaded_history->len, ==, 1);
  entry = g_ptr_array_index (loaded_history, 0);
  g_assert_cmpstr (ts_history_entry_get_trigger (entry), ==, "提交审核");
  g_assert_cmpstr (ts_history_entry_get_to_assignee (entry), ==, "lina");
  g_assert_null (ts_cache_load_ticket (cache, 99, NULL));

  /* Ticket data is private to the user. */
  assert_private (ts_cache_get_directory (cache), 0700);
  file = g_build_filename (ts_cache_get_directory (cache), "projects.json", NULL);
  assert_private (file, 0600);
  g_assert_null (ts_cache_take_notices (cache));

  ts_cache_clear (cache);
  g_assert_false (ts_cache_exists (cache));
  g_assert_false (g_file_test (ts_cache_get_directory (cache), G_FILE_TEST_EXISTS));
}

/* A ticket's comments come back as they were listed; a damaged file is
 * set aside, and a comment of another ticket in it is not shown. */
static void
test_comments (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(TsCache) cache = ts_cache_new_in (fixture->root, "s", "zhangwei");
  g_autoptr(GDateTime) at = g_date_time_new_from_iso8601 ("2018-01-28T10:00:00.123456+08:00", NULL);
  g_autoptr(GDateTime) later = g_date_time_add_minutes (at, 5);
  g_autoptr(GPtrArray) comments = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GPtrArray) empty = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GDateTime) saved_at = NULL;
  g_autofree char *path = NULL;
  g_auto(GStrv) notices = NULL;
  const char *other_ticket =
    "{\"tasksteper_cache\": 1, \"server\": \"s\", \"user\": \"zhangwei\", \"saved_at\": \"2018-01-28T10:00:00Z\","
    " \"data\": [{\"id\": 9, \"ticket_id\": 8, \"at\": \"2018-01-28T10:00:00Z\", \"author\": \"lina\", \"body\": \"别处的\"},"
    "          {\"id\": 10, \"ticket_id\": 7, \"at\": \"2018-01-28T10:00:00Z\", \"author\": \"lina\", \"body\": \"这里的\"}]}";

  g_assert_null (ts_cache_load_comments (cache, 7, NULL));

  g_ptr_array_add (comments, ts_comment_new (3, 7, at, "lina", "请补充日志\n第二行 😀 \"引号\""));
  g_ptr_array_add (comments, ts_comment_new (4, 7, later, "zhangwei", "已补充"));
  ts_cache_save_comments (cache, 7, comments);
  ts_cache_save_comments (cache, 8, empty);
  ts_cache_flush (cache);

  loaded = ts_cache_load_comments (cache, 7, &saved_at);
  g_assert_nonnull (saved_at);
  g_assert_cmpuint (loaded->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      TsComment *a = g_ptr_array_index (comments, i);
      TsComment *b = g_ptr_array_index (loaded, i);

      g_assert_cmpint (ts_comment_get_id (b), ==, ts_comment_get_id (a));
      g_assert_cmpint (ts_comment_get_ticket_id (b), ==, 7);
      g_assert_true (g_date_time_equal (ts_comment_get_at (b), ts_comment_get_at (a)));
      g_assert_cmpstr (ts_comment_get_author (b), ==, ts_comment_get_author (a));
      g_assert_cmpstr (ts_comment_get_body (b), ==, ts_comment_get_body (a));
    }
  g_clear_pointer (&loaded, g_ptr_array_unref);

  /* Listed with none is not the same as never listed. */
  loaded = ts_cache_load_comments (cache, 8, NULL);
  g_assert_nonnull (loaded);
  g_assert_cmpuint (loaded->len, ==, 0);
  g_clear_pointer (&loaded, g_ptr_array_unref);

  path = g_build_filename (ts_cache_get_directory (cache), "comments-7.json", NULL);
  g_assert_true (g_file_set_contents (path, other_ticket, -1, NULL));
  loaded = ts_cache_load_comments (cache, 7, NULL);
  g_assert_cmpuint (loaded->len, ==, 1);
  g_assert_cmpstr (ts_comment_get_body (g_ptr_array_index (loaded, 0)), ==, "这里的");
  g_clear_pointer (&loaded, g_ptr_array_unref);

  g_assert_true (g_file_set_contents (path, "{\"tasksteper_cache\": 1, \"server\": \"s\", \"user\": \"zhangwei\", \"data\": {}}", -1, NULL));
  g_assert_null (ts_cache_load_comments (cache, 7, NULL));
  notices = ts_cache_take_notices (cache);
  g_assert_nonnull (notices);
  g_assert_cmpuint (g_strv_length (notices), ==, 1);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  ts_cache_clear (cache);
}

/* Each way a file can be wrong: the file is set aside with a notice, and
 * nothing of it is shown. */
static void
test_bad_files (Fixture       *fixture,
                gconstpointer  data)
{
  static const struct { const char *name; const char *contents; const char *why; } cases[] = {
    { "truncated", "{\"tasksteper_cache\": 1, \"server\": \"s\", \"user\": \"zhangwei\", \"data\": [", "damaged" },
    { "garbage", "\x89PNG\r\n\x1a\n\x00\x00", "damaged" },
    { "empty", "", "damaged" },
    { "not an object", "[1, 2, 3]", "damaged" },
    { "foreign", "{\"something\": \"else\"}", "not a TaskSteper offline copy" },
    { "newer format", "{\"tasksteper_cache\": 2, \"server\": \"s\", \"user\": \"zhangwei\", \"data\": []}", "not a TaskSteper offline copy" },
    { "another user", "{\"tasksteper_cache\": 1, \"server\": \"s\", \"user\": \"lina\", \"data\": []}", "another user" },
    { "another server", "{\"tasksteper_cache\": 1, \"server\": \"t\", \"user\": \"zhangwei\", \"data\": []}", "another user or server" },
    { "no data", "{\"tasksteper_cache\": 1, \"server\": \"s\", \"user\": \"zhangwei\"}", "incomplete" },
    { "data of the wrong shape", "{\"tasksteper_cache\": 1, \"server\": \"s\", \"user\": \"zhangwei\", \"data\": {\"a\": 1}}", "damaged" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TsCache) cache = ts_cache_new_in (fixture->root, "s", "zhangwei");
      g_autofree char *path = NULL;
      g_auto(GStrv) notices = NULL;
      g_autoptr(GPtrArray) projects = NULL;
      g_autoptr(GDir) dir = NULL;
      const char *name;
      gboolean set_aside = FALSE;

      g_test_message ("case: %s", cases[i].name);
      g_assert_cmpint (g_mkdir_with_parents (ts_cache_get_directory (cache), 0700), ==, 0);
      path = g_build_filename (ts_cache_get_directory (cache), "projects.json", NULL);
      g_assert_true (g_file_set_contents (path, cases[i].contents, strlen (cases[i].contents) + (i == 1 ? 2 : 0), NULL));

      projects = ts_cache_load_projects (cache, NULL);
      g_assert_null (projects);
      notices = ts_cache_take_notices (cache);
      g_assert_nonnull (notices);
      g_assert_cmpuint (g_strv_length (notices), ==, 1);
      g_assert_nonnull (strstr (notices[0], cases[i].why));
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

      dir = g_dir_open (ts_cache_get_directory (cache), 0, NULL);
      while ((name = g_dir_read_name (dir)) != NULL)
        if (g_str_has_prefix (name, "projects.json.bad-"))
          set_aside = TRUE;
      g_assert_true (set_aside);

      ts_cache_clear (cache);
    }
}

/* Different users of one machine never share a directory. */
static void
test_per_user (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(TsCache) zhangwei = ts_cache_new_in (fixture->root, "s", "zhangwei");
  g_autoptr(TsCache) lina = ts_cache_new_in (fixture->root, "s", "lina");
  g_autoptr(TsCache) other_server = ts_cache_new_in (fixture->root, "t", "zhangwei");
  g_autoptr(TsProject) project = issue_track ();
  g_autoptr(TsProjectSummary) summary = ts_project_summary_new (project, 1, 0, FALSE);
  g_autoptr(GPtrArray) summaries = g_ptr_array_new ();

  g_assert_cmpstr (ts_cache_get_directory (zhangwei), !=, ts_cache_get_directory (lina));
  g_assert_cmpstr (ts_cache_get_directory (zhangwei), !=, ts_cache_get_directory (other_server));

  g_ptr_array_add (summaries, summary);
  ts_cache_save_projects (zhangwei, summaries);
  ts_cache_flush (zhangwei);
  g_assert_true (ts_cache_exists (zhangwei));
  g_assert_false (ts_cache_exists (lina));
  g_assert_null (ts_cache_load_projects (lina, NULL));
}

/* Many writes in a row: the file on disk is always one whole version. */
static void
test_replace_whole (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(TsCache) cache = ts_cache_new_in (fixture->root, "s", "zhangwei");
  g_autoptr(GListStore) tickets = g_list_store_new (TS_TYPE_TICKET);
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  for (guint round = 1; round <= 50; round++)
    {
      g_autoptr(TsTicket) ticket = make_ticket (round, "摘要");

      g_list_store_append (tickets, ticket);
      ts_cache_save_tickets (cache, "issue_track", "all", G_LIST_MODEL (tickets));
    }
  ts_cache_flush (cache);

  loaded = ts_cache_load_tickets (cache, "issue_track", "all", NULL);
  g_assert_cmpuint (loaded->len, ==, 50);

  /* No temporary file is left behind. */
  dir = g_dir_open (ts_cache_get_directory (cache), 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_true (g_str_has_suffix (name, ".json"));
}

/* A list of @n tickets numbered from @first. */
static GListStore *
make_list (guint first,
           guint n)
{
  GListStore *list = g_list_store_new (TS_TYPE_TICKET);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TsTicket) ticket = make_ticket (first + i, "【20180128】乌鲁木齐局点磁带库硬盘故障");

      g_list_store_append (list, ticket);
    }
  return list;
}

static guint
list_length_on_disk (const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonNode *data;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  root = json_from_string (contents, NULL);
  g_assert_nonnull (root);
  data = json_object_get_member (json_node_get_object (root), "data");
  g_assert_true (data != NULL && JSON_NODE_HOLDS_ARRAY (data));
  return json_array_get_length (json_node_get_array (data));
}

/* A save returns before anything is written, from what the list held when
 * it was called; the saves made before the writer got to it coalesce, and
 * only the newest is written. */
static void
test_save_later (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(TsCache) cache = ts_cache_new_in (fixture->root, "s", "zhangwei");
  g_autoptr(GListStore) big = make_list (1, TS_CACHE_MAX_LIST_ROWS);
  g_autoptr(GListStore) smaller = make_list (1, 40);
  g_autoptr(GListStore) newest = make_list (7, 3);
  g_autoptr(GPtrArray) loaded = NULL;
  g_autofree char *path = g_build_filename (ts_cache_get_directory (cache), "tickets-issue_track-all.json", NULL);

  _ts_cache_set_paused (cache, TRUE);
  ts_cache_save_tickets (cache, "issue_track", "all", G_LIST_MODEL (big));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* What is saved is the list as it was at the call. */
  g_list_store_remove_all (big);
  _ts_cache_set_paused (cache, FALSE);
  ts_cache_flush (cache);
  g_assert_cmpuint (_ts_cache_get_n_written (cache), ==, 1);
  g_assert_cmpuint (list_length_on_disk (path), ==, TS_CACHE_MAX_LIST_ROWS);

  /* Three saves queued behind a paused writer: one write, the newest. */
  _ts_cache_set_paused (cache, TRUE);
  ts_cache_save_tickets (cache, "issue_track", "all", G_LIST_MODEL (smaller));
  ts_cache_save_tickets (cache, "issue_track", "pending", G_LIST_MODEL (smaller));
  ts_cache_save_tickets (cache, "issue_track", "all", G_LIST_MODEL (big));
  ts_cache_save_tickets (cache, "issue_track", "all", G_LIST_MODEL (newest));
  g_assert_cmpuint (list_length_on_disk (path), ==, TS_CACHE_MAX_LIST_ROWS);
  _ts_cache_set_paused (cache, FALSE);
  ts_cache_flush (cache);
  g_assert_cmpuint (_ts_cache_get_n_written (cache), ==, 3);

  loaded = ts_cache_load_tickets (cache, "issue_track", "all", NULL);
  g_assert_cmpuint (loaded->len, ==, 3);
  g_assert_cmpint (ts_ticket_get_id (g_ptr_array_index (loaded, 0)), ==, 7);
  g_clear_pointer (&loaded, g_ptr_array_unref);
  loaded = ts_cache_load_tickets (cache, "issue_track", "pending", NULL);
  g_assert_cmpuint (loaded->len, ==, 40);
}

/* While a long list replaces a short one, the file read as anyone would
 * read it is always one whole version, the old or the new. */
static void
test_read_while_written (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(TsCache) cache = ts_cache_new_in (fixture->root, "s", "zhangwei");
  g_autoptr(GListStore) small = make_list (1, 3);
  g_autoptr(GListStore) big = make_list (1, TS_CACHE_MAX_LIST_ROWS);
  g_autofree char *path = g_build_filename (ts_cache_get_directory (cache), "tickets-issue_track-all.json", NULL);
  guint old = 0, new = 0;

  ts_cache_save_tickets (cache, "issue_track", "all", G_LIST_MODEL (small));
  ts_cache_flush (cache);

  for (guint round = 0; round < 2; round++)
    {
      guint written = _ts_cache_get_n_written (cache);

      ts_cache_save_tickets (cache, "issue_track", "all", G_LIST_MODEL (round % 2 ? small : big));
      while (_ts_cache_get_n_written (cache) == written)
        {
          guint n = list_length_on_disk (path);

          g_assert_true (n == 3 || n == TS_CACHE_MAX_LIST_ROWS);
          if (n == (round % 2 ? TS_CACHE_MAX_LIST_ROWS : 3))
            old++;
          else
            new++;
        }
      ts_cache_flush (cache);
      g_assert_cmpuint (list_length_on_disk (path), ==, round % 2 ? 3 : TS_CACHE_MAX_LIST_ROWS);
    }
  g_test_message ("reads of the old version %u, of the new %u", old, new);
}

/* A cache that cannot be written tells the person (a notice, as for a
 * damaged file), and reads as nothing saved. */
static void
test_unwritable (Fixture       *fixture,
                 gconstpointer  data)
{
  /* A file where the directory should be: even root cannot make it. */
  g_autofree char *root = g_build_filename (fixture->root, "not-a-directory", NULL);
  g_autoptr(TsCache) cache = ts_cache_new_in (root, "s", "zhangwei");
  g_autoptr(GListStore) list = make_list (1, 3);
  g_autoptr(GPtrArray) members = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto(GStrv) notices = NULL;

  g_assert_true (g_file_set_contents (root, "", 0, NULL));
  ts_cache_save_tickets (cache, "issue_track", "all", G_LIST_MODEL (list));
  ts_cache_save_tickets (cache, "issue_track", "pending", G_LIST_MODEL (list));
  ts_cache_flush (cache);
  g_assert_false (ts_cache_exists (cache));
  g_assert_null (ts_cache_load_tickets (cache, "issue_track", "all", NULL));

  /* Said once, naming the folder, however many saves failed. */
  notices = ts_cache_take_notices (cache);
  g_assert_nonnull (notices);
  g_assert_cmpuint (g_strv_length (notices), ==, 1);
  g_assert_nonnull (strstr (notices[0], ts_cache_get_directory (cache)));
  g_assert_null (ts_cache_take_notices (cache));

  /* And said again after it was read, if saves still fail. */
  ts_cache_save_members (cache, "issue_track", members);
  ts_cache_flush (cache);
  g_clear_pointer (&notices, g_strfreev);
  notices = ts_cache_take_notices (cache);
  g_assert_nonnull (notices);
  g_assert_cmpuint (g_strv_length (notices), ==, 1);
}

static void
store_result (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

/* A long list read on another thread comes back as the one read here. */
static void
test_load_async (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(TsCache) cache = ts_cache_new_in (fixture->root, "s", "zhangwei");
  g_autoptr(GListStore) big = make_list (1, TS_CACHE_MAX_LIST_ROWS);
  g_autoptr(GPtrArray) here = NULL;
  g_autoptr(GPtrArray) there = NULL;
  g_autoptr(GDateTime) here_at = NULL;
  g_autoptr(GDateTime) there_at = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  /* Nothing saved: nothing, as when read here. */
  ts_cache_load_tickets_async (cache, "issue_track", "all", NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (ts_cache_load_tickets_finish (cache, result, &there_at));
  g_assert_null (there_at);
  g_clear_object (&result);

  ts_cache_save_tickets (cache, "issue_track", "all", G_LIST_MODEL (big));
  /* No flush: the read waits for the write. */
  ts_cache_load_tickets_async (cache, "issue_track", "all", NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  there = ts_cache_load_tickets_finish (cache, result, &there_at);
  here = ts_cache_load_tickets (cache, "issue_track", "all", &here_at);

  g_assert_nonnull (there);
  g_assert_cmpuint (there->len, ==, TS_CACHE_MAX_LIST_ROWS);
  g_assert_cmpuint (here->len, ==, there->len);
  for (guint i = 0; i < there->len; i++)
    {
      TsTicket *a = g_ptr_array_index (here, i);
      TsTicket *b = g_ptr_array_index (there, i);

      g_assert_cmpint (ts_ticket_get_id (a), ==, ts_ticket_get_id (b));
      g_assert_cmpstr (ts_ticket_get_state (a), ==, ts_ticket_get_state (b));
    }
  g_assert_nonnull (there_at);
  g_assert_true (g_date_time_equal (here_at, there_at));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/ts/cache/round-trip", Fixture, NULL, fixture_set_up, test_round_trip, fixture_tear_down);
  g_test_add ("/ts/cache/bad-files", Fixture, NULL, fixture_set_up, test_bad_files, fixture_tear_down);
  g_test_add ("/ts/cache/comments", Fixture, NULL, fixture_set_up, test_comments, fixture_tear_down);
  g_test_add ("/ts/cache/per-user", Fixture, NULL, fixture_set_up, test_per_user, fixture_tear_down);
  g_test_add ("/ts/cache/replace-whole", Fixture, NULL, fixture_set_up, test_replace_whole, fixture_tear_down);
  g_test_add ("/ts/cache/save-later", Fixture, NULL, fixture_set_up, test_save_later, fixture_tear_down);
  g_test_add ("/ts/cache/read-while-written", Fixture, NULL, fixture_set_up, test_read_while_written, fixture_tear_down);
  g_test_add ("/ts/cache/load-async", Fixture, NULL, fixture_set_up, test_load_async, fixture_tear_down);
  g_test_add ("/ts/cache/unwritable", Fixture, NULL, fixture_set_up, test_unwritable, fixture_tear_down);

  return g_test_run ();
}
