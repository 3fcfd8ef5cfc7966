// SPDX-License-Identifier: GPL-2.0 OR MIT

//! Finding fwctl devices: `/sys/class/fwctl/fwctlN` and `/dev/fwctl/fwctlN`.
//!
//! The roots are configurable ([`Sysfs::new`]) so that the logic can be
//! tested against a fake tree.

use crate::error::{Error, Result};
use serde::Serialize;
use std::fs;
use std::path::{Component, Path, PathBuf};

/// Where sysfs and the device nodes are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sysfs {
    /// The sysfs mount, normally `/sys`.
    pub root: PathBuf,
    /// The device directory, normally `/dev`.
    pub dev: PathBuf,
}

impl Default for Sysfs {
    fn default() -> Self {
        Sysfs::new("/sys", "/dev")
    }
}

/// A fwctl device spec resolved to its class name and node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// `fwctlN`, or the path given if it is not under the fwctl directory.
    pub name: String,
    /// The node to open.
    pub node: PathBuf,
}

/// One fwctl device as `fwctl list` shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DeviceEntry {
    /// `fwctlN`.
    pub name: String,
    /// N, the device's number (its minor number in `/dev/fwctl`).
    pub number: u32,
    /// `"cxl"`, `"mlx5"`, ...; `"unknown"` if the device could not be
    /// opened or asked.
    pub device_type: String,
    /// The parent device's name (`mem0`, `0000:03:00.0`...).
    pub parent: Option<String>,
    /// The parent's driver.
    pub driver: Option<String>,
    /// The PCI address in the parent's path, if any.
    pub bus_address: Option<String>,
    /// The effective `max_scope` (`none`, `configuration`, ...).
    pub max_scope: Option<String>,
}

/// Whether `s` looks like a PCI address `DDDD:BB:DD.F`.
pub fn is_pci_address(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 12 {
        return false;
    }
    b.iter().enumerate().all(|(i, &c)| match i {
        4 | 7 => c == b':',
        10 => c == b'.',
        _ => c.is_ascii_hexdigit(),
    })
}

/// Whether `s` is `fwctl` followed by a decimal number.
pub fn is_fwctl_name(s: &str) -> bool {
    fwctl_number(s).is_some()
}

/// N of a name `fwctlN`.
pub fn fwctl_number(s: &str) -> Option<u32> {
    s.strip_prefix("fwctl")
        .filter(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()))
        .and_then(|n| n.parse().ok())
}

fn link_names(target: &Path) -> Vec<String> {
    target
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => n.to_str().map(str::to_string),
            _ => None,
        })
        .collect()
}

impl Sysfs {
    /// Roots at `root` (instead of `/sys`) and `dev` (instead of `/dev`).
    pub fn new(root: impl Into<PathBuf>, dev: impl Into<PathBuf>) -> Self {
        Sysfs {
            root: root.into(),
            dev: dev.into(),
        }
    }

    /// `<root>/class/fwctl`.
    pub fn class_dir(&self) -> PathBuf {
        self.root.join("class/fwctl")
    }

    /// `<dev>/fwctl/<name>`.
    pub fn node(&self, name: &str) -> PathBuf {
        self.dev.join("fwctl").join(name)
    }

    /// The `fwctlN` names in the class directory, in numeric order; empty
    /// if there is no class directory (no fwctl module loaded).
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = match fs::read_dir(self.class_dir()) {
            Ok(d) => d
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| is_fwctl_name(n))
                .collect(),
            Err(_) => Vec::new(),
        };
        v.sort_by_key(|n| fwctl_number(n).unwrap_or(u32::MAX));
        v
    }

    /// The parent device's directory, `class/fwctl/<name>/device`
    /// resolved, as path components.  (In sysfs, `class/fwctl/fwctlN` is
    /// itself a link into the parent's directory, and `device` a link
    /// relative to that, such as `../../../mem0`: only the resolved path
    /// shows the devices above the parent.)
    fn parent_path(&self, name: &str) -> Option<Vec<String>> {
        let t = fs::canonicalize(self.class_dir().join(name).join("device")).ok()?;
        Some(link_names(&t))
    }

    /// The device (its name: a PCI function, usually) below the netdev
    /// or RDMA device `name` (`class/net/<name>/device`,
    /// `class/infiniband/<name>/device`).
    fn function_of(&self, name: &str) -> Option<String> {
        ["net", "infiniband"].iter().find_map(|class| {
            let t = fs::canonicalize(
                self.root
                    .join("class")
                    .join(class)
                    .join(name)
                    .join("device"),
            )
            .ok()?;
            link_names(&t).pop()
        })
    }

    /// The parent device's name.
    pub fn parent(&self, name: &str) -> Option<String> {
        self.parent_path(name)?.pop()
    }

    /// The parent's driver (`device/driver` link).
    pub fn driver(&self, name: &str) -> Option<String> {
        let t = fs::read_link(self.class_dir().join(name).join("device/driver")).ok()?;
        link_names(&t).pop()
    }

    /// The last PCI address in the parent's path (the parent itself for a
    /// PCI function, its PCI ancestor for e.g. a CXL `memN`).
    pub fn bus_address(&self, name: &str) -> Option<String> {
        self.parent_path(name)?
            .into_iter()
            .rev()
            .find(|c| is_pci_address(c))
    }

    /// `class/fwctl/<name>/max_scope`, trimmed.
    pub fn max_scope(&self, name: &str) -> Option<String> {
        fs::read_to_string(self.class_dir().join(name).join("max_scope"))
            .ok()
            .map(|s| s.trim().to_string())
    }

    /// Resolves a spec: `fwctlN`, a path to a node, the parent's name, or
    /// a PCI address in the parent's path.
    pub fn resolve(&self, spec: &str) -> Result<Resolved> {
        if spec.is_empty() {
            return Err(Error::NoDevice {
                spec: spec.into(),
                reason: "empty device name".into(),
            });
        }
        // A devlink handle names the PCI function.
        if let Some(bdf) = spec.strip_prefix("pci/").filter(|a| is_pci_address(a)) {
            return self.resolve(bdf);
        }
        if spec.contains('/') {
            let p = PathBuf::from(spec);
            let file = p.file_name().and_then(|f| f.to_str()).unwrap_or(spec);
            let name = if is_fwctl_name(file) { file } else { spec };
            return Ok(Resolved {
                name: name.to_string(),
                node: p,
            });
        }
        if is_fwctl_name(spec) {
            return Ok(Resolved {
                name: spec.to_string(),
                node: self.node(spec),
            });
        }
        let names = self.names();
        let mut found: Vec<String> = names
            .iter()
            .filter(|n| self.parent(n).as_deref() == Some(spec))
            .cloned()
            .collect();
        if found.is_empty() {
            found = names
                .iter()
                .filter(|n| {
                    self.parent_path(n)
                        .is_some_and(|p| p.iter().any(|c| c == spec))
                })
                .cloned()
                .collect();
        }
        // A netdev or an RDMA device: the function it belongs to.
        if found.is_empty() {
            if let Some(func) = self.function_of(spec) {
                found = names
                    .iter()
                    .filter(|n| self.parent_path(n).is_some_and(|p| p.contains(&func)))
                    .cloned()
                    .collect();
            }
        }
        match found.len() {
            1 => {
                let name = found.pop().unwrap_or_default();
                Ok(Resolved {
                    node: self.node(&name),
                    name,
                })
            }
            0 => Err(Error::NoDevice {
                spec: spec.into(),
                reason: if names.is_empty() {
                    format!("{} has no fwctl devices", self.class_dir().display())
                } else {
                    format!("not a parent of any of {}", names.join(", "))
                },
            }),
            _ => Err(Error::NoDevice {
                spec: spec.into(),
                reason: format!("ambiguous, matches {}", found.join(", ")),
            }),
        }
    }

    /// What sysfs tells of the device `name` (`fwctlN`), its type
    /// "unknown".
    pub fn entry(&self, name: &str) -> DeviceEntry {
        DeviceEntry {
            number: fwctl_number(name).unwrap_or_default(),
            device_type: "unknown".into(),
            parent: self.parent(name),
            driver: self.driver(name),
            bus_address: self.bus_address(name),
            max_scope: self.max_scope(name),
            name: name.to_string(),
        }
    }

    /// Every device, without asking its type (`device_type` "unknown").
    pub fn entries(&self) -> Vec<DeviceEntry> {
        self.names().iter().map(|n| self.entry(n)).collect()
    }

    /// The device's type as sysfs shows it, without opening the device:
    /// `cxl` when the parent is on the CXL bus (a memdev), else the kind
    /// of the auxiliary device the fwctl driver bound, which the parent
    /// function holds as a child (`mlx5_core.fwctl.N`, `pds_core.fwctl.N`,
    /// `bnxt_en.fwctl.N`); "unknown" otherwise (`fwctl info` asks the
    /// device itself).
    pub fn sysfs_type(&self, name: &str) -> &'static str {
        let dev = self.class_dir().join(name).join("device");
        let bus = fs::read_link(dev.join("subsystem")).ok();
        if bus.as_deref().and_then(Path::file_name) == Some(std::ffi::OsStr::new("cxl")) {
            return "cxl";
        }
        const AUX: [(&str, &str); 3] = [
            ("mlx5_core.fwctl.", "mlx5"),
            ("pds_core.fwctl.", "pds"),
            ("bnxt_en.fwctl.", "bnxt"),
        ];
        let Ok(children) = fs::read_dir(&dev) else {
            return "unknown";
        };
        for c in children.filter_map(|c| c.ok()?.file_name().into_string().ok()) {
            if let Some((_, t)) = AUX.iter().find(|(p, _)| c.starts_with(p)) {
                return t;
            }
        }
        "unknown"
    }

    /// Every device, its type as sysfs shows it ([`Sysfs::sysfs_type`]).
    /// Reads sysfs only: opening a node has effects (on mlx5 it creates
    /// and destroys a firmware user context), which listing must not.
    pub fn list(&self) -> Vec<DeviceEntry> {
        let mut v = self.entries();
        for e in &mut v {
            e.device_type = self.sysfs_type(&e.name).into();
        }
        v
    }
}

/// Every device under `/sys`, see [`Sysfs::list`].
pub fn list() -> Vec<DeviceEntry> {
    Sysfs::default().list()
}
