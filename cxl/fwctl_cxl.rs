// SPDX-License-Identifier: GPL-2.0

//! fwctl driver for CXL memory devices (CXL Features over the mailbox).

use kernel::prelude::*;

mod cxl {
    #![allow(
        dead_code,
        non_camel_case_types,
        non_snake_case,
        non_upper_case_globals
    )]
    #![allow(
        clippy::all,
        clippy::undocumented_unsafe_blocks,
        unreachable_pub,
        missing_docs
    )]
    use kernel::bindings::*;
    use kernel::ffi;
    include!("cxl_bindings_generated.rs");
}

module! {
    type: FwctlCxl,
    name: "fwctl_cxl",
    authors: ["fwctl-rs developers"],
    description: "fwctl driver for CXL memory devices",
    license: "GPL",
}

struct FwctlCxl;

impl kernel::Module for FwctlCxl {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        pr_info!(
            "fwctl cxl loaded (struct cxl_mbox_cmd: {} bytes)\n",
            core::mem::size_of::<cxl::cxl_mbox_cmd>()
        );
        Ok(FwctlCxl)
    }
}
