#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The guest half of `make demo`: load fwctl-rs next to QEMU's emulated CXL
# type-3 device and show what fwctl sees.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
echo "== kernel $(uname -r), lockdown: $(cat /sys/kernel/security/lockdown 2>/dev/null || echo n/a)"
echo "== CXL memory devices:"
for m in /sys/bus/cxl/devices/mem*; do
	[ -e "$m" ] && echo "   $(basename "$m") (serial $(cat "$m/serial" 2>/dev/null || echo ?))"
done
echo "== loading fwctl and fwctl_cxl expose_kernel_features=1"
echo "   (QEMU's device has two features, patrol scrub and ECS, both of which"
echo "   upstream reserves to the kernel's EDAC code: by default, as upstream,"
echo "   the memdev would get no fwctl device at all. The parameter is the"
echo "   administrator's choice to let fwctl set them; see Documentation/cxl.rst.)"
insmod "$repo/fwctl.ko"
insmod "$repo/fwctl_cxl.ko" expose_kernel_features=1
echo "   /sys/module/fwctl_cxl/parameters/expose_kernel_features: $(cat /sys/module/fwctl_cxl/parameters/expose_kernel_features)"
dmesg | grep -E 'fwctl' | tail -3 | sed 's/^/   /'
echo "== fwctl devices:"
for d in /sys/class/fwctl/fwctl*; do
	[ -e "$d" ] || continue
	n=$(basename "$d")
	parent=$(basename "$(readlink -f "$d/device")")
	echo "   /dev/fwctl/$n  parent $parent  max_scope $(cat "$d/max_scope")"
done
fwctl=$repo/target/debug/fwctl
echo "== fwctl list"
"$fwctl" list | sed 's/^/   /'
echo "== fwctl cxl features mem0"
"$fwctl" cxl features mem0 | sed 's/^/   /'
echo "== fwctl cxl get mem0 patrol-scrub   (decoded: capabilities, cycle, minimum, flags)"
"$fwctl" cxl get mem0 patrol-scrub | sed 's/^/   /'
echo "== fwctl cxl set mem0 patrol-scrub scrub_cycle_hours=24   (needs debug_write_full)"
"$fwctl" cxl set mem0 patrol-scrub scrub_cycle_hours=24 | sed 's/^/   /'
"$fwctl" cxl get mem0 patrol-scrub | sed 's/^/   /'
echo "== the same set with max_scope lowered to debug_read_only is refused:"
echo debug_read_only >/sys/class/fwctl/fwctl0/max_scope
"$fwctl" cxl set mem0 patrol-scrub scrub_cycle_hours=12 2>&1 | sed 's/^/   /' || true
# Each counter file is one line of numbers, one per field in this order
# (Documentation/policy.rst).
counters() { # FILE FIELD...
	local file=$1 vals i
	shift
	read -ra vals <"/sys/class/fwctl/fwctl0/$file"
	[ "${#vals[@]}" = $# ] ||
		echo "   $file has ${#vals[@]} fields, the demo names $#: $*" >&2
	for ((i = 0; i < $#; i++)); do
		printf '   %-14s %-17s %s\n' "$file" "${@:i+1:1}" "${vals[i]:-?}"
	done
}
echo "== counters of fwctl0 (accepted and failed by the driver per scope, refused per reason):"
counters rpcs_accepted configuration debug_read_only debug_write debug_write_full
counters rpcs_failed configuration debug_read_only debug_write debug_write_full
counters rpcs_refused too_long bad_scope no_rawio lockdown policy
