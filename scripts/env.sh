# SPDX-License-Identifier: GPL-2.0
# Shared locations and pinned versions; sourced by the scripts and mirrored
# by the Makefile.  Everything lives outside the repository, in a cache that
# survives between runs on the same machine.
CACHE=${FWCTL_CACHE:-$HOME/.cache/fwctl-rs}
TOOLS=$CACHE/tools
KSRC=$CACHE/src/linux-source-7.3
BINDGEN_VERSION=0.72.1
VNG_VERSION=1.42
BINDGEN=$TOOLS/bin/bindgen
VNG=$TOOLS/venv/bin/vng
RUSTC=/usr/bin/rustc
LIBCLANG_PATH=/usr/lib/llvm-19/lib
export LIBCLANG_PATH
# The test kernel is built with LLVM 19: the kernel allows KASAN together
# with Rust only when C is compiled by clang.
KLLVM=-19

# copy_sources DEST: the repository's sources as they are now (tracked and
# new files, not build products) into DEST, a build tree of its own for
# another kernel flavour; sources deleted since the last copy do not
# survive, build products there (objects, generated bindings) do.
copy_sources() {
	local repo dest=$1
	repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	mkdir -p "$dest" || return
	find "$dest" -type f \( -name '*.rs' -o -name '*.c' -o -name '*.h' -o -name '*.sh' -o -name Kbuild \
		-o -name Makefile -o -name '*.params' -o -name '*.mk' \) \
		! -name '*_generated.rs' ! -name '*.mod.c' ! -name '.*' -delete 2>/dev/null
	(cd "$repo" && git ls-files -co --exclude-standard -z |
		tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -C "$dest" -xf -
}

# fwctl_api_of KO: the Rust fwctl API a driver module was built against,
# from the symbols of its ops table's callbacks (VTable<T>'s, monomorphised
# into the module): "kernel" for the kernel's kernel::fwctl, "project" for
# the module's own copy (common/fwctl_driver.rs, as its `fwctl` module),
# "none" if it has neither.
fwctl_api_of() {
	local syms
	syms=$(nm "$1" 2>/dev/null | grep -E '5fwctlINtB[0-9a-z]*_6VTable') || { echo none; return; }
	if grep -q '_6kernel5fwctlI' <<<"$syms"; then
		echo kernel
	else
		echo project
	fi
}
