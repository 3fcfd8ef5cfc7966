/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's own <cxl/features.h> (7.3) spells its flags with BIT() and
 * GENMASK(), which userspace does not define (the project's copy in uapi/
 * uses _BITUL()): include this before using them.
 */
#ifndef FWCTL_UAPI_COMPAT_H
#define FWCTL_UAPI_COMPAT_H

#ifndef BIT
#define BIT(nr) (1UL << (nr))
#endif
#ifndef GENMASK
#define GENMASK(h, l) ((~0UL << (l)) & (~0UL >> (sizeof(long) * 8 - 1 - (h))))
#endif

#endif /* FWCTL_UAPI_COMPAT_H */
