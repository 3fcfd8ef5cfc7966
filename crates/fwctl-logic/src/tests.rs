// SPDX-License-Identifier: GPL-2.0

//! Host tests of the shared logic.

use crate::uapi::*;

#[test]
fn ioctl_numbers_match_the_c_header() {
    // _IO(0x9A, 0) and _IO(0x9A, 1): no size or direction bits.
    assert_eq!(FWCTL_INFO, 0x9A00);
    assert_eq!(FWCTL_RPC, 0x9A01);
}

#[test]
fn unknown_ioctls_are_not_found() {
    assert!(lookup_ioctl(FWCTL_INFO).is_some());
    assert!(lookup_ioctl(FWCTL_RPC).is_some());
    // Right number, wrong type byte; next number; _IOR-encoded variant.
    assert!(lookup_ioctl(0x9B00).is_none());
    assert!(lookup_ioctl(0x9A02).is_none());
    assert!(lookup_ioctl(0x80089A00).is_none());
    assert!(lookup_ioctl(u32::MAX).is_none());
}

#[test]
fn struct_sizes_follow_the_extensible_rules() {
    let info = lookup_ioctl(FWCTL_INFO).unwrap();
    assert_eq!(info.min_size, 24);
    assert_eq!(user_struct_span(info, 23), Err(Errno::EINVAL));
    assert_eq!(user_struct_span(info, 0), Err(Errno::EINVAL));
    assert_eq!(user_struct_span(info, 24), Ok((24, 0)));
    assert_eq!(user_struct_span(info, 4096), Ok((24, 4072)));
    let rpc = lookup_ioctl(FWCTL_RPC).unwrap();
    assert_eq!(rpc.min_size, 32);
    assert_eq!(user_struct_span(rpc, 31), Err(Errno::EINVAL));
    assert_eq!(user_struct_span(rpc, 40), Ok((32, 8)));
}

#[test]
fn rpc_lengths_are_capped_at_2_mib() {
    let mut r = FwctlRpc { in_len: MAX_RPC_LEN, out_len: MAX_RPC_LEN, ..Default::default() };
    assert_eq!(check_rpc_lengths(&r), Ok(()));
    r.in_len += 1;
    assert_eq!(check_rpc_lengths(&r), Err(Errno::EMSGSIZE));
    r.in_len = 0;
    r.out_len = MAX_RPC_LEN + 1;
    assert_eq!(check_rpc_lengths(&r), Err(Errno::EMSGSIZE));
}

#[test]
fn scopes_round_trip_and_order() {
    for s in Scope::ALL {
        assert_eq!(Scope::from_u32(s as u32), Some(s));
    }
    assert_eq!(Scope::from_u32(4), None);
    assert!(Scope::Configuration < Scope::DebugWriteFull);
    assert!(!Scope::DebugReadOnly.taints());
    assert!(Scope::DebugWrite.taints());
}

#[test]
fn plain_structs_read_short_and_write_back() {
    let rpc = FwctlRpc { size: 32, scope: 2, in_len: 3, out_len: 4, r#in: 5, out: 6 };
    let bytes = plain_bytes(&rpc);
    assert_eq!(bytes.len(), 32);
    assert_eq!(read_plain::<FwctlRpc>(bytes), rpc);
    // An older, shorter struct: the rest reads as zero.
    let short: FwctlRpc = read_plain(&bytes[..24]);
    assert_eq!(short.out, 0);
    assert_eq!(short.r#in, 5);
}

