// SPDX-License-Identifier: GPL-2.0

//! The helpers of `fwctl_glue.c` (declared in `fwctl_glue.h`): what the
//! kernel's C macros express and Rust would otherwise re-derive (the IDA of
//! minors, `DEFINE_IDA`; `list_del()` and its poison values; `kvmalloc()`
//! and `clear_user()`, a macro and an inline function; `get_user()`).

use kernel::bindings as b;
use kernel::prelude::*;

extern "C" {
    fn fwctl_glue_minor_alloc(max: c_uint) -> c_int;
    fn fwctl_glue_minor_free(minor: c_uint);
    fn fwctl_glue_minors_destroy();
    fn fwctl_glue_list_del(entry: *mut b::list_head);
    fn fwctl_glue_kzalloc_account(size: usize) -> *mut c_void;
    fn fwctl_glue_kvmalloc(size: usize) -> *mut c_void;
    fn fwctl_glue_clear_user(to: *mut c_void, n: usize) -> usize;
    fn fwctl_glue_get_user_u32(val: *mut u32, from: *const u32) -> c_int;
}

/// `get_user()` of the `u32` at user address `from`.
pub(crate) fn get_user_u32(from: *const u32) -> Result<u32> {
    let mut val = 0u32;
    // SAFETY: `val` is a valid out-pointer for the call; `get_user()`
    // checks the user address (`access_ok()`) and handles faults, and
    // `from` is never dereferenced here.
    let r = unsafe { fwctl_glue_get_user_u32(&mut val, from) };
    if r != 0 {
        return Err(Error::from_errno(r));
    }
    Ok(val)
}

/// `clear_user(to, n)`: zeroes `n` bytes of user memory at `to`; returns
/// how many it could not (a fault).
pub(crate) fn clear_user(to: *mut c_void, n: usize) -> usize {
    // SAFETY: `clear_user()` checks the user range (`access_ok()`) and
    // handles faults; `to` is a user address, never dereferenced here.
    unsafe { fwctl_glue_clear_user(to, n) }
}

/// `kzalloc(size, GFP_KERNEL_ACCOUNT)`: `size` zeroed bytes from the slab
/// (aligned for any `u64`), NULL on failure.  Free with `kfree()`.
///
/// The allocator of the kernel crate (`Kmalloc::alloc()`) goes through
/// `krealloc()`, a few dozen instructions more on every `open()`.
pub(crate) fn kzalloc_account(size: usize) -> *mut c_void {
    // SAFETY: `kzalloc()` has no preconditions; the caller owns the result.
    unsafe { fwctl_glue_kzalloc_account(size) }
}

/// `kvmalloc(size, GFP_KERNEL_ACCOUNT)`: `size` bytes, not zeroed, from
/// the slab or vmalloc; NULL on failure.  Free with `kvfree()`.
pub(crate) fn kvmalloc(size: usize) -> *mut c_void {
    // SAFETY: `kvmalloc()` has no preconditions; the caller owns the result.
    unsafe { fwctl_glue_kvmalloc(size) }
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
