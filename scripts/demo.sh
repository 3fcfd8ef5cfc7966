#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make demo: boot the guest with QEMU's emulated CXL type-3 device, load the
# fwctl-rs modules and show what fwctl sees.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
exec "$repo/scripts/guest.sh" -- "$repo/scripts/demo-guest.sh"
