/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "ts-text-diff.h"

/* Beyond this many cells the table of common subsequences is not built
 * (4 million cells of 4 bytes: 16 MiB); texts of a ticket are far
 * smaller, and a pasted log is then shown removed and added whole. */
#define MAX_CELLS (4u * 1024u * 1024u)

static void
diff_line_free (gpointer data)
{
  TsDiffLine *line = data;

  g_free (line->text);
  g_free (line);
}

static void
add_line (GPtrArray  *lines,
          TsDiffOp    op,
          const char *text)
{
  TsDiffLine *line = g_new (TsDiffLine, 1);

  line->op = op;
  line->text = g_strdup (text);
  g_ptr_array_add (lines, line);
}

/* The lines of @text, without their breaks; none for NULL or "". */
static char **
split_lines (const char *text,
             guint      *n_lines)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new ();
  const char *p = text;

  while (p != NULL && *p != '\0')
    {
      const char *end = strchr (p, '\n');
      gsize len = end != NULL ? (gsize)(end - p) : strlen (p);

      if (len > 0 && p[len - 1] == '\r')
        g_ptr_array_add (lines, g_strndup (p, len - 1));
      else
        g_ptr_array_add (lines, g_strndup (p, len));
      p = end != NULL ? end + 1 : NULL;
    }

  *n_lines = lines->len;
  g_ptr_array_add (lines, NULL);
  return (char **)g_ptr_array_free (g_steal_pointer (&lines), FALSE);
}

GPtrArray *
ts_text_diff_lines (const char *old_text,
                    const char *new_text)
{
  GPtrArray *result = g_ptr_array_new_with_free_func (diff_line_free);
  guint n_old, n_new, prefix = 0, suffix = 0;
  g_auto(GStrv) a = split_lines (old_text, &n_old);
  g_auto(GStrv) b = split_lines (new_text, &n_new);
  guint rows, cols;

  /* Common first and last lines first: most edits touch a few lines in
   * the middle, and the table then covers only those. */
  while (prefix < n_old && prefix < n_new && strcmp (a[prefix], b[prefix]) == 0)
    prefix++;
  while (suffix < n_old - prefix && suffix < n_new - prefix &&
         strcmp (a[n_old - 1 - suffix], b[n_new - 1 - suffix]) == 0)
    suffix++;

  for (guint i = 0; i < prefix; i++)
    add_line (result, TS_DIFF_SAME, a[i]);

  rows = n_old - prefix - suffix;
  cols = n_new - prefix - suffix;

  if (rows > 0 && cols > 0 && (guint64)(rows + 1) * (cols + 1) <= MAX_CELLS)
    {
      /* lcs[i][j]: the longest common subsequence of the middle lines
       * from i and from j on, walked forwards to emit the script. */
      guint *lcs = g_new0 (guint, (gsize)(rows + 1) * (cols + 1));
      guint i = 0, j = 0;

#define LCS(i, j) lcs[(gsize)(i) * (cols + 1) + (j)]
      for (guint ii = rows; ii-- > 0;)
        for (guint jj = cols; jj-- > 0;)
          {
            if (strcmp (a[prefix + ii], b[prefix + jj]) == 0)
              LCS (ii, jj) = LCS (ii + 1, jj + 1) + 1;
            else
              LCS (ii, jj) = MAX (LCS (ii + 1, jj), LCS (ii, jj + 1));
          }

      while (i < rows || j < cols)
        {
          if (i < rows && j < cols && strcmp (a[prefix + i], b[prefix + j]) == 0)
            {
              add_line (result, TS_DIFF_SAME, a[prefix + i]);
              i++, j++;
            }
          else if (i < rows && (j == cols || LCS (i + 1, j) >= LCS (i, j + 1)))
            add_line (result, TS_DIFF_REMOVED, a[prefix + i++]);
          else
            add_line (result, TS_DIFF_ADDED, b[prefix + j++]);
        }
#undef LCS
      g_free (lcs);
    }
  else
    {
      for (guint i = 0; i < rows; i++)
        add_line (result, TS_DIFF_REMOVED, a[prefix + i]);
      for (guint j = 0; j < cols; j++)
        add_line (result, TS_DIFF_ADDED, b[prefix + j]);
    }

  for (guint i = n_old - suffix; i < n_old; i++)
    add_line (result, TS_DIFF_SAME, a[i]);

  return result;
}

char *
ts_text_diff_format (GPtrArray *lines)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (lines != NULL, NULL);

  for (guint i = 0; i < lines->len; i++)
    {
      TsDiffLine *line = g_ptr_array_index (lines, i);

      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, line->op == TS_DIFF_REMOVED ? "- " : line->op == TS_DIFF_ADDED ? "+ " : "  ");
      g_string_append (text, line->text);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

gboolean
ts_text_diff_changed (GPtrArray *lines)
{
  g_return_val_if_fail (lines != NULL, FALSE);

  for (guint i = 0; i < lines->len; i++)
    if (((TsDiffLine *)g_ptr_array_index (lines, i))->op != TS_DIFF_SAME)
      return TRUE;
  return FALSE;
}
