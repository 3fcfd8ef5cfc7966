// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's Rust fwctl API (kernel::fwctl, or the project's copy of it,
 * common/fwctl_driver.rs, on kernels without it), end to end:
 * fwctl_rust_test.ko implements part of the loopback contract through it.
 * Checks the device type, FWCTL_INFO data, per-FD contexts, in-place and
 * new-buffer answers, truncation, driver errnos and scopes, and that the
 * module unloads with an FD still open (ENODEV afterwards).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fwctl_harness.h"

/* The Rust test driver borrows this real type number. */
#define RUST_TEST_TYPE FWCTL_DEVICE_TYPE_PDS

/* /dev/fwctl/fwctlN of the device whose parent is the "fwctl_rust_test" faux device. */
static int open_rust_dev(void)
{
	char link[PATH_MAX], target[PATH_MAX], node[PATH_MAX];
	ssize_t n;
	int i;

	for (i = 0; i < FWCTL_MAX_DEVICES; i++) {
		snprintf(link, sizeof(link), FWCTL_CLASS_DIR "/fwctl%d/device", i);
		n = readlink(link, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = 0;
		if (!strcmp(strrchr(target, '/') + 1, "fwctl_rust_test")) {
			snprintf(node, sizeof(node), FWCTL_DEV_DIR "/fwctl%d", i);
			return open(node, O_RDWR | O_CLOEXEC);
		}
	}
	return -ENODEV;
}

FIXTURE(rust) {
	int fd;
};

FIXTURE_SETUP(rust)
{
	ASSERT_EQ(0, module_load("fwctl", ""));
	ASSERT_EQ(0, module_load("fwctl_rust_test", ""));
	self->fd = open_rust_dev();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(rust)
{
	if (self->fd >= 0)
		close(self->fd);
	module_unload("fwctl_rust_test");
	module_unload("fwctl");
}

static int rpc(int fd, __u32 scope, __u32 op, __u32 arg, void *out, __u32 *out_len)
{
	struct fwctl_test_req req = { .op = op, .arg = arg, .seed = 7 };

	return fwctl_rpc_call(fd, scope, &req, sizeof(req), out, out_len);
}

TEST_F(rust, info_and_contexts)
{
	struct fwctl_test_info a, b;
	struct fwctl_info info;
	int fd2;

	ASSERT_EQ(0, fwctl_info_get(self->fd, &a, sizeof(a), &info));
	EXPECT_EQ((__u32)RUST_TEST_TYPE, info.out_device_type);
	EXPECT_EQ(sizeof(a), info.device_data_len);
	EXPECT_EQ(FWCTL_TEST_INFO_MAGIC, a.magic);
	fd2 = open_rust_dev();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, fwctl_info_get(fd2, &b, sizeof(b), &info));
	EXPECT_NE(a.uctx_id, b.uctx_id);
	close(fd2);
}

TEST_F(rust, answers)
{
	struct fwctl_test_req req = { .op = FWCTL_TEST_OP_ECHO };
	unsigned char out[64], big[100];
	__u32 len;
	int i;

	/* In place, and in a new buffer: the request comes back. */
	for (i = 0; i < 2; i++) {
		req.op = i ? FWCTL_TEST_OP_ECHO_NEW : FWCTL_TEST_OP_ECHO;
		len = sizeof(out);
		ASSERT_EQ(0, fwctl_rpc_call(self->fd, FWCTL_RPC_CONFIGURATION,
					    &req, sizeof(req), out, &len));
		EXPECT_EQ(sizeof(req), len);
		EXPECT_EQ(0, memcmp(&req, out, sizeof(req)));
	}
	/* A long answer is truncated to out_len, its length reported. */
	memset(big, 0xaa, sizeof(big));
	len = 10;
	ASSERT_EQ(0, rpc(self->fd, FWCTL_RPC_DEBUG_READ_ONLY, FWCTL_TEST_OP_LEN,
			 100, big, &len));
	EXPECT_EQ(100U, len);
	for (i = 0; i < 10; i++)
		EXPECT_EQ((unsigned char)(i + 7), big[i]);
	EXPECT_EQ(0xaa, big[10]);
	/* Zero-length answers are fine. */
	len = sizeof(out);
	ASSERT_EQ(0, rpc(self->fd, FWCTL_RPC_CONFIGURATION, FWCTL_TEST_OP_LEN, 0,
			 out, &len));
	EXPECT_EQ(0U, len);
}

TEST_F(rust, errors_and_scopes)
{
	struct fwctl_test_scope_reply r;
	__u32 scope, len;

	len = sizeof(r);
	EXPECT_EQ(-EBADMSG, rpc(self->fd, 0, FWCTL_TEST_OP_FAIL, EBADMSG, &r, &len));
	EXPECT_EQ(-EIO, rpc(self->fd, 0, FWCTL_TEST_OP_FAIL, EIO, &r, &len));
	EXPECT_EQ(-EBADMSG, rpc(self->fd, 0, 99, 0, &r, &len));
	/* Shorter than the request header: the driver's EINVAL. */
	EXPECT_EQ(-EINVAL, fwctl_rpc_call(self->fd, 0, &r, 4, &r, &len));
	for (scope = FWCTL_RPC_CONFIGURATION; scope <= FWCTL_RPC_DEBUG_WRITE; scope++) {
		len = sizeof(r);
		ASSERT_EQ(0, rpc(self->fd, scope, FWCTL_TEST_OP_SCOPE, 0, &r, &len));
		EXPECT_EQ(sizeof(r), len);
		EXPECT_EQ(scope, r.scope);
		EXPECT_EQ(sizeof(struct fwctl_test_req), r.in_len);
		EXPECT_EQ(sizeof(r), r.out_len);
	}
}

TEST_F(rust, unload_with_fd_open)
{
	struct fwctl_info info;
	struct fwctl_test_info ti;

	ASSERT_EQ(0, module_unload("fwctl_rust_test"));
	EXPECT_EQ(-ENODEV, fwctl_info_get(self->fd, &ti, sizeof(ti), &info));
	EXPECT_EQ(-ENODEV, test_rpc(self->fd, 0, FWCTL_TEST_OP_ECHO, 0));
}

TEST_HARNESS_MAIN
