// SPDX-License-Identifier: GPL-2.0

//! The `max_scope` module parameter: the global default limit of every
//! device.  Settable at load time to any value; at run time, through
//! `/sys/module/fwctl/parameters/max_scope`, it may only be lowered.  The
//! parameter itself is declared with `module_param_cb()` in `fwctl_glue.c`;
//! its two callbacks are here.

use crate::policy::{MaxScope, Ratchet};
use kernel::prelude::*;

static GLOBAL: Ratchet = Ratchet::new(MaxScope::DEFAULT);

/// The global limit.
pub(crate) fn global_max() -> MaxScope {
    GLOBAL.get()
}

/// `kernel_param_ops.set` of `max_scope` (declared in `fwctl_glue.c`).
///
/// # Safety
///
/// Called by the module loader or sysfs, through `fwctl_glue.c`, with a
/// NUL-terminated string.
#[no_mangle]
pub(crate) unsafe extern "C" fn fwctl_rs_max_scope_set(val: *const c_char) -> c_int {
    if val.is_null() {
        return EINVAL.to_errno();
    }
    // SAFETY: the module loader and sysfs pass a NUL-terminated string.
    let word = unsafe { CStr::from_char_ptr(val) };
    let Some(new) = MaxScope::parse(word.to_bytes()) else {
        return EINVAL.to_errno();
    };
    match GLOBAL.lower(new, |cur| cur) {
        Ok(()) => {
            pr_info!("global max_scope is now {}\n", new.name());
            0
        }
        Err(_) => EPERM.to_errno(),
    }
}

/// `kernel_param_ops.get` of `max_scope` (declared in `fwctl_glue.c`).
///
/// # Safety
///
/// Called by sysfs, through `fwctl_glue.c`, with a `PAGE_SIZE` buffer.
#[no_mangle]
pub(crate) unsafe extern "C" fn fwctl_rs_max_scope_get(buffer: *mut c_char) -> c_int {
    let name = global_max().name().as_bytes();
    // SAFETY: `param_attr_show()` passes a `PAGE_SIZE` buffer; the longest
    // name plus a newline fits many times.
    let out = unsafe { core::slice::from_raw_parts_mut(buffer.cast::<u8>(), name.len() + 1) };
    out[..name.len()].copy_from_slice(name);
    out[name.len()] = b'\n';
    (name.len() + 1) as c_int
}
