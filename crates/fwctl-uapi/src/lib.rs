// SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR MIT

//! The fwctl uAPI as Rust types, `core` only (no `std`, no `alloc`).
//!
//! These are the very source files the fwctl-rs kernel modules compile
//! (each module includes the ones it needs as top-level modules of its own
//! crate, so `crate::uapi` names the same module there as here):
//!
//! - [`uapi`]: `uapi/fwctl/fwctl.h`, the `FWCTL_INFO` and `FWCTL_RPC`
//!   ioctls, the device types and RPC scopes;
//! - [`policy`]: the core's RPC policy (scope rules, `max_scope`);
//! - [`cxl_features`]: the CXL Features RPC format (`uapi/fwctl/cxl.h`,
//!   `uapi/cxl/features.h`) and the CXL driver's request validation;
//! - [`mlx5_cmds`]: the mlx5 command header and the mlx5 driver's
//!   allow-list of commands by scope.
//!
//! Licensed as the kernel's uAPI headers are, `GPL-2.0 WITH
//! Linux-syscall-note`, or MIT at the user's choice, so that a program of
//! any licence may link them.

#![no_std]

pub mod cxl_features;
pub mod mlx5_cmds;
pub mod policy;
pub mod uapi;
