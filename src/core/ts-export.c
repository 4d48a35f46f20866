/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-export"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "ts-export.h"

/* CSV is RFC 4180: records end in CRLF (the last one too), a field with a
 * comma, a double quote, CR or LF is quoted, and quotes in it are doubled.
 * XLSX goes through libxlsxwriter in its constant-memory mode, which keeps
 * one row in memory and writes strings inline, so 100,000 rows cost no
 * more memory than ten. */

G_DEFINE_QUARK (ts-export-error-quark, ts_export_error)

G_DEFINE_ENUM_TYPE (TsExportFormat, ts_export_format,
  G_DEFINE_ENUM_VALUE (TS_EXPORT_FORMAT_CSV, "csv"),
  G_DEFINE_ENUM_VALUE (TS_EXPORT_FORMAT_XLSX, "xlsx"))

G_DEFINE_FLAGS_TYPE (TsExportFlags, ts_export_flags,
  G_DEFINE_ENUM_VALUE (TS_EXPORT_FLAGS_NONE, "none"),
  G_DEFINE_ENUM_VALUE (TS_EXPORT_FLAGS_EXCEL_COMPATIBLE, "excel-compatible"))

#define UTF8_BOM "\xEF\xBB\xBF"

/* The last row a worksheet has (zero-based), the header being row 0. */
#define XLSX_LAST_ROW (LXW_ROW_MAX - 1)

/* Integers beyond this lose digits as Excel's doubles (15 significant
 * digits): they are written as text instead. */
#define XLSX_MAX_EXACT_INTEGER G_GINT64_CONSTANT (999999999999999)

typedef enum
{
  COLUMN_KEY,
  COLUMN_STATE,
  COLUMN_PERSON,     /* assigned_to, created_by, a user field */
  COLUMN_TIME,       /* created_at, updated_at */
  COLUMN_FIELD,      /* any other field of the project */
} ColumnKind;

typedef struct
{
  char       *name;
  ColumnKind  kind;
  TsField    *field;  /* unowned (the project owns it), NULL for system fields */
} Column;

struct _TsExportWriter
{
  GObject         parent_instance;

  TsProject      *project;
  TsExportFormat  format;
  char          **column_names;
  GHashTable     *names;
  TsExportFlags   flags;
  GTimeZone      *time_zone;

  GArray         *columns;    /* Column */
  char           *path;       /* the destination */
  char           *tmp_path;   /* the file being written, next to it */
  guint64         n_rows;
  guint64         n_truncated;
  gboolean        opened;
  gboolean        committed;

  /* CSV */
  FILE           *file;
  GString        *line;

  /* XLSX */
  lxw_workbook   *workbook;
  lxw_worksheet  *worksheet;
  lxw_format     *header_format;
  lxw_format     *date_format;
  lxw_format     *time_format;
};

G_DEFINE_FINAL_TYPE (TsExportWriter, ts_export_writer, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PROJECT,
  PROP_FORMAT,
  PROP_COLUMNS,
  PROP_NAMES,
  PROP_FLAGS,
  PROP_TIME_ZONE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

const char *
ts_export_format_get_extension (TsExportFormat format)
{
  switch (format)
    {
    case TS_EXPORT_FORMAT_CSV:
      return "csv";
    case TS_EXPORT_FORMAT_XLSX:
      return "xlsx";
    default:
      g_return_val_if_reached (NULL);
    }
}

char **
ts_export_all_columns (TsProject *project)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *summary;

  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);

  summary = ts_project_get_summary_field (project);
  g_strv_builder_add (builder, "key");
  if (summary != NULL)
    g_strv_builder_add (builder, summary);
  g_strv_builder_add_many (builder, "state", "assigned_to", "created_by", NULL);
  for (guint i = 0; i < ts_project_get_n_fields (project); i++)
    {
      const char *name = ts_field_get_name (ts_project_get_field (project, i));

      if (g_strcmp0 (name, summary) != 0)
        g_strv_builder_add (builder, name);
    }
  g_strv_builder_add_many (builder, "created_at", "updated_at", NULL);
  return g_strv_builder_end (builder);
}

/* Errors */

static void
set_io_error (GError     **error,
              const char  *path,
              int          saved_errno)
{
  g_set_error (error, TS_EXPORT_ERROR, TS_EXPORT_ERROR_FAILED,
               _("Could not write “%s”: %s"), path, g_strerror (saved_errno));
}

/* Cells */

static const char *
person_name (TsExportWriter *self,
             const char     *login)
{
  const char *name = self->names ? g_hash_table_lookup (self->names, login) : NULL;

  return name != NULL && *name ? name : login;
}

static char *
time_text (TsExportWriter *self,
           GDateTime      *time)
{
  g_autoptr(GDateTime) local = NULL;

  if (time == NULL)
    return g_strdup ("");
  local = g_date_time_to_timezone (time, self->time_zone);
  return g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
}

static GDateTime *
column_time (TsTicket     *ticket,
             const Column *column)
{
  return g_str_equal (column->name, "created_at") ? ts_ticket_get_created_at (ticket)
                                                  : ts_ticket_get_updated_at (ticket);
}

/* Any JSON value as text: what a field holds after its type changed in a
 * re-import, or what a schema never promised. */
static char *
json_text (TsExportWriter *self,
           JsonNode       *value)
{
  if (value == NULL || JSON_NODE_HOLDS_NULL (value))
    return g_strdup ("");

  if (JSON_NODE_HOLDS_VALUE (value))
    {
      GType type = json_node_get_value_type (value);

      if (type == G_TYPE_STRING)
        return g_strdup (json_node_get_string (value));
      if (type == G_TYPE_BOOLEAN)
        return g_strdup (json_node_get_boolean (value) ? _("Yes") : _("No"));
      if (type == G_TYPE_INT64)
        return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value));
      if (type == G_TYPE_DOUBLE)
        {
          char buffer[G_ASCII_DTOSTR_BUF_SIZE];

          return g_strdup (g_ascii_dtostr (buffer, sizeof buffer, json_node_get_double (value)));
        }
    }

  return json_to_string (value, FALSE);
}

static char *
cell_text (TsExportWriter *self,
           TsTicket       *ticket,
           const Column   *column)
{
  g_autoptr(JsonNode) value = NULL;

  switch (column->kind)
    {
    case COLUMN_TIME:
      return time_text (self, column_time (ticket, column));

    case COLUMN_PERSON:
      value = ts_ticket_dup_value (ticket, column->name);
      if (value != NULL && JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
        return g_strdup (person_name (self, json_node_get_string (value)));
      return json_text (self, value);

    case COLUMN_KEY:
    case COLUMN_STATE:
    case COLUMN_FIELD:
    default:
      value = ts_ticket_dup_value (ticket, column->name);
      return json_text (self, value);
    }
}

/* Columns */

/* What @name is; FALSE when the project has no such field.  The name is
 * borrowed. */
static gboolean
column_resolve (TsProject  *project,
                const char *name,
                Column     *column)
{
  *column = (Column) { (char *)name, COLUMN_FIELD, NULL };

  if (g_str_equal (name, "key"))
    column->kind = COLUMN_KEY;
  else if (g_str_equal (name, "state"))
    column->kind = COLUMN_STATE;
  else if (g_str_equal (name, "assigned_to") || g_str_equal (name, "created_by"))
    column->kind = COLUMN_PERSON;
  else if (g_str_equal (name, "created_at") || g_str_equal (name, "updated_at"))
    column->kind = COLUMN_TIME;
  else if ((column->field = ts_project_lookup_field (project, name)) != NULL)
    column->kind = ts_field_get_field_type (column->field) == TS_FIELD_USER ? COLUMN_PERSON : COLUMN_FIELD;
  else
    return FALSE;
  return TRUE;
}

static gboolean
resolve_columns (TsExportWriter  *self,
                 GError         **error)
{
  for (guint i = 0; self->column_names[i]; i++)
    {
      const char *name = self->column_names[i];
      Column column;

      if (column_resolve (self->project, name, &column))
        column.name = g_strdup (name);
      else
        {
          g_set_error (error, TS_EXPORT_ERROR, TS_EXPORT_ERROR_UNKNOWN_COLUMN,
                       _("Project “%s” has no field “%s” to export; "
                         "choose the visible columns or all fields again"),
                       ts_project_get_title (self->project), name);
          return FALSE;
        }
      g_array_append_val (self->columns, column);
    }

  if (self->columns->len == 0)
    {
      g_set_error (error, TS_EXPORT_ERROR, TS_EXPORT_ERROR_UNKNOWN_COLUMN,
                   _("No columns to export: choose at least one"));
      return FALSE;
    }
  return TRUE;
}

/* The temporary file */

/* Creates a hidden file next to @path, in the same directory so that
 * the rename at the end is atomic; new files get the usual 0666 & ~umask. */
static int
open_tmp_next_to (const char  *path,
                  char       **tmp_path,
                  GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *tmpl = NULL;
  int fd;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, TS_EXPORT_ERROR, TS_EXPORT_ERROR_FAILED,
                   _("Could not write “%s”: it is a folder; choose a file name"), path);
      return -1;
    }

  tmpl = g_strdup_printf ("%s%s.%s.XXXXXX", dir, G_DIR_SEPARATOR_S, base);
  fd = g_mkstemp_full (tmpl, O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, TS_EXPORT_ERROR, TS_EXPORT_ERROR_FAILED,
                   _("Could not write “%s”: %s; choose a folder you may write to"),
                   path, g_strerror (saved_errno));
      return -1;
    }

  *tmp_path = g_steal_pointer (&tmpl);
  return fd;
}

gboolean
ts_export_save_text (const char  *path,
                     const char  *text,
                     gssize       length,
                     GError     **error)
{
  g_autofree char *tmp_path = NULL;
  gsize size = length < 0 ? strlen (text) : (gsize)length;
  gsize done = 0;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  if ((fd = open_tmp_next_to (path, &tmp_path, error)) < 0)
    return FALSE;

  while (done < size)
    {
      gssize n = write (fd, text + done, size - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        goto failed;
      done += n;
    }
  if (fsync (fd) != 0)
    goto failed;
  if (close (fd) != 0)
    {
      fd = -1;
      goto failed;
    }
  fd = -1;
  if (g_rename (tmp_path, path) != 0)
    goto failed;
  return TRUE;

failed:
  {
    int saved_errno = errno;

    if (fd >= 0)
      close (fd);
    g_unlink (tmp_path);
    set_io_error (error, path, saved_errno);
    return FALSE;
  }
}

static gboolean
create_tmp_file (TsExportWriter  *self,
                 int             *fd_out,
                 GError         **error)
{
  int fd = open_tmp_next_to (self->path, &self->tmp_path, error);

  if (fd < 0)
    return FALSE;
  *fd_out = fd;
  return TRUE;
}

static void
remove_tmp_file (TsExportWriter *self)
{
  if (self->tmp_path != NULL)
    {
      g_unlink (self->tmp_path);
      g_clear_pointer (&self->tmp_path, g_free);
    }
}

/* CSV */

static void
csv_append_field (GString    *line,
                  const char *text)
{
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (line, text);
      return;
    }

  g_string_append_c (line, '"');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (line, '"');
      g_string_append_c (line, *p);
    }
  g_string_append_c (line, '"');
}

static gboolean
csv_write_line (TsExportWriter  *self,
                GError         **error)
{
  g_string_append (self->line, "\r\n");
  if (fwrite (self->line->str, 1, self->line->len, self->file) != self->line->len)
    {
      set_io_error (error, self->path, errno);
      return FALSE;
    }
  g_string_truncate (self->line, 0);
  return TRUE;
}

static gboolean
csv_open (TsExportWriter  *self,
          int              fd,
          GError         **error)
{
  self->file = fdopen (fd, "wb");
  if (self->file == NULL)
    {
      set_io_error (error, self->path, errno);
      close (fd);
      return FALSE;
    }
  self->line = g_string_sized_new (1024);

  if ((self->flags & TS_EXPORT_FLAGS_EXCEL_COMPATIBLE) != 0)
    g_string_append (self->line, UTF8_BOM);

  for (guint i = 0; i < self->columns->len; i++)
    {
      Column *column = &g_array_index (self->columns, Column, i);

      if (i > 0)
        g_string_append_c (self->line, ',');
      csv_append_field (self->line, ts_project_get_label_for (self->project, column->name));
    }
  return csv_write_line (self, error);
}

static gboolean
csv_add (TsExportWriter  *self,
         TsTicket        *ticket,
         GError         **error)
{
  for (guint i = 0; i < self->columns->len; i++)
    {
      g_autofree char *text = cell_text (self, ticket, &g_array_index (self->columns, Column, i));

      if (i > 0)
        g_string_append_c (self->line, ',');
      csv_append_field (self->line, text);
    }
  return csv_write_line (self, error);
}

static gboolean
csv_commit (TsExportWriter  *self,
            GError         **error)
{
  FILE *file = g_steal_pointer (&self->file);

  if (fflush (file) != 0 || fsync (fileno (file)) != 0)
    {
      set_io_error (error, self->path, errno);
      fclose (file);
      return FALSE;
    }
  if (fclose (file) != 0)
    {
      set_io_error (error, self->path, errno);
      return FALSE;
    }
  return TRUE;
}

/* XLSX */

/* How wide @text is on screen, in the widths of a digit: East Asian
 * characters take two. */
static double
text_width (const char *text)
{
  double width = 0;

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    width += g_unichar_iswide (g_utf8_get_char (p)) ? 2 : 1;
  return width;
}

static double
column_width (TsExportWriter *self,
              const Column   *column)
{
  double header = text_width (ts_project_get_label_for (self->project, column->name)) + 2;
  double width = 12;

  switch (column->kind)
    {
    case COLUMN_KEY:
      width = text_width (ts_project_get_key_prefix (self->project)) + 8;
      break;

    case COLUMN_STATE:
      for (const char * const *s = ts_project_get_states (self->project); *s; s++)
        width = MAX (width, text_width (*s) + 2);
      break;

    case COLUMN_PERSON:
      width = 14;
      break;

    case COLUMN_TIME:
      width = 20;
      break;

    case COLUMN_FIELD:
    default:
      switch (ts_field_get_field_type (column->field))
        {
        case TS_FIELD_STRING:
          width = ts_field_get_width_chars (column->field) > 0 ? ts_field_get_width_chars (column->field) : 30;
          if (g_strcmp0 (column->name, ts_project_get_summary_field (self->project)) == 0)
            width = MAX (width, 50);
          break;
        case TS_FIELD_TEXT:
          width = 60;
          break;
        case TS_FIELD_URL:
          width = 40;
          break;
        case TS_FIELD_CHOICE:
          for (const char * const *c = ts_field_get_choices (column->field); *c; c++)
            width = MAX (width, text_width (*c) + 2);
          break;
        case TS_FIELD_DATE:
          width = 12;
          break;
        case TS_FIELD_BOOLEAN:
          width = 8;
          break;
        case TS_FIELD_INTEGER:
          width = 10;
          break;
        case TS_FIELD_USER:
        default:
          width = 14;
          break;
        }
      break;
    }

  return CLAMP (MAX (width, header), 6, 80);
}

/* A sheet name Excel accepts: at most 31 characters, none of []:*?/\,
 * not starting or ending with an apostrophe. */
static char *
sheet_name (TsProject *project)
{
  g_autoptr(GString) name = g_string_new (NULL);
  const char *title = ts_project_get_title (project);
  guint n = 0;

  for (const char *p = title; *p && n < 31; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x80 && strchr ("[]:*?/\\", (int)c) != NULL)
        g_string_append_c (name, '_');
      else
        g_string_append_unichar (name, c);
    }
  while (name->len > 0 && name->str[0] == '\'')
    g_string_erase (name, 0, 1);
  while (name->len > 0 && name->str[name->len - 1] == '\'')
    g_string_truncate (name, name->len - 1);
  if (name->len == 0)
    g_string_assign (name, ts_project_get_name (project));
  return g_string_free (g_steal_pointer (&name), FALSE);
}

static gboolean
xlsx_check (TsExportWriter  *self,
            lxw_error        status,
            GError         **error)
{
  if (status == LXW_NO_ERROR)
    return TRUE;
  g_set_error (error, TS_EXPORT_ERROR, TS_EXPORT_ERROR_FAILED,
               _("Could not write “%s”: %s"), self->path, lxw_strerror (status));
  return FALSE;
}

static gboolean
xlsx_open (TsExportWriter  *self,
           int              fd,
           GError         **error)
{
  g_autofree char *dir = g_path_get_dirname (self->path);
  g_autofree char *name = sheet_name (self->project);
  lxw_workbook_options options = { 0 };

  /* libxlsxwriter opens the file by name when it closes the workbook; the
   * descriptor only reserved the name. */
  close (fd);

  /* Its constant-memory row data goes next to the file too, not to a /tmp
   * that may be memory. */
  options.constant_memory = LXW_TRUE;
  options.tmpdir = dir;
  self->workbook = workbook_new_opt (self->tmp_path, &options);
  if (self->workbook == NULL)
    {
      set_io_error (error, self->path, ENOMEM);
      return FALSE;
    }

  self->worksheet = workbook_add_worksheet (self->workbook, name);
  if (self->worksheet == NULL)
    self->worksheet = workbook_add_worksheet (self->workbook, NULL);
  if (self->worksheet == NULL)
    {
      set_io_error (error, self->path, ENOMEM);
      return FALSE;
    }

  self->header_format = workbook_add_format (self->workbook);
  format_set_bold (self->header_format);
  format_set_bottom (self->header_format, LXW_BORDER_THIN);
  self->date_format = workbook_add_format (self->workbook);
  format_set_num_format (self->date_format, "yyyy-mm-dd");
  self->time_format = workbook_add_format (self->workbook);
  format_set_num_format (self->time_format, "yyyy-mm-dd hh:mm:ss");

  /* Widths come first: in constant-memory mode a row is final once written. */
  for (guint i = 0; i < self->columns->len; i++)
    if (!xlsx_check (self, worksheet_set_column (self->worksheet, i, i,
                                                 column_width (self, &g_array_index (self->columns, Column, i)),
                                                 NULL), error))
      return FALSE;
  worksheet_freeze_panes (self->worksheet, 1, 0);

  for (guint i = 0; i < self->columns->len; i++)
    {
      Column *column = &g_array_index (self->columns, Column, i);

      if (!xlsx_check (self, worksheet_write_string (self->worksheet, 0, i,
                                                     ts_project_get_label_for (self->project, column->name),
                                                     self->header_format), error))
        return FALSE;
    }
  return TRUE;
}

/* @text cut to what a cell holds (Excel counts UTF-16 code units), ending
 * in an ellipsis; NULL when it fits. */
static char *
xlsx_truncate (const char *text)
{
  const char *cut = NULL;
  gsize units = 0;
  GString *result;

  /* A code unit takes at least one byte of UTF-8. */
  if (strlen (text) <= TS_EXPORT_XLSX_MAX_CELL_CHARS)
    return NULL;

  for (const char *p = text; *p && units <= TS_EXPORT_XLSX_MAX_CELL_CHARS; p = g_utf8_next_char (p))
    {
      gsize width = g_utf8_get_char (p) > 0xFFFF ? 2 : 1;

      /* The first character that leaves no room for the ellipsis. */
      if (cut == NULL && units + width > TS_EXPORT_XLSX_MAX_CELL_CHARS - 1)
        cut = p;
      units += width;
    }
  if (units <= TS_EXPORT_XLSX_MAX_CELL_CHARS)
    return NULL;

  result = g_string_new_len (text, cut - text);
  g_string_append (result, "…");
  return g_string_free (result, FALSE);
}

static lxw_error
xlsx_write_text (TsExportWriter *self,
                 lxw_row_t       row,
                 lxw_col_t       col,
                 const char     *text)
{
  g_autofree char *cut = NULL;
  g_autofree char *lf = NULL;

  if (*text == '\0')
    return LXW_NO_ERROR;

  /* Line breaks in a cell are LF; text from other systems may have CRLF. */
  if (strchr (text, '\r') != NULL)
    {
      g_auto(GStrv) lines = g_strsplit (text, "\r\n", -1);

      lf = g_strjoinv ("\n", lines);
      text = lf;
    }

  if ((cut = xlsx_truncate (text)) != NULL)
    {
      self->n_truncated++;
      return worksheet_write_string (self->worksheet, row, col, cut, NULL);
    }
  return worksheet_write_string (self->worksheet, row, col, text, NULL);
}

static gboolean
parse_date (const char   *text,
            lxw_datetime *date)
{
  int y, m, d;
  char end;

  if (text == NULL || strlen (text) != 10 || sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &end) != 3)
    return FALSE;
  /* Excel's dates start in 1900. */
  if (y < 1900 || y > 9999 || !g_date_valid_dmy (d, m, y))
    return FALSE;
  *date = (lxw_datetime) { y, m, d, 0, 0, 0 };
  return TRUE;
}

static lxw_error
xlsx_write_cell (TsExportWriter *self,
                 lxw_row_t       row,
                 lxw_col_t       col,
                 TsTicket       *ticket,
                 const Column   *column)
{
  g_autofree char *text = NULL;

  if (column->kind == COLUMN_TIME)
    {
      GDateTime *time = column_time (ticket, column);
      g_autoptr(GDateTime) local = NULL;
      lxw_datetime at;

      if (time == NULL)
        return LXW_NO_ERROR;
      local = g_date_time_to_timezone (time, self->time_zone);
      at = (lxw_datetime) {
        g_date_time_get_year (local), g_date_time_get_month (local), g_date_time_get_day_of_month (local),
        g_date_time_get_hour (local), g_date_time_get_minute (local), g_date_time_get_second (local),
      };
      if (at.year >= 1900)
        return worksheet_write_datetime (self->worksheet, row, col, &at, self->time_format);
    }
  else if (column->kind == COLUMN_FIELD)
    {
      JsonNode *value = json_object_get_member (ts_ticket_get_fields (ticket), column->name);
      GType type = value && JSON_NODE_HOLDS_VALUE (value) ? json_node_get_value_type (value) : G_TYPE_INVALID;
      TsFieldType field_type = ts_field_get_field_type (column->field);
      lxw_datetime date;

      if (field_type == TS_FIELD_INTEGER && type == G_TYPE_INT64)
        {
          gint64 number = json_node_get_int (value);

          if (number >= -XLSX_MAX_EXACT_INTEGER && number <= XLSX_MAX_EXACT_INTEGER)
            return worksheet_write_number (self->worksheet, row, col, (double)number, NULL);
        }
      else if (field_type == TS_FIELD_DATE && type == G_TYPE_STRING &&
               parse_date (json_node_get_string (value), &date))
        return worksheet_write_datetime (self->worksheet, row, col, &date, self->date_format);
    }

  text = cell_text (self, ticket, column);
  return xlsx_write_text (self, row, col, text);
}

static gboolean
xlsx_add (TsExportWriter  *self,
          TsTicket        *ticket,
          GError         **error)
{
  lxw_row_t row = self->n_rows + 1;

  if (self->n_rows + 1 > XLSX_LAST_ROW)
    {
      g_set_error (error, TS_EXPORT_ERROR, TS_EXPORT_ERROR_TOO_MANY_ROWS,
                   _("An Excel worksheet holds at most %u tickets; "
                     "export fewer (search for some) or export as CSV"),
                   (guint)XLSX_LAST_ROW);
      return FALSE;
    }

  for (guint i = 0; i < self->columns->len; i++)
    if (!xlsx_check (self, xlsx_write_cell (self, row, i, ticket, &g_array_index (self->columns, Column, i)), error))
      return FALSE;
  return TRUE;
}

static gboolean
xlsx_commit (TsExportWriter  *self,
             GError         **error)
{
  lxw_workbook *workbook = g_steal_pointer (&self->workbook);
  lxw_error status;

  worksheet_autofilter (self->worksheet, 0, 0, self->n_rows, self->columns->len - 1);
  self->worksheet = NULL;

  /* Writes the whole file, and frees the workbook whatever happens. */
  errno = 0;
  status = workbook_close (workbook);
  if ((status == LXW_ERROR_CREATING_XLSX_FILE || status == LXW_ERROR_ZIP_FILE_OPERATION ||
       status == LXW_ERROR_CREATING_TMPFILE) && errno != 0)
    {
      int saved_errno = errno;

      g_set_error (error, TS_EXPORT_ERROR, TS_EXPORT_ERROR_FAILED,
                   _("Could not write “%s”: %s (%s)"), self->path, lxw_strerror (status),
                   g_strerror (saved_errno));
      return FALSE;
    }
  return xlsx_check (self, status, error);
}

/* The writer */

static void
close_all (TsExportWriter *self)
{
  g_clear_pointer (&self->file, fclose);
  g_clear_pointer (&self->workbook, lxw_workbook_free);
  self->worksheet = NULL;
}

TsExportWriter *
ts_export_writer_new (TsProject          *project,
                      TsExportFormat      format,
                      const char * const *columns,
                      GHashTable         *names,
                      TsExportFlags       flags)
{
  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);

  return g_object_new (TS_TYPE_EXPORT_WRITER,
                       "project", project,
                       "format", format,
                       "columns", columns,
                       "names", names,
                       "flags", flags,
                       NULL);
}

gboolean
ts_export_writer_open (TsExportWriter  *self,
                       const char      *path,
                       GError         **error)
{
  int fd = -1;
  gboolean ok;

  g_return_val_if_fail (TS_IS_EXPORT_WRITER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (!self->opened, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  self->opened = TRUE;
  self->path = g_strdup (path);

  if (!resolve_columns (self, error) || !create_tmp_file (self, &fd, error))
    return FALSE;

  if (self->format == TS_EXPORT_FORMAT_XLSX)
    ok = xlsx_open (self, fd, error);
  else
    ok = csv_open (self, fd, error);

  if (!ok)
    ts_export_writer_discard (self);
  return ok;
}

gboolean
ts_export_writer_add (TsExportWriter  *self,
                      TsTicket        *ticket,
                      GError         **error)
{
  gboolean ok;

  g_return_val_if_fail (TS_IS_EXPORT_WRITER (self), FALSE);
  g_return_val_if_fail (TS_IS_TICKET (ticket), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->tmp_path == NULL || self->committed)
    {
      g_set_error (error, TS_EXPORT_ERROR, TS_EXPORT_ERROR_FAILED,
                   _("Could not write “%s”: the export was stopped"), self->path ? self->path : "");
      return FALSE;
    }

  if (self->format == TS_EXPORT_FORMAT_XLSX)
    ok = xlsx_add (self, ticket, error);
  else
    ok = csv_add (self, ticket, error);

  if (ok)
    self->n_rows++;
  else
    ts_export_writer_discard (self);
  return ok;
}

gboolean
ts_export_writer_commit (TsExportWriter  *self,
                         GError         **error)
{
  gboolean ok;

  g_return_val_if_fail (TS_IS_EXPORT_WRITER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->tmp_path == NULL || self->committed)
    {
      g_set_error (error, TS_EXPORT_ERROR, TS_EXPORT_ERROR_FAILED,
                   _("Could not write “%s”: the export was stopped"), self->path ? self->path : "");
      return FALSE;
    }

  if (self->format == TS_EXPORT_FORMAT_XLSX)
    ok = xlsx_commit (self, error);
  else
    ok = csv_commit (self, error);

  if (ok && g_rename (self->tmp_path, self->path) != 0)
    {
      set_io_error (error, self->path, errno);
      ok = FALSE;
    }

  if (!ok)
    {
      ts_export_writer_discard (self);
      return FALSE;
    }

  g_clear_pointer (&self->tmp_path, g_free);
  self->committed = TRUE;
  return TRUE;
}

void
ts_export_writer_discard (TsExportWriter *self)
{
  g_return_if_fail (TS_IS_EXPORT_WRITER (self));

  close_all (self);
  remove_tmp_file (self);
}

const char * const *
ts_export_writer_get_columns (TsExportWriter *self)
{
  g_return_val_if_fail (TS_IS_EXPORT_WRITER (self), NULL);
  return (const char * const *)self->column_names;
}

guint64
ts_export_writer_get_n_rows (TsExportWriter *self)
{
  g_return_val_if_fail (TS_IS_EXPORT_WRITER (self), 0);
  return self->n_rows;
}

guint64
ts_export_writer_get_n_truncated (TsExportWriter *self)
{
  g_return_val_if_fail (TS_IS_EXPORT_WRITER (self), 0);
  return self->n_truncated;
}

static void
column_clear (gpointer data)
{
  Column *column = data;

  g_free (column->name);
}

static void
ts_export_writer_constructed (GObject *object)
{
  TsExportWriter *self = (TsExportWriter *)object;

  G_OBJECT_CLASS (ts_export_writer_parent_class)->constructed (object);

  g_assert (self->project != NULL);
  if (self->column_names == NULL)
    self->column_names = ts_export_all_columns (self->project);
  if (self->time_zone == NULL)
    self->time_zone = g_time_zone_new_local ();
}

static void
ts_export_writer_finalize (GObject *object)
{
  TsExportWriter *self = (TsExportWriter *)object;

  /* Dropped before it was committed: no half file stays behind. */
  close_all (self);
  remove_tmp_file (self);

  if (self->line != NULL)
    g_string_free (self->line, TRUE);
  g_clear_pointer (&self->columns, g_array_unref);
  g_clear_pointer (&self->column_names, g_strfreev);
  g_clear_pointer (&self->names, g_hash_table_unref);
  g_clear_pointer (&self->time_zone, g_time_zone_unref);
  g_clear_pointer (&self->path, g_free);
  g_clear_object (&self->project);

  G_OBJECT_CLASS (ts_export_writer_parent_class)->finalize (object);
}

static void
ts_export_writer_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  TsExportWriter *self = TS_EXPORT_WRITER (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      g_value_set_object (value, self->project);
      break;

    case PROP_FORMAT:
      g_value_set_enum (value, self->format);
      break;

    case PROP_COLUMNS:
      g_value_set_boxed (value, self->column_names);
      break;

    case PROP_NAMES:
      g_value_set_boxed (value, self->names);
      break;

    case PROP_FLAGS:
      g_value_set_flags (value, self->flags);
      break;

    case PROP_TIME_ZONE:
      g_value_set_boxed (value, self->time_zone);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_export_writer_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  TsExportWriter *self = TS_EXPORT_WRITER (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      self->project = g_value_dup_object (value);
      break;

    case PROP_FORMAT:
      self->format = g_value_get_enum (value);
      break;

    case PROP_COLUMNS:
      self->column_names = g_value_dup_boxed (value);
      break;

    case PROP_NAMES:
      self->names = g_value_dup_boxed (value);
      break;

    case PROP_FLAGS:
      self->flags = g_value_get_flags (value);
      break;

    case PROP_TIME_ZONE:
      self->time_zone = g_value_dup_boxed (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_export_writer_class_init (TsExportWriterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ts_export_writer_constructed;
  object_class->finalize = ts_export_writer_finalize;
  object_class->get_property = ts_export_writer_get_property;
  object_class->set_property = ts_export_writer_set_property;

  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL, TS_TYPE_PROJECT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FORMAT] =
    g_param_spec_enum ("format", NULL, NULL, ts_export_format_get_type (), TS_EXPORT_FORMAT_CSV,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COLUMNS] =
    g_param_spec_boxed ("columns", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAMES] =
    g_param_spec_boxed ("names", NULL, NULL, G_TYPE_HASH_TABLE,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FLAGS] =
    g_param_spec_flags ("flags", NULL, NULL, ts_export_flags_get_type (), TS_EXPORT_FLAGS_NONE,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIME_ZONE] =
    g_param_spec_boxed ("time-zone", NULL, NULL, G_TYPE_TIME_ZONE,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ts_export_writer_init (TsExportWriter *self)
{
  self->columns = g_array_new (FALSE, TRUE, sizeof (Column));
  g_array_set_clear_func (self->columns, column_clear);
}
