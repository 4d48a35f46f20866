#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The AT-SPI walk of tests/test-a11y.py needs a session bus (which starts
# the accessibility bus on demand) and an X server of its own.
# G_DEBUG (fatal-warnings) is for the application, not for the walker,
# whose AT-SPI client library warns about windows that come and go.
TS_APP_G_DEBUG=${G_DEBUG:-}
export TS_APP_G_DEBUG
unset G_DEBUG
# The accessibility registry, started by D-Bus, writes to its standard
# output; only TAP may go to ours: the walker writes it on fd 3, and
# everything else goes to standard error.
exec 3>&1 1>&2
exec "$(dirname "$0")/xvfb-run.sh" \
  dbus-run-session -- /usr/bin/python3 "$(dirname "$0")/test-a11y.py" --tap-fd 3 "$@"
