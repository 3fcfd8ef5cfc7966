/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * fwctl uAPI: the ioctls of /dev/fwctl/fwctlN.
 *
 * Layouts, ioctl numbers and values are those of upstream Linux
 * (include/uapi/fwctl/fwctl.h); only the comments are ours.
 *
 * Every ioctl takes a pointer to a struct whose first u32 is its size.  The
 * kernel accepts larger structs as long as the bytes it does not know are
 * zero.  Common errnos:
 *   ENOTTY      unknown ioctl number
 *   E2BIG       non-zero bytes past the part of the struct the kernel knows
 *   EOPNOTSUPP  a known field holds a value the kernel does not support
 *   EINVAL      a field is wrong (e.g. size too small)
 *   ENOMEM      out of memory
 *   ENODEV      the device was hot-unplugged; the FD is orphaned
 */
#ifndef _UAPI_FWCTL_H
#define _UAPI_FWCTL_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define FWCTL_TYPE 0x9A

enum {
	FWCTL_CMD_BASE = 0,
	FWCTL_CMD_INFO = 0,
	FWCTL_CMD_RPC = 1,
};

/* Which driver, hence which device_data and RPC format. */
enum fwctl_device_type {
	FWCTL_DEVICE_TYPE_ERROR = 0,
	FWCTL_DEVICE_TYPE_MLX5 = 1,
	FWCTL_DEVICE_TYPE_CXL = 2,
	FWCTL_DEVICE_TYPE_BNXT = 3,
	FWCTL_DEVICE_TYPE_PDS = 4,
};

/**
 * struct fwctl_info - ioctl(FWCTL_INFO)
 * @size: sizeof(struct fwctl_info)
 * @flags: must be 0
 * @out_device_type: enum fwctl_device_type of the device
 * @device_data_len: in: size of the out_device_data buffer (may be 0);
 *	out: size of the driver's device data
 * @out_device_data: user buffer the kernel fills completely (zero padded)
 */
struct fwctl_info {
	__u32 size;
	__u32 flags;
	__u32 out_device_type;
	__u32 device_data_len;
	__aligned_u64 out_device_data;
};
#define FWCTL_INFO _IO(FWCTL_TYPE, FWCTL_CMD_INFO)

/*
 * Scope of an RPC, from least to most invasive.  See
 * Documentation/userspace-api/fwctl/fwctl.rst.
 */
enum fwctl_rpc_scope {
	/* Device configuration; the device stays fully supported. */
	FWCTL_RPC_CONFIGURATION = 0,
	/* Read-only, lockdown-compatible debug information. */
	FWCTL_RPC_DEBUG_READ_ONLY = 1,
	/* Lockdown-compatible debug writes; taints the kernel. */
	FWCTL_RPC_DEBUG_WRITE = 2,
	/* Full debug access; needs CAP_SYS_RAWIO, taints the kernel. */
	FWCTL_RPC_DEBUG_WRITE_FULL = 3,
};

/**
 * struct fwctl_rpc - ioctl(FWCTL_RPC)
 * @size: sizeof(struct fwctl_rpc)
 * @scope: enum fwctl_rpc_scope the RPC needs
 * @in_len: length of the request at @in
 * @out_len: in: size of the buffer at @out; out: length of the response
 * @in: request, in the device's format
 * @out: response buffer
 *
 * An errno means the RPC was not delivered; the device's own status is
 * part of the response.
 */
struct fwctl_rpc {
	__u32 size;
	__u32 scope;
	__u32 in_len;
	__u32 out_len;
	__aligned_u64 in;
	__aligned_u64 out;
};
#define FWCTL_RPC _IO(FWCTL_TYPE, FWCTL_CMD_RPC)

#endif
