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
    let mut r = FwctlRpc {
        in_len: MAX_RPC_LEN,
        out_len: MAX_RPC_LEN,
        ..Default::default()
    };
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
fn wire_structs_decode_short_and_encode_back() {
    let rpc = FwctlRpc {
        size: 32,
        scope: 2,
        in_len: 3,
        out_len: 4,
        r#in: 5,
        out: 6,
    };
    let mut bytes = [0u8; 32];
    rpc.encode(&mut bytes);
    assert_eq!(FwctlRpc::decode(&bytes), rpc);
    assert_eq!(&bytes[16..24], &5u64.to_ne_bytes());
    // An older, shorter struct: the rest reads as zero.
    let short = FwctlRpc::decode(&bytes[..24]);
    assert_eq!(short.out, 0);
    assert_eq!(short.r#in, 5);
    // A cut inside a field keeps the bytes it has.
    assert_eq!(FwctlRpc::decode(&bytes[..9]).in_len, 3);
    let info = FwctlInfo {
        size: 24,
        flags: 1,
        out_device_type: 2,
        device_data_len: 3,
        out_device_data: 4,
    };
    let mut b = [0u8; 24];
    info.encode(&mut b);
    assert_eq!(FwctlInfo::decode(&b), info);
}

mod policy {
    use crate::policy::*;
    use crate::uapi::*;

    fn rpc(scope: u32, in_len: u32, out_len: u32) -> FwctlRpc {
        FwctlRpc {
            size: 32,
            scope,
            in_len,
            out_len,
            ..Default::default()
        }
    }

    #[test]
    fn max_scope_words_round_trip() {
        for m in [MaxScope::Disabled]
            .into_iter()
            .chain(Scope::ALL.iter().map(|s| MaxScope::Upto(*s)))
        {
            assert_eq!(MaxScope::parse(m.name().as_bytes()), Some(m));
            assert_eq!(MaxScope::decode(m.encode()), m);
        }
        assert_eq!(
            MaxScope::parse(b"debug_write\n"),
            Some(MaxScope::Upto(Scope::DebugWrite))
        );
        assert_eq!(MaxScope::parse(b"debug_write\n\n"), None);
        assert_eq!(MaxScope::parse(b"Debug_Write"), None);
        assert_eq!(MaxScope::parse(b""), None);
        assert_eq!(MaxScope::decode(99), MaxScope::Disabled);
    }

    #[test]
    fn ratchet_lowers_and_never_raises() {
        let r = Ratchet::new(MaxScope::DEFAULT);
        let id = |m| m;
        assert_eq!(r.lower(MaxScope::DEFAULT, id), Ok(()));
        assert_eq!(r.lower(MaxScope::Upto(Scope::DebugReadOnly), id), Ok(()));
        assert_eq!(r.get(), MaxScope::Upto(Scope::DebugReadOnly));
        assert_eq!(
            r.lower(MaxScope::Upto(Scope::DebugWrite), id),
            Err(Errno::EPERM)
        );
        assert_eq!(r.get(), MaxScope::Upto(Scope::DebugReadOnly));
        assert_eq!(r.lower(MaxScope::Disabled, id), Ok(()));
        assert_eq!(
            r.lower(MaxScope::Upto(Scope::Configuration), id),
            Err(Errno::EPERM)
        );
        // A ceiling (the global limit) lower than the stored value wins.
        let d = Ratchet::new(MaxScope::DEFAULT);
        let global = |m: MaxScope| m.min(MaxScope::Upto(Scope::Configuration));
        assert_eq!(
            d.lower(MaxScope::Upto(Scope::DebugWrite), global),
            Err(Errno::EPERM)
        );
        assert_eq!(
            d.lower(MaxScope::Upto(Scope::Configuration), global),
            Ok(())
        );
    }

    /// The scope matrix: scope x CAP_SYS_RAWIO x lockdown, default limit.
    #[test]
    fn scope_matrix_matches_upstream_plus_lockdown() {
        for scope in Scope::ALL {
            for cap in [false, true] {
                for locked in [false, true] {
                    let got = check_rpc(
                        &rpc(scope as u32, 16, 16),
                        MaxScope::DEFAULT,
                        || cap,
                        || locked,
                    );
                    let want = match scope {
                        Scope::DebugWriteFull if !cap => Err(Refusal::NoRawio),
                        Scope::DebugWriteFull if locked => Err(Refusal::Lockdown),
                        s => Ok(s),
                    };
                    assert_eq!(got, want, "{scope:?} cap={cap} locked={locked}");
                }
            }
        }
    }

    #[test]
    fn probes_run_only_for_write_full() {
        let got = check_rpc(
            &rpc(1, 0, 0),
            MaxScope::DEFAULT,
            || panic!("capable()"),
            || panic!("lockdown"),
        );
        assert_eq!(got, Ok(Scope::DebugReadOnly));
    }

    #[test]
    fn upstream_errnos_come_first() {
        // Too long beats a bad scope, which beats the policy.
        let r = check_rpc(
            &rpc(9, MAX_RPC_LEN + 1, 0),
            MaxScope::Disabled,
            || false,
            || true,
        );
        assert_eq!(r, Err(Refusal::TooLong));
        assert_eq!(Refusal::TooLong.errno(), Errno::EMSGSIZE);
        let r = check_rpc(&rpc(9, 0, 0), MaxScope::Disabled, || false, || true);
        assert_eq!(r, Err(Refusal::BadScope));
        assert_eq!(Refusal::BadScope.errno(), Errno::EOPNOTSUPP);
        let r = check_rpc(&rpc(3, 0, 0), MaxScope::Disabled, || false, || true);
        assert_eq!(r, Err(Refusal::NoRawio));
        assert_eq!(Refusal::NoRawio.errno(), Errno::EPERM);
    }

    #[test]
    fn limits_refuse_above_and_allow_at_or_below() {
        let lim = MaxScope::Upto(Scope::DebugReadOnly);
        assert_eq!(
            check_rpc(&rpc(0, 0, 0), lim, || true, || false),
            Ok(Scope::Configuration)
        );
        assert_eq!(
            check_rpc(&rpc(1, 0, 0), lim, || true, || false),
            Ok(Scope::DebugReadOnly)
        );
        assert_eq!(
            check_rpc(&rpc(2, 0, 0), lim, || true, || false),
            Err(Refusal::Policy)
        );
        assert_eq!(
            check_rpc(&rpc(0, 0, 0), MaxScope::Disabled, || true, || false),
            Err(Refusal::Policy)
        );
        assert_eq!(Refusal::Policy.errno(), Errno::EPERM);
    }

    #[test]
    fn counters_count_each_kind() {
        let s = Stats::new();
        s.accept(Scope::DebugWrite);
        s.accept(Scope::DebugWrite);
        s.refuse(Refusal::Lockdown);
        assert_eq!(s.accepted(Scope::DebugWrite), 2);
        assert_eq!(s.accepted(Scope::Configuration), 0);
        assert_eq!(s.refused(Refusal::Lockdown), 1);
        assert_eq!(s.refused(Refusal::Policy), 0);
        // A driver's failure is not a refusal: its own counter, per scope.
        s.fail(Scope::DebugWrite);
        assert_eq!(s.failed(Scope::DebugWrite), 1);
        assert_eq!(s.refused_all(), [0, 0, 0, 1, 0]);
    }

    fn line(values: &[u64]) -> String {
        let mut out = String::new();
        format_counters(values, &mut out).unwrap();
        out
    }

    #[test]
    fn counter_lines_are_space_separated_decimals_and_a_newline() {
        assert_eq!(line(&[0, 0, 0, 0]), "0 0 0 0\n");
        assert_eq!(line(&[118, 4, 0, 0]), "118 4 0 0\n");
        assert_eq!(line(&[7]), "7\n");
        assert_eq!(line(&[]), "\n");
        // The longest line still fits a sysfs page many times over.
        let max = line(&[u64::MAX; 6]);
        assert_eq!(
            max,
            "18446744073709551615 ".repeat(5) + "18446744073709551615\n"
        );
        assert!(max.len() < 4096);
    }

    #[test]
    fn counter_lines_follow_the_documented_field_order() {
        let s = Stats::new();
        for (i, scope) in Scope::ALL.iter().enumerate() {
            for _ in 0..=i {
                s.accept(*scope);
            }
        }
        s.refuse(Refusal::Lockdown);
        s.refuse(Refusal::Policy);
        s.refuse(Refusal::Policy);
        s.fail(Scope::Configuration);
        assert_eq!(s.accepted_all(), [1, 2, 3, 4]);
        assert_eq!(s.refused_all(), [0, 0, 0, 1, 2]);
        assert_eq!(s.failed_all(), [1, 0, 0, 0]);
        assert_eq!(line(&s.accepted_all()), "1 2 3 4\n");
        assert_eq!(line(&s.refused_all()), "0 0 0 1 2\n");
        assert_eq!(line(&s.failed_all()), "1 0 0 0\n");

        // Field i of each file is the counter of value i.
        for (i, scope) in Scope::ALL.iter().enumerate() {
            assert_eq!(*scope as usize, i);
            assert_eq!(ACCEPTED_FIELDS[i], scope.name());
        }
        for (i, why) in Refusal::ALL.iter().enumerate() {
            assert_eq!(*why as usize, i);
            assert_eq!(REFUSED_FIELDS[i], why.field_name());
        }
    }

    #[test]
    fn counter_files_are_the_documented_ones() {
        // The names and field orders the C selftests and the
        // documentation use; changing one is a uAPI change.
        assert_eq!(ACCEPTED_FILE, "rpcs_accepted");
        assert_eq!(REFUSED_FILE, "rpcs_refused");
        assert_eq!(FAILED_FILE, "rpcs_failed");
        assert_eq!(
            ACCEPTED_FIELDS,
            [
                "configuration",
                "debug_read_only",
                "debug_write",
                "debug_write_full"
            ]
        );
        assert_eq!(
            REFUSED_FIELDS,
            ["too_long", "bad_scope", "no_rawio", "lockdown", "policy"]
        );
    }

    #[test]
    fn log_gate_logs_once_per_process_and_rate_limits() {
        let mut g = LogGate::<4>::new();
        assert!(g.should_log(100, 0, 1000));
        assert!(!g.should_log(100, 1, 1000));
        assert!(g.should_log(101, 2, 1000));
        // A burst of new processes is cut at BURST per interval...
        let mut logged = 2;
        for pid in 200..230 {
            if g.should_log(pid, 3, 1000) {
                logged += 1;
            }
        }
        assert_eq!(logged, LogGate::<4>::BURST);
        // ...and resumes in the next interval.
        assert!(g.should_log(500, 1003, 1000));
    }
}
