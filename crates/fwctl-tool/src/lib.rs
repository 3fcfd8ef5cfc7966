// SPDX-License-Identifier: GPL-2.0 OR MIT

//! Userspace access to fwctl devices (`/dev/fwctl/fwctlN`).
//!
//! - [`sysfs`]: finding devices in `/sys/class/fwctl` and resolving a
//!   device spec (`fwctl0`, `/dev/fwctl/fwctl0`, `mem0`, `0000:0d:00.0`);
//! - [`device`]: [`Device::open`], `FWCTL_INFO` and `FWCTL_RPC`;
//! - [`error`]: [`Error`], with each errno explained as the uAPI documents it;
//! - [`cxl`]: the CXL Features commands (Get Supported Features, Get and
//!   Set Feature);
//! - [`cxl_decode`]: the fields of the features the CXL specification
//!   defines (patrol scrub, ECS, PPR, sparing), decoded from Get Feature's
//!   layout and mapped onto Set Feature's;
//! - [`mlx5`]: mlx5 firmware commands (`QUERY_HCA_CAP`, `ACCESS_REG`),
//!   built and decoded per the layouts of `include/linux/mlx5/mlx5_ifc.h`;
//! - [`parse`] and [`format`](mod@format): the text forms used by the `fwctl` tool.
//!
//! The uAPI types, [`uapi`], [`policy`], [`cxl_features`] and
//! [`mlx5_cmds`], are those of the `fwctl-uapi` crate, whose source files
//! the kernel modules compile; the crate's tests check their layouts
//! against the C headers in `uapi/`.
//!
//! The `fwctl` command line is behind the default feature `cli`; a
//! program that only links the library depends on it with
//! `default-features = false` and builds no command-line parser.  The
//! `examples/` directory has small programs on the library alone: listing
//! the devices, reading a CXL feature, sending an mlx5 `ACCESS_REG`.
//!
//! ```no_run
//! use fwctl::{Device, Scope};
//! # fn main() -> fwctl::Result<()> {
//! let dev = Device::open("mem0")?; // or "fwctl0", "/dev/fwctl/fwctl0"
//! let info = dev.info()?;
//! println!("{} is a {} device", dev.name(), fwctl::device_type_name(info.device_type));
//! let request = [0u8; 16]; // in the device type's own format
//! let mut answer = [0u8; 64];
//! let len = dev.rpc(Scope::Configuration, &request, &mut answer)?;
//! # let _ = len;
//! # Ok(())
//! # }
//! ```

pub use fwctl_uapi::{cxl_features, mlx5_cmds, policy, uapi};

pub mod cxl;
pub mod cxl_decode;
pub mod device;
pub mod error;
pub mod format;
pub mod mlx5;
pub mod parse;
pub mod refusal;
pub mod sysfs;

pub use device::{Device, Info};
pub use error::{Error, Op, Result};
pub use sysfs::{DeviceEntry, Sysfs};
pub use uapi::{DeviceType, Scope};

/// The name of a `fwctl_device_type` value (`"cxl"`, `"mlx5"`, ...), or
/// `"unknown"`.
pub fn device_type_name(t: u32) -> &'static str {
    match t {
        x if x == DeviceType::Mlx5 as u32 => "mlx5",
        x if x == DeviceType::Cxl as u32 => "cxl",
        x if x == DeviceType::Bnxt as u32 => "bnxt",
        x if x == DeviceType::Pds as u32 => "pds",
        x if x == DeviceType::Error as u32 => "error",
        _ => "unknown",
    }
}

/// The `DeviceType` of a `fwctl_device_type` value, `None` if unknown.
pub fn device_type_from_u32(t: u32) -> Option<DeviceType> {
    [
        DeviceType::Error,
        DeviceType::Mlx5,
        DeviceType::Cxl,
        DeviceType::Bnxt,
        DeviceType::Pds,
    ]
    .into_iter()
    .find(|d| *d as u32 == t)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod mlx5_tests;

#[cfg(test)]
mod cxl_decode_tests;
