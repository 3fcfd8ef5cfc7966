// SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR MIT

//! The pure logic of the mlx5 fwctl driver: the command mailbox header, the
//! user-context commands, and which commands each scope allows.
//!
//! An mlx5 command is a big-endian mailbox laid out as in
//! `include/linux/mlx5/mlx5_ifc.h`: every input starts with a 16-byte header
//! (opcode, uid, op_mod), every output with a 16-byte header (status,
//! syndrome).  fwctl binds each open FD to a firmware user context (uid),
//! which the driver writes into every command it forwards, so firmware can
//! tell the FD's commands from the kernel's (uid 0) and from each other's.
//!
//! Compiled into `fwctl_mlx5.ko` and, unchanged, into the host crate that
//! unit-tests it and into the `fwctl-uapi` crate the `fwctl` tool uses.
//! Only `core` is used; fields are read and written as big-endian bytes,
//! not with `kernel::transmute`, which neither swaps bytes nor exists on
//! the host.

use crate::uapi::{Errno, Scope};

/// Length of every command's input header (`struct mlx5_ifc_mbox_in_hdr`).
pub const IN_HDR_LEN: usize = 16;
/// Length of every command's output header (`struct mlx5_ifc_mbox_out_hdr`).
pub const OUT_HDR_LEN: usize = 16;

/// The uid a command from the kernel itself carries.
pub const KERNEL_UID: u16 = 0;

/// `MLX5_UCTX_OBJECT_CAP_TOOLS_RESOURCES`: a user context with this
/// capability may run commands that touch the global device state (newer
/// firmware); without it only the basic RDMA DEVX privileges apply.
pub const UCTX_CAP_TOOLS_RESOURCES: u32 = 0x4;

/// Command opcodes that fwctl forwards (the PRM's names without the
/// `MLX5_CMD_OP_` prefix), plus the two user-context commands the driver
/// sends itself.
pub mod op {
    /// `QUERY_HCA_CAP`.
    pub const QUERY_HCA_CAP: u16 = 0x0100;
    /// `QUERY_ADAPTER`.
    pub const QUERY_ADAPTER: u16 = 0x0101;
    /// `QUERY_PAGES`.
    pub const QUERY_PAGES: u16 = 0x0107;
    /// `SET_HCA_CAP`.
    pub const SET_HCA_CAP: u16 = 0x0109;
    /// `QUERY_ISSI`.
    pub const QUERY_ISSI: u16 = 0x010a;
    /// `QUERY_DRIVER_VERSION`.
    pub const QUERY_DRIVER_VERSION: u16 = 0x010c;
    /// `QUERY_OTHER_HCA_CAP`.
    pub const QUERY_OTHER_HCA_CAP: u16 = 0x010e;
    /// `QUERY_SF_PARTITION`.
    pub const QUERY_SF_PARTITION: u16 = 0x0111;
    /// `QUERY_VHCA_MIGRATION_STATE`.
    pub const QUERY_VHCA_MIGRATION_STATE: u16 = 0x0117;
    /// `QUERY_MKEY`.
    pub const QUERY_MKEY: u16 = 0x0201;
    /// `QUERY_SPECIAL_CONTEXTS`.
    pub const QUERY_SPECIAL_CONTEXTS: u16 = 0x0203;
    /// `QUERY_EQ`.
    pub const QUERY_EQ: u16 = 0x0303;
    /// `QUERY_CQ`.
    pub const QUERY_CQ: u16 = 0x0402;
    /// `QUERY_QP`.
    pub const QUERY_QP: u16 = 0x050b;
    /// `QUERY_RDB`.
    pub const QUERY_RDB: u16 = 0x0512;
    /// `QUERY_PSV`.
    pub const QUERY_PSV: u16 = 0x0602;
    /// `QUERY_SRQ`.
    pub const QUERY_SRQ: u16 = 0x0702;
    /// `QUERY_XRC_SRQ`.
    pub const QUERY_XRC_SRQ: u16 = 0x0707;
    /// `QUERY_DCT`.
    pub const QUERY_DCT: u16 = 0x0713;
    /// `QUERY_DC_CNAK_TRACE`.
    pub const QUERY_DC_CNAK_TRACE: u16 = 0x0716;
    /// `QUERY_XRQ`.
    pub const QUERY_XRQ: u16 = 0x0719;
    /// `QUERY_NVMF_BACKEND_CONTROLLER`.
    pub const QUERY_NVMF_BACKEND_CONTROLLER: u16 = 0x0722;
    /// `QUERY_XRQ_DC_PARAMS_ENTRY`.
    pub const QUERY_XRQ_DC_PARAMS_ENTRY: u16 = 0x0725;
    /// `QUERY_XRQ_ERROR_PARAMS`.
    pub const QUERY_XRQ_ERROR_PARAMS: u16 = 0x0727;
    /// `QUERY_NVMF_NAMESPACE_CONTEXT`.
    pub const QUERY_NVMF_NAMESPACE_CONTEXT: u16 = 0x0728;
    /// `QUERY_ADJACENT_FUNCTIONS_ID`.
    pub const QUERY_ADJACENT_FUNCTIONS_ID: u16 = 0x0730;
    /// `DELEGATE_VHCA_MANAGEMENT`.
    pub const DELEGATE_VHCA_MANAGEMENT: u16 = 0x0731;
    /// `QUERY_DELEGATED_VHCA`.
    pub const QUERY_DELEGATED_VHCA: u16 = 0x0732;
    /// `QUERY_ESW_FUNCTIONS`.
    pub const QUERY_ESW_FUNCTIONS: u16 = 0x0740;
    /// `QUERY_VPORT_STATE`.
    pub const QUERY_VPORT_STATE: u16 = 0x0750;
    /// `QUERY_ESW_VPORT_CONTEXT`.
    pub const QUERY_ESW_VPORT_CONTEXT: u16 = 0x0752;
    /// `QUERY_NIC_VPORT_CONTEXT`.
    pub const QUERY_NIC_VPORT_CONTEXT: u16 = 0x0754;
    /// `QUERY_ROCE_ADDRESS`.
    pub const QUERY_ROCE_ADDRESS: u16 = 0x0760;
    /// `QUERY_HCA_VPORT_CONTEXT`.
    pub const QUERY_HCA_VPORT_CONTEXT: u16 = 0x0762;
    /// `QUERY_HCA_VPORT_GID`.
    pub const QUERY_HCA_VPORT_GID: u16 = 0x0764;
    /// `QUERY_HCA_VPORT_PKEY`.
    pub const QUERY_HCA_VPORT_PKEY: u16 = 0x0765;
    /// `QUERY_VNIC_ENV`.
    pub const QUERY_VNIC_ENV: u16 = 0x076f;
    /// `QUERY_VPORT_COUNTER`.
    pub const QUERY_VPORT_COUNTER: u16 = 0x0770;
    /// `QUERY_Q_COUNTER`.
    pub const QUERY_Q_COUNTER: u16 = 0x0773;
    /// `QUERY_RATE_LIMIT`.
    pub const QUERY_RATE_LIMIT: u16 = 0x0781;
    /// `QUERY_SCHEDULING_ELEMENT`.
    pub const QUERY_SCHEDULING_ELEMENT: u16 = 0x0784;
    /// `ACCESS_REG`.
    pub const ACCESS_REG: u16 = 0x0805;
    /// `QUERY_MAD_DEMUX`.
    pub const QUERY_MAD_DEMUX: u16 = 0x080b;
    /// `NOP`.
    pub const NOP: u16 = 0x080d;
    /// `QUERY_BURST_SIZE`.
    pub const QUERY_BURST_SIZE: u16 = 0x0813;
    /// `QUERY_DIAGNOSTIC_PARAMS`.
    pub const QUERY_DIAGNOSTIC_PARAMS: u16 = 0x0819;
    /// `SET_DIAGNOSTIC_PARAMS`.
    pub const SET_DIAGNOSTIC_PARAMS: u16 = 0x0820;
    /// `QUERY_DIAGNOSTIC_COUNTERS`.
    pub const QUERY_DIAGNOSTIC_COUNTERS: u16 = 0x0821;
    /// `QUERY_CONG_STATUS`.
    pub const QUERY_CONG_STATUS: u16 = 0x0822;
    /// `MODIFY_CONG_STATUS`.
    pub const MODIFY_CONG_STATUS: u16 = 0x0823;
    /// `QUERY_CONG_PARAMS`.
    pub const QUERY_CONG_PARAMS: u16 = 0x0824;
    /// `QUERY_CONG_STATISTICS`.
    pub const QUERY_CONG_STATISTICS: u16 = 0x0826;
    /// `QUERY_L2_TABLE_ENTRY`.
    pub const QUERY_L2_TABLE_ENTRY: u16 = 0x082a;
    /// `QUERY_WOL_ROL`.
    pub const QUERY_WOL_ROL: u16 = 0x0831;
    /// `QUERY_LAG`.
    pub const QUERY_LAG: u16 = 0x0842;
    /// `QUERY_TIR`.
    pub const QUERY_TIR: u16 = 0x0903;
    /// `QUERY_SQ`.
    pub const QUERY_SQ: u16 = 0x0907;
    /// `QUERY_RQ`.
    pub const QUERY_RQ: u16 = 0x090b;
    /// `QUERY_RMP`.
    pub const QUERY_RMP: u16 = 0x090f;
    /// `QUERY_DELAY_DROP_PARAMS`.
    pub const QUERY_DELAY_DROP_PARAMS: u16 = 0x0911;
    /// `QUERY_TIS`.
    pub const QUERY_TIS: u16 = 0x0915;
    /// `QUERY_RQT`.
    pub const QUERY_RQT: u16 = 0x0919;
    /// `QUERY_FLOW_TABLE`.
    pub const QUERY_FLOW_TABLE: u16 = 0x0932;
    /// `QUERY_FLOW_GROUP`.
    pub const QUERY_FLOW_GROUP: u16 = 0x0935;
    /// `QUERY_FLOW_TABLE_ENTRY`.
    pub const QUERY_FLOW_TABLE_ENTRY: u16 = 0x0937;
    /// `QUERY_FLOW_COUNTER`.
    pub const QUERY_FLOW_COUNTER: u16 = 0x093b;
    /// `QUERY_PACKET_REFORMAT_CONTEXT`.
    pub const QUERY_PACKET_REFORMAT_CONTEXT: u16 = 0x093f;
    /// `QUERY_MODIFY_HEADER_CONTEXT`.
    pub const QUERY_MODIFY_HEADER_CONTEXT: u16 = 0x0942;
    /// `FPGA_QUERY_QP`.
    pub const FPGA_QUERY_QP: u16 = 0x0962;
    /// `FPGA_QUERY_QP_COUNTERS`.
    pub const FPGA_QUERY_QP_COUNTERS: u16 = 0x0964;
    /// `QUERY_AFU`.
    pub const QUERY_AFU: u16 = 0x0971;
    /// `QUERY_CAPI_PEC`.
    pub const QUERY_CAPI_PEC: u16 = 0x0981;
    /// `QUERY_GENERAL_OBJECT`.
    pub const QUERY_GENERAL_OBJECT: u16 = 0x0a02;
    /// `QUERY_UCTX`.
    pub const QUERY_UCTX: u16 = 0x0a05;
    /// `QUERY_UMEM`.
    pub const QUERY_UMEM: u16 = 0x0a09;
    /// `QUERY_NVMF_CC_RESPONSE`.
    pub const QUERY_NVMF_CC_RESPONSE: u16 = 0x0b02;
    /// `QUERY_EMULATED_FUNCTIONS_INFO`.
    pub const QUERY_EMULATED_FUNCTIONS_INFO: u16 = 0x0b03;
    /// `QUERY_REGEXP_PARAMS`.
    pub const QUERY_REGEXP_PARAMS: u16 = 0x0b05;
    /// `QUERY_REGEXP_REGISTER`.
    pub const QUERY_REGEXP_REGISTER: u16 = 0x0b07;
    /// `USER_QUERY_XRQ_DC_PARAMS_ENTRY`.
    pub const USER_QUERY_XRQ_DC_PARAMS_ENTRY: u16 = 0x0b08;
    /// `USER_QUERY_XRQ_ERROR_PARAMS`.
    pub const USER_QUERY_XRQ_ERROR_PARAMS: u16 = 0x0b0a;
    /// `ACCESS_REGISTER_USER`.
    pub const ACCESS_REGISTER_USER: u16 = 0x0b0c;
    /// `QUERY_VHCA_STATE`.
    pub const QUERY_VHCA_STATE: u16 = 0x0b0d;
    /// `QUERY_EMULATION_DEVICE_EQ_MSIX_MAPPING`.
    pub const QUERY_EMULATION_DEVICE_EQ_MSIX_MAPPING: u16 = 0x0b0f;
    /// `QUERY_MATCH_SAMPLE_INFO`.
    pub const QUERY_MATCH_SAMPLE_INFO: u16 = 0x0b13;
    /// `QUERY_CRYPTO_STATE`.
    pub const QUERY_CRYPTO_STATE: u16 = 0x0b14;
    /// `QUERY_VUID`.
    pub const QUERY_VUID: u16 = 0x0b22;
    /// `QUERY_DPA_PARTITION`.
    pub const QUERY_DPA_PARTITION: u16 = 0x0b28;
    /// `QUERY_DPA_PARTITIONS`.
    pub const QUERY_DPA_PARTITIONS: u16 = 0x0b2a;
    /// `POSTPONE_CONNECTED_QP_TIMEOUT`.
    pub const POSTPONE_CONNECTED_QP_TIMEOUT: u16 = 0x0b2e;
    /// `QUERY_EMULATED_RESOURCES_INFO`.
    pub const QUERY_EMULATED_RESOURCES_INFO: u16 = 0x0b2f;
    /// `QUERY_RSV_RESOURCES`.
    pub const QUERY_RSV_RESOURCES: u16 = 0x8000;
    /// `QUERY_MTT`.
    pub const QUERY_MTT: u16 = 0x8001;
    /// `QUERY_SCHED_QUEUE`.
    pub const QUERY_SCHED_QUEUE: u16 = 0x8006;
    /// Creates a firmware user context; sent by the driver at open.
    pub const CREATE_UCTX: u16 = 0x0a04;
    /// Destroys a firmware user context; sent by the driver at close.
    pub const DESTROY_UCTX: u16 = 0x0a06;
}

/// What a forwarded command may do, which decides the scope it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// Reads or sets device configuration that the firmware limits for a
    /// tools user context: any scope.
    Configuration,
    /// Reads debug state: `DEBUG_READ_ONLY` or above.
    DebugReadOnly,
    /// Changes debug state: `DEBUG_WRITE` or above.
    DebugWrite,
    /// `ACCESS_REG` and `ACCESS_REGISTER_USER`: a register write (`op_mod`
    /// 0) is configuration, any other `op_mod` reads and needs
    /// `DEBUG_READ_ONLY`.
    AccessReg,
}

/// Every opcode fwctl forwards, sorted by opcode: `(opcode, name, class)`.
///
/// Commands that create firmware objects are absent on purpose: nothing
/// would free those objects when the FD closes.  So are all commands not
/// known to be harmless at some scope.
pub const ALLOWED: &[(u16, &str, Class)] = &[
    (op::QUERY_HCA_CAP, "QUERY_HCA_CAP", Class::Configuration),
    (op::QUERY_ADAPTER, "QUERY_ADAPTER", Class::Configuration),
    (op::QUERY_PAGES, "QUERY_PAGES", Class::DebugReadOnly),
    (op::SET_HCA_CAP, "SET_HCA_CAP", Class::Configuration),
    (op::QUERY_ISSI, "QUERY_ISSI", Class::DebugReadOnly),
    (
        op::QUERY_DRIVER_VERSION,
        "QUERY_DRIVER_VERSION",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_OTHER_HCA_CAP,
        "QUERY_OTHER_HCA_CAP",
        Class::Configuration,
    ),
    (
        op::QUERY_SF_PARTITION,
        "QUERY_SF_PARTITION",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_VHCA_MIGRATION_STATE,
        "QUERY_VHCA_MIGRATION_STATE",
        Class::DebugReadOnly,
    ),
    (op::QUERY_MKEY, "QUERY_MKEY", Class::DebugReadOnly),
    (
        op::QUERY_SPECIAL_CONTEXTS,
        "QUERY_SPECIAL_CONTEXTS",
        Class::DebugReadOnly,
    ),
    (op::QUERY_EQ, "QUERY_EQ", Class::DebugReadOnly),
    (op::QUERY_CQ, "QUERY_CQ", Class::DebugReadOnly),
    (op::QUERY_QP, "QUERY_QP", Class::DebugReadOnly),
    (op::QUERY_RDB, "QUERY_RDB", Class::DebugReadOnly),
    (op::QUERY_PSV, "QUERY_PSV", Class::DebugReadOnly),
    (op::QUERY_SRQ, "QUERY_SRQ", Class::DebugReadOnly),
    (op::QUERY_XRC_SRQ, "QUERY_XRC_SRQ", Class::DebugReadOnly),
    (op::QUERY_DCT, "QUERY_DCT", Class::DebugReadOnly),
    (
        op::QUERY_DC_CNAK_TRACE,
        "QUERY_DC_CNAK_TRACE",
        Class::DebugReadOnly,
    ),
    (op::QUERY_XRQ, "QUERY_XRQ", Class::DebugReadOnly),
    (
        op::QUERY_NVMF_BACKEND_CONTROLLER,
        "QUERY_NVMF_BACKEND_CONTROLLER",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_XRQ_DC_PARAMS_ENTRY,
        "QUERY_XRQ_DC_PARAMS_ENTRY",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_XRQ_ERROR_PARAMS,
        "QUERY_XRQ_ERROR_PARAMS",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_NVMF_NAMESPACE_CONTEXT,
        "QUERY_NVMF_NAMESPACE_CONTEXT",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_ADJACENT_FUNCTIONS_ID,
        "QUERY_ADJACENT_FUNCTIONS_ID",
        Class::DebugReadOnly,
    ),
    (
        op::DELEGATE_VHCA_MANAGEMENT,
        "DELEGATE_VHCA_MANAGEMENT",
        Class::Configuration,
    ),
    (
        op::QUERY_DELEGATED_VHCA,
        "QUERY_DELEGATED_VHCA",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_ESW_FUNCTIONS,
        "QUERY_ESW_FUNCTIONS",
        Class::Configuration,
    ),
    (
        op::QUERY_VPORT_STATE,
        "QUERY_VPORT_STATE",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_ESW_VPORT_CONTEXT,
        "QUERY_ESW_VPORT_CONTEXT",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_NIC_VPORT_CONTEXT,
        "QUERY_NIC_VPORT_CONTEXT",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_ROCE_ADDRESS,
        "QUERY_ROCE_ADDRESS",
        Class::Configuration,
    ),
    (
        op::QUERY_HCA_VPORT_CONTEXT,
        "QUERY_HCA_VPORT_CONTEXT",
        Class::Configuration,
    ),
    (
        op::QUERY_HCA_VPORT_GID,
        "QUERY_HCA_VPORT_GID",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_HCA_VPORT_PKEY,
        "QUERY_HCA_VPORT_PKEY",
        Class::DebugReadOnly,
    ),
    (op::QUERY_VNIC_ENV, "QUERY_VNIC_ENV", Class::DebugReadOnly),
    (
        op::QUERY_VPORT_COUNTER,
        "QUERY_VPORT_COUNTER",
        Class::DebugReadOnly,
    ),
    (op::QUERY_Q_COUNTER, "QUERY_Q_COUNTER", Class::DebugReadOnly),
    (
        op::QUERY_RATE_LIMIT,
        "QUERY_RATE_LIMIT",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_SCHEDULING_ELEMENT,
        "QUERY_SCHEDULING_ELEMENT",
        Class::DebugReadOnly,
    ),
    (op::ACCESS_REG, "ACCESS_REG", Class::AccessReg),
    (op::QUERY_MAD_DEMUX, "QUERY_MAD_DEMUX", Class::DebugReadOnly),
    (op::NOP, "NOP", Class::DebugReadOnly),
    (
        op::QUERY_BURST_SIZE,
        "QUERY_BURST_SIZE",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_DIAGNOSTIC_PARAMS,
        "QUERY_DIAGNOSTIC_PARAMS",
        Class::DebugReadOnly,
    ),
    (
        op::SET_DIAGNOSTIC_PARAMS,
        "SET_DIAGNOSTIC_PARAMS",
        Class::DebugWrite,
    ),
    (
        op::QUERY_DIAGNOSTIC_COUNTERS,
        "QUERY_DIAGNOSTIC_COUNTERS",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_CONG_STATUS,
        "QUERY_CONG_STATUS",
        Class::DebugReadOnly,
    ),
    (
        op::MODIFY_CONG_STATUS,
        "MODIFY_CONG_STATUS",
        Class::Configuration,
    ),
    (
        op::QUERY_CONG_PARAMS,
        "QUERY_CONG_PARAMS",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_CONG_STATISTICS,
        "QUERY_CONG_STATISTICS",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_L2_TABLE_ENTRY,
        "QUERY_L2_TABLE_ENTRY",
        Class::DebugReadOnly,
    ),
    (op::QUERY_WOL_ROL, "QUERY_WOL_ROL", Class::DebugReadOnly),
    (op::QUERY_LAG, "QUERY_LAG", Class::DebugReadOnly),
    (op::QUERY_TIR, "QUERY_TIR", Class::DebugReadOnly),
    (op::QUERY_SQ, "QUERY_SQ", Class::DebugReadOnly),
    (op::QUERY_RQ, "QUERY_RQ", Class::DebugReadOnly),
    (op::QUERY_RMP, "QUERY_RMP", Class::DebugReadOnly),
    (
        op::QUERY_DELAY_DROP_PARAMS,
        "QUERY_DELAY_DROP_PARAMS",
        Class::DebugReadOnly,
    ),
    (op::QUERY_TIS, "QUERY_TIS", Class::DebugReadOnly),
    (op::QUERY_RQT, "QUERY_RQT", Class::DebugReadOnly),
    (
        op::QUERY_FLOW_TABLE,
        "QUERY_FLOW_TABLE",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_FLOW_GROUP,
        "QUERY_FLOW_GROUP",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_FLOW_TABLE_ENTRY,
        "QUERY_FLOW_TABLE_ENTRY",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_FLOW_COUNTER,
        "QUERY_FLOW_COUNTER",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_PACKET_REFORMAT_CONTEXT,
        "QUERY_PACKET_REFORMAT_CONTEXT",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_MODIFY_HEADER_CONTEXT,
        "QUERY_MODIFY_HEADER_CONTEXT",
        Class::DebugReadOnly,
    ),
    (op::FPGA_QUERY_QP, "FPGA_QUERY_QP", Class::DebugReadOnly),
    (
        op::FPGA_QUERY_QP_COUNTERS,
        "FPGA_QUERY_QP_COUNTERS",
        Class::DebugReadOnly,
    ),
    (op::QUERY_AFU, "QUERY_AFU", Class::DebugReadOnly),
    (op::QUERY_CAPI_PEC, "QUERY_CAPI_PEC", Class::DebugReadOnly),
    (
        op::QUERY_GENERAL_OBJECT,
        "QUERY_GENERAL_OBJECT",
        Class::DebugReadOnly,
    ),
    (op::QUERY_UCTX, "QUERY_UCTX", Class::DebugReadOnly),
    (op::QUERY_UMEM, "QUERY_UMEM", Class::DebugReadOnly),
    (
        op::QUERY_NVMF_CC_RESPONSE,
        "QUERY_NVMF_CC_RESPONSE",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_EMULATED_FUNCTIONS_INFO,
        "QUERY_EMULATED_FUNCTIONS_INFO",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_REGEXP_PARAMS,
        "QUERY_REGEXP_PARAMS",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_REGEXP_REGISTER,
        "QUERY_REGEXP_REGISTER",
        Class::DebugReadOnly,
    ),
    (
        op::USER_QUERY_XRQ_DC_PARAMS_ENTRY,
        "USER_QUERY_XRQ_DC_PARAMS_ENTRY",
        Class::DebugReadOnly,
    ),
    (
        op::USER_QUERY_XRQ_ERROR_PARAMS,
        "USER_QUERY_XRQ_ERROR_PARAMS",
        Class::DebugReadOnly,
    ),
    (
        op::ACCESS_REGISTER_USER,
        "ACCESS_REGISTER_USER",
        Class::AccessReg,
    ),
    (
        op::QUERY_VHCA_STATE,
        "QUERY_VHCA_STATE",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_EMULATION_DEVICE_EQ_MSIX_MAPPING,
        "QUERY_EMULATION_DEVICE_EQ_MSIX_MAPPING",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_MATCH_SAMPLE_INFO,
        "QUERY_MATCH_SAMPLE_INFO",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_CRYPTO_STATE,
        "QUERY_CRYPTO_STATE",
        Class::DebugReadOnly,
    ),
    (op::QUERY_VUID, "QUERY_VUID", Class::Configuration),
    (
        op::QUERY_DPA_PARTITION,
        "QUERY_DPA_PARTITION",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_DPA_PARTITIONS,
        "QUERY_DPA_PARTITIONS",
        Class::DebugReadOnly,
    ),
    (
        op::POSTPONE_CONNECTED_QP_TIMEOUT,
        "POSTPONE_CONNECTED_QP_TIMEOUT",
        Class::Configuration,
    ),
    (
        op::QUERY_EMULATED_RESOURCES_INFO,
        "QUERY_EMULATED_RESOURCES_INFO",
        Class::DebugReadOnly,
    ),
    (
        op::QUERY_RSV_RESOURCES,
        "QUERY_RSV_RESOURCES",
        Class::DebugReadOnly,
    ),
    (op::QUERY_MTT, "QUERY_MTT", Class::DebugReadOnly),
    (
        op::QUERY_SCHED_QUEUE,
        "QUERY_SCHED_QUEUE",
        Class::DebugReadOnly,
    ),
];

/// The class of `opcode`, or `None` if fwctl never forwards it.
pub fn class(opcode: u16) -> Option<Class> {
    ALLOWED
        .binary_search_by_key(&opcode, |&(o, _, _)| o)
        .ok()
        .map(|i| ALLOWED[i].2)
}

/// The name of a forwarded opcode, for logs and tools.
pub fn name(opcode: u16) -> Option<&'static str> {
    match opcode {
        op::CREATE_UCTX => Some("CREATE_UCTX"),
        op::DESTROY_UCTX => Some("DESTROY_UCTX"),
        _ => ALLOWED
            .binary_search_by_key(&opcode, |&(o, _, _)| o)
            .ok()
            .map(|i| ALLOWED[i].1),
    }
}

/// The lowest scope at which command `opcode` with `op_mod` is forwarded,
/// or `None` if it never is.
pub fn required_scope(opcode: u16, op_mod: u16) -> Option<Scope> {
    Some(match class(opcode)? {
        Class::Configuration => Scope::Configuration,
        Class::DebugReadOnly => Scope::DebugReadOnly,
        Class::DebugWrite => Scope::DebugWrite,
        Class::AccessReg if op_mod == 0 => Scope::Configuration,
        Class::AccessReg => Scope::DebugReadOnly,
    })
}

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// A command's input header, read from the first [`IN_HDR_LEN`] bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InHdr {
    /// The command.
    pub opcode: u16,
    /// The user context the command runs in.
    pub uid: u16,
    /// The command's modifier (for `ACCESS_REG`: 0 writes, 1 reads).
    pub op_mod: u16,
}

impl InHdr {
    /// Byte offset of `opcode` (bits 0x00..0x10).
    pub const OPCODE_AT: usize = 0;
    /// Byte offset of `uid` (bits 0x10..0x20).
    pub const UID_AT: usize = 2;
    /// Byte offset of `op_mod` (bits 0x30..0x40).
    pub const OP_MOD_AT: usize = 6;

    /// Reads the header of `input`, or `None` if it is shorter than one.
    pub fn parse(input: &[u8]) -> Option<Self> {
        if input.len() < IN_HDR_LEN {
            return None;
        }
        Some(InHdr {
            opcode: be16(input, Self::OPCODE_AT),
            uid: be16(input, Self::UID_AT),
            op_mod: be16(input, Self::OP_MOD_AT),
        })
    }

    /// A header for `opcode` and `op_mod`, uid 0 (the driver sets it).
    pub fn new(opcode: u16, op_mod: u16) -> Self {
        InHdr {
            opcode,
            uid: KERNEL_UID,
            op_mod,
        }
    }

    /// Writes the header into the first [`IN_HDR_LEN`] bytes of `out`,
    /// leaving the reserved bytes as they are.
    ///
    /// # Panics
    ///
    /// If `out` is shorter than a header.
    pub fn write(&self, out: &mut [u8]) {
        out[Self::OPCODE_AT..Self::OPCODE_AT + 2].copy_from_slice(&self.opcode.to_be_bytes());
        out[Self::UID_AT..Self::UID_AT + 2].copy_from_slice(&self.uid.to_be_bytes());
        out[Self::OP_MOD_AT..Self::OP_MOD_AT + 2].copy_from_slice(&self.op_mod.to_be_bytes());
    }
}

/// Writes `uid` into the header of `input`: the FD's user context, whatever
/// the caller put there.  Returns `false` (and writes nothing) if `input`
/// is shorter than a header.
pub fn set_uid(input: &mut [u8], uid: u16) -> bool {
    match input.get_mut(InHdr::UID_AT..InHdr::UID_AT + 2) {
        Some(field) => {
            field.copy_from_slice(&uid.to_be_bytes());
            true
        }
        None => false,
    }
}

/// A command's output header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutHdr {
    /// `MLX5_CMD_STAT_*`; 0 is success.
    pub status: u8,
    /// Firmware's detail of a failure, meaningful with a non-zero status.
    pub syndrome: u32,
}

impl OutHdr {
    /// Reads the header of `output`, or `None` if it is shorter than one.
    pub fn parse(output: &[u8]) -> Option<Self> {
        if output.len() < OUT_HDR_LEN {
            return None;
        }
        Some(OutHdr {
            status: output[0],
            syndrome: be32(output, 4),
        })
    }
}

/// The firmware statuses of `MLX5_CMD_STAT_*` (`include/linux/mlx5/device.h`).
pub mod status {
    /// The command ran.
    pub const OK: u8 = 0x0;
    /// Internal firmware error.
    pub const INT_ERR: u8 = 0x1;
    /// Unknown opcode or op_mod.
    pub const BAD_OP_ERR: u8 = 0x2;
    /// A parameter is invalid.
    pub const BAD_PARAM_ERR: u8 = 0x3;
    /// The system is in the wrong state for the command.
    pub const BAD_SYS_STATE_ERR: u8 = 0x4;
    /// A resource (object) is invalid or not the caller's.
    pub const BAD_RES_ERR: u8 = 0x5;
    /// The resource is busy.
    pub const RES_BUSY: u8 = 0x6;
    /// The caller may not run this command.
    pub const NOT_READY_ERR: u8 = 0x7;
    /// Exceeded a resource limit.
    pub const LIM_ERR: u8 = 0x8;
    /// Bad resource state.
    pub const BAD_RES_STATE_ERR: u8 = 0x9;
    /// Bad index.
    pub const IX_ERR: u8 = 0xa;
    /// No resources.
    pub const NO_RES_ERR: u8 = 0xf;
    /// Bad input length.
    pub const BAD_INP_LEN_ERR: u8 = 0x50;
    /// Bad output length.
    pub const BAD_OUTP_LEN_ERR: u8 = 0x51;
    /// Bad queue state.
    pub const BAD_QP_STATE_ERR: u8 = 0x10;
    /// Bad packet.
    pub const BAD_PKT_ERR: u8 = 0x30;
    /// Bad size: too many outstanding CQEs.
    pub const BAD_SIZE_OUTS_CQES_ERR: u8 = 0x40;

    /// The PRM's name of `status`.
    pub fn name(status: u8) -> &'static str {
        match status {
            OK => "OK",
            INT_ERR => "INT_ERR",
            BAD_OP_ERR => "BAD_OP_ERR",
            BAD_PARAM_ERR => "BAD_PARAM_ERR",
            BAD_SYS_STATE_ERR => "BAD_SYS_STATE_ERR",
            BAD_RES_ERR => "BAD_RES_ERR",
            RES_BUSY => "RES_BUSY",
            NOT_READY_ERR => "NOT_READY_ERR",
            LIM_ERR => "LIM_ERR",
            BAD_RES_STATE_ERR => "BAD_RES_STATE_ERR",
            IX_ERR => "IX_ERR",
            NO_RES_ERR => "NO_RES_ERR",
            BAD_QP_STATE_ERR => "BAD_QP_STATE_ERR",
            BAD_PKT_ERR => "BAD_PKT_ERR",
            BAD_SIZE_OUTS_CQES_ERR => "BAD_SIZE_OUTS_CQES_ERR",
            BAD_INP_LEN_ERR => "BAD_INP_LEN_ERR",
            BAD_OUTP_LEN_ERR => "BAD_OUTP_LEN_ERR",
            _ => "unknown status",
        }
    }
}

/// Why [`check_rpc`] refused a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// The request or the response buffer cannot hold a header.
    TooShort,
    /// The command is not forwarded at this scope (or at all).
    Scope {
        /// The command.
        opcode: u16,
        /// Its modifier.
        op_mod: u16,
    },
}

impl Refused {
    /// The errno of the refusal, as upstream returns it.
    pub fn errno(self) -> Errno {
        match self {
            Refused::TooShort => Errno::EMSGSIZE,
            Refused::Scope { .. } => Errno::EBADMSG,
        }
    }
}

/// Decides whether an `FWCTL_RPC` request is forwarded: both buffers hold a
/// header, and the command is allowed at `scope`.  Returns the header.
pub fn check_rpc(input: &[u8], out_len: usize, scope: Scope) -> Result<InHdr, Refused> {
    let hdr = match InHdr::parse(input) {
        Some(h) if out_len >= OUT_HDR_LEN => h,
        _ => return Err(Refused::TooShort),
    };
    match required_scope(hdr.opcode, hdr.op_mod) {
        Some(min) if scope >= min => Ok(hdr),
        _ => Err(Refused::Scope {
            opcode: hdr.opcode,
            op_mod: hdr.op_mod,
        }),
    }
}

/// `CREATE_UCTX`: input and output sizes, and where the fields are.
pub mod create_uctx {
    /// Input length: header, then `struct mlx5_ifc_uctx_bits` (0x180 bits).
    pub const IN_LEN: usize = 16 + 48;
    /// Output length.
    pub const OUT_LEN: usize = 16;
    /// Byte offset of `uctx.cap` in the input.
    pub const CAP_AT: usize = 16;
    /// Byte offset of `uid` in the output (bits 0x50..0x60).
    pub const UID_AT: usize = 10;
}

/// `DESTROY_UCTX`: input and output sizes, and where the uid goes.
pub mod destroy_uctx {
    /// Input length.
    pub const IN_LEN: usize = 16;
    /// Output length.
    pub const OUT_LEN: usize = 16;
    /// Byte offset of the uid to destroy (bits 0x50..0x60).
    pub const UID_AT: usize = 10;
}

/// The input of `CREATE_UCTX` asking for capabilities `caps`.
pub fn create_uctx_in(caps: u32) -> [u8; create_uctx::IN_LEN] {
    let mut b = [0u8; create_uctx::IN_LEN];
    InHdr::new(op::CREATE_UCTX, 0).write(&mut b);
    b[create_uctx::CAP_AT..create_uctx::CAP_AT + 4].copy_from_slice(&caps.to_be_bytes());
    b
}

/// The uid in the output of a successful `CREATE_UCTX`.
pub fn create_uctx_uid(out: &[u8; create_uctx::OUT_LEN]) -> u16 {
    be16(out, create_uctx::UID_AT)
}

/// The input of `DESTROY_UCTX` for `uid`.
pub fn destroy_uctx_in(uid: u16) -> [u8; destroy_uctx::IN_LEN] {
    let mut b = [0u8; destroy_uctx::IN_LEN];
    InHdr::new(op::DESTROY_UCTX, 0).write(&mut b);
    b[destroy_uctx::UID_AT..destroy_uctx::UID_AT + 2].copy_from_slice(&uid.to_be_bytes());
    b
}

/// Bit offset of `uctx_cap` in `struct mlx5_ifc_cmd_hca_cap_bits`.
pub const HCA_CAP_UCTX_CAP_BIT: usize = 0x6a0;

/// `uctx_cap` of the general HCA capabilities `caps` (big-endian dwords as
/// the firmware returned them), or 0 if `caps` is too short.
pub fn hca_cap_uctx_cap(caps: &[u8]) -> u32 {
    let at = HCA_CAP_UCTX_CAP_BIT / 8;
    if caps.len() < at + 4 {
        return 0;
    }
    be32(caps, at)
}

/// The capabilities a new user context asks for, given the device's
/// `uctx_cap`: the tools-resources label when the firmware offers it.
pub fn uctx_caps_for(uctx_cap: u32) -> u32 {
    uctx_cap & UCTX_CAP_TOOLS_RESOURCES
}

/// `struct fwctl_info_mlx5`: what `FWCTL_INFO` returns for an mlx5 FD.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct InfoMlx5 {
    /// The firmware uid bound to the FD.
    pub uid: u32,
    /// The capabilities of that user context.
    pub uctx_caps: u32,
}

impl InfoMlx5 {
    /// Size of the C struct.
    pub const SIZE: usize = 8;

    /// The C struct's bytes (native endianness, as the uAPI is).
    pub fn to_bytes(self) -> [u8; Self::SIZE] {
        let mut b = [0u8; Self::SIZE];
        b[0..4].copy_from_slice(&self.uid.to_ne_bytes());
        b[4..8].copy_from_slice(&self.uctx_caps.to_ne_bytes());
        b
    }

    /// Reads the C struct; missing bytes read as zero.
    pub fn from_bytes(b: &[u8]) -> Self {
        let mut full = [0u8; Self::SIZE];
        let n = b.len().min(Self::SIZE);
        full[..n].copy_from_slice(&b[..n]);
        InfoMlx5 {
            uid: u32::from_ne_bytes([full[0], full[1], full[2], full[3]]),
            uctx_caps: u32::from_ne_bytes([full[4], full[5], full[6], full[7]]),
        }
    }
}
