#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of `make bench`: in one boot, runs fwctl_bench on the Rust
# core and on upstream's C core, one at a time since both are the module
# "fwctl" (same class, same exported symbols).  The same fwctl_test.ko
# runs on both, and the same CXL driver: on the distribution-style kernel
# (FWCTL_MODROOT set), the kernel's own cxl_core on the kernel's CXL mock
# (cxl_test), fwctl_test being built against the kernel's Module.symvers so
# that it loads on either core; on the debug kernel (no MODVERSIONS),
# fwctl_cxl on QEMU's CXL device.
#
#   bench-guest.sh OUTDIR REF_KO
#
# Under QEMU's -icount (FWCTL_BENCH_ICOUNT=1) every figure is exact, and
# the micro-benchmarks run twice on each core, Rust C C Rust, to show it.
# Otherwise (wall-clock time) six times, Rust C C Rust Rust C C Rust Rust C
# C Rust, so that a steady drift over the boot weighs on both cores alike
# and a burst of load on the host spoils a run or two of either, not a
# core's figure.  scale and cxl run once on each core, after its first
# micro-benchmark.  Writes OUTDIR/{micro-rust-N,micro-c-N,scale-*,cxl-*}.json
# and OUTDIR/guest.txt; fails on any kernel splat.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
. "$repo/tools/testing/selftests/fwctl/lib.sh"

out=$1 ref_ko=$2
bench=$here/fwctl_bench
rust_ko=$(ko fwctl)
test_ko=$(ko fwctl_test)
cxl_ko=$(ko fwctl_cxl)
distro=${FWCTL_MODROOT:+1}
t0=$(date +%s)

log() { printf '[%4d s] %s\n' $(( $(date +%s) - t0 )) "$*" >&2; }

if [ -n "$distro" ]; then
	# The staged module tree is the system's: modprobe cxl_test finds the
	# kernel's CXL stack and mock, and takes whichever fwctl is loaded.
	use_modroot "$FWCTL_MODROOT"
fi

unload_all() {
	# shellcheck disable=SC2086
	unload_modules fwctl_test fwctl_cxl $CXL_TEST_MODULES fwctl
}

load_core() { # rust|c
	unload_all
	case "$1" in
	rust) insmod "$rust_ko" ;;
	c) insmod "$ref_ko" ;;
	esac
	# The Rust core has a max_scope parameter; upstream's has none.
	local which=c
	[ -e /sys/module/fwctl/parameters/max_scope ] && which=rust
	[ "$which" = "$1" ] || { log "loaded the $which core, not $1"; exit 1; }
	log "core $1 loaded"
}

micro() { # NAME
	insmod "$test_ko" ndevs=8 shared_parent=1 copy_floor=1
	log "micro $1"
	"$bench" micro "$out/micro-$1.json"
	rmmod fwctl_test
}

scale() { # CORE
	insmod "$test_ko" ndevs=0 shared_parent=1
	log "scale $1"
	"$bench" scale "$out/scale-$1.json"
	rmmod fwctl_test
}

cxl() { # CORE
	if [ -n "$distro" ]; then
		modprobe cxl_test && modprobe cxl_mock_mem && cxl_wait_fwctl >/dev/null ||
			{ log "cxl $1: no fwctl device from cxl_core on cxl_test"; exit 1; }
		log "cxl $1 (cxl_core on cxl_test)"
		"$bench" cxl "$out/cxl-$1.json"
		# shellcheck disable=SC2086
		unload_modules $CXL_TEST_MODULES
		return
	fi
	if ! ls /sys/bus/cxl/devices/ 2>/dev/null | grep -q '^mem'; then
		log "cxl $1: no CXL memdev in this guest, skipped"
		"$bench" cxl "$out/cxl-$1.json"
		return
	fi
	insmod "$cxl_ko" $CXL_LAB_PARAMS
	log "cxl $1 (fwctl_cxl on QEMU's device)"
	"$bench" cxl "$out/cxl-$1.json"
	rmmod fwctl_cxl
}

{
	echo "kernel: $(uname -r)"
	echo "cmdline: $(cat /proc/cmdline)"
	echo "cpus: $(nproc)"
	echo "icount: ${FWCTL_BENCH_ICOUNT:-0}"
	echo "lockdown: $(cat /sys/kernel/security/lockdown 2>/dev/null || echo n/a)"
	echo "rust core: $rust_ko"
	echo "c core: $ref_ko"
	grep -m1 'model name' /proc/cpuinfo || true
} >"$out/guest.txt"

# udev has nothing to do here; thousands of uevents would compete with
# the measurements.
pkill -x systemd-udevd 2>/dev/null || true
unload_all
dmesg_mark

load_core rust
if [ "${FWCTL_BENCH_FILL:-0}" = 1 ]; then
	# KASAN's quarantine full from the start, for both cores alike (see
	# fwctl_bench.c); scripts/bench.sh asks for it on the debug kernel.
	insmod "$test_ko" ndevs=1
	log "fill"
	"$bench" fill
	rmmod fwctl_test
fi
micro rust-1
scale rust
cxl rust
load_core c
micro c-1
scale c
cxl c
micro c-2
if [ "${FWCTL_BENCH_ICOUNT:-0}" = 1 ]; then
	load_core rust
	micro rust-2
else
	for i in 2 4; do
		load_core rust
		micro rust-$i
		micro rust-$((i + 1))
		load_core c
		micro c-$((i + 1))
		micro c-$((i + 2))
	done
	load_core rust
	micro rust-6
fi
unload_all
log "done"

s=$(dmesg_splats)
if [ -n "$s" ]; then
	echo "kernel splat during the benchmark:" >&2
	printf '%s\n' "$s" | head -40 >&2
	printf '%s\n' "$s" >"$out/splats.txt"
	exit 1
fi
