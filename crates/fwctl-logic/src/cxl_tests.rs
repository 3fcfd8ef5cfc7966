// SPDX-License-Identifier: GPL-2.0

//! Host tests of `crates/fwctl-uapi/src/cxl_features.rs`: layouts, CEL
//! capability, RPC validation (every errno path), effects gating, Get
//! Supported Features from the cache, and Get/Set Feature chunking.

use crate::cxl_features::*;
use crate::uapi::{Errno, Scope};
use core::mem::size_of;

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

const fn entry(uuid: Uuid, id: u16, get: u16, set: u16, flags: u32, effects: u16) -> FeatEntry {
    FeatEntry {
        uuid,
        id,
        get_feat_size: get,
        set_feat_size: set,
        flags,
        get_feat_ver: 1,
        set_feat_ver: 1,
        effects,
        reserved: [0; 18],
    }
}

/// QEMU 10.0's emulated type-3 device: patrol scrub and DDR5 ECS, both
/// changeable with an immediate configuration change (0x0202).
const QEMU_PATROL_SCRUB: FeatEntry = entry(
    CXL_FEAT_PATROL_SCRUB_UUID,
    0,
    4,
    2,
    CXL_FEATURE_F_CHANGEABLE,
    0x0202,
);
const QEMU_ECS: FeatEntry = entry(
    CXL_FEAT_ECS_UUID,
    1,
    13,
    7,
    CXL_FEATURE_F_CHANGEABLE,
    0x0202,
);
const QEMU: [FeatEntry; 2] = [QEMU_PATROL_SCRUB, QEMU_ECS];

const V_IMM_UUID: Uuid = uuid(0x11111111, 0x2222, 0x3333, [4, 4, 5, 5, 5, 5, 5, 5]);
const V_RESET_UUID: Uuid = uuid(0x11111111, 0x2222, 0x3333, [4, 4, 5, 5, 5, 5, 5, 6]);
const V_RO_UUID: Uuid = uuid(0x11111111, 0x2222, 0x3333, [4, 4, 5, 5, 5, 5, 5, 7]);
const V_CONV_UUID: Uuid = uuid(0x11111111, 0x2222, 0x3333, [4, 4, 5, 5, 5, 5, 5, 8]);
const UNKNOWN_UUID: Uuid = [0xee; 16];

/// A vendor feature with an immediate data change.
const V_IMM: FeatEntry = entry(V_IMM_UUID, 2, 64, 64, CXL_FEATURE_F_CHANGEABLE, 0x0204);
/// A vendor feature applied at the next cold reset.
const V_RESET: FeatEntry = entry(
    V_RESET_UUID,
    3,
    8,
    8,
    CXL_FEATURE_F_CHANGEABLE | CXL_FEATURE_F_SAVED_SEL,
    0x0201,
);
/// A vendor feature that cannot be set.
const V_RO: FeatEntry = entry(V_RO_UUID, 4, 8, 0, CXL_FEATURE_F_DEFAULT_SEL, 0x0202);
/// A vendor feature applied at the next conventional reset.
const V_CONV: FeatEntry = entry(V_CONV_UUID, 5, 8, 8, CXL_FEATURE_F_CHANGEABLE, 0x0400);

const TABLE: [FeatEntry; 6] = [QEMU_PATROL_SCRUB, QEMU_ECS, V_IMM, V_RESET, V_RO, V_CONV];

fn feats(entries: &[FeatEntry]) -> Features<'_> {
    Features {
        cap: FeaturesCap::ReadWrite,
        entries,
        exclusive: &UPSTREAM_EXCLUSIVE_FEATURES,
    }
}

/// `fwctl_rpc.in` with `op_size` = the payload's length.
fn rpc(opcode: u32, payload: &[u8]) -> Vec<u8> {
    rpc_sized(opcode, payload.len() as u32, payload)
}

fn rpc_sized(opcode: u32, op_size: u32, payload: &[u8]) -> Vec<u8> {
    let mut v = RpcCxlHdr {
        opcode,
        flags: 0,
        op_size,
        reserved1: 0,
    }
    .to_bytes()
    .to_vec();
    v.extend_from_slice(payload);
    v
}

fn gsf(count: u32, start: u16) -> Vec<u8> {
    rpc(
        0x0500,
        &GetSupFeatsIn {
            count,
            start_idx: start,
            reserved: [0; 2],
        }
        .to_bytes(),
    )
}

fn gf(uuid: Uuid, offset: u16, count: u16) -> Vec<u8> {
    rpc(
        0x0501,
        &GetFeatIn {
            uuid,
            offset,
            count,
            selection: 0,
        }
        .to_bytes(),
    )
}

fn sf_payload(uuid: Uuid, data: &[u8]) -> Vec<u8> {
    let mut v = SetFeatInHdr {
        uuid,
        flags: 0,
        offset: 0,
        version: 1,
        rsvd: [0; 9],
    }
    .to_bytes()
    .to_vec();
    v.extend_from_slice(data);
    v
}

fn sf(uuid: Uuid, data: &[u8]) -> Vec<u8> {
    rpc(0x0502, &sf_payload(uuid, data))
}

const ALL_SCOPES: [Scope; 4] = Scope::ALL;

// ---------------------------------------------------------------------------
// Layouts and wire format
// ---------------------------------------------------------------------------

#[test]
fn uuids_have_uuid_t_byte_order() {
    assert_eq!(
        CXL_FEAT_PATROL_SCRUB_UUID,
        [
            0x96, 0xda, 0xd7, 0xd6, 0xfd, 0xe8, 0x48, 0x2b, 0xa7, 0x33, 0x75, 0x77, 0x4e, 0x06,
            0xdb, 0x8a
        ]
    );
    assert_eq!(
        CXL_FEAT_ECS_UUID,
        [
            0xe5, 0xb1, 0x3f, 0x22, 0x23, 0x28, 0x4a, 0x14, 0xb8, 0xba, 0xb9, 0x69, 0x1e, 0x89,
            0x33, 0x86
        ]
    );
    assert_eq!(
        CXL_FEAT_CACHELINE_SPARING_UUID[..4],
        [0x96, 0xc3, 0x33, 0x86]
    );
    // Eight distinct UUIDs.
    for (i, a) in UPSTREAM_EXCLUSIVE_FEATURES.iter().enumerate() {
        for b in &UPSTREAM_EXCLUSIVE_FEATURES[i + 1..] {
            assert_ne!(a, b);
        }
    }
}

#[test]
fn sizes_match_the_c_headers() {
    assert_eq!(size_of::<GetSupFeatsIn>(), 8);
    assert_eq!(size_of::<FeatEntry>(), 48);
    assert_eq!(size_of::<GetSupFeatsOutHdr>(), 8);
    assert_eq!(size_of::<GetFeatIn>(), 21);
    assert_eq!(size_of::<SetFeatInHdr>(), 32);
    assert_eq!(size_of::<RpcCxlHdr>(), 16);
    assert_eq!(size_of::<FwctlRpcCxl>(), 48);
    assert_eq!(size_of::<RpcCxlOutHdr>(), 8);
    assert_eq!(size_of::<FwctlRpcCxlOut>(), 16);
    assert_eq!(RPC_HDR_SIZE, 16);
    assert_eq!(RPC_OUT_SIZE, 16);
    assert_eq!(RPC_OUT_PAYLOAD_OFFSET, 8);
    assert_eq!(SET_FEAT_HDR_SIZE, 32);
    assert_eq!(SUP_FEATS_OUT_HDR_SIZE, 8);
}

/// The C header's `_BITUL(n)` constants equal the Rust ones.
#[test]
fn bit_constants_match_the_c_header() {
    let h = include_str!("../../../uapi/cxl/features.h");
    let bit = |name: &str| -> u32 {
        let line = h
            .lines()
            .find(|l| l.starts_with("#define ") && l.split_whitespace().nth(1) == Some(name))
            .unwrap_or_else(|| panic!("{name} missing"));
        let n = line
            .split("_BITUL(")
            .nth(1)
            .unwrap()
            .split(')')
            .next()
            .unwrap();
        1 << n.parse::<u32>().unwrap()
    };
    let effects: [(&str, u16); 11] = [
        (
            "CXL_CMD_CONFIG_CHANGE_COLD_RESET",
            CXL_CMD_CONFIG_CHANGE_COLD_RESET,
        ),
        (
            "CXL_CMD_CONFIG_CHANGE_IMMEDIATE",
            CXL_CMD_CONFIG_CHANGE_IMMEDIATE,
        ),
        (
            "CXL_CMD_DATA_CHANGE_IMMEDIATE",
            CXL_CMD_DATA_CHANGE_IMMEDIATE,
        ),
        (
            "CXL_CMD_POLICY_CHANGE_IMMEDIATE",
            CXL_CMD_POLICY_CHANGE_IMMEDIATE,
        ),
        ("CXL_CMD_LOG_CHANGE_IMMEDIATE", CXL_CMD_LOG_CHANGE_IMMEDIATE),
        (
            "CXL_CMD_SECURITY_STATE_CHANGE",
            CXL_CMD_SECURITY_STATE_CHANGE,
        ),
        ("CXL_CMD_BACKGROUND", CXL_CMD_BACKGROUND),
        (
            "CXL_CMD_BGCMD_ABORT_SUPPORTED",
            CXL_CMD_BGCMD_ABORT_SUPPORTED,
        ),
        ("CXL_CMD_EFFECTS_VALID", CXL_CMD_EFFECTS_VALID),
        (
            "CXL_CMD_CONFIG_CHANGE_CONV_RESET",
            CXL_CMD_CONFIG_CHANGE_CONV_RESET,
        ),
        (
            "CXL_CMD_CONFIG_CHANGE_CXL_RESET",
            CXL_CMD_CONFIG_CHANGE_CXL_RESET,
        ),
    ];
    for (name, v) in effects {
        assert_eq!(bit(name), v as u32, "{name}");
    }
    let flags: [(&str, u32); 5] = [
        ("CXL_FEATURE_F_CHANGEABLE", CXL_FEATURE_F_CHANGEABLE),
        (
            "CXL_FEATURE_F_PERSIST_FW_UPDATE",
            CXL_FEATURE_F_PERSIST_FW_UPDATE,
        ),
        ("CXL_FEATURE_F_DEFAULT_SEL", CXL_FEATURE_F_DEFAULT_SEL),
        ("CXL_FEATURE_F_SAVED_SEL", CXL_FEATURE_F_SAVED_SEL),
        (
            "CXL_SET_FEAT_FLAG_DATA_SAVED_ACROSS_RESET",
            CXL_SET_FEAT_FLAG_DATA_SAVED_ACROSS_RESET,
        ),
    ];
    for (name, v) in flags {
        assert_eq!(bit(name), v, "{name}");
    }
    assert_eq!(CXL_CMD_EFFECTS_RESERVED, 0xf000);
    assert_eq!(CXL_SET_FEAT_FLAG_DATA_TRANSFER_MASK, 0x7);
    assert_eq!(EFFECTS_IMMEDIATE, 0x001e);
    assert_eq!(EFFECTS_AFTER_RESET, 0x0c01);
}

#[test]
fn enum_values_match_the_spec() {
    assert_eq!(Opcode::GetSupportedFeatures as u16, 0x0500);
    assert_eq!(Opcode::GetFeature as u16, 0x0501);
    assert_eq!(Opcode::SetFeature as u16, 0x0502);
    assert_eq!(Opcode::from_u16(0x0502), Some(Opcode::SetFeature));
    assert_eq!(Opcode::from_u16(0x0503), None);
    assert_eq!(Opcode::from_u16(0x04ff), None);
    assert_eq!(DataTransfer::Full as u32, 0);
    assert_eq!(DataTransfer::Initiate as u32, 1);
    assert_eq!(DataTransfer::Continue as u32, 2);
    assert_eq!(DataTransfer::Finish as u32, 3);
    assert_eq!(DataTransfer::Abort as u32, 4);
    assert_eq!(
        DataTransfer::from_flags(0xfffffff8 | 3),
        Some(DataTransfer::Finish)
    );
    for v in 5..8 {
        assert_eq!(DataTransfer::from_flags(v), None);
    }
    assert_eq!(GetFeatSelection::from_u8(2), Some(GetFeatSelection::Saved));
    assert_eq!(GetFeatSelection::from_u8(3), None);
}

#[test]
fn feat_entry_wire_bytes_are_little_endian_at_the_c_offsets() {
    let e = FeatEntry {
        uuid: CXL_FEAT_ECS_UUID,
        id: 0x0102,
        get_feat_size: 0x0304,
        set_feat_size: 0x0506,
        flags: 0x0708090a,
        get_feat_ver: 0x0b,
        set_feat_ver: 0x0c,
        effects: 0x0d0e,
        reserved: [0x5a; 18],
    };
    let b = e.to_bytes();
    assert_eq!(b[..16], CXL_FEAT_ECS_UUID);
    assert_eq!(b[16..18], [0x02, 0x01]);
    assert_eq!(b[18..20], [0x04, 0x03]);
    assert_eq!(b[20..22], [0x06, 0x05]);
    assert_eq!(b[22..26], [0x0a, 0x09, 0x08, 0x07]);
    assert_eq!(b[26], 0x0b);
    assert_eq!(b[27], 0x0c);
    assert_eq!(b[28..30], [0x0e, 0x0d]);
    assert_eq!(b[30..], [0x5a; 18]);
    assert_eq!(FeatEntry::from_bytes(&b), Ok(e));
}

#[test]
fn request_wire_bytes_are_little_endian_at_the_c_offsets() {
    let h = RpcCxlHdr {
        opcode: 0x0502,
        flags: 0x11223344,
        op_size: 0x21,
        reserved1: 0xdeadbeef,
    };
    let b = h.to_bytes();
    assert_eq!(b[..4], [0x02, 0x05, 0, 0]);
    assert_eq!(b[4..8], [0x44, 0x33, 0x22, 0x11]);
    assert_eq!(b[8..12], [0x21, 0, 0, 0]);
    assert_eq!(RpcCxlHdr::from_bytes(&b), Ok(h));

    let g = GetSupFeatsIn {
        count: 0x01020304,
        start_idx: 0x0506,
        reserved: [7, 8],
    };
    assert_eq!(g.to_bytes(), [4, 3, 2, 1, 6, 5, 7, 8]);
    assert_eq!(GetSupFeatsIn::from_bytes(&g.to_bytes()), Ok(g));

    let f = GetFeatIn {
        uuid: [9; 16],
        offset: 0x0102,
        count: 0x0304,
        selection: 2,
    };
    let b = f.to_bytes();
    assert_eq!(b[16..], [0x02, 0x01, 0x04, 0x03, 2]);
    assert_eq!(GetFeatIn::from_bytes(&b), Ok(f));

    let s = SetFeatInHdr {
        uuid: [1; 16],
        flags: 0x0a0b0c0d,
        offset: 0x0e0f,
        version: 3,
        rsvd: [0x44; 9],
    };
    let b = s.to_bytes();
    assert_eq!(b[16..20], [0x0d, 0x0c, 0x0b, 0x0a]);
    assert_eq!(b[20..22], [0x0f, 0x0e]);
    assert_eq!(b[22], 3);
    assert_eq!(b[23..], [0x44; 9]);
    assert_eq!(SetFeatInHdr::from_bytes(&b), Ok(s));

    let o = RpcCxlOutHdr {
        size: 0x38,
        retval: 0x19,
    };
    assert_eq!(o.to_bytes(), [0x38, 0, 0, 0, 0x19, 0, 0, 0]);
    assert_eq!(RpcCxlOutHdr::from_bytes(&o.to_bytes()), Ok(o));

    let sh = GetSupFeatsOutHdr {
        num_entries: 0x0102,
        supported_feats: 0x0304,
        reserved: [0; 4],
    };
    assert_eq!(sh.to_bytes(), [2, 1, 4, 3, 0, 0, 0, 0]);
    assert_eq!(GetSupFeatsOutHdr::from_bytes(&sh.to_bytes()), Ok(sh));
}

#[test]
fn short_input_is_einval_never_a_panic() {
    let buf = [0xa5u8; 64];
    for n in 0..64 {
        let b = &buf[..n];
        let ok = |size: usize| n >= size;
        assert_eq!(GetSupFeatsIn::from_bytes(b).is_ok(), ok(8), "{n}");
        assert_eq!(FeatEntry::from_bytes(b).is_ok(), ok(48), "{n}");
        assert_eq!(GetSupFeatsOutHdr::from_bytes(b).is_ok(), ok(8), "{n}");
        assert_eq!(GetFeatIn::from_bytes(b).is_ok(), ok(21), "{n}");
        assert_eq!(SetFeatInHdr::from_bytes(b).is_ok(), ok(32), "{n}");
        assert_eq!(RpcCxlHdr::from_bytes(b).is_ok(), ok(16), "{n}");
        assert_eq!(RpcCxlOutHdr::from_bytes(b).is_ok(), ok(8), "{n}");
        if !ok(8) {
            assert_eq!(GetSupFeatsIn::from_bytes(b), Err(Errno::EINVAL));
        }
        if !ok(48) {
            assert_eq!(FeatEntry::from_bytes(b), Err(Errno::EINVAL));
        }
    }
}

// ---------------------------------------------------------------------------
// Features capability from the Command Effects Log
// ---------------------------------------------------------------------------

fn cel(ops: &[u16]) -> Vec<u8> {
    ops.iter()
        .flat_map(|op| [op.to_le_bytes(), 0x0202u16.to_le_bytes()].concat())
        .collect()
}

#[test]
fn cel_gives_the_features_capability() {
    let cap = |ops: &[u16]| FeaturesCap::from_cel(&cel(ops));
    assert_eq!(cap(&[]), FeaturesCap::None);
    assert_eq!(cap(&[0x0100, 0x4000]), FeaturesCap::None);
    assert_eq!(cap(&[0x0500]), FeaturesCap::None);
    assert_eq!(cap(&[0x0501]), FeaturesCap::None);
    assert_eq!(cap(&[0x0502]), FeaturesCap::None);
    assert_eq!(cap(&[0x0500, 0x0502]), FeaturesCap::None);
    assert_eq!(cap(&[0x0500, 0x0501]), FeaturesCap::ReadOnly);
    assert_eq!(cap(&[0x0501, 0x4000, 0x0500]), FeaturesCap::ReadOnly);
    assert_eq!(cap(&[0x0500, 0x0501, 0x0502]), FeaturesCap::ReadWrite);
    assert_eq!(
        cap(&[0x0502, 0x0100, 0x0501, 0x0500, 0x0502]),
        FeaturesCap::ReadWrite
    );
}

#[test]
fn cel_counts_entries_like_upstream() {
    // upstream counts log entries, not distinct opcodes.
    assert_eq!(
        FeaturesCap::from_cel_opcodes([0x0500, 0x0500]),
        FeaturesCap::ReadOnly
    );
    assert_eq!(
        FeaturesCap::from_cel_opcodes([0x0500, 0x0501, 0x0501]),
        FeaturesCap::None
    );
    assert_eq!(
        FeaturesCap::from_cel_opcodes([0x0500, 0x0501, 0x0501, 0x0502]),
        FeaturesCap::None
    );
}

#[test]
fn cel_reads_opcodes_not_effects_and_ignores_a_partial_entry() {
    // Entry opcode 0x0100 whose effect word is 0x0500: not a read command.
    let mut log = vec![0x00, 0x01, 0x00, 0x05];
    log.extend(cel(&[0x0501]));
    assert_eq!(FeaturesCap::from_cel(&log), FeaturesCap::None);
    let mut log = cel(&[0x0500, 0x0501]);
    assert_eq!(FeaturesCap::from_cel(&log), FeaturesCap::ReadOnly);
    // A trailing 0x0502 without its effect word is not an entry.
    log.extend([0x02, 0x05]);
    assert_eq!(FeaturesCap::from_cel(&log), FeaturesCap::ReadOnly);
    log.extend([0x02, 0x00]);
    assert_eq!(FeaturesCap::from_cel(&log), FeaturesCap::ReadWrite);
}

#[test]
fn capability_says_which_commands_are_offered() {
    use Opcode::*;
    assert_eq!(FeaturesCap::None.opcodes(), &[]);
    assert_eq!(
        FeaturesCap::ReadOnly.opcodes(),
        &[GetSupportedFeatures, GetFeature]
    );
    assert_eq!(
        FeaturesCap::ReadWrite.opcodes(),
        &[GetSupportedFeatures, GetFeature, SetFeature]
    );
    for cap in [
        FeaturesCap::None,
        FeaturesCap::ReadOnly,
        FeaturesCap::ReadWrite,
    ] {
        for op in [GetSupportedFeatures, GetFeature, SetFeature] {
            assert_eq!(
                cap.offers(op),
                cap.opcodes().contains(&op),
                "{cap:?} {op:?}"
            );
        }
    }
    assert!(
        FeaturesCap::None < FeaturesCap::ReadOnly && FeaturesCap::ReadOnly < FeaturesCap::ReadWrite
    );
}

// ---------------------------------------------------------------------------
// The RPC header
// ---------------------------------------------------------------------------

#[test]
fn header_shorter_than_16_bytes_is_einval() {
    let full = gsf(48, 0);
    for n in 0..16 {
        assert_eq!(parse_rpc(&full[..n]), Err(Errno::EINVAL), "{n}");
        assert_eq!(
            feats(&TABLE).check_rpc(Scope::DebugWriteFull, &full[..n], 4096),
            Err(Errno::EINVAL)
        );
    }
}

#[test]
fn op_size_must_fit_in_in_len() {
    let empty = rpc_sized(0x0500, 0, &[]);
    let r = parse_rpc(&empty).unwrap();
    assert_eq!(r.payload, &[] as &[u8]);
    let p = [1, 2, 3, 4, 5, 6, 7, 8];
    // op_size == in_len - 16.
    assert_eq!(parse_rpc(&rpc_sized(0x0500, 8, &p)).unwrap().payload, &p);
    // Bytes past op_size are ignored.
    assert_eq!(
        parse_rpc(&rpc_sized(0x0500, 5, &p)).unwrap().payload,
        &p[..5]
    );
    // One byte too many, and absurd sizes.
    assert_eq!(parse_rpc(&rpc_sized(0x0500, 9, &p)), Err(Errno::EINVAL));
    assert_eq!(
        parse_rpc(&rpc_sized(0x0500, u32::MAX, &p)),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        parse_rpc(&rpc_sized(0x0500, 0x8000_0000, &p)),
        Err(Errno::EINVAL)
    );
    let f = feats(&TABLE);
    assert_eq!(
        f.check_rpc(Scope::Configuration, &rpc_sized(0x0500, 9, &p), 4096),
        Err(Errno::EINVAL)
    );
}

#[test]
fn opcode_is_truncated_to_16_bits_like_upstream() {
    let wide = rpc_sized(0x0001_0500, 0, &[]);
    let r = parse_rpc(&wide).unwrap();
    assert_eq!(r.opcode, 0x0500);
    assert_eq!(r.hdr.opcode, 0x0001_0500);
    let mut req = gsf(48, 0);
    req[2] = 0xff;
    req[3] = 0xff;
    assert!(matches!(
        feats(&TABLE).check_rpc(Scope::Configuration, &req, 4096),
        Ok(Op::GetSupportedFeatures(_))
    ));
}

#[test]
fn header_flags_and_reserved_are_not_checked() {
    let mut req = gsf(48, 0);
    req[4..8].copy_from_slice(&[0xff; 4]);
    req[12..16].copy_from_slice(&[0xff; 4]);
    assert!(feats(&TABLE)
        .check_rpc(Scope::Configuration, &req, 4096)
        .is_ok());
}

#[test]
fn unknown_opcodes_are_einval_at_every_scope() {
    let f = feats(&TABLE);
    for op in [
        0x0000, 0x0001, 0x0100, 0x04ff, 0x0503, 0x0600, 0x4000, 0xffff,
    ] {
        for s in ALL_SCOPES {
            assert_eq!(
                f.check_rpc(s, &rpc(op, &[0; 64]), 4096),
                Err(Errno::EINVAL),
                "{op:#x}"
            );
        }
    }
}

#[test]
fn commands_the_capability_lacks_are_einval() {
    let none = Features {
        cap: FeaturesCap::None,
        ..feats(&TABLE)
    };
    let ro = Features {
        cap: FeaturesCap::ReadOnly,
        ..feats(&TABLE)
    };
    let rw = feats(&TABLE);
    let get_sup = gsf(48, 0);
    let get = gf(V_IMM_UUID, 0, 4);
    let set = sf(V_IMM_UUID, &[1]);
    let s = Scope::DebugWriteFull;
    assert_eq!(none.check_rpc(s, &get_sup, 4096), Err(Errno::EINVAL));
    assert_eq!(none.check_rpc(s, &get, 4096), Err(Errno::EINVAL));
    assert_eq!(none.check_rpc(s, &set, 4096), Err(Errno::EINVAL));
    assert!(ro.check_rpc(s, &get_sup, 4096).is_ok());
    assert!(ro.check_rpc(s, &get, 4096).is_ok());
    assert_eq!(ro.check_rpc(s, &set, 4096), Err(Errno::EINVAL));
    assert!(rw.check_rpc(s, &set, 4096).is_ok());
    // The capability is checked before exclusivity: EINVAL, not EPERM.
    assert_eq!(
        ro.check_rpc(s, &sf(CXL_FEAT_PATROL_SCRUB_UUID, &[1]), 4096),
        Err(Errno::EINVAL)
    );
}

// ---------------------------------------------------------------------------
// Get Supported Features
// ---------------------------------------------------------------------------

fn get_sup<'a>(f: &Features<'a>, count: u32, start: u16) -> Result<SupportedFeatures<'a>, Errno> {
    match f.check_rpc(Scope::Configuration, &gsf(count, start), 0)? {
        Op::GetSupportedFeatures(r) => Ok(r),
        op => panic!("{op:?}"),
    }
}

#[test]
fn get_supported_features_needs_no_scope_and_ignores_out_len() {
    let f = feats(&TABLE);
    for s in ALL_SCOPES {
        for out_len in [0, 1, 8, 4096] {
            assert!(matches!(
                f.check_rpc(s, &gsf(48 * 6, 0), out_len),
                Ok(Op::GetSupportedFeatures(_))
            ));
        }
    }
}

#[test]
fn get_supported_features_op_size_must_be_8() {
    let f = feats(&TABLE);
    let p = GetSupFeatsIn {
        count: 480,
        start_idx: 0,
        reserved: [0; 2],
    }
    .to_bytes();
    let mut long = p.to_vec();
    long.push(0);
    assert_eq!(
        f.check_rpc(Scope::Configuration, &rpc(0x0500, &p[..7]), 4096),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        f.check_rpc(Scope::Configuration, &rpc(0x0500, &long), 4096),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        f.check_rpc(Scope::Configuration, &rpc(0x0500, &[]), 4096),
        Err(Errno::EINVAL)
    );
    // in_len may exceed 16 + op_size.
    assert!(f
        .check_rpc(Scope::Configuration, &rpc_sized(0x0500, 8, &long), 4096)
        .is_ok());
}

#[test]
fn get_supported_features_start_past_the_end_is_einval() {
    let f = feats(&TABLE);
    assert_eq!(get_sup(&f, 4800, 6), Err(Errno::EINVAL));
    assert_eq!(get_sup(&f, 4800, 7), Err(Errno::EINVAL));
    assert_eq!(get_sup(&f, 0, u16::MAX), Err(Errno::EINVAL));
    let last = get_sup(&f, 4800, 5).unwrap();
    assert_eq!(last.entries, &TABLE[5..]);
    // An empty table has no valid start.
    assert_eq!(get_sup(&feats(&[]), 4800, 0), Err(Errno::EINVAL));
}

#[test]
fn get_supported_features_count_is_bytes_rounded_down_to_entries() {
    let f = feats(&TABLE);
    let n = |count: u32, start: u16| get_sup(&f, count, start).unwrap().num_entries();
    assert_eq!(n(0, 0), 0);
    assert_eq!(n(47, 0), 0);
    assert_eq!(n(48, 0), 1);
    assert_eq!(n(95, 0), 1);
    assert_eq!(n(96, 0), 2);
    // The header's 8 bytes are not subtracted: 8 + 48 is still one entry.
    assert_eq!(n(56, 0), 1);
    assert_eq!(n(48 * 6, 0), 6);
    assert_eq!(n(48 * 7, 0), 6);
    assert_eq!(n(u32::MAX, 0), 6);
    assert_eq!(n(u32::MAX, 4), 2);
    assert_eq!(n(48 * 2, 3), 2);
    assert_eq!(get_sup(&f, 96, 3).unwrap().entries, &TABLE[3..5]);
}

#[test]
fn get_supported_features_count_zero_gives_the_header_only() {
    let f = feats(&TABLE);
    let r = get_sup(&f, 0, 0).unwrap();
    assert_eq!(r.payload_size(), 8);
    assert_eq!(r.out_len(), 24);
    assert_eq!(r.out_hdr(), RpcCxlOutHdr { size: 8, retval: 0 });
    assert_eq!(
        r.sup_hdr(),
        GetSupFeatsOutHdr {
            num_entries: 0,
            supported_feats: 6,
            reserved: [0; 4]
        }
    );
    let mut out = [0xaau8; 24];
    assert_eq!(r.write(&mut out), 24);
    assert_eq!(out[..8], [8, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(out[8..16], [0, 0, 6, 0, 0, 0, 0, 0]);
    assert_eq!(out[16..], [0; 8]);
}

#[test]
fn get_supported_features_hides_the_kernels_features_as_read_only() {
    let f = feats(&TABLE);
    let r = get_sup(&f, u32::MAX, 0).unwrap();
    assert_eq!(r.supported_feats, 6);
    for (i, dev) in TABLE.iter().enumerate() {
        let e = r.entry(i).unwrap();
        if i >= 2 {
            assert_eq!(e, *dev);
            continue;
        }
        assert_eq!({ e.set_feat_size }, 0);
        assert_eq!({ e.flags } & CXL_FEATURE_F_CHANGEABLE, 0);
        // The rest is the device's.
        assert_eq!({ e.get_feat_size }, { dev.get_feat_size });
        assert_eq!({ e.effects }, 0x0202);
        assert_eq!(e.uuid, dev.uuid);
        assert_eq!({ e.id }, i as u16);
    }
    assert_eq!(r.entry(6), None);
    // The cache itself is not modified.
    assert_eq!({ r.entries[0].set_feat_size }, 2);
    // Other flags survive the masking.
    let e = entry(CXL_FEAT_HPPR_UUID, 9, 4, 4, 0x71, 0x0001);
    let v = e.user_view(&UPSTREAM_EXCLUSIVE_FEATURES);
    assert_eq!({ v.flags }, 0x70);
    assert_eq!(e.user_view(&[]), e);
    // Without an exclusive list, QEMU's features show as the device says.
    let open = Features {
        exclusive: &[],
        ..feats(&QEMU)
    };
    let r = get_sup(&open, 96, 0).unwrap();
    assert_eq!(r.entry(0), Some(QEMU_PATROL_SCRUB));
    assert_eq!(r.entry(1), Some(QEMU_ECS));
}

#[test]
fn get_supported_features_response_bytes() {
    let f = feats(&TABLE);
    let r = get_sup(&f, 96, 1).unwrap();
    assert_eq!(r.payload_size(), 8 + 96);
    // Upstream reports sizeof(fwctl_rpc_cxl_out) + payload: 8 bytes past the data.
    assert_eq!(r.out_len(), 16 + 8 + 96);
    let mut out = vec![0xaau8; r.out_len() + 5];
    assert_eq!(r.write(&mut out), r.out_len());
    assert_eq!(
        RpcCxlOutHdr::from_bytes(&out).unwrap(),
        RpcCxlOutHdr {
            size: 104,
            retval: 0
        }
    );
    let sh = GetSupFeatsOutHdr::from_bytes(&out[8..]).unwrap();
    assert_eq!((sh.num_entries, sh.supported_feats), (2, 6));
    let e0 = FeatEntry::from_bytes(&out[16..]).unwrap();
    let e1 = FeatEntry::from_bytes(&out[64..]).unwrap();
    assert_eq!(e0, QEMU_ECS.user_view(&UPSTREAM_EXCLUSIVE_FEATURES));
    assert_eq!({ e0.set_feat_size }, 0);
    assert_eq!(e1, V_IMM);
    assert_eq!(out[112..120], [0; 8]);
    // Past out_len the buffer is untouched.
    assert_eq!(out[120..], [0xaa; 5]);
}

#[test]
fn get_supported_features_write_truncates_to_the_buffer() {
    let f = feats(&TABLE);
    let r = get_sup(&f, u32::MAX, 0).unwrap();
    let mut full = vec![0u8; r.out_len()];
    r.write(&mut full);
    for n in [0, 1, 7, 8, 9, 15, 16, 17, 40, 63, 64, 65, r.out_len() - 1] {
        let mut out = vec![0xaau8; n];
        assert_eq!(r.write(&mut out), n);
        assert_eq!(out, full[..n], "{n}");
    }
}

// ---------------------------------------------------------------------------
// Get Feature
// ---------------------------------------------------------------------------

#[test]
fn get_feature_needs_no_scope_and_may_read_the_kernels_features() {
    let f = feats(&QEMU);
    for s in ALL_SCOPES {
        let req = gf(CXL_FEAT_PATROL_SCRUB_UUID, 0, 4);
        let r = f.check_rpc(s, &req, 12).unwrap();
        assert_eq!(
            r,
            Op::GetFeature(GetFeatIn {
                uuid: CXL_FEAT_PATROL_SCRUB_UUID,
                offset: 0,
                count: 4,
                selection: 0
            })
        );
        assert!(f.check_rpc(s, &gf(CXL_FEAT_ECS_UUID, 0, 13), 21).is_ok());
    }
}

#[test]
fn get_feature_does_not_check_uuid_offset_or_selection() {
    let f = feats(&QEMU);
    let mut p = GetFeatIn {
        uuid: UNKNOWN_UUID,
        offset: 0xffff,
        count: 1,
        selection: 0xff,
    }
    .to_bytes();
    let req = rpc(0x0501, &p);
    let r = f.check_rpc(Scope::Configuration, &req, 9).unwrap();
    assert_eq!(r, Op::GetFeature(GetFeatIn::from_bytes(&p).unwrap()));
    p[20] = 3;
    assert!(f
        .check_rpc(Scope::Configuration, &rpc(0x0501, &p), 9)
        .is_ok());
}

#[test]
fn get_feature_op_size_must_be_21() {
    let f = feats(&QEMU);
    let p = GetFeatIn {
        uuid: CXL_FEAT_ECS_UUID,
        offset: 0,
        count: 4,
        selection: 0,
    }
    .to_bytes();
    let mut long = p.to_vec();
    long.push(0);
    assert_eq!(
        f.check_rpc(Scope::Configuration, &rpc(0x0501, &p[..20]), 4096),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        f.check_rpc(Scope::Configuration, &rpc(0x0501, &long), 4096),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        f.check_rpc(Scope::Configuration, &rpc(0x0501, &p[..8]), 4096),
        Err(Errno::EINVAL)
    );
    assert!(f
        .check_rpc(Scope::Configuration, &rpc_sized(0x0501, 21, &long), 4096)
        .is_ok());
}

#[test]
fn get_feature_count_zero_is_einval() {
    let f = feats(&QEMU);
    assert_eq!(
        f.check_rpc(Scope::Configuration, &gf(CXL_FEAT_ECS_UUID, 0, 0), 4096),
        Err(Errno::EINVAL)
    );
}

#[test]
fn get_feature_output_must_hold_header_and_count() {
    let f = feats(&QEMU);
    let req = gf(CXL_FEAT_PATROL_SCRUB_UUID, 0, 4);
    for out_len in [0, 1, 7, 8, 11] {
        assert_eq!(
            f.check_rpc(Scope::Configuration, &req, out_len),
            Err(Errno::EINVAL),
            "{out_len}"
        );
    }
    for out_len in [12, 13, 16, 20, usize::MAX] {
        assert!(
            f.check_rpc(Scope::Configuration, &req, out_len).is_ok(),
            "{out_len}"
        );
    }
    let big = gf(CXL_FEAT_ECS_UUID, 0, u16::MAX);
    assert_eq!(
        f.check_rpc(Scope::Configuration, &big, 8 + 65534),
        Err(Errno::EINVAL)
    );
    assert!(f.check_rpc(Scope::Configuration, &big, 8 + 65535).is_ok());
}

#[test]
fn get_feature_replies() {
    assert_eq!(
        get_feature_reply(4, CXL_MBOX_CMD_RC_SUCCESS),
        Reply {
            hdr: RpcCxlOutHdr { size: 4, retval: 0 },
            out_len: 20
        }
    );
    // A non-zero return code is ignored when data arrived.
    assert_eq!(
        get_feature_reply(13, 7),
        Reply {
            hdr: RpcCxlOutHdr {
                size: 13,
                retval: 0
            },
            out_len: 29
        }
    );
    // Nothing read: the device's return code, header-sized answer.
    assert_eq!(
        get_feature_reply(0, 0x1a),
        Reply {
            hdr: RpcCxlOutHdr {
                size: 0,
                retval: 0x1a
            },
            out_len: 16
        }
    );
    assert_eq!(
        get_feature_reply(0, CXL_MBOX_CMD_RC_INPUT),
        Reply {
            hdr: RpcCxlOutHdr { size: 0, retval: 2 },
            out_len: 16
        }
    );
}

// ---------------------------------------------------------------------------
// Set Feature
// ---------------------------------------------------------------------------

#[test]
fn qemu_features_need_debug_write_full_then_are_the_kernels() {
    let f = feats(&QEMU);
    for uuid in [CXL_FEAT_PATROL_SCRUB_UUID, CXL_FEAT_ECS_UUID] {
        let req = sf(uuid, &[0x01, 0x0c]);
        for s in [
            Scope::Configuration,
            Scope::DebugReadOnly,
            Scope::DebugWrite,
        ] {
            assert_eq!(f.check_rpc(s, &req, 16), Err(Errno::EINVAL), "{s:?}");
            assert_eq!(
                f.validate_set_feature(&req[16..], s),
                Err(SetFeatureRefusal::ScopeTooLow {
                    needed: Scope::DebugWriteFull
                })
            );
        }
        assert_eq!(
            f.validate_set_feature(&req[16..], Scope::DebugWriteFull),
            Ok(())
        );
        assert_eq!(
            f.check_rpc(Scope::DebugWriteFull, &req, 16),
            Err(Errno::EPERM)
        );
    }
}

#[test]
fn qemu_features_are_settable_at_debug_write_full_without_an_exclusive_list() {
    let f = Features {
        exclusive: &[],
        ..feats(&QEMU)
    };
    let data = [1, 2, 3, 4, 5, 6, 7];
    let req = sf(CXL_FEAT_ECS_UUID, &data);
    assert_eq!(f.check_rpc(Scope::DebugWrite, &req, 16), Err(Errno::EINVAL));
    match f.check_rpc(Scope::DebugWriteFull, &req, 16).unwrap() {
        Op::SetFeature { hdr, data: d } => {
            assert_eq!(hdr.uuid, CXL_FEAT_ECS_UUID);
            assert_eq!(hdr.version, 1);
            assert_eq!(d, &data);
        }
        op => panic!("{op:?}"),
    }
}

#[test]
fn qemu_device_gets_no_fwctl_device_under_upstreams_exclusive_list() {
    let f = feats(&QEMU);
    assert_eq!(f.num_user_features(), 0);
    assert_eq!(f.check_fwctl_setup(), Err(Errno::ENODEV));
    let open = Features {
        exclusive: &[],
        ..f
    };
    assert_eq!(open.num_user_features(), 2);
    assert_eq!(open.check_fwctl_setup(), Ok(()));
    let no_cap = Features {
        cap: FeaturesCap::None,
        ..open
    };
    assert_eq!(no_cap.check_fwctl_setup(), Err(Errno::ENODEV));
    assert_eq!(feats(&TABLE).num_user_features(), 4);
    assert_eq!(
        Features {
            exclusive: &[],
            ..feats(&[])
        }
        .check_fwctl_setup(),
        Err(Errno::ENODEV)
    );
}

#[test]
fn set_feature_scope_follows_the_effects() {
    let f = feats(&TABLE);
    let cases = [
        (V_IMM_UUID, Scope::DebugWriteFull),
        (V_RESET_UUID, Scope::DebugWrite),
        (V_CONV_UUID, Scope::DebugWrite),
    ];
    for (uuid, needed) in cases {
        let req = sf(uuid, &[0]);
        for s in ALL_SCOPES {
            let r = f.check_rpc(s, &req, 8);
            if s >= needed {
                assert!(matches!(r, Ok(Op::SetFeature { .. })), "{s:?}");
            } else {
                assert_eq!(r, Err(Errno::EINVAL), "{s:?}");
            }
        }
    }
}

#[test]
fn set_feature_effects_table() {
    use SetFeatureRefusal::*;
    let full = Ok(Scope::DebugWriteFull);
    let write = Ok(Scope::DebugWrite);
    let cases: [(u16, Result<Scope, SetFeatureRefusal>); 24] = [
        (0x0000, Err(NoEffects)),
        (CXL_CMD_EFFECTS_VALID, Err(NoEffects)),
        (
            CXL_CMD_SECURITY_STATE_CHANGE | CXL_CMD_EFFECTS_VALID,
            Err(NoEffects),
        ),
        (CXL_CMD_BGCMD_ABORT_SUPPORTED, Err(NoEffects)),
        (1 << 8, Err(NoEffects)),
        (CXL_CMD_CONFIG_CHANGE_IMMEDIATE, full),
        (CXL_CMD_DATA_CHANGE_IMMEDIATE, full),
        (CXL_CMD_POLICY_CHANGE_IMMEDIATE, full),
        (CXL_CMD_LOG_CHANGE_IMMEDIATE, full),
        (0x0202, full),
        (CXL_CMD_CONFIG_CHANGE_COLD_RESET, write),
        (CXL_CMD_CONFIG_CHANGE_CONV_RESET, write),
        (CXL_CMD_CONFIG_CHANGE_CXL_RESET, write),
        (
            CXL_CMD_CONFIG_CHANGE_COLD_RESET | CXL_CMD_SECURITY_STATE_CHANGE,
            write,
        ),
        (
            CXL_CMD_CONFIG_CHANGE_CXL_RESET | CXL_CMD_BGCMD_ABORT_SUPPORTED | (1 << 8),
            write,
        ),
        (
            CXL_CMD_CONFIG_CHANGE_COLD_RESET | CXL_CMD_DATA_CHANGE_IMMEDIATE,
            full,
        ),
        (
            CXL_CMD_CONFIG_CHANGE_IMMEDIATE | CXL_CMD_BACKGROUND,
            Err(Background),
        ),
        (
            CXL_CMD_CONFIG_CHANGE_COLD_RESET | CXL_CMD_BACKGROUND,
            Err(Background),
        ),
        (CXL_CMD_BACKGROUND, Err(Background)),
        (
            0x1000 | CXL_CMD_CONFIG_CHANGE_COLD_RESET,
            Err(ReservedEffects),
        ),
        (
            0x2000 | CXL_CMD_CONFIG_CHANGE_IMMEDIATE,
            Err(ReservedEffects),
        ),
        (0x4000, Err(ReservedEffects)),
        (0x8000 | CXL_CMD_BACKGROUND, Err(ReservedEffects)),
        (0xffff, Err(ReservedEffects)),
    ];
    for (effects, want) in cases {
        assert_eq!(set_feature_scope(effects), want, "{effects:#06x}");
    }
}

/// Every effects value, through the whole RPC path, against a plain
/// reading of upstream's rules.
#[test]
fn set_feature_effects_exhaustive() {
    let uuid = V_IMM_UUID;
    for effects in 0..=u16::MAX {
        let table = [entry(uuid, 0, 4, 4, CXL_FEATURE_F_CHANGEABLE, effects)];
        let f = feats(&table);
        let req = sf(uuid, &[9]);
        let imm = effects & 0x001e != 0;
        let reset = effects & 0x0c01 != 0;
        let refused = effects & 0xf000 != 0 || effects & 0x0040 != 0 || (!imm && !reset);
        for s in ALL_SCOPES {
            let allowed = !refused
                && if imm {
                    s == Scope::DebugWriteFull
                } else {
                    s >= Scope::DebugWrite
                };
            let r = f.check_rpc(s, &req, 16);
            assert_eq!(r.is_ok(), allowed, "{effects:#06x} {s:?}");
            if !allowed {
                assert_eq!(r, Err(Errno::EINVAL));
            }
        }
    }
}

#[test]
fn set_feature_refusal_reasons() {
    let f = feats(&TABLE);
    let s = Scope::DebugWriteFull;
    let p = |uuid| sf_payload(uuid, &[1]);
    assert_eq!(
        f.validate_set_feature(&[], s),
        Err(SetFeatureRefusal::TooShort)
    );
    assert_eq!(
        f.validate_set_feature(&p(V_IMM_UUID)[..15], s),
        Err(SetFeatureRefusal::TooShort)
    );
    assert_eq!(f.validate_set_feature(&p(V_IMM_UUID)[..16], s), Ok(()));
    assert_eq!(
        f.validate_set_feature(&p(UNKNOWN_UUID), s),
        Err(SetFeatureRefusal::UnknownFeature)
    );
    assert_eq!(
        f.validate_set_feature(&p(V_RO_UUID), s),
        Err(SetFeatureRefusal::NotChangeable)
    );
    assert_eq!(
        f.validate_set_feature(&p(V_RESET_UUID), Scope::DebugReadOnly),
        Err(SetFeatureRefusal::ScopeTooLow {
            needed: Scope::DebugWrite
        })
    );
    for why in [
        SetFeatureRefusal::TooShort,
        SetFeatureRefusal::UnknownFeature,
        SetFeatureRefusal::NotChangeable,
        SetFeatureRefusal::ReservedEffects,
        SetFeatureRefusal::Background,
        SetFeatureRefusal::NoEffects,
        SetFeatureRefusal::ScopeTooLow {
            needed: Scope::DebugWrite,
        },
    ] {
        assert_eq!(why.errno(), Errno::EINVAL);
    }
    // Through the RPC path all of them are EINVAL.
    for uuid in [UNKNOWN_UUID, V_RO_UUID] {
        assert_eq!(f.check_rpc(s, &sf(uuid, &[1]), 16), Err(Errno::EINVAL));
    }
    assert_eq!(
        f.check_rpc(s, &rpc(0x0502, &p(V_IMM_UUID)[..15]), 16),
        Err(Errno::EINVAL)
    );
}

#[test]
fn set_feature_needs_data() {
    let f = feats(&TABLE);
    let s = Scope::DebugWriteFull;
    let p = sf_payload(V_IMM_UUID, &[0xab, 0xcd]);
    // op_size 16..=32: the feature passes validation but there is no data.
    for op_size in 16..=32 {
        assert_eq!(
            f.check_rpc(s, &rpc(0x0502, &p[..op_size]), 16),
            Err(Errno::EINVAL),
            "{op_size}"
        );
    }
    match f.check_rpc(s, &rpc(0x0502, &p[..33]), 16).unwrap() {
        Op::SetFeature { data, .. } => assert_eq!(data, &[0xab]),
        op => panic!("{op:?}"),
    }
    match f.check_rpc(s, &rpc(0x0502, &p), 16).unwrap() {
        Op::SetFeature { data, .. } => assert_eq!(data, &[0xab, 0xcd]),
        op => panic!("{op:?}"),
    }
}

#[test]
fn set_feature_errno_order() {
    let f = feats(&QEMU);
    let s = Scope::DebugWriteFull;
    let p = sf_payload(CXL_FEAT_PATROL_SCRUB_UUID, &[1, 2]);
    // Exclusive but no data: the size check comes first.
    assert_eq!(
        f.check_rpc(s, &rpc(0x0502, &p[..32]), 16),
        Err(Errno::EINVAL)
    );
    // Exclusive with data: EPERM, even with a too small output buffer.
    assert_eq!(f.check_rpc(s, &rpc(0x0502, &p), 16), Err(Errno::EPERM));
    assert_eq!(f.check_rpc(s, &rpc(0x0502, &p), 0), Err(Errno::EPERM));
    // Exclusive at a too low scope: validation fails first, EINVAL.
    assert_eq!(
        f.check_rpc(Scope::DebugWrite, &rpc(0x0502, &p), 16),
        Err(Errno::EINVAL)
    );
    // An exclusive feature missing from the table is unknown: EINVAL.
    assert_eq!(
        f.check_rpc(s, &sf(CXL_FEAT_SPPR_UUID, &[1]), 16),
        Err(Errno::EINVAL)
    );
}

#[test]
fn set_feature_output_needs_the_header() {
    let f = feats(&TABLE);
    let req = sf(V_IMM_UUID, &[1]);
    for out_len in 0..8 {
        assert_eq!(
            f.check_rpc(Scope::DebugWriteFull, &req, out_len),
            Err(Errno::EINVAL),
            "{out_len}"
        );
    }
    assert!(f.check_rpc(Scope::DebugWriteFull, &req, 8).is_ok());
}

#[test]
fn set_feature_keeps_the_users_header() {
    let f = feats(&TABLE);
    let mut p = SetFeatInHdr {
        uuid: V_RESET_UUID,
        flags: 0x8000_0003,
        offset: 0x1234,
        version: 7,
        rsvd: [1; 9],
    }
    .to_bytes()
    .to_vec();
    p.extend([1, 2, 3]);
    match f
        .check_rpc(Scope::DebugWrite, &rpc(0x0502, &p), 16)
        .unwrap()
    {
        Op::SetFeature { hdr, data } => {
            assert_eq!(
                hdr,
                SetFeatInHdr {
                    uuid: V_RESET_UUID,
                    flags: 0x8000_0003,
                    offset: 0x1234,
                    version: 7,
                    rsvd: [1; 9]
                }
            );
            assert_eq!(data, &[1, 2, 3]);
        }
        op => panic!("{op:?}"),
    }
}

#[test]
fn set_feature_replies() {
    assert_eq!(
        set_feature_reply(0),
        Reply {
            hdr: RpcCxlOutHdr { size: 0, retval: 0 },
            out_len: 16
        }
    );
    assert_eq!(
        set_feature_reply(0x1c),
        Reply {
            hdr: RpcCxlOutHdr {
                size: 0,
                retval: 0x1c
            },
            out_len: 16
        }
    );
}

// ---------------------------------------------------------------------------
// Get Feature chunking
// ---------------------------------------------------------------------------

fn get_chunks(offset: u16, count: u16, payload: usize) -> Vec<Chunk> {
    let it = get_feature_chunks(offset, count, payload);
    let n = it.len();
    let v: Vec<Chunk> = it.collect();
    assert_eq!(v.len(), n, "size_hint");
    v
}

#[test]
fn get_feature_fits_one_command() {
    assert_eq!(
        get_chunks(0, 4, 256),
        [Chunk {
            pos: 0,
            len: 4,
            offset: 0
        }]
    );
    assert_eq!(
        get_chunks(3, 13, 256),
        [Chunk {
            pos: 0,
            len: 13,
            offset: 3
        }]
    );
    // Exactly the payload size: still one.
    assert_eq!(
        get_chunks(0, 256, 256),
        [Chunk {
            pos: 0,
            len: 256,
            offset: 0
        }]
    );
}

#[test]
fn get_feature_one_byte_over_takes_two_commands() {
    assert_eq!(
        get_chunks(10, 257, 256),
        [
            Chunk {
                pos: 0,
                len: 256,
                offset: 10
            },
            Chunk {
                pos: 256,
                len: 1,
                offset: 266
            }
        ]
    );
    assert_eq!(
        get_chunks(0, 512, 256),
        [
            Chunk {
                pos: 0,
                len: 256,
                offset: 0
            },
            Chunk {
                pos: 256,
                len: 256,
                offset: 256
            }
        ]
    );
}

#[test]
fn get_feature_nothing_to_read() {
    assert_eq!(get_chunks(0, 0, 256), []);
    assert_eq!(get_chunks(5, 100, 0), []);
}

#[test]
fn get_feature_offset_wraps_at_16_bits() {
    assert_eq!(
        get_chunks(0xfff0, 0x20, 0x10),
        [
            Chunk {
                pos: 0,
                len: 0x10,
                offset: 0xfff0
            },
            Chunk {
                pos: 0x10,
                len: 0x10,
                offset: 0x0000
            }
        ]
    );
}

#[test]
fn get_feature_chunks_cover_the_read() {
    for payload in [1, 7, 48, 256, 4096] {
        for count in (0..=600).chain([u16::MAX]) {
            let v = get_chunks(100, count, payload);
            assert_eq!(v.len(), (count as usize).div_ceil(payload));
            let mut pos = 0;
            for c in &v {
                assert_eq!(c.pos, pos);
                assert!(c.len >= 1 && c.len <= payload);
                assert_eq!(c.offset, (100 + pos) as u16);
                pos += c.len;
            }
            assert_eq!(pos, count as usize);
        }
    }
}

#[test]
fn get_feature_chunk_requests() {
    let req = GetFeatIn {
        uuid: CXL_FEAT_ECS_UUID,
        offset: 4,
        count: 300,
        selection: 2,
    };
    let v: Vec<GetFeatIn> = get_feature_chunks(req.offset, req.count, 256)
        .map(|c| req.for_chunk(&c))
        .collect();
    assert_eq!(
        v,
        [
            GetFeatIn {
                uuid: CXL_FEAT_ECS_UUID,
                offset: 4,
                count: 256,
                selection: 2
            },
            GetFeatIn {
                uuid: CXL_FEAT_ECS_UUID,
                offset: 260,
                count: 44,
                selection: 2
            },
        ]
    );
}

// ---------------------------------------------------------------------------
// Set Feature chunking
// ---------------------------------------------------------------------------

fn set_chunks(
    flags: u32,
    offset: u16,
    len: usize,
    payload: usize,
) -> Vec<(DataTransfer, usize, usize, u16)> {
    let it = set_feature_chunks(flags, offset, len, payload).unwrap();
    let n = it.len();
    let v: Vec<_> = it
        .map(|c| (c.mode, c.chunk.pos, c.chunk.len, c.chunk.offset))
        .collect();
    assert_eq!(v.len(), n, "size_hint");
    v
}

#[test]
fn set_feature_needs_room_for_10_data_bytes() {
    assert_eq!(set_feature_chunks(0, 0, 1, 0).err(), Some(Errno::ENOMEM));
    assert_eq!(set_feature_chunks(0, 0, 1, 32).err(), Some(Errno::ENOMEM));
    assert_eq!(set_feature_chunks(0, 0, 1, 41).err(), Some(Errno::ENOMEM));
    assert_eq!(set_chunks(0, 0, 10, 42), [(DataTransfer::Full, 0, 10, 0)]);
    assert_eq!(
        set_chunks(0, 0, 11, 42),
        [
            (DataTransfer::Initiate, 0, 10, 0),
            (DataTransfer::Finish, 10, 1, 10)
        ]
    );
}

#[test]
fn set_feature_full_transfer() {
    use DataTransfer::*;
    // QEMU's ECS: 7 bytes in one command.
    assert_eq!(set_chunks(0, 0, 7, 256), [(Full, 0, 7, 0)]);
    // Exactly header + data = payload.
    assert_eq!(set_chunks(0, 5, 224, 256), [(Full, 0, 224, 5)]);
    // No data at all: one empty Full command.
    assert_eq!(set_chunks(0, 0, 0, 256), [(Full, 0, 0, 0)]);
}

#[test]
fn set_feature_multi_command_transfers() {
    use DataTransfer::*;
    let room = 256 - 32;
    assert_eq!(
        set_chunks(0, 0, room + 1, 256),
        [(Initiate, 0, room, 0), (Finish, room, 1, room as u16)]
    );
    assert_eq!(
        set_chunks(0, 0, 2 * room, 256),
        [(Initiate, 0, room, 0), (Finish, room, room, room as u16)]
    );
    assert_eq!(
        set_chunks(0, 0, 2 * room + 1, 256),
        [
            (Initiate, 0, room, 0),
            (Continue, room, room, room as u16),
            (Finish, 2 * room, 1, 2 * room as u16)
        ]
    );
    assert_eq!(
        set_chunks(0, 0, 3 * room, 256),
        [
            (Initiate, 0, room, 0),
            (Continue, room, room, room as u16),
            (Finish, 2 * room, room, 2 * room as u16)
        ]
    );
}

#[test]
fn set_feature_chunks_cover_the_write() {
    for payload in [42, 43, 256, 1000] {
        let room = payload - 32;
        for len in 0..=700 {
            let v: Vec<SetChunk> = set_feature_chunks(0, 0xfff0, len, payload)
                .unwrap()
                .collect();
            let want = if len <= room { 1 } else { len.div_ceil(room) };
            assert_eq!(v.len(), want, "{payload} {len}");
            let mut pos = 0;
            for (i, c) in v.iter().enumerate() {
                assert_eq!(c.chunk.pos, pos);
                assert!(SET_FEAT_HDR_SIZE + c.chunk.len <= payload);
                assert_eq!(c.chunk.offset, 0xfff0u16.wrapping_add(pos as u16));
                let mode = match (v.len(), i) {
                    (1, _) => DataTransfer::Full,
                    (_, 0) => DataTransfer::Initiate,
                    (n, i) if i == n - 1 => DataTransfer::Finish,
                    _ => DataTransfer::Continue,
                };
                assert_eq!(c.mode, mode);
                assert_eq!(DataTransfer::from_flags(c.flags), Some(mode));
                if mode != DataTransfer::Finish && mode != DataTransfer::Full {
                    assert_eq!(c.chunk.len, room);
                }
                pos += c.chunk.len;
            }
            assert_eq!(pos, len);
        }
    }
}

#[test]
fn set_feature_always_saves_across_reset() {
    use DataTransfer::*;
    assert_eq!(set_feature_flags(0, Full), 0x8);
    assert_eq!(set_feature_flags(0, Finish), 0xb);
    // The user's transfer bits are replaced; other bits pass through.
    assert_eq!(set_feature_flags(0x7, Full), 0x8);
    assert_eq!(set_feature_flags(0x4, Continue), 0xa);
    assert_eq!(set_feature_flags(0x8, Initiate), 0x9);
    assert_eq!(set_feature_flags(0xffff_fff0, Full), 0xffff_fff8);
    assert_eq!(set_feature_flags(u32::MAX, Abort), 0xffff_fffc);
    let flags: Vec<u32> = set_feature_chunks(0x100 | 0x7, 0, 500, 256)
        .unwrap()
        .map(|c| c.flags)
        .collect();
    assert_eq!(flags, [0x109, 0x10a, 0x10b]);
}

#[test]
fn set_feature_chunk_headers() {
    let c: Vec<SetChunk> = set_feature_chunks(0, 0x10, 300, 256).unwrap().collect();
    assert_eq!(
        c[1].header(&V_IMM_UUID, 3),
        SetFeatInHdr {
            uuid: V_IMM_UUID,
            flags: 0xb,
            offset: 0x10 + 224,
            version: 3,
            rsvd: [0; 9]
        }
    );
    assert_eq!(
        c[0].header(&V_IMM_UUID, 3),
        SetFeatInHdr {
            uuid: V_IMM_UUID,
            flags: 0x9,
            offset: 0x10,
            version: 3,
            rsvd: [0; 9]
        }
    );
}

// ---------------------------------------------------------------------------
// Filling the cache
// ---------------------------------------------------------------------------

fn sup_reply(entries: &[FeatEntry], supported: u16) -> Vec<u8> {
    let mut v = GetSupFeatsOutHdr {
        num_entries: entries.len() as u16,
        supported_feats: supported,
        reserved: [0; 4],
    }
    .to_bytes()
    .to_vec();
    for e in entries {
        v.extend(e.to_bytes());
    }
    v
}

#[test]
fn fetch_count_request() {
    assert_eq!(SUP_FEATS_COUNT_REQUEST.to_bytes(), [8, 0, 0, 0, 0, 0, 0, 0]);
}

#[test]
fn fetch_refuses_empty_tables_and_tiny_mailboxes() {
    assert_eq!(SupFeatsFetch::new(0, 256), Err(Errno::ENOMEM));
    assert_eq!(SupFeatsFetch::new(2, 55), Err(Errno::ENOMEM));
    assert_eq!(SupFeatsFetch::new(2, 0), Err(Errno::ENOMEM));
    let mut f = SupFeatsFetch::new(2, 56).unwrap();
    assert_eq!(f.next_request().unwrap().1, 56);
}

#[test]
fn fetch_qemus_table_in_one_command() {
    let mut f = SupFeatsFetch::new(2, 256).unwrap();
    let (req, size_out) = f.next_request().unwrap();
    assert_eq!(
        req,
        GetSupFeatsIn {
            count: 104,
            start_idx: 0,
            reserved: [0; 2]
        }
    );
    assert_eq!(size_out, 104);
    assert_eq!(f.accept(&sup_reply(&QEMU, 2)), Ok(2));
    assert!(f.is_done());
    assert_eq!(f.fetched(), 2);
    assert_eq!(f.next_request(), None);
}

#[test]
fn fetch_in_several_commands_and_after_short_replies() {
    // 256-byte mailbox: (256 - 8) / 48 = 5 entries per command.
    let table: Vec<FeatEntry> = (0..12)
        .map(|i| entry([i as u8; 16], i, 4, 4, 1, 1))
        .collect();
    let mut f = SupFeatsFetch::new(12, 256).unwrap();
    let mut got = Vec::new();
    let mut starts = Vec::new();
    let mut first = true;
    while let Some((req, size_out)) = f.next_request() {
        let start = req.start_idx as usize;
        starts.push((start, req.count));
        assert_eq!(size_out, req.count as usize);
        let asked = (size_out - 8) / 48;
        // The device returns only 3 entries the first time.
        let n = if first { 3 } else { asked };
        first = false;
        assert_eq!(f.fetched(), start);
        assert_eq!(f.accept(&sup_reply(&table[start..start + n], 12)), Ok(n));
        let out = sup_reply(&table[start..start + n], 12);
        for k in 0..n {
            got.push(FeatEntry::from_bytes(&out[8 + 48 * k..]).unwrap());
        }
    }
    assert_eq!(starts, [(0, 248), (3, 248), (8, 200)]);
    assert_eq!(got, table);
}

#[test]
fn fetch_rejects_bad_replies() {
    let mut f = SupFeatsFetch::new(2, 256).unwrap();
    // Reply without a request.
    assert_eq!(f.accept(&sup_reply(&QEMU[..1], 2)), Err(Errno::ENOMEM));
    f.next_request().unwrap();
    assert_eq!(f.accept(&[]), Err(Errno::ENOMEM));
    assert_eq!(f.accept(&sup_reply(&[], 2)), Err(Errno::ENOMEM));
    let mut r = sup_reply(&QEMU, 2);
    assert_eq!(f.accept(&r[..r.len() - 1]), Err(Errno::ENOMEM));
    // num_entries disagrees with the length.
    r[0] = 1;
    assert_eq!(f.accept(&r), Err(Errno::ENOMEM));
    r[0] = 3;
    assert_eq!(f.accept(&r), Err(Errno::ENOMEM));
    // More entries than asked.
    let mut one = SupFeatsFetch::new(1, 256).unwrap();
    one.next_request().unwrap();
    assert_eq!(one.accept(&sup_reply(&QEMU, 2)), Err(Errno::ENOMEM));
    assert_eq!(f.fetched(), 0);
    assert_eq!(f.accept(&sup_reply(&QEMU, 2)), Ok(2));
}
