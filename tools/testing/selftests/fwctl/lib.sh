# SPDX-License-Identifier: GPL-2.0
# Helpers for the fwctl kselftests; sourced by run.sh and the shell tests.

FWCTL_REPO=${FWCTL_REPO:-$(cd "${BASH_SOURCE[0]%/*}/../../../.." && pwd)}

# What counts as a splat in dmesg: run.sh reports them under the test that
# made them, and its final case fails if any appeared during the run.
# (Not the word "lockdep" alone: the boot banner says "RCU lockdep checking
# is enabled"; a lockdep report has its own lines below, and afterwards
# "lockdep is turned off".)
SPLAT_RE='printk messages dropped|BUG:|WARNING:|KASAN:|UBSAN:|unreferenced object|possible circular locking|possible recursive locking|inconsistent lock state|lockdep is turned off|suspicious RCU|Oops|general protection fault|Kernel panic|panicked at|rust_panic|refcount_t:|list_add corruption|list_del corruption|list corrupted|stack-protector|hung_task|blocked for more than'

# ko NAME: the path of one of the project's modules.  In the lab's guest
# (FWCTL_LAB=1) the build tree's; elsewhere the installed one, as modprobe
# finds it (make install or dkms), else the build tree's.
ko() {
	if [ "${FWCTL_LAB:-0}" != 1 ] && modinfo -n "$1" 2>/dev/null; then
		return 0
	fi
	case "$1" in
	fwctl) echo "$FWCTL_REPO/fwctl.ko" ;;
	fwctl_cxl) echo "$FWCTL_REPO/fwctl_cxl.ko" ;;
	fwctl_mlx5) echo "$FWCTL_REPO/fwctl_mlx5.ko" ;;
	fwctl_rust_test|mlx5_sim) echo "$FWCTL_REPO/tools/testing/$1/$1.ko" ;;
	*) echo "$FWCTL_REPO/tools/testing/fwctl_test/$1.ko" ;;
	esac
}

# need_modules MOD...: outside the lab, a test whose modules are not
# installed (the test drivers and the simulator never are) skips: exit 4.
need_modules() {
	local m
	[ "${FWCTL_LAB:-0}" = 1 ] && return 0
	for m in "$@"; do
		[ -e "$(ko "$m")" ] || { echo "# SKIP: module $m is not installed (nor built here)"; exit 4; }
	done
}

# loaded MOD...: sets LOADED to those of MOD... that are in /proc/modules,
# in the order given.  Bash only (one read of the file): in the guest every
# program started is read from the host.
loaded() {
	local m mods=$'\n'"$(</proc/modules)"
	LOADED=()
	for m in "$@"; do
		[[ $mods == *$'\n'"$m "* ]] && LOADED+=("$m")
	done
	return 0
}

# is_loaded MOD: whether MOD is in /proc/modules.
is_loaded() { loaded "$1"; [ ${#LOADED[@]} = 1 ]; }

# unload_modules MOD...: one rmmod of those of MOD... that are loaded, in
# the order given (dependents first); its status.
unload_modules() {
	loaded "$@"
	[ ${#LOADED[@]} = 0 ] || rmmod "${LOADED[@]}"
}

# Fields of a device's rpcs_refused, from 0: too_long bad_scope no_rawio
# lockdown policy (Documentation/policy.rst).
REFUSED_LOCKDOWN=3 REFUSED_POLICY=4
# refused_count FWCTLN FIELD: sets n to that field of FWCTLN's rpcs_refused.
refused_count() { local f; read -ra f <"/sys/class/fwctl/$1/rpcs_refused"; n=${f[$2]}; }

# use_modroot ROOT: the staged module tree ROOT/lib/modules/KVER becomes
# the system's, as an installed system has it (virtme-ng's /lib/modules is
# a tmpfs holding a link to the kernel's build tree); modprobe then
# resolves fwctl as depmod did there.
use_modroot() {
	local kver
	kver=$(uname -r)
	ln -sfn "$1/lib/modules/$kver" "/lib/modules/$kver" 2>/dev/null ||
		{ mount -t tmpfs tmpfs /lib/modules &&
		  ln -s "$1/lib/modules/$kver" "/lib/modules/$kver"; }
}

# fwctl_cxl's parameters in the lab (fwctl_lib.h's CXL_LAB_PARAMS): QEMU's
# type-3 device has only patrol scrub and ECS, which upstream (and
# fwctl_cxl by default) reserves to the kernel, so that without this the
# memdev gets no fwctl device at all.
CXL_LAB_PARAMS="expose_kernel_features=1"

# The kernel's CXL stack as cxl_test loads it, dependents first.
CXL_TEST_MODULES="cxl_mock_mem cxl_test cxl_mem cxl_acpi cxl_pmem cxl_port cxl_mock dax_hmem
		  cxl_translate cxl_mock_accel cxl_core"

# sim_bind PCIDEV, sim_unbind PCIDEV: the mlx5 simulator (loaded) takes the
# PCI function PCIDEV as its mlx5_core PCI driver, by driver_override, and
# lets it go.
sim_bind() {
	echo mlx5_core >"/sys/bus/pci/devices/$1/driver_override"
	echo "$1" >/sys/bus/pci/drivers_probe
}
sim_unbind() {
	[ -e "/sys/bus/pci/drivers/mlx5_core/$1" ] && echo "$1" >/sys/bus/pci/drivers/mlx5_core/unbind
	echo >"/sys/bus/pci/devices/$1/driver_override"
}

# fwctl_of PARENT: the name (fwctlN) of the fwctl device whose parent is
# the device PARENT (e.g. a PCI address); empty if none.
fwctl_of() {
	local d t
	for d in /sys/class/fwctl/fwctl*; do
		t=$(readlink -f "$d/device")
		[ "${t##*/}" = "$1" ] && { echo "${d##*/}"; return 0; }
	done
}

# dmesg_mark: a marker in the kernel log; dmesg_since_mark prints what came after.
dmesg_mark() {
	FWCTL_MARK="fwctl-selftest-mark-$$-$RANDOM"
	echo "$FWCTL_MARK" >/dev/kmsg
}
dmesg_since_mark() {
	dmesg | awk -v m="$FWCTL_MARK" 'found {print} index($0, m) {found=1}'
}
# dmesg_splats: the splat lines since the mark (empty when clean).  Fails
# closed: a log that no longer holds the mark (the ring buffer overran, or
# records were lost) cannot show there was no splat, and says so.
dmesg_splats() {
	# One awk, not a pipe of three programs: each costs in the guest.
	dmesg | awk -v m="$FWCTL_MARK" -v re="$SPLAT_RE" \
		'found && $0 ~ re && index($0, "fwctl-selftest") == 0 {print}
		 index($0, m) {found = 1}
		 END { if (!found) print "fwctl-selftest: the kernel log lost the mark " m \
			" (ring buffer overrun or records lost): a splat cannot be ruled out" }'
}

ensure_debugfs() {
	[ -e /sys/kernel/debug/kmemleak ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null || true
}

# KTAP for shell tests that print their own cases ("# fwctl-selftest:
# ktap"): ktap_check DESCRIPTION CMD... is one case, passed when CMD
# succeeds; ktap_say comments every line of its text; ktap_plan prints the
# plan and returns whether every case passed.
ktap_n=0 ktap_failures=0
ktap_ok() { ktap_n=$((ktap_n + 1)); echo "ok $ktap_n $*"; }
ktap_notok() { ktap_n=$((ktap_n + 1)); ktap_failures=$((ktap_failures + 1)); echo "not ok $ktap_n $*"; }
ktap_check() {
	local d=$1; shift
	if "$@"; then ktap_ok "$d"; else ktap_notok "$d"; fi
}
ktap_say() { local l; while IFS= read -r l; do printf '# %s\n' "$l"; done <<<"$*"; }
ktap_plan() { echo "1..$ktap_n"; [ "$ktap_failures" = 0 ]; }

# pci_testdev: the PCI address of QEMU's pci-testdev (1b36:0005), the
# function the mlx5 simulator drives as a ConnectX; empty if none.
pci_testdev() {
	local d
	for d in /sys/bus/pci/devices/*; do
		if [ "$(<"$d/vendor")" = 0x1b36 ] && [ "$(<"$d/device")" = 0x0005 ]; then
			echo "${d##*/}"
			return 0
		fi
	done
}

# cxl_wait_fwctl: the first CXL memdev's fwctl device directory
# (/sys/bus/cxl/devices/memN/fwctl/fwctlM), waiting up to 30 s for its
# driver to probe; empty if none appears.
cxl_wait_fwctl() {
	local d i
	for i in $(seq 60); do
		for d in /sys/bus/cxl/devices/mem*/fwctl/fwctl*; do
			[ -e "$d" ] && { echo "$d"; return 0; }
		done
		sleep 0.5
	done
	return 1
}
