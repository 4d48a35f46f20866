#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks that the translations are complete and valid.

The 'check-translations' test (suite 'data') runs this; by hand:

    build-aux/check-translations.py --source-root . \
        [--admin build/src/admin/tasksteper-admin] [-- EXTRA-XGETTEXT-ARGS]

It fails, naming each problem, when
  - a file under src/, ui/ or data/ marks strings for translation (_("…"),
    N_("…"), C_(…), ngettext, translatable="yes", a .desktop.in, an
    AppStream or GSettings file) but is missing from po/POTFILES.in, or
    POTFILES.in lists a file that does not exist;
  - xgettext warns about a message, e.g. a format macro such as
    G_GINT64_FORMAT inside _() (xgettext cannot see through it: use
    PRId64 from <inttypes.h>, which gettext understands);
  - msgfmt --check finds an error in a po/LANG.po (c-format placeholders
    that differ from the msgid, a broken header or plural forms);
  - a po/LANG.po has a fuzzy or untranslated message;
  - a string of the current sources is not translated in po/LANG.po:
    the sources are extracted afresh, with the keywords meson's 'glib'
    preset gives xgettext, so this holds even when po/tasksteper.pot is
    stale;
  - with --admin: "tasksteper-admin --help" under LANG=zh_CN.UTF-8 does not
    print the Chinese text of po/zh_CN.po.

To fix the translations after changing strings:

    meson compile -C build tasksteper-update-po

then translate the messages that are new (empty msgstr) or fuzzy in
po/LANG.po, remove the "fuzzy" marks, and run the test again.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

PACKAGE = 'tasksteper'

# meson's i18n module, preset 'glib' (mesonbuild/modules/i18n.py), plus the
# -k_ that meson's pot script adds.  Keep in step with meson.
GLIB_PRESET = [
    '--from-code=UTF-8',
    '--add-comments',
    '--keyword=_',
    '--keyword=N_',
    '--keyword=C_:1c,2',
    '--keyword=NC_:1c,2',
    '--keyword=g_dcgettext:2',
    '--keyword=g_dngettext:2,3',
    '--keyword=g_dpgettext2:2c,3',
    '--flag=N_:1:pass-c-format',
    '--flag=C_:2:pass-c-format',
    '--flag=NC_:2:pass-c-format',
    '--flag=g_dngettext:2:pass-c-format',
    '--flag=g_strdup_printf:1:c-format',
    '--flag=g_string_printf:2:c-format',
    '--flag=g_string_append_printf:2:c-format',
    '--flag=g_error_new:3:c-format',
    '--flag=g_set_error:4:c-format',
    '--flag=g_markup_printf_escaped:1:c-format',
    '--flag=g_log:3:c-format',
    '--flag=g_print:1:c-format',
    '--flag=g_printerr:1:c-format',
    '--flag=g_printf:1:c-format',
    '--flag=g_fprintf:2:c-format',
    '--flag=g_sprintf:2:c-format',
    '--flag=g_snprintf:3:c-format',
]

# What marks a file as having strings to translate.
C_MARK = re.compile(r'(?<![A-Za-z0-9_])(?:N?C?_|NC_|Q_)\s*\(\s*"'
                    r'|(?<![A-Za-z0-9_])(?:g_d?n?gettext|g_dcgettext|g_dpgettext2?|d?n?gettext)\s*\(')
UI_MARK = re.compile(r'translatable\s*=\s*"(?:yes|true|1)"')
GSCHEMA_MARK = re.compile(r'<(?:summary|description)>')
SCANNED_DIRS = ('src', 'ui', 'data')
# A GLib format macro glued to a translatable string: xgettext sees only
# the text before it, so the message can never be translated.
FORMAT_MACRO = re.compile(r'(?<![A-Za-z0-9_])(?:N?C?_|NC_)\s*\(\s*(?:"(?:[^"\\\n]|\\.)*"\s*)+'
                          r'(G_G[A-Z0-9]*_(?:FORMAT|MODIFIER))')

problems = []


def problem(text):
    problems.append(text)


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, **kwargs)


def read_list(path):
    entries = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#'):
                entries.append(line)
    return entries


def marks_strings(path):
    name = os.path.basename(path)
    if name.endswith('.desktop.in') or name.endswith('.desktop'):
        return True
    if re.search(r'\.(metainfo|appdata)\.xml(\.in)?$', name):
        return True
    try:
        with open(path, encoding='utf-8') as f:
            text = f.read()
    except (UnicodeDecodeError, OSError):
        return False
    if name.endswith(('.c', '.h')):
        # Comments may quote _("…") without being code.
        text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
        text = re.sub(r'//[^\n]*', '', text)
        return C_MARK.search(text) is not None
    if name.endswith('.ui'):
        return UI_MARK.search(text) is not None
    if name.endswith('.gschema.xml'):
        return GSCHEMA_MARK.search(text) is not None
    return False


def check_potfiles(root):
    listed = read_list(os.path.join(root, 'po', 'POTFILES.in'))
    for entry in listed:
        path = os.path.join(root, entry)
        if not os.path.isfile(path):
            problem(f'po/POTFILES.in lists {entry}, which does not exist: remove the line')
        elif entry.endswith(('.c', '.h')):
            with open(path, encoding='utf-8') as f:
                text = f.read()
            for m in FORMAT_MACRO.finditer(text):
                line = text.count('\n', 0, m.start()) + 1
                problem(f'{entry}:{line}: {m.group(1)} inside a translatable string: xgettext cannot '
                        f'see through it, so the message is never translated; use PRId64/PRIu64 '
                        f'from <inttypes.h> (gettext understands them) or %zu, %zd')
    listed = set(listed)
    skip = set()
    skip_file = os.path.join(root, 'po', 'POTFILES.skip')
    if os.path.exists(skip_file):
        skip = set(read_list(skip_file))
    for top in SCANNED_DIRS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames.sort()
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                if rel in listed or rel in skip:
                    continue
                if marks_strings(path):
                    problem(f'{rel} has strings to translate but is missing from po/POTFILES.in: '
                            f'add the line “{rel}”, then run “meson compile -C build {PACKAGE}-update-po” '
                            f'and translate the new strings')


def extract(root, tmp, extra_args):
    pot = os.path.join(tmp, PACKAGE + '.pot')
    args = (['xgettext', '--package-name=' + PACKAGE, '-p', tmp,
             '-f', os.path.join(root, 'po', 'POTFILES.in'), '-D', root, '-k_', '-o', pot]
            + GLIB_PRESET + extra_args)
    proc = run(args)
    if proc.returncode != 0:
        problem('xgettext failed:\n' + proc.stderr)
        return None
    for line in proc.stderr.splitlines():
        if 'warning' in line:
            problem('xgettext: ' + line)
    return pot


def msgs(po_text):
    """The entries of a PO text: (msgctxt, msgid, references)."""
    entries = []
    for block in po_text.split('\n\n'):
        refs = []
        fields = {}
        current = None
        for line in block.splitlines():
            if line.startswith('#:'):
                refs += line[2:].split()
                continue
            m = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if m:
                current = m.group(1)
                fields[current] = m.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get('msgid'):
            entries.append((fields.get('msgctxt'), fields['msgid'], refs))
    return entries


def describe(entries):
    out = []
    for ctxt, msgid, refs in entries:
        where = ' '.join(refs[:3]) + (' …' if len(refs) > 3 else '')
        ctx = f' (context “{ctxt}”)' if ctxt else ''
        out.append(f'    “{msgid}”{ctx}  [{where}]')
    return '\n'.join(out)


def check_language(root, lang, pot, tmp):
    po = os.path.join(root, 'po', lang + '.po')
    rel = os.path.relpath(po, root)
    update = (f'run “meson compile -C build {PACKAGE}-update-po”, translate these in {rel} '
              f'(and remove their “fuzzy” marks)')
    if not os.path.exists(po):
        problem(f'po/LINGUAS names {lang}, but {rel} does not exist: run '
                f'“meson compile -C build {PACKAGE}-update-po” and translate it')
        return

    proc = run(['msgfmt', '--check', '--statistics', '-o', os.devnull, po])
    stats = proc.stderr.strip()
    print(f'{rel}: {stats}')
    if proc.returncode != 0:
        problem(f'msgfmt --check {rel} failed:\n{stats}')

    fuzzy = msgs(run(['msgattrib', '--only-fuzzy', '--no-obsolete', po]).stdout)
    if fuzzy:
        problem(f'{rel} has {len(fuzzy)} fuzzy message(s), whose translation is a guess for '
                f'another msgid; check each, then remove its “fuzzy” mark:\n' + describe(fuzzy))
    untranslated = msgs(run(['msgattrib', '--untranslated', '--no-obsolete', po]).stdout)
    if untranslated:
        problem(f'{rel} has {len(untranslated)} untranslated message(s); translate them:\n'
                + describe(untranslated))

    if pot is None:
        return
    # Merge the fresh template exactly (no fuzzy guesses): whatever is left
    # untranslated is a string of the sources that rel does not translate.
    merged = os.path.join(tmp, lang + '.po')
    proc = run(['msgmerge', '--quiet', '--no-fuzzy-matching', '-o', merged, po, pot])
    if proc.returncode != 0:
        problem(f'msgmerge {rel} failed:\n{proc.stderr}')
        return
    missing = msgs(run(['msgattrib', '--untranslated', '--no-obsolete', merged]).stdout)
    missing = [m for m in missing if (m[0], m[1]) not in {(u[0], u[1]) for u in untranslated + fuzzy}]
    if missing:
        problem(f'{len(missing)} string(s) of the sources are not in {rel} (po/{PACKAGE}.pot is '
                f'out of date); {update}:\n' + describe(missing))
    # Flags come from the sources: a c-format string must keep its placeholders.
    proc = run(['msgfmt', '--check', '-o', os.devnull, merged])
    if proc.returncode != 0:
        problem(f'{rel}, merged with the current sources, fails msgfmt --check:\n' + proc.stderr)
    obsolete = msgs(run(['msgattrib', '--only-obsolete', merged]).stdout)
    if obsolete:
        print(f'note: {len(obsolete)} message(s) of {rel} are no longer in the sources; '
              f'“meson compile -C build {PACKAGE}-update-po” marks them obsolete')


def unescape(text):
    return re.sub(r'\\(.)', lambda m: {'n': '\n', 't': '\t', 'r': '\r'}.get(m.group(1), m.group(1)), text)


def translation_of(po, msgid):
    """The msgstr of msgid (without context) in po, or None."""
    text = run(['msgcat', '--no-wrap', po]).stdout
    for block in text.split('\n\n'):
        m = re.search(r'^msgid "(.*)"\nmsgstr "(.*)"$', block, flags=re.M)
        if m and 'msgctxt' not in block and unescape(m.group(1)) == msgid:
            return unescape(m.group(2))
    return None


def zh_env():
    """An environment that selects Simplified Chinese, preferring the real
    zh_CN.UTF-8 locale; without it (build-aux/deps.sh generates it) glibc
    still honours LANGUAGE under C.UTF-8."""
    env = dict(os.environ)
    env.pop('LANGUAGE', None)
    locales = run(['locale', '-a']).stdout.lower().split()
    if 'zh_cn.utf8' in locales or 'zh_cn.utf-8' in locales:
        env.update(LANG='zh_CN.UTF-8', LC_ALL='zh_CN.UTF-8')
        return env, 'LANG=zh_CN.UTF-8'
    print('note: the zh_CN.UTF-8 locale is missing (build-aux/deps.sh generates it); '
          'using LANGUAGE=zh_CN with LC_ALL=C.UTF-8')
    env.update(LANG='C.UTF-8', LC_ALL='C.UTF-8', LANGUAGE='zh_CN')
    return env, 'LANGUAGE=zh_CN'


def check_admin(root, admin):
    po = os.path.join(root, 'po', 'zh_CN.po')
    env, how = zh_env()
    proc = run([admin, '--help'], env=env)
    if proc.returncode != 0:
        problem(f'{how} tasksteper-admin --help failed ({proc.returncode}):\n{proc.stderr}')
        return
    expected = [translation_of(po, m) for m in
                ('Administer TaskSteper projects.', 'Commands:', 'Show this help and exit',
                 'Check project schema files and list every problem')]
    for text in expected:
        if not text:
            problem('po/zh_CN.po does not translate the text of “tasksteper-admin --help”')
            continue
        if text not in proc.stdout:
            problem(f'{how} tasksteper-admin --help does not print “{text}”:\n{proc.stdout}')
    # Nothing in English is left: GLib's own "Usage:" and "Options:" too.
    for english in ('Usage:', 'Options:', 'Commands:', 'Exit status'):
        if english in proc.stdout:
            problem(f'{how} tasksteper-admin --help still prints “{english}”:\n{proc.stdout}')
    print(f'{how} tasksteper-admin --help:\n' + '\n'.join('    ' + l for l in proc.stdout.splitlines()[:6]))


def main():
    argv = sys.argv[1:]
    extra = []
    if '--' in argv:
        extra = argv[argv.index('--') + 1:]
        argv = argv[:argv.index('--')]
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--source-root', default=os.path.join(os.path.dirname(__file__), '..'))
    parser.add_argument('--admin', help='a tasksteper-admin that finds the .mo files of the build')
    options = parser.parse_args(argv)
    root = os.path.abspath(options.source_root)

    check_potfiles(root)
    languages = read_list(os.path.join(root, 'po', 'LINGUAS'))
    if not languages:
        problem('po/LINGUAS names no language')
    with tempfile.TemporaryDirectory(prefix='ts-po-') as tmp:
        pot = extract(root, tmp, extra)
        if pot is not None:
            print(f'{len(msgs(open(pot, encoding="utf-8").read()))} strings in the sources')
        for lang in languages:
            check_language(root, lang, pot, tmp)
    if options.admin and 'zh_CN' in languages:
        check_admin(root, options.admin)

    if problems:
        for p in problems:
            print('error: ' + p, file=sys.stderr)
        print(f'\n{len(problems)} problem(s).  After changing strings: meson compile -C build '
              f'{PACKAGE}-update-po, then translate what is new or fuzzy in po/*.po.',
              file=sys.stderr)
        return 1
    print('translations complete')
    return 0


if __name__ == '__main__':
    sys.exit(main())
