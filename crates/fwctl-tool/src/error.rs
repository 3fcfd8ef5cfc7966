// SPDX-License-Identifier: GPL-2.0

//! Errors, with the meaning the uAPI documentation gives each errno
//! (`Documentation/core.rst`, `Documentation/cxl.rst`).

use std::fmt;

/// What was being done when the kernel returned an errno.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
#[derive(Debug)]
pub enum Error {
    /// The kernel returned `errno` for `op` on `device`.
    Os {
        /// The device (`fwctlN` or the path opened).
        device: String,
        /// The operation.
        op: Op,
        /// The raw errno.
        errno: i32,
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
    /// The device answered, but the answer is malformed or reports a
    /// failure (e.g. a CXL mailbox return code).
    Device {
        /// The device.
        device: String,
        /// What went wrong.
        message: String,
    },
    /// A file could not be read (sysfs, input file).
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
        libc::EIO => "EIO",
        libc::ENXIO => "ENXIO",
        libc::E2BIG => "E2BIG",
        libc::EBADF => "EBADF",
        libc::ENOMEM => "ENOMEM",
        libc::EACCES => "EACCES",
        libc::EFAULT => "EFAULT",
        libc::EBUSY => "EBUSY",
        libc::ENODEV => "ENODEV",
        libc::EINVAL => "EINVAL",
        libc::ENOTTY => "ENOTTY",
        libc::EMSGSIZE => "EMSGSIZE",
        libc::EOPNOTSUPP => "EOPNOTSUPP",
        libc::EBADMSG => "EBADMSG",
        libc::ETIMEDOUT => "ETIMEDOUT",
        libc::EAGAIN => "EAGAIN",
        libc::EINTR => "EINTR",
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

/// What an errno means for `op`, per the fwctl uAPI documentation.
pub fn errno_meaning(op: Op, errno: i32) -> &'static str {
    match (op, errno) {
        (Op::Open, libc::ENOENT) => "no such device node (is the fwctl module loaded?)",
        (Op::Open, libc::EACCES) => "permission denied on the device node (try as root)",
        (Op::Open, libc::ENODEV) => "the device was unregistered while being opened",
        (Op::Open, libc::EPERM) => "the device is disabled: its effective max_scope is none",
        (Op::Open, libc::EINVAL) => "the driver refused the open (driver bug)",
        (Op::Open, libc::ENOMEM) => "the user context could not be allocated",
        (Op::Open, libc::ENXIO) => "no device behind this node",

        (_, libc::ENOTTY) => {
            "not a fwctl ioctl, or a 32-bit process on a 64-bit kernel (no compat_ioctl)"
        }
        (_, libc::EFAULT) => "the kernel could not read or write a user buffer",
        (_, libc::E2BIG) => "the ioctl structure has non-zero bytes past what the kernel knows",
        (_, libc::ENODEV) => "the device was unregistered (hot unplug or module unload)",
        (_, libc::ENOMEM) => "the kernel could not allocate a buffer",

        (Op::Info, libc::EINVAL) => "the structure size is below 24 bytes",
        (Op::Info, libc::EOPNOTSUPP) => "flags is not 0",
        (Op::Info, libc::EPERM) => "the device is disabled: its effective max_scope is none",
        (Op::Info, libc::EIO) => "the driver returned no data with a non-zero length (driver bug)",

        (Op::Rpc, libc::EMSGSIZE) => "in_len or out_len is over 2 MiB",
        (Op::Rpc, libc::EOPNOTSUPP) => "unknown scope, or the driver does not support RPCs",
        (Op::Rpc, libc::EPERM) => {
            "scope not allowed: debug_write_full needs CAP_SYS_RAWIO and no kernel lockdown, \
             no scope may exceed the device's max_scope, and the CXL driver refuses to set \
             features reserved to the kernel"
        }
        (Op::Rpc, libc::EINVAL) => {
            "the request was rejected (struct size below 32, or the driver refused it: \
             for CXL a bad header or op_size, an unknown opcode, an unknown or unchangeable \
             feature, or too low a scope for a Set Feature)"
        }
        (Op::Rpc, libc::EBADMSG) => "the driver refused the request's contents",
        (Op::Rpc, libc::EIO) => "the driver failed the RPC (or a driver bug)",

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
        Error::Os {
            device: device.to_string(),
            op,
            errno: e.raw_os_error().unwrap_or(0),
        }
    }

    /// The errno's name, for `Os` errors.
    pub fn errno_name(&self) -> Option<&'static str> {
        match self {
            Error::Os { errno, .. } => Some(errno_name(*errno)),
            _ => None,
        }
    }

    /// The device the error is about, if any.
    pub fn device(&self) -> Option<&str> {
        match self {
            Error::Os { device, .. } | Error::Device { device, .. } => Some(device),
            Error::NoDevice { spec, .. } => Some(spec),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Os { device, op, errno } => {
                write!(
                    f,
                    "{device}: {} failed: {} ({}): {}",
                    op.name(),
                    errno_name(*errno),
                    strerror(*errno),
                    errno_meaning(*op, *errno)
                )
            }
            Error::NoDevice { spec, reason } => write!(f, "{spec}: no such fwctl device: {reason}"),
            Error::Invalid(m) => write!(f, "{m}"),
            Error::Device { device, message } => write!(f, "{device}: {message}"),
            Error::Io { what, err } => write!(f, "{what}: {err}"),
        }
    }
}

impl std::error::Error for Error {}
