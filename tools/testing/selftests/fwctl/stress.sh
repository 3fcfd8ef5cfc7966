#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# stress.sh: the long reliability run, inside the test guest (make stress
# boots one for it: scripts/stress.sh).  Runs fwctl_fuzz with the given
# options after checking that the boot itself left no splat, then prints
# the figures on one line:
#   fwctl-stress: calls=N cycles=N module_cycles=N violations=N splats=N
#   leaks=N kmemleak=clean seed=S exit=N
# and exits non-zero if anything was wrong (kmemleak must have run).
set -u
dir=$(cd "$(dirname "$0")" && pwd)
. "$dir/lib.sh"

boot=$(dmesg | grep -E "$SPLAT_RE" || true)
if [ -n "$boot" ]; then
	echo "# splats before the run (boot):"
	printf '%s\n' "$boot" | head -20 | sed 's/^/#   /'
fi
"$dir/fwctl_fuzz" "$@" | tee "${FWCTL_SCRATCH:-/tmp}/fwctl-stress.log"
rc=${PIPESTATUS[0]}
res=$(grep 'fwctl_fuzz: RESULT' "${FWCTL_SCRATCH:-/tmp}/fwctl-stress.log" | tail -1)
if [ -z "$res" ]; then
	echo "fwctl-stress: no result (fwctl_fuzz exit $rc)"
	exit 1
fi
val() { printf '%s\n' "$res" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
splats=$(( $(val splats) + $(printf '%s\n' "$boot" | grep -c . ) ))
echo "fwctl-stress: calls=$(val calls) cycles=$(val cycles) module_cycles=$(val module_cycles) violations=$(val violations) splats=$splats leaks=$(val leaks) kmemleak=$(val kmemleak) seed=$(val seed) exit=$rc"
[ "$rc" = 0 ] && [ "$splats" = 0 ] && [ "$(val kmemleak)" = clean ]
