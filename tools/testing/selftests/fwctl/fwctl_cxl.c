// SPDX-License-Identifier: GPL-2.0
/*
 * fwctl kselftest: the CXL driver, fwctl_cxl, on QEMU's emulated CXL type-3
 * memory device.
 *
 * fwctl_cxl gives each CXL memdev memN a fwctl device, found as
 * /sys/bus/cxl/devices/memN/fwctl/fwctlM.  The RPCs are upstream's CXL
 * Features commands (uapi/fwctl/cxl.h, uapi/cxl/features.h) and must behave
 * as upstream's drivers/cxl/core/features.c does, errnos included.
 *
 * QEMU's device (hw/cxl/cxl-mailbox-utils.c) offers two features, both
 * changeable, with Set Feature effects "immediate configuration change" and
 * "CEL valid" (0x0202), versions 1:
 *   patrol scrub  get 4 bytes: cap (u8), cycle (le16: low byte the current
 *                 cycle in hours, high byte the minimum), flags (u8, bit 0
 *                 enabled); set 2 bytes: cycle in hours (u8), flags (u8)
 *   DDR5 ECS      get 13 bytes, set 7 bytes (3 media FRUs)
 * Get Feature reads only the current value (selection 0); any other
 * selection, or an unknown feature, fails in the device with "Unsupported".
 *
 * The test kernel configures no CXL EDAC code, so no feature is reserved to
 * the kernel: both are settable through fwctl.  Setting one needs
 * FWCTL_RPC_DEBUG_WRITE_FULL (immediate effects), hence CAP_SYS_RAWIO and
 * no lockdown; a lower scope is the driver's EINVAL.
 *
 * Without any CXL memdev (a guest booted without the CXL device) every
 * case skips; a memdev without a fwctl device is a failure.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <endian.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fwctl/cxl.h>

#include "kselftest_harness.h"
#include "fwctl_harness.h"

#define CXL_MODULE		"fwctl_cxl"
#define CXL_EXPOSE_PARAM	"/sys/module/fwctl_cxl/parameters/expose_kernel_features"

/* Mailbox opcodes (CXL r3.2 8.2.9.6) and return codes (Table 8-34). */
#define OP_GET_SUPPORTED	0x0500
#define OP_GET_FEATURE		0x0501
#define OP_SET_FEATURE		0x0502
#define RC_SUCCESS		0x0000U
#define RC_UNSUPPORTED		0x0003U

/* Sizes of the uAPI's fixed parts. */
#define RPC_HDR_LEN		((__u32)sizeof(struct fwctl_rpc_cxl_hdr))
#define OUT_HDR_LEN		((__u32)sizeof(struct fwctl_rpc_cxl_out_hdr))
#define OUT_STRUCT_LEN		((__u32)sizeof(struct fwctl_rpc_cxl_out))
#define SUP_IN_LEN		\
	((__u32)sizeof(struct cxl_mbox_get_sup_feats_in))
#define SUP_HDR_LEN		\
	((__u32)sizeof(struct cxl_mbox_get_sup_feats_out_hdr))
#define GET_IN_LEN		((__u32)sizeof(struct cxl_mbox_get_feat_in))
#define SET_HDR_LEN		((__u32)sizeof(struct cxl_mbox_set_feat_hdr))
#define ENTRY_LEN		((__u32)sizeof(struct cxl_feat_entry))

/* The Set Feature effects of both of QEMU's features. */
#define QEMU_EFFECTS		(CXL_CMD_CONFIG_CHANGE_IMMEDIATE | \
				 CXL_CMD_EFFECTS_VALID)
#define QEMU_FEAT_VERSION	1

/* Bytes of the patrol scrub's Get Feature data (drivers/cxl/core/edac.c). */
#define SCRUB_CAP		0	/* bit 0: cycle changeable */
#define SCRUB_CYCLE		1	/* current cycle, hours */
#define SCRUB_MIN_CYCLE		2	/* minimum cycle, hours */
#define SCRUB_FLAGS		3	/* bit 0: enabled */
#define SCRUB_GET_LEN		4
#define SCRUB_SET_LEN		2

#define SENTINEL		0xee
#define NODE_WAIT_MS		2000

struct qemu_feat {
	const char *name;
	unsigned char uuid[16];
	__u16 get_size;
	__u16 set_size;
};

/* QEMU's features, in the order of its Supported Feature Entries. */
static const struct qemu_feat qemu_feats[] = {
	{
		.name = "patrol scrub",
		.uuid = { 0x96, 0xda, 0xd7, 0xd6, 0xfd, 0xe8, 0x48, 0x2b,
			  0xa7, 0x33, 0x75, 0x77, 0x4e, 0x06, 0xdb, 0x8a },
		.get_size = SCRUB_GET_LEN,
		.set_size = SCRUB_SET_LEN,
	},
	{
		.name = "DDR5 ECS",
		.uuid = { 0xe5, 0xb1, 0x3f, 0x22, 0x23, 0x28, 0x4a, 0x14,
			  0xb8, 0xba, 0xb9, 0x69, 0x1e, 0x89, 0x33, 0x86 },
		.get_size = 13,
		.set_size = 7,
	},
};
#define NR_QEMU_FEATS	((int)ARRAY_SIZE(qemu_feats))
#define SCRUB		(&qemu_feats[0])

/* Post-package repair (sPPR): a feature QEMU does not have. */
static const unsigned char unknown_uuid[16] = {
	0x89, 0x2b, 0xa4, 0x75, 0xfa, 0xd8, 0x47, 0x4e,
	0x9d, 0x3e, 0x69, 0x2c, 0x91, 0x75, 0x68, 0xbb,
};

/* The CXL memdev and its fwctl device. */
struct cxl_env {
	char memdev[NAME_MAX + 1];	/* memN */
	char fwctl_dir[PATH_MAX];	/* CXL_BUS_DIR/memN/fwctl */
	struct fwctl_env fw;		/* minor, dev_path, sys_path */
	char err[256];
};

/* A request: the header, then up to 256 payload bytes. */
struct cxl_req {
	struct fwctl_rpc_cxl_hdr hdr;
	unsigned char payload[256];
};

/* A reply buffer, aligned for struct fwctl_rpc_cxl_out. */
union cxl_out {
	struct fwctl_rpc_cxl_out out;
	unsigned char bytes[1024];
};

/* Modules */

/*
 * At the end of the program (the harness' parent: cases run in children
 * that leave with _exit()), unload fwctl_cxl.  Registered with atexit()
 * from a constructor, it runs before the destructors, so before
 * fwctl_lib.c's, which unloads fwctl and cannot while fwctl_cxl
 * holds it.
 */
static void cxl_unload_at_exit(void)
{
	if (getenv("FWCTL_KEEP_MODULES"))
		return;
	if (!geteuid())
		module_unload(CXL_MODULE);
}

static void __attribute__((constructor)) cxl_register_unload(void)
{
	atexit(cxl_unload_at_exit);
}

/* Devices */

/* The first memN with a fwctl device: fills env, or -ENOENT. */
static int cxl_find(struct cxl_env *env)
{
	int minor;

	minor = cxl_first_fwctl(env->memdev, sizeof(env->memdev));
	if (minor < 0)
		return minor;
	snprintf(env->fwctl_dir, sizeof(env->fwctl_dir),
		 CXL_BUS_DIR "/%s/fwctl", env->memdev);
	memset(&env->fw, 0, sizeof(env->fw));
	env->fw.index = -1;
	env->fw.minor = minor;
	snprintf(env->fw.dev_path, sizeof(env->fw.dev_path),
		 FWCTL_DEV_DIR "/fwctl%d", minor);
	snprintf(env->fw.sys_path, sizeof(env->fw.sys_path),
		 FWCTL_CLASS_DIR "/fwctl%d", minor);
	return 0;
}

/* Open the device node, giving devtmpfs a moment to create it. */
static int cxl_open(const struct cxl_env *env)
{
	long long end = now_ms() + NODE_WAIT_MS;
	int fd;

	for (;;) {
		fd = fwctl_open(&env->fw);
		if (fd != -ENOENT || now_ms() > end)
			return fd;
		sleep_ms(20);
	}
}

/*
 * Load fwctl and fwctl_cxl and find the device.  Skips without root
 * or without any CXL memdev; fails if a memdev has no fwctl device.
 */
static void cxl_env_setup(struct __test_metadata *_metadata,
			  struct cxl_env *env)
{
	int n, ret;

	memset(env, 0, sizeof(*env));
	env->fw.index = -1;
	env->fw.minor = -1;
	if (geteuid())
		SKIP(return, "must run as root");
	n = cxl_count_memdevs();
	ASSERT_LE(0, n) TH_LOG("read " CXL_BUS_DIR ": %s", strerror(-n));
	if (n == 0)
		SKIP(return, "no CXL memdev in " CXL_BUS_DIR
		     " (guest booted without the CXL device?)");
	ret = module_load("fwctl", "");
	ASSERT_EQ(0, ret) TH_LOG("insmod fwctl.ko: %s", strerror(-ret));
	/* QEMU's two features are both reserved to the kernel by default. */
	ret = module_load(CXL_MODULE, CXL_LAB_PARAMS);
	ASSERT_EQ(0, ret) TH_LOG("load " CXL_MODULE ": %s", strerror(-ret));
	ret = cxl_find(env);
	ASSERT_EQ(0, ret)
		TH_LOG("%d CXL memdev(s) but none has a fwctl/fwctl* device",
		       n);
}

/* RPCs */

/*
 * FWCTL_RPC of opcode with op_size and in_len given apart (for malformed
 * requests): payload is copied after the header, in_len counts from the
 * header's start.  *out_len: in, the buffer size; out, the reported length.
 */
static int cxl_rpc_raw(int fd, __u32 scope, __u32 opcode, __u32 op_size,
		       const void *payload, __u32 payload_len, __u32 in_len,
		       void *out, __u32 *out_len)
{
	struct cxl_req req;

	memset(&req, 0, sizeof(req));
	req.hdr.opcode = htole32(opcode);
	req.hdr.op_size = htole32(op_size);
	if (payload_len > sizeof(req.payload))
		return -E2BIG;
	if (payload_len)
		memcpy(req.payload, payload, payload_len);
	if (in_len > sizeof(req))
		return -E2BIG;
	return fwctl_rpc_call(fd, scope, &req, in_len, out, out_len);
}

/* A well-formed request: op_size and in_len from the payload. */
static int cxl_rpc(int fd, __u32 scope, __u32 opcode, const void *payload,
		   __u32 payload_len, void *out, __u32 *out_len)
{
	return cxl_rpc_raw(fd, scope, opcode, payload_len, payload,
			   payload_len, RPC_HDR_LEN + payload_len, out,
			   out_len);
}

static int get_supported(int fd, __u32 count, __u16 start, void *out,
			 __u32 *out_len)
{
	struct cxl_mbox_get_sup_feats_in in = {
		.count = htole32(count),
		.start_idx = htole16(start),
	};

	return cxl_rpc(fd, FWCTL_RPC_CONFIGURATION, OP_GET_SUPPORTED, &in,
		       sizeof(in), out, out_len);
}

static void get_feat_in(struct cxl_mbox_get_feat_in *in,
			const unsigned char *uuid, __u16 offset, __u16 count,
			__u8 selection)
{
	memset(in, 0, sizeof(*in));
	memcpy(in->uuid, uuid, sizeof(in->uuid));
	in->offset = htole16(offset);
	in->count = htole16(count);
	in->selection = selection;
}

static int get_feature(int fd, const unsigned char *uuid, __u16 offset,
		       __u16 count, __u8 selection, void *out, __u32 *out_len)
{
	struct cxl_mbox_get_feat_in in;

	get_feat_in(&in, uuid, offset, count, selection);
	return cxl_rpc(fd, FWCTL_RPC_CONFIGURATION, OP_GET_FEATURE, &in,
		       sizeof(in), out, out_len);
}

/* Set Feature payload: the header (a full transfer at offset 0), data. */
static __u32 set_feat_payload(unsigned char *buf, const unsigned char *uuid,
			      __u8 version, const void *data, __u32 len)
{
	struct cxl_mbox_set_feat_hdr hdr;

	memset(&hdr, 0, sizeof(hdr));
	memcpy(hdr.uuid, uuid, sizeof(hdr.uuid));
	hdr.flags = htole32(CXL_SET_FEAT_FLAG_FULL_DATA_TRANSFER);
	hdr.offset = htole16(0);
	hdr.version = version;
	memcpy(buf, &hdr, sizeof(hdr));
	if (len)
		memcpy(buf + sizeof(hdr), data, len);
	return sizeof(hdr) + len;
}

static int set_feature(int fd, __u32 scope, const unsigned char *uuid,
		       const void *data, __u32 len, void *out, __u32 *out_len)
{
	unsigned char payload[128];
	__u32 n;

	n = set_feat_payload(payload, uuid, QEMU_FEAT_VERSION, data, len);
	return cxl_rpc(fd, scope, OP_SET_FEATURE, payload, n, out, out_len);
}

/* The current patrol scrub data (4 bytes), with every reply field checked. */
static void read_scrub(struct __test_metadata *_metadata, int fd,
		       unsigned char data[SCRUB_GET_LEN])
{
	union cxl_out o;
	__u32 out_len = sizeof(o);
	int ret;

	memset(&o, SENTINEL, sizeof(o));
	ret = get_feature(fd, SCRUB->uuid, 0, SCRUB_GET_LEN,
			  CXL_GET_FEAT_SEL_CURRENT_VALUE, &o, &out_len);
	ASSERT_EQ(0, ret) TH_LOG("Get Feature (patrol scrub): %s",
				 strerror(-ret));
	ASSERT_EQ(OUT_STRUCT_LEN + SCRUB_GET_LEN, out_len);
	ASSERT_EQ(RC_SUCCESS, le32toh(o.out.retval));
	ASSERT_EQ((__u32)SCRUB_GET_LEN, le32toh(o.out.size));
	memcpy(data, o.out.payload, SCRUB_GET_LEN);
}

static unsigned long long stat_of(struct __test_metadata *_metadata,
				  const struct cxl_env *env, const char *name)
{
	unsigned long long val = 0;
	int ret;

	ret = env_read_stat(&env->fw, name, &val);
	EXPECT_EQ(0, ret) TH_LOG("counter %s: %s", name, strerror(-ret));
	return val;
}

/* The fixture */

FIXTURE(fwctl_cxl) {
	struct cxl_env env;
	int fd;
};

FIXTURE_SETUP(fwctl_cxl)
{
	self->fd = -1;
	cxl_env_setup(_metadata, &self->env);
	if (_metadata->exit_code)
		return;
	self->fd = cxl_open(&self->env);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", self->env.fw.dev_path,
				      strerror(-self->fd));
	TH_LOG("%s: fwctl%d", self->env.memdev, self->env.fw.minor);
}

/* In the test's own process, where the FD lives. */
FIXTURE_TEARDOWN(fwctl_cxl)
{
	if (self->fd >= 0)
		close(self->fd);
	self->fd = -1;
}

/* FWCTL_INFO: type CXL, no device data; the user's buffer reads as zeroes. */
TEST_F_TIMEOUT(fwctl_cxl, info, FWCTL_TIMEOUT)
{
	struct fwctl_info info;
	unsigned char data[32];
	size_t i;

	memset(data, SENTINEL, sizeof(data));
	ASSERT_EQ(0, fwctl_info_get(self->fd, data, sizeof(data), &info));
	EXPECT_EQ((__u32)FWCTL_DEVICE_TYPE_CXL, info.out_device_type);
	EXPECT_EQ(0U, info.device_data_len);
	for (i = 0; i < sizeof(data); i++)
		ASSERT_EQ(0, data[i]) TH_LOG("device data byte %zu", i);

	ASSERT_EQ(0, fwctl_info_get(self->fd, NULL, 0, &info));
	EXPECT_EQ((__u32)FWCTL_DEVICE_TYPE_CXL, info.out_device_type);
	EXPECT_EQ(0U, info.device_data_len);
}

/* Entry i of a Get Supported Features reply is QEMU's feature idx. */
static void check_entry(struct __test_metadata *_metadata,
			const struct cxl_feat_entry *e, int idx)
{
	const struct qemu_feat *f = &qemu_feats[idx];
	size_t i;

	EXPECT_EQ(0, memcmp(e->uuid, f->uuid, sizeof(f->uuid)))
		TH_LOG("entry %d is not %s", idx, f->name);
	EXPECT_EQ(idx, le16toh(e->id));
	EXPECT_EQ(f->get_size, le16toh(e->get_feat_size)) TH_LOG("%s", f->name);
	/* Not reserved to the kernel here: the device's own values. */
	EXPECT_EQ(f->set_size, le16toh(e->set_feat_size)) TH_LOG("%s", f->name);
	EXPECT_EQ(CXL_FEATURE_F_CHANGEABLE, le32toh(e->flags))
		TH_LOG("%s", f->name);
	EXPECT_EQ(QEMU_FEAT_VERSION, e->get_feat_ver);
	EXPECT_EQ(QEMU_FEAT_VERSION, e->set_feat_ver);
	EXPECT_EQ(QEMU_EFFECTS, le16toh(e->effects)) TH_LOG("%s", f->name);
	for (i = 0; i < sizeof(e->reserved); i++)
		EXPECT_EQ(0, e->reserved[i]) TH_LOG("%s reserved[%zu]",
						    f->name, i);
}

/*
 * A successful Get Supported Features reply with n entries from start.
 * Upstream reports out_len = sizeof(struct fwctl_rpc_cxl_out) + the
 * payload: 8 bytes more than the payload's end.
 */
static void check_supported(struct __test_metadata *_metadata,
			    const union cxl_out *o, __u32 out_len, int start,
			    int n)
{
	const struct cxl_mbox_get_sup_feats_out *s = &o->out.get_sup_feats_out;
	int i;

	ASSERT_EQ(OUT_STRUCT_LEN + SUP_HDR_LEN + n * ENTRY_LEN, out_len);
	EXPECT_EQ(SUP_HDR_LEN + n * ENTRY_LEN, le32toh(o->out.size));
	EXPECT_EQ(RC_SUCCESS, le32toh(o->out.retval));
	ASSERT_EQ(n, le16toh(s->num_entries));
	EXPECT_EQ(NR_QEMU_FEATS, le16toh(s->supported_feats));
	for (i = 0; i < (int)sizeof(s->reserved); i++)
		EXPECT_EQ(0, s->reserved[i]);
	for (i = 0; i < n; i++)
		check_entry(_metadata, &s->ents[i], start + i);
	/* The 8 bytes past the payload are zeroes; nothing after them. */
	for (i = OUT_HDR_LEN + SUP_HDR_LEN + n * ENTRY_LEN; i < (int)out_len;
	     i++)
		EXPECT_EQ(0, o->bytes[i]) TH_LOG("byte %d", i);
	for (i = out_len; i < (int)sizeof(o->bytes); i++)
		ASSERT_EQ(SENTINEL, o->bytes[i]) TH_LOG("byte %d written", i);
}

TEST_F_TIMEOUT(fwctl_cxl, get_supported_features, FWCTL_TIMEOUT)
{
	static const __u32 bad_op_sizes[] = { 0, SUP_IN_LEN - 1, SUP_IN_LEN + 1,
					      GET_IN_LEN };
	struct cxl_mbox_get_sup_feats_in in = { .count = htole32(4096) };
	__u32 out_len, want;
	union cxl_out o;
	size_t i;
	int ret;

	/* Everything, with room to spare. */
	memset(&o, SENTINEL, sizeof(o));
	out_len = sizeof(o);
	ret = get_supported(self->fd, 4096, 0, &o, &out_len);
	ASSERT_EQ(0, ret) TH_LOG("%s", strerror(-ret));
	check_supported(_metadata, &o, out_len, 0, NR_QEMU_FEATS);

	/* Exactly the payload's room: the same answer. */
	memset(&o, SENTINEL, sizeof(o));
	out_len = sizeof(o);
	ret = get_supported(self->fd, SUP_HDR_LEN + 2 * ENTRY_LEN, 0, &o,
			    &out_len);
	ASSERT_EQ(0, ret) TH_LOG("%s", strerror(-ret));
	check_supported(_metadata, &o, out_len, 0, NR_QEMU_FEATS);

	/* From index 1: ECS alone. */
	memset(&o, SENTINEL, sizeof(o));
	out_len = sizeof(o);
	ret = get_supported(self->fd, 4096, 1, &o, &out_len);
	ASSERT_EQ(0, ret) TH_LOG("%s", strerror(-ret));
	check_supported(_metadata, &o, out_len, 1, NR_QEMU_FEATS - 1);

	/* Past the end. */
	out_len = sizeof(o);
	EXPECT_EQ(-EINVAL, get_supported(self->fd, 4096, NR_QEMU_FEATS, &o,
					 &out_len));
	out_len = sizeof(o);
	EXPECT_EQ(-EINVAL, get_supported(self->fd, 4096, 0xffff, &o,
					 &out_len));

	/* count 0: the header alone, still counting every feature. */
	memset(&o, SENTINEL, sizeof(o));
	out_len = sizeof(o);
	ret = get_supported(self->fd, 0, 0, &o, &out_len);
	ASSERT_EQ(0, ret) TH_LOG("%s", strerror(-ret));
	check_supported(_metadata, &o, out_len, 0, 0);

	/*
	 * Upstream divides count by the entry size without taking the header
	 * off: 48 bytes ask for one entry, 47 for none.
	 */
	memset(&o, SENTINEL, sizeof(o));
	out_len = sizeof(o);
	ASSERT_EQ(0, get_supported(self->fd, ENTRY_LEN, 0, &o, &out_len));
	check_supported(_metadata, &o, out_len, 0, 1);
	memset(&o, SENTINEL, sizeof(o));
	out_len = sizeof(o);
	ASSERT_EQ(0, get_supported(self->fd, ENTRY_LEN - 1, 0, &o, &out_len));
	check_supported(_metadata, &o, out_len, 0, 0);

	/* A buffer shorter than the reply: truncated, full length reported. */
	memset(&o, SENTINEL, sizeof(o));
	out_len = OUT_HDR_LEN + SUP_HDR_LEN;
	ASSERT_EQ(0, get_supported(self->fd, 4096, 0, &o, &out_len));
	want = OUT_STRUCT_LEN + SUP_HDR_LEN + NR_QEMU_FEATS * ENTRY_LEN;
	EXPECT_EQ(want, out_len);
	EXPECT_EQ(SUP_HDR_LEN + NR_QEMU_FEATS * ENTRY_LEN,
		  le32toh(o.out.size));
	EXPECT_EQ(NR_QEMU_FEATS, le16toh(o.out.get_sup_feats_out.num_entries));
	for (i = OUT_HDR_LEN + SUP_HDR_LEN; i < sizeof(o.bytes); i++)
		ASSERT_EQ(SENTINEL, o.bytes[i]) TH_LOG("byte %zu written", i);

	/* op_size must be exactly sizeof(struct cxl_mbox_get_sup_feats_in). */
	for (i = 0; i < ARRAY_SIZE(bad_op_sizes); i++) {
		out_len = sizeof(o);
		EXPECT_EQ(-EINVAL,
			  cxl_rpc_raw(self->fd, FWCTL_RPC_CONFIGURATION,
				      OP_GET_SUPPORTED, bad_op_sizes[i], &in,
				      sizeof(in), RPC_HDR_LEN + 32, &o,
				      &out_len))
			TH_LOG("op_size %u", bad_op_sizes[i]);
	}
}

/*
 * Get Feature of all of qf's data, twice (room to spare, then the least
 * room), and its refusals; the data goes to data.
 */
static void check_get_feature(struct __test_metadata *_metadata, int fd,
			      const struct qemu_feat *qf, unsigned char *data)
{
	const __u8 sel = CXL_GET_FEAT_SEL_CURRENT_VALUE;
	const __u32 count = qf->get_size;
	struct cxl_mbox_get_feat_in in;
	union cxl_out o;
	__u32 out_len;
	size_t i;
	int ret;

	memset(&o, SENTINEL, sizeof(o));
	out_len = sizeof(o);
	ret = get_feature(fd, qf->uuid, 0, count, sel, &o, &out_len);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", qf->name, strerror(-ret));
	/* Upstream's out_len: sizeof(struct fwctl_rpc_cxl_out) + the data. */
	EXPECT_EQ(OUT_STRUCT_LEN + count, out_len) TH_LOG("%s", qf->name);
	EXPECT_EQ(RC_SUCCESS, le32toh(o.out.retval)) TH_LOG("%s", qf->name);
	EXPECT_EQ(count, le32toh(o.out.size)) TH_LOG("%s", qf->name);
	for (i = OUT_HDR_LEN + count; i < OUT_STRUCT_LEN + count; i++)
		EXPECT_EQ(0, o.bytes[i]) TH_LOG("%s byte %zu", qf->name, i);
	for (i = OUT_STRUCT_LEN + count; i < sizeof(o.bytes); i++)
		ASSERT_EQ(SENTINEL, o.bytes[i])
			TH_LOG("%s byte %zu written", qf->name, i);
	memcpy(data, o.out.payload, count);

	/* The smallest buffer that holds the data is enough. */
	memset(&o, SENTINEL, sizeof(o));
	out_len = OUT_HDR_LEN + count;
	ret = get_feature(fd, qf->uuid, 0, count, sel, &o, &out_len);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", qf->name, strerror(-ret));
	EXPECT_EQ(OUT_STRUCT_LEN + count, out_len);
	EXPECT_EQ(count, le32toh(o.out.size));
	/* Nothing changes the values meanwhile: the same bytes again. */
	EXPECT_EQ(0, memcmp(data, o.out.payload, count))
		TH_LOG("%s changed between two reads", qf->name);
	for (i = OUT_HDR_LEN + count; i < sizeof(o.bytes); i++)
		ASSERT_EQ(SENTINEL, o.bytes[i])
			TH_LOG("%s byte %zu written", qf->name, i);

	/* One byte short for count: EINVAL. */
	out_len = OUT_HDR_LEN + count - 1;
	EXPECT_EQ(-EINVAL, get_feature(fd, qf->uuid, 0, count, sel, &o,
				       &out_len)) TH_LOG("%s", qf->name);

	/* count 0: EINVAL. */
	out_len = sizeof(o);
	EXPECT_EQ(-EINVAL, get_feature(fd, qf->uuid, 0, 0, sel, &o,
				       &out_len)) TH_LOG("%s", qf->name);

	/* op_size other than sizeof(struct cxl_mbox_get_feat_in): EINVAL. */
	get_feat_in(&in, qf->uuid, 0, count, sel);
	out_len = sizeof(o);
	EXPECT_EQ(-EINVAL, cxl_rpc_raw(fd, FWCTL_RPC_CONFIGURATION,
				       OP_GET_FEATURE, GET_IN_LEN - 1, &in,
				       sizeof(in), RPC_HDR_LEN + 32, &o,
				       &out_len)) TH_LOG("%s", qf->name);
	out_len = sizeof(o);
	EXPECT_EQ(-EINVAL, cxl_rpc_raw(fd, FWCTL_RPC_CONFIGURATION,
				       OP_GET_FEATURE, GET_IN_LEN + 1, &in,
				       sizeof(in), RPC_HDR_LEN + 32, &o,
				       &out_len)) TH_LOG("%s", qf->name);
}

TEST_F_TIMEOUT(fwctl_cxl, get_feature, FWCTL_TIMEOUT)
{
	unsigned char data[NR_QEMU_FEATS][32];
	unsigned char scrub[SCRUB_GET_LEN];
	union cxl_out o;
	__u32 out_len;
	int f;

	for (f = 0; f < NR_QEMU_FEATS; f++)
		check_get_feature(_metadata, self->fd, &qemu_feats[f], data[f]);

	/* Patrol scrub: what drivers/cxl/core/edac.c relies on. */
	memcpy(scrub, data[0], sizeof(scrub));
	TH_LOG("patrol scrub: cap %#x, cycle %u h (min %u h), flags %#x",
	       scrub[SCRUB_CAP], scrub[SCRUB_CYCLE], scrub[SCRUB_MIN_CYCLE],
	       scrub[SCRUB_FLAGS]);
	EXPECT_TRUE(scrub[SCRUB_CAP] & 1) TH_LOG("cycle not changeable");
	EXPECT_LE(1, scrub[SCRUB_MIN_CYCLE]);
	EXPECT_LE(scrub[SCRUB_MIN_CYCLE], scrub[SCRUB_CYCLE]);

	/* A part of the data: offset 1, 3 bytes, the same bytes. */
	memset(&o, SENTINEL, sizeof(o));
	out_len = sizeof(o);
	ASSERT_EQ(0, get_feature(self->fd, SCRUB->uuid, 1, SCRUB_GET_LEN - 1,
				 CXL_GET_FEAT_SEL_CURRENT_VALUE, &o, &out_len));
	EXPECT_EQ(OUT_STRUCT_LEN + SCRUB_GET_LEN - 1, out_len);
	EXPECT_EQ((__u32)SCRUB_GET_LEN - 1, le32toh(o.out.size));
	EXPECT_EQ(RC_SUCCESS, le32toh(o.out.retval));
	EXPECT_EQ(0, memcmp(scrub + 1, o.out.payload, SCRUB_GET_LEN - 1));

	/*
	 * The device refuses: the RPC succeeds with no data, out_len the bare
	 * struct, and the mailbox's return code in retval.  QEMU reads only
	 * the current value and knows only its two features.
	 */
	memset(&o, SENTINEL, sizeof(o));
	out_len = sizeof(o);
	ASSERT_EQ(0, get_feature(self->fd, SCRUB->uuid, 0, SCRUB_GET_LEN,
				 CXL_GET_FEAT_SEL_DEFAULT_VALUE, &o, &out_len));
	EXPECT_EQ(OUT_STRUCT_LEN, out_len);
	EXPECT_EQ(0U, le32toh(o.out.size));
	EXPECT_EQ(RC_UNSUPPORTED, le32toh(o.out.retval));

	memset(&o, SENTINEL, sizeof(o));
	out_len = sizeof(o);
	ASSERT_EQ(0, get_feature(self->fd, unknown_uuid, 0, 8,
				 CXL_GET_FEAT_SEL_CURRENT_VALUE, &o, &out_len));
	EXPECT_EQ(OUT_STRUCT_LEN, out_len);
	EXPECT_EQ(0U, le32toh(o.out.size));
	EXPECT_EQ(RC_UNSUPPORTED, le32toh(o.out.retval));

	/*
	 * An offset past the feature's data: the device refuses (invalid
	 * input), which is not an ioctl error either: no data, the return
	 * code in retval.
	 */
	memset(&o, SENTINEL, sizeof(o));
	out_len = sizeof(o);
	ASSERT_EQ(0, get_feature(self->fd, SCRUB->uuid, SCRUB_GET_LEN + 4, 1,
				 CXL_GET_FEAT_SEL_CURRENT_VALUE, &o, &out_len));
	EXPECT_EQ(OUT_STRUCT_LEN, out_len);
	EXPECT_EQ(0U, le32toh(o.out.size));
	EXPECT_NE(RC_SUCCESS, le32toh(o.out.retval));
	TH_LOG("offset past the feature: retval %u", le32toh(o.out.retval));
}

struct set_child {
	int fd;
	int ret;
	unsigned char data[SCRUB_SET_LEN];
};

static int set_full_child(void *arg)
{
	struct set_child *c = arg;
	union cxl_out o;
	__u32 out_len = sizeof(o);

	c->ret = set_feature(c->fd, FWCTL_RPC_DEBUG_WRITE_FULL, SCRUB->uuid,
			     c->data, sizeof(c->data), &o, &out_len);
	return 0;
}

/* Set Feature needs DEBUG_WRITE_FULL, with its capability and lockdown. */
TEST_F_TIMEOUT(fwctl_cxl, set_feature_scopes, FWCTL_TIMEOUT)
{
	static const __u32 low[] = { FWCTL_RPC_CONFIGURATION,
				     FWCTL_RPC_DEBUG_READ_ONLY,
				     FWCTL_RPC_DEBUG_WRITE };
	static const char *const low_stat[] = { "accepted_configuration",
						"accepted_debug_read_only",
						"accepted_debug_write" };
	static const char *const fail_stat[] = { "failed_configuration",
						"failed_debug_read_only",
						"failed_debug_write" };
	unsigned char before[SCRUB_GET_LEN], now[SCRUB_GET_LEN];
	unsigned char data[SCRUB_SET_LEN], old[SCRUB_SET_LEN];
	unsigned long long acc, drv, counter;
	char lockdown[32], max_scope[32], path[PATH_MAX];
	const char *refusal = NULL;
	struct set_child *child;
	__u8 new_cycle;
	bool cap, locked;
	union cxl_out o;
	__u32 out_len;
	size_t i;
	int ret, expected;

	read_scrub(_metadata, self->fd, before);
	ASSERT_TRUE(before[SCRUB_CAP] & 1) TH_LOG("scrub cycle not changeable");
	/* Both within QEMU's range: at or above the minimum, at most 255. */
	new_cycle = before[SCRUB_CYCLE] == 12 ? 24 : 12;
	ASSERT_LE(before[SCRUB_MIN_CYCLE], new_cycle);
	data[0] = new_cycle;
	data[1] = before[SCRUB_FLAGS] & 1;	/* keep it enabled or not */
	old[0] = before[SCRUB_CYCLE];
	old[1] = before[SCRUB_FLAGS] & 1;
	TH_LOG("scrub cycle %u h -> %u h", old[0], new_cycle);

	/* Too low a scope: the driver's EINVAL, after the core accepted it. */
	for (i = 0; i < ARRAY_SIZE(low); i++) {
		acc = stat_of(_metadata, &self->env, low_stat[i]);
		drv = stat_of(_metadata, &self->env, fail_stat[i]);
		out_len = sizeof(o);
		ret = set_feature(self->fd, low[i], SCRUB->uuid, data,
				  sizeof(data), &o, &out_len);
		EXPECT_EQ(-EINVAL, ret) TH_LOG("scope %s", scope_name(low[i]));
		EXPECT_EQ(acc + 1, stat_of(_metadata, &self->env, low_stat[i]));
		EXPECT_EQ(drv + 1, stat_of(_metadata, &self->env,
					   fail_stat[i]));
	}
	read_scrub(_metadata, self->fd, now);
	EXPECT_EQ(0, memcmp(before, now, sizeof(now)))
		TH_LOG("changed by a refused Set Feature");

	/* DEBUG_WRITE_FULL without CAP_SYS_RAWIO: the core's EPERM. */
	child = map_shared(sizeof(*child));
	ASSERT_NE(NULL, child);
	child->fd = self->fd;
	child->ret = 1;
	memcpy(child->data, data, sizeof(data));
	counter = stat_of(_metadata, &self->env, "refused_no_rawio");
	ASSERT_EQ(0, run_without_rawio(set_full_child, child));
	EXPECT_EQ(-EPERM, child->ret);
	munmap(child, sizeof(*child));
	EXPECT_EQ(counter + 1, stat_of(_metadata, &self->env,
				       "refused_no_rawio"));
	read_scrub(_metadata, self->fd, now);
	EXPECT_EQ(0, memcmp(before, now, sizeof(now)))
		TH_LOG("changed by a Set Feature without CAP_SYS_RAWIO");

	/* With the capability: EPERM under lockdown or a lowered max_scope. */
	cap = has_cap_sys_rawio();
	locked = lockdown_locked(lockdown, sizeof(lockdown));
	ASSERT_EQ(0, env_attr_path(&self->env.fw, "max_scope", path,
				   sizeof(path)));
	ASSERT_EQ(0, read_word(path, max_scope, sizeof(max_scope)));
	TH_LOG("CAP_SYS_RAWIO %s, lockdown %s, max_scope %s",
	       cap ? "yes" : "no", lockdown, max_scope);
	expected = scope_expected_errno(FWCTL_RPC_DEBUG_WRITE_FULL, cap,
					locked);
	if (expected)
		refusal = cap ? "refused_lockdown" : "refused_no_rawio";
	else if (strcmp(max_scope, "debug_write_full")) {
		expected = EPERM;
		refusal = "refused_policy";
	}
	if (expected) {
		counter = stat_of(_metadata, &self->env, refusal);
		out_len = sizeof(o);
		EXPECT_EQ(-expected, set_feature(self->fd,
						 FWCTL_RPC_DEBUG_WRITE_FULL,
						 SCRUB->uuid, data,
						 sizeof(data), &o, &out_len));
		EXPECT_EQ(counter + 1, stat_of(_metadata, &self->env, refusal));
		read_scrub(_metadata, self->fd, now);
		EXPECT_EQ(0, memcmp(before, now, sizeof(now)))
			TH_LOG("changed by a refused Set Feature");
		return;
	}

	/* No data (op_size == the Set Feature header), out_len < 8: EINVAL. */
	out_len = sizeof(o);
	EXPECT_EQ(-EINVAL, set_feature(self->fd, FWCTL_RPC_DEBUG_WRITE_FULL,
				       SCRUB->uuid, NULL, 0, &o, &out_len));
	out_len = OUT_HDR_LEN - 1;
	EXPECT_EQ(-EINVAL, set_feature(self->fd, FWCTL_RPC_DEBUG_WRITE_FULL,
				       SCRUB->uuid, data, sizeof(data), &o,
				       &out_len));
	read_scrub(_metadata, self->fd, now);
	EXPECT_EQ(0, memcmp(before, now, sizeof(now)));

	/* The write: no payload back, retval 0, out_len the bare struct. */
	acc = stat_of(_metadata, &self->env, "accepted_debug_write_full");
	memset(&o, SENTINEL, sizeof(o));
	out_len = sizeof(o);
	ret = set_feature(self->fd, FWCTL_RPC_DEBUG_WRITE_FULL, SCRUB->uuid,
			  data, sizeof(data), &o, &out_len);
	ASSERT_EQ(0, ret) TH_LOG("Set Feature: %s", strerror(-ret));
	EXPECT_EQ(acc + 1, stat_of(_metadata, &self->env,
				   "accepted_debug_write_full"));
	EXPECT_EQ(OUT_STRUCT_LEN, out_len);
	EXPECT_EQ(0U, le32toh(o.out.size));
	EXPECT_EQ(RC_SUCCESS, le32toh(o.out.retval));

	read_scrub(_metadata, self->fd, now);
	EXPECT_EQ(new_cycle, now[SCRUB_CYCLE]);
	EXPECT_EQ(before[SCRUB_CAP], now[SCRUB_CAP]);
	EXPECT_EQ(before[SCRUB_MIN_CYCLE], now[SCRUB_MIN_CYCLE]);
	EXPECT_EQ(before[SCRUB_FLAGS], now[SCRUB_FLAGS]);

	/* Put the old value back. */
	memset(&o, SENTINEL, sizeof(o));
	out_len = sizeof(o);
	ret = set_feature(self->fd, FWCTL_RPC_DEBUG_WRITE_FULL, SCRUB->uuid,
			  old, sizeof(old), &o, &out_len);
	ASSERT_EQ(0, ret) TH_LOG("restoring: %s", strerror(-ret));
	EXPECT_EQ(RC_SUCCESS, le32toh(o.out.retval));
	read_scrub(_metadata, self->fd, now);
	EXPECT_EQ(0, memcmp(before, now, sizeof(now)))
		TH_LOG("cycle %u h after restoring %u h", now[SCRUB_CYCLE],
		       old[0]);
}

TEST_F_TIMEOUT(fwctl_cxl, malformed, FWCTL_TIMEOUT)
{
	static const __u32 short_in[] = { 0, 4, 8, RPC_HDR_LEN - 1 };
	static const __u32 bad_opcodes[] = { 0x0100, 0x4000, 0x0503, 0x04ff };
	struct cxl_mbox_get_sup_feats_in sup = { .count = htole32(4096) };
	struct cxl_mbox_get_feat_in get;
	unsigned char payload[64];
	union cxl_out o;
	__u32 out_len, n;
	size_t i;
	int ret;

	/* in_len shorter than struct fwctl_rpc_cxl_hdr. */
	for (i = 0; i < ARRAY_SIZE(short_in); i++) {
		out_len = sizeof(o);
		ret = cxl_rpc_raw(self->fd, FWCTL_RPC_CONFIGURATION,
				  OP_GET_SUPPORTED, 0, NULL, 0, short_in[i], &o,
				  &out_len);
		EXPECT_EQ(-EINVAL, ret) TH_LOG("in_len %u", short_in[i]);
	}

	/* Opcodes the driver does not offer, well formed otherwise. */
	for (i = 0; i < ARRAY_SIZE(bad_opcodes); i++) {
		out_len = sizeof(o);
		EXPECT_EQ(-EINVAL, cxl_rpc(self->fd, FWCTL_RPC_CONFIGURATION,
					   bad_opcodes[i], &sup, sizeof(sup),
					   &o, &out_len))
			TH_LOG("opcode %#x", bad_opcodes[i]);
	}

	/* op_size past the end of the request. */
	out_len = sizeof(o);
	EXPECT_EQ(-EINVAL, cxl_rpc_raw(self->fd, FWCTL_RPC_CONFIGURATION,
				       OP_GET_SUPPORTED, SUP_IN_LEN + 1, &sup,
				       sizeof(sup), RPC_HDR_LEN + SUP_IN_LEN,
				       &o, &out_len));
	out_len = sizeof(o);
	EXPECT_EQ(-EINVAL, cxl_rpc_raw(self->fd, FWCTL_RPC_CONFIGURATION,
				       OP_GET_SUPPORTED, 0xffffffff, &sup,
				       sizeof(sup), RPC_HDR_LEN + SUP_IN_LEN,
				       &o, &out_len));
	get_feat_in(&get, SCRUB->uuid, 0, SCRUB_GET_LEN,
		    CXL_GET_FEAT_SEL_CURRENT_VALUE);
	out_len = sizeof(o);
	EXPECT_EQ(-EINVAL, cxl_rpc_raw(self->fd, FWCTL_RPC_CONFIGURATION,
				       OP_GET_FEATURE, GET_IN_LEN, &get,
				       sizeof(get),
				       RPC_HDR_LEN + GET_IN_LEN - 1, &o,
				       &out_len));

	/* Get Feature with out_len below struct fwctl_rpc_cxl_out's header. */
	for (n = 0; n < OUT_HDR_LEN; n++) {
		out_len = n;
		EXPECT_EQ(-EINVAL, cxl_rpc(self->fd, FWCTL_RPC_CONFIGURATION,
					   OP_GET_FEATURE, &get, sizeof(get),
					   &o, &out_len))
			TH_LOG("out_len %u", n);
	}

	/*
	 * Set Feature of a feature the device does not list, or with a
	 * payload shorter than a UUID: refused by the driver at any scope
	 * (DEBUG_WRITE needs no capability; it taints, as upstream).
	 */
	n = set_feat_payload(payload, unknown_uuid, QEMU_FEAT_VERSION,
			     "\x0c\x00", 2);
	out_len = sizeof(o);
	EXPECT_EQ(-EINVAL, cxl_rpc(self->fd, FWCTL_RPC_DEBUG_WRITE,
				   OP_SET_FEATURE, payload, n, &o, &out_len));
	out_len = sizeof(o);
	EXPECT_EQ(-EINVAL, cxl_rpc(self->fd, FWCTL_RPC_DEBUG_WRITE,
				   OP_SET_FEATURE, SCRUB->uuid, 15, &o,
				   &out_len));
}

/*
 * The memdev's new fwctl device works (its type too, with check_type) and
 * lists QEMU's features, while the FD of the old one, *old_fd, stays
 * orphaned (ENODEV) and closes cleanly.
 */
static void expect_replaced(struct __test_metadata *_metadata,
			    const struct cxl_env *again, bool check_type,
			    int *old_fd)
{
	struct fwctl_info info;
	union cxl_out o;
	__u32 out_len;
	int fd;

	fd = cxl_open(again);
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", again->fw.dev_path,
				strerror(-fd));
	if (check_type) {
		ASSERT_EQ(0, fwctl_info_get(fd, NULL, 0, &info));
		EXPECT_EQ((__u32)FWCTL_DEVICE_TYPE_CXL, info.out_device_type);
	}
	memset(&o, SENTINEL, sizeof(o));
	out_len = sizeof(o);
	ASSERT_EQ(0, get_supported(fd, 4096, 0, &o, &out_len));
	check_supported(_metadata, &o, out_len, 0, NR_QEMU_FEATS);
	close(fd);

	EXPECT_EQ(-ENODEV, fwctl_info_get(*old_fd, NULL, 0, &info));
	EXPECT_EQ(0, close(*old_fd));
	*old_fd = -1;
}

/*
 * fwctl_cxl unloads with an FD open: the FD is orphaned (ENODEV), the
 * device goes from sysfs and /dev, and loading the module again gives the
 * memdev a new, working fwctl device.
 */
TEST_F_TIMEOUT(fwctl_cxl, unload_with_open_fd, FWCTL_TIMEOUT)
{
	struct fwctl_info info;
	struct cxl_env again;
	union cxl_out o;
	__u32 out_len;
	int fd, ret;

	out_len = sizeof(o);
	ASSERT_EQ(0, get_supported(self->fd, 4096, 0, &o, &out_len));

	ret = module_unload(CXL_MODULE);
	ASSERT_EQ(0, ret) TH_LOG("rmmod " CXL_MODULE " with an FD open: %s",
				 strerror(-ret));
	EXPECT_FALSE(module_is_loaded(CXL_MODULE));

	EXPECT_EQ(-ENODEV, fwctl_info_get(self->fd, NULL, 0, &info));
	out_len = sizeof(o);
	EXPECT_EQ(-ENODEV, get_supported(self->fd, 4096, 0, &o, &out_len));
	out_len = sizeof(o);
	EXPECT_EQ(-ENODEV, get_feature(self->fd, SCRUB->uuid, 0, SCRUB_GET_LEN,
				       CXL_GET_FEAT_SEL_CURRENT_VALUE, &o,
				       &out_len));
	EXPECT_EQ(0, count_dir_entries(self->env.fwctl_dir, "fwctl"))
		TH_LOG("%s still has a fwctl device", self->env.memdev);
	EXPECT_NE(0, access(self->env.fw.sys_path, F_OK))
		TH_LOG("%s still exists", self->env.fw.sys_path);
	fd = fwctl_open(&self->env.fw);
	EXPECT_GT(0, fd) TH_LOG("%s still opens", self->env.fw.dev_path);
	if (fd >= 0)
		close(fd);

	ret = module_load(CXL_MODULE, CXL_LAB_PARAMS);
	ASSERT_EQ(0, ret) TH_LOG("load " CXL_MODULE " again: %s", strerror(-ret));
	memset(&again, 0, sizeof(again));
	ASSERT_EQ(0, cxl_find(&again)) TH_LOG("no fwctl device after reload");
	EXPECT_STREQ(self->env.memdev, again.memdev);
	TH_LOG("%s: fwctl%d after reload (fwctl%d before)", again.memdev,
	       again.fw.minor, self->env.fw.minor);
	expect_replaced(_metadata, &again, true, &self->fd);
}

/*
 * The memdev goes away with an FD open (hot remove: cxl_pci unbound from
 * the PCI function, which deletes memN): the FD is orphaned (ENODEV) and
 * the fwctl device is gone; binding cxl_pci again brings memN back with a
 * new, working fwctl device.
 */
TEST_F_TIMEOUT(fwctl_cxl, memdev_removed_with_open_fd, FWCTL_TIMEOUT)
{
	char link[PATH_MAX], target[PATH_MAX], pci[NAME_MAX + 1] = "";
	char *comp, *save;
	struct fwctl_info info;
	struct cxl_env again;
	long long deadline;
	union cxl_out o;
	__u32 out_len;
	ssize_t n;
	int ret;

	/* The PCI function is the last "dddd:bb:dd.f" component above memN. */
	snprintf(link, sizeof(link), CXL_BUS_DIR "/%s", self->env.memdev);
	n = readlink(link, target, sizeof(target) - 1);
	ASSERT_LT(0, n);
	target[n] = 0;
	for (comp = strtok_r(target, "/", &save); comp;
	     comp = strtok_r(NULL, "/", &save)) {
		unsigned int a, b, c, d;
		char end;

		if (sscanf(comp, "%x:%x:%x.%x%c", &a, &b, &c, &d, &end) == 4)
			snprintf(pci, sizeof(pci), "%s", comp);
	}
	ASSERT_NE(0, pci[0]) TH_LOG("no PCI function above %s", link);
	TH_LOG("%s is on PCI function %s", self->env.memdev, pci);

	ret = write_file("/sys/bus/pci/drivers/cxl_pci/unbind", pci);
	ASSERT_EQ(0, ret) TH_LOG("unbind %s: %s", pci, strerror(-ret));

	EXPECT_EQ(-ENODEV, fwctl_info_get(self->fd, NULL, 0, &info));
	out_len = sizeof(o);
	EXPECT_EQ(-ENODEV, get_supported(self->fd, 4096, 0, &o, &out_len));
	EXPECT_NE(0, access(self->env.fw.sys_path, F_OK))
		TH_LOG("%s still exists", self->env.fw.sys_path);
	EXPECT_NE(0, access(link, F_OK)) TH_LOG("%s still exists", link);

	ret = write_file("/sys/bus/pci/drivers/cxl_pci/bind", pci);
	ASSERT_EQ(0, ret) TH_LOG("bind %s: %s", pci, strerror(-ret));
	memset(&again, 0, sizeof(again));
	deadline = now_ms() + 5000;
	while ((ret = cxl_find(&again)) && now_ms() < deadline)
		sleep_ms(50);
	ASSERT_EQ(0, ret) TH_LOG("no fwctl device after rebinding %s", pci);
	TH_LOG("%s: fwctl%d after rebind (fwctl%d before)", again.memdev,
	       again.fw.minor, self->env.fw.minor);
	expect_replaced(_metadata, &again, false, &self->fd);
}

/*
 * Upstream's policy by default: the eight features upstream reserves to the
 * kernel (QEMU's patrol scrub and ECS among them) are reserved whatever the
 * kernel's configuration, and a memdev with no other feature gets no fwctl
 * device.  With expose_kernel_features=1 (the administrator's choice, shown
 * in sysfs) the device is registered and both features are changeable.
 */
TEST_F_TIMEOUT(fwctl_cxl, reserved_by_default, FWCTL_TIMEOUT)
{
	struct cxl_feat_entry *e;
	char val[8], out[4096];
	__u32 out_len;
	int fd, ret, i, n;

	/* The fixture loaded it with the lab's parameter. */
	ASSERT_LT(0, read_file(CXL_EXPOSE_PARAM, val, sizeof(val)));
	EXPECT_EQ('Y', val[0]);
	ASSERT_EQ(0, module_unload(CXL_MODULE));

	ret = module_load(CXL_MODULE, "");
	ASSERT_EQ(0, ret) TH_LOG("load " CXL_MODULE " without parameters: %s",
				 strerror(-ret));
	ASSERT_LT(0, read_file(CXL_EXPOSE_PARAM, val, sizeof(val)));
	EXPECT_EQ('N', val[0]) TH_LOG("expose_kernel_features is %s by default", val);
	/* Attaching is synchronous with the load; give sysfs a moment anyway. */
	EXPECT_GT(0, cxl_wait_fwctl_in(CXL_BUS_DIR, 1000))
		TH_LOG("a CXL fwctl device whose only features are reserved to the kernel");
	ASSERT_EQ(0, module_unload(CXL_MODULE));

	ret = module_load(CXL_MODULE, CXL_LAB_PARAMS);
	ASSERT_EQ(0, ret) TH_LOG("load " CXL_MODULE " " CXL_LAB_PARAMS ": %s",
				 strerror(-ret));
	ASSERT_EQ(0, cxl_find(&self->env));
	fd = cxl_open(&self->env);
	ASSERT_LE(0, fd);
	out_len = sizeof(out);
	ASSERT_EQ(0, get_supported(fd, sizeof(out) - OUT_STRUCT_LEN, 0, out, &out_len));
	n = le16toh(((struct fwctl_rpc_cxl_out *)out)->get_sup_feats_out.num_entries);
	EXPECT_LT(0, n);
	for (i = 0; i < n; i++) {
		e = &((struct fwctl_rpc_cxl_out *)out)->get_sup_feats_out.ents[i];
		EXPECT_NE(0, (int)(le32toh(e->flags) & CXL_FEATURE_F_CHANGEABLE))
			TH_LOG("feature %d is not changeable with expose_kernel_features=1", i);
	}
	close(fd);
}

TEST_HARNESS_MAIN
