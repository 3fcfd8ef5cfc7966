#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the fwctl kselftests inside the test guest and prints one flat KTAP
# stream: every test case is one "ok N name" / "not ok N name" line
# ("# SKIP" appended for skips), numbered across programs.  A harness
# program gives one line per TEST/TEST_F case, a shell test (*.sh) one line,
# unless it prints KTAP itself (a "# fwctl-selftest: ktap" line in it): then
# one line per case, as a harness program.
# Everything else is printed behind "# "; the plan line comes last.
#   run.sh [TEST [ARGS]...]   default: every test of the default list
# A program that ends early (crash, timeout, missing cases) or fails without
# a failing case adds one "not ok" line of its own.
# After all tests, a final case fails on any splat since the first test and
# on any kmemleak report.
set -u
dir=$(cd "$(dirname "$0")" && pwd)
. "$dir/lib.sh"

DEFAULT_TESTS=(smoke.sh fwctl_info fwctl_rpc fwctl_unplug fwctl_hostile fwctl_scope
	       fwctl_policy fwctl_rust_api fwctl_cxl mlx5_core.sh fwctl_mlx5
	       fwctl_tool.sh fwctl_scale fwctl_fuzz.sh fwctl_faults)
TEST_TIMEOUT=${FWCTL_TEST_TIMEOUT:-600}

if [ $# -eq 0 ]; then
	set -- "${DEFAULT_TESTS[@]}"
fi

ensure_debugfs
# In the lab's throw-away guest (scripts/guest.sh sets FWCTL_LAB=1), and
# only there: udev has done its part at boot (the console ports), so stop
# it, that the thousands of uevents of the scale tests do not compete with
# the tests; forget what kmemleak saw before the run, and stop its
# automatic scans (the first comes a minute after boot and takes the guest
# for many seconds under KASAN; the run scans when it checks).  On any
# other machine these are the system's, and left alone.
if [ "${FWCTL_LAB:-0}" = 1 ]; then
	pkill -x systemd-udevd 2>/dev/null || true
	if [ -e /sys/kernel/debug/kmemleak ]; then
		echo scan=off >/sys/kernel/debug/kmemleak
		echo clear >/sys/kernel/debug/kmemleak
	fi
fi
dmesg_mark
run_mark=$FWCTL_MARK

n=0
# case_line ok|"not ok" NAME: one numbered result line.
case_line() {
	n=$((n + 1))
	echo "$1 $n fwctl: $2"
}

# run_shell TEST: a shell test is one case, judged by its exit status.
run_shell() {
	local t=$1 name=${1%% *} out rc
	out=$(cd "$dir" && timeout --kill-after=10 "$TEST_TIMEOUT" bash -c "./$t" 2>&1)
	rc=$?
	[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
	case "$rc" in
	0) case_line ok "$name" ;;
	4) case_line ok "$name # SKIP" ;;
	*) case_line "not ok" "$name (exit $rc)" ;;
	esac
}

# run_harness TEST: renumber the program's own result lines into the stream.
run_harness() {
	local t=$1 name=${1%% *} line rc=none plan="" results=0 failures=0
	local rc_tag="fwctl-run-exit-status-$$:"
	while IFS= read -r line || [ -n "$line" ]; do
		case "$line" in
		*"$rc_tag"*)	# the exit status, maybe after an unended line
			rc=${line##*"$rc_tag"}
			line=${line%"$rc_tag"*}
			[ -n "$line" ] && echo "# $line"
			;;
		"ok "[0-9]*|"not ok "[0-9]*)
			local verdict=ok rest=${line#ok }
			if [ "${line#not ok }" != "$line" ]; then
				verdict="not ok"
				rest=${line#not ok }
				failures=$((failures + 1))
			fi
			rest=${rest#* }		# drop the program's own number
			results=$((results + 1))
			case_line "$verdict" "$name: $rest"
			;;
		1..[0-9]*)
			[ -z "$plan" ] && plan=${line#1..} && plan=${plan%% *}
			echo "# $line"
			;;
		*)
			echo "# $line"
			;;
		esac
	done < <(cd "$dir" && timeout --kill-after=10 "$TEST_TIMEOUT" bash -c "./$t" 2>&1
		 echo "$rc_tag$?")
	if [ "$results" = 0 ]; then
		if [ "$rc" = 4 ] || { [ "$rc" = 0 ] && [ "$plan" = 0 ]; }; then
			case_line ok "$name # SKIP"
		else
			case_line "not ok" "$name (exit $rc, no results)"
		fi
	elif [ -n "$plan" ] && [ "$results" -lt "$plan" ]; then
		case_line "not ok" "$name (exit $rc after $results of $plan cases)"
	elif [ "$rc" != 0 ] && [ "$rc" != 4 ] && [ "$failures" = 0 ]; then
		case_line "not ok" "$name (exit $rc)"
	fi
}

# is_ktap FILE: a shell test that prints KTAP itself (bash only: in the
# guest every program started is read from the host, which costs more than
# the check).
is_ktap() {
	local line
	while IFS= read -r line; do
		[ "$line" = "# fwctl-selftest: ktap" ] && return 0
	done <"$1"
	return 1
}

echo "TAP version 13"
for t in "$@"; do
	dmesg_mark
	printf -v start '%(%s)T' -1
	case "${t%% *}" in
	*.sh)	if is_ktap "$dir/${t%% *}" 2>/dev/null; then
			run_harness "$t"
		else
			run_shell "$t"
		fi ;;
	*) run_harness "$t" ;;
	esac
	printf -v now '%(%s)T' -1
	echo "# ${t%% *}: $((now - start)) s"
	# Each program starts from unloaded modules, whatever the last left.
	unload_modules fwctl_rust_test fwctl_test fwctl_mlx5 mlx5_sim mlx5_core \
		       fwctl_cxl fwctl 2>/dev/null
	# In the lab nothing else uses them: one that cannot be unloaded is
	# a reference the program leaked (elsewhere, e.g. a distribution's
	# cxl_core, may hold fwctl).
	if [ "${FWCTL_LAB:-0}" = 1 ]; then
		loaded fwctl_rust_test fwctl_test fwctl_mlx5 mlx5_sim fwctl_cxl fwctl
		[ ${#LOADED[@]} = 0 ] ||
			case_line "not ok" "${t%% *} left module(s) in use after it ended: ${LOADED[*]} (a reference leak?)"
	fi
	s=$(dmesg_splats)
	if [ -n "$s" ]; then
		echo "# kernel splat during ${t%% *}:"
		printf '%s\n' "$s" | head -40 | sed 's/^/#   /'
	fi
done

FWCTL_MARK=$run_mark
# kmemleak lives in debugfs, whose writable files lockdown closes: under
# lockdown only splats can be checked here (the default boot runs the same
# programs with kmemleak).
leaks="" what="no splat or leak in the whole run"
kml=/sys/kernel/debug/kmemleak
if [ ! -e "$kml" ] && [ "${FWCTL_KMEMLEAK:-}" = none ] &&
   ! grep -q '^CONFIG_DEBUG_KMEMLEAK=y' "/lib/modules/$(uname -r)/build/.config" 2>/dev/null; then
	# A production kernel (the distro flavour) has no kmemleak; its caller
	# says so, and the kernel's config agrees.
	what="no splat in the whole run (no kmemleak in this kernel)"
elif [ ! -e "$kml" ]; then
	leaks="kmemleak is not available in this kernel"
elif locked=$(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/security/lockdown 2>/dev/null) &&
     [ -n "$locked" ] && [ "$locked" != none ]; then
	what="no splat in the whole run (kmemleak closed by lockdown=$locked)"
else
	# As kmemleak.sh: the second scan starts 6 s after the first did.
	start=$(date +%s)
	if echo scan >"$kml" &&
	   { left=$((start + 6 - $(date +%s))); [ "$left" -le 0 ] || sleep "$left"; } &&
	   echo scan >"$kml"; then
		leaks=$(cat "$kml")
	else
		leaks="cannot trigger a kmemleak scan"
	fi
fi
s=$(dmesg_splats)
if [ -z "$s" ] && [ -z "$leaks" ]; then
	case_line ok "$what"
else
	printf '%s\n%s\n' "$s" "$leaks" | head -60 | sed 's/^/# /'
	case_line "not ok" "$what"
fi
echo "1..$n"
