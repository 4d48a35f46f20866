#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the Flatpak manifest against the meson project, without building it.

The manifest cannot be built here (the GNOME runtime cannot be downloaded),
so this checks what can be checked offline:

  * `flatpak-builder --show-manifest` parses it, with no warning (a warning
    means a key flatpak-builder does not know, i.e. a typo it would ignore);
  * the app id is the application id of the code (TS_APPLICATION_ID) and of
    data/meson.build, and every desktop, metainfo, GSettings and icon file of
    data/ is named after it (Flatpak exports only files named so);
  * "command" is the GUI executable that src/gui/meson.build installs;
  * the runtime is a numbered GNOME runtime with its SDK;
  * finish-args: network, IPC, Wayland with X11 fallback and DRI, and no file
    system access, no session or system bus, no full X11 or device access;
  * a libpq module built from PostgreSQL's source release (pinned https URL of
    ftp.postgresql.org and sha256), new enough for meson's libpq requirement;
  * the last module is the meson project itself: buildsystem meson, a "dir"
    source pointing at the repository, only options meson knows;
  * every downloaded source is pinned (https URL and sha256, git commit).

Usage: check-flatpak.py [--tap] [SOURCE_ROOT]
Without --tap it prints one line per check and exits 0 (all passed), 1 (a
check failed) or 77 (flatpak-builder is not installed: skipped, as meson and
automake understand that code).  With --tap it speaks TAP for `meson test`,
where a skip is the plan "1..0 # SKIP".
"""
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

APP_MANIFEST = os.path.join("flatpak", "io.github.tasksteper.TaskSteper.json")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
PG_URL_RE = re.compile(
    r"^https://ftp\.postgresql\.org/pub/source/v(\d+)\.(\d+)/"
    r"postgresql-(\d+)\.(\d+)\.tar\.(bz2|gz)$")
REQUIRED_FINISH_ARGS = [
    "--share=network",        # PostgreSQL over TCP
    "--share=ipc",            # X11 shared memory (fallback-x11)
    "--socket=wayland",
    "--socket=fallback-x11",
    "--device=dri",           # GL rendering of GTK 4
]
# meson's built-in options the manifest may set without meson_options.txt.
MESON_BUILTINS = {
    "buildtype", "debug", "optimization", "werror", "warning_level",
    "default_library", "b_lto", "b_ndebug", "b_pie", "strip", "prefix",
    "libdir", "bindir", "datadir", "localedir", "sysconfdir",
}


class Checks:
    def __init__(self, tap):
        self.tap = tap
        self.results = []   # (ok, description, detail)

    def check(self, ok, description, detail=""):
        self.results.append((bool(ok), description, detail))
        return bool(ok)

    def report(self):
        if self.tap:
            print(f"1..{len(self.results)}")
        failed = 0
        for number, (ok, description, detail) in enumerate(self.results, 1):
            if not ok:
                failed += 1
            if self.tap:
                print(f"{'ok' if ok else 'not ok'} {number} - {description}")
                if detail and not ok:
                    for line in detail.splitlines():
                        print(f"# {line}")
            else:
                print(f"{'PASS' if ok else 'FAIL'}: {description}")
                if detail and not ok:
                    for line in detail.splitlines():
                        print(f"    {line}")
        if not self.tap:
            print(f"{len(self.results) - failed} passed, {failed} failed")
        return 0 if failed == 0 else 1


def skip(tap, reason):
    if tap:
        print(f"1..0 # SKIP {reason}")
        return 0
    print(f"SKIP: {reason}")
    return 77


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def strip_meson_comments(text):
    return re.sub(r"#[^\n]*", "", text)


def call_text(text, start):
    """The text of a meson call from its opening parenthesis to the matching
    closing one (string literals in meson files here hold no parentheses that
    matter for these checks)."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return text[start:i + 1]
    return text[start:]


def installed_executables(meson_file):
    text = strip_meson_comments(read(meson_file))
    names = []
    for m in re.finditer(r"\bexecutable\s*\(\s*'([^']+)'", text):
        call = call_text(text, text.index("(", m.start()))
        if re.search(r"\binstall\s*:\s*true\b", call):
            names.append(m.group(1))
    return names


def no_duplicate_keys(pairs):
    keys = [k for k, _ in pairs]
    dups = sorted({k for k in keys if keys.count(k) > 1})
    if dups:
        raise ValueError(f"duplicate key(s) {', '.join(dups)}")
    return dict(pairs)


def show_manifest(manifest):
    """Runs flatpak-builder --show-manifest in a scratch directory (it leaves
    a .flatpak-builder state directory in its working directory)."""
    with tempfile.TemporaryDirectory(prefix="check-flatpak-") as scratch:
        return subprocess.run(
            ["flatpak-builder", "--show-manifest", manifest],
            cwd=scratch, capture_output=True, text=True, timeout=120,
            env=dict(os.environ, LC_ALL="C.UTF-8"))


def main(argv):
    tap = "--tap" in argv
    args = [a for a in argv if a != "--tap"]
    root = os.path.abspath(args[0] if args else
                           os.path.join(os.path.dirname(__file__), ".."))
    manifest = os.path.join(root, APP_MANIFEST)

    if shutil.which("flatpak-builder") is None:
        return skip(tap, "flatpak-builder is not installed "
                         "(apt-get install flatpak-builder)")

    c = Checks(tap)

    # -- the file itself, then what flatpak-builder makes of it -----------
    try:
        raw = json.loads(read(manifest), object_pairs_hook=no_duplicate_keys)
        c.check(isinstance(raw, dict), f"{APP_MANIFEST} is strict JSON")
    except (OSError, ValueError) as e:
        c.check(False, f"{APP_MANIFEST} is strict JSON", str(e))
        return c.report()

    proc = show_manifest(manifest)
    shown = None
    if proc.returncode == 0:
        try:
            shown = json.loads(proc.stdout)
        except ValueError as e:
            proc.stderr += f"\nits output is not JSON: {e}"
    warnings = [l for l in proc.stderr.splitlines()
                if "WARNING" in l or "Unknown property" in l]
    if not c.check(proc.returncode == 0 and shown is not None and not warnings,
                   "flatpak-builder --show-manifest parses it without warnings",
                   proc.stderr.strip()):
        return c.report()
    m = shown
    command = m.get("command")
    modules = m.get("modules") or []

    # -- the app id -------------------------------------------------------
    header = read(os.path.join(root, "src", "gui", "ts-application.h"))
    hm = re.search(r'#define\s+TS_APPLICATION_ID\s+"([^"]+)"', header)
    code_id = hm.group(1) if hm else None
    app_id = m.get("id") or m.get("app-id")
    c.check(code_id is not None and app_id == code_id,
            f"app id {app_id} is TS_APPLICATION_ID of src/gui/ts-application.h",
            f"TS_APPLICATION_ID is {code_id!r}")

    data_meson = os.path.join(root, "data", "meson.build")
    if os.path.exists(data_meson):
        dm = re.search(r"^\s*app_id\s*=\s*'([^']+)'", read(data_meson), re.M)
        if dm:
            c.check(dm.group(1) == app_id,
                    "app id is app_id of data/meson.build",
                    f"data/meson.build has {dm.group(1)!r}")

    exported = []
    data_dir = os.path.join(root, "data")
    for name in sorted(os.listdir(data_dir)):
        if re.search(r"\.(desktop|desktop\.in|metainfo\.xml|metainfo\.xml\.in|"
                     r"appdata\.xml|appdata\.xml\.in|gschema\.xml|"
                     r"service|service\.in)$", name):
            exported.append((name, name.split(".desktop")[0]
                             .split(".metainfo")[0].split(".appdata")[0]
                             .split(".gschema")[0].split(".service")[0]))
    for dirpath, _, files in os.walk(os.path.join(data_dir, "icons")):
        if os.path.basename(dirpath) != "apps":
            continue
        for name in sorted(files):
            stem = os.path.splitext(name)[0]
            exported.append((os.path.relpath(os.path.join(dirpath, name),
                                             data_dir),
                             re.sub(r"-symbolic$", "", stem)))
    misnamed = [name for name, base in exported if base != app_id]
    c.check(not misnamed,
            f"the {len(exported)} desktop/metainfo/schema/icon files of data/ "
            f"are named after the app id",
            "misnamed: " + ", ".join(misnamed))

    # -- command ----------------------------------------------------------
    gui_exes = installed_executables(os.path.join(root, "src", "gui",
                                                  "meson.build"))
    c.check(command is not None and command in gui_exes,
            f"command {command!r} is the executable src/gui/meson.build "
            f"installs", f"installed there: {gui_exes}")

    # -- runtime ----------------------------------------------------------
    rv = str(m.get("runtime-version", ""))
    c.check(m.get("runtime") == "org.gnome.Platform"
            and m.get("sdk") == "org.gnome.Sdk"
            and re.fullmatch(r"\d+", rv) is not None and int(rv) >= 47,
            f"runtime org.gnome.Platform//{rv} with org.gnome.Sdk "
            f"(a numbered, maintained GNOME runtime)",
            f"runtime {m.get('runtime')!r} version {rv!r} sdk {m.get('sdk')!r}")

    # -- finish-args ------------------------------------------------------
    fa = m.get("finish-args") or []
    missing = [a for a in REQUIRED_FINISH_ARGS if a not in fa]
    c.check(not missing, "finish-args grant network, IPC, Wayland, "
            "fallback X11 and DRI", "missing: " + ", ".join(missing))
    too_much = [a for a in fa
                if a.startswith("--filesystem")
                or a in ("--socket=x11", "--socket=session-bus",
                         "--socket=system-bus", "--device=all",
                         "--share=all")
                or a.startswith("--talk-name=org.freedesktop.Flatpak")
                or a.startswith("--persist=.")]
    c.check(not too_much and len(set(fa)) == len(fa),
            "finish-args grant no file system (no home, no host), no bus, "
            "no full X11 or device access",
            "not least privilege: " + ", ".join(too_much))
    top_cleanup = m.get("cleanup") or []
    exe_path = f"/bin/{command}"
    removed = [p for p in top_cleanup
               if fnmatch.fnmatch(exe_path, p) or exe_path.startswith(p + "/")
               or p in ("/lib", "/share", "/lib/*.so*", "/lib/libpq*")]
    c.check(not removed, "the final cleanup keeps the executable and libpq",
            "removes: " + ", ".join(removed))

    # -- sources are pinned -----------------------------------------------
    unpinned = []
    for mod in modules:
        if not isinstance(mod, dict):
            unpinned.append(f"{mod!r}: external module files are not checked")
            continue
        for src in mod.get("sources") or []:
            kind = src.get("type")
            where = f"{mod.get('name')}: {kind} {src.get('url', src.get('path'))}"
            if kind in ("archive", "file") and "path" not in src:
                if not str(src.get("url", "")).startswith("https://"):
                    unpinned.append(f"{where}: no https url")
                if not SHA256_RE.match(str(src.get("sha256", ""))):
                    unpinned.append(f"{where}: no sha256 of 64 hex digits")
            elif kind == "git" and not re.fullmatch(r"[0-9a-f]{40}",
                                                     str(src.get("commit", ""))):
                unpinned.append(f"{where}: no commit")
    c.check(modules and not unpinned,
            "every downloaded source has an https url and a sha256 "
            "(git: a commit)", "\n".join(unpinned))

    # -- libpq ------------------------------------------------------------
    pg = [mod for mod in modules if isinstance(mod, dict)
          and re.search(r"libpq|postgres", mod.get("name", ""), re.I)]
    pg_src = [s for mod in pg for s in mod.get("sources") or []
              if s.get("type") == "archive"]
    urlm = PG_URL_RE.match(pg_src[0].get("url", "")) if len(pg_src) == 1 else None
    c.check(len(pg) == 1 and urlm is not None
            and urlm.group(1, 2) == urlm.group(3, 4)
            and SHA256_RE.match(pg_src[0].get("sha256", "")),
            "one libpq module built from PostgreSQL's pinned source release "
            "(ftp.postgresql.org, sha256)",
            f"libpq modules: {[mod.get('name') for mod in pg]}, "
            f"archive sources: {[s.get('url') for s in pg_src]}")
    if pg:
        cmds = " ; ".join(pg[0].get("build-commands") or [])
        builds_libpq = (pg[0].get("buildsystem") == "simple"
                        and "src/interfaces/libpq" in cmds
                        and "src/include install" in cmds
                        and "--prefix=" in cmds)
        c.check(builds_libpq, "the libpq module configures PostgreSQL and "
                "installs only libpq and its headers", cmds)
        top = read(os.path.join(root, "meson.build"))
        need = re.search(r"dependency\(\s*'libpq'\s*,\s*version\s*:\s*"
                         r"'>=\s*(\d+)", top)
        c.check(urlm is not None and need is not None
                and int(urlm.group(1)) >= int(need.group(1)),
                f"PostgreSQL {urlm.group(1) if urlm else '?'} satisfies "
                f"meson.build's libpq >= {need.group(1) if need else '?'}")

    # -- the application module -------------------------------------------
    top = strip_meson_comments(read(os.path.join(root, "meson.build")))
    pm = re.search(r"\bproject\s*\(\s*'([^']+)'", top)
    project = pm.group(1) if pm else None
    app = modules[-1] if modules and isinstance(modules[-1], dict) else {}
    dirs = [s for s in app.get("sources") or [] if s.get("type") == "dir"]
    manifest_dir = os.path.dirname(manifest)
    points_home = len(dirs) == 1 and os.path.realpath(
        os.path.join(manifest_dir, dirs[0].get("path", ""))) == \
        os.path.realpath(root)
    c.check(app.get("name") == project and app.get("buildsystem") == "meson"
            and points_home,
            f"the last module is the meson project {project!r}: buildsystem "
            f"meson, a dir source at the repository",
            f"last module: {app.get('name')!r}, buildsystem "
            f"{app.get('buildsystem')!r}, dir sources {dirs}")
    skipped = dirs[0].get("skip", []) if dirs else []
    c.check(all(d in skipped for d in ("build", "build-asan", ".git")),
            "the dir source skips the local build directories and .git",
            f"skip: {skipped}")

    declared = set()
    for opt_file in ("meson_options.txt", "meson.options"):
        path = os.path.join(root, opt_file)
        if os.path.exists(path):
            declared |= set(re.findall(r"\boption\s*\(\s*'([^']+)'", read(path)))
    unknown = []
    for opt in app.get("config-opts") or []:
        om = re.match(r"^-D([A-Za-z0-9_.:-]+)=", opt)
        if not om:
            unknown.append(opt)
        elif om.group(1) not in MESON_BUILTINS | declared:
            unknown.append(opt)
    c.check("-Dbuildtype=release" in (app.get("config-opts") or [])
            and not unknown,
            "the project is configured as a release with options meson knows",
            "unknown: " + ", ".join(unknown))

    return c.report()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
