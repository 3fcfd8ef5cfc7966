// SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR MIT

//! The fwctl uAPI (`uapi/fwctl/fwctl.h`) as Rust types, and the decisions
//! the core takes on the ioctl header before it touches a device.
//!
//! This file uses only `core`: it is compiled into `fwctl.ko`, into the
//! `fwctl-uapi` crate that userspace links, and into the host crate
//! `fwctl-logic`, whose `cargo test` checks it.

use core::mem::{offset_of, size_of};

/// An errno the uAPI documents, by name.  Each kernel maps it to its own
/// number (the numbers differ between architectures).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Errno {
    /// Operation not permitted.
    EPERM,
    /// No such device: the device was unregistered (hot unplug).
    ENODEV,
    /// Bad address.
    EFAULT,
    /// Argument list too long: non-zero bytes past what the kernel knows.
    E2BIG,
    /// Out of memory.
    ENOMEM,
    /// Invalid argument.
    EINVAL,
    /// Inappropriate ioctl for device.
    ENOTTY,
    /// Not a data message: the driver refused the request's contents.
    EBADMSG,
    /// Message too long.
    EMSGSIZE,
    /// Operation not supported.
    EOPNOTSUPP,
}

/// The ioctl type byte of fwctl.
pub const FWCTL_TYPE: u32 = 0x9A;
/// First command number.
pub const FWCTL_CMD_BASE: u32 = 0;
/// `FWCTL_INFO` command number.
pub const FWCTL_CMD_INFO: u32 = 0;
/// `FWCTL_RPC` command number.
pub const FWCTL_CMD_RPC: u32 = 1;

/// `_IO(type, nr)`: no direction and no size bits; fwctl carries the size in
/// the struct's first word instead.
pub const fn io(ty: u32, nr: u32) -> u32 {
    (ty << 8) | nr
}

/// `_IOC_NR(cmd)`.
pub const fn ioc_nr(cmd: u32) -> u32 {
    cmd & 0xff
}

/// The `FWCTL_INFO` ioctl number.
pub const FWCTL_INFO: u32 = io(FWCTL_TYPE, FWCTL_CMD_INFO);
/// The `FWCTL_RPC` ioctl number.
pub const FWCTL_RPC: u32 = io(FWCTL_TYPE, FWCTL_CMD_RPC);

/// Largest `in_len` and `out_len` of an RPC.
pub const MAX_RPC_LEN: u32 = 2 * 1024 * 1024;
/// Number of minors, and so of fwctl devices.
pub const MAX_DEVICES: u32 = 4096;

/// `enum fwctl_device_type`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceType {
    /// Never valid for a registered device.
    Error = 0,
    /// NVIDIA ConnectX (mlx5).
    Mlx5 = 1,
    /// CXL memory devices.
    Cxl = 2,
    /// Broadcom NetXtreme (bnxt).
    Bnxt = 3,
    /// AMD/Pensando (pds).
    Pds = 4,
}

/// `enum fwctl_rpc_scope`, ordered from least to most access.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Device configuration; leaves the device fully supported.
    Configuration = 0,
    /// Read-only debug information, compatible with lockdown.
    DebugReadOnly = 1,
    /// Lockdown-compatible debug writes; taints the kernel.
    DebugWrite = 2,
    /// Everything; needs `CAP_SYS_RAWIO` and taints the kernel.
    DebugWriteFull = 3,
}

impl Scope {
    /// Every scope, least access first.
    pub const ALL: [Scope; 4] = [
        Scope::Configuration,
        Scope::DebugReadOnly,
        Scope::DebugWrite,
        Scope::DebugWriteFull,
    ];

    /// The scope for a uAPI value, `None` for an unknown one.
    pub const fn from_u32(v: u32) -> Option<Scope> {
        match v {
            0 => Some(Scope::Configuration),
            1 => Some(Scope::DebugReadOnly),
            2 => Some(Scope::DebugWrite),
            3 => Some(Scope::DebugWriteFull),
            _ => None,
        }
    }

    /// Whether using this scope taints the kernel.
    pub const fn taints(self) -> bool {
        matches!(self, Scope::DebugWrite | Scope::DebugWriteFull)
    }

    /// The name used in sysfs and in log lines.
    pub const fn name(self) -> &'static str {
        match self {
            Scope::Configuration => "configuration",
            Scope::DebugReadOnly => "debug_read_only",
            Scope::DebugWrite => "debug_write",
            Scope::DebugWriteFull => "debug_write_full",
        }
    }
}

/// `struct fwctl_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FwctlInfo {
    /// `sizeof(struct fwctl_info)` as userspace knows it.
    pub size: u32,
    /// Must be 0.
    pub flags: u32,
    /// Out: the `DeviceType`.
    pub out_device_type: u32,
    /// In: length of the user's buffer; out: length of the driver's data.
    pub device_data_len: u32,
    /// User pointer to the buffer for the driver's data.
    pub out_device_data: u64,
}

/// `struct fwctl_rpc`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FwctlRpc {
    /// `sizeof(struct fwctl_rpc)` as userspace knows it.
    pub size: u32,
    /// A `Scope` value.
    pub scope: u32,
    /// Length of the request.
    pub in_len: u32,
    /// In: length of the response buffer; out: length of the response.
    pub out_len: u32,
    /// User pointer to the request.
    pub r#in: u64,
    /// User pointer to the response buffer.
    pub out: u64,
}

const _: () = {
    assert!(size_of::<FwctlInfo>() == 24);
    assert!(offset_of!(FwctlInfo, out_device_data) == 16);
    assert!(size_of::<FwctlRpc>() == 32);
    assert!(offset_of!(FwctlRpc, r#in) == 16);
    assert!(offset_of!(FwctlRpc, out) == 24);
};

/// The ioctls the core implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// `FWCTL_INFO`.
    Info,
    /// `FWCTL_RPC`.
    Rpc,
}

/// One row of the ioctl table.
#[derive(Clone, Copy, Debug)]
pub struct IoctlOp {
    /// The full ioctl number.
    pub ioctl: u32,
    /// The command.
    pub cmd: Command,
    /// Size of the struct the kernel knows.
    pub size: usize,
    /// Smallest size userspace may pass: the end of the last mandatory field.
    pub min_size: usize,
}

/// The ioctl table, indexed by `_IOC_NR(cmd) - FWCTL_CMD_BASE`.
pub const IOCTL_OPS: [IoctlOp; 2] = [
    IoctlOp {
        ioctl: FWCTL_INFO,
        cmd: Command::Info,
        size: size_of::<FwctlInfo>(),
        min_size: offset_of!(FwctlInfo, out_device_data) + size_of::<u64>(),
    },
    IoctlOp {
        ioctl: FWCTL_RPC,
        cmd: Command::Rpc,
        size: size_of::<FwctlRpc>(),
        min_size: offset_of!(FwctlRpc, out) + size_of::<u64>(),
    },
];

/// The largest struct in the table: the on-stack buffer size.
pub const MAX_CMD_SIZE: usize = 32;
const _: () = {
    let mut i = 0;
    while i < IOCTL_OPS.len() {
        assert!(IOCTL_OPS[i].size <= MAX_CMD_SIZE);
        assert!(IOCTL_OPS[i].min_size <= IOCTL_OPS[i].size);
        i += 1;
    }
};

/// Finds the table row of an ioctl number; `None` means `ENOTTY`.
pub fn lookup_ioctl(cmd: u32) -> Option<&'static IoctlOp> {
    let nr = ioc_nr(cmd).wrapping_sub(FWCTL_CMD_BASE) as usize;
    IOCTL_OPS.get(nr).filter(|op| op.ioctl == cmd)
}

/// How much of the user's struct to copy, or the errno for a bad size.
///
/// Mirrors the extensible-struct rules: a size below the minimum is
/// `EINVAL`; a larger size is allowed and its tail must be zero (checked
/// separately, it needs the user's memory).  Returns `(copy_len, tail_len)`.
pub fn user_struct_span(op: &IoctlOp, user_size: u32) -> Result<(usize, usize), Errno> {
    let user_size = user_size as usize;
    if user_size < op.min_size {
        return Err(Errno::EINVAL);
    }
    let copy = user_size.min(op.size);
    Ok((copy, user_size - copy))
}

/// Rejects RPC lengths over the limit.
pub fn check_rpc_lengths(rpc: &FwctlRpc) -> Result<(), Errno> {
    if rpc.in_len > MAX_RPC_LEN || rpc.out_len > MAX_RPC_LEN {
        return Err(Errno::EMSGSIZE);
    }
    Ok(())
}

/// A uAPI struct with a fixed wire form: native-endian fields at the C
/// header's offsets, no padding.  Encoded and decoded field by field, for
/// userspace code without a byte view of Rust values (the kernel core reads
/// and writes the structs in place, `FromBytes`/`AsBytes` in `abi.rs`).
pub trait Wire: Copy + Default {
    /// `sizeof` of the C struct.
    const SIZE: usize;

    /// Decodes from the start of `b`; fields `b` does not reach read as
    /// zero (an older, smaller struct from userspace).
    fn decode(b: &[u8]) -> Self;

    /// Encodes into `out[..Self::SIZE]` (`out` must be at least that long).
    fn encode(&self, out: &mut [u8]);
}

fn rd<const N: usize>(b: &[u8], at: usize) -> [u8; N] {
    let mut v = [0u8; N];
    if let Some(src) = b.get(at..) {
        let n = src.len().min(N);
        v[..n].copy_from_slice(&src[..n]);
    }
    v
}

fn rd32(b: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes(rd(b, at))
}

fn rd64(b: &[u8], at: usize) -> u64 {
    u64::from_ne_bytes(rd(b, at))
}

impl Wire for FwctlInfo {
    const SIZE: usize = size_of::<FwctlInfo>();

    fn decode(b: &[u8]) -> Self {
        FwctlInfo {
            size: rd32(b, offset_of!(FwctlInfo, size)),
            flags: rd32(b, offset_of!(FwctlInfo, flags)),
            out_device_type: rd32(b, offset_of!(FwctlInfo, out_device_type)),
            device_data_len: rd32(b, offset_of!(FwctlInfo, device_data_len)),
            out_device_data: rd64(b, offset_of!(FwctlInfo, out_device_data)),
        }
    }

    fn encode(&self, out: &mut [u8]) {
        out[0..4].copy_from_slice(&self.size.to_ne_bytes());
        out[4..8].copy_from_slice(&self.flags.to_ne_bytes());
        out[8..12].copy_from_slice(&self.out_device_type.to_ne_bytes());
        out[12..16].copy_from_slice(&self.device_data_len.to_ne_bytes());
        out[16..24].copy_from_slice(&self.out_device_data.to_ne_bytes());
    }
}

impl Wire for FwctlRpc {
    const SIZE: usize = size_of::<FwctlRpc>();

    fn decode(b: &[u8]) -> Self {
        FwctlRpc {
            size: rd32(b, offset_of!(FwctlRpc, size)),
            scope: rd32(b, offset_of!(FwctlRpc, scope)),
            in_len: rd32(b, offset_of!(FwctlRpc, in_len)),
            out_len: rd32(b, offset_of!(FwctlRpc, out_len)),
            r#in: rd64(b, offset_of!(FwctlRpc, r#in)),
            out: rd64(b, offset_of!(FwctlRpc, out)),
        }
    }

    fn encode(&self, out: &mut [u8]) {
        out[0..4].copy_from_slice(&self.size.to_ne_bytes());
        out[4..8].copy_from_slice(&self.scope.to_ne_bytes());
        out[8..12].copy_from_slice(&self.in_len.to_ne_bytes());
        out[12..16].copy_from_slice(&self.out_len.to_ne_bytes());
        out[16..24].copy_from_slice(&self.r#in.to_ne_bytes());
        out[24..32].copy_from_slice(&self.out.to_ne_bytes());
    }
}
