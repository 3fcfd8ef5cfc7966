#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fwctl-selftest: ktap
#
# The Rust core's lockdown policy on upstream's cxl_core, on the distro
# flavour (see dropin.sh, which installs the staged module tree; this runs
# after it, last in its boot, because lockdown cannot be lifted): a
# FWCTL_RPC_DEBUG_WRITE_FULL to a cxl_test memdev's fwctl device works
# without lockdown, and under lockdown=integrity is refused with EPERM and
# counted in the lockdown field of rpcs_refused.
#
# Environment: FWCTL_TOOL (the fwctl binary).
set -u
. "$(dirname "$0")/lib.sh"

check() { ktap_check "$@"; }
say() { ktap_say "$@"; }
finish() { ktap_plan; exit $?; }

echo "TAP version 13"
: "${FWCTL_TOOL:?}"
# CXL Get Supported Features (opcode 0500h), as fwctl_rpc_cxl: the header
# and an 8-byte request asking for no entries.
GSF='00050000 00000000 08000000 00000000 08000000 00000000'

unload_modules fwctl_test fwctl_rust_test fwctl_cxl fwctl_mlx5 mlx5_sim fwctl 2>/dev/null
check "modprobe fwctl (the Rust core)" modprobe fwctl
check "modprobe cxl_test" modprobe cxl_test
check "modprobe cxl_mock_mem" modprobe cxl_mock_mem
fw=$(cxl_wait_fwctl)
check "a cxl_test memdev with a fwctl device" [ -n "$fw" ]
[ -n "$fw" ] || finish
name=${fw##*/}
mem=$(basename "$(dirname "$(dirname "$fw")")")
cls=/sys/class/fwctl/$name

lockdown=$(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/security/lockdown)
check "the kernel is not locked down yet ($lockdown)" [ "$lockdown" = none ]
out=$("$FWCTL_TOOL" rpc "$mem" --scope debug_write_full --hex "$GSF" 2>&1)
rc=$?
say "$out"
check "$mem: Get Supported Features at debug_write_full, no lockdown (exit $rc)" [ "$rc" = 0 ]

read -ra before <"$cls/rpcs_refused"
echo integrity >/sys/kernel/security/lockdown
out=$("$FWCTL_TOOL" rpc "$mem" --scope debug_write_full --hex "$GSF" 2>&1)
rc=$?
say "$out"
check "lockdown=integrity: the same RPC is refused (exit $rc)" [ "$rc" != 0 ]
check "... with EPERM" grep -qi "EPERM\|not permitted" <<<"$out"
check "... and the tool names the rule: the kernel is locked down" \
	grep -q "scope not allowed: the kernel is locked down (integrity)" <<<"$out"
read -ra after <"$cls/rpcs_refused"
check "... counted in rpcs_refused's lockdown field (${before[$REFUSED_LOCKDOWN]} -> ${after[$REFUSED_LOCKDOWN]})" \
	[ "${after[$REFUSED_LOCKDOWN]}" = $((before[REFUSED_LOCKDOWN] + 1)) ]
out=$("$FWCTL_TOOL" rpc "$mem" --scope configuration --hex "$GSF" 2>&1)
rc=$?
check "... while configuration scope still works (exit $rc)" [ "$rc" = 0 ]

for m in cxl_mock_mem cxl_test cxl_mem cxl_pmem cxl_acpi cxl_port cxl_mock cxl_core fwctl; do
	grep -q "^$m " /proc/modules && modprobe -r "$m" 2>/dev/null
done
finish
