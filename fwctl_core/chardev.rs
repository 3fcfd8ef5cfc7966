// SPDX-License-Identifier: GPL-2.0

//! `file_operations` of `/dev/fwctl/fwctlN`: trampolines that turn the VFS's
//! raw pointers into the core's types once, then call safe code in `ioctl`.

use crate::device::{Dev, Uctx};
use crate::ioctl;
use kernel::bindings as b;
use kernel::prelude::*;
use kernel::ModuleMetadata;

/// The core's `THIS_MODULE`.
pub(crate) fn this_module() -> *mut b::module {
    <crate::FwctlCore as ModuleMetadata>::THIS_MODULE.as_ptr()
}

struct Fops(b::file_operations);
// SAFETY: the table is immutable and only read by the VFS.
unsafe impl Sync for Fops {}

static FOPS: Fops = Fops(b::file_operations {
    owner: <crate::FwctlCore as ModuleMetadata>::THIS_MODULE.as_ptr(),
    open: Some(open),
    release: Some(release),
    unlocked_ioctl: Some(ioctl),
    ..pin_init::zeroed()
});

/// The file operations every fwctl cdev uses.
pub(crate) fn fops() -> *const b::file_operations {
    &FOPS.0
}

/// `file_operations.open`.
///
/// # Safety
///
/// Called by the VFS for an inode of one of our cdevs and the file being opened.
unsafe extern "C" fn open(inode: *mut b::inode, file: *mut b::file) -> c_int {
    // SAFETY: the VFS passes a live inode of one of our cdevs (only
    // `device::alloc()` installs these fops), embedded in a
    // `struct fwctl_device`; `chrdev_open()` holds a reference on the cdev,
    // whose kobject parent is the device, so the device is alive.
    let dev = unsafe {
        let cdev = (*inode).__bindgen_anon_5.i_cdev;
        Dev::from_raw(kernel::container_of!(cdev, b::fwctl_device, cdev))
    };
    match ioctl::open(dev) {
        Ok(uctx) => {
            // SAFETY: `file` is the file being opened, ours until we return;
            // it owns the context from now on, until `release()`.
            unsafe { (*file).private_data = uctx.into_raw().cast() };
            0
        }
        Err(e) => e.to_errno(),
    }
}

/// `file_operations.release`.
///
/// # Safety
///
/// Called by the VFS once per successfully opened file, after its last ioctl.
unsafe extern "C" fn release(_inode: *mut b::inode, file: *mut b::file) -> c_int {
    // SAFETY: `private_data` was set by a successful `open()`.
    let uctx = unsafe { Uctx::from_raw((*file).private_data.cast()) };
    // SAFETY: the VFS releases a file once, when nothing else uses it.
    unsafe { uctx.release() };
    0
}

/// `file_operations.unlocked_ioctl`.  There is no `compat_ioctl`, as
/// upstream: 32-bit callers get `ENOTTY`.
///
/// # Safety
///
/// Called by the VFS on a successfully opened file.
unsafe extern "C" fn ioctl(file: *mut b::file, cmd: c_uint, arg: c_ulong) -> c_long {
    // SAFETY: `private_data` was set by a successful `open()`; the file is
    // open for the whole call, so `release()` has not run.
    let uctx = unsafe { Uctx::from_raw((*file).private_data.cast()) };
    match ioctl::dispatch(uctx, cmd, arg) {
        Ok(()) => 0,
        Err(e) => e.to_errno() as c_long,
    }
}
