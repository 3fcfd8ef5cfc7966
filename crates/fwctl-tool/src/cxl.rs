// SPDX-License-Identifier: GPL-2.0 OR MIT

//! CXL Features over fwctl (`Documentation/cxl.rst`): Get Supported
//! Features (0500h), Get Feature (0501h) and Set Feature (0502h).
//!
//! Request builders and response parsers are pure functions; the
//! `Device` methods at the end send them.  The features' data, field by
//! field, is [`crate::cxl_decode`]'s.

use crate::cxl_decode::{layout, Assignment, Decoded, Layout, Plan};
use crate::cxl_features::{
    self as cf, FeatEntry, GetFeatIn, GetFeatSelection, GetSupFeatsIn, GetSupFeatsOutHdr,
    RpcCxlHdr, RpcCxlOutHdr, SetFeatInHdr, Uuid,
};
pub use crate::device::Transport;
use crate::error::{Error, Result};
use crate::uapi::Scope;
use serde::Serialize;

/// The features `cxl_features` knows by UUID: (short name, description).
pub const KNOWN_FEATURES: [(Uuid, &str, &str); 8] = [
    (
        cf::CXL_FEAT_PATROL_SCRUB_UUID,
        "patrol-scrub",
        "Patrol scrub control",
    ),
    (cf::CXL_FEAT_ECS_UUID, "ecs", "DDR5 error check scrub (ECS)"),
    (cf::CXL_FEAT_SPPR_UUID, "sppr", "Soft post-package repair"),
    (cf::CXL_FEAT_HPPR_UUID, "hppr", "Hard post-package repair"),
    (
        cf::CXL_FEAT_CACHELINE_SPARING_UUID,
        "cacheline-sparing",
        "Cacheline sparing",
    ),
    (cf::CXL_FEAT_ROW_SPARING_UUID, "row-sparing", "Row sparing"),
    (
        cf::CXL_FEAT_BANK_SPARING_UUID,
        "bank-sparing",
        "Bank sparing",
    ),
    (
        cf::CXL_FEAT_RANK_SPARING_UUID,
        "rank-sparing",
        "Rank sparing",
    ),
];

/// The short name of a known feature.
pub fn feature_name(uuid: &Uuid) -> Option<&'static str> {
    KNOWN_FEATURES.iter().find(|k| &k.0 == uuid).map(|k| k.1)
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, bytes in wire order.
pub fn format_uuid(u: &Uuid) -> String {
    let h: Vec<String> = u.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        h[0..4].concat(),
        h[4..6].concat(),
        h[6..8].concat(),
        h[8..10].concat(),
        h[10..16].concat()
    )
}

/// Parses a UUID in its usual text form (dashes optional), or the short
/// name of a known feature (`patrol-scrub`, `ecs`, ...).
pub fn parse_feature(s: &str) -> std::result::Result<Uuid, String> {
    let l = s.trim().to_ascii_lowercase().replace('_', "-");
    if let Some(k) = KNOWN_FEATURES.iter().find(|k| k.1 == l) {
        return Ok(k.0);
    }
    let hex: String = l.chars().filter(|&c| c != '-').collect();
    if hex.len() != 32 || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
        let names: Vec<&str> = KNOWN_FEATURES.iter().map(|k| k.1).collect();
        return Err(format!(
            "bad feature '{s}': give a UUID or one of {}",
            names.join(", ")
        ));
    }
    let mut u = [0u8; 16];
    for (i, b) in u.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|e| e.to_string())?;
    }
    Ok(u)
}

/// The names of the `CXL_FEATURE_F_*` flags set in `flags`.
pub fn flag_names(flags: u32) -> Vec<&'static str> {
    [
        (cf::CXL_FEATURE_F_CHANGEABLE, "changeable"),
        (cf::CXL_FEATURE_F_PERSIST_FW_UPDATE, "persist-fw-update"),
        (cf::CXL_FEATURE_F_DEFAULT_SEL, "default-sel"),
        (cf::CXL_FEATURE_F_SAVED_SEL, "saved-sel"),
    ]
    .iter()
    .filter(|f| flags & f.0 != 0)
    .map(|f| f.1)
    .collect()
}

/// The names of the `CXL_CMD_*` effects set in `effects`.
pub fn effect_names(effects: u16) -> Vec<&'static str> {
    [
        (
            cf::CXL_CMD_CONFIG_CHANGE_COLD_RESET,
            "config-change-cold-reset",
        ),
        (
            cf::CXL_CMD_CONFIG_CHANGE_IMMEDIATE,
            "config-change-immediate",
        ),
        (cf::CXL_CMD_DATA_CHANGE_IMMEDIATE, "data-change-immediate"),
        (
            cf::CXL_CMD_POLICY_CHANGE_IMMEDIATE,
            "policy-change-immediate",
        ),
        (cf::CXL_CMD_LOG_CHANGE_IMMEDIATE, "log-change-immediate"),
        (cf::CXL_CMD_SECURITY_STATE_CHANGE, "security-state-change"),
        (cf::CXL_CMD_BACKGROUND, "background"),
        (cf::CXL_CMD_BGCMD_ABORT_SUPPORTED, "bg-abort-supported"),
        (cf::CXL_CMD_EFFECTS_VALID, "effects-valid"),
        (
            cf::CXL_CMD_CONFIG_CHANGE_CONV_RESET,
            "config-change-conv-reset",
        ),
        (
            cf::CXL_CMD_CONFIG_CHANGE_CXL_RESET,
            "config-change-cxl-reset",
        ),
        (cf::CXL_CMD_EFFECTS_RESERVED, "reserved"),
    ]
    .iter()
    .filter(|f| effects & f.0 != 0)
    .map(|f| f.1)
    .collect()
}

/// The scope a Set Feature with these effects needs, or why the driver
/// refuses it ([`cf::set_feature_scope`]).
pub fn set_scope(effects: u16) -> std::result::Result<Scope, String> {
    cf::set_feature_scope(effects).map_err(|r| match r {
        cf::SetFeatureRefusal::ReservedEffects => "reserved effect bits set".to_string(),
        cf::SetFeatureRefusal::Background => "would run in the background".to_string(),
        cf::SetFeatureRefusal::NoEffects => "device reports no effect".to_string(),
        other => format!("{other:?}"),
    })
}

/// A CXL mailbox return code's name (CXL 3.x, Table 8-34), for the
/// common ones.
pub fn mbox_rc_name(rc: u32) -> &'static str {
    match rc {
        0 => "Success",
        1 => "Background Command Started",
        2 => "Invalid Input",
        3 => "Unsupported",
        4 => "Internal Error",
        5 => "Retry Required",
        6 => "Busy",
        7 => "Media Disabled",
        8 => "FW Transfer in Progress",
        0x0d => "Invalid Security State",
        0x12 => "Invalid Payload Length",
        0x15 => "Unsupported Mailbox or CCI",
        0x17 => "Feature Selection Not Supported",
        0x18 => "Feature Transfer In Progress",
        0x19 => "Feature Transfer Out of Order",
        0x1a => "Resources Exhausted",
        _ => "unknown return code",
    }
}

/// One Supported Feature Entry, decoded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Feature {
    /// The feature's UUID.
    pub uuid: String,
    /// Its short name, for the features fwctl knows.
    pub name: Option<&'static str>,
    /// Index of the entry.
    pub id: u16,
    /// Largest Get Feature data.
    pub get_size: u16,
    /// Largest Set Feature data; 0: cannot be set (through fwctl).
    pub set_size: u16,
    /// `CXL_FEATURE_F_*` bits.
    pub flags: u32,
    /// Their names.
    pub flag_names: Vec<&'static str>,
    /// Version of the Get Feature data.
    pub get_version: u8,
    /// Version of the Set Feature data.
    pub set_version: u8,
    /// `CXL_CMD_*` effects of a Set Feature.
    pub effects: u16,
    /// Their names.
    pub effect_names: Vec<&'static str>,
    /// The scope a Set Feature needs (`None` if it cannot be set).
    pub set_scope: Option<&'static str>,
    /// Why it cannot be set, if it cannot.
    pub set_refused: Option<String>,
    /// The raw entry.
    #[serde(skip)]
    pub raw: FeatEntry,
}

impl Feature {
    /// Decodes an entry.
    pub fn from_entry(e: &FeatEntry) -> Feature {
        let changeable = e.flags & cf::CXL_FEATURE_F_CHANGEABLE != 0 && e.set_feat_size != 0;
        let (set_scope, set_refused) = if !changeable {
            (None, Some("not changeable".to_string()))
        } else {
            match set_scope(e.effects) {
                Ok(s) => (Some(s.name()), None),
                Err(r) => (None, Some(r)),
            }
        };
        Feature {
            uuid: format_uuid(&e.uuid),
            name: feature_name(&e.uuid),
            id: e.id,
            get_size: e.get_feat_size,
            set_size: e.set_feat_size,
            flags: e.flags,
            flag_names: flag_names(e.flags),
            get_version: e.get_feat_ver,
            set_version: e.set_feat_ver,
            effects: e.effects,
            effect_names: effect_names(e.effects),
            set_scope,
            set_refused,
            raw: *e,
        }
    }
}

/// `fwctl_rpc.in` for a CXL opcode and payload.
pub fn request(opcode: u16, payload: &[u8]) -> Vec<u8> {
    let hdr = RpcCxlHdr {
        opcode: u32::from(opcode),
        flags: 0,
        op_size: payload.len() as u32,
        reserved1: 0,
    };
    let mut v = hdr.to_bytes().to_vec();
    v.extend_from_slice(payload);
    v
}

/// A Get Supported Features request for `n` entries from `start`.
pub fn get_supported_request(start: u16, n: usize) -> Vec<u8> {
    let req = GetSupFeatsIn {
        count: (n * cf::FEAT_ENTRY_SIZE).max(cf::SUP_FEATS_OUT_HDR_SIZE) as u32,
        start_idx: start,
        reserved: [0; 2],
    };
    request(cf::CXL_MBOX_OP_GET_SUPPORTED_FEATURES, &req.to_bytes())
}

/// A Get Feature request.
pub fn get_feature_request(uuid: &Uuid, offset: u16, count: u16, sel: GetFeatSelection) -> Vec<u8> {
    let req = GetFeatIn {
        uuid: *uuid,
        offset,
        count,
        selection: sel as u8,
    };
    request(cf::CXL_MBOX_OP_GET_FEATURE, &req.to_bytes())
}

/// A Set Feature request writing `data` at offset 0 in one transfer (the
/// driver splits it for the mailbox).
pub fn set_feature_request(uuid: &Uuid, version: u8, data: &[u8]) -> Vec<u8> {
    let hdr = SetFeatInHdr {
        uuid: *uuid,
        flags: cf::DataTransfer::Full as u32,
        offset: 0,
        version,
        rsvd: [0; 9],
    };
    let mut p = hdr.to_bytes().to_vec();
    p.extend_from_slice(data);
    request(cf::CXL_MBOX_OP_SET_FEATURE, &p)
}

/// Checks a response's header (mailbox return code) and returns its
/// payload, clipped to what `out` holds.  `device` and `command` name it
/// in errors; a non-zero return code is an [`Error::Firmware`].
pub fn response_payload<'a>(device: &str, command: &str, out: &'a [u8]) -> Result<&'a [u8]> {
    let hdr = RpcCxlOutHdr::from_bytes(out).map_err(|_| Error::Device {
        device: device.into(),
        message: format!("{command}: response too short ({} bytes)", out.len()),
    })?;
    if hdr.retval != 0 {
        return Err(Error::Firmware {
            device: device.into(),
            command: command.into(),
            kind: "CXL mailbox return code",
            status: hdr.retval,
            status_name: mbox_rc_name(hdr.retval),
            syndrome: None,
        });
    }
    let p = &out[cf::RPC_OUT_PAYLOAD_OFFSET..];
    let n = (hdr.size as usize).min(p.len());
    Ok(&p[..n])
}

/// Parses a Get Supported Features response: its header and entries.
pub fn parse_supported(device: &str, out: &[u8]) -> Result<(GetSupFeatsOutHdr, Vec<FeatEntry>)> {
    let p = response_payload(device, "Get Supported Features", out)?;
    let bad = |m: String| Error::Device {
        device: device.into(),
        message: m,
    };
    let hdr = GetSupFeatsOutHdr::from_bytes(p).map_err(|_| {
        bad(format!(
            "Get Supported Features answer too short ({} bytes)",
            p.len()
        ))
    })?;
    let body = &p[cf::SUP_FEATS_OUT_HDR_SIZE..];
    let n = hdr.num_entries as usize;
    if body.len() < n * cf::FEAT_ENTRY_SIZE {
        return Err(bad(format!(
            "Get Supported Features: {n} entries announced, {} bytes received",
            body.len()
        )));
    }
    let entries = body
        .chunks_exact(cf::FEAT_ENTRY_SIZE)
        .take(n)
        .map(FeatEntry::from_bytes)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|_| bad("bad feature entry".into()))?;
    Ok((hdr, entries))
}

/// Entries fetched per Get Supported Features RPC.
pub const ENTRIES_PER_RPC: usize = 256;

/// Output buffer size for `n` entries: out header, sup header, entries.
fn supported_out_len(n: usize) -> usize {
    cf::RPC_OUT_PAYLOAD_OFFSET + cf::SUP_FEATS_OUT_HDR_SIZE + n * cf::FEAT_ENTRY_SIZE
}

/// The CXL Features commands, for any [`Transport`] (`use
/// fwctl::cxl::CxlFeatures` to call them on a [`crate::Device`]).
pub trait CxlFeatures: Transport {
    /// Get Supported Features: every entry, as the driver shows them
    /// (features reserved to the kernel appear unchangeable).
    fn cxl_supported_features(&self) -> Result<Vec<Feature>> {
        let mut out = vec![0u8; supported_out_len(0)];
        self.rpc(Scope::Configuration, &get_supported_request(0, 0), &mut out)?;
        let (hdr, _) = parse_supported(self.name(), &out)?;
        let total = hdr.supported_feats as usize;
        let mut all = Vec::with_capacity(total);
        while all.len() < total {
            let n = (total - all.len()).min(ENTRIES_PER_RPC);
            let mut out = vec![0u8; supported_out_len(n)];
            let req = get_supported_request(all.len() as u16, n);
            self.rpc(Scope::Configuration, &req, &mut out)?;
            let (_, entries) = parse_supported(self.name(), &out)?;
            if entries.is_empty() {
                break;
            }
            all.extend(entries);
        }
        Ok(all.iter().map(Feature::from_entry).collect())
    }

    /// The entry of one feature.
    fn cxl_feature(&self, uuid: &Uuid) -> Result<Feature> {
        self.cxl_supported_features()?
            .into_iter()
            .find(|f| &f.raw.uuid == uuid)
            .ok_or_else(|| Error::Device {
                device: self.name().into(),
                message: format!("feature {} is not supported", format_uuid(uuid)),
            })
    }

    /// Get Feature: `count` bytes from `offset` of the selected value.
    fn cxl_get_feature_data(
        &self,
        uuid: &Uuid,
        offset: u16,
        count: u16,
        sel: GetFeatSelection,
    ) -> Result<Vec<u8>> {
        let mut out = vec![0u8; cf::RPC_OUT_PAYLOAD_OFFSET + count as usize];
        let req = get_feature_request(uuid, offset, count, sel);
        self.rpc(Scope::Configuration, &req, &mut out)?;
        Ok(response_payload(self.name(), "Get Feature", &out)?.to_vec())
    }

    /// Get Feature of the whole current value (its size from the
    /// supported features).
    fn cxl_get_feature(&self, uuid: &Uuid) -> Result<Vec<u8>> {
        Ok(self.cxl_read_feature(uuid)?.1)
    }

    /// The entry of a feature and its whole current value.
    fn cxl_read_feature(&self, uuid: &Uuid) -> Result<(Feature, Vec<u8>)> {
        let f = self.cxl_feature(uuid)?;
        let data = self.cxl_current_value(&f)?;
        Ok((f, data))
    }

    /// The whole current value of the feature of entry `f`.
    fn cxl_current_value(&self, f: &Feature) -> Result<Vec<u8>> {
        if f.get_size == 0 {
            return Ok(Vec::new());
        }
        self.cxl_get_feature_data(&f.raw.uuid, 0, f.get_size, GetFeatSelection::Current)
    }

    /// The current value of the feature of entry `f`, decoded with its
    /// layout `l`; an answer shorter than the feature's data or than the
    /// layout is an [`Error::Device`].
    fn cxl_decode_current(&self, l: &'static Layout, f: &Feature) -> Result<Decoded> {
        let data = self.cxl_current_value(f)?;
        l.decode_answer(&data, f.get_size.into())
            .map_err(|m| Error::Device {
                device: self.name().into(),
                message: m,
            })
    }

    /// `Ok` if the feature of entry `f` can be set, else why not, as an
    /// [`Error::Device`].
    fn cxl_check_settable(&self, f: &Feature) -> Result<()> {
        match &f.set_refused {
            Some(r) => Err(Error::Device {
                device: self.name().into(),
                message: format!("feature {} cannot be set: {r}", f.uuid),
            }),
            None => Ok(()),
        }
    }

    /// The current value of a feature this tool decodes, decoded
    /// ([`crate::cxl_decode`]); an answer shorter than the feature's data
    /// or than its layout is an [`Error::Device`].  `Ok(None)` for the
    /// other features.
    fn cxl_decode_feature(&self, uuid: &Uuid) -> Result<Option<(Feature, Decoded)>> {
        let Some(l) = layout(uuid) else {
            return Ok(None);
        };
        let f = self.cxl_feature(uuid)?;
        let d = self.cxl_decode_current(l, &f)?;
        Ok(Some((f, d)))
    }

    /// Set Feature by field: reads the current value (Get Feature, current
    /// selection), changes the fields of `assigns` (from
    /// [`crate::cxl_decode::Layout::parse_assignments`]), writes every
    /// other writable field back as it was.  A value out of the device's
    /// range is an [`Error::Invalid`], found before the Set Feature.
    /// Returns the scope used and what was written.
    fn cxl_set_fields(&self, uuid: &Uuid, assigns: &[Assignment]) -> Result<(Scope, Plan)> {
        let name = self.name().to_string();
        let l = layout(uuid).ok_or_else(|| {
            Error::Invalid(format!(
                "feature {} has no fields this tool knows: give its data with --raw HEX",
                format_uuid(uuid)
            ))
        })?;
        let f = self.cxl_feature(uuid)?;
        self.cxl_check_settable(&f)?;
        let cur = self.cxl_decode_current(l, &f)?;
        let plan = cur
            .plan(f.set_size.into(), assigns)
            .map_err(|m| Error::Invalid(format!("{name}: {m}")))?;
        let scope = self.cxl_set_feature_entry(&f, &plan.data)?;
        Ok((scope, plan))
    }

    /// Set Feature: writes `data` at offset 0 at the scope its effects
    /// need.  Returns that scope.
    fn cxl_set_feature(&self, uuid: &Uuid, data: &[u8]) -> Result<Scope> {
        let f = self.cxl_feature(uuid)?;
        self.cxl_set_feature_entry(&f, data)
    }

    /// Set Feature of the feature of entry `f` (from
    /// [`CxlFeatures::cxl_feature`]), as [`CxlFeatures::cxl_set_feature`].
    fn cxl_set_feature_entry(&self, f: &Feature, data: &[u8]) -> Result<Scope> {
        let uuid = &f.raw.uuid;
        let name = self.name().to_string();
        self.cxl_check_settable(f)?;
        if data.is_empty() || data.len() > f.set_size as usize {
            return Err(Error::Invalid(format!(
                "{name}: feature {} takes 1 to {} bytes, {} given",
                f.uuid,
                f.set_size,
                data.len()
            )));
        }
        let scope = set_scope(f.effects).map_err(|m| Error::Device {
            device: name.clone(),
            message: m,
        })?;
        let mut out = vec![0u8; cf::RPC_OUT_SIZE];
        self.rpc(
            scope,
            &set_feature_request(uuid, f.set_version, data),
            &mut out,
        )?;
        response_payload(&name, "Set Feature", &out)?;
        Ok(scope)
    }
}

impl<T: Transport + ?Sized> CxlFeatures for T {}
