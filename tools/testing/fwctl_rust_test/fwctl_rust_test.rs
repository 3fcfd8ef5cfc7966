// SPDX-License-Identifier: GPL-2.0

//! fwctl_rust_test: a test-only fwctl driver written against the kernel's
//! Rust fwctl API, `kernel::fwctl`.  Never shipped.
//!
//! The same source builds against `kernel::fwctl` on a kernel that has it
//! (`CONFIG_RUST_FWCTL_ABSTRACTIONS`, upstream's core built in: `make
//! api-compat`) and against the project's copy of that API,
//! `common/fwctl_driver.rs`, everywhere else.
//!
//! It registers one fwctl device under a faux parent `fwctl_rust_test` and
//! answers a subset of the loopback contract of
//! `tools/testing/selftests/fwctl/fwctl_test.h`: ECHO (in place), ECHO_NEW,
//! LEN, FAIL and SCOPE; FWCTL_INFO returns `struct fwctl_test_info` with
//! index 0.  The tests in `tools/testing/selftests/fwctl/fwctl_rust_api.c`
//! drive it.

use core::sync::atomic::{AtomicU32, Ordering};
use kernel::{faux, prelude::*};

#[cfg(CONFIG_RUST_FWCTL_ABSTRACTIONS)]
use kernel::fwctl;
#[cfg(not(CONFIG_RUST_FWCTL_ABSTRACTIONS))]
#[path = "../../../common/fwctl_driver.rs"]
pub mod fwctl;

use fwctl::{Device, DeviceType, FwRpcResponse, Operations, Registration, RpcScope};

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
/// The longest answer: upstream's `MAX_RPC_LEN`, 2 MiB.
const MAX_LEN: usize = 2 << 20;

/// Per-device data: the next user context id.
struct Data {
    next_id: AtomicU32,
}

/// Per-FD context.
struct Ctx {
    id: u32,
}

/// The native-endian `u32` at `at`: the contract's structures are in host
/// byte order.
fn ne32(b: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl Operations for Ctx {
    type RegistrationData<'a> = Data;
    // The contract's test-only type is outside the uAPI enum; this driver
    // proves the Rust API, so it borrows a real type's number.
    const DEVICE_TYPE: DeviceType = DeviceType::Pds;

    fn open<'a>(_device: &Device<Self>, data: &Data) -> impl PinInit<Self, Error> {
        let id = data.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        Ok::<_, Error>(Ctx { id })
    }

    fn info<'a>(this: Pin<&Self>, _device: &Device<Self>, _data: &Data) -> Result<KVec<u8>> {
        let mut v = KVec::with_capacity(16, GFP_KERNEL)?;
        for w in [INFO_MAGIC, 0, this.id, 0] {
            v.extend_from_slice(&w.to_ne_bytes(), GFP_KERNEL)?;
        }
        Ok(v)
    }

    fn fw_rpc<'a>(
        this: Pin<&Self>,
        _device: &Device<Self>,
        _data: &Data,
        scope: RpcScope,
        rpc: &mut [u8],
        out_len: usize,
    ) -> Result<FwRpcResponse> {
        if rpc.len() < REQ_LEN {
            return Err(EINVAL);
        }
        let (op, arg, seed) = (ne32(rpc, 0), ne32(rpc, 4), ne32(rpc, 8));
        if ne32(rpc, 12) != 0 {
            return Err(EBADMSG);
        }
        match op {
            0 => Ok(FwRpcResponse::InPlace(rpc.len())),
            1 => {
                let mut v = KVVec::with_capacity(rpc.len(), GFP_KERNEL)?;
                v.extend_from_slice(rpc, GFP_KERNEL)?;
                Ok(FwRpcResponse::NewBuffer(v))
            }
            2 => {
                let n = arg as usize;
                if n > MAX_LEN {
                    return Err(EINVAL);
                }
                let mut v = KVVec::with_capacity(n, GFP_KERNEL)?;
                for i in 0..n {
                    v.push((i as u32).wrapping_add(seed) as u8, GFP_KERNEL)?;
                }
                Ok(FwRpcResponse::NewBuffer(v))
            }
            3 if (1..4096).contains(&arg) => Err(Error::from_errno(-(arg as i32))),
            3 => Err(EINVAL),
            6 => {
                let mut v = KVVec::with_capacity(24, GFP_KERNEL)?;
                v.extend_from_slice(&(scope as u32).to_ne_bytes(), GFP_KERNEL)?;
                v.extend_from_slice(&this.id.to_ne_bytes(), GFP_KERNEL)?;
                v.extend_from_slice(&(rpc.len() as u64).to_ne_bytes(), GFP_KERNEL)?;
                v.extend_from_slice(&(out_len as u64).to_ne_bytes(), GFP_KERNEL)?;
                Ok(FwRpcResponse::NewBuffer(v))
            }
            _ => Err(EBADMSG),
        }
    }
}

struct RustTest {
    // Dropped first: unregisters the fwctl device before its parent goes.
    _fwctl: Registration<'static, Ctx>,
    _parent: faux::Registration,
}

impl kernel::Module for RustTest {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let parent = faux::Registration::new(c"fwctl_rust_test", None)?;
        let fdev: &faux::Device<kernel::device::Bound> = parent.as_ref();
        let pdev: &kernel::device::Device<kernel::device::Bound> = fdev.as_ref();
        let dev = Device::<Ctx>::new(pdev)?;
        // The borrow is widened to `'static` only to name the
        // registration's lifetime in the module's type: the registration
        // keeps a reference count on its fwctl device, never this reference.
        let pdev: &'static kernel::device::Device<kernel::device::Bound> =
            // SAFETY: the faux device is bound from its creation until the
            // faux registration is dropped (userspace cannot unbind it: faux
            // devices suppress the bind attributes), and the fwctl
            // registration, a field of the module dropped at unload before
            // the faux one (field order), is never leaked.
            unsafe { &*core::ptr::from_ref(pdev) };
        // SAFETY: as above; `dev` was just allocated, by this thread.
        let fwctl = unsafe {
            Registration::new(
                pdev,
                &dev,
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
