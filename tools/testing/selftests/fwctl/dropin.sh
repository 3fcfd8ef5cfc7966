#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fwctl-selftest: ktap
#
# The Rust core as a drop-in replacement for upstream's fwctl.ko, on a
# kernel built as distributions build theirs (the distro flavour:
# CONFIG_FWCTL=m, MODVERSIONS, cxl_core with CONFIG_CXL_FEATURES=y).
#
# The host (scripts/check-distro.sh) stages a module tree the way a system
# has one: the kernel's own modules (modules_install), the kernel's CXL mock
# (tools/testing/cxl, in updates/ as its README installs it) and fwctl-rs
# through `make modules_install` (in updates/, which depmod prefers to the
# kernel's kernel/).  Here it is mounted as /lib/modules/$(uname -r), and
# everything is loaded with modprobe, as the system would:
#   - modprobe resolves fwctl, and cxl_core's dependency, to the Rust core;
#   - cxl_test's memdevs get their fwctl devices from upstream's cxl_core
#     through the Rust core; Get Supported Features, Get Feature and Set
#     Feature on the mock's test feature work through /dev/fwctl with the
#     fwctl tool; the Rust core's policy (max_scope, counters) applies;
#   - a C fwctl driver built against the kernel's own Module.symvers (so
#     carrying upstream's CRCs) loads on the Rust core and answers;
#   - upstream's mlx5_fwctl.ko, as the kernel built it, binds the firmware
#     simulator's device on a PCI function of the guest (QEMU's
#     pci-testdev, bound by driver_override) and answers through the Rust
#     core; the simulator stands in for mlx5_core, so these two are loaded
#     with insmod (modprobe would load the real mlx5_core first);
#   - the guards: fwctl_cxl and fwctl_mlx5 stand aside with a message, and
#     upstream's fwctl.ko and the Rust core never load together.
#
# Environment: FWCTL_MODROOT (the staged root holding lib/modules/KVER),
# FWCTL_TOOL (the fwctl binary), FWCTL_C_DRIVER (that fwctl_test.ko),
# FWCTL_SIM (mlx5_sim.ko built for this kernel).
set -u
. "$(dirname "$0")/lib.sh"

check() { ktap_check "$@"; }
notok() { ktap_notok "$@"; }
say() { ktap_say "$@"; }
finish() {
	unload_all
	ktap_plan
	exit $?
}

echo "TAP version 13"
kver=$(uname -r)
: "${FWCTL_MODROOT:?}" "${FWCTL_TOOL:?}" "${FWCTL_C_DRIVER:?}" "${FWCTL_SIM:?}"
TEST_FEATURE=ffffffff-ffff-ffff-ffff-ffffffffffff

# Every module this test may load, dependents first.
unload_all() {
	local m
	# shellcheck disable=SC2086
	for m in mlx5_fwctl mlx5_sim fwctl_test $CXL_TEST_MODULES fwctl_mlx5 mlx5_core fwctl; do
		is_loaded "$m" && modprobe -r "$m" 2>/dev/null
		is_loaded "$m" && rmmod "$m" 2>/dev/null
	done
	return 0
}

use_modroot "$FWCTL_MODROOT" ||
	{ notok "install the staged module tree as /lib/modules/$kver"; finish; }
unload_all
dmesg_mark

## modprobe resolves to the Rust core
f=$(modinfo -F filename fwctl 2>&1)
check "modinfo fwctl: the Rust core in updates/ ($f)" [ "$f" = "/lib/modules/$kver/updates/fwctl.ko" ]
dep=$(modprobe --show-depends cxl_core 2>&1)
say "$dep"
check "modprobe --show-depends cxl_core: fwctl from updates/" \
	grep -q "insmod /lib/modules/$kver/updates/fwctl.ko" <<<"$dep"
check "modprobe fwctl" modprobe fwctl
check "the loaded fwctl is the Rust core (its max_scope parameter)" \
	test -e /sys/module/fwctl/parameters/max_scope

## upstream's cxl_core and the kernel's CXL mock, through the Rust core
check "modprobe cxl_test" modprobe cxl_test
# Without udev nothing loads the mock memdevs' driver by its alias.
check "modprobe cxl_mock_mem" modprobe cxl_mock_mem
fw=$(cxl_wait_fwctl)
nfw=$(ls -d /sys/bus/cxl/devices/mem*/fwctl/fwctl* 2>/dev/null | wc -l)
check "cxl_core registered fwctl devices for the mock memdevs ($nfw)" [ "$nfw" -ge 1 ]
check "cxl_core holds the Rust core" test -e /sys/module/fwctl/holders/cxl_core
if [ -n "$fw" ]; then
	name=${fw##*/}
	mem=$(basename "$(dirname "$(dirname "$fw")")")
	say "$mem: $name"
	cls=/sys/class/fwctl/$name
	check "$name: the Rust core's sysfs files (max_scope, counters)" \
		test -e "$cls/max_scope" -a -e "$cls/rpcs_accepted" -a -e "$cls/rpcs_refused"
	check "$name: /dev/fwctl/$name" test -c "/dev/fwctl/$name"
	out=$("$FWCTL_TOOL" --json cxl features "$mem" 2>&1)
	say "$out"
	check "Get Supported Features lists the mock's test feature" \
		grep -qi "$TEST_FEATURE" <<<"$out"
	out=$("$FWCTL_TOOL" --json cxl get "$mem" "$TEST_FEATURE" 2>&1)
	say "$out"
	check "Get Feature: the mock's default 0xdeadbeef" grep -q '"data": *"efbeadde"' <<<"$out"
	acc0=$(<"$cls/rpcs_accepted")
	out=$("$FWCTL_TOOL" --json cxl set "$mem" "$TEST_FEATURE" 04030201 2>&1)
	rc=$?
	say "$out"
	check "Set Feature (exit $rc)" [ "$rc" = 0 ]
	out=$("$FWCTL_TOOL" --json cxl get "$mem" "$TEST_FEATURE" 2>&1)
	check "Get Feature reads back what was set" grep -q '"data": *"04030201"' <<<"$out"
	acc1=$(<"$cls/rpcs_accepted")
	check "the Rust core counted the accepted RPCs" [ "$acc0" != "$acc1" ]
	ref0=$(<"$cls/rpcs_refused")
	echo configuration >"$cls/max_scope"
	out=$("$FWCTL_TOOL" --json cxl set "$mem" "$TEST_FEATURE" 05060708 2>&1)
	rc=$?
	say "$out"
	check "max_scope=configuration: the Set (DEBUG_WRITE) is refused" [ "$rc" != 0 ]
	check "... with EPERM" grep -qi "EPERM\|not permitted" <<<"$out"
	ref1=$(<"$cls/rpcs_refused")
	check "... and counted as refused" [ "$ref0" != "$ref1" ]
	out=$("$FWCTL_TOOL" --json cxl get "$mem" "$TEST_FEATURE" 2>&1)
	check "... the feature kept its value" grep -q '"data": *"04030201"' <<<"$out"
fi

## A C driver built against the kernel's own Module.symvers
check "insmod a C fwctl driver built against the kernel's Module.symvers" \
	insmod "$FWCTL_C_DRIVER" ndevs=1
# Its devices' parents are faux devices fwctl_test.N.
t=""
for c in /sys/class/fwctl/fwctl*; do
	case $(basename "$(readlink -f "$c/device")") in
	fwctl_test.*) t=${c##*/}; break ;;
	esac
done
check "its fwctl device is registered (${t:-none})" [ -n "$t" ]
if [ -n "$t" ]; then
	out=$("$FWCTL_TOOL" --json info "$t" 2>&1)
	rc=$?
	say "$out"
	check "FWCTL_INFO on it through the Rust core (exit $rc)" [ "$rc" = 0 ]
fi
rmmod fwctl_test 2>/dev/null

## Upstream's mlx5_fwctl on the simulator, on a PCI function
pcidev=$(pci_testdev)
check "a PCI function for the simulator (QEMU pci-testdev: ${pcidev:-none})" [ -n "$pcidev" ]
if [ -n "$pcidev" ]; then
	unload_all
	check "modprobe fwctl" modprobe fwctl
	check "insmod mlx5_sim ndevs=0 (standing in for mlx5_core)" insmod "$FWCTL_SIM" ndevs=0
	sim_bind "$pcidev"
	check "the simulator drives $pcidev as mlx5_core" test -e "/sys/bus/pci/drivers/mlx5_core/$pcidev"
	up=/lib/modules/$kver/kernel/drivers/fwctl/mlx5/mlx5_fwctl.ko
	err=$(insmod "$up" 2>&1)
	rc=$?
	[ -n "$err" ] && say "$err"
	check "insmod upstream's mlx5_fwctl.ko, built with the kernel (exit $rc)" [ "$rc" = 0 ]
	m=$(fwctl_of "$pcidev")
	check "mlx5_fwctl registered a fwctl device whose parent is $pcidev (${m:-none})" [ -n "$m" ]
	if [ -n "$m" ]; then
		check "mlx5_fwctl drives the simulator's auxiliary device" \
			bash -c 'ls -d /sys/bus/auxiliary/drivers/*mlx5_fwctl/mlx5_core.fwctl.* >/dev/null 2>&1'
		out=$("$FWCTL_TOOL" --json info "$m" 2>&1)
		rc=$?
		say "$out"
		check "FWCTL_INFO through the Rust core: an mlx5 device (exit $rc)" grep -qi mlx5 <<<"$out"
		out=$("$FWCTL_TOOL" --json mlx5 reg "$pcidev" MGIR 2>&1)
		rc=$?
		say "$out"
		check "ACCESS_REG MGIR by the PCI address, through mlx5_fwctl (exit $rc)" [ "$rc" = 0 ]
		echo configuration >"/sys/class/fwctl/$m/max_scope"
		out=$("$FWCTL_TOOL" --json mlx5 reg "$pcidev" MGIR 2>&1)
		rc=$?
		check "max_scope=configuration: the register read (DEBUG_READ_ONLY) is refused" [ "$rc" != 0 ]
	fi
	rmmod mlx5_fwctl
	sim_unbind "$pcidev"
	rmmod mlx5_sim
	check "mlx5_fwctl and the simulator unload" bash -c '! grep -qE "^(mlx5_fwctl|mlx5_sim) " /proc/modules'
fi

## Guards
unload_all
modprobe fwctl_cxl 2>/dev/null
check "fwctl_cxl does not load beside cxl_core's own fwctl" bash -c '! grep -q "^fwctl_cxl " /proc/modules'
check "... and says why" bash -c 'dmesg | grep -q "fwctl_cxl: not loading: this kernel.s cxl_core registers"'
modprobe fwctl_mlx5 2>/dev/null
check "fwctl_mlx5 does not load beside upstream's mlx5_fwctl" bash -c '! grep -q "^fwctl_mlx5 " /proc/modules'
check "... and says why" bash -c 'dmesg | grep -q "fwctl_mlx5: not loading: this kernel has upstream.s mlx5_fwctl"'
unload_all
upstream=/lib/modules/$kver/kernel/drivers/fwctl/fwctl.ko
check "upstream's fwctl.ko loads when the Rust core is not loaded" insmod "$upstream"
err=$(insmod "/lib/modules/$kver/updates/fwctl.ko" 2>&1)
rc=$?
say "$err"
check "the Rust core cannot load beside it (exit $rc)" [ "$rc" != 0 ]
check "... refused by the kernel as the same module (File exists)" grep -q "File exists" <<<"$err"
check "... and the loaded one is still upstream's" test ! -e /sys/module/fwctl/parameters/max_scope
rmmod fwctl

s=$(dmesg_splats)
[ -n "$s" ] && say "$s"
check "no splat in dmesg" [ -z "$s" ]
finish
