#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make stress: the long reliability run, in a guest boot of its own.
#
# On the debug flavour (KASAN, lockdep, kmemleak; the default), fwctl_fuzz
# makes at least 1,000,000 fuzzed FWCTL_INFO/FWCTL_RPC calls from 4
# threads while 1,000 device unplug cycles and 20 module unload cycles run
# beside them, then checks for leaks (kmemleak, user contexts, the core's
# slab objects and devices) and splats; then the full fault sweep.
#
# On the distribution-style flavour (FLAVOUR=distro: GCC, MODVERSIONS, no
# debug options, upstream's fwctl.ko replaced by the Rust core as an
# installed system has it), where calls cost a fraction, 10,000,000 calls
# and 10,000 unplug cycles, through the kernel's own importers: cxl_core's
# fwctl devices on the kernel's CXL mock (cxl_test) and upstream's
# mlx5_fwctl on the simulator, beside fwctl_test.  Its leak checks are
# fwctl_fuzz's own (the kernel has no kmemleak), and there is no fault
# sweep (no fault injection in a production kernel).
#
# See Documentation/reliability.rst.
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
. scripts/env.sh
flavour=${FLAVOUR:-debug}

if [ "$flavour" = distro ]; then
	calls=${STRESS_CALLS:-10000000}
	cycles=${STRESS_CYCLES:-10000}
else
	calls=${STRESS_CALLS:-1000000}
	cycles=${STRESS_CYCLES:-1000}
fi
module_cycles=${STRESS_MODULE_CYCLES:-20}
threads=${STRESS_THREADS:-4}
tmo=${STRESS_TIMEOUT:-10800}
args="--calls $calls --time 0 --max-time $((tmo - 600)) --cycles $cycles"
args="$args --module-cycles $module_cycles --threads $threads --fail-open"
[ "$flavour" = distro ] || args="$args --kmemleak"
[ -n "${STRESS_SEED:-}" ] && args="$args --seed $STRESS_SEED"

prefix="" guest_opts=()
if [ "$flavour" = distro ]; then
	# The distro kernel, the modules built for it and the staged module
	# tree (scripts/check-distro.sh builds and checks them, as make check
	# does).
	dlog=$(mktemp /tmp/fwctl-stress-distro.XXXXXX)
	echo "make stress: the distro flavour's kernel, modules and module tree (log: $dlog)"
	if ! FLAVOUR=distro scripts/check-distro.sh >"$dlog" 2>&1; then
		grep '^not ok' "$dlog"
		echo "make stress: FAILED to build the distro flavour (log: $dlog)"
		exit 1
	fi
	prefix="cd $CACHE/distro-tree && FWCTL_MODROOT=$CACHE/distro-modroot "
	# cxl_test places its devices on NUMA nodes 0 and 1 (--numa);
	# pci-testdev is the PCI function the mlx5 simulator drives.
	guest_opts=(--no-cxl --numa --qemu-opts "-device pci-testdev")
fi

log=$(mktemp /tmp/fwctl-stress.XXXXXX)
t0=$(date +%s)
echo "make stress ($flavour): fwctl_fuzz $args (log: $log)"
# Through a pipe: QEMU reopens stdout and would overwrite a file's start.
FLAVOUR=$flavour scripts/guest.sh --timeout "$tmo" "${guest_opts[@]}" -- \
	"${prefix}tools/testing/selftests/fwctl/stress.sh $args" 2>&1 | cat >"$log"
rc=${PIPESTATUS[0]}
grep -E '^# (fwctl_fuzz|distro|replay|cxl|mlx5|slab|[0-9]+ s:|ran|info|rpc|bad|chaos|open|close|dup|ioctls|answers|unplug|leak|LEAK|VIOLATION|splat|kmemleak)|^fwctl-stress:' "$log" |
	grep -v '^# kmemleak: *$'
res=$(grep '^fwctl-stress:' "$log" | tail -1)
echo "make stress took $(( $(date +%s) - t0 )) s (guest exit $rc)"
if [ -z "$res" ] || [ "$rc" != 0 ]; then
	echo "make stress: FAILED (log: $log)"
	exit 1
fi
echo "make stress: fuzzing passed"
if [ "$flavour" = distro ]; then
	echo "make stress: passed (no fault sweep on the distro flavour: its kernel has no fault injection)"
	exit 0
fi

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
