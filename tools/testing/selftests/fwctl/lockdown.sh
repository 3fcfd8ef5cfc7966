#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# lockdown.sh LEVEL: bring the kernel's lockdown to LEVEL (integrity or
# confidentiality) and check that it took.  Lockdown only goes up, so
# make check raises it at the end of its run: integrity, tests,
# confidentiality, tests.  Writing the level to securityfs sets the same
# state as booting with lockdown=LEVEL (both end in lock_kernel_down()).
set -u
level=$1
f=/sys/kernel/security/lockdown
[ -e "$f" ] || mount -t securityfs none /sys/kernel/security 2>/dev/null
cur=$(sed -n 's/.*\[\(.*\)\].*/\1/p' "$f")
echo "# lockdown was: $cur"
if [ "$cur" != "$level" ]; then
	echo "$level" >"$f" || { echo "# cannot raise lockdown to $level"; exit 1; }
fi
now=$(sed -n 's/.*\[\(.*\)\].*/\1/p' "$f")
echo "# lockdown is: $now"
[ "$now" = "$level" ]
