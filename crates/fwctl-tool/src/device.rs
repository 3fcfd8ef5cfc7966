// SPDX-License-Identifier: GPL-2.0 OR MIT

//! An open fwctl device: `FWCTL_INFO` and `FWCTL_RPC`.

use crate::error::{Error, Op, Result};
use crate::refusal;
use crate::sysfs::Sysfs;
use crate::uapi::{self, DeviceType, FwctlInfo, FwctlRpc, Scope};
use std::cell::Cell;
use std::fs::{File, OpenOptions};
use std::mem::size_of;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

/// An open `/dev/fwctl/fwctlN`: one user context in the kernel.
#[derive(Debug)]
pub struct Device {
    file: File,
    name: String,
    node: PathBuf,
    /// The type, once `FWCTL_INFO` told it: it refines error messages.
    device_type: Cell<Option<u32>>,
    /// The sysfs the device was found in: a refused RPC is then explained
    /// from its policy files.
    sysfs: Option<Sysfs>,
}

/// The answer to `FWCTL_INFO`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Info {
    /// The `fwctl_device_type` value.
    pub device_type: u32,
    /// The driver's data (its format depends on the type).
    pub data: Vec<u8>,
}

impl Device {
    /// Opens a device by spec: `fwctl0`, `/dev/fwctl/fwctl0`, or the parent
    /// device's name (`mem0`, a PCI address), looked up in `/sys`.
    pub fn open(spec: &str) -> Result<Device> {
        Device::open_in(&Sysfs::default(), spec)
    }

    /// [`Device::open`] with other sysfs and `/dev` roots.
    pub fn open_in(sysfs: &Sysfs, spec: &str) -> Result<Device> {
        let r = sysfs.resolve(spec)?;
        let mut d = Device::open_node(&r.name, &r.node)?;
        d.sysfs = Some(sysfs.clone());
        Ok(d)
    }

    /// Opens `node`, naming it `name` in errors.
    pub fn open_node(name: &str, node: &Path) -> Result<Device> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(node)
            .map_err(|e| Error::from_io(name, Op::Open, &e))?;
        Ok(Device {
            file,
            name: name.to_string(),
            node: node.to_path_buf(),
            device_type: Cell::new(None),
            sysfs: None,
        })
    }

    /// The name used in errors (`fwctlN`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The node opened.
    pub fn node(&self) -> &Path {
        &self.node
    }

    fn ioctl<T>(&self, op: Op, nr: u32, arg: &mut T) -> Result<()> {
        // SAFETY: `arg` is a live, writable `repr(C)` uAPI struct whose
        // `size` field tells the kernel how much of it to use; the buffers
        // it points to are alive for the call (the callers keep them).
        let rc = unsafe {
            libc::ioctl(
                self.file.as_raw_fd(),
                nr as _,
                std::ptr::from_mut(arg).cast::<libc::c_void>(),
            )
        };
        if rc < 0 {
            let t = self.device_type.get().and_then(crate::device_type_from_u32);
            return Err(Error::last_os(&self.name, op).with_device_type(t));
        }
        Ok(())
    }

    /// The device type, if an earlier `FWCTL_INFO` told it.
    pub fn known_device_type(&self) -> Option<u32> {
        self.device_type.get()
    }

    /// Checks that the device is of type `want`, asking `FWCTL_INFO` if
    /// needed: the commands of one device type make no sense on another.
    pub fn expect_type(&self, want: DeviceType) -> Result<()> {
        let t = match self.device_type.get() {
            Some(t) => t,
            None => self.device_type()?,
        };
        if t != want as u32 {
            return Err(Error::Invalid(format!(
                "{}: is a {} device, not {}",
                self.name,
                crate::device_type_name(t),
                crate::device_type_name(want as u32)
            )));
        }
        Ok(())
    }

    /// The device type alone (`FWCTL_INFO` without data).
    pub fn device_type(&self) -> Result<u32> {
        let mut info = FwctlInfo {
            size: size_of::<FwctlInfo>() as u32,
            ..Default::default()
        };
        self.ioctl(Op::Info, uapi::FWCTL_INFO, &mut info)?;
        self.device_type.set(Some(info.out_device_type));
        Ok(info.out_device_type)
    }

    /// `FWCTL_INFO`: the device type and all of the driver's data.
    pub fn info(&self) -> Result<Info> {
        let mut buf = vec![0u8; 64];
        loop {
            let mut info = FwctlInfo {
                size: size_of::<FwctlInfo>() as u32,
                flags: 0,
                out_device_type: 0,
                device_data_len: buf.len() as u32,
                out_device_data: buf.as_mut_ptr() as u64,
            };
            self.ioctl(Op::Info, uapi::FWCTL_INFO, &mut info)?;
            self.device_type.set(Some(info.out_device_type));
            let len = info.device_data_len as usize;
            if len <= buf.len() {
                buf.truncate(len);
                return Ok(Info {
                    device_type: info.out_device_type,
                    data: buf,
                });
            }
            buf = vec![0u8; len];
        }
    }

    /// `FWCTL_RPC`: sends `input` at `scope`, the answer goes to `out`.
    /// Returns the answer's full length, which may exceed `out.len()`
    /// (then only `out.len()` bytes were written).
    pub fn rpc(&self, scope: Scope, input: &[u8], out: &mut [u8]) -> Result<usize> {
        let max = uapi::MAX_RPC_LEN as usize;
        if input.len() > max || out.len() > max {
            return Err(Error::Invalid(format!(
                "{}: RPC buffers are limited to {max} bytes",
                self.name
            )));
        }
        let mut rpc = FwctlRpc {
            size: size_of::<FwctlRpc>() as u32,
            scope: scope as u32,
            in_len: input.len() as u32,
            out_len: out.len() as u32,
            r#in: input.as_ptr() as u64,
            out: out.as_mut_ptr() as u64,
        };
        match self.ioctl(Op::Rpc, uapi::FWCTL_RPC, &mut rpc) {
            Err(e) if e.errno() == Some(libc::EPERM) => Err(self.refused(scope)),
            Err(e) => Err(e),
            Ok(()) => Ok(rpc.out_len as usize),
        }
    }

    /// The error for an RPC at `scope` refused with `EPERM`: the rule that
    /// refused it, from what the tool can read ([`refusal::Facts`]).
    fn refused(&self, scope: Scope) -> Error {
        let read = |rel: &str| {
            let root = &self.sysfs.as_ref()?.root;
            std::fs::read_to_string(root.join(rel)).ok()
        };
        let facts = refusal::Facts {
            rawio: std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| refusal::has_rawio(&s)),
            lockdown: read("kernel/security/lockdown").and_then(|s| refusal::lockdown_level(&s)),
            device_max_scope: self.sysfs.as_ref().and_then(|s| s.max_scope(&self.name)),
            global_max_scope: read("module/fwctl/parameters/max_scope").map(|s| s.trim().into()),
        };
        let rule = refusal::rule(scope, &facts);
        let (reason, remedy) = refusal::explain(rule, scope, &facts);
        Error::Refused {
            device: self.name.clone(),
            errno: libc::EPERM,
            rule,
            reason,
            remedy,
        }
    }
}

/// Sends RPCs to a device: [`Device`], or a fake one in tests.  The
/// device-type helpers ([`crate::cxl::CxlFeatures`],
/// [`crate::mlx5::Mlx5Commands`]) are written against it.
pub trait Transport {
    /// The device's name, for errors.
    fn name(&self) -> &str;
    /// `FWCTL_RPC`, as [`Device::rpc`].
    fn rpc(&self, scope: Scope, input: &[u8], out: &mut [u8]) -> Result<usize>;
}

impl Transport for Device {
    fn name(&self) -> &str {
        Device::name(self)
    }
    fn rpc(&self, scope: Scope, input: &[u8], out: &mut [u8]) -> Result<usize> {
        Device::rpc(self, scope, input, out)
    }
}
