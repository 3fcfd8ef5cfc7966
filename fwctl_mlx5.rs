// SPDX-License-Identifier: GPL-2.0

//! fwctl driver for NVIDIA ConnectX (mlx5) devices.
//!
//! `mlx5_core` creates one auxiliary device `mlx5_core.fwctl.N` per PCI
//! function that supports it; this driver binds to it and registers a fwctl
//! device whose parent is the PCI function (`/dev/fwctl/fwctlN`, device
//! type `FWCTL_DEVICE_TYPE_MLX5`).
//!
//! Each open FD gets its own firmware user context: `CREATE_UCTX` at open
//! (with the tools-resources label when the device offers it) and
//! `DESTROY_UCTX` at close or when the device goes away.  Every command the
//! FD sends is checked against the allow-list of
//! `crates/fwctl-uapi/src/mlx5_cmds.rs` for its scope, gets the FD's uid
//! written into its header, and goes to the device through
//! `mlx5_cmd_do()`.  A command the firmware ran but failed
//! (a non-zero status) still returns its output, status and syndrome
//! included, as upstream does.

use kernel::{auxiliary, device::Core, prelude::*};

#[path = "crates/fwctl-uapi/src/uapi.rs"]
pub mod uapi;

// The kernel's Rust fwctl API where the kernel has it (upstream's core
// built in), the project's copy of it everywhere else: this driver builds
// unchanged against either (`make api-compat`).
#[cfg(CONFIG_RUST_FWCTL_ABSTRACTIONS)]
use kernel::fwctl;
#[cfg(not(CONFIG_RUST_FWCTL_ABSTRACTIONS))]
#[path = "common/fwctl_driver.rs"]
pub mod fwctl;

#[path = "crates/fwctl-uapi/src/mlx5_cmds.rs"]
pub mod mlx5_cmds;

#[path = "common/kernel_errno.rs"]
pub mod kernel_errno;

#[path = "common/rpc_scope.rs"]
mod rpc_scope;

use fwctl::{Device, DeviceType, FwRpcResponse, Operations, Registration, RpcScope};
use kernel_errno::to_error;
use mlx5_cmds::{create_uctx, destroy_uctx, InfoMlx5};
use uapi::Scope;

/// mlx5_core's declarations (`mlx5_bindings.h`), as bindgen translated
/// them; only [`mlx5_fw`] and the layout checks below use them.
#[allow(
    dead_code,
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    improper_ctypes,
    unsafe_op_in_unsafe_fn,
    clippy::all,
    clippy::ptr_as_ptr,
    clippy::ref_as_ptr,
    clippy::undocumented_unsafe_blocks,
    unreachable_pub,
    missing_docs
)]
mod mlx5 {
    use kernel::bindings::*;
    use kernel::ffi;
    include!("fwctl_mlx5/mlx5_bindings_generated.rs");
}

/// `mlx5_cmds.rs` has no access to the C headers; check what it knows
/// against `mlx5_ifc.h` here, at build time.  In the `_bits` structs every
/// field is an array of one byte per bit, so `offset_of!` is a bit offset.
const _: () = {
    use core::mem::offset_of;
    use mlx5_cmds::op;

    assert!(offset_of!(mlx5::mlx5_ifc_create_uctx_in_bits, opcode) == 0);
    assert!(offset_of!(mlx5::mlx5_ifc_create_uctx_in_bits, op_mod) == 0x30);
    assert!(offset_of!(mlx5::mlx5_ifc_create_uctx_in_bits, uctx) == create_uctx::CAP_AT * 8);
    assert!(offset_of!(mlx5::mlx5_ifc_uctx_bits, cap) == 0);
    assert!(size_of::<mlx5::mlx5_ifc_create_uctx_in_bits>() == create_uctx::IN_LEN * 8);
    assert!(offset_of!(mlx5::mlx5_ifc_create_uctx_out_bits, uid) == create_uctx::UID_AT * 8);
    assert!(size_of::<mlx5::mlx5_ifc_create_uctx_out_bits>() == create_uctx::OUT_LEN * 8);
    assert!(offset_of!(mlx5::mlx5_ifc_destroy_uctx_in_bits, uid) == destroy_uctx::UID_AT * 8);
    assert!(size_of::<mlx5::mlx5_ifc_destroy_uctx_in_bits>() == destroy_uctx::IN_LEN * 8);
    assert!(size_of::<mlx5::mlx5_ifc_destroy_uctx_out_bits>() == destroy_uctx::OUT_LEN * 8);
    assert!(
        offset_of!(mlx5::mlx5_ifc_cmd_hca_cap_bits, uctx_cap) == mlx5_cmds::HCA_CAP_UCTX_CAP_BIT
    );
    assert!(offset_of!(mlx5::mlx5_ifc_access_register_in_bits, op_mod) == 0x30);
    assert!(op::CREATE_UCTX as u32 == mlx5::MLX5_CMD_OP_CREATE_UCTX);
    assert!(op::DESTROY_UCTX as u32 == mlx5::MLX5_CMD_OP_DESTROY_UCTX);
    // Every allowed opcode that mlx5_ifc.h also names (upstream's driver
    // defines the others itself).
    assert!(op::QUERY_HCA_CAP as u32 == mlx5::MLX5_CMD_OP_QUERY_HCA_CAP);
    assert!(op::QUERY_ADAPTER as u32 == mlx5::MLX5_CMD_OP_QUERY_ADAPTER);
    assert!(op::QUERY_PAGES as u32 == mlx5::MLX5_CMD_OP_QUERY_PAGES);
    assert!(op::SET_HCA_CAP as u32 == mlx5::MLX5_CMD_OP_SET_HCA_CAP);
    assert!(op::QUERY_ISSI as u32 == mlx5::MLX5_CMD_OP_QUERY_ISSI);
    assert!(op::QUERY_SF_PARTITION as u32 == mlx5::MLX5_CMD_OP_QUERY_SF_PARTITION);
    assert!(op::QUERY_VHCA_MIGRATION_STATE as u32 == mlx5::MLX5_CMD_OP_QUERY_VHCA_MIGRATION_STATE);
    assert!(op::QUERY_MKEY as u32 == mlx5::MLX5_CMD_OP_QUERY_MKEY);
    assert!(op::QUERY_SPECIAL_CONTEXTS as u32 == mlx5::MLX5_CMD_OP_QUERY_SPECIAL_CONTEXTS);
    assert!(op::QUERY_EQ as u32 == mlx5::MLX5_CMD_OP_QUERY_EQ);
    assert!(op::QUERY_CQ as u32 == mlx5::MLX5_CMD_OP_QUERY_CQ);
    assert!(op::QUERY_QP as u32 == mlx5::MLX5_CMD_OP_QUERY_QP);
    assert!(op::QUERY_SRQ as u32 == mlx5::MLX5_CMD_OP_QUERY_SRQ);
    assert!(op::QUERY_XRC_SRQ as u32 == mlx5::MLX5_CMD_OP_QUERY_XRC_SRQ);
    assert!(op::QUERY_DCT as u32 == mlx5::MLX5_CMD_OP_QUERY_DCT);
    assert!(op::QUERY_XRQ as u32 == mlx5::MLX5_CMD_OP_QUERY_XRQ);
    assert!(op::QUERY_XRQ_DC_PARAMS_ENTRY as u32 == mlx5::MLX5_CMD_OP_QUERY_XRQ_DC_PARAMS_ENTRY);
    assert!(op::QUERY_XRQ_ERROR_PARAMS as u32 == mlx5::MLX5_CMD_OP_QUERY_XRQ_ERROR_PARAMS);
    assert!(op::QUERY_ESW_FUNCTIONS as u32 == mlx5::MLX5_CMD_OP_QUERY_ESW_FUNCTIONS);
    assert!(op::QUERY_VPORT_STATE as u32 == mlx5::MLX5_CMD_OP_QUERY_VPORT_STATE);
    assert!(op::QUERY_ESW_VPORT_CONTEXT as u32 == mlx5::MLX5_CMD_OP_QUERY_ESW_VPORT_CONTEXT);
    assert!(op::QUERY_NIC_VPORT_CONTEXT as u32 == mlx5::MLX5_CMD_OP_QUERY_NIC_VPORT_CONTEXT);
    assert!(op::QUERY_ROCE_ADDRESS as u32 == mlx5::MLX5_CMD_OP_QUERY_ROCE_ADDRESS);
    assert!(op::QUERY_HCA_VPORT_CONTEXT as u32 == mlx5::MLX5_CMD_OP_QUERY_HCA_VPORT_CONTEXT);
    assert!(op::QUERY_HCA_VPORT_GID as u32 == mlx5::MLX5_CMD_OP_QUERY_HCA_VPORT_GID);
    assert!(op::QUERY_HCA_VPORT_PKEY as u32 == mlx5::MLX5_CMD_OP_QUERY_HCA_VPORT_PKEY);
    assert!(op::QUERY_VNIC_ENV as u32 == mlx5::MLX5_CMD_OP_QUERY_VNIC_ENV);
    assert!(op::QUERY_VPORT_COUNTER as u32 == mlx5::MLX5_CMD_OP_QUERY_VPORT_COUNTER);
    assert!(op::QUERY_Q_COUNTER as u32 == mlx5::MLX5_CMD_OP_QUERY_Q_COUNTER);
    assert!(op::QUERY_RATE_LIMIT as u32 == mlx5::MLX5_CMD_OP_QUERY_RATE_LIMIT);
    assert!(op::QUERY_SCHEDULING_ELEMENT as u32 == mlx5::MLX5_CMD_OP_QUERY_SCHEDULING_ELEMENT);
    assert!(op::ACCESS_REG as u32 == mlx5::MLX5_CMD_OP_ACCESS_REG);
    assert!(op::QUERY_MAD_DEMUX as u32 == mlx5::MLX5_CMD_OP_QUERY_MAD_DEMUX);
    assert!(op::NOP as u32 == mlx5::MLX5_CMD_OP_NOP);
    assert!(op::QUERY_CONG_STATUS as u32 == mlx5::MLX5_CMD_OP_QUERY_CONG_STATUS);
    assert!(op::MODIFY_CONG_STATUS as u32 == mlx5::MLX5_CMD_OP_MODIFY_CONG_STATUS);
    assert!(op::QUERY_CONG_PARAMS as u32 == mlx5::MLX5_CMD_OP_QUERY_CONG_PARAMS);
    assert!(op::QUERY_CONG_STATISTICS as u32 == mlx5::MLX5_CMD_OP_QUERY_CONG_STATISTICS);
    assert!(op::QUERY_L2_TABLE_ENTRY as u32 == mlx5::MLX5_CMD_OP_QUERY_L2_TABLE_ENTRY);
    assert!(op::QUERY_WOL_ROL as u32 == mlx5::MLX5_CMD_OP_QUERY_WOL_ROL);
    assert!(op::QUERY_LAG as u32 == mlx5::MLX5_CMD_OP_QUERY_LAG);
    assert!(op::QUERY_TIR as u32 == mlx5::MLX5_CMD_OP_QUERY_TIR);
    assert!(op::QUERY_SQ as u32 == mlx5::MLX5_CMD_OP_QUERY_SQ);
    assert!(op::QUERY_RQ as u32 == mlx5::MLX5_CMD_OP_QUERY_RQ);
    assert!(op::QUERY_RMP as u32 == mlx5::MLX5_CMD_OP_QUERY_RMP);
    assert!(op::QUERY_TIS as u32 == mlx5::MLX5_CMD_OP_QUERY_TIS);
    assert!(op::QUERY_RQT as u32 == mlx5::MLX5_CMD_OP_QUERY_RQT);
    assert!(op::QUERY_FLOW_TABLE as u32 == mlx5::MLX5_CMD_OP_QUERY_FLOW_TABLE);
    assert!(op::QUERY_FLOW_GROUP as u32 == mlx5::MLX5_CMD_OP_QUERY_FLOW_GROUP);
    assert!(op::QUERY_FLOW_TABLE_ENTRY as u32 == mlx5::MLX5_CMD_OP_QUERY_FLOW_TABLE_ENTRY);
    assert!(op::QUERY_FLOW_COUNTER as u32 == mlx5::MLX5_CMD_OP_QUERY_FLOW_COUNTER);
    assert!(
        op::QUERY_PACKET_REFORMAT_CONTEXT as u32 == mlx5::MLX5_CMD_OP_QUERY_PACKET_REFORMAT_CONTEXT
    );
    assert!(
        op::QUERY_MODIFY_HEADER_CONTEXT as u32 == mlx5::MLX5_CMD_OP_QUERY_MODIFY_HEADER_CONTEXT
    );
    assert!(op::FPGA_QUERY_QP as u32 == mlx5::MLX5_CMD_OP_FPGA_QUERY_QP);
    assert!(op::FPGA_QUERY_QP_COUNTERS as u32 == mlx5::MLX5_CMD_OP_FPGA_QUERY_QP_COUNTERS);
    assert!(op::QUERY_GENERAL_OBJECT as u32 == mlx5::MLX5_CMD_OP_QUERY_GENERAL_OBJECT);
    assert!(op::QUERY_VHCA_STATE as u32 == mlx5::MLX5_CMD_OP_QUERY_VHCA_STATE);
    assert!(op::QUERY_VUID as u32 == mlx5::MLX5_CMD_OPCODE_QUERY_VUID);
};

/// The only code that touches mlx5_core's structures: the core device
/// behind the auxiliary device, its general capabilities and its command
/// interface.  Everything outside this module goes through its safe
/// wrappers.
mod mlx5_fw {
    use super::mlx5;
    use core::marker::PhantomData;
    use core::ptr::{self, NonNull};
    use kernel::{auxiliary, bindings, container_of, device::Core, error::to_result, prelude::*};

    /// The command interface of one mlx5 function (`struct mlx5_core_dev`),
    /// for as long as its auxiliary device is bound (`'bound`).
    ///
    /// # Invariants
    ///
    /// `mdev` is the core device of an auxiliary device that `mlx5_core`
    /// created, and stays valid while that auxiliary device is bound, which
    /// `'bound` covers.
    pub(crate) struct CoreDev<'bound> {
        mdev: NonNull<mlx5::mlx5_core_dev>,
        _adev: PhantomData<&'bound auxiliary::Device>,
    }

    // SAFETY: `mlx5_cmd_exec()` and `mlx5_cmd_do()` may be called from any
    // thread, concurrently: mlx5_core serialises commands on its own
    // command queue.  The capabilities read are written before the
    // auxiliary device is added and not while it is bound.
    unsafe impl Send for CoreDev<'_> {}
    // SAFETY: as above; every method takes `&self` and is thread-safe.
    unsafe impl Sync for CoreDev<'_> {}

    /// `len` as the `int` mlx5_core's command functions take.
    fn c_len(len: usize) -> Result<i32> {
        i32::try_from(len).map_err(|_| EMSGSIZE)
    }

    impl<'bound> CoreDev<'bound> {
        /// The core device of `adev`, an `mlx5_core.fwctl` auxiliary device.
        ///
        /// The result borrows the binding (`'bound`), so it is dropped
        /// before `adev` is unbound; mlx5_core deletes its auxiliary
        /// devices, which unbinds them, before it tears the core device
        /// down.
        ///
        /// # Safety
        ///
        /// `adev` was created by `mlx5_core` (or a stand-in exporting its
        /// API), so it is embedded in a `struct mlx5_adev`.
        pub(crate) unsafe fn of_adev(adev: &'bound auxiliary::Device<Core<'_>>) -> Result<Self> {
            // `auxiliary::Device` is a transparent wrapper of
            // `struct auxiliary_device`.
            let raw = ptr::from_ref(adev)
                .cast_mut()
                .cast::<bindings::auxiliary_device>();
            // SAFETY: `adev` is the `adev` field of a `struct mlx5_adev`
            // (caller), which lives as long as the auxiliary device.
            let madev = unsafe { container_of!(raw, mlx5::mlx5_adev, adev) };
            // SAFETY: as above; `mdev` is set before the device is added.
            let mdev = unsafe { (*madev).mdev };
            // INVARIANT: mlx5_core's core device outlives its auxiliary
            // devices' binding, which `'bound` is.
            Ok(Self {
                mdev: NonNull::new(mdev).ok_or(ENODEV)?,
                _adev: PhantomData,
            })
        }

        /// The general HCA capabilities as the firmware reported them
        /// (`mdev->caps.hca[MLX5_CAP_GENERAL]->cur`), big-endian dwords.
        pub(crate) fn general_caps(&self) -> Option<&[u8]> {
            let general = mlx5::mlx5_cap_type_MLX5_CAP_GENERAL as usize;
            // SAFETY: `mdev` is valid (invariant); the capability pointers
            // are set when the device is initialised, before the auxiliary
            // devices are added, and only reloaded after they are deleted.
            let cap = unsafe { (*self.mdev.as_ptr()).caps.hca[general] };
            if cap.is_null() {
                return None;
            }
            // SAFETY: a non-null capability is a live `struct mlx5_hca_cap`
            // (above); `cur` is an array of `u32`, so of that many bytes.
            Some(unsafe {
                let cur = &raw const (*cap).cur;
                core::slice::from_raw_parts(cur.cast::<u8>(), core::mem::size_of_val(&*cur))
            })
        }

        /// `mlx5_cmd_exec()`: runs a command the driver built itself; a
        /// firmware status other than OK becomes an errno.
        pub(crate) fn exec(&self, input: &mut [u8], output: &mut [u8]) -> Result {
            let (in_len, out_len) = (c_len(input.len())?, c_len(output.len())?);
            // SAFETY: `mdev` is valid (invariant); both buffers are ours,
            // distinct, and of the lengths given; mlx5_core does not keep
            // them after returning.
            to_result(unsafe {
                mlx5::mlx5_cmd_exec(
                    self.mdev.as_ptr(),
                    input.as_mut_ptr().cast(),
                    in_len,
                    output.as_mut_ptr().cast(),
                    out_len,
                )
            })
        }

        /// `mlx5_cmd_do()` with a separate output buffer.  `Ok` when the
        /// firmware ran the command, whatever its status: the output holds
        /// it.  `Err` when the command did not reach the firmware.
        pub(crate) fn cmd_do(&self, input: &mut [u8], output: &mut [u8]) -> Result {
            let (in_len, out_len) = (c_len(input.len())?, c_len(output.len())?);
            // SAFETY: as in `exec()`.
            ran(unsafe {
                mlx5::mlx5_cmd_do(
                    self.mdev.as_ptr(),
                    input.as_mut_ptr().cast(),
                    in_len,
                    output.as_mut_ptr().cast(),
                    out_len,
                )
            })
        }

        /// `mlx5_cmd_do()` with the output written over the input: the
        /// first `in_len` bytes of `buf` are the command, the first
        /// `out_len` its output.  Results as for [`CoreDev::cmd_do`].
        pub(crate) fn cmd_do_in_place(
            &self,
            buf: &mut [u8],
            in_len: usize,
            out_len: usize,
        ) -> Result {
            if in_len > buf.len() || out_len > buf.len() {
                return Err(EINVAL);
            }
            let p = buf.as_mut_ptr().cast();
            // SAFETY: `mdev` is valid (invariant); `p` covers both lengths
            // (checked).  Passing one buffer as input and output is allowed:
            // `mlx5_cmd_do()` copies the whole input into its own command
            // mailbox before it runs the command and writes the output.
            ran(unsafe {
                mlx5::mlx5_cmd_do(self.mdev.as_ptr(), p, c_len(in_len)?, p, c_len(out_len)?)
            })
        }
    }

    /// `mlx5_cmd_do()`'s result: `-EREMOTEIO` means the firmware ran the
    /// command and returned a bad status, which is in the output.
    fn ran(ret: i32) -> Result {
        match to_result(ret) {
            Err(e) if e == EREMOTEIO => Ok(()),
            r => r,
        }
    }
}

use mlx5_fw::CoreDev;

/// One fwctl device: the mlx5 function's command interface, while the
/// auxiliary device is bound (`'bound`).
struct Mlx5Dev<'bound> {
    core: CoreDev<'bound>,
}

/// The context of one open FD: its firmware user context.
struct Mlx5Uctx {
    uid: u16,
    caps: u32,
}

impl Operations for Mlx5Uctx {
    type RegistrationData<'a> = Mlx5Dev<'a>;

    const DEVICE_TYPE: DeviceType = DeviceType::Mlx5;

    fn open<'a>(
        device: &Device<Self>,
        mlx5: &Self::RegistrationData<'a>,
    ) -> impl PinInit<Self, Error> {
        let core = &mlx5.core;
        // Newer firmware offers the tools-resources label, which lets a
        // user context change global device state; older firmware only
        // gives the basic DEVX privileges.
        let caps = mlx5_cmds::uctx_caps_for(
            core.general_caps()
                .map(mlx5_cmds::hca_cap_uctx_cap)
                .unwrap_or(0),
        );
        let mut input = mlx5_cmds::create_uctx_in(caps);
        let mut output = [0u8; create_uctx::OUT_LEN];
        core.exec(&mut input, &mut output)?;
        let uid = mlx5_cmds::create_uctx_uid(&output);
        dev_dbg!(device.as_ref(), "uid {} created, caps {:#x}\n", uid, caps);
        Ok::<_, Error>(Mlx5Uctx { uid, caps })
    }

    fn close<'a>(this: Pin<&mut Self>, device: &Device<Self>, mlx5: &Self::RegistrationData<'a>) {
        let mut input = mlx5_cmds::destroy_uctx_in(this.uid);
        let mut output = [0u8; destroy_uctx::OUT_LEN];
        // Nothing to do on failure: the FD is gone either way, and firmware
        // drops a function's user contexts when the function resets.
        let r = mlx5.core.exec(&mut input, &mut output);
        dev_dbg!(device.as_ref(), "uid {} destroyed: {:?}\n", this.uid, r);
    }

    fn info<'a>(
        this: Pin<&Self>,
        _device: &Device<Self>,
        _mlx5: &Self::RegistrationData<'a>,
    ) -> Result<KVec<u8>> {
        let info = InfoMlx5 {
            uid: this.uid.into(),
            uctx_caps: this.caps,
        };
        let mut v = KVec::new();
        v.extend_from_slice(&info.to_bytes(), GFP_KERNEL)?;
        Ok(v)
    }

    fn fw_rpc<'a>(
        this: Pin<&Self>,
        device: &Device<Self>,
        mlx5: &Self::RegistrationData<'a>,
        scope: RpcScope,
        rpc: &mut [u8],
        out_len: usize,
    ) -> Result<FwRpcResponse> {
        let scope = Scope::from(scope);
        let hdr = mlx5_cmds::check_rpc(rpc, out_len, scope).map_err(|r| to_error(r.errno()))?;
        // The FD's user context, whatever the caller wrote there.
        mlx5_cmds::set_uid(rpc, this.uid);
        let core = &mlx5.core;
        let in_len = rpc.len();
        let resp = if out_len <= in_len {
            core.cmd_do_in_place(rpc, in_len, out_len)?;
            FwRpcResponse::InPlace(out_len)
        } else {
            let mut out = KVVec::from_elem(0u8, out_len, GFP_KERNEL)?;
            core.cmd_do(rpc, &mut out)?;
            FwRpcResponse::NewBuffer(out)
        };
        dev_dbg!(
            device.as_ref(),
            "uid {}: opcode {:#x} op_mod {:#x} in {} out {}\n",
            this.uid,
            hdr.opcode,
            hdr.op_mod,
            in_len,
            out_len
        );
        Ok(resp)
    }
}

/// What the driver keeps per bound auxiliary device, for as long as it is
/// bound (`'bound`).
struct Mlx5Binding<'bound> {
    _reg: Registration<'bound, Mlx5Uctx>,
}

/// The auxiliary driver for `mlx5_core.fwctl`.
struct FwctlMlx5;

kernel::auxiliary_device_table!(
    AUX_TABLE,
    <FwctlMlx5 as auxiliary::Driver>::IdInfo,
    [(auxiliary::DeviceId::new(c"mlx5_core", c"fwctl"), ())]
);

impl auxiliary::Driver for FwctlMlx5 {
    type IdInfo = ();
    type Data<'bound> = Mlx5Binding<'bound>;

    const ID_TABLE: auxiliary::IdTable<Self::IdInfo> = &AUX_TABLE;

    fn probe<'bound>(
        adev: &'bound auxiliary::Device<Core<'_>>,
        _info: &'bound Self::IdInfo,
    ) -> impl PinInit<Mlx5Binding<'bound>, Error> + 'bound {
        // SAFETY: the ID table matches only `mlx5_core.fwctl`, which
        // mlx5_core creates as a `struct mlx5_adev`.
        let core = unsafe { CoreDev::of_adev(adev) }?;
        // The parent is the PCI function, as upstream: mlx5_core makes it
        // the auxiliary device's parent.
        let parent = adev.parent();
        let dev = Device::<Mlx5Uctx>::new(parent)?;
        // SAFETY: `dev` was just allocated, by this thread.  The
        // registration is this binding's data, dropped when `adev` is
        // unbound (also when this module unloads: unregistering the driver
        // unbinds it), which comes before its parent is unbound: a parent
        // deletes its auxiliary devices first.  The data borrows the
        // binding (`CoreDev<'bound>`).
        let reg = unsafe { Registration::new(parent, &dev, Ok::<_, Error>(Mlx5Dev { core })) }?;
        Ok(Mlx5Binding { _reg: reg })
    }
}

/// Whether this kernel has upstream's mlx5 fwctl driver (`mlx5_fwctl`,
/// `CONFIG_FWCTL_MLX5`), which matches the same auxiliary devices
/// (`mlx5_core.fwctl`): this driver then stands aside, so that which of the
/// two binds a device never depends on load order.
const KERNEL_HAS_MLX5_FWCTL: bool = cfg!(any(CONFIG_FWCTL_MLX5, CONFIG_FWCTL_MLX5 = "m"));

/// The module: the auxiliary driver's registration
/// (`kernel::module_auxiliary_driver!` but for the check in `init`).
#[pin_data]
struct FwctlMlx5Module {
    #[pin]
    _driver: kernel::driver::Registration<kernel::auxiliary::Adapter<FwctlMlx5>>,
}

impl kernel::InPlaceModule for FwctlMlx5Module {
    fn init(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            _driver <- {
                if KERNEL_HAS_MLX5_FWCTL {
                    pr_info!(
                        "not loading: this kernel has upstream's mlx5_fwctl (CONFIG_FWCTL_MLX5), which drives the same devices\n"
                    );
                    return Err(ENODEV);
                }
                kernel::driver::Registration::new(
                    <Self as kernel::ModuleMetadata>::NAME,
                    module,
                )
            },
        })
    }
}

module! {
    type: FwctlMlx5Module,
    name: "fwctl_mlx5",
    authors: ["fwctl-rs developers"],
    description: "fwctl driver for NVIDIA ConnectX (mlx5) devices",
    license: "GPL",
    imports_ns: ["FWCTL"],
}
