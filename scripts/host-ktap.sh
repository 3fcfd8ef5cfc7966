# SPDX-License-Identifier: GPL-2.0
# KTAP cases of a host script (sourced): ok, notok, run NAME CMD...,
# api_case, and finish, which prints the plan and a line "N passed, N
# failed" and exits non-zero on any failure.  Each run case's output goes
# to $log/NAME.log, tailed on failure; set log first.
n=0 failures=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
notok() { n=$((n + 1)); failures=$((failures + 1)); echo "not ok $n $*"; }
finish() {
	echo "1..$n"
	echo "$((n - failures)) passed, $failures failed"
	[ "$failures" = 0 ]
	exit $?
}
# run NAME CMD...: one case, its output kept in $log/NAME.log
run() {
	local name=$1; shift
	if "$@" >"$log/$name.log" 2>&1; then
		ok "$name"
		return 0
	fi
	tail -25 "$log/$name.log" | sed 's/^/# /'
	notok "$name (log: $log/$name.log)"
	return 1
}
# api_case WANT DIR KO...: one case per module DIR/KO, that it is built
# against the Rust fwctl API WANT ("kernel" or "project", fwctl_api_of).
api_case() {
	local want=$1 dir=$2 ko api what
	shift 2
	case $want in
	kernel) what="the kernel's kernel::fwctl" ;;
	*) what="the project's copy of kernel::fwctl" ;;
	esac
	for ko in "$@"; do
		api=$(fwctl_api_of "$dir/$ko")
		if [ "$api" = "$want" ]; then
			ok "${ko##*/} is built against $what"
		else
			notok "${ko##*/} is built against $what (found: $api)"
		fi
	done
}
