// SPDX-License-Identifier: GPL-2.0 OR MIT

//! Host tests of the CXL features' fields: data built byte by byte after
//! the CXL 3.2 tables (and QEMU's defaults, what the guest's device
//! returns), the read to write mapping, the range checks, the commands
//! against a fake device, and the layouts against the kernel's
//! `drivers/cxl/core/edac.c` when its source is at hand.

use crate::cxl::{CxlFeatures, Transport};
use crate::cxl_decode::{self as cd, layout, Decoded, Show, Value, LAYOUTS};
use crate::cxl_features::{self as cf, FeatEntry, RpcCxlHdr, RpcCxlOutHdr};
use crate::error::Error;
use crate::format::{change_lines, decoded_lines};
use crate::tests::{entry, FakeCxl};
use crate::uapi::Scope;
use std::cell::RefCell;
use std::collections::HashMap;

/// QEMU's patrol scrub (`CXL_MEMDEV_PS_*_DEFAULT`): cycle changeable and
/// realtime report, a 12-hour cycle, a 1-hour minimum, disabled.
const QEMU_PATROL_SCRUB: [u8; 4] = [0x03, 12, 1, 0x00];

/// QEMU's ECS: log entry type per media FRU, then 3 media FRUs with the
/// realtime report capability, threshold code 3 (256), counting rows.
const QEMU_ECS: [u8; 13] = [0x01, 1, 3, 0, 0, 1, 3, 0, 0, 1, 3, 0, 0];

/// QEMU's sPPR (CXL 3.2, version 3): latency code 5 (100 ms), no
/// device-initiated repair, class 1 (PPR) subclass 0 (sPPR), DPA and
/// sparing event record supported, no restriction, sparing event record
/// on.
fn qemu_sppr() -> Vec<u8> {
    let mut d = vec![0x05, 0, 0, 0, 0, 1, 0];
    d.extend([0; 9]);
    d.extend([0x05, 0, 0, 0x01]);
    d
}

/// QEMU's cacheline sparing: latency code 5, class 2 subclass 0, hard and
/// soft sparing supported, safe while in use.
fn qemu_cacheline_sparing() -> Vec<u8> {
    let mut d = vec![0x05, 0, 0, 0, 0, 2, 0];
    d.extend([0; 10]);
    d.extend([0x06, 0x00]);
    d
}

fn decode(uuid: &cf::Uuid, data: &[u8]) -> Decoded {
    layout(uuid).unwrap().decode(data).unwrap()
}

/// (name, value) of each device-wide field.
fn values(d: &Decoded) -> Vec<(&'static str, Value)> {
    d.fields.iter().map(|f| (f.spec.name, f.value)).collect()
}

fn text_of(d: &Decoded, name: &str) -> String {
    d.field(name).unwrap().text.clone()
}

fn plan(uuid: &cf::Uuid, data: &[u8], set_size: usize, args: &[&str]) -> Result<cd::Plan, String> {
    let l = layout(uuid).unwrap();
    let a = l.parse_assignments(args)?;
    l.decode(data)?.plan(set_size, &a)
}

// ---------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------

#[test]
fn patrol_scrub_decoded() {
    let d = decode(&cf::CXL_FEAT_PATROL_SCRUB_UUID, &QEMU_PATROL_SCRUB);
    assert_eq!(
        values(&d),
        [
            ("cycle_changeable", Value::Bool(true)),
            ("realtime_report_capable", Value::Bool(true)),
            ("scrub_cycle_hours", Value::Num(12)),
            ("min_scrub_cycle_hours", Value::Num(1)),
            ("enabled", Value::Bool(false)),
        ]
    );
    assert_eq!(text_of(&d, "scrub_cycle_hours"), "12 hours");
    assert_eq!(text_of(&d, "min_scrub_cycle_hours"), "1 hour");
    let t = decoded_lines(&d);
    assert_eq!(
        t,
        "  scrub cycle changeable:  yes\n\
        \x20 realtime report capable: yes\n\
        \x20 scrub cycle:             12 hours\n\
        \x20 minimum scrub cycle:     1 hour\n\
        \x20 enabled:                 no\n"
    );
    assert_eq!(
        serde_json::to_value(&d).unwrap(),
        serde_json::json!({
            "cycle_changeable": true,
            "realtime_report_capable": true,
            "scrub_cycle_hours": 12,
            "min_scrub_cycle_hours": 1,
            "enabled": false,
        })
    );
}

/// Each field is its bits and no others: the reserved bits change nothing.
#[test]
fn field_masks() {
    let u = cf::CXL_FEAT_PATROL_SCRUB_UUID;
    let d = decode(&u, &[0xfc, 0xcd, 0xab, 0xfe]);
    assert_eq!(
        values(&d),
        [
            ("cycle_changeable", Value::Bool(false)),
            ("realtime_report_capable", Value::Bool(false)),
            ("scrub_cycle_hours", Value::Num(0xcd)),
            ("min_scrub_cycle_hours", Value::Num(0xab)),
            ("enabled", Value::Bool(false)),
        ]
    );
    let d = decode(&u, &[0x01, 0, 0, 0x01]);
    assert_eq!(
        d.field("cycle_changeable").unwrap().value,
        Value::Bool(true)
    );
    assert_eq!(
        d.field("realtime_report_capable").unwrap().value,
        Value::Bool(false)
    );
    assert_eq!(d.field("enabled").unwrap().value, Value::Bool(true));

    // ECS configuration: threshold bits 2:0, count mode bit 3; the reset
    // bit (4) and the rest are not read back as settings.
    let e = cf::CXL_FEAT_ECS_UUID;
    let d = decode(&e, &[0xfd, 0xfe, 0xfc, 0xff, 0xff]);
    assert_eq!(
        d.field("log_entry_type").unwrap().value,
        Value::Name("media_fru")
    );
    let f = &d.frus[0];
    assert_eq!(f[0].value, Value::Bool(false)); // realtime_report_capable
    assert_eq!((f[1].spec.name, f[1].raw), ("threshold", 4));
    assert_eq!(f[1].value, Value::Num(1024));
    assert_eq!(f[2].value, Value::Name("codewords"));
    assert_eq!(f.len(), 3, "reset_counter is write-only");
    // Reserved encodings: null in JSON, the raw value in the text.
    let d = decode(&e, &[0x02, 0x01, 0x07, 0x00, 0x00]);
    assert_eq!(d.field("log_entry_type").unwrap().value, Value::Reserved);
    assert_eq!(text_of(&d, "log_entry_type"), "reserved (2)");
    assert_eq!(d.frus[0][1].value, Value::Reserved);
    assert_eq!(d.frus[0][1].text, "reserved (7)");
    let j = serde_json::to_value(&d).unwrap();
    assert_eq!(j["log_entry_type"], serde_json::Value::Null);
    assert_eq!(j["frus"][0]["threshold"], serde_json::Value::Null);

    // The maintenance header: latency bits 3:0, capability and mode bit 0
    // of their words, class and subclass bytes.
    let s = cf::CXL_FEAT_SPPR_UUID;
    let mut p = qemu_sppr();
    p[0] = 0xf7;
    p[1..5].copy_from_slice(&[0xfe, 0xff, 0xfe, 0xff]);
    let d = decode(&s, &p);
    assert_eq!(
        d.field("max_latency_us").unwrap().value,
        Value::Num(10_000_000)
    );
    assert_eq!(text_of(&d, "max_latency_us"), "10 s");
    assert_eq!(
        d.field("device_initiated_capable").unwrap().value,
        Value::Bool(false)
    );
    assert_eq!(
        d.field("device_initiated").unwrap().value,
        Value::Bool(false)
    );
    p[0] = 0x08;
    let d = decode(&s, &p);
    assert_eq!(d.field("max_latency_us").unwrap().value, Value::Reserved);
    assert_eq!(text_of(&d, "max_latency_us"), "reserved (0x8)");
}

#[test]
fn ecs_decodes_every_media_fru() {
    let mut data = QEMU_ECS.to_vec();
    // FRU 1: threshold 4096, codewords; FRU 2: 1024, no realtime report.
    data[5..9].copy_from_slice(&[0x01, 0x0d, 0x00, 0x00]);
    data[9..13].copy_from_slice(&[0x00, 0x04, 0x00, 0x00]);
    let d = decode(&cf::CXL_FEAT_ECS_UUID, &data);
    assert_eq!(d.num_frus(), 3);
    assert_eq!(text_of(&d, "log_entry_type"), "per memory media FRU");
    let fru = |i: usize| -> Vec<(&str, Value)> {
        d.frus[i].iter().map(|f| (f.spec.name, f.value)).collect()
    };
    assert_eq!(
        fru(0),
        [
            ("realtime_report_capable", Value::Bool(true)),
            ("threshold", Value::Num(256)),
            ("count_mode", Value::Name("rows")),
        ]
    );
    assert_eq!(
        fru(1),
        [
            ("realtime_report_capable", Value::Bool(true)),
            ("threshold", Value::Num(4096)),
            ("count_mode", Value::Name("codewords")),
        ]
    );
    assert_eq!(
        fru(2),
        [
            ("realtime_report_capable", Value::Bool(false)),
            ("threshold", Value::Num(1024)),
            ("count_mode", Value::Name("rows")),
        ]
    );
    let j = serde_json::to_value(&d).unwrap();
    assert_eq!(j["log_entry_type"], "media_fru");
    assert_eq!(j["frus"].as_array().unwrap().len(), 3);
    assert_eq!(
        j["frus"][1],
        serde_json::json!({
            "fru": 1,
            "realtime_report_capable": true,
            "threshold": 4096,
            "count_mode": "codewords",
        })
    );
    let t = decoded_lines(&d);
    assert!(
        t.starts_with("  log entry type: per memory media FRU\n  media FRU 0:\n"),
        "{t}"
    );
    assert!(
        t.contains("  media FRU 2:\n    realtime report capable: no\n"),
        "{t}"
    );
    assert!(
        t.contains("    error threshold:         4096 per Gb of memory cells\n"),
        "{t}"
    );
    assert!(
        t.contains("    count mode:              codewords with errors\n"),
        "{t}"
    );
    assert_eq!(t.lines().count(), 1 + 3 * 4, "{t}");
}

#[test]
fn ppr_and_sparing_decoded() {
    let d = decode(&cf::CXL_FEAT_SPPR_UUID, &qemu_sppr());
    assert_eq!(
        values(&d),
        [
            ("max_latency_us", Value::Num(100_000)),
            ("device_initiated_capable", Value::Bool(false)),
            ("device_initiated", Value::Bool(false)),
            ("op_class", Value::Num(1)),
            ("op_subclass", Value::Num(0)),
            ("dpa_support", Value::Bool(true)),
            ("nibble_support", Value::Bool(false)),
            ("sparing_event_record_capable", Value::Bool(true)),
            ("device_initiated_at_boot_capable", Value::Bool(false)),
            ("media_accessible", Value::Bool(true)),
            ("data_retained", Value::Bool(true)),
            ("sparing_event_record", Value::Bool(true)),
            ("device_initiated_at_boot", Value::Bool(false)),
        ]
    );
    assert_eq!(text_of(&d, "max_latency_us"), "100 ms");
    assert_eq!(text_of(&d, "op_class"), "1 (PPR)");
    assert_eq!(text_of(&d, "op_subclass"), "0 (sPPR)");
    // hPPR: the same layout; subclass 1.  Restriction bits set: not
    // accessible, not retained.
    let mut h = qemu_sppr();
    h[6] = 1;
    h[17] = 0x05;
    let d = decode(&cf::CXL_FEAT_HPPR_UUID, &h);
    assert_eq!(text_of(&d, "op_subclass"), "1 (hPPR)");
    assert_eq!(
        d.field("media_accessible").unwrap().value,
        Value::Bool(false)
    );
    assert_eq!(d.field("data_retained").unwrap().value, Value::Bool(false));
    // A version before CXL 3.2: no PPR operation mode byte.
    let d = decode(&cf::CXL_FEAT_HPPR_UUID, &h[..19]);
    assert!(d.field("sparing_event_record").is_none());
    assert!(d.field("data_retained").is_some());

    for (u, sub, text) in [
        (
            cf::CXL_FEAT_CACHELINE_SPARING_UUID,
            0,
            "0 (cacheline sparing)",
        ),
        (cf::CXL_FEAT_ROW_SPARING_UUID, 1, "1 (row sparing)"),
        (cf::CXL_FEAT_BANK_SPARING_UUID, 2, "2 (bank sparing)"),
        (cf::CXL_FEAT_RANK_SPARING_UUID, 3, "3 (rank sparing)"),
    ] {
        let mut s = qemu_cacheline_sparing();
        s[6] = sub;
        let d = decode(&u, &s);
        assert_eq!(text_of(&d, "op_class"), "2 (memory sparing)");
        assert_eq!(text_of(&d, "op_subclass"), text);
        assert_eq!(
            values(&d)[5..],
            [
                ("safe_when_in_use", Value::Bool(true)),
                ("hard_sparing_supported", Value::Bool(true)),
                ("soft_sparing_supported", Value::Bool(true)),
            ]
        );
    }
    let mut s = qemu_cacheline_sparing();
    s[17] = 0x01;
    let d = decode(&cf::CXL_FEAT_RANK_SPARING_UUID, &s);
    assert_eq!(
        values(&d)[5..],
        [
            ("safe_when_in_use", Value::Bool(false)),
            ("hard_sparing_supported", Value::Bool(false)),
            ("soft_sparing_supported", Value::Bool(false)),
        ]
    );
}

/// Every length short of a layout is refused with its sizes, never a
/// panic; a Get Feature answer short of the feature's size too.
#[test]
fn short_data_is_refused() {
    for l in &LAYOUTS {
        let min = l.min_len();
        assert!(min > 0, "{}", l.name);
        let full = vec![0x55u8; min + 8];
        for n in 0..min {
            let e = l.decode(&full[..n]).unwrap_err();
            assert_eq!(
                e,
                format!(
                    "{}: the data is {n} bytes, the feature's layout has {min}",
                    l.name
                )
            );
        }
        // Longer data (a newer version's) decodes.
        assert!(l.decode(&full).is_ok(), "{}", l.name);
        let e = l.decode_answer(&full[..min], min + 1).unwrap_err();
        assert_eq!(
            e,
            format!(
                "{}: Get Feature returned {min} of the feature's {} bytes",
                l.name,
                min + 1
            )
        );
        assert!(l.decode_answer(&full[..min], min).is_ok());
    }
    let ps = layout(&cf::CXL_FEAT_PATROL_SCRUB_UUID).unwrap();
    assert_eq!(ps.min_len(), 4);
    assert_eq!(layout(&cf::CXL_FEAT_ECS_UUID).unwrap().min_len(), 5);
    assert_eq!(layout(&cf::CXL_FEAT_SPPR_UUID).unwrap().min_len(), 19);
    assert_eq!(
        layout(&cf::CXL_FEAT_ROW_SPARING_UUID).unwrap().min_len(),
        19
    );
    // ECS: an incomplete last media FRU is not a media FRU.
    let d = decode(&cf::CXL_FEAT_ECS_UUID, &QEMU_ECS[..12]);
    assert_eq!(d.num_frus(), 2);
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

/// With nothing changed, the writable attributes carry the current value:
/// each readable field moved to its place in the other layout, the
/// reserved bits zero.
#[test]
fn read_to_write_mapping() {
    let ps = decode(&cf::CXL_FEAT_PATROL_SCRUB_UUID, &[0xff, 0x18, 0x02, 0xff]);
    // cycle (low byte of the word) then the enable flag alone.
    assert_eq!(ps.write_data_unchanged(2), [0x18, 0x01]);
    let ps = decode(&cf::CXL_FEAT_PATROL_SCRUB_UUID, &QEMU_PATROL_SCRUB);
    assert_eq!(ps.write_data_unchanged(2), [12, 0]);

    // ECS: the log entry type, then each media FRU's threshold and count
    // mode; the reset bit is an action, not written back.
    let mut data = QEMU_ECS.to_vec();
    data[0] = 0xfc; // type 0, reserved bits set
    data[5..9].copy_from_slice(&[0xff, 0xfd, 0xff, 0xff]); // 5 | mode | reset | reserved
    data[9..13].copy_from_slice(&[0x00, 0x04, 0x00, 0x00]);
    let ecs = decode(&cf::CXL_FEAT_ECS_UUID, &data);
    assert_eq!(
        ecs.write_data_unchanged(7),
        [0x00, 0x03, 0x00, 0x0d, 0x00, 0x04, 0x00]
    );
    let ecs = decode(&cf::CXL_FEAT_ECS_UUID, &QEMU_ECS);
    assert_eq!(ecs.write_data_unchanged(7), [0x01, 3, 0, 3, 0, 3, 0]);
    // Set Feature takes fewer media FRUs than Get Feature shows: those it
    // takes.
    assert_eq!(ecs.write_data_unchanged(5), [0x01, 3, 0, 3, 0]);

    // sPPR: the operation mode word, then the PPR operation mode byte.
    let mut p = qemu_sppr();
    p[3..5].copy_from_slice(&[0xff, 0xff]);
    p[19] = 0xff;
    let s = decode(&cf::CXL_FEAT_SPPR_UUID, &p);
    assert_eq!(s.write_data_unchanged(3), [0x01, 0x00, 0x03]);
    // An older version: Set Feature takes the operation mode alone.
    assert_eq!(s.write_data_unchanged(2), [0x01, 0x00]);
    let s = decode(&cf::CXL_FEAT_SPPR_UUID, &qemu_sppr()[..19]);
    assert_eq!(s.write_data_unchanged(3), [0x00, 0x00]);

    // Sparing: the operation mode word.
    let mut r = qemu_cacheline_sparing();
    r[3] = 0x03;
    let r = decode(&cf::CXL_FEAT_ROW_SPARING_UUID, &r);
    assert_eq!(r.write_data_unchanged(2), [0x01, 0x00]);
}

#[test]
fn set_fields_by_name() {
    let u = cf::CXL_FEAT_PATROL_SCRUB_UUID;
    let p = plan(&u, &QEMU_PATROL_SCRUB, 2, &["scrub_cycle_hours=24"]).unwrap();
    assert_eq!(p.data, [24, 0]);
    assert_eq!(p.changes.len(), 1);
    let c = &p.changes[0];
    assert_eq!(c.spec.name, "scrub_cycle_hours");
    assert_eq!(c.old.as_ref().unwrap().value, Value::Num(12));
    assert_eq!(c.new.value, Value::Num(24));
    assert_eq!(
        change_lines(&p.changes),
        "  scrub cycle: 12 hours -> 24 hours\n"
    );
    assert_eq!(
        serde_json::to_value(&p.changes).unwrap(),
        serde_json::json!([{"field": "scrub_cycle_hours", "old": 12, "new": 24}])
    );
    // Names are taken with - for _, any case; values trimmed.
    let p = plan(
        &u,
        &QEMU_PATROL_SCRUB,
        2,
        &["Enabled=ON", "scrub-cycle-hours= 1"],
    )
    .unwrap();
    assert_eq!(p.data, [1, 1]);
    assert_eq!(p.changes[0].new.text, "yes");
    // The same field twice: the last wins, one change.
    let p = plan(&u, &QEMU_PATROL_SCRUB, 2, &["enabled=1", "enabled=off"]).unwrap();
    assert_eq!(p.data, [12, 0]);
    assert_eq!(p.changes.len(), 1);
    for b in ["yes", "y", "on", "1", "true", "enable"] {
        assert_eq!(
            plan(&u, &QEMU_PATROL_SCRUB, 2, &[&format!("enabled={b}")])
                .unwrap()
                .data,
            [12, 1]
        );
    }
    for b in ["no", "n", "off", "0", "false", "disabled"] {
        assert_eq!(
            plan(&u, &[3, 12, 1, 1], 2, &[&format!("enabled={b}")])
                .unwrap()
                .data,
            [12, 0]
        );
    }

    // Round trip: the device applies the writable attributes (as QEMU
    // does: the cycle into the low byte, the enable flag), and the value
    // read back is the one asked for, the rest unchanged.
    let p = plan(
        &u,
        &QEMU_PATROL_SCRUB,
        2,
        &["scrub_cycle_hours=255", "enabled=yes"],
    )
    .unwrap();
    let mut dev = QEMU_PATROL_SCRUB;
    dev[1] = p.data[0];
    dev[3] = (dev[3] & !1) | (p.data[1] & 1);
    let d = decode(&u, &dev);
    assert_eq!(d.field("scrub_cycle_hours").unwrap().value, Value::Num(255));
    assert_eq!(
        d.field("min_scrub_cycle_hours").unwrap().value,
        Value::Num(1)
    );
    assert_eq!(d.field("enabled").unwrap().value, Value::Bool(true));
    assert_eq!(d.write_data_unchanged(2), p.data);
}

#[test]
fn ecs_fields_per_media_fru() {
    let e = cf::CXL_FEAT_ECS_UUID;
    // A field of the records without fruN: every media FRU.
    let p = plan(&e, &QEMU_ECS, 7, &["threshold=1024"]).unwrap();
    assert_eq!(p.data, [0x01, 4, 0, 4, 0, 4, 0]);
    assert_eq!(
        p.changes.iter().map(|c| c.fru).collect::<Vec<_>>(),
        [Some(0), Some(1), Some(2)]
    );
    // One media FRU, then another field of all of them.
    let p = plan(
        &e,
        &QEMU_ECS,
        7,
        &[
            "fru1.count_mode=codewords",
            "log_entry_type=dram",
            "fru2.threshold=4096",
        ],
    )
    .unwrap();
    assert_eq!(p.data, [0x00, 3, 0, 0x0b, 0, 5, 0]);
    let t = change_lines(&p.changes);
    assert_eq!(
        t,
        "  media FRU 1 count mode:      rows with errors -> codewords with errors\n\
        \x20 log entry type:              per memory media FRU -> per DRAM\n\
        \x20 media FRU 2 error threshold: 256 per Gb of memory cells -> 4096 per Gb of memory \
         cells\n"
    );
    assert_eq!(
        serde_json::to_value(&p.changes).unwrap(),
        serde_json::json!([
            {"field": "count_mode", "fru": 1, "old": "rows", "new": "codewords"},
            {"field": "log_entry_type", "old": "media_fru", "new": "dram"},
            {"field": "threshold", "fru": 2, "old": 256, "new": 4096},
        ])
    );
    // The reset: an action on the FRU asked for only.
    let p = plan(&e, &QEMU_ECS, 7, &["fru2.reset_counter=yes"]).unwrap();
    assert_eq!(p.data, [0x01, 3, 0, 3, 0, 0x13, 0]);
    assert_eq!(
        change_lines(&p.changes),
        "  media FRU 2 reset error counter: yes\n"
    );
    assert_eq!(
        serde_json::to_value(&p.changes).unwrap(),
        serde_json::json!([{"field": "reset_counter", "fru": 2, "old": null, "new": true}])
    );
    let p = plan(&e, &QEMU_ECS, 7, &["reset_counter=1"]).unwrap();
    assert_eq!(p.data, [0x01, 0x13, 0, 0x13, 0, 0x13, 0]);
    // Values by number too.
    let p = plan(&e, &QEMU_ECS, 7, &["count_mode=1", "log_entry_type=0"]).unwrap();
    assert_eq!(p.data, [0x00, 0x0b, 0, 0x0b, 0, 0x0b, 0]);
    // A media FRU the device does not have: refused, with how many it has.
    let e3 = plan(&e, &QEMU_ECS, 7, &["fru3.threshold=256"]).unwrap_err();
    assert_eq!(
        e3,
        "ecs: fru3.threshold=256: there is no media FRU 3: the device has 3 (fru0 to fru2)"
    );
    // More media FRUs than Set Feature takes.
    let e2 = plan(&e, &QEMU_ECS, 5, &["fru2.threshold=256"]).unwrap_err();
    assert!(
        e2.contains("threshold cannot be set on this device: its Set Feature takes 5 bytes"),
        "{e2}"
    );
}

#[test]
fn values_out_of_range() {
    let ps = layout(&cf::CXL_FEAT_PATROL_SCRUB_UUID).unwrap();
    for v in ["0", "256", "-1", "12h", "", "0x0c"] {
        let e = ps
            .parse_assignment(&format!("scrub_cycle_hours={v}"))
            .unwrap_err();
        assert_eq!(
            e,
            format!(
                "patrol-scrub: scrub_cycle_hours={v}: scrub_cycle_hours must be from 1 to 255 \
                 hours, and at least the device's minimum"
            )
        );
    }
    assert_eq!(
        ps.parse_assignment("scrub_cycle_hours=255").unwrap().raw,
        255
    );
    let e = ps.parse_assignment("enabled=maybe").unwrap_err();
    assert_eq!(
        e,
        "patrol-scrub: enabled=maybe: enabled must be yes or no (on/off, 1/0)"
    );
    let ecs = layout(&cf::CXL_FEAT_ECS_UUID).unwrap();
    for v in ["0", "3", "512", "2048", "256k"] {
        let e = ecs.parse_assignment(&format!("threshold={v}")).unwrap_err();
        assert!(e.ends_with("threshold must be 256, 1024 or 4096"), "{e}");
    }
    for (v, code) in [("256", 3), ("1024", 4), ("4096", 5)] {
        assert_eq!(
            ecs.parse_assignment(&format!("fru0.threshold={v}"))
                .unwrap()
                .raw,
            code
        );
    }
    let e = ecs.parse_assignment("count_mode=bits").unwrap_err();
    assert_eq!(
        e,
        "ecs: count_mode=bits: count_mode must be one of rows (0), codewords (1)"
    );
    let e = ecs.parse_assignment("log_entry_type=2").unwrap_err();
    assert!(e.ends_with("must be one of dram (0), media_fru (1)"), "{e}");
    let e = ecs.parse_assignment("reset_counter=later").unwrap_err();
    assert!(
        e.ends_with("reset_counter must be yes (do it now) or no"),
        "{e}"
    );

    // The device's own range: its minimum scrub cycle.
    let u = cf::CXL_FEAT_PATROL_SCRUB_UUID;
    let min4 = [0x03, 12, 4, 0];
    let e = plan(&u, &min4, 2, &["scrub_cycle_hours=3"]).unwrap_err();
    assert_eq!(
        e,
        "patrol-scrub: scrub_cycle_hours=3: scrub_cycle_hours must be from the device's \
         minimum, 4 hours, to 255 hours"
    );
    assert_eq!(
        plan(&u, &min4, 2, &["scrub_cycle_hours=4"]).unwrap().data,
        [4, 0]
    );
    // A cycle the device does not let change; the same value is no change.
    let fixed = [0x00, 12, 1, 0];
    let e = plan(&u, &fixed, 2, &["scrub_cycle_hours=24"]).unwrap_err();
    assert_eq!(
        e,
        "patrol-scrub: scrub_cycle_hours=24: the device cannot change it (cycle_changeable is no)"
    );
    assert_eq!(
        plan(&u, &fixed, 2, &["scrub_cycle_hours=12", "enabled=yes"])
            .unwrap()
            .data,
        [12, 1]
    );

    // Capabilities of PPR and sparing.
    let s = cf::CXL_FEAT_SPPR_UUID;
    let e = plan(&s, &qemu_sppr(), 3, &["device_initiated=yes"]).unwrap_err();
    assert!(e.ends_with("(device_initiated_capable is no)"), "{e}");
    let e = plan(&s, &qemu_sppr(), 3, &["device_initiated_at_boot=on"]).unwrap_err();
    assert!(
        e.ends_with("(device_initiated_at_boot_capable is no)"),
        "{e}"
    );
    assert_eq!(
        plan(&s, &qemu_sppr(), 3, &["sparing_event_record=no"])
            .unwrap()
            .data,
        [0, 0, 0]
    );
    let mut capable = qemu_sppr();
    capable[1] = 1;
    capable[16] |= 0x08;
    let p = plan(
        &s,
        &capable,
        3,
        &["device_initiated=yes", "device_initiated_at_boot=yes"],
    )
    .unwrap();
    assert_eq!(p.data, [0x01, 0x00, 0x03]);
    // An older version of the layout: the PPR operation mode is not there.
    let e = plan(&s, &qemu_sppr()[..19], 2, &["sparing_event_record=no"]).unwrap_err();
    assert!(
        e.contains("cannot be set on this device: its Set Feature takes 2 bytes"),
        "{e}"
    );
    let e = plan(&s, &qemu_sppr()[..19], 3, &["sparing_event_record=no"]).unwrap_err();
    assert!(
        e.contains("this device's version of the feature lacks it"),
        "{e}"
    );
    let r = cf::CXL_FEAT_BANK_SPARING_UUID;
    let mut sp = qemu_cacheline_sparing();
    assert!(plan(&r, &sp, 2, &["device_initiated=yes"]).is_err());
    sp[1] = 1;
    assert_eq!(
        plan(&r, &sp, 2, &["device_initiated=yes"]).unwrap().data,
        [1, 0]
    );
}

#[test]
fn unknown_and_read_only_fields() {
    let ps = layout(&cf::CXL_FEAT_PATROL_SCRUB_UUID).unwrap();
    assert_eq!(
        ps.parse_assignment("cycle=12").unwrap_err(),
        "patrol-scrub: no field 'cycle'; the settable fields are scrub_cycle_hours, enabled"
    );
    assert_eq!(
        ps.parse_assignment("min_scrub_cycle_hours=2").unwrap_err(),
        "patrol-scrub: min_scrub_cycle_hours is read-only; the settable fields are \
         scrub_cycle_hours, enabled"
    );
    assert_eq!(
        ps.parse_assignment("1800").unwrap_err(),
        "patrol-scrub: '1800' is not FIELD=VALUE (fields: scrub_cycle_hours, enabled; raw \
         data: --raw HEX)"
    );
    assert_eq!(
        ps.parse_assignment("fru0.enabled=yes").unwrap_err(),
        "patrol-scrub: enabled is not a field of a media FRU: give it without fruN."
    );
    let ecs = layout(&cf::CXL_FEAT_ECS_UUID).unwrap();
    assert_eq!(
        ecs.parse_assignment("realtime_report_capable=no")
            .unwrap_err(),
        "ecs: realtime_report_capable is read-only; the settable fields are log_entry_type, \
         [fruN.]threshold, [fruN.]count_mode, [fruN.]reset_counter"
    );
    for bad in [
        "frux.threshold=256",
        "fru.threshold=256",
        "media1.threshold=256",
    ] {
        let e = ecs.parse_assignment(bad).unwrap_err();
        assert!(e.contains("a media FRU is named fruN"), "{bad}: {e}");
    }
    let p = layout(&cf::CXL_FEAT_HPPR_UUID).unwrap();
    for ro in [
        "op_class=2",
        "max_latency_us=1",
        "media_accessible=yes",
        "dpa_support=no",
    ] {
        assert!(
            p.parse_assignment(ro).unwrap_err().contains("is read-only"),
            "{ro}"
        );
    }
    assert_eq!(
        layout(&cf::CXL_FEAT_RANK_SPARING_UUID).unwrap().settable(),
        ["device_initiated"]
    );
    assert_eq!(
        p.settable(),
        [
            "device_initiated",
            "sparing_event_record",
            "device_initiated_at_boot"
        ]
    );
    // No layout for other features.
    assert!(layout(&[0xff; 16]).is_none());
}

/// The tables themselves: names unique and snake_case, every location
/// inside its record, settable fields written, the write layouts' fields
/// apart from one another.
#[test]
fn layouts_are_consistent() {
    for (i, l) in LAYOUTS.iter().enumerate() {
        assert_eq!(crate::cxl::feature_name(&l.uuid), Some(l.name));
        assert!(LAYOUTS[..i].iter().all(|o| o.uuid != l.uuid));
        let mut records: Vec<(&[cd::FieldSpec], usize, usize)> = vec![(
            &l.fields().copied().collect::<Vec<_>>().leak()[..],
            l.fru.map_or(usize::MAX, |r| r.rd_base),
            l.fru.map_or(usize::MAX, |r| r.wr_base),
        )];
        if let Some(r) = &l.fru {
            records.push((r.fields, r.rd_stride, r.wr_stride));
        }
        let mut names = Vec::new();
        for (fields, rd_size, wr_size) in records {
            let mut wr_bits: Vec<(usize, u16)> = Vec::new();
            for f in fields {
                assert!(
                    f.name.bytes().all(|c| c.is_ascii_lowercase() || c == b'_'),
                    "{}",
                    f.name
                );
                assert!(!names.contains(&f.name), "{}: {} twice", l.name, f.name);
                names.push(f.name);
                assert!(f.rd.is_some() || f.show == Show::Action, "{}", f.name);
                for loc in [f.rd, f.wr].into_iter().flatten() {
                    assert!(matches!(loc.size, 1 | 2), "{}", f.name);
                    assert!(loc.mask != 0, "{}", f.name);
                    assert!(loc.size == 2 || loc.mask <= 0xff, "{}", f.name);
                }
                if let Some(r) = f.rd {
                    assert!(r.end() <= rd_size, "{}: {}", l.name, f.name);
                }
                if let Some(w) = f.wr {
                    assert!(w.end() <= wr_size, "{}: {}", l.name, f.name);
                    // Read and written with the same width.
                    if let Some(r) = f.rd {
                        assert!(w.max() >= r.max(), "{}", f.name);
                    }
                    for b in w.at..w.end() {
                        let m = (w.mask.to_le_bytes()[b - w.at]) as u16;
                        for (ob, om) in &wr_bits {
                            assert!(!(*ob == b && om & m != 0), "{}: overlaps", f.name);
                        }
                        wr_bits.push((b, m));
                    }
                }
                for dep in [f.needs, f.min].into_iter().flatten() {
                    assert!(fields.iter().any(|o| o.name == dep), "{}: {dep}", f.name);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The commands, on a fake device
// ---------------------------------------------------------------------------

/// A device with QEMU's two features, which it lets userspace change (the
/// kernel keeps none of them).
fn qemu_device() -> FakeCxl {
    let mut ps = entry(
        cf::CXL_FEAT_PATROL_SCRUB_UUID,
        0,
        cf::CXL_FEATURE_F_CHANGEABLE,
        cf::CXL_CMD_CONFIG_CHANGE_IMMEDIATE | cf::CXL_CMD_EFFECTS_VALID,
    );
    (ps.get_feat_size, ps.set_feat_size, ps.set_feat_ver) = (4, 2, 1);
    let mut ecs = entry(
        cf::CXL_FEAT_ECS_UUID,
        1,
        cf::CXL_FEATURE_F_CHANGEABLE,
        cf::CXL_CMD_CONFIG_CHANGE_IMMEDIATE | cf::CXL_CMD_EFFECTS_VALID,
    );
    (ecs.get_feat_size, ecs.set_feat_size, ecs.set_feat_ver) = (13, 7, 1);
    let mut data = HashMap::new();
    data.insert(cf::CXL_FEAT_PATROL_SCRUB_UUID, QEMU_PATROL_SCRUB.to_vec());
    data.insert(cf::CXL_FEAT_ECS_UUID, QEMU_ECS.to_vec());
    FakeCxl {
        entries: vec![ps, ecs],
        data: RefCell::new(data),
        max_scope: Scope::DebugWriteFull,
        scopes: RefCell::new(Vec::new()),
        exclusive: Vec::new(),
    }
}

#[test]
fn set_fields_reads_then_writes_the_rest_back() {
    let d = qemu_device();
    let u = cf::CXL_FEAT_PATROL_SCRUB_UUID;
    let (_, cur) = d.cxl_decode_feature(&u).unwrap().unwrap();
    assert_eq!(
        cur.field("scrub_cycle_hours").unwrap().value,
        Value::Num(12)
    );
    d.scopes.borrow_mut().clear();

    let a = cur
        .layout
        .parse_assignments(&["scrub_cycle_hours=24"])
        .unwrap();
    let (scope, p) = d.cxl_set_fields(&u, &a).unwrap();
    assert_eq!(scope, Scope::DebugWriteFull);
    assert_eq!(p.data, [24, 0]);
    // Supported features (header, entries), Get Feature, Set Feature.
    assert_eq!(
        *d.scopes.borrow(),
        [
            Scope::Configuration,
            Scope::Configuration,
            Scope::Configuration,
            Scope::DebugWriteFull
        ]
    );
    // The fake stores the writable attributes at offset 0 as they came.
    assert_eq!(d.data.borrow()[&u][..2], [24, 0]);

    // ECS: every media FRU's configuration written, one changed.
    let e = cf::CXL_FEAT_ECS_UUID;
    let a = layout(&e)
        .unwrap()
        .parse_assignments(&["fru1.threshold=4096"])
        .unwrap();
    let (_, p) = d.cxl_set_fields(&e, &a).unwrap();
    assert_eq!(p.data, [0x01, 3, 0, 5, 0, 3, 0]);
    assert_eq!(d.data.borrow()[&e][..7], p.data[..]);
}

#[test]
fn set_fields_refused_before_the_set() {
    let d = qemu_device();
    let u = cf::CXL_FEAT_PATROL_SCRUB_UUID;
    d.data.borrow_mut().insert(u, vec![0x03, 12, 6, 0]);
    let a = layout(&u)
        .unwrap()
        .parse_assignments(&["scrub_cycle_hours=5"])
        .unwrap();
    let e = d.cxl_set_fields(&u, &a).unwrap_err();
    assert!(matches!(e, Error::Invalid(_)), "{e:?}");
    assert_eq!(
        e.to_string(),
        "fwctl9: patrol-scrub: scrub_cycle_hours=5: scrub_cycle_hours must be from the \
         device's minimum, 6 hours, to 255 hours"
    );
    assert!(!d.scopes.borrow().contains(&Scope::DebugWriteFull));
    assert_eq!(d.data.borrow()[&u], [0x03, 12, 6, 0]);

    // A feature the kernel keeps: refused before the Get.
    let mut d = qemu_device();
    d.exclusive = cf::UPSTREAM_EXCLUSIVE_FEATURES.to_vec();
    let a = layout(&u)
        .unwrap()
        .parse_assignments(&["enabled=yes"])
        .unwrap();
    let e = d.cxl_set_fields(&u, &a).unwrap_err();
    assert_eq!(
        e.to_string(),
        "fwctl9: feature 96dad7d6-fde8-482b-a733-75774e06db8a cannot be set: not changeable"
    );
    assert_eq!(d.scopes.borrow().len(), 2, "Get Supported Features only");

    // A feature without a layout.
    let e = d.cxl_set_fields(&[0x42; 16], &[]).unwrap_err();
    assert!(matches!(e, Error::Invalid(_)), "{e:?}");
}

/// Cuts the payload of every Get Feature answer to `keep` bytes, as a
/// device whose answer is short.
struct Truncating(FakeCxl, u32);

impl Transport for Truncating {
    fn name(&self) -> &str {
        self.0.name()
    }

    fn rpc(&self, scope: Scope, input: &[u8], out: &mut [u8]) -> crate::Result<usize> {
        let n = self.0.rpc(scope, input, out)?;
        let get = RpcCxlHdr::from_bytes(input).is_ok_and(|h| h.opcode == 0x501);
        if let (true, Ok(mut h)) = (get, RpcCxlOutHdr::from_bytes(out)) {
            h.size = h.size.min(self.1);
            out[..RpcCxlOutHdr::SIZE].copy_from_slice(&h.to_bytes());
        }
        Ok(n)
    }
}

#[test]
fn truncated_get_feature_answer() {
    let d = Truncating(qemu_device(), 9);
    let e = d.cxl_decode_feature(&cf::CXL_FEAT_ECS_UUID).unwrap_err();
    assert!(matches!(e, Error::Device { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "fwctl9: ecs: Get Feature returned 9 of the feature's 13 bytes"
    );
    let a = layout(&cf::CXL_FEAT_ECS_UUID)
        .unwrap()
        .parse_assignments(&["threshold=256"])
        .unwrap();
    let e = d.cxl_set_fields(&cf::CXL_FEAT_ECS_UUID, &a).unwrap_err();
    assert!(matches!(e, Error::Device { .. }), "{e:?}");
    let d = Truncating(qemu_device(), 2);
    let e = d
        .cxl_decode_feature(&cf::CXL_FEAT_PATROL_SCRUB_UUID)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "fwctl9: patrol-scrub: Get Feature returned 2 of the feature's 4 bytes"
    );
    // The raw value is still there to see.
    assert_eq!(
        d.cxl_get_feature(&cf::CXL_FEAT_PATROL_SCRUB_UUID).unwrap(),
        [0x03, 12]
    );
    // A feature without a layout is not decoded (and not read).
    assert!(d.cxl_decode_feature(&[0x42; 16]).unwrap().is_none());
}

// ---------------------------------------------------------------------------
// The layouts against the kernel's edac.c
// ---------------------------------------------------------------------------

/// `drivers/cxl/core/edac.c` of the project's kernel source, if present.
fn edac_c() -> Option<String> {
    let k = match std::env::var_os("FWCTL_KSRC") {
        Some(p) => std::path::PathBuf::from(p),
        None => std::env::var_os("FWCTL_CACHE")
            .map(std::path::PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .map(|h| std::path::PathBuf::from(h).join(".cache/fwctl-rs"))
            })?
            .join("src/linux-source-7.3"),
    };
    std::fs::read_to_string(k.join("drivers/cxl/core/edac.c")).ok()
}

/// The fields of a `__packed` struct of `src`: (name, byte offset, size).
fn packed_fields(src: &str, name: &str) -> Vec<(String, usize, usize)> {
    let start = format!("struct {name} {{");
    let body = &src[src.find(&start).unwrap_or_else(|| panic!("no {name}")) + start.len()..];
    let body = &body[..body.find("} __packed;").unwrap()];
    let mut at = 0;
    let mut v = Vec::new();
    for line in body.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let line = line.trim_end_matches(';');
        let (ty, field) = line.rsplit_once(' ').unwrap();
        let (field, count) = match field.split_once('[') {
            Some((f, n)) => (f, n.trim_end_matches(']').parse::<usize>().unwrap_or(0)),
            None => (field, 1),
        };
        let size = match ty {
            "u8" => 1,
            "__le16" => 2,
            "__le32" => 4,
            "__le64" => 8,
            t => packed_fields(src, t.strip_prefix("struct ").unwrap())
                .iter()
                .map(|f| f.2)
                .sum(),
        } * count;
        v.push((field.to_string(), at, size));
        at += size;
    }
    v
}

/// The mask a `#define NAME BIT(n)` or `GENMASK(h, l)` of `src` makes.
fn mask(src: &str, name: &str) -> u16 {
    let line = src
        .lines()
        .find(|l| l.starts_with(&format!("#define {name} ")))
        .unwrap_or_else(|| panic!("no {name}"));
    let def = line.split_whitespace().skip(2).collect::<String>();
    let nums = |s: &str| -> Vec<u32> {
        s.trim_matches(|c| c == '(' || c == ')')
            .split(',')
            .map(|n| n.trim().parse().unwrap())
            .collect()
    };
    if let Some(b) = def.strip_prefix("BIT") {
        1 << nums(b)[0]
    } else if let Some(g) = def.strip_prefix("GENMASK") {
        let hl = nums(g);
        (((1u32 << (hl[0] + 1)) - 1) & !((1u32 << hl[1]) - 1)) as u16
    } else {
        panic!("{name}: {def}")
    }
}

#[test]
#[ignore = "needs the kernel source (FWCTL_KSRC, else the cache's linux-source-7.3); \
            make check provides it and runs this with --include-ignored"]
fn layouts_match_edac_c() {
    let src = edac_c().expect("no kernel source to check edac.c against: set FWCTL_KSRC");
    let off = |s: &str, f: &str| -> (usize, usize) {
        packed_fields(&src, s)
            .into_iter()
            .find(|x| x.0 == f)
            .map(|x| (x.1, x.2))
            .unwrap_or_else(|| panic!("{s}.{f}"))
    };
    let size = |s: &str| -> usize { packed_fields(&src, s).iter().map(|f| f.2).sum() };
    let field = |uuid: &cf::Uuid, name: &str| *layout(uuid).unwrap().find(name).unwrap().0;
    let rd = |uuid: &cf::Uuid, name: &str| field(uuid, name).rd.unwrap();
    let wr = |uuid: &cf::Uuid, name: &str| field(uuid, name).wr.unwrap();
    let loc = |l: cd::Loc| (l.at, l.size);

    // Patrol scrub.
    let ps = &cf::CXL_FEAT_PATROL_SCRUB_UUID;
    assert_eq!(size("cxl_scrub_rd_attrbs"), layout(ps).unwrap().min_len());
    assert_eq!(size("cxl_scrub_wr_attrbs"), 2);
    assert_eq!(
        loc(rd(ps, "cycle_changeable")),
        off("cxl_scrub_rd_attrbs", "scrub_cycle_cap")
    );
    assert_eq!(
        loc(rd(ps, "scrub_cycle_hours")),
        off("cxl_scrub_rd_attrbs", "scrub_cycle_hours")
    );
    assert_eq!(
        loc(rd(ps, "enabled")),
        off("cxl_scrub_rd_attrbs", "scrub_flags")
    );
    assert_eq!(
        loc(wr(ps, "scrub_cycle_hours")),
        off("cxl_scrub_wr_attrbs", "scrub_cycle_hours")
    );
    assert_eq!(
        loc(wr(ps, "enabled")),
        off("cxl_scrub_wr_attrbs", "scrub_flags")
    );
    assert_eq!(
        rd(ps, "cycle_changeable").mask,
        mask(&src, "CXL_SCRUB_CONTROL_CHANGEABLE")
    );
    assert_eq!(
        rd(ps, "realtime_report_capable").mask,
        mask(&src, "CXL_SCRUB_CONTROL_REALTIME")
    );
    assert_eq!(
        rd(ps, "scrub_cycle_hours").mask,
        mask(&src, "CXL_SCRUB_CONTROL_CYCLE_MASK")
    );
    assert_eq!(
        rd(ps, "min_scrub_cycle_hours").mask,
        mask(&src, "CXL_SCRUB_CONTROL_MIN_CYCLE_MASK")
    );
    assert_eq!(
        rd(ps, "enabled").mask,
        mask(&src, "CXL_SCRUB_CONTROL_ENABLE")
    );
    assert_eq!(
        wr(ps, "enabled").mask,
        mask(&src, "CXL_SCRUB_CONTROL_ENABLE")
    );

    // ECS.
    let e = &cf::CXL_FEAT_ECS_UUID;
    let fru = layout(e).unwrap().fru.unwrap();
    assert_eq!((fru.rd_base, 0), off("cxl_ecs_rd_attrbs", "fru_attrbs"));
    assert_eq!((fru.wr_base, 0), off("cxl_ecs_wr_attrbs", "fru_attrbs"));
    assert_eq!(fru.rd_stride, size("cxl_ecs_fru_rd_attrbs"));
    assert_eq!(fru.wr_stride, size("cxl_ecs_fru_wr_attrbs"));
    assert_eq!(
        loc(rd(e, "log_entry_type")),
        off("cxl_ecs_rd_attrbs", "ecs_log_cap")
    );
    assert_eq!(
        loc(wr(e, "log_entry_type")),
        off("cxl_ecs_wr_attrbs", "ecs_log_cap")
    );
    assert_eq!(
        loc(rd(e, "realtime_report_capable")),
        off("cxl_ecs_fru_rd_attrbs", "ecs_cap")
    );
    assert_eq!(
        loc(rd(e, "threshold")),
        off("cxl_ecs_fru_rd_attrbs", "ecs_config")
    );
    assert_eq!(
        loc(wr(e, "threshold")),
        off("cxl_ecs_fru_wr_attrbs", "ecs_config")
    );
    assert_eq!(
        rd(e, "log_entry_type").mask,
        mask(&src, "CXL_ECS_LOG_ENTRY_TYPE_MASK")
    );
    assert_eq!(
        rd(e, "realtime_report_capable").mask,
        mask(&src, "CXL_ECS_REALTIME_REPORT_CAP_MASK")
    );
    for (f, m) in [
        ("threshold", "CXL_ECS_THRESHOLD_COUNT_MASK"),
        ("count_mode", "CXL_ECS_COUNT_MODE_MASK"),
    ] {
        assert_eq!(rd(e, f).mask, mask(&src, m), "{f}");
        assert_eq!(wr(e, f).mask, mask(&src, m), "{f}");
    }
    assert_eq!(
        wr(e, "reset_counter").mask,
        mask(&src, "CXL_ECS_RESET_COUNTER_MASK")
    );
    for (code, n) in cd::ECS_THRESHOLDS {
        assert!(
            src.contains(&format!("ECS_THRESHOLD_IDX_{n} = {code},")),
            "{n}"
        );
    }

    // The maintenance header, PPR and sparing.
    let hdr = "cxl_memdev_repair_rd_attrbs_hdr";
    assert_eq!(size(hdr), 16);
    for u in [&cf::CXL_FEAT_SPPR_UUID, &cf::CXL_FEAT_ROW_SPARING_UUID] {
        assert_eq!(loc(rd(u, "max_latency_us")), off(hdr, "max_op_latency"));
        assert_eq!(loc(rd(u, "device_initiated_capable")), off(hdr, "op_cap"));
        assert_eq!(loc(rd(u, "device_initiated")), off(hdr, "op_mode"));
        assert_eq!(loc(rd(u, "op_class")), off(hdr, "op_class"));
        assert_eq!(loc(rd(u, "op_subclass")), off(hdr, "op_subclass"));
        assert_eq!(
            rd(u, "device_initiated_capable").mask,
            mask(&src, "CXL_PPR_OP_CAP_DEVICE_INITIATED")
        );
        assert_eq!(
            rd(u, "device_initiated").mask,
            mask(&src, "CXL_PPR_OP_MODE_DEV_INITIATED")
        );
    }
    let p = &cf::CXL_FEAT_SPPR_UUID;
    let ppr = "cxl_memdev_ppr_rd_attrbs";
    assert_eq!(size(ppr), 20);
    assert_eq!(layout(p).unwrap().min_len(), off(ppr, "ppr_op_mode").0);
    for (f, member, m) in [
        ("dpa_support", "ppr_flags", "CXL_PPR_FLAG_DPA_SUPPORT_MASK"),
        (
            "nibble_support",
            "ppr_flags",
            "CXL_PPR_FLAG_NIB_SUPPORT_MASK",
        ),
        (
            "sparing_event_record_capable",
            "ppr_flags",
            "CXL_PPR_FLAG_MEM_SPARING_EV_REC_SUPPORT_MASK",
        ),
        (
            "device_initiated_at_boot_capable",
            "ppr_flags",
            "CXL_PPR_FLAG_DEV_INITED_PPR_AT_BOOT_CAP_MASK",
        ),
        (
            "media_accessible",
            "restriction_flags",
            "CXL_PPR_RESTRICTION_FLAG_MEDIA_ACCESSIBLE_MASK",
        ),
        (
            "data_retained",
            "restriction_flags",
            "CXL_PPR_RESTRICTION_FLAG_DATA_RETAINED_MASK",
        ),
        (
            "sparing_event_record",
            "ppr_op_mode",
            "CXL_PPR_SPARING_EV_REC_EN_MASK",
        ),
        (
            "device_initiated_at_boot",
            "ppr_op_mode",
            "CXL_PPR_DEV_INITED_PPR_AT_BOOT_EN_MASK",
        ),
    ] {
        assert_eq!(loc(rd(p, f)), off(ppr, member), "{f}");
        assert_eq!(rd(p, f).mask, mask(&src, m), "{f}");
    }
    let s = &cf::CXL_FEAT_CACHELINE_SPARING_UUID;
    let sp = "cxl_memdev_sparing_rd_attrbs";
    assert_eq!(size(sp), layout(s).unwrap().min_len());
    for (f, m) in [
        ("safe_when_in_use", "CXL_SPARING_RD_CAP_SAFE_IN_USE_MASK"),
        (
            "hard_sparing_supported",
            "CXL_SPARING_RD_CAP_HARD_SPARING_MASK",
        ),
        (
            "soft_sparing_supported",
            "CXL_SPARING_RD_CAP_SOFT_SPARING_MASK",
        ),
    ] {
        assert_eq!(loc(rd(s, f)), off(sp, "restriction_flags"), "{f}");
        assert_eq!(rd(s, f).mask, mask(&src, m), "{f}");
    }
}

/// The entries the fake devices of these tests use have the sizes the
/// layouts need.
#[test]
fn qemu_device_sizes_fit_the_layouts() {
    let d = qemu_device();
    for e in &d.entries {
        let e: &FeatEntry = e;
        let l = layout(&e.uuid).unwrap();
        assert!(usize::from(e.get_feat_size) >= l.min_len());
        let dec = l.decode(&d.data.borrow()[&e.uuid]).unwrap();
        assert_eq!(
            dec.write_data_unchanged(e.set_feat_size.into()).len(),
            usize::from(e.set_feat_size)
        );
    }
}
