#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test kernel from Debian's linux-source-7.3 with the committed
# fragment kernel/fwctl-rs.config, in a cache folder outside the repository
# keyed by kernel version and fragment hash.  A warm run does nothing.
#
#   scripts/build-kernel.sh              build if needed
#   scripts/build-kernel.sh --print-dir  print the build folder and exit
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/scripts/env.sh"
frag=$repo/kernel/fwctl-rs.config

kver() {
	awk -F' = ' '$1=="VERSION"{v=$2} $1=="PATCHLEVEL"{p=$2} $1=="SUBLEVEL"{s=$2}
		END{print v"."p"."s}' "$KSRC/Makefile" 2>/dev/null
}
# The key covers the fragment and the toolchain choice (LLVM suffix).
key=$( { cat "$frag"; echo "LLVM=$KLLVM"; } | sha256sum | cut -c1-12)
B=$CACHE/kbuild/$(kver)-$key

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

mkdir -p "$B"
say "configuring Linux $(kver) in $B (allnoconfig + kernel/fwctl-rs.config)"
kmake allnoconfig >/dev/null
grep -E '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_)' "$frag" >>"$B/.config"
kmake olddefconfig >/dev/null 2>&1
kmake rustavailable >/dev/null || die "Rust is not available to the kernel build (make rustavailable)"

# Every option of the fragment must have landed as written: a dependency
# that silently drops one (say CONFIG_RUST) would make a useless kernel.
bad=0
while IFS='=' read -r opt val; do
	case "$val" in
	n) if grep -q "^$opt=" "$B/.config"; then say "not applied: $opt=n (got $(grep "^$opt=" "$B/.config"))"; bad=1; fi ;;
	*) if ! grep -qx "$opt=$val" "$B/.config"; then
		say "not applied: $opt=$val (got $(grep -E "^$opt=|^# $opt is not set" "$B/.config" || echo nothing))"; bad=1
	   fi ;;
	esac
done < <(grep -E '^CONFIG_[A-Za-z0-9_]+=' "$frag")
[ "$bad" = 0 ] || die "the config fragment does not apply cleanly (see above)"

jobs=$(( $(nproc) + 1 ))
say "building with make -j$jobs (LLVM=$KLLVM); log in $B/build.log"
start=$(date +%s)
if ! kmake -j"$jobs" >"$B/build.log" 2>&1; then
	tail -30 "$B/build.log" >&2
	die "kernel build (full log: $B/build.log)"
fi
say "built in $(( $(date +%s) - start )) s"
touch "$stamp"
