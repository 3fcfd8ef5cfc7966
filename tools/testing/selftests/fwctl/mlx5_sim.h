/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mlx5_sim: the contract between the mlx5 firmware simulator (a test-only
 * module standing in for mlx5_core) and the tests that drive fwctl_mlx5
 * through it.  Plain constants only, so that both the module and the
 * userspace tests include it.
 *
 * Control files, in /sys/kernel/mlx5_sim/ (sysfs, not debugfs: lockdown
 * closes writable debugfs files):
 *   add          W  "K": create K more devices
 *   remove       W  "N": unplug device N (its auxiliary device first, which
 *                   unbinds fwctl_mlx5, then the rest); "-1": all of them
 *   devices      R  one "N LIVE" line per device: index and live uctx count
 *   live_uctx    R  user contexts created and not destroyed, over all
 *                   devices, including those a device still had when it
 *                   was removed (a leak stays visible)
 *   last_uid     R  the uid of the header of the last command received
 *   commands     R  number of mlx5_cmd_do() calls (all devices)
 *   fail_status  RW "STATUS [SYNDROME [OPCODE]]": the next command (of
 *                   OPCODE only, if given) is not executed and returns
 *                   STATUS and SYNDROME in its output; "0" disarms; reads
 *                   "STATUS SYNDROME OPCODE" (OPCODE -1: any) or "none"
 *   fail_errno   RW "ERRNO [OPCODE]": the next mlx5_cmd_do() (of OPCODE
 *                   only, if given) returns -ERRNO without executing; "0"
 *                   disarms; reads "ERRNO OPCODE" or "none"
 * Module parameters: ndevs (devices at load, default 1), tools_resources
 * (writable; whether devices created from then on offer the
 * TOOLS_RESOURCES user context capability, default 1).
 *
 * Device N is the faux device mlx5_sim.N, parent of the auxiliary device
 * mlx5_core.fwctl.N; its general capabilities carry vhca_id N.
 */
#ifndef MLX5_SIM_H
#define MLX5_SIM_H

#define MLX5_SIM_CTRL			"/sys/kernel/mlx5_sim"
#define MLX5_SIM_PARAM_DIR		"/sys/module/mlx5_sim/parameters"

/*
 * Syndromes of the simulator's own firmware errors (the status is the
 * real MLX5_CMD_STAT_* value given with each).
 */
/* BAD_OP (0x2): the opcode is not simulated */
#define MLX5_SIM_SYND_BAD_OPCODE	0x51300001
/* BAD_INP_LEN (0x50): the input is shorter than the command's layout */
#define MLX5_SIM_SYND_BAD_INP_LEN	0x51300002
/* BAD_OUTP_LEN (0x51): the output is shorter than the command's layout */
#define MLX5_SIM_SYND_BAD_OUTP_LEN	0x51300003
/* BAD_PARAM (0x3): the header's uid is not a live user context */
#define MLX5_SIM_SYND_BAD_UID		0x51300004
/* BAD_PARAM (0x3): the uid's context lacks TOOLS_RESOURCES */
#define MLX5_SIM_SYND_NEED_TOOLS	0x51300005
/* BAD_PARAM (0x3): op_mod not valid for the command */
#define MLX5_SIM_SYND_BAD_OP_MOD	0x51300006
/* BAD_PARAM (0x3): QUERY_HCA_CAP of a type not simulated, or of another function */
#define MLX5_SIM_SYND_BAD_CAP_TYPE	0x51300007
/* BAD_PARAM (0x3): CREATE_UCTX asks for capabilities the HCA lacks */
#define MLX5_SIM_SYND_BAD_UCTX_CAP	0x51300008
/* LIM_ERR (0x8): no user context left */
#define MLX5_SIM_SYND_NO_UID		0x51300009
/* BAD_RES (0x5): the user context named in the command does not exist */
#define MLX5_SIM_SYND_UCTX_UNKNOWN	0x5130000a
/* BAD_RES (0x5): the user context belongs to another uid */
#define MLX5_SIM_SYND_UCTX_NOT_OWNER	0x5130000b
/* BAD_PARAM (0x3): ACCESS_REG of a register that is not simulated */
#define MLX5_SIM_SYND_BAD_REGISTER	0x5130000c
/* BAD_PARAM (0x3): ACCESS_REG write to a read-only register */
#define MLX5_SIM_SYND_REG_READ_ONLY	0x5130000d
/* BAD_PARAM (0x3): SET_DIAGNOSTIC_PARAMS with invalid parameters */
#define MLX5_SIM_SYND_DIAG_BAD_PARAMS	0x5130000e
/* BAD_SYS_STATE (0x4): diagnostic counters are not enabled */
#define MLX5_SIM_SYND_DIAG_DISABLED	0x5130000f
/* BAD_PARAM (0x3): QUERY_DIAGNOSTIC_COUNTERS asks for samples not there */
#define MLX5_SIM_SYND_DIAG_BAD_SAMPLES	0x51300010

/* What the simulated HCA reports. */
#define MLX5_SIM_TOOLS_RESOURCES	0x4U	/* uctx cap bit (fwctl's) */
#define MLX5_SIM_UCTX_CAP_BASE		0x3U	/* RAW_TX | INTERNAL_DEV_RES */
#define MLX5_SIM_LOG_MAX_UCTX		12U	/* at most 4096 live per device */
#define MLX5_SIM_LOG_MAX_QP_CUR		17U	/* general caps, cur ... */
#define MLX5_SIM_LOG_MAX_QP_MAX		24U	/* ... and max */
#define MLX5_SIM_NUM_PORTS		2U
#define MLX5_SIM_FREQ_KHZ		1000000U

/* QUERY_ADAPTER */
#define MLX5_SIM_IEEE_VENDOR_ID		0x0002c9U
#define MLX5_SIM_VSD_VENDOR_ID		0x15b3U
#define MLX5_SIM_PSID			"FWCTL_SIM_0001"

/* The MGIR register (0x9020), 160 bytes, read-only. */
#define MLX5_SIM_REG_MGIR		0x9020U
#define MLX5_SIM_MGIR_LEN		160U
#define MLX5_SIM_DEVICE_ID		0x1021U
#define MLX5_SIM_HW_DEV_ID		0x0218U
#define MLX5_SIM_FW_MAJOR		28U
#define MLX5_SIM_FW_MINOR		41U
#define MLX5_SIM_FW_SUB_MINOR		1000U

/*
 * Diagnostic counters: SET_DIAGNOSTIC_PARAMS keeps up to 16 counter ids
 * with log_num_of_samples at most 10; once enabled, the buffer holds
 * num_of_counters << log_num_of_samples samples.  Sample k (from 0) is of
 * counter id k % num_of_counters, has sample_id k / num_of_counters,
 * time stamp k << log_sample_period and the value below.
 */
#define MLX5_SIM_DIAG_MAX_COUNTERS	16U
#define MLX5_SIM_DIAG_MAX_LOG_SAMPLES	10U
#define MLX5_SIM_DIAG_VALUE(counter_id, sample_id) \
	(((unsigned long long)(counter_id) << 32) | ((sample_id) + 1))

#endif
