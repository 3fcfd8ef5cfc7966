// SPDX-License-Identifier: GPL-2.0

//! Text output of the tool: tables and hex dumps.

use crate::cxl::Feature;
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
