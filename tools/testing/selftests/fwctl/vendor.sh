#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fwctl-selftest: ktap
#
# The vendor tools operators run, against the modules: NVIDIA's mstflint
# (>= 4.33: mstreg, mstfwctrl) on the mlx5 firmware simulator, and a
# program on ndctl's libcxl (>= 82, fwctl_libcxl.c) on a CXL memdev.  The
# packages are Debian's (scripts/vendor-tools.sh fetches them into
# FWCTL_VENDOR_ROOT); they need their release's glibc, so mstflint runs
# chrooted into that tree and fwctl_libcxl with the tree's dynamic loader.
#
# mlx5: the simulator drives a PCI function (QEMU's pci-testdev, bound by
# driver_override to its PCI driver, named mlx5_core as the real one), so
# the fwctl device's parent is a PCI function driven by mlx5_core, as on a
# ConnectX.  The fwctl driver is fwctl_mlx5, or upstream's mlx5_fwctl on a
# kernel that has it (the distro flavour, where fwctl_mlx5 stands aside):
#   - mstreg reads MGIR by name and decodes the simulator's values;
#   - a write to MGIR (read-only) fails with the firmware's status;
#   - mstfwctrl reports the open context's uid and capabilities, the PCI
#     parent and the device type;
#   - with the device's max_scope below debug_write_full (mstflint sends
#     every RPC at that scope), or under lockdown, mstreg fails cleanly and
#     the refusal is counted where the core says.
# CXL: mem0 (QEMU's type-3 device with fwctl_cxl; cxl_test's mock with
# upstream's cxl_core on the distro flavour):
#   - libcxl finds mem0's fwctl device; fwctl_libcxl opens it by
#     /dev/char/MAJ:MIN and by /dev/fwctl/fwctlN and runs Get Supported
#     Features; the features agree with what the fwctl tool lists;
#   - with max_scope none, open() fails with EPERM, reported as such.
#
# Environment: FWCTL_VENDOR_ROOT (default ~/.cache/fwctl-rs/vendor/root),
# FWCTL_TOOL (the fwctl binary; default target/release/fwctl), FWCTL_SIM
# (mlx5_sim.ko; default the build tree's).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

check() { ktap_check "$@"; }
# all CONDITION...: every condition (shell text, evaluated here) holds.
all() { local c; for c in "$@"; do eval "$c" || return 1; done; }
# match TEXT ERE: whether a line of TEXT matches ERE; BASH_REMATCH holds
# its groups.  Bash only, here and below: in the test guest every program
# started (sed, grep, ...) costs half a second.
match() { local l; while IFS= read -r l; do [[ $l =~ $2 ]] && return 0; done <<<"$1"; return 1; }
notok() { ktap_notok "$@"; }
say() { ktap_say "$@"; }

VR=${FWCTL_VENDOR_ROOT:-$HOME/.cache/fwctl-rs/vendor/root}
# mstflint's chroot: the script runs in a mount namespace of its own
# (re-executed under unshare), where the tree gets /dev, /proc, /sys and a
# private /tmp once (mounting them per call costs seconds in the
# test guest); they go with the namespace when the script ends.
if [ -z "${FWCTL_VENDOR_NS:-}" ]; then
	FWCTL_VENDOR_NS=1 exec unshare -m --propagation private "$0" "$@"
fi
TOOL=${FWCTL_TOOL:-$FWCTL_REPO/target/release/fwctl}
SIM=${FWCTL_SIM:-$(ko mlx5_sim)}
# The simulator's count of commands run (mlx5_sim.h).
MLX5_SIM_COMMANDS=/sys/kernel/mlx5_sim/commands
LIBCXL_PROG=$here/fwctl_libcxl
kver=$(</proc/sys/kernel/osrelease)
echo "TAP version 13"
if [ ! -x "$VR/usr/bin/mstreg" ] || [ ! -e "$VR/usr/lib/x86_64-linux-gnu/libcxl.so.1" ]; then
	echo "ok 1 vendor tools # SKIP not in $VR (scripts/vendor-tools.sh fetches them)"
	echo "1..1"
	exit 4
fi
# The simulator is never installed, the drivers are where the kernel
# lacks its own (fwctl_mlx5, fwctl_cxl), or the kernel's.
need_modules fwctl mlx5_sim
versions=""
while read -r p v; do
	[[ $p = mstflint || $p = libcxl1 ]] && versions+="$p $v "
done <"$VR/../VERSIONS"
say "${versions:-no $VR/../VERSIONS}"
if ! { mount --rbind /dev "$VR/dev" && mount -t proc proc "$VR/proc" &&
       mount --rbind /sys "$VR/sys" && mount -t tmpfs tmpfs "$VR/tmp"; }; then
	echo "not ok 1 vendor tools: cannot mount /dev, /proc, /sys, /tmp into $VR"
	echo "1..1"
	exit 1
fi
# mst TOOL ARGS...: a tool of mstflint, chrooted into its release's tree;
# bounded: a tool that hangs fails its case rather than the run.
mst() { timeout --kill-after=5 120 chroot "$VR" "$@"; }

locked=none
[[ -r /sys/kernel/security/lockdown && $(</sys/kernel/security/lockdown) =~ \[([a-z]+)\] ]] &&
	locked=${BASH_REMATCH[1]}
say "lockdown: $locked"

# upstream: this kernel has upstream's fwctl drivers (fwctl_cxl and
# fwctl_mlx5 stand aside there, and the Rust core replaces fwctl.ko).
upstream=0 up_drv=""
for f in /lib/modules/"$kver"/kernel/drivers/fwctl/mlx5/mlx5_fwctl.ko*; do
	[ -e "$f" ] && upstream=1 up_drv=$f
done

# builtin: upstream's core is built into this kernel (CONFIG_FWCTL=y, the
# api-compat flavour): the class is there with no fwctl module loaded.  The
# mlx5 part then runs fwctl_mlx5, built against the kernel's own Rust fwctl
# API, on upstream's core; the Rust core's counters and max_scope are not
# there, and the CXL part is not run (fwctl_cxl needs the Rust core).
builtin=0
[ -d /sys/class/fwctl ] && ! is_loaded fwctl && builtin=1
[ "$builtin" = 1 ] && say "upstream's fwctl core is built into this kernel"

unload_all() {
	unload_modules fwctl_mlx5 mlx5_fwctl mlx5_sim fwctl_cxl 2>/dev/null
	if [ "$upstream" = 1 ]; then
		# shellcheck disable=SC2086
		loaded $CXL_TEST_MODULES
		for m in "${LOADED[@]}"; do
			modprobe -r "$m" 2>/dev/null
		done
	fi
	unload_modules fwctl 2>/dev/null
	return 0
}
finish() {
	[ -z "${pcidev:-}" ] || sim_unbind "$pcidev"
	unload_all
	ktap_plan
	exit $?
}


# libcxl_prog ARGS...: fwctl_libcxl with its release's loader and libraries.
libcxl_prog() {
	"$VR/usr/lib64/ld-linux-x86-64.so.2" --library-path "$VR/usr/lib/x86_64-linux-gnu" \
		"$LIBCXL_PROG" "$@"
}
# field OUTPUT NAME: v, the value of mstreg's first "NAME | 0x..." line.
field() { v=""; match "$1" "^$2 +\\| +(0x[0-9a-fA-F]+)" && v=${BASH_REMATCH[1]}; }

unload_all
dmesg_mark

################################################################ mlx5
pcidev=$(pci_testdev)
check "a PCI function for the simulator (QEMU pci-testdev: ${pcidev:-none})" [ -n "$pcidev" ]
fw=""
if [ -n "$pcidev" ]; then
	if [ "$upstream" = 1 ]; then
		check "modprobe fwctl (the Rust core)" modprobe fwctl
		drv=$up_drv
	elif [ "$builtin" = 1 ]; then
		check "no fwctl module: upstream's core is built in" [ ! -e /sys/module/fwctl/parameters/max_scope ]
		drv=$(ko fwctl_mlx5)
	else
		check "insmod fwctl (the Rust core)" insmod "$(ko fwctl)"
		drv=$(ko fwctl_mlx5)
	fi
	check "insmod mlx5_sim ndevs=0 (standing in for mlx5_core)" insmod "$SIM" ndevs=0
	sim_bind "$pcidev"
	check "the simulator drives $pcidev as mlx5_core" test -e "/sys/bus/pci/drivers/mlx5_core/$pcidev"
	check "insmod ${drv##*/}" insmod "$drv"
	fw=$(fwctl_of "$pcidev")
	check "${drv##*/} registered a fwctl device whose parent is $pcidev (${fw:-none})" [ -n "$fw" ]
fi
if [ -n "$fw" ]; then
	if [ "$locked" = none ]; then
		## mstreg
		out=$(mst mstreg -d "$fw" --get --reg_name MGIR 2>&1)
		rc=$?
		say "$out"
		check "mstreg -d $fw --get --reg_name MGIR (exit $rc)" [ "$rc" = 0 ]
		field "$out" device_id
		check "mstreg decodes MGIR's device_id: 0x1021, ConnectX-7 (${v:-none})" \
			[ "$((v))" = $((0x1021)) ]
		field "$out" hw_dev_id
		check "... its hw_dev_id: 0x218 (${v:-none})" [ "$((v))" = $((0x218)) ]
		field "$out" extended_major
		check "... the firmware version 28.41.1000 (major ${v:-none})" [ "$((v))" = 28 ]
		field "$out" extended_minor
		check "... minor (${v:-none})" [ "$((v))" = 41 ]
		field "$out" extended_sub_minor
		check "... sub-minor (${v:-none})" [ "$((v))" = 1000 ]

		## a write to a read-only register: the firmware's status
		before=$(<"$MLX5_SIM_COMMANDS")
		out=$(mst mstreg -d "$fw" --reg_id 0x9020 --reg_len 0xa0 --set "0x0.0:16=0x1" --yes 2>&1)
		rc=$?
		say "$out"
		check "mstreg --set on MGIR (read only) fails, not a crash (exit $rc)" [ "$rc" = 1 ]
		check "... with the firmware's status, as mstflint names it" \
			match "$out" "Failed.*send access register: Register access"
		check "... the RPC reached the firmware (the simulator's command count moved)" \
			[ "$(<"$MLX5_SIM_COMMANDS")" != "$before" ]

		## mstfwctrl
		out=$(mst mstfwctrl "$fw" 2>&1)
		rc=$?
		say "$out"
		check "mstfwctrl $fw (exit $rc)" [ "$rc" = 0 ]
		check "... the device: ID 0x218, a ConnectX7" \
			all 'match "$out" "^device ID: 0x218$"' 'match "$out" "^device type: ConnectX7$"'
		check "... its parent: the PCI function $pcidev" match "$out" "^Parent dev: .*/$pcidev\$"
		uid=""
		match "$out" "^UCTX UID: *([0-9]+)" && uid=${BASH_REMATCH[1]}
		check "... the open context's firmware uid (${uid:-none})" [ "${uid:-0}" != 0 ]
		caps=""
		match "$out" "^UCTX CAP: *(0x[0-9a-fA-F]+)" && caps=${BASH_REMATCH[1]}
		# As upstream's driver: the context asks the firmware for
		# TOOLS_RESOURCES (0x4), which the simulator's uctx_cap offers.
		check "... its capabilities: TOOLS_RESOURCES (${caps:-none})" [ "$((${caps:-0}))" = 4 ]
	fi
fi
## refusals: max_scope (and lockdown), at mstflint's scope; not on upstream's
## core, which has neither max_scope nor counters
if [ -n "$fw" ] && [ "$builtin" = 0 ]; then
	if [ "$locked" = none ]; then
		echo debug_write >"/sys/class/fwctl/$fw/max_scope"
		field_n=$REFUSED_POLICY why="max_scope debug_write"
	else
		field_n=$REFUSED_LOCKDOWN why="lockdown $locked"
	fi
	refused_count "$fw" "$field_n"; before=$n
	say "rpcs_refused before: $(<"/sys/class/fwctl/$fw/rpcs_refused")"
	out=$(mst mstreg -d "$fw" --get --reg_name MGIR 2>&1)
	rc=$?
	say "$out"
	say "rpcs_refused after: $(<"/sys/class/fwctl/$fw/rpcs_refused")"
	check "$why: mstreg fails cleanly, neither a hang nor a crash (exit $rc)" [ "$rc" = 1 ]
	check "... it cannot read the device id (mstflint's message)" match "$out" "Failed to read device ID"
	refused_count "$fw" "$field_n"; after=$n
	check "... the core refused it with EPERM and counted it ($before -> $after)" [ "$after" -gt "$before" ]
fi
unload_modules fwctl_mlx5 mlx5_fwctl 2>/dev/null
[ -z "$pcidev" ] || sim_unbind "$pcidev"
unload_modules mlx5_sim 2>/dev/null

################################################################ CXL
if [ "$builtin" = 1 ]; then
	say "CXL: not run on a built-in core (fwctl_cxl needs the Rust core)"
	finish
fi
if [ "$upstream" = 1 ]; then
	is_loaded fwctl || modprobe fwctl
	check "modprobe cxl_test cxl_mock_mem (upstream's cxl_core)" \
		bash -c 'modprobe cxl_test && modprobe cxl_mock_mem'
else
	is_loaded fwctl || insmod "$(ko fwctl)"
	check "insmod fwctl_cxl $CXL_LAB_PARAMS" insmod "$(ko fwctl_cxl)" $CXL_LAB_PARAMS
fi
d=$(cxl_wait_fwctl)
cfw=${d##*/}
check "mem0's fwctl device (${d:-none})" [ "${d%/fwctl/*}" = /sys/bus/cxl/devices/mem0 ]
if [ -n "$cfw" ]; then
	devno=$(<"$d/dev")
	# /dev/char/MAJ:MIN is udev's; the lab guest stops udev before the
	# tests, so make the link as udev would.
	if [ ! -e "/dev/char/$devno" ]; then
		mkdir -p /dev/char && ln -sf "../fwctl/$cfw" "/dev/char/$devno"
		say "udev is stopped: /dev/char/$devno made as udev makes it"
	fi
	if [ "$locked" = none ]; then
		# The UUIDs in the tool's JSON, in its order.
		json=$("$TOOL" --json cxl features mem0 2>&1)
		want=""
		while [[ $json =~ \"uuid\":\ *\"([0-9a-f-]+)\" ]]; do
			want+="${BASH_REMATCH[1]} "
			json=${json#*"${BASH_REMATCH[0]}"}
		done
		say "fwctl cxl features mem0: ${want:-none}"
	fi
	for how in char node; do
		out=$(libcxl_prog mem0 "$how" 2>&1)
		rc=$?
		say "$out"
		check "libcxl: mem0's fwctl is $devno ($cfw), opened by $how, Get Supported Features (exit $rc)" \
			all "[ $rc = 0 ]" "match \"\$out\" '^fwctl $devno $cfw\$'"
	done
	got="" k=0 n=""
	while IFS= read -r l; do
		[[ $l =~ ^feature\ ([0-9a-f-]+)\  ]] && got+="${BASH_REMATCH[1]} " && k=$((k + 1))
		[[ $l =~ ^supported_features\ ([0-9]+)$ ]] && n=${BASH_REMATCH[1]}
	done <<<"$out"
	check "... ${n:-no} feature(s), every entry returned" \
		all "[ ${n:-0} -ge 1 ]" "[ $k = ${n:-0} ]"
	if [ "$locked" = none ]; then
		# (Both in the device's order.)
		check "... the same features as the fwctl tool lists" all '[ -n "$want" ]' '[ "$got" = "$want" ]'
		echo none >"/sys/class/fwctl/$cfw/max_scope"
		out=$(libcxl_prog mem0 node 2>&1)
		rc=$?
		say "$out"
		check "max_scope none: open() refused, reported as EPERM (exit $rc)" \
			all "[ $rc = 3 ]" 'match "$out" EPERM'
	fi
fi
s=$(dmesg_splats)
check "no splat" [ -z "$s" ] || say "$s"
finish
