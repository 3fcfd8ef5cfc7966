#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kmemleak.sh: no memory leaked since run.sh started (it cleared kmemleak's
# list then).  Runs before lockdown is raised: lockdown closes kmemleak's
# control file, which lives in debugfs.
set -u
kml=/sys/kernel/debug/kmemleak
[ -e "$kml" ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
[ -e "$kml" ] || { echo "# kmemleak is not available in this kernel"; exit 1; }
# Objects younger than 5 s at the start of a scan are never reported.  The
# first scan takes longer than that in the test guest; the second then sees
# everything the last tests allocated old enough.  Sleep only what is left.
start=$(date +%s)
echo scan >"$kml" || { echo "# cannot trigger a kmemleak scan"; exit 1; }
left=$((start + 6 - $(date +%s)))
[ "$left" -gt 0 ] && sleep "$left"
echo scan >"$kml" || { echo "# cannot trigger a kmemleak scan"; exit 1; }
leaks=$(cat "$kml")
if [ -n "$leaks" ]; then
	printf '%s\n' "$leaks" | head -60 | sed 's/^/# /'
	exit 1
fi
echo "# kmemleak: nothing leaked"
