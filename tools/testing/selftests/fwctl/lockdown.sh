#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# lockdown.sh LEVEL: bring the kernel's lockdown to LEVEL (integrity or
# confidentiality) and check that it took.  Lockdown only goes up: the
# guest boots with lockdown=integrity on the command line, the tests run,
# then this raises it to confidentiality at run time and they run again.
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
