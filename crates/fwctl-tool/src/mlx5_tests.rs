// SPDX-License-Identifier: GPL-2.0 OR MIT

//! Host tests of the mlx5 commands: requests and answers built by hand,
//! byte by byte, and the field offsets checked against the kernel's
//! `include/linux/mlx5/mlx5_ifc.h` when its source is at hand.

use crate::device::Transport;
use crate::error::{Error, Op};
use crate::format::{caps_table, info_lines, mgir_lines};
use crate::mlx5::{self, Mlx5Commands};
use crate::sysfs::DeviceEntry;
use crate::uapi::{DeviceType, Scope};
use std::cell::RefCell;

// ---------------------------------------------------------------------------
// Bit fields and headers
// ---------------------------------------------------------------------------

#[test]
fn bit_fields() {
    let b = [0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0];
    assert_eq!(mlx5::get_bits(&b, 0, 16), 0x1234);
    assert_eq!(mlx5::get_bits(&b, 16, 16), 0x5678);
    assert_eq!(mlx5::get_bits(&b, 4, 8), 0x23);
    assert_eq!(mlx5::get_bits(&b, 28, 4), 0x8);
    assert_eq!(mlx5::get_bits(&b, 0, 1), 0);
    assert_eq!(mlx5::get_bits(&b, 3, 1), 1);
    assert_eq!(mlx5::get_bits(&b, 0, 32), 0x1234_5678);
    assert_eq!(mlx5::get_bits(&b, 32, 32), 0x9abc_def0);
    assert_eq!(mlx5::get_bits(&b, 0, 64), 0x1234_5678_9abc_def0);
    // Past the end: zero.
    assert_eq!(mlx5::get_bits(&b, 64, 32), 0);
    assert_eq!(mlx5::get_bits(&b[..5], 32, 16), 0x9a00);

    let mut w = [0u8; 8];
    mlx5::set_bits(&mut w, 4, 8, 0xab);
    assert_eq!(w, [0x0a, 0xb0, 0, 0, 0, 0, 0, 0]);
    mlx5::set_bits(&mut w, 31, 1, 1);
    assert_eq!(w[3], 0x01);
    mlx5::set_bits(&mut w, 4, 8, 0x1ff); // masked to the width
    assert_eq!(&w[..2], &[0x0f, 0xf0]);
    mlx5::set_bits(&mut w, 0, 64, 0x0102_0304_0506_0708);
    assert_eq!(w, [1, 2, 3, 4, 5, 6, 7, 8]);
    // Every width round-trips at every position of a word.
    for width in 1..=32 {
        for at in 0..=(32 - width) {
            let mut buf = [0xa5u8; 8];
            let v = 0x5a5a_5a5a_u64 & ((1u64 << width) - 1);
            mlx5::set_bits(&mut buf, 32 + at, width, v);
            assert_eq!(mlx5::get_bits(&buf, 32 + at, width), v, "{width}@{at}");
            assert_eq!(&buf[..4], &[0xa5; 4], "{width}@{at}: spilled");
        }
    }
}

#[test]
fn headers() {
    let h = mlx5::in_header(0x0805, 1);
    assert_eq!(h, [0x08, 0x05, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    let mut b = h;
    b[2] = 0x12;
    b[3] = 0x34;
    assert_eq!(
        mlx5::parse_in_header(&b),
        Some(mlx5::InHeader {
            opcode: 0x805,
            uid: 0x1234,
            op_mod: 1,
        })
    );
    assert_eq!(mlx5::parse_in_header(&b[..15]), None);

    let out = [3, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0, 0, 0, 0, 0];
    assert_eq!(
        mlx5::parse_out_header(&out),
        Some(mlx5::OutHeader {
            status: 3,
            syndrome: 0xdead_beef
        })
    );
    assert_eq!(mlx5::parse_out_header(&out[..8]), None);
}

/// The tool sends each command at the scope the driver's own rule
/// (crates/fwctl-uapi/src/mlx5_cmds.rs) requires, and names the statuses
/// it defines.
#[test]
fn agrees_with_the_driver() {
    use crate::mlx5_cmds::{self as d, status};
    assert_eq!(
        d::required_scope(mlx5::OP_QUERY_HCA_CAP, 1),
        Some(mlx5::CAPS_SCOPE)
    );
    assert_eq!(
        d::required_scope(mlx5::OP_ACCESS_REG, mlx5::ACCESS_REG_READ),
        Some(mlx5::REG_READ_SCOPE)
    );
    // What the tool builds passes the driver's checks at that scope, and
    // fails them one scope lower.
    let caps = mlx5::query_hca_cap_request(0, true);
    assert!(d::check_rpc(&caps, mlx5::QUERY_HCA_CAP_OUT_SIZE, mlx5::CAPS_SCOPE).is_ok());
    let reg = mlx5::access_reg_read_request(0x9020, 0, &[], 0xa0);
    assert!(d::check_rpc(&reg, reg.len(), mlx5::REG_READ_SCOPE).is_ok());
    assert!(d::check_rpc(&reg, reg.len(), Scope::Configuration).is_err());
    for (v, name) in [
        (status::OK, "OK"),
        (status::INT_ERR, "INT_ERR"),
        (status::BAD_OP_ERR, "BAD_OP_ERR"),
        (status::BAD_PARAM_ERR, "BAD_PARAM_ERR"),
        (status::BAD_SYS_STATE_ERR, "BAD_SYS_STATE_ERR"),
        (status::BAD_RES_ERR, "BAD_RES_ERR"),
        (status::RES_BUSY, "RES_BUSY"),
        (status::NOT_READY_ERR, "NOT_READY"),
        (status::LIM_ERR, "LIM_ERR"),
        (status::BAD_RES_STATE_ERR, "BAD_RES_STATE_ERR"),
        (status::IX_ERR, "IX_ERR"),
        (status::NO_RES_ERR, "NO_RES_ERR"),
        (status::BAD_INP_LEN_ERR, "BAD_INP_LEN_ERR"),
        (status::BAD_OUTP_LEN_ERR, "BAD_OUTP_LEN_ERR"),
        (status::BAD_QP_STATE_ERR, "BAD_QP_STATE_ERR"),
        (status::BAD_PKT_ERR, "BAD_PKT_ERR"),
        (status::BAD_SIZE_OUTS_CQES_ERR, "BAD_SIZE_OUTS_CQES_ERR"),
    ] {
        assert!(mlx5::status_name(v).starts_with(name), "{v:#x}");
    }
}

#[test]
fn status_checks() {
    let mut out = vec![0u8; 32];
    assert!(mlx5::check_answer("fwctl1", "X", &out, 32).is_ok());
    // Short of what the command returns: malformed.
    let e = mlx5::check_answer("fwctl1", "X", &out, 64).unwrap_err();
    assert_eq!(e.to_string(), "fwctl1: X: answer of 32 bytes, 64 expected");
    let e = mlx5::check_answer("fwctl1", "X", &out[..4], 16).unwrap_err();
    assert!(matches!(e, Error::Device { .. }), "{e:?}");
    // A failed status wins over the length: it is what the firmware said.
    out[0] = 0x03;
    out[4..8].copy_from_slice(&0x0012_3456u32.to_be_bytes());
    let e = mlx5::check_answer("fwctl1", "QUERY_HCA_CAP", &out, 4112).unwrap_err();
    assert_eq!(
        e.to_string(),
        "fwctl1: QUERY_HCA_CAP failed in the firmware: mlx5 command status 0x3 \
         (BAD_PARAM_ERR: bad parameter), syndrome 0x00123456"
    );
    match e {
        Error::Firmware {
            status,
            syndrome,
            ref device,
            ..
        } => {
            assert_eq!((status, syndrome), (3, Some(0x123456)));
            assert_eq!(device, "fwctl1");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(mlx5::status_name(0x02), "BAD_OP_ERR: bad operation");
    assert_eq!(mlx5::status_name(0x50), "BAD_INP_LEN_ERR: bad input length");
    assert_eq!(
        mlx5::status_name(0x51),
        "BAD_OUTP_LEN_ERR: bad output length"
    );
    assert_eq!(mlx5::status_name(0x77), "unknown status");
}

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

#[test]
fn query_hca_cap_requests() {
    let r = mlx5::query_hca_cap_request(mlx5::CAP_GENERAL_DEVICE, true);
    assert_eq!(
        r,
        [0x01, 0x00, 0, 0, 0, 0, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0]
    );
    let r = mlx5::query_hca_cap_request(mlx5::CAP_GENERAL_DEVICE, false);
    assert_eq!(&r[6..8], &[0, 0]);
    // Capability type 0x20 (general 2), current: op_mod 0x41.
    let r = mlx5::query_hca_cap_request(0x20, true);
    assert_eq!(&r[6..8], &[0x00, 0x41]);
    assert_eq!(mlx5::QUERY_HCA_CAP_OUT_SIZE, 16 + 4096);
}

#[test]
fn access_reg_requests() {
    let r = mlx5::access_reg_read_request(0x9020, 0, &[], 0x9c);
    assert_eq!(r.len(), 16 + 0x9c);
    assert_eq!(
        &r[..16],
        &[0x08, 0x05, 0, 0, 0, 0, 0, 0x01, 0, 0, 0x90, 0x20, 0, 0, 0, 0]
    );
    assert!(r[16..].iter().all(|&b| b == 0));
    let r = mlx5::access_reg_read_request(0x900a, 0x0102_0304, &[0, 0, 0, 7], 0x20);
    assert_eq!(&r[10..16], &[0x90, 0x0a, 1, 2, 3, 4]);
    assert_eq!(&r[16..20], &[0, 0, 0, 7]);
    assert_eq!(r.len(), 16 + 0x20);
    // More data than the length: all of it goes.
    assert_eq!(mlx5::access_reg_read_request(1, 0, &[1; 8], 4).len(), 24);
}

#[test]
fn registers() {
    let m = Some(mlx5::MGIR);
    assert_eq!(mlx5::parse_register("MGIR"), Ok((0x9020, m)));
    assert_eq!(mlx5::parse_register(" mgir "), Ok((0x9020, m)));
    assert_eq!(mlx5::parse_register("0x9020"), Ok((0x9020, m)));
    assert_eq!(mlx5::parse_register("36896"), Ok((0x9020, m)));
    assert_eq!(mlx5::parse_register("0x1234"), Ok((0x1234, None)));
    let e = mlx5::parse_register("nope").unwrap_err();
    assert!(e.contains("MGIR, PAOS"), "{e}");
    assert!(mlx5::parse_register("0x10000").is_err());
    assert!(mlx5::parse_register("").is_err());
    // Names and ids are unique, lengths whole words.
    for (i, a) in mlx5::REGISTERS.iter().enumerate() {
        assert_eq!(a.len % 4, 0, "{}", a.name);
        for b in &mlx5::REGISTERS[i + 1..] {
            assert_ne!(a.id, b.id);
            assert_ne!(a.name, b.name);
        }
    }
}

// ---------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------

/// A capability page with a few fields written byte by byte, at the
/// offsets worked out by hand from `mlx5_ifc.h`.
fn cap_page() -> Vec<u8> {
    let mut p = vec![0u8; mlx5::CAP_SIZE];
    p[6..8].copy_from_slice(&5u16.to_be_bytes()); // vhca_id: bits 0x30..0x40
    p[19] = 17; // log_max_qp: bits 0x9b..0xa0, the low 5 bits of byte 19
    p[54] = 0x01; // port_type: bits 0x1b6..0x1b8, bits 1:0 of byte 54
    p[55] = 2; // num_ports: bits 0x1b8..0x1c0, byte 55
    p[128..136].copy_from_slice(&0x0000_0001_0000_0002u64.to_be_bytes()); // general_obj_types
    p[156..160].copy_from_slice(&156_250u32.to_be_bytes()); // device_frequency_khz
    p[212..216].copy_from_slice(&4u32.to_be_bytes()); // uctx_cap
    p[0x21d / 8] |= 0x80 >> (0x21d % 8); // roce
    p
}

fn find<'a>(caps: &'a [mlx5::Cap], name: &str) -> &'a mlx5::Cap {
    caps.iter().find(|c| c.name == name).unwrap()
}

#[test]
fn general_caps_decoding() {
    let caps = mlx5::decode_general_caps(&cap_page());
    assert_eq!(caps.len(), mlx5::GENERAL_CAPS.len());
    let v = |n: &str| find(&caps, n).value;
    assert_eq!(v("vhca_id"), 5);
    assert_eq!(v("log_max_qp"), 17);
    assert_eq!(find(&caps, "log_max_qp").text, "2^17 = 131072");
    assert_eq!(v("port_type"), 1);
    assert_eq!(find(&caps, "port_type").text, "Ethernet");
    assert_eq!(v("num_ports"), 2);
    assert_eq!(v("general_obj_types"), 0x1_0000_0002);
    assert_eq!(find(&caps, "general_obj_types").text, "0x100000002");
    assert_eq!(v("device_frequency_khz"), 156_250);
    assert_eq!(v("uctx_cap"), 4);
    assert_eq!(find(&caps, "roce").text, "yes");
    assert_eq!(find(&caps, "atomic").text, "no");
    // Every other field reads 0: nothing leaks between neighbours.
    let set = [
        "vhca_id",
        "log_max_qp",
        "port_type",
        "num_ports",
        "general_obj_types",
        "device_frequency_khz",
        "uctx_cap",
        "roce",
    ];
    for c in &caps {
        if !set.contains(&c.name) {
            assert_eq!(c.value, 0, "{}", c.name);
        }
    }
    assert_eq!(mlx5::show_value(mlx5::Show::PortType, 0), "InfiniBand");
    assert_eq!(mlx5::show_value(mlx5::Show::PortType, 3), "unknown (3)");
    assert_eq!(mlx5::show_value(mlx5::Show::Log2, 0), "2^0 = 1");
    assert_eq!(mlx5::show_value(mlx5::Show::Log2, 70), "2^70");
}

#[test]
fn general_caps_table_is_sane() {
    let mut end = 0;
    for f in mlx5::GENERAL_CAPS {
        assert!(f.bit >= end, "{} overlaps the field before it", f.name);
        assert!(
            (1..=32).contains(&f.width) && f.bit % 32 + f.width <= 32
                || f.width == 64 && f.bit % 64 == 0,
            "{}: not within one word",
            f.name
        );
        end = f.bit + f.width;
        assert!(!f.what.is_empty());
    }
    assert!(end <= mlx5::CAP_SIZE * 8);
}

/// MGIR register data written byte by byte, as the simulator's firmware
/// fills it (tools/testing/mlx5_sim).
fn mgir_data(extended: bool) -> Vec<u8> {
    let mut d = vec![0u8; 0xa0];
    d[0..4].copy_from_slice(&[0x00, 0x01, 0x10, 0x21]); // hw revision 1, device 0x1021
    d[4..6].copy_from_slice(&[0x00, 0x02]); // num_ports 2 (12 bits from bit 0x24)
    d[10..12].copy_from_slice(&[0x02, 0x18]); // hw_dev_id 0x218
    d[18..24].copy_from_slice(&[0x02, 0x00, 0x5e, 0x00, 0x00, 0x10]); // base MAC
    d[0x20..0x24].copy_from_slice(&[0x02, 28, 41, 0xe8]); // signed; 28.41.232
    d[0x24..0x28].copy_from_slice(&0x5100u32.to_be_bytes());
    d[0x28..0x2c].copy_from_slice(&[0x06, 0x01, 0x20, 0x25]); // June 1st, 2025
    d[0x2c..0x30].copy_from_slice(&[0, 0, 0x12, 0x00]); // 12:00
    d[0x30..0x3e].copy_from_slice(b"FWCTL_SIM_0001");
    d[0x40..0x44].copy_from_slice(&3u32.to_be_bytes());
    if extended {
        d[0x44..0x48].copy_from_slice(&28u32.to_be_bytes());
        d[0x48..0x4c].copy_from_slice(&41u32.to_be_bytes());
        d[0x4c..0x50].copy_from_slice(&1000u32.to_be_bytes());
    }
    d[0x80..0x89].copy_from_slice(b"rel-28_41");
    d
}

#[test]
fn mgir_decoding() {
    let m = mlx5::decode_mgir(&mgir_data(true));
    assert_eq!(
        m,
        mlx5::Mgir {
            device_id: 0x1021,
            hw_revision: 1,
            hw_dev_id: 0x218,
            num_ports: 2,
            base_mac: Some("02:00:5e:00:00:10".into()),
            fw_version: "28.41.1000".into(),
            fw_build_id: 0x5100,
            fw_date: Some("2025-06-01".into()),
            fw_time: Some("12:00".into()),
            psid: "FWCTL_SIM_0001".into(),
            ini_file_version: 3,
            fw_signed: true,
            fw_debug: false,
            dev_branch_tag: "rel-28_41".into(),
        }
    );
    // Without the extended version: the 8-bit fields.
    let m = mlx5::decode_mgir(&mgir_data(false));
    assert_eq!(m.fw_version, "28.41.232");
    // Nothing set: zeros, no date, empty strings.
    let m = mlx5::decode_mgir(&[0u8; 0xa0]);
    assert_eq!(m.fw_version, "0.0.0");
    assert_eq!((m.fw_date, m.fw_time, m.base_mac), (None, None, None));
    assert_eq!(m.psid, "");
    assert!(!m.fw_signed);
    // A short answer decodes what it has.
    let m = mlx5::decode_mgir(&mgir_data(true)[..0x38]);
    assert_eq!(m.psid, "FWCTL_SI");
    assert_eq!(m.fw_version, "28.41.232");
    // Unprintable bytes do not reach the terminal.
    let mut d = mgir_data(true);
    d[0x30] = 0x1b;
    assert_eq!(mlx5::decode_mgir(&d).psid, ".WCTL_SIM_0001");

    let text = mgir_lines(&mlx5::decode_mgir(&mgir_data(true)));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "device id:          0x1021");
    assert_eq!(lines[4], "base MAC:           02:00:5e:00:00:10");
    assert_eq!(lines[5], "firmware version:   28.41.1000");
    assert_eq!(lines[7], "firmware date:      2025-06-01 12:00");
    assert_eq!(lines[8], "firmware:           signed");
    assert_eq!(lines[9], "PSID:               FWCTL_SIM_0001");
    let j = serde_json::to_value(mlx5::decode_mgir(&mgir_data(true))).unwrap();
    assert_eq!(j["psid"], "FWCTL_SIM_0001");
    assert_eq!(j["fw_version"], "28.41.1000");
    assert_eq!(j["fw_date"], "2025-06-01");
}

#[test]
fn info_data() {
    let mut b = Vec::new();
    b.extend(7u32.to_ne_bytes());
    b.extend(5u32.to_ne_bytes());
    let i = mlx5::InfoMlx5::from_bytes(&b).unwrap();
    assert_eq!((i.uid, i.uctx_caps), (7, 5));
    assert_eq!(i.cap_names(), ["raw-tx", "tools-resources"]);
    assert_eq!(mlx5::InfoMlx5::from_bytes(&b[..7]), None);

    let e = DeviceEntry {
        name: "fwctl1".into(),
        number: 1,
        device_type: "mlx5".into(),
        parent: Some("mlx5_sim.0".into()),
        driver: Some("mlx5_sim".into()),
        bus_address: None,
        max_scope: Some("debug_write_full".into()),
    };
    let t = info_lines(&e, 1, &b, Some(&i));
    assert_eq!(
        t,
        "device:       fwctl1\n\
         type:         mlx5 (1)\n\
         parent:       mlx5_sim.0\n\
         driver:       mlx5_sim\n\
         bus address:  -\n\
         max_scope:    debug_write_full\n\
         firmware uid: 7\n\
         uid caps:     0x5 (raw-tx, tools-resources)\n"
    );
    let t = info_lines(&e, 2, &[], None);
    assert!(t.contains("type:        cxl (2)\n"), "{t}");
    assert!(t.ends_with("driver data: none\n"), "{t}");
}

#[test]
fn caps_table_format() {
    let caps = mlx5::decode_general_caps(&cap_page());
    let t = caps_table(&caps);
    let lines: Vec<&str> = t.lines().collect();
    assert!(lines[0].starts_with("FIELD "), "{t}");
    assert!(lines[0].contains(" VALUE ") && lines[0].ends_with("MEANING"));
    let qp = lines.iter().find(|l| l.starts_with("log_max_qp ")).unwrap();
    assert!(qp.contains(" 2^17 = 131072 "), "{qp}");
    assert!(qp.ends_with("queue pairs"), "{qp}");
    assert_eq!(lines.len(), caps.len() + 1);
}

// ---------------------------------------------------------------------------
// The commands against a fake device
// ---------------------------------------------------------------------------

/// A fake mlx5 device: checks the request like the driver (header length,
/// scope per command), answers like the firmware.
struct FakeMlx5 {
    max_scope: Scope,
    page: Vec<u8>,
    mgir: Vec<u8>,
    /// (scope, request) of each RPC.
    seen: RefCell<Vec<(Scope, Vec<u8>)>>,
    /// Answer this many bytes at most (a driver that cuts the answer).
    answer_len: Option<usize>,
}

impl FakeMlx5 {
    fn new(max_scope: Scope) -> Self {
        FakeMlx5 {
            max_scope,
            page: cap_page(),
            mgir: mgir_data(true),
            seen: RefCell::new(Vec::new()),
            answer_len: None,
        }
    }
}

impl Transport for FakeMlx5 {
    fn name(&self) -> &str {
        "fwctl3"
    }

    fn rpc(&self, scope: Scope, input: &[u8], out: &mut [u8]) -> crate::Result<usize> {
        let fail =
            |e| Err(Error::os("fwctl3", Op::Rpc, e).with_device_type(Some(DeviceType::Mlx5)));
        if scope > self.max_scope {
            return fail(libc::EPERM);
        }
        self.seen.borrow_mut().push((scope, input.to_vec()));
        let Some(h) = mlx5::parse_in_header(input) else {
            return fail(libc::EMSGSIZE);
        };
        if out.len() < mlx5::MBOX_HDR_SIZE {
            return fail(libc::EMSGSIZE);
        }
        let mut answer = vec![0u8; out.len()];
        match (h.opcode, h.op_mod) {
            (mlx5::OP_QUERY_HCA_CAP, 1) => {
                let n = self.page.len().min(answer.len() - 16);
                answer[16..16 + n].copy_from_slice(&self.page[..n]);
            }
            (mlx5::OP_QUERY_HCA_CAP, _) => {
                answer[0] = 0x03; // only current values here
                answer[4..8].copy_from_slice(&0x0abc_def0u32.to_be_bytes());
            }
            (mlx5::OP_ACCESS_REG, 1) if scope >= Scope::DebugReadOnly => {
                let id = u16::from_be_bytes([input[10], input[11]]);
                if id == 0x9020 {
                    let n = self.mgir.len().min(answer.len() - 16);
                    answer[16..16 + n].copy_from_slice(&self.mgir[..n]);
                } else {
                    answer[0] = 0x03;
                    answer[4..8].copy_from_slice(&0x0011_2233u32.to_be_bytes());
                }
            }
            _ => return fail(libc::EBADMSG),
        }
        let n = self.answer_len.unwrap_or(answer.len()).min(answer.len());
        out[..n].copy_from_slice(&answer[..n]);
        Ok(n)
    }
}

#[test]
fn caps_command() {
    let d = FakeMlx5::new(Scope::Configuration);
    let caps = d.mlx5_general_caps(true).unwrap();
    assert_eq!(find(&caps, "log_max_qp").value, 17);
    let seen = d.seen.borrow();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].0, Scope::Configuration);
    assert_eq!(seen[0].1, mlx5::query_hca_cap_request(0, true));
    drop(seen);
    // The firmware's refusal, as the firmware said it.
    let e = d.mlx5_general_caps(false).unwrap_err();
    assert_eq!(
        e.to_string(),
        "fwctl3: QUERY_HCA_CAP failed in the firmware: mlx5 command status 0x3 \
         (BAD_PARAM_ERR: bad parameter), syndrome 0x0abcdef0"
    );
    // An answer cut short by the driver is malformed, not zeros.
    let mut d = FakeMlx5::new(Scope::Configuration);
    d.answer_len = Some(100);
    let e = d.mlx5_general_caps(true).unwrap_err();
    assert_eq!(
        e.to_string(),
        "fwctl3: QUERY_HCA_CAP: answer of 100 bytes, 4112 expected"
    );
}

#[test]
fn register_command() {
    let d = FakeMlx5::new(Scope::DebugReadOnly);
    let data = d.mlx5_read_register(0x9020, 0, &[], 0xa0).unwrap();
    assert_eq!(data, mgir_data(true));
    assert_eq!(mlx5::decode_mgir(&data).psid, "FWCTL_SIM_0001");
    let seen = d.seen.borrow();
    assert_eq!(seen[0].0, Scope::DebugReadOnly);
    assert_eq!(
        seen[0].1,
        mlx5::access_reg_read_request(0x9020, 0, &[], 0xa0)
    );
    drop(seen);
    let e = d.mlx5_read_register(0x9999, 0, &[], 16).unwrap_err();
    assert_eq!(
        e.to_string(),
        "fwctl3: ACCESS_REG read of register 0x9999 failed in the firmware: mlx5 command \
         status 0x3 (BAD_PARAM_ERR: bad parameter), syndrome 0x00112233"
    );
    let e = d.mlx5_read_register(0x900a, 0, &[], 16).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("fwctl3: ACCESS_REG read of MTMP (0x900a) failed in the firmware"),
        "{e}"
    );
    // max_scope configuration: the core refuses the read, EPERM.
    let d = FakeMlx5::new(Scope::Configuration);
    let e = d.mlx5_read_register(0x9020, 0, &[], 0xa0).unwrap_err();
    assert_eq!(e.errno(), Some(libc::EPERM));
    let msg = e.to_string();
    assert!(
        msg.starts_with("fwctl3: FWCTL_RPC failed: EPERM ("),
        "{msg}"
    );
    assert!(msg.contains("max_scope"), "{msg}");
}

#[test]
fn mlx5_errno_meanings() {
    use crate::error::errno_meaning;
    let m = Some(DeviceType::Mlx5);
    assert!(errno_meaning(Op::Rpc, libc::EBADMSG, m).contains("does not allow this command"));
    assert!(errno_meaning(Op::Rpc, libc::EMSGSIZE, m).contains("16-byte"));
    assert!(errno_meaning(Op::Rpc, libc::ETIMEDOUT, m).contains("firmware"));
    assert!(errno_meaning(Op::Open, libc::EREMOTEIO, m).contains("CREATE_UCTX"));
    // The core's own meaning where the driver adds none.
    assert_eq!(
        errno_meaning(Op::Rpc, libc::EPERM, m),
        errno_meaning(Op::Rpc, libc::EPERM, None)
    );
    let c = Some(DeviceType::Cxl);
    assert!(errno_meaning(Op::Rpc, libc::EINVAL, c).contains("Set Feature"));
    assert!(errno_meaning(Op::Rpc, libc::EPERM, c).contains("reserved to the kernel"));
    assert!(!errno_meaning(Op::Rpc, libc::EINVAL, None).contains("CXL"));
}

// ---------------------------------------------------------------------------
// The offsets against the kernel's mlx5_ifc.h
// ---------------------------------------------------------------------------

/// The kernel source of the project's cache, if present.
fn kernel_source() -> Option<std::path::PathBuf> {
    let p = match std::env::var_os("FWCTL_KSRC") {
        Some(p) => std::path::PathBuf::from(p),
        None => {
            let cache = std::env::var_os("FWCTL_CACHE")
                .map(std::path::PathBuf::from)
                .or_else(|| {
                    std::env::var_os("HOME")
                        .map(|h| std::path::PathBuf::from(h).join(".cache/fwctl-rs"))
                })?;
            cache.join("src/linux-source-7.3")
        }
    };
    p.join("include/linux/mlx5/mlx5_ifc.h")
        .is_file()
        .then_some(p)
}

/// The (bit offset, width) of each `u8 name[0xN];` field of `struct
/// mlx5_ifc_<name>_bits`, which must hold only such fields.
fn ifc_fields(src: &str, name: &str) -> Vec<(String, usize, usize)> {
    let start = format!("struct mlx5_ifc_{name}_bits {{");
    let body = &src[src.find(&start).unwrap_or_else(|| panic!("no {name}")) + start.len()..];
    let body = &body[..body.find("\n};").unwrap()];
    let mut at = 0;
    let mut v = Vec::new();
    for line in body.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let rest = line
            .strip_prefix("u8")
            .unwrap_or_else(|| panic!("{name}: unexpected line '{line}'"))
            .trim();
        let (field, w) = rest.split_once('[').unwrap();
        // A flexible array (`data[][0x20]`) ends the layout: width 0.
        let width = if w.starts_with(']') {
            0
        } else {
            let w = w.trim_end_matches("];");
            usize::from_str_radix(w.trim_start_matches("0x"), 16).unwrap()
        };
        v.push((field.trim().to_string(), at, width));
        at += width;
    }
    v
}

#[test]
#[ignore = "needs the kernel source (FWCTL_KSRC, else the cache's linux-source-7.3); \
            make check provides it and runs this with --include-ignored"]
fn offsets_match_mlx5_ifc_h() {
    let k = kernel_source().expect(
        "no kernel source to check mlx5_ifc.h against: set FWCTL_KSRC (make setup fetches it)",
    );
    let src = std::fs::read_to_string(k.join("include/linux/mlx5/mlx5_ifc.h")).unwrap();
    let field = |s: &str, f: &str| {
        ifc_fields(&src, s)
            .into_iter()
            .find(|x| x.0 == f)
            .map(|x| (x.1, x.2))
            .unwrap_or_else(|| panic!("{s}.{f} not found"))
    };
    let caps = ifc_fields(&src, "cmd_hca_cap");
    assert_eq!(caps.iter().map(|f| f.2).sum::<usize>(), 0x800);
    for f in mlx5::GENERAL_CAPS {
        let got = caps
            .iter()
            .find(|c| c.0 == f.name)
            .unwrap_or_else(|| panic!("{} is not in cmd_hca_cap", f.name));
        assert_eq!((got.1, got.2), (f.bit, f.width), "{}", f.name);
    }
    // The mailbox headers, as upstream's fwctl driver declares them.
    let drv = std::fs::read_to_string(k.join("drivers/fwctl/mlx5/main.c")).unwrap();
    let hdr = |s: &str, f: &str| {
        ifc_fields(&drv, s)
            .into_iter()
            .find(|x| x.0 == f)
            .map(|x| (x.1, x.2))
            .unwrap_or_else(|| panic!("{s}.{f} not found"))
    };
    assert_eq!(hdr("mbox_in_hdr", "opcode"), (0, 16));
    assert_eq!(hdr("mbox_in_hdr", "uid"), (0x10, 16));
    assert_eq!(hdr("mbox_in_hdr", "op_mod"), (0x30, 16));
    assert_eq!(hdr("mbox_out_hdr", "status"), (0, 8));
    assert_eq!(hdr("mbox_out_hdr", "syndrome"), (0x20, 32));
    for s in ["mbox_in_hdr", "mbox_out_hdr"] {
        let bits: usize = ifc_fields(&drv, s).iter().map(|f| f.2).sum();
        assert_eq!(bits, mlx5::MBOX_HDR_SIZE * 8, "{s}");
    }
    // The two commands.
    assert_eq!(field("query_hca_cap_in", "opcode"), (0, 16));
    assert_eq!(field("query_hca_cap_in", "op_mod"), (0x30, 16));
    assert_eq!(
        ifc_fields(&src, "query_hca_cap_in")
            .iter()
            .map(|f| f.2)
            .sum::<usize>(),
        mlx5::MBOX_HDR_SIZE * 8
    );
    assert_eq!(field("access_register_in", "op_mod"), (0x30, 16));
    assert_eq!(field("access_register_in", "register_id"), (0x50, 16));
    assert_eq!(field("access_register_in", "argument"), (0x60, 32));
    assert_eq!(
        field("access_register_in", "register_data").0,
        mlx5::REG_DATA_OFFSET * 8
    );
    assert_eq!(
        field("access_register_out", "register_data").0,
        mlx5::REG_DATA_OFFSET * 8
    );
    assert_eq!(field("access_register_out", "syndrome"), (0x20, 32));
    assert!(src.contains("MLX5_CMD_OP_QUERY_HCA_CAP                 = 0x100,"));
    assert!(src.contains("MLX5_CMD_OP_ACCESS_REG                    = 0x805,"));
    assert!(src.contains("MLX5_ACCESS_REGISTER_IN_OP_MOD_READ   = 0x1,"));
    // The lengths of the registers with a plain layout.
    for r in mlx5::REGISTERS {
        let layout = format!("{}_reg", r.name.to_ascii_lowercase());
        let plain = [
            "mtmp_reg",
            "paos_reg",
            "pmtu_reg",
            "mfrl_reg",
            "mrtc_reg",
            "mcqs_reg",
            "mtcap_reg",
            "pmlp_reg",
            "ptys_reg",
            "mpein_reg",
        ];
        if plain.contains(&layout.as_str()) {
            let bits: usize = ifc_fields(&src, &layout).iter().map(|f| f.2).sum();
            assert_eq!(bits, r.len * 8, "{}", r.name);
        }
    }
    // The register ids of the names, from driver.h.
    let drv = std::fs::read_to_string(k.join("include/linux/mlx5/driver.h")).unwrap();
    for r in mlx5::REGISTERS.iter().filter(|r| r.name != "MGIR") {
        let line = drv
            .lines()
            .find(|l| {
                l.trim_start().starts_with(&format!("MLX5_REG_{} ", r.name))
                    || l.trim_start()
                        .starts_with(&format!("MLX5_REG_{}\t", r.name))
            })
            .unwrap_or_else(|| panic!("MLX5_REG_{} not in driver.h", r.name));
        let v = line.split('=').nth(1).unwrap().trim().trim_end_matches(',');
        let id =
            u16::from_str_radix(v.trim_start_matches("0x").trim_start_matches("0X"), 16).unwrap();
        assert_eq!(id, r.id, "{}", r.name);
    }
}
