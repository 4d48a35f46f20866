/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ts_text_diff_lines(): the line diff the timeline shows for a `text`
 * field, on the kind of texts the seed's tickets hold (处理进展, 详细描述). */

#include "config.h"

#include "ts-text-diff.h"

static char *
diff (const char *old_text,
      const char *new_text)
{
  g_autoptr(GPtrArray) lines = ts_text_diff_lines (old_text, new_text);

  return ts_text_diff_format (lines);
}

#define assert_diff(old_text, new_text, expected)                 \
  G_STMT_START {                                                  \
    g_autofree char *_got = diff (old_text, new_text);            \
    g_assert_cmpstr (_got, ==, expected);                         \
  } G_STMT_END

static void
test_same (void)
{
  g_autoptr(GPtrArray) lines = ts_text_diff_lines ("现场反馈告警\n已收集日志", "现场反馈告警\n已收集日志\n");

  /* A final line break is no line of its own. */
  g_assert_cmpuint (lines->len, ==, 2);
  g_assert_false (ts_text_diff_changed (lines));
  assert_diff ("现场反馈告警\n已收集日志", "现场反馈告警\n已收集日志", "  现场反馈告警\n  已收集日志");
}

static void
test_empty (void)
{
  g_autoptr(GPtrArray) none = ts_text_diff_lines (NULL, "");

  g_assert_cmpuint (none->len, ==, 0);
  g_assert_false (ts_text_diff_changed (none));
  assert_diff (NULL, "第一行\n第二行", "+ 第一行\n+ 第二行");
  assert_diff ("第一行\n第二行", NULL, "- 第一行\n- 第二行");
  assert_diff ("", "\n", "+ ");
}

static void
test_append (void)
{
  g_autoptr(GPtrArray) lines = ts_text_diff_lines ("1. 收集日志\n2. 分析告警", "1. 收集日志\n2. 分析告警\n3. 更换线缆");

  g_assert_true (ts_text_diff_changed (lines));
  g_assert_cmpint (((TsDiffLine *)g_ptr_array_index (lines, 2))->op, ==, TS_DIFF_ADDED);
  g_assert_cmpstr (((TsDiffLine *)g_ptr_array_index (lines, 2))->text, ==, "3. 更换线缆");
  assert_diff ("1. 收集日志\n2. 分析告警", "1. 收集日志\n2. 分析告警\n3. 更换线缆",
               "  1. 收集日志\n  2. 分析告警\n+ 3. 更换线缆");
}

static void
test_replace_middle (void)
{
  /* The changed line: removed, then added, between the kept ones. */
  assert_diff ("a\nb\nc\nd", "a\nB\nc\nd", "  a\n- b\n+ B\n  c\n  d");
  /* Two removed and two added in one place: the removed ones first. */
  assert_diff ("x\nz\nc", "y\nw\nc", "- x\n- z\n+ y\n+ w\n  c");
}

static void
test_move (void)
{
  /* A line moved down: the longest common part is kept. */
  assert_diff ("a\nb\nc\nd", "b\nc\nd\na", "- a\n  b\n  c\n  d\n+ a");
  /* Lines both removed and added around kept ones. */
  assert_diff ("a\nb\nc", "b\nx\nc\ny", "- a\n  b\n+ x\n  c\n+ y");
}

static void
test_crlf (void)
{
  /* Pasted from Windows: \r\n ends a line as \n does. */
  assert_diff ("一\r\n二\r\n", "一\n二\n三", "  一\n  二\n+ 三");
}

static void
test_large (void)
{
  /* Over the size of the table: the common ends are kept, the middle is
   * removed and added whole, and every line appears once. */
  g_autoptr(GString) old_text = g_string_new ("头\n");
  g_autoptr(GString) new_text = g_string_new ("头\n");
  g_autoptr(GPtrArray) lines = NULL;
  guint removed = 0, added = 0, same = 0;

  for (guint i = 0; i < 3000; i++)
    {
      g_string_append_printf (old_text, "old %u\n", i);
      g_string_append_printf (new_text, "new %u\n", i);
    }
  g_string_append (old_text, "尾");
  g_string_append (new_text, "尾");

  lines = ts_text_diff_lines (old_text->str, new_text->str);
  for (guint i = 0; i < lines->len; i++)
    {
      TsDiffLine *line = g_ptr_array_index (lines, i);

      removed += line->op == TS_DIFF_REMOVED;
      added += line->op == TS_DIFF_ADDED;
      same += line->op == TS_DIFF_SAME;
    }
  g_assert_cmpuint (same, ==, 2);
  g_assert_cmpuint (removed, ==, 3000);
  g_assert_cmpuint (added, ==, 3000);
  g_assert_cmpstr (((TsDiffLine *)g_ptr_array_index (lines, 0))->text, ==, "头");
  g_assert_cmpstr (((TsDiffLine *)g_ptr_array_index (lines, lines->len - 1))->text, ==, "尾");
  g_assert_cmpint (((TsDiffLine *)g_ptr_array_index (lines, 1))->op, ==, TS_DIFF_REMOVED);
  g_assert_cmpint (((TsDiffLine *)g_ptr_array_index (lines, 3001))->op, ==, TS_DIFF_ADDED);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ts/text-diff/same", test_same);
  g_test_add_func ("/ts/text-diff/empty", test_empty);
  g_test_add_func ("/ts/text-diff/append", test_append);
  g_test_add_func ("/ts/text-diff/replace-middle", test_replace_middle);
  g_test_add_func ("/ts/text-diff/move", test_move);
  g_test_add_func ("/ts/text-diff/crlf", test_crlf);
  g_test_add_func ("/ts/text-diff/large", test_large);

  return g_test_run ();
}
