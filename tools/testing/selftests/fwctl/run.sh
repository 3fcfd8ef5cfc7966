#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the fwctl kselftests inside the test guest and prints KTAP:
# one "ok N name" / "not ok N name" line per test and a plan line.
#   run.sh [TEST...]   default: every test of the default list
# After all tests, a final test fails on any splat since the first test and
# on any kmemleak report.
set -u
dir=$(cd "$(dirname "$0")" && pwd)
. "$dir/lib.sh"

if [ $# -eq 0 ]; then
	set -- smoke.sh
fi

ensure_debugfs
[ -e /sys/kernel/debug/kmemleak ] && echo clear >/sys/kernel/debug/kmemleak
dmesg_mark
run_mark=$FWCTL_MARK

echo "TAP version 13"
echo "1..$(( $# + 1 ))"
n=0
for t in "$@"; do
	n=$((n + 1))
	name=${t%% *}
	out=$(cd "$dir" && timeout 600 bash -c "./$t" 2>&1)
	rc=$?
	[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
	if [ "$rc" = 0 ]; then
		echo "ok $n fwctl: $name"
	elif [ "$rc" = 4 ]; then
		echo "ok $n fwctl: $name # SKIP"
	else
		echo "not ok $n fwctl: $name (exit $rc)"
	fi
done

n=$((n + 1))
FWCTL_MARK=$run_mark
leaks=""
if [ -e /sys/kernel/debug/kmemleak ]; then
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	leaks=$(cat /sys/kernel/debug/kmemleak)
else
	leaks="kmemleak is not available"
fi
s=$(dmesg_splats)
if [ -z "$s" ] && [ -z "$leaks" ]; then
	echo "ok $n fwctl: no splat or leak in the whole run"
else
	printf '%s\n%s\n' "$s" "$leaks" | head -60 | sed 's/^/# /'
	echo "not ok $n fwctl: no splat or leak in the whole run"
fi
