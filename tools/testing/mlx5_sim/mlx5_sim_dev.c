// SPDX-License-Identifier: GPL-2.0
/*
 * mlx5_sim: a test-only stand-in for mlx5_core and a ConnectX firmware.
 *
 * No emulator models a ConnectX, so fwctl_mlx5 (and upstream's mlx5_fwctl)
 * are tested end to end against this module.  It exports the two command
 * entry points the drivers call, mlx5_cmd_do() and mlx5_cmd_exec(), with
 * the prototypes and return rules of include/linux/mlx5/driver.h and
 * mlx5_core's cmd.c (mlx5_sim_cmd.c, which gives them mlx5_core's symbol
 * CRCs on a MODVERSIONS kernel); it therefore cannot be loaded beside the
 * real mlx5_core.  Each simulated device is:
 *
 *   the function        either a faux device mlx5_sim.N (devices made with
 *                       the ndevs parameter or the add control file), or a
 *                       real PCI function of the guest bound to this
 *                       module's PCI driver, named mlx5_core as the real
 *                       one, by driver_override (any PCI device QEMU
 *                       emulates, e.g. -device pci-testdev): then the fake
 *                       core device's pdev is it, as on a real ConnectX,
 *                       and tools that look for the fwctl device's PCI
 *                       parent and its mlx5_core driver find them
 *   mlx5_core.fwctl.N   the auxiliary device the fwctl driver binds to,
 *                       embedded in a struct mlx5_adev whose mdev is the
 *                       fake core device, and whose parent is the function
 *
 * The fake struct mlx5_core_dev holds only what a driver reads without the
 * core: caps.hca[MLX5_CAP_GENERAL] (cur and max), device, pdev (PCI
 * functions only) and state.
 *
 * The firmware answers, per the layouts of include/linux/mlx5/mlx5_ifc.h
 * (and, for what that file lacks, the layouts below, after the public
 * programmer's reference manual): QUERY_HCA_CAP (general capabilities),
 * QUERY_ADAPTER, NOP, CREATE_UCTX, DESTROY_UCTX, QUERY_UCTX, ACCESS_REG of
 * MGIR (read only), SET_DIAGNOSTIC_PARAMS, QUERY_DIAGNOSTIC_PARAMS and
 * QUERY_DIAGNOSTIC_COUNTERS.  Every command goes through the same checks,
 * in this order, each failing with the real status and a syndrome of
 * mlx5_sim.h: known opcode (BAD_OP), input and output at least as long as
 * the command's layout (BAD_INP_LEN, BAD_OUTP_LEN), a non-zero uid in the
 * header must be a live user context of the device (BAD_PARAM), and
 * commands on device-global or diagnostic state (ACCESS_REG, the
 * diagnostic ones) from a user context need its TOOLS_RESOURCES capability
 * (BAD_PARAM).  A uid of 0 is the kernel's, and may do anything.
 *
 * The control files and the simulated values are described in mlx5_sim.h.
 *
 * Locking: mlx5_sim_lock protects the device list and serializes adding and
 * removing devices; it is never taken on the command path.  Each device's
 * lock serializes its commands (its user contexts and diagnostic state).
 * The driver's remove() runs commands (DESTROY_UCTX) while a device is
 * being removed, with mlx5_sim_lock held, which is why the command path
 * must not take it.
 */

#include <linux/atomic.h>
#include <linux/auxiliary_bus.h>
#include <linux/device/faux.h>
#include <linux/err.h>
#include <linux/idr.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/mlx5/device.h>
#include <linux/mlx5/driver.h>
#include <linux/mlx5/mlx5_ifc.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/xarray.h>

#include "mlx5_sim.h"
#include "mlx5_sim_cmd.h"

static unsigned int ndevs = 1;
module_param(ndevs, uint, 0444);
MODULE_PARM_DESC(ndevs, "Number of simulated devices created at load (default 1)");

static bool tools_resources = true;
module_param(tools_resources, bool, 0644);
MODULE_PARM_DESC(tools_resources,
		 "Devices created from now on offer the TOOLS_RESOURCES user context capability (default 1)");

/* Opcodes upstream's fwctl driver knows that mlx5_ifc.h does not name. */
enum {
	MLX5_SIM_OP_QUERY_DIAGNOSTIC_PARAMS = 0x819,
	MLX5_SIM_OP_SET_DIAGNOSTIC_PARAMS = 0x820,
	MLX5_SIM_OP_QUERY_DIAGNOSTIC_COUNTERS = 0x821,
	MLX5_SIM_OP_QUERY_UCTX = 0xa05,
};

/* The header every command starts with, and every answer. */
struct mlx5_ifc_mbox_in_bits {
	u8 opcode[0x10];
	u8 uid[0x10];

	u8 reserved_at_20[0x10];
	u8 op_mod[0x10];

	u8 reserved_at_40[0x40];
};

struct mlx5_ifc_mbox_out_bits {
	u8 status[0x8];
	u8 reserved_at_8[0x18];

	u8 syndrome[0x20];

	u8 reserved_at_40[0x40];
};

/* QUERY_UCTX: the object's uid where DESTROY_UCTX has it; the context back. */
struct mlx5_ifc_query_uctx_in_bits {
	u8 opcode[0x10];
	u8 uid[0x10];

	u8 reserved_at_20[0x10];
	u8 op_mod[0x10];

	u8 reserved_at_40[0x10];
	u8 obj_uid[0x10];

	u8 reserved_at_60[0x20];
};

struct mlx5_ifc_query_uctx_out_bits {
	u8 status[0x8];
	u8 reserved_at_8[0x18];

	u8 syndrome[0x20];

	u8 reserved_at_40[0x40];

	struct mlx5_ifc_uctx_bits uctx;
};

/* MGIR, the Management General Information Register: four blocks. */
struct mlx5_ifc_mgir_hardware_info_bits {
	u8 device_hw_revision[0x10];
	u8 device_id[0x10];

	u8 reserved_at_20[0x1];
	u8 ib_mad_gen[0x3];
	u8 num_ports[0xc];
	u8 technology[0x5];
	u8 reserved_at_35[0x6];
	u8 pvs[0x5];

	u8 reserved_at_40[0x10];
	u8 hw_dev_id[0x10];

	u8 reserved_at_60[0x20];

	u8 reserved_at_80[0x10];
	u8 manufacturing_base_mac_47_32[0x10];

	u8 manufacturing_base_mac_31_0[0x20];

	u8 reserved_at_c0[0x20];

	u8 uptime[0x20];
};

struct mlx5_ifc_mgir_fw_info_bits {
	u8 reserved_at_0[0x1];
	u8 dev_sc[0x1];
	u8 reserved_at_2[0x1];
	u8 string_tlv[0x1];
	u8 dev[0x1];
	u8 debug[0x1];
	u8 signed_fw[0x1];
	u8 secured[0x1];
	u8 major[0x8];
	u8 minor[0x8];
	u8 sub_minor[0x8];

	u8 build_id[0x20];

	u8 month[0x8];
	u8 day[0x8];
	u8 year[0x10];

	u8 reserved_at_60[0x10];
	u8 hour[0x10];

	u8 psid[16][0x8];

	u8 ini_file_version[0x20];

	u8 extended_major[0x20];

	u8 extended_minor[0x20];

	u8 extended_sub_minor[0x20];

	u8 reserved_at_180[0x80];
};

struct mlx5_ifc_mgir_sw_info_bits {
	u8 reserved_at_0[0x8];
	u8 major[0x8];
	u8 minor[0x8];
	u8 sub_minor[0x8];

	u8 reserved_at_20[0xe0];
};

struct mlx5_ifc_mgir_reg_bits {
	struct mlx5_ifc_mgir_hardware_info_bits hardware_info;

	struct mlx5_ifc_mgir_fw_info_bits fw_info;

	struct mlx5_ifc_mgir_sw_info_bits sw_info;

	u8 dev_branch_tag[28][0x8];

	u8 reserved_at_4e0[0x20];
};

/* Diagnostic counters. */
struct mlx5_ifc_diag_counter_id_bits {
	u8 reserved_at_0[0x10];
	u8 counter_id[0x10];
};

struct mlx5_ifc_diagnostic_params_context_bits {
	u8 num_of_counters[0x10];
	u8 reserved_at_10[0x8];
	u8 log_num_of_samples[0x8];

	u8 single[0x1];
	u8 repetitive[0x1];
	u8 sync[0x1];
	u8 clear[0x1];
	u8 on_demand[0x1];
	u8 enable[0x1];
	u8 reserved_at_26[0x12];
	u8 log_sample_period[0x8];

	u8 reserved_at_40[0x80];

	struct mlx5_ifc_diag_counter_id_bits counter_id[];
};

struct mlx5_ifc_set_diagnostic_params_in_bits {
	u8 opcode[0x10];
	u8 uid[0x10];

	u8 reserved_at_20[0x10];
	u8 op_mod[0x10];

	struct mlx5_ifc_diagnostic_params_context_bits diagnostic_params_context;
};

struct mlx5_ifc_query_diagnostic_params_out_bits {
	u8 status[0x8];
	u8 reserved_at_8[0x18];

	u8 syndrome[0x20];

	struct mlx5_ifc_diagnostic_params_context_bits diagnostic_params_context;
};

struct mlx5_ifc_diagnostic_cntr_struct_bits {
	u8 counter_id[0x10];
	u8 sample_id[0x10];

	u8 time_stamp_31_0[0x20];

	u8 counter_value_h[0x20];

	u8 counter_value_l[0x20];
};

struct mlx5_ifc_query_diagnostic_cntrs_in_bits {
	u8 opcode[0x10];
	u8 uid[0x10];

	u8 reserved_at_20[0x10];
	u8 op_mod[0x10];

	u8 num_of_samples[0x10];
	u8 sample_index[0x10];

	u8 reserved_at_60[0x20];
};

struct mlx5_ifc_query_diagnostic_cntrs_out_bits {
	u8 status[0x8];
	u8 reserved_at_8[0x18];

	u8 syndrome[0x20];

	u8 reserved_at_40[0x40];

	struct mlx5_ifc_diagnostic_cntr_struct_bits diag_counter[];
};

static_assert(MLX5_ST_SZ_BYTES(mgir_reg) == MLX5_SIM_MGIR_LEN);
static_assert(MLX5_ST_SZ_BYTES(mbox_in) == 16);
static_assert(MLX5_ST_SZ_BYTES(mbox_out) == 16);

struct mlx5_sim_diag {
	bool enabled;
	u8 log_num_of_samples;
	u8 log_sample_period;
	/* The context's flag bits, as set (single ... enable). */
	u8 single, repetitive, sync, clear, on_demand;
	u16 nr_counters;
	u16 counter_id[MLX5_SIM_DIAG_MAX_COUNTERS];
};

struct mlx5_sim_dev {
	/*
	 * What the driver gets (madev->mdev); the command entry points find
	 * the simulated device from it with container_of().
	 */
	struct mlx5_core_dev mdev;
	struct mlx5_hca_cap gen_cap;
	/* The function: a faux device, or a PCI function (pdev). */
	struct faux_device *faux;
	struct pci_dev *pdev;
	struct mlx5_adev *madev;
	struct list_head node;
	u32 index;
	bool tools_resources;

	/* Serializes this device's commands, and protects what follows. */
	struct mutex lock;
	/* Live user contexts: uid -> xa_mk_value(caps). */
	struct xarray uctx;
	u32 next_uid;
	u32 nr_uctx;
	struct mlx5_sim_diag diag;
};

static DEFINE_MUTEX(mlx5_sim_lock);
static LIST_HEAD(mlx5_sim_devs);
static DEFINE_IDA(mlx5_sim_ida);

static atomic_t mlx5_sim_live_uctx = ATOMIC_INIT(0);
static atomic_t mlx5_sim_last_uid = ATOMIC_INIT(0);
static atomic64_t mlx5_sim_commands = ATOMIC64_INIT(0);

/* One-shot failure injection; opcode -1 matches any command. */
struct mlx5_sim_fail {
	bool armed;
	int opcode;
	u8 status;
	u32 syndrome;
	int err;
};

static DEFINE_SPINLOCK(mlx5_sim_fail_lock);
static struct mlx5_sim_fail mlx5_sim_fail_status;
static struct mlx5_sim_fail mlx5_sim_fail_errno;

/* Disarm and copy out *fail if it is armed for opcode. */
static bool mlx5_sim_take_fail(struct mlx5_sim_fail *fail, u16 opcode,
			       struct mlx5_sim_fail *taken)
{
	bool hit = false;

	spin_lock(&mlx5_sim_fail_lock);
	if (fail->armed && (fail->opcode < 0 || fail->opcode == opcode)) {
		*taken = *fail;
		fail->armed = false;
		hit = true;
	}
	spin_unlock(&mlx5_sim_fail_lock);
	return hit;
}

static struct mlx5_sim_dev *to_sim_dev(struct mlx5_core_dev *mdev)
{
	return container_of(mdev, struct mlx5_sim_dev, mdev);
}

/* The firmware */

/* What a command handler gets: a private copy of the input, the output. */
struct mlx5_sim_cmd {
	struct mlx5_sim_dev *sdev;
	const void *in;
	size_t in_size;
	void *out;
	size_t out_size;
	u16 uid;
	u16 op_mod;
	u32 syndrome;
};

static u8 mlx5_sim_fail_cmd(struct mlx5_sim_cmd *cmd, u8 status, u32 syndrome)
{
	cmd->syndrome = syndrome;
	return status;
}

static u8 mlx5_sim_need_out(struct mlx5_sim_cmd *cmd, size_t len)
{
	if (cmd->out_size < len)
		return mlx5_sim_fail_cmd(cmd, MLX5_CMD_STAT_BAD_OUTP_LEN_ERR,
					 MLX5_SIM_SYND_BAD_OUTP_LEN);
	return MLX5_CMD_STAT_OK;
}

static u8 mlx5_sim_need_in(struct mlx5_sim_cmd *cmd, size_t len)
{
	if (cmd->in_size < len)
		return mlx5_sim_fail_cmd(cmd, MLX5_CMD_STAT_BAD_INP_LEN_ERR,
					 MLX5_SIM_SYND_BAD_INP_LEN);
	return MLX5_CMD_STAT_OK;
}

static u8 mlx5_sim_nop(struct mlx5_sim_cmd *cmd)
{
	return MLX5_CMD_STAT_OK;
}

static u8 mlx5_sim_query_hca_cap(struct mlx5_sim_cmd *cmd)
{
	const struct mlx5_hca_cap *cap = &cmd->sdev->gen_cap;
	u16 type = cmd->op_mod >> 1;

	if (MLX5_GET(query_hca_cap_in, cmd->in, other_function) ||
	    type != MLX5_CAP_GENERAL)
		return mlx5_sim_fail_cmd(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR,
					 MLX5_SIM_SYND_BAD_CAP_TYPE);

	memcpy(MLX5_ADDR_OF(query_hca_cap_out, cmd->out, capability),
	       (cmd->op_mod & 1) == HCA_CAP_OPMOD_GET_CUR ? cap->cur : cap->max,
	       MLX5_UN_SZ_BYTES(hca_cap_union));
	return MLX5_CMD_STAT_OK;
}

static u8 mlx5_sim_query_adapter(struct mlx5_sim_cmd *cmd)
{
	void *blk = MLX5_ADDR_OF(query_adapter_out, cmd->out,
				 query_adapter_struct);
	static const char vsd[] = "mlx5 firmware simulator (test only)";

	MLX5_SET(query_adapter_param_block, blk, ieee_vendor_id,
		 MLX5_SIM_IEEE_VENDOR_ID);
	MLX5_SET(query_adapter_param_block, blk, vsd_vendor_id,
		 MLX5_SIM_VSD_VENDOR_ID);
	memcpy(MLX5_ADDR_OF(query_adapter_param_block, blk, vsd), vsd,
	       sizeof(vsd));
	memcpy(MLX5_ADDR_OF(query_adapter_param_block, blk, vsd_contd_psid),
	       MLX5_SIM_PSID, sizeof(MLX5_SIM_PSID));
	return MLX5_CMD_STAT_OK;
}

static u8 mlx5_sim_create_uctx(struct mlx5_sim_cmd *cmd)
{
	struct mlx5_sim_dev *sdev = cmd->sdev;
	const void *uctx = MLX5_ADDR_OF(create_uctx_in, cmd->in, uctx);
	u32 caps = MLX5_GET(uctx, uctx, cap);
	u32 uid;
	int ret;

	if (caps & ~MLX5_GET(cmd_hca_cap, sdev->gen_cap.cur, uctx_cap))
		return mlx5_sim_fail_cmd(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR,
					 MLX5_SIM_SYND_BAD_UCTX_CAP);
	if (sdev->nr_uctx >= 1U << MLX5_SIM_LOG_MAX_UCTX)
		return mlx5_sim_fail_cmd(cmd, MLX5_CMD_STAT_LIM_ERR,
					 MLX5_SIM_SYND_NO_UID);

	/* Cyclic, so that a stale uid does not name a new context at once. */
	ret = xa_alloc_cyclic(&sdev->uctx, &uid, xa_mk_value(caps),
			      XA_LIMIT(1, U16_MAX), &sdev->next_uid, GFP_KERNEL);
	if (ret < 0)
		return mlx5_sim_fail_cmd(cmd, MLX5_CMD_STAT_LIM_ERR,
					 MLX5_SIM_SYND_NO_UID);

	sdev->nr_uctx++;
	atomic_inc(&mlx5_sim_live_uctx);
	MLX5_SET(create_uctx_out, cmd->out, uid, uid);
	return MLX5_CMD_STAT_OK;
}

/*
 * The user context a command names as its object: it must exist, and a
 * command from a user context may only name that very context.
 */
static u8 mlx5_sim_find_uctx(struct mlx5_sim_cmd *cmd, u16 obj_uid, u32 *caps)
{
	void *entry = xa_load(&cmd->sdev->uctx, obj_uid);

	if (!obj_uid || !entry)
		return mlx5_sim_fail_cmd(cmd, MLX5_CMD_STAT_BAD_RES_ERR,
					 MLX5_SIM_SYND_UCTX_UNKNOWN);
	if (cmd->uid && cmd->uid != obj_uid)
		return mlx5_sim_fail_cmd(cmd, MLX5_CMD_STAT_BAD_RES_ERR,
					 MLX5_SIM_SYND_UCTX_NOT_OWNER);
	if (caps)
		*caps = xa_to_value(entry);
	return MLX5_CMD_STAT_OK;
}

static u8 mlx5_sim_destroy_uctx(struct mlx5_sim_cmd *cmd)
{
	u16 obj_uid = MLX5_GET(destroy_uctx_in, cmd->in, uid);
	u8 status;

	status = mlx5_sim_find_uctx(cmd, obj_uid, NULL);
	if (status)
		return status;
	xa_erase(&cmd->sdev->uctx, obj_uid);
	cmd->sdev->nr_uctx--;
	atomic_dec(&mlx5_sim_live_uctx);
	return MLX5_CMD_STAT_OK;
}

static u8 mlx5_sim_query_uctx(struct mlx5_sim_cmd *cmd)
{
	u16 obj_uid = MLX5_GET(query_uctx_in, cmd->in, obj_uid);
	void *uctx = MLX5_ADDR_OF(query_uctx_out, cmd->out, uctx);
	u32 caps;
	u8 status;

	status = mlx5_sim_find_uctx(cmd, obj_uid, &caps);
	if (status)
		return status;
	MLX5_SET(uctx, uctx, cap, caps);
	return MLX5_CMD_STAT_OK;
}

static void mlx5_sim_fill_mgir(struct mlx5_sim_dev *sdev, void *reg)
{
	void *hw = MLX5_ADDR_OF(mgir_reg, reg, hardware_info);
	void *fw = MLX5_ADDR_OF(mgir_reg, reg, fw_info);
	void *sw = MLX5_ADDR_OF(mgir_reg, reg, sw_info);

	MLX5_SET(mgir_hardware_info, hw, device_id, MLX5_SIM_DEVICE_ID);
	MLX5_SET(mgir_hardware_info, hw, device_hw_revision, 0x1);
	MLX5_SET(mgir_hardware_info, hw, num_ports, MLX5_SIM_NUM_PORTS);
	MLX5_SET(mgir_hardware_info, hw, hw_dev_id, MLX5_SIM_HW_DEV_ID);
	/* A locally administered MAC, one per device. */
	MLX5_SET(mgir_hardware_info, hw, manufacturing_base_mac_47_32, 0x0200);
	MLX5_SET(mgir_hardware_info, hw, manufacturing_base_mac_31_0,
		 0x5e000000 | (sdev->index << 4));

	/* major, minor, sub_minor: deprecated, 0; the extended ones count. */
	MLX5_SET(mgir_fw_info, fw, signed_fw, 1);
	MLX5_SET(mgir_fw_info, fw, build_id, 0x5100);
	/* 2025-06-01 12:00, BCD as the register has it. */
	MLX5_SET(mgir_fw_info, fw, year, 0x2025);
	MLX5_SET(mgir_fw_info, fw, month, 0x06);
	MLX5_SET(mgir_fw_info, fw, day, 0x01);
	MLX5_SET(mgir_fw_info, fw, hour, 0x1200);
	memcpy(MLX5_ADDR_OF(mgir_fw_info, fw, psid), MLX5_SIM_PSID,
	       sizeof(MLX5_SIM_PSID));
	MLX5_SET(mgir_fw_info, fw, extended_major, MLX5_SIM_FW_MAJOR);
	MLX5_SET(mgir_fw_info, fw, extended_minor, MLX5_SIM_FW_MINOR);
	MLX5_SET(mgir_fw_info, fw, extended_sub_minor, MLX5_SIM_FW_SUB_MINOR);

	MLX5_SET(mgir_sw_info, sw, major, 1);
}

static u8 mlx5_sim_access_reg(struct mlx5_sim_cmd *cmd)
{
	u16 reg_id = MLX5_GET(access_register_in, cmd->in, register_id);
	u8 status;

	if (reg_id != MLX5_SIM_REG_MGIR)
		return mlx5_sim_fail_cmd(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR,
					 MLX5_SIM_SYND_BAD_REGISTER);
	switch (cmd->op_mod) {
	case MLX5_ACCESS_REGISTER_IN_OP_MOD_WRITE:
		return mlx5_sim_fail_cmd(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR,
					 MLX5_SIM_SYND_REG_READ_ONLY);
	case MLX5_ACCESS_REGISTER_IN_OP_MOD_READ:
		break;
	default:
		return mlx5_sim_fail_cmd(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR,
					 MLX5_SIM_SYND_BAD_OP_MOD);
	}

	/* As mlx5_core sends it: the register's bytes in and out. */
	status = mlx5_sim_need_in(cmd, MLX5_ST_SZ_BYTES(access_register_in) +
				  MLX5_SIM_MGIR_LEN);
	if (!status)
		status = mlx5_sim_need_out(cmd,
					   MLX5_ST_SZ_BYTES(access_register_out) +
					   MLX5_SIM_MGIR_LEN);
	if (status)
		return status;
	mlx5_sim_fill_mgir(cmd->sdev,
			   MLX5_ADDR_OF(access_register_out, cmd->out,
					register_data));
	return MLX5_CMD_STAT_OK;
}

static u8 mlx5_sim_set_diag_params(struct mlx5_sim_cmd *cmd)
{
	const void *ctx = MLX5_ADDR_OF(set_diagnostic_params_in, cmd->in,
				       diagnostic_params_context);
	struct mlx5_sim_diag *diag = &cmd->sdev->diag;
	struct mlx5_sim_diag new = {};
	u16 i;
	u8 status;

	new.nr_counters = MLX5_GET(diagnostic_params_context, ctx,
				   num_of_counters);
	status = mlx5_sim_need_in(cmd,
				  MLX5_ST_SZ_BYTES(set_diagnostic_params_in) +
				  new.nr_counters *
				  MLX5_ST_SZ_BYTES(diag_counter_id));
	if (status)
		return status;

	new.enabled = MLX5_GET(diagnostic_params_context, ctx, enable);
	new.log_num_of_samples = MLX5_GET(diagnostic_params_context, ctx,
					  log_num_of_samples);
	new.log_sample_period = MLX5_GET(diagnostic_params_context, ctx,
					 log_sample_period);
	new.single = MLX5_GET(diagnostic_params_context, ctx, single);
	new.repetitive = MLX5_GET(diagnostic_params_context, ctx, repetitive);
	new.sync = MLX5_GET(diagnostic_params_context, ctx, sync);
	new.clear = MLX5_GET(diagnostic_params_context, ctx, clear);
	new.on_demand = MLX5_GET(diagnostic_params_context, ctx, on_demand);
	if (new.nr_counters > MLX5_SIM_DIAG_MAX_COUNTERS ||
	    (new.enabled && !new.nr_counters) ||
	    new.log_num_of_samples > MLX5_SIM_DIAG_MAX_LOG_SAMPLES ||
	    new.log_sample_period > 31)
		return mlx5_sim_fail_cmd(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR,
					 MLX5_SIM_SYND_DIAG_BAD_PARAMS);
	for (i = 0; i < new.nr_counters; i++) {
		const void *id = MLX5_ADDR_OF(diagnostic_params_context, ctx,
					      counter_id[i]);

		new.counter_id[i] = MLX5_GET(diag_counter_id, id, counter_id);
	}
	*diag = new;
	return MLX5_CMD_STAT_OK;
}

static u8 mlx5_sim_query_diag_params(struct mlx5_sim_cmd *cmd)
{
	const struct mlx5_sim_diag *diag = &cmd->sdev->diag;
	void *ctx = MLX5_ADDR_OF(query_diagnostic_params_out, cmd->out,
				 diagnostic_params_context);
	u16 i;
	u8 status;

	status = mlx5_sim_need_out(cmd,
				   MLX5_ST_SZ_BYTES(query_diagnostic_params_out) +
				   diag->nr_counters *
				   MLX5_ST_SZ_BYTES(diag_counter_id));
	if (status)
		return status;

	MLX5_SET(diagnostic_params_context, ctx, num_of_counters,
		 diag->nr_counters);
	MLX5_SET(diagnostic_params_context, ctx, log_num_of_samples,
		 diag->log_num_of_samples);
	MLX5_SET(diagnostic_params_context, ctx, log_sample_period,
		 diag->log_sample_period);
	MLX5_SET(diagnostic_params_context, ctx, enable, diag->enabled);
	MLX5_SET(diagnostic_params_context, ctx, single, diag->single);
	MLX5_SET(diagnostic_params_context, ctx, repetitive, diag->repetitive);
	MLX5_SET(diagnostic_params_context, ctx, sync, diag->sync);
	MLX5_SET(diagnostic_params_context, ctx, clear, diag->clear);
	MLX5_SET(diagnostic_params_context, ctx, on_demand, diag->on_demand);
	for (i = 0; i < diag->nr_counters; i++) {
		void *id = MLX5_ADDR_OF(diagnostic_params_context, ctx,
					counter_id[i]);

		MLX5_SET(diag_counter_id, id, counter_id, diag->counter_id[i]);
	}
	return MLX5_CMD_STAT_OK;
}

static u8 mlx5_sim_query_diag_counters(struct mlx5_sim_cmd *cmd)
{
	const struct mlx5_sim_diag *diag = &cmd->sdev->diag;
	u32 first = MLX5_GET(query_diagnostic_cntrs_in, cmd->in, sample_index);
	u32 count = MLX5_GET(query_diagnostic_cntrs_in, cmd->in,
			     num_of_samples);
	u32 total, k;
	u8 status;

	if (!diag->enabled)
		return mlx5_sim_fail_cmd(cmd, MLX5_CMD_STAT_BAD_SYS_STATE_ERR,
					 MLX5_SIM_SYND_DIAG_DISABLED);
	total = (u32)diag->nr_counters << diag->log_num_of_samples;
	if (!count || first + count > total)
		return mlx5_sim_fail_cmd(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR,
					 MLX5_SIM_SYND_DIAG_BAD_SAMPLES);
	status = mlx5_sim_need_out(cmd,
				   MLX5_ST_SZ_BYTES(query_diagnostic_cntrs_out) +
				   (size_t)count *
				   MLX5_ST_SZ_BYTES(diagnostic_cntr_struct));
	if (status)
		return status;

	for (k = 0; k < count; k++) {
		void *s = MLX5_ADDR_OF(query_diagnostic_cntrs_out, cmd->out,
				       diag_counter[k]);
		u32 n = first + k;
		u16 id = diag->counter_id[n % diag->nr_counters];
		u32 sample = n / diag->nr_counters;
		u64 value = MLX5_SIM_DIAG_VALUE(id, sample);

		MLX5_SET(diagnostic_cntr_struct, s, counter_id, id);
		MLX5_SET(diagnostic_cntr_struct, s, sample_id, sample);
		MLX5_SET(diagnostic_cntr_struct, s, time_stamp_31_0,
			 n << diag->log_sample_period);
		MLX5_SET(diagnostic_cntr_struct, s, counter_value_h,
			 upper_32_bits(value));
		MLX5_SET(diagnostic_cntr_struct, s, counter_value_l,
			 lower_32_bits(value));
	}
	return MLX5_CMD_STAT_OK;
}

/* The simulated commands, with the least each one's input and output hold. */
struct mlx5_sim_op {
	u16 opcode;
	u16 in_len;
	u16 out_len;
	/* From a user context, only with TOOLS_RESOURCES. */
	bool tools;
	u8 (*exec)(struct mlx5_sim_cmd *cmd);
};

static const struct mlx5_sim_op mlx5_sim_ops[] = {
	{ MLX5_CMD_OP_QUERY_HCA_CAP, MLX5_ST_SZ_BYTES(query_hca_cap_in),
	  MLX5_ST_SZ_BYTES(query_hca_cap_out), false, mlx5_sim_query_hca_cap },
	{ MLX5_CMD_OP_QUERY_ADAPTER, MLX5_ST_SZ_BYTES(query_adapter_in),
	  MLX5_ST_SZ_BYTES(query_adapter_out), false, mlx5_sim_query_adapter },
	{ MLX5_CMD_OP_NOP, MLX5_ST_SZ_BYTES(nop_in),
	  MLX5_ST_SZ_BYTES(nop_out), false, mlx5_sim_nop },
	{ MLX5_CMD_OP_CREATE_UCTX, MLX5_ST_SZ_BYTES(create_uctx_in),
	  MLX5_ST_SZ_BYTES(create_uctx_out), false, mlx5_sim_create_uctx },
	{ MLX5_CMD_OP_DESTROY_UCTX, MLX5_ST_SZ_BYTES(destroy_uctx_in),
	  MLX5_ST_SZ_BYTES(destroy_uctx_out), false, mlx5_sim_destroy_uctx },
	{ MLX5_SIM_OP_QUERY_UCTX, MLX5_ST_SZ_BYTES(query_uctx_in),
	  MLX5_ST_SZ_BYTES(query_uctx_out), false, mlx5_sim_query_uctx },
	{ MLX5_CMD_OP_ACCESS_REG, MLX5_ST_SZ_BYTES(access_register_in),
	  MLX5_ST_SZ_BYTES(access_register_out), true, mlx5_sim_access_reg },
	{ MLX5_SIM_OP_SET_DIAGNOSTIC_PARAMS,
	  MLX5_ST_SZ_BYTES(set_diagnostic_params_in), MLX5_ST_SZ_BYTES(mbox_out),
	  true, mlx5_sim_set_diag_params },
	{ MLX5_SIM_OP_QUERY_DIAGNOSTIC_PARAMS, MLX5_ST_SZ_BYTES(mbox_in),
	  MLX5_ST_SZ_BYTES(query_diagnostic_params_out), true,
	  mlx5_sim_query_diag_params },
	{ MLX5_SIM_OP_QUERY_DIAGNOSTIC_COUNTERS,
	  MLX5_ST_SZ_BYTES(query_diagnostic_cntrs_in),
	  MLX5_ST_SZ_BYTES(query_diagnostic_cntrs_out), true,
	  mlx5_sim_query_diag_counters },
};

static const struct mlx5_sim_op *mlx5_sim_find_op(u16 opcode)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(mlx5_sim_ops); i++)
		if (mlx5_sim_ops[i].opcode == opcode)
			return &mlx5_sim_ops[i];
	return NULL;
}

/* Run one command with the device's lock held; returns the status. */
static u8 mlx5_sim_exec(struct mlx5_sim_cmd *cmd)
{
	const struct mlx5_sim_op *op;
	void *entry = NULL;
	u8 status;

	lockdep_assert_held(&cmd->sdev->lock);

	op = mlx5_sim_find_op(MLX5_GET(mbox_in, cmd->in, opcode));
	if (!op)
		return mlx5_sim_fail_cmd(cmd, MLX5_CMD_STAT_BAD_OP_ERR,
					 MLX5_SIM_SYND_BAD_OPCODE);
	status = mlx5_sim_need_in(cmd, op->in_len);
	if (!status)
		status = mlx5_sim_need_out(cmd, op->out_len);
	if (status)
		return status;

	if (cmd->uid) {
		entry = xa_load(&cmd->sdev->uctx, cmd->uid);
		if (!entry)
			return mlx5_sim_fail_cmd(cmd,
						 MLX5_CMD_STAT_BAD_PARAM_ERR,
						 MLX5_SIM_SYND_BAD_UID);
		if (op->tools &&
		    !(xa_to_value(entry) & MLX5_SIM_TOOLS_RESOURCES))
			return mlx5_sim_fail_cmd(cmd,
						 MLX5_CMD_STAT_BAD_PARAM_ERR,
						 MLX5_SIM_SYND_NEED_TOOLS);
	}
	return op->exec(cmd);
}

/* The exported command interface */

/**
 * mlx5_cmd_do() - Execute a firmware command and wait for it.
 * @dev: a simulated core device
 * @in: the command (input mailbox)
 * @in_size: its length
 * @out: the answer (output mailbox); may be @in itself
 * @out_size: its length
 *
 * Return: 0 when the firmware's status is OK; -EREMOTEIO when it is not,
 * with @out holding the status and syndrome; another negative errno when
 * the command did not reach the firmware.
 */
int mlx5_sim_cmd_do(struct mlx5_core_dev *dev, void *in, int in_size,
		    void *out, int out_size)
{
	struct mlx5_sim_dev *sdev = to_sim_dev(dev);
	struct mlx5_sim_fail fail;
	struct mlx5_sim_cmd cmd = {
		.sdev = sdev,
		.in_size = in_size,
		.out = out,
		.out_size = out_size,
	};
	u16 opcode;
	void *copy;
	u8 status;

	atomic64_inc(&mlx5_sim_commands);
	/* mlx5_core needs a whole header each way to build the mailboxes. */
	if (!in || !out || in_size < MLX5_ST_SZ_BYTES(mbox_in) ||
	    out_size < MLX5_ST_SZ_BYTES(mbox_out))
		return -EINVAL;

	opcode = MLX5_GET(mbox_in, in, opcode);
	cmd.uid = MLX5_GET(mbox_in, in, uid);
	cmd.op_mod = MLX5_GET(mbox_in, in, op_mod);
	atomic_set(&mlx5_sim_last_uid, cmd.uid);

	if (mlx5_sim_take_fail(&mlx5_sim_fail_errno, opcode, &fail))
		return -fail.err;

	/* The firmware reads its own copy: out may be in. */
	copy = kvmemdup(in, in_size, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	cmd.in = copy;
	memset(out, 0, out_size);

	if (mlx5_sim_take_fail(&mlx5_sim_fail_status, opcode, &fail)) {
		status = fail.status;
		cmd.syndrome = fail.syndrome;
	} else {
		mutex_lock(&sdev->lock);
		status = mlx5_sim_exec(&cmd);
		mutex_unlock(&sdev->lock);
	}
	kvfree(copy);

	MLX5_SET(mbox_out, out, status, status);
	if (status != MLX5_CMD_STAT_OK) {
		MLX5_SET(mbox_out, out, syndrome, cmd.syndrome);
		return -EREMOTEIO;
	}
	return 0;
}

/* mlx5_core's mapping of a firmware status to an errno. */
static int mlx5_sim_status_to_err(u8 status)
{
	switch (status) {
	case MLX5_CMD_STAT_OK:
		return 0;
	case MLX5_CMD_STAT_BAD_OP_ERR:
	case MLX5_CMD_STAT_BAD_PARAM_ERR:
	case MLX5_CMD_STAT_BAD_RES_ERR:
	case MLX5_CMD_STAT_BAD_RES_STATE_ERR:
	case MLX5_CMD_STAT_IX_ERR:
	case MLX5_CMD_STAT_BAD_QP_STATE_ERR:
	case MLX5_CMD_STAT_BAD_PKT_ERR:
	case MLX5_CMD_STAT_BAD_SIZE_OUTS_CQES_ERR:
		return -EINVAL;
	case MLX5_CMD_STAT_RES_BUSY:
		return -EBUSY;
	case MLX5_CMD_STAT_NOT_READY:
	case MLX5_CMD_STAT_NO_RES_ERR:
		return -EAGAIN;
	case MLX5_CMD_STAT_LIM_ERR:
		return -ENOMEM;
	default:	/* INT_ERR, BAD_SYS_STATE, BAD_INP_LEN, BAD_OUTP_LEN, ... */
		return -EIO;
	}
}

/**
 * mlx5_cmd_exec() - Execute a firmware command; a bad status is an error.
 * @dev: a simulated core device
 * @in: the command
 * @in_size: its length
 * @out: the answer; may be @in itself
 * @out_size: its length
 *
 * As mlx5_cmd_do(), but a status other than OK becomes the errno mlx5_core
 * gives it, and is logged for kernel-issued (uid 0) commands other than
 * CREATE_UCTX, as mlx5_core does.  -ENXIO (the device is gone) counts as
 * success for DESTROY_UCTX, whose job is then done.
 *
 * Return: 0 or a negative errno.
 */
int mlx5_sim_cmd_exec(struct mlx5_core_dev *dev, void *in, int in_size,
		      void *out, int out_size)
{
	struct mlx5_sim_dev *sdev = to_sim_dev(dev);
	u16 opcode = in_size >= MLX5_ST_SZ_BYTES(mbox_in) ?
		     MLX5_GET(mbox_in, in, opcode) : 0;
	u16 op_mod, uid;
	u32 syndrome;
	u8 status;
	int err;

	/* The header, before out (maybe in) is overwritten. */
	op_mod = in_size >= MLX5_ST_SZ_BYTES(mbox_in) ?
		 MLX5_GET(mbox_in, in, op_mod) : 0;
	uid = in_size >= MLX5_ST_SZ_BYTES(mbox_in) ?
	      MLX5_GET(mbox_in, in, uid) : 0;

	err = mlx5_sim_cmd_do(dev, in, in_size, out, out_size);
	if (err == -ENXIO && opcode == MLX5_CMD_OP_DESTROY_UCTX &&
	    out_size >= MLX5_ST_SZ_BYTES(mbox_out)) {
		MLX5_SET(mbox_out, out, status, MLX5_CMD_STAT_OK);
		MLX5_SET(mbox_out, out, syndrome, 0);
		return 0;
	}
	if (err && err != -EREMOTEIO)
		return err;

	status = MLX5_GET(mbox_out, out, status);
	syndrome = MLX5_GET(mbox_out, out, syndrome);
	err = mlx5_sim_status_to_err(status);
	if (err && !uid && opcode != MLX5_CMD_OP_CREATE_UCTX)
		dev_err_ratelimited(sdev->mdev.device,
				    "command 0x%x op_mod 0x%x failed, status 0x%x, syndrome 0x%x, err %d\n",
				    opcode, op_mod, status, syndrome, err);
	return err;
}

/* Devices */

static void mlx5_sim_fill_caps(struct mlx5_sim_dev *sdev)
{
	u32 uctx_cap = MLX5_SIM_UCTX_CAP_BASE;
	u32 *cur = sdev->gen_cap.cur;
	u32 *max = sdev->gen_cap.max;

	if (sdev->tools_resources)
		uctx_cap |= MLX5_SIM_TOOLS_RESOURCES;

	MLX5_SET(cmd_hca_cap, cur, vhca_id, sdev->index);
	MLX5_SET(cmd_hca_cap, cur, uctx_cap, uctx_cap);
	MLX5_SET(cmd_hca_cap, cur, log_max_uctx, MLX5_SIM_LOG_MAX_UCTX);
	MLX5_SET(cmd_hca_cap, cur, log_max_qp, MLX5_SIM_LOG_MAX_QP_CUR);
	MLX5_SET(cmd_hca_cap, cur, log_max_srq, 23);
	MLX5_SET(cmd_hca_cap, cur, log_max_cq, 24);
	MLX5_SET(cmd_hca_cap, cur, log_max_eq, 7);
	MLX5_SET(cmd_hca_cap, cur, log_max_mkey, 24);
	MLX5_SET(cmd_hca_cap, cur, log_max_pd, 23);
	MLX5_SET(cmd_hca_cap, cur, log_max_xrcd, 24);
	MLX5_SET(cmd_hca_cap, cur, log_max_transport_domain, 20);
	MLX5_SET(cmd_hca_cap, cur, log_max_rq, 23);
	MLX5_SET(cmd_hca_cap, cur, log_max_sq, 23);
	MLX5_SET(cmd_hca_cap, cur, log_max_tir, 23);
	MLX5_SET(cmd_hca_cap, cur, log_max_tis, 23);
	MLX5_SET(cmd_hca_cap, cur, log_max_rqt, 23);
	MLX5_SET(cmd_hca_cap, cur, log_max_msg, 30);
	MLX5_SET(cmd_hca_cap, cur, log_pg_sz, 12);
	MLX5_SET(cmd_hca_cap, cur, log_uar_page_sz, 0);
	MLX5_SET(cmd_hca_cap, cur, num_ports, MLX5_SIM_NUM_PORTS);
	MLX5_SET(cmd_hca_cap, cur, port_type, MLX5_CAP_PORT_TYPE_ETH);
	MLX5_SET(cmd_hca_cap, cur, max_tc, 8);
	MLX5_SET(cmd_hca_cap, cur, cqe_version, 1);
	MLX5_SET(cmd_hca_cap, cur, debug, 1);
	MLX5_SET(cmd_hca_cap, cur, pcam_reg, 1);
	MLX5_SET(cmd_hca_cap, cur, mcam_reg, 1);
	MLX5_SET(cmd_hca_cap, cur, device_frequency_khz, MLX5_SIM_FREQ_KHZ);
	MLX5_SET(cmd_hca_cap, cur, device_frequency_mhz,
		 MLX5_SIM_FREQ_KHZ / 1000);

	/* What the device could do: more QPs, and every uctx capability. */
	memcpy(max, cur, sizeof(sdev->gen_cap.max));
	MLX5_SET(cmd_hca_cap, max, log_max_qp, MLX5_SIM_LOG_MAX_QP_MAX);
	MLX5_SET(cmd_hca_cap, max, uctx_cap,
		 MLX5_SIM_UCTX_CAP_BASE | MLX5_SIM_TOOLS_RESOURCES);
}

static void mlx5_sim_adev_release(struct device *dev)
{
	struct auxiliary_device *adev = to_auxiliary_dev(dev);

	kfree(container_of(adev, struct mlx5_adev, adev));
}

static void mlx5_sim_free(struct mlx5_sim_dev *sdev)
{
	xa_destroy(&sdev->uctx);
	mutex_destroy(&sdev->lock);
	ida_free(&mlx5_sim_ida, sdev->index);
	kvfree(sdev);
}

/* A simulated device on a faux function, or on the PCI function @pdev. */
static int mlx5_sim_add_one(struct pci_dev *pdev)
{
	struct mlx5_sim_dev *sdev;
	struct mlx5_adev *madev;
	char name[32];
	int index, ret;

	lockdep_assert_held(&mlx5_sim_lock);

	index = ida_alloc(&mlx5_sim_ida, GFP_KERNEL);
	if (index < 0)
		return index;
	/* struct mlx5_core_dev is large: kvzalloc. */
	sdev = kvzalloc_obj(*sdev, GFP_KERNEL);
	if (!sdev) {
		ida_free(&mlx5_sim_ida, index);
		return -ENOMEM;
	}
	sdev->index = index;
	sdev->tools_resources = READ_ONCE(tools_resources);
	mutex_init(&sdev->lock);
	xa_init_flags(&sdev->uctx, XA_FLAGS_ALLOC1);
	INIT_LIST_HEAD(&sdev->node);
	mlx5_sim_fill_caps(sdev);
	sdev->mdev.caps.hca[MLX5_CAP_GENERAL] = &sdev->gen_cap;
	sdev->mdev.state = MLX5_DEVICE_STATE_UP;
	sdev->mdev.coredev_type = MLX5_COREDEV_PF;

	if (pdev) {
		sdev->pdev = pdev;
		sdev->mdev.pdev = pdev;
		sdev->mdev.device = &pdev->dev;
	} else {
		snprintf(name, sizeof(name), "mlx5_sim.%d", index);
		sdev->faux = faux_device_create(name, NULL, NULL);
		if (!sdev->faux) {
			ret = -ENOMEM;
			goto err_free;
		}
		sdev->mdev.device = &sdev->faux->dev;
	}

	madev = kzalloc_obj(*madev, GFP_KERNEL);
	if (!madev) {
		ret = -ENOMEM;
		goto err_faux;
	}
	madev->mdev = &sdev->mdev;
	madev->idx = index;
	madev->adev.name = "fwctl";
	madev->adev.id = index;
	madev->adev.dev.parent = sdev->mdev.device;
	madev->adev.dev.release = mlx5_sim_adev_release;
	ret = auxiliary_device_init(&madev->adev);
	if (ret) {
		kfree(madev);
		goto err_faux;
	}
	/*
	 * Named mlx5_core.fwctl.N as mlx5_core's own; a loaded fwctl_mlx5
	 * binds to it (and opens no user context) before this returns.
	 */
	ret = __auxiliary_device_add(&madev->adev, MLX5_ADEV_NAME);
	if (ret) {
		/* Drops the last reference: the release frees madev. */
		auxiliary_device_uninit(&madev->adev);
		goto err_faux;
	}
	sdev->madev = madev;
	list_add_tail(&sdev->node, &mlx5_sim_devs);
	return 0;

err_faux:
	if (sdev->faux)
		faux_device_destroy(sdev->faux);
err_free:
	mlx5_sim_free(sdev);
	return ret;
}

/* Unplug a device its caller has taken off the list. */
static void mlx5_sim_remove_one(struct mlx5_sim_dev *sdev)
{
	/*
	 * The auxiliary device first: unbinding fwctl_mlx5 unregisters its
	 * fwctl device, which closes every user context (DESTROY_UCTX through
	 * this very device).  Only then may the core device go.
	 */
	auxiliary_device_delete(&sdev->madev->adev);
	auxiliary_device_uninit(&sdev->madev->adev);

	/* Not destroyed by the driver: they stay counted in live_uctx. */
	if (sdev->nr_uctx)
		dev_err(sdev->mdev.device,
			"%u user context(s) still alive at unplug\n",
			sdev->nr_uctx);
	if (sdev->faux)
		faux_device_destroy(sdev->faux);
	mlx5_sim_free(sdev);
}

static int mlx5_sim_remove_index(long long index)
{
	struct mlx5_sim_dev *sdev;

	lockdep_assert_held(&mlx5_sim_lock);

	list_for_each_entry(sdev, &mlx5_sim_devs, node) {
		if (sdev->index == index) {
			list_del(&sdev->node);
			mlx5_sim_remove_one(sdev);
			return 0;
		}
	}
	return -ENODEV;
}

static void mlx5_sim_remove_all(void)
{
	struct mlx5_sim_dev *sdev, *next;

	lockdep_assert_held(&mlx5_sim_lock);

	list_for_each_entry_safe(sdev, next, &mlx5_sim_devs, node) {
		list_del(&sdev->node);
		mlx5_sim_remove_one(sdev);
	}
}

/* PCI functions bound by driver_override */

static int mlx5_sim_pci_probe(struct pci_dev *pdev,
			      const struct pci_device_id *id)
{
	int ret;

	mutex_lock(&mlx5_sim_lock);
	ret = mlx5_sim_add_one(pdev);
	mutex_unlock(&mlx5_sim_lock);
	return ret;
}

static void mlx5_sim_pci_remove(struct pci_dev *pdev)
{
	struct mlx5_sim_dev *sdev;

	mutex_lock(&mlx5_sim_lock);
	list_for_each_entry(sdev, &mlx5_sim_devs, node) {
		if (sdev->pdev == pdev) {
			list_del(&sdev->node);
			mlx5_sim_remove_one(sdev);
			break;
		}
	}
	mutex_unlock(&mlx5_sim_lock);
}

/*
 * No ID table: the driver binds only the functions an administrator names
 * with driver_override.  Named as the real driver, so that tools checking
 * that a fwctl device's parent is driven by mlx5_core (mstflint) see it.
 */
static struct pci_driver mlx5_sim_pci_driver = {
	.name = "mlx5_core",
	.probe = mlx5_sim_pci_probe,
	.remove = mlx5_sim_pci_remove,
	.driver_managed_dma = true,
};

/* Control files */

static ssize_t add_store(struct kobject *kobj, struct kobj_attribute *attr,
			 const char *buf, size_t count)
{
	unsigned int n;
	int ret;

	ret = kstrtouint(buf, 0, &n);
	if (ret)
		return ret;
	if (n > 64)
		return -EINVAL;
	mutex_lock(&mlx5_sim_lock);
	for (; n && !ret; n--)
		ret = mlx5_sim_add_one(NULL);
	mutex_unlock(&mlx5_sim_lock);
	return ret ? ret : count;
}

static ssize_t remove_store(struct kobject *kobj, struct kobj_attribute *attr,
			    const char *buf, size_t count)
{
	long long index;
	int ret = 0;

	ret = kstrtoll(buf, 0, &index);
	if (ret)
		return ret;
	if (index < -1 || index > INT_MAX)
		return -EINVAL;
	mutex_lock(&mlx5_sim_lock);
	if (index == -1)
		mlx5_sim_remove_all();
	else
		ret = mlx5_sim_remove_index(index);
	mutex_unlock(&mlx5_sim_lock);
	return ret ? ret : count;
}

static ssize_t devices_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	struct mlx5_sim_dev *sdev;
	int len = 0;

	mutex_lock(&mlx5_sim_lock);
	list_for_each_entry(sdev, &mlx5_sim_devs, node) {
		mutex_lock(&sdev->lock);
		len += sysfs_emit_at(buf, len, "%u %u\n", sdev->index,
				     sdev->nr_uctx);
		mutex_unlock(&sdev->lock);
	}
	mutex_unlock(&mlx5_sim_lock);
	return len;
}

static ssize_t live_uctx_show(struct kobject *kobj, struct kobj_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&mlx5_sim_live_uctx));
}

static ssize_t last_uid_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&mlx5_sim_last_uid));
}

static ssize_t commands_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&mlx5_sim_commands));
}

/* Parses "OPCODE" (the last, optional word) into -1 (any) or an opcode. */
static int mlx5_sim_parse_opcode(const char *word, int *opcode)
{
	u16 val;
	int ret;

	if (!word) {
		*opcode = -1;
		return 0;
	}
	ret = kstrtou16(word, 0, &val);
	if (ret)
		return ret;
	*opcode = val;
	return 0;
}

/* Splits buf (up to 3 words) into words[]; returns their number. */
static int mlx5_sim_split(const char *buf, char *copy, size_t len,
			  char *words[3])
{
	char *p = copy, *w;
	int n = 0;

	strscpy(copy, buf, len);
	while ((w = strsep(&p, " \t\n"))) {
		if (!*w)
			continue;
		if (n == 3)
			return -EINVAL;
		words[n++] = w;
	}
	return n;
}

static ssize_t fail_status_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	struct mlx5_sim_fail fail;

	spin_lock(&mlx5_sim_fail_lock);
	fail = mlx5_sim_fail_status;
	spin_unlock(&mlx5_sim_fail_lock);
	if (!fail.armed)
		return sysfs_emit(buf, "none\n");
	return sysfs_emit(buf, "0x%x 0x%x %d\n", fail.status, fail.syndrome,
			  fail.opcode);
}

static ssize_t fail_status_store(struct kobject *kobj,
				 struct kobj_attribute *attr, const char *buf,
				 size_t count)
{
	struct mlx5_sim_fail fail = { .armed = true };
	char copy[64], *words[3] = {};
	int n, ret;

	n = mlx5_sim_split(buf, copy, sizeof(copy), words);
	if (n < 1)
		return -EINVAL;
	ret = kstrtou8(words[0], 0, &fail.status);
	if (!ret && words[1])
		ret = kstrtou32(words[1], 0, &fail.syndrome);
	if (!ret)
		ret = mlx5_sim_parse_opcode(words[2], &fail.opcode);
	if (ret)
		return ret;
	fail.armed = fail.status != MLX5_CMD_STAT_OK;

	spin_lock(&mlx5_sim_fail_lock);
	mlx5_sim_fail_status = fail;
	spin_unlock(&mlx5_sim_fail_lock);
	return count;
}

static ssize_t fail_errno_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	struct mlx5_sim_fail fail;

	spin_lock(&mlx5_sim_fail_lock);
	fail = mlx5_sim_fail_errno;
	spin_unlock(&mlx5_sim_fail_lock);
	if (!fail.armed)
		return sysfs_emit(buf, "none\n");
	return sysfs_emit(buf, "%d %d\n", fail.err, fail.opcode);
}

static ssize_t fail_errno_store(struct kobject *kobj,
				struct kobj_attribute *attr, const char *buf,
				size_t count)
{
	struct mlx5_sim_fail fail = { .armed = true };
	char copy[64], *words[3] = {};
	int n, ret;

	n = mlx5_sim_split(buf, copy, sizeof(copy), words);
	if (n < 1 || n > 2)
		return -EINVAL;
	ret = kstrtoint(words[0], 0, &fail.err);
	if (!ret)
		ret = mlx5_sim_parse_opcode(words[1], &fail.opcode);
	if (ret)
		return ret;
	if (fail.err < 0 || fail.err > MAX_ERRNO)
		return -EINVAL;
	fail.armed = fail.err != 0;

	spin_lock(&mlx5_sim_fail_lock);
	mlx5_sim_fail_errno = fail;
	spin_unlock(&mlx5_sim_fail_lock);
	return count;
}

static struct kobj_attribute add_attr = __ATTR_WO(add);
static struct kobj_attribute remove_attr = __ATTR_WO(remove);
static struct kobj_attribute devices_attr = __ATTR_RO(devices);
static struct kobj_attribute live_uctx_attr = __ATTR_RO(live_uctx);
static struct kobj_attribute last_uid_attr = __ATTR_RO(last_uid);
static struct kobj_attribute commands_attr = __ATTR_RO(commands);
static struct kobj_attribute fail_status_attr =
	__ATTR_RW_MODE(fail_status, 0600);
static struct kobj_attribute fail_errno_attr = __ATTR_RW_MODE(fail_errno, 0600);

static struct attribute *mlx5_sim_attrs[] = {
	&add_attr.attr,
	&remove_attr.attr,
	&devices_attr.attr,
	&live_uctx_attr.attr,
	&last_uid_attr.attr,
	&commands_attr.attr,
	&fail_status_attr.attr,
	&fail_errno_attr.attr,
	NULL,
};

static const struct attribute_group mlx5_sim_group = {
	.attrs = mlx5_sim_attrs,
};

static struct kobject *mlx5_sim_kobj;

static int __init mlx5_sim_init(void)
{
	unsigned int i;
	int ret = 0;

	mutex_lock(&mlx5_sim_lock);
	for (i = 0; i < ndevs && !ret; i++)
		ret = mlx5_sim_add_one(NULL);
	if (ret)
		mlx5_sim_remove_all();
	mutex_unlock(&mlx5_sim_lock);
	if (ret)
		return ret;

	mlx5_sim_kobj = kobject_create_and_add("mlx5_sim", kernel_kobj);
	if (!mlx5_sim_kobj) {
		ret = -ENOMEM;
		goto err_remove;
	}
	ret = sysfs_create_group(mlx5_sim_kobj, &mlx5_sim_group);
	if (ret) {
		kobject_put(mlx5_sim_kobj);
		goto err_remove;
	}
	ret = pci_register_driver(&mlx5_sim_pci_driver);
	if (ret) {
		kobject_put(mlx5_sim_kobj);
		goto err_remove;
	}
	return 0;

err_remove:
	mutex_lock(&mlx5_sim_lock);
	mlx5_sim_remove_all();
	mutex_unlock(&mlx5_sim_lock);
	return ret;
}

static void __exit mlx5_sim_exit(void)
{
	/* Unbinds the PCI functions, removing their devices. */
	pci_unregister_driver(&mlx5_sim_pci_driver);
	/* Waits for the control files' writers: nothing is added after. */
	kobject_put(mlx5_sim_kobj);
	mutex_lock(&mlx5_sim_lock);
	mlx5_sim_remove_all();
	mutex_unlock(&mlx5_sim_lock);
	ida_destroy(&mlx5_sim_ida);
}

module_init(mlx5_sim_init);
module_exit(mlx5_sim_exit);

MODULE_DESCRIPTION("mlx5 firmware simulator for the fwctl tests (test-only, never for production)");
MODULE_LICENSE("GPL");
