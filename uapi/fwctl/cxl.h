/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * fwctl RPC format of CXL devices (FWCTL_DEVICE_TYPE_CXL): a header naming
 * the mailbox opcode, then the mailbox request payload.
 *
 * Layouts and names are those of upstream Linux (include/uapi/fwctl/cxl.h);
 * only the comments are ours.  Offered opcodes: 0x0500 Get Supported
 * Features, 0x0501 Get Feature, 0x0502 Set Feature.
 */
#ifndef _UAPI_FWCTL_CXL_H_
#define _UAPI_FWCTL_CXL_H_

#include <linux/types.h>
#include <linux/stddef.h>
#include <cxl/features.h>

/**
 * struct fwctl_rpc_cxl - fwctl_rpc.in for a CXL device
 * @opcode: mailbox opcode
 * @flags: not used, pass 0
 * @op_size: bytes of request payload following the header
 * @reserved1: not used, pass 0
 * @get_sup_feats_in: payload of Get Supported Features
 * @get_feat_in: payload of Get Feature
 * @set_feat_in: payload of Set Feature (header, then the data)
 */
struct fwctl_rpc_cxl {
	__struct_group(fwctl_rpc_cxl_hdr, hdr, /* no attrs */,
		__u32 opcode;
		__u32 flags;
		__u32 op_size;
		__u32 reserved1;
	);
	union {
		struct cxl_mbox_get_sup_feats_in get_sup_feats_in;
		struct cxl_mbox_get_feat_in get_feat_in;
		struct cxl_mbox_set_feat_in set_feat_in;
	};
};

/**
 * struct fwctl_rpc_cxl_out - fwctl_rpc.out of a CXL device
 * @size: bytes of response payload
 * @retval: the mailbox return code (0: success)
 * @get_sup_feats_out: payload of Get Supported Features
 * @payload: payload of the other commands (Get Feature: the data)
 */
struct fwctl_rpc_cxl_out {
	__struct_group(fwctl_rpc_cxl_out_hdr, hdr, /* no attrs */,
		__u32 size;
		__u32 retval;
	);
	union {
		struct cxl_mbox_get_sup_feats_out get_sup_feats_out;
		__DECLARE_FLEX_ARRAY(__u8, payload);
	};
};

#endif
