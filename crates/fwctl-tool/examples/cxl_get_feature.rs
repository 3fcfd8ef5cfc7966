// SPDX-License-Identifier: GPL-2.0 OR MIT

//! Reads a CXL feature's current value from a CXL memory device and
//! prints its fields when the library knows the feature's layout (patrol
//! scrub, ECS, PPR, sparing), else its bytes.
//!
//! ```text
//! cargo run -p fwctl-tool --example cxl_get_feature -- mem0 [patrol-scrub]
//! ```
//!
//! The device is a fwctl name (`fwctl0`), its node, the memdev (`mem0`)
//! or its PCI address; the feature a known name or a UUID.  Get Feature
//! needs no more than the `configuration` scope, which is allowed unless
//! the administrator lowered the device's `max_scope`.

use fwctl::cxl::{self, CxlFeatures};
use fwctl::{Device, DeviceType};
use std::process::ExitCode;

fn run(dev: &str, feature: &str) -> fwctl::Result<()> {
    let uuid = cxl::parse_feature(feature).map_err(fwctl::Error::Invalid)?;
    let d = Device::open(dev)?;
    d.expect_type(DeviceType::Cxl)?;
    match d.cxl_decode_feature(&uuid)? {
        Some((_, decoded)) => {
            println!("{}: {}", d.name(), decoded.layout.name);
            for f in &decoded.fields {
                println!("  {:<40} {}", f.spec.label, f.text);
            }
            for (i, fru) in decoded.frus.iter().enumerate() {
                println!("  media FRU {i}:");
                for f in fru {
                    println!("    {:<38} {}", f.spec.label, f.text);
                }
            }
        }
        None => {
            let data = d.cxl_get_feature(&uuid)?;
            println!(
                "{}: feature {}, {} bytes",
                d.name(),
                cxl::format_uuid(&uuid),
                data.len()
            );
            print!("{}", fwctl::format::hexdump(&data));
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dev, feature) = match args.as_slice() {
        [dev] => (dev.as_str(), "patrol-scrub"),
        [dev, feature] => (dev.as_str(), feature.as_str()),
        _ => {
            eprintln!("usage: cxl_get_feature DEVICE [FEATURE]");
            return ExitCode::from(2);
        }
    };
    match run(dev, feature) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cxl_get_feature: {e}");
            ExitCode::FAILURE
        }
    }
}
