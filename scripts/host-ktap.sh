# SPDX-License-Identifier: GPL-2.0
# KTAP cases of a host script (sourced): ok, notok, run NAME CMD..., and
# finish, which prints the plan and exits non-zero on any failure.  Each
# case's output goes to $log/NAME.log, tailed on failure; set log first.
n=0 failures=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
notok() { n=$((n + 1)); failures=$((failures + 1)); echo "not ok $n $*"; }
finish() { echo "1..$n"; [ "$failures" = 0 ]; exit $?; }
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
