// SPDX-License-Identifier: GPL-2.0
/*
 * Compile-time check that the uAPI headers keep upstream Linux 7.3's
 * layouts (sizes and offsets measured on upstream's headers).  Nothing to
 * run:
 *
 *	cc -fsyntax-only -I uapi uapi/layout_check.c
 *
 * (also with -m32 where a 32-bit libc is installed: nothing may change).
 */
#include <stddef.h>
#include <fwctl/fwctl.h>
#include <fwctl/cxl.h>
#include <fwctl/mlx5.h>

#define SIZE(type, n)	_Static_assert(sizeof(type) == (n), "sizeof " #type)
#define ALIGN(type, n)	_Static_assert(_Alignof(type) == (n), "alignof " #type)
#define OFF(type, f, n)	_Static_assert(offsetof(type, f) == (n), #type "." #f)
#define VAL(c, n)	_Static_assert((c) == (n), #c)

/* uapi/fwctl/fwctl.h */
SIZE(struct fwctl_info, 24);
OFF(struct fwctl_info, size, 0);
OFF(struct fwctl_info, flags, 4);
OFF(struct fwctl_info, out_device_type, 8);
OFF(struct fwctl_info, device_data_len, 12);
OFF(struct fwctl_info, out_device_data, 16);
SIZE(struct fwctl_rpc, 32);
OFF(struct fwctl_rpc, size, 0);
OFF(struct fwctl_rpc, scope, 4);
OFF(struct fwctl_rpc, in_len, 8);
OFF(struct fwctl_rpc, out_len, 12);
OFF(struct fwctl_rpc, in, 16);
OFF(struct fwctl_rpc, out, 24);

/* uapi/fwctl/mlx5.h */
SIZE(struct fwctl_info_mlx5, 8);
OFF(struct fwctl_info_mlx5, uid, 0);
OFF(struct fwctl_info_mlx5, uctx_caps, 4);

/* uapi/cxl/features.h */
SIZE(__uapi_uuid_t, 16);

SIZE(struct cxl_mbox_get_sup_feats_in, 8);
ALIGN(struct cxl_mbox_get_sup_feats_in, 1);
OFF(struct cxl_mbox_get_sup_feats_in, count, 0);
OFF(struct cxl_mbox_get_sup_feats_in, start_idx, 4);
OFF(struct cxl_mbox_get_sup_feats_in, reserved, 6);

SIZE(struct cxl_feat_entry, 48);
ALIGN(struct cxl_feat_entry, 1);
OFF(struct cxl_feat_entry, uuid, 0);
OFF(struct cxl_feat_entry, id, 16);
OFF(struct cxl_feat_entry, get_feat_size, 18);
OFF(struct cxl_feat_entry, set_feat_size, 20);
OFF(struct cxl_feat_entry, flags, 22);
OFF(struct cxl_feat_entry, get_feat_ver, 26);
OFF(struct cxl_feat_entry, set_feat_ver, 27);
OFF(struct cxl_feat_entry, effects, 28);
OFF(struct cxl_feat_entry, reserved, 30);

SIZE(struct cxl_mbox_get_sup_feats_out_hdr, 8);
ALIGN(struct cxl_mbox_get_sup_feats_out_hdr, 2);
SIZE(struct cxl_mbox_get_sup_feats_out, 8);
ALIGN(struct cxl_mbox_get_sup_feats_out, 1);
OFF(struct cxl_mbox_get_sup_feats_out, hdr, 0);
OFF(struct cxl_mbox_get_sup_feats_out, num_entries, 0);
OFF(struct cxl_mbox_get_sup_feats_out, supported_feats, 2);
OFF(struct cxl_mbox_get_sup_feats_out, reserved, 4);
OFF(struct cxl_mbox_get_sup_feats_out, ents, 8);

SIZE(struct cxl_mbox_get_feat_in, 21);
ALIGN(struct cxl_mbox_get_feat_in, 1);
OFF(struct cxl_mbox_get_feat_in, uuid, 0);
OFF(struct cxl_mbox_get_feat_in, offset, 16);
OFF(struct cxl_mbox_get_feat_in, count, 18);
OFF(struct cxl_mbox_get_feat_in, selection, 20);

SIZE(struct cxl_mbox_set_feat_hdr, 32);
ALIGN(struct cxl_mbox_set_feat_hdr, 4);
SIZE(struct cxl_mbox_set_feat_in, 32);
ALIGN(struct cxl_mbox_set_feat_in, 1);
OFF(struct cxl_mbox_set_feat_in, hdr, 0);
OFF(struct cxl_mbox_set_feat_in, uuid, 0);
OFF(struct cxl_mbox_set_feat_in, flags, 16);
OFF(struct cxl_mbox_set_feat_in, offset, 20);
OFF(struct cxl_mbox_set_feat_in, version, 22);
OFF(struct cxl_mbox_set_feat_in, rsvd, 23);
OFF(struct cxl_mbox_set_feat_in, feat_data, 32);

VAL(CXL_CMD_CONFIG_CHANGE_COLD_RESET, 0x0001);
VAL(CXL_CMD_CONFIG_CHANGE_IMMEDIATE, 0x0002);
VAL(CXL_CMD_DATA_CHANGE_IMMEDIATE, 0x0004);
VAL(CXL_CMD_POLICY_CHANGE_IMMEDIATE, 0x0008);
VAL(CXL_CMD_LOG_CHANGE_IMMEDIATE, 0x0010);
VAL(CXL_CMD_SECURITY_STATE_CHANGE, 0x0020);
VAL(CXL_CMD_BACKGROUND, 0x0040);
VAL(CXL_CMD_BGCMD_ABORT_SUPPORTED, 0x0080);
VAL(CXL_CMD_EFFECTS_VALID, 0x0200);
VAL(CXL_CMD_CONFIG_CHANGE_CONV_RESET, 0x0400);
VAL(CXL_CMD_CONFIG_CHANGE_CXL_RESET, 0x0800);
VAL(CXL_CMD_EFFECTS_RESERVED, 0xf000);
VAL(CXL_FEATURE_F_CHANGEABLE, 0x01);
VAL(CXL_FEATURE_F_PERSIST_FW_UPDATE, 0x10);
VAL(CXL_FEATURE_F_DEFAULT_SEL, 0x20);
VAL(CXL_FEATURE_F_SAVED_SEL, 0x40);
VAL(CXL_GET_FEAT_SEL_CURRENT_VALUE, 0);
VAL(CXL_GET_FEAT_SEL_DEFAULT_VALUE, 1);
VAL(CXL_GET_FEAT_SEL_SAVED_VALUE, 2);
VAL(CXL_GET_FEAT_SEL_MAX, 3);
VAL(CXL_SET_FEAT_FLAG_FULL_DATA_TRANSFER, 0);
VAL(CXL_SET_FEAT_FLAG_INITIATE_DATA_TRANSFER, 1);
VAL(CXL_SET_FEAT_FLAG_CONTINUE_DATA_TRANSFER, 2);
VAL(CXL_SET_FEAT_FLAG_FINISH_DATA_TRANSFER, 3);
VAL(CXL_SET_FEAT_FLAG_ABORT_DATA_TRANSFER, 4);
VAL(CXL_SET_FEAT_FLAG_DATA_TRANSFER_MAX, 5);
VAL(CXL_SET_FEAT_FLAG_DATA_TRANSFER_MASK, 0x7);
VAL(CXL_SET_FEAT_FLAG_DATA_SAVED_ACROSS_RESET, 0x8);

/* uapi/fwctl/cxl.h */
SIZE(struct fwctl_rpc_cxl_hdr, 16);
ALIGN(struct fwctl_rpc_cxl_hdr, 4);
SIZE(struct fwctl_rpc_cxl, 48);
ALIGN(struct fwctl_rpc_cxl, 4);
OFF(struct fwctl_rpc_cxl, hdr, 0);
OFF(struct fwctl_rpc_cxl, opcode, 0);
OFF(struct fwctl_rpc_cxl, flags, 4);
OFF(struct fwctl_rpc_cxl, op_size, 8);
OFF(struct fwctl_rpc_cxl, reserved1, 12);
OFF(struct fwctl_rpc_cxl, get_sup_feats_in, 16);
OFF(struct fwctl_rpc_cxl, get_feat_in, 16);
OFF(struct fwctl_rpc_cxl, set_feat_in, 16);
OFF(struct fwctl_rpc_cxl, set_feat_in.feat_data, 48);

SIZE(struct fwctl_rpc_cxl_out_hdr, 8);
ALIGN(struct fwctl_rpc_cxl_out_hdr, 4);
SIZE(struct fwctl_rpc_cxl_out, 16);
ALIGN(struct fwctl_rpc_cxl_out, 4);
OFF(struct fwctl_rpc_cxl_out, hdr, 0);
OFF(struct fwctl_rpc_cxl_out, size, 0);
OFF(struct fwctl_rpc_cxl_out, retval, 4);
OFF(struct fwctl_rpc_cxl_out, get_sup_feats_out, 8);
OFF(struct fwctl_rpc_cxl_out, get_sup_feats_out.ents, 16);
OFF(struct fwctl_rpc_cxl_out, payload, 8);
