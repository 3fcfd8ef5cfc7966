#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The vendor tools make check runs against the modules: mstflint (>= 4.33,
# NVIDIA's open tools: mstreg, mstfwctrl) and ndctl's libcxl (>= 82, with
# its header), from Debian's development release (forky).  They are
# downloaded only, through a private apt configuration under the cache
# (the machine's own apt sources and dpkg database are never touched),
# together with the shared libraries they need from the same release, and
# unpacked into one directory tree:
#
#   $CACHE/vendor/root      forky's files: usr/bin/mstreg, usr/lib/...,
#                           usr/share/mstflint, usr/include/cxl/libcxl.h
#   $CACHE/vendor/VERSIONS  "package version" lines
#
# These binaries need forky's glibc (2.38 or later; the host has 2.36), so
# they never run with the host's libraries: the guest runs mstflint chrooted
# into the tree (it also reads its register database from /usr/share), and
# programs linked against libcxl with the tree's dynamic loader and library
# path (tools/testing/selftests/fwctl/vendor.sh).
#
#   scripts/vendor-tools.sh            fetch what is missing
#   scripts/vendor-tools.sh --check    exit 1 if something is missing
#   scripts/vendor-tools.sh --print-root
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/env.sh
. "$here/env.sh"

VENDOR=$CACHE/vendor
ROOT=$VENDOR/root
SUITE=forky
# The packages asked for, and the least versions the tests need: mstflint
# 4.33 is the first with fwctl support (its mtcr opens /dev/fwctl/NAME),
# ndctl 82 the first whose libcxl finds a memdev's fwctl device.
PKGS="mstflint libcxl1 libcxl-dev"
MIN_MSTFLINT=4.33
MIN_LIBCXL=82
# Their dependencies that only the parts the tests do not run need (the
# python3 stack of mstflint's python tools): not downloaded.
SKIP_RE='^(python3.*|libpython3.*|media-types|netbase|tzdata|debconf|readline-common|libreadline.*|libncursesw.*|libtinfo.*|libbz2-.*|libdb5.*|libffi.*)$'
# The programs and libraries whose every needed library must resolve in
# the tree.
CHECK_ELF="usr/bin/mstreg usr/bin/mstfwctrl usr/lib/x86_64-linux-gnu/libcxl.so.1"

say() { printf 'vendor-tools: %s\n' "$*"; }
die() { printf 'vendor-tools: FAILED: %s\n' "$*" >&2; exit 1; }

ld_so() { echo "$ROOT/usr/lib64/ld-linux-x86-64.so.2"; }
libpath() { echo "$ROOT/usr/lib/x86_64-linux-gnu"; }

# complete: the tree is there, and every ELF file the tests use finds
# every library it needs in it.
complete() {
	local f out
	[ -f "$VENDOR/VERSIONS" ] && [ -x "$(ld_so)" ] || return 1
	for f in $CHECK_ELF; do
		[ -e "$ROOT/$f" ] || return 1
		out=$("$(ld_so)" --library-path "$(libpath)" --list "$ROOT/$f" 2>&1) || return 1
		! grep -q 'not found' <<<"$out" || { echo "$out" >&2; return 1; }
	done
}

case "${1:-}" in
--print-root) echo "$ROOT"; exit 0 ;;
--check) complete && exit 0; say "missing: the vendor tools (scripts/vendor-tools.sh)"; exit 1 ;;
"") ;;
*) die "unknown option $1" ;;
esac

if complete; then
	say "present: $(tr '\n' ' ' <"$VENDOR/VERSIONS")"
	exit 0
fi

# shellcheck source=scripts/apt-private.sh
. "$here/apt-private.sh"
mirror=$(debian_mirror) || die "cannot find the Debian mirror in /etc/apt/sources.list{,.d}"
apt_dir=$CACHE/apt-$SUITE
apt_private "$apt_dir" "$mirror" "$SUITE"

say "fetching the $SUITE package list from $mirror (private apt directory $apt_dir)"
apt-get "${aptopts[@]}" update -qq || die "apt-get update of the private $SUITE list"

# The closure apt would install on an empty system, less SKIP_RE.
# shellcheck disable=SC2086
closure=$(apt-get "${aptopts[@]}" -s install --no-install-recommends $PKGS 2>&1 |
	  awk '/^Inst /{print $2}') || true
[ -n "$closure" ] || die "apt cannot resolve $PKGS in $SUITE"
want=$(grep -vE "$SKIP_RE" <<<"$closure" | tr '\n' ' ')
say "downloading: $want"
rm -rf "$apt_dir/deb" && mkdir -p "$apt_dir/deb"
# shellcheck disable=SC2086
(cd "$apt_dir/deb" && apt-get "${aptopts[@]}" download $want >/dev/null) ||
	die "apt-get download $want"

ver() { dpkg-deb -f "$(ls "$apt_dir"/deb/"$1"_*.deb | head -1)" Version; }
v_mst=$(ver mstflint) v_cxl=$(ver libcxl1)
dpkg --compare-versions "$v_mst" ge "$MIN_MSTFLINT" ||
	die "$SUITE's mstflint is $v_mst; the tests need >= $MIN_MSTFLINT"
dpkg --compare-versions "$v_cxl" ge "$MIN_LIBCXL" ||
	die "$SUITE's libcxl1 is $v_cxl; the tests need >= $MIN_LIBCXL"

say "unpacking into $ROOT"
rm -rf "$ROOT.tmp" && mkdir -p "$ROOT.tmp"
for deb in "$apt_dir"/deb/*.deb; do
	dpkg-deb -x "$deb" "$ROOT.tmp" || die "dpkg-deb -x $deb"
done
# A merged-/usr tree, as the release's own systems are, and the mount
# points of the chroot the guest runs mstflint in.
for d in bin sbin lib lib64; do
	[ -e "$ROOT.tmp/$d" ] || ln -s "usr/$d" "$ROOT.tmp/$d"
done
mkdir -p "$ROOT.tmp/dev" "$ROOT.tmp/proc" "$ROOT.tmp/sys" "$ROOT.tmp/tmp" "$ROOT.tmp/run"
rm -rf "$ROOT" && mv "$ROOT.tmp" "$ROOT"
for deb in "$apt_dir"/deb/*.deb; do
	dpkg-deb -f "$deb" Package Version | paste -sd' ' | sed 's/^Package: //; s/ Version: / /'
done >"$VENDOR/VERSIONS"
complete || die "the unpacked tree lacks a library of $CHECK_ELF (see above)"
say "done: mstflint $v_mst, libcxl $v_cxl"
