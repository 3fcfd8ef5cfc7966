#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fwctl-selftest: ktap
#
# The fwctl tool (crates/fwctl-tool, built on the host) against real
# devices, text and JSON output (parsed with python3's json module):
#
# CXL, on QEMU's emulated type-3 device (fwctl + fwctl_cxl): list,
# info by every kind of name, cxl features, get decoded (patrol scrub and
# ECS, field by field) and --raw, set by field and get again (the patrol
# scrub cycle and enable flag, ECS per media FRU, put back afterwards), set
# --raw, values out of range refused before any RPC, raw rpc, and refusals
# that name the device and the errno.  What the tool shows is checked
# against sysfs, against QEMU's two features (see fwctl_cxl.c) and against
# a decoding in Python of the raw data, not against itself.
#
# mlx5, on the mlx5 simulator (tools/testing/mlx5_sim/mlx5_sim.ko) with
# fwctl_mlx5: list, info, mlx5 caps and mlx5 reg MGIR, their decoding
# checked against a decoding in Python of the same commands sent raw, a
# firmware error reported with its status and syndrome, and the scopes.
# mlx5_sim.ko is built by make test-modules, so a missing simulator or an
# mlx5 device that does not appear fails these cases; FWCTL_MLX5_REQUIRED=0
# makes them SKIP instead (a tree without the simulator).
#
# The tool tested is $FWCTL_TOOL, else the release build that make install
# installs (target/release/fwctl, make tool-release), else the debug build.
#
# Speed: in the test guest every program started costs a read of its
# binary and libraries over 9p, which has no page cache there, under TCG
# (0.3 s for /bin/true, 1 s for the tool, 3 s for python3).  So the script
# starts as few programs as it can: the tool, copied with its libraries and
# dynamic loader into the scratch directory and run from there; ONE python3
# for all the JSON checks, fed through a coprocess; bash builtins for the
# text matches and the sysfs walks.
#
# One KTAP line per case; run.sh numbers them into its stream.
set -u
# (lib.sh would find the repository with dirname, one more program.)
here=${0%/*}
[ "$here" = "$0" ] && here=.
FWCTL_REPO=${FWCTL_REPO:-$(cd "$here/../../../.." && pwd)}
. "$here/lib.sh"
need_modules fwctl fwctl_cxl

n=0 failures=0
ktap_ok() { n=$((n + 1)); echo "ok $n $*"; }
ktap_notok() { n=$((n + 1)); failures=$((failures + 1)); echo "not ok $n $*"; }
ktap_skip() { n=$((n + 1)); echo "ok $n $1 # SKIP $2"; }
finish() { echo "1..$n"; [ "$failures" = 0 ]; exit $?; }

echo "TAP version 13"
tmp=$(mktemp -d /tmp/fwctl-tool-test.XXXXXX)
loaded=()
py_pid= mlx5_load_pid= stage_pid=
cleanup() {
	local i rm=()
	[ -z "$mlx5_load_pid" ] || mlx5_load_wait
	[ -z "$stage_pid" ] || wait "$stage_pid" 2>/dev/null
	for ((i = ${#loaded[@]} - 1; i >= 0; i--)); do
		rm+=("${loaded[$i]}")
	done
	# One rmmod for all, the last loaded first.
	[ ${#rm[@]} = 0 ] || rmmod "${rm[@]}" 2>/dev/null
	if [ -n "$py_pid" ]; then
		[ -z "$py_w" ] || { exec {py_w}>&-; } 2>/dev/null
		wait "$py_pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# The tool: $FWCTL_TOOL (a path, or a name to find in PATH), else the newer
# of the release and the debug build.
tool=${FWCTL_TOOL:-}
if [ -z "$tool" ]; then
	rel=$FWCTL_REPO/target/release/fwctl dbg=$FWCTL_REPO/target/debug/fwctl
	if [ -x "$rel" ] && { [ ! -x "$dbg" ] || ! [ "$dbg" -nt "$rel" ]; }; then
		tool=$rel
	elif [ -x "$dbg" ]; then
		tool=$dbg
	fi
elif [ "${tool#*/}" = "$tool" ]; then
	tool=$(type -P "$tool") || tool=
fi
echo "# tool: ${tool:-none}"
tool_cmd=("$tool")
got=
if [ -z "$tool" ] || [ ! -x "$tool" ]; then
	ktap_notok "the fwctl tool is built (make tool-release, or cargo build -p fwctl-tool)"
	finish
fi
if [ "$EUID" != 0 ]; then
	echo "# needs root: it loads modules"
	exit 4
fi

# The JSON checker: one python3 for the whole run, started first (it takes
# seconds to start here).  It reads two lines per request, a file and an
# expression of d (the JSON in that file), writes "=" and the value (a
# bool as 1 or 0), or "!" and the error, into $tmp/answer, then says so
# with an empty line (bash reads a pipe a byte at a time, a file at once).
py_prog='import json, sys
while True:
    path = sys.stdin.readline()
    expr = sys.stdin.readline()
    if not expr:
        break
    try:
        d = json.load(open(path.rstrip("\n")))
        r = eval(expr.rstrip("\n"))
        ans = "=" + str(r if not isinstance(r, bool) else int(r))
    except Exception as e:
        ans = "!" + type(e).__name__ + ": " + str(e)
    with open(sys.argv[1], "w") as f:
        f.write(ans.replace("\n", "\\n") + "\n")
    print(flush=True)'
coproc PYCHECK { exec python3 -I -S -c "$py_prog" "$tmp/answer" 2>"$tmp/pyerr"; }
# (bash unsets these if the coprocess has already exited.)
py_pid=${PYCHECK_PID:-} py_r=${PYCHECK[0]:-} py_w=${PYCHECK[1]:-}

# The tool, its libraries and its dynamic loader are copied into $tmp, in
# the background while fwctl loads: stage_start starts that,
# stage_finish sets tool_cmd to run the copy and succeeds if it runs.
# glibc's loader lists what it would load when LD_TRACE_LOADED_OBJECTS is
# set (what ldd does), without running the program.  Anything else (a
# static or a non-glibc binary, a noexec /tmp) leaves the tool where it is.
stage_start() {
	(
		ld= files=()
		while IFS= read -r line; do
			line=${line#"${line%%[![:space:]]*}"}
			case "$line" in
			*" => /"*) f=${line#*=> }; files+=("${f%% (*}") ;;
			/*) ld=${line%% (*} ;;
			esac
		done < <(LD_TRACE_LOADED_OBJECTS=1 "$tool" 2>/dev/null)
		[ -n "$ld" ] && [ ${#files[@]} -gt 0 ] || exit 1
		cp "$tool" "${files[@]}" "$ld" "$tmp/" 2>/dev/null || exit 1
		echo "${ld##*/}" >"$tmp/staged"
	) &
	stage_pid=$!
}
stage_finish() {
	local ld
	wait "$stage_pid" && read -r ld <"$tmp/staged" || return 1
	tool_cmd=("$tmp/$ld" --library-path "$tmp" "$tmp/${tool##*/}")
	"${tool_cmd[@]}" --version >/dev/null 2>&1 && return 0
	tool_cmd=("$tool")
	return 1
}
stage_start

# fw ARGS...: runs the tool; its output in $tmp/out, $tmp/err, status in $rc.
fw() {
	"${tool_cmd[@]}" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}
show() { # the last run's output, as comments
	echo "# \$ fwctl $*  (exit $rc)"
	sed 's/^/#   /' "$tmp/out" | head -40
	sed 's/^/#   stderr: /' "$tmp/err" | head -20
}
# has ERE FILE...: a line of the FILEs matches the extended regex (grep -E
# done by bash, whose =~ is POSIX extended regex matching too).
has() {
	local re=$1 f line
	shift
	for f in "$@"; do
		while IFS= read -r line || [ -n "$line" ]; do
			[[ $line =~ $re ]] && return 0
		done <"$f"
	done
	return 1
}
# case_run NAME WANT-RC ERE ARGS...: the tool exits WANT-RC and a line of
# its output (stdout, then stderr) matches the extended regex.
case_run() {
	local name=$1 want=$2 pat=$3
	shift 3
	fw "$@"
	if [ "$rc" = "$want" ] && has "$pat" "$tmp/out" "$tmp/err"; then
		ktap_ok "$name"
	else
		show "$@"
		echo "# wanted exit $want and /$pat/"
		ktap_notok "$name"
	fi
}
# The library's examples (crates/fwctl-tool/examples), built by make
# check without the command line: a vendor's program on the library alone.
examples=${FWCTL_EXAMPLES:-$FWCTL_REPO/target/debug/examples}
# ex_run NAME ERE EXAMPLE ARGS...: the example exits 0 and a line of its
# output matches the extended regex.  Leaves $tmp/out, $tmp/err and $rc
# (the tool's last run) as they were.  Never installed: on a system the
# tests were not built for, a missing example is a skip with the reason.
ex_run() {
	local name=$1 pat=$2 ex=$3
	shift 3
	if [ ! -x "$examples/$ex" ]; then
		if [ "${FWCTL_LAB:-0}" = 1 ]; then
			ktap_notok "$name ($examples/$ex is not built)"
		else
			ktap_skip "$name" "$examples/$ex is not built (cargo build -p fwctl-tool --examples)"
		fi
		return
	fi
	# Files of its own: the cases around it read the tool's last output.
	local erc
	"$examples/$ex" "$@" >"$tmp/ex.out" 2>"$tmp/ex.err"
	erc=$?
	if [ "$erc" = 0 ] && has "$pat" "$tmp/ex.out"; then
		ktap_ok "$name"
	else
		echo "# \$ $ex $*  (exit $erc)"
		sed 's/^/#   /' "$tmp/ex.out" | head -20
		sed 's/^/#   stderr: /' "$tmp/ex.err" | head -10
		echo "# wanted /$pat/"
		ktap_notok "$name"
	fi
}
# py EXPR [FILE]: EXPR of the JSON in FILE (default: the last stdout) as d;
# the value in $got, or status 1 and the error in $got.
py() {
	local line
	got="the JSON checker (python3) is gone"
	[ -n "$py_w" ] || return 1
	trap '' PIPE
	printf '%s\n%s\n' "${2:-$tmp/out}" "$1" 2>/dev/null >&"$py_w" &&
		IFS= read -r -t 300 line 2>/dev/null <&"$py_r" &&
		IFS= read -r line <"$tmp/answer"
	local st=$?
	trap - PIPE
	if [ "$st" != 0 ]; then
		# A late answer would be taken for the next request's: no more
		# requests after a failure.
		[ -z "$py_w" ] || { exec {py_w}>&-; } 2>/dev/null
		py_w=
		[ -z "$py_pid" ] || kill "$py_pid" 2>/dev/null
		[ -s "$tmp/pyerr" ] && got="$got: $(tail -1 "$tmp/pyerr")"
		return 1
	fi
	got=${line:1}
	[ "${line:0:1}" = "=" ]
}
# case_json NAME EXPR ARGS...: the tool exits 0, its stdout is JSON, and
# EXPR is true of it.
case_json() {
	local name=$1 expr=$2
	shift 2
	fw "$@"
	if [ "$rc" = 0 ] && py "$expr" && [ "$got" = 1 ]; then
		ktap_ok "$name"
	else
		show "$@"
		echo "#   python: $got"
		echo "# wanted: $expr"
		ktap_notok "$name"
	fi
}
# case_json_err NAME EXPR ARGS...: the tool exits 1, its stderr is JSON,
# and EXPR is true of it.
case_json_err() {
	local name=$1 expr=$2
	shift 2
	fw "$@"
	if [ "$rc" = 1 ] && py "$expr" "$tmp/err" && [ "$got" = 1 ]; then
		ktap_ok "$name"
	else
		show "$@"
		echo "#   python: $got"
		echo "# wanted: $expr"
		ktap_notok "$name"
	fi
}
is_loaded() { # is_loaded NAME
	local name _
	while read -r name _; do
		[ "$name" = "$1" ] && return 0
	done </proc/modules
	return 1
}
load() { # load MODULE-PATH [PARAM...]: insmod, remembered for the unload at exit
	local m=${1##*/}
	m=${m%.ko}
	is_loaded "$m" && return 0
	insmod "$@" || return 1
	loaded+=("$m")
}
# The mlx5 simulator and fwctl_mlx5 load in the background while the CXL
# cases run: a module takes a second or two to load here, and a vCPU is
# idle while a case waits for the tool.  mlx5_load_start starts that (the
# CXL cases call it once their device is there, so that it keeps the
# lowest fwctl number); mlx5_load_wait waits for it, adds what it loaded
# to $loaded, and fails naming the module that did not load in $failed_ko.
sim_ko=$FWCTL_REPO/tools/testing/mlx5_sim/mlx5_sim.ko
mlx5_load_start() {
	[ -z "$mlx5_load_pid" ] && [ -f "$sim_ko" ] && [ ! -e "$tmp/mlx5-load" ] || return 0
	(
		for k in "$sim_ko" "$(ko fwctl_mlx5)"; do
			m=${k##*/}
			m=${m%.ko}
			if is_loaded "$m"; then
				echo "present: $m"
			elif insmod "$k"; then
				echo "loaded: $m"
			else
				echo "failed: $m"
				exit 1
			fi
		done
	) >"$tmp/mlx5-load" 2>&1 &
	mlx5_load_pid=$!
}
mlx5_load_wait() {
	local line st=0
	[ -n "$mlx5_load_pid" ] || return 1
	wait "$mlx5_load_pid"
	mlx5_load_pid=
	failed_ko=
	while IFS= read -r line; do
		case "$line" in
		"loaded: "*) loaded+=("${line#loaded: }") ;;
		"present: "*) ;;
		"failed: "*) failed_ko=${line#failed: }; st=1 ;;
		*) echo "# $line" ;;	# what insmod said
		esac
	done <"$tmp/mlx5-load"
	return $st
}
# resolve PATH: PATH with every symlink resolved, in $real (readlink -f).
resolve() { real=$(cd -P "$1" 2>/dev/null && pwd -P) || real=; }
# fwctl_of PARENT: the fwctlN whose parent device is PARENT, in $dev
# (waits 2 s).
fwctl_of() {
	local i d
	dev=
	for ((i = 0; i < 20; i++)); do
		for d in /sys/class/fwctl/fwctl*; do
			[ -e "$d/device" ] || continue
			resolve "$d/device"
			if [ "${real##*/}" = "$1" ] && [ -c "/dev/fwctl/${d##*/}" ]; then
				dev=${d##*/}
				return 0
			fi
		done
		sleep 0.1
	done
	return 1
}
pci_above() { # pci_above PATH: the last PCI address in a sysfs path, in $bus
	local c
	bus=
	resolve "$1"
	local IFS=/
	for c in $real; do
		[[ $c =~ ^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-9a-f]$ ]] && bus=$c
	done
}

load "$(ko fwctl)" || { ktap_notok "insmod fwctl"; finish; }
if ! { stage_finish || "$tool" --version >/dev/null 2>&1; }; then
	ktap_notok "the fwctl tool runs ($tool --version)"
	finish
fi
echo "# run as: ${tool_cmd[*]}"

# ---------------------------------------------------------------------------
# CXL
# ---------------------------------------------------------------------------
cxl_tests() {
	local m mem= dev num drv bus scope
	for m in /sys/bus/cxl/devices/mem[0-9]*; do
		[ -e "$m" ] && { mem=${m##*/}; break; }
	done
	if [ -z "$mem" ]; then
		ktap_skip "cxl" "no CXL memory device (a guest booted without QEMU's CXL device)"
		return
	fi
	load "$(ko fwctl_cxl)" $CXL_LAB_PARAMS || { ktap_notok "insmod fwctl_cxl"; return; }
	fwctl_of "$mem" || { ktap_notok "cxl: $mem has a fwctl device"; return; }
	mlx5_load_start
	num=${dev#fwctl}
	drv=-
	if [ -e "/sys/bus/cxl/devices/$mem/driver" ]; then
		resolve "/sys/bus/cxl/devices/$mem/driver"
		drv=${real##*/}
	fi
	pci_above "/sys/bus/cxl/devices/$mem"
	scope=
	read -r scope <"/sys/class/fwctl/$dev/max_scope"
	echo "# $mem: /dev/fwctl/$dev, driver $drv, PCI $bus, max_scope $scope"

	case_run "cxl: list shows $dev, type cxl, its parent, driver, bus and max_scope" 0 \
		"^$dev +cxl +$mem +$drv +${bus:--} +$scope\$" list
	case_json "cxl: list --json agrees with sysfs" \
		"[e for e in d if e['name'] == '$dev'] == [{'name': '$dev', 'number': $num, 'device_type': 'cxl', 'parent': '$mem', 'driver': '$drv', 'bus_address': '$bus', 'max_scope': '$scope'}]" \
		--json list
	ex_run "library example list_devices: $dev, type cxl, parent $mem" \
		"^$dev +cxl +$mem\$" list_devices
	case_run "cxl: info $mem names the device and its type" 0 \
		"device: +$dev" info "$mem"
	if has '^type: *cxl \(2\)$' "$tmp/out" && has '^driver data: *none$' "$tmp/out"; then
		ktap_ok "cxl: info says type cxl (2), no driver data"
	else
		show info "$mem"; ktap_notok "cxl: info says type cxl (2), no driver data"
	fi
	case_json "cxl: info --json by fwctlN" \
		"d['device'] == '$dev' and d['device_type'] == 'cxl' and d['device_type_id'] == 2 and d['data'] == '' and d['parent'] == '$mem'" \
		--json info "$dev"
	case_json "cxl: info --json by /dev/fwctl/$dev" "d['device'] == '$dev'" \
		--json info "/dev/fwctl/$dev"
	if [ -n "$bus" ]; then
		case_json "cxl: info --json by PCI address $bus" "d['device'] == '$dev'" \
			--json info "$bus"
	fi

	# QEMU's features (fwctl_cxl.c): patrol scrub get 4 set 2, ECS get 13
	# set 7, both changed immediately, so set at debug_write_full.
	case_run "cxl: features lists patrol-scrub (get 4, set 2, debug_write_full)" 0 \
		"^0 +96dad7d6-fde8-482b-a733-75774e06db8a +patrol-scrub +4 +2 +0x[0-9a-f]+ +0x0202 +debug_write_full\$" \
		cxl features "$mem"
	if has "^1 +e5b13f22-2328-4a14-b8ba-b9691e893386 +ecs +13 +7 " "$tmp/out"; then
		ktap_ok "cxl: features lists ecs (get 13, set 7)"
	else
		show cxl features "$mem"; ktap_notok "cxl: features lists ecs (get 13, set 7)"
	fi
	case_json "cxl: features --json" \
		"d['device'] == '$dev' and [(f['name'], f['get_size'], f['set_size'], f['set_scope'], f['effects']) for f in d['features']] == [('patrol-scrub', 4, 2, 'debug_write_full', 0x202), ('ecs', 13, 7, 'debug_write_full', 0x202)] and 'config-change-immediate' in d['features'][0]['effect_names']" \
		--json cxl features "$mem"

	# Patrol scrub (CXL 3.2 Table 8-222): cap (u8), cycle (le16: low byte
	# the cycle in hours, high byte the minimum), flags (bit 0: enabled).
	# QEMU's device (CXL_MEMDEV_PS_*_DEFAULT) can change its cycle and
	# report in real time (cap 0x03) and has a 1-hour minimum; its cycle
	# (12 hours) and enable flag (off) are checked against the raw bytes, as
	# fwctl_cxl changes them (and puts them back).
	local orig= cycle min flags new set_new set_old en new_en en_py new_en_py
	local acc0 acc1 ref0 ref1
	case_json "cxl: get patrol-scrub --json: 4 bytes, decoded" \
		"d['name'] == 'patrol-scrub' and d['uuid'] == '96dad7d6-fde8-482b-a733-75774e06db8a' and len(d['data']) == 8 and (lambda b, p: p['cycle_changeable'] is True and p['realtime_report_capable'] is True and p['min_scrub_cycle_hours'] == 1 == b[2] and p['scrub_cycle_hours'] == b[1] and p['enabled'] == bool(b[3] & 1) and len(p) == 5)(bytes.fromhex(d['data']), d['decoded'])" \
		--json cxl get "$mem" patrol-scrub
	py "d['data']" && orig=$got
	if [ ${#orig} != 8 ]; then
		ktap_notok "cxl: patrol scrub value read"
		return
	fi
	cycle=$((16#${orig:2:2})) min=$((16#${orig:4:2})) flags=$((16#${orig:6:2} & 1))
	new=$((cycle == min ? min + 1 : min))
	# enabled now and after the set: yes/no for the tool, Python's bools.
	en=no new_en=yes en_py=False new_en_py=True
	[ "$flags" = 1 ] && en=yes new_en=no en_py=True new_en_py=False
	printf -v set_new '%02x%02x' "$new" "$flags"
	printf -v set_old '%02x%02x' "$cycle" "$flags"
	echo "# patrol scrub: cycle $cycle h, minimum $min h, enabled $en; setting $new h"
	case_run "cxl: get patrol-scrub shows the scrub cycle in hours" 0 \
		"^  scrub cycle: +$cycle hours?\$" cxl get "$mem" patrol-scrub
	ex_run "library example cxl_get_feature decodes $mem's patrol scrub" \
		"^  scrub cycle +$cycle hours?\$" cxl_get_feature "$mem" patrol-scrub
	if has "^$dev: feature patrol-scrub, current value \\(4 bytes\\)\$" "$tmp/out" &&
	   has '^  scrub cycle changeable: +yes$' "$tmp/out" &&
	   has '^  realtime report capable: +yes$' "$tmp/out" &&
	   has '^  minimum scrub cycle: +1 hour$' "$tmp/out" &&
	   has "^  enabled: +$en\$" "$tmp/out"; then
		ktap_ok "cxl: get patrol-scrub shows every field, named, with its unit"
	else
		show cxl get "$mem" patrol-scrub
		ktap_notok "cxl: get patrol-scrub shows every field, named, with its unit"
	fi
	case_run "cxl: get patrol-scrub --raw shows the value as a hex dump" 0 \
		"^00000000  ${orig:0:2} ${orig:2:2} ${orig:4:2} ${orig:6:2} " \
		cxl get "$mem" patrol-scrub --raw
	case_run "cxl: set patrol-scrub scrub_cycle_hours=$new: the change shown" 0 \
		"^  scrub cycle: $cycle hours? -> $new hours?\$" \
		cxl set "$mem" patrol-scrub "scrub_cycle_hours=$new"
	if has "^$dev: feature patrol-scrub set \\(2 bytes, scope debug_write_full\\)\$" "$tmp/out"; then
		ktap_ok "cxl: set patrol-scrub by field: 2 bytes at debug_write_full"
	else
		show cxl set "$mem" patrol-scrub "scrub_cycle_hours=$new"
		ktap_notok "cxl: set patrol-scrub by field: 2 bytes at debug_write_full"
	fi
	case_json "cxl: set patrol-scrub enabled=$new_en --json: the change listed" \
		"d['device'] == '$dev' and d['scope'] == 'debug_write_full' and d['written'] == 2 and d['changes'] == [{'field': 'enabled', 'old': $en_py, 'new': $new_en_py}]" \
		--json cxl set "$mem" patrol-scrub "enabled=$new_en"
	case_json "cxl: get shows both changes, the rest as it was" \
		"d['decoded']['scrub_cycle_hours'] == $new and d['decoded']['enabled'] == $new_en_py and d['data'][0:2] == '${orig:0:2}' and d['data'][4:6] == '${orig:4:2}' and int(d['data'][6:8], 16) & 0xfe == int('${orig:6:2}', 16) & 0xfe" \
		--json cxl get "$mem" patrol-scrub
	case_json "cxl: set --raw --json puts the old value back" \
		"d == {'device': '$dev', 'uuid': '96dad7d6-fde8-482b-a733-75774e06db8a', 'name': 'patrol-scrub', 'scope': 'debug_write_full', 'written': 2}" \
		--json cxl set "$dev" patrol-scrub --raw "$set_old"
	case_json "cxl: get shows the old value again" "d['data'] == '$orig'" \
		--json cxl get "/dev/fwctl/$dev" patrol-scrub

	# Values the command line alone shows wrong: a usage error (exit 2),
	# with the range or the settable fields, and no RPC at all.
	read -r acc0 <"/sys/class/fwctl/$dev/rpcs_accepted"
	read -r ref0 <"/sys/class/fwctl/$dev/rpcs_refused"
	case_run "cxl: scrub_cycle_hours=256 is refused, with the range" 2 \
		"^fwctl: patrol-scrub: scrub_cycle_hours=256: scrub_cycle_hours must be from 1 to 255 hours, and at least the device's minimum\$" \
		cxl set "$mem" patrol-scrub enabled=yes scrub_cycle_hours=256
	case_run "cxl: a read-only field is refused, naming the settable ones" 2 \
		"^fwctl: patrol-scrub: min_scrub_cycle_hours is read-only; the settable fields are scrub_cycle_hours, enabled\$" \
		cxl set "$mem" patrol-scrub min_scrub_cycle_hours=2
	case_run "cxl: an ECS threshold other than 256, 1024, 4096 is refused" 2 \
		"^fwctl: ecs: fru0.threshold=512: threshold must be 256, 1024 or 4096\$" \
		cxl set "$mem" ecs fru0.threshold=512
	case_run "cxl: bare hex for a known feature is refused: --raw is the way" 2 \
		"^fwctl: patrol-scrub: '$set_new' is not FIELD=VALUE \\(fields: scrub_cycle_hours, enabled; raw data: --raw HEX\\)\$" \
		cxl set "$mem" patrol-scrub "$set_new"
	read -r acc1 <"/sys/class/fwctl/$dev/rpcs_accepted"
	read -r ref1 <"/sys/class/fwctl/$dev/rpcs_refused"
	if [ "$acc0" = "$acc1" ] && [ "$ref0" = "$ref1" ]; then
		ktap_ok "cxl: the refused sets sent no RPC (rpcs_accepted, rpcs_refused unchanged)"
	else
		echo "# rpcs_accepted: $acc0 -> $acc1; rpcs_refused: $ref0 -> $ref1"
		ktap_notok "cxl: the refused sets sent no RPC (rpcs_accepted, rpcs_refused unchanged)"
	fi

	# DDR5 ECS (CXL 3.2 Table 8-225): log entry type, then per media FRU
	# its capabilities, configuration (threshold code bits 2:0, count mode
	# bit 3), flags.  QEMU's 3 media FRUs as it sets them up
	# (CXL_ECS_*_DEFAULT): per media FRU, realtime report capable,
	# threshold 256, rows counted.  No other test changes ECS.
	local ecs_orig=
	case_json "cxl: get ecs --json: QEMU's 3 media FRUs, decoded" \
		"d['data'] == '01' + '01030000' * 3 and d['decoded'] == {'log_entry_type': 'media_fru', 'frus': [{'fru': i, 'realtime_report_capable': True, 'threshold': 256, 'count_mode': 'rows'} for i in range(3)]}" \
		--json cxl get "$mem" ecs
	py "d['data']" && ecs_orig=$got
	case_run "cxl: get ecs shows each media FRU's fields" 0 \
		'^  media FRU 2:$' cxl get "$mem" ecs
	if has '^    error threshold: +256 per Gb of memory cells$' "$tmp/out" &&
	   has '^    count mode: +rows with errors$' "$tmp/out" &&
	   has '^  log entry type: +per memory media FRU$' "$tmp/out"; then
		ktap_ok "cxl: get ecs shows the threshold, the count mode, the log entry type"
	else
		show cxl get "$mem" ecs
		ktap_notok "cxl: get ecs shows the threshold, the count mode, the log entry type"
	fi
	case_json "cxl: set ecs fru1.threshold=4096 fru2.count_mode=codewords --json" \
		"d['written'] == 7 and d['scope'] == 'debug_write_full' and d['changes'] == [{'field': 'threshold', 'fru': 1, 'old': 256, 'new': 4096}, {'field': 'count_mode', 'fru': 2, 'old': 'rows', 'new': 'codewords'}]" \
		--json cxl set "$mem" ecs fru1.threshold=4096 fru2.count_mode=codewords
	case_json "cxl: get ecs: those two changed, every other field as it was" \
		"[(f['threshold'], f['count_mode']) for f in d['decoded']['frus']] == [(256, 'rows'), (4096, 'rows'), (256, 'codewords')] and d['decoded']['log_entry_type'] == 'media_fru' and d['data'] == '01' + '01030000' + '01050000' + '010b0000'" \
		--json cxl get "$mem" ecs
	case_run "cxl: set ecs threshold=256 count_mode=rows, on every media FRU" 0 \
		"^$dev: feature ecs set \\(7 bytes, scope debug_write_full\\)\$" \
		cxl set "$mem" ecs threshold=256 count_mode=rows
	case_json "cxl: get ecs shows the old value again" "d['data'] == '$ecs_orig'" \
		--json cxl get "$mem" ecs

	# A raw Get Supported Features, header only: 2 features, return code 0.
	case_json "cxl: rpc --json: Get Supported Features header (2 features, success)" \
		"d['device'] == '$dev' and d['scope'] == 'configuration' and not d['truncated'] and d['data'][8:16] == '00000000' and d['data'][20:24] == '0200'" \
		--json rpc "$mem" --scope configuration --hex '00050000 00000000 08000000 00000000 08000000 00000000'
	case_run "cxl: rpc with an opcode the driver refuses: EINVAL, explained" 1 \
		"^fwctl: $dev: FWCTL_RPC failed: EINVAL \\(Invalid argument\\): the CXL driver refused the request" \
		rpc "$mem" -s configuration --hex '00040000 00000000 00000000 00000000'

	# Refusals name the device and the errno.
	case_run "cxl: get of a feature QEMU lacks names it" 1 \
		"^fwctl: $dev: feature 892ba475-fad8-474e-9d3e-692c917568bb is not supported\$" \
		cxl get "$mem" sppr
	case_run "cxl: set --raw beyond the feature's size is refused before the Set" 2 \
		"$dev: feature 96dad7d6-fde8-482b-a733-75774e06db8a takes 1 to 2 bytes, 3 given" \
		cxl set "$mem" patrol-scrub --raw 010203
	case_run "cxl: an mlx5 command on a CXL device is refused" 2 \
		"^fwctl: $dev: is a cxl device, not mlx5\$" mlx5 caps "$mem"
	case_run "cxl: an unknown device is named" 1 \
		"^fwctl: mem99: no such fwctl device" info mem99
	# max_scope only goes down: last.
	echo debug_write >"/sys/class/fwctl/$dev/max_scope"
	case_run "cxl: set above max_scope: EPERM, named, explained" 1 \
		"^fwctl: $dev: FWCTL_RPC failed: EPERM \\(Operation not permitted\\): scope not allowed: debug_write_full is above the device's max_scope \\(debug_write\\); max_scope only goes down" \
		cxl set "$mem" patrol-scrub "scrub_cycle_hours=$new"
	case_json_err "cxl: set --raw above max_scope --json: the error as JSON" \
		"d['error']['device'] == '$dev' and d['error']['errno'] == 'EPERM' and d['error']['errno_value'] == 1 and 'max_scope' in d['error']['message'] and d['error']['refusal']['rule'] == 'device_max_scope'" \
		--json cxl set "$mem" patrol-scrub --raw "$set_new"
	case_json "cxl: the refused set changed nothing" "d['data'] == '$orig'" \
		--json cxl get "$mem" patrol-scrub
	case_json "cxl: list --json shows the lowered max_scope" \
		"[e['max_scope'] for e in d if e['name'] == '$dev'] == ['debug_write']" --json list
}

# ---------------------------------------------------------------------------
# mlx5, on the simulator
# ---------------------------------------------------------------------------
mlx5_skip() {
	if [ "${FWCTL_MLX5_REQUIRED:-1}" = 1 ]; then
		ktap_notok "mlx5: $1"
	else
		ktap_skip "mlx5" "$1"
	fi
}

# The constants of mlx5_sim.h (the simulator's contract), bare (no U, no
# quotes): ${sim[NAME]}.
# (The file is read at once: a read per line is a round trip to the host.)
declare -A sim=()
read_simconsts() {
	local l val lines=()
	mapfile -t lines <"$here/mlx5_sim.h"
	for l in "${lines[@]}"; do
		[[ $l =~ ^#define[[:space:]]+([A-Za-z0-9_]+)[[:space:]]+([^[:space:]]+) ]] || continue
		val=${BASH_REMATCH[2]%U}
		sim[${BASH_REMATCH[1]}]=${val//\"/}
	done
}

mlx5_tests() {
	local ctl=/sys/kernel/mlx5_sim
	local dev parent num idx hexcap= out= zeros i
	if [ ! -f "$sim_ko" ]; then
		mlx5_skip "mlx5_sim.ko is not built (tools/testing/mlx5_sim)"
		return
	fi
	read_simconsts
	local c
	for c in LOG_MAX_QP_CUR LOG_MAX_QP_MAX NUM_PORTS FREQ_KHZ LOG_MAX_UCTX FW_MAJOR \
		 FW_MINOR FW_SUB_MINOR PSID DEVICE_ID SYND_BAD_REGISTER; do
		[ -n "${sim[MLX5_SIM_$c]:-}" ] || sim[MLX5_SIM_$c]="(MLX5_SIM_$c missing from mlx5_sim.h)"
	done
	mlx5_load_start
	mlx5_load_wait || { ktap_notok "mlx5: insmod ${failed_ko:-mlx5_sim}"; return; }
	# The fwctl device whose type is mlx5.
	dev=
	for ((i = 0; i < 20; i++)); do
		fw --json list
		py "[e['name'] for e in d if e['device_type'] == 'mlx5'][0]" && dev=$got && break
		sleep 0.1
	done
	if [ -z "$dev" ]; then
		mlx5_skip "fwctl_mlx5 created no fwctl device of type mlx5 for the simulator"
		return
	fi
	resolve "/sys/class/fwctl/$dev/device"
	parent=${real##*/}
	num=${dev#fwctl}
	idx=${parent##*.}
	echo "# simulator: /dev/fwctl/$dev, parent $parent"

	case_json "mlx5: list --json: $dev, type mlx5, parent $parent" \
		"[(e['number'], e['parent']) for e in d if e['name'] == '$dev'] == [($num, '$parent')]" \
		--json list
	case_run "mlx5: info $parent says the firmware uid" 0 \
		"^firmware uid: +[0-9]+\$" info "$parent"
	if has '^type: *mlx5 \(1\)$' "$tmp/out"; then
		ktap_ok "mlx5: info says type mlx5 (1)"
	else
		show info "$parent"; ktap_notok "mlx5: info says type mlx5 (1)"
	fi
	case_json "mlx5: info --json decodes struct fwctl_info_mlx5 (uid, tools resources)" \
		"d['device'] == '$dev' and d['device_type'] == 'mlx5' and len(d['data']) == 16 and d['mlx5']['uid'] == int.from_bytes(bytes.fromhex(d['data'][0:8]), sys.byteorder) and d['mlx5']['uid'] != 0 and d['mlx5']['uctx_caps'] == int.from_bytes(bytes.fromhex(d['data'][8:16]), sys.byteorder) and d['mlx5']['uctx_caps'] & 4 and 'tools-resources' in d['mlx5']['uctx_cap_names']" \
		--json info "$dev"
	# list reads sysfs only: on mlx5 every open creates a firmware user
	# context, whose uid the simulator hands out in order.
	py "d['mlx5']['uid']"
	uid1=$got
	fw list
	fw --json info "$dev"
	py "d['mlx5']['uid']"
	if [[ $uid1 =~ ^[0-9]+$ ]] && [ "$got" = $((uid1 + 1)) ]; then
		ktap_ok "mlx5: list opens no device (the next context's uid is $got, after $uid1)"
	else
		ktap_notok "mlx5: list opens no device (uid $got after $uid1 and a list)"
	fi

	# QUERY_HCA_CAP, general: the simulator's values (mlx5_sim.h), and
	# the tool's decoding against a Python one of the raw command.
	case_run "mlx5: caps shows the table, log_max_qp ${sim[MLX5_SIM_LOG_MAX_QP_CUR]}" 0 \
		"^log_max_qp +2\\^${sim[MLX5_SIM_LOG_MAX_QP_CUR]} = [0-9]+ +queue pairs\$" \
		mlx5 caps "$parent"
	case_json "mlx5: caps --json: the simulator's values" \
		"d['values'] == 'current' and d['caps']['vhca_id'] == $idx and d['caps']['num_ports'] == ${sim[MLX5_SIM_NUM_PORTS]} and d['caps']['device_frequency_khz'] == ${sim[MLX5_SIM_FREQ_KHZ]} and d['caps']['log_max_uctx'] == ${sim[MLX5_SIM_LOG_MAX_UCTX]}" \
		--json mlx5 caps "$dev"
	case_json "mlx5: caps --max --json: the maximum log_max_qp" \
		"d['values'] == 'maximum' and d['caps']['log_max_qp'] == ${sim[MLX5_SIM_LOG_MAX_QP_MAX]}" \
		--json mlx5 caps "$parent" --max
	case_json "mlx5: raw QUERY_HCA_CAP: status 0, 4112 bytes" \
		"d['out_len'] == 4112 and d['data'][0:2] == '00'" \
		--json rpc "$dev" -s configuration --out-len 4112 --hex '01000000 00000001 00000000 00000000'
	py "d['data']" && hexcap=$got
	case_json "mlx5: caps --json agrees with the raw answer (vhca_id, log_max_qp, port_type, num_ports, uctx_cap)" \
		"(lambda f: [d['caps'][k] for k in ('vhca_id', 'log_max_qp', 'port_type', 'num_ports', 'uctx_cap')] == [f(0x30, 16), f(0x9b, 5), f(0x1b6, 2), f(0x1b8, 8), f(0x6a0, 32)])(lambda off, w: (int.from_bytes(bytes.fromhex('$hexcap')[16 + off // 32 * 4:16 + off // 32 * 4 + 4], 'big') >> (32 - off % 32 - w)) & ((1 << w) - 1))" \
		--json mlx5 caps "$dev"

	# ACCESS_REG read of MGIR.
	local fwver=${sim[MLX5_SIM_FW_MAJOR]}.${sim[MLX5_SIM_FW_MINOR]}.${sim[MLX5_SIM_FW_SUB_MINOR]}
	case_run "mlx5: reg MGIR shows the firmware version" 0 \
		"^  firmware version: +${fwver//./\\.}\$" \
		mlx5 reg "$parent" MGIR
	ex_run "library example mlx5_access_reg reads MGIR's firmware version" \
		"^  firmware +${fwver//./\\.} " mlx5_access_reg "$dev"
	if has "^  PSID: *${sim[MLX5_SIM_PSID]}\$" "$tmp/out"; then
		ktap_ok "mlx5: reg MGIR shows the PSID"
	else
		show mlx5 reg "$parent" MGIR; ktap_notok "mlx5: reg MGIR shows the PSID"
	fi
	printf -v zeros '%0320d' 0	# the 160 bytes of MGIR
	fw --json rpc "$dev" -s debug_read_only --out-len $((16 + 0xa0)) \
		--hex "08050000 00000001 00009020 00000000 $zeros"
	py "d['data']" && out=$got
	case_json "mlx5: reg 0x9020 --json agrees with the raw answer and the simulator" \
		"d['register'] == 'MGIR' and d['register_id'] == 0x9020 and d['length'] == 160 and d['data'] == '$out'[32:] and d['decoded']['psid'] == bytes.fromhex('$out')[16 + 0x30:16 + 0x40].split(b'\\0')[0].decode() == '${sim[MLX5_SIM_PSID]}' and d['decoded']['device_id'] == ${sim[MLX5_SIM_DEVICE_ID]} and d['decoded']['fw_version'] == '$fwver'" \
		--json mlx5 reg "$dev" 0x9020

	# Commands the firmware fails: the status and syndrome are reported.
	case_run "mlx5: a register the firmware rejects: status and syndrome" 1 \
		"^fwctl: $dev: ACCESS_REG read of register 0x7fff failed in the firmware: mlx5 command status 0x3 \\(BAD_PARAM_ERR: bad parameter\\), syndrome ${sim[MLX5_SIM_SYND_BAD_REGISTER]}\$" \
		mlx5 reg "$parent" 0x7fff --len 16
	if [ -w "$ctl/fail_status" ]; then
		echo "5 0x00c0ffee 0x100" >"$ctl/fail_status"
		case_json_err "mlx5: QUERY_HCA_CAP failed by the firmware, as JSON" \
			"d['error']['device'] == '$dev' and d['error']['errno'] is None and d['error']['firmware'] == {'command': 'QUERY_HCA_CAP', 'kind': 'mlx5 command status', 'status': 5, 'status_name': 'BAD_RES_ERR: bad resource', 'syndrome': 0xc0ffee}" \
			--json mlx5 caps "$parent"
		echo 0 >"$ctl/fail_status"
	else
		ktap_notok "mlx5: $ctl/fail_status is there"
	fi
	if [ -w "$ctl/fail_errno" ]; then
		echo "110 0x100" >"$ctl/fail_errno"
		case_run "mlx5: a command that times out: ETIMEDOUT, explained" 1 \
			"^fwctl: $dev: FWCTL_RPC failed: ETIMEDOUT \\(Connection timed out\\): the firmware did not complete the command\$" \
			mlx5 caps "$parent"
		echo 0 >"$ctl/fail_errno"
	else
		ktap_notok "mlx5: $ctl/fail_errno is there"
	fi
	case_run "mlx5: a CXL command on an mlx5 device is refused" 2 \
		"^fwctl: $dev: is a mlx5 device, not cxl\$" cxl features "$parent"

	# Scopes: QUERY_HCA_CAP needs configuration, an ACCESS_REG read
	# debug_read_only.  max_scope only goes down: last.
	echo configuration >"/sys/class/fwctl/$dev/max_scope"
	case_json "mlx5: caps works at max_scope configuration" "d['device'] == '$dev'" \
		--json mlx5 caps "$parent"
	case_run "mlx5: reg above max_scope: EPERM, named, explained" 1 \
		"^fwctl: $dev: FWCTL_RPC failed: EPERM \\(Operation not permitted\\): scope not allowed: debug_read_only is above the device's max_scope \\(configuration\\)" \
		mlx5 reg "$parent" MGIR
}

cxl_tests
mlx5_tests
finish
