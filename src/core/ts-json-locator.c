/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-json-locator"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "ts-schema-private.h"

/* A strict JSON scanner run before json-glib parses a schema file.  It does
 * three things json-glib 1.6 cannot: it reports syntax errors in words a
 * person can act on, with line and column; it refuses what json-glib would
 * silently accept or mangle (duplicate keys, U+0000, integers beyond 64
 * bits, unbounded nesting); and it records where every member and element
 * starts, so that later problems found on the parsed tree can name a line
 * and column too.  Nesting is bounded, so the recursion is too. */

#define MAX_DEPTH 64

typedef struct
{
  const char    *p;
  const char    *end;
  guint          line;
  guint          column;   /* in characters, 1-based */
  guint          depth;
  GHashTable    *locations;
  TsDiagnostics *diagnostics;
  gboolean       failed;
} Scanner;

static gboolean scan_value (Scanner    *s,
                            const char *path);

static void
advance (Scanner *s)
{
  guchar c = (guchar)*s->p++;

  if (c == '\n')
    {
      s->line++;
      s->column = 1;
    }
  else if ((c & 0xC0) != 0x80)
    {
      s->column++;
    }
}

static gboolean
fail_at (Scanner    *s,
         guint       line,
         guint       column,
         const char *message)
{
  if (!s->failed)
    ts_diagnostics_add_at (s->diagnostics, TS_SEVERITY_ERROR, line, column, "%s", message);
  s->failed = TRUE;
  return FALSE;
}

static gboolean
fail (Scanner    *s,
      const char *message)
{
  return fail_at (s, s->line, s->column, message);
}

static void
skip_space (Scanner *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    advance (s);
}

static void
remember (Scanner    *s,
          const char *path,
          guint       line,
          guint       column)
{
  TsJsonPos *pos = g_new (TsJsonPos, 1);

  pos->line = line;
  pos->column = column;
  g_hash_table_replace (s->locations, g_strdup (path), pos);
}

static char *
excerpt (const char *p,
         const char *end)
{
  const char *q = p;

  /* One character, or a word when it starts with a letter. */
  if (q < end && g_ascii_isalpha (*q))
    while (q < end && (g_ascii_isalnum (*q) || *q == '_') && q - p < 20)
      q++;
  else if (q < end)
    q = g_utf8_next_char (q);

  return g_strndup (p, MIN (q, end) - p);
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
read_hex4 (Scanner  *s,
           gunichar *out)
{
  gunichar value = 0;

  for (guint i = 0; i < 4; i++)
    {
      int digit = s->p < s->end ? hex_value (*s->p) : -1;

      if (digit < 0)
        return fail (s, _("invalid \\u escape: write exactly four hexadecimal digits, as in \\u00e9"));
      value = value * 16 + digit;
      advance (s);
    }

  *out = value;
  return TRUE;
}

/* Scans a string starting at its opening quote; appends its decoded value
 * to @value when that is not NULL. */
static gboolean
scan_string (Scanner *s,
             GString *value)
{
  guint line = s->line;
  guint column = s->column;

  advance (s);  /* the opening quote */

  for (;;)
    {
      guchar c;

      if (s->p >= s->end || *s->p == '\n')
        return fail_at (s, line, column,
                        _("unterminated string: add the closing double quote (a string cannot span lines; write \\n for a line break)"));

      c = (guchar)*s->p;

      if (c == '"')
        {
          advance (s);
          return TRUE;
        }

      if (c < 0x20)
        {
          g_autofree char *msg =
            g_strdup_printf (_("control character U+%04X inside a string: write it as an escape such as \\t or \\n"),
                             c);
          return fail (s, msg);
        }

      if (c != '\\')
        {
          const char *next = g_utf8_next_char (s->p);

          if (value != NULL)
            g_string_append_len (value, s->p, next - s->p);
          while (s->p < next)
            advance (s);
          continue;
        }

      advance (s);  /* the backslash */
      if (s->p >= s->end)
        continue;  /* reported as unterminated */

      switch (*s->p)
        {
        case '"': case '\\': case '/':
          if (value != NULL)
            g_string_append_c (value, *s->p);
          advance (s);
          break;

        case 'b': case 'f': case 'n': case 'r': case 't':
          if (value != NULL)
            g_string_append_c (value, strchr ("b\bf\fn\nr\rt\t", *s->p)[1]);
          advance (s);
          break;

        case 'u':
          {
            gunichar ch;

            advance (s);
            if (!read_hex4 (s, &ch))
              return FALSE;

            if (ch == 0)
              return fail (s, _("\\u0000 is not allowed in a string: the database cannot store it"));

            if (ch >= 0xD800 && ch <= 0xDBFF)
              {
                gunichar low;

                if (s->end - s->p < 2 || s->p[0] != '\\' || s->p[1] != 'u')
                  return fail (s, _("unpaired UTF-16 surrogate in a \\u escape: write the character itself, or both halves of the pair"));
                advance (s);
                advance (s);
                if (!read_hex4 (s, &low))
                  return FALSE;
                if (low < 0xDC00 || low > 0xDFFF)
                  return fail (s, _("unpaired UTF-16 surrogate in a \\u escape: write the character itself, or both halves of the pair"));
                ch = 0x10000 + ((ch - 0xD800) << 10) + (low - 0xDC00);
              }
            else if (ch >= 0xDC00 && ch <= 0xDFFF)
              {
                return fail (s, _("unpaired UTF-16 surrogate in a \\u escape: write the character itself, or both halves of the pair"));
              }

            if (value != NULL)
              g_string_append_unichar (value, ch);
          }
          break;

        default:
          {
            g_autofree char *bad = excerpt (s->p, s->end);
            g_autofree char *msg =
              g_strdup_printf (_("invalid escape “\\%s” in a string: the escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX"),
                               bad);
            return fail (s, msg);
          }
        }
    }
}

static gboolean
scan_number (Scanner *s)
{
  const char *start = s->p;
  guint column = s->column;
  gboolean integer = TRUE;
  g_autofree char *text = NULL;

  if (*s->p == '-')
    advance (s);

  if (s->p < s->end && *s->p == '0')
    advance (s);
  else if (s->p < s->end && g_ascii_isdigit (*s->p))
    while (s->p < s->end && g_ascii_isdigit (*s->p))
      advance (s);
  else
    goto invalid;

  if (s->p < s->end && *s->p == '.')
    {
      integer = FALSE;
      advance (s);
      if (s->p >= s->end || !g_ascii_isdigit (*s->p))
        goto invalid;
      while (s->p < s->end && g_ascii_isdigit (*s->p))
        advance (s);
    }

  if (s->p < s->end && (*s->p == 'e' || *s->p == 'E'))
    {
      integer = FALSE;
      advance (s);
      if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
        advance (s);
      if (s->p >= s->end || !g_ascii_isdigit (*s->p))
        goto invalid;
      while (s->p < s->end && g_ascii_isdigit (*s->p))
        advance (s);
    }

  if (s->p < s->end && (g_ascii_isalnum (*s->p) || *s->p == '.'))
    goto invalid;

  text = g_strndup (start, s->p - start);
  if (integer)
    {
      gint64 ignored;

      if (!g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &ignored, NULL))
        {
          g_autofree char *msg =
            g_strdup_printf (_("the number %s is too large: whole numbers must lie between -9223372036854775808 and 9223372036854775807"),
                             text);
          return fail_at (s, s->line, column, msg);
        }
    }
  else
    {
      double d = g_ascii_strtod (text, NULL);

      if (!isfinite (d))
        {
          g_autofree char *msg = g_strdup_printf (_("the number %s is too large"), text);
          return fail_at (s, s->line, column, msg);
        }
    }

  return TRUE;

invalid:
  {
    const char *q = s->p;
    g_autofree char *msg = NULL;

    while (q < s->end && (g_ascii_isalnum (*q) || *q == '.' || *q == '+' || *q == '-'))
      q++;
    text = g_strndup (start, q - start);
    msg = g_strdup_printf (_("invalid number “%s”: write numbers like 42, -7 or 3.5 (no leading zeros, plus signs or hexadecimal)"),
                           text);
    return fail_at (s, s->line, column, msg);
  }
}

static gboolean
scan_word (Scanner *s)
{
  static const char * const literals[] = { "true", "false", "null" };
  g_autofree char *word = excerpt (s->p, s->end);
  g_autofree char *msg = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (literals); i++)
    {
      if (g_str_equal (word, literals[i]))
        {
          for (gsize n = strlen (word); n > 0; n--)
            advance (s);
          return TRUE;
        }
    }

  if (g_ascii_strcasecmp (word, "true") == 0 ||
      g_ascii_strcasecmp (word, "false") == 0 ||
      g_ascii_strcasecmp (word, "null") == 0)
    msg = g_strdup_printf (_("unexpected word “%s”: JSON writes true, false and null in lower case"), word);
  else
    msg = g_strdup_printf (_("unexpected word “%s”: put text in double quotes, as in \"%s\""), word, word);

  return fail (s, msg);
}

static char *
member_path (const char *path,
             const char *key)
{
  return _ts_path_member (path, key);
}

static gboolean
scan_object (Scanner    *s,
             const char *path)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  advance (s);  /* { */
  skip_space (s);

  if (s->p < s->end && *s->p == '}')
    {
      advance (s);
      return TRUE;
    }

  for (;;)
    {
      g_autoptr(GString) key = g_string_new (NULL);
      g_autofree char *child = NULL;
      TsJsonPos *earlier;
      guint line = s->line;
      guint column = s->column;

      if (s->p >= s->end)
        return fail (s, _("unexpected end of file inside an object: a “}” is missing"));

      if (*s->p == '}')
        return fail (s, _("trailing comma before “}”: remove the comma after the last member"));

      if (*s->p != '"')
        {
          if (*s->p == '\'')
            return fail (s, _("member names need double quotes, not single quotes"));
          return fail (s, _("expected a member name in double quotes, as in \"name\": value"));
        }

      if (!scan_string (s, key))
        return FALSE;

      child = member_path (path, key->str);

      if ((earlier = g_hash_table_lookup (seen, key->str)) != NULL)
        {
          ts_diagnostics_add_at (s->diagnostics, TS_SEVERITY_ERROR, line, column,
                                 _("%s: the key “%s” appears twice in this object (first at line %u): keep one"),
                                 child, key->str, earlier->line);
          s->failed = TRUE;
          return FALSE;
        }
      else
        {
          TsJsonPos *pos = g_new (TsJsonPos, 1);

          pos->line = line;
          pos->column = column;
          g_hash_table_insert (seen, g_strdup (key->str), pos);
        }

      remember (s, child, line, column);

      skip_space (s);
      if (s->p >= s->end || *s->p != ':')
        return fail (s, _("expected “:” after the member name"));
      advance (s);
      skip_space (s);

      if (!scan_value (s, child))
        return FALSE;

      skip_space (s);
      if (s->p >= s->end)
        return fail (s, _("unexpected end of file inside an object: a “}” is missing"));
      if (*s->p == '}')
        {
          advance (s);
          return TRUE;
        }
      if (*s->p != ',')
        return fail (s, _("expected “,” or “}” after an object member: is a comma missing?"));
      advance (s);
      skip_space (s);
    }
}

static gboolean
scan_array (Scanner    *s,
            const char *path)
{
  advance (s);  /* [ */
  skip_space (s);

  if (s->p < s->end && *s->p == ']')
    {
      advance (s);
      return TRUE;
    }

  for (guint index = 0;; index++)
    {
      g_autofree char *child = _ts_path_index (path, index);

      if (s->p < s->end && *s->p == ']')
        return fail (s, _("trailing comma before “]”: remove the comma after the last element"));

      remember (s, child, s->line, s->column);

      if (!scan_value (s, child))
        return FALSE;

      skip_space (s);
      if (s->p >= s->end)
        return fail (s, _("unexpected end of file inside an array: a “]” is missing"));
      if (*s->p == ']')
        {
          advance (s);
          return TRUE;
        }
      if (*s->p != ',')
        return fail (s, _("expected “,” or “]” after an array element: is a comma missing?"));
      advance (s);
      skip_space (s);
    }
}

static gboolean
scan_value (Scanner    *s,
            const char *path)
{
  gboolean ret;

  if (s->p >= s->end)
    return fail (s, _("unexpected end of file: a value is missing"));

  switch (*s->p)
    {
    case '{':
    case '[':
      if (++s->depth > MAX_DEPTH)
        {
          g_autofree char *msg =
            g_strdup_printf (_("nested more than %u levels deep: a project schema never needs that"), MAX_DEPTH);
          return fail (s, msg);
        }
      ret = *s->p == '{' ? scan_object (s, path) : scan_array (s, path);
      s->depth--;
      return ret;

    case '"':
      return scan_string (s, NULL);

    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return scan_number (s);

    case '\'':
      return fail (s, _("strings need double quotes, not single quotes"));

    default:
      if (g_ascii_isalpha (*s->p))
        return scan_word (s);
      else
        {
          g_autofree char *bad = excerpt (s->p, s->end);
          g_autofree char *msg =
            g_strdup_printf (_("unexpected “%s”: expected a value (a string, number, object, array, true, false or null)"),
                             bad);
          return fail (s, msg);
        }
    }
}

static void
report_invalid_utf8 (TsDiagnostics *diagnostics,
                     const char    *data,
                     const char    *bad)
{
  guint line = 1;
  guint column = 1;

  for (const char *p = data; p < bad; p++)
    {
      if (*p == '\n')
        {
          line++;
          column = 1;
        }
      else if (((guchar)*p & 0xC0) != 0x80)
        {
          column++;
        }
    }

  ts_diagnostics_add_at (diagnostics, TS_SEVERITY_ERROR, line, column,
                         _("the file is not valid UTF-8 (byte 0x%02X): save it with UTF-8 encoding"),
                         (guchar)*bad);
}

GHashTable *
_ts_json_locate (const char    *data,
                 gsize          length,
                 TsDiagnostics *diagnostics)
{
  g_autoptr(GHashTable) locations = NULL;
  const char *bad = NULL;
  Scanner s = { 0 };

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (TS_IS_DIAGNOSTICS (diagnostics), NULL);

  if (!g_utf8_validate_len (data, length, &bad))
    {
      report_invalid_utf8 (diagnostics, data, bad);
      return NULL;
    }

  locations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  s.p = data;
  s.end = data + length;
  s.line = 1;
  s.column = 1;
  s.locations = locations;
  s.diagnostics = diagnostics;

  /* A byte order mark is legal in a UTF-8 file, if pointless. */
  if (length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    s.p += 3;

  skip_space (&s);
  if (s.p >= s.end)
    {
      ts_diagnostics_add_at (diagnostics, TS_SEVERITY_ERROR, 0, 0,
                             length == 0
                               ? _("the file is empty: a project schema is a JSON object, see schemas/issue_track.json")
                               : _("the file holds only white space: a project schema is a JSON object, see schemas/issue_track.json"));
      return NULL;
    }

  remember (&s, "$", s.line, s.column);
  if (!scan_value (&s, "$"))
    return NULL;

  skip_space (&s);
  if (s.p < s.end)
    {
      fail (&s, _("unexpected text after the end of the JSON document: remove it, or wrap everything in one object"));
      return NULL;
    }

  return g_steal_pointer (&locations);
}
