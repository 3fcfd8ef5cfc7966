/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * fwctl uAPI of NVIDIA ConnectX (mlx5) devices, FWCTL_DEVICE_TYPE_MLX5.
 *
 * An FWCTL_RPC request is an mlx5 command mailbox exactly as the device's
 * programmer's reference manual lays it out (the kernel's
 * include/linux/mlx5/mlx5_ifc.h has the layouts): a 16-byte big-endian
 * input header (opcode, uid, op_mod) followed by the command, and an output
 * that starts with a 16-byte header (status, syndrome).
 *
 * Each open FD is bound to its own firmware user context.  The kernel
 * writes that context's id (uid) into the header of every command the FD
 * sends, so the firmware applies the context's privileges, whatever the
 * caller put there.  A command the firmware ran but failed still returns
 * its output: check the status in the output header.
 */
#ifndef _UAPI_FWCTL_MLX5_H
#define _UAPI_FWCTL_MLX5_H

#include <linux/types.h>

/**
 * struct fwctl_info_mlx5 - FWCTL_INFO device data of an mlx5 FD
 * @uid: the firmware user context bound to this FD; the kernel puts it in
 *	the header of every command the FD sends.
 * @uctx_caps: the capabilities of that user context
 *	(MLX5_UCTX_OBJECT_CAP_*).
 */
struct fwctl_info_mlx5 {
	__u32 uid;
	__u32 uctx_caps;
};

#endif /* _UAPI_FWCTL_MLX5_H */
