// SPDX-License-Identifier: GPL-2.0

//! sysfs attributes of each fwctl device:
//! - `max_scope`: the effective limit; writes may only lower it;
//! - `rpcs_accepted`, `rpcs_failed` and `rpcs_refused`: the RPC counters,
//!   one line of numbers each (see `policy::ACCEPTED_FIELDS` and
//!   `REFUSED_FIELDS`): handed to the driver, failed by the driver or its
//!   firmware (per scope), refused by the core's policy (per reason).
//!
//! Each file is a kernfs node that every device registration creates, so
//! the counters are three array files, not one file each.

use crate::device::Dev;
use crate::param;
use crate::policy::{
    bytes_eq, format_counters, MaxScope, ACCEPTED_FILE, FAILED_FILE, REFUSED_FILE,
};
use core::fmt::Write;
use core::ptr;
use kernel::bindings as b;
use kernel::prelude::*;
use kernel::str::as_char_ptr_in_const_context;

/// Writes formatted text into a sysfs page.
struct Page<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl Write for Page<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.len + s.len();
        if end > self.buf.len() {
            return Err(core::fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Runs `f` on the fwctl device behind a sysfs callback's `dev`, with the
/// page as output; returns the length or a negative errno.
///
/// # Safety
///
/// `dev` is a fwctl device's `struct device` (sysfs keeps it alive during
/// the callback) and `buf` a `PAGE_SIZE` buffer.
unsafe fn show(
    dev: *mut b::device,
    buf: *mut c_char,
    f: impl FnOnce(Dev<'_>, &mut Page<'_>) -> core::fmt::Result,
) -> isize {
    // SAFETY: `dev` is at offset 0 of a `struct fwctl_device` from `alloc()`
    // and sysfs holds it for the call (caller).
    let fwctl = unsafe { Dev::from_raw(dev.cast()) };
    // SAFETY: sysfs hands `show` a zeroed page of `PAGE_SIZE` bytes (caller).
    let page = unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), b::PAGE_SIZE) };
    let mut out = Page { buf: page, len: 0 };
    match f(fwctl, &mut out) {
        Ok(()) => out.len as isize,
        Err(_) => ENOMEM.to_errno() as isize,
    }
}

/// # Safety
///
/// Called by sysfs on a fwctl device with a `PAGE_SIZE` buffer.
unsafe extern "C" fn max_scope_show(
    dev: *mut b::device,
    _attr: *mut b::device_attribute,
    buf: *mut c_char,
) -> isize {
    // SAFETY: called by sysfs per `show()`'s contract.
    unsafe { show(dev, buf, |d, out| writeln!(out, "{}", d.max_scope().name())) }
}

/// # Safety
///
/// Called by sysfs on a fwctl device with `count` bytes in `buf`.
unsafe extern "C" fn max_scope_store(
    dev: *mut b::device,
    _attr: *mut b::device_attribute,
    buf: *const c_char,
    count: usize,
) -> isize {
    // SAFETY: `dev` is a live fwctl device during the callback (sysfs).
    let fwctl = unsafe { Dev::from_raw(dev.cast()) };
    // SAFETY: sysfs passes `count` readable bytes.
    let input = unsafe { core::slice::from_raw_parts(buf.cast::<u8>(), count) };
    let Some(new) = MaxScope::parse(input) else {
        return EINVAL.to_errno() as isize;
    };
    let global = param::global_max();
    match fwctl.prefix().max_scope.lower(new, |own| own.min(global)) {
        Ok(()) => {
            dev_info!(fwctl.device(), "max_scope lowered to {}\n", new.name());
            count as isize
        }
        Err(_) => EPERM.to_errno() as isize,
    }
}

/// The counter files, as `counters_show`'s parameter.
const ACCEPTED: u8 = 0;
const FAILED: u8 = 1;
const REFUSED: u8 = 2;

/// `show` of the counter file `FILE`: `ACCEPTED`, `FAILED` or `REFUSED`.
///
/// # Safety
///
/// Called by sysfs on a fwctl device with a `PAGE_SIZE` buffer.
unsafe extern "C" fn counters_show<const FILE: u8>(
    dev: *mut b::device,
    _attr: *mut b::device_attribute,
    buf: *mut c_char,
) -> isize {
    // SAFETY: called by sysfs per `show()`'s contract.
    unsafe {
        show(dev, buf, |d, out| {
            let stats = &d.prefix().stats;
            match FILE {
                ACCEPTED => format_counters(&stats.accepted_all(), out),
                FAILED => format_counters(&stats.failed_all(), out),
                _ => format_counters(&stats.refused_all(), out),
            }
        })
    }
}

type ShowFn = unsafe extern "C" fn(*mut b::device, *mut b::device_attribute, *mut c_char) -> isize;

/// A `struct device_attribute` in static memory (lockdep wants static keys).
#[repr(transparent)]
struct Attr(b::device_attribute);
// SAFETY: immutable, read by the driver core from any thread.
unsafe impl Sync for Attr {}

impl Attr {
    const fn ro(name: &'static CStr, show: ShowFn) -> Self {
        Attr(b::device_attribute {
            attr: b::attribute {
                name: as_char_ptr_in_const_context(name),
                mode: 0o444,
                ..pin_init::zeroed()
            },
            __bindgen_anon_1: b::device_attribute__bindgen_ty_1 { show: Some(show) },
            __bindgen_anon_2: b::device_attribute__bindgen_ty_2 { store: None },
        })
    }
}

static MAX_SCOPE: Attr = Attr(b::device_attribute {
    attr: b::attribute {
        name: as_char_ptr_in_const_context(c"max_scope"),
        mode: 0o644,
        ..pin_init::zeroed()
    },
    __bindgen_anon_1: b::device_attribute__bindgen_ty_1 {
        show: Some(max_scope_show),
    },
    __bindgen_anon_2: b::device_attribute__bindgen_ty_2 {
        store: Some(max_scope_store),
    },
});

static RPCS_ACCEPTED: Attr = Attr::ro(c"rpcs_accepted", counters_show::<ACCEPTED>);
static RPCS_REFUSED: Attr = Attr::ro(c"rpcs_refused", counters_show::<REFUSED>);
static RPCS_FAILED: Attr = Attr::ro(c"rpcs_failed", counters_show::<FAILED>);

// The sysfs names above are the ones the pure policy code documents (it
// also ties the fields' order to the counters).
const _: () = {
    assert!(bytes_eq(
        ACCEPTED_FILE.as_bytes(),
        c"rpcs_accepted".to_bytes()
    ));
    assert!(bytes_eq(
        REFUSED_FILE.as_bytes(),
        c"rpcs_refused".to_bytes()
    ));
    assert!(bytes_eq(FAILED_FILE.as_bytes(), c"rpcs_failed".to_bytes()));
};

/// A NULL-terminated pointer table, as C wants it.
#[repr(transparent)]
pub(crate) struct Table<T, const N: usize>([*const T; N]);
// SAFETY: the pointers point to immutable statics.
unsafe impl<T, const N: usize> Sync for Table<T, N> {}

const fn attr(a: &'static Attr) -> *const b::attribute {
    &a.0.attr
}

static MAIN_ATTRS: Table<b::attribute, 5> = Table([
    attr(&MAX_SCOPE),
    attr(&RPCS_ACCEPTED),
    attr(&RPCS_REFUSED),
    attr(&RPCS_FAILED),
    ptr::null(),
]);

#[repr(transparent)]
struct Group(b::attribute_group);
// SAFETY: immutable, read by the driver core from any thread.
unsafe impl Sync for Group {}

static MAIN_GROUP: Group = Group(b::attribute_group {
    __bindgen_anon_2: b::attribute_group__bindgen_ty_2 {
        attrs_const: MAIN_ATTRS.0.as_ptr(),
    },
    ..pin_init::zeroed()
});

/// `struct device::groups` of every fwctl device: one unnamed group, so
/// the files sit in the device's own directory.
pub(crate) static GROUPS: Table<b::attribute_group, 2> = Table([&MAIN_GROUP.0, ptr::null()]);

impl<T, const N: usize> Table<T, N> {
    /// The table's address, for C, which takes it as a mutable pointer but
    /// never writes through it.
    pub(crate) fn as_ptr(&'static self) -> *mut *const T {
        self.0.as_ptr().cast_mut()
    }
}
