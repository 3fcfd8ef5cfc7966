#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Smoke test: the three modules load, the core and fwctl_cxl log their
# line, all unload, and the kernel log holds no splat afterwards.
# fwctl_mlx5 needs mlx5_core's command interface: the simulator provides
# it here, with no device (ndevs=0), so nothing binds.
set -u
. "$(dirname "$0")/lib.sh"
need_modules mlx5_sim fwctl fwctl_cxl fwctl_mlx5

fail() { echo "# smoke: $*"; exit 1; }
is_loaded mlx5_core && fail "mlx5_core is loaded: cannot load mlx5_sim"
dmesg_mark
insmod "$(ko mlx5_sim)" ndevs=0 || fail "insmod mlx5_sim failed"
for m in fwctl fwctl_cxl fwctl_mlx5; do
	insmod "$(ko $m)" || fail "insmod $m failed"
	is_loaded "$m" || fail "$m is not in /proc/modules after insmod"
done
for m in fwctl_mlx5 fwctl_cxl fwctl mlx5_sim; do
	rmmod "$m" || fail "rmmod $m failed"
done
for m in fwctl fwctl_cxl fwctl_mlx5 mlx5_sim; do
	! is_loaded "$m" || fail "$m is still loaded"
done
log=$(dmesg_since_mark)
for line in "fwctl core loaded" "fwctl cxl loaded"; do
	[[ $log == *"$line"* ]] || fail "no '$line' in dmesg"
done
s=$(dmesg_splats)
[ -z "$s" ] || fail "splat in dmesg: $s"
exit 0
