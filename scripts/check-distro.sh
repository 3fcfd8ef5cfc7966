#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check's host part on the distro flavour (kernel/distro.config: GCC,
# MODVERSIONS with gendwarfksyms, signed modules, upstream's fwctl.ko and
# its importers as modules).  Prints KTAP; the guest part is run.sh with
# dropin.sh and the core's conformance suites (scripts/check.sh).
#
#   1. the distro kernel (cached like the lab one);
#   2. the modules and test modules, built in a copy of the sources of their
#      own ($CACHE/distro-tree: the repository's tree keeps the debug
#      flavour's); fwctl_test is linked against the KERNEL's Module.symvers,
#      as a C driver built for a distribution kernel is;
#   3. the CRCs of the three exports equal those of upstream's fwctl.ko in
#      the kernel's own Module.symvers;
#   4. the build refuses a kernel with CONFIG_FWCTL=y;
#   5. a staged module tree, as a system has one: the kernel's modules
#      (modules_install), the kernel's CXL mock (tools/testing/cxl, built
#      once per kernel, in updates/), and fwctl-rs by `make modules_install`;
#      depmod resolves fwctl to the Rust core there, and `make uninstall`
#      gives upstream's fwctl.ko back.
#
# Afterwards $CACHE/distro-tree and $CACHE/distro-modroot hold what the
# guest uses.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/scripts/env.sh"
export FLAVOUR=distro

log=$(mktemp -d /tmp/fwctl-distro.XXXXXX)
. "$repo/scripts/host-ktap.sh"

echo "TAP version 13"
B=$("$repo/scripts/build-kernel.sh" --print-dir)
run distro-kernel "$repo/scripts/build-kernel.sh" || finish
kver=$(cat "$B/include/config/kernel.release")
echo "# kernel $kver in $B"

# 2. The sources, copied (tracked and new files, not build products).
DT=$CACHE/distro-tree
copy_sources "$DT" || { notok "copy the sources to $DT"; finish; }
run distro-modules make -C "$DT" modules KDIR="$B" || finish
run distro-test-modules make -C "$DT" test-modules KDIR="$B" || finish
# This kernel has no kernel::fwctl (CONFIG_FWCTL=m): the Rust drivers are
# built against the project's copy of it (make api-compat builds the same
# sources against the kernel's).  Not fwctl_cxl: it stands aside for
# upstream's CXL support here, and its driver code is compiled out.
api_case project "$DT" fwctl_mlx5.ko tools/testing/fwctl_rust_test/fwctl_rust_test.ko
run distro-c-driver-kernel-symvers \
	make -C "$DT/tools/testing/fwctl_test" KDIR="$B" FWCTL_SYMBOLS=kernel || finish
run distro-selftests make -C "$DT/tools/testing/selftests/fwctl" || finish

# 3. The CRCs.
for s in _fwctl_alloc_device fwctl_register fwctl_unregister; do
	# CRC, export kind and namespace (the module paths differ).
	ours=$(awk -v s="$s" '$2 == s { print $1 " " $4 " " $5 }' "$DT/Module.symvers")
	theirs=$(awk -v s="$s" '$2 == s && $3 == "drivers/fwctl/fwctl" { print $1 " " $4 " " $5 }' "$B/Module.symvers")
	if [ -n "$ours" ] && [ "$ours" = "$theirs" ] &&
	   [ "${ours%% *}" != 0x00000000 ]; then
		ok "CRC of $s: ${ours%% *}, as upstream's fwctl.ko ($theirs)"
	else
		notok "CRC of $s: ours '$ours', the kernel's '$theirs'"
	fi
done

# ... and of the simulator's mlx5_core exports (upstream's mlx5_fwctl must
# load on it).
for s in mlx5_cmd_do mlx5_cmd_exec; do
	ours=$(awk -v s="$s" '$2 == s { print $1 " " $4 }' "$DT/tools/testing/mlx5_sim/Module.symvers")
	theirs=$(awk -v s="$s" '$2 == s { print $1 " " $4 }' "$B/Module.symvers")
	if [ -n "$ours" ] && [ "$ours" = "$theirs" ] && [ "${ours%% *}" != 0x00000000 ]; then
		ok "CRC of the simulator's $s: ${ours%% *}, as mlx5_core's"
	else
		notok "CRC of the simulator's $s: ours '$ours', mlx5_core's '$theirs'"
	fi
done

# 4. The guard against a built-in fwctl (the kernel's own config values are
# overridden on the command line, as a CONFIG_FWCTL=y kernel would set them).
if make -C "$DT" modules KDIR="$B" CONFIG_FWCTL=y >"$log/guard.log" 2>&1; then
	notok "the build refuses a kernel with CONFIG_FWCTL=y (it built)"
elif grep -q "has upstream's fwctl core built in (CONFIG_FWCTL=y)" "$log/guard.log"; then
	ok "the build refuses a kernel with CONFIG_FWCTL=y, saying why"
else
	tail -5 "$log/guard.log" | sed 's/^/# /'
	notok "the build refuses a kernel with CONFIG_FWCTL=y: not with the expected message"
fi

# 5. The staged module tree: the kernel's part once per kernel build.
R=$B/.fwctl-modroot
if [ ! -f "$R/.done" ]; then
	W=$B/.fwctl-cxl-test
	rm -rf "$R" "$W"
	mkdir -p "$W/tools/testing" "$W/drivers"
	# tools/testing/cxl compiles the CXL drivers through ../../../drivers:
	# a copy keeps the objects out of the shared source tree.
	cp -a "$KSRC/tools/testing/cxl" "$W/tools/testing/" &&
		cp -a "$KSRC/drivers/cxl" "$KSRC/drivers/dax" "$W/drivers/" || { notok "copy tools/testing/cxl"; finish; }
	kmk() { make -s -C "$B" RUSTC="$RUSTC" BINDGEN="$BINDGEN" "$@"; }
	run kernel-modules-install kmk INSTALL_MOD_PATH="$R" INSTALL_MOD_STRIP=1 DEPMOD=true modules_install || finish
	run cxl_test-build kmk M="$W/tools/testing/cxl" modules || finish
	run cxl_test-install kmk M="$W/tools/testing/cxl" INSTALL_MOD_PATH="$R" INSTALL_MOD_STRIP=1 DEPMOD=true modules_install || finish
	touch "$R/.done"
fi
S=$CACHE/distro-modroot
rm -rf "$S" && cp -a "$R" "$S" || { notok "copy the module tree"; finish; }
run install-fwctl-rs make -C "$DT" modules_install KDIR="$B" INSTALL_MOD_PATH="$S" || finish
run depmod depmod -b "$S" "$kver" || finish
f=$(modinfo -b "$S" -k "$kver" -F filename fwctl 2>&1)
if [ "$f" = "$S/lib/modules/$kver/updates/fwctl.ko" ]; then
	ok "installed: modprobe's fwctl is the Rust core (updates/fwctl.ko)"
else
	notok "installed: modprobe's fwctl is $f"
fi
U=$log/uninstalled
cp -a "$S" "$U"
if make -C "$DT" uninstall KDIR="$B" INSTALL_MOD_PATH="$U" DESTDIR="$U/root" >"$log/uninstall.log" 2>&1 &&
   depmod -b "$U" "$kver" &&
   [ "$(modinfo -b "$U" -k "$kver" -F filename fwctl)" = "$U/lib/modules/$kver/kernel/drivers/fwctl/fwctl.ko" ]; then
	ok "make uninstall gives upstream's fwctl.ko back"
else
	tail -5 "$log/uninstall.log" | sed 's/^/# /'
	notok "make uninstall gives upstream's fwctl.ko back"
fi
rm -rf "$U"
finish
