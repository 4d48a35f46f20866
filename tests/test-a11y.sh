#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The AT-SPI walk of tests/test-a11y.py needs a session bus (which starts
# the accessibility bus on demand) and an X server of its own.
exec xvfb-run -a -s "-screen 0 1280x1024x24" \
  dbus-run-session -- /usr/bin/python3 "$(dirname "$0")/test-a11y.py" "$@"
