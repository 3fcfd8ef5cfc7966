// SPDX-License-Identifier: GPL-2.0

//! The unit tests of the pure logic of fwctl-rs: the `fwctl-uapi` crate,
//! whose source files are the very files the kernel modules compile, so
//! that `cargo test` checks what ships.

#![cfg_attr(not(test), no_std)]

pub use fwctl_uapi::{cxl_features, mlx5_cmds, policy, uapi};

#[cfg(test)]
mod tests;

#[cfg(test)]
mod mlx5_tests;

#[cfg(test)]
mod cxl_tests;
