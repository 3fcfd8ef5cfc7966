// SPDX-License-Identifier: GPL-2.0 OR MIT

//! `fwctl`: list fwctl devices and talk to their firmware.

mod cli;

use clap::Parser;
use cli::{Cli, Cmd, CxlCmd, Mlx5Cmd};
use fwctl::cxl::{self, parse_feature, CxlFeatures};
use fwctl::cxl_decode;
use fwctl::format::{
    caps_table, change_lines, decoded_lines, device_table, feature_table, hex, hexdump, indent,
    info_lines, mgir_lines,
};
use fwctl::mlx5::{self, Mlx5Commands};
use fwctl::parse::parse_hex;
use fwctl::uapi::DeviceType;
use fwctl::{device_type_name, Device, Error, Sysfs};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;

fn read_input(p: &Path) -> fwctl::Result<Vec<u8>> {
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

/// JSON text: indented with `-p`/`--pretty`, else one line (as
/// `devlink -j`).
fn json_text(cli: &Cli, v: &Value) -> String {
    if cli.pretty {
        serde_json::to_string_pretty(v).unwrap_or_default()
    } else {
        serde_json::to_string(v).unwrap_or_default()
    }
}

fn print_json(cli: &Cli, v: &Value) {
    println!("{}", json_text(cli, v));
}

fn run(cli: &Cli) -> fwctl::Result<()> {
    let sys = Sysfs::new(&cli.sysfs, &cli.dev_dir);
    let open = |spec: &str| Device::open_in(&sys, spec);
    match &cli.cmd {
        Cmd::List { dev } => {
            let mut l = sys.list();
            if let Some(spec) = dev {
                let r = sys.resolve(spec)?;
                l.retain(|e| e.name == r.name);
            }
            if cli.json {
                print_json(cli, &json!(l));
            } else if l.is_empty() {
                println!(
                    "no fwctl devices in {} (is a fwctl driver loaded?)",
                    sys.class_dir().display()
                );
            } else {
                print!("{}", device_table(&l));
            }
        }
        Cmd::Info(dev) => {
            let d = open(&dev.dev)?;
            let info = d.info()?;
            let mut e = sys.entry(d.name());
            e.device_type = device_type_name(info.device_type).into();
            let mlx5 = (info.device_type == DeviceType::Mlx5 as u32)
                .then(|| mlx5::InfoMlx5::from_bytes(&info.data))
                .flatten();
            if cli.json {
                let mut v = json!({
                    "device": d.name(),
                    "number": e.number,
                    "device_type": e.device_type,
                    "device_type_id": info.device_type,
                    "parent": e.parent,
                    "driver": e.driver,
                    "bus_address": e.bus_address,
                    "max_scope": e.max_scope,
                    "data": hex(&info.data),
                });
                if let Some(m) = mlx5 {
                    v["mlx5"] = json!({
                        "uid": m.uid,
                        "uctx_caps": m.uctx_caps,
                        "uctx_cap_names": m.cap_names(),
                    });
                }
                print_json(cli, &v);
            } else {
                print!(
                    "{}",
                    info_lines(&e, info.device_type, &info.data, mlx5.as_ref())
                );
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
            let d = open(&dev.dev)?;
            // The type makes the meaning of a refusal precise; a device
            // that cannot tell it can still take the RPC.
            let _ = d.device_type();
            let mut out = vec![0u8; *out_len];
            let n = d.rpc(*scope, &req, &mut out)?;
            let got = &out[..n.min(out.len())];
            if cli.json {
                print_json(
                    cli,
                    &json!({
                        "device": d.name(),
                        "scope": scope.name(),
                        "out_len": n,
                        "truncated": n > out.len(),
                        "data": hex(got),
                    }),
                );
            } else if *raw {
                std::io::stdout().write_all(got).map_err(|err| Error::Io {
                    what: "standard output".into(),
                    err,
                })?;
            } else {
                if n > out.len() {
                    eprintln!(
                        "fwctl: note: the answer is {n} bytes, only the first {} are shown \
                         (see --out-len)",
                        out.len()
                    );
                }
                print!("{}", hexdump(got));
            }
        }
        Cmd::Cxl(c) => run_cxl(cli, c, &open)?,
        Cmd::Mlx5(c) => run_mlx5(cli, c, &open)?,
    }
    Ok(())
}

type Open<'a> = dyn Fn(&str) -> fwctl::Result<Device> + 'a;

fn run_cxl(cli: &Cli, c: &CxlCmd, open: &Open<'_>) -> fwctl::Result<()> {
    let open_cxl = |spec: &str| -> fwctl::Result<Device> {
        let d = open(spec)?;
        d.expect_type(DeviceType::Cxl)?;
        Ok(d)
    };
    match c {
        CxlCmd::Features(dev) => {
            let d = open_cxl(&dev.dev)?;
            let f = d.cxl_supported_features()?;
            if cli.json {
                print_json(cli, &json!({ "device": d.name(), "features": f }));
            } else {
                print!("{}", feature_table(&f));
            }
        }
        CxlCmd::Get { dev, feature, raw } => {
            let uuid = parse_feature(feature).map_err(Error::Invalid)?;
            let d = open_cxl(&dev.dev)?;
            let decoded = if *raw {
                None
            } else {
                d.cxl_decode_feature(&uuid)?.map(|(_, v)| v)
            };
            let data = match &decoded {
                Some(v) => v.data.clone(),
                None => d.cxl_get_feature(&uuid)?,
            };
            let name = cxl::feature_name(&uuid);
            if cli.json {
                let mut v = json!({
                    "device": d.name(),
                    "uuid": cxl::format_uuid(&uuid),
                    "name": name,
                    "data": hex(&data),
                });
                if let Some(dec) = &decoded {
                    v["decoded"] = json!(dec);
                }
                print_json(cli, &v);
            } else if let Some(dec) = &decoded {
                println!(
                    "{}: feature {}, current value ({} bytes)",
                    d.name(),
                    dec.layout.name,
                    data.len()
                );
                print!("{}", decoded_lines(dec));
            } else {
                print!("{}", hexdump(&data));
            }
        }
        CxlCmd::Set {
            dev,
            feature,
            values,
            raw,
        } => {
            let uuid = parse_feature(feature).map_err(Error::Invalid)?;
            // Everything the command line alone decides is checked before
            // the device is opened.
            let update = match (raw, cxl_decode::layout(&uuid)) {
                (Some(h), _) => Update::Raw(parse_hex(h).map_err(Error::Invalid)?),
                // A feature without fields: its data, as before --raw.
                (None, None) => match values.as_slice() {
                    [v] if !v.contains('=') => Update::Raw(parse_hex(v).map_err(Error::Invalid)?),
                    _ => {
                        return Err(Error::Invalid(format!(
                            "feature {} has no fields this tool knows: give its data in hex \
                             (--raw HEX)",
                            cxl::format_uuid(&uuid)
                        )))
                    }
                },
                (None, Some(l)) => {
                    Update::Fields(l.parse_assignments(values).map_err(Error::Invalid)?)
                }
            };
            let d = open_cxl(&dev.dev)?;
            let (scope, data, changes) = match update {
                Update::Raw(data) => (d.cxl_set_feature(&uuid, &data)?, data, None),
                Update::Fields(a) => {
                    let (scope, plan) = d.cxl_set_fields(&uuid, &a)?;
                    (scope, plan.data, Some(plan.changes))
                }
            };
            let name = cxl::feature_name(&uuid)
                .map(str::to_string)
                .unwrap_or_else(|| cxl::format_uuid(&uuid));
            if cli.json {
                let mut v = json!({
                    "device": d.name(),
                    "uuid": cxl::format_uuid(&uuid),
                    "name": cxl::feature_name(&uuid),
                    "scope": scope.name(),
                    "written": data.len(),
                });
                if let Some(c) = &changes {
                    v["changes"] = json!(c);
                }
                print_json(cli, &v);
            } else {
                println!(
                    "{}: feature {name} set ({} bytes, scope {})",
                    d.name(),
                    data.len(),
                    scope.name()
                );
                if let Some(c) = &changes {
                    print!("{}", change_lines(c));
                }
            }
        }
    }
    Ok(())
}

/// What `fwctl cxl set` writes.
enum Update {
    /// Bytes as they are (`--raw`).
    Raw(Vec<u8>),
    /// Fields by name.
    Fields(Vec<cxl_decode::Assignment>),
}

fn run_mlx5(cli: &Cli, c: &Mlx5Cmd, open: &Open<'_>) -> fwctl::Result<()> {
    let open_mlx5 = |spec: &str| -> fwctl::Result<Device> {
        let d = open(spec)?;
        d.expect_type(DeviceType::Mlx5)?;
        Ok(d)
    };
    match c {
        Mlx5Cmd::Caps { dev, max } => {
            let d = open_mlx5(&dev.dev)?;
            let caps = d.mlx5_general_caps(!*max)?;
            let which = if *max { "maximum" } else { "current" };
            if cli.json {
                let values: serde_json::Map<String, Value> = caps
                    .iter()
                    .map(|c| (c.name.to_string(), json!(c.value)))
                    .collect();
                print_json(
                    cli,
                    &json!({
                        "device": d.name(),
                        "capability": "general",
                        "values": which,
                        "caps": values,
                        "fields": caps,
                    }),
                );
            } else {
                println!("{}: general device capabilities, {which} values", d.name());
                print!("{}", caps_table(&caps));
            }
        }
        Mlx5Cmd::Reg {
            dev,
            register,
            len,
            data,
            argument,
        } => {
            let (id, known) = mlx5::parse_register(register).map_err(Error::Invalid)?;
            let data = match data {
                Some(h) => parse_hex(h).map_err(Error::Invalid)?,
                None => Vec::new(),
            };
            let len = len.unwrap_or(known.map_or(mlx5::DEFAULT_REG_LEN, |r| r.len));
            if len == 0 || len % 4 != 0 || data.len() > len {
                return Err(Error::Invalid(format!(
                    "register length {len}: must be a non-zero multiple of 4 bytes, \
                     at least the {} bytes of --data",
                    data.len()
                )));
            }
            let d = open_mlx5(&dev.dev)?;
            let got = d.mlx5_read_register(id, *argument, &data, len)?;
            let name = known.map(|r| r.name);
            let mgir = (id == mlx5::MGIR.id).then(|| mlx5::decode_mgir(&got));
            if cli.json {
                let mut v = json!({
                    "device": d.name(),
                    "register": name,
                    "register_id": id,
                    "length": got.len(),
                    "data": hex(&got),
                });
                if let Some(m) = &mgir {
                    v["decoded"] = json!(m);
                }
                print_json(cli, &v);
            } else {
                println!(
                    "{}: register {}{id:#06x}, {} bytes",
                    d.name(),
                    name.map(|n| format!("{n} ")).unwrap_or_default(),
                    got.len()
                );
                match &mgir {
                    Some(m) => print!("{}", indent(&mgir_lines(m), 2)),
                    None => print!("{}", hexdump(&got)),
                }
            }
        }
    }
    Ok(())
}

fn error_json(e: &Error) -> Value {
    let mut v = json!({
        "message": e.to_string(),
        "device": e.device(),
        "errno": e.errno_name(),
        "errno_value": e.errno(),
    });
    if let Error::Refused { rule, remedy, .. } = e {
        v["refusal"] = json!({ "rule": rule.name(), "remedy": remedy });
    }
    if let Error::Firmware {
        command,
        kind,
        status,
        status_name,
        syndrome,
        ..
    } = e
    {
        v["firmware"] = json!({
            "command": command,
            "kind": kind,
            "status": status,
            "status_name": status_name,
            "syndrome": syndrome,
        });
    }
    json!({ "error": v })
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
                let v = error_json(&e);
                eprintln!("{}", json_text(&cli, &v));
            } else {
                eprintln!("fwctl: {e}");
            }
            // Usage errors exit 2 wherever they are found, as clap's do:
            // bad input caught before any RPC (a malformed value, a
            // command for another type of device).
            if matches!(e, Error::Invalid(_)) {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use fwctl::Scope;

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
                assert_eq!(dev.dev, "mem0");
                assert_eq!(scope, Scope::DebugReadOnly);
                assert_eq!(hex.as_deref(), Some("0x0005"));
                assert_eq!(out_len, 4096);
            }
            _ => panic!("wrong command"),
        }
        assert!(Cli::try_parse_from(["fwctl", "rpc", "x", "--scope", "root"]).is_err());
        // A request is required, and only one.
        assert!(Cli::try_parse_from(["fwctl", "rpc", "x", "-s", "0"]).is_err());
        assert!(
            Cli::try_parse_from(["fwctl", "rpc", "x", "-s", "0", "--hex", "00", "--in", "f"])
                .is_err()
        );
        let c =
            Cli::try_parse_from(["fwctl", "--json", "cxl", "set", "fwctl0", "ecs", "01"]).unwrap();
        assert!(matches!(c.cmd, Cmd::Cxl(CxlCmd::Set { .. })));
    }

    #[test]
    fn cxl_get_and_set_parse() {
        let set = |args: &[&str]| {
            let mut v = vec!["fwctl", "cxl", "set", "mem0"];
            v.extend(args);
            Cli::try_parse_from(v)
        };
        match set(&["ecs", "threshold=1024", "fru1.count_mode=codewords"])
            .unwrap()
            .cmd
        {
            Cmd::Cxl(CxlCmd::Set {
                feature,
                values,
                raw,
                ..
            }) => {
                assert_eq!(feature, "ecs");
                assert_eq!(values, ["threshold=1024", "fru1.count_mode=codewords"]);
                assert_eq!(raw, None);
            }
            _ => panic!("wrong command"),
        }
        match set(&["patrol-scrub", "--raw", "0c 01"]).unwrap().cmd {
            Cmd::Cxl(CxlCmd::Set { values, raw, .. }) => {
                assert!(values.is_empty());
                assert_eq!(raw.as_deref(), Some("0c 01"));
            }
            _ => panic!("wrong command"),
        }
        // Fields or --raw, not both, and one of them.
        let e = set(&["patrol-scrub", "enabled=yes", "--raw", "0c01"]).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::ArgumentConflict);
        let e = set(&["patrol-scrub"]).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::MissingRequiredArgument);
        match Cli::try_parse_from(["fwctl", "cxl", "get", "mem0", "ecs", "--raw"])
            .unwrap()
            .cmd
        {
            Cmd::Cxl(CxlCmd::Get { raw, .. }) => assert!(raw),
            _ => panic!("wrong command"),
        }
    }

    /// The help of 'cxl set' names every field the tool can set, and the
    /// help of 'cxl get' every feature it decodes.
    #[test]
    fn cxl_help_lists_the_fields() {
        let cmd = Cli::command();
        let cxl = cmd.find_subcommand("cxl").unwrap();
        let help = |name: &str| {
            cxl.find_subcommand(name)
                .unwrap()
                .get_long_about()
                .unwrap()
                .to_string()
        };
        let (get, set) = (help("get"), help("set"));
        for l in &cxl_decode::LAYOUTS {
            assert!(get.contains(l.name), "get: {}", l.name);
            for f in l.settable() {
                let f = f.trim_start_matches("[fruN.]");
                assert!(set.contains(f), "set: {}: {f}", l.name);
            }
        }
    }

    #[test]
    fn mlx5_commands_parse() {
        let c = Cli::try_parse_from(["fwctl", "mlx5", "caps", "mlx5_sim.0", "--max"]).unwrap();
        match c.cmd {
            Cmd::Mlx5(Mlx5Cmd::Caps { dev, max }) => {
                assert_eq!(dev.dev, "mlx5_sim.0");
                assert!(max);
            }
            _ => panic!("wrong command"),
        }
        let c = Cli::try_parse_from([
            "fwctl",
            "mlx5",
            "reg",
            "fwctl1",
            "mtmp",
            "--data",
            "00000001",
            "--argument",
            "0x10",
            "--len",
            "0x20",
        ])
        .unwrap();
        match c.cmd {
            Cmd::Mlx5(Mlx5Cmd::Reg {
                register,
                data,
                argument,
                len,
                ..
            }) => {
                assert_eq!(register, "mtmp");
                assert_eq!(data.as_deref(), Some("00000001"));
                assert_eq!(argument, 16);
                assert_eq!(len, Some(32));
            }
            _ => panic!("wrong command"),
        }
        assert!(Cli::try_parse_from([
            "fwctl",
            "mlx5",
            "reg",
            "x",
            "MGIR",
            "--argument",
            "0x1ffffffff"
        ])
        .is_err());
        assert!(Cli::try_parse_from(["fwctl", "mlx5", "reg", "x"]).is_err());
    }

    #[test]
    fn firmware_errors_in_json() {
        let e = Error::Firmware {
            device: "fwctl1".into(),
            command: "QUERY_HCA_CAP".into(),
            kind: "mlx5 command status",
            status: 3,
            status_name: mlx5::status_name(3),
            syndrome: Some(0x1234),
        };
        let v = error_json(&e);
        assert_eq!(v["error"]["device"], "fwctl1");
        assert_eq!(v["error"]["errno"], Value::Null);
        assert_eq!(v["error"]["firmware"]["status"], 3);
        assert_eq!(v["error"]["firmware"]["syndrome"], 0x1234);
        assert_eq!(
            v["error"]["firmware"]["status_name"],
            "BAD_PARAM_ERR: bad parameter"
        );
        let e = Error::os("fwctl0", fwctl::Op::Rpc, libc::EPERM);
        let v = error_json(&e);
        assert_eq!(v["error"]["errno"], "EPERM");
        assert_eq!(v["error"]["errno_value"], libc::EPERM);
        assert!(v["error"].get("firmware").is_none());
    }

    /// Every command and option has help text, and the long help of each
    /// command has examples.
    #[test]
    fn help_is_complete() {
        fn walk(c: &clap::Command, path: &str) {
            let path = format!("{path} {}", c.get_name());
            assert!(c.get_about().is_some(), "{path}: no about");
            for a in c.get_arguments() {
                if a.get_id() == "help" || a.get_id() == "version" {
                    continue;
                }
                assert!(
                    a.get_help().is_some(),
                    "{path}: --{} has no help",
                    a.get_id()
                );
            }
            let long = [c.get_long_about(), c.get_after_help()];
            for text in long.into_iter().flatten() {
                for l in text.to_string().lines() {
                    // A terminal has 80 columns; a man page fills prose
                    // but keeps indented lines, which it indents by 7.
                    assert!(l.len() <= 80, "{path}: line too long: '{l}'");
                    if l.starts_with(' ') {
                        assert!(l.len() <= 72, "{path}: too long for a man page: '{l}'");
                    }
                }
            }
            if c.get_subcommands().next().is_none() || c.get_name() == "fwctl" {
                let after = c
                    .get_after_help()
                    .map(|s| s.to_string())
                    .unwrap_or_default();
                assert!(after.contains("Examples:"), "{path}: no examples");
                assert!(c.get_long_about().is_some(), "{path}: no long help");
            }
            for s in c.get_subcommands() {
                if s.get_name() != "help" {
                    walk(s, &path);
                }
            }
        }
        walk(&Cli::command(), "");
    }
}
