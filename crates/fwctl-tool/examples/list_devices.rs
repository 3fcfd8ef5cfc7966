// SPDX-License-Identifier: GPL-2.0 OR MIT

//! Lists the fwctl devices: name, type and parent device, from sysfs
//! alone (no device is opened: on mlx5 opening one creates a firmware
//! user context).
//!
//! ```text
//! cargo run -p fwctl-tool --example list_devices [SYSFS_ROOT DEV_DIR]
//! ```
//!
//! The optional arguments are the sysfs root and the device directory
//! (`/sys` and `/dev` by default), to run it against a copy of either.

use fwctl::Sysfs;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sys = match args.as_slice() {
        [] => Sysfs::default(),
        [root, dev] => Sysfs::new(root, dev),
        _ => {
            eprintln!("usage: list_devices [SYSFS_ROOT DEV_DIR]");
            return ExitCode::from(2);
        }
    };
    let devices = sys.list();
    if devices.is_empty() {
        println!("no fwctl devices in {}", sys.class_dir().display());
        return ExitCode::SUCCESS;
    }
    for d in &devices {
        println!(
            "{:<10} {:<8} {}",
            d.name,
            d.device_type,
            d.parent.as_deref().unwrap_or("-")
        );
    }
    ExitCode::SUCCESS
}
