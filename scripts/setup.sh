#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything fwctl-rs needs to build and test on a fresh Debian 12
# (bookworm) x86_64 machine.  Idempotent: every step first checks whether its
# piece is already there, says what it does, and stops with a message naming
# the missing piece when something fails.
#
#   scripts/setup.sh            install what is missing
#   scripts/setup.sh --check    only report; exit 1 if something is missing
#
# Pieces:
#   Debian (bookworm, bookworm-security): rustc-web rust-web-src libclang-19-dev
#       clang-19 lld-19 llvm-19 (KASAN with Rust needs an LLVM-built kernel)
#       flex bison bc libelf-dev libdw-dev (gendwarfksyms, for the distro
#       flavour) libssl-dev dwarves cpio udev rsync (the kernel's kselftest
#       install); dkms (without
#       its recommends) for the install test
#   Debian bookworm-backports: qemu-system-x86 (>= 10; bookworm's 7.2 is too old
#       for the CXL type-3 mailbox features the tests use)
#   cargo: bindgen-cli 0.72.1 (the kernel needs >= 0.71.1)
#   pip: virtme-ng (pinned)
#   Debian trixie-backports: linux-source-7.3, downloaded only (never installed)
#       through a private apt configuration, unpacked into the cache.
#   Debian forky: mstflint (>= 4.33) and libcxl (>= 82) with the libraries
#       they need, the same way (scripts/vendor-tools.sh).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/env.sh
. "$here/env.sh"

CHECK_ONLY=0
[ "${1:-}" = "--check" ] && CHECK_ONLY=1

say()  { printf 'setup: %s\n' "$*"; }
die()  { printf 'setup: FAILED: %s\n' "$*" >&2; exit 1; }
missing=0
need() { # need WHAT: in --check mode record it, else continue to install
	if [ "$CHECK_ONLY" = 1 ]; then say "missing: $1"; missing=1; return 1; fi
	say "installing: $1"; return 0
}

export DEBIAN_FRONTEND=noninteractive
apt_updated=0
apt_update() {
	[ "$apt_updated" = 1 ] && return 0
	apt-get update -qq || die "apt-get update (Debian package lists)"
	apt_updated=1
}

# debian_mirror, apt_private.
# shellcheck source=scripts/apt-private.sh
. "$here/apt-private.sh"

pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# 1. Debian packages from bookworm / bookworm-security.
DEB_PKGS="rustc-web rust-web-src rust-web-clippy libclang-19-dev clang-19 lld-19 llvm-19 flex bison bc libelf-dev libdw-dev libssl-dev dwarves cpio udev kmod make gcc python3-pip python3-venv rsync"
todo=""
for p in $DEB_PKGS; do pkg_installed "$p" || todo="$todo $p"; done
if [ -n "$todo" ]; then
	if need "Debian packages:$todo"; then
		apt_update
		apt-get install -y -qq $todo >/dev/null || die "apt-get install$todo"
	fi
else
	say "present: Debian packages ($DEB_PKGS)"
fi

# 1b. dkms, for scripts/test-install.sh, without the distribution kernel's
# headers it recommends (fwctl-rs builds against its own test kernel).
if ! pkg_installed dkms; then
	if need "dkms (Debian, without recommends)"; then
		apt_update
		apt-get install -y -qq --no-install-recommends dkms >/dev/null ||
			die "apt-get install --no-install-recommends dkms"
	fi
else
	say "present: dkms"
fi

# 2. QEMU >= 10 from bookworm-backports.
qemu_ok() {
	command -v qemu-system-x86_64 >/dev/null 2>&1 || return 1
	local v
	v=$(qemu-system-x86_64 --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p' | head -1)
	[ "${v:-0}" -ge 10 ]
}
if ! qemu_ok; then
	if need "qemu-system-x86 (>= 10, bookworm-backports)"; then
		if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
			mirror=$(debian_mirror) || die "cannot find the Debian mirror in /etc/apt/sources.list{,.d}"
			say "adding bookworm-backports from $mirror to /etc/apt/sources.list.d/bookworm-backports.sources"
			cat >/etc/apt/sources.list.d/bookworm-backports.sources <<EOS
Types: deb
URIs: $mirror
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
			apt_updated=0
		fi
		apt_update
		apt-get install -y -qq -t bookworm-backports qemu-system-x86 >/dev/null ||
			die "apt-get install -t bookworm-backports qemu-system-x86"
		qemu_ok || die "qemu-system-x86_64 is still older than 10 after install"
	fi
else
	say "present: $(qemu-system-x86_64 --version | head -1)"
fi

# 3. bindgen-cli, pinned.
if ! "$BINDGEN" --version 2>/dev/null | grep -q "bindgen $BINDGEN_VERSION"; then
	if need "bindgen-cli $BINDGEN_VERSION (cargo)"; then
		cargo install --quiet --locked bindgen-cli --version "$BINDGEN_VERSION" --root "$TOOLS" ||
			die "cargo install bindgen-cli $BINDGEN_VERSION"
	fi
else
	say "present: $("$BINDGEN" --version)"
fi

# 4. virtme-ng, pinned, in its own virtualenv so it does not disturb the system.
if ! "$VNG" --version 2>/dev/null | grep -q "$VNG_VERSION"; then
	if need "virtme-ng $VNG_VERSION (pip)"; then
		python3 -m venv "$TOOLS/venv" || die "python3 -m venv (virtme-ng's virtualenv)"
		"$TOOLS/venv/bin/pip" install --quiet "virtme-ng==$VNG_VERSION" ||
			die "pip install virtme-ng==$VNG_VERSION"
	fi
else
	say "present: virtme-ng $("$VNG" --version 2>&1 | head -1)"
fi

# 5. Debian's linux-source-7.3, downloaded through a private apt configuration.
if [ ! -f "$KSRC/Makefile" ]; then
	if need "linux-source-7.3 (Debian trixie-backports, download only)"; then
		mirror=$(debian_mirror) || die "cannot find the Debian mirror in /etc/apt/sources.list{,.d}"
		apt_dir="$CACHE/apt-trixie"
		apt_private "$apt_dir" "$mirror" trixie-backports
		say "fetching the trixie-backports package list from $mirror (private apt directory $apt_dir)"
		apt-get "${aptopts[@]}" update -qq || die "apt-get update of the private trixie-backports list"
		(cd "$apt_dir/deb" && rm -f linux-source-7.3_*.deb &&
		 apt-get "${aptopts[@]}" download linux-source-7.3) ||
			die "apt-get download linux-source-7.3"
		deb=$(ls "$apt_dir"/deb/linux-source-7.3_*.deb | head -1)
		say "unpacking $(basename "$deb")"
		rm -rf "$apt_dir/x" && mkdir -p "$apt_dir/x"
		dpkg -x "$deb" "$apt_dir/x" || die "dpkg -x $deb"
		mkdir -p "$(dirname "$KSRC")"
		rm -rf "$KSRC.tmp" && mkdir -p "$KSRC.tmp"
		tar -xJf "$apt_dir/x/usr/src/linux-source-7.3.tar.xz" -C "$KSRC.tmp" ||
			die "untar linux-source-7.3.tar.xz"
		rm -rf "$KSRC" && mv "$KSRC.tmp/linux-source-7.3" "$KSRC" && rm -rf "$KSRC.tmp" "$apt_dir/x"
		[ -f "$KSRC/Makefile" ] || die "linux-source-7.3 unpacked without a Makefile"
	fi
else
	say "present: kernel source $KSRC ($(make -s -C "$KSRC" kernelversion 2>/dev/null))"
fi

# 6. The vendor tools the tests run (mstflint, ndctl's libcxl), with their
# release's libraries: Debian forky, download only, a private apt
# configuration (scripts/vendor-tools.sh).
if ! "$here/vendor-tools.sh" --check >/dev/null 2>&1; then
	if need "mstflint and libcxl (Debian forky, download only: scripts/vendor-tools.sh)"; then
		"$here/vendor-tools.sh" || die "scripts/vendor-tools.sh"
	fi
else
	say "present: vendor tools ($(tr '\n' ' ' <"$CACHE/vendor/VERSIONS" | grep -oE '(mstflint|libcxl1) [^ ]+' | paste -sd' '))"
fi

if [ "$CHECK_ONLY" = 1 ]; then
	[ "$missing" = 0 ] && say "everything is present" || exit 1
else
	say "done"
fi
