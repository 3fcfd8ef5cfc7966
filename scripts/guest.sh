#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the cached test kernel with virtme-ng and run one command as root.
#
#   scripts/guest.sh [--append "WORDS"] [--no-cxl] [--numa] [--timeout SECS]
#                    [--qemu-opts "OPTS"] [--rwdir DIR]... -- CMD
#
# The guest sees the host's filesystem (read-only but for a scratch folder,
# exported as $FWCTL_SCRATCH, and each --rwdir DIR, which must exist and
# outlives the guest), starts in the repository at the same path,
# and by default has one emulated CXL type-3 memory device (QEMU's cxl-type3
# behind a CXL host bridge and root port).  CMD's output is printed and its
# exit status returned; QEMU is killed after --timeout seconds (default 900)
# and the script then exits 124.  CMD runs with FWCTL_LAB=1: the guest is
# the lab's own, thrown away afterwards (run.sh may then stop udev and
# reset kmemleak, which it never does on a machine it was not started for).
# FWCTL_GUEST_CPUS (default 2) and FWCTL_GUEST_MEMORY (default 2G) size it.
# --numa gives it two NUMA nodes of 1 GiB, as the kernel's CXL mock
# (cxl_test) needs (a missing node oopses its memdev probe): one socket and
# node per vCPU (two nodes in one socket make the scheduler WARN at boot),
# the second node without a CPU when there is one vCPU.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/scripts/env.sh"

append="" cxl=1 numa=0 tmo=${FWCTL_GUEST_TIMEOUT:-900} extra_qemu="" rwdirs=()
while [ $# -gt 0 ]; do
	case "$1" in
	--append) append="$append $2"; shift 2 ;;
	--no-cxl) cxl=0; shift ;;
	--numa) numa=1; shift ;;
	--timeout) tmo=$2; shift 2 ;;
	--qemu-opts) extra_qemu="$extra_qemu $2"; shift 2 ;;
	--rwdir) [ -d "$2" ] || { echo "guest: --rwdir $2: no such directory" >&2; exit 2; }
		rwdirs+=(--rwdir "$(cd "$2" && pwd)"); shift 2 ;;
	--) shift; break ;;
	*) echo "guest: unknown option $1" >&2; exit 2 ;;
	esac
done
[ $# -ge 1 ] && [ -n "$1" ] || { echo "guest: no command (use -- CMD)" >&2; exit 2; }
cmd=$*

# vng runs its helpers (virtme-run, ...) from PATH.
export PATH="$TOOLS/venv/bin:$PATH"
B=$("$repo/scripts/build-kernel.sh" --print-dir)
[ -f "$B/arch/x86/boot/bzImage" ] || { echo "guest: no test kernel in $B (make kernel)" >&2; exit 2; }

# One guest at a time: two TCG guests on this machine's cores would each run
# at half speed and time out.  Wait for the other one instead.
lock="$CACHE/guest.lock"
mkdir -p "$(dirname "$lock")"
exec 9>"$lock"
if ! flock -n 9; then
	echo "guest: another guest is running; waiting for it" >&2
	flock 9
fi

scratch=$(mktemp -d /tmp/fwctl-guest.XXXXXX)
name="fwctl-rs-guest-$$"
cleanup() {
	pkill -KILL -f -- "-name $name" 2>/dev/null || true
	rm -rf "$scratch"
}
trap cleanup EXIT

# KVM only where it really works: /dev/kvm usable AND the CPU has vmx/svm.
if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
	accel=() machine="q35,cxl=on"
else
	accel=(--disable-kvm) machine="q35,cxl=on"
fi

qemu="-name $name -M $machine"
if [ "$cxl" = 1 ]; then
	# Backends must be multiples of 256 MiB, a persistent device needs an
	# LSA, and each device its own serial number (see Documentation/testing.rst).
	truncate -s 256M "$scratch/cxl-mem1.raw"
	truncate -s 1M "$scratch/cxl-lsa1.raw"
	qemu="$qemu -object memory-backend-file,id=cxl-mem1,share=on,mem-path=$scratch/cxl-mem1.raw,size=256M"
	qemu="$qemu -object memory-backend-file,id=cxl-lsa1,share=on,mem-path=$scratch/cxl-lsa1.raw,size=1M"
	qemu="$qemu -device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1"
	qemu="$qemu -device cxl-rp,port=0,bus=cxl.1,id=root_port13,chassis=0,slot=2"
	qemu="$qemu -device cxl-type3,bus=root_port13,persistent-memdev=cxl-mem1,lsa=cxl-lsa1,id=cxl-pmem0,sn=0x1"
	qemu="$qemu -M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G"
fi
if [ "$numa" = 1 ]; then
	cpus=${FWCTL_GUEST_CPUS:-2}
	qemu="$qemu -smp $cpus,sockets=$cpus,cores=1,threads=1"
	qemu="$qemu -object memory-backend-ram,id=m0,size=1G -object memory-backend-ram,id=m1,size=1G"
	qemu="$qemu -numa node,nodeid=0,memdev=m0,cpus=0"
	qemu="$qemu -numa node,nodeid=1,memdev=m1"
	[ "$cpus" -gt 1 ] && qemu="$qemu,cpus=1-$((cpus - 1))"
fi
qemu="$qemu $extra_qemu"

# The host's root is the guest's, over 9p, read-only.  vng mounts it
# without a cache, so every program the tests start is read again from
# the host, several times slower under TCG (python3 2.5 s a start against
# 0.8 s, /bin/true 0.9 s against 0.4 s).  Nothing changes the host's files
# under a running guest but through the --rwdir folders, which are mounts
# of their own; so the root is mounted with cache=loose (the last rootflags
# on the command line wins over vng's), over 9p in every case (--force-9p:
# virtiofs, where vng finds a virtiofsd, would not take these flags).
rootflags="rootflags=version=9p2000.L,trans=virtio,access=any,msize=524288,cache=loose"
# A kernel log large enough for the scale and unplug tests: the splat scan
# fails when its mark has scrolled out.
rootflags="$rootflags log_buf_len=16M"

mkdir -p "$scratch/out"
# QEMU re-opens the standard output and error it inherits by name, with
# truncation: where they are regular files (make check >log) everything
# written before the guest started would be lost.  Pipes have no offset
# to lose, so the guest writes into pipes that copy to ours.
set +e
timeout --kill-after=20 "$tmo" "$VNG" --run "$B" "${accel[@]}" --disable-microvm --force-9p \
	--cpus "${FWCTL_GUEST_CPUS:-2}" --memory "${FWCTL_GUEST_MEMORY:-2G}" --rwdir "$scratch/out" "${rwdirs[@]}" --cwd "$PWD" \
	--append "$rootflags$append" \
	--qemu-opts="$qemu" \
	--exec "export FWCTL_LAB=1 FWCTL_SCRATCH=$scratch/out; $cmd" </dev/null > >(cat) 2> >(cat >&2)
rc=$?
# The copies end when QEMU's ends of the pipes close; wait for them to drain.
wait
set -e
[ "$rc" = 124 ] || [ "$rc" = 137 ] && echo "guest: timed out after ${tmo}s, QEMU killed" >&2
exit "$rc"
