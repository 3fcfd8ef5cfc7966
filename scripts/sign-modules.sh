#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Sign out-of-tree modules with the kernel build's own module signing key,
# as `make modules_install` does for in-tree modules with MODULE_SIG_ALL.
# The test kernel has the lockdown LSM, which selects MODULE_SIG: under
# lockdown (integrity or confidentiality) only signed modules load.
#
#   scripts/sign-modules.sh KDIR MODULE.ko...
# Modules already signed are left alone; without a key in KDIR (a kernel
# tree that signs with an external key) nothing is signed.
set -euo pipefail
kdir=$1; shift
key=$kdir/certs/signing_key.pem
cert=$kdir/certs/signing_key.x509
if [ ! -f "$key" ] || [ ! -f "$cert" ]; then
	echo "  SIGN    skipped: no certs/signing_key.pem in $kdir"
	exit 0
fi
hash=$(sed -n 's/^CONFIG_MODULE_SIG_HASH="\(.*\)"$/\1/p' "$kdir/.config")
for ko in "$@"; do
	if tail -c 28 "$ko" | grep -q 'Module signature appended'; then
		continue
	fi
	"$kdir/scripts/sign-file" "${hash:-sha512}" "$key" "$cert" "$ko"
	echo "  SIGN    $ko"
done
