#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make stress: the long reliability run, in a guest boot of its own on the
# test kernel (KASAN, lockdep, kmemleak).  fwctl_fuzz makes at least
# 1,000,000 fuzzed FWCTL_INFO/FWCTL_RPC calls from 4 threads while 1,000
# device unplug cycles and 20 module unload cycles run beside them, then
# checks for leaks (kmemleak, user contexts, the core's slab objects and
# devices) and splats.  See Documentation/reliability.rst.
#
# Environment: STRESS_CALLS, STRESS_CYCLES, STRESS_MODULE_CYCLES,
# STRESS_THREADS, STRESS_SEED (replay a seed), STRESS_TIMEOUT (seconds the
# guest may run, default 10800).
#
# Prints the figures on the last line; exits non-zero on any violation,
# splat or leak.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

calls=${STRESS_CALLS:-1000000}
cycles=${STRESS_CYCLES:-1000}
module_cycles=${STRESS_MODULE_CYCLES:-20}
threads=${STRESS_THREADS:-4}
tmo=${STRESS_TIMEOUT:-10800}
args="--calls $calls --time 0 --max-time $((tmo - 600)) --cycles $cycles"
args="$args --module-cycles $module_cycles --threads $threads --fail-open --kmemleak"
[ -n "${STRESS_SEED:-}" ] && args="$args --seed $STRESS_SEED"

log=$(mktemp /tmp/fwctl-stress.XXXXXX)
t0=$(date +%s)
echo "make stress: fwctl_fuzz $args (log: $log)"
# Through a pipe: QEMU reopens stdout and would overwrite a file's start.
scripts/guest.sh --timeout "$tmo" -- \
	"tools/testing/selftests/fwctl/stress.sh $args" 2>&1 | cat >"$log"
rc=${PIPESTATUS[0]}
grep -E '^# (fwctl_fuzz|replay|cxl|mlx5|slab|[0-9]+ s:|ran|info|rpc|bad|chaos|open|close|dup|ioctls|answers|unplug|leak|LEAK|VIOLATION|splat|kmemleak)|^fwctl-stress:' "$log" |
	grep -v '^# kmemleak: *$'
res=$(grep '^fwctl-stress:' "$log" | tail -1)
echo "make stress took $(( $(date +%s) - t0 )) s (guest exit $rc)"
if [ -z "$res" ] || [ "$rc" != 0 ]; then
	echo "make stress: FAILED (log: $log)"
	exit 1
fi
echo "make stress: fuzzing passed"

# Every fault site of every operation, the module loader's included
# (make check fails only every 25th of those).
flog=$(mktemp /tmp/fwctl-faults.XXXXXX)
echo "make stress: the full fault sweep (log: $flog)"
scripts/guest.sh --timeout "$tmo" --no-cxl -- \
	"FWCTL_FAULT_STRIDE=1 tools/testing/selftests/fwctl/run.sh fwctl_faults" 2>&1 | cat >"$flog"
rc=${PIPESTATUS[0]}
grep -E 'fault sites|^(not )?ok|^1\.\.' "$flog"
if [ "$rc" != 0 ] || grep -q '^not ok' "$flog" || ! grep -q '^1\.\.' "$flog"; then
	echo "make stress: the fault sweep FAILED (log: $flog)"
	exit 1
fi
echo "make stress: passed"
