// SPDX-License-Identifier: GPL-2.0 OR MIT

use crate::cxl::{self, CxlFeatures, Feature, Transport};
use crate::cxl_features::{self as cf, FeatEntry, RpcCxlHdr, RpcCxlOutHdr};
use crate::error::{errno_meaning, errno_name, Error, Op};
use crate::format::{device_table, feature_table, hex, hexdump};
use crate::parse::{parse_hex, parse_number, parse_scope};
use crate::sysfs::{is_pci_address, DeviceEntry, Sysfs};
use crate::uapi::Scope;
use crate::Device;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

// ---------------------------------------------------------------------------
// A fake sysfs and /dev in a temporary directory
// ---------------------------------------------------------------------------

struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "fwctl-tool-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn mkdir(p: &Path) {
    std::fs::create_dir_all(p).unwrap();
}

/// fwctl0: CXL mem0 under PCI 0000:0d:00.0, driver cxl_mem, max_scope
/// debug_write_full, node present (a regular file).
/// fwctl1: PCI function 0000:03:00.0, driver mlx5_core, max_scope none.
/// fwctl10: platform device foo, no driver, no max_scope.
fn fake_tree() -> (TempDir, Sysfs) {
    let t = TempDir::new();
    let sys = t.0.join("sys");
    let dev = t.0.join("dev");
    let mem0 = sys.join("devices/pci0000:00/0000:0d:00.0/mem0");
    let mlx = sys.join("devices/pci0000:00/0000:03:00.0");
    mkdir(&mem0);
    mkdir(&mlx);
    mkdir(&sys.join("devices/platform/foo"));
    mkdir(&sys.join("bus/cxl/drivers/cxl_mem"));
    mkdir(&sys.join("bus/pci/drivers/mlx5_core"));
    symlink(
        "../../../../../bus/cxl/drivers/cxl_mem",
        mem0.join("driver"),
    )
    .unwrap();
    symlink("../../../../bus/pci/drivers/mlx5_core", mlx.join("driver")).unwrap();
    // What sysfs tells of the types: memN's bus, the function's
    // auxiliary child.
    mkdir(&sys.join("bus/cxl"));
    symlink("../../../../bus/cxl", mem0.join("subsystem")).unwrap();
    mkdir(&mlx.join("mlx5_core.fwctl.0"));
    let class = sys.join("class/fwctl");
    for (n, target) in [
        ("fwctl0", "../../../devices/pci0000:00/0000:0d:00.0/mem0"),
        ("fwctl1", "../../../devices/pci0000:00/0000:03:00.0"),
        ("fwctl10", "../../../devices/platform/foo"),
    ] {
        mkdir(&class.join(n));
        symlink(target, class.join(n).join("device")).unwrap();
    }
    std::fs::write(class.join("fwctl0/max_scope"), "debug_write_full\n").unwrap();
    std::fs::write(class.join("fwctl1/max_scope"), "none\n").unwrap();
    mkdir(&class.join("not-a-device"));
    mkdir(&dev.join("fwctl"));
    std::fs::write(dev.join("fwctl/fwctl0"), b"").unwrap();
    (t, Sysfs::new(sys, dev))
}

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

#[test]
fn scopes() {
    for (s, want) in [
        ("configuration", Scope::Configuration),
        ("config", Scope::Configuration),
        ("0", Scope::Configuration),
        ("debug_read_only", Scope::DebugReadOnly),
        ("debug-read-only", Scope::DebugReadOnly),
        ("FWCTL_RPC_DEBUG_READ_ONLY", Scope::DebugReadOnly),
        ("ro", Scope::DebugReadOnly),
        ("Debug_Write", Scope::DebugWrite),
        ("2", Scope::DebugWrite),
        ("debug_write_full", Scope::DebugWriteFull),
        ("full", Scope::DebugWriteFull),
        (" 3 ", Scope::DebugWriteFull),
    ] {
        assert_eq!(parse_scope(s), Ok(want), "{s}");
    }
    for s in ["", "4", "none", "debug", "root"] {
        assert!(parse_scope(s).is_err(), "{s}");
    }
    // Every scope's own name parses back.
    for s in Scope::ALL {
        assert_eq!(parse_scope(s.name()), Ok(s));
    }
}

#[test]
fn hex_input() {
    assert_eq!(parse_hex("0102ff"), Ok(vec![1, 2, 0xff]));
    assert_eq!(parse_hex("0x0102 0XFF"), Ok(vec![1, 2, 0xff]));
    assert_eq!(parse_hex("01 02\n03\t04"), Ok(vec![1, 2, 3, 4]));
    assert_eq!(parse_hex("de:ad-be,ef"), Ok(vec![0xde, 0xad, 0xbe, 0xef]));
    assert_eq!(parse_hex(""), Ok(vec![]));
    assert!(parse_hex("123").is_err());
    assert!(parse_hex("0x").is_err());
    assert!(parse_hex("zz").is_err());
    assert!(parse_hex("0é").is_err());
    assert_eq!(parse_number("16"), Ok(16));
    assert_eq!(parse_number("0x10"), Ok(16));
    assert!(parse_number("x").is_err());
}

#[test]
fn pci_addresses() {
    assert!(is_pci_address("0000:0d:00.0"));
    assert!(is_pci_address("abcd:ef:1f.7"));
    assert!(!is_pci_address("pci0000:00"));
    assert!(!is_pci_address("mem0"));
    assert!(!is_pci_address("0000:0d:00:0"));
}

// ---------------------------------------------------------------------------
// Sysfs
// ---------------------------------------------------------------------------

#[test]
fn discovery() {
    let (_t, s) = fake_tree();
    assert_eq!(s.names(), ["fwctl0", "fwctl1", "fwctl10"]);
    let e = s.entries();
    assert_eq!(
        e[0],
        DeviceEntry {
            name: "fwctl0".into(),
            number: 0,
            device_type: "unknown".into(),
            parent: Some("mem0".into()),
            driver: Some("cxl_mem".into()),
            bus_address: Some("0000:0d:00.0".into()),
            max_scope: Some("debug_write_full".into()),
        }
    );
    assert_eq!(e[1].parent.as_deref(), Some("0000:03:00.0"));
    assert_eq!(e[1].bus_address.as_deref(), Some("0000:03:00.0"));
    assert_eq!(e[1].driver.as_deref(), Some("mlx5_core"));
    assert_eq!(e[1].max_scope.as_deref(), Some("none"));
    assert_eq!(e[2].parent.as_deref(), Some("foo"));
    assert_eq!(e[2].driver, None);
    assert_eq!(e[2].bus_address, None);
    assert_eq!(e[2].max_scope, None);
    // list() reads sysfs only: fwctl0's parent is on the CXL bus,
    // fwctl1's holds an mlx5 auxiliary device, fwctl10's nothing known.
    let types: Vec<String> = s.list().into_iter().map(|e| e.device_type).collect();
    assert_eq!(types, ["cxl", "mlx5", "unknown"]);
}

/// The names operators already use for a function: its devlink handle,
/// its netdev, its RDMA device.
#[test]
fn resolve_by_devlink_netdev_and_rdma_names() {
    let (t, s) = fake_tree();
    let sys = t.0.join("sys");
    for (class, name) in [("net", "eth0"), ("infiniband", "mlx5_0")] {
        mkdir(&sys.join("class").join(class).join(name));
        symlink(
            "../../../devices/pci0000:00/0000:03:00.0",
            sys.join("class").join(class).join(name).join("device"),
        )
        .unwrap();
    }
    for spec in ["pci/0000:03:00.0", "eth0", "mlx5_0", "0000:03:00.0"] {
        assert_eq!(s.resolve(spec).unwrap().name, "fwctl1", "{spec}");
    }
    assert!(s.resolve("pci/0000:99:00.0").is_err());
    assert!(s.resolve("eth1").is_err());
}

/// The layout the kernel makes: `class/fwctl/fwctl0` is a link into the
/// parent's directory, and its `device` link is relative to that.
#[test]
fn discovery_through_the_kernels_links() {
    let t = TempDir::new();
    let sys = t.0.join("sys");
    let mem0 = sys.join("devices/pci0000:0c/0000:0c:00.0/0000:0d:00.0/mem0");
    mkdir(&mem0.join("fwctl/fwctl0"));
    mkdir(&sys.join("bus/cxl/drivers/cxl_mem"));
    mkdir(&sys.join("class/fwctl"));
    symlink("../../../mem0", mem0.join("fwctl/fwctl0/device")).unwrap();
    symlink(
        "../../../../../../bus/cxl/drivers/cxl_mem",
        mem0.join("driver"),
    )
    .unwrap();
    symlink(
        "../../devices/pci0000:0c/0000:0c:00.0/0000:0d:00.0/mem0/fwctl/fwctl0",
        sys.join("class/fwctl/fwctl0"),
    )
    .unwrap();
    std::fs::write(mem0.join("fwctl/fwctl0/max_scope"), "configuration\n").unwrap();
    let s = Sysfs::new(&sys, t.0.join("dev"));
    let e = s.entry("fwctl0");
    assert_eq!(e.parent.as_deref(), Some("mem0"));
    assert_eq!(e.driver.as_deref(), Some("cxl_mem"));
    assert_eq!(e.bus_address.as_deref(), Some("0000:0d:00.0"));
    assert_eq!(e.max_scope.as_deref(), Some("configuration"));
    assert_eq!(s.resolve("0000:0d:00.0").unwrap().name, "fwctl0");
    assert_eq!(s.resolve("0000:0c:00.0").unwrap().name, "fwctl0");
    assert_eq!(s.resolve("mem0").unwrap().name, "fwctl0");
}

#[test]
fn no_class_dir() {
    let t = TempDir::new();
    let s = Sysfs::new(t.0.join("sys"), t.0.join("dev"));
    assert!(s.names().is_empty());
    assert!(s.list().is_empty());
    let e = s.resolve("mem0").unwrap_err();
    assert!(e.to_string().contains("has no fwctl devices"), "{e}");
}

#[test]
fn resolve_specs() {
    let (_t, s) = fake_tree();
    let r = |spec| s.resolve(spec).map(|r| (r.name, r.node));
    let node = |n: &str| s.dev.join("fwctl").join(n);
    assert_eq!(r("fwctl0").unwrap(), ("fwctl0".into(), node("fwctl0")));
    // fwctlN need not exist in sysfs: the open decides.
    assert_eq!(r("fwctl5").unwrap(), ("fwctl5".into(), node("fwctl5")));
    assert_eq!(
        r("/dev/fwctl/fwctl3").unwrap(),
        ("fwctl3".into(), PathBuf::from("/dev/fwctl/fwctl3"))
    );
    assert_eq!(r("./x").unwrap(), ("./x".into(), PathBuf::from("./x")));
    assert_eq!(r("mem0").unwrap().0, "fwctl0");
    assert_eq!(r("0000:0d:00.0").unwrap().0, "fwctl0");
    assert_eq!(r("0000:03:00.0").unwrap().0, "fwctl1");
    assert_eq!(r("foo").unwrap().0, "fwctl10");
    let e = r("pci0000:00").unwrap_err();
    assert!(
        e.to_string().contains("ambiguous, matches fwctl0, fwctl1"),
        "{e}"
    );
    let e = r("mem1").unwrap_err();
    assert!(matches!(e, Error::NoDevice { .. }));
    assert!(
        e.to_string().starts_with("mem1: no such fwctl device"),
        "{e}"
    );
    assert!(r("").is_err());
}

#[test]
fn open_and_errors_name_the_device() {
    let (_t, s) = fake_tree();
    // A missing node: ENOENT on open, named by its fwctl name.
    let e = Device::open_in(&s, "0000:03:00.0").unwrap_err();
    match &e {
        Error::Os {
            device, op, errno, ..
        } => {
            assert_eq!(device, "fwctl1");
            assert_eq!(*op, Op::Open);
            assert_eq!(*errno, libc::ENOENT);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(e.errno_name(), Some("ENOENT"));
    // A node that is no fwctl device: the ioctls fail with ENOTTY.
    let d = Device::open_in(&s, "mem0").unwrap();
    assert_eq!(d.name(), "fwctl0");
    let e = d.info().unwrap_err();
    assert!(matches!(
        e,
        Error::Os {
            op: Op::Info,
            errno: libc::ENOTTY,
            ..
        }
    ));
    let msg = e.to_string();
    assert!(
        msg.starts_with("fwctl0: FWCTL_INFO failed: ENOTTY ("),
        "{msg}"
    );
    assert!(msg.contains("not a fwctl device"), "{msg}");
    let mut out = [0u8; 8];
    let e = d.rpc(Scope::Configuration, &[0; 16], &mut out).unwrap_err();
    assert!(matches!(
        e,
        Error::Os {
            op: Op::Rpc,
            errno: libc::ENOTTY,
            ..
        }
    ));
    assert_eq!(e.device(), Some("fwctl0"));
    // Too big for the uAPI: refused before the ioctl.
    let big = vec![0u8; 2 * 1024 * 1024 + 1];
    assert!(matches!(
        d.rpc(Scope::Configuration, &big, &mut out),
        Err(Error::Invalid(_))
    ));
}

// ---------------------------------------------------------------------------
// Errnos
// ---------------------------------------------------------------------------

#[test]
fn errnos() {
    assert_eq!(errno_name(libc::EPERM), "EPERM");
    assert_eq!(errno_name(libc::EMSGSIZE), "EMSGSIZE");
    assert_eq!(errno_name(libc::EOPNOTSUPP), "EOPNOTSUPP");
    assert_eq!(errno_name(libc::EBADMSG), "EBADMSG");
    assert_eq!(errno_name(99999), "E?");
    assert!(errno_meaning(Op::Open, libc::EPERM, None).contains("max_scope is none"));
    assert!(errno_meaning(Op::Info, libc::EPERM, None).contains("max_scope is none"));
    assert!(errno_meaning(Op::Rpc, libc::EPERM, None).contains("CAP_SYS_RAWIO"));
    assert!(errno_meaning(Op::Rpc, libc::EMSGSIZE, None).contains("2 MiB"));
    assert!(errno_meaning(Op::Info, libc::EOPNOTSUPP, None).contains("flags"));
    assert!(errno_meaning(Op::Rpc, libc::EOPNOTSUPP, None).contains("scope"));
    assert!(errno_meaning(Op::Rpc, libc::E2BIG, None).contains("non-zero bytes"));
    assert!(errno_meaning(Op::Info, libc::ENODEV, None).contains("unregistered"));
    assert!(errno_meaning(Op::Rpc, libc::EINVAL, Some(DeviceType::Cxl)).contains("too low a scope"));
    assert_eq!(
        errno_meaning(Op::Rpc, libc::EROFS, None),
        "returned by the driver"
    );
    let e = Error::os("fwctl2", Op::Rpc, libc::EPERM);
    assert_eq!(
        e.to_string(),
        format!(
            "fwctl2: FWCTL_RPC failed: EPERM ({}): {}",
            crate::error::strerror(libc::EPERM),
            errno_meaning(Op::Rpc, libc::EPERM, None)
        )
    );
    assert!(!crate::error::strerror(libc::EPERM).contains("os error"));
}

/// An I/O error's cause is its `io::Error`, for callers that walk the
/// chain; an errno from the kernel is the error itself.
#[test]
fn error_sources() {
    use std::error::Error as _;
    let e = Error::Io {
        what: "/sys/class/fwctl/fwctl0/max_scope".into(),
        err: std::io::Error::from_raw_os_error(libc::EACCES),
    };
    let src = e.source().expect("an I/O error has a source");
    let io = src.downcast_ref::<std::io::Error>().unwrap();
    assert_eq!(io.raw_os_error(), Some(libc::EACCES));
    assert!(e
        .to_string()
        .starts_with("/sys/class/fwctl/fwctl0/max_scope: "));
    assert!(Error::os("fwctl0", Op::Rpc, libc::EPERM).source().is_none());
    assert!(Error::Invalid("bad".into()).source().is_none());
}

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

#[test]
fn hex_output() {
    assert_eq!(hex(&[0, 0xab, 0x10]), "00ab10");
    assert_eq!(hexdump(&[]), "");
    let d: Vec<u8> = (0x41..0x41 + 18).collect();
    let h = hexdump(&d);
    let lines: Vec<&str> = h.lines().collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[0],
        "00000000  41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50  |ABCDEFGHIJKLMNOP|"
    );
    assert_eq!(
        lines[1],
        "00000010  51 52                                             |QR|"
    );
    assert!(hexdump(&[0, 0x7f, b' ']).ends_with("|.. |\n"));
}

#[test]
fn device_table_and_json() {
    let (_t, s) = fake_tree();
    let e = s.entries();
    let t = device_table(&e);
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(
        lines[0],
        "DEVICE   TYPE     PARENT        DRIVER     BUS           MAX_SCOPE"
    );
    assert_eq!(
        lines[1],
        "fwctl0   unknown  mem0          cxl_mem    0000:0d:00.0  debug_write_full"
    );
    assert_eq!(
        lines[3],
        "fwctl10  unknown  foo           -          -             -"
    );
    let j: serde_json::Value = serde_json::to_value(&e).unwrap();
    assert_eq!(j[0]["name"], "fwctl0");
    assert_eq!(j[0]["parent"], "mem0");
    assert_eq!(j[0]["bus_address"], "0000:0d:00.0");
    assert_eq!(j[2]["driver"], serde_json::Value::Null);
}

// ---------------------------------------------------------------------------
// CXL
// ---------------------------------------------------------------------------

pub(crate) fn entry(uuid: cf::Uuid, id: u16, flags: u32, effects: u16) -> FeatEntry {
    FeatEntry {
        uuid,
        id,
        get_feat_size: 32,
        set_feat_size: if flags & cf::CXL_FEATURE_F_CHANGEABLE != 0 {
            16
        } else {
            0
        },
        flags,
        get_feat_ver: 1,
        set_feat_ver: 2,
        effects,
        reserved: [0; 18],
    }
}

#[test]
fn uuids_and_names() {
    let u = cf::CXL_FEAT_PATROL_SCRUB_UUID;
    assert_eq!(cxl::format_uuid(&u), "96dad7d6-fde8-482b-a733-75774e06db8a");
    assert_eq!(
        cxl::parse_feature("96dad7d6-fde8-482b-a733-75774e06db8a"),
        Ok(u)
    );
    assert_eq!(
        cxl::parse_feature("96DAD7D6FDE8482BA73375774E06DB8A"),
        Ok(u)
    );
    assert_eq!(cxl::parse_feature("patrol-scrub"), Ok(u));
    assert_eq!(cxl::parse_feature("Patrol_Scrub"), Ok(u));
    assert_eq!(cxl::parse_feature("ecs"), Ok(cf::CXL_FEAT_ECS_UUID));
    assert_eq!(
        cxl::feature_name(&cf::CXL_FEAT_RANK_SPARING_UUID),
        Some("rank-sparing")
    );
    assert_eq!(cxl::feature_name(&[0; 16]), None);
    assert!(cxl::parse_feature("nope").is_err());
    assert!(cxl::parse_feature("96dad7d6-fde8-482b-a733-75774e06db").is_err());
    for k in cxl::KNOWN_FEATURES {
        assert_eq!(cxl::parse_feature(k.1), Ok(k.0));
        assert_eq!(cxl::parse_feature(&cxl::format_uuid(&k.0)), Ok(k.0));
    }
}

#[test]
fn feature_decoding() {
    let f = Feature::from_entry(&entry(
        [7; 16],
        3,
        cf::CXL_FEATURE_F_CHANGEABLE | cf::CXL_FEATURE_F_SAVED_SEL,
        cf::CXL_CMD_CONFIG_CHANGE_COLD_RESET | cf::CXL_CMD_EFFECTS_VALID,
    ));
    assert_eq!(f.flag_names, ["changeable", "saved-sel"]);
    assert_eq!(
        f.effect_names,
        ["config-change-cold-reset", "effects-valid"]
    );
    assert_eq!(f.set_scope, Some("debug_write"));
    assert_eq!(f.set_refused, None);
    let f = Feature::from_entry(&entry(
        [7; 16],
        3,
        cf::CXL_FEATURE_F_CHANGEABLE,
        cf::CXL_CMD_CONFIG_CHANGE_IMMEDIATE,
    ));
    assert_eq!(f.set_scope, Some("debug_write_full"));
    let f = Feature::from_entry(&entry(
        [7; 16],
        3,
        cf::CXL_FEATURE_F_CHANGEABLE,
        cf::CXL_CMD_BACKGROUND,
    ));
    assert_eq!(f.set_scope, None);
    assert!(f.set_refused.unwrap().contains("background"));
    let f = Feature::from_entry(&entry(cf::CXL_FEAT_ECS_UUID, 0, 0, 0));
    assert_eq!(f.name, Some("ecs"));
    assert_eq!(f.set_refused.as_deref(), Some("not changeable"));
    assert_eq!(
        cxl::set_scope(0x1000).unwrap_err(),
        "reserved effect bits set"
    );
    assert_eq!(cxl::set_scope(0).unwrap_err(), "device reports no effect");
}

#[test]
fn requests() {
    let r = cxl::get_supported_request(2, 3);
    let h = RpcCxlHdr::from_bytes(&r).unwrap();
    assert_eq!(h.opcode, 0x500);
    assert_eq!(h.op_size, 8);
    assert_eq!(r.len(), 16 + 8);
    let p = cf::GetSupFeatsIn::from_bytes(&r[16..]).unwrap();
    assert_eq!({ p.count }, 3 * 48);
    assert_eq!({ p.start_idx }, 2);
    // Header only: count 8 (< 48 entries' worth).
    let p = cf::GetSupFeatsIn::from_bytes(&cxl::get_supported_request(0, 0)[16..]).unwrap();
    assert_eq!({ p.count }, 8);

    let u = cf::CXL_FEAT_ECS_UUID;
    let r = cxl::get_feature_request(&u, 4, 10, cf::GetFeatSelection::Saved);
    let req = cf::parse_rpc(&r).unwrap();
    assert_eq!(req.opcode, 0x501);
    assert_eq!(req.payload.len(), cf::GetFeatIn::SIZE);
    let g = cf::GetFeatIn::from_bytes(req.payload).unwrap();
    assert_eq!(
        (g.uuid, { g.offset }, { g.count }, g.selection),
        (u, 4, 10, 2)
    );

    let r = cxl::set_feature_request(&u, 5, &[1, 2, 3]);
    let req = cf::parse_rpc(&r).unwrap();
    assert_eq!(req.opcode, 0x502);
    assert_eq!(req.payload.len(), cf::SET_FEAT_HDR_SIZE + 3);
    let s = cf::SetFeatInHdr::from_bytes(req.payload).unwrap();
    assert_eq!((s.uuid, s.version, { s.offset }), (u, 5, 0));
    assert_eq!(&req.payload[cf::SET_FEAT_HDR_SIZE..], &[1, 2, 3]);
}

/// A Get Supported Features answer as the driver writes it.
fn supported_answer(entries: &[FeatEntry], total: u16) -> Vec<u8> {
    let sf = cf::SupportedFeatures {
        entries,
        exclusive: &cf::UPSTREAM_EXCLUSIVE_FEATURES,
        supported_feats: total,
    };
    let mut out = vec![0u8; sf.out_len()];
    sf.write(&mut out);
    out
}

#[test]
fn supported_parsing() {
    let es = [
        entry(
            cf::CXL_FEAT_PATROL_SCRUB_UUID,
            0,
            cf::CXL_FEATURE_F_CHANGEABLE,
            2,
        ),
        entry([9; 16], 1, cf::CXL_FEATURE_F_CHANGEABLE, 1),
    ];
    let out = supported_answer(&es, 5);
    let (h, got) = cxl::parse_supported("fwctl0", &out).unwrap();
    assert_eq!((h.num_entries, h.supported_feats), (2, 5));
    assert_eq!(got.len(), 2);
    // The driver hides the kernel's features' changeability.
    let f: Vec<Feature> = got.iter().map(Feature::from_entry).collect();
    assert_eq!(f[0].name, Some("patrol-scrub"));
    assert_eq!(f[0].set_size, 0);
    assert_eq!(f[0].set_scope, None);
    assert_eq!(f[1].set_scope, Some("debug_write"));
    assert_eq!(f[1].raw, es[1]);

    // Header only.
    let out = supported_answer(&es[..0], 5);
    let (h, got) = cxl::parse_supported("fwctl0", &out).unwrap();
    assert_eq!((h.num_entries, h.supported_feats, got.len()), (0, 5, 0));

    // Truncated answer.
    let out = supported_answer(&es, 2);
    let e = cxl::parse_supported("fwctl0", &out[..16 + 48]).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("fwctl0: Get Supported Features: 2 entries"),
        "{e}"
    );

    // Too short for the header.
    assert!(cxl::parse_supported("fwctl0", &[0; 4]).is_err());
}

#[test]
fn mailbox_errors() {
    let hdr = RpcCxlOutHdr { size: 0, retval: 3 };
    let mut out = hdr.to_bytes().to_vec();
    out.extend([0; 8]);
    let e = cxl::response_payload("fwctl1", "Get Feature", &out).unwrap_err();
    assert_eq!(
        e.to_string(),
        "fwctl1: Get Feature failed in the firmware: CXL mailbox return code 0x3 (Unsupported)"
    );
    assert!(matches!(
        e,
        Error::Firmware {
            status: 3,
            syndrome: None,
            ..
        }
    ));
    let hdr = RpcCxlOutHdr { size: 4, retval: 0 };
    let mut out = hdr.to_bytes().to_vec();
    out.extend([1, 2, 3, 4, 5]);
    assert_eq!(
        cxl::response_payload("x", "c", &out).unwrap(),
        &[1, 2, 3, 4]
    );
    // size larger than what was received is clipped.
    assert_eq!(
        cxl::response_payload("x", "c", &out[..10]).unwrap(),
        &[1, 2]
    );
}

#[test]
fn feature_table_and_json() {
    let f = [
        Feature::from_entry(&entry(cf::CXL_FEAT_ECS_UUID, 0, 0, 0)),
        Feature::from_entry(&entry([0x11; 16], 1, cf::CXL_FEATURE_F_CHANGEABLE, 2)),
    ];
    let t = feature_table(&f);
    let lines: Vec<&str> = t.lines().collect();
    assert!(lines[0].starts_with("ID  UUID"), "{t}");
    assert!(
        lines[1].contains("e5b13f22-2328-4a14-b8ba-b9691e893386  ecs"),
        "{t}"
    );
    assert!(lines[1].ends_with("(not changeable)"), "{t}");
    assert!(lines[2].ends_with("0x0002   debug_write_full"), "{t}");
    let j = serde_json::to_value(&f).unwrap();
    assert_eq!(j[0]["name"], "ecs");
    assert_eq!(j[0]["set_scope"], serde_json::Value::Null);
    assert_eq!(j[1]["uuid"], "11111111-1111-1111-1111-111111111111");
    assert_eq!(j[1]["set_scope"], "debug_write_full");
    assert_eq!(j[1]["flag_names"][0], "changeable");
    assert!(j[1].get("raw").is_none());
}

#[test]
fn device_types() {
    assert_eq!(crate::device_type_name(2), "cxl");
    assert_eq!(crate::device_type_name(1), "mlx5");
    assert_eq!(crate::device_type_name(77), "unknown");
}

// ---------------------------------------------------------------------------
// The CXL helpers against a fake device running the driver's own checks
// ---------------------------------------------------------------------------

use crate::uapi::{DeviceType, Errno};
use std::cell::RefCell;
use std::collections::HashMap;

/// A CXL device: the driver's checks
/// (`crates/fwctl-uapi/src/cxl_features.rs`) in front of a store of
/// features' data.
pub(crate) struct FakeCxl {
    pub(crate) entries: Vec<FeatEntry>,
    pub(crate) data: RefCell<HashMap<cf::Uuid, Vec<u8>>>,
    pub(crate) max_scope: Scope,
    /// The scope of each RPC, in order.
    pub(crate) scopes: RefCell<Vec<Scope>>,
    /// The features reserved to the kernel.
    pub(crate) exclusive: Vec<cf::Uuid>,
}

fn errno(e: Errno) -> i32 {
    match e {
        Errno::EPERM => libc::EPERM,
        Errno::ENODEV => libc::ENODEV,
        Errno::EFAULT => libc::EFAULT,
        Errno::E2BIG => libc::E2BIG,
        Errno::ENOMEM => libc::ENOMEM,
        Errno::EINVAL => libc::EINVAL,
        Errno::ENOTTY => libc::ENOTTY,
        Errno::EBADMSG => libc::EBADMSG,
        Errno::EMSGSIZE => libc::EMSGSIZE,
        Errno::EOPNOTSUPP => libc::EOPNOTSUPP,
    }
}

fn put_clipped(out: &mut [u8], at: usize, v: &[u8]) {
    for (i, b) in v.iter().enumerate() {
        if let Some(o) = out.get_mut(at + i) {
            *o = *b;
        }
    }
}

impl Transport for FakeCxl {
    fn name(&self) -> &str {
        "fwctl9"
    }

    fn rpc(&self, scope: Scope, input: &[u8], out: &mut [u8]) -> crate::Result<usize> {
        let fail = |e: i32| Error::os("fwctl9", Op::Rpc, e).with_device_type(Some(DeviceType::Cxl));
        if scope > self.max_scope {
            return Err(fail(libc::EPERM));
        }
        self.scopes.borrow_mut().push(scope);
        let f = cf::Features {
            cap: cf::FeaturesCap::ReadWrite,
            entries: &self.entries,
            exclusive: &self.exclusive,
        };
        let op = f
            .check_rpc(scope, input, out.len())
            .map_err(|e| fail(errno(e)))?;
        match op {
            cf::Op::GetSupportedFeatures(sf) => {
                sf.write(out);
                Ok(sf.out_len())
            }
            cf::Op::GetFeature(r) => {
                let data = self.data.borrow();
                let (off, count) = (r.offset as usize, r.count as usize);
                let reply = match data.get(&r.uuid) {
                    Some(d) if off + count <= d.len() => {
                        put_clipped(out, cf::RPC_OUT_PAYLOAD_OFFSET, &d[off..off + count]);
                        cf::get_feature_reply(count, 0)
                    }
                    _ => cf::get_feature_reply(0, 3),
                };
                put_clipped(out, 0, &reply.hdr.to_bytes());
                Ok(reply.out_len)
            }
            cf::Op::SetFeature { hdr, data } => {
                let mut all = self.data.borrow_mut();
                let d = all.entry(hdr.uuid).or_default();
                let off = hdr.offset as usize;
                if d.len() < off + data.len() {
                    d.resize(off + data.len(), 0);
                }
                d[off..off + data.len()].copy_from_slice(data);
                let reply = cf::set_feature_reply(0);
                put_clipped(out, 0, &reply.hdr.to_bytes());
                Ok(reply.out_len)
            }
        }
    }
}

const RESET_UUID: cf::Uuid = [0xa1; 16];
const NOW_UUID: cf::Uuid = [0xb2; 16];

fn fake_cxl(extra: usize, max_scope: Scope) -> FakeCxl {
    let mut entries = vec![
        entry(cf::CXL_FEAT_ECS_UUID, 0, cf::CXL_FEATURE_F_CHANGEABLE, 2),
        entry(
            RESET_UUID,
            1,
            cf::CXL_FEATURE_F_CHANGEABLE,
            cf::CXL_CMD_CONFIG_CHANGE_COLD_RESET,
        ),
        entry(
            NOW_UUID,
            2,
            cf::CXL_FEATURE_F_CHANGEABLE,
            cf::CXL_CMD_CONFIG_CHANGE_IMMEDIATE,
        ),
    ];
    for i in 0..extra {
        let mut u = [0x55u8; 16];
        u[..8].copy_from_slice(&(i as u64).to_le_bytes());
        entries.push(entry(u, (3 + i) as u16, 0, 0));
    }
    let mut data = HashMap::new();
    data.insert(cf::CXL_FEAT_ECS_UUID, (0..32).collect());
    data.insert(RESET_UUID, vec![0; 32]);
    FakeCxl {
        entries,
        data: RefCell::new(data),
        max_scope,
        scopes: RefCell::new(Vec::new()),
        exclusive: cf::UPSTREAM_EXCLUSIVE_FEATURES.to_vec(),
    }
}

#[test]
fn cxl_supported_features_pages() {
    let d = fake_cxl(600, Scope::DebugWriteFull);
    let f = d.cxl_supported_features().unwrap();
    assert_eq!(f.len(), 603);
    assert_eq!(f[0].name, Some("ecs"));
    // Reserved to the kernel: shown unchangeable.
    assert_eq!(f[0].set_refused.as_deref(), Some("not changeable"));
    assert_eq!(f[1].set_scope, Some("debug_write"));
    assert_eq!(f[2].set_scope, Some("debug_write_full"));
    assert_eq!(f[602].id, 602);
    // One header request, then 256 + 256 + 91 entries.
    assert_eq!(d.scopes.borrow().len(), 4);
    assert!(d.scopes.borrow().iter().all(|&s| s == Scope::Configuration));
}

#[test]
fn cxl_get_and_set() {
    let d = fake_cxl(0, Scope::DebugWriteFull);
    // Kernel features can be read.
    let v = d.cxl_get_feature(&cf::CXL_FEAT_ECS_UUID).unwrap();
    assert_eq!(v, (0..32).collect::<Vec<u8>>());
    let v = d
        .cxl_get_feature_data(&cf::CXL_FEAT_ECS_UUID, 4, 2, cf::GetFeatSelection::Current)
        .unwrap();
    assert_eq!(v, [4, 5]);
    // A feature the device has no data for: the mailbox error.
    let e = d.cxl_get_feature(&NOW_UUID).unwrap_err();
    assert_eq!(
        e.to_string(),
        "fwctl9: Get Feature failed in the firmware: CXL mailbox return code 0x3 (Unsupported)"
    );
    // Unknown to the table.
    let e = d.cxl_get_feature(&[0; 16]).unwrap_err();
    assert!(e.to_string().contains("is not supported"), "{e}");

    // Set at the scope the effects need.
    assert_eq!(
        d.cxl_set_feature(&RESET_UUID, &[9, 8, 7]).unwrap(),
        Scope::DebugWrite
    );
    assert_eq!(*d.scopes.borrow().last().unwrap(), Scope::DebugWrite);
    assert_eq!(&d.cxl_get_feature(&RESET_UUID).unwrap()[..4], &[9, 8, 7, 0]);
    assert_eq!(
        d.cxl_set_feature(&NOW_UUID, &[1]).unwrap(),
        Scope::DebugWriteFull
    );

    // Refused before any RPC: reserved to the kernel, too much data.
    let e = d.cxl_set_feature(&cf::CXL_FEAT_ECS_UUID, &[1]).unwrap_err();
    assert!(
        e.to_string().contains("cannot be set: not changeable"),
        "{e}"
    );
    let e = d.cxl_set_feature(&RESET_UUID, &[0; 17]).unwrap_err();
    assert!(
        e.to_string().contains("takes 1 to 16 bytes, 17 given"),
        "{e}"
    );
    assert!(d.cxl_set_feature(&RESET_UUID, &[]).is_err());
}

#[test]
fn cxl_set_above_max_scope() {
    let d = fake_cxl(0, Scope::DebugWrite);
    assert!(d.cxl_set_feature(&RESET_UUID, &[1]).is_ok());
    let e = d.cxl_set_feature(&NOW_UUID, &[1]).unwrap_err();
    assert!(matches!(
        e,
        Error::Os {
            errno: libc::EPERM,
            op: Op::Rpc,
            ..
        }
    ));
    assert!(
        e.to_string().starts_with("fwctl9: FWCTL_RPC failed: EPERM"),
        "{e}"
    );
}

#[test]
fn raw_rpc_rejected_by_driver_logic() {
    // A malformed request gets the driver's EINVAL.
    let d = fake_cxl(0, Scope::DebugWriteFull);
    let mut out = [0u8; 64];
    let e = d.rpc(Scope::Configuration, &[0; 8], &mut out).unwrap_err();
    assert!(matches!(
        e,
        Error::Os {
            errno: libc::EINVAL,
            ..
        }
    ));
    let e = d
        .rpc(Scope::Configuration, &cxl::request(0x0400, &[]), &mut out)
        .unwrap_err();
    assert!(matches!(
        e,
        Error::Os {
            errno: libc::EINVAL,
            ..
        }
    ));
}
