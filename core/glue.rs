// SPDX-License-Identifier: GPL-2.0

//! The helpers of `fwctl_glue.c` (declared in `fwctl_glue.h`): what the
//! kernel's C macros express and Rust would otherwise re-derive (the IDA of
//! minors, `DEFINE_IDA`; `list_del()` and its poison values).

use kernel::bindings as b;
use kernel::prelude::*;

extern "C" {
    fn fwctl_glue_minor_alloc(max: c_uint) -> c_int;
    fn fwctl_glue_minor_free(minor: c_uint);
    fn fwctl_glue_minors_destroy();
    fn fwctl_glue_list_del(entry: *mut b::list_head);
}

/// Takes the lowest free minor in `0..=max`.
pub(crate) fn minor_alloc(max: u32) -> Result<u32> {
    // SAFETY: `ida_alloc_max()` on the core's static IDA (`DEFINE_IDA`,
    // initialised at compile time) has no preconditions.
    let r = unsafe { fwctl_glue_minor_alloc(max) };
    if r < 0 {
        return Err(Error::from_errno(r));
    }
    Ok(r as u32)
}

/// Returns `minor` to the IDA.
///
/// # Safety
///
/// `minor` came from [`minor_alloc()`] and is not used any more.
pub(crate) unsafe fn minor_free(minor: u32) {
    // SAFETY: `ida_free()` of a minor we own (the caller's contract).
    unsafe { fwctl_glue_minor_free(minor) }
}

/// Frees the IDA's internal memory at module unload.
///
/// # Safety
///
/// Every minor has been freed and none is allocated again.
pub(crate) unsafe fn minors_destroy() {
    // SAFETY: `ida_destroy()` on an IDA nobody uses any more (caller).
    unsafe { fwctl_glue_minors_destroy() }
}

/// `list_del()`: unlinks `entry` (with the kernel's `CONFIG_DEBUG_LIST`
/// checks where enabled) and poisons it.
///
/// # Safety
///
/// `entry` is on a list whose lock the caller holds.
pub(crate) unsafe fn list_del(entry: *mut b::list_head) {
    // SAFETY: `entry` and its neighbours are valid list nodes, under the
    // caller's lock.
    unsafe { fwctl_glue_list_del(entry) }
}
