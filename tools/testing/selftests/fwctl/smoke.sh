#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Smoke test: the three modules load, log their line, unload, and the
# kernel log holds no splat afterwards.
set -u
. "$(dirname "$0")/lib.sh"

fail() { echo "# smoke: $*"; exit 1; }
dmesg_mark
for m in fwctl_core fwctl_cxl fwctl_mlx5; do
	insmod "$(ko $m)" || fail "insmod $m failed"
	grep -q "^$m " /proc/modules || fail "$m is not in /proc/modules after insmod"
done
for m in fwctl_mlx5 fwctl_cxl fwctl_core; do
	rmmod "$m" || fail "rmmod $m failed"
done
for m in fwctl_core fwctl_cxl fwctl_mlx5; do
	! grep -q "^$m " /proc/modules || fail "$m is still loaded"
done
log=$(dmesg_since_mark)
for line in "fwctl core loaded" "fwctl cxl loaded" "fwctl mlx5 loaded"; do
	echo "$log" | grep -q "$line" || fail "no '$line' in dmesg"
done
s=$(dmesg_splats)
[ -z "$s" ] || fail "splat in dmesg: $s"
exit 0
