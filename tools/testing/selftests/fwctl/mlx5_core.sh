#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fwctl_mlx5 beside the real mlx5_core, on a machine without a ConnectX:
# mlx5_core (the test kernel's own module, with its dependencies), then
# fwctl and fwctl_mlx5 load; fwctl_mlx5 links against mlx5_core's
# exports and registers its auxiliary driver, which binds nothing; all
# three unload; no error is logged and no splat.
#
# mlx5_core comes from the running kernel's module folder (modprobe), else
# from the test kernel's build folder.  The test kernel's build does not
# sign it: under lockdown it cannot load, and the test skips.
set -u
. "$(dirname "$0")/lib.sh"
need_modules fwctl fwctl_mlx5

mlx5_ko_dir=drivers/net/ethernet/mellanox/mlx5/core
loaded=()

unload_all() {
	local m
	for m in fwctl_mlx5 fwctl "${loaded[@]}"; do
		grep -q "^$m " /proc/modules && rmmod "$m" 2>/dev/null
	done
	loaded=()
}
fail() { echo "# mlx5_core: $*"; unload_all; exit 1; }
skip() { echo "# mlx5_core: SKIP: $*"; exit 4; }

# The simulator exports mlx5_core's command symbols: never both at once.
for m in fwctl_mlx5 mlx5_sim; do
	if is_loaded "$m"; then
		rmmod "$m" || fail "cannot unload $m"
	fi
done
is_loaded mlx5_core && skip "mlx5_core is already loaded (in use by a device?)"

# Where mlx5_core.ko is: the module folder, else the test kernel's build.
ko=$(modinfo -n mlx5_core 2>/dev/null) || ko=""
kdir=""
if [ -z "$ko" ] || [ ! -e "$ko" ]; then
	kdir=$("$FWCTL_REPO/scripts/build-kernel.sh" --print-dir 2>/dev/null) || kdir=""
	ko=$kdir/$mlx5_ko_dir/mlx5_core.ko
	[ -e "$ko" ] || skip "no mlx5_core.ko (CONFIG_MLX5_CORE=m) for $(uname -r)"
fi
echo "# mlx5_core.ko: $ko"

lock=$(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/security/lockdown 2>/dev/null)
if [ -n "$lock" ] && [ "$lock" != none ] &&
   ! tail -c 28 "$(readlink -f "$ko")" | grep -q 'Module signature appended'; then
	skip "mlx5_core.ko is not signed and lockdown is $lock"
fi

fwctl_before=$(ls /sys/class/fwctl 2>/dev/null | wc -l)
dmesg_mark

# mlx5_core and whatever it needs.
if [ -z "$kdir" ]; then
	for m in $(modprobe --show-depends mlx5_core 2>/dev/null |
		   sed -n 's|^insmod .*/\([^/]*\)\.ko.*|\1|p'); do
		is_loaded "$m" || loaded=("$m" "${loaded[@]}")
	done
	modprobe mlx5_core || fail "modprobe mlx5_core failed"
else
	for dep in $(modinfo -F depends "$ko" | tr ',' ' '); do
		is_loaded "$dep" && continue
		dko=$(find "$kdir" -name "$dep.ko" -print -quit)
		[ -n "$dko" ] || fail "no $dep.ko (needed by mlx5_core) in $kdir"
		insmod "$dko" || fail "insmod $dko failed"
		loaded=("$dep" "${loaded[@]}")
	done
	insmod "$ko" || fail "insmod $ko failed"
	loaded=(mlx5_core "${loaded[@]}")
fi
is_loaded mlx5_core || fail "mlx5_core is not in /proc/modules"

for m in fwctl fwctl_mlx5; do
	insmod "$(ko $m)" || fail "insmod $m failed"
	is_loaded "$m" || fail "$m is not in /proc/modules after insmod"
done

# fwctl_mlx5 uses mlx5_core's command interface, and its driver waits on
# the auxiliary bus for a device that no ConnectX brings.
[ -e /sys/module/mlx5_core/holders/fwctl_mlx5 ] ||
	fail "fwctl_mlx5 does not hold mlx5_core (not linked against it?)"
drv=$(ls -d /sys/bus/auxiliary/drivers/fwctl_mlx5* 2>/dev/null | head -1)
[ -n "$drv" ] || fail "no fwctl_mlx5 driver on the auxiliary bus"
echo "# auxiliary driver: ${drv##*/}"
bound=$(ls "$drv" | grep -c '^mlx5_core\.')
[ "$bound" = 0 ] || fail "$bound device(s) bound without a ConnectX"
fwctl_now=$(ls /sys/class/fwctl 2>/dev/null | wc -l)
[ "$fwctl_now" = "$fwctl_before" ] ||
	fail "fwctl devices went from $fwctl_before to $fwctl_now"

for m in fwctl_mlx5 fwctl "${loaded[@]}"; do
	rmmod "$m" || fail "rmmod $m failed"
done
unloaded=("${loaded[@]}")
loaded=()
for m in fwctl_mlx5 fwctl "${unloaded[@]}"; do
	! is_loaded "$m" || fail "$m is still loaded"
done

# Errors (log level err or worse) from any of them, and splats.
errs=$(dmesg -r | awk -v m="$FWCTL_MARK" 'found {print} index($0, m) {found=1}' |
       awk -F'[<>]' '$2 != "" && $2 % 8 <= 3' | grep -iE 'mlx5|fwctl' || true)
[ -z "$errs" ] || fail "errors logged: $errs"
s=$(dmesg_splats)
[ -z "$s" ] || fail "splat in dmesg: $s"
exit 0
