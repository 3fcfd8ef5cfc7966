// SPDX-License-Identifier: GPL-2.0

//! The pure logic of fwctl-rs, compiled from the very files the kernel
//! modules compile (`common/`), so that `cargo test` checks what ships.

#![cfg_attr(not(test), no_std)]

#[path = "../../../common/uapi.rs"]
pub mod uapi;

#[path = "../../../common/policy.rs"]
pub mod policy;

#[path = "../../../common/cxl_features.rs"]
pub mod cxl_features;

#[path = "../../../common/mlx5_cmds.rs"]
pub mod mlx5_cmds;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod mlx5_tests;

#[cfg(test)]
mod cxl_tests;
