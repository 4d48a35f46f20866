/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-query"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ts-filter-private.h"
#include "ts-query.h"
#include "ts-schema-private.h"

/* The query language of the search entry (docs/search.md has every form):
 *
 *   问题级别:严重问题 state:关闭 北京 -电源 created:2018-01 reached:关闭@2018-01..2018-02
 *
 * A query is words separated by white space (U+3000 too).  A word is text
 * to find, or FIELD:VALUE, either negated by a leading "-".  Reading goes in
 * three steps: the lexer cuts the text into words and each word into its
 * field, operator and comma-separated items (byte offsets kept for
 * messages); each word is interpreted against the project's fields and
 * added to the accumulator of its filter key, which merges what can hold
 * together and refuses what cannot; the accumulators become the filter,
 * which ts_filter_new() checks once more. */

G_DEFINE_QUARK (ts-query-error-quark, ts_query_error)

/* Characters {{{1 */

static gboolean
is_space (gunichar c)
{
  /* g_unichar_isspace() takes the ideographic space U+3000 and the
   * no-break space as separators already. */
  return g_unichar_isspace (c) || c == 0x3000 || c == 0xFEFF;
}

static gboolean
is_colon (gunichar c)
{
  return c == ':' || c == 0xFF1A;
}

static gboolean
is_comma (gunichar c)
{
  return c == ',' || c == 0xFF0C || c == 0x3001;
}

static gboolean
is_open_quote (gunichar c)
{
  return c == '"' || c == 0x201C;
}

static gunichar
closing_quote (gunichar open)
{
  return open == 0x201C ? 0x201D : '"';
}

static gboolean
is_minus (gunichar c)
{
  return c == '-' || c == 0xFF0D;
}

static gboolean
is_at (gunichar c)
{
  return c == '@' || c == 0xFF20;
}

static gunichar
char_at (const char *text,
         guint       pos)
{
  return g_utf8_get_char (text + pos);
}

static guint
next_pos (const char *text,
          guint       pos)
{
  return g_utf8_next_char (text + pos) - text;
}

static gboolean
casefold_equal (const char *a,
                const char *b)
{
  g_autofree char *fa = g_utf8_casefold (a, -1);
  g_autofree char *fb = g_utf8_casefold (b, -1);

  return g_str_equal (fa, fb);
}

/* Whether @str equals @folded, which is case-folded already. */
static gboolean
folded_equal (const char *str,
              const char *folded)
{
  g_autofree char *f = NULL;

  /* ASCII without capitals folds to itself. */
  for (const char *p = str; ; p++)
    {
      if (*p == '\0')
        return g_str_equal (str, folded);
      if ((guchar)*p >= 0x80 || g_ascii_isupper (*p))
        break;
    }

  f = g_utf8_casefold (str, -1);
  return g_str_equal (f, folded);
}

/* Subjects: what a word's field names {{{1 */

typedef enum
{
  S_FIELD,
  S_KEY,
  S_STATE,
  S_ASSIGNED_TO,
  S_CREATED_BY,
  S_CREATED_AT,
  S_UPDATED_AT,
  S_REACHED,
  S_HAS,
  S_NO,
  S_TEXT,
} SubjectKind;

typedef struct
{
  SubjectKind  kind;
  TsField     *field;     /* S_FIELD */
} Subject;

/* The system fields and keywords, by the names people may write.  The
 * first alias is the canonical one ts_query_format() writes; the Chinese
 * ones are those of the seed's tables.  A project field's name or label
 * wins over all of these. */
static const struct
{
  SubjectKind  kind;
  const char  *key;          /* the filter's key, NULL for has/no */
  const char  *aliases[6];
} system_subjects[] = {
  { S_KEY, "key", { "key", "id", "编号", NULL } },
  { S_STATE, "state", { "state", "status", "状态", "当前状态", NULL } },
  { S_ASSIGNED_TO, "assigned_to", { "assignee", "assigned_to", "assigned", "处理人", "当前处理人", NULL } },
  { S_CREATED_BY, "created_by", { "creator", "created_by", "reporter", "创建人", NULL } },
  { S_CREATED_AT, "created_at", { "created", "created_at", "创建时间", "创建日期", NULL } },
  { S_UPDATED_AT, "updated_at", { "updated", "updated_at", "更新时间", "更新日期", NULL } },
  { S_REACHED, "reached", { "reached", "到达", NULL } },
  { S_HAS, NULL, { "has", "有", NULL } },
  { S_NO, NULL, { "no", "无", NULL } },
};

static guint
system_index (SubjectKind kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (system_subjects); i++)
    if (system_subjects[i].kind == kind)
      return i;
  g_assert_not_reached ();
}

static const char *
subject_key (const Subject *subject)
{
  if (subject->kind == S_FIELD)
    return ts_field_get_name (subject->field);
  if (subject->kind == S_TEXT)
    return "text";
  return system_subjects[system_index (subject->kind)].key;
}

/* How messages name the subject: the field's label, the system field's. */
static const char *
subject_label (TsProject     *project,
               const Subject *subject)
{
  if (subject->kind == S_FIELD)
    return ts_field_get_label (subject->field);
  if (subject->kind == S_HAS || subject->kind == S_NO)
    return system_subjects[system_index (subject->kind)].aliases[0];
  return _ts_filter_key_label (project, subject_key (subject));
}

static gboolean
subject_equal (const Subject *a,
               const Subject *b)
{
  return a->kind == b->kind && a->field == b->field;
}

typedef enum
{
  RESOLVED,
  UNKNOWN,
  AMBIGUOUS,
} Resolution;

static void
add_match (GArray        *matches,
           const Subject *subject)
{
  for (guint i = 0; i < matches->len; i++)
    if (subject_equal (&g_array_index (matches, Subject, i), subject))
      return;
  g_array_append_val (matches, *subject);
}

/* Finds what @name stands for: a field's name, then a field's label, then
 * a system field's alias or its label in the interface's language; then
 * the same ignoring case.  @matches gets the candidates when ambiguous. */
static Resolution
resolve_name (TsProject  *project,
              const char *name,
              Subject    *out,
              GArray     *matches)
{
  g_autoptr(GArray) found = g_array_new (FALSE, TRUE, sizeof (Subject));
  guint n_fields = ts_project_get_n_fields (project);
  g_autofree char *folded = NULL;
  TsField *field;

  if ((field = ts_project_lookup_field (project, name)) != NULL)
    {
      *out = (Subject) { S_FIELD, field };
      return RESOLVED;
    }

  folded = g_utf8_casefold (name, -1);

  for (gboolean fold = FALSE; ; fold = TRUE)
    {
      for (guint i = 0; i < n_fields; i++)
        {
          field = ts_project_get_field (project, i);
          if (fold ? (folded_equal (ts_field_get_label (field), folded) ||
                      folded_equal (ts_field_get_name (field), folded))
                   : g_str_equal (ts_field_get_label (field), name))
            add_match (found, &(Subject) { S_FIELD, field });
        }

      /* A label of the project wins over the system's aliases. */
      if (found->len == 0)
        for (guint i = 0; i < G_N_ELEMENTS (system_subjects); i++)
          {
            Subject subject = { system_subjects[i].kind, NULL };
            gboolean hit = FALSE;

            for (guint a = 0; system_subjects[i].aliases[a] && !hit; a++)
              hit = fold ? folded_equal (system_subjects[i].aliases[a], folded)
                         : g_str_equal (system_subjects[i].aliases[a], name);
            if (!hit && system_subjects[i].key != NULL)
              {
                const char *label = ts_project_get_label_for (project, system_subjects[i].key);

                hit = fold ? folded_equal (label, folded) : g_str_equal (label, name);
              }
            if (hit)
              add_match (found, &subject);
          }

      if (found->len > 0 || fold)
        break;
    }

  if (found->len == 1)
    {
      *out = g_array_index (found, Subject, 0);
      return RESOLVED;
    }

  if (matches != NULL)
    g_array_append_vals (matches, found->data, found->len);
  return found->len == 0 ? UNKNOWN : AMBIGUOUS;
}

/* The names and labels people may write, for suggestions. */
static GStrv
all_names (TsProject *project)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < ts_project_get_n_fields (project); i++)
    {
      TsField *field = ts_project_get_field (project, i);

      g_strv_builder_add (builder, ts_field_get_label (field));
      g_strv_builder_add (builder, ts_field_get_name (field));
    }
  for (guint i = 0; i < G_N_ELEMENTS (system_subjects); i++)
    {
      for (guint a = 0; system_subjects[i].aliases[a]; a++)
        g_strv_builder_add (builder, system_subjects[i].aliases[a]);
      if (system_subjects[i].key != NULL)
        g_strv_builder_add (builder, ts_project_get_label_for (project, system_subjects[i].key));
    }

  return g_strv_builder_end (builder);
}

/* The one candidate @word is part of (级别 → 问题级别), else the nearest
 * by edit distance, else NULL. */
static const char *
suggest (const char         *word,
         const char * const *candidates)
{
  g_autofree char *folded = g_utf8_casefold (word, -1);
  const char *found = NULL;
  guint n = 0;

  if (*word == '\0' || candidates == NULL)
    return NULL;

  /* Long words are not typos of a field's name. */
  if (g_utf8_strlen (word, -1) > 24)
    return NULL;

  for (guint i = 0; candidates[i]; i++)
    {
      g_autofree char *candidate = g_utf8_casefold (candidates[i], -1);

      if (strstr (candidate, folded) != NULL && (found == NULL || !g_str_equal (found, candidates[i])))
        {
          found = candidates[i];
          n++;
        }
    }
  if (n == 1)
    return found;

  /* Only candidates whose length is within _ts_suggest()'s reach can be
   * near enough; the distance is at least the difference in length. */
  {
    glong length = g_utf8_strlen (word, -1);
    glong limit = MAX (1, length / 3);
    g_autoptr(GPtrArray) near = g_ptr_array_new ();

    for (guint i = 0; candidates[i]; i++)
      if (ABS (g_utf8_strlen (candidates[i], -1) - length) <= limit)
        g_ptr_array_add (near, (gpointer)candidates[i]);
    g_ptr_array_add (near, NULL);

    return _ts_suggest (word, (const char * const *)near->pdata);
  }
}

/* The lexer {{{1 */

typedef enum
{
  OP_NONE,
  OP_EQ,
  OP_GT,
  OP_GTE,
  OP_LT,
  OP_LTE,
} Op;

typedef struct
{
  char     *value;      /* unescaped */
  char     *window;     /* after a quoted value's "@", or NULL */
  guint     start;
  guint     end;
  gboolean  quoted;
} Item;

typedef struct
{
  guint      start;
  guint      end;
  gboolean   negated;
  char      *field;     /* NULL for text to find */
  guint      field_start;
  guint      field_end;
  Op         op;
  GPtrArray *items;     /* of Item */
} Word;

static void
item_free (gpointer data)
{
  Item *item = data;

  g_free (item->value);
  g_free (item->window);
  g_free (item);
}

static void
word_free (gpointer data)
{
  Word *word = data;

  g_free (word->field);
  g_clear_pointer (&word->items, g_ptr_array_unref);
  g_free (word);
}

typedef struct
{
  TsProject  *project;
  const char *text;
  const char *me;
  GPtrArray  *accs;        /* of Acc, by first appearance */
  GError    **error;
  guint       error_start;
  guint       error_end;
  gboolean    failed;
} Parser;

/* The word as typed, shortened for a message. */
static char *
excerpt (const char *text,
         guint       start,
         guint       end)
{
  g_autofree char *word = g_strndup (text + start, end - start);

  if (g_utf8_strlen (word, -1) > 60)
    {
      g_autofree char *head = g_utf8_substring (word, 0, 59);

      return g_strconcat (head, "…", NULL);
    }

  return g_steal_pointer (&word);
}

static gboolean fail (Parser       *parser,
                      guint         start,
                      guint         end,
                      TsQueryError  code,
                      const char   *format,
                      ...) G_GNUC_PRINTF (5, 6);

/* Refuses the word [start, end): the message quotes it, then says why and
 * what to write. */
static gboolean
fail (Parser       *parser,
      guint         start,
      guint         end,
      TsQueryError  code,
      const char   *format,
      ...)
{
  g_autofree char *detail = NULL;
  g_autofree char *word = NULL;
  va_list args;

  if (parser->failed)
    return FALSE;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);

  word = excerpt (parser->text, start, end);
  /* TRANSLATORS: the word of the query at fault, then what is wrong with it. */
  g_set_error (parser->error, TS_QUERY_ERROR, code, _("“%s”: %s"), word, detail);
  parser->error_start = start;
  parser->error_end = end;
  parser->failed = TRUE;

  return FALSE;
}

/* Reads the quoted string opening at @pos into @out; *after is the
 * position after the closing quote.  A backslash takes the next character
 * as it is (\" and \\).  FALSE when the quote is not closed before @limit. */
static gboolean
read_quoted (const char *text,
             guint       pos,
             guint       limit,
             GString    *out,
             guint      *after)
{
  gunichar close = closing_quote (char_at (text, pos));

  pos = next_pos (text, pos);
  while (pos < limit)
    {
      gunichar c = char_at (text, pos);

      if (c == close)
        {
          *after = next_pos (text, pos);
          return TRUE;
        }
      if (c == '\\')
        {
          pos = next_pos (text, pos);
          if (pos >= limit)
            break;
          c = char_at (text, pos);
        }
      g_string_append_unichar (out, c);
      pos = next_pos (text, pos);
    }

  return FALSE;
}

/* Where the word starting at @pos ends: at white space outside quotes.
 * *unclosed tells a quote that runs to the end of the text. */
static guint
word_end (const char *text,
          guint       length,
          guint       pos,
          gboolean   *unclosed)
{
  *unclosed = FALSE;

  while (pos < length)
    {
      gunichar c = char_at (text, pos);

      if (is_space (c))
        break;

      if (is_open_quote (c))
        {
          g_autoptr(GString) ignored = g_string_new (NULL);
          guint after;

          if (!read_quoted (text, pos, length, ignored, &after))
            {
              *unclosed = TRUE;
              return length;
            }
          pos = after;
          continue;
        }

      pos = next_pos (text, pos);
    }

  return pos;
}

static Op
read_op (const char *text,
         guint      *pos,
         guint       end)
{
  gunichar c = char_at (text, *pos);
  guint next = next_pos (text, *pos);
  gunichar c2 = next < end ? char_at (text, next) : 0;
  gboolean equals_next = c2 == '=' || c2 == 0xFF1D;

  switch (c)
    {
    case '>':
    case 0xFF1E:
      *pos = equals_next ? next_pos (text, next) : next;
      return equals_next ? OP_GTE : OP_GT;
    case '<':
    case 0xFF1C:
      *pos = equals_next ? next_pos (text, next) : next;
      return equals_next ? OP_LTE : OP_LT;
    case 0x2265:
      *pos = next;
      return OP_GTE;
    case 0x2264:
      *pos = next;
      return OP_LTE;
    case '=':
    case 0xFF1D:
      *pos = next;
      return OP_EQ;
    default:
      return OP_NONE;
    }
}

/* Cuts the word [start, end) into its parts. */
static Word *
lex_word (Parser *parser,
          guint   start,
          guint   end)
{
  const char *text = parser->text;
  g_autoptr(GString) quoted = g_string_new (NULL);
  Word *word = g_new0 (Word, 1);
  guint pos = start;
  guint after;

  word->start = start;
  word->end = end;
  word->items = g_ptr_array_new_with_free_func (item_free);

  if (is_minus (char_at (text, pos)))
    {
      pos = next_pos (text, pos);
      if (pos >= end)
        {
          fail (parser, start, end, TS_QUERY_ERROR_SYNTAX,
                _("a minus needs the word to leave out right after it, such as -北京"));
          goto error;
        }
      word->negated = TRUE;
    }

  word->field_start = pos;

  /* The field, or text to find. */
  if (is_open_quote (char_at (text, pos)))
    {
      if (!read_quoted (text, pos, end, quoted, &after))
        {
          fail (parser, start, end, TS_QUERY_ERROR_SYNTAX,
                _("the quote is not closed; end the phrase with a quote"));
          goto error;
        }

      if (after < end && is_colon (char_at (text, after)))
        {
          word->field = g_strdup (quoted->str);
          word->field_end = after;
          pos = next_pos (text, after);
        }
      else if (after == end)
        {
          Item *item = g_new0 (Item, 1);

          item->value = g_strdup (quoted->str);
          item->quoted = TRUE;
          item->start = word->field_start;
          item->end = end;
          g_ptr_array_add (word->items, item);
          return word;
        }
      else
        {
          fail (parser, start, end, TS_QUERY_ERROR_SYNTAX,
                _("put a space after the closing quote"));
          goto error;
        }
    }
  else
    {
      guint q = pos;

      while (q < end && !is_colon (char_at (text, q)) && !is_open_quote (char_at (text, q)))
        q = next_pos (text, q);

      if (q < end && is_colon (char_at (text, q)))
        {
          if (q == pos)
            {
              g_autofree char *rest = g_strndup (text + pos, end - pos);

              fail (parser, start, end, TS_QUERY_ERROR_SYNTAX,
                    _("nothing before the colon; write a field before it, such as 问题级别:严重问题, "
                      "or put text to find in quotes: \"%s\""),
                    rest);
              goto error;
            }
          word->field = g_strndup (text + pos, q - pos);
          word->field_end = q;
          pos = next_pos (text, q);
        }
      else if (q < end)
        {
          fail (parser, start, end, TS_QUERY_ERROR_SYNTAX,
                _("a quote inside a word; put a space before the quote, or the whole word in quotes"));
          goto error;
        }
      else
        {
          Item *item = g_new0 (Item, 1);

          item->value = g_strndup (text + pos, end - pos);
          item->start = pos;
          item->end = end;
          g_ptr_array_add (word->items, item);
          return word;
        }
    }

  /* FIELD: [operator] item[,item...] */
  if (pos >= end)
    {
      fail (parser, start, end, TS_QUERY_ERROR_SYNTAX,
            _("nothing after the colon; write the value to find right after it, without a space"));
      goto error;
    }

  word->op = read_op (text, &pos, end);
  if (pos >= end)
    {
      fail (parser, start, end, TS_QUERY_ERROR_SYNTAX,
            _("nothing after the comparison; write the value right after it, such as >=5"));
      goto error;
    }

  while (pos < end)
    {
      Item *item = g_new0 (Item, 1);

      item->start = pos;
      g_ptr_array_add (word->items, item);

      if (is_open_quote (char_at (text, pos)))
        {
          g_string_truncate (quoted, 0);
          if (!read_quoted (text, pos, end, quoted, &after))
            {
              fail (parser, start, end, TS_QUERY_ERROR_SYNTAX,
                    _("the quote is not closed; end the value with a quote"));
              goto error;
            }
          item->value = g_strdup (quoted->str);
          item->quoted = TRUE;
          pos = after;

          if (pos < end && is_at (char_at (text, pos)))
            {
              guint w = next_pos (text, pos);

              pos = w;
              while (pos < end && !is_comma (char_at (text, pos)))
                {
                  if (is_open_quote (char_at (text, pos)))
                    {
                      fail (parser, start, end, TS_QUERY_ERROR_SYNTAX,
                            _("a quote inside a time window; write the window as 2018-01..2018-02"));
                      goto error;
                    }
                  pos = next_pos (text, pos);
                }
              item->window = g_strndup (text + w, pos - w);
            }
          else if (pos < end && !is_comma (char_at (text, pos)))
            {
              fail (parser, start, end, TS_QUERY_ERROR_SYNTAX,
                    _("put a comma or a space after the closing quote"));
              goto error;
            }
        }
      else
        {
          guint v = pos;

          while (pos < end && !is_comma (char_at (text, pos)))
            {
              if (is_open_quote (char_at (text, pos)))
                {
                  fail (parser, start, end, TS_QUERY_ERROR_SYNTAX,
                        _("a quote inside a value; put the whole value in quotes"));
                  goto error;
                }
              pos = next_pos (text, pos);
            }
          if (pos == v)
            {
              fail (parser, start, end, TS_QUERY_ERROR_SYNTAX,
                    _("an empty value in the list; remove the extra comma"));
              goto error;
            }
          item->value = g_strndup (text + v, pos - v);
        }

      item->end = pos;
      if (pos < end)
        {
          /* At a comma. */
          pos = next_pos (text, pos);
          if (pos >= end)
            {
              fail (parser, start, end, TS_QUERY_ERROR_SYNTAX,
                    _("the list ends with a comma; add the value that follows or remove the comma"));
              goto error;
            }
        }
    }

  return word;

error:
  word_free (word);
  return NULL;
}

/* Values {{{1 */

static gboolean
parse_integer (const char *str,
               gint64     *out)
{
  const char *p = str;

  if (*p == '+' || *p == '-')
    p++;
  if (*p == '\0')
    return FALSE;
  for (const char *q = p; *q; q++)
    if (!g_ascii_isdigit (*q))
      return FALSE;

  return g_ascii_string_to_signed (str, 10, G_MININT64, G_MAXINT64, out, NULL);
}

typedef enum
{
  PERIOD_DAY,
  PERIOD_MONTH,
  PERIOD_YEAR,
} PeriodKind;

typedef enum
{
  PERIOD_OK,
  PERIOD_NOT_A_DATE,
  PERIOD_NO_SUCH_DATE,
} PeriodStatus;

static gboolean
all_digits (const char *str,
            guint       n)
{
  for (guint i = 0; i < n; i++)
    if (!g_ascii_isdigit (str[i]))
      return FALSE;
  return TRUE;
}

/* A day (2018-01-05), a month (2018-01) or a year (2018), as the days it
 * runs from and to. */
static PeriodStatus
parse_period (const char *str,
              GDate      *first,
              GDate      *last,
              PeriodKind *kind)
{
  gsize length = strlen (str);
  guint year, month;

  if (length < 4 || !all_digits (str, 4) || (length > 4 && str[4] != '-'))
    return PERIOD_NOT_A_DATE;
  year = g_ascii_strtoull (str, NULL, 10);

  if (length == 4)
    {
      if (year < 1)
        return PERIOD_NO_SUCH_DATE;
      g_date_set_dmy (first, 1, 1, year);
      g_date_set_dmy (last, 31, 12, year);
      *kind = PERIOD_YEAR;
      return PERIOD_OK;
    }

  if ((length != 7 && length != 10) || !all_digits (str + 5, 2))
    return PERIOD_NOT_A_DATE;
  month = (str[5] - '0') * 10 + (str[6] - '0');
  if (year < 1 || month < 1 || month > 12)
    return PERIOD_NO_SUCH_DATE;

  if (length == 7)
    {
      g_date_set_dmy (first, 1, month, year);
      g_date_set_dmy (last, g_date_get_days_in_month (month, year), month, year);
      *kind = PERIOD_MONTH;
      return PERIOD_OK;
    }

  if (str[7] != '-' || !all_digits (str + 8, 2))
    return PERIOD_NOT_A_DATE;
  if (!_ts_filter_parse_day (str, first))
    return PERIOD_NO_SUCH_DATE;
  *last = *first;
  *kind = PERIOD_DAY;
  return PERIOD_OK;
}

static char *
format_day (const GDate *date)
{
  return g_strdup_printf ("%04u-%02u-%02u", (guint)g_date_get_year (date),
                          (guint)g_date_get_month (date), (guint)g_date_get_day (date));
}

/* "..", "~" or "～" between the two ends of a range. */
static const char *
find_range (const char *str,
            gsize      *separator_length)
{
  const char *dots = strstr (str, "..");
  const char *tilde = strchr (str, '~');
  const char *wide = strstr (str, "～");
  const char *best = NULL;

  if (dots != NULL)
    best = dots, *separator_length = 2;
  if (tilde != NULL && (best == NULL || tilde < best))
    best = tilde, *separator_length = 1;
  if (wide != NULL && (best == NULL || wide < best))
    best = wide, *separator_length = strlen ("～");

  return best;
}

static gboolean
parse_boolean (const char *str,
               gboolean   *out)
{
  static const char * const yes[] = { "true", "yes", "是", "真", NULL };
  static const char * const no[] = { "false", "no", "否", "假", NULL };

  for (guint i = 0; yes[i]; i++)
    if (casefold_equal (str, yes[i]))
      return (*out = TRUE), TRUE;
  for (guint i = 0; no[i]; i++)
    if (casefold_equal (str, no[i]))
      return (*out = FALSE), TRUE;
  return FALSE;
}

static gboolean
is_me (const char *str)
{
  return casefold_equal (str, "me") || g_str_equal (str, "我");
}

static char *
join (const char * const *list)
{
  /* TRANSLATORS: between the items of a list of choices or states. */
  return g_strjoinv (_(", "), (char **)list);
}

/* Example values for messages. */
static const char *
example_value (TsProject     *project,
               const Subject *subject)
{
  switch (subject->kind)
    {
    case S_FIELD:
      switch (ts_field_get_field_type (subject->field))
        {
        case TS_FIELD_CHOICE:
          return ts_field_get_choices (subject->field)[0] ? ts_field_get_choices (subject->field)[0] : "x";
        case TS_FIELD_INTEGER:
          return "5";
        case TS_FIELD_DATE:
          return "2018-01-31";
        case TS_FIELD_BOOLEAN:
          return "true";
        case TS_FIELD_USER:
          return "me";
        case TS_FIELD_STRING:
        case TS_FIELD_TEXT:
        case TS_FIELD_URL:
        default:
          return "北京";
        }
    case S_STATE:
    case S_REACHED:
      return ts_project_get_initial_state (project);
    case S_ASSIGNED_TO:
    case S_CREATED_BY:
      return "me";
    case S_CREATED_AT:
    case S_UPDATED_AT:
      return "2018-01";
    case S_HAS:
    case S_NO:
      return ts_project_get_n_fields (project) > 0
             ? ts_field_get_label (ts_project_get_field (project, 0)) : "assignee";
    case S_KEY:
    case S_TEXT:
    default:
      return "北京";
    }
}

/* Accumulators: what the words say about one filter key {{{1 */

typedef struct
{
  Subject    subject;
  char      *key;
  guint      start;         /* the first word about it */
  guint      end;
  JsonArray *equals;
  JsonArray *nots;
  GPtrArray *contains;
  GPtrArray *not_contains;
  char      *gte;
  char      *lte;
  gint64     gte_int;
  gint64     lte_int;
  gboolean   has_gte;
  gboolean   has_lte;
  gboolean   empty;
  gboolean   not_empty;
  gboolean   reached;
  char      *state;
} Acc;

static void
acc_free (gpointer data)
{
  Acc *acc = data;

  g_free (acc->key);
  g_clear_pointer (&acc->equals, json_array_unref);
  g_clear_pointer (&acc->nots, json_array_unref);
  g_clear_pointer (&acc->contains, g_ptr_array_unref);
  g_clear_pointer (&acc->not_contains, g_ptr_array_unref);
  g_free (acc->gte);
  g_free (acc->lte);
  g_free (acc->state);
  g_free (acc);
}

static Acc *
get_acc (Parser        *parser,
         const Subject *subject,
         const Word    *word)
{
  Acc *acc;

  for (guint i = 0; i < parser->accs->len; i++)
    {
      acc = g_ptr_array_index (parser->accs, i);
      if (subject_equal (&acc->subject, subject))
        return acc;
    }

  acc = g_new0 (Acc, 1);
  acc->subject = *subject;
  acc->key = g_strdup (subject_key (subject));
  acc->start = word->start;
  acc->end = word->end;
  g_ptr_array_add (parser->accs, acc);

  return acc;
}

static gboolean
acc_has_operators (const Acc *acc)
{
  return acc->nots != NULL || acc->contains != NULL || acc->not_contains != NULL ||
         acc->has_gte || acc->has_lte || acc->empty || acc->not_empty;
}

/* A value as a query writes it, for suggestions in messages. */
static char *format_value (const char *value);
/* How a query writes the subject, for suggestions in messages. */
static char *format_subject (TsProject     *project,
                             const Subject *subject);

static char *
describe_values (JsonArray *values)
{
  g_autoptr(GString) str = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (values); i++)
    {
      JsonNode *node = json_array_get_element (values, i);
      g_autofree char *text = NULL;

      if (json_node_get_value_type (node) == G_TYPE_STRING)
        text = format_value (json_node_get_string (node));
      else if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
        text = g_strdup (json_node_get_boolean (node) ? "true" : "false");
      else
        text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      g_string_append_printf (str, "%s%s", i ? "," : "", text);
    }

  return g_string_free (g_steal_pointer (&str), FALSE);
}

static gboolean
add_equals (Parser    *parser,
            Acc       *acc,
            Word      *word,
            JsonArray *values)
{
  const char *label = subject_label (parser->project, &acc->subject);
  g_autofree char *ref = format_subject (parser->project, &acc->subject);
  g_autoptr(JsonArray) owned = values;

  if (acc->equals != NULL)
    {
      g_autoptr(JsonNode) a = json_node_init_array (json_node_alloc (), acc->equals);
      g_autoptr(JsonNode) b = json_node_init_array (json_node_alloc (), values);
      g_autofree char *before = NULL;
      g_autofree char *now = NULL;

      if (json_node_equal (a, b))
        return TRUE;

      before = describe_values (acc->equals);
      now = describe_values (values);
      return fail (parser, word->start, word->end, TS_QUERY_ERROR_CONFLICT,
                   _("%s is asked for twice, and a ticket has only one value; to find either, "
                     "write them in one word: %s:%s,%s"),
                   label, ref, before, now);
    }

  if (acc_has_operators (acc))
    return fail (parser, word->start, word->end, TS_QUERY_ERROR_CONFLICT,
                 _("%s is asked to be one value here and to meet another condition elsewhere; "
                   "keep only one of the two words"),
                 label);

  acc->equals = g_steal_pointer (&owned);
  return TRUE;
}

static gboolean
check_not_equals (Parser *parser,
                  Acc    *acc,
                  Word   *word)
{
  if (acc->equals == NULL)
    return TRUE;

  return fail (parser, word->start, word->end, TS_QUERY_ERROR_CONFLICT,
               _("%s is asked to be one value elsewhere; keep only one of the two words"),
               subject_label (parser->project, &acc->subject));
}

static gboolean
add_nots (Parser    *parser,
          Acc       *acc,
          Word      *word,
          JsonArray *values)
{
  g_autoptr(JsonArray) owned = values;

  if (!check_not_equals (parser, acc, word))
    return FALSE;

  if (acc->nots == NULL)
    acc->nots = json_array_new ();
  for (guint i = 0; i < json_array_get_length (values); i++)
    json_array_add_element (acc->nots, json_node_copy (json_array_get_element (values, i)));
  return TRUE;
}

static gboolean
check_not_empty_flag (Parser *parser,
                      Acc    *acc,
                      Word   *word)
{
  if (!acc->empty)
    return TRUE;

  return fail (parser, word->start, word->end, TS_QUERY_ERROR_CONFLICT,
               _("%s is asked to be empty elsewhere (no:), and an empty field holds nothing; "
                 "keep only one of the two words"),
               subject_label (parser->project, &acc->subject));
}

static gboolean
add_words (Parser     *parser,
           Acc        *acc,
           Word       *word,
           gboolean    negated,
           const char *value)
{
  GPtrArray **list = negated ? &acc->not_contains : &acc->contains;

  if (acc->subject.kind != S_TEXT)
    {
      if (!check_not_equals (parser, acc, word))
        return FALSE;
      if (!negated && !check_not_empty_flag (parser, acc, word))
        return FALSE;
    }

  if (*value == '\0')
    return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
                 _("an empty phrase finds nothing; write the words to find between the quotes"));

  if (*list == NULL)
    *list = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (*list, g_strdup (value));
  return TRUE;
}

/* gte / lte: strings (days, instants) or integers. */
static gboolean
add_bounds (Parser     *parser,
            Acc        *acc,
            Word       *word,
            const char *gte,
            const char *lte,
            gint64      gte_int,
            gint64      lte_int,
            gboolean    has_gte,
            gboolean    has_lte)
{
  const char *label = subject_label (parser->project, &acc->subject);
  g_autofree char *ref = format_subject (parser->project, &acc->subject);

  if (!check_not_equals (parser, acc, word) || !check_not_empty_flag (parser, acc, word))
    return FALSE;

  if ((has_gte && acc->has_gte && (g_strcmp0 (gte, acc->gte) != 0 || gte_int != acc->gte_int)) ||
      (has_lte && acc->has_lte && (g_strcmp0 (lte, acc->lte) != 0 || lte_int != acc->lte_int)))
    return fail (parser, word->start, word->end, TS_QUERY_ERROR_CONFLICT,
                 _("%s has a bound of this kind already; give one range in one word, such as %s:%s"),
                 label, ref,
                 acc->subject.kind == S_FIELD && ts_field_get_field_type (acc->subject.field) == TS_FIELD_INTEGER
                 ? "5..10" : "2018-01-01..2018-01-31");

  /* Bounds from two words that no value can meet together. */
  if ((has_gte && !has_lte && acc->has_lte) || (has_lte && !has_gte && acc->has_gte))
    {
      gboolean integer = acc->subject.kind == S_FIELD &&
                         ts_field_get_field_type (acc->subject.field) == TS_FIELD_INTEGER;
      const char *low = has_gte ? gte : acc->gte;
      const char *high = has_lte ? lte : acc->lte;
      gint64 low_int = has_gte ? gte_int : acc->gte_int;
      gint64 high_int = has_lte ? lte_int : acc->lte_int;

      if (integer ? low_int > high_int
                  : (low != NULL && high != NULL && strlen (low) == 10 && strlen (high) == 10 &&
                     strcmp (low, high) > 0))
        return fail (parser, word->start, word->end, TS_QUERY_ERROR_CONFLICT,
                     _("%s cannot be above one bound and below the other: the two words leave no value between them; "
                       "write one range in one word, such as %s:%s"),
                     label, ref, integer ? "5..10" : "2018-01-01..2018-01-31");
    }

  if (has_gte)
    {
      g_free (acc->gte);
      acc->gte = g_strdup (gte);
      acc->gte_int = gte_int;
      acc->has_gte = TRUE;
    }
  if (has_lte)
    {
      g_free (acc->lte);
      acc->lte = g_strdup (lte);
      acc->lte_int = lte_int;
      acc->has_lte = TRUE;
    }
  return TRUE;
}

static gboolean
add_emptiness (Parser   *parser,
               Acc      *acc,
               Word     *word,
               gboolean  empty)
{
  const char *label = subject_label (parser->project, &acc->subject);

  if (!check_not_equals (parser, acc, word))
    return FALSE;

  if (empty && (acc->not_empty || acc->contains != NULL || acc->has_gte || acc->has_lte))
    return fail (parser, word->start, word->end, TS_QUERY_ERROR_CONFLICT,
                 _("%s is asked to hold something elsewhere, and here to be empty; keep only one of the two words"),
                 label);
  if (!empty && acc->empty)
    return fail (parser, word->start, word->end, TS_QUERY_ERROR_CONFLICT,
                 _("%s is asked to be empty elsewhere, and here to hold something; keep only one of the two words"),
                 label);

  if (empty)
    acc->empty = TRUE;
  else
    acc->not_empty = TRUE;
  return TRUE;
}

/* Interpreting words {{{1 */

static JsonNode *
string_node (const char *str)
{
  return json_node_init_string (json_node_alloc (), str);
}

static gboolean
refuse_comparison (Parser        *parser,
                   Word          *word,
                   const Subject *subject)
{
  const char *label = subject_label (parser->project, subject);
  g_autofree char *ref = format_subject (parser->project, subject);
  g_autofree char *example = format_value (example_value (parser->project, subject));

  return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
               _("%s is not a number or a date, so it cannot be compared with > or <; "
                 "write the value itself, such as %s:%s"),
               label, ref, example);
}

static gboolean
refuse_negated_range (Parser        *parser,
                      Word          *word,
                      const Subject *subject)
{
  g_autofree char *ref = format_subject (parser->project, subject);
  gboolean is_integer = subject->kind == S_FIELD &&
                        ts_field_get_field_type (subject->field) == TS_FIELD_INTEGER;

  if (is_integer)
    return fail (parser, word->start, word->end, TS_QUERY_ERROR_SYNTAX,
                 _("a range or a comparison cannot be negated; search for what you want instead, "
                   "such as %s:<5 or %s:>10 for what lies outside 5..10"),
                 ref, ref);
  return fail (parser, word->start, word->end, TS_QUERY_ERROR_SYNTAX,
               _("a range or a comparison cannot be negated; search for what you want instead, "
                 "such as %s:<2018-01 or %s:>2018-01 for what lies outside January 2018"),
               ref, ref);
}

/* One value of a choice field or a state: the choice itself, or the one
 * that equals it ignoring case.  @verbatim (after "=") takes it as it is,
 * for old values no longer in the list. */
static gboolean
resolve_choice (Parser             *parser,
                Word               *word,
                const Subject      *subject,
                const char * const *choices,
                const char         *value,
                gboolean            verbatim,
                const char        **out)
{
  const char *label = subject_label (parser->project, subject);
  g_autofree char *ref = format_subject (parser->project, subject);
  const char *found = NULL;
  g_autofree char *list = NULL;
  const char *suggestion;
  guint n = 0;

  if (verbatim || g_strv_contains (choices, value))
    {
      *out = value;
      return TRUE;
    }

  for (guint i = 0; choices[i]; i++)
    if (casefold_equal (choices[i], value))
      {
        found = choices[i];
        n++;
      }
  if (n == 1)
    {
      *out = found;
      return TRUE;
    }

  list = join (choices);
  suggestion = suggest (value, choices);
  if (subject->kind == S_STATE || subject->kind == S_REACHED)
    {
      if (suggestion != NULL)
        return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
                     _("there is no state “%s”; did you mean %s? The states are %s "
                       "(for a state no longer in the list write %s:=\"%s\")"),
                     value, suggestion, list, ref, value);
      return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
                   _("there is no state “%s”; the states are %s "
                     "(for a state no longer in the list write %s:=\"%s\")"),
                   value, list, ref, value);
    }

  if (suggestion != NULL)
    return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
                 _("%s has no choice “%s”; did you mean %s? Its choices are %s "
                   "(for a value no longer in the list write %s:=\"%s\")"),
                 label, value, suggestion, list, ref, value);
  return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
               _("%s has no choice “%s”; its choices are %s "
                 "(for a value no longer in the list write %s:=\"%s\")"),
               label, value, list, ref, value);
}

static gboolean
refuse_period (Parser       *parser,
               Word         *word,
               const char   *value,
               PeriodStatus  status)
{
  g_autofree char *fixed = g_strdup (value);

  if (status == PERIOD_NO_SUCH_DATE)
    return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
                 _("there is no date %s; write a day that exists, such as 2018-02-28"),
                 value);

  /* 2018/01/05 and 2018.01.05 are common; say how we write them. */
  g_strdelimit (fixed, "/.", '-');
  if (!g_str_equal (fixed, value) && _ts_filter_parse_day (fixed, NULL))
    return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
                 _("“%s” is not a date as a search writes it; write %s"),
                 value, fixed);

  return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
               _("“%s” is not a date; write a day as 2018-01-31, a month as 2018-01, a year as 2018, "
                 "or a range such as 2018-01-01..2018-01-31"),
               value);
}

typedef struct
{
  char     *gte;
  char     *lte;
  gboolean  single_day;   /* one day written as itself: equality on a date field */
} Window;

static void
window_clear (Window *window)
{
  g_clear_pointer (&window->gte, g_free);
  g_clear_pointer (&window->lte, g_free);
}

/* One end of a window: a period or, where @instants, an RFC 3339 time. */
static gboolean
read_window_end (Parser     *parser,
                 Word       *word,
                 const char *str,
                 gboolean    upper,
                 gboolean    instants,
                 char      **out)
{
  GDate first, last;
  PeriodKind kind;
  PeriodStatus status;

  status = parse_period (str, &first, &last, &kind);
  if (status == PERIOD_OK)
    {
      *out = format_day (upper ? &last : &first);
      return TRUE;
    }

  if (instants && _ts_filter_parse_instant (str, NULL))
    {
      *out = g_strdup (str);
      return TRUE;
    }

  if (instants && strchr (str, 'T') != NULL)
    return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
                 _("“%s” is not a time as a search writes it; write one with its offset, "
                   "such as 2018-01-31T10:00:00+08:00 or 2018-01-31T02:00:00Z"),
                 str);

  return refuse_period (parser, word, str, status);
}

/* A period, a range, or a comparison with a period (a time where
 * @instants), as inclusive bounds. */
static gboolean
read_window (Parser     *parser,
             Word       *word,
             const char *str,
             Op          op,
             gboolean    instants,
             Window     *out)
{
  GDate first, last;
  PeriodKind kind;
  PeriodStatus status;
  const char *range;
  gsize separator = 0;

  memset (out, 0, sizeof *out);

  if (op == OP_GT || op == OP_GTE || op == OP_LT || op == OP_LTE)
    {
      status = parse_period (str, &first, &last, &kind);
      if (status != PERIOD_OK)
        {
          if (instants && _ts_filter_parse_instant (str, NULL))
            {
              if (op == OP_GT || op == OP_LT)
                return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
                             _("a time is compared with >= or <=, not > or <; write >=%s or <=%s"),
                             str, str);
              if (op == OP_GTE)
                out->gte = g_strdup (str);
              else
                out->lte = g_strdup (str);
              return TRUE;
            }
          return read_window_end (parser, word, str, FALSE, instants, &out->gte);
        }

      switch (op)
        {
        case OP_GTE:
          out->gte = format_day (&first);
          break;
        case OP_GT:
          if (g_date_get_year (&last) >= 9999 && g_date_get_month (&last) == 12 && g_date_get_day (&last) == 31)
            return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
                         _("no day comes after %s"), str);
          g_date_add_days (&last, 1);
          out->gte = format_day (&last);
          break;
        case OP_LTE:
          out->lte = format_day (&last);
          break;
        case OP_LT:
          if (g_date_get_julian (&first) <= 1)
            return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
                         _("no day comes before %s"), str);
          g_date_subtract_days (&first, 1);
          out->lte = format_day (&first);
          break;
        case OP_NONE:
        case OP_EQ:
        default:
          g_assert_not_reached ();
        }
      return TRUE;
    }

  if ((range = find_range (str, &separator)) != NULL)
    {
      g_autofree char *from = g_strndup (str, range - str);
      const char *to = range + separator;
      gsize unused;

      if (*from == '\0' && *to == '\0')
        return fail (parser, word->start, word->end, TS_QUERY_ERROR_SYNTAX,
                     _("a range needs at least one end, such as 2018-01..2018-02, 2018-01.. or ..2018-02"));
      if (find_range (to, &unused) != NULL)
        return fail (parser, word->start, word->end, TS_QUERY_ERROR_SYNTAX,
                     _("a range has two ends, such as 2018-01-01..2018-01-31"));

      if (*from != '\0' && !read_window_end (parser, word, from, FALSE, instants, &out->gte))
        return FALSE;
      if (*to != '\0' && !read_window_end (parser, word, to, TRUE, instants, &out->lte))
        {
          window_clear (out);
          return FALSE;
        }
      /* Days compare as strings; a time's offset makes its order unclear
       * here, and an empty window of times simply finds nothing. */
      if (out->gte != NULL && out->lte != NULL && strlen (out->gte) == 10 && strlen (out->lte) == 10 &&
          strcmp (out->gte, out->lte) > 0)
        {
          window_clear (out);
          return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
                       _("the range ends before it starts; write the earlier end first"));
        }
      return TRUE;
    }

  status = parse_period (str, &first, &last, &kind);
  if (status != PERIOD_OK)
    {
      if (instants && _ts_filter_parse_instant (str, NULL))
        return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
                     _("a time is a bound, not a value; write >=%s or <=%s, or a range such as %s..%s"),
                     str, str, str, str);
      return refuse_period (parser, word, str, status);
    }

  out->gte = format_day (&first);
  out->lte = format_day (&last);
  out->single_day = kind == PERIOD_DAY;
  return TRUE;
}

static gboolean
read_integer_bounds (Parser        *parser,
                     Word          *word,
                     const Subject *subject,
                     const char    *str,
                     Op             op,
                     gint64        *gte,
                     gint64        *lte,
                     gboolean      *has_gte,
                     gboolean      *has_lte)
{
  const char *label = subject_label (parser->project, subject);
  g_autofree char *ref = format_subject (parser->project, subject);
  const char *range;
  gsize separator = 0;
  gint64 n;

  *has_gte = *has_lte = FALSE;

  if (op == OP_GT || op == OP_GTE || op == OP_LT || op == OP_LTE)
    {
      if (!parse_integer (str, &n))
        return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
                     _("%s is a whole number, and “%s” is not one; write one such as %s:>=5"),
                     label, str, ref);
      if ((op == OP_GT && n == G_MAXINT64) || (op == OP_LT && n == G_MININT64))
        return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
                     _("the number %s is too large to compare with"), str);
      if (op == OP_GT || op == OP_GTE)
        *gte = op == OP_GT ? n + 1 : n, *has_gte = TRUE;
      else
        *lte = op == OP_LT ? n - 1 : n, *has_lte = TRUE;
      return TRUE;
    }

  range = find_range (str, &separator);
  g_assert (range != NULL);
  {
    g_autofree char *from = g_strndup (str, range - str);
    const char *to = range + separator;

    if (*from == '\0' && *to == '\0')
      return fail (parser, word->start, word->end, TS_QUERY_ERROR_SYNTAX,
                   _("a range needs at least one end, such as 5..10, 5.. or ..10"));
    if (*from != '\0')
      {
        if (!parse_integer (from, gte))
          return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
                       _("%s is a whole number, and “%s” is not one; write a range such as %s:5..10"),
                       label, from, ref);
        *has_gte = TRUE;
      }
    if (*to != '\0')
      {
        if (!parse_integer (to, lte))
          return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
                       _("%s is a whole number, and “%s” is not one; write a range such as %s:5..10"),
                       label, to, ref);
        *has_lte = TRUE;
      }
    if (*has_gte && *has_lte && *gte > *lte)
      return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
                   _("the range ends before it starts; write the smaller number first"));
  }
  return TRUE;
}

static gboolean
interpret_integer (Parser        *parser,
                   Word          *word,
                   const Subject *subject,
                   Acc           *acc)
{
  const char *label = subject_label (parser->project, subject);
  g_autofree char *ref = format_subject (parser->project, subject);
  Item *first = g_ptr_array_index (word->items, 0);
  gsize separator;

  if ((word->op != OP_NONE && word->op != OP_EQ) || find_range (first->value, &separator) != NULL)
    {
      gint64 gte = 0, lte = 0;
      gboolean has_gte, has_lte;

      if (word->items->len > 1)
        return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
                     _("a comparison or a range takes one value, not a list"));
      if (word->negated)
        return refuse_negated_range (parser, word, subject);
      if (!read_integer_bounds (parser, word, subject, first->value, word->op, &gte, &lte, &has_gte, &has_lte))
        return FALSE;
      return add_bounds (parser, acc, word, NULL, NULL, gte, lte, has_gte, has_lte);
    }

  {
    g_autoptr(JsonArray) values = json_array_new ();

    for (guint i = 0; i < word->items->len; i++)
      {
        Item *item = g_ptr_array_index (word->items, i);
        gint64 n;

        if (find_range (item->value, &separator) != NULL)
          return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
                       _("a list of numbers cannot hold a range; search for the range on its own"));
        if (!parse_integer (item->value, &n))
          return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
                       _("%s is a whole number, and “%s” is not one; write one such as %s:5, "
                         "a list such as %s:1,2 or a range such as %s:5..10"),
                       label, item->value, ref, ref, ref);
        json_array_add_int_element (values, n);
      }

    if (word->negated)
      return add_nots (parser, acc, word, g_steal_pointer (&values));
    return add_equals (parser, acc, word, g_steal_pointer (&values));
  }
}

static gboolean
interpret_date (Parser        *parser,
                Word          *word,
                const Subject *subject,
                Acc           *acc)
{
  g_autoptr(JsonArray) days = json_array_new ();
  gboolean is_time = subject->kind == S_CREATED_AT || subject->kind == S_UPDATED_AT;
  const char *label = subject_label (parser->project, subject);
  g_autofree char *ref = format_subject (parser->project, subject);

  for (guint i = 0; i < word->items->len; i++)
    {
      Item *item = g_ptr_array_index (word->items, i);
      Window window = { 0 };

      if (!read_window (parser, word, item->value, word->op, is_time, &window))
        return FALSE;

      /* One day on a date field is that value; anything else is bounds. */
      if (window.single_day && !is_time && (word->op == OP_NONE || word->op == OP_EQ))
        {
          json_array_add_string_element (days, window.gte);
          window_clear (&window);
          continue;
        }

      if (word->items->len > 1)
        {
          window_clear (&window);
          if (is_time)
            return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
                         _("%s takes one day, month, year or range, not a list"),
                         label);
          return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
                       _("a list of dates holds days only, such as %s:2018-01-05,2018-01-07; "
                         "search for a month or a range on its own"),
                       ref);
        }
      if (word->negated)
        {
          window_clear (&window);
          return refuse_negated_range (parser, word, subject);
        }

      {
        gboolean ok = add_bounds (parser, acc, word, window.gte, window.lte, 0, 0,
                                  window.gte != NULL, window.lte != NULL);

        window_clear (&window);
        return ok;
      }
    }

  if (word->negated)
    return add_nots (parser, acc, word, g_steal_pointer (&days));
  return add_equals (parser, acc, word, g_steal_pointer (&days));
}

static gboolean
interpret_reached (Parser        *parser,
                   Word          *word,
                   const Subject *subject,
                   Acc           *acc)
{
  const char * const *states = ts_project_get_states (parser->project);
  Item *item = g_ptr_array_index (word->items, 0);
  g_autofree char *state = NULL;
  g_autofree char *window_text = NULL;
  const char *resolved;
  Window window = { 0 };

  if (word->negated)
    return fail (parser, word->start, word->end, TS_QUERY_ERROR_SYNTAX,
                 _("“reached” cannot be negated; search for the tickets that reached another state instead"));
  if (word->op != OP_NONE && word->op != OP_EQ)
    return fail (parser, word->start, word->end, TS_QUERY_ERROR_SYNTAX,
                 _("write the state first and the time after an @, such as reached:%s@>=2018-01-05"),
                 ts_project_get_initial_state (parser->project));
  if (word->items->len > 1)
    return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
                 _("“reached” takes one state; search for each state on its own"));

  if (item->quoted)
    {
      state = g_strdup (item->value);
      window_text = g_strdup (item->window);
    }
  else
    {
      const char *at = item->value;

      while (*at && !is_at (g_utf8_get_char (at)))
        at = g_utf8_next_char (at);
      state = g_strndup (item->value, at - item->value);
      if (*at)
        window_text = g_strdup (g_utf8_next_char (at));
    }

  if (*state == '\0')
    return fail (parser, word->start, word->end, TS_QUERY_ERROR_SYNTAX,
                 _("write the state before the @, such as reached:关闭@2018-01"));
  if (!resolve_choice (parser, word, subject, states, state, word->op == OP_EQ, &resolved))
    return FALSE;

  if (acc->reached)
    return fail (parser, word->start, word->end, TS_QUERY_ERROR_CONFLICT,
                 _("“reached” is given twice; a search takes one reached state with its time window"));

  if (window_text != NULL)
    {
      guint pos = 0;
      Op op = OP_NONE;

      if (*window_text == '\0')
        return fail (parser, word->start, word->end, TS_QUERY_ERROR_SYNTAX,
                     _("nothing after the @; write when, such as @2018-01 or @2018-01-01..2018-01-31"));
      op = read_op (window_text, &pos, strlen (window_text));
      if (op == OP_EQ)
        op = OP_NONE;
      if (window_text[pos] == '\0')
        return fail (parser, word->start, word->end, TS_QUERY_ERROR_SYNTAX,
                     _("nothing after the comparison; write the day right after it, such as @>=2018-01-05"));
      if (!read_window (parser, word, window_text + pos, op, TRUE, &window))
        return FALSE;
    }

  acc->reached = TRUE;
  acc->state = g_strdup (resolved);
  acc->gte = g_steal_pointer (&window.gte);
  acc->lte = g_steal_pointer (&window.lte);
  acc->has_gte = acc->gte != NULL;
  acc->has_lte = acc->lte != NULL;
  return TRUE;
}

static gboolean
interpret_emptiness (Parser *parser,
                     Word   *word,
                     gboolean empty)
{
  Item *item;
  Subject subject;
  Resolution resolution;
  g_autoptr(GArray) matches = g_array_new (FALSE, TRUE, sizeof (Subject));

  if (word->negated)
    empty = !empty;

  if (word->op != OP_NONE || word->items->len != 1)
    return fail (parser, word->start, word->end, TS_QUERY_ERROR_SYNTAX,
                 _("has: and no: take one field, such as has:%s"),
                 example_value (parser->project, &(Subject) { S_HAS, NULL }));

  item = g_ptr_array_index (word->items, 0);
  resolution = resolve_name (parser->project, item->value, &subject, matches);
  if (resolution != RESOLVED)
    {
      g_auto(GStrv) names = all_names (parser->project);
      const char *suggestion = suggest (item->value, (const char * const *)names);

      if (suggestion != NULL)
        return fail (parser, word->start, word->end, TS_QUERY_ERROR_UNKNOWN_FIELD,
                     _("no field “%s”; did you mean %s?"), item->value, suggestion);
      return fail (parser, word->start, word->end, TS_QUERY_ERROR_UNKNOWN_FIELD,
                   _("no field “%s”; has: and no: take a field’s name or label"), item->value);
    }

  if (subject.kind != S_FIELD && subject.kind != S_ASSIGNED_TO)
    return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
                 _("%s always has a value; has: and no: apply to the fields and to the assignee"),
                 subject_label (parser->project, &subject));

  return add_emptiness (parser, get_acc (parser, &subject, word), word, empty);
}

static gboolean
interpret_field_word (Parser *parser,
                      Word   *word)
{
  g_autoptr(GArray) matches = g_array_new (FALSE, TRUE, sizeof (Subject));
  Subject subject;
  Resolution resolution;
  const char *label;
  g_autofree char *ref = NULL;
  Acc *acc;

  resolution = resolve_name (parser->project, word->field, &subject, matches);
  if (resolution == AMBIGUOUS)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) names = NULL;
      g_autofree char *list = NULL;

      for (guint i = 0; i < matches->len; i++)
        g_strv_builder_add (builder, subject_key (&g_array_index (matches, Subject, i)));
      names = g_strv_builder_end (builder);
      list = join ((const char * const *)names);
      return fail (parser, word->start, word->end, TS_QUERY_ERROR_UNKNOWN_FIELD,
                   _("“%s” may be any of %s; write the name of the one you mean"),
                   word->field, list);
    }
  if (resolution == UNKNOWN)
    {
      g_auto(GStrv) names = all_names (parser->project);
      const char *suggestion = suggest (word->field, (const char * const *)names);
      g_autofree char *whole = g_strndup (parser->text + word->start, word->end - word->start);
      g_autofree char *as_text = format_value (whole);

      if (suggestion != NULL)
        return fail (parser, word->start, word->end, TS_QUERY_ERROR_UNKNOWN_FIELD,
                     _("no field “%s”; did you mean %s? To find the text itself, put it in quotes: %s"),
                     word->field, suggestion, as_text);
      return fail (parser, word->start, word->end, TS_QUERY_ERROR_UNKNOWN_FIELD,
                   _("no field “%s”; write a field’s name or label before the colon, "
                     "or to find the text itself put it in quotes: %s"),
                   word->field, as_text);
    }

  if (subject.kind == S_HAS || subject.kind == S_NO)
    return interpret_emptiness (parser, word, subject.kind == S_NO);

  label = subject_label (parser->project, &subject);
  ref = format_subject (parser->project, &subject);
  acc = get_acc (parser, &subject, word);

  if (subject.kind == S_REACHED)
    return interpret_reached (parser, word, &subject, acc);
  if (subject.kind == S_CREATED_AT || subject.kind == S_UPDATED_AT)
    {
      if (word->negated)
        return refuse_negated_range (parser, word, &subject);
      return interpret_date (parser, word, &subject, acc);
    }

  if (subject.kind == S_FIELD)
    {
      switch (ts_field_get_field_type (subject.field))
        {
        case TS_FIELD_INTEGER:
          return interpret_integer (parser, word, &subject, acc);
        case TS_FIELD_DATE:
          return interpret_date (parser, word, &subject, acc);
        case TS_FIELD_STRING:
        case TS_FIELD_TEXT:
        case TS_FIELD_URL:
        case TS_FIELD_CHOICE:
        case TS_FIELD_BOOLEAN:
        case TS_FIELD_USER:
        default:
          break;
        }
    }

  if (word->op != OP_NONE && word->op != OP_EQ)
    return refuse_comparison (parser, word, &subject);

  /* Words: contains (or, after "=", equals). */
  if (subject.kind == S_KEY ||
      (subject.kind == S_FIELD && (ts_field_get_field_type (subject.field) == TS_FIELD_STRING ||
                                   ts_field_get_field_type (subject.field) == TS_FIELD_TEXT ||
                                   ts_field_get_field_type (subject.field) == TS_FIELD_URL)))
    {
      if (word->op == OP_NONE)
        {
          if (word->items->len > 1 && !word->negated)
            {
              Item *a = g_ptr_array_index (word->items, 0);
              Item *b = g_ptr_array_index (word->items, 1);
              g_autofree char *fa = format_value (a->value);
              g_autofree char *fb = format_value (b->value);

              return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
                           _("%s can be searched for several words only all together: write %s:%s %s:%s "
                             "for both, or %s:=%s,%s for one whole value or the other"),
                           label, ref, fa, ref, fb, ref, fa, fb);
            }
          for (guint i = 0; i < word->items->len; i++)
            if (!add_words (parser, acc, word, word->negated, ((Item *)g_ptr_array_index (word->items, i))->value))
              return FALSE;
          return TRUE;
        }

      {
        g_autoptr(JsonArray) values = json_array_new ();

        for (guint i = 0; i < word->items->len; i++)
          json_array_add_string_element (values, ((Item *)g_ptr_array_index (word->items, i))->value);
        if (word->negated)
          return add_nots (parser, acc, word, g_steal_pointer (&values));
        return add_equals (parser, acc, word, g_steal_pointer (&values));
      }
    }

  /* Values: choices, states, people, booleans. */
  {
    g_autoptr(JsonArray) values = json_array_new ();

    for (guint i = 0; i < word->items->len; i++)
      {
        Item *item = g_ptr_array_index (word->items, i);
        const char *value = item->value;
        gboolean verbatim = word->op == OP_EQ;

        if (item->window != NULL)
          return fail (parser, word->start, word->end, TS_QUERY_ERROR_SYNTAX,
                       _("only “reached” takes a time after an @; put the whole value in quotes"));

        if (subject.kind == S_STATE)
          {
            if (!resolve_choice (parser, word, &subject, ts_project_get_states (parser->project),
                                 value, verbatim, &value))
              return FALSE;
            json_array_add_string_element (values, value);
          }
        else if (subject.kind == S_ASSIGNED_TO || subject.kind == S_CREATED_BY ||
                 ts_field_get_field_type (subject.field) == TS_FIELD_USER)
          {
            if (!verbatim && !item->quoted && is_me (value))
              {
                if (parser->me == NULL)
                  return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
                               _("“%s” stands for the person signed in, and nobody is; write a login name"),
                               value);
                value = parser->me;
              }
            json_array_add_string_element (values, value);
          }
        else if (ts_field_get_field_type (subject.field) == TS_FIELD_BOOLEAN)
          {
            gboolean flag;

            if (!parse_boolean (value, &flag))
              return fail (parser, word->start, word->end, TS_QUERY_ERROR_BAD_VALUE,
                           _("%s is true or false, not “%s”; write %s:true or %s:false (or 是, 否)"),
                           label, value, ref, ref);
            json_array_add_boolean_element (values, flag);
          }
        else
          {
            if (!resolve_choice (parser, word, &subject, ts_field_get_choices (subject.field),
                                 value, verbatim, &value))
              return FALSE;
            json_array_add_string_element (values, value);
          }
      }

    if (word->negated)
      return add_nots (parser, acc, word, g_steal_pointer (&values));
    return add_equals (parser, acc, word, g_steal_pointer (&values));
  }
}

static gboolean
interpret_word (Parser *parser,
                Word   *word)
{
  if (word->field == NULL)
    {
      Item *item = g_ptr_array_index (word->items, 0);
      Subject text = { S_TEXT, NULL };

      return add_words (parser, get_acc (parser, &text, word), word, word->negated, item->value);
    }

  return interpret_field_word (parser, word);
}

/* Building the filter {{{1 */

static JsonNode *
strings_node (GPtrArray *list)
{
  JsonArray *array;

  if (list->len == 1)
    return string_node (g_ptr_array_index (list, 0));

  array = json_array_sized_new (list->len);
  for (guint i = 0; i < list->len; i++)
    json_array_add_string_element (array, g_ptr_array_index (list, i));
  return json_node_init_array (json_node_alloc (), array);
}

static JsonNode *
values_node (JsonArray *values)
{
  if (json_array_get_length (values) == 1)
    return json_node_copy (json_array_get_element (values, 0));
  return json_node_init_array (json_node_alloc (), values);
}

static JsonNode *
bound_node (const Acc  *acc,
            const char *str,
            gint64      n)
{
  if (acc->subject.kind == S_FIELD && ts_field_get_field_type (acc->subject.field) == TS_FIELD_INTEGER)
    return json_node_init_int (json_node_alloc (), n);
  return string_node (str);
}

static JsonNode *
acc_to_json (const Acc *acc)
{
  g_autoptr(JsonObject) object = json_object_new ();

  if (acc->subject.kind == S_TEXT && acc->contains != NULL && acc->contains->len == 1 &&
      acc->not_contains == NULL)
    return string_node (g_ptr_array_index (acc->contains, 0));

  if (acc->subject.kind == S_REACHED)
    {
      json_object_set_string_member (object, "state", acc->state);
      if (acc->gte != NULL)
        json_object_set_string_member (object, "from", acc->gte);
      if (acc->lte != NULL)
        json_object_set_string_member (object, "to", acc->lte);
      return json_node_init_object (json_node_alloc (), object);
    }

  if (acc->equals != NULL)
    return values_node (acc->equals);

  if (acc->contains != NULL)
    json_object_set_member (object, "contains", strings_node (acc->contains));
  if (acc->not_contains != NULL)
    json_object_set_member (object, "not_contains", strings_node (acc->not_contains));
  if (acc->empty)
    json_object_set_boolean_member (object, "empty", TRUE);
  if (acc->not_empty)
    json_object_set_boolean_member (object, "not_empty", TRUE);
  if (acc->nots != NULL)
    json_object_set_member (object, "not", values_node (acc->nots));
  if (acc->has_gte)
    json_object_set_member (object, "gte", bound_node (acc, acc->gte, acc->gte_int));
  if (acc->has_lte)
    json_object_set_member (object, "lte", bound_node (acc, acc->lte, acc->lte_int));

  return json_node_init_object (json_node_alloc (), object);
}

JsonNode *
ts_query_parse (TsProject   *project,
                const char  *text,
                const char  *me,
                guint       *error_start,
                guint       *error_end,
                GError     **error)
{
  g_autoptr(GPtrArray) accs = g_ptr_array_new_with_free_func (acc_free);
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(JsonNode) filter = NULL;
  g_autoptr(TsFilter) check = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GError) filter_error = NULL;
  g_autofree char *bad_field = NULL;
  Parser parser = { 0 };
  const char *invalid = NULL;
  guint length;
  guint pos = 0;

  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  parser.project = project;
  parser.text = text;
  parser.me = me;
  parser.accs = accs;
  parser.error = &local_error;

  length = strlen (text);

  if (!g_utf8_validate (text, length, &invalid))
    {
      guint at = invalid - text;

      g_set_error (error, TS_QUERY_ERROR, TS_QUERY_ERROR_SYNTAX,
                   _("The text is not valid UTF-8 at byte %u; type the query again"), at);
      if (error_start != NULL)
        *error_start = at;
      if (error_end != NULL)
        *error_end = at + 1;
      return NULL;
    }

  while (pos < length)
    {
      gboolean unclosed;
      guint end;
      Word *word;

      if (is_space (char_at (text, pos)))
        {
          pos = next_pos (text, pos);
          continue;
        }

      end = word_end (text, length, pos, &unclosed);
      if (unclosed)
        {
          fail (&parser, pos, end, TS_QUERY_ERROR_SYNTAX,
                _("the quote is not closed; end the phrase with a quote"));
          break;
        }

      word = lex_word (&parser, pos, end);
      if (word == NULL)
        break;
      interpret_word (&parser, word);
      word_free (word);
      if (parser.failed)
        break;

      pos = end;
    }

  if (!parser.failed)
    {
      object = json_object_new ();
      for (guint i = 0; i < accs->len; i++)
        {
          Acc *acc = g_ptr_array_index (accs, i);

          json_object_set_member (object, acc->key, acc_to_json (acc));
        }
      filter = json_node_init_object (json_node_alloc (), object);

      /* What the words made must be a filter the search takes; a refusal
       * here would be a bug of the parser, still reported on its word. */
      check = ts_filter_new (project, filter, NULL, &bad_field, &filter_error);
      if (check == NULL)
        {
          guint start = 0, end = length;

          for (guint i = 0; i < accs->len; i++)
            {
              Acc *acc = g_ptr_array_index (accs, i);

              if (g_strcmp0 (acc->key, bad_field) == 0)
                start = acc->start, end = acc->end;
            }
          fail (&parser, start, end, TS_QUERY_ERROR_BAD_VALUE, "%s", filter_error->message);
        }
    }

  if (parser.failed)
    {
      if (error_start != NULL)
        *error_start = parser.error_start;
      if (error_end != NULL)
        *error_end = parser.error_end;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  return g_steal_pointer (&filter);
}

/* Formatting {{{1 */

static gboolean
needs_quotes (const char *str,
              gboolean    as_text)
{
  gsize unused;

  if (*str == '\0')
    return TRUE;

  if (as_text && is_minus (g_utf8_get_char (str)))
    return TRUE;

  for (const char *p = str; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (is_space (c) || is_open_quote (c) || c == 0x201D || c == '\\' ||
          is_colon (c) || is_comma (c) || is_at (c))
        return TRUE;
    }

  if (!as_text)
    {
      guint pos = 0;

      if (read_op (str, &pos, strlen (str)) != OP_NONE)
        return TRUE;
      if (find_range (str, &unused) != NULL)
        return TRUE;
    }

  return FALSE;
}

static char *
quote (const char *str)
{
  g_autoptr(GString) out = g_string_new ("\"");

  for (const char *p = str; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
format_value (const char *value)
{
  return needs_quotes (value, FALSE) ? quote (value) : g_strdup (value);
}

static char *
format_text (const char *value)
{
  /* Quoted, a word that starts with a minus is still text to find. */
  return needs_quotes (value, TRUE) ? quote (value) : g_strdup (value);
}

/* How a word names @subject: its label when that finds it back, else the
 * name; a system field by the first of its aliases that finds it back. */
static char *
format_subject (TsProject     *project,
                const Subject *subject)
{
  Subject back;
  const char *ref = NULL;

  if (subject->kind == S_FIELD)
    {
      const char *label = ts_field_get_label (subject->field);

      if (resolve_name (project, label, &back, NULL) == RESOLVED && subject_equal (&back, subject))
        ref = label;
      else
        ref = ts_field_get_name (subject->field);
    }
  else
    {
      guint index = system_index (subject->kind);

      for (guint a = 0; system_subjects[index].aliases[a] && ref == NULL; a++)
        if (resolve_name (project, system_subjects[index].aliases[a], &back, NULL) == RESOLVED &&
            subject_equal (&back, subject))
          ref = system_subjects[index].aliases[a];
      if (ref == NULL)
        ref = system_subjects[index].aliases[0];
    }

  /* Quoted where it would not read back as a field, nor as an item of
   * has: and no:. */
  return needs_quotes (ref, TRUE) || needs_quotes (ref, FALSE) ? quote (ref) : g_strdup (ref);
}

typedef struct
{
  TsProject *project;
  GPtrArray *words;
} Formatter;

static void
emit (Formatter  *formatter,
      gboolean    negated,
      const char *field,
      const char *op,
      const char *value)
{
  g_ptr_array_add (formatter->words, g_strconcat (negated ? "-" : "", field, ":", op, value, NULL));
}

/* Whether a string value may be written as it is rather than after "=":
 * a choice or state that the parser finds back, a login that is not
 * "me". */
static gboolean
plain_value (const Subject *subject,
             TsProject     *project,
             const char    *value)
{
  switch (subject->kind)
    {
    case S_STATE:
      return g_strv_contains (ts_project_get_states (project), value);
    case S_ASSIGNED_TO:
    case S_CREATED_BY:
      return !is_me (value);
    case S_FIELD:
      if (ts_field_get_field_type (subject->field) == TS_FIELD_CHOICE)
        return g_strv_contains (ts_field_get_choices (subject->field), value);
      if (ts_field_get_field_type (subject->field) == TS_FIELD_USER)
        return !is_me (value);
      return TRUE;
    case S_KEY:
    case S_CREATED_AT:
    case S_UPDATED_AT:
    case S_REACHED:
    case S_HAS:
    case S_NO:
    case S_TEXT:
    default:
      return TRUE;
    }
}

static gboolean
is_word_subject (const Subject *subject)
{
  if (subject->kind == S_KEY)
    return TRUE;
  if (subject->kind != S_FIELD)
    return FALSE;
  switch (ts_field_get_field_type (subject->field))
    {
    case TS_FIELD_STRING:
    case TS_FIELD_TEXT:
    case TS_FIELD_URL:
      return TRUE;
    case TS_FIELD_CHOICE:
    case TS_FIELD_DATE:
    case TS_FIELD_BOOLEAN:
    case TS_FIELD_INTEGER:
    case TS_FIELD_USER:
    default:
      return FALSE;
    }
}

/* A scalar or a list as the items of one word; *plain tells whether all
 * of them may be written without "=". */
static char *
format_values (Formatter     *formatter,
               const Subject *subject,
               JsonNode      *node,
               gboolean      *plain)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(JsonArray) single = NULL;
  JsonArray *list;

  *plain = !is_word_subject (subject);

  if (JSON_NODE_HOLDS_ARRAY (node))
    list = json_node_get_array (node);
  else
    {
      single = json_array_new ();
      json_array_add_element (single, json_node_copy (node));
      list = single;
    }

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *element = json_array_get_element (list, i);
      g_autofree char *text = NULL;

      if (!JSON_NODE_HOLDS_VALUE (element))
        text = g_strdup ("\"\"");
      else if (json_node_get_value_type (element) == G_TYPE_STRING)
        {
          const char *str = json_node_get_string (element);

          if (!plain_value (subject, formatter->project, str))
            *plain = FALSE;
          text = format_value (str);
        }
      else if (json_node_get_value_type (element) == G_TYPE_BOOLEAN)
        text = g_strdup (json_node_get_boolean (element) ? "true" : "false");
      else if (json_node_get_value_type (element) == G_TYPE_INT64)
        text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (element));
      else
        text = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64)json_node_get_double (element));

      g_string_append_printf (out, "%s%s", i ? "," : "", text);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* gte and lte of days or times as the shortest window that reads back the
 * same: a day, a month, a year, a range, or one comparison. */
static char *
format_window (const char *gte,
               const char *lte,
               gboolean    day_is_equality)
{
  GDate from, to;
  gboolean days = gte != NULL && lte != NULL &&
                  _ts_filter_parse_day (gte, &from) && _ts_filter_parse_day (lte, &to);

  if (gte != NULL && lte == NULL)
    return g_strconcat (">=", gte, NULL);
  if (gte == NULL && lte != NULL)
    return g_strconcat ("<=", lte, NULL);
  if (gte == NULL)
    return g_strdup ("..");

  if (days)
    {
      if (g_date_compare (&from, &to) == 0 && !day_is_equality)
        return g_strdup (gte);
      if (g_date_get_day (&from) == 1 && g_date_get_month (&from) == g_date_get_month (&to) &&
          g_date_get_year (&from) == g_date_get_year (&to) &&
          g_date_get_day (&to) == g_date_get_days_in_month (g_date_get_month (&to), g_date_get_year (&to)))
        return g_strndup (gte, 7);
      if (g_date_get_day (&from) == 1 && g_date_get_month (&from) == 1 &&
          g_date_get_day (&to) == 31 && g_date_get_month (&to) == 12 &&
          g_date_get_year (&from) == g_date_get_year (&to))
        return g_strndup (gte, 4);
    }

  if (days && g_date_get_day (&from) == 1 &&
      g_date_get_day (&to) == g_date_get_days_in_month (g_date_get_month (&to), g_date_get_year (&to)))
    {
      g_autofree char *a = g_strndup (gte, 7);
      g_autofree char *b = g_strndup (lte, 7);

      /* 2018-01..2018-02: from the first of January to the end of February. */
      return g_strconcat (a, "..", b, NULL);
    }

  return g_strconcat (gte, "..", lte, NULL);
}

static void
format_words (Formatter     *formatter,
              const char    *field,
              const Subject *subject,
              JsonNode      *node,
              gboolean       negated)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_free);

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    g_ptr_array_add (list, g_strdup (json_node_get_string (node)));
  else if (JSON_NODE_HOLDS_ARRAY (node))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
      {
        JsonNode *element = json_array_get_element (json_node_get_array (node), i);

        if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
          g_ptr_array_add (list, g_strdup (json_node_get_string (element)));
      }

  if (subject->kind == S_TEXT)
    {
      for (guint i = 0; i < list->len; i++)
        {
          g_autofree char *text = format_text (g_ptr_array_index (list, i));

          g_ptr_array_add (formatter->words, g_strconcat (negated ? "-" : "", text, NULL));
        }
      return;
    }

  if (negated && list->len > 0)
    {
      /* -field:a,b leaves out tickets with either word. */
      g_autoptr(GString) items = g_string_new (NULL);

      for (guint i = 0; i < list->len; i++)
        {
          g_autofree char *text = format_value (g_ptr_array_index (list, i));

          g_string_append_printf (items, "%s%s", i ? "," : "", text);
        }
      emit (formatter, TRUE, field, "", items->str);
      return;
    }

  for (guint i = 0; i < list->len; i++)
    {
      g_autofree char *text = format_value (g_ptr_array_index (list, i));

      emit (formatter, FALSE, field, "", text);
    }
}

static void
format_member (Formatter  *formatter,
               const char *key,
               JsonNode   *node)
{
  TsProject *project = formatter->project;
  g_autofree char *field = NULL;
  Subject subject = { S_TEXT, NULL };
  gboolean is_integer = FALSE, is_date = FALSE, is_time = FALSE;
  JsonObject *object;

  if ((subject.field = ts_project_lookup_field (project, key)) != NULL)
    subject.kind = S_FIELD;
  else if (g_str_equal (key, "text"))
    subject.kind = S_TEXT;
  else
    {
      gboolean found = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (system_subjects) && !found; i++)
        if (g_strcmp0 (system_subjects[i].key, key) == 0)
          subject.kind = system_subjects[i].kind, found = TRUE;
      if (!found)
        return;
    }

  if (subject.kind != S_TEXT)
    field = format_subject (project, &subject);

  if (subject.kind == S_FIELD)
    {
      is_integer = ts_field_get_field_type (subject.field) == TS_FIELD_INTEGER;
      is_date = ts_field_get_field_type (subject.field) == TS_FIELD_DATE;
    }
  is_time = subject.kind == S_CREATED_AT || subject.kind == S_UPDATED_AT;

  if (subject.kind == S_TEXT && !JSON_NODE_HOLDS_OBJECT (node))
    {
      format_words (formatter, NULL, &subject, node, FALSE);
      return;
    }

  if (subject.kind == S_REACHED)
    {
      const char *state, *from, *to;
      g_autofree char *value = NULL;
      gboolean plain;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return;
      object = json_node_get_object (node);
      if ((state = string_member (object, "state")) == NULL)
        return;
      from = string_member (object, "from");
      to = string_member (object, "to");
      plain = g_strv_contains (ts_project_get_states (project), state);
      value = format_value (state);
      if (from != NULL || to != NULL)
        {
          g_autofree char *window = format_window (from, to, FALSE);
          g_autofree char *with = g_strconcat (value, "@", window, NULL);

          emit (formatter, FALSE, field, plain ? "" : "=", with);
        }
      else
        emit (formatter, FALSE, field, plain ? "" : "=", value);
      return;
    }

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      gboolean plain;
      g_autofree char *values = format_values (formatter, &subject, node, &plain);

      emit (formatter, FALSE, field, plain ? "" : "=", values);
      return;
    }

  object = json_node_get_object (node);

  if (json_object_has_member (object, "contains"))
    format_words (formatter, field, &subject, json_object_get_member (object, "contains"), FALSE);
  if (json_object_has_member (object, "not_contains"))
    format_words (formatter, field, &subject, json_object_get_member (object, "not_contains"), TRUE);
  if (json_object_has_member (object, "empty") || json_object_has_member (object, "not_empty"))
    {
      Subject keyword = { json_object_has_member (object, "empty") ? S_NO : S_HAS, NULL };
      g_autofree char *ref = format_subject (project, &keyword);

      emit (formatter, FALSE, ref, "", field);
    }
  if (json_object_has_member (object, "not"))
    {
      gboolean plain;
      g_autofree char *values = format_values (formatter, &subject, json_object_get_member (object, "not"), &plain);

      emit (formatter, TRUE, field, plain ? "" : "=", values);
    }
  if (json_object_has_member (object, "gte") || json_object_has_member (object, "lte"))
    {
      JsonNode *gte = json_object_get_member (object, "gte");
      JsonNode *lte = json_object_get_member (object, "lte");

      if (is_integer)
        {
          g_autofree char *from = gte && JSON_NODE_HOLDS_VALUE (gte) ? g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (gte)) : NULL;
          g_autofree char *to = lte && JSON_NODE_HOLDS_VALUE (lte) ? g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (lte)) : NULL;
          g_autofree char *window = NULL;

          if (from != NULL && to != NULL)
            window = g_strconcat (from, "..", to, NULL);
          else if (from != NULL)
            window = g_strconcat (">=", from, NULL);
          else if (to != NULL)
            window = g_strconcat ("<=", to, NULL);
          if (window != NULL)
            emit (formatter, FALSE, field, "", window);
        }
      else if (is_date || is_time)
        {
          const char *from = string_member (object, "gte");
          const char *to = string_member (object, "lte");

          if (from != NULL || to != NULL)
            {
              g_autofree char *window = format_window (from, to, is_date);

              emit (formatter, FALSE, field, "", window);
            }
        }
    }
}

char *
ts_query_format (TsProject *project,
                 JsonNode  *filter)
{
  g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GList) members = NULL;
  Formatter formatter = { project, words };
  JsonObject *object;

  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);

  if (filter == NULL || !JSON_NODE_HOLDS_OBJECT (filter))
    return g_strdup ("");

  object = json_node_get_object (filter);
  members = json_object_get_members (object);
  for (const GList *l = members; l; l = l->next)
    format_member (&formatter, l->data, json_object_get_member (object, l->data));

  g_ptr_array_add (words, NULL);
  return g_strjoinv (" ", (char **)words->pdata);
}

/* Completion {{{1 */

struct _TsQueryCompletion
{
  GObject  parent_instance;

  char    *text;
  char    *label;
  char    *detail;
};

G_DEFINE_FINAL_TYPE (TsQueryCompletion, ts_query_completion, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TEXT,
  PROP_LABEL,
  PROP_DETAIL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ts_query_completion_finalize (GObject *object)
{
  TsQueryCompletion *self = (TsQueryCompletion *)object;

  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->label, g_free);
  g_clear_pointer (&self->detail, g_free);

  G_OBJECT_CLASS (ts_query_completion_parent_class)->finalize (object);
}

static void
ts_query_completion_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  TsQueryCompletion *self = TS_QUERY_COMPLETION (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;
    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;
    case PROP_DETAIL:
      g_value_set_string (value, self->detail);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_query_completion_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  TsQueryCompletion *self = TS_QUERY_COMPLETION (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      self->text = g_value_dup_string (value);
      break;
    case PROP_LABEL:
      self->label = g_value_dup_string (value);
      break;
    case PROP_DETAIL:
      self->detail = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_query_completion_class_init (TsQueryCompletionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ts_query_completion_finalize;
  object_class->get_property = ts_query_completion_get_property;
  object_class->set_property = ts_query_completion_set_property;

  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LABEL] =
    g_param_spec_string ("label", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DETAIL] =
    g_param_spec_string ("detail", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ts_query_completion_init (TsQueryCompletion *self)
{
}

const char *
ts_query_completion_get_text (TsQueryCompletion *self)
{
  g_return_val_if_fail (TS_IS_QUERY_COMPLETION (self), NULL);
  return self->text;
}

const char *
ts_query_completion_get_label (TsQueryCompletion *self)
{
  g_return_val_if_fail (TS_IS_QUERY_COMPLETION (self), NULL);
  return self->label;
}

const char *
ts_query_completion_get_detail (TsQueryCompletion *self)
{
  g_return_val_if_fail (TS_IS_QUERY_COMPLETION (self), NULL);
  return self->detail;
}

typedef struct
{
  GPtrArray *prefixed;     /* what starts with what was typed */
  GPtrArray *containing;   /* what only contains it */
  GHashTable *seen;        /* texts offered already */
  char      *typed;        /* case-folded */
} Offer;

/* Offers @text (shown as @label, with @detail) when one of @keys starts
 * with or contains what was typed. */
static void
offer (Offer              *o,
       const char         *text,
       const char         *label,
       const char         *detail,
       const char * const *keys)
{
  gboolean prefix = FALSE, contains = FALSE;

  if (g_hash_table_contains (o->seen, text))
    return;

  for (guint i = 0; keys[i]; i++)
    {
      g_autofree char *key = g_utf8_casefold (keys[i], -1);

      if (g_str_has_prefix (key, o->typed))
        prefix = TRUE;
      else if (strstr (key, o->typed) != NULL)
        contains = TRUE;
    }

  if (!prefix && !contains)
    return;

  g_hash_table_add (o->seen, g_strdup (text));
  g_ptr_array_add (prefix ? o->prefixed : o->containing,
                   g_object_new (TS_TYPE_QUERY_COMPLETION,
                                 "text", text,
                                 "label", label,
                                 "detail", detail,
                                 NULL));
}

static void
offer_fields (Offer     *o,
              TsProject *project,
              gboolean   emptiness_only)
{
  for (guint i = 0; i < ts_project_get_n_fields (project); i++)
    {
      TsField *field = ts_project_get_field (project, i);
      Subject subject = { S_FIELD, field };
      g_autofree char *ref = format_subject (project, &subject);
      g_autofree char *text = emptiness_only ? g_strdup (ref) : g_strconcat (ref, ":", NULL);
      const char *keys[] = { ts_field_get_label (field), ts_field_get_name (field), NULL };

      offer (o, text, ts_field_get_label (field), ts_field_get_name (field), keys);
    }

  for (guint i = 0; i < G_N_ELEMENTS (system_subjects); i++)
    {
      Subject subject = { system_subjects[i].kind, NULL };
      g_autofree char *ref = NULL;
      g_autofree char *text = NULL;
      const char *keys[8] = { NULL };
      const char *detail;
      guint n = 0;

      if (emptiness_only && subject.kind != S_ASSIGNED_TO)
        continue;

      ref = format_subject (project, &subject);
      text = emptiness_only ? g_strdup (ref) : g_strconcat (ref, ":", NULL);
      for (guint a = 0; system_subjects[i].aliases[a] && n < 6; a++)
        keys[n++] = system_subjects[i].aliases[a];
      detail = subject.kind == S_HAS ? _("has a value") :
               subject.kind == S_NO ? _("is empty") :
               subject_label (project, &subject);
      if (system_subjects[i].key != NULL)
        keys[n++] = detail;

      offer (o, text, ref, detail, keys);
    }
}

static void
offer_values (Offer              *o,
              const char * const *values,
              const char         *detail)
{
  for (guint i = 0; values != NULL && values[i]; i++)
    {
      g_autofree char *text = format_value (values[i]);
      const char *keys[] = { values[i], NULL };

      offer (o, text, values[i], detail, keys);
    }
}

GPtrArray *
ts_query_complete (TsProject          *project,
                   const char         *text,
                   guint               cursor,
                   const char * const *people,
                   guint              *replace_start,
                   guint              *replace_end)
{
  g_autoptr(GPtrArray) prefixed = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) containing = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *typed = NULL;
  Offer o = { prefixed, containing, seen, NULL };
  guint length, pos = 0, start = 0, end = 0, field_start, colon = 0;
  gboolean found_word = FALSE, has_colon = FALSE;

  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  length = strlen (text);
  if (cursor > length)
    cursor = length;
  if (replace_start != NULL)
    *replace_start = cursor;
  if (replace_end != NULL)
    *replace_end = cursor;

  if (!g_utf8_validate (text, length, NULL) ||
      (cursor < length && (text[cursor] & 0xC0) == 0x80))
    return g_steal_pointer (&prefixed);

  /* The word the cursor is in or right after. */
  while (pos < length)
    {
      gboolean unclosed;

      if (is_space (char_at (text, pos)))
        {
          if (pos >= cursor)
            break;
          pos = next_pos (text, pos);
          continue;
        }
      start = pos;
      end = word_end (text, length, pos, &unclosed);
      if (start <= cursor && cursor <= end)
        {
          found_word = TRUE;
          break;
        }
      if (start > cursor)
        break;
      pos = end;
    }
  if (!found_word)
    start = end = cursor;

  field_start = start;
  if (field_start < end && is_minus (char_at (text, field_start)))
    field_start = next_pos (text, field_start);

  /* The colon after the field, outside quotes. */
  for (guint p = field_start; p < end; )
    {
      gunichar c = char_at (text, p);

      if (is_colon (c))
        {
          has_colon = TRUE;
          colon = p;
          break;
        }
      if (is_open_quote (c))
        {
          g_autoptr(GString) ignored = g_string_new (NULL);
          guint after;

          if (!read_quoted (text, p, end, ignored, &after))
            break;
          p = after;
          continue;
        }
      p = next_pos (text, p);
    }

  if (!has_colon || cursor <= colon)
    {
      /* Typing a field. */
      guint from = field_start;

      if (cursor < field_start)
        return g_steal_pointer (&prefixed);
      if (from < cursor && is_open_quote (char_at (text, from)))
        from = next_pos (text, from);
      typed = g_strndup (text + from, cursor - from);
      o.typed = g_utf8_casefold (typed, -1);
      offer_fields (&o, project, FALSE);
      if (replace_start != NULL)
        *replace_start = field_start;
      if (replace_end != NULL)
        *replace_end = has_colon ? next_pos (text, colon) : end;
    }
  else
    {
      /* Typing a value: the item the cursor is in, after any operator. */
      g_autofree char *name = NULL;
      g_autoptr(GString) quoted_name = g_string_new (NULL);
      Subject subject;
      guint item_start, item_end, p, after;

      if (is_open_quote (char_at (text, field_start)) &&
          read_quoted (text, field_start, colon, quoted_name, &after))
        name = g_strdup (quoted_name->str);
      else
        name = g_strndup (text + field_start, colon - field_start);

      if (resolve_name (project, name, &subject, NULL) != RESOLVED)
        return g_steal_pointer (&prefixed);

      p = next_pos (text, colon);
      /* Values are offered after "=" too: it only takes them verbatim. */
      read_op (text, &p, end);
      if (cursor < p)
        return g_steal_pointer (&prefixed);

      item_start = p;
      item_end = end;
      while (p < end)
        {
          gunichar c = char_at (text, p);

          if (is_open_quote (c))
            {
              g_autoptr(GString) ignored = g_string_new (NULL);

              if (!read_quoted (text, p, end, ignored, &after))
                break;
              p = after;
              continue;
            }
          if (is_comma (c) || (subject.kind == S_REACHED && is_at (c)))
            {
              if (p >= cursor)
                {
                  item_end = p;
                  break;
                }
              if (is_at (c))
                return g_steal_pointer (&prefixed);   /* in the time window */
              item_start = next_pos (text, p);
            }
          p = next_pos (text, p);
        }

      {
        guint from = item_start;

        if (from < cursor && is_open_quote (char_at (text, from)))
          from = next_pos (text, from);
        typed = g_strndup (text + from, cursor >= from ? cursor - from : 0);
        o.typed = g_utf8_casefold (typed, -1);
      }

      switch (subject.kind)
        {
        case S_FIELD:
          switch (ts_field_get_field_type (subject.field))
            {
            case TS_FIELD_CHOICE:
              offer_values (&o, ts_field_get_choices (subject.field), ts_field_get_label (subject.field));
              break;
            case TS_FIELD_BOOLEAN:
              {
                static const char * const flags[] = { "true", "false", NULL };

                offer_values (&o, flags, ts_field_get_label (subject.field));
              }
              break;
            case TS_FIELD_USER:
              {
                const char *keys[] = { "me", "我", NULL };

                offer (&o, "me", "me", _("you"), keys);
                offer_values (&o, people, ts_field_get_label (subject.field));
              }
              break;
            case TS_FIELD_STRING:
            case TS_FIELD_TEXT:
            case TS_FIELD_URL:
            case TS_FIELD_DATE:
            case TS_FIELD_INTEGER:
            default:
              break;
            }
          break;
        case S_STATE:
        case S_REACHED:
          offer_values (&o, ts_project_get_states (project), subject_label (project, &subject));
          break;
        case S_ASSIGNED_TO:
        case S_CREATED_BY:
          {
            const char *keys[] = { "me", "我", NULL };

            offer (&o, "me", "me", _("you"), keys);
            offer_values (&o, people, subject_label (project, &subject));
          }
          break;
        case S_HAS:
        case S_NO:
          offer_fields (&o, project, TRUE);
          break;
        case S_KEY:
        case S_CREATED_AT:
        case S_UPDATED_AT:
        case S_TEXT:
        default:
          break;
        }

      if (replace_start != NULL)
        *replace_start = item_start;
      if (replace_end != NULL)
        *replace_end = item_end;
    }

  g_free (o.typed);
  g_ptr_array_extend_and_steal (prefixed, g_steal_pointer (&containing));
  return g_steal_pointer (&prefixed);
}

/* vim: set foldmethod=marker: */
