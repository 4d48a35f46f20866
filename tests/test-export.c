/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "tasksteper-core.h"
#include "ts-connection.h"
#include "ts-export.h"
#include "ts-export-job.h"
#include "ts-migrations.h"
#include "ts-release-notes.h"
#include "ts-store.h"
#include "ts-test-server.h"

/* The CSV and XLSX writers and the release notes on their own (suite
 * unit): exact bytes, the cells of the XLSX file as unzip(1) shows them,
 * and that a file appears whole or not at all.  With --db (suite db) the
 * same files come through the export job from a real server. */

/* ---- helpers ----------------------------------------------------------- */

/* A project with a field of every type. */
static const char export_schema[] =
  "{\"tasksteper\": 1, \"name\": \"exp\", \"title\": \"导出 [测试]\", \"key_prefix\": \"exp\","
  " \"fields\": ["
  "  {\"name\": \"summary\", \"label\": \"概要\", \"type\": \"string\"},"
  "  {\"name\": \"detail\", \"label\": \"详细描述\", \"type\": \"text\", \"max_length\": 100000},"
  "  {\"name\": \"level\", \"label\": \"级别\", \"type\": \"choice\", \"choices\": [\"一般\", \"严重\"]},"
  "  {\"name\": \"link\", \"label\": \"链接\", \"type\": \"url\"},"
  "  {\"name\": \"due\", \"label\": \"截止日期\", \"type\": \"date\"},"
  "  {\"name\": \"done\", \"label\": \"已验证\", \"type\": \"boolean\"},"
  "  {\"name\": \"count\", \"label\": \"次数\", \"type\": \"integer\"},"
  "  {\"name\": \"owner\", \"label\": \"负责人\", \"type\": \"user\"}],"
  " \"states\": [\"新建\", \"关闭\"],"
  " \"transitions\": [{\"source\": \"新建\", \"trigger\": \"关闭\", \"dest\": \"关闭\","
  "                   \"trans_condition\": {}, \"trans_action\": {}}]}";

static TsProject *
export_project (void)
{
  g_autoptr(TsDiagnostics) diagnostics = ts_diagnostics_new ("exp.json");
  TsProject *project = ts_project_new_from_data (export_schema, -1, diagnostics);

  g_assert_nonnull (project);
  return project;
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
make_ticket (const char *project,
             const char *prefix,
             int         number,
             const char *state,
             const char *fields_json)
{
  TsTicket *ticket = ts_ticket_new ();
  g_autoptr(JsonNode) fields = json_from_string (fields_json, NULL);
  g_autoptr(GDateTime) created = g_date_time_new_utc (2018, 1, 31, 4, 30, 15);
  g_autoptr(GDateTime) updated = g_date_time_new_utc (2018, 2, 1, 0, 0, 0);
  g_autofree char *key = g_strdup_printf ("%s_%d", prefix, number);

  g_assert_nonnull (fields);
  ts_ticket_set_id (ticket, 100 + number);
  ts_ticket_set_project (ticket, project);
  ts_ticket_set_number (ticket, number);
  ts_ticket_set_key (ticket, key);
  ts_ticket_set_state (ticket, state);
  ts_ticket_set_assigned_to (ticket, number == 1 ? "zhangwei" : NULL);
  ts_ticket_set_created_by (ticket, "lina");
  ts_ticket_set_created_at (ticket, number == 1 ? created : updated);
  ts_ticket_set_updated_at (ticket, updated);
  ts_ticket_set_version (ticket, 1);
  ts_ticket_set_fields (ticket, json_node_get_object (fields));
  return ticket;
}

/* The two tickets of the CSV and XLSX tests: Chinese, quotes, commas,
 * CR and LF, a lone quote, every type, values missing. */
static GPtrArray *
export_tickets (void)
{
  GPtrArray *tickets = g_ptr_array_new_with_free_func (g_object_unref);

  g_ptr_array_add (tickets, make_ticket ("exp", "exp", 1, "新建",
                                         "{\"summary\": \"北京, \\\"引号\\\" 局点\","
                                         " \"detail\": \"第一行\\r\\n第二行\\n第三行\","
                                         " \"level\": \"严重\", \"link\": \"https://example.com/?a=1,2\","
                                         " \"due\": \"2018-01-31\", \"done\": true, \"count\": 42,"
                                         " \"owner\": \"zhangwei\"}"));
  g_ptr_array_add (tickets, make_ticket ("exp", "exp", 2, "关闭",
                                         "{\"summary\": \"plain\", \"detail\": \"\\\"\","
                                         " \"level\": null, \"link\": \"a\\rb\", \"done\": false,"
                                         " \"count\": -7, \"owner\": \"\"}"));
  return tickets;
}

static GHashTable *
names (void)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_hash_table_insert (table, g_strdup ("zhangwei"), g_strdup ("张伟"));
  return table;
}

static TsExportWriter *
new_writer (TsProject          *project,
            TsExportFormat      format,
            const char * const *columns,
            TsExportFlags       flags)
{
  g_autoptr(GTimeZone) shanghai = g_time_zone_new_identifier ("Asia/Shanghai");
  g_autoptr(GHashTable) people = names ();

  g_assert_nonnull (shanghai);
  return g_object_new (TS_TYPE_EXPORT_WRITER,
                       "project", project,
                       "format", format,
                       "columns", columns,
                       "names", people,
                       "flags", flags,
                       "time-zone", shanghai,
                       NULL);
}

static void
write_all (TsExportWriter *writer,
           const char     *path,
           GPtrArray      *tickets)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ts_export_writer_open (writer, path, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < tickets->len; i++)
    {
      g_assert_true (ts_export_writer_add (writer, g_ptr_array_index (tickets, i), &error));
      g_assert_no_error (error);
    }
  g_assert_true (ts_export_writer_commit (writer, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ts_export_writer_get_n_rows (writer), ==, tickets->len);
}

static char *
read_file (const char *path,
           gsize      *length)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, length, &error));
  g_assert_no_error (error);
  return contents;
}

/* Member @member of the zip file @path, through unzip -p. */
static char *
unzip (const char *path,
       const char *member)
{
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "unzip", "-p", path, member, NULL };
  char *out = NULL;
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

/* The <c> element of cell @ref in a worksheet's XML, or NULL. */
static char *
cell_xml (const char *sheet,
          const char *ref)
{
  g_autofree char *start = g_strdup_printf ("<c r=\"%s\"", ref);
  const char *p = strstr (sheet, start);
  const char *tag_end;

  if (p == NULL)
    return NULL;
  tag_end = strchr (p, '>');
  if (tag_end[-1] == '/')
    return g_strndup (p, tag_end + 1 - p);
  return g_strndup (p, strstr (p, "</c>") + 4 - p);
}

/* The style index (s="N") of a cell, 0 without one. */
static guint
cell_style (const char *cell)
{
  const char *s = strstr (cell, " s=\"");

  return s && s < strchr (cell, '>') ? (guint)g_ascii_strtoull (s + 4, NULL, 10) : 0;
}

/* The text of an inline string cell. */
static char *
cell_string (const char *cell)
{
  const char *t = strstr (cell, "<t>");
  const char *t2 = strstr (cell, "<t xml:space=\"preserve\">");
  const char *start = t ? t + 3 : t2 ? t2 + strlen ("<t xml:space=\"preserve\">") : NULL;

  g_assert_nonnull (strstr (cell, "t=\"inlineStr\""));
  g_assert_nonnull (start);
  return g_strndup (start, strstr (start, "</t>") - start);
}

/* The number of a numeric cell, which has no t attribute. */
static double
cell_number (const char *cell)
{
  const char *v = strstr (cell, "<v>");

  g_assert_null (strstr (cell, " t=\""));
  g_assert_nonnull (v);
  return g_ascii_strtod (v + 3, NULL);
}

/* The number format (formatCode) of cell style @index in styles.xml, NULL
 * for the general one. */
static char *
style_format (const char *styles,
              guint       index)
{
  const char *xfs = strstr (styles, "<cellXfs");
  const char *xf = xfs;
  guint64 id;
  g_autofree char *needle = NULL;
  const char *fmt;

  g_assert_nonnull (xfs);
  for (guint i = 0; i <= index; i++)
    {
      xf = strstr (xf + 1, "<xf ");
      g_assert_nonnull (xf);
    }
  id = g_ascii_strtoull (strstr (xf, "numFmtId=\"") + strlen ("numFmtId=\""), NULL, 10);
  if (id == 0)
    return NULL;
  needle = g_strdup_printf ("<numFmt numFmtId=\"%" G_GUINT64_FORMAT "\" formatCode=\"", id);
  fmt = strstr (styles, needle);
  g_assert_nonnull (fmt);
  fmt += strlen (needle);
  return g_strndup (fmt, strchr (fmt, '"') - fmt);
}

/* Whether cell style @index is bold. */
static gboolean
style_bold (const char *styles,
            guint       index)
{
  const char *xf = strstr (styles, "<cellXfs");
  const char *font;
  guint64 font_id;

  for (guint i = 0; i <= index; i++)
    xf = strstr (xf + 1, "<xf ");
  font_id = g_ascii_strtoull (strstr (xf, "fontId=\"") + strlen ("fontId=\""), NULL, 10);
  font = strstr (styles, "<fonts");
  for (guint i = 0; i <= font_id; i++)
    font = strstr (font + 1, "<font>");
  return g_str_has_prefix (font, "<font><b/>");
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char **)a, *(const char **)b);
}

/* The names in @path, sorted, joined by spaces. */
static char *
list_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names_found = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names_found, g_strdup (name));
  g_ptr_array_sort (names_found, compare_names);
  g_ptr_array_add (names_found, NULL);
  return g_strjoinv (" ", (char **)names_found->pdata);
}

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dir = g_dir_make_tmp ("ts-export-XXXXXX", NULL);
  g_assert_nonnull (fixture->dir);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_chmod (fixture->dir, 0700);
  remove_tree (fixture->dir);
  g_free (fixture->dir);
}

/* ---- CSV --------------------------------------------------------------- */

static const char expected_csv[] =
  "ID,概要,State,Assignee,Reporter,详细描述,级别,链接,截止日期,已验证,次数,负责人,Created,Updated\r\n"
  "exp_1,\"北京, \"\"引号\"\" 局点\",新建,张伟,lina,\"第一行\r\n第二行\n第三行\",严重,"
  "\"https://example.com/?a=1,2\",2018-01-31,Yes,42,张伟,2018-01-31 12:30:15,2018-02-01 08:00:00\r\n"
  "exp_2,plain,关闭,,lina,\"\"\"\",,\"a\rb\",,No,-7,,2018-02-01 08:00:00,2018-02-01 08:00:00\r\n";

static void
test_csv_bytes (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(TsProject) project = export_project ();
  g_autoptr(GPtrArray) tickets = export_tickets ();
  g_autofree char *plain = g_build_filename (fixture->dir, "plain.csv", NULL);
  g_autofree char *excel = g_build_filename (fixture->dir, "excel.csv", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *with_bom = g_strconcat ("\xEF\xBB\xBF", expected_csv, NULL);
  g_autofree char *listing = NULL;
  g_autoptr(TsExportWriter) writer = new_writer (project, TS_EXPORT_FORMAT_CSV, NULL, TS_EXPORT_FLAGS_NONE);
  g_autoptr(TsExportWriter) bom = new_writer (project, TS_EXPORT_FORMAT_CSV, NULL,
                                              TS_EXPORT_FLAGS_EXCEL_COMPATIBLE);
  gsize length;

  write_all (writer, plain, tickets);
  contents = read_file (plain, &length);
  g_assert_cmpuint (length, ==, strlen (expected_csv));
  g_assert_cmpstr (contents, ==, expected_csv);
  g_clear_pointer (&contents, g_free);

  write_all (bom, excel, tickets);
  contents = read_file (excel, &length);
  g_assert_cmpuint (length, ==, strlen (with_bom));
  g_assert_cmpstr (contents, ==, with_bom);

  /* Nothing else is left in the directory. */
  listing = list_dir (fixture->dir);
  g_assert_cmpstr (listing, ==, "excel.csv plain.csv");
}

/* The visible columns of a list, in their order; a header and no rows. */
static void
test_csv_columns (Fixture       *fixture,
                  gconstpointer  data)
{
  static const char * const columns[] = { "key", "summary", "state", "owner", "updated_at", NULL };
  g_autoptr(TsProject) project = export_project ();
  g_autoptr(GPtrArray) tickets = export_tickets ();
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  g_autofree char *path = g_build_filename (fixture->dir, "columns.csv", NULL);
  g_autofree char *empty = g_build_filename (fixture->dir, "empty.csv", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(TsExportWriter) writer = new_writer (project, TS_EXPORT_FORMAT_CSV, columns, TS_EXPORT_FLAGS_NONE);
  g_autoptr(TsExportWriter) header_only = new_writer (project, TS_EXPORT_FORMAT_CSV, columns, TS_EXPORT_FLAGS_NONE);
  g_auto(GStrv) all = ts_export_all_columns (project);

  g_assert_cmpstrv (all, ((const char * const []) { "key", "summary", "state", "assigned_to", "created_by",
                                                    "detail", "level", "link", "due", "done", "count", "owner",
                                                    "created_at", "updated_at", NULL }));
  write_all (writer, path, tickets);
  contents = read_file (path, NULL);
  g_assert_cmpstr (contents, ==,
                   "ID,概要,State,负责人,Updated\r\n"
                   "exp_1,\"北京, \"\"引号\"\" 局点\",新建,张伟,2018-02-01 08:00:00\r\n"
                   "exp_2,plain,关闭,,2018-02-01 08:00:00\r\n");
  g_clear_pointer (&contents, g_free);

  write_all (header_only, empty, none);
  contents = read_file (empty, NULL);
  g_assert_cmpstr (contents, ==, "ID,概要,State,负责人,Updated\r\n");
}

static void
test_unknown_column (Fixture       *fixture,
                     gconstpointer  data)
{
  static const char * const columns[] = { "key", "no_such_field", NULL };
  g_autoptr(TsProject) project = export_project ();
  g_autofree char *path = g_build_filename (fixture->dir, "x.csv", NULL);
  g_autoptr(TsExportWriter) writer = new_writer (project, TS_EXPORT_FORMAT_CSV, columns, TS_EXPORT_FLAGS_NONE);
  g_autoptr(GError) error = NULL;
  g_autofree char *listing = NULL;

  g_assert_false (ts_export_writer_open (writer, path, &error));
  g_assert_error (error, TS_EXPORT_ERROR, TS_EXPORT_ERROR_UNKNOWN_COLUMN);
  g_assert_nonnull (strstr (error->message, "no_such_field"));
  g_assert_nonnull (strstr (error->message, "导出 [测试]"));
  listing = list_dir (fixture->dir);
  g_assert_cmpstr (listing, ==, "");
}

/* ---- XLSX -------------------------------------------------------------- */

static void
test_xlsx_cells (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(TsProject) project = export_project ();
  g_autoptr(GPtrArray) tickets = export_tickets ();
  g_autofree char *path = g_build_filename (fixture->dir, "tickets.xlsx", NULL);
  g_autoptr(TsExportWriter) writer = new_writer (project, TS_EXPORT_FORMAT_XLSX, NULL, TS_EXPORT_FLAGS_NONE);
  g_autofree char *sheet = NULL;
  g_autofree char *styles = NULL;
  g_autofree char *workbook = NULL;
  g_autofree char *listing = NULL;
  static const struct { const char *ref, *text; } strings[] = {
    { "A1", "ID" }, { "B1", "概要" }, { "I1", "截止日期" }, { "N1", "Updated" },
    { "A2", "exp_1" },
    { "B2", "北京, \"引号\" 局点" },
    { "C2", "新建" },
    { "D2", "张伟" },
    { "E2", "lina" },
    { "F2", "第一行\n第二行\n第三行" },
    { "G2", "严重" },
    { "H2", "https://example.com/?a=1,2" },
    { "J2", "Yes" },
    { "L2", "张伟" },
    { "F3", "\"" },
    { "J3", "No" },
  };

  write_all (writer, path, tickets);
  g_assert_cmpuint (ts_export_writer_get_n_truncated (writer), ==, 0);
  listing = list_dir (fixture->dir);
  g_assert_cmpstr (listing, ==, "tickets.xlsx");

  sheet = unzip (path, "xl/worksheets/sheet1.xml");
  styles = unzip (path, "xl/styles.xml");
  workbook = unzip (path, "xl/workbook.xml");

  /* The sheet is named after the project, without what Excel forbids. */
  g_assert_nonnull (strstr (workbook, "name=\"导出 _测试_\""));
  /* Constant-memory mode: inline strings, no shared string table. */
  g_assert_null (strstr (sheet, "t=\"s\""));

  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    {
      g_autofree char *cell = cell_xml (sheet, strings[i].ref);
      g_autofree char *text = NULL;

      g_test_message ("cell %s: %s", strings[i].ref, cell);
      g_assert_nonnull (cell);
      text = cell_string (cell);
      /* libxlsxwriter escapes only &, < and >; quotes stay as they are. */
      g_assert_cmpstr (text, ==, strings[i].text);
    }

  /* The header row is bold and frozen. */
  for (const char * const *ref = (const char * const []) { "A1", "F1", "N1", NULL }; *ref; ref++)
    {
      g_autofree char *cell = cell_xml (sheet, *ref);

      g_assert_true (style_bold (styles, cell_style (cell)));
    }
  {
    g_autofree char *cell = cell_xml (sheet, "A2");

    g_assert_false (style_bold (styles, cell_style (cell)));
  }
  g_assert_nonnull (strstr (sheet, "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"));
  g_assert_nonnull (strstr (sheet, "<autoFilter ref=\"A1:N3\"/>"));
  /* Every column has a width of its own. */
  for (guint i = 1; i <= 14; i++)
    {
      g_autofree char *col = g_strdup_printf ("<col min=\"%u\" max=\"%u\" width=\"", i, i);

      g_assert_nonnull (strstr (sheet, col));
    }

  /* Integers are numbers. */
  {
    g_autofree char *k2 = cell_xml (sheet, "K2");
    g_autofree char *k3 = cell_xml (sheet, "K3");

    g_assert_cmpfloat (cell_number (k2), ==, 42);
    g_assert_cmpfloat (cell_number (k3), ==, -7);
    g_assert_null (style_format (styles, cell_style (k2)));
  }

  /* A date is a serial number of days with a date format. */
  {
    g_autofree char *i2 = cell_xml (sheet, "I2");
    g_autofree char *format = NULL;

    g_assert_cmpfloat (cell_number (i2), ==, 43131);   /* 2018-01-31 */
    format = style_format (styles, cell_style (i2));
    g_assert_cmpstr (format, ==, "yyyy-mm-dd");
    /* No due date: no cell. */
    g_assert_null (cell_xml (sheet, "I3"));
  }

  /* The times are date-times in the local zone (Asia/Shanghai here). */
  {
    g_autofree char *m2 = cell_xml (sheet, "M2");
    g_autofree char *n2 = cell_xml (sheet, "N2");
    g_autofree char *format = NULL;

    g_assert_cmpfloat_with_epsilon (cell_number (m2), 43131 + (12 * 3600 + 30 * 60 + 15) / 86400.0, 1e-9);
    g_assert_cmpfloat_with_epsilon (cell_number (n2), 43132 + 8 / 24.0, 1e-9);
    format = style_format (styles, cell_style (m2));
    g_assert_cmpstr (format, ==, "yyyy-mm-dd hh:mm:ss");
  }

  /* Empty values make no cells. */
  g_assert_null (cell_xml (sheet, "D3"));
  g_assert_null (cell_xml (sheet, "G3"));
  g_assert_null (cell_xml (sheet, "L3"));
}

/* Excel keeps 32,767 characters of a cell: longer text is cut, ending in
 * an ellipsis, and counted. */
static void
test_xlsx_long_text (Fixture       *fixture,
                     gconstpointer  data)
{
  static const char * const columns[] = { "key", "detail", NULL };
  g_autoptr(TsProject) project = export_project ();
  g_autoptr(GPtrArray) tickets = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *path = g_build_filename (fixture->dir, "long.xlsx", NULL);
  g_autoptr(TsExportWriter) writer = new_writer (project, TS_EXPORT_FORMAT_XLSX, columns, TS_EXPORT_FLAGS_NONE);
  g_autoptr(GString) han = g_string_new (NULL);
  g_autoptr(GString) emoji = g_string_new (NULL);
  g_autoptr(GString) exact = g_string_new (NULL);
  g_autofree char *sheet = NULL;
  struct { const char *ref; glong chars; gboolean cut; } expect[] = {
    { "B2", 32767, TRUE },      /* 40,000 CJK characters */
    { "B3", 16384, TRUE },      /* 16,383 emoji (two UTF-16 units each) and the ellipsis */
    { "B4", 32767, FALSE },     /* exactly the limit: kept whole */
  };

  for (guint i = 0; i < 40000; i++)
    g_string_append (han, "字");
  for (guint i = 0; i < 20000; i++)
    g_string_append (emoji, "😀");
  for (guint i = 0; i < 32767; i++)
    g_string_append_c (exact, 'a');

  for (guint i = 0; i < 3; i++)
    {
      GString *text = i == 0 ? han : i == 1 ? emoji : exact;
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) fields = NULL;
      g_autofree char *json = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "detail");
      json_builder_add_string_value (builder, text->str);
      json_builder_end_object (builder);
      fields = json_builder_get_root (builder);
      json = json_to_string (fields, FALSE);
      g_ptr_array_add (tickets, make_ticket ("exp", "exp", i + 1, "新建", json));
    }

  write_all (writer, path, tickets);
  g_assert_cmpuint (ts_export_writer_get_n_truncated (writer), ==, 2);

  sheet = unzip (path, "xl/worksheets/sheet1.xml");
  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    {
      g_autofree char *cell = cell_xml (sheet, expect[i].ref);
      g_autofree char *text = cell_string (cell);

      g_assert_cmpint (g_utf8_strlen (text, -1), ==, expect[i].chars);
      g_assert_cmpint (g_str_has_suffix (text, "…"), ==, expect[i].cut);
    }
}

/* ---- a file appears whole or not at all -------------------------------- */

/* An existing file stays as it was when an export is abandoned half way
 * (the job's Cancel) or dropped, and no temporary file stays behind. */
static void
test_discard_keeps_destination (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(TsProject) project = export_project ();
  g_autoptr(GPtrArray) tickets = export_tickets ();
  g_autoptr(GError) error = NULL;

  for (TsExportFormat format = TS_EXPORT_FORMAT_CSV; format <= TS_EXPORT_FORMAT_XLSX; format++)
    {
      g_autofree char *name = g_strdup_printf ("old.%s", ts_export_format_get_extension (format));
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
      g_autofree char *contents = NULL;
      g_autofree char *listing = NULL;
      TsExportWriter *writer;

      g_assert_true (g_file_set_contents (path, "the old file", -1, &error));
      g_assert_no_error (error);

      /* Discarded after some rows. */
      writer = new_writer (project, format, NULL, TS_EXPORT_FLAGS_NONE);
      g_assert_true (ts_export_writer_open (writer, path, &error));
      g_assert_no_error (error);
      g_assert_true (ts_export_writer_add (writer, g_ptr_array_index (tickets, 0), &error));
      g_assert_no_error (error);
      listing = list_dir (fixture->dir);
      /* The rows went to a hidden file next to the destination. */
      g_assert_true (g_str_has_prefix (listing, "."));
      g_clear_pointer (&listing, g_free);
      ts_export_writer_discard (writer);
      g_assert_false (ts_export_writer_commit (writer, &error));
      g_assert_error (error, TS_EXPORT_ERROR, TS_EXPORT_ERROR_FAILED);
      g_clear_error (&error);
      g_assert_finalize_object (writer);

      contents = read_file (path, NULL);
      g_assert_cmpstr (contents, ==, "the old file");
      g_clear_pointer (&contents, g_free);
      listing = list_dir (fixture->dir);
      g_assert_cmpstr (listing, ==, name);
      g_clear_pointer (&listing, g_free);

      /* Dropped without committing. */
      writer = new_writer (project, format, NULL, TS_EXPORT_FLAGS_NONE);
      g_assert_true (ts_export_writer_open (writer, path, &error));
      g_assert_true (ts_export_writer_add (writer, g_ptr_array_index (tickets, 1), &error));
      g_assert_finalize_object (writer);
      contents = read_file (path, NULL);
      g_assert_cmpstr (contents, ==, "the old file");
      listing = list_dir (fixture->dir);
      g_assert_cmpstr (listing, ==, name);
      g_unlink (path);
    }
}

/* A directory nobody may write to: the error names the file and why, and
 * the existing file there is untouched. */
static void
test_read_only_directory (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(TsProject) project = export_project ();
  g_autofree char *dir = g_build_filename (fixture->dir, "read-only", NULL);
  g_autofree char *path = g_build_filename (dir, "tickets.csv", NULL);

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "the old file", -1, NULL));
  g_assert_cmpint (g_chmod (dir, 0500), ==, 0);
  if (access (dir, W_OK) == 0)
    {
      /* root writes anywhere: /proc refuses new files even to root, and
       * /proc/version is a file there that must stay as it is. */
      g_free (path);
      path = g_strdup ("/proc/version");
    }

  for (TsExportFormat format = TS_EXPORT_FORMAT_CSV; format <= TS_EXPORT_FORMAT_XLSX; format++)
    {
      g_autoptr(TsExportWriter) writer = new_writer (project, format, NULL, TS_EXPORT_FLAGS_NONE);
      g_autoptr(GError) error = NULL;
      g_autofree char *before = NULL;
      g_autofree char *after = NULL;
      g_autofree char *parent = g_path_get_dirname (path);
      g_autofree char *listing_before = g_str_equal (parent, "/proc") ? g_strdup ("") : list_dir (parent);
      g_autofree char *listing_after = NULL;

      before = read_file (path, NULL);
      g_assert_false (ts_export_writer_open (writer, path, &error));
      g_assert_error (error, TS_EXPORT_ERROR, TS_EXPORT_ERROR_FAILED);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, path));
      if (!g_str_equal (parent, "/proc"))
        g_assert_nonnull (strstr (error->message, g_strerror (EACCES)));
      after = read_file (path, NULL);
      g_assert_cmpstr (before, ==, after);
      listing_after = g_str_equal (parent, "/proc") ? g_strdup ("") : list_dir (parent);
      g_assert_cmpstr (listing_before, ==, listing_after);
    }
}

/* The last step fails (here the destination became a folder meanwhile):
 * no file appears and the temporary file goes. */
static void
test_commit_fails (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(TsProject) project = export_project ();
  g_autoptr(GPtrArray) tickets = export_tickets ();

  for (TsExportFormat format = TS_EXPORT_FORMAT_CSV; format <= TS_EXPORT_FORMAT_XLSX; format++)
    {
      g_autoptr(TsExportWriter) writer = new_writer (project, format, NULL, TS_EXPORT_FLAGS_NONE);
      g_autofree char *path = g_build_filename (fixture->dir, "target", NULL);
      g_autofree char *inside = g_build_filename (path, "keep", NULL);
      g_autofree char *listing = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_true (ts_export_writer_open (writer, path, &error));
      g_assert_no_error (error);
      g_assert_true (ts_export_writer_add (writer, g_ptr_array_index (tickets, 0), &error));
      g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
      g_assert_true (g_file_set_contents (inside, "kept", -1, NULL));

      g_assert_false (ts_export_writer_commit (writer, &error));
      g_assert_error (error, TS_EXPORT_ERROR, TS_EXPORT_ERROR_FAILED);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, path));

      listing = list_dir (fixture->dir);
      g_assert_cmpstr (listing, ==, "target");
      g_clear_pointer (&listing, g_free);
      listing = list_dir (path);
      g_assert_cmpstr (listing, ==, "keep");
      g_unlink (inside);
      g_rmdir (path);
    }
}

/* A folder chosen as the file. */
static void
test_destination_is_folder (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(TsProject) project = export_project ();
  g_autoptr(TsExportWriter) writer = new_writer (project, TS_EXPORT_FORMAT_CSV, NULL, TS_EXPORT_FLAGS_NONE);
  g_autoptr(GError) error = NULL;

  g_assert_false (ts_export_writer_open (writer, fixture->dir, &error));
  g_assert_error (error, TS_EXPORT_ERROR, TS_EXPORT_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, fixture->dir));
}

/* Text saved whole: release notes go through ts_export_save_text(). */
static void
test_save_text (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "notes.md", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *listing = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (ts_export_save_text (path, "# 旧的\n", -1, &error));
  g_assert_no_error (error);
  g_assert_true (ts_export_save_text (path, "# 发布说明\n- 一\n", -1, &error));
  g_assert_no_error (error);
  contents = read_file (path, NULL);
  g_assert_cmpstr (contents, ==, "# 发布说明\n- 一\n");
  listing = list_dir (fixture->dir);
  g_assert_cmpstr (listing, ==, "notes.md");

  g_assert_false (ts_export_save_text ("/proc/version", "x", -1, &error));
  g_assert_error (error, TS_EXPORT_ERROR, TS_EXPORT_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "/proc/version"));
  g_clear_error (&error);
  g_assert_false (ts_export_save_text (fixture->dir, "x", -1, &error));
  g_assert_error (error, TS_EXPORT_ERROR, TS_EXPORT_ERROR_FAILED);
}

/* ---- release notes ----------------------------------------------------- */

static GPtrArray *
release_tickets (void)
{
  GPtrArray *tickets = g_ptr_array_new_with_free_func (g_object_unref);

  g_ptr_array_add (tickets, make_ticket ("issue_track", "question", 3, "关闭",
                                         "{\"summary\": \"硬盘故障\", \"class_3\": \"存储\","
                                         " \"release_notes\": \"\\n硬盘预警  \\r\\n\\r\\n第二段\\n\\n\"}"));
  g_ptr_array_add (tickets, make_ticket ("issue_track", "question", 1, "关闭",
                                         "{\"summary\": \"线缆松动\", \"class_3\": \"线缆\","
                                         " \"release_notes\": \"线缆绑扎规范\"}"));
  g_ptr_array_add (tickets, make_ticket ("issue_track", "question", 2, "关闭",
                                         "{\"summary\": \"旧单\", \"class_3\": \"旧领域\","
                                         " \"release_notes\": \"旧的 [链接](http://example.com)\"}"));
  g_ptr_array_add (tickets, make_ticket ("issue_track", "question", 5, "关闭",
                                         "{\"summary\": \"无领域\", \"class_3\": \"\","
                                         " \"release_notes\": \"无领域的说明\\n  缩进的第二行\"}"));
  g_ptr_array_add (tickets, make_ticket ("issue_track", "question", 4, "关闭",
                                         "{\"summary\": \"【20180122】某局点\\n第二行\", \"class_3\": \"线缆\","
                                         " \"release_notes\": \"  \\n \"}"));
  g_ptr_array_add (tickets, make_ticket ("issue_track", "question", 6, "关闭",
                                         "{\"summary\": \"\", \"class_3\": \"存储\"}"));
  return tickets;
}

static TsReleaseNotes *
release_notes (TsProject  *project,
               const char *group_by)
{
  g_autoptr(GPtrArray) tickets = release_tickets ();
  g_autoptr(GError) error = NULL;
  TsReleaseNotes *notes = ts_release_notes_new (project, "关闭", "2018-01-01", " 2018-01-31 ",
                                                "release_notes", group_by, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < tickets->len; i++)
    ts_release_notes_add (notes, g_ptr_array_index (tickets, i));
  /* A ticket seen twice (two pages overlapping) counts once. */
  ts_release_notes_add (notes, g_ptr_array_index (tickets, 0));
  g_assert_cmpuint (ts_release_notes_get_n_tickets (notes), ==, 6);
  return notes;
}

static void
test_release_notes_plain (void)
{
  g_autoptr(TsProject) project = issue_track ();
  g_autoptr(TsReleaseNotes) notes = release_notes (project, NULL);
  g_autofree char *markdown = ts_release_notes_to_markdown (notes);
  g_autoptr(JsonNode) filter = ts_release_notes_dup_filter (notes);
  g_autofree char *filter_json = json_to_string (filter, FALSE);

  g_assert_cmpstr (filter_json, ==, "{\"reached\":{\"state\":\"关闭\",\"from\":\"2018-01-01\",\"to\":\"2018-01-31\"}}");
  g_assert_cmpstr (markdown, ==,
                   "# 网上问题处理 — 关闭 (2018-01-01 – 2018-01-31)\n"
                   "\n"
                   "- [question_1](tasksteper://issue_track/1) 线缆绑扎规范\n"
                   "- [question_2](tasksteper://issue_track/2) 旧的 [链接](http://example.com)\n"
                   "- [question_3](tasksteper://issue_track/3) 硬盘预警\n"
                   "\n"
                   "  第二段\n"
                   "- [question_5](tasksteper://issue_track/5) 无领域的说明\n"
                   "    缩进的第二行\n"
                   "\n"
                   "## Without 发布说明\n"
                   "\n"
                   "- [question_4](tasksteper://issue_track/4) 【20180122】某局点\n"
                   "- [question_6](tasksteper://issue_track/6)\n");
}

static void
test_release_notes_grouped (void)
{
  g_autoptr(TsProject) project = issue_track ();
  g_autoptr(TsReleaseNotes) notes = release_notes (project, "class_3");
  g_autofree char *markdown = ts_release_notes_to_markdown (notes);

  /* 责任领域's choices start 线缆, 硬件, 固件, BIOS, BMC, 操作系统, 驱动, 存储:
   * the groups follow them, a value no longer among them comes next and
   * tickets without one last; those without notes are not in a group. */
  g_assert_cmpstr (markdown, ==,
                   "# 网上问题处理 — 关闭 (2018-01-01 – 2018-01-31)\n"
                   "\n"
                   "## 线缆\n"
                   "\n"
                   "- [question_1](tasksteper://issue_track/1) 线缆绑扎规范\n"
                   "\n"
                   "## 存储\n"
                   "\n"
                   "- [question_3](tasksteper://issue_track/3) 硬盘预警\n"
                   "\n"
                   "  第二段\n"
                   "\n"
                   "## 旧领域\n"
                   "\n"
                   "- [question_2](tasksteper://issue_track/2) 旧的 [链接](http://example.com)\n"
                   "\n"
                   "## 责任领域: none\n"
                   "\n"
                   "- [question_5](tasksteper://issue_track/5) 无领域的说明\n"
                   "    缩进的第二行\n"
                   "\n"
                   "## Without 发布说明\n"
                   "\n"
                   "- [question_4](tasksteper://issue_track/4) 【20180122】某局点\n"
                   "- [question_6](tasksteper://issue_track/6)\n");
}

static void
test_release_notes_empty (void)
{
  g_autoptr(TsProject) project = issue_track ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TsReleaseNotes) notes = ts_release_notes_new (project, "关闭", "2018-02-01", "2018-02-01",
                                                          "release_notes", "class_3", &error);
  g_autofree char *markdown = NULL;

  g_assert_no_error (error);
  markdown = ts_release_notes_to_markdown (notes);
  g_assert_cmpstr (markdown, ==,
                   "# 网上问题处理 — 关闭 (2018-02-01)\n"
                   "\n"
                   "No ticket reached 关闭 in this window.\n");
}

static void
test_release_notes_refused (void)
{
  g_autoptr(TsProject) project = issue_track ();
  static const struct {
    const char *state, *from, *to, *field, *group;
    TsReleaseNotesError code;
    const char *says;
  } cases[] = {
    { "已发布", "2018-01-01", "2018-01-31", "release_notes", NULL, TS_RELEASE_NOTES_ERROR_UNKNOWN_STATE, "已发布" },
    { "关闭", "2018-02-30", "2018-03-31", "release_notes", NULL, TS_RELEASE_NOTES_ERROR_BAD_DATE, "“2018-02-30” is not a date: write the day as YYYY-MM-DD" },
    { "关闭", "2018-01-01", "2018/01/31", "release_notes", NULL, TS_RELEASE_NOTES_ERROR_BAD_DATE, "“2018/01/31”" },
    { "关闭", "2018-1-1", "2018-01-31", "release_notes", NULL, TS_RELEASE_NOTES_ERROR_BAD_DATE, "“2018-1-1”" },
    { "关闭", "", "2018-01-31", "release_notes", NULL, TS_RELEASE_NOTES_ERROR_BAD_DATE, "No date given" },
    { "关闭", "2018-02-01", "2018-01-31", "release_notes", NULL, TS_RELEASE_NOTES_ERROR_BAD_WINDOW, "ends on 2018-01-31, before it starts on 2018-02-01" },
    { "关闭", "2018-01-01", "2018-01-31", "issue_level", NULL, TS_RELEASE_NOTES_ERROR_BAD_FIELD, "issue_level" },
    { "关闭", "2018-01-01", "2018-01-31", "release_notes", "summary", TS_RELEASE_NOTES_ERROR_BAD_FIELD, "summary" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(TsReleaseNotes) notes = ts_release_notes_new (project, cases[i].state, cases[i].from, cases[i].to,
                                                              cases[i].field, cases[i].group, &error);

      g_assert_null (notes);
      g_assert_error (error, TS_RELEASE_NOTES_ERROR, (int)cases[i].code);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].says));
    }
}

/* ---- through the store, from a real server (--db) ---------------------- */

static TsTestServer *server;
static guint db_counter;

typedef struct
{
  char *dir;
  char *db;
  char *zhangwei;   /* roles are cluster-wide: each test names its own */
  char *lina;
} DbFixture;

static PGconn *
connect_as (DbFixture  *fixture,
            const char *user)
{
  g_autofree char *conninfo = ts_test_server_conninfo (server, fixture->db, user);
  PGconn *conn = PQconnectdb (conninfo);

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  return conn;
}

static void
exec_as (DbFixture  *fixture,
         const char *user,
         const char *sql)
{
  PGconn *conn = connect_as (fixture, user);
  PGresult *result = PQexec (conn, sql);

  if (PQresultStatus (result) != PGRES_TUPLES_OK && PQresultStatus (result) != PGRES_COMMAND_OK)
    g_error ("%s: %s", sql, PQerrorMessage (conn));
  PQclear (result);
  PQfinish (conn);
}

static void
db_fixture_set_up (DbFixture     *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *schema_path = g_build_filename (g_getenv ("TS_SCHEMAS_DIR"), "issue_track.json", NULL);
  g_autofree char *schema = NULL;
  g_autofree char *sql = NULL;
  PGconn *conn;
  PGresult *result;
  const char *params[1];

  fixture->dir = g_dir_make_tmp ("ts-export-db-XXXXXX", NULL);
  fixture->db = ts_test_server_create_database (server, &error);
  g_assert_no_error (error);
  db_counter++;
  fixture->zhangwei = g_strdup_printf ("e%u_zhangwei", db_counter);
  fixture->lina = g_strdup_printf ("e%u_lina", db_counter);

  conn = connect_as (fixture, NULL);
  g_assert_true (ts_migrations_apply (conn, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (schema_path, &schema, NULL, NULL));
  params[0] = schema;
  result = PQexecParams (conn, "SELECT tasksteper.import_project ($1::jsonb)", 1, NULL, params, NULL, NULL, 0);
  g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
  PQclear (result);
  PQfinish (conn);

  sql = g_strdup_printf ("CREATE ROLE %1$s LOGIN IN ROLE tasksteper_user;"
                         "CREATE ROLE %2$s LOGIN IN ROLE tasksteper_user;"
                         "SELECT tasksteper.add_member ('issue_track', '%1$s');"
                         "SELECT tasksteper.add_member ('issue_track', '%2$s');"
                         "SELECT tasksteper.set_display_name ('%1$s', '张伟');",
                         fixture->zhangwei, fixture->lina);
  exec_as (fixture, NULL, sql);
}

static void
db_fixture_tear_down (DbFixture     *fixture,
                      gconstpointer  data)
{
  remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db);
  g_free (fixture->zhangwei);
  g_free (fixture->lina);
}

/* @n tickets made by zhangwei: number i is "第i号", every third one
 * 严重问题, the others 一般问题. */
static void
make_tickets (DbFixture *fixture,
              guint      n)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(tasksteper.create_ticket ('issue_track',"
                                          " jsonb_build_object ('summary', '第' || i || '号, \"引号\"',"
                                          "                     'issue_level', CASE WHEN i %% 3 = 0 THEN '严重问题' ELSE '一般问题' END)))"
                                          " FROM generate_series (1, %u) i", n);

  exec_as (fixture, fixture->zhangwei, sql);
}

static void
store_result (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static TsStore *
open_store (DbFixture  *fixture,
            const char *user)
{
  g_autofree char *conninfo = ts_test_server_conninfo (server, fixture->db, user);
  g_autoptr(TsConnection) connection = ts_connection_new (conninfo, NULL);
  TsStore *store = ts_store_new (connection);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ts_store_open_async (store, NULL, store_result, &result);
  g_assert_true (ts_store_open_finish (store, wait_for (&result), &error));
  g_assert_no_error (error);
  return store;
}

static TsProject *
store_project (TsStore *store)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) projects = NULL;

  ts_store_list_projects_async (store, NULL, store_result, &result);
  projects = ts_store_list_projects_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (projects->len, ==, 1);
  return g_object_ref (ts_project_summary_get_project (g_ptr_array_index (projects, 0)));
}

/* RFC 4180 read back: the records of @text, each a NULL-terminated array. */
static GPtrArray *
parse_csv (const char *text)
{
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);
  g_autoptr(GPtrArray) record = g_ptr_array_new ();
  g_autoptr(GString) field = g_string_new (NULL);
  const char *p = text;

  if (g_str_has_prefix (p, "\xEF\xBB\xBF"))
    p += 3;
  while (*p)
    {
      if (*p == '"')
        {
          for (p++; *p && !(p[0] == '"' && p[1] != '"'); p++)
            {
              if (p[0] == '"')
                p++;
              g_string_append_c (field, *p);
            }
          g_assert_true (*p == '"');
          p++;
        }
      else
        while (*p && *p != ',' && *p != '\r')
          {
            g_assert_true (*p != '\n' && *p != '"');
            g_string_append_c (field, *p++);
          }

      g_ptr_array_add (record, g_strdup (field->str));
      g_string_truncate (field, 0);
      if (*p == ',')
        p++;
      else
        {
          /* Every record ends in CRLF. */
          g_assert_true (p[0] == '\r' && p[1] == '\n');
          p += 2;
          g_ptr_array_add (record, NULL);
          g_ptr_array_add (records, g_ptr_array_steal (record, NULL));
        }
    }
  return records;
}

typedef struct
{
  guint   notified;
  guint64 last;
  GCancellable *cancel_at_first;
} Progress;

static void
on_written (TsExportJob *job,
            GParamSpec  *pspec,
            Progress    *progress)
{
  /* Written only grows. */
  g_assert_cmpuint (ts_export_job_get_written (job), >=, progress->last);
  progress->last = ts_export_job_get_written (job);
  progress->notified++;
  if (progress->cancel_at_first != NULL)
    g_cancellable_cancel (progress->cancel_at_first);
}

static gboolean
run_job (TsExportJob  *job,
         const char   *path,
         GCancellable *cancellable,
         Progress     *progress,
         GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  g_signal_connect (job, "notify::written", G_CALLBACK (on_written), progress);
  ts_export_job_run_async (job, path, cancellable, store_result, &result);
  return ts_export_job_run_finish (job, wait_for (&result), error);
}

/* All tickets, the visible columns, in pages: the rows come out in the
 * list's order, people by their names. */
static void
test_job_csv (DbFixture     *fixture,
              gconstpointer  data)
{
  static const char * const columns[] = { "key", "summary", "state", "assigned_to", "created_by",
                                          "issue_level", "updated_at", NULL };
  g_autoptr(TsStore) store = open_store (fixture, fixture->lina);
  g_autoptr(TsProject) project = store_project (store);
  g_autoptr(JsonNode) all = json_from_string ("{}", NULL);
  g_autoptr(TsExportJob) job = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "所有条目.csv", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  Progress progress = { 0 };

  make_tickets (fixture, 25);
  job = g_object_new (TS_TYPE_EXPORT_JOB, "store", store, "project", project, "filter", all,
                      "descending", TRUE, "format", TS_EXPORT_FORMAT_CSV, "columns", columns,
                      "flags", TS_EXPORT_FLAGS_EXCEL_COMPATIBLE, "page-size", 10, NULL);
  g_assert_true (run_job (job, path, NULL, &progress, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ts_export_job_get_total (job), ==, 25);
  g_assert_cmpuint (ts_export_job_get_written (job), ==, 25);
  /* One notice per page of ten. */
  g_assert_cmpuint (progress.notified, >=, 3);

  contents = read_file (path, NULL);
  g_assert_true (g_str_has_prefix (contents, "\xEF\xBB\xBF"));
  records = parse_csv (contents);
  g_assert_cmpuint (records->len, ==, 26);
  g_assert_cmpstrv (g_ptr_array_index (records, 0),
                    ((const char * const []) { "ID", "概要", "State", "Assignee", "Reporter", "问题级别", "Updated", NULL }));
  for (guint i = 1; i <= 25; i++)
    {
      char **row = g_ptr_array_index (records, i);
      g_autofree char *key = g_strdup_printf ("question_%u", 26 - i);
      g_autofree char *summary = g_strdup_printf ("第%u号, \"引号\"", 26 - i);

      g_assert_cmpuint (g_strv_length (row), ==, 7);
      g_assert_cmpstr (row[0], ==, key);
      g_assert_cmpstr (row[1], ==, summary);
      g_assert_cmpstr (row[2], ==, "维护人员处理");
      g_assert_cmpstr (row[3], ==, "张伟");
      g_assert_cmpstr (row[4], ==, "张伟");
      g_assert_cmpstr (row[5], ==, (26 - i) % 3 == 0 ? "严重问题" : "一般问题");
      g_assert_true (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d$", row[6], 0, 0));
    }
}

/* A search's filter, every field, as XLSX. */
static void
test_job_xlsx (DbFixture     *fixture,
               gconstpointer  data)
{
  g_autoptr(TsStore) store = open_store (fixture, fixture->zhangwei);
  g_autoptr(TsProject) project = store_project (store);
  g_autoptr(JsonNode) severe = json_from_string ("{\"issue_level\": \"严重问题\"}", NULL);
  g_autoptr(TsExportJob) job = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "严重问题.xlsx", NULL);
  g_autofree char *sheet = NULL;
  g_autofree char *styles = NULL;
  g_autoptr(GError) error = NULL;
  Progress progress = { 0 };
  g_auto(GStrv) all = ts_export_all_columns (project);

  make_tickets (fixture, 12);
  job = ts_export_job_new (store, project, severe, "number", FALSE, TS_EXPORT_FORMAT_XLSX, NULL,
                           TS_EXPORT_FLAGS_NONE);
  g_assert_true (run_job (job, path, NULL, &progress, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ts_export_job_get_total (job), ==, 4);
  g_assert_cmpuint (ts_export_job_get_written (job), ==, 4);

  sheet = unzip (path, "xl/worksheets/sheet1.xml");
  styles = unzip (path, "xl/styles.xml");
  g_assert_cmpstr (all[0], ==, "key");
  /* Ascending by number: 3, 6, 9, 12; a header and four rows. */
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *ref = g_strdup_printf ("A%u", i + 2);
      g_autofree char *cell = cell_xml (sheet, ref);
      g_autofree char *text = cell_string (cell);
      g_autofree char *key = g_strdup_printf ("question_%u", 3 * (i + 1));

      g_assert_cmpstr (text, ==, key);
    }
  g_assert_null (cell_xml (sheet, "A6"));
  g_assert_nonnull (strstr (sheet, "<dimension ref=\"A1:"));

  /* created_at is the next to last column: a date-time. */
  {
    guint col = g_strv_length (all) - 2;
    g_autofree char *ref = g_strdup_printf ("%c2", 'A' + col);
    g_autofree char *cell = cell_xml (sheet, ref);
    g_autofree char *format = NULL;

    g_assert_cmpstr (all[col], ==, "created_at");
    g_assert_nonnull (cell);
    g_assert_cmpfloat (cell_number (cell), >, 45000);   /* after 2023 */
    format = style_format (styles, cell_style (cell));
    g_assert_cmpstr (format, ==, "yyyy-mm-dd hh:mm:ss");
  }
}

/* Cancel after the first page: the export fails as cancelled and the file
 * that was there stays as it was, with nothing beside it. */
static void
test_job_cancel (DbFixture     *fixture,
                 gconstpointer  data)
{
  g_autoptr(TsStore) store = open_store (fixture, fixture->zhangwei);
  g_autoptr(TsProject) project = store_project (store);
  g_autoptr(JsonNode) all = json_from_string ("{}", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *path = g_build_filename (fixture->dir, "tickets.xlsx", NULL);
  g_autoptr(GError) error = NULL;

  make_tickets (fixture, 60);
  for (TsExportFormat format = TS_EXPORT_FORMAT_CSV; format <= TS_EXPORT_FORMAT_XLSX; format++)
    {
      g_autoptr(TsExportJob) job = g_object_new (TS_TYPE_EXPORT_JOB, "store", store, "project", project,
                                                 "filter", all, "format", format, "page-size", 5, NULL);
      g_autoptr(GCancellable) cancel = g_cancellable_new ();
      g_autofree char *contents = NULL;
      g_autofree char *listing = NULL;
      Progress progress = { 0, 0, cancel };

      g_assert_true (g_file_set_contents (path, "the old file", -1, NULL));
      g_assert_false (run_job (job, path, cancel, &progress, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_clear_error (&error);
      g_assert_cmpuint (ts_export_job_get_written (job), <, 60);

      contents = read_file (path, NULL);
      g_assert_cmpstr (contents, ==, "the old file");
      listing = list_dir (fixture->dir);
      g_assert_cmpstr (listing, ==, "tickets.xlsx");
    }
}

/* What cannot be exported says why, and writes nothing. */
static void
test_job_refused (DbFixture     *fixture,
                  gconstpointer  data)
{
  g_autoptr(TsStore) store = open_store (fixture, fixture->zhangwei);
  g_autoptr(TsProject) project = store_project (store);
  g_autoptr(JsonNode) bad = json_from_string ("{\"no_such_field\": 1}", NULL);
  g_autoptr(JsonNode) all = json_from_string ("{}", NULL);
  g_autofree char *path = g_build_filename (fixture->dir, "x.csv", NULL);
  g_autofree char *listing = NULL;
  g_autoptr(GError) error = NULL;
  Progress progress = { 0 };

  make_tickets (fixture, 3);
  {
    g_autoptr(TsExportJob) job = ts_export_job_new (store, project, bad, NULL, TRUE, TS_EXPORT_FORMAT_CSV, NULL,
                                                    TS_EXPORT_FLAGS_NONE);

    g_assert_false (run_job (job, path, NULL, &progress, &error));
    g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_INVALID);
    g_assert_cmpstr (ts_store_error_get_field (error), ==, "no_such_field");
    g_clear_error (&error);
  }
  {
    g_autoptr(TsExportJob) job = ts_export_job_new (store, project, all, NULL, TRUE, TS_EXPORT_FORMAT_XLSX, NULL,
                                                    TS_EXPORT_FLAGS_NONE);

    g_assert_false (run_job (job, "/proc/tickets.xlsx", NULL, &progress, &error));
    g_assert_error (error, TS_EXPORT_ERROR, TS_EXPORT_ERROR_FAILED);
    g_assert_nonnull (strstr (error->message, "/proc/tickets.xlsx"));
  }
  listing = list_dir (fixture->dir);
  g_assert_cmpstr (listing, ==, "");
}

/* ---- main -------------------------------------------------------------- */

int
main (int   argc,
      char *argv[])
{
  gboolean db = FALSE;
  int ret;

  g_test_init (&argc, &argv, NULL);
  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--db"))
      db = TRUE;

  if (db)
    {
      g_autoptr(GError) error = NULL;

      server = ts_test_server_start (&error);
      g_assert_no_error (error);
#define ADD_DB(path, func) g_test_add ("/ts/export/db/" path, DbFixture, NULL, db_fixture_set_up, func, db_fixture_tear_down)
      ADD_DB ("csv", test_job_csv);
      ADD_DB ("xlsx", test_job_xlsx);
      ADD_DB ("cancel", test_job_cancel);
      ADD_DB ("refused", test_job_refused);
#undef ADD_DB
      ret = g_test_run ();
      ts_test_server_free (server);
      return ret;
    }

#define ADD(path, func) g_test_add ("/ts/export/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("csv/bytes", test_csv_bytes);
  ADD ("csv/columns", test_csv_columns);
  ADD ("unknown-column", test_unknown_column);
  ADD ("xlsx/cells", test_xlsx_cells);
  ADD ("xlsx/long-text", test_xlsx_long_text);
  ADD ("atomic/discard", test_discard_keeps_destination);
  ADD ("atomic/read-only-directory", test_read_only_directory);
  ADD ("atomic/commit-fails", test_commit_fails);
  ADD ("atomic/folder", test_destination_is_folder);
  ADD ("atomic/save-text", test_save_text);
#undef ADD
  g_test_add_func ("/ts/release-notes/plain", test_release_notes_plain);
  g_test_add_func ("/ts/release-notes/grouped", test_release_notes_grouped);
  g_test_add_func ("/ts/release-notes/empty", test_release_notes_empty);
  g_test_add_func ("/ts/release-notes/refused", test_release_notes_refused);

  return g_test_run ();
}
