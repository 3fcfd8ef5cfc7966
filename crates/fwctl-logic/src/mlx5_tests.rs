// SPDX-License-Identifier: GPL-2.0

//! Unit tests of `crates/fwctl-uapi/src/mlx5_cmds.rs`: the allow-list by
//! scope, the mailbox header and the user-context commands.

use crate::mlx5_cmds::{self as m, op, status, Class, InHdr, InfoMlx5, OutHdr, Refused};
use crate::uapi::{Errno, Scope};

const SCOPES: [Scope; 4] = [
    Scope::Configuration,
    Scope::DebugReadOnly,
    Scope::DebugWrite,
    Scope::DebugWriteFull,
];

/// A 16-byte request header for `opcode`/`op_mod`.
fn req(opcode: u16, op_mod: u16) -> [u8; 16] {
    let mut b = [0u8; 16];
    InHdr::new(opcode, op_mod).write(&mut b);
    b
}

fn allowed(opcode: u16, op_mod: u16, scope: Scope) -> bool {
    m::check_rpc(&req(opcode, op_mod), 16, scope).is_ok()
}

#[test]
fn table_is_sorted_and_unique() {
    // `class()` binary-searches the table.
    for w in m::ALLOWED.windows(2) {
        assert!(w[0].0 < w[1].0, "{:#x} before {:#x}", w[0].0, w[1].0);
    }
}

#[test]
fn table_has_upstreams_size_per_class() {
    let count = |c: Class| m::ALLOWED.iter().filter(|e| e.2 == c).count();
    assert_eq!(count(Class::Configuration), 11);
    assert_eq!(count(Class::DebugReadOnly), 80);
    assert_eq!(count(Class::DebugWrite), 1);
    assert_eq!(count(Class::AccessReg), 2);
    assert_eq!(m::ALLOWED.len(), 94);
}

#[test]
fn opcode_values_match_the_prm() {
    assert_eq!(op::QUERY_HCA_CAP, 0x100);
    assert_eq!(op::QUERY_ADAPTER, 0x101);
    assert_eq!(op::SET_HCA_CAP, 0x109);
    assert_eq!(op::NOP, 0x80d);
    assert_eq!(op::ACCESS_REG, 0x805);
    assert_eq!(op::SET_DIAGNOSTIC_PARAMS, 0x820);
    assert_eq!(op::QUERY_DIAGNOSTIC_COUNTERS, 0x821);
    assert_eq!(op::ACCESS_REGISTER_USER, 0xb0c);
    assert_eq!(op::QUERY_SCHED_QUEUE, 0x8006);
    assert_eq!(op::CREATE_UCTX, 0xa04);
    assert_eq!(op::DESTROY_UCTX, 0xa06);
}

#[test]
fn every_entry_is_forwarded_exactly_from_its_scope() {
    for &(opcode, name, class) in m::ALLOWED {
        let min = match class {
            Class::Configuration => Scope::Configuration,
            Class::DebugReadOnly => Scope::DebugReadOnly,
            Class::DebugWrite => Scope::DebugWrite,
            // Reads (any op_mod but 0) need DEBUG_READ_ONLY.
            Class::AccessReg => Scope::DebugReadOnly,
        };
        for s in SCOPES {
            assert_eq!(allowed(opcode, 1, s), s >= min, "{name} op_mod 1 at {s:?}");
        }
        assert_eq!(m::name(opcode), Some(name));
    }
}

#[test]
fn scope_boundaries_of_each_class() {
    // Configuration: every scope.
    for s in SCOPES {
        assert!(allowed(op::QUERY_HCA_CAP, 0, s));
        assert!(allowed(op::SET_HCA_CAP, 0, s));
    }
    // Debug reads.
    assert!(!allowed(op::NOP, 0, Scope::Configuration));
    assert!(allowed(op::NOP, 0, Scope::DebugReadOnly));
    assert!(!allowed(
        op::QUERY_DIAGNOSTIC_COUNTERS,
        0,
        Scope::Configuration
    ));
    assert!(allowed(
        op::QUERY_DIAGNOSTIC_COUNTERS,
        0,
        Scope::DebugReadOnly
    ));
    // The one debug write.
    assert!(!allowed(op::SET_DIAGNOSTIC_PARAMS, 0, Scope::DebugReadOnly));
    assert!(allowed(op::SET_DIAGNOSTIC_PARAMS, 0, Scope::DebugWrite));
    assert!(allowed(op::SET_DIAGNOSTIC_PARAMS, 0, Scope::DebugWriteFull));
}

#[test]
fn access_reg_writes_are_configuration_reads_are_debug() {
    for opcode in [op::ACCESS_REG, op::ACCESS_REGISTER_USER] {
        for s in SCOPES {
            assert!(allowed(opcode, 0, s), "write at {s:?}");
        }
        for op_mod in [1, 2, 0xffff] {
            assert!(!allowed(opcode, op_mod, Scope::Configuration));
            assert!(allowed(opcode, op_mod, Scope::DebugReadOnly));
        }
        assert_eq!(m::required_scope(opcode, 0), Some(Scope::Configuration));
        assert_eq!(m::required_scope(opcode, 1), Some(Scope::DebugReadOnly));
    }
}

#[test]
fn unknown_and_object_creating_commands_are_refused_everywhere() {
    // CREATE_MKEY, CREATE_QP, the uctx commands themselves, 0 and 0xffff.
    for opcode in [0x200, 0x500, op::CREATE_UCTX, op::DESTROY_UCTX, 0, 0xffff] {
        for s in SCOPES {
            let r = m::check_rpc(&req(opcode, 0), 16, s);
            assert_eq!(r, Err(Refused::Scope { opcode, op_mod: 0 }));
            assert_eq!(r.unwrap_err().errno(), Errno::EBADMSG);
        }
        assert_eq!(m::required_scope(opcode, 0), None);
    }
}

#[test]
fn short_buffers_are_emsgsize_before_any_scope_check() {
    let r = req(op::QUERY_HCA_CAP, 0);
    assert_eq!(
        m::check_rpc(&r[..15], 16, Scope::Configuration),
        Err(Refused::TooShort)
    );
    assert_eq!(
        m::check_rpc(&r, 15, Scope::Configuration),
        Err(Refused::TooShort)
    );
    assert_eq!(
        m::check_rpc(&[], 0, Scope::Configuration),
        Err(Refused::TooShort)
    );
    assert_eq!(Refused::TooShort.errno(), Errno::EMSGSIZE);
    // An unknown opcode in a short buffer is still EMSGSIZE, as upstream.
    assert_eq!(
        m::check_rpc(&req(0xffff, 0), 8, Scope::DebugWriteFull),
        Err(Refused::TooShort)
    );
    assert_eq!(
        m::check_rpc(&r, 16, Scope::Configuration),
        Ok(InHdr::new(op::QUERY_HCA_CAP, 0))
    );
}

#[test]
fn header_is_big_endian_at_the_prm_offsets() {
    let mut b = [0u8; 16];
    InHdr {
        opcode: 0x1234,
        uid: 0x5678,
        op_mod: 0x9abc,
    }
    .write(&mut b);
    assert_eq!(
        b,
        [0x12, 0x34, 0x56, 0x78, 0, 0, 0x9a, 0xbc, 0, 0, 0, 0, 0, 0, 0, 0]
    );
    let h = InHdr::parse(&b).unwrap();
    assert_eq!((h.opcode, h.uid, h.op_mod), (0x1234, 0x5678, 0x9abc));
    assert_eq!(InHdr::parse(&b[..15]), None);
}

#[test]
fn set_uid_overwrites_only_the_uid() {
    let mut b = [0xffu8; 32];
    assert!(m::set_uid(&mut b, 0x0102));
    assert_eq!(&b[..4], &[0xff, 0xff, 0x01, 0x02]);
    assert!(b[4..].iter().all(|&x| x == 0xff));
    let mut short = [0u8; 3];
    assert!(!m::set_uid(&mut short, 7));
    assert_eq!(short, [0; 3]);
}

#[test]
fn out_header() {
    let mut b = [0u8; 16];
    b[0] = status::BAD_PARAM_ERR;
    b[4..8].copy_from_slice(&0xdead_beefu32.to_be_bytes());
    assert_eq!(
        OutHdr::parse(&b),
        Some(OutHdr {
            status: 3,
            syndrome: 0xdead_beef
        })
    );
    assert_eq!(OutHdr::parse(&b[..8]), None);
    assert_eq!(status::name(status::BAD_PARAM_ERR), "BAD_PARAM_ERR");
    assert_eq!(status::name(status::BAD_INP_LEN_ERR), "BAD_INP_LEN_ERR");
    assert_eq!(status::name(0xee), "unknown status");
}

#[test]
fn user_context_commands() {
    let c = m::create_uctx_in(m::UCTX_CAP_TOOLS_RESOURCES);
    assert_eq!(c.len(), 64);
    assert_eq!(&c[..8], &[0x0a, 0x04, 0, 0, 0, 0, 0, 0]);
    assert_eq!(&c[16..20], &[0, 0, 0, 4]);
    assert!(c[20..].iter().all(|&x| x == 0));

    let mut out = [0u8; 16];
    out[10] = 0x12;
    out[11] = 0x34;
    assert_eq!(m::create_uctx_uid(&out), 0x1234);

    let d = m::destroy_uctx_in(0x0203);
    assert_eq!(
        d,
        [0x0a, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x03, 0, 0, 0, 0]
    );
}

#[test]
fn uctx_cap_comes_from_the_general_caps() {
    let mut caps = [0u8; 4096];
    assert_eq!(m::hca_cap_uctx_cap(&caps), 0);
    // uctx_cap is the big-endian dword at bit 0x6a0 (byte 212).
    caps[212..216].copy_from_slice(&0x0000_0005u32.to_be_bytes());
    assert_eq!(m::hca_cap_uctx_cap(&caps), 5);
    assert_eq!(m::uctx_caps_for(5), m::UCTX_CAP_TOOLS_RESOURCES);
    assert_eq!(m::uctx_caps_for(1), 0);
    assert_eq!(m::hca_cap_uctx_cap(&caps[..215]), 0);
}

#[test]
fn info_layout() {
    let i = InfoMlx5 {
        uid: 7,
        uctx_caps: 4,
    };
    let b = i.to_bytes();
    assert_eq!(b.len(), 8);
    assert_eq!(InfoMlx5::from_bytes(&b), i);
    assert_eq!(u32::from_ne_bytes(b[..4].try_into().unwrap()), 7);
    assert_eq!(
        InfoMlx5::from_bytes(&b[..4]),
        InfoMlx5 {
            uid: 7,
            uctx_caps: 0
        }
    );
}
