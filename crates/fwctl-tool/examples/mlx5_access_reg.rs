// SPDX-License-Identifier: GPL-2.0 OR MIT

//! Sends an mlx5 `ACCESS_REG` read of a register (MGIR, the general
//! information register, by default) and prints the answer: MGIR's
//! fields decoded, another register's bytes.
//!
//! ```text
//! cargo run -p fwctl-tool --example mlx5_access_reg -- fwctl0 [MGIR|0x9020]
//! ```
//!
//! The device is a fwctl name (`fwctl0`), its node, or the PCI address of
//! the mlx5 function.  A register read needs the `debug_read_only` scope,
//! which a device's `max_scope` must allow.

use fwctl::mlx5::{self, Mlx5Commands};
use fwctl::{Device, DeviceType};
use std::process::ExitCode;

fn run(dev: &str, register: &str) -> fwctl::Result<()> {
    let (id, known) = mlx5::parse_register(register).map_err(fwctl::Error::Invalid)?;
    let len = known.map_or(mlx5::DEFAULT_REG_LEN, |r| r.len);
    let d = Device::open(dev)?;
    d.expect_type(DeviceType::Mlx5)?;
    // No index fields: the register's first instance.
    let data = d.mlx5_read_register(id, 0, &[], len)?;
    println!(
        "{}: register {} ({id:#06x}), {} bytes",
        d.name(),
        known.map_or("?", |r| r.name),
        data.len()
    );
    if id == mlx5::MGIR.id {
        let m = mlx5::decode_mgir(&data);
        println!("  firmware   {} (build {})", m.fw_version, m.fw_build_id);
        println!("  PSID       {}", m.psid);
        println!(
            "  device id  {:#06x}, hw revision {:#x}",
            m.device_id, m.hw_revision
        );
        if let Some(mac) = &m.base_mac {
            println!("  base MAC   {mac}");
        }
    } else {
        print!("{}", fwctl::format::hexdump(&data));
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dev, register) = match args.as_slice() {
        [dev] => (dev.as_str(), "MGIR"),
        [dev, register] => (dev.as_str(), register.as_str()),
        _ => {
            eprintln!("usage: mlx5_access_reg DEVICE [REGISTER]");
            return ExitCode::from(2);
        }
    };
    match run(dev, register) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mlx5_access_reg: {e}");
            ExitCode::FAILURE
        }
    }
}
