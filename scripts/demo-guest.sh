#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The guest half of `make demo`.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
echo "== kernel: $(uname -r), lockdown: $(cat /sys/kernel/security/lockdown 2>/dev/null || echo n/a)"
echo "== CXL memory devices:"
ls /sys/bus/cxl/devices/ | grep '^mem' | sed 's/^/   /' || echo "   (none)"
echo "== loading fwctl-rs"
insmod "$repo/core/fwctl_core.ko"
insmod "$repo/cxl/fwctl_cxl.ko"
insmod "$repo/mlx5/fwctl_mlx5.ko"
lsmod | grep '^fwctl' | sed 's/^/   /'
dmesg | grep -E 'fwctl' | tail -5 | sed 's/^/   dmesg: /'
echo "== fwctl devices:"
ls /sys/class/fwctl 2>/dev/null | sed 's/^/   /' || echo "   (no fwctl class yet)"
