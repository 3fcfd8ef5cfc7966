// SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR MIT

//! The CXL fwctl driver's pure logic: the CXL Features uAPI
//! (`uapi/fwctl/cxl.h`, `uapi/cxl/features.h`) as Rust types, the Features
//! capability read from the Command Effects Log, upstream's validation of
//! `FWCTL_RPC` requests, the Get Supported Features answer built from the
//! cached feature table, and the mailbox chunking of Get/Set Feature.
//!
//! Behaviour follows upstream Linux 7.3 (`drivers/cxl/core/features.c`,
//! `drivers/cxl/core/mbox.c`), errnos included.  Nothing here touches a
//! device: the driver sends the mailbox commands this module plans.
//!
//! Wire structs hold host-order values; `from_bytes` and `to_bytes` convert
//! from and to the little-endian wire format on any host.  Parsers never
//! panic: input that is too short is `EINVAL`.  Not `kernel::transmute`'s
//! `FromBytes`/`AsBytes`, on purpose: the CXL wire format is little-endian
//! and packed (a transmute would be right on little-endian hosts only, and
//! needs unaligned reads), and this file is also built on the host, where
//! the kernel crate does not exist.  The core's own ioctl structs, native
//! and aligned, are read with `FromBytes` (`fwctl_core/abi.rs`).
//!
//! This file uses only `core`: it is compiled into `fwctl_cxl.ko`, into
//! the `fwctl-uapi` crate that userspace links, and into the host crate
//! `fwctl-logic`, whose `cargo test` checks it.

use crate::uapi::{Errno, Scope};
use core::mem::{offset_of, size_of};

// ---------------------------------------------------------------------------
// UUIDs
// ---------------------------------------------------------------------------

/// A UUID as its 16 wire bytes (`uuid_t`: fields big-endian, byte 0 first).
pub type Uuid = [u8; 16];

/// Builds a [`Uuid`] like the kernel's `UUID_INIT(a, b, c, d0, ..., d7)`.
pub const fn uuid(a: u32, b: u16, c: u16, d: [u8; 8]) -> Uuid {
    let a = a.to_be_bytes();
    let b = b.to_be_bytes();
    let c = c.to_be_bytes();
    [
        a[0], a[1], a[2], a[3], b[0], b[1], c[0], c[1], d[0], d[1], d[2], d[3], d[4], d[5], d[6],
        d[7],
    ]
}

/// Patrol scrub control.
pub const CXL_FEAT_PATROL_SCRUB_UUID: Uuid = uuid(
    0x96dad7d6,
    0xfde8,
    0x482b,
    [0xa7, 0x33, 0x75, 0x77, 0x4e, 0x06, 0xdb, 0x8a],
);
/// DDR5 error check scrub (ECS).
pub const CXL_FEAT_ECS_UUID: Uuid = uuid(
    0xe5b13f22,
    0x2328,
    0x4a14,
    [0xb8, 0xba, 0xb9, 0x69, 0x1e, 0x89, 0x33, 0x86],
);
/// Soft post-package repair.
pub const CXL_FEAT_SPPR_UUID: Uuid = uuid(
    0x892ba475,
    0xfad8,
    0x474e,
    [0x9d, 0x3e, 0x69, 0x2c, 0x91, 0x75, 0x68, 0xbb],
);
/// Hard post-package repair.
pub const CXL_FEAT_HPPR_UUID: Uuid = uuid(
    0x80ea4521,
    0x786f,
    0x4127,
    [0xaf, 0xb1, 0xec, 0x74, 0x59, 0xfb, 0x0e, 0x24],
);
/// Cacheline sparing.
pub const CXL_FEAT_CACHELINE_SPARING_UUID: Uuid = uuid(
    0x96c33386,
    0x91dd,
    0x44c7,
    [0x9e, 0xcb, 0xfd, 0xaf, 0x65, 0x03, 0xba, 0xc4],
);
/// Row sparing.
pub const CXL_FEAT_ROW_SPARING_UUID: Uuid = uuid(
    0x450ebf67,
    0xb135,
    0x4f97,
    [0xa4, 0x98, 0xc2, 0xd5, 0x7f, 0x27, 0x9b, 0xed],
);
/// Bank sparing.
pub const CXL_FEAT_BANK_SPARING_UUID: Uuid = uuid(
    0x78b79636,
    0x90ac,
    0x4b64,
    [0xa4, 0xef, 0xfa, 0xac, 0x5d, 0x18, 0xa8, 0x63],
);
/// Rank sparing.
pub const CXL_FEAT_RANK_SPARING_UUID: Uuid = uuid(
    0x34dbaff5,
    0x0552,
    0x4281,
    [0x8f, 0x76, 0xda, 0x0b, 0x5e, 0x7a, 0x76, 0xa7],
);

/// The features upstream 7.3 keeps for the kernel (its EDAC code): fwctl
/// shows them read-only and refuses to set them.  Which list applies is the
/// driver's choice, so every function takes the list as a parameter.
pub const UPSTREAM_EXCLUSIVE_FEATURES: [Uuid; 8] = [
    CXL_FEAT_PATROL_SCRUB_UUID,
    CXL_FEAT_ECS_UUID,
    CXL_FEAT_SPPR_UUID,
    CXL_FEAT_HPPR_UUID,
    CXL_FEAT_CACHELINE_SPARING_UUID,
    CXL_FEAT_ROW_SPARING_UUID,
    CXL_FEAT_BANK_SPARING_UUID,
    CXL_FEAT_RANK_SPARING_UUID,
];

// ---------------------------------------------------------------------------
// Opcodes, return codes and the Features capability
// ---------------------------------------------------------------------------

/// Mailbox opcode of Get Supported Features.
pub const CXL_MBOX_OP_GET_SUPPORTED_FEATURES: u16 = 0x0500;
/// Mailbox opcode of Get Feature.
pub const CXL_MBOX_OP_GET_FEATURE: u16 = 0x0501;
/// Mailbox opcode of Set Feature.
pub const CXL_MBOX_OP_SET_FEATURE: u16 = 0x0502;

/// Mailbox return code: success.
pub const CXL_MBOX_CMD_RC_SUCCESS: u16 = 0;
/// Mailbox return code: invalid input (also what upstream reports when a
/// Get/Set Feature never reached the device).
pub const CXL_MBOX_CMD_RC_INPUT: u16 = 2;

/// The mailbox commands the CXL fwctl driver offers.
#[repr(u16)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Opcode {
    /// Get Supported Features (0500h), answered from the cached table.
    GetSupportedFeatures = CXL_MBOX_OP_GET_SUPPORTED_FEATURES,
    /// Get Feature (0501h).
    GetFeature = CXL_MBOX_OP_GET_FEATURE,
    /// Set Feature (0502h).
    SetFeature = CXL_MBOX_OP_SET_FEATURE,
}

impl Opcode {
    /// The command of an opcode, `None` for any other opcode.
    pub const fn from_u16(v: u16) -> Option<Opcode> {
        match v {
            CXL_MBOX_OP_GET_SUPPORTED_FEATURES => Some(Opcode::GetSupportedFeatures),
            CXL_MBOX_OP_GET_FEATURE => Some(Opcode::GetFeature),
            CXL_MBOX_OP_SET_FEATURE => Some(Opcode::SetFeature),
            _ => None,
        }
    }
}

/// Size of one Command Effects Log entry (`opcode: le16, effect: le16`).
pub const CEL_ENTRY_SIZE: usize = 4;

/// What the device's Features commands allow (`enum cxl_features_capability`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FeaturesCap {
    /// No Features support: no fwctl device.
    None,
    /// Get Supported Features and Get Feature.
    ReadOnly,
    /// Also Set Feature.
    ReadWrite,
}

impl FeaturesCap {
    /// The capability from the opcodes of the Command Effects Log.
    ///
    /// Like upstream's `set_features_cap()`, this counts log entries, not
    /// distinct opcodes: exactly two entries with 0500h or 0501h are needed
    /// (normally one of each), and any 0502h entry then makes it read-write.
    pub fn from_cel_opcodes<I: IntoIterator<Item = u16>>(opcodes: I) -> FeaturesCap {
        let (mut ro, mut wr) = (0usize, 0usize);
        for op in opcodes {
            match op {
                CXL_MBOX_OP_GET_SUPPORTED_FEATURES | CXL_MBOX_OP_GET_FEATURE => ro += 1,
                CXL_MBOX_OP_SET_FEATURE => wr += 1,
                _ => {}
            }
        }
        match (ro, wr) {
            (2, 0) => FeaturesCap::ReadOnly,
            (2, _) => FeaturesCap::ReadWrite,
            _ => FeaturesCap::None,
        }
    }

    /// The capability from the raw Command Effects Log; a trailing partial
    /// entry is ignored.
    pub fn from_cel(cel: &[u8]) -> FeaturesCap {
        Self::from_cel_opcodes(
            cel.chunks_exact(CEL_ENTRY_SIZE)
                .map(|e| u16::from_le_bytes([e[0], e[1]])),
        )
    }

    /// The commands offered with this capability.
    pub const fn opcodes(self) -> &'static [Opcode] {
        match self {
            FeaturesCap::None => &[],
            FeaturesCap::ReadOnly => &[Opcode::GetSupportedFeatures, Opcode::GetFeature],
            FeaturesCap::ReadWrite => &[
                Opcode::GetSupportedFeatures,
                Opcode::GetFeature,
                Opcode::SetFeature,
            ],
        }
    }

    /// Whether `op` is offered with this capability.
    pub const fn offers(self, op: Opcode) -> bool {
        match op {
            Opcode::GetSupportedFeatures | Opcode::GetFeature => !matches!(self, FeaturesCap::None),
            Opcode::SetFeature => matches!(self, FeaturesCap::ReadWrite),
        }
    }
}

// ---------------------------------------------------------------------------
// Bits and values
// ---------------------------------------------------------------------------

/// Effect: configuration change after a cold reset.
pub const CXL_CMD_CONFIG_CHANGE_COLD_RESET: u16 = 1 << 0;
/// Effect: immediate configuration change.
pub const CXL_CMD_CONFIG_CHANGE_IMMEDIATE: u16 = 1 << 1;
/// Effect: immediate data change.
pub const CXL_CMD_DATA_CHANGE_IMMEDIATE: u16 = 1 << 2;
/// Effect: immediate policy change.
pub const CXL_CMD_POLICY_CHANGE_IMMEDIATE: u16 = 1 << 3;
/// Effect: immediate log change.
pub const CXL_CMD_LOG_CHANGE_IMMEDIATE: u16 = 1 << 4;
/// Effect: security state change.
pub const CXL_CMD_SECURITY_STATE_CHANGE: u16 = 1 << 5;
/// Effect: runs as a background operation.
pub const CXL_CMD_BACKGROUND: u16 = 1 << 6;
/// Effect: the background operation can be aborted.
pub const CXL_CMD_BGCMD_ABORT_SUPPORTED: u16 = 1 << 7;
/// The effects field is valid.
pub const CXL_CMD_EFFECTS_VALID: u16 = 1 << 9;
/// Effect: configuration change after a conventional reset.
pub const CXL_CMD_CONFIG_CHANGE_CONV_RESET: u16 = 1 << 10;
/// Effect: configuration change after a CXL reset.
pub const CXL_CMD_CONFIG_CHANGE_CXL_RESET: u16 = 1 << 11;
/// Reserved effect bits (15..12).
pub const CXL_CMD_EFFECTS_RESERVED: u16 = 0xf000;

/// Effects that take hold at once: a Set Feature needs `DEBUG_WRITE_FULL`.
pub const EFFECTS_IMMEDIATE: u16 = CXL_CMD_CONFIG_CHANGE_IMMEDIATE
    | CXL_CMD_DATA_CHANGE_IMMEDIATE
    | CXL_CMD_POLICY_CHANGE_IMMEDIATE
    | CXL_CMD_LOG_CHANGE_IMMEDIATE;
/// Effects that take hold after a reset: `DEBUG_WRITE` is enough.
pub const EFFECTS_AFTER_RESET: u16 = CXL_CMD_CONFIG_CHANGE_COLD_RESET
    | CXL_CMD_CONFIG_CHANGE_CONV_RESET
    | CXL_CMD_CONFIG_CHANGE_CXL_RESET;

/// Feature flag: the feature can be set.
pub const CXL_FEATURE_F_CHANGEABLE: u32 = 1 << 0;
/// Feature flag: the value persists across a firmware update.
pub const CXL_FEATURE_F_PERSIST_FW_UPDATE: u32 = 1 << 4;
/// Feature flag: the default value can be read.
pub const CXL_FEATURE_F_DEFAULT_SEL: u32 = 1 << 5;
/// Feature flag: the saved value can be read.
pub const CXL_FEATURE_F_SAVED_SEL: u32 = 1 << 6;

/// `enum cxl_get_feat_selection`: which value Get Feature reads.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GetFeatSelection {
    /// The current value.
    Current = 0,
    /// The default value.
    Default = 1,
    /// The saved value.
    Saved = 2,
}

impl GetFeatSelection {
    /// The selection of a wire value, `None` past the last one.  (Upstream
    /// passes the user's byte to the device unchecked.)
    pub const fn from_u8(v: u8) -> Option<GetFeatSelection> {
        match v {
            0 => Some(GetFeatSelection::Current),
            1 => Some(GetFeatSelection::Default),
            2 => Some(GetFeatSelection::Saved),
            _ => None,
        }
    }
}

/// `enum cxl_set_feat_flag_data_transfer`: bits 2..0 of Set Feature flags.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataTransfer {
    /// All the data in one command.
    Full = 0,
    /// First part of a multi-command transfer.
    Initiate = 1,
    /// Middle part.
    Continue = 2,
    /// Last part: the device applies the data.
    Finish = 3,
    /// Drop a transfer in progress (upstream never sends it).
    Abort = 4,
}

impl DataTransfer {
    /// The mode of a flags word, `None` for the reserved values 5..7.
    pub const fn from_flags(flags: u32) -> Option<DataTransfer> {
        match flags & CXL_SET_FEAT_FLAG_DATA_TRANSFER_MASK {
            0 => Some(DataTransfer::Full),
            1 => Some(DataTransfer::Initiate),
            2 => Some(DataTransfer::Continue),
            3 => Some(DataTransfer::Finish),
            4 => Some(DataTransfer::Abort),
            _ => None,
        }
    }
}

/// Set Feature flags: the data transfer mode bits.
pub const CXL_SET_FEAT_FLAG_DATA_TRANSFER_MASK: u32 = 0x7;
/// Set Feature flags: keep the new value across a reset.
pub const CXL_SET_FEAT_FLAG_DATA_SAVED_ACROSS_RESET: u32 = 1 << 3;

// ---------------------------------------------------------------------------
// Wire layouts
// ---------------------------------------------------------------------------

/// `struct cxl_mbox_get_sup_feats_in`.
#[repr(C, packed)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GetSupFeatsIn {
    /// Bytes of output accepted, header included.
    pub count: u32,
    /// Index of the first entry wanted.
    pub start_idx: u16,
    /// Zero.
    pub reserved: [u8; 2],
}

/// `struct cxl_feat_entry`: one Supported Feature Entry.
#[repr(C, packed)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FeatEntry {
    /// The feature.
    pub uuid: Uuid,
    /// Index of the entry.
    pub id: u16,
    /// Largest Get Feature data.
    pub get_feat_size: u16,
    /// Largest Set Feature data; 0: not settable.
    pub set_feat_size: u16,
    /// `CXL_FEATURE_F_*`.
    pub flags: u32,
    /// Version of the Get Feature data.
    pub get_feat_ver: u8,
    /// Version of the Set Feature data.
    pub set_feat_ver: u8,
    /// `CXL_CMD_*` effects of a Set Feature.
    pub effects: u16,
    /// Zero.
    pub reserved: [u8; 18],
}

/// `struct cxl_mbox_get_sup_feats_out_hdr`: the header before the entries.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GetSupFeatsOutHdr {
    /// Entries that follow.
    pub num_entries: u16,
    /// Entries the device has in all.
    pub supported_feats: u16,
    /// Zero.
    pub reserved: [u8; 4],
}

/// `struct cxl_mbox_get_feat_in`.
#[repr(C, packed)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GetFeatIn {
    /// The feature.
    pub uuid: Uuid,
    /// First byte of the feature data to read.
    pub offset: u16,
    /// Bytes to read.
    pub count: u16,
    /// A [`GetFeatSelection`] value (not checked).
    pub selection: u8,
}

/// `struct cxl_mbox_set_feat_in` without its flexible `feat_data` (that
/// is, its `hdr` group; the data follows it on the wire).
#[repr(C, packed)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SetFeatInHdr {
    /// The feature.
    pub uuid: Uuid,
    /// Transfer mode and `CXL_SET_FEAT_FLAG_DATA_SAVED_ACROSS_RESET`.
    pub flags: u32,
    /// First byte of the feature data to write.
    pub offset: u16,
    /// Version of the data.
    pub version: u8,
    /// Zero.
    pub rsvd: [u8; 9],
}

/// `struct fwctl_rpc_cxl_hdr`: what precedes the mailbox payload in
/// `fwctl_rpc.in`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RpcCxlHdr {
    /// Mailbox opcode (upstream uses its low 16 bits only).
    pub opcode: u32,
    /// Not used.
    pub flags: u32,
    /// Bytes of mailbox payload after the header.
    pub op_size: u32,
    /// Not used.
    pub reserved1: u32,
}

/// The payload union of `struct fwctl_rpc_cxl`.
#[repr(C)]
#[derive(Clone, Copy)]
pub union RpcCxlPayload {
    /// Get Supported Features.
    pub get_sup_feats_in: GetSupFeatsIn,
    /// Get Feature.
    pub get_feat_in: GetFeatIn,
    /// Set Feature (its data follows).
    pub set_feat_in: SetFeatInHdr,
}

/// `struct fwctl_rpc_cxl`: `fwctl_rpc.in` of a CXL device.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct FwctlRpcCxl {
    /// The header.
    pub hdr: RpcCxlHdr,
    /// The mailbox payload.
    pub payload: RpcCxlPayload,
}

/// `struct fwctl_rpc_cxl_out_hdr`: what precedes the response payload in
/// `fwctl_rpc.out`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RpcCxlOutHdr {
    /// Bytes of response payload.
    pub size: u32,
    /// Mailbox return code.
    pub retval: u32,
}

/// `struct fwctl_rpc_cxl_out`: `fwctl_rpc.out` of a CXL device.  The
/// payload of commands other than Get Supported Features starts where
/// `get_sup_feats_out` does ([`RPC_OUT_PAYLOAD_OFFSET`]).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FwctlRpcCxlOut {
    /// The header.
    pub hdr: RpcCxlOutHdr,
    /// Get Supported Features' header; its entries follow.
    pub get_sup_feats_out: GetSupFeatsOutHdr,
}

/// `sizeof(struct fwctl_rpc_cxl_hdr)`.
pub const RPC_HDR_SIZE: usize = size_of::<RpcCxlHdr>();
/// `sizeof(struct fwctl_rpc_cxl_out)`: upstream adds it to the reported
/// `out_len`, although the payload starts 8 bytes earlier.
pub const RPC_OUT_SIZE: usize = size_of::<FwctlRpcCxlOut>();
/// `offsetof(struct fwctl_rpc_cxl_out, payload)`.
pub const RPC_OUT_PAYLOAD_OFFSET: usize = offset_of!(FwctlRpcCxlOut, get_sup_feats_out);
/// `sizeof(struct cxl_feat_entry)`.
pub const FEAT_ENTRY_SIZE: usize = size_of::<FeatEntry>();
/// `sizeof(struct cxl_mbox_get_sup_feats_out)`: the header of the entries.
pub const SUP_FEATS_OUT_HDR_SIZE: usize = size_of::<GetSupFeatsOutHdr>();
/// `sizeof(struct cxl_mbox_set_feat_in)`: the header of the data.
pub const SET_FEAT_HDR_SIZE: usize = size_of::<SetFeatInHdr>();
/// Fewest data bytes a Set Feature command must be able to carry:
/// upstream refuses mailboxes smaller than the header plus this.
pub const FEAT_DATA_MIN_PAYLOAD_SIZE: usize = 10;

const _: () = {
    assert!(size_of::<Uuid>() == 16);

    assert!(size_of::<GetSupFeatsIn>() == 8);
    assert!(offset_of!(GetSupFeatsIn, start_idx) == 4);
    assert!(offset_of!(GetSupFeatsIn, reserved) == 6);

    assert!(size_of::<FeatEntry>() == 48);
    assert!(offset_of!(FeatEntry, id) == 16);
    assert!(offset_of!(FeatEntry, get_feat_size) == 18);
    assert!(offset_of!(FeatEntry, set_feat_size) == 20);
    assert!(offset_of!(FeatEntry, flags) == 22);
    assert!(offset_of!(FeatEntry, get_feat_ver) == 26);
    assert!(offset_of!(FeatEntry, set_feat_ver) == 27);
    assert!(offset_of!(FeatEntry, effects) == 28);
    assert!(offset_of!(FeatEntry, reserved) == 30);

    assert!(size_of::<GetSupFeatsOutHdr>() == 8);
    assert!(core::mem::align_of::<GetSupFeatsOutHdr>() == 2);
    assert!(offset_of!(GetSupFeatsOutHdr, supported_feats) == 2);
    assert!(offset_of!(GetSupFeatsOutHdr, reserved) == 4);

    assert!(size_of::<GetFeatIn>() == 21);
    assert!(offset_of!(GetFeatIn, offset) == 16);
    assert!(offset_of!(GetFeatIn, count) == 18);
    assert!(offset_of!(GetFeatIn, selection) == 20);

    assert!(size_of::<SetFeatInHdr>() == 32);
    assert!(offset_of!(SetFeatInHdr, flags) == 16);
    assert!(offset_of!(SetFeatInHdr, offset) == 20);
    assert!(offset_of!(SetFeatInHdr, version) == 22);
    assert!(offset_of!(SetFeatInHdr, rsvd) == 23);

    assert!(size_of::<RpcCxlHdr>() == 16);
    assert!(offset_of!(RpcCxlHdr, flags) == 4);
    assert!(offset_of!(RpcCxlHdr, op_size) == 8);
    assert!(offset_of!(RpcCxlHdr, reserved1) == 12);
    assert!(size_of::<RpcCxlPayload>() == 32);
    assert!(size_of::<FwctlRpcCxl>() == 48);
    assert!(offset_of!(FwctlRpcCxl, payload) == 16);

    assert!(size_of::<RpcCxlOutHdr>() == 8);
    assert!(offset_of!(RpcCxlOutHdr, retval) == 4);
    assert!(size_of::<FwctlRpcCxlOut>() == 16);
    assert!(RPC_OUT_PAYLOAD_OFFSET == 8);
};

/// The first `N` bytes of `b`, or `EINVAL` if it is shorter.
fn head<const N: usize>(b: &[u8]) -> Result<&[u8; N], Errno> {
    b.get(..N)
        .and_then(|s| s.try_into().ok())
        .ok_or(Errno::EINVAL)
}

fn le16<const N: usize>(b: &[u8; N], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn le32<const N: usize>(b: &[u8; N], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn bytes_at<const N: usize, const M: usize>(b: &[u8; N], at: usize) -> [u8; M] {
    let mut v = [0u8; M];
    v.copy_from_slice(&b[at..at + M]);
    v
}

fn put<const N: usize>(b: &mut [u8; N], at: usize, v: &[u8]) {
    b[at..at + v.len()].copy_from_slice(v);
}

impl GetSupFeatsIn {
    /// Wire size.
    pub const SIZE: usize = size_of::<Self>();

    /// Parses the start of `b`; `EINVAL` if it is too short.
    pub fn from_bytes(b: &[u8]) -> Result<Self, Errno> {
        let b = head::<{ Self::SIZE }>(b)?;
        Ok(Self {
            count: le32(b, 0),
            start_idx: le16(b, 4),
            reserved: bytes_at(b, 6),
        })
    }

    /// The wire bytes.
    pub fn to_bytes(&self) -> [u8; Self::SIZE] {
        let mut b = [0u8; Self::SIZE];
        put(&mut b, 0, &{ self.count }.to_le_bytes());
        put(&mut b, 4, &{ self.start_idx }.to_le_bytes());
        put(&mut b, 6, &self.reserved);
        b
    }
}

impl FeatEntry {
    /// Wire size.
    pub const SIZE: usize = size_of::<Self>();

    /// Parses the start of `b`; `EINVAL` if it is too short.
    pub fn from_bytes(b: &[u8]) -> Result<Self, Errno> {
        let b = head::<{ Self::SIZE }>(b)?;
        Ok(Self {
            uuid: bytes_at(b, 0),
            id: le16(b, 16),
            get_feat_size: le16(b, 18),
            set_feat_size: le16(b, 20),
            flags: le32(b, 22),
            get_feat_ver: b[26],
            set_feat_ver: b[27],
            effects: le16(b, 28),
            reserved: bytes_at(b, 30),
        })
    }

    /// The wire bytes.
    pub fn to_bytes(&self) -> [u8; Self::SIZE] {
        let mut b = [0u8; Self::SIZE];
        put(&mut b, 0, &self.uuid);
        put(&mut b, 16, &{ self.id }.to_le_bytes());
        put(&mut b, 18, &{ self.get_feat_size }.to_le_bytes());
        put(&mut b, 20, &{ self.set_feat_size }.to_le_bytes());
        put(&mut b, 22, &{ self.flags }.to_le_bytes());
        b[26] = self.get_feat_ver;
        b[27] = self.set_feat_ver;
        put(&mut b, 28, &{ self.effects }.to_le_bytes());
        put(&mut b, 30, &self.reserved);
        b
    }

    /// The entry as fwctl shows it: a feature in `exclusive` loses
    /// `CXL_FEATURE_F_CHANGEABLE` and gets a `set_feat_size` of 0.
    pub fn user_view(&self, exclusive: &[Uuid]) -> FeatEntry {
        let mut e = *self;
        if exclusive.contains(&e.uuid) {
            e.set_feat_size = 0;
            e.flags = { e.flags } & !CXL_FEATURE_F_CHANGEABLE;
        }
        e
    }
}

impl GetSupFeatsOutHdr {
    /// Wire size.
    pub const SIZE: usize = size_of::<Self>();

    /// Parses the start of `b`; `EINVAL` if it is too short.
    pub fn from_bytes(b: &[u8]) -> Result<Self, Errno> {
        let b = head::<{ Self::SIZE }>(b)?;
        Ok(Self {
            num_entries: le16(b, 0),
            supported_feats: le16(b, 2),
            reserved: bytes_at(b, 4),
        })
    }

    /// The wire bytes.
    pub fn to_bytes(&self) -> [u8; Self::SIZE] {
        let mut b = [0u8; Self::SIZE];
        put(&mut b, 0, &self.num_entries.to_le_bytes());
        put(&mut b, 2, &self.supported_feats.to_le_bytes());
        put(&mut b, 4, &self.reserved);
        b
    }
}

impl GetFeatIn {
    /// Wire size.
    pub const SIZE: usize = size_of::<Self>();

    /// Parses the start of `b`; `EINVAL` if it is too short.
    pub fn from_bytes(b: &[u8]) -> Result<Self, Errno> {
        let b = head::<{ Self::SIZE }>(b)?;
        Ok(Self {
            uuid: bytes_at(b, 0),
            offset: le16(b, 16),
            count: le16(b, 18),
            selection: b[20],
        })
    }

    /// The wire bytes.
    pub fn to_bytes(&self) -> [u8; Self::SIZE] {
        let mut b = [0u8; Self::SIZE];
        put(&mut b, 0, &self.uuid);
        put(&mut b, 16, &{ self.offset }.to_le_bytes());
        put(&mut b, 18, &{ self.count }.to_le_bytes());
        b[20] = self.selection;
        b
    }

    /// The request for one chunk of this read (same feature and selection).
    pub fn for_chunk(&self, c: &Chunk) -> GetFeatIn {
        GetFeatIn {
            offset: c.offset,
            count: c.len as u16,
            ..*self
        }
    }
}

impl SetFeatInHdr {
    /// Wire size.
    pub const SIZE: usize = size_of::<Self>();

    /// Parses the start of `b`; `EINVAL` if it is too short.
    pub fn from_bytes(b: &[u8]) -> Result<Self, Errno> {
        let b = head::<{ Self::SIZE }>(b)?;
        Ok(Self {
            uuid: bytes_at(b, 0),
            flags: le32(b, 16),
            offset: le16(b, 20),
            version: b[22],
            rsvd: bytes_at(b, 23),
        })
    }

    /// The wire bytes.
    pub fn to_bytes(&self) -> [u8; Self::SIZE] {
        let mut b = [0u8; Self::SIZE];
        put(&mut b, 0, &self.uuid);
        put(&mut b, 16, &{ self.flags }.to_le_bytes());
        put(&mut b, 20, &{ self.offset }.to_le_bytes());
        b[22] = self.version;
        put(&mut b, 23, &self.rsvd);
        b
    }
}

impl RpcCxlHdr {
    /// Wire size.
    pub const SIZE: usize = size_of::<Self>();

    /// Parses the start of `b`; `EINVAL` if it is too short.
    pub fn from_bytes(b: &[u8]) -> Result<Self, Errno> {
        let b = head::<{ Self::SIZE }>(b)?;
        Ok(Self {
            opcode: le32(b, 0),
            flags: le32(b, 4),
            op_size: le32(b, 8),
            reserved1: le32(b, 12),
        })
    }

    /// The wire bytes.
    pub fn to_bytes(&self) -> [u8; Self::SIZE] {
        let mut b = [0u8; Self::SIZE];
        put(&mut b, 0, &self.opcode.to_le_bytes());
        put(&mut b, 4, &self.flags.to_le_bytes());
        put(&mut b, 8, &self.op_size.to_le_bytes());
        put(&mut b, 12, &self.reserved1.to_le_bytes());
        b
    }
}

impl RpcCxlOutHdr {
    /// Wire size.
    pub const SIZE: usize = size_of::<Self>();

    /// Parses the start of `b`; `EINVAL` if it is too short.
    pub fn from_bytes(b: &[u8]) -> Result<Self, Errno> {
        let b = head::<{ Self::SIZE }>(b)?;
        Ok(Self {
            size: le32(b, 0),
            retval: le32(b, 4),
        })
    }

    /// The wire bytes.
    pub fn to_bytes(&self) -> [u8; Self::SIZE] {
        let mut b = [0u8; Self::SIZE];
        put(&mut b, 0, &self.size.to_le_bytes());
        put(&mut b, 4, &self.retval.to_le_bytes());
        b
    }
}

/// Copies the part of `src`, meant for `out[at..]`, that fits in `out`.
fn put_clipped(out: &mut [u8], at: usize, src: &[u8]) {
    if let Some(dst) = out.get_mut(at..) {
        let n = dst.len().min(src.len());
        dst[..n].copy_from_slice(&src[..n]);
    }
}

// ---------------------------------------------------------------------------
// Request validation (cxlctl_fw_rpc and what it calls)
// ---------------------------------------------------------------------------

/// A request split into its header and its mailbox payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RpcRequest<'a> {
    /// The header.
    pub hdr: RpcCxlHdr,
    /// The opcode as upstream sees it: the low 16 bits of `hdr.opcode`.
    pub opcode: u16,
    /// The `op_size` bytes after the header.
    pub payload: &'a [u8],
}

/// Splits `fwctl_rpc.in` (`in_len` bytes): `EINVAL` if it is shorter than
/// the header or than the header plus `op_size`.  Bytes past `op_size` are
/// ignored.
pub fn parse_rpc(input: &[u8]) -> Result<RpcRequest<'_>, Errno> {
    let hdr = RpcCxlHdr::from_bytes(input)?;
    let rest = &input[RPC_HDR_SIZE..];
    let payload = rest.get(..hdr.op_size as usize).ok_or(Errno::EINVAL)?;
    Ok(RpcRequest {
        hdr,
        opcode: hdr.opcode as u16,
        payload,
    })
}

/// Why Set Feature was refused before reaching the device.  All of them
/// are `EINVAL` to userspace; the variants exist for logs and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetFeatureRefusal {
    /// `op_size` is smaller than a UUID.
    TooShort,
    /// The UUID is not in the device's feature table.
    UnknownFeature,
    /// The feature lacks `CXL_FEATURE_F_CHANGEABLE`.
    NotChangeable,
    /// The effects have reserved bits set: not understood.
    ReservedEffects,
    /// The set would run as a background operation: not supported.
    Background,
    /// Neither an immediate nor an after-reset effect: a device bug.
    NoEffects,
    /// The RPC's scope is below the one the effects need.
    ScopeTooLow {
        /// The scope needed.
        needed: Scope,
    },
}

impl SetFeatureRefusal {
    /// The errno userspace gets.
    pub const fn errno(self) -> Errno {
        Errno::EINVAL
    }
}

/// The scope a Set Feature with these effects needs: `DEBUG_WRITE_FULL` for
/// any immediate effect, `DEBUG_WRITE` for after-reset effects only.
pub const fn set_feature_scope(effects: u16) -> Result<Scope, SetFeatureRefusal> {
    if effects & CXL_CMD_EFFECTS_RESERVED != 0 {
        return Err(SetFeatureRefusal::ReservedEffects);
    }
    if effects & CXL_CMD_BACKGROUND != 0 {
        return Err(SetFeatureRefusal::Background);
    }
    if effects & EFFECTS_IMMEDIATE != 0 {
        Ok(Scope::DebugWriteFull)
    } else if effects & EFFECTS_AFTER_RESET != 0 {
        Ok(Scope::DebugWrite)
    } else {
        Err(SetFeatureRefusal::NoEffects)
    }
}

/// An accepted RPC: what the driver does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op<'a, 'b> {
    /// Answer from the cache: no mailbox command.
    GetSupportedFeatures(SupportedFeatures<'a>),
    /// Read `count` bytes (non-zero, and fitting the user's buffer after
    /// the 8-byte header) with Get Feature; see [`get_feature_chunks`].
    GetFeature(GetFeatIn),
    /// Write `data` (at least one byte) with Set Feature; see
    /// [`set_feature_chunks`].
    SetFeature {
        /// The request's header (the user's flags, offset and version).
        hdr: SetFeatInHdr,
        /// The feature data.
        data: &'b [u8],
    },
}

/// A device's cached Features state: what upstream's `cxlfs` holds.
#[derive(Clone, Copy, Debug)]
pub struct Features<'a> {
    /// The capability found in the Command Effects Log.
    pub cap: FeaturesCap,
    /// The Supported Feature Entries, as the device returned them.
    pub entries: &'a [FeatEntry],
    /// The features reserved to the kernel (e.g. [`UPSTREAM_EXCLUSIVE_FEATURES`]).
    pub exclusive: &'a [Uuid],
}

impl<'a> Features<'a> {
    /// Whether `uuid` is reserved to the kernel.
    pub fn is_exclusive(&self, uuid: &Uuid) -> bool {
        self.exclusive.contains(uuid)
    }

    /// The entry of `uuid` (`cxl_feature_info()`); `EINVAL` if unknown.
    pub fn feature(&self, uuid: &Uuid) -> Result<&'a FeatEntry, Errno> {
        self.entries
            .iter()
            .find(|e| e.uuid == *uuid)
            .ok_or(Errno::EINVAL)
    }

    /// Entries userspace may set: those not reserved to the kernel.
    pub fn num_user_features(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| !self.is_exclusive(&e.uuid))
            .count()
    }

    /// Whether to register a fwctl device: `ENODEV` without Features
    /// support or when every feature is the kernel's.
    pub fn check_fwctl_setup(&self) -> Result<(), Errno> {
        if self.cap == FeaturesCap::None || self.num_user_features() == 0 {
            return Err(Errno::ENODEV);
        }
        Ok(())
    }

    /// Upstream's checks of a Set Feature against the feature table and
    /// the scope, in upstream's order.  `payload` is the request's
    /// `op_size` bytes.
    pub fn validate_set_feature(
        &self,
        payload: &[u8],
        scope: Scope,
    ) -> Result<(), SetFeatureRefusal> {
        let uuid: &[u8; 16] = head(payload).map_err(|_| SetFeatureRefusal::TooShort)?;
        let feat = self
            .feature(uuid)
            .map_err(|_| SetFeatureRefusal::UnknownFeature)?;
        if feat.flags & CXL_FEATURE_F_CHANGEABLE == 0 {
            return Err(SetFeatureRefusal::NotChangeable);
        }
        let needed = set_feature_scope(feat.effects)?;
        if scope < needed {
            return Err(SetFeatureRefusal::ScopeTooLow { needed });
        }
        Ok(())
    }

    /// `cxlctl_validate_hw_command()`: the opcode must be offered by the
    /// capability, and a Set Feature must pass [`Self::validate_set_feature`].
    /// Any failure, an unknown opcode included, is `EINVAL`.
    pub fn validate_hw_command(&self, req: &RpcRequest<'_>, scope: Scope) -> Result<(), Errno> {
        let op = Opcode::from_u16(req.opcode).ok_or(Errno::EINVAL)?;
        if !self.cap.offers(op) {
            return Err(Errno::EINVAL);
        }
        if op == Opcode::SetFeature {
            self.validate_set_feature(req.payload, scope)
                .map_err(SetFeatureRefusal::errno)?;
        }
        Ok(())
    }

    /// Everything upstream checks before the mailbox, in upstream's order:
    /// `input` is `fwctl_rpc.in` (`in_len` bytes), `out_len` the size of the
    /// user's response buffer, `scope` the RPC's scope (the core has
    /// already checked it).
    ///
    /// - header shorter than 16 bytes, or `op_size` past `in_len`: `EINVAL`;
    /// - opcode other than 0500h/0501h/0502h, or not offered: `EINVAL`;
    /// - Set Feature: unknown or unchangeable feature, reserved, background
    ///   or missing effects, scope too low: `EINVAL`;
    /// - Get Supported Features: `op_size` not 8, or start index past the
    ///   table: `EINVAL` (any scope; `out_len` is not checked);
    /// - Get Feature: `op_size` not 21, `count` 0, or `out_len` smaller
    ///   than 8 + `count`: `EINVAL` (any scope; exclusive features may be
    ///   read);
    /// - Set Feature: `op_size` not above 32 (no data): `EINVAL`; feature
    ///   reserved to the kernel: `EPERM`; `out_len` below 8: `EINVAL`.
    pub fn check_rpc<'b>(
        &self,
        scope: Scope,
        input: &'b [u8],
        out_len: usize,
    ) -> Result<Op<'a, 'b>, Errno> {
        let req = parse_rpc(input)?;
        self.validate_hw_command(&req, scope)?;
        match Opcode::from_u16(req.opcode) {
            Some(Opcode::GetSupportedFeatures) => {
                if req.payload.len() != GetSupFeatsIn::SIZE {
                    return Err(Errno::EINVAL);
                }
                let r = GetSupFeatsIn::from_bytes(req.payload)?;
                self.supported_features(&r).map(Op::GetSupportedFeatures)
            }
            Some(Opcode::GetFeature) => {
                if req.payload.len() != GetFeatIn::SIZE {
                    return Err(Errno::EINVAL);
                }
                let r = GetFeatIn::from_bytes(req.payload)?;
                let count = r.count as usize;
                if count == 0 {
                    return Err(Errno::EINVAL);
                }
                if out_len < RPC_OUT_PAYLOAD_OFFSET || count > out_len - RPC_OUT_PAYLOAD_OFFSET {
                    return Err(Errno::EINVAL);
                }
                Ok(Op::GetFeature(r))
            }
            Some(Opcode::SetFeature) => {
                if req.payload.len() <= SET_FEAT_HDR_SIZE {
                    return Err(Errno::EINVAL);
                }
                let hdr = SetFeatInHdr::from_bytes(req.payload)?;
                if self.is_exclusive(&hdr.uuid) {
                    return Err(Errno::EPERM);
                }
                if out_len < RPC_OUT_PAYLOAD_OFFSET {
                    return Err(Errno::EINVAL);
                }
                Ok(Op::SetFeature {
                    hdr,
                    data: &req.payload[SET_FEAT_HDR_SIZE..],
                })
            }
            // validate_hw_command() refused it already.
            None => Err(Errno::EOPNOTSUPP),
        }
    }

    /// Get Supported Features from the cache: `count / 48` entries from
    /// `start_idx`, fewer if the table ends first (so a `count` below 48
    /// gives the header alone); `EINVAL` if `start_idx` is past the last
    /// entry.
    pub fn supported_features(&self, req: &GetSupFeatsIn) -> Result<SupportedFeatures<'a>, Errno> {
        let start = req.start_idx as usize;
        let n = self.entries.len();
        if start >= n {
            return Err(Errno::EINVAL);
        }
        let requested = (req.count as usize / FEAT_ENTRY_SIZE).min(n - start);
        Ok(SupportedFeatures {
            entries: &self.entries[start..start + requested],
            exclusive: self.exclusive,
            supported_feats: n as u16,
        })
    }
}

// ---------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------

/// The answer to Get Supported Features, built from the cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SupportedFeatures<'a> {
    /// The cached entries to return, unfiltered (see [`Self::entry`]).
    pub entries: &'a [FeatEntry],
    /// The features reserved to the kernel.
    pub exclusive: &'a [Uuid],
    /// All the device's entries: `supported_feats`.
    pub supported_feats: u16,
}

impl SupportedFeatures<'_> {
    /// Entries returned.
    pub fn num_entries(&self) -> usize {
        self.entries.len()
    }

    /// The response payload size (`fwctl_rpc_cxl_out.size`).
    pub fn payload_size(&self) -> usize {
        SUP_FEATS_OUT_HDR_SIZE + self.entries.len() * FEAT_ENTRY_SIZE
    }

    /// The `out_len` upstream reports: `sizeof(struct fwctl_rpc_cxl_out)`
    /// plus the payload, i.e. 8 zero bytes past the last entry.  The core
    /// copies at most the user's `out_len` of it.
    pub fn out_len(&self) -> usize {
        RPC_OUT_SIZE + self.payload_size()
    }

    /// The response header.
    pub fn out_hdr(&self) -> RpcCxlOutHdr {
        RpcCxlOutHdr {
            size: self.payload_size() as u32,
            retval: u32::from(CXL_MBOX_CMD_RC_SUCCESS),
        }
    }

    /// The Get Supported Features header.
    pub fn sup_hdr(&self) -> GetSupFeatsOutHdr {
        GetSupFeatsOutHdr {
            num_entries: self.entries.len() as u16,
            supported_feats: self.supported_feats,
            reserved: [0; 4],
        }
    }

    /// Entry `i` as userspace sees it ([`FeatEntry::user_view`]).
    pub fn entry(&self, i: usize) -> Option<FeatEntry> {
        self.entries.get(i).map(|e| e.user_view(self.exclusive))
    }

    /// Writes the first `min(out.len(), self.out_len())` bytes of the
    /// response to `out` and returns that length.  The rest of `out` is
    /// left alone.
    pub fn write(&self, out: &mut [u8]) -> usize {
        let n = out.len().min(self.out_len());
        let out = &mut out[..n];
        out.fill(0);
        put_clipped(out, 0, &self.out_hdr().to_bytes());
        put_clipped(out, RPC_OUT_PAYLOAD_OFFSET, &self.sup_hdr().to_bytes());
        let base = RPC_OUT_PAYLOAD_OFFSET + SUP_FEATS_OUT_HDR_SIZE;
        for (i, e) in self.entries.iter().enumerate() {
            let at = base + i * FEAT_ENTRY_SIZE;
            if at >= n {
                break;
            }
            put_clipped(out, at, &e.user_view(self.exclusive).to_bytes());
        }
        n
    }
}

/// The header and reported `out_len` of a Get/Set Feature answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The response header.
    pub hdr: RpcCxlOutHdr,
    /// The `out_len` upstream reports.
    pub out_len: usize,
}

/// The Get Feature answer after the mailbox: `received` bytes were read
/// (placed at offset 8 of the response); if none, `return_code` is the
/// device's.  As upstream, `out_len` is `16 + received`, 8 more than the
/// data's end.
pub fn get_feature_reply(received: usize, return_code: u16) -> Reply {
    if received == 0 {
        return Reply {
            hdr: RpcCxlOutHdr {
                size: 0,
                retval: u32::from(return_code),
            },
            out_len: RPC_OUT_SIZE,
        };
    }
    Reply {
        hdr: RpcCxlOutHdr {
            size: received as u32,
            retval: u32::from(CXL_MBOX_CMD_RC_SUCCESS),
        },
        out_len: RPC_OUT_SIZE + received,
    }
}

/// The Set Feature answer: no payload, the mailbox return code (0 on
/// success), `out_len` 16.  A set that never reached the device (e.g. a
/// mailbox too small, `ENOMEM` from [`set_feature_chunks`]) reports
/// [`CXL_MBOX_CMD_RC_INPUT`], and the ioctl itself succeeds.
pub fn set_feature_reply(return_code: u16) -> Reply {
    Reply {
        hdr: RpcCxlOutHdr {
            size: 0,
            retval: u32::from(return_code),
        },
        out_len: RPC_OUT_SIZE,
    }
}

// ---------------------------------------------------------------------------
// Mailbox chunking
// ---------------------------------------------------------------------------

/// One mailbox command of a Get or Set Feature transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk {
    /// Where the bytes go in (Get) or come from (Set) the whole data.
    pub pos: usize,
    /// Bytes in this command.
    pub len: usize,
    /// The command's feature data offset: the request's plus `pos`,
    /// truncated to 16 bits as upstream does.
    pub offset: u16,
}

/// The commands of a Get Feature read; see [`get_feature_chunks`].
#[derive(Clone, Debug)]
pub struct GetFeatureChunks {
    offset: u16,
    total: usize,
    payload_size: usize,
    pos: usize,
}

/// Splits a read of `count` bytes at `offset` into mailbox commands of at
/// most `payload_size` bytes (Get Feature's output is pure data).  Yields
/// nothing if `count` or `payload_size` is 0 (upstream then reports
/// [`CXL_MBOX_CMD_RC_INPUT`] or fails on the empty reply).  Each command
/// must return its full length; a short or failed one ends the read.
pub fn get_feature_chunks(offset: u16, count: u16, payload_size: usize) -> GetFeatureChunks {
    let total = if payload_size == 0 { 0 } else { count as usize };
    GetFeatureChunks {
        offset,
        total,
        payload_size,
        pos: 0,
    }
}

impl Iterator for GetFeatureChunks {
    type Item = Chunk;

    fn next(&mut self) -> Option<Chunk> {
        if self.pos >= self.total {
            return None;
        }
        let len = (self.total - self.pos).min(self.payload_size);
        let c = Chunk {
            pos: self.pos,
            len,
            offset: self.offset.wrapping_add(self.pos as u16),
        };
        self.pos += len;
        Some(c)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = (self.total - self.pos).div_ceil(self.payload_size.max(1));
        (n, Some(n))
    }
}

impl ExactSizeIterator for GetFeatureChunks {}

/// The Set Feature flags upstream sends: the user's flags with the transfer
/// bits replaced by `mode` and `CXL_SET_FEAT_FLAG_DATA_SAVED_ACROSS_RESET`
/// always set (the user cannot ask for a volatile change); the other bits
/// pass through.
pub const fn set_feature_flags(user_flags: u32, mode: DataTransfer) -> u32 {
    (user_flags & !CXL_SET_FEAT_FLAG_DATA_TRANSFER_MASK)
        | CXL_SET_FEAT_FLAG_DATA_SAVED_ACROSS_RESET
        | mode as u32
}

/// One mailbox command of a Set Feature write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SetChunk {
    /// Data bytes `pos..pos + len` go in this command, after the header.
    pub chunk: Chunk,
    /// The transfer mode.
    pub mode: DataTransfer,
    /// The command's flags ([`set_feature_flags`]).
    pub flags: u32,
}

impl SetChunk {
    /// The command's header; its data is `data[pos..pos + len]`, and its
    /// input size `SET_FEAT_HDR_SIZE + len`.
    pub fn header(&self, uuid: &Uuid, version: u8) -> SetFeatInHdr {
        SetFeatInHdr {
            uuid: *uuid,
            flags: self.flags,
            offset: self.chunk.offset,
            version,
            rsvd: [0; 9],
        }
    }
}

/// The commands of a Set Feature write; see [`set_feature_chunks`].
#[derive(Clone, Debug)]
pub struct SetFeatureChunks {
    user_flags: u32,
    offset: u16,
    total: usize,
    room: usize,
    sent: usize,
    done: bool,
}

/// Splits a write of `data_len` bytes at `offset` into mailbox commands of
/// at most `payload_size` bytes, each a 32-byte header plus data:
///
/// - `ENOMEM` if the mailbox cannot carry the header plus 10 data bytes;
/// - one `Full` command if the data fits (also for no data at all);
/// - otherwise `Initiate` with `payload_size - 32` bytes, `Continue` with
///   as many while more than that remain, and `Finish` with the rest.
///
/// Upstream stops at the first failing command and sends no `Abort`.
pub fn set_feature_chunks(
    user_flags: u32,
    offset: u16,
    data_len: usize,
    payload_size: usize,
) -> Result<SetFeatureChunks, Errno> {
    if SET_FEAT_HDR_SIZE + FEAT_DATA_MIN_PAYLOAD_SIZE > payload_size {
        return Err(Errno::ENOMEM);
    }
    Ok(SetFeatureChunks {
        user_flags,
        offset,
        total: data_len,
        room: payload_size - SET_FEAT_HDR_SIZE,
        sent: 0,
        done: false,
    })
}

impl Iterator for SetFeatureChunks {
    type Item = SetChunk;

    fn next(&mut self) -> Option<SetChunk> {
        if self.done {
            return None;
        }
        let left = self.total - self.sent;
        let (mode, len) = if self.sent == 0 {
            if left <= self.room {
                (DataTransfer::Full, left)
            } else {
                (DataTransfer::Initiate, self.room)
            }
        } else if left <= self.room {
            (DataTransfer::Finish, left)
        } else {
            (DataTransfer::Continue, self.room)
        };
        let c = SetChunk {
            chunk: Chunk {
                pos: self.sent,
                len,
                offset: self.offset.wrapping_add(self.sent as u16),
            },
            mode,
            flags: set_feature_flags(self.user_flags, mode),
        };
        self.sent += len;
        self.done = self.sent >= self.total;
        Some(c)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = if self.done {
            0
        } else if self.sent == 0 && self.total <= self.room {
            1
        } else {
            (self.total - self.sent).div_ceil(self.room)
        };
        (n, Some(n))
    }
}

impl ExactSizeIterator for SetFeatureChunks {}

// ---------------------------------------------------------------------------
// Filling the cache at probe (get_supported_features)
// ---------------------------------------------------------------------------

/// The first Get Supported Features a driver sends: the header alone, whose
/// `supported_feats` sizes the table.
pub const SUP_FEATS_COUNT_REQUEST: GetSupFeatsIn = GetSupFeatsIn {
    count: SUP_FEATS_OUT_HDR_SIZE as u32,
    start_idx: 0,
    reserved: [0; 2],
};

/// Reads the device's feature table in as few commands as the mailbox
/// allows, with upstream's checks of each reply.  Any failure is `ENOMEM`,
/// the errno upstream's set-up returns for all of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupFeatsFetch {
    total: usize,
    fetched: usize,
    per_cmd: usize,
    asked: usize,
}

impl SupFeatsFetch {
    /// Starts reading `supported_feats` entries; `ENOMEM` if there are none
    /// or the mailbox cannot carry one entry.
    pub fn new(supported_feats: u16, payload_size: usize) -> Result<Self, Errno> {
        let per_cmd = payload_size.saturating_sub(SUP_FEATS_OUT_HDR_SIZE) / FEAT_ENTRY_SIZE;
        if supported_feats == 0 || per_cmd == 0 {
            return Err(Errno::ENOMEM);
        }
        Ok(Self {
            total: supported_feats as usize,
            fetched: 0,
            per_cmd,
            asked: 0,
        })
    }

    /// Entries read so far; the next reply's go at this index.
    pub fn fetched(&self) -> usize {
        self.fetched
    }

    /// Whether the table is complete.
    pub fn is_done(&self) -> bool {
        self.fetched == self.total
    }

    /// The next command and its output size, `None` once done.
    pub fn next_request(&mut self) -> Option<(GetSupFeatsIn, usize)> {
        if self.is_done() {
            return None;
        }
        self.asked = (self.total - self.fetched).min(self.per_cmd);
        let size_out = SUP_FEATS_OUT_HDR_SIZE + self.asked * FEAT_ENTRY_SIZE;
        let req = GetSupFeatsIn {
            count: size_out as u32,
            start_idx: self.fetched as u16,
            reserved: [0; 2],
        };
        Some((req, size_out))
    }

    /// Checks the reply to the last request (`out` is what the device
    /// returned) and returns how many entries it holds, at `out[8..]`.
    /// `ENOMEM` if it has no entry, a partial entry, a `num_entries` that
    /// disagrees with its length, or more entries than asked.
    pub fn accept(&mut self, out: &[u8]) -> Result<usize, Errno> {
        if out.len() <= SUP_FEATS_OUT_HDR_SIZE {
            return Err(Errno::ENOMEM);
        }
        let got = out.len() - SUP_FEATS_OUT_HDR_SIZE;
        if !got.is_multiple_of(FEAT_ENTRY_SIZE) {
            return Err(Errno::ENOMEM);
        }
        let hdr = GetSupFeatsOutHdr::from_bytes(out).map_err(|_| Errno::ENOMEM)?;
        let n = hdr.num_entries as usize;
        if n * FEAT_ENTRY_SIZE != got || n > self.asked {
            return Err(Errno::ENOMEM);
        }
        self.fetched += n;
        self.asked = 0;
        Ok(n)
    }
}
