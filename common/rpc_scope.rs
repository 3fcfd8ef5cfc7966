// SPDX-License-Identifier: GPL-2.0

//! The fwctl API's [`RpcScope`] as the uAPI crate's [`Scope`], which the
//! pure logic shared with host crates (`mlx5_cmds.rs`, `cxl_features.rs`)
//! takes.  Compiled into each Rust driver, which declares `fwctl` (the
//! kernel's `kernel::fwctl` or its copy) and `uapi` at its crate root.

use crate::{fwctl::RpcScope, uapi::Scope};

impl From<RpcScope> for Scope {
    fn from(scope: RpcScope) -> Self {
        match scope {
            RpcScope::Configuration => Scope::Configuration,
            RpcScope::DebugReadOnly => Scope::DebugReadOnly,
            RpcScope::DebugWrite => Scope::DebugWrite,
            RpcScope::DebugWriteFull => Scope::DebugWriteFull,
        }
    }
}
