// SPDX-License-Identifier: GPL-2.0

//! fwctl_rust_test: a test-only fwctl driver written against the project's
//! safe Rust driver API (`common/fwctl_driver.rs`).  Never shipped.
//!
//! It registers one fwctl device under a faux parent `fwctl_rust_test` and
//! answers a subset of the loopback contract of
//! `tools/testing/selftests/fwctl/fwctl_test.h`: ECHO (in place), ECHO_NEW,
//! LEN, FAIL and SCOPE; FWCTL_INFO returns `struct fwctl_test_info` with
//! index 0.  The tests in `tools/testing/selftests/fwctl/fwctl_rust_api.c`
//! drive it.

use core::sync::atomic::{AtomicU32, Ordering};
use kernel::{faux, prelude::*};

#[path = "../../../crates/fwctl-uapi/src/uapi.rs"]
pub mod uapi;

#[path = "../../../common/fwctl_driver.rs"]
pub mod fwctl_driver;

use fwctl_driver::{Device, Operations, Registration, RpcResponse};
use uapi::{DeviceType, Scope};

module! {
    type: RustTest,
    name: "fwctl_rust_test",
    authors: ["fwctl-rs developers"],
    description: "Test-only fwctl driver on the safe Rust driver API",
    license: "GPL",
    imports_ns: ["FWCTL"],
}

/// `FWCTL_TEST_INFO_MAGIC` of the contract.
const INFO_MAGIC: u32 = 0xf7c7_e570;
/// Size of `struct fwctl_test_req`.
const REQ_LEN: usize = 16;

/// Per-device data: the next user context id.
struct Data {
    next_id: AtomicU32,
}

/// Per-FD context.
struct Ctx {
    id: u32,
}

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl Operations for Ctx {
    type DeviceData = Data;
    // The contract's test-only type is outside the uAPI enum; this driver
    // proves the Rust API, so it borrows a real type's number.
    const DEVICE_TYPE: DeviceType = DeviceType::Pds;

    fn open(dev: &Device<Self>) -> impl PinInit<Self, Error> {
        let id = dev.data().next_id.fetch_add(1, Ordering::Relaxed) + 1;
        Ok::<_, Error>(Ctx { id })
    }

    fn info(this: Pin<&Self>, _dev: &Device<Self>) -> Result<KVec<u8>> {
        let mut v = KVec::with_capacity(16, GFP_KERNEL)?;
        for w in [INFO_MAGIC, 0, this.id, 0] {
            v.extend_from_slice(&w.to_ne_bytes(), GFP_KERNEL)?;
        }
        Ok(v)
    }

    fn fw_rpc(
        this: Pin<&Self>,
        _dev: &Device<Self>,
        scope: Scope,
        rpc: &mut [u8],
        out_len: usize,
    ) -> Result<RpcResponse> {
        if rpc.len() < REQ_LEN {
            return Err(EINVAL);
        }
        let (op, arg, seed) = (le32(rpc, 0), le32(rpc, 4), le32(rpc, 8));
        if le32(rpc, 12) != 0 {
            return Err(EBADMSG);
        }
        match op {
            0 => Ok(RpcResponse::InPlace(rpc.len())),
            1 => {
                let mut v = KVVec::with_capacity(rpc.len(), GFP_KERNEL)?;
                v.extend_from_slice(rpc, GFP_KERNEL)?;
                Ok(RpcResponse::NewBuffer(v))
            }
            2 => {
                let n = arg as usize;
                if n > uapi::MAX_RPC_LEN as usize {
                    return Err(EINVAL);
                }
                let mut v = KVVec::with_capacity(n, GFP_KERNEL)?;
                for i in 0..n {
                    v.push((i as u32).wrapping_add(seed) as u8, GFP_KERNEL)?;
                }
                Ok(RpcResponse::NewBuffer(v))
            }
            3 if (1..4096).contains(&arg) => Err(Error::from_errno(-(arg as i32))),
            3 => Err(EINVAL),
            6 => {
                let mut v = KVVec::with_capacity(24, GFP_KERNEL)?;
                v.extend_from_slice(&(scope as u32).to_ne_bytes(), GFP_KERNEL)?;
                v.extend_from_slice(&this.id.to_ne_bytes(), GFP_KERNEL)?;
                v.extend_from_slice(&(rpc.len() as u64).to_ne_bytes(), GFP_KERNEL)?;
                v.extend_from_slice(&(out_len as u64).to_ne_bytes(), GFP_KERNEL)?;
                Ok(RpcResponse::NewBuffer(v))
            }
            _ => Err(EBADMSG),
        }
    }
}

struct RustTest {
    // Dropped first: unregisters the fwctl device before its parent goes.
    _fwctl: Registration<Ctx>,
    _parent: faux::Registration,
}

impl kernel::Module for RustTest {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let parent = faux::Registration::new(c"fwctl_rust_test", None)?;
        let fdev: &faux::Device<kernel::device::Bound> = parent.as_ref();
        let pdev: &kernel::device::Device<kernel::device::Bound> = fdev.as_ref();
        // SAFETY: the registration is a field of the module, dropped at
        // unload before the parent (field order), never leaked.
        let fwctl = unsafe {
            Registration::<Ctx>::new(
                pdev,
                Ok::<_, Error>(Data {
                    next_id: AtomicU32::new(0),
                }),
            )
        }?;
        Ok(RustTest {
            _fwctl: fwctl,
            _parent: parent,
        })
    }
}
