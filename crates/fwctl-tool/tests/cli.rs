// SPDX-License-Identifier: GPL-2.0

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

    let o = run(&t, &["rpc", "fwctl0", "-s", "ro", "--hex", "123"]);
    assert_eq!(o.status.code(), Some(1));
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
