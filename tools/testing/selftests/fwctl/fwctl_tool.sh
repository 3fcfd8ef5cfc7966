#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fwctl-selftest: ktap
#
# The fwctl tool (crates/fwctl-tool, built on the host) against real
# devices, text and JSON output (parsed with python3's json module):
#
# CXL, on QEMU's emulated type-3 device (fwctl_core + fwctl_cxl): list,
# info by every kind of name, cxl features, get, set and get again (the
# patrol scrub cycle, put back afterwards), raw rpc, and refusals that name
# the device and the errno.  What the tool shows is checked against sysfs
# and against QEMU's two features (see fwctl_cxl.c), not against itself.
#
# mlx5, on the mlx5 simulator (tools/testing/mlx5_sim/mlx5_sim.ko) with
# fwctl_mlx5: list, info, mlx5 caps and mlx5 reg MGIR, their decoding
# checked against a decoding in Python of the same commands sent raw, a
# firmware error reported with its status and syndrome, and the scopes.
# mlx5_sim.ko is built by make test-modules, so a missing simulator or an
# mlx5 device that does not appear fails these cases; FWCTL_MLX5_REQUIRED=0
# makes them SKIP instead (a tree without the simulator).
#
# One KTAP line per case; run.sh numbers them into its stream.
set -u
. "$(dirname "$0")/lib.sh"

n=0 failures=0
ktap_ok() { n=$((n + 1)); echo "ok $n $*"; }
ktap_notok() { n=$((n + 1)); failures=$((failures + 1)); echo "not ok $n $*"; }
ktap_skip() { n=$((n + 1)); echo "ok $n $1 # SKIP $2"; }
finish() { echo "1..$n"; [ "$failures" = 0 ]; exit $?; }

echo "TAP version 13"
tmp=$(mktemp -d /tmp/fwctl-tool-test.XXXXXX)
loaded=()
cleanup() {
	local i
	for ((i = ${#loaded[@]} - 1; i >= 0; i--)); do
		rmmod "${loaded[$i]}" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

# The tool: $FWCTL_TOOL, else the newest of the repository's builds.
tool=${FWCTL_TOOL:-}
if [ -z "$tool" ]; then
	for t in "$FWCTL_REPO/target/debug/fwctl" "$FWCTL_REPO/target/release/fwctl"; do
		[ -x "$t" ] && { [ -z "$tool" ] || [ "$t" -nt "$tool" ]; } && tool=$t
	done
fi
echo "# tool: ${tool:-none}"
if [ -z "$tool" ] || ! "$tool" --version >/dev/null 2>&1; then
	ktap_notok "the fwctl tool is built (make tool, or cargo build -p fwctl-tool)"
	finish
fi
if [ "$(id -u)" != 0 ]; then
	echo "# needs root: it loads modules"
	exit 4
fi

# fw ARGS...: runs the tool; its output in $tmp/out, $tmp/err, status in $rc.
fw() {
	"$tool" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}
show() { # the last run's output, as comments
	echo "# \$ fwctl $*  (exit $rc)"
	sed 's/^/#   /' "$tmp/out" | head -40
	sed 's/^/#   stderr: /' "$tmp/err" | head -20
}
# case_run NAME WANT-RC GREP-PATTERN ARGS...: the tool exits WANT-RC and
# its output (stdout, then stderr) matches the extended regex.
case_run() {
	local name=$1 want=$2 pat=$3
	shift 3
	fw "$@"
	if [ "$rc" = "$want" ] && cat "$tmp/out" "$tmp/err" | grep -Eq -- "$pat"; then
		ktap_ok "$name"
	else
		show "$@"
		echo "# wanted exit $want and /$pat/"
		ktap_notok "$name"
	fi
}
# py EXPR [FILE]: EXPR of the JSON in FILE (default: the last stdout) as d.
py() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[2]))
r = eval(sys.argv[1])
print(r if not isinstance(r, bool) else int(r))' "$1" "${2:-$tmp/out}"
}
# case_json NAME EXPR ARGS...: the tool exits 0, its stdout is JSON, and
# EXPR is true of it.
case_json() {
	local name=$1 expr=$2 got
	shift 2
	fw "$@"
	if [ "$rc" = 0 ] && got=$(py "$expr" 2>"$tmp/pyerr") && [ "$got" = 1 ]; then
		ktap_ok "$name"
	else
		show "$@"
		sed 's/^/#   python: /' "$tmp/pyerr"
		echo "# wanted: $expr"
		ktap_notok "$name"
	fi
}
# case_json_err NAME EXPR ARGS...: the tool exits 1, its stderr is JSON,
# and EXPR is true of it.
case_json_err() {
	local name=$1 expr=$2 got
	shift 2
	fw "$@"
	if [ "$rc" = 1 ] && got=$(py "$expr" "$tmp/err" 2>"$tmp/pyerr") && [ "$got" = 1 ]; then
		ktap_ok "$name"
	else
		show "$@"
		sed 's/^/#   python: /' "$tmp/pyerr"
		echo "# wanted: $expr"
		ktap_notok "$name"
	fi
}
load() { # load MODULE-PATH: insmod, remembered for the unload at exit
	local m
	m=$(basename "$1" .ko)
	grep -q "^$m " /proc/modules && return 0
	insmod "$1" || return 1
	loaded+=("$m")
}
# fwctl_of PARENT: the fwctlN whose parent device is PARENT (waits 2 s).
fwctl_of() {
	local i d
	for i in $(seq 20); do
		for d in /sys/class/fwctl/fwctl*; do
			[ -e "$d/device" ] || continue
			if [ "$(basename "$(readlink -f "$d/device")")" = "$1" ] && [ -c "/dev/fwctl/$(basename "$d")" ]; then
				basename "$d"
				return 0
			fi
		done
		sleep 0.1
	done
	return 1
}
pci_above() { # the last PCI address in a sysfs path
	readlink -f "$1" | tr / '\n' | grep -E '^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-9a-f]$' | tail -1
}

load "$(ko fwctl_core)" || { ktap_notok "insmod fwctl_core"; finish; }

# ---------------------------------------------------------------------------
# CXL
# ---------------------------------------------------------------------------
cxl_tests() {
	local mem dev num drv bus scope
	mem=$(ls /sys/bus/cxl/devices 2>/dev/null | grep -m1 '^mem[0-9]')
	if [ -z "$mem" ]; then
		ktap_skip "cxl" "no CXL memory device (a guest booted without QEMU's CXL device)"
		return
	fi
	load "$(ko fwctl_cxl)" || { ktap_notok "insmod fwctl_cxl"; return; }
	dev=$(fwctl_of "$mem") || { ktap_notok "cxl: $mem has a fwctl device"; return; }
	num=${dev#fwctl}
	drv=$(basename "$(readlink -f "/sys/bus/cxl/devices/$mem/driver")" 2>/dev/null)
	[ -e "/sys/bus/cxl/devices/$mem/driver" ] || drv=-
	bus=$(pci_above "/sys/bus/cxl/devices/$mem")
	scope=$(cat "/sys/class/fwctl/$dev/max_scope")
	echo "# $mem: /dev/fwctl/$dev, driver $drv, PCI $bus, max_scope $scope"

	case_run "cxl: list shows $dev, type cxl, its parent, driver, bus and max_scope" 0 \
		"^$dev +cxl +$mem +$drv +${bus:--} +$scope\$" list
	case_json "cxl: list --json agrees with sysfs" \
		"[e for e in d if e['name'] == '$dev'] == [{'name': '$dev', 'number': $num, 'device_type': 'cxl', 'parent': '$mem', 'driver': '$drv', 'bus_address': '$bus', 'max_scope': '$scope'}]" \
		--json list
	case_run "cxl: info $mem names the device and its type" 0 \
		"device: +$dev" info "$mem"
	if grep -q '^type: *cxl (2)$' "$tmp/out" && grep -q '^driver data: *none$' "$tmp/out"; then
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
	if grep -Eq "^1 +e5b13f22-2328-4a14-b8ba-b9691e893386 +ecs +13 +7 " "$tmp/out"; then
		ktap_ok "cxl: features lists ecs (get 13, set 7)"
	else
		show cxl features "$mem"; ktap_notok "cxl: features lists ecs (get 13, set 7)"
	fi
	case_json "cxl: features --json" \
		"d['device'] == '$dev' and [(f['name'], f['get_size'], f['set_size'], f['set_scope'], f['effects']) for f in d['features']] == [('patrol-scrub', 4, 2, 'debug_write_full', 0x202), ('ecs', 13, 7, 'debug_write_full', 0x202)] and 'config-change-immediate' in d['features'][0]['effect_names']" \
		--json cxl features "$mem"

	# Patrol scrub: cap (u8), cycle (u8 hours), minimum cycle, flags.
	local orig cycle min flags new
	case_json "cxl: get patrol-scrub --json: 4 bytes" \
		"d['name'] == 'patrol-scrub' and d['uuid'] == '96dad7d6-fde8-482b-a733-75774e06db8a' and len(d['data']) == 8" \
		--json cxl get "$mem" patrol-scrub
	orig=$(py "d['data']") || orig=
	if [ ${#orig} != 8 ]; then
		ktap_notok "cxl: patrol scrub value read"
		return
	fi
	cycle=$((16#${orig:2:2})) min=$((16#${orig:4:2})) flags=$((16#${orig:6:2} & 1))
	new=$((cycle == min ? min + 1 : min))
	echo "# patrol scrub: cycle $cycle h, minimum $min h, enabled $flags; setting $new h"
	case_run "cxl: get patrol-scrub shows the value as a hex dump" 0 \
		"^00000000  ${orig:0:2} ${orig:2:2} ${orig:4:2} ${orig:6:2} " cxl get "$mem" patrol-scrub
	case_run "cxl: set patrol-scrub (scope debug_write_full)" 0 \
		"^$dev: feature patrol-scrub set \\(2 bytes, scope debug_write_full\\)\$" \
		cxl set "$mem" patrol-scrub "$(printf '%02x%02x' "$new" "$flags")"
	case_json "cxl: get shows the new cycle" \
		"int(d['data'][2:4], 16) == $new and d['data'][4:6] == '${orig:4:2}'" \
		--json cxl get "$mem" patrol-scrub
	case_json "cxl: set --json puts the old cycle back" \
		"d == {'device': '$dev', 'uuid': '96dad7d6-fde8-482b-a733-75774e06db8a', 'name': 'patrol-scrub', 'scope': 'debug_write_full', 'written': 2}" \
		--json cxl set "$dev" patrol-scrub "$(printf '%02x%02x' "$cycle" "$flags")"
	case_json "cxl: get shows the old value again" "d['data'] == '$orig'" \
		--json cxl get "/dev/fwctl/$dev" patrol-scrub

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
	case_run "cxl: set beyond the feature's size is refused before any RPC" 1 \
		"$dev: feature 96dad7d6-fde8-482b-a733-75774e06db8a takes 1 to 2 bytes, 3 given" \
		cxl set "$mem" patrol-scrub 010203
	case_run "cxl: an mlx5 command on a CXL device is refused" 1 \
		"^fwctl: $dev: is a cxl device, not mlx5\$" mlx5 caps "$mem"
	case_run "cxl: an unknown device is named" 1 \
		"^fwctl: mem99: no such fwctl device" info mem99
	# max_scope only goes down: last.
	echo debug_write >"/sys/class/fwctl/$dev/max_scope"
	case_run "cxl: set above max_scope: EPERM, named, explained" 1 \
		"^fwctl: $dev: FWCTL_RPC failed: EPERM \\(Operation not permitted\\): scope not allowed: .*max_scope" \
		cxl set "$mem" patrol-scrub "$(printf '%02x%02x' "$new" "$flags")"
	case_json_err "cxl: set above max_scope --json: the error as JSON" \
		"d['error']['device'] == '$dev' and d['error']['errno'] == 'EPERM' and d['error']['errno_value'] == 1 and 'max_scope' in d['error']['message']" \
		--json cxl set "$mem" patrol-scrub "$(printf '%02x%02x' "$new" "$flags")"
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

# simconst NAME: a constant of mlx5_sim.h (the simulator's contract), bare.
simconst() {
	sed -n "s/^#define $1[[:space:]][[:space:]]*\([^[:space:]]*\).*/\1/p" \
		"$FWCTL_REPO/tools/testing/mlx5_sim/mlx5_sim.h" | sed 's/U$//; s/"//g'
}

mlx5_tests() {
	local sim=$FWCTL_REPO/tools/testing/mlx5_sim/mlx5_sim.ko ctl=/sys/kernel/mlx5_sim
	local dev parent num idx hexcap out i
	if [ ! -f "$sim" ]; then
		mlx5_skip "mlx5_sim.ko is not built (tools/testing/mlx5_sim)"
		return
	fi
	load "$sim" || { ktap_notok "mlx5: insmod mlx5_sim"; return; }
	load "$(ko fwctl_mlx5)" || { ktap_notok "mlx5: insmod fwctl_mlx5"; return; }
	# The fwctl device whose type is mlx5.
	dev=
	for i in $(seq 20); do
		fw --json list
		dev=$(py "[e['name'] for e in d if e['device_type'] == 'mlx5'][0]" 2>/dev/null) && break
		sleep 0.1
	done
	if [ -z "$dev" ]; then
		mlx5_skip "fwctl_mlx5 created no fwctl device of type mlx5 for the simulator"
		return
	fi
	parent=$(basename "$(readlink -f "/sys/class/fwctl/$dev/device")")
	num=${dev#fwctl}
	idx=${parent##*.}
	echo "# simulator: /dev/fwctl/$dev, parent $parent"

	case_json "mlx5: list --json: $dev, type mlx5, parent $parent" \
		"[(e['number'], e['parent']) for e in d if e['name'] == '$dev'] == [($num, '$parent')]" \
		--json list
	case_run "mlx5: info $parent says the firmware uid" 0 \
		"^firmware uid: +[0-9]+\$" info "$parent"
	if grep -q '^type: *mlx5 (1)$' "$tmp/out"; then
		ktap_ok "mlx5: info says type mlx5 (1)"
	else
		show info "$parent"; ktap_notok "mlx5: info says type mlx5 (1)"
	fi
	case_json "mlx5: info --json decodes struct fwctl_info_mlx5 (uid, tools resources)" \
		"d['device'] == '$dev' and d['device_type'] == 'mlx5' and len(d['data']) == 16 and d['mlx5']['uid'] == int.from_bytes(bytes.fromhex(d['data'][0:8]), sys.byteorder) and d['mlx5']['uid'] != 0 and d['mlx5']['uctx_caps'] == int.from_bytes(bytes.fromhex(d['data'][8:16]), sys.byteorder) and d['mlx5']['uctx_caps'] & 4 and 'tools-resources' in d['mlx5']['uctx_cap_names']" \
		--json info "$dev"

	# QUERY_HCA_CAP, general: the simulator's values (mlx5_sim.h), and
	# the tool's decoding against a Python one of the raw command.
	case_run "mlx5: caps shows the table, log_max_qp $(simconst MLX5_SIM_LOG_MAX_QP_CUR)" 0 \
		"^log_max_qp +2\\^$(simconst MLX5_SIM_LOG_MAX_QP_CUR) = [0-9]+ +queue pairs\$" \
		mlx5 caps "$parent"
	case_json "mlx5: caps --json: the simulator's values" \
		"d['values'] == 'current' and d['caps']['vhca_id'] == $idx and d['caps']['num_ports'] == $(simconst MLX5_SIM_NUM_PORTS) and d['caps']['device_frequency_khz'] == $(simconst MLX5_SIM_FREQ_KHZ) and d['caps']['log_max_uctx'] == $(simconst MLX5_SIM_LOG_MAX_UCTX)" \
		--json mlx5 caps "$dev"
	case_json "mlx5: caps --max --json: the maximum log_max_qp" \
		"d['values'] == 'maximum' and d['caps']['log_max_qp'] == $(simconst MLX5_SIM_LOG_MAX_QP_MAX)" \
		--json mlx5 caps "$parent" --max
	case_json "mlx5: raw QUERY_HCA_CAP: status 0, 4112 bytes" \
		"d['out_len'] == 4112 and d['data'][0:2] == '00'" \
		--json rpc "$dev" -s configuration --out-len 4112 --hex '01000000 00000001 00000000 00000000'
	hexcap=$(py "d['data']")
	case_json "mlx5: caps --json agrees with the raw answer (vhca_id, log_max_qp, port_type, num_ports, uctx_cap)" \
		"(lambda f: [d['caps'][k] for k in ('vhca_id', 'log_max_qp', 'port_type', 'num_ports', 'uctx_cap')] == [f(0x30, 16), f(0x9b, 5), f(0x1b6, 2), f(0x1b8, 8), f(0x6a0, 32)])(lambda off, w: (int.from_bytes(bytes.fromhex('$hexcap')[16 + off // 32 * 4:16 + off // 32 * 4 + 4], 'big') >> (32 - off % 32 - w)) & ((1 << w) - 1))" \
		--json mlx5 caps "$dev"

	# ACCESS_REG read of MGIR.
	case_run "mlx5: reg MGIR shows the firmware version" 0 \
		"^  firmware version: +$(simconst MLX5_SIM_FW_MAJOR)\\.$(simconst MLX5_SIM_FW_MINOR)\\.$(simconst MLX5_SIM_FW_SUB_MINOR)\$" \
		mlx5 reg "$parent" MGIR
	if grep -q "^  PSID: *$(simconst MLX5_SIM_PSID)\$" "$tmp/out"; then
		ktap_ok "mlx5: reg MGIR shows the PSID"
	else
		show mlx5 reg "$parent" MGIR; ktap_notok "mlx5: reg MGIR shows the PSID"
	fi
	fw --json rpc "$dev" -s debug_read_only --out-len $((16 + 0xa0)) \
		--hex "08050000 00000001 00009020 00000000 $(printf "00%.0s" $(seq 160))"
	out=$(py "d['data']")
	case_json "mlx5: reg 0x9020 --json agrees with the raw answer and the simulator" \
		"d['register'] == 'MGIR' and d['register_id'] == 0x9020 and d['length'] == 160 and d['data'] == '$out'[32:] and d['decoded']['psid'] == bytes.fromhex('$out')[16 + 0x30:16 + 0x40].split(b'\\0')[0].decode() == '$(simconst MLX5_SIM_PSID)' and d['decoded']['device_id'] == $(simconst MLX5_SIM_DEVICE_ID) and d['decoded']['fw_version'] == '$(simconst MLX5_SIM_FW_MAJOR).$(simconst MLX5_SIM_FW_MINOR).$(simconst MLX5_SIM_FW_SUB_MINOR)'" \
		--json mlx5 reg "$dev" 0x9020

	# Commands the firmware fails: the status and syndrome are reported.
	case_run "mlx5: a register the firmware rejects: status and syndrome" 1 \
		"^fwctl: $dev: ACCESS_REG read of register 0x7fff failed in the firmware: mlx5 command status 0x3 \\(BAD_PARAM_ERR: bad parameter\\), syndrome $(simconst MLX5_SIM_SYND_BAD_REGISTER)\$" \
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
	case_run "mlx5: a CXL command on an mlx5 device is refused" 1 \
		"^fwctl: $dev: is a mlx5 device, not cxl\$" cxl features "$parent"

	# Scopes: QUERY_HCA_CAP needs configuration, an ACCESS_REG read
	# debug_read_only.  max_scope only goes down: last.
	echo configuration >"/sys/class/fwctl/$dev/max_scope"
	case_json "mlx5: caps works at max_scope configuration" "d['device'] == '$dev'" \
		--json mlx5 caps "$parent"
	case_run "mlx5: reg above max_scope: EPERM, named, explained" 1 \
		"^fwctl: $dev: FWCTL_RPC failed: EPERM \\(Operation not permitted\\): scope not allowed" \
		mlx5 reg "$parent" MGIR
}

cxl_tests
mlx5_tests
finish
