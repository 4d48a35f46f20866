#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a screen reader hears: walks the AT-SPI tree of the running
application and fails on any control without a name a person can use.

Run by tests/test-a11y.sh inside its own D-Bus session (which starts the
accessibility bus) and X server.  Usage:

    test-a11y.py [--tap-fd FD] TASKSTEPER_BINARY

It starts the demo with a ticket open (tasksteper --demo
tasksteper://issue_track/1), then the login window alone (no server), and
prints TAP: one case per window.
"""

import os
import re
import subprocess
import sys
import tempfile
import time

import pyatspi

# The roles of what a person operates: each must say what it is.
CONTROL_ROLES = {
    pyatspi.ROLE_PUSH_BUTTON, pyatspi.ROLE_TOGGLE_BUTTON, pyatspi.ROLE_CHECK_BOX,
    pyatspi.ROLE_RADIO_BUTTON, pyatspi.ROLE_COMBO_BOX, pyatspi.ROLE_TEXT,
    pyatspi.ROLE_ENTRY, pyatspi.ROLE_PASSWORD_TEXT, pyatspi.ROLE_SPIN_BUTTON,
    pyatspi.ROLE_TABLE_ROW, pyatspi.ROLE_LIST_ITEM, pyatspi.ROLE_PAGE_TAB,
    pyatspi.ROLE_LINK, pyatspi.ROLE_SLIDER, pyatspi.ROLE_MENU_ITEM,
    pyatspi.ROLE_TREE_ITEM, pyatspi.ROLE_SWITCH if hasattr(pyatspi, "ROLE_SWITCH") else pyatspi.ROLE_TOGGLE_BUTTON,
}

# GTK 4.8 names an unnamed widget after its type ("GtkImage",
# "GtkListItemWidget"): that is what Orca then reads.
TYPE_NAME = re.compile(r"^(Gtk|Adw|Ts|Gdk)[A-Z][A-Za-z]*$")


def problem(node):
    """Why @node's name is no use to a person, or None."""
    name = (node.name or "").strip()
    if not name:
        return "has no name"
    if TYPE_NAME.match(name):
        return "is named only after its widget type"
    if "_" in name and re.search(r"(^|\s)_\w", name):
        return "reads its mnemonic underscore aloud"
    # "Customer Customer *": a label and the same label again.
    words = name.replace("*", "").split()
    half = len(words) // 2
    if half and len(words) % 2 == 0 and words[:half] == words[half:]:
        return "says its label twice"
    return None


def describe(node):
    path = []
    while node is not None and node.getRole() != pyatspi.ROLE_APPLICATION:
        path.append("%s %r" % (node.getRoleName(), node.name))
        node = node.parent
    return " < ".join(path)


def walk(node, found, in_combo=False):
    try:
        role = node.getRole()
    except Exception:  # a node that went away meanwhile
        return
    # The rows of a combo box's closed pop-up: GTK 4.8 publishes a
    # placeholder row for it that no factory has bound yet (the bound rows
    # are named; see ts_a11y_set_row_label()).
    if role in CONTROL_ROLES and not (in_combo and role == pyatspi.ROLE_LIST_ITEM):
        why = problem(node)
        if why:
            found.append("%s %s" % (describe(node), why))
    for i in range(node.childCount):
        child = node.getChildAtIndex(i)
        if child is not None:
            walk(child, found, in_combo or role == pyatspi.ROLE_COMBO_BOX)


def wait_for_display(timeout=20):
    """Whether the X server of $DISPLAY accepts clients (within @timeout)."""
    import gi
    gi.require_version("Gdk", "4.0")
    from gi.repository import Gdk
    deadline = time.time() + timeout
    while time.time() < deadline:
        display = Gdk.Display.open(os.environ["DISPLAY"])
        if display is not None:
            display.close()
            return True
        time.sleep(0.2)
    return False


def find_frames(proc, titles, timeout=90):
    """The application's frames whose names match @titles (regexps)."""
    pid = proc.pid
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        desktop = pyatspi.Registry.getDesktop(0)
        frames = {}
        for app in desktop:
            if app is None:
                continue
            try:
                if app.get_process_id() != pid:
                    continue
            except Exception:
                continue
            for i in range(app.childCount):
                frame = app.getChildAtIndex(i)
                if frame is None:
                    continue
                for title in titles:
                    if re.search(title, frame.name or ""):
                        frames[title] = frame
        if len(frames) == len(titles):
            # Let the windows fill (lists load, forms are built).
            time.sleep(2)
            return frames
        time.sleep(0.5)
    return None


def check_windows(binary, args, titles, env):
    if not wait_for_display():
        return [(title, ["the X server %s did not accept clients" % os.environ["DISPLAY"]])
                for title in titles]
    proc = subprocess.Popen([binary] + args, env=env,
                            stdout=subprocess.DEVNULL, stderr=sys.stderr)
    try:
        frames = find_frames(proc, titles)
        results = []
        for title in titles:
            if frames is None or title not in frames:
                why = "the window did not show up"
                if proc.poll() is not None:
                    why += " (TaskSteper exited with %d)" % proc.returncode
                results.append((title, [why]))
                continue
            found = []
            walk(frames[title], found)
            results.append((title, found))
        return results
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main():
    args = sys.argv[1:]
    tap = sys.stdout
    if args[:1] == ["--tap-fd"]:
        tap = os.fdopen(int(args[1]), "w", buffering=1)
        args = args[2:]
    binary = args[0]
    env = dict(os.environ)
    env["GTK_A11Y"] = "atspi"
    env["G_DEBUG"] = os.environ.get("TS_APP_G_DEBUG", "")
    env.pop("NO_AT_BRIDGE", None)
    runs = []
    with tempfile.TemporaryDirectory(prefix="ts-a11y-") as home:
        os.chmod(home, 0o755)  # the demo's server may run as another user
        env["TASKSTEPER_DEMO_DIR"] = os.path.join(home, "demo")
        env["XDG_CACHE_HOME"] = os.path.join(home, "cache")
        env["XDG_CONFIG_HOME"] = os.path.join(home, "config")
        runs += check_windows(binary, ["--demo", "tasksteper://issue_track/1"],
                              ["^网上问题处理|TaskSteper", "^question_1"], env)
        runs += check_windows(binary, [], ["."], env)

    names = {"^网上问题处理|TaskSteper": "main window", "^question_1": "ticket editor",
             ".": "login window"}
    failed = 0
    print("1..%d" % len(runs), file=tap)
    for n, (title, found) in enumerate(runs, 1):
        label = names.get(title, title)
        if found:
            failed += 1
            print("not ok %d - %s: every control has a usable accessible name" % (n, label), file=tap)
            for line in found:
                print("# " + line, file=tap)
        else:
            print("ok %d - %s: every control has a usable accessible name" % (n, label), file=tap)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
