/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * CXL Features mailbox payloads (CXL r3.2 8.2.9.6): Get Supported Features
 * (0500h), Get Feature (0501h), Set Feature (0502h).
 *
 * Layouts, names and values are those of upstream Linux
 * (include/uapi/cxl/features.h); only the comments are ours.  Multi-byte
 * fields are little-endian on the wire.
 */
#ifndef _UAPI_CXL_FEATURES_H_
#define _UAPI_CXL_FEATURES_H_

#include <linux/types.h>
#include <linux/const.h>
#include <linux/stddef.h>

/* Older <linux/stddef.h> lack the bounds annotation; it has no effect. */
#ifndef __counted_by_le
#define __counted_by_le(m)
#endif

/* A UUID as 16 bytes, byte 0 first (big-endian fields, like uuid_t). */
typedef unsigned char __uapi_uuid_t[16];

#ifdef __KERNEL__
#include <linux/uuid.h>
/*
 * In the kernel the field is a uuid_t.  Its alignment may differ from a
 * byte array's, so every UUID below sits at a 4-byte aligned offset or in
 * a packed struct.
 */
static_assert(sizeof(__uapi_uuid_t) == sizeof(uuid_t));
#define __uapi_uuid_t uuid_t
#endif

/*
 * struct cxl_mbox_get_sup_feats_in - Get Supported Features request
 * @count: size in bytes of the output the caller accepts (header included)
 * @start_idx: index of the first entry wanted, from 0
 * @reserved: zero
 */
struct cxl_mbox_get_sup_feats_in {
	__le32 count;
	__le16 start_idx;
	__u8 reserved[2];
} __attribute__((__packed__));

/* Command effects bits (CXL r3.2 Table 8-87), as in a feature's @effects. */
#define CXL_CMD_CONFIG_CHANGE_COLD_RESET	_BITUL(0)
#define CXL_CMD_CONFIG_CHANGE_IMMEDIATE		_BITUL(1)
#define CXL_CMD_DATA_CHANGE_IMMEDIATE		_BITUL(2)
#define CXL_CMD_POLICY_CHANGE_IMMEDIATE		_BITUL(3)
#define CXL_CMD_LOG_CHANGE_IMMEDIATE		_BITUL(4)
#define CXL_CMD_SECURITY_STATE_CHANGE		_BITUL(5)
#define CXL_CMD_BACKGROUND			_BITUL(6)
#define CXL_CMD_BGCMD_ABORT_SUPPORTED		_BITUL(7)
#define CXL_CMD_EFFECTS_VALID			_BITUL(9)
#define CXL_CMD_CONFIG_CHANGE_CONV_RESET	_BITUL(10)
#define CXL_CMD_CONFIG_CHANGE_CXL_RESET		_BITUL(11)
/* Bits 15..12. */
#define CXL_CMD_EFFECTS_RESERVED		(_BITUL(16) - _BITUL(12))

/*
 * struct cxl_feat_entry - one Supported Feature Entry (CXL r3.2 Table 8-109)
 * @uuid: the feature
 * @id: index of the entry, from 0
 * @get_feat_size: largest Get Feature data, in bytes
 * @set_feat_size: largest Set Feature data, in bytes; 0: not settable
 * @flags: CXL_FEATURE_F_*
 * @get_feat_ver: version of the Get Feature data
 * @set_feat_ver: version of the Set Feature data
 * @effects: CXL_CMD_* effects of a Set Feature
 * @reserved: zero
 */
struct cxl_feat_entry {
	__uapi_uuid_t uuid;
	__le16 id;
	__le16 get_feat_size;
	__le16 set_feat_size;
	__le32 flags;
	__u8 get_feat_ver;
	__u8 set_feat_ver;
	__le16 effects;
	__u8 reserved[18];
} __attribute__((__packed__));

/* cxl_feat_entry.flags */
#define CXL_FEATURE_F_CHANGEABLE		_BITUL(0)
#define CXL_FEATURE_F_PERSIST_FW_UPDATE		_BITUL(4)
#define CXL_FEATURE_F_DEFAULT_SEL		_BITUL(5)
#define CXL_FEATURE_F_SAVED_SEL			_BITUL(6)

/*
 * struct cxl_mbox_get_sup_feats_out - Get Supported Features response
 * (CXL r3.2 Table 8-108)
 * @num_entries: entries in @ents
 * @supported_feats: entries the device has in all
 * @reserved: zero
 * @ents: the entries, from the requested start index
 */
struct cxl_mbox_get_sup_feats_out {
	__struct_group(cxl_mbox_get_sup_feats_out_hdr, hdr, /* no attrs */,
		__le16 num_entries;
		__le16 supported_feats;
		__u8 reserved[4];
	);
	struct cxl_feat_entry ents[] __counted_by_le(num_entries);
} __attribute__((__packed__));

/*
 * struct cxl_mbox_get_feat_in - Get Feature request (CXL r3.2 Table 8-99)
 * @uuid: the feature
 * @offset: first byte of the feature data to read
 * @count: bytes to read
 * @selection: enum cxl_get_feat_selection
 */
struct cxl_mbox_get_feat_in {
	__uapi_uuid_t uuid;
	__le16 offset;
	__le16 count;
	__u8 selection;
} __attribute__((__packed__));

/* Which value Get Feature reads. */
enum cxl_get_feat_selection {
	CXL_GET_FEAT_SEL_CURRENT_VALUE,
	CXL_GET_FEAT_SEL_DEFAULT_VALUE,
	CXL_GET_FEAT_SEL_SAVED_VALUE,
	CXL_GET_FEAT_SEL_MAX
};

/*
 * struct cxl_mbox_set_feat_in - Set Feature request (CXL r3.2 Table 8-101)
 * @uuid: the feature
 * @flags: data transfer mode (bits 2..0) and
 *	CXL_SET_FEAT_FLAG_DATA_SAVED_ACROSS_RESET
 * @offset: first byte of the feature data to write
 * @version: version of the data in @feat_data
 * @rsvd: zero
 * @feat_data: the data
 */
struct cxl_mbox_set_feat_in {
	__struct_group(cxl_mbox_set_feat_hdr, hdr, /* no attrs */,
		__uapi_uuid_t uuid;
		__le32 flags;
		__le16 offset;
		__u8 version;
		__u8 rsvd[9];
	);
	__u8 feat_data[];
} __attribute__((__packed__));

/* Data transfer mode, bits 2..0 of cxl_mbox_set_feat_in.flags. */
enum cxl_set_feat_flag_data_transfer {
	CXL_SET_FEAT_FLAG_FULL_DATA_TRANSFER = 0,
	CXL_SET_FEAT_FLAG_INITIATE_DATA_TRANSFER,
	CXL_SET_FEAT_FLAG_CONTINUE_DATA_TRANSFER,
	CXL_SET_FEAT_FLAG_FINISH_DATA_TRANSFER,
	CXL_SET_FEAT_FLAG_ABORT_DATA_TRANSFER,
	CXL_SET_FEAT_FLAG_DATA_TRANSFER_MAX
};

/* Bits 2..0. */
#define CXL_SET_FEAT_FLAG_DATA_TRANSFER_MASK		(_BITUL(3) - 1)
#define CXL_SET_FEAT_FLAG_DATA_SAVED_ACROSS_RESET	_BITUL(3)

#endif
