#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fwctl_fuzz.sh: the bounded reliability run of make check, about a minute
# in the test guest.  fwctl_fuzz fuzzes FWCTL_INFO and FWCTL_RPC from 3
# threads for FWCTL_FUZZ_TIME seconds (default 45) while 100 device unplug
# cycles (fwctl_test, the CXL memdev, mlx5_sim when built) and one module
# unload cycle run beside it, then checks for leaks (kmemleak included,
# unless lockdown closed it) and splats.  FWCTL_FUZZ_SEED replays a seed;
# FWCTL_FUZZ_TIME and FWCTL_FUZZ_CYCLES change the time and the cycles.
# FWCTL_FUZZ_KMEMLEAK=0 leaves out the kmemleak scan, for a caller that
# runs kmemleak.sh later in the same boot (make check: one scan of
# everything since the boot, rather than one per test).
# `make stress` is the long run (Documentation/reliability.rst).
#
# Exit status: fwctl_fuzz's (0 pass, 4 skip, anything else a failure).
set -u
. "${0%/*}/lib.sh"
need_modules fwctl fwctl_test
dir=$(cd "$(dirname "$0")" && pwd)
fuzz="$dir/fwctl_fuzz"
if [ ! -x "$fuzz" ]; then
	echo "# $fuzz is not built (make -C tools/testing/selftests/fwctl)"
	exit 1
fi
args=(--threads 3 --time "${FWCTL_FUZZ_TIME:-45}" --cycles "${FWCTL_FUZZ_CYCLES:-100}"
      --module-cycles 1 --fail-open --quiet)
[ "${FWCTL_FUZZ_KMEMLEAK:-1}" = 0 ] || args+=(--kmemleak)
[ -n "${FWCTL_FUZZ_SEED:-}" ] && args+=(--seed "$FWCTL_FUZZ_SEED")
exec "$fuzz" "${args[@]}"
