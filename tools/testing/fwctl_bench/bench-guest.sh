#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of `make bench`: in one boot, runs fwctl_bench on the Rust
# core (fwctl.ko) and on upstream's C core (fwctl.ko, built from the
# kernel tree by scripts/bench.sh), one at a time since both register the
# class "fwctl" and export the same symbols.  The same fwctl_test.ko and
# fwctl_cxl.ko run on both: they use include/linux/fwctl.h only, and with
# no MODVERSIONS their symbols resolve by name at load.
#
#   bench-guest.sh OUTDIR REF_KO
#
# The micro-benchmarks run six times on each core, in the order
#   Rust C C Rust Rust C C Rust Rust C C Rust
# so that a steady drift over the boot weighs on both cores alike (the mean
# position of either core's runs is the same) and a burst of load on the
# host spoils a run or two of either, not a core's figure; scale and cxl
# run once on each core, after its first micro-benchmark.
# Writes OUTDIR/{micro-rust-1..6,micro-c-1..6,scale-*,cxl-*}.json and
# OUTDIR/guest.txt; fails on any kernel splat.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
. "$repo/tools/testing/selftests/fwctl/lib.sh"

out=$1 ref_ko=$2
bench=$here/fwctl_bench
rust_ko=$(ko fwctl)
test_ko=$(ko fwctl_test)
cxl_ko=$(ko fwctl_cxl)
t0=$(date +%s)

log() { printf '[%4d s] %s\n' $(( $(date +%s) - t0 )) "$*" >&2; }

load_core() { # rust|c
	unload_modules fwctl_test fwctl_cxl fwctl
	case "$1" in
	rust) insmod "$rust_ko" ;;
	c) insmod "$ref_ko" ;;
	esac
	log "core $1 loaded: $(grep -oE '^fwctl(_core)? ' /proc/modules | tr -d ' ')"
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
	if ! ls /sys/bus/cxl/devices/ 2>/dev/null | grep -q '^mem'; then
		log "cxl $1: no CXL memdev in this guest, skipped"
		"$bench" cxl "$out/cxl-$1.json"
		return
	fi
	insmod "$cxl_ko"
	log "cxl $1"
	"$bench" cxl "$out/cxl-$1.json"
	rmmod fwctl_cxl
}

{
	echo "kernel: $(uname -r)"
	echo "cmdline: $(cat /proc/cmdline)"
	echo "cpus: $(nproc)"
	echo "lockdown: $(cat /sys/kernel/security/lockdown 2>/dev/null || echo n/a)"
	grep -m1 'model name' /proc/cpuinfo || true
} >"$out/guest.txt"

# udev has nothing to do here; thousands of uevents would compete with
# the measurements.
pkill -x systemd-udevd 2>/dev/null || true
dmesg_mark

load_core rust
# KASAN's quarantine full from the start, for both cores alike (see
# fwctl_bench.c).
insmod "$test_ko" ndevs=1
log "fill"
"$bench" fill
rmmod fwctl_test
micro rust-1
scale rust
cxl rust
load_core c
micro c-1
scale c
cxl c
micro c-2
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
unload_modules fwctl_test fwctl_cxl fwctl
log "done"

s=$(dmesg_splats)
if [ -n "$s" ]; then
	echo "kernel splat during the benchmark:" >&2
	printf '%s\n' "$s" | head -40 >&2
	printf '%s\n' "$s" >"$out/splats.txt"
	exit 1
fi
