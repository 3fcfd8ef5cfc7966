// SPDX-License-Identifier: GPL-2.0

//! fwctl driver for NVIDIA ConnectX (mlx5) devices.

use kernel::prelude::*;

module! {
    type: FwctlMlx5,
    name: "fwctl_mlx5",
    authors: ["fwctl-rs developers"],
    description: "fwctl driver for mlx5 devices",
    license: "GPL",
}

struct FwctlMlx5;

impl kernel::Module for FwctlMlx5 {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        pr_info!("fwctl mlx5 loaded\n");
        Ok(FwctlMlx5)
    }
}
