/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * fwctl uAPI of mlx5 devices, NVIDIA ConnectX (FWCTL_DEVICE_TYPE_MLX5).
 *
 * An RPC is one firmware command: fwctl_rpc.in holds the command's input
 * mailbox and fwctl_rpc.out receives its output mailbox, both laid out as
 * the device's programming reference gives them (the kernel's copy is
 * include/linux/mlx5/mlx5_ifc.h).  The driver binds each open descriptor
 * to a firmware user context and writes that context's id into the uid
 * field of every command's header.  A command the firmware fails still
 * completes the RPC: its status and syndrome are in the output header.
 *
 * Layouts and names are those of upstream Linux (include/uapi/fwctl/mlx5.h);
 * only the comments are ours.
 */
#ifndef _UAPI_FWCTL_MLX5_H
#define _UAPI_FWCTL_MLX5_H

#include <linux/types.h>

/**
 * struct fwctl_info_mlx5 - FWCTL_INFO device data of an mlx5 device
 * @uid: id of the firmware user context this descriptor is bound to; the
 *	driver puts it in every command
 * @uctx_caps: capabilities of that user context (bit 2: tools resources,
 *	which opens the commands on global device state)
 */
struct fwctl_info_mlx5 {
	__u32 uid;
	__u32 uctx_caps;
};

#endif
