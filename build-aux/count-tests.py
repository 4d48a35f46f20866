#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Counts individual test cases in meson's testlog.json files.

A TAP program counts each "ok" and "not ok" line; the cases it planned but
never reached (it crashed) count as failed.  A plain program counts as one.
Prints "N passed, N failed" and exits 1 when anything failed or nothing ran.
"""
import json
import re
import sys


def parse(line):
    """One test's name, result and stdout.  A test that printed bytes JSON
    cannot hold (meson writes them as broken \\u escapes) is read by
    pattern instead of failing the count."""
    try:
        test = json.loads(line)
        return test["name"], test["result"], test.get("stdout") or ""
    except ValueError:
        name = re.search(r'"name": "((?:[^"\\]|\\.)*)"', line)
        result = re.search(r'"result": "(\w+)"', line)
        stdout = re.search(r'"stdout": "((?:[^"\\]|\\.)*)"', line)
        text = stdout.group(1).replace("\\n", "\n") if stdout else ""
        return (name.group(1) if name else "?", result.group(1) if result else "ERROR", text)


passed = failed = 0
for path in sys.argv[1:]:
    try:
        lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    except OSError as e:
        print(f"{path}: {e}")
        failed += 1
        continue
    for line in lines:
        if not line.strip():
            continue
        name, result, out = parse(line)
        ok = len(re.findall(r"^ok \d+", out, re.M))
        not_ok = len(re.findall(r"^not ok \d+", out, re.M))
        plan = re.search(r"^1\.\.(\d+)", out, re.M)
        good = result in ("OK", "EXPECTEDFAIL", "SKIP")
        if plan:
            passed += ok
            failed += not_ok
            unrun = int(plan.group(1)) - ok - not_ok
            if unrun > 0:
                failed += unrun
            elif not good and not_ok == 0:
                failed += 1
        elif good:
            passed += 1
        else:
            failed += 1
        if not good:
            print(f"FAILED: {name} ({result})")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed or not passed else 0)
