// SPDX-License-Identifier: GPL-2.0

//! fwctl core: the `fwctl` class, `/dev/fwctl/fwctlN` and the RPC ioctls.

use kernel::prelude::*;

module! {
    type: FwctlCore,
    name: "fwctl_core",
    authors: ["fwctl-rs developers"],
    description: "fwctl subsystem core",
    license: "GPL",
}

struct FwctlCore;

impl kernel::Module for FwctlCore {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        pr_info!("fwctl core loaded\n");
        Ok(FwctlCore)
    }
}
