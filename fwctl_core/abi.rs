// SPDX-License-Identifier: GPL-2.0

//! The driver ABI of upstream's `include/linux/fwctl.h`.  `fwctl_glue.c`
//! exports it in symbol namespace `FWCTL`, with upstream's prototypes and
//! hence upstream's symbol CRCs, and forwards each call here: a C driver
//! built against that header loads on this core unmodified.  `fwctl_get()`/`fwctl_put()` are inline in the header
//! and only touch `struct fwctl_device::dev`, at offset 0 (checked in
//! `device.rs`).

use crate::device;
use crate::uapi::{FwctlInfo, FwctlRpc};
use core::ptr;
use kernel::bindings as b;
use kernel::ffi::c_int;
use kernel::transmute::{AsBytes, FromBytes};

/// `_fwctl_alloc_device()`: allocates a fwctl device of `size` bytes (the driver's struct, which
/// embeds `struct fwctl_device` at offset 0), or returns NULL.  The driver
/// registers it, later unregisters it, and drops it with `fwctl_put()`.
///
/// # Safety
///
/// Called from C per the header's contract: `parent` is a live device and
/// `ops` stays valid until `fwctl_unregister()` returns.
#[no_mangle]
pub unsafe extern "C" fn fwctl_rs_alloc_device(
    parent: *mut b::device,
    ops: *const b::fwctl_ops,
    size: usize,
) -> *mut b::fwctl_device {
    // SAFETY: the caller's contract is `device::alloc()`'s.
    match unsafe { device::alloc(parent, ops, size) } {
        Ok(p) => p.as_ptr(),
        Err(_) => ptr::null_mut(),
    }
}

/// `fwctl_register()`: makes the device visible in sysfs and `/dev`; ops may be called from
/// then on.  Returns 0 or a negative errno.
///
/// # Safety
///
/// `fwctl` comes from `fwctl_rs_alloc_device()` and is not registered.
#[no_mangle]
pub unsafe extern "C" fn fwctl_rs_register(fwctl: *mut b::fwctl_device) -> c_int {
    // SAFETY: the caller's contract is `device::register()`'s.
    match unsafe { device::register(fwctl) } {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// `fwctl_unregister()`: undoes `fwctl_register()`: waits for running ops, closes every open
/// user context; afterwards no op is called, and open FDs get `ENODEV`.
///
/// # Safety
///
/// `fwctl` was registered and is not yet unregistered.
#[no_mangle]
pub unsafe extern "C" fn fwctl_rs_unregister(fwctl: *mut b::fwctl_device) {
    // SAFETY: the caller's contract is `device::unregister()`'s.
    unsafe { device::unregister(fwctl) }
}

// The uAPI as the Rust code sees it (`crates/fwctl-uapi/src/uapi.rs`) is the
// uAPI of the C header the kernel was built with: same values, sizes and
// offsets.
const _: () = {
    use crate::uapi::{self, DeviceType, Scope};
    use core::mem::{offset_of, size_of};

    assert!(uapi::FWCTL_TYPE == b::FWCTL_TYPE);
    assert!(uapi::FWCTL_CMD_INFO == b::FWCTL_CMD_INFO);
    assert!(uapi::FWCTL_CMD_RPC == b::FWCTL_CMD_RPC);
    assert!(DeviceType::Mlx5 as u32 == b::fwctl_device_type_FWCTL_DEVICE_TYPE_MLX5);
    assert!(DeviceType::Cxl as u32 == b::fwctl_device_type_FWCTL_DEVICE_TYPE_CXL);
    assert!(DeviceType::Bnxt as u32 == b::fwctl_device_type_FWCTL_DEVICE_TYPE_BNXT);
    assert!(DeviceType::Pds as u32 == b::fwctl_device_type_FWCTL_DEVICE_TYPE_PDS);
    assert!(Scope::Configuration as u32 == b::fwctl_rpc_scope::FWCTL_RPC_CONFIGURATION.0);
    assert!(Scope::DebugReadOnly as u32 == b::fwctl_rpc_scope::FWCTL_RPC_DEBUG_READ_ONLY.0);
    assert!(Scope::DebugWrite as u32 == b::fwctl_rpc_scope::FWCTL_RPC_DEBUG_WRITE.0);
    assert!(Scope::DebugWriteFull as u32 == b::fwctl_rpc_scope::FWCTL_RPC_DEBUG_WRITE_FULL.0);

    assert!(size_of::<FwctlInfo>() == size_of::<b::fwctl_info>());
    assert!(offset_of!(FwctlInfo, size) == offset_of!(b::fwctl_info, size));
    assert!(offset_of!(FwctlInfo, flags) == offset_of!(b::fwctl_info, flags));
    assert!(offset_of!(FwctlInfo, out_device_type) == offset_of!(b::fwctl_info, out_device_type));
    assert!(offset_of!(FwctlInfo, device_data_len) == offset_of!(b::fwctl_info, device_data_len));
    assert!(offset_of!(FwctlInfo, out_device_data) == offset_of!(b::fwctl_info, out_device_data));

    assert!(size_of::<FwctlRpc>() == size_of::<b::fwctl_rpc>());
    assert!(offset_of!(FwctlRpc, size) == offset_of!(b::fwctl_rpc, size));
    assert!(offset_of!(FwctlRpc, scope) == offset_of!(b::fwctl_rpc, scope));
    assert!(offset_of!(FwctlRpc, in_len) == offset_of!(b::fwctl_rpc, in_len));
    assert!(offset_of!(FwctlRpc, out_len) == offset_of!(b::fwctl_rpc, out_len));
    assert!(offset_of!(FwctlRpc, r#in) == offset_of!(b::fwctl_rpc, in_));
    assert!(offset_of!(FwctlRpc, out) == offset_of!(b::fwctl_rpc, out));
};

// SAFETY: `FwctlInfo` is `repr(C)` with `u32` and `u64` fields only, laid
// out as `struct fwctl_info` without padding (its size is the sum of its
// fields', 4 * 4 + 8, asserted above and in `uapi.rs`): every bit pattern
// of its 24 bytes is a valid value.
unsafe impl FromBytes for FwctlInfo {}
// SAFETY: as above, no padding: every byte of a value is initialised.
unsafe impl AsBytes for FwctlInfo {}
// SAFETY: `FwctlRpc` is `repr(C)` with `u32` and `u64` fields only, laid
// out as `struct fwctl_rpc` without padding (4 * 4 + 2 * 8 = 32 bytes,
// asserted above and in `uapi.rs`): every bit pattern is a valid value.
unsafe impl FromBytes for FwctlRpc {}
// SAFETY: as above, no padding: every byte of a value is initialised.
unsafe impl AsBytes for FwctlRpc {}
