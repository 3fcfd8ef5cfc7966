// SPDX-License-Identifier: GPL-2.0 OR MIT

//! mlx5 (NVIDIA ConnectX) firmware commands over fwctl.
//!
//! An mlx5 fwctl RPC is one firmware command: `fwctl_rpc.in` is the
//! command's input mailbox and `fwctl_rpc.out` its output mailbox, both in
//! the big-endian bit layouts of `include/linux/mlx5/mlx5_ifc.h`, where a
//! field at bit offset `o` of width `w` sits in the 32-bit big-endian word
//! `o / 32`, its most significant bit at bit `31 - o % 32`.
//!
//! Every input starts with the same header (`mbox_in_hdr`): the opcode
//! (u16 at byte 0), the user context id `uid` (u16 at byte 2, which the
//! driver overwrites with the descriptor's own) and `op_mod` (u16 at byte
//! 6).  Every output starts with `mbox_out_hdr`: the firmware's `status`
//! (u8 at byte 0) and, when it is not 0, a `syndrome` (u32 at byte 4) that
//! identifies the exact cause.  A command the firmware failed is still a
//! successful `FWCTL_RPC`: the failure is in the answer's status.
//!
//! The commands built here:
//!
//! - `QUERY_HCA_CAP` (0x100) of the general device capabilities
//!   (`cmd_hca_cap`), allowed by the driver at `FWCTL_RPC_CONFIGURATION`;
//! - `ACCESS_REG` (0x805) reading a register (`op_mod` 1), allowed at
//!   `FWCTL_RPC_DEBUG_READ_ONLY`, with MGIR (0x9020, general information:
//!   firmware version, PSID) decoded.
//!
//! Everything but the [`Mlx5Commands`] methods is pure and tested on the
//! host on hand-built buffers.  The mailbox headers, the `FWCTL_INFO` data
//! and the scope rules are those of the driver itself
//! (`crates/fwctl-uapi/src/mlx5_cmds.rs`, [`crate::mlx5_cmds`]).

use crate::device::Transport;
use crate::error::{Error, Result};
use crate::mlx5_cmds;
use crate::uapi::Scope;
use serde::Serialize;

pub use crate::mlx5_cmds::{InHdr as InHeader, OutHdr as OutHeader};

/// Size of the input and output mailbox headers.
pub const MBOX_HDR_SIZE: usize = mlx5_cmds::IN_HDR_LEN;
const _: () = assert!(mlx5_cmds::OUT_HDR_LEN == MBOX_HDR_SIZE);
/// `MLX5_CMD_OP_QUERY_HCA_CAP`.
pub const OP_QUERY_HCA_CAP: u16 = 0x100;
/// `MLX5_CMD_OP_ACCESS_REG`.
pub const OP_ACCESS_REG: u16 = 0x805;
/// `MLX5_SET_HCA_CAP_OP_MOD_GENERAL_DEVICE`: the general capabilities.
pub const CAP_GENERAL_DEVICE: u16 = 0;
/// `HCA_CAP_OPMOD_GET_CUR`: the low bit of `op_mod` asks for the current
/// values; 0 asks for the maximum the device supports.
pub const CAP_OPMOD_CURRENT: u16 = 1;
/// Size of a capability page (`union mlx5_ifc_hca_cap_union_bits`).
pub const CAP_SIZE: usize = 0x1000;
/// Where the capability page starts in `query_hca_cap_out`.
pub const CAP_OFFSET: usize = MBOX_HDR_SIZE;
/// `MLX5_ACCESS_REGISTER_IN_OP_MOD_READ`.
pub const ACCESS_REG_READ: u16 = 1;
/// `MLX5_ACCESS_REGISTER_IN_OP_MOD_WRITE`.
pub const ACCESS_REG_WRITE: u16 = 0;
/// Where the register data starts in `access_register_in` and `_out`.
pub const REG_DATA_OFFSET: usize = MBOX_HDR_SIZE;
/// The scope `QUERY_HCA_CAP` needs (the driver's rule,
/// [`mlx5_cmds::required_scope`], says the same: a host test checks).
pub const CAPS_SCOPE: Scope = Scope::Configuration;
/// The scope an `ACCESS_REG` read needs.
pub const REG_READ_SCOPE: Scope = Scope::DebugReadOnly;

/// `MLX5_UCTX_CAP_RAW_TX`.
pub const UCTX_CAP_RAW_TX: u32 = 1 << 0;
/// `MLX5_UCTX_CAP_INTERNAL_DEV_RES`.
pub const UCTX_CAP_INTERNAL_DEV_RES: u32 = 1 << 1;
/// `MLX5_UCTX_OBJECT_CAP_TOOLS_RESOURCES`: the user context may run the
/// commands that read and change global device state.
pub const UCTX_CAP_TOOLS_RESOURCES: u32 = mlx5_cmds::UCTX_CAP_TOOLS_RESOURCES;

// ---------------------------------------------------------------------------
// Bit fields
// ---------------------------------------------------------------------------

/// Reads the field at bit offset `bit`, `width` bits wide (1..=32, within
/// one 32-bit word, or 64 at a 64-bit boundary), of a `mlx5_ifc` layout.
/// Bytes past the end of `buf` read as 0.
pub fn get_bits(buf: &[u8], bit: usize, width: usize) -> u64 {
    let word = |i: usize| -> u64 {
        let mut w = [0u8; 4];
        for (j, b) in w.iter_mut().enumerate() {
            *b = buf.get(i * 4 + j).copied().unwrap_or(0);
        }
        u64::from(u32::from_be_bytes(w))
    };
    if width == 64 {
        return (word(bit / 32) << 32) | word(bit / 32 + 1);
    }
    let shift = 32 - (bit % 32) - width;
    (word(bit / 32) >> shift) & ((1u64 << width) - 1)
}

/// Writes `value` into the field at bit offset `bit`, `width` bits wide
/// (as [`get_bits`]); `buf` must hold the field's word.
pub fn set_bits(buf: &mut [u8], bit: usize, width: usize, value: u64) {
    if width == 64 {
        set_bits(buf, bit, 32, value >> 32);
        set_bits(buf, bit + 32, 32, value & 0xffff_ffff);
        return;
    }
    let i = bit / 32 * 4;
    let shift = 32 - (bit % 32) - width;
    let mask = (((1u64 << width) - 1) << shift) as u32;
    let mut w = u32::from_be_bytes([buf[i], buf[i + 1], buf[i + 2], buf[i + 3]]);
    w = (w & !mask) | (((value << shift) as u32) & mask);
    buf[i..i + 4].copy_from_slice(&w.to_be_bytes());
}

// ---------------------------------------------------------------------------
// Mailbox headers
// ---------------------------------------------------------------------------

/// `mbox_in_hdr` for `opcode` and `op_mod`, uid 0 (the driver sets it).
pub fn in_header(opcode: u16, op_mod: u16) -> [u8; MBOX_HDR_SIZE] {
    let mut h = [0u8; MBOX_HDR_SIZE];
    InHeader::new(opcode, op_mod).write(&mut h);
    h
}

/// Decodes an `mbox_in_hdr`; `None` if `b` is shorter than a header.
pub fn parse_in_header(b: &[u8]) -> Option<InHeader> {
    InHeader::parse(b)
}

/// Decodes an `mbox_out_hdr`; `None` if `b` is shorter than a header.
pub fn parse_out_header(b: &[u8]) -> Option<OutHeader> {
    OutHeader::parse(b)
}

/// The name of a command status (`MLX5_CMD_STAT_*`) and what it means.
pub fn status_name(status: u8) -> &'static str {
    match status {
        0x00 => "OK",
        0x01 => "INT_ERR: internal error",
        0x02 => "BAD_OP_ERR: bad operation",
        0x03 => "BAD_PARAM_ERR: bad parameter",
        0x04 => "BAD_SYS_STATE_ERR: bad system state",
        0x05 => "BAD_RES_ERR: bad resource",
        0x06 => "RES_BUSY: resource busy",
        0x07 => "NOT_READY: firmware not ready",
        0x08 => "LIM_ERR: limits exceeded",
        0x09 => "BAD_RES_STATE_ERR: bad resource state",
        0x0a => "IX_ERR: bad index",
        0x0f => "NO_RES_ERR: no resources",
        0x10 => "BAD_QP_STATE_ERR: bad QP state",
        0x30 => "BAD_PKT_ERR: bad packet",
        0x40 => "BAD_SIZE_OUTS_CQES_ERR: too many outstanding CQEs",
        0x50 => "BAD_INP_LEN_ERR: bad input length",
        0x51 => "BAD_OUTP_LEN_ERR: bad output length",
        _ => "unknown status",
    }
}

/// Checks an answer's header: its length covers the header and `need`
/// bytes in all, and the firmware's status is OK.  A failed status is an
/// [`Error::Firmware`] naming the status and the syndrome.
pub fn check_answer(device: &str, command: &str, out: &[u8], need: usize) -> Result<()> {
    let h = parse_out_header(out).ok_or_else(|| Error::Device {
        device: device.into(),
        message: format!(
            "{command}: answer of {} bytes, shorter than the mlx5 output header",
            out.len()
        ),
    })?;
    if h.status != 0 {
        return Err(Error::Firmware {
            device: device.into(),
            command: command.into(),
            kind: "mlx5 command status",
            status: u32::from(h.status),
            status_name: status_name(h.status),
            syndrome: Some(h.syndrome),
        });
    }
    if out.len() < need {
        return Err(Error::Device {
            device: device.into(),
            message: format!("{command}: answer of {} bytes, {need} expected", out.len()),
        });
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// FWCTL_INFO
// ---------------------------------------------------------------------------

/// `struct fwctl_info_mlx5`, the driver's `FWCTL_INFO` data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct InfoMlx5 {
    /// The firmware user context id of this descriptor: the driver puts it
    /// in every command.
    pub uid: u32,
    /// The capabilities of that user context (`UCTX_CAP_*`).
    pub uctx_caps: u32,
}

/// Size of `struct fwctl_info_mlx5`.
pub const INFO_SIZE: usize = mlx5_cmds::InfoMlx5::SIZE;

impl InfoMlx5 {
    /// Decodes the `FWCTL_INFO` data; `None` if too short.
    pub fn from_bytes(b: &[u8]) -> Option<InfoMlx5> {
        (b.len() >= INFO_SIZE).then(|| {
            let i = mlx5_cmds::InfoMlx5::from_bytes(b);
            InfoMlx5 {
                uid: i.uid,
                uctx_caps: i.uctx_caps,
            }
        })
    }

    /// The names of the capability bits set.
    pub fn cap_names(&self) -> Vec<&'static str> {
        [
            (UCTX_CAP_RAW_TX, "raw-tx"),
            (UCTX_CAP_INTERNAL_DEV_RES, "internal-dev-res"),
            (UCTX_CAP_TOOLS_RESOURCES, "tools-resources"),
        ]
        .iter()
        .filter(|c| self.uctx_caps & c.0 != 0)
        .map(|c| c.1)
        .collect()
    }
}

// ---------------------------------------------------------------------------
// QUERY_HCA_CAP
// ---------------------------------------------------------------------------

/// The `QUERY_HCA_CAP` input for capability type `cap_type`, current or
/// maximum values.
pub fn query_hca_cap_request(cap_type: u16, current: bool) -> Vec<u8> {
    let op_mod = (cap_type << 1) | if current { CAP_OPMOD_CURRENT } else { 0 };
    in_header(OP_QUERY_HCA_CAP, op_mod).to_vec()
}

/// Length of the `QUERY_HCA_CAP` output: header and one capability page.
pub const QUERY_HCA_CAP_OUT_SIZE: usize = CAP_OFFSET + CAP_SIZE;

/// How a capability's value reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Show {
    /// A count or number.
    Num,
    /// The base-2 logarithm of a count or size.
    Log2,
    /// A flag: the device supports something.
    Flag,
    /// A bit mask.
    Hex,
    /// `port_type`: 0 InfiniBand, 1 Ethernet.
    PortType,
}

/// One field of `cmd_hca_cap`: its bit offset and width in the layout.
#[derive(Clone, Copy, Debug)]
pub struct CapField {
    /// The field's name in `mlx5_ifc.h`.
    pub name: &'static str,
    /// Bit offset in `struct mlx5_ifc_cmd_hca_cap_bits`.
    pub bit: usize,
    /// Width in bits.
    pub width: usize,
    /// How its value reads.
    pub show: Show,
    /// What it is.
    pub what: &'static str,
}

const fn cap(
    name: &'static str,
    bit: usize,
    width: usize,
    show: Show,
    what: &'static str,
) -> CapField {
    CapField {
        name,
        bit,
        width,
        show,
        what,
    }
}

/// The general capabilities `fwctl mlx5 caps` shows, in the layout's order.
pub const GENERAL_CAPS: &[CapField] = &[
    cap(
        "hca_cap_2",
        0x20,
        1,
        Show::Flag,
        "has a second general capability page",
    ),
    cap(
        "vhca_id",
        0x30,
        16,
        Show::Num,
        "this function's virtual HCA id",
    ),
    cap(
        "log_max_qp_sz",
        0x88,
        8,
        Show::Log2,
        "work requests per queue pair",
    ),
    cap("log_max_qp", 0x9b, 5, Show::Log2, "queue pairs"),
    cap("log_max_srq", 0xab, 5, Show::Log2, "shared receive queues"),
    cap(
        "log_max_cq_sz",
        0xc8,
        8,
        Show::Log2,
        "entries per completion queue",
    ),
    cap("log_max_cq", 0xdb, 5, Show::Log2, "completion queues"),
    cap(
        "log_max_eq_sz",
        0xe0,
        8,
        Show::Log2,
        "entries per event queue",
    ),
    cap("log_max_mkey", 0xea, 6, Show::Log2, "memory keys"),
    cap("log_max_eq", 0xfc, 4, Show::Log2, "event queues"),
    cap(
        "qcam_reg",
        0x16f,
        1,
        Show::Flag,
        "QCAM register (QoS access capabilities)",
    ),
    cap(
        "gid_table_size",
        0x170,
        16,
        Show::Num,
        "GID table entries per port",
    ),
    cap(
        "pkey_table_size",
        0x190,
        16,
        Show::Num,
        "P_Key table entries per port",
    ),
    cap(
        "vport_group_manager",
        0x1a0,
        1,
        Show::Flag,
        "manages the vports of its group",
    ),
    cap(
        "eswitch_manager",
        0x1a7,
        1,
        Show::Flag,
        "manages the embedded switch",
    ),
    cap(
        "mcam_reg",
        0x1a9,
        1,
        Show::Flag,
        "MCAM register (management access capabilities)",
    ),
    cap(
        "pcam_reg",
        0x1aa,
        1,
        Show::Flag,
        "PCAM register (port access capabilities)",
    ),
    cap(
        "port_type",
        0x1b6,
        2,
        Show::PortType,
        "link layer of the ports",
    ),
    cap("num_ports", 0x1b8, 8, Show::Num, "physical ports"),
    cap("log_max_msg", 0x1c3, 5, Show::Log2, "bytes per message"),
    cap("max_tc", 0x1cc, 4, Show::Num, "traffic classes"),
    cap(
        "dcbx",
        0x1d1,
        1,
        Show::Flag,
        "DCBX (data center bridging exchange)",
    ),
    cap(
        "cqe_version",
        0x1fc,
        4,
        Show::Num,
        "completion queue entry format version",
    ),
    cap(
        "eth_net_offloads",
        0x21c,
        1,
        Show::Flag,
        "Ethernet stateless offloads",
    ),
    cap("roce", 0x21d, 1, Show::Flag, "RDMA over Converged Ethernet"),
    cap("atomic", 0x21e, 1, Show::Flag, "RDMA atomic operations"),
    cap(
        "log_pg_sz",
        0x258,
        8,
        Show::Log2,
        "bytes per page, at least",
    ),
    cap(
        "driver_version",
        0x261,
        1,
        Show::Flag,
        "takes the driver's version string",
    ),
    cap("log_max_pd", 0x32b, 5, Show::Log2, "protection domains"),
    cap("log_max_rq", 0x363, 5, Show::Log2, "receive queues"),
    cap("log_max_sq", 0x36b, 5, Show::Log2, "send queues"),
    cap(
        "log_max_tir",
        0x373,
        5,
        Show::Log2,
        "transport interface receive objects",
    ),
    cap(
        "log_max_tis",
        0x37b,
        5,
        Show::Log2,
        "transport interface send objects",
    ),
    cap(
        "general_obj_types",
        0x400,
        64,
        Show::Hex,
        "general object types supported",
    ),
    cap("log_max_uctx", 0x463, 5, Show::Log2, "user contexts (UIDs)"),
    cap("max_num_eqs", 0x470, 16, Show::Num, "event queues, exact"),
    cap(
        "device_frequency_khz",
        0x4e0,
        32,
        Show::Num,
        "device clock, kHz",
    ),
    cap("sf", 0x680, 1, Show::Flag, "scalable functions"),
    cap("log_max_sf", 0x683, 5, Show::Log2, "scalable functions"),
    cap(
        "uctx_cap",
        0x6a0,
        32,
        Show::Hex,
        "user context capabilities (0x4: tools resources)",
    ),
];

/// A capability's value, decoded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cap {
    /// The field's name in `mlx5_ifc.h`.
    pub name: &'static str,
    /// The raw value.
    pub value: u64,
    /// The value as a reader wants it (`2^17 = 131072`, `yes`, `Ethernet`).
    pub text: String,
    /// What the field is.
    pub what: &'static str,
}

/// The text of a value.
pub fn show_value(show: Show, v: u64) -> String {
    match show {
        Show::Num => v.to_string(),
        Show::Log2 if v < 64 => format!("2^{v} = {}", 1u64 << v),
        Show::Log2 => format!("2^{v}"),
        Show::Flag => if v != 0 { "yes" } else { "no" }.to_string(),
        Show::Hex => format!("{v:#x}"),
        Show::PortType => match v {
            0 => "InfiniBand".to_string(),
            1 => "Ethernet".to_string(),
            _ => format!("unknown ({v})"),
        },
    }
}

/// Decodes the fields of [`GENERAL_CAPS`] from a capability page.
pub fn decode_general_caps(page: &[u8]) -> Vec<Cap> {
    GENERAL_CAPS
        .iter()
        .map(|f| {
            let value = get_bits(page, f.bit, f.width);
            Cap {
                name: f.name,
                value,
                text: show_value(f.show, value),
                what: f.what,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// ACCESS_REG
// ---------------------------------------------------------------------------

/// A register the tool knows by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Register {
    /// Its name (`MGIR`).
    pub name: &'static str,
    /// Its register id.
    pub id: u16,
    /// Its length in bytes.
    pub len: usize,
    /// What it holds.
    pub what: &'static str,
}

const fn reg(name: &'static str, id: u16, len: usize, what: &'static str) -> Register {
    Register {
        name,
        id,
        len,
        what,
    }
}

/// `MGIR`, Management General Information Register.
pub const MGIR: Register = reg(
    "MGIR",
    0x9020,
    0xa0,
    "general information: hardware, firmware version, PSID",
);

/// The registers known by name: ids from `include/linux/mlx5/driver.h`,
/// lengths from the layouts in `mlx5_ifc.h` (MGIR's, which that file
/// lacks, from the programmer's reference manual).
pub const REGISTERS: &[Register] = &[
    MGIR,
    reg(
        "PAOS",
        0x5006,
        0x10,
        "port administrative and operational status",
    ),
    reg("PTYS", 0x5004, 0x40, "port type and speed"),
    reg("PMTU", 0x5003, 0x10, "port MTU"),
    reg("PMLP", 0x5002, 0x40, "port module to local port mapping"),
    reg("PPCNT", 0x5008, 0x100, "port performance counters"),
    reg("PDDR", 0x5031, 0x100, "port diagnostics database"),
    reg("MTCAP", 0x9009, 0x10, "temperature sensing capabilities"),
    reg("MTMP", 0x900a, 0x20, "temperature of a sensor"),
    reg("MFRL", 0x9028, 0x8, "firmware reset level"),
    reg("MRTC", 0x902d, 0x10, "real-time clock"),
    reg("MPEIN", 0x9050, 0x30, "PCIe information"),
    reg("MPCNT", 0x9051, 0x100, "PCIe performance counters"),
    reg("MCQS", 0x9060, 0x10, "component query status"),
    reg("MCAM", 0x907f, 0x48, "management access capabilities"),
];

/// Length used for a register the tool does not know, unless given.
pub const DEFAULT_REG_LEN: usize = 0x100;

/// Parses a register: a known name (any case), or an id in decimal or
/// `0x` hex.  Returns the id and the known register, if any.
pub fn parse_register(s: &str) -> std::result::Result<(u16, Option<Register>), String> {
    let t = s.trim();
    if let Some(r) = REGISTERS.iter().find(|r| r.name.eq_ignore_ascii_case(t)) {
        return Ok((r.id, Some(*r)));
    }
    let id = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) => u16::from_str_radix(h, 16),
        None => t.parse::<u16>(),
    }
    .map_err(|_| {
        let names: Vec<&str> = REGISTERS.iter().map(|r| r.name).collect();
        format!(
            "bad register '{s}': give a register id (e.g. 0x9020) or one of {}",
            names.join(", ")
        )
    })?;
    Ok((id, REGISTERS.iter().find(|r| r.id == id).copied()))
}

/// The `ACCESS_REG` input reading register `id` with `argument`: the
/// header, then `len` bytes of register data starting with `data` (the
/// register's index fields, if it has any), the rest zero.
pub fn access_reg_read_request(id: u16, argument: u32, data: &[u8], len: usize) -> Vec<u8> {
    let mut v = in_header(OP_ACCESS_REG, ACCESS_REG_READ).to_vec();
    v[10..12].copy_from_slice(&id.to_be_bytes());
    v[12..16].copy_from_slice(&argument.to_be_bytes());
    let mut body = vec![0u8; len.max(data.len())];
    body[..data.len()].copy_from_slice(data);
    v.extend(body);
    v
}

/// MGIR, decoded.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Mgir {
    /// PCI device id of the ASIC.
    pub device_id: u16,
    /// Hardware revision.
    pub hw_revision: u16,
    /// The hardware's own device id.
    pub hw_dev_id: u16,
    /// Physical ports.
    pub num_ports: u16,
    /// The first of the device's MAC addresses, if set.
    pub base_mac: Option<String>,
    /// Firmware version, `major.minor.sub_minor`.
    pub fw_version: String,
    /// Firmware build id.
    pub fw_build_id: u32,
    /// Firmware release date, `YYYY-MM-DD`, if set.
    pub fw_date: Option<String>,
    /// Firmware release time, `HH:MM`, if set.
    pub fw_time: Option<String>,
    /// The PSID: the board's identity for firmware images.
    pub psid: String,
    /// Version of the firmware's configuration (INI) file.
    pub ini_file_version: u32,
    /// The firmware is signed.
    pub fw_signed: bool,
    /// The firmware is a debug build.
    pub fw_debug: bool,
    /// The firmware's development branch tag, if any.
    pub dev_branch_tag: String,
}

/// `len` bytes of `d` from `at`, fewer if `d` ends sooner.
fn clipped(d: &[u8], at: usize, len: usize) -> &[u8] {
    d.get(at..).map_or(&[], |s| &s[..len.min(s.len())])
}

/// ASCII up to the first NUL, unprintable bytes as `.`, trailing blanks cut.
fn ascii(b: &[u8]) -> String {
    b.iter()
        .take_while(|&&c| c != 0)
        .map(|&c| {
            if c.is_ascii_graphic() || c == b' ' {
                c as char
            } else {
                '.'
            }
        })
        .collect::<String>()
        .trim_end()
        .to_string()
}

/// The bit offsets of MGIR's fields, per the programmer's reference manual
/// (four blocks: hardware_info at byte 0x00, fw_info at 0x20, sw_info at
/// 0x60, dev_info at 0x80).
pub mod mgir {
    /// `hardware_info.device_hw_revision`, 16 bits.
    pub const HW_REVISION: usize = 0x00;
    /// `hardware_info.device_id`, 16 bits.
    pub const DEVICE_ID: usize = 0x10;
    /// `hardware_info.num_ports`, 12 bits.
    pub const NUM_PORTS: usize = 0x24;
    /// `hardware_info.hw_dev_id`, 16 bits.
    pub const HW_DEV_ID: usize = 0x50;
    /// `hardware_info.manufacturing_base_mac_47_32`, 16 bits; bits 31:0
    /// follow.
    pub const BASE_MAC: usize = 0x90;
    /// `fw_info.debug` flag.
    pub const FW_DEBUG: usize = 0x105;
    /// `fw_info.signed_fw` flag.
    pub const FW_SIGNED: usize = 0x106;
    /// `fw_info.major`, then `minor` and `sub_minor`, 8 bits each (too
    /// small for today's versions: the extended fields hold those).
    pub const FW_VERSION: usize = 0x108;
    /// `fw_info.build_id`, 32 bits.
    pub const BUILD_ID: usize = 0x120;
    /// `fw_info.month` (8 bits), `day` (8), `year` (16), in BCD.
    pub const DATE: usize = 0x140;
    /// `fw_info.hour`, 16 bits BCD (`0x1234`: 12:34).
    pub const HOUR: usize = 0x170;
    /// `fw_info.psid`, 16 ASCII bytes.
    pub const PSID: usize = 0x180;
    /// Length of the PSID in bytes.
    pub const PSID_LEN: usize = 16;
    /// `fw_info.ini_file_version`, 32 bits.
    pub const INI_FILE_VERSION: usize = 0x200;
    /// `fw_info.extended_major`, then `_minor` and `_sub_minor`, 32 bits
    /// each.
    pub const EXT_VERSION: usize = 0x220;
    /// `dev_info.dev_branch_tag`, 28 ASCII bytes.
    pub const DEV_BRANCH_TAG: usize = 0x400;
    /// Length of the branch tag in bytes.
    pub const DEV_BRANCH_TAG_LEN: usize = 28;
}

/// Decodes MGIR's register data (a short one as far as it goes).  The
/// firmware version is the extended one when set, else the 8-bit fields.
pub fn decode_mgir(d: &[u8]) -> Mgir {
    let f = |bit: usize, width: usize| get_bits(d, bit, width);
    let ext = [
        f(mgir::EXT_VERSION, 32),
        f(mgir::EXT_VERSION + 32, 32),
        f(mgir::EXT_VERSION + 64, 32),
    ];
    let v = if ext != [0; 3] {
        ext
    } else {
        [
            f(mgir::FW_VERSION, 8),
            f(mgir::FW_VERSION + 8, 8),
            f(mgir::FW_VERSION + 16, 8),
        ]
    };
    let (month, day, year) = (
        f(mgir::DATE, 8),
        f(mgir::DATE + 8, 8),
        f(mgir::DATE + 16, 16),
    );
    let hour = f(mgir::HOUR, 16);
    let mac = (f(mgir::BASE_MAC, 16) << 32) | f(mgir::BASE_MAC + 16, 32);
    Mgir {
        device_id: f(mgir::DEVICE_ID, 16) as u16,
        hw_revision: f(mgir::HW_REVISION, 16) as u16,
        hw_dev_id: f(mgir::HW_DEV_ID, 16) as u16,
        num_ports: f(mgir::NUM_PORTS, 12) as u16,
        base_mac: (mac != 0).then(|| {
            mac.to_be_bytes()[2..]
                .iter()
                .map(|x| format!("{x:02x}"))
                .collect::<Vec<_>>()
                .join(":")
        }),
        fw_version: format!("{}.{}.{}", v[0], v[1], v[2]),
        fw_build_id: f(mgir::BUILD_ID, 32) as u32,
        fw_date: (year != 0).then(|| format!("{year:04x}-{month:02x}-{day:02x}")),
        fw_time: (hour != 0).then(|| format!("{:02x}:{:02x}", hour >> 8, hour & 0xff)),
        psid: ascii(clipped(d, mgir::PSID / 8, mgir::PSID_LEN)),
        ini_file_version: f(mgir::INI_FILE_VERSION, 32) as u32,
        fw_signed: f(mgir::FW_SIGNED, 1) != 0,
        fw_debug: f(mgir::FW_DEBUG, 1) != 0,
        dev_branch_tag: ascii(clipped(
            d,
            mgir::DEV_BRANCH_TAG / 8,
            mgir::DEV_BRANCH_TAG_LEN,
        )),
    }
}

// ---------------------------------------------------------------------------
// The commands, on a device
// ---------------------------------------------------------------------------

/// The mlx5 commands, for any [`Transport`] (`use fwctl::mlx5::Mlx5Commands`
/// to call them on a [`crate::Device`]).
pub trait Mlx5Commands: Transport {
    /// `QUERY_HCA_CAP` of `cap_type`: the capability page (4096 bytes),
    /// current or maximum values.
    fn mlx5_query_hca_cap(&self, cap_type: u16, current: bool) -> Result<Vec<u8>> {
        let mut out = vec![0u8; QUERY_HCA_CAP_OUT_SIZE];
        let n = self.rpc(
            CAPS_SCOPE,
            &query_hca_cap_request(cap_type, current),
            &mut out,
        )?;
        out.truncate(n.min(out.len()));
        check_answer(self.name(), "QUERY_HCA_CAP", &out, QUERY_HCA_CAP_OUT_SIZE)?;
        Ok(out[CAP_OFFSET..].to_vec())
    }

    /// The general capabilities, decoded.
    fn mlx5_general_caps(&self, current: bool) -> Result<Vec<Cap>> {
        Ok(decode_general_caps(
            &self.mlx5_query_hca_cap(CAP_GENERAL_DEVICE, current)?,
        ))
    }

    /// `ACCESS_REG` read of register `id`, `len` bytes, its index fields
    /// from `data`: the register's data.
    fn mlx5_read_register(
        &self,
        id: u16,
        argument: u32,
        data: &[u8],
        len: usize,
    ) -> Result<Vec<u8>> {
        let req = access_reg_read_request(id, argument, data, len);
        let body = req.len() - REG_DATA_OFFSET;
        let mut out = vec![0u8; REG_DATA_OFFSET + body];
        let n = self.rpc(REG_READ_SCOPE, &req, &mut out)?;
        out.truncate(n.min(out.len()));
        let command = match REGISTERS.iter().find(|r| r.id == id) {
            Some(r) => format!("ACCESS_REG read of {} ({id:#06x})", r.name),
            None => format!("ACCESS_REG read of register {id:#06x}"),
        };
        check_answer(self.name(), &command, &out, REG_DATA_OFFSET)?;
        Ok(out[REG_DATA_OFFSET.min(out.len())..].to_vec())
    }
}

impl<T: Transport + ?Sized> Mlx5Commands for T {}
