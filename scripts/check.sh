#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: host unit tests, the test kernel, the modules, then the
# kselftests in guest boots (one per configuration).  Ends with one line
# "N passed, N failed" summing every suite; exits non-zero on any failure.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
. scripts/env.sh

passed=0 failed=0 skipped=0
log=$(mktemp -d /tmp/fwctl-check.XXXXXX)
t0=$(date +%s)
step() { printf '\n=== %s (at %d s)\n' "$*" $(( $(date +%s) - t0 )); }
summary() {
	echo
	echo "make check took $(( $(date +%s) - t0 )) s"
	# The lab provides everything every test needs: a skip here is a test
	# that did not run (a missing device, a busy module, a filter that
	# matched nothing), and fails the run.
	if [ "$skipped" -gt 0 ]; then
		echo "FAILED: $skipped test(s) skipped (the SKIP lines above): every test must run in the lab"
		failed=$((failed + skipped))
	fi
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit $?
}
# A step that has no countable tests of its own counts as one test.
must() { # must NAME CMD...
	local name=$1; shift
	if "$@" >"$log/$name.log" 2>&1; then
		echo "ok: $name"
		return 0
	fi
	tail -40 "$log/$name.log"
	echo "FAILED: $name (log: $log/$name.log)"
	failed=$((failed + 1))
	summary
}

step "setup"
must setup scripts/setup.sh

step "host unit tests (cargo test)"
# --include-ignored: the tests that need what only the lab provides (the
# kernel source, fetched by the setup step) run here, and fail without it.
if cargo test --workspace --color never -- --include-ignored >"$log/cargo.log" 2>&1; then rc=0; else rc=$?; fi
grep -E '^test |test result:' "$log/cargo.log" | grep -v '^test result: ok. 0 passed' || true
p=$(awk '/^test result:/ {s += $4} END {print s+0}' "$log/cargo.log")
f=$(awk '/^test result:/ {s += $6} END {print s+0}' "$log/cargo.log")
passed=$((passed + p)); failed=$((failed + f))
if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
	tail -30 "$log/cargo.log"; echo "FAILED: cargo test did not run"; failed=$((failed + 1))
fi

step "the library alone"
# What a vendor's program links: the library and its examples without the
# command line (no clap, no man page generators in the build).
must library-without-cli sh -c 'cargo build -p fwctl-tool --lib --examples --no-default-features &&
	! cargo tree -p fwctl-tool --no-default-features -e normal,build --prefix none | grep -E "^clap"'

step "style and uAPI layouts"
must rustfmt make -C "$repo" rustfmtcheck
must uapi-layout make -C "$repo" uapi-check

step "test kernel"
must kernel scripts/build-kernel.sh
step "modules"
# Clippy first: it relinks the modules unsigned; the build after it signs.
must clippy make -C "$repo" clippy
must modules make -C "$repo" modules test-modules
# This kernel has no kernel::fwctl: the Rust drivers are built against the
# project's copy of it (make api-compat builds them against the kernel's).
built_against() { [ "$(fwctl_api_of "$repo/$1")" = "$2" ]; }
for ko in fwctl_mlx5.ko fwctl_cxl.ko tools/testing/fwctl_rust_test/fwctl_rust_test.ko; do
	must "${ko##*/}-on-the-project-copy-of-kernel-fwctl" built_against "$ko" project
done
step "kselftests and the fwctl tool"
must selftests make -C "$repo/tools/testing/selftests/fwctl"
# target/release/fwctl, which the guest's fwctl_tool.sh drives (and make
# install installs), with target/debug/fwctl, the man pages and completions.
must tool make -C "$repo" tool tool-release

step "make install and uninstall into scratch roots, dkms (scripts/test-install.sh)"
# ktap_count FILE: adds FILE's KTAP results to the totals; sets plan (the
# last plan line's count, or empty), results (ok and not ok lines) and notok.
ktap_count() {
	local ok skip
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$1" | tail -1)
	ok=$(grep -cE '^ok [0-9]+ ' "$1")
	skip=$(grep -cE '^ok [0-9]+ .*# SKIP' "$1")
	notok=$(grep -cE '^not ok [0-9]+ ' "$1")
	results=$((ok + notok))
	passed=$((passed + ok - skip)); skipped=$((skipped + skip)); failed=$((failed + notok))
}

# host_ktap NAME CMD...: a host script printing KTAP, its cases counted.
host_ktap() {
	local name=$1; shift
	"$@" >"$log/$name.log" 2>&1
	local rc=$?
	grep -E '^(not )?ok [0-9]+ ' "$log/$name.log"
	local plan results notok
	ktap_count "$log/$name.log"
	if [ -z "$plan" ] || [ "$results" != "$plan" ] || { [ "$rc" != 0 ] && [ "$notok" = 0 ]; }; then
		tail -30 "$log/$name.log"
		echo "FAILED: $* did not finish (plan ${plan:-none}, exit $rc)"
		failed=$((failed + 1))
	fi
	return "$rc"
}
host_ktap install scripts/test-install.sh

# run_guest NAME GUEST-OPTIONS... -- TESTS...: one guest boot, KTAP counted.
run_guest() {
	local name=$1; shift
	local opts=() tests=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do opts+=("$1"); shift; done
	shift
	tests=("$@")
	step "guest: $name"
	local cmd="${RUN_PREFIX:-}tools/testing/selftests/fwctl/run.sh"
	[ ${#tests[@]} -gt 0 ] && cmd="$cmd $(printf '%q ' "${tests[@]}")"
	# Straight into a regular file, after a line of our own: QEMU re-opens
	# its standard output by name, and scripts/guest.sh must keep it from
	# truncating what came before (checked below).
	local first="# fwctl-check: guest $name, $(date -u +%FT%TZ)"
	{ echo "$first"; scripts/guest.sh "${opts[@]}" -- "$cmd"; } >"$log/guest-$name.log" 2>&1
	local rc=$?
	cat "$log/guest-$name.log"
	if [ "$(head -1 "$log/guest-$name.log")" = "$first" ]; then
		echo "ok: guest $name's output appended to what came before in its log file"
		passed=$((passed + 1))
	else
		echo "FAILED: guest $name's output truncated its log file's first line"
		failed=$((failed + 1))
	fi
	local plan results notok
	ktap_count "$log/guest-$name.log"
	if [ -z "$plan" ] || [ "$results" != "$plan" ]; then
		echo "FAILED: guest $name ended early (plan ${plan:-none}, $results results, exit $rc)"
		failed=$((failed + 1))
	elif [ "$rc" != 0 ]; then
		echo "FAILED: guest $name exited $rc"
		failed=$((failed + 1))
	fi
}

# One boot: every test without lockdown, the kmemleak check, then the
# scope matrices (the core's and fwctl_mlx5's) and the counters again under
# lockdown=integrity, raised at run time (lockdown only goes up, and
# closes kmemleak's debugfs file).  The distro boot runs the core's under
# lockdown=integrity and lockdown=confidentiality, the levels distribution
# kernels set.  Modules are signed with the kernel's key.
# The lockdown counter has nothing to count before lockdown: it runs under
# the two lockdowns only, rather than show as a skip in the first part.
lockdown_policy="fwctl_policy -t stats_refused_lockdown -t stats_refused_no_rawio"
lockdown_mlx5="fwctl_mlx5 -t scopes_with_rawio -t scopes_without_rawio"
# fwctl_faults fails every fault site of the core's own operations, and
# every 25th of the module loader's (a bounded sweep: make stress does
# them all).  fwctl_fuzz.sh fuzzes for 15 s beside 50 unplug cycles
# (make stress: a million calls, a thousand cycles), and leaves its
# kmemleak scan to kmemleak.sh, which scans everything since the boot two
# tests later.  The 4096-device scale test runs on the distro flavour,
# where it takes a tenth of the time.
# vendor.sh runs mstflint and a libcxl program against fwctl_mlx5 (the
# simulator on QEMU's pci-testdev, a PCI function as a ConnectX is) and
# fwctl_cxl.
RUN_PREFIX="FWCTL_FAULT_STRIDE=25 FWCTL_FUZZ_TIME=15 FWCTL_FUZZ_CYCLES=50 FWCTL_FUZZ_KMEMLEAK=0 " \
run_guest all --qemu-opts "-device pci-testdev,bus=pcie.0" -- \
	smoke.sh fwctl_info fwctl_rpc fwctl_unplug fwctl_hostile fwctl_scope "fwctl_policy -T stats_refused_lockdown" \
	fwctl_rust_api fwctl_cxl mlx5_core.sh fwctl_mlx5 fwctl_tool.sh vendor.sh fwctl_fuzz.sh fwctl_faults kmemleak.sh \
	"lockdown.sh integrity" fwctl_scope "$lockdown_policy" "$lockdown_mlx5"

# The distro flavour: the Rust core as a drop-in replacement for upstream's
# fwctl.ko on a GCC, MODVERSIONS kernel (scripts/check-distro.sh), then one
# boot: dropin.sh (modprobe, cxl_test through cxl_core, a C driver with
# upstream's CRCs, upstream's mlx5_fwctl on the simulator, the guards), the
# core's conformance suites, run with the modules built for that kernel (in
# $CACHE/distro-tree), and last dropin_lockdown.sh (lockdown on cxl_core's
# devices; lockdown cannot be lifted), and under that lockdown vendor.sh
# (mstflint on upstream's mlx5_fwctl, libcxl on cxl_core's devices), the
# scope matrix and the lockdown counters; then the same under
# lockdown=confidentiality.
step "distro flavour: kernel, modules, CRCs, module tree (scripts/check-distro.sh)"
if host_ktap distro scripts/check-distro.sh; then
	DT=$CACHE/distro-tree
	RUN_PREFIX="cd $DT && FWCTL_MODROOT=$CACHE/distro-modroot FWCTL_TOOL=$repo/target/release/fwctl \
FWCTL_C_DRIVER=$DT/tools/testing/fwctl_test/fwctl_test.ko FWCTL_SIM=$DT/tools/testing/mlx5_sim/mlx5_sim.ko \
FWCTL_KMEMLEAK=none "
	# cxl_test places its devices on NUMA nodes 0 and 1 (--numa);
	# pci-testdev is the PCI function the mlx5 simulator drives.
	FLAVOUR=distro run_guest distro --no-cxl --numa --qemu-opts "-device pci-testdev" -- \
		dropin.sh fwctl_info fwctl_rpc fwctl_unplug fwctl_hostile fwctl_scope "fwctl_policy -T stats_refused_lockdown" \
		fwctl_rust_api fwctl_scale dropin_lockdown.sh vendor.sh fwctl_scope "$lockdown_policy" \
		"lockdown.sh confidentiality" fwctl_scope "$lockdown_policy" vendor.sh
fi

summary
