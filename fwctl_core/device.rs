// SPDX-License-Identifier: GPL-2.0

//! fwctl devices: allocation, registration and unregistration, and the
//! subsystem's global objects (char-device region, class, IDA).
//!
//! Every device is one allocation laid out as
//!
//! ```text
//! [ Prefix (core state) | struct fwctl_device | driver's private data ]
//!                         ^ the pointer drivers see (upstream's C ABI)
//! ```
//!
//! so that `struct fwctl_device` keeps exactly upstream's layout (drivers
//! embed it at offset 0 of their own struct and `fwctl_get()`/`fwctl_put()`
//! are inline in their code) while the core keeps state upstream does not
//! have (policy, counters) without a pointer in that struct.
//!
//! Lock order: `registration_lock` (rwsem), then `uctx_list_lock` (mutex).
//! `registration_lock` is held for read while `ops` is read or any driver op
//! runs, and for write only while `fwctl_unregister()` clears `ops`.
//!
//! Both locks are fields of the C `struct fwctl_device`, whose layout the
//! drivers share: the kernel crate's `Mutex` and guards own their lock and
//! cannot stand for one embedded in a C struct, so they are taken with the
//! C calls here.  Readers go through [`OpsGuard`], a guard of our own; the
//! mutex is held only across the few lines that touch the list.

use crate::policy::{LogGate, MaxScope, Ratchet, Stats};
use crate::{chardev, glue, param, sysfs, uapi};
use core::alloc::Layout;
use core::marker::PhantomData;
use core::mem::{offset_of, size_of};
use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicU32, Ordering};
use kernel::alloc::{allocator::Kmalloc, Allocator, NumaNode};
use kernel::bindings as b;
use kernel::error::{from_err_ptr, to_result};
use kernel::prelude::*;
use kernel::str::as_char_ptr_in_const_context;
use kernel::sync::SpinLock;
use kernel::{new_spinlock, static_lock_class};

/// First `dev_t` of the region of `uapi::MAX_DEVICES` minors.
static DEVT_BASE: AtomicU32 = AtomicU32::new(0);

/// `struct class` for `/sys/class/fwctl`; C only reads it.
struct Class(b::class);
// SAFETY: the class is immutable after construction and only read by the
// driver core, from any thread.
unsafe impl Sync for Class {}
static CLASS: Class = Class(b::class {
    name: as_char_ptr_in_const_context(c"fwctl"),
    dev_release: Some(device_release),
    devnode: Some(devnode),
    ..pin_init::zeroed()
});

// Minors must fit a `dev_t`, as upstream asserts.
const _: () = assert!(uapi::MAX_DEVICES < (1 << b::MINORBITS));

/// Sets up the char-device region and the class (the IDA of minors is
/// static, in `fwctl_glue.c`).
pub(crate) fn subsystem_init() -> Result {
    let mut devt: b::dev_t = 0;
    // SAFETY: `devt` is a valid out-pointer; the name is a static C string.
    to_result(unsafe {
        b::alloc_chrdev_region(&mut devt, 0, uapi::MAX_DEVICES, c"fwctl".as_char_ptr())
    })?;
    DEVT_BASE.store(devt, Ordering::Relaxed);

    // SAFETY: `CLASS` is a static, fully initialised `struct class`.
    if let Err(e) = to_result(unsafe { b::class_register(&CLASS.0) }) {
        // SAFETY: the region was allocated just above.
        unsafe { b::unregister_chrdev_region(devt, uapi::MAX_DEVICES) };
        pr_err!(
            "cannot register the fwctl class ({:?}): is another fwctl core loaded?\n",
            e
        );
        return Err(e);
    }
    Ok(())
}

/// Undoes `subsystem_init()`.  Runs at module unload, when no device is
/// left: drivers hold a module reference on the core while they are loaded
/// and every open FD holds one through `file_operations.owner`.
pub(crate) fn subsystem_exit() {
    // SAFETY: registered by `subsystem_init()`; no device remains.
    unsafe { b::class_unregister(&CLASS.0) };
    // SAFETY: allocated by `subsystem_init()`.
    unsafe { b::unregister_chrdev_region(DEVT_BASE.load(Ordering::Relaxed), uapi::MAX_DEVICES) };
    // SAFETY: every minor was returned by the devices' release and no
    // device is created any more.
    unsafe { glue::minors_destroy() };
}

/// The core's own state, placed in front of each `struct fwctl_device`.
#[repr(C, align(64))]
#[pin_data]
pub(crate) struct Prefix {
    /// This device's own limit; see `Dev::max_scope()` for the effective one.
    pub(crate) max_scope: Ratchet,
    /// RPC counters, shown in sysfs as `rpcs_accepted` and `rpcs_refused`.
    pub(crate) stats: Stats,
    /// Which processes already left a refusal line in the log.
    #[pin]
    pub(crate) log_gate: SpinLock<LogGate<16>>,
}

/// Bytes in front of the `struct fwctl_device`: a multiple of 64, so the
/// driver's struct keeps any alignment up to a cache line that `kmalloc`
/// gives the whole allocation.
const PREFIX_SIZE: usize = size_of::<Prefix>();
const _: () = assert!(PREFIX_SIZE % 64 == 0);

// The fields the core and the C drivers share must sit where the C header
// puts them: drivers compiled against `include/linux/fwctl.h` rely on it.
const _: () = {
    assert!(offset_of!(b::fwctl_device, dev) == 0);
    assert!(offset_of!(b::fwctl_uctx, fwctl) == 0);
};

/// A fwctl device the caller holds a reference to for `'a`.
///
/// # Invariants
///
/// `raw` points to a `struct fwctl_device` allocated by `alloc()` (so a
/// `Prefix` precedes it) whose `struct device` has a reference held for `'a`.
#[derive(Clone, Copy)]
pub(crate) struct Dev<'a> {
    raw: NonNull<b::fwctl_device>,
    _ref: PhantomData<&'a b::fwctl_device>,
}

impl<'a> Dev<'a> {
    /// # Safety
    ///
    /// `raw` must come from `alloc()` and a reference on its `struct device`
    /// must be held for `'a`.
    pub(crate) unsafe fn from_raw(raw: *mut b::fwctl_device) -> Self {
        // INVARIANT: guaranteed by the caller.
        Dev {
            // SAFETY: the caller passes a pointer from `alloc()`, never null.
            raw: unsafe { NonNull::new_unchecked(raw) },
            _ref: PhantomData,
        }
    }

    /// The raw pointer, for the C side.
    pub(crate) fn as_ptr(self) -> *mut b::fwctl_device {
        self.raw.as_ptr()
    }

    /// The core's state of this device.
    pub(crate) fn prefix(self) -> &'a Prefix {
        // SAFETY: by the invariant the allocation starts `PREFIX_SIZE` bytes
        // earlier with an initialised `Prefix`, alive while the device is.
        unsafe { &*self.raw.as_ptr().byte_sub(PREFIX_SIZE).cast::<Prefix>() }
    }

    /// The `struct device`, for log lines.
    pub(crate) fn device(self) -> &'a kernel::device::Device {
        // SAFETY: `dev` is the initialised `struct device` of a live fwctl
        // device (invariant); a reference is held for `'a`.
        unsafe { kernel::device::Device::from_raw(&raw mut (*self.raw.as_ptr()).dev) }
    }

    /// The effective limit: the lower of this device's and the global one.
    pub(crate) fn max_scope(self) -> MaxScope {
        self.prefix().max_scope.get().min(param::global_max())
    }

    /// Whether the device is still registered, read without the lock
    /// (`READ_ONCE()`): only to answer `ENODEV` as early as upstream does.
    /// It may be stale at once; every use of the ops takes the lock and
    /// checks again.
    pub(crate) fn registered_hint(self) -> bool {
        // SAFETY: `ops` is an aligned pointer field of a live device
        // (invariant); a volatile read is the kernel's `READ_ONCE()`, paired
        // with the `WRITE_ONCE()` in `unregister()`.
        let ops = unsafe { ptr::read_volatile(&raw const (*self.raw.as_ptr()).ops) };
        !ops.is_null()
    }

    /// Takes `registration_lock` for read: while the guard lives, the ops
    /// (if any) and the driver's module stay valid.
    pub(crate) fn read_ops(self) -> OpsGuard<'a> {
        // SAFETY: the rwsem was initialised in `alloc()`; the guard releases it.
        unsafe { b::down_read(&raw mut (*self.raw.as_ptr()).registration_lock) };
        OpsGuard { dev: self }
    }
}

/// `registration_lock` held for read.
#[must_use]
pub(crate) struct OpsGuard<'a> {
    dev: Dev<'a>,
}

impl Drop for OpsGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: taken for read by `Dev::read_ops()`.
        unsafe { b::up_read(&raw mut (*self.dev.as_ptr()).registration_lock) };
    }
}

impl<'g> OpsGuard<'g> {
    /// The driver's ops, or `None` once the device is unregistered.
    pub(crate) fn ops(&self) -> Option<Ops<'_>> {
        // SAFETY: `ops` is only written under the write lock; we hold it for
        // read. A non-null `ops` points to the driver's static table, valid
        // until `fwctl_unregister()`, which cannot pass while we hold the lock.
        let ops = unsafe { (*self.dev.as_ptr()).ops.as_ref()? };
        Some(Ops { ops, dev: self.dev })
    }
}

/// The driver's ops of a registered device, valid while the read lock is
/// held (the lifetime borrows the `OpsGuard`).
#[derive(Clone, Copy)]
pub(crate) struct Ops<'a> {
    ops: &'a b::fwctl_ops,
    dev: Dev<'a>,
}

/// A buffer the driver allocated with `kvmalloc()` (or `kmalloc()`) and
/// handed to the core, which frees it.  A driver may also answer NULL with
/// length 0 (the in-tree Rust abstraction does): an empty answer.
///
/// # Invariants
///
/// `ptr` is null only if `len` is 0; otherwise it points to `len` bytes
/// that the core owns until drop.
pub(crate) struct DriverBuf {
    ptr: *mut u8,
    len: usize,
}

impl DriverBuf {
    /// Takes ownership of what an op returned: an `ERR_PTR`, NULL, or a
    /// buffer of `len` bytes.
    ///
    /// # Safety
    ///
    /// A non-error, non-null `p` is a buffer of `len` bytes freeable by
    /// `kvfree()` that nobody else uses any more.
    unsafe fn from_op(p: *mut c_void, len: usize) -> Result<Self> {
        let ptr = from_err_ptr(p)?.cast::<u8>();
        if ptr.is_null() && len != 0 {
            // Upstream would copy from NULL: refuse instead.
            return Err(EIO);
        }
        // INVARIANT: checked just above; ownership passes to us (caller).
        Ok(DriverBuf { ptr, len })
    }

    /// The length the driver reported.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The first `n` bytes (at most the driver's reported length).
    pub(crate) fn bytes(&self, n: usize) -> &[u8] {
        if self.ptr.is_null() {
            return &[];
        }
        // SAFETY: by the invariant `ptr` holds `len` bytes owned by us until
        // drop; `n` is clamped to it.
        unsafe { core::slice::from_raw_parts(self.ptr, n.min(self.len)) }
    }
}

impl Drop for DriverBuf {
    fn drop(&mut self) {
        // SAFETY: the driver's contract: the buffer is freeable by
        // `kvfree()`, which also frees `kmalloc()` memory and ignores NULL.
        unsafe { b::kvfree(self.ptr.cast()) };
    }
}

/// What the driver's `fw_rpc` answered.
pub(crate) enum RpcAnswer {
    /// The answer is in the request buffer, this many bytes long.
    InPlace(usize),
    /// A new buffer.
    NewBuffer(DriverBuf),
}

impl<'a> Ops<'a> {
    /// The device type (uAPI value).
    pub(crate) fn device_type(self) -> u32 {
        self.ops.device_type
    }

    /// Allocates a user context, calls the driver's `open_uctx` and takes
    /// a device reference for it.  The caller gets an owning handle, with no
    /// lifetime: the context outlives this borrow of the ops, and it is
    /// only reachable again as a [`Uctx`] borrowed for one file operation.
    pub(crate) fn open_uctx(self) -> Result<NewUctx> {
        let size = self.ops.uctx_size;
        if size < size_of::<b::fwctl_uctx>() {
            return Err(EINVAL);
        }
        // As upstream: `kzalloc(uctx_size, GFP_KERNEL_ACCOUNT)`.
        let uctx_nn = NonNull::new(crate::glue::kzalloc_account(size))
            .ok_or(ENOMEM)?
            .cast::<b::fwctl_uctx>();
        let uctx = uctx_nn.as_ptr();
        // SAFETY: `uctx` is a fresh, zeroed allocation of at least
        // `sizeof(struct fwctl_uctx)` bytes, aligned for it.
        unsafe { (*uctx).fwctl = self.dev.as_ptr() };
        let open = self.ops.open_uctx.ok_or(EINVAL);
        // SAFETY: the driver's `open_uctx` gets a context it has never seen,
        // with `fwctl` set, as the C core does; the read lock keeps the
        // driver loaded.  Any non-zero return fails the open, as upstream.
        let r = open.and_then(|f| match unsafe { f(uctx) } {
            0 => Ok(()),
            e if e < 0 => Err(Error::from_errno(e)),
            _ => Err(EINVAL),
        });
        if let Err(e) = r {
            // SAFETY: allocated above with kmalloc; the driver failed its open
            // and must not keep the pointer.
            unsafe { b::kfree(uctx.cast()) };
            return Err(e);
        }
        // SAFETY: the rwsem is held for read (lock order: rwsem, then mutex);
        // the list and mutex were initialised in `alloc()`.
        unsafe {
            let fwctl = self.dev.as_ptr();
            b::mutex_lock(&raw mut (*fwctl).uctx_list_lock);
            b::list_add_tail(
                &raw mut (*uctx).uctx_list_entry,
                &raw mut (*fwctl).uctx_list,
            );
            b::mutex_unlock(&raw mut (*fwctl).uctx_list_lock);
        }
        // SAFETY: the device is alive (we hold its ops under the read
        // lock); this reference is dropped by `Uctx::release()`.
        unsafe { b::get_device(&raw mut (*self.dev.as_ptr()).dev) };
        // INVARIANT: open, on the device's list, holding a device reference.
        Ok(NewUctx { raw: uctx_nn })
    }

    /// Calls the driver's `close_uctx` and takes the context off the list.
    ///
    /// # Safety
    ///
    /// `uctx` is an open context of this device, not yet closed.
    unsafe fn close_uctx(self, uctx: Uctx<'_>) {
        // SAFETY: the caller guarantees `uctx` is open on this device, so it
        // is on the list; the read lock is held (lock order: rwsem, mutex).
        unsafe {
            let fwctl = self.dev.as_ptr();
            b::mutex_lock(&raw mut (*fwctl).uctx_list_lock);
            destroy_uctx(self.ops, uctx.raw);
            b::mutex_unlock(&raw mut (*fwctl).uctx_list_lock);
        }
    }

    /// Calls the driver's `info`; `None` when the driver has none.
    pub(crate) fn info(self, uctx: Uctx<'_>) -> Result<Option<DriverBuf>> {
        let Some(f) = self.ops.info else {
            return Ok(None);
        };
        let mut len: usize = 0;
        // SAFETY: `uctx` is an open context of this device (the caller,
        // `ioctl::dispatch()`, got this `Ops` from `uctx.dev()`); the read
        // lock keeps the driver loaded; `len` is a valid out-pointer.
        let p = unsafe { f(uctx.raw, &mut len) };
        // SAFETY: `info` returns a kmalloc'ed buffer of `len` bytes, ours.
        unsafe { DriverBuf::from_op(p, len) }.map(Some)
    }

    /// Calls the driver's `fw_rpc` with the request in `inbuf`; `out_len`
    /// is the caller's buffer length on input, as upstream passes it.
    pub(crate) fn fw_rpc(
        self,
        uctx: Uctx<'_>,
        scope: uapi::Scope,
        inbuf: &mut [u8],
        out_len: usize,
    ) -> Result<RpcAnswer> {
        let f = self.ops.fw_rpc.ok_or(EOPNOTSUPP)?;
        let in_ptr = inbuf.as_mut_ptr();
        let mut len = out_len;
        // SAFETY: `uctx` is an open context of this device (the caller got
        // this `Ops` from `uctx.dev()`), the read lock keeps the driver loaded, `in_ptr` is valid for
        // `inbuf.len()` bytes and the driver's for the call; `len` is an
        // in/out pointer.
        let p = unsafe {
            f(
                uctx.raw,
                b::fwctl_rpc_scope(scope as u32),
                in_ptr.cast(),
                inbuf.len(),
                &mut len,
            )
        };
        if p.cast::<u8>() == in_ptr {
            if len.min(out_len) > inbuf.len() {
                // An in-place answer longer than the request that the user
                // wants in full: upstream would read past the buffer.
                return Err(EIO);
            }
            return Ok(RpcAnswer::InPlace(len));
        }
        // SAFETY: `fw_rpc` returns an error, NULL, or a kvmalloc'ed buffer
        // of `len` bytes that is now ours.
        unsafe { DriverBuf::from_op(p, len) }.map(RpcAnswer::NewBuffer)
    }
}

/// Unlinks `uctx` and calls the driver's `close_uctx`.
///
/// # Safety
///
/// `uctx_list_lock` is held, `uctx` is on the list and `ops` is the device's.
unsafe fn destroy_uctx(ops: &b::fwctl_ops, uctx: *mut b::fwctl_uctx) {
    // SAFETY: by the caller, `uctx` is on a list protected by the held lock.
    unsafe { glue::list_del(&raw mut (*uctx).uctx_list_entry) };
    if let Some(close) = ops.close_uctx {
        // SAFETY: `uctx` was opened by this driver and is closed exactly once:
        // it just left the list, and only list members are closed.
        unsafe { close(uctx) };
    }
}

/// A user context just opened, owned by this handle until it is handed to
/// the file being opened ([`NewUctx::into_raw()`]); dropped, it is released.
///
/// # Invariants
///
/// `raw` is a context opened by `Ops::open_uctx()`, on its device's list,
/// holding a device reference, and not yet released.
#[must_use]
pub(crate) struct NewUctx {
    raw: NonNull<b::fwctl_uctx>,
}

impl NewUctx {
    /// Gives the context to its file (`file->private_data`); the file's
    /// `release` gives it back to [`Uctx::release()`].
    pub(crate) fn into_raw(self) -> *mut b::fwctl_uctx {
        let raw = self.raw.as_ptr();
        core::mem::forget(self);
        raw
    }
}

impl Drop for NewUctx {
    fn drop(&mut self) {
        // SAFETY: by the invariant, an open context that nothing else
        // refers to (it was never handed to a file).
        unsafe { Uctx::from_raw(self.raw.as_ptr()).release() };
    }
}

/// An open user context, borrowed for one file operation (`'a`).
///
/// # Invariants
///
/// `raw` points to a `struct fwctl_uctx` allocated by `Ops::open_uctx()`
/// whose `fwctl` is a live device; it stays allocated until `release()`.
#[derive(Clone, Copy)]
pub(crate) struct Uctx<'a> {
    raw: *mut b::fwctl_uctx,
    _dev: PhantomData<&'a ()>,
}

impl<'a> Uctx<'a> {
    /// # Safety
    ///
    /// `raw` must be a context returned by `Ops::open_uctx()` and not yet
    /// passed to `release()`, for `'a`.
    pub(crate) unsafe fn from_raw(raw: *mut b::fwctl_uctx) -> Self {
        // INVARIANT: guaranteed by the caller.
        Uctx {
            raw,
            _dev: PhantomData,
        }
    }

    /// The device this context belongs to.
    pub(crate) fn dev(self) -> Dev<'a> {
        // SAFETY: `fwctl` was set at open and the context holds a device
        // reference until it is released (invariant).
        unsafe { Dev::from_raw((*self.raw).fwctl) }
    }

    /// Frees the context and drops its device reference.  If the device is
    /// still registered, the driver's `close_uctx` runs first; after
    /// `fwctl_unregister()` it already ran.
    ///
    /// # Safety
    ///
    /// Called once, when the file that owns the context is released; no
    /// other user of this context remains.
    pub(crate) unsafe fn release(self) {
        let dev = self.dev();
        {
            let guard = dev.read_ops();
            if let Some(ops) = guard.ops() {
                // SAFETY: registered, so the context is open and on the list
                // (unregistration empties it under the write lock).
                unsafe { ops.close_uctx(self) };
            }
        }
        // SAFETY: allocated with kmalloc by `open_uctx`; off the list and
        // closed; the file is gone, so nothing else refers to it.
        unsafe { b::kfree(self.raw.cast()) };
        // SAFETY: drops the reference taken by `Ops::open_uctx()`.
        unsafe { b::put_device(&raw mut (*dev.as_ptr()).dev) };
    }
}

/// `_fwctl_alloc_device()`: see `abi.rs`.
///
/// # Safety
///
/// `parent` is a live device (or null), `ops` a static table that stays
/// valid until `fwctl_unregister()` returns.
pub(crate) unsafe fn alloc(
    parent: *mut b::device,
    ops: *const b::fwctl_ops,
    size: usize,
) -> Result<NonNull<b::fwctl_device>> {
    if size < size_of::<b::fwctl_device>() || ops.is_null() {
        return Err(EINVAL);
    }
    let total = PREFIX_SIZE.checked_add(size).ok_or(ENOMEM)?;
    let layout = Layout::from_size_align(total, 64).map_err(|_| ENOMEM)?;
    let mem = Kmalloc::alloc(layout, GFP_KERNEL | __GFP_ZERO, NumaNode::NO_NODE)?;
    let prefix = mem.as_ptr().cast::<Prefix>();
    let init = pin_init!(Prefix {
        max_scope: Ratchet::new(param::global_max()),
        stats: Stats::new(),
        log_gate <- new_spinlock!(LogGate::new(), "fwctl_log_gate"),
    });
    // SAFETY: `prefix` is valid, aligned, uninitialised memory that is never
    // moved: it lives until `device_release()`.
    unsafe { pin_init::raw_init(prefix, init) };
    // SAFETY: `PREFIX_SIZE + size_of::<fwctl_device>()` bytes are allocated.
    let fwctl = unsafe {
        prefix
            .cast::<u8>()
            .add(PREFIX_SIZE)
            .cast::<b::fwctl_device>()
    };

    let minor = match glue::minor_alloc(uapi::MAX_DEVICES - 1) {
        Ok(minor) => minor,
        Err(e) => {
            // SAFETY: not shared yet; the prefix needs no drop but run it anyway.
            unsafe {
                ptr::drop_in_place(prefix);
                b::kfree(prefix.cast());
            }
            return Err(e);
        }
    };

    // SAFETY: `fwctl` is zeroed memory we own; the fields are set up as the
    // C core does before `device_initialize()`, after which the device's
    // refcount owns the allocation (freed by `device_release()`).
    unsafe {
        let d = &raw mut (*fwctl).dev;
        (*d).devt = DEVT_BASE.load(Ordering::Relaxed) + minor;
        (*d).class = &CLASS.0;
        (*d).parent = parent;
        (*d).groups = sysfs::GROUPS.as_ptr();
        b::__init_rwsem(
            &raw mut (*fwctl).registration_lock,
            c"&fwctl->registration_lock".as_char_ptr(),
            static_lock_class!().as_ptr(),
        );
        b::__mutex_init(
            &raw mut (*fwctl).uctx_list_lock,
            c"&fwctl->uctx_list_lock".as_char_ptr(),
            static_lock_class!().as_ptr(),
        );
        b::INIT_LIST_HEAD(&raw mut (*fwctl).uctx_list);
        b::device_initialize(d);

        b::cdev_init(&raw mut (*fwctl).cdev, chardev::fops());
        // Open files pin the core, which outlives any driver's ops.
        (*fwctl).cdev.owner = chardev::this_module();

        if b::dev_set_name(d, c"fwctl%d".as_char_ptr(), minor) != 0 {
            b::put_device(d);
            return Err(ENOMEM);
        }
        (*fwctl).ops = ops;
        Ok(NonNull::new_unchecked(fwctl))
    }
}

/// `fwctl_register()`.
///
/// # Safety
///
/// `fwctl` comes from `alloc()` and is not registered.
pub(crate) unsafe fn register(fwctl: *mut b::fwctl_device) -> Result {
    // SAFETY: by the caller; the cdev and device were initialised by `alloc()`.
    let ret = unsafe { b::cdev_device_add(&raw mut (*fwctl).cdev, &raw mut (*fwctl).dev) };
    if ret != 0 {
        // `cdev_device_add()` took the cdev away again, but an `open()`
        // through a stale node of the same number may have come in while
        // the cdev was live and its `device_add()` had not yet failed.  The
        // driver frees its state when registration fails and never calls
        // `fwctl_unregister()`: detach its ops here, as unregistering would.
        // Upstream's core leaves such a context calling into the driver.
        //
        // SAFETY: from `alloc()` (caller), not registered, so detached once.
        unsafe { detach(fwctl) };
    }
    to_result(ret)
}

/// `fwctl_unregister()`: afterwards no driver op runs again, every open
/// context has been closed, and every ioctl on a still-open FD fails with
/// `ENODEV`.  Waits for ops in flight.
///
/// # Safety
///
/// `fwctl` was registered by `register()` and is not yet unregistered.
pub(crate) unsafe fn unregister(fwctl: *mut b::fwctl_device) {
    // SAFETY: by the caller; removes /dev and sysfs, so no new open starts.
    unsafe { b::cdev_device_del(&raw mut (*fwctl).cdev, &raw mut (*fwctl).dev) };
    // SAFETY: by the caller, registered, so not detached yet.
    unsafe { detach(fwctl) };
}

/// Closes every open context of `fwctl` and detaches its driver's ops:
/// afterwards no op runs again and every ioctl on a still-open FD fails
/// with `ENODEV`.  Waits for ops in flight.
///
/// # Safety
///
/// `fwctl` comes from `alloc()`, its cdev is gone (no new open starts),
/// and it is detached once.
unsafe fn detach(fwctl: *mut b::fwctl_device) {
    // SAFETY: lock order rwsem then mutex. With the write lock held no op
    // runs; every list member is an open context of this driver, closed once.
    unsafe {
        b::down_write(&raw mut (*fwctl).registration_lock);
        b::mutex_lock(&raw mut (*fwctl).uctx_list_lock);
        let head = &raw mut (*fwctl).uctx_list;
        let ops = &*(*fwctl).ops;
        loop {
            let entry = (*head).next;
            if entry == head {
                break;
            }
            let uctx = entry
                .byte_sub(offset_of!(b::fwctl_uctx, uctx_list_entry))
                .cast();
            destroy_uctx(ops, uctx);
        }
        b::mutex_unlock(&raw mut (*fwctl).uctx_list_lock);
        // The driver module may unload once we return.  `WRITE_ONCE()`:
        // `Dev::registered_hint()` reads it without the lock.
        ptr::write_volatile(&raw mut (*fwctl).ops, ptr::null());
        b::up_write(&raw mut (*fwctl).registration_lock);
    }
}

/// `class.dev_release`: the last reference to a device is gone.
///
/// # Safety
///
/// Called by the driver core with a device of this class, once.
unsafe extern "C" fn device_release(dev: *mut b::device) {
    // `dev` is at offset 0 of `struct fwctl_device` (asserted above).
    let fwctl = dev.cast::<b::fwctl_device>();
    // SAFETY: only devices from `alloc()` have this class; nothing refers to
    // this one any more, so its memory (prefix first) can go.
    unsafe {
        let minor = (*dev).devt - DEVT_BASE.load(Ordering::Relaxed);
        glue::minor_free(minor);
        b::mutex_destroy(&raw mut (*fwctl).uctx_list_lock);
        let prefix = fwctl.byte_sub(PREFIX_SIZE).cast::<Prefix>();
        ptr::drop_in_place(prefix);
        b::kfree(prefix.cast());
    }
}

/// `class.devnode`: nodes live in `/dev/fwctl/`.
///
/// # Safety
///
/// Called by the driver core with a named device of this class.
unsafe extern "C" fn devnode(dev: *const b::device, _mode: *mut b::umode_t) -> *mut c_char {
    // SAFETY: `dev` is a named device of our class; `kasprintf()` copies it.
    unsafe { b::kasprintf(b::GFP_KERNEL, c"fwctl/%s".as_char_ptr(), b::dev_name(dev)) }
}
