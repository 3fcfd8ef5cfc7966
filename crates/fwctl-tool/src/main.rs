// SPDX-License-Identifier: GPL-2.0

//! `fwctl`: list fwctl devices and talk to their firmware.

use clap::{Parser, Subcommand};
use fwctl::cxl::{self, parse_feature, CxlFeatures};
use fwctl::format::{device_table, feature_table, hex, hexdump};
use fwctl::parse::{parse_hex, parse_number, parse_scope};
use fwctl::{device_type_name, Device, Error, Scope, Sysfs};
use serde_json::json;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

const ABOUT: &str = "Inspect fwctl devices and send RPCs to their firmware.";

const LONG_ABOUT: &str = "\
Inspect fwctl devices and send RPCs to their firmware.

fwctl is a Linux subsystem that lets userspace send commands (RPCs) to the
firmware of a device: CXL memory expanders, NVIDIA ConnectX NICs, ... Each
such device gets a node /dev/fwctl/fwctlN and a directory
/sys/class/fwctl/fwctlN. The format of the RPCs depends on the device type,
which FWCTL_INFO reports.

Every RPC carries a scope, the access it asks for, least first:

  configuration     device configuration; the device stays supported
  debug_read_only   reading debug information
  debug_write       debug writes; taints the kernel
  debug_write_full  anything; needs CAP_SYS_RAWIO, refused under kernel
                    lockdown, taints the kernel

The kernel refuses (EPERM) a scope above the device's max_scope
(/sys/class/fwctl/fwctlN/max_scope); a max_scope of none disables the device.

A DEV argument is fwctlN, a path such as /dev/fwctl/fwctl0, the parent
device's name (e.g. mem0 for CXL) or its PCI address (0000:0d:00.0).";

const SCOPE_HELP: &str = "Scope of the RPC: configuration, debug_read_only, debug_write (taints \
the kernel) or debug_write_full (taints, needs CAP_SYS_RAWIO); also 0..3";

#[derive(Parser, Debug)]
#[command(name = "fwctl", version, about = ABOUT, long_about = LONG_ABOUT)]
struct Cli {
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,

    /// Root of sysfs (for testing).
    #[arg(long, global = true, default_value = "/sys", hide_short_help = true)]
    sysfs: PathBuf,

    /// Directory of device nodes (for testing).
    #[arg(long, global = true, default_value = "/dev", hide_short_help = true)]
    dev_dir: PathBuf,

    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// List fwctl devices: type, parent device, driver, bus address, max_scope.
    ///
    /// The type is asked with FWCTL_INFO, and is "unknown" when the device
    /// cannot be opened (usually: not root, or max_scope none).
    List,
    /// Show a device's type and the driver's information (FWCTL_INFO).
    Info {
        /// fwctlN, /dev/fwctl/fwctlN, parent device name or PCI address.
        dev: String,
    },
    /// Send a raw RPC (FWCTL_RPC) and dump the answer.
    ///
    /// The request is given as a file (--in FILE, or --in - for stdin) or
    /// as hex (--hex "01 02 ..."); its format is the device type's, e.g.
    /// struct fwctl_rpc_cxl for CXL. The answer is hex-dumped, or written
    /// as is with --raw.
    #[command(group(clap::ArgGroup::new("request").required(true).args(["input", "hex"])))]
    Rpc {
        /// fwctlN, /dev/fwctl/fwctlN, parent device name or PCI address.
        dev: String,
        #[arg(long, short, value_parser = parse_scope, help = SCOPE_HELP)]
        scope: Scope,
        /// Read the request from FILE ("-": standard input).
        #[arg(long = "in", value_name = "FILE", conflicts_with = "hex")]
        input: Option<PathBuf>,
        /// The request as hex bytes ("0x0500..." or "05 00 ...").
        #[arg(long, value_name = "HEX")]
        hex: Option<String>,
        /// Size of the answer buffer in bytes (decimal or 0x hex).
        #[arg(long, value_name = "N", default_value = "4096", value_parser = parse_number)]
        out_len: usize,
        /// Write the answer's raw bytes to standard output.
        #[arg(long, conflicts_with = "json")]
        raw: bool,
    },
    /// CXL Features: list, read and change device features.
    #[command(subcommand)]
    Cxl(CxlCmd),
}

#[derive(Subcommand, Debug)]
enum CxlCmd {
    /// List the device's features (Get Supported Features, 0500h).
    ///
    /// SET_SCOPE is the scope a Set Feature of the feature needs, from its
    /// effects: debug_write_full for immediate changes, debug_write for
    /// changes after a reset. Features the kernel keeps for itself (e.g.
    /// patrol scrub, used by EDAC) appear as not changeable.
    Features {
        /// fwctlN, /dev/fwctl/fwctlN, memN or PCI address.
        dev: String,
    },
    /// Read a feature's current value (Get Feature, 0501h).
    Get {
        /// fwctlN, /dev/fwctl/fwctlN, memN or PCI address.
        dev: String,
        /// A UUID, or patrol-scrub, ecs, sppr, hppr, cacheline-sparing,
        /// row-sparing, bank-sparing, rank-sparing.
        feature: String,
    },
    /// Change a feature (Set Feature, 0502h) at the scope it needs.
    ///
    /// Set Feature taints the kernel (debug_write or debug_write_full scope)
    /// and debug_write_full needs CAP_SYS_RAWIO.
    Set {
        /// fwctlN, /dev/fwctl/fwctlN, memN or PCI address.
        dev: String,
        /// A UUID or a known feature name (see `fwctl cxl get --help`).
        feature: String,
        /// The new data as hex bytes, written at offset 0.
        value: String,
    },
}

fn read_input(p: &PathBuf) -> fwctl::Result<Vec<u8>> {
    let mut v = Vec::new();
    let r = if p.as_os_str() == "-" {
        std::io::stdin().read_to_end(&mut v).map(|_| ())
    } else {
        std::fs::read(p).map(|d| v = d)
    };
    r.map_err(|err| Error::Io {
        what: p.display().to_string(),
        err,
    })?;
    Ok(v)
}

fn print_json(v: &serde_json::Value) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

fn run(cli: &Cli) -> fwctl::Result<()> {
    let sys = Sysfs::new(&cli.sysfs, &cli.dev_dir);
    let open = |spec: &str| Device::open_in(&sys, spec);
    match &cli.cmd {
        Cmd::List => {
            let l = sys.list();
            if cli.json {
                print_json(&json!(l));
            } else if l.is_empty() {
                println!("no fwctl devices in {}", sys.class_dir().display());
            } else {
                print!("{}", device_table(&l));
            }
        }
        Cmd::Info { dev } => {
            let d = open(dev)?;
            let info = d.info()?;
            let t = device_type_name(info.device_type);
            if cli.json {
                print_json(&json!({
                    "device": d.name(),
                    "device_type": t,
                    "device_type_id": info.device_type,
                    "data": hex(&info.data),
                }));
            } else {
                println!("device:      {}", d.name());
                println!("type:        {t} ({})", info.device_type);
                println!("data:        {} bytes", info.data.len());
                print!("{}", hexdump(&info.data));
            }
        }
        Cmd::Rpc {
            dev,
            scope,
            input,
            hex: hexin,
            out_len,
            raw,
        } => {
            let req = match (input, hexin) {
                (Some(p), _) => read_input(p)?,
                (None, Some(h)) => parse_hex(h).map_err(Error::Invalid)?,
                (None, None) => {
                    return Err(Error::Invalid("give the request with --in or --hex".into()))
                }
            };
            let d = open(dev)?;
            let mut out = vec![0u8; *out_len];
            let n = d.rpc(*scope, &req, &mut out)?;
            let got = &out[..n.min(out.len())];
            if cli.json {
                print_json(&json!({
                    "device": d.name(),
                    "scope": scope.name(),
                    "out_len": n,
                    "truncated": n > out.len(),
                    "data": hex(got),
                }));
            } else if *raw {
                std::io::stdout().write_all(got).map_err(|err| Error::Io {
                    what: "stdout".into(),
                    err,
                })?;
            } else {
                if n > out.len() {
                    eprintln!(
                        "note: answer is {n} bytes, only {} shown (use --out-len)",
                        out.len()
                    );
                }
                print!("{}", hexdump(got));
            }
        }
        Cmd::Cxl(c) => run_cxl(cli, c, &open)?,
    }
    Ok(())
}

fn run_cxl(
    cli: &Cli,
    c: &CxlCmd,
    open: &dyn Fn(&str) -> fwctl::Result<Device>,
) -> fwctl::Result<()> {
    match c {
        CxlCmd::Features { dev } => {
            let d = open(dev)?;
            let f = d.cxl_supported_features()?;
            if cli.json {
                print_json(&json!({ "device": d.name(), "features": f }));
            } else {
                print!("{}", feature_table(&f));
            }
        }
        CxlCmd::Get { dev, feature } => {
            let uuid = parse_feature(feature).map_err(Error::Invalid)?;
            let d = open(dev)?;
            let data = d.cxl_get_feature(&uuid)?;
            if cli.json {
                print_json(&json!({
                    "device": d.name(),
                    "uuid": cxl::format_uuid(&uuid),
                    "name": cxl::feature_name(&uuid),
                    "data": hex(&data),
                }));
            } else {
                print!("{}", hexdump(&data));
            }
        }
        CxlCmd::Set {
            dev,
            feature,
            value,
        } => {
            let uuid = parse_feature(feature).map_err(Error::Invalid)?;
            let data = parse_hex(value).map_err(Error::Invalid)?;
            let d = open(dev)?;
            let scope = d.cxl_set_feature(&uuid, &data)?;
            if cli.json {
                print_json(&json!({
                    "device": d.name(),
                    "uuid": cxl::format_uuid(&uuid),
                    "scope": scope.name(),
                    "written": data.len(),
                }));
            } else {
                println!(
                    "{}: feature {} set ({} bytes, scope {})",
                    d.name(),
                    cxl::format_uuid(&uuid),
                    data.len(),
                    scope.name()
                );
            }
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    // Like any filter, end quietly when the reader goes away (`| head`)
    // instead of panicking on a failed print.
    // SAFETY: called first, before any thread exists; SIG_DFL is a valid
    // disposition for SIGPIPE.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if cli.json {
                let v = json!({ "error": {
                    "message": e.to_string(),
                    "device": e.device(),
                    "errno": e.errno_name(),
                }});
                eprintln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            } else {
                eprintln!("fwctl: {e}");
            }
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn cli_parses() {
        let c = Cli::try_parse_from([
            "fwctl",
            "rpc",
            "mem0",
            "--scope",
            "debug-read-only",
            "--hex",
            "0x0005",
            "--json",
        ])
        .unwrap();
        assert!(c.json);
        match c.cmd {
            Cmd::Rpc {
                dev,
                scope,
                hex,
                out_len,
                ..
            } => {
                assert_eq!(dev, "mem0");
                assert_eq!(scope, Scope::DebugReadOnly);
                assert_eq!(hex.as_deref(), Some("0x0005"));
                assert_eq!(out_len, 4096);
            }
            _ => panic!("wrong command"),
        }
        assert!(Cli::try_parse_from(["fwctl", "rpc", "x", "--scope", "root"]).is_err());
        let c =
            Cli::try_parse_from(["fwctl", "--json", "cxl", "set", "fwctl0", "ecs", "01"]).unwrap();
        assert!(matches!(c.cmd, Cmd::Cxl(CxlCmd::Set { .. })));
    }
}
