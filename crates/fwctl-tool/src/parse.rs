// SPDX-License-Identifier: GPL-2.0 OR MIT

//! Parsing the tool's arguments: scopes and hex bytes.

use crate::uapi::Scope;

/// Parses a scope: its sysfs name (`configuration`, `debug_read_only`,
/// `debug_write`, `debug_write_full`), with `-` for `_`, an optional
/// `FWCTL_RPC_` prefix, any case, the short forms `config`, `ro`, `write`,
/// `full`, or its number 0..3.
pub fn parse_scope(s: &str) -> Result<Scope, String> {
    let l = s.trim().to_ascii_lowercase().replace('-', "_");
    let l = l.strip_prefix("fwctl_rpc_").unwrap_or(&l);
    let scope = match l {
        "0" | "configuration" | "config" | "conf" => Scope::Configuration,
        "1" | "debug_read_only" | "read_only" | "ro" => Scope::DebugReadOnly,
        "2" | "debug_write" | "write" => Scope::DebugWrite,
        "3" | "debug_write_full" | "write_full" | "full" => Scope::DebugWriteFull,
        _ => {
            return Err(format!(
                "unknown scope '{s}': use configuration, debug_read_only, debug_write or \
                 debug_write_full (or 0..3)"
            ))
        }
    };
    Ok(scope)
}

/// Parses hex bytes: pairs of digits, optionally `0x`-prefixed, with any
/// whitespace, `,`, `:` or `-` between groups (`"01 02"`, `"0x0102"`,
/// `"01:02"`).  Each group must have an even number of digits.
pub fn parse_hex(s: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    for tok in s.split(|c: char| c.is_whitespace() || matches!(c, ',' | ':' | '-')) {
        if tok.is_empty() {
            continue;
        }
        let t = tok
            .strip_prefix("0x")
            .or_else(|| tok.strip_prefix("0X"))
            .unwrap_or(tok);
        if t.is_empty() || t.len() % 2 != 0 {
            return Err(format!(
                "bad hex '{tok}': need an even number of hex digits"
            ));
        }
        for i in (0..t.len()).step_by(2) {
            let pair = t.get(i..i + 2).ok_or_else(|| format!("bad hex '{tok}'"))?;
            let b = u8::from_str_radix(pair, 16).map_err(|_| format!("bad hex digits '{pair}'"))?;
            out.push(b);
        }
    }
    Ok(out)
}

/// Parses a number, decimal or `0x` hex.
pub fn parse_number(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let r = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) => usize::from_str_radix(h, 16),
        None => t.parse(),
    };
    r.map_err(|_| format!("bad number '{s}'"))
}

/// Parses a 32-bit number, decimal or `0x` hex.
pub fn parse_u32(s: &str) -> Result<u32, String> {
    let n = parse_number(s)?;
    u32::try_from(n).map_err(|_| format!("'{s}' does not fit in 32 bits"))
}
