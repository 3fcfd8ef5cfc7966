// SPDX-License-Identifier: GPL-2.0 OR MIT

//! The `fwctl` binary against a fake sysfs and /dev.

use std::os::unix::fs::symlink;
use std::path::PathBuf;
use std::process::{Command, Output};

struct Tree(PathBuf);

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tree(tag: &str) -> Tree {
    let t = std::env::temp_dir().join(format!("fwctl-cli-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&t);
    let mem0 = t.join("sys/devices/pci0000:00/0000:0d:00.0/mem0");
    std::fs::create_dir_all(&mem0).unwrap();
    std::fs::create_dir_all(t.join("sys/bus/cxl/drivers/cxl_mem")).unwrap();
    symlink(
        "../../../../../bus/cxl/drivers/cxl_mem",
        mem0.join("driver"),
    )
    .unwrap();
    let c = t.join("sys/class/fwctl/fwctl0");
    std::fs::create_dir_all(&c).unwrap();
    symlink(
        "../../../devices/pci0000:00/0000:0d:00.0/mem0",
        c.join("device"),
    )
    .unwrap();
    std::fs::write(c.join("max_scope"), "debug_read_only\n").unwrap();
    std::fs::create_dir_all(t.join("dev/fwctl")).unwrap();
    // Not a fwctl device: every ioctl fails with ENOTTY.
    std::fs::write(t.join("dev/fwctl/fwctl0"), b"").unwrap();
    Tree(t)
}

fn run(t: &Tree, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fwctl"))
        .arg("--sysfs")
        .arg(t.0.join("sys"))
        .arg("--dev-dir")
        .arg(t.0.join("dev"))
        .args(args)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn list() {
    let t = tree("list");
    let o = run(&t, &["list"]);
    assert!(o.status.success());
    let s = text(&o.stdout);
    assert!(s.starts_with("DEVICE  TYPE"), "{s}");
    assert!(
        s.contains("fwctl0  unknown  mem0    cxl_mem  0000:0d:00.0  debug_read_only"),
        "{s}"
    );

    let o = run(&t, &["list", "--json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["name"], "fwctl0");
    assert_eq!(v[0]["max_scope"], "debug_read_only");
}

#[test]
fn errors_exit_1_and_name_the_device() {
    let t = tree("err");
    let o = run(&t, &["info", "mem0"]);
    assert_eq!(o.status.code(), Some(1));
    let s = text(&o.stderr);
    assert!(
        s.starts_with("fwctl: fwctl0: FWCTL_INFO failed: ENOTTY"),
        "{s}"
    );

    let o = run(
        &t,
        &["--json", "rpc", "0000:0d:00.0", "-s", "ro", "--hex", "00"],
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stderr).unwrap();
    assert_eq!(v["error"]["device"], "fwctl0");
    assert_eq!(v["error"]["errno"], "ENOTTY");

    let o = run(&t, &["cxl", "features", "mem7"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("mem7: no such fwctl device"));

    // A usage error found after parsing exits 2, as clap's own do.
    let o = run(&t, &["rpc", "fwctl0", "-s", "ro", "--hex", "123"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("bad hex"));

    // clap's own usage errors exit with 2.
    let o = run(&t, &["rpc", "fwctl0", "-s", "admin", "--hex", "00"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("unknown scope"));
}

#[test]
fn help_explains_scopes() {
    let t = tree("help");
    let o = run(&t, &["--help"]);
    let s = text(&o.stdout);
    for w in ["debug_write_full", "CAP_SYS_RAWIO", "max_scope", "mem0"] {
        assert!(s.contains(w), "{w}: {s}");
    }
}

#[test]
fn list_json_has_numbers() {
    let t = tree("num");
    let o = run(&t, &["--json", "list"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["number"], 0);
    assert_eq!(v[0]["bus_address"], "0000:0d:00.0");
    assert_eq!(v[0]["driver"], "cxl_mem");
}

#[test]
fn device_type_commands_ask_the_type_first() {
    let t = tree("type");
    // FWCTL_INFO fails on the fake node: the error says so, named.
    for args in [
        &["mlx5", "caps", "mem0"][..],
        &["mlx5", "reg", "fwctl0", "MGIR"],
        &["cxl", "features", "/dev/null/x"],
    ] {
        let o = run(&t, args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let s = text(&o.stderr);
        assert!(s.starts_with("fwctl: "), "{s}");
        assert!(s.contains("failed: E"), "{args:?}: {s}");
    }
    let o = run(&t, &["mlx5", "caps", "mem0"]);
    assert!(
        text(&o.stderr).starts_with("fwctl: fwctl0: FWCTL_INFO failed: ENOTTY"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn bad_arguments_are_named() {
    let t = tree("args");
    let o = run(&t, &["mlx5", "reg", "fwctl0", "NOPE"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("bad register 'NOPE'"));
    let o = run(&t, &["mlx5", "reg", "fwctl0", "0x9020", "--len", "6"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("multiple of 4"));
    let o = run(&t, &["mlx5", "reg", "fwctl0", "MGIR", "--data", "0011223"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("bad hex"));
    let o = run(&t, &["cxl", "get", "fwctl0", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("bad feature 'nope'"));
    // As JSON: the device that was not found.
    let o = run(&t, &["--json", "info", "mem3"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stderr).unwrap();
    assert_eq!(v["error"]["device"], "mem3");
    assert_eq!(v["error"]["errno"], serde_json::Value::Null);
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not a parent of any of fwctl0"));
}

#[test]
fn every_help_has_examples() {
    let t = tree("helps");
    for args in [
        &["--help"][..],
        &["list", "--help"],
        &["info", "--help"],
        &["rpc", "--help"],
        &["cxl", "--help"],
        &["cxl", "features", "--help"],
        &["cxl", "get", "--help"],
        &["cxl", "set", "--help"],
        &["mlx5", "--help"],
        &["mlx5", "caps", "--help"],
        &["mlx5", "reg", "--help"],
    ] {
        let o = run(&t, args);
        assert!(o.status.success(), "{args:?}");
        let s = text(&o.stdout);
        assert!(s.contains("Examples:"), "{args:?}: {s}");
        assert!(s.contains("Usage: fwctl"), "{args:?}: {s}");
    }
    let s = text(&run(&t, &["rpc", "--help"]).stdout);
    for w in ["--scope", "debug_read_only", "--out-len", "fwctl_rpc_cxl"] {
        assert!(s.contains(w), "{w}: {s}");
    }
    // Short help stays short.
    let s = text(&run(&t, &["-h"]).stdout);
    assert!(s.lines().count() < 25, "{s}");
}

/// `cxl set` by field: what the command line alone shows wrong is refused
/// as a usage error (exit 2) before the device is touched (on this fake
/// node any ioctl fails with ENOTTY); what passes reaches the device.
#[test]
fn cxl_set_fields_checked_before_any_rpc() {
    let t = tree("fields");
    let unknown = "ffffffff-ffff-ffff-ffff-ffffffffffff";
    for (args, want) in [
        (
            &["patrol-scrub", "scrub_cycle_hours=256"][..],
            "fwctl: patrol-scrub: scrub_cycle_hours=256: scrub_cycle_hours must be from 1 to \
             255 hours, and at least the device's minimum",
        ),
        (
            &["patrol-scrub", "enabled=yes", "scrub_cycle_hours=0"],
            "scrub_cycle_hours must be from 1 to 255 hours",
        ),
        (
            &["patrol-scrub", "min_scrub_cycle_hours=2"],
            "fwctl: patrol-scrub: min_scrub_cycle_hours is read-only; the settable fields are \
             scrub_cycle_hours, enabled",
        ),
        (
            &["patrol-scrub", "enabled=maybe"],
            "enabled must be yes or no (on/off, 1/0)",
        ),
        (
            &["ecs", "fru1.threshold=100"],
            "threshold must be 256, 1024 or 4096",
        ),
        (&["ecs", "speed=1"], "fwctl: ecs: no field 'speed'"),
        (
            &["patrol-scrub", "1800"],
            "'1800' is not FIELD=VALUE (fields: scrub_cycle_hours, enabled; raw data: --raw HEX)",
        ),
        (&[unknown, "a=1"], "has no fields this tool knows"),
        (&[unknown, "01", "02"], "has no fields this tool knows"),
        (&["patrol-scrub", "--raw", "123"], "bad hex"),
    ] {
        let mut a = vec!["cxl", "set", "mem0"];
        a.extend(args);
        let o = run(&t, &a);
        let s = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{a:?}: {s}");
        assert!(s.starts_with("fwctl: ") && s.contains(want), "{a:?}: {s}");
        assert!(!s.contains("ENOTTY"), "{a:?}: {s}");
    }
    let o = run(
        &t,
        &[
            "--json",
            "cxl",
            "set",
            "mem0",
            "patrol-scrub",
            "scrub_cycle_hours=300",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&o.stderr).unwrap();
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("from 1 to 255 hours"));
    assert_eq!(v["error"]["errno"], serde_json::Value::Null);
    // Fields and --raw together, or neither: clap's usage errors.
    for args in [
        &[
            "cxl",
            "set",
            "mem0",
            "patrol-scrub",
            "enabled=yes",
            "--raw",
            "0c01",
        ][..],
        &["cxl", "set", "mem0", "patrol-scrub"],
    ] {
        assert_eq!(run(&t, args).status.code(), Some(2), "{args:?}");
    }
    // What passes the checks goes to the device.
    for args in [
        &[
            "cxl",
            "set",
            "mem0",
            "patrol-scrub",
            "scrub_cycle_hours=24",
            "enabled=on",
        ][..],
        &[
            "cxl",
            "set",
            "mem0",
            "ecs",
            "fru2.reset_counter=yes",
            "threshold=4096",
        ],
        &["cxl", "set", "mem0", "patrol-scrub", "--raw", "1801"],
        &["cxl", "set", "mem0", unknown, "0102"],
        &["cxl", "get", "mem0", "ecs"],
        &["cxl", "get", "mem0", "patrol-scrub", "--raw"],
    ] {
        let o = run(&t, args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(
            text(&o.stderr).starts_with("fwctl: fwctl0: FWCTL_INFO failed: ENOTTY"),
            "{args:?}: {}",
            text(&o.stderr)
        );
    }
    let s = text(&run(&t, &["cxl", "set", "--help"]).stdout);
    for w in [
        "scrub_cycle_hours",
        "fruN.FIELD",
        "--raw <HEX>",
        "usage error",
    ] {
        assert!(s.contains(w), "{w}: {s}");
    }
}

/// The man pages and completions the generator writes, and the man pages
/// the Makefile installs, are the same list.
#[test]
fn generated_docs_match_the_makefile() {
    let dir = std::env::temp_dir().join(format!("fwctl-gendoc-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let o = Command::new(env!("CARGO_BIN_EXE_fwctl-gendoc"))
        .arg(&dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let mut pages: Vec<String> = std::fs::read_dir(dir.join("man"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    pages.sort();
    let mk =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Makefile")).unwrap();
    let list = mk
        .split("MAN_PAGES      :=")
        .nth(1)
        .unwrap()
        .split("\n\n")
        .next()
        .unwrap()
        .split("INSTALLED_FILES")
        .next()
        .unwrap()
        .replace("\\\n", " ");
    let mut want: Vec<String> = list.split_whitespace().map(|p| format!("{p}.1")).collect();
    want.sort();
    assert_eq!(pages, want);
    let top = std::fs::read_to_string(dir.join("man/fwctl.1")).unwrap();
    assert!(top.starts_with(".ie") || top.starts_with(".TH"), "{top}");
    assert!(top.contains(".TH fwctl 1"));
    assert!(top.contains("debug_write_full"));
    let get = std::fs::read_to_string(dir.join("man/fwctl-cxl-get.1")).unwrap();
    assert!(get.contains("patrol\\-scrub"), "{get}");
    let bash = std::fs::read_to_string(dir.join("completions/fwctl.bash")).unwrap();
    assert!(bash.contains("complete -F _fwctl"), "{bash}");
    for sub in ["features", "caps", "reg"] {
        assert!(bash.contains(sub), "{sub}");
    }
    assert!(std::fs::read_to_string(dir.join("completions/_fwctl"))
        .unwrap()
        .starts_with("#compdef fwctl"));
    assert!(std::fs::read_to_string(dir.join("completions/fwctl.fish"))
        .unwrap()
        .contains("complete -c fwctl"));
    let _ = std::fs::remove_dir_all(&dir);
}
