// SPDX-License-Identifier: GPL-2.0

//! The kernel's Rust fwctl abstraction (`rust/kernel/fwctl.rs` of Linux 7.3,
//! `kernel::fwctl`), for kernels that do not build it.
//!
//! The kernel compiles `kernel::fwctl` only with
//! `CONFIG_RUST_FWCTL_ABSTRACTIONS`, which needs upstream's core built in
//! (`CONFIG_FWCTL=y`): exactly the kernels on which the project's core
//! cannot load.  Everywhere else a Rust fwctl driver compiles this file in
//! its place, as `mod fwctl`, and gets the same API: the same trait, types,
//! methods and signatures, over the same C ABI (`_fwctl_alloc_device()`,
//! `fwctl_register()`, `fwctl_unregister()`), which the project's core
//! exports.  A driver written against it builds unchanged against
//! `kernel::fwctl`:
//!
//! ```ignore
//! #[cfg(CONFIG_RUST_FWCTL_ABSTRACTIONS)]
//! use kernel::fwctl;
//! #[cfg(not(CONFIG_RUST_FWCTL_ABSTRACTIONS))]
//! #[path = "common/fwctl_driver.rs"]
//! mod fwctl;
//! ```
//!
//! `make api-compat` builds the project's Rust drivers both ways and runs
//! them on both cores.  The one addition, for drivers that follow another
//! driver's devices instead of binding to them, is
//! [`Device::new_for_device`] with [`Registration::new_for_device`]
//! (`Documentation/driver-api.rst`).
//!
//! The implementation is our own where the kernel's relies on what an
//! out-of-tree module cannot reach (the `fwctl_get()`/`fwctl_put()` Rust
//! helpers, `device::Device::parent()`); the behaviour is the same.

use core::{cell::UnsafeCell, marker::PhantomData, mem::offset_of, ptr::NonNull};
use kernel::{
    bindings, device,
    prelude::*,
    sync::aref::{ARef, AlwaysRefCounted},
    types::Opaque,
};

/// The size to ask the core's `kzalloc()` for, for a `T`: its size rounded
/// up to its alignment.  `kmalloc()` aligns an object to at least the
/// largest power of two that divides its size, so the memory is aligned
/// for `T`.
const fn kmalloc_aligned_size<T>() -> usize {
    core::alloc::Layout::new::<T>().pad_to_align().size()
}

/// A fwctl device type (C `enum fwctl_device_type`); the uAPI's
/// `FWCTL_DEVICE_TYPE_ERROR` is not representable.
#[repr(u32)]
#[derive(Copy, Clone, Debug, Eq, PartialEq)]
pub enum DeviceType {
    /// Mellanox ConnectX (mlx5) device.
    Mlx5 = bindings::fwctl_device_type_FWCTL_DEVICE_TYPE_MLX5,
    /// CXL (Compute Express Link) device.
    Cxl = bindings::fwctl_device_type_FWCTL_DEVICE_TYPE_CXL,
    /// AMD/Pensando PDS device.
    Pds = bindings::fwctl_device_type_FWCTL_DEVICE_TYPE_PDS,
    /// Broadcom NetXtreme (bnxt) device.
    Bnxt = bindings::fwctl_device_type_FWCTL_DEVICE_TYPE_BNXT,
}

/// The scope of access of an RPC (C `enum fwctl_rpc_scope`).
#[repr(u32)]
#[derive(Copy, Clone, Debug, Eq, PartialEq)]
pub enum RpcScope {
    /// Read/write access to device configuration.
    Configuration = bindings::fwctl_rpc_scope::FWCTL_RPC_CONFIGURATION.0,
    /// Read-only access to debug information.
    DebugReadOnly = bindings::fwctl_rpc_scope::FWCTL_RPC_DEBUG_READ_ONLY.0,
    /// Write access to lockdown-compatible debug information.
    DebugWrite = bindings::fwctl_rpc_scope::FWCTL_RPC_DEBUG_WRITE.0,
    /// Full read/write access to all debug information (requires
    /// `CAP_SYS_RAWIO`).
    DebugWriteFull = bindings::fwctl_rpc_scope::FWCTL_RPC_DEBUG_WRITE_FULL.0,
}

impl TryFrom<u32> for RpcScope {
    type Error = Error;

    #[inline]
    fn try_from(value: u32) -> Result<Self, Error> {
        match value {
            v if v == Self::Configuration as u32 => Ok(Self::Configuration),
            v if v == Self::DebugReadOnly as u32 => Ok(Self::DebugReadOnly),
            v if v == Self::DebugWrite as u32 => Ok(Self::DebugWrite),
            v if v == Self::DebugWriteFull as u32 => Ok(Self::DebugWriteFull),
            _ => Err(EINVAL),
        }
    }
}

/// The answer to an [`Operations::fw_rpc`] call.
pub enum FwRpcResponse {
    /// The answer was written over the request, this many bytes long; more
    /// than the request's length fails the RPC with `EINVAL`.
    InPlace(usize),
    /// A new buffer, of any length; the core frees it.
    NewBuffer(KVVec<u8>),
}

/// A fwctl driver, implemented on its per-FD user context type: one
/// instance is initialised at each `open()` and dropped at its close.
pub trait Operations: Sized + Send + Sync + 'static {
    /// Per-device data, owned by the [`Registration`] and passed to every
    /// callback.  `'a` is the registration's lifetime, so the data may
    /// borrow what the parent's binding owns (a BAR, the bus device).
    type RegistrationData<'a>: Send + Sync + 'a
    where
        Self: 'a;

    /// The uAPI device type.
    const DEVICE_TYPE: DeviceType;

    /// Initialises the context of a newly opened FD; an error fails the
    /// `open()`.
    fn open<'a>(
        device: &Device<Self>,
        reg_data: &Self::RegistrationData<'a>,
    ) -> impl PinInit<Self, Error>;

    /// Runs before the context is dropped, at its close or when the device
    /// is unregistered.
    fn close<'a>(
        _this: Pin<&mut Self>,
        _device: &Device<Self>,
        _reg_data: &Self::RegistrationData<'a>,
    ) {
    }

    /// Device data for `FWCTL_INFO`; the core truncates or zero-pads it.
    /// The default is none.
    fn info<'a>(
        _this: Pin<&Self>,
        _device: &Device<Self>,
        _reg_data: &Self::RegistrationData<'a>,
    ) -> Result<KVec<u8>, Error> {
        Ok(KVec::new())
    }

    /// Runs one RPC.  `rpc_buf` holds the request and may be overwritten by
    /// the answer; `max_output_len` is the size of the caller's buffer.  A
    /// longer answer is allowed: the core copies what fits and reports the
    /// full length.
    fn fw_rpc<'a>(
        this: Pin<&Self>,
        device: &Device<Self>,
        reg_data: &Self::RegistrationData<'a>,
        scope: RpcScope,
        rpc_buf: &mut [u8],
        max_output_len: usize,
    ) -> Result<FwRpcResponse, Error>;
}

/// A fwctl device of driver `T`: the C `struct fwctl_device` at offset 0
/// (what `fwctl_alloc_device()` requires of a driver's structure), then a
/// pointer to the registration's data.
///
/// # Invariants
///
/// - `dev` was allocated by `_fwctl_alloc_device()` with
///   `VTable::<T>::VTABLE` and is initialised by the core;
/// - the core's refcount (the embedded `struct device`) owns the
///   allocation;
/// - `registration_data` is dangling before registration and after
///   unregistration, and points to the data pinned in the device's
///   [`Registration`] while it is registered.
#[repr(C)]
pub struct Device<T: Operations> {
    dev: Opaque<bindings::fwctl_device>,
    registration_data: UnsafeCell<NonNull<T::RegistrationData<'static>>>,
}

impl<T: Operations> Device<T> {
    /// Allocates a fwctl device under `parent`, the device whose firmware
    /// it reaches; [`Registration::new`] makes it visible to userspace.
    pub fn new(parent: &device::Device<device::Bound>) -> Result<ARef<Self>> {
        // SAFETY: a bound device is registered and alive for the call.
        unsafe { Self::alloc(parent) }
    }

    /// [`Device::new`] for a `parent` that is not bound to the calling
    /// driver: a driver that follows the devices of another driver or bus
    /// (a bus notifier, a subsystem interface) instead of binding to them.
    /// An addition to `kernel::fwctl`.
    ///
    /// # Safety
    ///
    /// `parent` is registered: its `device_add()` has run and its
    /// `device_del()` has not returned.
    pub unsafe fn new_for_device(parent: &device::Device) -> Result<ARef<Self>> {
        // SAFETY: our caller's guarantee.
        unsafe { Self::alloc(parent) }
    }

    /// # Safety
    ///
    /// `parent` is a registered device.
    unsafe fn alloc<Ctx: device::DeviceContext>(
        parent: &device::Device<Ctx>,
    ) -> Result<ARef<Self>> {
        const { assert!(offset_of!(Self, dev) == 0) };
        // `device::Device` is a transparent wrapper of `struct device`; its
        // `as_raw()` is private to the kernel crate.
        let parent = core::ptr::from_ref(parent)
            .cast_mut()
            .cast::<bindings::device>();
        // SAFETY: `parent` is a live, registered device (caller); the ops
        // table is a constant with `'static` lifetime; the size covers
        // `Self` and gives its alignment (`kmalloc_aligned_size()`).
        let raw = unsafe {
            bindings::_fwctl_alloc_device(
                parent,
                &VTable::<T>::VTABLE,
                kmalloc_aligned_size::<Self>(),
            )
        };
        let this = NonNull::new(raw.cast::<Self>()).ok_or(ENOMEM)?;
        // INVARIANT: not registered yet, so the data pointer is dangling.
        // SAFETY: `this` is the allocation just made, ours alone.
        unsafe {
            (&raw mut (*this.as_ptr()).registration_data)
                .write(UnsafeCell::new(NonNull::dangling()))
        };
        // SAFETY: `_fwctl_alloc_device()` returned one reference, which the
        // `ARef` now owns.
        Ok(unsafe { ARef::from_raw(this) })
    }

    #[inline]
    fn as_raw(&self) -> *mut bindings::fwctl_device {
        self.dev.get()
    }

    /// The parent `struct device` of this device.
    fn raw_parent(&self) -> *mut bindings::device {
        // SAFETY: `dev` is initialised; its `parent` is set by
        // `_fwctl_alloc_device()` and never changed.
        unsafe { (*self.as_raw()).dev.parent }
    }

    /// # Safety
    ///
    /// `ptr` points to the `fwctl_device` of a live `Device<T>`, alive for
    /// `'a`.
    #[inline]
    unsafe fn from_raw<'a>(ptr: *mut bindings::fwctl_device) -> &'a Self {
        // SAFETY: `Self` starts with the C struct (invariant, caller).
        unsafe { &*ptr.cast::<Self>() }
    }

    /// Calls `f` with the registration data.  The higher-ranked callback
    /// keeps the data's real (erased) lifetime from escaping.
    ///
    /// # Safety
    ///
    /// The device is registered and this runs inside a core callback, which
    /// the core calls only while it is registered (it waits for them in
    /// `fwctl_unregister()`).
    #[inline]
    unsafe fn with_registration_data<R>(
        &self,
        f: impl for<'a> FnOnce(&Device<T>, &'a T::RegistrationData<'a>) -> R,
    ) -> R {
        // SAFETY: registered, so the pointer is to the pinned data of the
        // live registration (invariant, caller); lifetimes do not change
        // layout.
        let reg_data = unsafe {
            (*self.registration_data.get())
                .cast::<T::RegistrationData<'_>>()
                .as_ref()
        };
        f(self, reg_data)
    }
}

impl<T: Operations> AsRef<device::Device> for Device<T> {
    /// The `struct device` of `fwctlN`, e.g. for `dev_*!` logging.
    #[inline]
    fn as_ref(&self) -> &device::Device {
        // SAFETY: `dev` is an initialised `struct device` that lives as long
        // as `self`.
        unsafe { device::Device::from_raw(&raw mut (*self.as_raw()).dev) }
    }
}

// SAFETY: `get_device()` and `put_device()` on the embedded device are the C
// header's `fwctl_get()` and `fwctl_put()` (inline there, so bindgen cannot
// see them): the last put frees the allocation through the core's release.
unsafe impl<T: Operations> AlwaysRefCounted for Device<T> {
    #[inline]
    fn inc_ref(&self) {
        // SAFETY: `self` holds a reference, so the device is alive.
        unsafe { bindings::get_device(&raw mut (*self.as_raw()).dev) };
    }

    #[inline]
    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: the caller owns a reference, which this gives up.
        unsafe { bindings::put_device(&raw mut (*obj.as_ref().as_raw()).dev) };
    }
}

// SAFETY: the device is refcounted by the core and may be released from any
// thread; `RegistrationData` is `Send + Sync`.
unsafe impl<T: Operations> Send for Device<T> {}

// SAFETY: shared access to the C device is the core's to synchronise;
// `registration_data` is written only before registration and after
// unregistration, when no callback runs.
unsafe impl<T: Operations> Sync for Device<T> {}

/// A registered fwctl device, which owns the
/// [`RegistrationData`](Operations::RegistrationData) the callbacks see.
///
/// Dropping it unregisters the device (the core waits for callbacks in
/// progress and closes every context; none runs after) and then drops the
/// data.
pub struct Registration<'a, T: Operations> {
    dev: ARef<Device<T>>,
    _reg_data: Pin<KBox<T::RegistrationData<'a>>>,
}

impl<'a, T: Operations> Registration<'a, T> {
    /// Registers `dev`, allocated under `parent`, with `reg_data`.
    ///
    /// `EINVAL` if `parent` is not the parent `dev` was allocated under.
    ///
    /// # Safety
    ///
    /// The registration is dropped (never leaked with `mem::forget` or a
    /// reference cycle) before `parent` is unbound; the core does not pin
    /// the driver's module, so it relies on `fwctl_unregister()` having run,
    /// as upstream's C drivers do.  `dev` was never registered (a device is
    /// registered once), and no other thread registers it concurrently.
    pub unsafe fn new(
        parent: &'a device::Device<device::Bound>,
        dev: &Device<T>,
        reg_data: impl PinInit<T::RegistrationData<'a>, Error>,
    ) -> Result<Self> {
        // SAFETY: our caller's guarantee, for a bound (so registered)
        // parent, which is unbound before its `device_del()` returns.
        unsafe { Self::register(parent, dev, reg_data) }
    }

    /// [`Registration::new`] for a device allocated with
    /// [`Device::new_for_device`].  An addition to `kernel::fwctl`.
    ///
    /// # Safety
    ///
    /// The contract of [`Registration::new`], with the parent's removal in
    /// place of its unbinding:
    ///
    /// - `parent` is registered: its `device_add()` has run and its
    ///   `device_del()` has not returned;
    /// - the registration is dropped (never leaked) before `parent`'s
    ///   `device_del()` returns (at the latest from the bus's
    ///   `BUS_NOTIFY_REMOVED_DEVICE` or subsystem interface's `remove_dev`
    ///   for it) and before the driver's module unloads;
    /// - whatever `reg_data` borrows or points to without owning stays
    ///   valid until then, since callbacks run until the drop;
    /// - `dev` was never registered and no other thread registers it.
    pub unsafe fn new_for_device(
        parent: &device::Device,
        dev: &Device<T>,
        reg_data: impl PinInit<T::RegistrationData<'a>, Error>,
    ) -> Result<Self> {
        // SAFETY: our caller's guarantee.
        unsafe { Self::register(parent, dev, reg_data) }
    }

    /// # Safety
    ///
    /// The contract of [`Registration::new_for_device`].
    unsafe fn register<Ctx: device::DeviceContext>(
        parent: &device::Device<Ctx>,
        dev: &Device<T>,
        reg_data: impl PinInit<T::RegistrationData<'a>, Error>,
    ) -> Result<Self> {
        let parent = core::ptr::from_ref(parent)
            .cast_mut()
            .cast::<bindings::device>();
        if dev.raw_parent() != parent {
            return Err(EINVAL);
        }
        let reg_data = KBox::pin_init(reg_data, GFP_KERNEL)?;
        // The `'static` type only erases the lifetime for storage; the
        // callbacks see the data through a higher-ranked closure.
        let ptr: NonNull<T::RegistrationData<'static>> =
            NonNull::from(Pin::get_ref(reg_data.as_ref())).cast();
        // SAFETY: never registered (caller), so no callback reads it.
        unsafe { *dev.registration_data.get() = ptr };
        // SAFETY: `dev` comes from `_fwctl_alloc_device()` (invariant) and
        // was never registered (caller).
        let ret = unsafe { bindings::fwctl_register(dev.as_raw()) };
        if ret != 0 {
            // INVARIANT: not registered after all.
            // SAFETY: the project's core detaches the ops of a device that
            // failed to register, closing any context an `open()` made in
            // the window where its cdev was live, and waits for callbacks;
            // none runs after this.  (Upstream's core leaves such a context
            // to call the driver: `kernel::fwctl` shares that hazard, which
            // needs a stale device node of the same number to open.)
            unsafe { *dev.registration_data.get() = NonNull::dangling() };
            return Err(Error::from_errno(ret));
        }
        Ok(Self {
            dev: dev.into(),
            _reg_data: reg_data,
        })
    }
}

impl<T: Operations> Drop for Registration<'_, T> {
    fn drop(&mut self) {
        // SAFETY: registered by `new()`; the parent is still there (its
        // contract).  When this returns no callback runs or will run.
        unsafe { bindings::fwctl_unregister(self.dev.as_raw()) };
        // INVARIANT: unregistered.
        // SAFETY: no callback runs any more, so nothing reads the pointer.
        unsafe { *self.dev.registration_data.get() = NonNull::dangling() };
        // The data is dropped after this, once no callback can see it.
    }
}

/// A vector's buffer for the core, which frees it: `FWCTL_INFO` data with
/// `kfree()` (upstream's core) or `kvfree()`, so [`Operations::info`]
/// returns `kmalloc` memory (`KVec`); RPC answers with `kvfree()`, so
/// `kvmalloc` memory (`KVVec`) is fine there.  An empty vector is `NULL`
/// with length 0, the core's empty answer.
fn into_c_buffer<A: kernel::alloc::Allocator>(
    v: kernel::alloc::Vec<u8, A>,
) -> (*mut c_void, usize) {
    if v.is_empty() {
        return (core::ptr::null_mut(), 0);
    }
    let (ptr, len, _cap) = v.into_raw_parts();
    (ptr.cast(), len)
}

/// The memory the core allocates for each FD (`uctx_size` bytes): the C
/// `struct fwctl_uctx` followed by the driver's context.
#[repr(C)]
#[pin_data]
struct UserCtx<T: Operations> {
    fwctl_uctx: Opaque<bindings::fwctl_uctx>,
    #[pin]
    uctx: T,
}

/// The C ops table of driver `T`.
struct VTable<T: Operations>(PhantomData<T>);

impl<T: Operations> VTable<T> {
    const VTABLE: bindings::fwctl_ops = {
        assert!(offset_of!(UserCtx<T>, fwctl_uctx) == 0);
        bindings::fwctl_ops {
            // CAST: `DeviceType` is the C enum's `u32` value.
            device_type: T::DEVICE_TYPE as u32,
            uctx_size: kmalloc_aligned_size::<UserCtx<T>>(),
            open_uctx: Some(Self::open_uctx_callback),
            close_uctx: Some(Self::close_uctx_callback),
            info: Some(Self::info_callback),
            fw_rpc: Some(Self::fw_rpc_callback),
        }
    };

    /// The device and the driver's context of `uctx`.
    ///
    /// # Safety
    ///
    /// `uctx` is a context the core allocated for a device of this driver
    /// (`uctx_size` bytes, its `fwctl` set), inside a core callback.
    unsafe fn parts<'a>(uctx: *mut bindings::fwctl_uctx) -> (&'a Device<T>, *mut T) {
        let ctx = uctx.cast::<UserCtx<T>>();
        // SAFETY: the allocation covers `UserCtx<T>`, the C struct first
        // (caller); the device outlives its contexts.
        unsafe { (Device::from_raw((*uctx).fwctl), &raw mut (*ctx).uctx) }
    }

    /// `fwctl_ops.open_uctx`.
    ///
    /// # Safety
    ///
    /// Called by the core, with the registration lock held for reading,
    /// for a fresh context of a device of this driver.
    unsafe extern "C" fn open_uctx_callback(uctx: *mut bindings::fwctl_uctx) -> c_int {
        // SAFETY: our caller's guarantee.
        let (device, ctx) = unsafe { Self::parts(uctx) };
        // SAFETY: a core callback of a registered device; `ctx` is
        // uninitialised memory of the context, which the core never moves
        // and frees only after `close_uctx`.
        unsafe {
            device.with_registration_data(|device, reg_data| {
                match pin_init::raw_try_init(ctx, T::open(device, reg_data)) {
                    Ok(()) => 0,
                    Err(e) => e.to_errno(),
                }
            })
        }
    }

    /// `fwctl_ops.close_uctx`.
    ///
    /// # Safety
    ///
    /// Called by the core once per context whose `open_uctx` succeeded,
    /// with the registration lock held, no other callback running on it.
    unsafe extern "C" fn close_uctx_callback(uctx: *mut bindings::fwctl_uctx) {
        // SAFETY: our caller's guarantee.
        let (device, ctx) = unsafe { Self::parts(uctx) };
        // SAFETY: initialised by `open_uctx`, pinned in the core's memory,
        // ours alone for this callback.
        let this = unsafe { Pin::new_unchecked(&mut *ctx) };
        // SAFETY: a core callback of a registered device.
        unsafe {
            device.with_registration_data(|device, reg_data| T::close(this, device, reg_data))
        };
        // SAFETY: the context is never used again; the core frees it.
        unsafe { core::ptr::drop_in_place(ctx) };
    }

    /// `fwctl_ops.info`.
    ///
    /// # Safety
    ///
    /// Called by the core, with the registration lock held for reading,
    /// for an open context; `length` is its out-pointer.
    unsafe extern "C" fn info_callback(
        uctx: *mut bindings::fwctl_uctx,
        length: *mut usize,
    ) -> *mut c_void {
        // SAFETY: our caller's guarantee.
        let (device, ctx) = unsafe { Self::parts(uctx) };
        // SAFETY: initialised by `open_uctx`, pinned, shared for the call.
        let this = unsafe { Pin::new_unchecked(&*ctx) };
        // SAFETY: a core callback of a registered device.
        let result = unsafe {
            device.with_registration_data(|device, reg_data| T::info(this, device, reg_data))
        };
        match result {
            Ok(v) => {
                let (ptr, len) = into_c_buffer(v);
                // SAFETY: `length` is the core's out-pointer.
                unsafe { *length = len };
                ptr
            }
            Err(e) => e.to_ptr(),
        }
    }

    /// `fwctl_ops.fw_rpc`.
    ///
    /// # Safety
    ///
    /// Called by the core, with the registration lock held for reading,
    /// for an open context; `rpc_in` is its request buffer of `in_len`
    /// bytes, ours for the call; `out_len` its in/out pointer.
    unsafe extern "C" fn fw_rpc_callback(
        uctx: *mut bindings::fwctl_uctx,
        scope: bindings::fwctl_rpc_scope,
        rpc_in: *mut c_void,
        in_len: usize,
        out_len: *mut usize,
    ) -> *mut c_void {
        let scope = match RpcScope::try_from(scope.0) {
            Ok(s) => s,
            Err(e) => return e.to_ptr(),
        };
        // SAFETY: our caller's guarantee.
        let (device, ctx) = unsafe { Self::parts(uctx) };
        // SAFETY: initialised by `open_uctx`, pinned, shared for the call.
        let this = unsafe { Pin::new_unchecked(&*ctx) };
        let rpc_buf: &mut [u8] = if in_len == 0 {
            // Whatever pointer came with an empty request.
            &mut []
        } else {
            // SAFETY: the core's request buffer, initialised, ours for the
            // call.
            unsafe { core::slice::from_raw_parts_mut(rpc_in.cast::<u8>(), in_len) }
        };
        // SAFETY: `out_len` is the core's in/out pointer.
        let max_output_len = unsafe { *out_len };
        // SAFETY: a core callback of a registered device.
        let result = unsafe {
            device.with_registration_data(|device, reg_data| {
                T::fw_rpc(this, device, reg_data, scope, rpc_buf, max_output_len)
            })
        };
        let (ptr, len) = match result {
            Ok(FwRpcResponse::InPlace(len)) if len <= in_len => (rpc_in, len),
            Ok(FwRpcResponse::InPlace(_)) => return EINVAL.to_ptr(),
            Ok(FwRpcResponse::NewBuffer(v)) => into_c_buffer(v),
            Err(e) => return e.to_ptr(),
        };
        // SAFETY: as above.
        unsafe { *out_len = len };
        ptr
    }
}
