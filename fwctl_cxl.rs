// SPDX-License-Identifier: GPL-2.0

//! fwctl driver for CXL memory devices (CXL Features over the mailbox).
//!
//! The Rust counterpart of upstream's `drivers/cxl/core/features.c`
//! (`devm_cxl_setup_fwctl()` and the `cxlctl_*` ops), as a module of its own
//! beside the CXL core instead of a part of it:
//!
//! - one fwctl device (type CXL) under every CXL memory device `memN` whose
//!   mailbox offers the Features commands and has a feature userspace may
//!   use; it appears as `/sys/bus/cxl/devices/memN/fwctl/fwctlM`;
//! - memory devices are followed on the CXL bus: those present at load and
//!   those added and deleted later (a subsystem interface and a bus
//!   notifier, see [`Tracker`]), so the fwctl device lives exactly as long
//!   as the memdev is registered, as upstream's does (upstream registers it
//!   in `cxl_pci`'s probe right after the memdev and unregisters it right
//!   before);
//! - at registration the feature table is read with Get Supported Features
//!   and cached; `FWCTL_RPC` answers Get Supported Features from the cache
//!   and forwards Get Feature and Set Feature to the mailbox with upstream's
//!   validation, chunking, replies and errnos
//!   (`crates/fwctl-uapi/src/cxl_features.rs`);
//! - `FWCTL_INFO` returns no device data, as upstream (no `info` op).
//!
//! Which features are the kernel's, and so read-only here: upstream's eight
//! (patrol scrub, ECS, soft and hard PPR, the four kinds of sparing), as
//! upstream, whatever the kernel's configuration.  An administrator may load
//! the module with `expose_kernel_features=1` (the parameter is declared in
//! `cxl_glue.c`); then only those whose in-kernel owner, the CXL EDAC code,
//! is configured stay the kernel's (`Documentation/cxl.rst`).

use core::ptr;
use kernel::prelude::*;
use kernel::{
    bindings, device, new_mutex,
    sync::{aref::ARef, Mutex},
    types::Opaque,
};

#[path = "crates/fwctl-uapi/src/uapi.rs"]
pub mod uapi;

// Always the project's copy of the kernel's Rust fwctl API: this driver
// needs its one addition, `new_for_device()`, since it follows the CXL
// core's memdevs instead of binding to them; and a kernel with
// `kernel::fwctl` has upstream's CXL fwctl support built in.
#[path = "common/fwctl_driver.rs"]
pub mod fwctl;

#[path = "crates/fwctl-uapi/src/cxl_features.rs"]
pub mod cxl_features;

#[path = "common/kernel_errno.rs"]
pub mod kernel_errno;

#[path = "common/rpc_scope.rs"]
mod rpc_scope;

use cxl_features::{
    get_feature_chunks, get_feature_reply, set_feature_chunks, set_feature_reply, FeatEntry,
    Features, FeaturesCap, GetFeatIn, GetSupFeatsOutHdr, Op, SetFeatInHdr, SupFeatsFetch,
    SupportedFeatures, Uuid, CXL_MBOX_CMD_RC_INPUT, CXL_MBOX_CMD_RC_SUCCESS,
    CXL_MBOX_OP_GET_FEATURE, CXL_MBOX_OP_GET_SUPPORTED_FEATURES, CXL_MBOX_OP_SET_FEATURE,
    FEAT_ENTRY_SIZE, RPC_OUT_PAYLOAD_OFFSET, RPC_OUT_SIZE, SET_FEAT_HDR_SIZE,
    SUP_FEATS_COUNT_REQUEST, SUP_FEATS_OUT_HDR_SIZE,
};
use fwctl::{Device, DeviceType, FwRpcResponse, Operations, Registration, RpcScope};
use kernel_errno::to_error;
use uapi::Scope;

/// The CXL core's declarations (`cxl_bindings.h`), as bindgen translated
/// them; only [`cxl_mbox`] uses them.
mod cxl {
    #![allow(
        dead_code,
        non_camel_case_types,
        non_snake_case,
        non_upper_case_globals,
        improper_ctypes
    )]
    #![allow(
        clippy::all,
        clippy::undocumented_unsafe_blocks,
        unreachable_pub,
        missing_docs
    )]
    use kernel::bindings::*;
    use kernel::ffi;
    include!("fwctl_cxl/cxl_bindings_generated.rs");
}

module! {
    type: FwctlCxl,
    name: "fwctl_cxl",
    authors: ["fwctl-rs developers"],
    description: "fwctl driver for CXL memory devices",
    license: "GPL",
    imports_ns: ["CXL", "FWCTL"],
}

/// The only code that touches the CXL core's structures: the memdev behind
/// a `struct device`, its mailbox, and the CXL bus.  Everything outside
/// this module goes through its safe wrappers.
mod cxl_mbox {
    use super::cxl;
    use crate::cxl_features::FeaturesCap;
    use core::ptr::{self, NonNull};
    use kernel::{bindings, container_of, device, prelude::*, types::NotThreadSafe};

    /// The raw `struct device` of `dev`.
    fn raw(dev: &device::Device) -> *mut bindings::device {
        // `device::Device` is a transparent wrapper of `struct device`.
        ptr::from_ref(dev).cast_mut().cast()
    }

    /// `&cxl_bus_type`, the CXL bus.
    pub(crate) fn bus() -> *const bindings::bus_type {
        // The CXL core exports it (namespace CXL); it is built in or a module
        // this one depends on, so it outlives this module.  Only its address
        // is taken.
        &raw const cxl::cxl_bus_type
    }

    /// `is_cxl_memdev()`: whether `dev` is a CXL memory device (`memN`).
    pub(crate) fn is_memdev(dev: &device::Device) -> bool {
        // SAFETY: `dev` is a live device; `is_cxl_memdev()` only compares
        // its `type` pointer.
        unsafe { cxl::is_cxl_memdev(raw(dev)) }
    }

    /// What one mailbox command gave.
    pub(crate) struct Outcome {
        /// `Ok(n)`: the command completed and the device returned `n` bytes;
        /// `Err`: `cxl_internal_send_cmd()`'s errno.
        pub(crate) result: Result<usize>,
        /// `mbox_cmd.return_code`, which upstream also reads after a failure.
        pub(crate) return_code: u16,
    }

    /// The mailbox of a CXL memory device, `&cxlmd->cxlds->cxl_mbox`.
    ///
    /// # Invariants
    ///
    /// `mbox` points to the mailbox of the `struct cxl_dev_state` of a
    /// memdev, set up by `cxl_mailbox_init()` (its mutexes initialised, a
    /// transport in `mbox_send`) with a Features capability, and valid for
    /// the whole life of `self` (the constructor's contract).
    pub(crate) struct Mailbox {
        mbox: NonNull<cxl::cxl_mailbox>,
    }

    // SAFETY: the CXL core shares the mailbox between threads: the fields
    // read here (`payload_size`, `feat_cap`) are written during `cxl_pci`'s
    // probe, before the memdev is added, and commands are serialised by the
    // mailbox's own `mbox_mutex` (and `feat_mutex`, see `lock_features`).
    unsafe impl Send for Mailbox {}
    // SAFETY: as above; every method takes `&self` and is thread-safe.
    unsafe impl Sync for Mailbox {}

    impl Mailbox {
        /// The mailbox of the memdev `dev`: `ENODEV` if `dev` is not a
        /// memdev, has no device state, or its mailbox offers no Features
        /// command (`feat_cap` is `CXL_FEATURES_NONE`: a type-2 device
        /// without mailbox also reads so).
        ///
        /// # Safety
        ///
        /// `dev` is registered (its `device_add()` has published it on the
        /// bus and its `device_del()` has not returned), and the result is
        /// dropped before `dev`'s `device_del()` returns.  The device state
        /// is released after that (`cxl_memdev_unregister()` clears
        /// `cxlmd->cxlds` once `device_del()` returns; the state itself is
        /// devres of the PCI device, released after the memdev).
        pub(crate) unsafe fn of_memdev(dev: &device::Device) -> Result<Self> {
            if !is_memdev(dev) {
                return Err(ENODEV);
            }
            // SAFETY: a memdev's `struct device` is the `dev` field of its
            // `struct cxl_memdev` (`to_cxl_memdev()`).
            let cxlmd = unsafe { container_of!(raw(dev), cxl::cxl_memdev, dev) };
            // SAFETY: `cxlmd` is live while `dev` is; `cxlds` is set before
            // `device_add()` and cleared only after `device_del()` returns,
            // both outside the window the caller guarantees.
            let cxlds = unsafe { (*cxlmd).cxlds };
            if cxlds.is_null() {
                return Err(ENODEV);
            }
            // SAFETY: `cxlds` is the memdev's live device state (above);
            // `cxl_mbox` is embedded in it.
            let mbox = unsafe { &raw mut (*cxlds).cxl_mbox };
            // SAFETY: `mbox` is valid (above); `feat_cap` is set by
            // `cxl_enumerate_cmds()` before the memdev is added and the state
            // is zeroed at allocation, so it reads `NONE` without mailbox.
            let (cap, send) = unsafe { ((*mbox).feat_cap, (*mbox).mbox_send) };
            if cap == cxl::cxl_features_capability_CXL_FEATURES_NONE || send.is_none() {
                return Err(ENODEV);
            }
            // INVARIANT: a capability other than NONE is only set by
            // `cxl_enumerate_cmds()`, which needs a mailbox that
            // `cxl_mailbox_init()` set up; it lives as long as the caller
            // guarantees.
            Ok(Self {
                mbox: NonNull::new(mbox).ok_or(ENODEV)?,
            })
        }

        fn as_ptr(&self) -> *mut cxl::cxl_mailbox {
            self.mbox.as_ptr()
        }

        /// `payload_size`: the largest payload of one command, in bytes.
        pub(crate) fn payload_size(&self) -> usize {
            // SAFETY: valid mailbox (invariant); written before the memdev was
            // added, never after.
            unsafe { (*self.as_ptr()).payload_size }
        }

        /// `feat_cap`: what the Features commands allow on this device.
        pub(crate) fn features_capability(&self) -> FeaturesCap {
            // SAFETY: as in `payload_size`.
            let cap = unsafe { (*self.as_ptr()).feat_cap };
            match cap {
                cxl::cxl_features_capability_CXL_FEATURES_RO => FeaturesCap::ReadOnly,
                cxl::cxl_features_capability_CXL_FEATURES_RW => FeaturesCap::ReadWrite,
                _ => FeaturesCap::None,
            }
        }

        /// Sends one command with `cxl_internal_send_cmd()`: `input` is the
        /// input payload, `out` receives the output payload (its length is
        /// the most accepted), `min_out` the least output that counts as a
        /// success (0: all of `out`, as the CXL core defines it).  Sleeps.
        pub(crate) fn send(
            &self,
            opcode: u16,
            input: &[u8],
            out: &mut [u8],
            min_out: usize,
        ) -> Outcome {
            let mut cmd = cxl::cxl_mbox_cmd {
                opcode,
                payload_in: if input.is_empty() {
                    ptr::null_mut()
                } else {
                    input.as_ptr().cast_mut().cast()
                },
                payload_out: if out.is_empty() {
                    ptr::null_mut()
                } else {
                    out.as_mut_ptr().cast()
                },
                size_in: input.len(),
                size_out: out.len(),
                min_out,
                ..Default::default()
            };
            // SAFETY: valid, set-up mailbox (invariant); `cmd` lives across
            // the call; the transport only reads `size_in` bytes of
            // `payload_in` (copies them to the mailbox registers, so the
            // `*mut` is never written through) and writes at most `size_out`
            // bytes to `payload_out`, which `out` provides exclusively;
            // the sizes are checked against `payload_size` by the callee.
            let rc = unsafe { cxl::cxl_internal_send_cmd(self.as_ptr(), &mut cmd) };
            let result = if rc < 0 {
                Err(Error::from_errno(rc))
            } else {
                // The transport never reports more than it was given room
                // for; clamp anyway so callers can index `out` with it.
                Ok(cmd.size_out.min(out.len()))
            };
            Outcome {
                result,
                return_code: cmd.return_code,
            }
        }

        /// Takes `feat_mutex`, which upstream holds for a whole Get or Set
        /// Feature transfer so that multi-command transfers (ours and the
        /// kernel's EDAC code's) do not interleave.
        pub(crate) fn lock_features(&self) -> FeaturesGuard<'_> {
            // SAFETY: valid mailbox whose `feat_mutex` `cxl_mailbox_init()`
            // initialised (invariant); released by the guard's `drop`.
            unsafe { bindings::mutex_lock(&raw mut (*self.as_ptr()).feat_mutex) };
            FeaturesGuard {
                mbox: self,
                _not_send: NotThreadSafe,
            }
        }
    }

    /// `feat_mutex` held; released on drop, in the task that took it.
    pub(crate) struct FeaturesGuard<'a> {
        mbox: &'a Mailbox,
        _not_send: NotThreadSafe,
    }

    impl Drop for FeaturesGuard<'_> {
        fn drop(&mut self) {
            // SAFETY: locked by `lock_features()` in this task, which the
            // guard's existence proves; the mailbox outlives the guard.
            unsafe { bindings::mutex_unlock(&raw mut (*self.mbox.as_ptr()).feat_mutex) };
        }
    }
}

use cxl_mbox::Mailbox;

// ---------------------------------------------------------------------------
// Features reserved to the kernel
// ---------------------------------------------------------------------------

/// Upstream's exclusive features, each with whether its kernel owner is
/// configured in the kernel this module is built for (see
/// `devm_cxl_memdev_edac_register()` in `drivers/cxl/core/edac.c`):
/// patrol scrub belongs to `CONFIG_CXL_EDAC_SCRUB`, ECS to
/// `CONFIG_CXL_EDAC_ECS`, and the memory repair features (sPPR, which the
/// EDAC code drives, hPPR, and the four sparing kinds) to
/// `CONFIG_CXL_EDAC_MEM_REPAIR`.  The three options depend on
/// `CONFIG_CXL_EDAC_MEM_FEATURES`, itself on `CONFIG_CXL_FEATURES`.
const KERNEL_OWNERS: [(Uuid, bool); 8] = [
    (
        cxl_features::CXL_FEAT_PATROL_SCRUB_UUID,
        cfg!(CONFIG_CXL_EDAC_SCRUB),
    ),
    (cxl_features::CXL_FEAT_ECS_UUID, cfg!(CONFIG_CXL_EDAC_ECS)),
    (
        cxl_features::CXL_FEAT_SPPR_UUID,
        cfg!(CONFIG_CXL_EDAC_MEM_REPAIR),
    ),
    (
        cxl_features::CXL_FEAT_HPPR_UUID,
        cfg!(CONFIG_CXL_EDAC_MEM_REPAIR),
    ),
    (
        cxl_features::CXL_FEAT_CACHELINE_SPARING_UUID,
        cfg!(CONFIG_CXL_EDAC_MEM_REPAIR),
    ),
    (
        cxl_features::CXL_FEAT_ROW_SPARING_UUID,
        cfg!(CONFIG_CXL_EDAC_MEM_REPAIR),
    ),
    (
        cxl_features::CXL_FEAT_BANK_SPARING_UUID,
        cfg!(CONFIG_CXL_EDAC_MEM_REPAIR),
    ),
    (
        cxl_features::CXL_FEAT_RANK_SPARING_UUID,
        cfg!(CONFIG_CXL_EDAC_MEM_REPAIR),
    ),
];

/// The configured owners' features first, and how many there are.
const fn configured_exclusive() -> ([Uuid; KERNEL_OWNERS.len()], usize) {
    let mut out = [[0u8; 16]; KERNEL_OWNERS.len()];
    let (mut i, mut n) = (0, 0);
    while i < KERNEL_OWNERS.len() {
        if KERNEL_OWNERS[i].1 {
            out[n] = KERNEL_OWNERS[i].0;
            n += 1;
        }
        i += 1;
    }
    (out, n)
}

const EXCLUSIVE_TABLE: ([Uuid; KERNEL_OWNERS.len()], usize) = configured_exclusive();

/// The features whose in-kernel owner is configured: empty when no CXL
/// EDAC option is set (every kernel this module loads on, since they
/// depend on `CONFIG_CXL_FEATURES`, with which it does not load).
const CONFIGURED_EXCLUSIVE: &[Uuid] = EXCLUSIVE_TABLE.0.split_at(EXCLUSIVE_TABLE.1).0;

/// The module parameter of `cxl_glue.c`.
mod param {
    extern "C" {
        fn fwctl_cxl_expose_kernel_features_get() -> bool;
    }

    /// Whether the module was loaded with `expose_kernel_features=1`.
    pub(crate) fn expose_kernel_features() -> bool {
        // SAFETY: a plain read of a `bool` the module loader set before
        // `init` ran; sysfs cannot write it (mode 0444).
        unsafe { fwctl_cxl_expose_kernel_features_get() }
    }
}

/// The features userspace may read but not set: upstream's eight, or with
/// `expose_kernel_features=1` only those whose kernel owner is configured.
fn exclusive_features() -> &'static [Uuid] {
    if param::expose_kernel_features() {
        CONFIGURED_EXCLUSIVE
    } else {
        &cxl_features::UPSTREAM_EXCLUSIVE_FEATURES
    }
}

// ---------------------------------------------------------------------------
// The fwctl device
// ---------------------------------------------------------------------------

/// A fwctl device's data: upstream's `cxlfs` (capability and feature
/// table) and the mailbox.
struct CxlFeatures {
    mbox: Mailbox,
    cap: FeaturesCap,
    entries: KVec<FeatEntry>,
    /// [`exclusive_features()`], read once: the parameter is fixed at load.
    exclusive: &'static [Uuid],
}

impl CxlFeatures {
    /// Reads the device's feature table (upstream's
    /// `get_supported_features()`): the entry count first, then the entries
    /// in as few commands as the mailbox allows.  Any failure fails the
    /// set-up, as upstream's.
    fn read(mbox: Mailbox) -> Result<Self> {
        let cap = mbox.features_capability();
        if cap == FeaturesCap::None {
            return Err(ENODEV);
        }
        let payload_size = mbox.payload_size();

        let mut hdr = [0u8; SUP_FEATS_OUT_HDR_SIZE];
        let n = mbox
            .send(
                CXL_MBOX_OP_GET_SUPPORTED_FEATURES,
                &SUP_FEATS_COUNT_REQUEST.to_bytes(),
                &mut hdr,
                SUP_FEATS_OUT_HDR_SIZE,
            )
            .result?;
        let total = GetSupFeatsOutHdr::from_bytes(&hdr[..n])
            .map_err(to_error)?
            .supported_feats;
        let mut fetch = SupFeatsFetch::new(total, payload_size).map_err(to_error)?;

        let mut entries = KVec::with_capacity(usize::from(total), GFP_KERNEL)?;
        let buf_len =
            payload_size.min(SUP_FEATS_OUT_HDR_SIZE + usize::from(total) * FEAT_ENTRY_SIZE);
        let mut buf = KVVec::from_elem(0u8, buf_len, GFP_KERNEL)?;
        while let Some((req, size_out)) = fetch.next_request() {
            let out = buf.get_mut(..size_out).ok_or(ENOMEM)?;
            out.fill(0);
            let got = mbox
                .send(
                    CXL_MBOX_OP_GET_SUPPORTED_FEATURES,
                    &req.to_bytes(),
                    out,
                    SUP_FEATS_OUT_HDR_SIZE,
                )
                .result?;
            let reply = &out[..got];
            let num = fetch.accept(reply).map_err(to_error)?;
            for e in reply[SUP_FEATS_OUT_HDR_SIZE..]
                .chunks_exact(FEAT_ENTRY_SIZE)
                .take(num)
            {
                entries.push(FeatEntry::from_bytes(e).map_err(to_error)?, GFP_KERNEL)?;
            }
        }
        Ok(Self {
            mbox,
            cap,
            entries,
            exclusive: exclusive_features(),
        })
    }

    /// The cached state as the pure logic takes it.
    fn features(&self) -> Features<'_> {
        Features {
            cap: self.cap,
            entries: &self.entries,
            exclusive: self.exclusive,
        }
    }

    /// Get Supported Features, from the cache (`cxlctl_get_supported_features()`).
    fn get_supported_features(&self, sf: &SupportedFeatures<'_>) -> Result<FwRpcResponse> {
        let mut out = KVVec::from_elem(0u8, sf.out_len(), GFP_KERNEL_ACCOUNT)?;
        let n = sf.write(&mut out);
        out.truncate(n);
        Ok(FwRpcResponse::NewBuffer(out))
    }

    /// Get Feature through the mailbox (`cxlctl_get_feature()` and
    /// `cxl_get_feature()`): the data lands at offset 8 of the answer, read
    /// in commands of at most `payload_size` bytes under `feat_mutex`.
    fn get_feature(&self, req: &GetFeatIn) -> Result<FwRpcResponse> {
        let count = usize::from(req.count);
        // Room for upstream's `out_len` on success: 16 + count.
        let mut out = KVVec::from_elem(0u8, RPC_OUT_SIZE + count, GFP_KERNEL_ACCOUNT)?;
        let (mut received, mut return_code) = (0usize, CXL_MBOX_CMD_RC_INPUT);
        {
            let _transfer = self.mbox.lock_features();
            let mut failed = false;
            for chunk in get_feature_chunks(req.offset, req.count, self.mbox.payload_size()) {
                let at = RPC_OUT_PAYLOAD_OFFSET + chunk.pos;
                let dst = out.get_mut(at..at + chunk.len).ok_or(EINVAL)?;
                let o = self.mbox.send(
                    CXL_MBOX_OP_GET_FEATURE,
                    &req.for_chunk(&chunk).to_bytes(),
                    dst,
                    chunk.len,
                );
                // With `min_out` the whole chunk, success means all of it.
                match o.result {
                    Ok(n) if n == chunk.len => received += n,
                    _ => {
                        return_code = o.return_code;
                        failed = true;
                        break;
                    }
                }
            }
            if failed {
                received = 0;
            } else if received > 0 {
                return_code = CXL_MBOX_CMD_RC_SUCCESS;
            }
        }
        let reply = get_feature_reply(received, return_code);
        out[..RPC_OUT_PAYLOAD_OFFSET].copy_from_slice(&reply.hdr.to_bytes());
        // Upstream's `out_len`: 16 + received, or 16 after a failure (whose
        // bytes 8..16 hold what the first chunk read, as upstream's do).
        out.truncate(reply.out_len);
        Ok(FwRpcResponse::NewBuffer(out))
    }

    /// Set Feature through the mailbox (`cxlctl_set_feature()` and
    /// `cxl_set_feature()`): one Full command, or Initiate, Continue... and
    /// Finish, under `feat_mutex`.  A set that fails in the mailbox, or
    /// never reaches it, is a successful RPC whose `retval` says why.
    fn set_feature(&self, hdr: &SetFeatInHdr, data: &[u8]) -> Result<FwRpcResponse> {
        let mut out = KVVec::from_elem(0u8, RPC_OUT_SIZE, GFP_KERNEL_ACCOUNT)?;
        let return_code = self.send_set_feature(hdr, data);
        let reply = set_feature_reply(return_code);
        out[..RPC_OUT_PAYLOAD_OFFSET].copy_from_slice(&reply.hdr.to_bytes());
        out.truncate(reply.out_len);
        Ok(FwRpcResponse::NewBuffer(out))
    }

    /// The mailbox part of Set Feature; returns `retval`.
    fn send_set_feature(&self, hdr: &SetFeatInHdr, data: &[u8]) -> u16 {
        let payload_size = self.mbox.payload_size();
        // Upstream allocates the command before checking the mailbox size;
        // either failure is -ENOMEM inside, CXL_MBOX_CMD_RC_INPUT outside.
        let Ok(mut cmd) = KVVec::from_elem(0u8, payload_size, GFP_KERNEL_ACCOUNT) else {
            return CXL_MBOX_CMD_RC_INPUT;
        };
        let Ok(chunks) = set_feature_chunks(hdr.flags, hdr.offset, data.len(), payload_size) else {
            return CXL_MBOX_CMD_RC_INPUT;
        };
        let _transfer = self.mbox.lock_features();
        for c in chunks {
            let size_in = SET_FEAT_HDR_SIZE + c.chunk.len;
            let (Some(src), Some(dst)) = (
                data.get(c.chunk.pos..c.chunk.pos + c.chunk.len),
                cmd.get_mut(..size_in),
            ) else {
                return CXL_MBOX_CMD_RC_INPUT;
            };
            dst[..SET_FEAT_HDR_SIZE].copy_from_slice(&c.header(&hdr.uuid, hdr.version).to_bytes());
            dst[SET_FEAT_HDR_SIZE..].copy_from_slice(src);
            let o = self.mbox.send(CXL_MBOX_OP_SET_FEATURE, dst, &mut [], 0);
            if o.result.is_err() {
                return o.return_code;
            }
        }
        CXL_MBOX_CMD_RC_SUCCESS
    }
}

/// A user context: upstream's CXL driver keeps no per-FD state.
struct CxlCtx;

impl Operations for CxlCtx {
    type RegistrationData<'a> = CxlFeatures;
    const DEVICE_TYPE: DeviceType = DeviceType::Cxl;

    fn open<'a>(_device: &Device<Self>, _cxl: &CxlFeatures) -> impl PinInit<Self, Error> {
        Ok::<_, Error>(CxlCtx)
    }

    // No `info`: upstream's `cxlctl_ops` has none, `FWCTL_INFO` reports no
    // device data.

    fn fw_rpc<'a>(
        _this: Pin<&Self>,
        _device: &Device<Self>,
        cxl: &CxlFeatures,
        scope: RpcScope,
        rpc: &mut [u8],
        out_len: usize,
    ) -> Result<FwRpcResponse> {
        let scope = Scope::from(scope);
        match cxl
            .features()
            .check_rpc(scope, rpc, out_len)
            .map_err(to_error)?
        {
            Op::GetSupportedFeatures(sf) => cxl.get_supported_features(&sf),
            Op::GetFeature(req) => cxl.get_feature(&req),
            Op::SetFeature { hdr, data } => cxl.set_feature(&hdr, data),
        }
    }
}

// ---------------------------------------------------------------------------
// Following the memory devices on the CXL bus
// ---------------------------------------------------------------------------

/// A memdev with its fwctl device.
struct Attached {
    /// Declared first: dropped (unregistered) before the reference below.
    _fwctl: Registration<'static, CxlCtx>,
    /// A reference to the memdev, which keeps its address unique in the
    /// list for as long as the entry exists.
    memdev: ARef<device::Device>,
}

impl Attached {
    fn is(&self, dev: &device::Device) -> bool {
        ptr::eq(&*self.memdev, dev)
    }
}

/// What the lock protects.
struct State {
    /// Set at unload: no device is attached after.
    closing: bool,
    /// The memdevs with a fwctl device.
    attached: KVec<Attached>,
}

impl State {
    /// Gives `dev` a fwctl device if it is a memdev with user features and
    /// has none yet.
    ///
    /// # Safety
    ///
    /// `dev` is on the CXL bus's list (from the subsystem interface's
    /// `add_dev`, called by the bus for each device on its list and for each
    /// new one) and the lock is held.  Whatever takes `dev` off the bus calls
    /// `detach()` for it after this (the interface's `remove_dev`, which
    /// `bus_remove_device()` calls both from `device_del()` and when
    /// `device_add()` fails after putting `dev` on the list, and which waits
    /// for the lock we hold), and does so before the memdev's device state
    /// (its parent's `cxlds`) can be freed.
    unsafe fn attach(&mut self, dev: &device::Device) {
        if self.closing || !cxl_mbox::is_memdev(dev) || self.attached.iter().any(|a| a.is(dev)) {
            return;
        }
        // Room first, so that a registered device always finds its place.
        if let Err(e) = self.attached.reserve(1, GFP_KERNEL) {
            dev_warn!(dev, "fwctl: no fwctl device: {:?}\n", Error::from(e));
            return;
        }
        // SAFETY: our caller's guarantee is both constructors' contract: the
        // entry, with the mailbox in its registration's data, is dropped by
        // `detach()` when `dev` leaves the bus (DEL notification or
        // `remove_dev`), or at unload.
        match unsafe { Self::register(dev) } {
            Ok(a) => {
                // Cannot fail after `reserve()`; if it did, the entry would
                // be dropped here, unregistering the device.
                if self.attached.push_within_capacity(a).is_err() {
                    dev_warn!(dev, "fwctl: fwctl device dropped\n");
                }
            }
            Err(e) if e == ENODEV => dev_dbg!(dev, "fwctl: no CXL Features for userspace\n"),
            Err(e) => dev_warn!(dev, "fwctl: no fwctl device: {:?}\n", e),
        }
    }

    /// Reads the features of `dev` and registers its fwctl device.
    ///
    /// # Safety
    ///
    /// See [`Self::attach`]; the result is dropped before `dev`'s
    /// `device_del()` returns and before the module unloads.
    unsafe fn register(dev: &device::Device) -> Result<Attached> {
        // SAFETY: `dev` is registered; the mailbox goes into the
        // registration's data, dropped before `dev`'s `device_del()` returns.
        let mbox = unsafe { Mailbox::of_memdev(dev) }?;
        let cxl = CxlFeatures::read(mbox)?;
        let features = cxl.features();
        // Upstream creates no fwctl device without a feature for userspace.
        features.check_fwctl_setup().map_err(to_error)?;
        let (total, user) = (features.entries.len(), features.num_user_features());
        let writable = if cxl.cap == FeaturesCap::ReadWrite {
            "read-write"
        } else {
            "read-only"
        };
        // SAFETY: `dev` is registered (our caller).
        let fdev = unsafe { Device::<CxlCtx>::new_for_device(dev) }?;
        // SAFETY: `dev` is registered, the registration is dropped before
        // `dev`'s `device_del()` returns and before the module unloads (our
        // caller), and the mailbox in the data is valid until then; `fdev`
        // was just allocated, by this thread.
        let fwctl = unsafe { Registration::new_for_device(dev, &fdev, Ok::<_, Error>(cxl)) }?;
        let fname: &device::Device = fdev.as_ref();
        dev_info!(
            dev,
            "{}: {} CXL features, {} for userspace, {}\n",
            fname.name(),
            total,
            user,
            writable
        );
        Ok(Attached {
            _fwctl: fwctl,
            memdev: dev.into(),
        })
    }

    /// Unregisters the fwctl device of `dev`, if it has one.
    fn detach(&mut self, dev: &device::Device) {
        self.attached.retain(|a| !a.is(dev));
    }
}

/// How the driver follows the CXL bus, and the state it shares with module
/// load and unload.
///
/// Two kernel mechanisms, each for what only it gives:
///
/// - a subsystem interface (`subsys_interface_register()`): the bus calls
///   `add_dev` for every device on its list when the interface registers
///   and for each one added later, and `remove_dev` from
///   `bus_remove_device()`, which runs both in `device_del()` and when a
///   `device_add()` fails after the device joined the list.  A bare walk of
///   the bus at load (`bus_for_each_dev()`) can find a memdev whose
///   `device_add()` then fails, which sends no bus notification at all: its
///   registration would outlive the `cxlds` it reads.  The bus calls both
///   under its own mutex, so no device is missed or removed between them;
/// - a bus notifier, for `BUS_NOTIFY_DEL_DEVICE`: it comes at the start of
///   `device_del()`, so the fwctl device goes before anything of the memdev
///   does, as upstream's (which is unregistered before the memdev).
#[pin_data]
struct Tracker {
    #[pin]
    nb: Opaque<bindings::notifier_block>,
    #[pin]
    sif: Opaque<bindings::subsys_interface>,
    #[pin]
    state: Mutex<State>,
}

// SAFETY: after `init` writes them, the notifier block and the interface
// belong to the bus, which reads and links them under its own locks; the
// rest of the tracker is behind a `Mutex` of a `Send` state.
unsafe impl Send for Tracker {}
// SAFETY: as above; `&Tracker` gives access to the mutex and to the
// addresses of the block and the interface only.
unsafe impl Sync for Tracker {}

impl Tracker {
    /// The `struct notifier_block` the CXL bus calls.
    ///
    /// # Safety
    ///
    /// Called by the bus notifier chain with `nb` the `nb` of a pinned
    /// [`Tracker`] that stays registered for the call, and `data` the
    /// `struct device` the event is about.
    unsafe extern "C" fn notify(
        nb: *mut bindings::notifier_block,
        action: c_ulong,
        data: *mut c_void,
    ) -> c_int {
        // SAFETY: the bus passes the device the event is about, which lives
        // for the call.
        let dev = unsafe { device::Device::from_raw(data.cast()) };
        if !cxl_mbox::is_memdev(dev) {
            return bindings::NOTIFY_DONE as c_int;
        }
        // SAFETY: `nb` is the `nb` field of a pinned `Tracker`, which is
        // dropped only after the notifier is unregistered, which waits for
        // running calls.
        let tracker = unsafe {
            &*kernel::container_of!(nb.cast::<Opaque<bindings::notifier_block>>(), Tracker, nb)
        };
        match u32::try_from(action) {
            // The fwctl device goes before the memdev, as upstream's.
            Ok(bindings::bus_notifier_event_BUS_NOTIFY_DEL_DEVICE) => {
                tracker.state.lock().detach(dev);
                bindings::NOTIFY_OK as c_int
            }
            _ => bindings::NOTIFY_DONE as c_int,
        }
    }

    /// The tracker of an interface.
    ///
    /// # Safety
    ///
    /// `sif` is the `sif` of a pinned [`Tracker`] that stays registered for
    /// the caller's borrow.
    unsafe fn of_sif<'a>(sif: *mut bindings::subsys_interface) -> &'a Tracker {
        // SAFETY: our caller's guarantee; the tracker is dropped only after
        // `subsys_interface_unregister()`, which takes the bus's mutex that
        // every call of the interface holds.
        unsafe {
            &*kernel::container_of!(
                sif.cast::<Opaque<bindings::subsys_interface>>(),
                Tracker,
                sif
            )
        }
    }

    /// `subsys_interface.add_dev`: a device on the bus, at registration or
    /// added later.
    ///
    /// # Safety
    ///
    /// Called by the bus, under its mutex, with `sif` the registered `sif`
    /// of a pinned [`Tracker`] and `dev` a device on the bus's list.
    unsafe extern "C" fn add_dev(
        dev: *mut bindings::device,
        sif: *mut bindings::subsys_interface,
    ) -> c_int {
        // SAFETY: the bus holds a reference to `dev` for the call.
        let dev = unsafe { device::Device::from_raw(dev) };
        // SAFETY: our caller's guarantee.
        let tracker = unsafe { Self::of_sif(sif) };
        // SAFETY: `dev` is on the bus's list; `bus_remove_device()` calls
        // `remove_dev` for it after this call (it takes the bus's mutex,
        // which the bus holds for this one), and `remove_dev` waits for the
        // state's lock, held across `attach()`.
        unsafe { tracker.state.lock().attach(dev) };
        0
    }

    /// `subsys_interface.remove_dev`: `dev` leaves the bus, deleted or
    /// failed in its `device_add()`, or the interface goes.
    ///
    /// # Safety
    ///
    /// As [`Self::add_dev`].
    unsafe extern "C" fn remove_dev(
        dev: *mut bindings::device,
        sif: *mut bindings::subsys_interface,
    ) {
        // SAFETY: the bus holds a reference to `dev` for the call.
        let dev = unsafe { device::Device::from_raw(dev) };
        // SAFETY: our caller's guarantee.
        let tracker = unsafe { Self::of_sif(sif) };
        tracker.state.lock().detach(dev);
    }
}

struct FwctlCxl {
    tracker: Pin<KBox<Tracker>>,
}

/// Whether this kernel's own `cxl_core` registers a fwctl device for each
/// memdev with Features (`CONFIG_CXL_FEATURES=y`, upstream's
/// `drivers/cxl/core/features.c`).  This driver must then stand aside: a
/// second fwctl device on one mailbox would race the kernel's one.
const CXL_CORE_HAS_FWCTL: bool = cfg!(CONFIG_CXL_FEATURES);

impl kernel::Module for FwctlCxl {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        if CXL_CORE_HAS_FWCTL {
            pr_info!(
                "not loading: this kernel's cxl_core registers the fwctl devices of CXL memdevs itself (CONFIG_CXL_FEATURES=y); they use the fwctl core like any other driver's\n"
            );
            return Err(ENODEV);
        }
        if param::expose_kernel_features() {
            pr_warn!(
                "expose_kernel_features=1: patrol scrub, ECS, PPR and memory sparing can be set through fwctl (a hard PPR or sparing is a permanent repair)\n"
            );
        }
        let tracker = KBox::pin_init(
            pin_init!(Tracker {
                nb: Opaque::new(bindings::notifier_block {
                    notifier_call: Some(Tracker::notify),
                    next: ptr::null_mut(),
                    priority: 0,
                }),
                sif: Opaque::new(bindings::subsys_interface {
                    name: c"fwctl_cxl".as_char_ptr(),
                    subsys: cxl_mbox::bus(),
                    node: bindings::list_head {
                        next: ptr::null_mut(),
                        prev: ptr::null_mut(),
                    },
                    add_dev: Some(Tracker::add_dev),
                    remove_dev: Some(Tracker::remove_dev),
                }),
                state <- new_mutex!(State {
                    closing: false,
                    attached: KVec::new(),
                }),
            }),
            GFP_KERNEL,
        )?;
        // Deletions first, then the devices: a memdev deleted in between is
        // detached by `remove_dev` (and DEL finds nothing to drop).
        // SAFETY: the notifier block is pinned in `tracker`, which the module
        // keeps until `drop` unregisters it.
        let ret = unsafe { bindings::bus_register_notifier(cxl_mbox::bus(), tracker.nb.get()) };
        if ret != 0 {
            return Err(Error::from_errno(ret));
        }
        // SAFETY: the interface is pinned in `tracker`, kept until `drop`
        // unregisters it; `add_dev` attaches every memdev on the bus now,
        // under the bus's mutex, and every one added later.
        let ret = unsafe { bindings::subsys_interface_register(tracker.sif.get()) };
        if ret != 0 {
            // SAFETY: registered above; nothing was attached.
            unsafe { bindings::bus_unregister_notifier(cxl_mbox::bus(), tracker.nb.get()) };
            return Err(Error::from_errno(ret));
        }
        let attached = tracker.state.lock().attached.len();
        pr_info!("fwctl cxl loaded: {} fwctl device(s)\n", attached);
        Ok(FwctlCxl { tracker })
    }
}

impl Drop for FwctlCxl {
    fn drop(&mut self) {
        {
            // Unregister every fwctl device while the bus still tells us
            // about deletions (a memdev must not go while its entry is away
            // from the list but not yet dropped), and attach no more.
            let mut state = self.tracker.state.lock();
            state.closing = true;
            state.attached.clear();
        }
        // SAFETY: registered by `init`; this calls `remove_dev` for every
        // device (nothing left to detach) under the bus's mutex, and no
        // call of the interface runs after it returns.
        unsafe { bindings::subsys_interface_unregister(self.tracker.sif.get()) };
        // SAFETY: registered by `init`; this waits for running calls, after
        // which the tracker may go.
        unsafe { bindings::bus_unregister_notifier(cxl_mbox::bus(), self.tracker.nb.get()) };
    }
}
