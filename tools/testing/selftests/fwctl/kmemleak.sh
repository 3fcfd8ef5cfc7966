#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kmemleak.sh: no memory leaked since run.sh started (it cleared kmemleak's
# list then).  Runs before lockdown is raised: lockdown closes kmemleak's
# control file, which lives in debugfs.
set -u
kml=/sys/kernel/debug/kmemleak
[ -e "$kml" ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
[ -e "$kml" ] || { echo "# kmemleak is not available in this kernel"; exit 1; }
# Objects younger than 5 s are never reported: let the last tests' age.
sleep 6
echo scan >"$kml" && echo scan >"$kml" || { echo "# cannot trigger a kmemleak scan"; exit 1; }
leaks=$(cat "$kml")
if [ -n "$leaks" ]; then
	printf '%s\n' "$leaks" | head -60 | sed 's/^/# /'
	exit 1
fi
echo "# kmemleak: nothing leaked"
