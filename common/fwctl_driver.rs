// SPDX-License-Identifier: GPL-2.0

//! Safe Rust API for fwctl drivers, over the C ABI that `fwctl.ko`
//! exports (`_fwctl_alloc_device()`, `fwctl_register()`,
//! `fwctl_unregister()`).  Compiled into each of the project's Rust drivers,
//! which declare `uapi` (`crates/fwctl-uapi/src/uapi.rs`) at their crate
//! root.
//!
//! A driver implements [`Operations`] on its per-FD context type and holds
//! one [`Registration`] per device it drives:
//!
//! - `open` returns an initialiser for the context of a new FD; dropping
//!   the context is `close_uctx` (after [`Operations::close`]);
//! - `info` and `fw_rpc` get the context pinned and shared, and the device
//!   with the driver's data;
//! - dropping the [`Registration`] unregisters the device: the core waits
//!   for running ops and closes every open context, after which no op runs.
//!
//! Invalid uAPI values cannot be produced: the device type is a
//! [`DeviceType`] other than `Error` (checked at build time), scopes arrive
//! as [`Scope`], and answers are [`RpcResponse`] values.

use crate::uapi::{DeviceType, Scope};
use core::cell::UnsafeCell;
use core::marker::PhantomData;
use core::mem::{align_of, offset_of, size_of};
use core::ptr::NonNull;
use kernel::bindings as b;
use kernel::device;
use kernel::prelude::*;
use kernel::types::Opaque;

/// The answer to an RPC.
pub enum RpcResponse {
    /// The answer was written over the request, this many bytes long (at
    /// most the request's length).
    InPlace(usize),
    /// A new buffer; its length is the answer's length.
    NewBuffer(KVVec<u8>),
}

/// A fwctl driver's operations, implemented on its per-FD context type.
pub trait Operations: Sized + Send + Sync + 'static {
    /// Per-device data, owned by the [`Registration`].
    type DeviceData: Send + Sync;

    /// The uAPI device type.
    const DEVICE_TYPE: DeviceType;

    /// Creates the context of a newly opened FD.
    fn open(dev: &Device<Self>) -> impl PinInit<Self, Error>;

    /// Called before the context is dropped, on close or at unregistration.
    fn close(_this: Pin<&mut Self>, _dev: &Device<Self>) {}

    /// Device data for `FWCTL_INFO`; the core truncates or zero-pads it.
    fn info(_this: Pin<&Self>, _dev: &Device<Self>) -> Result<KVec<u8>> {
        Ok(KVec::new())
    }

    /// Runs one RPC.  `rpc` holds the request and may be overwritten by the
    /// answer; `out_len` is the size of the caller's response buffer.
    fn fw_rpc(
        this: Pin<&Self>,
        dev: &Device<Self>,
        scope: Scope,
        rpc: &mut [u8],
        out_len: usize,
    ) -> Result<RpcResponse>;
}

/// A fwctl device of driver `T`: upstream's `struct fwctl_device` followed
/// by a pointer to the driver's data.
///
/// # Invariants
///
/// `raw` was allocated by `_fwctl_alloc_device()` with `VTable::<T>::OPS`.
/// While the device is registered, `data` points to the `DeviceData` pinned
/// in its [`Registration`]; the core calls ops only while it is registered.
#[repr(C)]
pub struct Device<T: Operations> {
    raw: Opaque<b::fwctl_device>,
    data: UnsafeCell<*const T::DeviceData>,
    _t: PhantomData<T>,
}

// SAFETY: the C device is refcounted and its ops are called from any
// thread; `DeviceData` is `Sync` and only shared.
unsafe impl<T: Operations> Sync for Device<T> {}
// SAFETY: as above; nothing in `Device` is tied to a thread.
unsafe impl<T: Operations> Send for Device<T> {}

impl<T: Operations> Device<T> {
    /// # Safety
    ///
    /// `raw` is a registered device allocated by `Registration::new::<T>()`,
    /// alive for `'a`.
    unsafe fn from_raw<'a>(raw: *mut b::fwctl_device) -> &'a Self {
        // SAFETY: `Self` is `repr(C)` with the C struct at offset 0 (caller).
        unsafe { &*raw.cast::<Self>() }
    }

    fn as_raw(&self) -> *mut b::fwctl_device {
        self.raw.get()
    }

    /// The driver's data of this device.
    pub fn data(&self) -> &T::DeviceData {
        // SAFETY: ops, the only callers that can reach a `&Device`, run while
        // the device is registered, when `data` is valid (invariant).
        unsafe { &**self.data.get() }
    }

    /// The fwctl device's `struct device`, e.g. for log lines.
    pub fn as_dev(&self) -> &device::Device {
        // SAFETY: `dev` is the initialised first field of the C struct and
        // lives as long as `self`.
        unsafe { device::Device::from_raw(&raw mut (*self.as_raw()).dev) }
    }
}

/// A registered fwctl device; dropping it unregisters the device.
pub struct Registration<T: Operations> {
    dev: NonNull<Device<T>>,
    _data: Pin<KBox<T::DeviceData>>,
}

// SAFETY: the registration only holds a refcounted device and a `Send`
// box; unregistering from another thread is allowed by the C API.
unsafe impl<T: Operations> Send for Registration<T> where T::DeviceData: Send {}
// SAFETY: `&Registration` gives no access beyond `&Device`, which is `Sync`.
unsafe impl<T: Operations> Sync for Registration<T> {}

impl<T: Operations> Registration<T> {
    /// Allocates and registers a fwctl device under `parent`, with `data`.
    ///
    /// # Safety
    ///
    /// The registration must be dropped (never leaked with `mem::forget`)
    /// before `parent` is unbound and before the driver's module unloads:
    /// the core does not pin the driver's module, it relies on
    /// `fwctl_unregister()` having run, as upstream's C drivers do. Whatever
    /// `data` refers to without owning it stays valid until then, since ops
    /// run until the registration is dropped.
    pub unsafe fn new(
        parent: &device::Device<device::Bound>,
        data: impl PinInit<T::DeviceData, Error>,
    ) -> Result<Self> {
        // SAFETY: a bound device is registered; the caller drops the
        // registration before `parent` is unbound, hence before it is
        // deleted (a device is unbound before it is deleted), and before the
        // module unloads, and keeps what `data` refers to valid until then:
        // `new_for_device()`'s contract.
        unsafe { Self::new_for_device(parent, data) }
    }

    /// Allocates and registers a fwctl device under `parent`, with `data`,
    /// where `parent` need not be bound to the calling driver: for a driver
    /// that follows devices of another driver or bus (a bus notifier, a
    /// class interface) instead of probing them.
    ///
    /// # Safety
    ///
    /// The contract of [`Registration::new`], with the parent's removal in
    /// place of its unbinding:
    ///
    /// - `parent` is registered: its `device_add()` has run and its
    ///   `device_del()` has not returned;
    /// - the registration is dropped (never leaked with `mem::forget`)
    ///   before `parent`'s `device_del()` returns (at the latest from the
    ///   bus notifier's `BUS_NOTIFY_REMOVED_DEVICE` for it) and before the
    ///   driver's module unloads;
    /// - whatever `data` refers to without owning it (the parent's firmware
    ///   channel, ...) stays valid until the registration is dropped, since
    ///   ops run until then.
    pub unsafe fn new_for_device(
        parent: &device::Device,
        data: impl PinInit<T::DeviceData, Error>,
    ) -> Result<Self> {
        let data = KBox::pin_init(data, GFP_KERNEL)?;
        // `device::Device` is a transparent wrapper of `struct device`.
        let parent_raw = core::ptr::from_ref(parent).cast_mut().cast::<b::device>();
        // SAFETY: `parent` is a live device; the ops table is a constant with
        // `'static` lifetime; the size covers `Device<T>`.
        let raw = unsafe {
            b::_fwctl_alloc_device(parent_raw, &VTable::<T>::OPS, size_of::<Device<T>>())
        };
        let dev = NonNull::new(raw.cast::<Device<T>>()).ok_or(ENOMEM)?;
        // SAFETY: freshly allocated, zeroed and not yet registered: nothing
        // reads `data` concurrently. The box is pinned and outlives the
        // registration (it is dropped after `fwctl_unregister()`).
        unsafe { *(*dev.as_ptr()).data.get() = &*data };
        // SAFETY: `raw` comes from `_fwctl_alloc_device()`, not registered.
        let ret = unsafe { b::fwctl_register(raw) };
        if ret != 0 {
            // SAFETY: drops the allocation reference (what `fwctl_put()` does).
            unsafe { b::put_device(&raw mut (*raw).dev) };
            return Err(Error::from_errno(ret));
        }
        Ok(Registration { dev, _data: data })
    }

    /// The device.
    pub fn device(&self) -> &Device<T> {
        // SAFETY: the registration holds the allocation reference.
        unsafe { self.dev.as_ref() }
    }
}

impl<T: Operations> Drop for Registration<T> {
    fn drop(&mut self) {
        let raw = self.device().as_raw();
        // SAFETY: registered by `new()`; after this returns no op runs, so
        // the data box (dropped after us) is no longer reachable.
        unsafe { b::fwctl_unregister(raw) };
        // SAFETY: drops the reference `_fwctl_alloc_device()` returned.
        unsafe { b::put_device(&raw mut (*raw).dev) };
    }
}

/// Hands a vector's buffer to the core, which frees it with `kvfree()`
/// (fine for both `kmalloc` and `kvmalloc` memory).  An empty vector owns no
/// memory: it becomes NULL with length 0, which the core takes as an empty
/// answer, never a dangling pointer.
fn into_c_buffer<A: kernel::alloc::Allocator>(
    v: kernel::alloc::Vec<u8, A>,
) -> (*mut c_void, usize) {
    if v.capacity() == 0 {
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
    raw: Opaque<b::fwctl_uctx>,
    #[pin]
    ctx: T,
}

/// The C ops table of driver `T`.
struct VTable<T: Operations>(PhantomData<T>);

impl<T: Operations> VTable<T> {
    const OPS: b::fwctl_ops = {
        assert!(
            !matches!(T::DEVICE_TYPE, DeviceType::Error),
            "DeviceType::Error is not a device type"
        );
        assert!(offset_of!(UserCtx<T>, raw) == 0);
        // The core allocates contexts with kmalloc's 8-byte alignment.
        assert!(align_of::<UserCtx<T>>() <= 8);
        b::fwctl_ops {
            device_type: T::DEVICE_TYPE as u32,
            uctx_size: size_of::<UserCtx<T>>(),
            open_uctx: Some(Self::open_uctx),
            close_uctx: Some(Self::close_uctx),
            info: Some(Self::info),
            fw_rpc: Some(Self::fw_rpc),
        }
    };

    /// # Safety
    ///
    /// `uctx` is a context the core allocated for this driver, `fwctl` set.
    unsafe fn parts<'a>(uctx: *mut b::fwctl_uctx) -> (&'a Device<T>, *mut T) {
        let ctx = uctx.cast::<UserCtx<T>>();
        // SAFETY: `uctx_size` covers `UserCtx<T>` with the C struct first;
        // the device is registered while the core calls ops.
        unsafe { (Device::from_raw((*uctx).fwctl), &raw mut (*ctx).ctx) }
    }

    /// `fwctl_ops.open_uctx`: called by the core with a fresh context.
    ///
    /// # Safety
    ///
    /// Only the core calls it, per the `struct fwctl_ops` contract.
    unsafe extern "C" fn open_uctx(uctx: *mut b::fwctl_uctx) -> c_int {
        // SAFETY: called by the core with a fresh context (see `parts`).
        let (dev, ctx) = unsafe { Self::parts(uctx) };
        // SAFETY: `ctx` is uninitialised memory owned by this context, never
        // moved until the core frees it after `close_uctx`.
        match unsafe { pin_init::raw_try_init(ctx, T::open(dev)) } {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }

    /// `fwctl_ops.close_uctx`: called once per successfully opened context.
    ///
    /// # Safety
    ///
    /// Only the core calls it, per the `struct fwctl_ops` contract.
    unsafe extern "C" fn close_uctx(uctx: *mut b::fwctl_uctx) {
        // SAFETY: called once per successfully opened context.
        let (dev, ctx) = unsafe { Self::parts(uctx) };
        // SAFETY: initialised by `open_uctx` and pinned in core memory.
        T::close(unsafe { Pin::new_unchecked(&mut *ctx) }, dev);
        // SAFETY: the context is never used again; the core frees the memory.
        unsafe { core::ptr::drop_in_place(ctx) };
    }

    /// `fwctl_ops.info`: called with an open context and an out-pointer.
    ///
    /// # Safety
    ///
    /// Only the core calls it, per the `struct fwctl_ops` contract.
    unsafe extern "C" fn info(uctx: *mut b::fwctl_uctx, length: *mut usize) -> *mut c_void {
        // SAFETY: called with an open context.
        let (dev, ctx) = unsafe { Self::parts(uctx) };
        // SAFETY: initialised by `open_uctx`, pinned, shared for the call.
        let this = unsafe { Pin::new_unchecked(&*ctx) };
        match T::info(this, dev) {
            Ok(v) => {
                let (ptr, len) = into_c_buffer(v);
                // SAFETY: `length` is the core's out-pointer.
                unsafe { *length = len };
                ptr
            }
            Err(e) => e.to_ptr(),
        }
    }

    /// `fwctl_ops.fw_rpc`: called with an open context and the request.
    ///
    /// # Safety
    ///
    /// Only the core calls it, per the `struct fwctl_ops` contract.
    unsafe extern "C" fn fw_rpc(
        uctx: *mut b::fwctl_uctx,
        scope: b::fwctl_rpc_scope,
        rpc_in: *mut c_void,
        in_len: usize,
        out_len: *mut usize,
    ) -> *mut c_void {
        // SAFETY: called with an open context.
        let (dev, ctx) = unsafe { Self::parts(uctx) };
        // SAFETY: initialised by `open_uctx`, pinned, shared for the call.
        let this = unsafe { Pin::new_unchecked(&*ctx) };
        let Some(scope) = Scope::from_u32(scope.0) else {
            return EINVAL.to_ptr();
        };
        // SAFETY: the core passes its request buffer of `in_len` bytes, ours
        // for the duration of the call (`in_len` may be 0).
        let rpc = unsafe { core::slice::from_raw_parts_mut(rpc_in.cast::<u8>(), in_len) };
        // SAFETY: `out_len` is the core's in/out pointer.
        let user_out = unsafe { *out_len };
        let r = T::fw_rpc(this, dev, scope, rpc, user_out).and_then(|resp| match resp {
            RpcResponse::InPlace(n) if n <= in_len => Ok((rpc_in, n)),
            RpcResponse::InPlace(_) => Err(EINVAL),
            RpcResponse::NewBuffer(v) => Ok(into_c_buffer(v)),
        });
        match r {
            Ok((ptr, n)) => {
                // SAFETY: as above.
                unsafe { *out_len = n };
                ptr
            }
            Err(e) => e.to_ptr(),
        }
    }
}
