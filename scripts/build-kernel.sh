#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a test kernel from Debian's linux-source-7.3 in a cache folder
# outside the repository, keyed by kernel version, flavour and fragment
# hash.  A warm run does nothing.  Two flavours (FLAVOUR=, default debug):
#
#   debug   kernel/fwctl-rs.config: clang, KASAN, lockdep, kmemleak, no
#           MODVERSIONS, upstream's fwctl compiled out (the lab kernel)
#   distro  kernel/fwctl-rs.config up to its "## Debugging" section, then
#           kernel/distro.config: GCC,
#           MODVERSIONS with gendwarfksyms, signed modules, no debugging
#           options, upstream's fwctl and its importers as modules
#   apicompat the distro flavour plus kernel/api-compat.config: upstream's
#           fwctl core built in, with the kernel's Rust fwctl abstraction
#           (make api-compat); its first build starts from a copy of the
#           distro flavour's build folder, so only what the options change
#           is rebuilt
#
#   scripts/build-kernel.sh              build if needed
#   scripts/build-kernel.sh --print-dir  print the build folder and exit
#   scripts/build-kernel.sh --configure  write and check the .config only
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/scripts/env.sh"
FLAVOUR=${FLAVOUR:-debug}
case "$FLAVOUR" in
debug)  frags=("$repo/kernel/fwctl-rs.config") ;;
distro|apicompat)
	# The lab fragment without its "## Debugging" section, then the
	# distribution's options (a later line wins), then api-compat's.
	base=$CACHE/kbuild/.fwctl-rs-base.config
	mkdir -p "$CACHE/kbuild"
	sed '/^## Debugging/,$d' "$repo/kernel/fwctl-rs.config" >"$base"
	frags=("$base" "$repo/kernel/distro.config"); KLLVM=
	[ "$FLAVOUR" = distro ] || frags+=("$repo/kernel/api-compat.config") ;;
*) echo "kernel: FAILED: unknown FLAVOUR=$FLAVOUR (debug, distro or apicompat)" >&2; exit 1 ;;
esac

kver() {
	awk -F' = ' '$1=="VERSION"{v=$2} $1=="PATCHLEVEL"{p=$2} $1=="SUBLEVEL"{s=$2}
		END{print v"."p"."s}' "$KSRC/Makefile" 2>/dev/null
}
# The key covers the fragments and the toolchain choice (LLVM suffix); the
# debug flavour keeps the key it always had.
key=$( { cat "${frags[@]}"; echo "LLVM=$KLLVM"; } | sha256sum | cut -c1-12)
if [ "$FLAVOUR" = debug ]; then
	B=$CACHE/kbuild/$(kver)-$key
else
	B=$CACHE/kbuild/$(kver)-$FLAVOUR-$key
fi

if [ "${1:-}" = "--print-dir" ]; then
	echo "$B"
	exit 0
fi

say() { printf 'kernel: %s\n' "$*"; }
die() { printf 'kernel: FAILED: %s\n' "$*" >&2; exit 1; }

[ -f "$KSRC/Makefile" ] || die "no kernel source at $KSRC (run scripts/setup.sh)"
stamp=$B/.fwctl-rs-built
if [ -f "$stamp" ] && [ -f "$B/arch/x86/boot/bzImage" ]; then
	say "up to date: $B"
	exit 0
fi

kmake() {
	make -s -C "$KSRC" O="$B" LLVM="$KLLVM" RUSTC="$RUSTC" BINDGEN="$BINDGEN" "$@"
}

# The api-compat flavour differs from the distro one in a few options:
# starting from a copy of a built distro folder, Kbuild's per-option
# dependencies (fixdep) rebuild only what they touch.
if [ "$FLAVOUR" = apicompat ] && [ ! -d "$B" ]; then
	D=$(FLAVOUR=distro "$0" --print-dir)
	if [ -f "$D/.fwctl-rs-built" ]; then
		say "seeding $B from the distro build $D"
		mkdir -p "$B.tmp"
		(cd "$D" && tar --exclude=./.fwctl-modroot --exclude=./.fwctl-cxl-test \
			--exclude=./.fwctl-rs-built -cf - .) | tar -C "$B.tmp" -xf - &&
			mv "$B.tmp" "$B" || die "copy $D"
	fi
fi
mkdir -p "$B"
say "configuring Linux $(kver), flavour $FLAVOUR, in $B (allnoconfig + ${frags[*]##*/})"
kmake allnoconfig >/dev/null
grep -hE '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_)' "${frags[@]}" >>"$B/.config"
kmake olddefconfig >/dev/null 2>&1
kmake rustavailable >/dev/null || die "Rust is not available to the kernel build (make rustavailable)"

# Every option of the fragments must have landed as written (the last
# fragment to name an option wins): a dependency that silently drops one
# (say CONFIG_RUST) would make a useless kernel.
bad=0
while IFS='=' read -r opt val; do
	case "$val" in
	n) if grep -q "^$opt=" "$B/.config"; then say "not applied: $opt=n (got $(grep "^$opt=" "$B/.config"))"; bad=1; fi ;;
	*) if ! grep -qx "$opt=$val" "$B/.config"; then
		say "not applied: $opt=$val (got $(grep -E "^$opt=|^# $opt is not set" "$B/.config" || echo nothing))"; bad=1
	   fi ;;
	esac
done < <(grep -hE '^CONFIG_[A-Za-z0-9_]+=' "${frags[@]}" |
	 awk -F= '{ v[$1] = $0; if (!($1 in seen)) { seen[$1] = 1; order[n++] = $1 } }
		  END { for (i = 0; i < n; i++) print v[order[i]] }')
[ "$bad" = 0 ] || die "the config fragment does not apply cleanly (see above)"
if [ "${1:-}" = "--configure" ]; then
	say "configured: $B/.config"
	exit 0
fi

jobs=$(( $(nproc) + 1 ))
if [ -n "$KLLVM" ]; then cc="LLVM=$KLLVM"; else cc=GCC; fi
say "building with make -j$jobs ($cc); log in $B/build.log"
start=$(date +%s)
if ! kmake -j"$jobs" >"$B/build.log" 2>&1; then
	tail -30 "$B/build.log" >&2
	die "kernel build (full log: $B/build.log)"
fi
say "built in $(( $(date +%s) - start )) s"
touch "$stamp"
