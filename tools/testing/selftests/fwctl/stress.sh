#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# stress.sh: the long reliability run, inside the test guest (make stress
# boots one for it: scripts/stress.sh).  Runs fwctl_fuzz with the given
# options after checking that the boot itself left no splat, then prints
# the figures on one line:
#   fwctl-stress: calls=N cycles=N module_cycles=N violations=N splats=N
#   leaks=N kmemleak=clean seed=S exit=N
# and exits non-zero if anything was wrong (kmemleak must have run, on a
# kernel that has it).
#
# With FWCTL_MODROOT (the distribution-style kernel: scripts/stress.sh
# FLAVOUR=distro), the staged module tree becomes the system's first, so
# that modprobe resolves fwctl to the Rust core as on an installed system;
# the CXL devices are then the kernel's CXL mock's (cxl_test), registered
# by the kernel's own cxl_core, and the mlx5 driver is upstream's
# mlx5_fwctl on the simulator.
set -u
dir=$(cd "$(dirname "$0")" && pwd)
. "$dir/lib.sh"

if [ -n "${FWCTL_MODROOT:-}" ]; then
	kver=$(uname -r)
	use_modroot "$FWCTL_MODROOT" ||
		{ echo "fwctl-stress: cannot install $FWCTL_MODROOT as /lib/modules"; exit 1; }
	# shellcheck disable=SC2086
	unload_modules $CXL_TEST_MODULES fwctl
	if ! modprobe fwctl || [ ! -e /sys/module/fwctl/parameters/max_scope ]; then
		echo "fwctl-stress: modprobe fwctl did not load the Rust core"
		exit 1
	fi
	modprobe cxl_test && modprobe cxl_mock_mem && cxl_wait_fwctl >/dev/null ||
		{ echo "fwctl-stress: no fwctl device from cxl_core on cxl_test"; exit 1; }
	# Upstream's mlx5_fwctl needs a PCI function under its mlx5_core:
	# the simulator drives QEMU's pci-testdev as one.
	export FWCTL_FUZZ_MLX5_KO=/lib/modules/$kver/kernel/drivers/fwctl/mlx5/mlx5_fwctl.ko
	FWCTL_FUZZ_MLX5_PCI=$(pci_testdev)
	export FWCTL_FUZZ_MLX5_PCI
	echo "# distro: the Rust core by modprobe, cxl_core's devices on cxl_test," \
		"upstream's mlx5_fwctl on the simulator at PCI ${FWCTL_FUZZ_MLX5_PCI:-(none)}"
fi

boot=$(dmesg | grep -E "$SPLAT_RE" || true)
if [ -n "$boot" ]; then
	echo "# splats before the run (boot):"
	printf '%s\n' "$boot" | head -20 | sed 's/^/#   /'
fi
"$dir/fwctl_fuzz" "$@" | tee "${FWCTL_SCRATCH:-/tmp}/fwctl-stress.log"
rc=${PIPESTATUS[0]}
res=$(grep 'fwctl_fuzz: RESULT' "${FWCTL_SCRATCH:-/tmp}/fwctl-stress.log" | tail -1)
if [ -z "$res" ]; then
	echo "fwctl-stress: no result (fwctl_fuzz exit $rc)"
	exit 1
fi
val() { printf '%s\n' "$res" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
splats=$(( $(val splats) + $(printf '%s\n' "$boot" | grep -c . ) ))
echo "fwctl-stress: calls=$(val calls) cycles=$(val cycles) module_cycles=$(val module_cycles) violations=$(val violations) splats=$splats leaks=$(val leaks) kmemleak=$(val kmemleak) seed=$(val seed) exit=$rc"
# kmemleak must have run and found nothing when asked for (--kmemleak).
want=off
case " $* " in *" --kmemleak "*) want=clean ;; esac
[ "$rc" = 0 ] && [ "$splats" = 0 ] && [ "$(val kmemleak)" = "$want" ]
