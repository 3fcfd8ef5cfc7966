// SPDX-License-Identifier: GPL-2.0

//! Userspace access to fwctl devices (`/dev/fwctl/fwctlN`).
//!
//! - [`sysfs`]: finding devices in `/sys/class/fwctl` and resolving a
//!   device spec (`fwctl0`, `/dev/fwctl/fwctl0`, `mem0`, `0000:0d:00.0`);
//! - [`device`]: [`Device::open`], `FWCTL_INFO` and `FWCTL_RPC`;
//! - [`error`]: [`Error`], with each errno explained as the uAPI documents it;
//! - [`cxl`]: the CXL Features commands (Get Supported Features, Get and
//!   Set Feature);
//! - [`parse`] and [`format`]: the text forms used by the `fwctl` tool.
//!
//! The uAPI types come from the same source files the kernel modules
//! compile (`common/uapi.rs`, `common/cxl_features.rs`).

#[path = "../../../common/uapi.rs"]
pub mod uapi;

#[path = "../../../common/cxl_features.rs"]
pub mod cxl_features;

pub mod cxl;
pub mod device;
pub mod error;
pub mod format;
pub mod parse;
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

#[cfg(test)]
mod tests;
