// SPDX-License-Identifier: GPL-2.0 OR MIT

//! Text output of the tool: tables and hex dumps.

use crate::cxl::Feature;
use crate::cxl_decode::{Change, Decoded, FieldValue};
use crate::mlx5::{Cap, InfoMlx5, Mgir};
use crate::sysfs::DeviceEntry;

/// Lowercase hex, no separators.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A hex dump: offset, 16 bytes, their printable ASCII.
pub fn hexdump(bytes: &[u8]) -> String {
    let mut s = String::new();
    for (i, line) in bytes.chunks(16).enumerate() {
        let mut h = String::new();
        for (j, b) in line.iter().enumerate() {
            if j == 8 {
                h.push(' ');
            }
            h.push_str(&format!("{b:02x} "));
        }
        let a: String = line
            .iter()
            .map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        s.push_str(&format!("{:08x}  {h:<49} |{a}|\n", i * 16));
    }
    s
}

/// Renders rows as aligned columns under `header`.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut w: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i < w.len() {
                w[i] = w[i].max(c.len());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let n = cells.len();
        let mut s = String::new();
        for (i, c) in cells.into_iter().enumerate() {
            if i + 1 == n {
                s.push_str(c);
            } else {
                s.push_str(&format!("{c:<width$}  ", width = w[i]));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut s = line(header.to_vec());
    for r in rows {
        s.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    s
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_else(|| "-".into())
}

/// The `fwctl list` table.
pub fn device_table(entries: &[DeviceEntry]) -> String {
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                e.name.clone(),
                e.device_type.clone(),
                opt(&e.parent),
                opt(&e.driver),
                opt(&e.bus_address),
                opt(&e.max_scope),
            ]
        })
        .collect();
    table(
        &["DEVICE", "TYPE", "PARENT", "DRIVER", "BUS", "MAX_SCOPE"],
        &rows,
    )
}

/// The `fwctl cxl features` table.
pub fn feature_table(features: &[Feature]) -> String {
    let rows: Vec<Vec<String>> = features
        .iter()
        .map(|f| {
            vec![
                f.id.to_string(),
                f.uuid.clone(),
                f.name.unwrap_or("-").to_string(),
                f.get_size.to_string(),
                f.set_size.to_string(),
                format!("{:#x}", f.flags),
                format!("{:#06x}", f.effects),
                match (&f.set_scope, &f.set_refused) {
                    (Some(s), _) => s.to_string(),
                    (None, Some(r)) => format!("({r})"),
                    (None, None) => "-".into(),
                },
            ]
        })
        .collect();
    table(
        &[
            "ID",
            "UUID",
            "NAME",
            "GET",
            "SET",
            "FLAGS",
            "EFFECTS",
            "SET_SCOPE",
        ],
        &rows,
    )
}

/// `fwctl info`: what sysfs and `FWCTL_INFO` tell of a device, one
/// `name: value` line each, the driver's data decoded for mlx5 and dumped
/// otherwise.
pub fn info_lines(
    e: &DeviceEntry,
    device_type: u32,
    data: &[u8],
    mlx5: Option<&InfoMlx5>,
) -> String {
    let mut rows: Vec<(&str, String)> = vec![
        ("device", e.name.clone()),
        (
            "type",
            format!("{} ({device_type})", crate::device_type_name(device_type)),
        ),
        ("parent", opt(&e.parent)),
        ("driver", opt(&e.driver)),
        ("bus address", opt(&e.bus_address)),
        ("max_scope", opt(&e.max_scope)),
    ];
    match mlx5 {
        Some(m) => {
            rows.push(("firmware uid", m.uid.to_string()));
            let names = m.cap_names();
            let caps = if names.is_empty() {
                format!("{:#x}", m.uctx_caps)
            } else {
                format!("{:#x} ({})", m.uctx_caps, names.join(", "))
            };
            rows.push(("uid caps", caps));
        }
        None if data.is_empty() => rows.push(("driver data", "none".into())),
        None => rows.push(("driver data", format!("{} bytes", data.len()))),
    }
    let mut s = aligned(&rows);
    if mlx5.is_none() {
        s.push_str(&hexdump(data));
    }
    s
}

/// `name: value` lines, the values aligned.
pub fn aligned(rows: &[(&str, String)]) -> String {
    let w = rows.iter().map(|r| r.0.len()).max().unwrap_or(0) + 1;
    rows.iter()
        .map(|(k, v)| {
            format!("{:<w$} {v}", format!("{k}:"))
                .trim_end()
                .to_string()
                + "\n"
        })
        .collect()
}

/// The `fwctl mlx5 caps` table.
pub fn caps_table(caps: &[Cap]) -> String {
    let rows: Vec<Vec<String>> = caps
        .iter()
        .map(|c| vec![c.name.to_string(), c.text.clone(), c.what.to_string()])
        .collect();
    table(&["FIELD", "VALUE", "MEANING"], &rows)
}

/// MGIR's decoded fields, one per line.
pub fn mgir_lines(m: &Mgir) -> String {
    let or_none = |s: &str| {
        if s.is_empty() {
            "-".to_string()
        } else {
            s.to_string()
        }
    };
    let date = match (&m.fw_date, &m.fw_time) {
        (Some(d), Some(t)) => format!("{d} {t}"),
        (Some(d), None) => d.clone(),
        _ => "-".into(),
    };
    let mut kind = vec![if m.fw_signed { "signed" } else { "unsigned" }];
    if m.fw_debug {
        kind.push("debug");
    }
    aligned(&[
        ("device id", format!("{:#06x}", m.device_id)),
        ("hardware revision", format!("{:#x}", m.hw_revision)),
        ("hardware device id", format!("{:#06x}", m.hw_dev_id)),
        ("ports", m.num_ports.to_string()),
        ("base MAC", m.base_mac.clone().unwrap_or_else(|| "-".into())),
        ("firmware version", m.fw_version.clone()),
        ("firmware build id", format!("{:#x}", m.fw_build_id)),
        ("firmware date", date),
        ("firmware", kind.join(", ")),
        ("PSID", or_none(&m.psid)),
        ("ini file version", m.ini_file_version.to_string()),
        ("branch tag", or_none(&m.dev_branch_tag)),
    ])
}

/// `label: value` rows of decoded fields.
fn field_rows(fields: &[FieldValue]) -> Vec<(&'static str, String)> {
    fields
        .iter()
        .map(|f| (f.spec.label, f.text.clone()))
        .collect()
}

/// A CXL feature's decoded value, one field a line (`scrub cycle: 12
/// hours`), indented by two; for ECS, each media FRU's fields under it.
pub fn decoded_lines(d: &Decoded) -> String {
    let mut s = indent(&aligned(&field_rows(&d.fields)), 2);
    for (i, fru) in d.frus.iter().enumerate() {
        s.push_str(&format!("  media FRU {i}:\n"));
        s.push_str(&indent(&aligned(&field_rows(fru)), 4));
    }
    s
}

/// The fields a `fwctl cxl set` changed: `label: old -> new`, indented
/// by two.
pub fn change_lines(changes: &[Change]) -> String {
    let rows: Vec<(String, String)> = changes
        .iter()
        .map(|c| {
            let label = match c.fru {
                Some(i) => format!("media FRU {i} {}", c.spec.label),
                None => c.spec.label.to_string(),
            };
            let v = match &c.old {
                Some(o) => format!("{} -> {}", o.text, c.new.text),
                None => c.new.text.clone(),
            };
            (label, v)
        })
        .collect();
    let rows: Vec<(&str, String)> = rows.iter().map(|(l, v)| (l.as_str(), v.clone())).collect();
    indent(&aligned(&rows), 2)
}

/// Every line of `s` indented by `n` spaces.
pub fn indent(s: &str, n: usize) -> String {
    s.lines().map(|l| format!("{:n$}{l}\n", "")).collect()
}
