// SPDX-License-Identifier: GPL-2.0

//! The `max_scope` module parameter: the global default limit of every
//! device.  Settable at load time to any value; at run time, through
//! `/sys/module/fwctl_core/parameters/max_scope`, it may only be lowered.

use crate::policy::{MaxScope, Ratchet};
use kernel::bindings as b;
use kernel::prelude::*;

static GLOBAL: Ratchet = Ratchet::new(MaxScope::DEFAULT);

/// The global limit.
pub(crate) fn global_max() -> MaxScope {
    GLOBAL.get()
}

/// `kernel_param_ops.set`.
///
/// # Safety
///
/// Called by the module loader or sysfs with a NUL-terminated string.
unsafe extern "C" fn set(val: *const c_char, _kp: *const b::kernel_param) -> c_int {
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

/// `kernel_param_ops.get`.
///
/// # Safety
///
/// Called by sysfs with a `PAGE_SIZE` buffer.
unsafe extern "C" fn get(buffer: *mut c_char, _kp: *const b::kernel_param) -> c_int {
    let name = global_max().name().as_bytes();
    // SAFETY: `param_attr_show()` passes a `PAGE_SIZE` buffer; the longest
    // name plus a newline fits many times.
    let out = unsafe { core::slice::from_raw_parts_mut(buffer.cast::<u8>(), name.len() + 1) };
    out[..name.len()].copy_from_slice(name);
    out[name.len()] = b'\n';
    (name.len() + 1) as c_int
}

#[repr(transparent)]
struct Ops(b::kernel_param_ops);
// SAFETY: immutable, read by the module parameter code.
unsafe impl Sync for Ops {}

static OPS: Ops = Ops(b::kernel_param_ops {
    flags: 0,
    set: Some(set),
    get: Some(get),
    free: None,
});

#[repr(transparent)]
struct Param(b::kernel_param);
// SAFETY: immutable; the kernel serialises calls to its ops.
unsafe impl Sync for Param {}

/// The parameter's entry in `__param`, what `module_param_cb()` emits.
#[link_section = "__param"]
#[used(compiler)]
static MAX_SCOPE_PARAM: Param = Param(b::kernel_param {
    name: kernel::str::as_char_ptr_in_const_context(c"max_scope"),
    // `__this_module` is the loader's record of this module, alive while
    // the module is; only its address is taken.
    mod_: (&raw const b::__this_module).cast_mut(),
    ops: &OPS.0,
    perm: 0o644,
    level: -1,
    flags: 0,
    __bindgen_anon_1: b::kernel_param__bindgen_ty_1 {
        arg: core::ptr::null_mut(),
    },
});

/// `modinfo` description of the parameter.
#[link_section = ".modinfo"]
#[used(compiler)]
static MAX_SCOPE_DESC: [u8; 143] = *b"parm=max_scope:Highest RPC scope any device accepts (none, configuration, debug_read_only, debug_write, debug_write_full); can only be lowered\0";
