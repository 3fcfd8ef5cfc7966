// SPDX-License-Identifier: GPL-2.0 OR MIT

//! The data of the CXL features the specification defines, field by field:
//! decoding what Get Feature returns, and building what Set Feature takes
//! from it with some fields changed.
//!
//! A feature has two layouts (CXL 3.2): its readable attributes, which Get
//! Feature returns, and its writable attributes, which Set Feature takes.
//! They differ: patrol scrub reads a capability byte, the current and the
//! minimum cycle in one 16-bit word, then its flags, and writes the cycle
//! and the flags alone; ECS reads four bytes per media FRU and writes two.
//! [`Decoded::plan`] maps the one onto the other as the kernel's
//! `drivers/cxl/core/edac.c` does: it reads the current value, changes the
//! fields asked for, and writes every other writable field back as it was
//! (the reserved bits as zero).
//!
//! - patrol scrub control: 8.2.10.9.11.1, Tables 8-222 and 8-223
//!   (`struct cxl_scrub_rd_attrbs`, `cxl_scrub_wr_attrbs`);
//! - DDR5 error check scrub (ECS): 8.2.10.9.11.2, Tables 8-225 and 8-226
//!   (`struct cxl_ecs_rd_attrbs`, `cxl_ecs_wr_attrbs`), one record per
//!   media FRU;
//! - soft and hard post-package repair (sPPR, hPPR): 8.2.10.7.2.1 and
//!   8.2.10.7.2.2, Tables 8-128/8-129 and 8-131/8-132 (`struct
//!   cxl_memdev_ppr_rd_attrbs`); their common maintenance header is
//!   `struct cxl_memdev_repair_rd_attrbs_hdr`;
//! - cacheline, row, bank and rank sparing: 8.2.10.7.2.3, Tables 8-134 and
//!   8-135 (`struct cxl_memdev_sparing_rd_attrbs`).
//!
//! Everything here is a pure function of its arguments: the commands that
//! read and write the device are in [`crate::cxl`].

use crate::cxl_features::{self as cf, Uuid};
use serde::ser::{Serialize, SerializeMap, Serializer};

/// Where a field is in a layout: the bits of `mask` in the `size`-byte
/// little-endian word at byte `at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Loc {
    /// Byte offset (from the start of the layout, or of the media FRU's
    /// record).
    pub at: usize,
    /// 1 or 2 bytes.
    pub size: usize,
    /// The field's bits in that word.
    pub mask: u16,
}

impl Loc {
    /// The byte after the word.
    pub const fn end(&self) -> usize {
        self.at + self.size
    }

    /// The field's value in `d`, its record at `base`; `None` if `d` ends
    /// before the word.
    pub fn get(&self, d: &[u8], base: usize) -> Option<u16> {
        let at = base.checked_add(self.at)?;
        let w = match self.size {
            1 => u16::from(*d.get(at)?),
            _ => u16::from_le_bytes([*d.get(at)?, *d.get(at + 1)?]),
        };
        Some((w & self.mask) >> self.mask.trailing_zeros())
    }

    /// Stores `v` into the field's bits in `d`, the other bits kept.
    /// Returns `None`, and leaves `d` alone, if `d` ends before the word.
    pub fn put(&self, d: &mut [u8], base: usize, v: u16) -> Option<()> {
        let at = base.checked_add(self.at)?;
        let bytes = d.get_mut(at..at.checked_add(self.size)?)?;
        let old = match self.size {
            1 => u16::from(bytes[0]),
            _ => u16::from_le_bytes([bytes[0], bytes[1]]),
        };
        let w = (old & !self.mask) | ((v << self.mask.trailing_zeros()) & self.mask);
        bytes.copy_from_slice(&w.to_le_bytes()[..self.size]);
        Some(())
    }

    /// The largest value the field holds.
    pub const fn max(&self) -> u16 {
        self.mask >> self.mask.trailing_zeros()
    }
}

const fn at(at: usize, size: usize, mask: u16) -> Loc {
    Loc { at, size, mask }
}

/// How a field's value reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Show {
    /// A flag: yes or no.
    Bool,
    /// A flag whose bit set means no (the restriction flags).
    NotBool,
    /// A number of hours.
    Hours,
    /// A maintenance latency: a time scale, 0 = 1 µs up to 7 = 10 s.
    Latency,
    /// A maintenance operation class (Table 8-125).
    Class,
    /// A maintenance operation subclass, named after the class.
    Subclass,
    /// One of a list: (raw value, the name `fwctl cxl set` takes and JSON
    /// shows, the text).
    Choice(&'static [(u16, &'static str, &'static str)]),
    /// The DDR5 ECS error threshold: a code for 256, 1024 or 4096.
    Threshold,
    /// Write-only: writing 1 does something once (resets a counter).
    Action,
}

/// One field of a feature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    /// Its name: the key in JSON and the name `fwctl cxl set` takes,
    /// snake_case, with the unit when it has one (`scrub_cycle_hours`).
    pub name: &'static str,
    /// What the text output calls it.
    pub label: &'static str,
    /// Where Get Feature has it; `None`: write-only.
    pub rd: Option<Loc>,
    /// Where Set Feature takes it; `None`: read-only.
    pub wr: Option<Loc>,
    /// How its value reads.
    pub show: Show,
    /// Only in the newer versions of the layout: not shown when the data
    /// ends before it, and then not settable.
    pub optional: bool,
    /// A capability of the same record that must be yes for the field to
    /// change.
    pub needs: Option<&'static str>,
    /// A field of the same record holding the device's minimum for it.
    pub min: Option<&'static str>,
}

impl FieldSpec {
    /// Whether `fwctl cxl set` can write it.
    pub const fn settable(&self) -> bool {
        self.wr.is_some()
    }
}

const fn ro(name: &'static str, label: &'static str, rd: Loc, show: Show) -> FieldSpec {
    FieldSpec {
        name,
        label,
        rd: Some(rd),
        wr: None,
        show,
        optional: false,
        needs: None,
        min: None,
    }
}

const fn rw(name: &'static str, label: &'static str, rd: Loc, wr: Loc, show: Show) -> FieldSpec {
    FieldSpec {
        wr: Some(wr),
        ..ro(name, label, rd, show)
    }
}

/// The records a feature has one of per media FRU (ECS).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FruLayout {
    /// Where the first record starts in the readable attributes.
    pub rd_base: usize,
    /// The size of a readable record.
    pub rd_stride: usize,
    /// Where the first record starts in the writable attributes.
    pub wr_base: usize,
    /// The size of a writable record.
    pub wr_stride: usize,
    /// A record's fields, their offsets from the record's start.
    pub fields: &'static [FieldSpec],
}

/// The layouts of a feature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// The feature's short name (`patrol-scrub`).
    pub name: &'static str,
    /// Its UUID.
    pub uuid: Uuid,
    /// The device-wide fields, in groups (the maintenance features share a
    /// header).
    pub groups: &'static [&'static [FieldSpec]],
    /// The per-media-FRU records, for ECS.
    pub fru: Option<FruLayout>,
}

// ---------------------------------------------------------------------------
// The layouts
// ---------------------------------------------------------------------------

/// Patrol scrub control, Tables 8-222 (read: cap, cycle, flags; 4 bytes)
/// and 8-223 (write: cycle, flags; 2 bytes).
const PATROL_SCRUB: &[FieldSpec] = &[
    // CXL_SCRUB_CONTROL_CHANGEABLE
    ro(
        "cycle_changeable",
        "scrub cycle changeable",
        at(0, 1, 1 << 0),
        Show::Bool,
    ),
    // CXL_SCRUB_CONTROL_REALTIME
    ro(
        "realtime_report_capable",
        "realtime report capable",
        at(0, 1, 1 << 1),
        Show::Bool,
    ),
    // CXL_SCRUB_CONTROL_CYCLE_MASK, written as a byte.
    FieldSpec {
        needs: Some("cycle_changeable"),
        min: Some("min_scrub_cycle_hours"),
        ..rw(
            "scrub_cycle_hours",
            "scrub cycle",
            at(1, 2, 0x00ff),
            at(0, 1, 0xff),
            Show::Hours,
        )
    },
    // CXL_SCRUB_CONTROL_MIN_CYCLE_MASK
    ro(
        "min_scrub_cycle_hours",
        "minimum scrub cycle",
        at(1, 2, 0xff00),
        Show::Hours,
    ),
    // CXL_SCRUB_CONTROL_ENABLE, in the flags of both layouts.
    rw(
        "enabled",
        "enabled",
        at(3, 1, 1 << 0),
        at(1, 1, 1 << 0),
        Show::Bool,
    ),
];

/// ECS log entry types (`ECS_LOG_ENTRY_TYPE_*`).
const ECS_LOG_ENTRY_TYPES: &[(u16, &str, &str)] = &[
    (0, "dram", "per DRAM"),
    (1, "media_fru", "per memory media FRU"),
];

/// ECS count modes (`enum cxl_ecs_count_mode`).
const ECS_COUNT_MODES: &[(u16, &str, &str)] = &[
    (0, "rows", "rows with errors"),
    (1, "codewords", "codewords with errors"),
];

/// The ECS thresholds and their codes (`ECS_THRESHOLD_IDX_*`).
pub const ECS_THRESHOLDS: [(u16, u64); 3] = [(3, 256), (4, 1024), (5, 4096)];

/// DDR5 ECS, Table 8-225 (read: log capabilities, then per media FRU: its
/// capabilities, configuration, flags) and 8-226 (write: log capabilities,
/// then per media FRU its configuration).
const ECS: &[FieldSpec] = &[
    // CXL_ECS_LOG_ENTRY_TYPE_MASK
    rw(
        "log_entry_type",
        "log entry type",
        at(0, 1, 0x3),
        at(0, 1, 0x3),
        Show::Choice(ECS_LOG_ENTRY_TYPES),
    ),
];

const ECS_FRU: &[FieldSpec] = &[
    // CXL_ECS_REALTIME_REPORT_CAP_MASK
    ro(
        "realtime_report_capable",
        "realtime report capable",
        at(0, 1, 1 << 0),
        Show::Bool,
    ),
    // CXL_ECS_THRESHOLD_COUNT_MASK
    rw(
        "threshold",
        "error threshold",
        at(1, 2, 0x7),
        at(0, 2, 0x7),
        Show::Threshold,
    ),
    // CXL_ECS_COUNT_MODE_MASK
    rw(
        "count_mode",
        "count mode",
        at(1, 2, 1 << 3),
        at(0, 2, 1 << 3),
        Show::Choice(ECS_COUNT_MODES),
    ),
    // CXL_ECS_RESET_COUNTER_MASK: an action, not a setting.
    FieldSpec {
        name: "reset_counter",
        label: "reset error counter",
        rd: None,
        wr: Some(at(0, 2, 1 << 4)),
        show: Show::Action,
        optional: false,
        needs: None,
        min: None,
    },
];

/// The header the maintenance features (PPR, sparing) share: `struct
/// cxl_memdev_repair_rd_attrbs_hdr`, 16 bytes; the operation mode is the
/// first word of their writable attributes.
const MAINTENANCE: &[FieldSpec] = &[
    ro(
        "max_latency_us",
        "maximum operation latency",
        at(0, 1, 0xf),
        Show::Latency,
    ),
    // CXL_PPR_OP_CAP_DEVICE_INITIATED
    ro(
        "device_initiated_capable",
        "device-initiated operation capable",
        at(1, 2, 1 << 0),
        Show::Bool,
    ),
    // CXL_PPR_OP_MODE_DEV_INITIATED
    FieldSpec {
        needs: Some("device_initiated_capable"),
        ..rw(
            "device_initiated",
            "device-initiated operation",
            at(3, 2, 1 << 0),
            at(0, 2, 1 << 0),
            Show::Bool,
        )
    },
    ro("op_class", "operation class", at(5, 1, 0xff), Show::Class),
    ro(
        "op_subclass",
        "operation subclass",
        at(6, 1, 0xff),
        Show::Subclass,
    ),
];

/// sPPR and hPPR after the header, Tables 8-128 and 8-131: PPR flags,
/// restriction flags, PPR operation mode (20 bytes; the last byte is new
/// in CXL 3.2); written: the operation mode, then the PPR operation mode
/// (3 bytes).
const PPR: &[FieldSpec] = &[
    // CXL_PPR_FLAG_DPA_SUPPORT_MASK
    ro(
        "dpa_support",
        "repair by DPA supported",
        at(16, 1, 1 << 0),
        Show::Bool,
    ),
    // CXL_PPR_FLAG_NIB_SUPPORT_MASK
    ro(
        "nibble_support",
        "nibble mask supported",
        at(16, 1, 1 << 1),
        Show::Bool,
    ),
    // CXL_PPR_FLAG_MEM_SPARING_EV_REC_SUPPORT_MASK
    ro(
        "sparing_event_record_capable",
        "memory sparing event record capable",
        at(16, 1, 1 << 2),
        Show::Bool,
    ),
    // CXL_PPR_FLAG_DEV_INITED_PPR_AT_BOOT_CAP_MASK
    ro(
        "device_initiated_at_boot_capable",
        "repair at boot capable",
        at(16, 1, 1 << 3),
        Show::Bool,
    ),
    // CXL_PPR_RESTRICTION_FLAG_MEDIA_ACCESSIBLE_MASK: set means not.
    ro(
        "media_accessible",
        "media accessible during repair",
        at(17, 2, 1 << 0),
        Show::NotBool,
    ),
    // CXL_PPR_RESTRICTION_FLAG_DATA_RETAINED_MASK: set means not.
    ro(
        "data_retained",
        "data retained during repair",
        at(17, 2, 1 << 2),
        Show::NotBool,
    ),
    // CXL_PPR_SPARING_EV_REC_EN_MASK
    FieldSpec {
        optional: true,
        needs: Some("sparing_event_record_capable"),
        ..rw(
            "sparing_event_record",
            "memory sparing event record",
            at(19, 1, 1 << 0),
            at(2, 1, 1 << 0),
            Show::Bool,
        )
    },
    // CXL_PPR_DEV_INITED_PPR_AT_BOOT_EN_MASK
    FieldSpec {
        optional: true,
        needs: Some("device_initiated_at_boot_capable"),
        ..rw(
            "device_initiated_at_boot",
            "repair at boot",
            at(19, 1, 1 << 1),
            at(2, 1, 1 << 1),
            Show::Bool,
        )
    },
];

/// Memory sparing after the header, Table 8-134: a reserved byte, then the
/// restriction flags (19 bytes); written: the operation mode (2 bytes).
const SPARING: &[FieldSpec] = &[
    // CXL_SPARING_RD_CAP_SAFE_IN_USE_MASK: set means not.
    ro(
        "safe_when_in_use",
        "safe while the memory is in use",
        at(17, 2, 1 << 0),
        Show::NotBool,
    ),
    // CXL_SPARING_RD_CAP_HARD_SPARING_MASK
    ro(
        "hard_sparing_supported",
        "hard sparing supported",
        at(17, 2, 1 << 1),
        Show::Bool,
    ),
    // CXL_SPARING_RD_CAP_SOFT_SPARING_MASK
    ro(
        "soft_sparing_supported",
        "soft sparing supported",
        at(17, 2, 1 << 2),
        Show::Bool,
    ),
];

const fn sparing(name: &'static str, uuid: Uuid) -> Layout {
    Layout {
        name,
        uuid,
        groups: &[MAINTENANCE, SPARING],
        fru: None,
    }
}

const fn ppr(name: &'static str, uuid: Uuid) -> Layout {
    Layout {
        name,
        uuid,
        groups: &[MAINTENANCE, PPR],
        fru: None,
    }
}

/// Every feature this module decodes.
pub const LAYOUTS: [Layout; 8] = [
    Layout {
        name: "patrol-scrub",
        uuid: cf::CXL_FEAT_PATROL_SCRUB_UUID,
        groups: &[PATROL_SCRUB],
        fru: None,
    },
    Layout {
        name: "ecs",
        uuid: cf::CXL_FEAT_ECS_UUID,
        groups: &[ECS],
        fru: Some(FruLayout {
            rd_base: 1,
            rd_stride: 4,
            wr_base: 1,
            wr_stride: 2,
            fields: ECS_FRU,
        }),
    },
    ppr("sppr", cf::CXL_FEAT_SPPR_UUID),
    ppr("hppr", cf::CXL_FEAT_HPPR_UUID),
    sparing("cacheline-sparing", cf::CXL_FEAT_CACHELINE_SPARING_UUID),
    sparing("row-sparing", cf::CXL_FEAT_ROW_SPARING_UUID),
    sparing("bank-sparing", cf::CXL_FEAT_BANK_SPARING_UUID),
    sparing("rank-sparing", cf::CXL_FEAT_RANK_SPARING_UUID),
];

/// The layout of a feature, if this module decodes it.
pub fn layout(uuid: &Uuid) -> Option<&'static Layout> {
    LAYOUTS.iter().find(|l| &l.uuid == uuid)
}

// ---------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------

/// A decoded value, as JSON shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    /// A flag.
    Bool(bool),
    /// A number, in the unit its name says.
    Num(u64),
    /// One of a list, by name.
    Name(&'static str),
    /// A reserved encoding (JSON `null`; the text shows the raw value).
    Reserved,
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Num(n) => s.serialize_u64(*n),
            Value::Name(n) => s.serialize_str(n),
            Value::Reserved => s.serialize_none(),
        }
    }
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

fn hours(n: u64) -> String {
    if n == 1 {
        "1 hour".to_string()
    } else {
        format!("{n} hours")
    }
}

/// The latencies of the time scale codes 0 to 7, in µs, and their text.
const LATENCIES: [(u64, &str); 8] = [
    (1, "1 us"),
    (10, "10 us"),
    (100, "100 us"),
    (1_000, "1 ms"),
    (10_000, "10 ms"),
    (100_000, "100 ms"),
    (1_000_000, "1 s"),
    (10_000_000, "10 s"),
];

/// The name of a maintenance operation class (Table 8-125).
pub fn class_name(class: u16) -> Option<&'static str> {
    Some(match class {
        0 => "no operation",
        1 => "PPR",
        2 => "memory sparing",
        3 => "device built-in test",
        _ => return None,
    })
}

/// The name of a maintenance operation subclass of `class`.
pub fn subclass_name(class: u16, sub: u16) -> Option<&'static str> {
    Some(match (class, sub) {
        (1, 0) => "sPPR",
        (1, 1) => "hPPR",
        (2, 0) => "cacheline sparing",
        (2, 1) => "row sparing",
        (2, 2) => "bank sparing",
        (2, 3) => "rank sparing",
        _ => return None,
    })
}

/// The value and text of a raw field value; `class` is the record's
/// maintenance operation class, for [`Show::Subclass`].
fn render(show: Show, raw: u16, class: u16) -> (Value, String) {
    let n = u64::from(raw);
    let named = |name: Option<&str>| match name {
        Some(s) => format!("{raw} ({s})"),
        None => raw.to_string(),
    };
    match show {
        Show::Bool | Show::Action => (Value::Bool(raw != 0), yes_no(raw != 0)),
        Show::NotBool => (Value::Bool(raw == 0), yes_no(raw == 0)),
        Show::Hours => (Value::Num(n), hours(n)),
        Show::Latency => match LATENCIES.get(usize::from(raw)) {
            Some((us, text)) => (Value::Num(*us), text.to_string()),
            None => (Value::Reserved, format!("reserved ({raw:#x})")),
        },
        Show::Class => (Value::Num(n), named(class_name(raw))),
        Show::Subclass => (Value::Num(n), named(subclass_name(class, raw))),
        Show::Choice(list) => match list.iter().find(|c| c.0 == raw) {
            Some(c) => (Value::Name(c.1), c.2.to_string()),
            None => (Value::Reserved, format!("reserved ({raw})")),
        },
        Show::Threshold => match ECS_THRESHOLDS.iter().find(|t| t.0 == raw) {
            Some(t) => (Value::Num(t.1), format!("{} per Gb of memory cells", t.1)),
            None => (Value::Reserved, format!("reserved ({raw})")),
        },
    }
}

// ---------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------

/// One field, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldValue {
    /// The field.
    pub spec: &'static FieldSpec,
    /// Its raw bits, shifted down.
    pub raw: u16,
    /// Its value.
    pub value: Value,
    /// Its value in words, with the unit (`12 hours`).
    pub text: String,
}

/// A feature's readable attributes, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// The layout.
    pub layout: &'static Layout,
    /// The device-wide fields, in order.
    pub fields: Vec<FieldValue>,
    /// The fields of each media FRU's record (ECS), in order.
    pub frus: Vec<Vec<FieldValue>>,
    /// The data decoded.
    pub data: Vec<u8>,
}

impl Serialize for Decoded {
    /// `{"field": value, ...}`, and for ECS `"frus": [{"fru": 0,
    /// "field": value, ...}, ...]`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Fru<'a>(usize, &'a [FieldValue]);
        impl Serialize for Fru<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(self.1.len() + 1))?;
                m.serialize_entry("fru", &self.0)?;
                for f in self.1 {
                    m.serialize_entry(f.spec.name, &f.value)?;
                }
                m.end()
            }
        }
        let mut m = s.serialize_map(None)?;
        for f in &self.fields {
            m.serialize_entry(f.spec.name, &f.value)?;
        }
        if self.layout.fru.is_some() {
            let frus: Vec<Fru<'_>> = self
                .frus
                .iter()
                .enumerate()
                .map(|(i, f)| Fru(i, f))
                .collect();
            m.serialize_entry("frus", &frus)?;
        }
        m.end()
    }
}

impl Decoded {
    /// A device-wide field by name.
    pub fn field(&self, name: &str) -> Option<&FieldValue> {
        find_field(&self.fields, name)
    }

    /// The number of media FRUs (ECS), 0 for other features.
    pub fn num_frus(&self) -> usize {
        self.frus.len()
    }
}

impl Layout {
    /// Where a record starts in the readable and in the writable
    /// attributes: the device-wide fields' (`None`) or a media FRU's.
    pub fn bases(&self, fru: Option<usize>) -> (usize, usize) {
        match (fru, &self.fru) {
            (Some(i), Some(r)) => (r.rd_base + i * r.rd_stride, r.wr_base + i * r.wr_stride),
            _ => (0, 0),
        }
    }

    /// Every device-wide field.
    pub fn fields(&self) -> impl Iterator<Item = &'static FieldSpec> {
        self.groups.iter().flat_map(|g| g.iter())
    }

    /// A field by name: device-wide, or of a media FRU's record (`true`).
    pub fn find(&self, name: &str) -> Option<(&'static FieldSpec, bool)> {
        if let Some(f) = self.fields().find(|f| f.name == name) {
            return Some((f, false));
        }
        self.fru
            .and_then(|r| r.fields.iter().find(|f| f.name == name))
            .map(|f| (f, true))
    }

    /// The fields `fwctl cxl set` takes, `fruN.` marking those of a media
    /// FRU's record.
    pub fn settable(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .fields()
            .filter(|f| f.settable())
            .map(|f| f.name.to_string())
            .collect();
        if let Some(r) = &self.fru {
            v.extend(
                r.fields
                    .iter()
                    .filter(|f| f.settable())
                    .map(|f| format!("[fruN.]{}", f.name)),
            );
        }
        v
    }

    /// The size of the readable attributes without their optional fields,
    /// with one media FRU for ECS: what a Get Feature must return at least.
    pub fn min_len(&self) -> usize {
        let head = self
            .fields()
            .filter(|f| !f.optional)
            .filter_map(|f| f.rd.map(|l| l.end()))
            .max()
            .unwrap_or(0);
        match &self.fru {
            Some(r) => head.max(r.rd_base + r.rd_stride),
            None => head,
        }
    }

    /// Decodes a feature's readable attributes, as Get Feature returned
    /// them.  Data past the layout (a newer version's) is left alone; data
    /// that ends before the layout does is an error.
    pub fn decode(&'static self, data: &[u8]) -> Result<Decoded, String> {
        let need = self.min_len();
        if data.len() < need {
            return Err(format!(
                "{}: the data is {} bytes, the feature's layout has {need}",
                self.name,
                data.len()
            ));
        }
        let class = self
            .fields()
            .find(|f| f.show == Show::Class)
            .and_then(|f| f.rd?.get(data, 0))
            .unwrap_or(0);
        let record = |fields: &'static [FieldSpec], base: usize| -> Vec<FieldValue> {
            fields
                .iter()
                .filter_map(|spec| {
                    let raw = spec.rd?.get(data, base)?;
                    let (value, text) = render(spec.show, raw, class);
                    Some(FieldValue {
                        spec,
                        raw,
                        value,
                        text,
                    })
                })
                .collect()
        };
        let fields = self.groups.iter().flat_map(|g| record(g, 0)).collect();
        let frus = match &self.fru {
            Some(r) => (0..(data.len() - r.rd_base) / r.rd_stride)
                .map(|i| record(r.fields, r.rd_base + i * r.rd_stride))
                .collect(),
            None => Vec::new(),
        };
        Ok(Decoded {
            layout: self,
            fields,
            frus,
            data: data.to_vec(),
        })
    }

    /// Decodes a Get Feature answer of a feature whose data is `get_size`
    /// bytes: a shorter answer was cut short, and is refused.
    pub fn decode_answer(&'static self, data: &[u8], get_size: usize) -> Result<Decoded, String> {
        if data.len() < get_size {
            return Err(format!(
                "{}: Get Feature returned {} of the feature's {get_size} bytes",
                self.name,
                data.len()
            ));
        }
        self.decode(data)
    }
}

// ---------------------------------------------------------------------------
// Changing fields
// ---------------------------------------------------------------------------

/// One `FIELD=VALUE` of `fwctl cxl set`, checked against the layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    /// The field.
    pub spec: &'static FieldSpec,
    /// Whether it is a field of the media FRUs' records.
    pub per_fru: bool,
    /// With `fruN.`: that media FRU only; else all of them.
    pub fru: Option<usize>,
    /// The raw value to write.
    pub raw: u16,
    /// The argument as given.
    pub arg: String,
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "yes" | "y" | "on" | "1" | "true" | "enable" | "enabled" => Some(true),
        "no" | "n" | "off" | "0" | "false" | "disable" | "disabled" => Some(false),
        _ => None,
    }
}

/// The raw value of `v` for a field, or why it is not one.
fn parse_value(spec: &FieldSpec, v: &str) -> Result<u16, String> {
    let bools = "yes or no (on/off, 1/0)";
    let t = v.trim();
    match spec.show {
        Show::Bool => parse_bool(t)
            .map(u16::from)
            .ok_or_else(|| format!("must be {bools}")),
        Show::NotBool => parse_bool(t)
            .map(|b| u16::from(!b))
            .ok_or_else(|| format!("must be {bools}")),
        Show::Action => match parse_bool(t) {
            Some(b) => Ok(u16::from(b)),
            None => Err("must be yes (do it now) or no".to_string()),
        },
        Show::Hours => {
            let max = spec.wr.map_or(255, |l| l.max());
            let range = match spec.min {
                Some(_) => {
                    format!("must be from 1 to {max} hours, and at least the device's minimum")
                }
                None => format!("must be from 1 to {max} hours"),
            };
            match t.parse::<u16>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(range),
            }
        }
        Show::Choice(list) => {
            let l = t.to_ascii_lowercase().replace('-', "_");
            list.iter()
                .find(|c| c.1 == l || c.0.to_string() == l)
                .map(|c| c.0)
                .ok_or_else(|| {
                    let names: Vec<String> =
                        list.iter().map(|c| format!("{} ({})", c.1, c.0)).collect();
                    format!("must be one of {}", names.join(", "))
                })
        }
        Show::Threshold => ECS_THRESHOLDS
            .iter()
            .find(|th| t.parse::<u64>() == Ok(th.1))
            .map(|th| th.0)
            .ok_or_else(|| "must be 256, 1024 or 4096".to_string()),
        Show::Latency | Show::Class | Show::Subclass => Err("is read-only".to_string()),
    }
}

impl Layout {
    /// Parses one `FIELD=VALUE` (`fruN.FIELD=VALUE` for one media FRU's
    /// field): the field must exist and be settable, the value in its
    /// range as far as it is known without the device.
    pub fn parse_assignment(&'static self, arg: &str) -> Result<Assignment, String> {
        let settable = || self.settable().join(", ");
        let (lhs, value) = arg.split_once('=').ok_or_else(|| {
            format!(
                "{}: '{arg}' is not FIELD=VALUE (fields: {}; raw data: --raw HEX)",
                self.name,
                settable()
            )
        })?;
        let lhs = lhs.trim().to_ascii_lowercase().replace('-', "_");
        let (fru, name) = match lhs.split_once('.') {
            Some((f, n)) => {
                let i = f
                    .strip_prefix("fru")
                    .and_then(|i| i.parse::<usize>().ok())
                    .ok_or_else(|| {
                        format!(
                            "{}: '{arg}': a media FRU is named fruN (fru0, fru1, ...)",
                            self.name
                        )
                    })?;
                (Some(i), n)
            }
            None => (None, lhs.as_str()),
        };
        let (spec, per_fru) = self.find(name).ok_or_else(|| {
            format!(
                "{}: no field '{name}'; the settable fields are {}",
                self.name,
                settable()
            )
        })?;
        if !spec.settable() {
            return Err(format!(
                "{}: {name} is read-only; the settable fields are {}",
                self.name,
                settable()
            ));
        }
        if fru.is_some() && !per_fru {
            return Err(format!(
                "{}: {name} is not a field of a media FRU: give it without fruN.",
                self.name
            ));
        }
        let raw =
            parse_value(spec, value).map_err(|m| format!("{}: {arg}: {name} {m}", self.name))?;
        Ok(Assignment {
            spec,
            per_fru,
            fru,
            raw,
            arg: arg.to_string(),
        })
    }

    /// Parses every `FIELD=VALUE`, each as [`Layout::parse_assignment`].
    pub fn parse_assignments<S: AsRef<str>>(
        &'static self,
        args: &[S],
    ) -> Result<Vec<Assignment>, String> {
        args.iter()
            .map(|a| self.parse_assignment(a.as_ref()))
            .collect()
    }
}

/// A field that a Set Feature changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The field.
    pub spec: &'static FieldSpec,
    /// Its media FRU, for the fields of one.
    pub fru: Option<usize>,
    /// Its current value; `None` for an action (write-only).
    pub old: Option<FieldValue>,
    /// The value written.
    pub new: FieldValue,
}

impl Serialize for Change {
    /// `{"field": name, ["fru": N,] "old": value, "new": value}`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("field", self.spec.name)?;
        if let Some(i) = self.fru {
            m.serialize_entry("fru", &i)?;
        }
        m.serialize_entry("old", &self.old.as_ref().map(|o| o.value))?;
        m.serialize_entry("new", &self.new.value)?;
        m.end()
    }
}

/// What a Set Feature writes and what it changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The writable attributes.
    pub data: Vec<u8>,
    /// The fields that change, in the order given.
    pub changes: Vec<Change>,
}

/// A write-only field to write: where, and what.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Action {
    fru: Option<usize>,
    spec: &'static FieldSpec,
    raw: u16,
}

/// The field `name` among a record's decoded fields.
fn find_field<'a>(fields: &'a [FieldValue], name: &str) -> Option<&'a FieldValue> {
    fields.iter().find(|f| f.spec.name == name)
}

/// The raw value of the field `name` among a record's decoded fields.
fn raw_of(fields: &[FieldValue], name: &str) -> Option<u16> {
    find_field(fields, name).map(|f| f.raw)
}

impl Decoded {
    /// The writable attributes for these readable ones with `assigns`
    /// applied, and what changes; `set_size` is the most Set Feature
    /// takes.  Every writable field not assigned keeps its current value;
    /// an action is written only where asked.  Refused: a value out of the
    /// device's range (below its minimum, a capability it lacks), a media
    /// FRU it does not have, a field its version of the layout lacks.
    pub fn plan(&self, set_size: usize, assigns: &[Assignment]) -> Result<Plan, String> {
        let l = self.layout;
        let name = l.name;
        let mut state = self.data.clone();
        let mut actions: Vec<Action> = Vec::new();
        // (field, media FRU) of each change, in order, each once.
        let mut touched: Vec<(&'static FieldSpec, Option<usize>)> = Vec::new();
        let n = self.num_frus();
        for a in assigns {
            let spec = a.spec;
            let targets: Vec<Option<usize>> = match (a.per_fru, a.fru) {
                (false, _) => vec![None],
                (true, Some(i)) if i < n => vec![Some(i)],
                (true, Some(i)) => {
                    return Err(format!(
                        "{name}: {}: there is no media FRU {i}: the device has {n} (fru0 to fru{})",
                        a.arg,
                        n.saturating_sub(1)
                    ))
                }
                (true, None) => (0..n).map(Some).collect(),
            };
            let wr = spec
                .wr
                .ok_or_else(|| format!("{name}: {} is read-only", spec.name))?;
            for t in targets {
                let (rd_base, wr_base) = l.bases(t);
                let record = match t {
                    Some(i) => &self.frus[i][..],
                    None => &self.fields[..],
                };
                if wr_base + wr.end() > set_size {
                    return Err(format!(
                        "{name}: {} cannot be set on this device: its Set Feature takes \
                         {set_size} bytes",
                        spec.name
                    ));
                }
                match spec.rd {
                    Some(rd) => {
                        let old = rd.get(&self.data, rd_base).ok_or_else(|| {
                            format!(
                                "{name}: {} cannot be set: this device's version of the \
                                 feature lacks it",
                                spec.name
                            )
                        })?;
                        if let Some(cap) = spec.needs {
                            if old != a.raw && raw_of(record, cap) == Some(0) {
                                return Err(format!(
                                    "{name}: {}: the device cannot change it ({cap} is no)",
                                    a.arg
                                ));
                            }
                        }
                        if let Some(min_name) = spec.min {
                            let min = raw_of(record, min_name).unwrap_or(0);
                            if a.raw < min {
                                return Err(format!(
                                    "{name}: {}: {} must be from the device's minimum, {}, \
                                     to {}",
                                    a.arg,
                                    spec.name,
                                    render(spec.show, min, 0).1,
                                    render(spec.show, wr.max(), 0).1,
                                ));
                            }
                        }
                        rd.put(&mut state, rd_base, a.raw)
                            .ok_or_else(|| format!("{name}: {}: out of the data", spec.name))?;
                    }
                    None => {
                        actions.retain(|x| !(x.fru == t && x.spec == spec));
                        actions.push(Action {
                            fru: t,
                            spec,
                            raw: a.raw,
                        });
                    }
                }
                touched.retain(|x| !(x.0 == spec && x.1 == t));
                touched.push((spec, t));
            }
        }
        let new = l.decode(&state)?;
        let data = new.write_data(set_size, &actions);
        let pick = |d: &Decoded, spec: &FieldSpec, t: Option<usize>| -> Option<FieldValue> {
            let rec = match t {
                Some(i) => d.frus.get(i)?,
                None => &d.fields,
            };
            rec.iter().find(|f| f.spec == spec).cloned()
        };
        let mut changes = Vec::with_capacity(touched.len());
        for (spec, t) in touched {
            let new_value = match spec.rd {
                Some(_) => pick(&new, spec, t),
                None => actions
                    .iter()
                    .find(|x| x.spec == spec && x.fru == t)
                    .map(|x| {
                        let (value, text) = render(spec.show, x.raw, 0);
                        FieldValue {
                            spec,
                            raw: x.raw,
                            value,
                            text,
                        }
                    }),
            };
            let new_value = new_value
                .ok_or_else(|| format!("{name}: {} is missing from the new value", spec.name))?;
            changes.push(Change {
                spec,
                fru: t,
                old: pick(self, spec, t),
                new: new_value,
            });
        }
        Ok(Plan { data, changes })
    }

    /// The writable attributes of these readable ones, unchanged: every
    /// writable field the data has, as it is; reserved bits zero.  At most
    /// `set_size` bytes: fields past it are left out.
    pub fn write_data_unchanged(&self, set_size: usize) -> Vec<u8> {
        self.write_data(set_size, &[])
    }

    /// The writable attributes, with `actions` written where they are
    /// asked.
    fn write_data(&self, set_size: usize, actions: &[Action]) -> Vec<u8> {
        let l = self.layout;
        // (media FRU, fields) of each record.
        let mut records: Vec<(Option<usize>, &[FieldSpec])> =
            l.groups.iter().map(|g| (None, &g[..])).collect();
        if let Some(r) = &l.fru {
            records.extend((0..self.num_frus()).map(|i| (Some(i), r.fields)));
        }
        // A field is written if Set Feature takes it and the data has it;
        // the attributes end with the last one.  A write-only field counts
        // too, though only an action gives it a value.
        let mut out = Vec::new();
        for &(t, fields) in &records {
            let (rb, wb) = l.bases(t);
            for spec in fields {
                let Some(w) = spec.wr else { continue };
                let end = wb + w.end();
                if end > set_size {
                    continue;
                }
                let value = match spec.rd {
                    Some(r) => match r.get(&self.data, rb) {
                        Some(v) => Some(v),
                        None => continue,
                    },
                    None => None,
                };
                if out.len() < end {
                    out.resize(end, 0);
                }
                if let Some(v) = value {
                    // In bounds: `out` was just made to cover it.
                    let _ = w.put(&mut out, wb, v);
                }
            }
        }
        for a in actions {
            if let Some(w) = a.spec.wr {
                let _ = w.put(&mut out, l.bases(a.fru).1, a.raw);
            }
        }
        out
    }
}
