// SPDX-License-Identifier: GPL-2.0

//! fwctl core: the `fwctl` class, `/dev/fwctl/fwctlN`, the `FWCTL_INFO` and
//! `FWCTL_RPC` ioctls, and the C driver ABI of `include/linux/fwctl.h`.
//!
//! Layout of the crate:
//! - `uapi`, `policy` (shared with the host crate, `core` only): the uAPI
//!   types and every decision about a request.
//! - `ioctl`: the commands, in safe Rust, like the C core's small functions.
//! - `device`, `chardev`, `abi`, `sysfs`, `param`, `kapi`, `glue`: the thin
//!   boundary to C.  All `unsafe` lives there, each block argued.
//! - `fwctl_glue.c`, linked into the same module: the exports, the module
//!   parameter, the IDA, and the allocation and user-copy helpers that are
//!   inline or macros in C, written with the kernel's own C macros.
//!
//! The module is named `fwctl`, as upstream's C core, so that it can
//! replace it (`Documentation/install.rst`).

use kernel::prelude::*;

#[path = "crates/fwctl-uapi/src/uapi.rs"]
pub mod uapi;

#[path = "crates/fwctl-uapi/src/policy.rs"]
pub mod policy;

#[path = "common/kernel_errno.rs"]
pub mod kernel_errno;

#[path = "fwctl_core/abi.rs"]
pub mod abi;
#[path = "fwctl_core/chardev.rs"]
mod chardev;
#[path = "fwctl_core/device.rs"]
mod device;
#[path = "fwctl_core/glue.rs"]
mod glue;
#[path = "fwctl_core/ioctl.rs"]
mod ioctl;
#[path = "fwctl_core/kapi.rs"]
mod kapi;
#[path = "fwctl_core/param.rs"]
mod param;
#[path = "fwctl_core/sysfs.rs"]
mod sysfs;

module! {
    type: FwctlCore,
    name: "fwctl",
    authors: ["fwctl-rs developers"],
    description: "fwctl device firmware access framework (Rust core)",
    license: "GPL",
}

/// The loaded core: owns the char-device region and the class.
struct FwctlCore;

impl kernel::Module for FwctlCore {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        device::subsystem_init()?;
        pr_info!(
            "fwctl core loaded (max_scope={})\n",
            param::global_max().name()
        );
        Ok(FwctlCore)
    }
}

impl Drop for FwctlCore {
    fn drop(&mut self) {
        device::subsystem_exit();
    }
}
