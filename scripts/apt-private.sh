# SPDX-License-Identifier: GPL-2.0
# Debian packages of another release, downloaded only, through a private apt
# configuration in the cache: its own sources, lists, package cache and an
# empty dpkg database, never the machine's own.  Sourced by setup.sh
# (linux-source-7.3) and vendor-tools.sh (mstflint, libcxl).

# debian_mirror: the mirror the machine's own Debian sources use (never a
# hard-coded host), without its trailing slash; fails if there is none.
debian_mirror() {
	local uri
	uri=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null |
	      awk '{print $2}' | grep -v -- '-security' | grep -m1 '/debian/\?$' || true)
	if [ -z "$uri" ]; then
		uri=$(grep -hs '^deb ' /etc/apt/sources.list 2>/dev/null |
		      awk '{print $2}' | grep -v -- '-security' | grep -m1 '/debian/\?$' || true)
	fi
	[ -n "$uri" ] || return 1
	printf '%s\n' "${uri%/}"
}

# apt_private DIR MIRROR SUITE: DIR holds an apt configuration reading only
# MIRROR's SUITE (main, amd64), with an empty dpkg database (so that a
# simulated install resolves a package's whole closure); sets aptopts, the
# options that make apt-get use it.  Downloads go to DIR/deb.
apt_private() {
	local dir=$1 mirror=$2 suite=$3
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/deb" \
		"$dir/sources.list.d" "$dir/preferences.d"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
		>"$dir/sources.list"
	: >"$dir/preferences"
	: >"$dir/status"
	aptopts=(-o "Dir::Etc::SourceList=$dir/sources.list"
		 -o "Dir::Etc::SourceParts=$dir/sources.list.d"
		 -o "Dir::Etc::Preferences=$dir/preferences"
		 -o "Dir::Etc::PreferencesParts=$dir/preferences.d"
		 -o "Dir::State::status=$dir/status"
		 -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache"
		 -o "APT::Architecture=amd64" -o "APT::Architectures=amd64"
		 -o "APT::Sandbox::User=root" -o "APT::Get::List-Cleanup=0")
}
