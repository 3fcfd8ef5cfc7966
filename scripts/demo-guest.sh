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
echo "== loading fwctl_core and fwctl_cxl"
insmod "$repo/core/fwctl_core.ko"
insmod "$repo/cxl/fwctl_cxl.ko"
dmesg | grep -E 'fwctl' | tail -3 | sed 's/^/   /'
echo "== fwctl devices:"
for d in /sys/class/fwctl/fwctl*; do
	[ -e "$d" ] || continue
	n=$(basename "$d")
	parent=$(basename "$(readlink -f "$d/device")")
	echo "   /dev/fwctl/$n  parent $parent  max_scope $(cat "$d/max_scope")"
done
echo "== talking to them (Get Supported Features, Get Feature, Set Feature):"
FWCTL_KEEP_MODULES=1 "$repo/tools/testing/selftests/fwctl/fwctl_cxl" -t get_supported_features -t get_feature \
	-t set_feature_scopes 2>&1 | grep -E 'get_feature:|set_feature_scopes:|^ok|^not ok' |
	sed 's/^/   /'
echo "== counters of the first device:"
d=$(ls -d /sys/class/fwctl/fwctl* | head -1)
for f in "$d"/stats/*; do
	printf '   %-28s %s\n' "$(basename "$f")" "$(cat "$f")"
done
