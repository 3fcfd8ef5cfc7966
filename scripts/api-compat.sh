#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make api-compat: the project's Rust drivers, unchanged, against the
# kernel's own Rust fwctl API (rust/kernel/fwctl.rs, kernel::fwctl) and on
# upstream's C core (Documentation/driver-api.rst).  Prints KTAP and a last
# line "N passed, N failed"; exits non-zero on any failure.
#
# The kernel compiles kernel::fwctl only with CONFIG_RUST_FWCTL_ABSTRACTIONS,
# which needs upstream's core built in (CONFIG_FWCTL=y), so this is a third
# kernel flavour, apicompat (kernel/api-compat.config: the distro flavour
# with those two options; its first build starts from the distro build).
# There:
#   1. fwctl_mlx5 and the Rust test driver fwctl_rust_test are built from
#      the repository's sources, in a copy of their own
#      ($CACHE/apicompat-tree), against the kernel's Module.symvers;
#   2. both are linted by clippy and checked to use kernel::fwctl (their ops tables' callbacks
#      are kernel::fwctl's), where the lab and distro builds of the same
#      files use the project's copy (scripts/check-distro.sh checks that);
#   3. one guest boot runs them on upstream's built-in core: the Rust API
#      kselftest (fwctl_rust_api), fwctl_mlx5's on the firmware simulator,
#      and mstflint's tools on fwctl_mlx5 (vendor.sh), then run.sh's splat
#      check of the kernel log.
# Not part of make check: it needs a kernel build of its own.
set -uo pipefail
shopt -s extglob

repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/scripts/env.sh"
export FLAVOUR=apicompat
log=$(mktemp -d /tmp/fwctl-apicompat.XXXXXX)
. "$repo/scripts/host-ktap.sh"

echo "TAP version 13"
B=$("$repo/scripts/build-kernel.sh" --print-dir)
run apicompat-kernel "$repo/scripts/build-kernel.sh" || finish
echo "# kernel $(cat "$B/include/config/kernel.release") in $B"
if grep -qx 'CONFIG_FWCTL=y' "$B/.config" && grep -qx 'CONFIG_RUST_FWCTL_ABSTRACTIONS=y' "$B/.config"; then
	ok "the kernel has upstream's core built in and kernel::fwctl"
else
	notok "the kernel has upstream's core built in and kernel::fwctl"
	finish
fi

# 1. The drivers, from the repository's sources.
T=$CACHE/apicompat-tree
copy_sources "$T" || { notok "copy the sources to $T"; finish; }
kmake() {
	make -C "$B" RUSTC="$RUSTC" BINDGEN="$BINDGEN" "$@"
}
# Clippy with the kernel's lints, warnings as errors, on the kernel::fwctl
# build of each driver (make clippy lints the other); then the real builds.
clippy=(CLIPPY=1 CLIPPY_DRIVER=/usr/bin/clippy-driver KRUSTFLAGS=-Dwarnings)
run clippy-fwctl_mlx5 kmake M="$T" "${clippy[@]}" modules
run clippy-fwctl_rust_test \
	make -C "$T/tools/testing/fwctl_rust_test" KDIR="$B" FWCTL_SYMBOLS=kernel "${clippy[@]}"
# The top-level build, as a user would run it: on this kernel it builds
# fwctl_mlx5 alone (Kbuild), saying why.
run build-fwctl_mlx5 make -C "$T" modules KDIR="$B" || finish
if grep -q "building fwctl_mlx5 only, against the kernel's kernel::fwctl" "$log/build-fwctl_mlx5.log" &&
   [ "$(cat "$T/modules.order")" = fwctl_mlx5.o ]; then
	ok "make modules builds fwctl_mlx5 alone on this kernel, saying why"
else
	notok "make modules builds fwctl_mlx5 alone on this kernel, saying why ($(tr '\n' ' ' <"$T/modules.order"))"
fi
run build-fwctl_rust_test \
	make -C "$T/tools/testing/fwctl_rust_test" KDIR="$B" FWCTL_SYMBOLS=kernel || finish
run build-mlx5_sim make -C "$T/tools/testing/mlx5_sim" KDIR="$B" || finish
run build-selftests make -C "$T/tools/testing/selftests/fwctl" || finish

# 2. The API they were built against.
api_case kernel "$T" fwctl_mlx5.ko tools/testing/fwctl_rust_test/fwctl_rust_test.ko

# 3. On upstream's core.  run.sh's own cases are counted with ours.
tests="fwctl_rust_api fwctl_mlx5 vendor.sh"
# A production-style kernel: no kmemleak, which run.sh is told.
cmd="cd $T && FWCTL_REPO=$T FWCTL_KMEMLEAK=none tools/testing/selftests/fwctl/run.sh $tests"
"$repo/scripts/guest.sh" --no-cxl --qemu-opts "-device pci-testdev,bus=pcie.0" -- "$cmd" \
	>"$log/guest.log" 2>&1
rc=$?
while IFS= read -r line; do
	case "$line" in
	# Everything here can run: a skip is a failure.
	"ok "+([0-9])" "*"# SKIP"*) notok "guest: ${line#ok +([0-9]) } (skipped)" ;;
	"ok "+([0-9])" "*) ok "guest: ${line#ok +([0-9]) }" ;;
	"not ok "+([0-9])" "*) notok "guest: ${line#not ok +([0-9]) }" ;;
	"1.."*) ;;
	"#"*) echo "$line" ;;
	*) echo "# $line" ;;
	esac
done <"$log/guest.log"
plan=$(grep -cE '^(not )?ok [0-9]+ ' "$log/guest.log")
if [ "$rc" = 0 ] && [ "$plan" -gt 0 ]; then
	ok "guest run ended normally ($plan cases; log $log/guest.log)"
else
	tail -40 "$log/guest.log" | sed 's/^/# /'
	notok "guest run ended normally (exit $rc, $plan cases; log $log/guest.log)"
fi
finish
