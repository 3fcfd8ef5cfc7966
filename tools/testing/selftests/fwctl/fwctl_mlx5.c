// SPDX-License-Identifier: GPL-2.0
/*
 * fwctl kselftest: the mlx5 driver, fwctl_mlx5, end to end against the mlx5
 * firmware simulator (tools/testing/mlx5_sim, the contract in mlx5_sim.h).
 *
 * What must hold, as upstream's drivers/fwctl/mlx5/main.c does it:
 *  - FWCTL_INFO gives device type MLX5 and struct fwctl_info_mlx5: the FD's
 *    firmware user context (uid, non-zero) and its capabilities
 *    (TOOLS_RESOURCES when the HCA offers it);
 *  - each FD owns a user context, created at open and destroyed at close
 *    and at unplug (the simulator counts them);
 *  - every command's header carries the FD's uid, whatever the caller put
 *    there, so an FD cannot act as another or as the kernel (uid 0);
 *  - the opcode allow-list by scope: CONFIGURATION (QUERY_HCA_CAP,
 *    QUERY_ADAPTER, ACCESS_REG writes), DEBUG_READ_ONLY (NOP, queries,
 *    ACCESS_REG reads), DEBUG_WRITE (SET_DIAGNOSTIC_PARAMS), anything else
 *    refused with EBADMSG at every scope, before it reaches the firmware;
 *  - in_len or out_len under 16 bytes: EMSGSIZE;
 *  - a firmware error status is an answer (the ioctl succeeds and out holds
 *    status and syndrome); a command that does not reach the firmware
 *    fails with its errno;
 *  - the answer comes in place when out_len <= in_len, else in a new
 *    buffer, out_len unchanged either way.
 *
 * Each case gets a fresh simulated device (the simulator's "add"), removed
 * by its teardown; the modules stay loaded until the program ends.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <endian.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fwctl/mlx5.h>

#include "kselftest_harness.h"
#include "fwctl_harness.h"
#include "mlx5_sim.h"

#define AUX_DEV_DIR		"/sys/bus/auxiliary/devices"
#define NODE_WAIT_MS		2000
#define MAX_SIM_DEVS		256
#define SENTINEL		0xee

/* Opcodes (mlx5_ifc.h and upstream's fwctl driver). */
#define OP_QUERY_HCA_CAP	0x100
#define OP_QUERY_ADAPTER	0x101
#define OP_ACCESS_REG		0x805
#define OP_NOP			0x80d
#define OP_QUERY_DIAG_PARAMS	0x819
#define OP_SET_DIAG_PARAMS	0x820
#define OP_QUERY_DIAG_COUNTERS	0x821
#define OP_CREATE_UCTX		0xa04
#define OP_QUERY_UCTX		0xa05
#define OP_DESTROY_UCTX		0xa06
#define OP_ACCESS_REG_USER	0xb0c
#define OP_UNKNOWN		0x7ff0	/* no such command */

/* Firmware statuses (include/linux/mlx5/device.h, MLX5_CMD_STAT_*). */
#define STAT_OK			0x00
#define STAT_BAD_OP		0x02
#define STAT_BAD_PARAM		0x03
#define STAT_BAD_SYS_STATE	0x04
#define STAT_BAD_RES		0x05
#define STAT_LIM		0x08
#define STAT_BAD_RES_STATE	0x09
#define STAT_BAD_INP_LEN	0x50
#define STAT_BAD_OUTP_LEN	0x51

#define CAP_GENERAL		0x00
#define CAP_GENERAL_2		0x20
#define OPMOD_CUR		1
#define OPMOD_MAX		0
#define REG_WRITE		0
#define REG_READ		1

/*
 * Fields as (bit offset, bit size) in big-endian dwords, mlx5_ifc.h style;
 * offsets from the start of the named block.  A field lies in one dword.
 */
struct field {
	unsigned int off;
	unsigned int sz;
};

#define F(off, sz)		((struct field){ (off), (sz) })
#define HDR_OPCODE		F(0x00, 16)
#define HDR_UID			F(0x10, 16)
#define HDR_OP_MOD		F(0x30, 16)
#define OUT_STATUS		F(0x00, 8)
#define OUT_SYNDROME		F(0x20, 32)
#define HDR_LEN			16U
/* query_hca_cap_in and the cmd_hca_cap of query_hca_cap_out (byte 16) */
#define QHC_OTHER_FUNCTION	F(0x40, 1)
#define QHC_OUT_LEN		(HDR_LEN + 4096)
#define CAP_VHCA_ID		F(0x30, 16)
#define CAP_LOG_MAX_QP		F(0x9b, 5)
#define CAP_DEBUG		F(0x183, 1)
#define CAP_NUM_PORTS		F(0x1b8, 8)
#define CAP_LOG_MAX_UCTX	F(0x463, 5)
#define CAP_FREQ_KHZ		F(0x4e0, 32)
#define CAP_UCTX_CAP		F(0x6a0, 32)
/* query_adapter_out: the parameter block at byte 16 */
#define QA_OUT_LEN		272U
#define QA_IEEE_VENDOR_ID	F(0xc8, 24)
#define QA_VSD_VENDOR_ID	F(0xf0, 16)
#define QA_PSID_BYTE		0xf0
/* access_register_in/out: register_id, then the data at byte 16 */
#define AR_REGISTER_ID		F(0x50, 16)
#define MGIR_CMD_LEN		(HDR_LEN + MLX5_SIM_MGIR_LEN)
/* MGIR: hardware_info at 0, fw_info at byte 0x20 */
#define MGIR_DEVICE_ID		F(0x10, 16)
#define MGIR_NUM_PORTS		F(0x24, 12)
#define MGIR_HW_DEV_ID		F(0x50, 16)
#define MGIR_SIGNED_FW		F(0x106, 1)
#define MGIR_PSID_BYTE		0x30
#define MGIR_EXT_MAJOR		F(0x220, 32)
#define MGIR_EXT_MINOR		F(0x240, 32)
#define MGIR_EXT_SUB_MINOR	F(0x260, 32)
/* uctx (create_uctx_in at byte 16, query_uctx_out at byte 16) */
#define UCTX_CAP		F(0x80, 32)
#define QU_OBJ_UID		F(0x50, 16)
#define QU_OUT_LEN		64U
/* diagnostic_params_context: at byte 8 of set_..._in and query_..._out */
#define DIAG_CTX_BYTE		8
#define DIAG_CTX_LEN		24U
#define CTX_NUM_COUNTERS	F(0x00, 16)
#define CTX_LOG_SAMPLES		F(0x18, 8)
#define CTX_SYNC		F(0x22, 1)
#define CTX_CLEAR		F(0x23, 1)
#define CTX_ENABLE		F(0x25, 1)
#define CTX_LOG_PERIOD		F(0x38, 8)
#define CTX_COUNTER_ID		F(0x10, 16)	/* of each 4-byte entry */
/* query_diagnostic_cntrs_in/out: 16-byte samples from byte 16 */
#define QDC_NUM_SAMPLES		F(0x40, 16)
#define QDC_SAMPLE_INDEX	F(0x50, 16)
#define SAMPLE_LEN		16U
#define S_COUNTER_ID		F(0x00, 16)
#define S_SAMPLE_ID		F(0x10, 16)
#define S_TIME_STAMP		F(0x20, 32)
#define S_VALUE_H		F(0x40, 32)
#define S_VALUE_L		F(0x60, 32)

static __u32 get_bits(const void *buf, struct field f)
{
	__u32 dw;

	memcpy(&dw, (const unsigned char *)buf + f.off / 32 * 4, sizeof(dw));
	dw = be32toh(dw) >> (32 - f.off % 32 - f.sz);
	return f.sz == 32 ? dw : dw & ((1U << f.sz) - 1);
}

static void set_bits(void *buf, struct field f, __u32 val)
{
	unsigned char *p = (unsigned char *)buf + f.off / 32 * 4;
	unsigned int shift = 32 - f.off % 32 - f.sz;
	__u32 mask = (f.sz == 32 ? ~0U : (1U << f.sz) - 1) << shift;
	__u32 dw;

	memcpy(&dw, p, sizeof(dw));
	dw = be32toh(dw);
	dw = (dw & ~mask) | ((val << shift) & mask);
	dw = htobe32(dw);
	memcpy(p, &dw, sizeof(dw));
}

#define GET(buf, field)		get_bits(buf, field)
#define SET(buf, field, v)	set_bits(buf, field, v)

/* A command header; the rest of in (in_len bytes) is zeroed. */
static void cmd_init(void *in, size_t in_len, __u16 opcode, __u16 op_mod,
		     __u16 uid)
{
	memset(in, 0, in_len);
	SET(in, HDR_OPCODE, opcode);
	SET(in, HDR_OP_MOD, op_mod);
	SET(in, HDR_UID, uid);
}

/* The simulator */

static int sim_path(const char *file, char *buf, size_t len)
{
	int n = snprintf(buf, len, MLX5_SIM_CTRL "/%s", file);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int sim_write(const char *file, const char *fmt, ...)
{
	char path[128], text[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (sim_path(file, path, sizeof(path)))
		return -ENAMETOOLONG;
	return write_file(path, text);
}

static int sim_read(const char *file, unsigned long long *val)
{
	char path[128];

	if (sim_path(file, path, sizeof(path)))
		return -ENAMETOOLONG;
	return read_ull(path, val);
}

/* The "devices" file: idx[] and live[] (up to max); returns the count. */
static int sim_devices(int *idx, int *live, int max)
{
	char line[64];
	int n = 0, i, l;
	FILE *f;

	f = fopen(MLX5_SIM_CTRL "/devices", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%d %d", &i, &l) != 2)
			continue;
		if (n < max) {
			idx[n] = i;
			live[n] = l;
		}
		n++;
	}
	fclose(f);
	return n;
}

/* Live user contexts of device index, or -ENODEV if it is not listed. */
static int sim_dev_live(int index)
{
	int idx[MAX_SIM_DEVS], live[MAX_SIM_DEVS], n, i;

	n = sim_devices(idx, live, MAX_SIM_DEVS);
	if (n < 0)
		return n;
	for (i = 0; i < n && i < MAX_SIM_DEVS; i++)
		if (idx[i] == index)
			return live[i];
	return -ENODEV;
}

/* "add" one device; *index gets the one not listed before. */
static int sim_add_one(int *index)
{
	int before[MAX_SIM_DEVS], after[MAX_SIM_DEVS], live[MAX_SIM_DEVS];
	int nb, na, i, j, ret;

	nb = sim_devices(before, live, MAX_SIM_DEVS);
	if (nb < 0)
		return nb;
	ret = sim_write("add", "1\n");
	if (ret)
		return ret;
	na = sim_devices(after, live, MAX_SIM_DEVS);
	if (na < 0)
		return na;
	for (i = 0; i < na && i < MAX_SIM_DEVS; i++) {
		for (j = 0; j < nb && j < MAX_SIM_DEVS; j++)
			if (before[j] == after[i])
				break;
		if (j == nb || j == MAX_SIM_DEVS) {
			*index = after[i];
			return 0;
		}
	}
	return -ENOENT;
}

static unsigned long long sim_counter(struct __test_metadata *_metadata,
				      const char *file)
{
	unsigned long long val = 0;

	EXPECT_EQ(0, sim_read(file, &val)) TH_LOG("read %s", file);
	return val;
}

/* Modules */

/*
 * At the end of the program (the harness' parent: cases run in children
 * that leave with _exit()), unload what this program loads on top of
 * fwctl; registered from a constructor, it runs before fwctl_lib.c's
 * destructor unloads fwctl.
 */
static void mlx5_unload_at_exit(void)
{
	if (getenv("FWCTL_KEEP_MODULES") || geteuid())
		return;
	module_unload("fwctl_mlx5");
	module_unload("mlx5_sim");
}

static void __attribute__((constructor)) mlx5_register_unload(void)
{
	atexit(mlx5_unload_at_exit);
}

/* One simulated device with its fwctl device. */
struct mlx5_env {
	int index;		/* N of mlx5_sim.N, -1: none */
	int minor;		/* M of fwctlM */
	char dev_path[64];	/* /dev/fwctl/fwctlM */
	char err[256];
};

#define env_fail(env, ret, ...) \
	(snprintf((env)->err, sizeof((env)->err), __VA_ARGS__), (ret))

static int load_modules(struct mlx5_env *env)
{
	int ret;

	if (module_is_loaded("mlx5_core"))
		return env_fail(env, -EBUSY,
				"the real mlx5_core is loaded: the simulator cannot load beside it");
	ret = module_load("fwctl", "");
	if (ret)
		return env_fail(env, ret, "insmod fwctl.ko: %s",
				strerror(-ret));
	ret = module_load("mlx5_sim", "ndevs=1");
	if (ret)
		return env_fail(env, ret, "insmod mlx5_sim.ko: %s",
				strerror(-ret));
	ret = module_load("fwctl_mlx5", "");
	if (ret)
		return env_fail(env, ret, "insmod fwctl_mlx5.ko: %s",
				strerror(-ret));
	return 0;
}

/* Wait for the fwctl device of mlx5_sim.N and its node. */
static int attach(struct mlx5_env *env, int index)
{
	long long deadline = now_ms() + NODE_WAIT_MS;
	char parent[32];
	int minor;

	snprintf(parent, sizeof(parent), "mlx5_sim.%d", index);
	for (;;) {
		minor = fwctl_minor_of_parent_name(parent);
		if (minor >= 0) {
			snprintf(env->dev_path, sizeof(env->dev_path),
				 FWCTL_DEV_DIR "/fwctl%d", minor);
			if (!access(env->dev_path, F_OK))
				break;
		}
		if (now_ms() > deadline)
			return env_fail(env, -ENOENT,
					"no fwctl device (or node) with parent %s",
					parent);
		sleep_ms(20);
	}
	env->minor = minor;
	return 0;
}

static int mlx5_env_setup(struct mlx5_env *env)
{
	int ret, index;

	memset(env, 0, sizeof(*env));
	env->index = -1;
	env->minor = -1;
	ret = load_modules(env);
	if (ret)
		return ret;
	ret = sim_add_one(&index);
	if (ret)
		return env_fail(env, ret, "mlx5_sim add: %s", strerror(-ret));
	env->index = index;
	return attach(env, index);
}

static void mlx5_env_teardown(struct mlx5_env *env)
{
	if (env->index >= 0)
		sim_write("remove", "%d\n", env->index);
	env->index = -1;
}

static void setup_env(struct __test_metadata *_metadata,
		      struct mlx5_env *env)
{
	int ret;

	if (geteuid())
		SKIP(return, "must run as root");
	ret = mlx5_env_setup(env);
	if (ret == -EBUSY)
		SKIP(return, "%s", env->err);
	ASSERT_EQ(0, ret) TH_LOG("setup: %s", env->err);
}

static int mlx5_open(const struct mlx5_env *env)
{
	int fd = open(env->dev_path, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* RPCs */

struct answer {
	int ret;		/* 0 or -errno of the ioctl */
	__u32 out_len;		/* as the kernel reports it */
	__u8 status;
	__u32 syndrome;
};

/* One RPC; out must hold out_len bytes. */
static struct answer call(int fd, __u32 scope, void *in, __u32 in_len,
			  void *out, __u32 out_len)
{
	struct answer a = { .out_len = out_len };

	a.ret = fwctl_rpc_call(fd, scope, in, in_len, out, &a.out_len);
	if (!a.ret && a.out_len >= 8) {
		a.status = GET(out, OUT_STATUS);
		a.syndrome = GET(out, OUT_SYNDROME);
	}
	return a;
}

/* A bare 16-byte command with a 16-byte answer. */
static struct answer call_hdr(int fd, __u32 scope, __u16 opcode,
			      __u16 op_mod, __u16 uid)
{
	unsigned char in[HDR_LEN], out[HDR_LEN];

	cmd_init(in, sizeof(in), opcode, op_mod, uid);
	return call(fd, scope, in, sizeof(in), out, sizeof(out));
}

/* Expect a firmware answer: the ioctl worked, with this status. */
#define EXPECT_FW(a, st, synd) do {					\
	struct answer __a = (a);					\
	EXPECT_EQ(0, __a.ret) TH_LOG("ioctl: %s", strerror(-__a.ret));	\
	EXPECT_EQ((st), __a.status);					\
	EXPECT_EQ((__u32)(synd), __a.syndrome);				\
} while (0)

static int info_mlx5(int fd, struct fwctl_info_mlx5 *mi, struct fwctl_info *info)
{
	memset(mi, 0, sizeof(*mi));
	return fwctl_info_get(fd, mi, sizeof(*mi), info);
}

static __u32 uid_of(struct __test_metadata *_metadata, int fd)
{
	struct fwctl_info_mlx5 mi;
	struct fwctl_info info;

	EXPECT_EQ(0, info_mlx5(fd, &mi, &info));
	return mi.uid;
}

/* QUERY_UCTX of obj_uid, with hdr_uid in the header. */
static struct answer query_uctx(int fd, __u16 hdr_uid, __u16 obj_uid,
				__u32 *caps)
{
	unsigned char in[HDR_LEN], out[QU_OUT_LEN];
	struct answer a;

	cmd_init(in, sizeof(in), OP_QUERY_UCTX, 0, hdr_uid);
	SET(in, QU_OBJ_UID, obj_uid);
	a = call(fd, FWCTL_RPC_DEBUG_READ_ONLY, in, sizeof(in), out,
		 sizeof(out));
	if (caps)
		*caps = GET(out, UCTX_CAP);
	return a;
}

/* QUERY_HCA_CAP of the general caps into out (QHC_OUT_LEN bytes). */
static struct answer query_gen_cap(int fd, __u32 scope, int cur, void *out)
{
	unsigned char in[HDR_LEN];

	cmd_init(in, sizeof(in), OP_QUERY_HCA_CAP, CAP_GENERAL << 1 | cur, 0);
	return call(fd, scope, in, sizeof(in), out, QHC_OUT_LEN);
}

/* ACCESS_REG of MGIR as mlx5_core sends it (the register's bytes each way). */
static struct answer access_mgir(int fd, __u32 scope, __u16 op_mod,
				 __u16 uid, unsigned char *buf)
{
	cmd_init(buf, MGIR_CMD_LEN, OP_ACCESS_REG, op_mod, uid);
	SET(buf, AR_REGISTER_ID, MLX5_SIM_REG_MGIR);
	return call(fd, scope, buf, MGIR_CMD_LEN, buf, MGIR_CMD_LEN);
}

struct diag_set {
	int enable;
	int log_samples;
	int log_period;
	int nr;			/* num_of_counters written */
	int nr_ids;		/* counter ids actually sent */
	const __u16 *ids;
};

static struct answer set_diag(int fd, __u32 scope, const struct diag_set *d)
{
	unsigned char in[HDR_LEN + DIAG_CTX_LEN + 4 * 32], out[HDR_LEN];
	unsigned char *ctx = in + DIAG_CTX_BYTE;
	__u32 in_len = DIAG_CTX_BYTE + DIAG_CTX_LEN + 4 * d->nr_ids;
	int i;

	cmd_init(in, sizeof(in), OP_SET_DIAG_PARAMS, 0, 0);
	SET(ctx, CTX_NUM_COUNTERS, d->nr);
	SET(ctx, CTX_LOG_SAMPLES, d->log_samples);
	SET(ctx, CTX_LOG_PERIOD, d->log_period);
	SET(ctx, CTX_ENABLE, d->enable);
	SET(ctx, CTX_CLEAR, !d->enable);
	SET(ctx, CTX_SYNC, 1);
	for (i = 0; i < d->nr_ids; i++)
		SET(ctx + DIAG_CTX_LEN + 4 * i, CTX_COUNTER_ID, d->ids[i]);
	return call(fd, scope, in, in_len, out, sizeof(out));
}

static struct answer query_diag_counters(int fd, __u16 index, __u16 count,
					 void *out, __u32 out_len)
{
	unsigned char in[HDR_LEN];

	cmd_init(in, sizeof(in), OP_QUERY_DIAG_COUNTERS, 0, 0);
	SET(in, QDC_NUM_SAMPLES, count);
	SET(in, QDC_SAMPLE_INDEX, index);
	return call(fd, FWCTL_RPC_DEBUG_READ_ONLY, in, sizeof(in), out,
		    out_len);
}

/* Tests on one fresh device with one open FD */

FIXTURE(mlx5) {
	struct mlx5_env env;
	int fd;
};

FIXTURE_SETUP(mlx5)
{
	self->fd = -1;
	setup_env(_metadata, &self->env);
	if (_metadata->exit_code)
		return;
	self->fd = mlx5_open(&self->env);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", self->env.dev_path,
				      strerror(-self->fd));
}

FIXTURE_TEARDOWN_PARENT(mlx5)
{
	mlx5_env_teardown(&self->env);
}

/* FWCTL_INFO: type MLX5, the uid and caps of a live firmware context. */
TEST_F_TIMEOUT(mlx5, info, FWCTL_TIMEOUT)
{
	struct fwctl_info_mlx5 mi;
	struct fwctl_info info;
	char path[PATH_MAX], link[PATH_MAX];
	const char *drv;
	__u32 caps = ~0U;
	ssize_t n;

	ASSERT_EQ(0, info_mlx5(self->fd, &mi, &info));
	EXPECT_EQ((__u32)FWCTL_DEVICE_TYPE_MLX5, info.out_device_type);
	EXPECT_EQ(sizeof(mi), info.device_data_len);
	EXPECT_NE(0U, mi.uid);
	EXPECT_GE(0xffffU, mi.uid);
	EXPECT_EQ(MLX5_SIM_TOOLS_RESOURCES, mi.uctx_caps);
	EXPECT_EQ(1, sim_dev_live(self->env.index));

	/* The firmware knows that uid, with those caps. */
	EXPECT_FW(query_uctx(self->fd, 0, mi.uid, &caps), STAT_OK, 0);
	EXPECT_EQ(mi.uctx_caps, caps);

	/* The auxiliary device is bound to fwctl_mlx5. */
	snprintf(path, sizeof(path), AUX_DEV_DIR "/mlx5_core.fwctl.%d/driver",
		 self->env.index);
	n = readlink(path, link, sizeof(link) - 1);
	ASSERT_LT(0, n) TH_LOG("%s: %s", path, strerror(errno));
	link[n] = '\0';
	drv = strrchr(link, '/');
	drv = drv ? drv + 1 : link;
	EXPECT_EQ(0, strncmp(drv, "fwctl_mlx5", 10)) TH_LOG("driver %s", drv);
}

/* QUERY_HCA_CAP: the general caps, current and maximum. */
TEST_F_TIMEOUT(mlx5, query_hca_cap, FWCTL_TIMEOUT)
{
	static unsigned char cur[QHC_OUT_LEN], max[QHC_OUT_LEN];
	static unsigned char big[2 * QHC_OUT_LEN];
	unsigned char in[HDR_LEN];
	const unsigned char *c = cur + HDR_LEN, *m = max + HDR_LEN;
	struct answer a;
	size_t i;

	a = query_gen_cap(self->fd, FWCTL_RPC_CONFIGURATION, OPMOD_CUR, cur);
	EXPECT_FW(a, STAT_OK, 0);
	EXPECT_EQ(QHC_OUT_LEN, a.out_len);
	a = query_gen_cap(self->fd, FWCTL_RPC_CONFIGURATION, OPMOD_MAX, max);
	EXPECT_FW(a, STAT_OK, 0);

	EXPECT_EQ((__u32)self->env.index, GET(c, CAP_VHCA_ID));
	EXPECT_EQ(MLX5_SIM_UCTX_CAP_BASE | MLX5_SIM_TOOLS_RESOURCES,
		  GET(c, CAP_UCTX_CAP));
	EXPECT_EQ(MLX5_SIM_LOG_MAX_QP_CUR, GET(c, CAP_LOG_MAX_QP));
	EXPECT_EQ(MLX5_SIM_LOG_MAX_QP_MAX, GET(m, CAP_LOG_MAX_QP));
	EXPECT_EQ(MLX5_SIM_LOG_MAX_UCTX, GET(c, CAP_LOG_MAX_UCTX));
	EXPECT_EQ(MLX5_SIM_NUM_PORTS, GET(c, CAP_NUM_PORTS));
	EXPECT_EQ(MLX5_SIM_FREQ_KHZ, GET(c, CAP_FREQ_KHZ));
	EXPECT_EQ(1U, GET(c, CAP_DEBUG));

	/* A larger buffer: the same answer, then zeros. */
	memset(big, SENTINEL, sizeof(big));
	cmd_init(in, sizeof(in), OP_QUERY_HCA_CAP,
		 CAP_GENERAL << 1 | OPMOD_CUR, 0);
	a = call(self->fd, FWCTL_RPC_CONFIGURATION, in, sizeof(in), big,
		 sizeof(big));
	EXPECT_FW(a, STAT_OK, 0);
	EXPECT_EQ(sizeof(big), a.out_len);
	EXPECT_EQ(0, memcmp(big + HDR_LEN, c, QHC_OUT_LEN - HDR_LEN));
	for (i = QHC_OUT_LEN; i < sizeof(big); i++)
		ASSERT_EQ(0, big[i]) TH_LOG("byte %zu", i);

	/* Capability types the simulator lacks, and other functions. */
	cmd_init(in, sizeof(in), OP_QUERY_HCA_CAP,
		 CAP_GENERAL_2 << 1 | OPMOD_CUR, 0);
	EXPECT_FW(call(self->fd, FWCTL_RPC_CONFIGURATION, in, sizeof(in), cur,
		       QHC_OUT_LEN),
		  STAT_BAD_PARAM, MLX5_SIM_SYND_BAD_CAP_TYPE);
	cmd_init(in, sizeof(in), OP_QUERY_HCA_CAP,
		 CAP_GENERAL << 1 | OPMOD_CUR, 0);
	SET(in, QHC_OTHER_FUNCTION, 1);
	EXPECT_FW(call(self->fd, FWCTL_RPC_CONFIGURATION, in, sizeof(in), cur,
		       QHC_OUT_LEN),
		  STAT_BAD_PARAM, MLX5_SIM_SYND_BAD_CAP_TYPE);
}

TEST_F_TIMEOUT(mlx5, query_adapter, FWCTL_TIMEOUT)
{
	unsigned char in[HDR_LEN], out[QA_OUT_LEN];
	const unsigned char *blk = out + HDR_LEN;

	cmd_init(in, sizeof(in), OP_QUERY_ADAPTER, 0, 0);
	EXPECT_FW(call(self->fd, FWCTL_RPC_CONFIGURATION, in, sizeof(in), out,
		       sizeof(out)),
		  STAT_OK, 0);
	EXPECT_EQ(MLX5_SIM_IEEE_VENDOR_ID, GET(blk, QA_IEEE_VENDOR_ID));
	EXPECT_EQ(MLX5_SIM_VSD_VENDOR_ID, GET(blk, QA_VSD_VENDOR_ID));
	EXPECT_EQ(0, memcmp(blk + QA_PSID_BYTE, MLX5_SIM_PSID,
			    sizeof(MLX5_SIM_PSID)));

	/* One byte short of the layout: the firmware says so. */
	EXPECT_FW(call(self->fd, FWCTL_RPC_CONFIGURATION, in, sizeof(in), out,
		       sizeof(out) - 1),
		  STAT_BAD_OUTP_LEN, MLX5_SIM_SYND_BAD_OUTP_LEN);
}

/* ACCESS_REG: MGIR reads at DEBUG_READ_ONLY; writes reach the firmware. */
TEST_F_TIMEOUT(mlx5, access_reg_mgir, FWCTL_TIMEOUT)
{
	unsigned char buf[MGIR_CMD_LEN];
	const unsigned char *reg = buf + HDR_LEN;
	struct answer a;

	/* Read, answered in place (out_len == in_len). */
	a = access_mgir(self->fd, FWCTL_RPC_DEBUG_READ_ONLY, REG_READ, 0, buf);
	EXPECT_FW(a, STAT_OK, 0);
	EXPECT_EQ(MGIR_CMD_LEN, a.out_len);
	EXPECT_EQ(MLX5_SIM_DEVICE_ID, GET(reg, MGIR_DEVICE_ID));
	EXPECT_EQ(MLX5_SIM_NUM_PORTS, GET(reg, MGIR_NUM_PORTS));
	EXPECT_EQ(MLX5_SIM_HW_DEV_ID, GET(reg, MGIR_HW_DEV_ID));
	EXPECT_EQ(1U, GET(reg, MGIR_SIGNED_FW));
	EXPECT_EQ(MLX5_SIM_FW_MAJOR, GET(reg, MGIR_EXT_MAJOR));
	EXPECT_EQ(MLX5_SIM_FW_MINOR, GET(reg, MGIR_EXT_MINOR));
	EXPECT_EQ(MLX5_SIM_FW_SUB_MINOR, GET(reg, MGIR_EXT_SUB_MINOR));
	EXPECT_EQ(0, memcmp(reg + MGIR_PSID_BYTE, MLX5_SIM_PSID,
			    sizeof(MLX5_SIM_PSID)));

	/* A write is a CONFIGURATION command; MGIR is read-only. */
	EXPECT_FW(access_mgir(self->fd, FWCTL_RPC_CONFIGURATION, REG_WRITE, 0,
			      buf),
		  STAT_BAD_PARAM, MLX5_SIM_SYND_REG_READ_ONLY);

	/* A register the simulator lacks. */
	cmd_init(buf, sizeof(buf), OP_ACCESS_REG, REG_READ, 0);
	SET(buf, AR_REGISTER_ID, MLX5_SIM_REG_MGIR + 1);
	EXPECT_FW(call(self->fd, FWCTL_RPC_DEBUG_READ_ONLY, buf, sizeof(buf),
		       buf, sizeof(buf)),
		  STAT_BAD_PARAM, MLX5_SIM_SYND_BAD_REGISTER);
}

/* SET_DIAGNOSTIC_PARAMS is seen by the later queries. */
TEST_F_TIMEOUT(mlx5, diagnostic_counters, FWCTL_TIMEOUT)
{
	static const __u16 ids[] = { 0x0401, 0x2006, 0x1001 };
	static const __u16 many[MLX5_SIM_DIAG_MAX_COUNTERS + 1];
	struct diag_set d = {
		.enable = 1, .log_samples = 2, .log_period = 3,
		.nr = 3, .nr_ids = 3, .ids = ids,
	};
	unsigned char in[HDR_LEN], out[HDR_LEN + 16 * SAMPLE_LEN];
	const unsigned char *ctx = out + DIAG_CTX_BYTE;
	unsigned int k, n, total = 3 << 2;
	unsigned long long value;
	struct answer a;

	/* Fresh device: nothing enabled. */
	EXPECT_FW(query_diag_counters(self->fd, 0, 1, out, sizeof(out)),
		  STAT_BAD_SYS_STATE, MLX5_SIM_SYND_DIAG_DISABLED);

	EXPECT_FW(set_diag(self->fd, FWCTL_RPC_DEBUG_WRITE, &d), STAT_OK, 0);

	cmd_init(in, sizeof(in), OP_QUERY_DIAG_PARAMS, 0, 0);
	EXPECT_FW(call(self->fd, FWCTL_RPC_DEBUG_READ_ONLY, in, sizeof(in),
		       out, DIAG_CTX_BYTE + DIAG_CTX_LEN + 4 * 3),
		  STAT_OK, 0);
	EXPECT_EQ(3U, GET(ctx, CTX_NUM_COUNTERS));
	EXPECT_EQ(2U, GET(ctx, CTX_LOG_SAMPLES));
	EXPECT_EQ(3U, GET(ctx, CTX_LOG_PERIOD));
	EXPECT_EQ(1U, GET(ctx, CTX_ENABLE));
	EXPECT_EQ(1U, GET(ctx, CTX_SYNC));
	for (k = 0; k < 3; k++)
		EXPECT_EQ(ids[k], GET(ctx + DIAG_CTX_LEN + 4 * k,
				      CTX_COUNTER_ID));
	/* Too short for the three ids. */
	EXPECT_FW(call(self->fd, FWCTL_RPC_DEBUG_READ_ONLY, in, sizeof(in),
		       out, DIAG_CTX_BYTE + DIAG_CTX_LEN + 4 * 2),
		  STAT_BAD_OUTP_LEN, MLX5_SIM_SYND_BAD_OUTP_LEN);

	/* Samples 2..6 of the 12. */
	a = query_diag_counters(self->fd, 2, 5, out, HDR_LEN + 5 * SAMPLE_LEN);
	EXPECT_FW(a, STAT_OK, 0);
	for (k = 0; k < 5; k++) {
		const unsigned char *s = out + HDR_LEN + k * SAMPLE_LEN;

		n = 2 + k;
		value = MLX5_SIM_DIAG_VALUE(ids[n % 3], n / 3);
		EXPECT_EQ(ids[n % 3], GET(s, S_COUNTER_ID));
		EXPECT_EQ(n / 3, GET(s, S_SAMPLE_ID));
		EXPECT_EQ(n << 3, GET(s, S_TIME_STAMP));
		EXPECT_EQ(value >> 32, GET(s, S_VALUE_H));
		EXPECT_EQ(value & 0xffffffffU, GET(s, S_VALUE_L));
	}
	/* Past the buffer, none, or no room for them. */
	EXPECT_FW(query_diag_counters(self->fd, total - 2, 3, out, sizeof(out)),
		  STAT_BAD_PARAM, MLX5_SIM_SYND_DIAG_BAD_SAMPLES);
	EXPECT_FW(query_diag_counters(self->fd, 0, 0, out, sizeof(out)),
		  STAT_BAD_PARAM, MLX5_SIM_SYND_DIAG_BAD_SAMPLES);
	EXPECT_FW(query_diag_counters(self->fd, 0, 4, out,
				      HDR_LEN + 3 * SAMPLE_LEN),
		  STAT_BAD_OUTP_LEN, MLX5_SIM_SYND_BAD_OUTP_LEN);

	/* Invalid parameters change nothing. */
	d.nr = d.nr_ids = MLX5_SIM_DIAG_MAX_COUNTERS + 1;
	d.ids = many;
	EXPECT_FW(set_diag(self->fd, FWCTL_RPC_DEBUG_WRITE, &d),
		  STAT_BAD_PARAM, MLX5_SIM_SYND_DIAG_BAD_PARAMS);
	EXPECT_FW(query_diag_counters(self->fd, 0, 1, out, sizeof(out)),
		  STAT_OK, 0);

	/* Disabled again. */
	d = (struct diag_set){ .enable = 0 };
	EXPECT_FW(set_diag(self->fd, FWCTL_RPC_DEBUG_WRITE, &d), STAT_OK, 0);
	EXPECT_FW(query_diag_counters(self->fd, 0, 1, out, sizeof(out)),
		  STAT_BAD_SYS_STATE, MLX5_SIM_SYND_DIAG_DISABLED);
}

/* The allow-list */

enum { NEVER = 99 };

struct matrix_cmd {
	const char *name;
	__u16 opcode;
	__u16 op_mod;
	__u32 in_len;
	__u32 out_len;
	int min_scope;		/* lowest scope that lets it through */
	__u8 status;		/* the firmware's answer on a fresh device */
};

static const struct matrix_cmd matrix_cmds[] = {
	{ "QUERY_HCA_CAP", OP_QUERY_HCA_CAP, CAP_GENERAL << 1 | OPMOD_CUR,
	  HDR_LEN, QHC_OUT_LEN, FWCTL_RPC_CONFIGURATION, STAT_OK },
	{ "QUERY_ADAPTER", OP_QUERY_ADAPTER, 0, HDR_LEN, QA_OUT_LEN,
	  FWCTL_RPC_CONFIGURATION, STAT_OK },
	{ "ACCESS_REG write", OP_ACCESS_REG, REG_WRITE, MGIR_CMD_LEN,
	  MGIR_CMD_LEN, FWCTL_RPC_CONFIGURATION, STAT_BAD_PARAM },
	{ "ACCESS_REG read", OP_ACCESS_REG, REG_READ, MGIR_CMD_LEN,
	  MGIR_CMD_LEN, FWCTL_RPC_DEBUG_READ_ONLY, STAT_OK },
	{ "ACCESS_REG op_mod 2", OP_ACCESS_REG, 2, MGIR_CMD_LEN, MGIR_CMD_LEN,
	  FWCTL_RPC_DEBUG_READ_ONLY, STAT_BAD_PARAM },
	{ "ACCESS_REGISTER_USER write", OP_ACCESS_REG_USER, REG_WRITE,
	  MGIR_CMD_LEN, MGIR_CMD_LEN, FWCTL_RPC_CONFIGURATION, STAT_BAD_OP },
	{ "ACCESS_REGISTER_USER read", OP_ACCESS_REG_USER, REG_READ,
	  MGIR_CMD_LEN, MGIR_CMD_LEN, FWCTL_RPC_DEBUG_READ_ONLY, STAT_BAD_OP },
	{ "NOP", OP_NOP, 0, HDR_LEN, HDR_LEN, FWCTL_RPC_DEBUG_READ_ONLY,
	  STAT_OK },
	{ "QUERY_UCTX", OP_QUERY_UCTX, 0, HDR_LEN, QU_OUT_LEN,
	  FWCTL_RPC_DEBUG_READ_ONLY, STAT_OK },
	{ "QUERY_DIAGNOSTIC_PARAMS", OP_QUERY_DIAG_PARAMS, 0, HDR_LEN,
	  DIAG_CTX_BYTE + DIAG_CTX_LEN, FWCTL_RPC_DEBUG_READ_ONLY, STAT_OK },
	{ "QUERY_DIAGNOSTIC_COUNTERS", OP_QUERY_DIAG_COUNTERS, 0, HDR_LEN,
	  HDR_LEN + SAMPLE_LEN, FWCTL_RPC_DEBUG_READ_ONLY,
	  STAT_BAD_SYS_STATE },
	{ "SET_DIAGNOSTIC_PARAMS", OP_SET_DIAG_PARAMS, 0,
	  DIAG_CTX_BYTE + DIAG_CTX_LEN, HDR_LEN, FWCTL_RPC_DEBUG_WRITE,
	  STAT_OK },
	{ "CREATE_UCTX", OP_CREATE_UCTX, 0, 64, HDR_LEN, NEVER, 0 },
	{ "DESTROY_UCTX", OP_DESTROY_UCTX, 0, HDR_LEN, HDR_LEN, NEVER, 0 },
	{ "unknown opcode", OP_UNKNOWN, 0, HDR_LEN, HDR_LEN, NEVER, 0 },
};

#define NR_MATRIX_CMDS	((int)ARRAY_SIZE(matrix_cmds))
/* Scopes tried: the four real ones and the first unknown one. */
#define NR_SCOPES	5

struct matrix {
	int fd;
	__u32 uid;
	struct {
		int ret;
		__u8 status;
		int reached;	/* the firmware saw a command */
		__u32 last_uid;
	} res[NR_MATRIX_CMDS][NR_SCOPES];
};

/* Every command at every scope; runs with or without CAP_SYS_RAWIO. */
static int run_matrix(void *arg)
{
	static unsigned char in[8192], out[8192];
	struct matrix *m = arg;
	unsigned long long before, after, last;
	int c, s;

	for (c = 0; c < NR_MATRIX_CMDS; c++) {
		const struct matrix_cmd *mc = &matrix_cmds[c];

		for (s = 0; s < NR_SCOPES; s++) {
			struct answer a;

			cmd_init(in, mc->in_len, mc->opcode, mc->op_mod, 0);
			if (mc->opcode == OP_ACCESS_REG ||
			    mc->opcode == OP_ACCESS_REG_USER)
				SET(in, AR_REGISTER_ID, MLX5_SIM_REG_MGIR);
			if (mc->opcode == OP_QUERY_UCTX)
				SET(in, QU_OBJ_UID, m->uid);
			before = after = last = 0;
			sim_read("commands", &before);
			a = call(m->fd, s, in, mc->in_len, out, mc->out_len);
			sim_read("commands", &after);
			sim_read("last_uid", &last);
			m->res[c][s].ret = a.ret;
			m->res[c][s].status = a.status;
			m->res[c][s].reached = after != before;
			m->res[c][s].last_uid = last;
		}
	}
	return 0;
}

static void check_matrix(struct __test_metadata *_metadata,
			 const struct matrix *m, bool cap)
{
	char lockdown[32];
	bool locked = lockdown_locked(lockdown, sizeof(lockdown));
	int c, s, expected;

	for (c = 0; c < NR_MATRIX_CMDS; c++) {
		const struct matrix_cmd *mc = &matrix_cmds[c];

		for (s = 0; s < NR_SCOPES; s++) {
			expected = scope_expected_errno(s, cap, locked);
			if (!expected && s < mc->min_scope)
				expected = EBADMSG;
			EXPECT_EQ(-expected, m->res[c][s].ret)
				TH_LOG("%s at %s (%s rawio, lockdown %s): %s",
				       mc->name, scope_name(s),
				       cap ? "with" : "without", lockdown,
				       m->res[c][s].ret ?
				       strerror(-m->res[c][s].ret) : "ok");
			if (m->res[c][s].ret) {
				/* Refused: the firmware never saw it. */
				EXPECT_FALSE(m->res[c][s].reached)
					TH_LOG("%s at %s", mc->name,
					       scope_name(s));
				continue;
			}
			EXPECT_TRUE(m->res[c][s].reached);
			EXPECT_EQ(mc->status, m->res[c][s].status)
				TH_LOG("%s at %s", mc->name, scope_name(s));
			EXPECT_EQ(m->uid, m->res[c][s].last_uid)
				TH_LOG("%s at %s: header uid", mc->name,
				       scope_name(s));
		}
	}
}

TEST_F_TIMEOUT(mlx5, scopes_with_rawio, FWCTL_TIMEOUT)
{
	struct matrix *m = map_shared(sizeof(*m));

	ASSERT_NE(NULL, m);
	ASSERT_TRUE(has_cap_sys_rawio()) TH_LOG("root without CAP_SYS_RAWIO");
	m->fd = self->fd;
	m->uid = uid_of(_metadata, self->fd);
	run_matrix(m);
	check_matrix(_metadata, m, true);
}

TEST_F_TIMEOUT(mlx5, scopes_without_rawio, FWCTL_TIMEOUT)
{
	struct matrix *m = map_shared(sizeof(*m));

	ASSERT_NE(NULL, m);
	m->fd = self->fd;
	m->uid = uid_of(_metadata, self->fd);
	/* The FD was opened with the capability: the RPC's caller counts. */
	ASSERT_EQ(0, run_without_rawio(run_matrix, m));
	check_matrix(_metadata, m, false);
}

/* User contexts */

/* Two FDs, two uids; neither can pass for the other, nor for the kernel. */
TEST_F_TIMEOUT(mlx5, two_fds, FWCTL_TIMEOUT)
{
	unsigned long long last = 0;
	unsigned char buf[MGIR_CMD_LEN];
	__u32 a_uid, b_uid, caps;
	int a = self->fd, b;

	b = mlx5_open(&self->env);
	ASSERT_LE(0, b);
	a_uid = uid_of(_metadata, a);
	b_uid = uid_of(_metadata, b);
	EXPECT_NE(0U, a_uid);
	EXPECT_NE(0U, b_uid);
	EXPECT_NE(a_uid, b_uid);
	EXPECT_EQ(2, sim_dev_live(self->env.index));

	/* B's uid in A's command: the firmware sees A's. */
	EXPECT_FW(call_hdr(a, FWCTL_RPC_DEBUG_READ_ONLY, OP_NOP, 0, b_uid),
		  STAT_OK, 0);
	EXPECT_EQ(0, sim_read("last_uid", &last));
	EXPECT_EQ(a_uid, last);

	/* A cannot query B's context, whichever uid it claims. */
	EXPECT_FW(query_uctx(a, b_uid, b_uid, NULL), STAT_BAD_RES,
		  MLX5_SIM_SYND_UCTX_NOT_OWNER);
	EXPECT_EQ(0, sim_read("last_uid", &last));
	EXPECT_EQ(a_uid, last);
	EXPECT_FW(query_uctx(a, 0, b_uid, NULL), STAT_BAD_RES,
		  MLX5_SIM_SYND_UCTX_NOT_OWNER);
	EXPECT_EQ(0, sim_read("last_uid", &last));
	EXPECT_EQ(a_uid, last);
	/* Each its own. */
	EXPECT_FW(query_uctx(a, 0, a_uid, &caps), STAT_OK, 0);
	EXPECT_FW(query_uctx(b, a_uid, b_uid, &caps), STAT_OK, 0);
	EXPECT_EQ(0, sim_read("last_uid", &last));
	EXPECT_EQ(b_uid, last);

	/* The register read works for both, under their own uid. */
	EXPECT_FW(access_mgir(b, FWCTL_RPC_DEBUG_READ_ONLY, REG_READ, a_uid,
			      buf),
		  STAT_OK, 0);
	EXPECT_EQ(0, sim_read("last_uid", &last));
	EXPECT_EQ(b_uid, last);

	/* A closed: its context is gone, B's is not. */
	close(a);
	self->fd = -1;
	EXPECT_EQ(1, sim_dev_live(self->env.index));
	EXPECT_FW(query_uctx(b, 0, a_uid, NULL), STAT_BAD_RES,
		  MLX5_SIM_SYND_UCTX_UNKNOWN);
	EXPECT_FW(query_uctx(b, 0, b_uid, NULL), STAT_OK, 0);
	close(b);
	EXPECT_EQ(0, sim_dev_live(self->env.index));
}

/* Every FD's context is destroyed at close, once. */
TEST_F_TIMEOUT(mlx5, close_destroys_uctx, FWCTL_TIMEOUT)
{
	enum { N = 8 };
	__u32 uids[N + 1];
	int fds[N], dup_fd, i, j;

	ASSERT_EQ(1ULL, sim_counter(_metadata, "live_uctx"))
		TH_LOG("user contexts alive before the test");
	uids[N] = uid_of(_metadata, self->fd);
	for (i = 0; i < N; i++) {
		fds[i] = mlx5_open(&self->env);
		ASSERT_LE(0, fds[i]);
		uids[i] = uid_of(_metadata, fds[i]);
	}
	EXPECT_EQ(N + 1, sim_dev_live(self->env.index));
	EXPECT_EQ(N + 1ULL, sim_counter(_metadata, "live_uctx"));
	for (i = 0; i <= N; i++)
		for (j = 0; j < i; j++)
			EXPECT_NE(uids[i], uids[j]);

	/* A dup is the same FD: no new context, none destroyed early. */
	dup_fd = dup(self->fd);
	ASSERT_LE(0, dup_fd);
	EXPECT_EQ(N + 1, sim_dev_live(self->env.index));
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(N + 1, sim_dev_live(self->env.index));
	EXPECT_EQ(uids[N], uid_of(_metadata, dup_fd));
	close(dup_fd);
	EXPECT_EQ(N, sim_dev_live(self->env.index));

	for (i = 0; i < N; i++)
		close(fds[i]);
	EXPECT_EQ(0, sim_dev_live(self->env.index));
	EXPECT_EQ(0ULL, sim_counter(_metadata, "live_uctx"));
}

/* Unplug with FDs open: contexts destroyed, the FDs orphaned. */
TEST_F_TIMEOUT(mlx5, unplug_with_open_fds, FWCTL_TIMEOUT)
{
	struct fwctl_info_mlx5 mi;
	struct fwctl_info info;
	char path[PATH_MAX];
	int fds[3], i, index = self->env.index;

	fds[0] = self->fd;
	for (i = 1; i < 3; i++) {
		fds[i] = mlx5_open(&self->env);
		ASSERT_LE(0, fds[i]);
	}
	EXPECT_EQ(3, sim_dev_live(index));
	EXPECT_EQ(3ULL, sim_counter(_metadata, "live_uctx"));

	ASSERT_EQ(0, sim_write("remove", "%d\n", index));
	self->env.index = -1;
	EXPECT_EQ(-ENODEV, sim_dev_live(index));
	EXPECT_EQ(0ULL, sim_counter(_metadata, "live_uctx"));
	snprintf(path, sizeof(path), AUX_DEV_DIR "/mlx5_core.fwctl.%d", index);
	EXPECT_NE(0, access(path, F_OK)) TH_LOG("%s still there", path);
	snprintf(path, sizeof(path), "mlx5_sim.%d", index);
	EXPECT_EQ(-ENOENT, fwctl_minor_of_parent_name(path));

	for (i = 0; i < 3; i++) {
		struct answer a = call_hdr(fds[i], FWCTL_RPC_DEBUG_READ_ONLY,
					   OP_NOP, 0, 0);

		EXPECT_EQ(-ENODEV, a.ret);
		EXPECT_EQ(-ENODEV, info_mlx5(fds[i], &mi, &info));
		EXPECT_EQ(0, close(fds[i]));
	}
	self->fd = -1;
	EXPECT_EQ(0ULL, sim_counter(_metadata, "live_uctx"));
}

struct hammer {
	int fd;
	int calls;
	int bad;		/* neither 0 nor ENODEV */
	int enodev;
	int first_bad;
};

static void *hammer_fn(void *arg)
{
	struct hammer *h = arg;

	for (;;) {
		struct answer a = call_hdr(h->fd, FWCTL_RPC_DEBUG_READ_ONLY,
					   OP_NOP, 0, 0);

		h->calls++;
		if (a.ret == -ENODEV) {
			h->enodev++;
			break;
		}
		if (a.ret || a.status) {
			if (!h->bad++)
				h->first_bad = a.ret ? a.ret : a.status;
		}
	}
	return NULL;
}

/* Unplug while RPCs run: each is answered or gets ENODEV, nothing leaks. */
TEST_F_TIMEOUT(mlx5, unplug_during_rpcs, FWCTL_TIMEOUT)
{
	enum { T = 4 };
	struct hammer h[T] = {};
	pthread_t th[T];
	int i;

	for (i = 0; i < T; i++) {
		h[i].fd = i ? mlx5_open(&self->env) : self->fd;
		ASSERT_LE(0, h[i].fd);
	}
	for (i = 0; i < T; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, hammer_fn, &h[i]));
	sleep_ms(300);
	EXPECT_EQ(0, sim_write("remove", "%d\n", self->env.index));
	self->env.index = -1;
	/* Each thread leaves at its first ENODEV. */
	for (i = 0; i < T; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < T; i++) {
		TH_LOG("thread %d: %d calls", i, h[i].calls);
		EXPECT_EQ(0, h[i].bad) TH_LOG("thread %d: first bad %d", i,
					      h[i].first_bad);
		EXPECT_EQ(1, h[i].enodev) TH_LOG("thread %d", i);
		EXPECT_LT(1, h[i].calls);
		close(h[i].fd);
	}
	self->fd = -1;
	EXPECT_EQ(0ULL, sim_counter(_metadata, "live_uctx"));
}

/* Errors */

/* A firmware error status is an answer: status and syndrome in out. */
TEST_F_TIMEOUT(mlx5, firmware_status, FWCTL_TIMEOUT)
{
	static unsigned char out[QHC_OUT_LEN];
	unsigned char in[HDR_LEN];
	char word[64];
	struct answer a;
	size_t i;

	ASSERT_EQ(0, sim_write("fail_status", "%d 0x%x 0x%x\n",
			       STAT_BAD_RES_STATE, 0xabc123, OP_NOP));
	/* Another opcode does not take it. */
	EXPECT_FW(query_gen_cap(self->fd, FWCTL_RPC_CONFIGURATION, OPMOD_CUR,
				out),
		  STAT_OK, 0);
	a = call_hdr(self->fd, FWCTL_RPC_DEBUG_READ_ONLY, OP_NOP, 0, 0);
	EXPECT_FW(a, STAT_BAD_RES_STATE, 0xabc123);
	EXPECT_EQ(HDR_LEN, a.out_len);
	ASSERT_EQ(0, read_word(MLX5_SIM_CTRL "/fail_status", word,
			       sizeof(word)));
	EXPECT_STREQ("none", word);
	/* Once only. */
	EXPECT_FW(call_hdr(self->fd, FWCTL_RPC_DEBUG_READ_ONLY, OP_NOP, 0, 0),
		  STAT_OK, 0);

	/* Any opcode; a long answer is the header and zeros. */
	ASSERT_EQ(0, sim_write("fail_status", "%d 0x77\n", STAT_BAD_PARAM));
	memset(out, SENTINEL, sizeof(out));
	cmd_init(in, sizeof(in), OP_QUERY_HCA_CAP,
		 CAP_GENERAL << 1 | OPMOD_CUR, 0);
	a = call(self->fd, FWCTL_RPC_CONFIGURATION, in, sizeof(in), out,
		 sizeof(out));
	EXPECT_FW(a, STAT_BAD_PARAM, 0x77);
	EXPECT_EQ(sizeof(out), a.out_len);
	for (i = 8; i < sizeof(out); i++)
		ASSERT_EQ(0, out[i]) TH_LOG("byte %zu", i);
	EXPECT_EQ(1, sim_dev_live(self->env.index));
}

/* A command that does not reach the firmware fails with its errno. */
TEST_F_TIMEOUT(mlx5, command_errno, FWCTL_TIMEOUT)
{
	unsigned char in[HDR_LEN], out[QA_OUT_LEN];
	char word[64];

	ASSERT_EQ(0, sim_write("fail_errno", "%d 0x%x\n", ETIMEDOUT, OP_NOP));
	EXPECT_EQ(-ETIMEDOUT,
		  call_hdr(self->fd, FWCTL_RPC_DEBUG_READ_ONLY, OP_NOP, 0, 0).ret);
	ASSERT_EQ(0, read_word(MLX5_SIM_CTRL "/fail_errno", word,
			       sizeof(word)));
	EXPECT_STREQ("none", word);
	EXPECT_FW(call_hdr(self->fd, FWCTL_RPC_DEBUG_READ_ONLY, OP_NOP, 0, 0),
		  STAT_OK, 0);

	ASSERT_EQ(0, sim_write("fail_errno", "%d\n", EIO));
	cmd_init(in, sizeof(in), OP_QUERY_ADAPTER, 0, 0);
	EXPECT_EQ(-EIO, call(self->fd, FWCTL_RPC_CONFIGURATION, in,
			     sizeof(in), out, sizeof(out)).ret);
	EXPECT_FW(call(self->fd, FWCTL_RPC_CONFIGURATION, in, sizeof(in), out,
		       sizeof(out)),
		  STAT_OK, 0);
}

/* CREATE_UCTX failing fails the open with mlx5_core's errno. */
TEST_F_TIMEOUT(mlx5, open_fails, FWCTL_TIMEOUT)
{
	static const struct {
		const char *file;
		const char *fmt;
		int arg;
		int err;
	} cases[] = {
		{ "fail_status", "%d 0x1 0xa04\n", STAT_BAD_PARAM, EINVAL },
		{ "fail_status", "%d 0x2 0xa04\n", STAT_LIM, ENOMEM },
		{ "fail_status", "%d 0x3 0xa04\n", STAT_BAD_INP_LEN, EIO },
		{ "fail_errno", "%d 0xa04\n", ETIMEDOUT, ETIMEDOUT },
	};
	unsigned int i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_EQ(0, sim_write(cases[i].file, cases[i].fmt,
				       cases[i].arg));
		fd = mlx5_open(&self->env);
		EXPECT_EQ(-cases[i].err, fd) TH_LOG("%s %d", cases[i].file,
						    cases[i].arg);
		if (fd >= 0)
			close(fd);
		EXPECT_EQ(1, sim_dev_live(self->env.index));
	}
	fd = mlx5_open(&self->env);
	ASSERT_LE(0, fd);
	EXPECT_EQ(2, sim_dev_live(self->env.index));
	close(fd);
	EXPECT_EQ(1, sim_dev_live(self->env.index));
}

/* Buffers under a header are EMSGSIZE, before the firmware. */
TEST_F_TIMEOUT(mlx5, short_buffers, FWCTL_TIMEOUT)
{
	static const __u32 lens[] = { 0, 1, 8, HDR_LEN - 1 };
	unsigned char in[HDR_LEN], out[HDR_LEN];
	unsigned long long before, after;
	unsigned int i;

	before = sim_counter(_metadata, "commands");
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		cmd_init(in, sizeof(in), OP_NOP, 0, 0);
		EXPECT_EQ(-EMSGSIZE, call(self->fd, FWCTL_RPC_DEBUG_READ_ONLY,
					  in, lens[i], out, sizeof(out)).ret)
			TH_LOG("in_len %u", lens[i]);
		EXPECT_EQ(-EMSGSIZE, call(self->fd, FWCTL_RPC_DEBUG_READ_ONLY,
					  in, sizeof(in), out, lens[i]).ret)
			TH_LOG("out_len %u", lens[i]);
	}
	after = sim_counter(_metadata, "commands");
	EXPECT_EQ(before, after);
}

/* Commands shorter than their layout: the firmware's length statuses. */
TEST_F_TIMEOUT(mlx5, truncated_commands, FWCTL_TIMEOUT)
{
	static const __u16 ids[] = { 1, 2 };
	struct diag_set d = {
		.enable = 1, .nr = 4, .nr_ids = 2, .ids = ids,
	};
	unsigned char buf[MGIR_CMD_LEN], out[HDR_LEN];

	/* ACCESS_REG without the register's bytes. */
	cmd_init(buf, sizeof(buf), OP_ACCESS_REG, REG_READ, 0);
	SET(buf, AR_REGISTER_ID, MLX5_SIM_REG_MGIR);
	EXPECT_FW(call(self->fd, FWCTL_RPC_DEBUG_READ_ONLY, buf, HDR_LEN, buf,
		       sizeof(buf)),
		  STAT_BAD_INP_LEN, MLX5_SIM_SYND_BAD_INP_LEN);
	/* (The answer overwrote the command.) */
	cmd_init(buf, sizeof(buf), OP_ACCESS_REG, REG_READ, 0);
	SET(buf, AR_REGISTER_ID, MLX5_SIM_REG_MGIR);
	EXPECT_FW(call(self->fd, FWCTL_RPC_DEBUG_READ_ONLY, buf,
		       sizeof(buf) - 4, buf, sizeof(buf)),
		  STAT_BAD_INP_LEN, MLX5_SIM_SYND_BAD_INP_LEN);
	/* ... or without room for them in the answer. */
	cmd_init(buf, sizeof(buf), OP_ACCESS_REG, REG_READ, 0);
	SET(buf, AR_REGISTER_ID, MLX5_SIM_REG_MGIR);
	EXPECT_FW(call(self->fd, FWCTL_RPC_DEBUG_READ_ONLY, buf, sizeof(buf),
		       buf, sizeof(buf) - 4),
		  STAT_BAD_OUTP_LEN, MLX5_SIM_SYND_BAD_OUTP_LEN);

	/* SET_DIAGNOSTIC_PARAMS announcing 4 ids and carrying 2. */
	EXPECT_FW(set_diag(self->fd, FWCTL_RPC_DEBUG_WRITE, &d),
		  STAT_BAD_INP_LEN, MLX5_SIM_SYND_BAD_INP_LEN);
	/* ... or without its context at all. */
	cmd_init(buf, HDR_LEN, OP_SET_DIAG_PARAMS, 0, 0);
	EXPECT_FW(call(self->fd, FWCTL_RPC_DEBUG_WRITE, buf, HDR_LEN, out,
		       sizeof(out)),
		  STAT_BAD_INP_LEN, MLX5_SIM_SYND_BAD_INP_LEN);

	/* QUERY_HCA_CAP with room for the header only. */
	cmd_init(buf, HDR_LEN, OP_QUERY_HCA_CAP, CAP_GENERAL << 1 | OPMOD_CUR,
		 0);
	EXPECT_FW(call(self->fd, FWCTL_RPC_CONFIGURATION, buf, HDR_LEN, out,
		       sizeof(out)),
		  STAT_BAD_OUTP_LEN, MLX5_SIM_SYND_BAD_OUTP_LEN);
}

/* The answer in a new buffer (out_len > in_len) and in place (<=). */
TEST_F_TIMEOUT(mlx5, answer_buffers, FWCTL_TIMEOUT)
{
	unsigned char in[64], out[64];
	unsigned char qa_in[512], qa_out[QA_OUT_LEN];
	struct answer a;
	size_t i;

	/* New buffer: the answer, then zeros; nothing of the input. */
	cmd_init(in, sizeof(in), OP_NOP, 0, 0);
	memset(out, SENTINEL, sizeof(out));
	a = call(self->fd, FWCTL_RPC_DEBUG_READ_ONLY, in, HDR_LEN, out,
		 sizeof(out));
	EXPECT_FW(a, STAT_OK, 0);
	EXPECT_EQ(sizeof(out), a.out_len);
	for (i = 0; i < sizeof(out); i++)
		ASSERT_EQ(0, out[i]) TH_LOG("byte %zu", i);

	/* In place: a long input with a noisy tail, a header-sized answer. */
	cmd_init(in, sizeof(in), OP_NOP, 0, 0);
	memset(in + HDR_LEN, 0xa5, sizeof(in) - HDR_LEN);
	set_bits(in, F(0x40, 32), 0x12345678);	/* reserved words too */
	memset(out, SENTINEL, sizeof(out));
	a = call(self->fd, FWCTL_RPC_DEBUG_READ_ONLY, in, sizeof(in), out,
		 HDR_LEN);
	EXPECT_FW(a, STAT_OK, 0);
	EXPECT_EQ(HDR_LEN, a.out_len);
	for (i = 0; i < HDR_LEN; i++)
		ASSERT_EQ(0, out[i]) TH_LOG("byte %zu", i);
	for (i = HDR_LEN; i < sizeof(out); i++)
		ASSERT_EQ(SENTINEL, out[i]) TH_LOG("byte %zu written", i);

	/* In place, with a command that reads its input. */
	cmd_init(qa_in, sizeof(qa_in), OP_QUERY_ADAPTER, 0, 0);
	memset(qa_in + HDR_LEN, 0x5a, sizeof(qa_in) - HDR_LEN);
	a = call(self->fd, FWCTL_RPC_CONFIGURATION, qa_in, sizeof(qa_in),
		 qa_out, sizeof(qa_out));
	EXPECT_FW(a, STAT_OK, 0);
	EXPECT_EQ(sizeof(qa_out), a.out_len);
	EXPECT_EQ(MLX5_SIM_VSD_VENDOR_ID,
		  GET(qa_out + HDR_LEN, QA_VSD_VENDOR_ID));
	EXPECT_EQ(0, memcmp(qa_out + HDR_LEN + QA_PSID_BYTE, MLX5_SIM_PSID,
			    sizeof(MLX5_SIM_PSID)));
}

/* Tests that make their own devices */

FIXTURE(sim) {
	struct mlx5_env env;
};

FIXTURE_SETUP(sim)
{
	memset(&self->env, 0, sizeof(self->env));
	self->env.index = -1;
}

FIXTURE_TEARDOWN_PARENT(sim)
{
	mlx5_env_teardown(&self->env);
}

/* Every simulated device is bound, with its own fwctl device. */
TEST_F_TIMEOUT(sim, all_devices_bound, FWCTL_TIMEOUT)
{
	int idx[MAX_SIM_DEVS], live[MAX_SIM_DEVS], n, i;
	char path[PATH_MAX];
	struct mlx5_env env = {};
	int ret;

	if (geteuid())
		SKIP(return, "must run as root");
	ret = load_modules(&env);
	if (ret == -EBUSY)
		SKIP(return, "%s", env.err);
	ASSERT_EQ(0, ret) TH_LOG("%s", env.err);
	n = sim_devices(idx, live, MAX_SIM_DEVS);
	ASSERT_LE(1, n) TH_LOG("no simulated device (ndevs=1)");
	for (i = 0; i < n && i < MAX_SIM_DEVS; i++) {
		snprintf(path, sizeof(path),
			 AUX_DEV_DIR "/mlx5_core.fwctl.%d/driver", idx[i]);
		EXPECT_EQ(0, access(path, F_OK)) TH_LOG("%s", path);
		EXPECT_EQ(0, attach(&env, idx[i])) TH_LOG("%s", env.err);
	}
}

/* An HCA without TOOLS_RESOURCES: the context is created without it. */
TEST_F_TIMEOUT(sim, no_tools_resources, FWCTL_TIMEOUT)
{
	static unsigned char cur[QHC_OUT_LEN], max[QHC_OUT_LEN];
	unsigned char buf[MGIR_CMD_LEN];
	struct fwctl_info_mlx5 mi;
	struct fwctl_info info;
	struct mlx5_env *env = &self->env;
	__u32 caps = ~0U;
	int fd, ret, w0, w1, index = -1;

	if (geteuid())
		SKIP(return, "must run as root");
	ret = load_modules(env);
	if (ret == -EBUSY)
		SKIP(return, "%s", env->err);
	ASSERT_EQ(0, ret) TH_LOG("%s", env->err);

	/* For the next device only: restored before anything can fail. */
	w0 = write_file(MLX5_SIM_PARAM_DIR "/tools_resources", "0\n");
	ret = w0 ? w0 : sim_add_one(&index);
	w1 = write_file(MLX5_SIM_PARAM_DIR "/tools_resources", "1\n");
	ASSERT_EQ(0, w0);
	ASSERT_EQ(0, w1);
	ASSERT_EQ(0, ret);
	/* The teardown removes it. */
	env->index = index;
	ASSERT_EQ(0, attach(env, index)) TH_LOG("%s", env->err);

	fd = mlx5_open(env);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, info_mlx5(fd, &mi, &info));
	EXPECT_NE(0U, mi.uid);
	EXPECT_EQ(0U, mi.uctx_caps);
	EXPECT_FW(query_uctx(fd, 0, mi.uid, &caps), STAT_OK, 0);
	EXPECT_EQ(0U, caps);

	EXPECT_FW(query_gen_cap(fd, FWCTL_RPC_CONFIGURATION, OPMOD_CUR, cur),
		  STAT_OK, 0);
	EXPECT_FW(query_gen_cap(fd, FWCTL_RPC_CONFIGURATION, OPMOD_MAX, max),
		  STAT_OK, 0);
	EXPECT_EQ(MLX5_SIM_UCTX_CAP_BASE, GET(cur + HDR_LEN, CAP_UCTX_CAP));
	EXPECT_EQ(MLX5_SIM_UCTX_CAP_BASE | MLX5_SIM_TOOLS_RESOURCES,
		  GET(max + HDR_LEN, CAP_UCTX_CAP));

	/*
	 * Device-global state needs the capability; claiming the kernel's
	 * uid 0 does not get around it.
	 */
	EXPECT_FW(access_mgir(fd, FWCTL_RPC_DEBUG_READ_ONLY, REG_READ, 0, buf),
		  STAT_BAD_PARAM, MLX5_SIM_SYND_NEED_TOOLS);
	EXPECT_FW(call_hdr(fd, FWCTL_RPC_DEBUG_READ_ONLY, OP_NOP, 0, 0),
		  STAT_OK, 0);

	close(fd);
	EXPECT_EQ(0, sim_dev_live(index));
}

TEST_HARNESS_MAIN
