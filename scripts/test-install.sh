#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests `make install` and `make uninstall` into scratch roots, on the host:
# every file expected is installed and nothing else, the modules are the
# test kernel's and depend on each other as they should, the tool, headers,
# man pages and completions work from where they land, and uninstall leaves
# the roots empty.  Then dkms.conf: its fields against the modules, and
# `dkms add` and `dkms status` in a private mount namespace (nothing of the
# host's /lib/modules, /usr/src or /var/lib/dkms is touched), which reject
# a dkms.conf that DKMS cannot read.  With FWCTL_TEST_DKMS=1, a full `dkms
# add`, `build`, `install` and `remove` there instead: it builds the
# modules again from a copy of the source, which takes longer than all the
# rest, so make check leaves it out.
#
#   scripts/test-install.sh [MAKE-ARGS...]     e.g. KDIR=/path/to/kernel
#   FWCTL_TEST_DKMS=1 scripts/test-install.sh  with the full DKMS cycle
#
# Prints KTAP: "ok N name" / "not ok N name" per case, "1..N" last; exits
# 1 if a case failed.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $*"; }
skip() { n=$((n + 1)); echo "ok $n $1 # SKIP $2"; }
# check NAME CMD...: one case, judged by CMD's status; its output as comments.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$name"
	else
		[ -n "$out" ] && printf '%s\n' "$out" | tail -20 | sed 's/^/# /'
		notok "$name"
	fi
}
say() { echo "# $*"; }

tmp=$(mktemp -d /tmp/fwctl-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mk=(make -s -C "$repo" "$@")

echo "TAP version 13"
kdir=$("${mk[@]}" -s --no-print-directory print-kdir 2>/dev/null)
kver=$(cat "$kdir/include/config/kernel.release" 2>/dev/null)
if [ -z "$kver" ]; then
	notok "the kernel release of KDIR=${kdir:-?} is known (build the kernel first)"
	echo "1..$n"
	exit 1
fi
say "kernel $kver in $kdir"
suffix=.ko
grep -q '^CONFIG_MODULE_COMPRESS_ALL=y' "$kdir/.config" 2>/dev/null &&
	for z in GZIP:.gz XZ:.xz ZSTD:.zst; do
		grep -q "^CONFIG_MODULE_COMPRESS_${z%%:*}=y" "$kdir/.config" && suffix=.ko${z#*:}
	done

modules="fwctl fwctl_cxl fwctl_mlx5"
man_pages=$("${mk[@]}" --no-print-directory print-man-pages)
expected_main() { # the files under DESTDIR, relative, sorted
	{
		for h in fwctl/fwctl.h fwctl/cxl.h fwctl/mlx5.h cxl/features.h; do
			echo "usr/include/$h"
		done
		echo usr/bin/fwctl
		for p in $man_pages; do echo "usr/share/man/man1/$p.1"; done
		echo usr/share/bash-completion/completions/fwctl
		echo usr/share/zsh/vendor-completions/_fwctl
		echo usr/share/fish/vendor_completions.d/fwctl.fish
	} | sort
}
expected_modules() {
	for m in $modules; do echo "lib/modules/$kver/extra/$m$suffix"; done | sort
}
files_in() { (cd "$1" && find . -mindepth 1 \( -type f -o -type l \) | sed 's|^\./||' | sort); }

# --- 1. make install DESTDIR=root: everything in one root -------------------
# The modules as they were: make install on a built tree must rebuild
# nothing (nor sign anything again).
ko_state() { local m; for m in $modules; do stat -c '%n %s %y' "$m.ko" 2>/dev/null || echo "$m.ko missing"; done; }
ko_state >"$tmp/ko.before"
root=$tmp/root
if "${mk[@]}" install DESTDIR="$root" >"$tmp/install.log" 2>&1; then
	ok "make install DESTDIR=<scratch root>"
else
	tail -30 "$tmp/install.log" | sed 's/^/# /'
	notok "make install DESTDIR=<scratch root>"
	echo "1..$n"
	exit 1
fi
if grep -q missing "$tmp/ko.before"; then
	skip "make install on a built tree rebuilds no module" "the modules were not built before (make modules)"
else
	check "make install on a built tree rebuilds no module" \
		diff "$tmp/ko.before" <(ko_state)
fi
for f in $(expected_main) $(expected_modules); do
	check "installed: /$f" test -s "$root/$f"
done
check "nothing but the expected files is installed" \
	diff <(files_in "$root") <( { expected_main; expected_modules; } | sort)
check "depmod is left to the target system of a staged install" \
	grep -q "DEPMOD  skipped: staged into $root" "$tmp/install.log"

# Every man page the clap definition produces is installed (a new
# subcommand must be added to the Makefile's MAN_PAGES).
check "every generated man page is installed" \
	diff <(ls build/tool/man | sort) <(ls "$root/usr/share/man/man1" | sort)

# --- 2. what was installed works ---------------------------------------------
modinfo_ok() {
	local m ko
	for m in $modules; do
		ko=$root/lib/modules/$kver/extra/$m$suffix
		[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$kver" ] ||
			{ echo "$m: vermagic $(modinfo -F vermagic "$ko")"; return 1; }
		[ "$(modinfo -F name "$ko")" = "$(basename "$m")" ] || { echo "$m: bad name"; return 1; }
		if grep -q '^CONFIG_MODULE_SIG_ALL=y' "$kdir/.config"; then
			[ -n "$(modinfo -F sig_id "$ko")" ] || { echo "$m: not signed"; return 1; }
		fi
	done
}
check "the modules are for $kver (vermagic, name, signature)" modinfo_ok

depmod_ok() {
	local d=$tmp/depmod
	cp -a "$root" "$d"
	depmod -b "$d" "$kver" 2>&1 | grep -v 'modules.order\|modules.builtin' || true
	local dep=$d/lib/modules/$kver/modules.dep
	grep -qx "extra/fwctl$suffix:" "$dep" &&
		grep -qx "extra/fwctl_cxl$suffix: extra/fwctl$suffix" "$dep" &&
		grep -q "^extra/fwctl_mlx5$suffix:.*extra/fwctl$suffix" "$dep" ||
		{ cat "$dep"; return 1; }
}
if command -v depmod >/dev/null; then
	check "depmod -b on the staged root: fwctl_cxl and fwctl_mlx5 need fwctl" depmod_ok
else
	skip "depmod -b on the staged root" "no depmod (kmod) on this machine"
fi

tool_ok() {
	local v
	v=$("$root/usr/bin/fwctl" --version) || return 1
	[ "$v" = "fwctl $(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml)" ] || { echo "version: $v"; return 1; }
	# Whole outputs, then grep: under pipefail, "grep -q" leaving the pipe
	# early would fail the writer (EPIPE) and make this check flaky.
	local help list
	help=$("$root/usr/bin/fwctl" --help) && list=$("$root/usr/bin/fwctl" --sysfs "$tmp/nosys" list) ||
		return 1
	grep -q 'debug_write_full' <<<"$help" && grep -q 'no fwctl devices' <<<"$list"
}
check "the installed fwctl runs (--version, --help, list)" tool_ok

headers_ok() {
	printf '#include <fwctl/fwctl.h>\n#include <fwctl/cxl.h>\n#include <fwctl/mlx5.h>\n%s\n' \
		'int main(void) { return sizeof(struct fwctl_rpc_cxl) + sizeof(struct fwctl_info_mlx5); }' \
		>"$tmp/h.c"
	cc -Wall -Werror -fsyntax-only -I "$root/usr/include" "$tmp/h.c"
}
check "the installed uAPI headers compile on their own" headers_ok

man_ok() {
	local p
	for p in $man_pages; do
		head -5 "$root/usr/share/man/man1/$p.1" | grep -q "^\.TH $p 1 " || { echo "$p: no .TH"; return 1; }
	done
	if command -v man >/dev/null; then
		MANWIDTH=80 man -l "$root/usr/share/man/man1/fwctl.1" 2>/dev/null | grep 'fwctl-cxl(1)' >/dev/null
	fi
}
check "the man pages are well formed (fwctl(1) lists fwctl-cxl(1))" man_ok

bash_ok() {
	bash -c ". '$root/usr/share/bash-completion/completions/fwctl' && complete -p fwctl" |
		grep -q 'fwctl$' &&
		grep -q 'mlx5' "$root/usr/share/bash-completion/completions/fwctl"
}
check "the bash completion loads and registers fwctl" bash_ok
check "the zsh completion defines _fwctl with every command" \
	bash -c "grep -q '^#compdef fwctl' '$root/usr/share/zsh/vendor-completions/_fwctl' &&
		 grep -q \"'caps:\" '$root/usr/share/zsh/vendor-completions/_fwctl'"
check "the fish completion completes the subcommands" \
	grep -q -- '-a "mlx5"' "$root/usr/share/fish/vendor_completions.d/fwctl.fish"

# --- 3. make uninstall leaves nothing ----------------------------------------
check "make uninstall DESTDIR=<scratch root>" "${mk[@]}" uninstall DESTDIR="$root"
check "nothing is left in the scratch root" \
	bash -c "[ -z \"\$(find '$root' -mindepth 1 | head -5 | tee /dev/stderr)\" ]"
rmdir "$root" 2>/dev/null

# --- 4. INSTALL_MOD_PATH apart from DESTDIR ----------------------------------
# The first make install found the modules up to date: this one takes them
# as they are (-o modules: make neither checks nor rebuilds them, which
# costs seconds of setup.sh and kbuild for nothing).
files=$tmp/files mods=$tmp/mods
if "${mk[@]}" -o modules install DESTDIR="$files" INSTALL_MOD_PATH="$mods" >"$tmp/install2.log" 2>&1; then
	check "INSTALL_MOD_PATH: the modules under it" \
		diff <(files_in "$mods") <(expected_modules)
	check "INSTALL_MOD_PATH: the rest under DESTDIR" \
		diff <(files_in "$files") <(expected_main)
	check "INSTALL_MOD_PATH: make uninstall empties both" \
		bash -c "${mk[*]} uninstall DESTDIR='$files' INSTALL_MOD_PATH='$mods' >/dev/null &&
			 [ -z \"\$(find '$files' '$mods' -mindepth 1)\" ]"
else
	tail -20 "$tmp/install2.log" | sed 's/^/# /'
	notok "make install DESTDIR=<a> INSTALL_MOD_PATH=<b>"
fi

# --- 5. dkms.conf -------------------------------------------------------------
dkms_fields_ok() {
	# dkms reads dkms.conf as shell, with kernelver set.
	(
		kernelver=9.9.9-test
		kernel_source_dir=/lib/modules/$kernelver/build
		. ./dkms.conf
		want_version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml)
		[ "$PACKAGE_NAME" = fwctl-rs ] || { echo "PACKAGE_NAME=$PACKAGE_NAME"; exit 1; }
		[ "$PACKAGE_VERSION" = "$want_version" ] ||
			{ echo "PACKAGE_VERSION=$PACKAGE_VERSION, Cargo.toml has $want_version"; exit 1; }
		[ "${MAKE[0]}" = "make KDIR=/lib/modules/9.9.9-test/build modules" ] ||
			{ echo "MAKE[0]=${MAKE[0]}"; exit 1; }
		[ "$AUTOINSTALL" = yes ] || { echo "AUTOINSTALL=$AUTOINSTALL"; exit 1; }
		[ "${#BUILT_MODULE_NAME[@]}" = 3 ] || { echo "${#BUILT_MODULE_NAME[@]} modules"; exit 1; }
		i=0
		for m in $modules; do
			# Built at the top of the tree, DKMS's default location.
			[ "${BUILT_MODULE_NAME[$i]}" = "$m" ] &&
				[ -z "${BUILT_MODULE_LOCATION[$i]:-}" ] &&
				[ "${DEST_MODULE_LOCATION[$i]}" = /updates ] &&
				[ -f "$m.ko" ] ||
				{ echo "module $i: ${BUILT_MODULE_NAME[$i]} ${BUILT_MODULE_LOCATION[$i]:-}"; exit 1; }
			i=$((i + 1))
		done
	)
}
check "dkms.conf: package, version, MAKE, the three modules in /updates" dkms_fields_ok

# dkms_ns SCRIPT: SCRIPT, run by bash in a private mount namespace whose
# /lib/modules is a scratch directory holding only KVER/build -> KDIR, and
# whose /var/lib/dkms is another; in SCRIPT $1 is that scratch directory,
# $2 the version, $3 KVER and $d the dkms command on a scratch tree, with
# the source in $1/src/fwctl-rs-VERSION as a release would ship it: the
# files git knows or would add, none of the build products.
dkms_ns() {
	local ns=$tmp/dkms ver made= rc
	ver=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml)
	rm -rf "$ns"
	mkdir -p "$ns/modules/$kver" "$ns/src/fwctl-rs-$ver" "$ns/tree" "$ns/varlib"
	ln -s "$kdir" "$ns/modules/$kver/build"
	git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done |
		xargs -0 cp --parents -t "$ns/src/fwctl-rs-$ver"
	# A machine without any kernel installed has no /lib/modules to mount
	# over: make the mount point for the run.
	[ -d /lib/modules ] || { mkdir /lib/modules && made=1; }
	unshare -m bash -euc '
		mount --make-rprivate /
		mount --bind "$1/modules" /lib/modules
		mount --bind "$1/varlib" /var/lib/dkms	# its signing key, if it makes one
		d="dkms --dkmstree $1/tree --sourcetree $1/src"
		'"$1"'
	' dkms "$ns" "$ver" "$kver"
	rc=$?
	[ -z "$made" ] || rmdir /lib/modules
	return $rc
}

# What make check runs: dkms reads dkms.conf for KVER and refuses one it
# cannot use (no module name, a name ending in .ko, a destination outside
# /kernel, /updates and /extra, a missing file, a shell error), and the
# module is then listed as added.  What it does not run, the build, is
# what the field check above pins: MAKE is the make modules that make
# check itself has just run, and each module is where dkms.conf says.
dkms_add() {
	dkms_ns '
		$d add -m fwctl-rs -v "$2" -k "$3"
		s=$($d status -m fwctl-rs -v "$2" -k "$3")
		echo "status: $s"
		[ "$s" = "fwctl-rs/$2: added" ]
	'
}

# The full cycle (FWCTL_TEST_DKMS=1): the modules built by dkms from the
# shipped source, installed, found by depmod, and removed again.
dkms_real() {
	dkms_ns '
		$d add -m fwctl-rs -v "$2"
		$d build -m fwctl-rs -v "$2" -k "$3" || { cat "$1"/tree/fwctl-rs/"$2"/build/make.log; exit 1; }
		$d install -m fwctl-rs -v "$2" -k "$3" --force
		$d status -m fwctl-rs -v "$2" -k "$3"
		for m in fwctl fwctl_cxl fwctl_mlx5; do
			f=$(find "/lib/modules/$3" -name "$m.ko*" -not -path "*/build/*" | head -1)
			[ -n "$f" ] || { echo "dkms did not install $m"; exit 1; }
			echo "installed: $f"
			modinfo -F vermagic "$f" | grep -q "^$3 "
		done
		grep -q "fwctl_cxl.ko.*: .*fwctl.ko" "/lib/modules/$3/modules.dep"
		$d remove -m fwctl-rs -v "$2" --all
		[ -z "$(find "/lib/modules/$3" -name "fwctl_*.ko*" -not -path "*/build/*")" ]
	'
}
if [ "${FWCTL_TEST_DKMS:-0}" = 1 ]; then
	dkms_name="dkms add, build, install, remove (private namespace)" dkms_test=dkms_real
else
	dkms_name="dkms add reads dkms.conf, dkms status lists it (private namespace)" dkms_test=dkms_add
	say "the full dkms build, install and remove: FWCTL_TEST_DKMS=1 $0"
fi
if ! command -v dkms >/dev/null; then
	skip "$dkms_name" "dkms is not installed (scripts/setup.sh installs it)"
elif [ ! -d /var/lib/dkms ] || ! unshare -m true 2>/dev/null; then
	skip "$dkms_name" "no mount namespaces here (needs root)"
else
	check "$dkms_name" "$dkms_test"
fi

echo "1..$n"
[ "$failed" = 0 ]
