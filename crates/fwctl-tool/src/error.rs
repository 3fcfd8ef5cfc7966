// SPDX-License-Identifier: GPL-2.0 OR MIT

//! Errors, each errno with the meaning the fwctl uAPI documentation gives
//! it (`uapi/fwctl/fwctl.h`, `Documentation/core.rst`, `Documentation/cxl.rst`
//! and upstream's `Documentation/userspace-api/fwctl/fwctl.rst`).
//!
//! The same errno can mean different things for `open()`, `FWCTL_INFO` and
//! `FWCTL_RPC`, and a driver adds its own errnos to the core's: the text
//! depends on the operation and, when known, on the device type.

use crate::uapi::DeviceType;
use std::fmt;

/// What was being done when the kernel returned an errno.
///
/// More operations may be added: a `match` on it needs a `_` arm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Op {
    /// `open()` of the device node.
    Open,
    /// The `FWCTL_INFO` ioctl.
    Info,
    /// The `FWCTL_RPC` ioctl.
    Rpc,
}

impl Op {
    /// The name shown in messages.
    pub fn name(self) -> &'static str {
        match self {
            Op::Open => "open",
            Op::Info => "FWCTL_INFO",
            Op::Rpc => "FWCTL_RPC",
        }
    }
}

/// A failure of the library.
///
/// Its `Display` text is the whole message, errno name and meaning
/// included; [`std::error::Error::source`] gives the underlying
/// [`std::io::Error`] of an [`Error::Io`].  More variants may be added: a
/// `match` on it needs a `_` arm.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The kernel returned `errno` for `op` on `device`.
    Os {
        /// The device (`fwctlN` or the path opened).
        device: String,
        /// The operation.
        op: Op,
        /// The raw errno.
        errno: i32,
        /// The device's type, when known: it refines the errno's meaning.
        device_type: Option<DeviceType>,
    },
    /// `FWCTL_RPC` refused with `EPERM`, with the rule that refused it
    /// (see [`crate::refusal`]).
    Refused {
        /// The device (`fwctlN`).
        device: String,
        /// The raw errno (`EPERM`).
        errno: i32,
        /// The rule.
        rule: crate::refusal::Rule,
        /// Why, in words.
        reason: String,
        /// What the operator can do.
        remedy: String,
    },
    /// No fwctl device matches the spec.
    NoDevice {
        /// What the user asked for.
        spec: String,
        /// Why nothing matched.
        reason: String,
    },
    /// Bad input from the user.
    Invalid(String),
    /// The RPC reached the firmware, which reported a failure in its
    /// answer (a CXL mailbox return code, an mlx5 command status).
    Firmware {
        /// The device.
        device: String,
        /// The command that failed (`"QUERY_HCA_CAP"`, `"Get Feature"`).
        command: String,
        /// The kind of status: `"CXL mailbox return code"`, `"mlx5 status"`.
        kind: &'static str,
        /// The status value.
        status: u32,
        /// Its name.
        status_name: &'static str,
        /// The mlx5 syndrome, which identifies the exact cause for the
        /// firmware's vendor.
        syndrome: Option<u32>,
    },
    /// The device answered, but the answer is malformed.
    Device {
        /// The device.
        device: String,
        /// What went wrong.
        message: String,
    },
    /// A file could not be read or written (sysfs, input, output).
    Io {
        /// The path or stream.
        what: String,
        /// The error.
        err: std::io::Error,
    },
}

/// Shorthand.
pub type Result<T> = std::result::Result<T, Error>;

/// The symbolic name of an errno (`"EPERM"`), `"E?"` if unknown.
pub fn errno_name(errno: i32) -> &'static str {
    match errno {
        libc::EPERM => "EPERM",
        libc::ENOENT => "ENOENT",
        libc::EINTR => "EINTR",
        libc::EIO => "EIO",
        libc::ENXIO => "ENXIO",
        libc::E2BIG => "E2BIG",
        libc::EBADF => "EBADF",
        libc::EAGAIN => "EAGAIN",
        libc::ENOMEM => "ENOMEM",
        libc::EACCES => "EACCES",
        libc::EFAULT => "EFAULT",
        libc::EBUSY => "EBUSY",
        libc::ENODEV => "ENODEV",
        libc::EINVAL => "EINVAL",
        libc::ENOTTY => "ENOTTY",
        libc::ENOSPC => "ENOSPC",
        libc::EROFS => "EROFS",
        libc::ENOLINK => "ENOLINK",
        libc::EBADMSG => "EBADMSG",
        libc::EMSGSIZE => "EMSGSIZE",
        libc::EOPNOTSUPP => "EOPNOTSUPP",
        libc::ETIMEDOUT => "ETIMEDOUT",
        libc::EREMOTEIO => "EREMOTEIO",
        _ => "E?",
    }
}

/// The C library's text for an errno ("Operation not permitted").
pub fn strerror(errno: i32) -> String {
    let s = std::io::Error::from_raw_os_error(errno).to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// What the fwctl core means by an errno for `op`.
fn core_meaning(op: Op, errno: i32) -> Option<&'static str> {
    Some(match (op, errno) {
        (Op::Open, libc::ENOENT) => "no such device node (is the fwctl module loaded?)",
        (Op::Open, libc::EACCES) => "permission denied on the device node (try as root)",
        (Op::Open, libc::ENODEV) => "the device was unregistered while being opened",
        (Op::Open, libc::EPERM) => "the device is disabled: its effective max_scope is none",
        (Op::Open, libc::EINVAL) => "the driver cannot create a user context (driver bug)",
        (Op::Open, libc::ENOMEM) => "the user context could not be allocated",
        (Op::Open, libc::ENXIO) => "no device behind this node",

        (_, libc::ENOTTY) => {
            "not a fwctl device, or a 32-bit process on a 64-bit kernel (no compat ioctl)"
        }
        (_, libc::EFAULT) => "the kernel could not read or write a user buffer",
        (_, libc::E2BIG) => "the ioctl structure has non-zero bytes past what the kernel knows",
        (_, libc::ENODEV) => "the device was unregistered (hot unplug or driver unload); reopen it",
        (_, libc::ENOMEM) => "the kernel could not allocate a buffer",

        (Op::Info, libc::EINVAL) => "the structure size is below 24 bytes",
        (Op::Info, libc::EOPNOTSUPP) => "flags is not 0",
        (Op::Info, libc::EPERM) => "the device is disabled: its effective max_scope is none",
        (Op::Info, libc::EIO) => "the driver returned no data with a non-zero length (driver bug)",

        (Op::Rpc, libc::EOPNOTSUPP) => "unknown scope, or the driver does not support RPCs",
        (Op::Rpc, libc::EPERM) => {
            "scope not allowed: debug_write_full needs CAP_SYS_RAWIO and no kernel \
             lockdown, and no scope may exceed the device's max_scope"
        }
        _ => return None,
    })
}

/// What a driver means by an errno from its `fw_rpc` (or `open_uctx`),
/// for the drivers of this project.
fn driver_meaning(t: DeviceType, op: Op, errno: i32) -> Option<&'static str> {
    Some(match (t, op, errno) {
        (DeviceType::Cxl, Op::Rpc, libc::EINVAL) => {
            "the CXL driver refused the request: a bad header or op_size, an opcode \
             other than Get Supported Features, Get Feature or Set Feature, an unknown \
             or unchangeable feature, or too low a scope for this Set Feature"
        }
        (DeviceType::Cxl, Op::Rpc, libc::EPERM) => {
            "scope not allowed: debug_write_full needs CAP_SYS_RAWIO and no kernel \
             lockdown, no scope may exceed the device's max_scope, and features \
             reserved to the kernel cannot be set"
        }
        (DeviceType::Cxl, Op::Rpc, libc::EMSGSIZE) => {
            "in_len or out_len is over 2 MiB, or out_len is too small for the answer \
             header"
        }
        (DeviceType::Mlx5, Op::Rpc, libc::EBADMSG) => {
            "the mlx5 driver does not allow this command (opcode, op_mod) at this scope"
        }
        (DeviceType::Mlx5, Op::Rpc, libc::EMSGSIZE) => {
            "in_len or out_len is over 2 MiB, or shorter than the 16-byte mlx5 command \
             header"
        }
        (DeviceType::Mlx5, _, libc::ETIMEDOUT) => "the firmware did not complete the command",
        (DeviceType::Mlx5, _, libc::ENXIO) => {
            "the device does not take commands (internal error state or going away)"
        }
        (DeviceType::Mlx5, Op::Open, libc::EREMOTEIO | libc::EIO) => {
            "the firmware could not create a user context (CREATE_UCTX) for the descriptor"
        }
        _ => return None,
    })
}

/// What an errno means for `op`, per the fwctl uAPI documentation, on a
/// device of type `t` if known.
pub fn errno_meaning(op: Op, errno: i32, t: Option<DeviceType>) -> &'static str {
    if let Some(m) = t.and_then(|t| driver_meaning(t, op, errno)) {
        return m;
    }
    if let Some(m) = core_meaning(op, errno) {
        return m;
    }
    match (op, errno) {
        (Op::Rpc, libc::EMSGSIZE) => "in_len or out_len is over 2 MiB, or too small for the driver",
        (Op::Rpc, libc::EINVAL) => {
            "the request was refused: the structure is below 32 bytes, or the driver \
             rejected the request"
        }
        (Op::Rpc, libc::EBADMSG) => "the driver refused the request's contents",
        (Op::Rpc, libc::EIO) => {
            "the RPC failed on its way to the firmware, or the driver answered \
             inconsistently (driver bug)"
        }
        (_, libc::ETIMEDOUT) => "the firmware did not answer in time",
        (_, libc::EBUSY | libc::EAGAIN) => "the device is busy; try again",
        (_, libc::EREMOTEIO) => "the firmware failed the command",
        (Op::Open, _) => "returned by the driver while creating the user context",
        _ => "returned by the driver",
    }
}

impl Error {
    /// An `Os` error from the current `errno`.
    pub fn last_os(device: &str, op: Op) -> Error {
        Error::from_io(device, op, &std::io::Error::last_os_error())
    }

    /// An `Os` error from an `io::Error` carrying an errno.
    pub fn from_io(device: &str, op: Op, e: &std::io::Error) -> Error {
        Error::os(device, op, e.raw_os_error().unwrap_or(0))
    }

    /// An `Os` error of unknown device type.
    pub fn os(device: &str, op: Op, errno: i32) -> Error {
        Error::Os {
            device: device.to_string(),
            op,
            errno,
            device_type: None,
        }
    }

    /// The same error, its device type set if it was unknown.
    pub fn with_device_type(mut self, t: Option<DeviceType>) -> Error {
        if let Error::Os { device_type, .. } = &mut self {
            if device_type.is_none() {
                *device_type = t;
            }
        }
        self
    }

    /// The raw errno, for `Os` errors.
    pub fn errno(&self) -> Option<i32> {
        match self {
            Error::Os { errno, .. } | Error::Refused { errno, .. } => Some(*errno),
            Error::Io { err, .. } => err.raw_os_error(),
            _ => None,
        }
    }

    /// The errno's name, for `Os` errors.
    pub fn errno_name(&self) -> Option<&'static str> {
        match self {
            Error::Os { errno, .. } | Error::Refused { errno, .. } => Some(errno_name(*errno)),
            _ => None,
        }
    }

    /// The device the error is about, if any.
    pub fn device(&self) -> Option<&str> {
        match self {
            Error::Os { device, .. }
            | Error::Refused { device, .. }
            | Error::Device { device, .. }
            | Error::Firmware { device, .. } => Some(device),
            Error::NoDevice { spec, .. } => Some(spec),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Os {
                device,
                op,
                errno,
                device_type,
            } => {
                write!(
                    f,
                    "{device}: {} failed: {} ({}): {}",
                    op.name(),
                    errno_name(*errno),
                    strerror(*errno),
                    errno_meaning(*op, *errno, *device_type)
                )
            }
            Error::Refused {
                device,
                errno,
                reason,
                remedy,
                ..
            } => write!(
                f,
                "{device}: FWCTL_RPC failed: {} ({}): {reason}; {remedy}",
                errno_name(*errno),
                strerror(*errno)
            ),
            Error::NoDevice { spec, reason } => write!(f, "{spec}: no such fwctl device: {reason}"),
            Error::Invalid(m) => write!(f, "{m}"),
            Error::Firmware {
                device,
                command,
                kind,
                status,
                status_name,
                syndrome,
            } => {
                write!(
                    f,
                    "{device}: {command} failed in the firmware: {kind} {status:#x} ({status_name})"
                )?;
                if let Some(s) = syndrome {
                    write!(f, ", syndrome {s:#010x}")?;
                }
                Ok(())
            }
            Error::Device { device, message } => write!(f, "{device}: {message}"),
            Error::Io { what, err } => write!(f, "{what}: {err}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { err, .. } => Some(err),
            _ => None,
        }
    }
}
