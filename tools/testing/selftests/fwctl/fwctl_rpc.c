// SPDX-License-Identifier: GPL-2.0
/*
 * fwctl kselftest: FWCTL_RPC on the fwctl_test loopback "firmware".
 *
 * Pins upstream's semantics: length limits, struct size handling, unknown
 * scopes, replies in place and in a new buffer, truncated replies, driver
 * errors passed through and bad pointers.  Only the scopes that neither
 * taint nor need privileges are used here (see fwctl_scope.c for those).
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "fwctl_harness.h"

#define SENTINEL	0xee
#define REQ_LEN		((__u32)sizeof(struct fwctl_test_req))

FIXTURE(rpc) {
	struct fwctl_env env;
	int fd;
};

FIXTURE_SETUP(rpc)
{
	fwctl_setup(_metadata, &self->env, false);
	if (_metadata->exit_code)
		return;
	self->fd = fwctl_open_or_fail(_metadata, &self->env);
}

FIXTURE_TEARDOWN_PARENT(rpc)
{
	fwctl_env_teardown(&self->env);
}

/* A request of len bytes: the header, then payload byte i = i * 7 + 3. */
static void fill_req(void *buf, size_t len, __u32 op, __u32 arg, __u32 seed)
{
	struct fwctl_test_req req = { .op = op, .arg = arg, .seed = seed };
	unsigned char *p = buf;
	size_t i;

	for (i = sizeof(req); i < len; i++)
		p[i] = (unsigned char)(i * 7 + 3);
	memcpy(buf, &req, sizeof(req));
}

/* FWCTL_RPC on a raw struct buffer of any size: 0 or -errno. */
static int rpc_raw(int fd, void *buf)
{
	return ioctl(fd, FWCTL_RPC, buf) ? -errno : 0;
}

static void check_echo(struct __test_metadata *_metadata, int fd, __u32 op)
{
	unsigned char in[80], out[128];
	__u32 out_len = sizeof(out);
	size_t i;

	fill_req(in, sizeof(in), op, 0, 0);
	memset(out, SENTINEL, sizeof(out));
	ASSERT_EQ(0, fwctl_rpc_call(fd, FWCTL_RPC_CONFIGURATION, in,
				    sizeof(in), out, &out_len));
	EXPECT_EQ(sizeof(in), out_len);
	EXPECT_EQ(0, memcmp(in, out, sizeof(in)));
	/* RPC replies are not padded: the rest of out is untouched. */
	for (i = sizeof(in); i < sizeof(out); i++) {
		ASSERT_EQ(SENTINEL, out[i]) TH_LOG("byte %zu written", i);
	}
}

TEST_F_TIMEOUT(rpc, echo_in_place, FWCTL_TIMEOUT)
{
	check_echo(_metadata, self->fd, FWCTL_TEST_OP_ECHO);
}

TEST_F_TIMEOUT(rpc, echo_new_buffer, FWCTL_TIMEOUT)
{
	check_echo(_metadata, self->fd, FWCTL_TEST_OP_ECHO_NEW);
}

/* The largest request and reply (2 MiB each) make the round trip. */
TEST_F_TIMEOUT(rpc, max_len_round_trip, FWCTL_TIMEOUT)
{
	static const __u32 ops[] = { FWCTL_TEST_OP_ECHO, FWCTL_TEST_OP_ECHO_NEW };
	unsigned char *in, *out;
	__u32 out_len;
	size_t i;

	in = malloc(FWCTL_MAX_RPC_LEN);
	out = malloc(FWCTL_MAX_RPC_LEN);
	ASSERT_NE(NULL, in);
	ASSERT_NE(NULL, out);
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		fill_req(in, FWCTL_MAX_RPC_LEN, ops[i], 0, 0);
		memset(out, 0, FWCTL_MAX_RPC_LEN);
		out_len = FWCTL_MAX_RPC_LEN;
		ASSERT_EQ(0, fwctl_rpc_call(self->fd, FWCTL_RPC_CONFIGURATION,
					    in, FWCTL_MAX_RPC_LEN, out,
					    &out_len)) TH_LOG("op %u", ops[i]);
		EXPECT_EQ(FWCTL_MAX_RPC_LEN, out_len);
		EXPECT_EQ(0, memcmp(in, out, FWCTL_MAX_RPC_LEN))
			TH_LOG("op %u", ops[i]);
	}
	free(in);
	free(out);
}

/*
 * Requests of every length around the core's size classes (small ones are
 * read into the ioctl's stack frame, larger ones into an allocation) make
 * the round trip, in place and in a new buffer.
 */
TEST_F_TIMEOUT(rpc, echo_lengths, FWCTL_TIMEOUT)
{
	static const __u32 ops[] = { FWCTL_TEST_OP_ECHO, FWCTL_TEST_OP_ECHO_NEW };
	static const __u32 lens[] = { REQ_LEN, 127, 128, 129, 4095, 4096, 4097,
				      65536 };
	unsigned char *in, *out;
	size_t i, j, k;
	__u32 out_len;

	in = malloc(65536 + 1);
	out = malloc(65536 + 1);
	ASSERT_NE(NULL, in);
	ASSERT_NE(NULL, out);
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		for (j = 0; j < ARRAY_SIZE(lens); j++) {
			fill_req(in, lens[j], ops[i], 0, 0);
			memset(out, SENTINEL, lens[j] + 1);
			out_len = lens[j] + 1;
			ASSERT_EQ(0, fwctl_rpc_call(self->fd,
						    FWCTL_RPC_CONFIGURATION, in,
						    lens[j], out, &out_len))
				TH_LOG("op %u, %u bytes", ops[i], lens[j]);
			EXPECT_EQ(lens[j], out_len);
			for (k = 0; k < lens[j]; k++) {
				ASSERT_EQ(in[k], out[k])
					TH_LOG("op %u, %u bytes: byte %zu",
					       ops[i], lens[j], k);
			}
			EXPECT_EQ(SENTINEL, out[lens[j]]);
		}
	}
	free(in);
	free(out);
}

/* One byte over 2 MiB either way is EMSGSIZE, whatever the buffers. */
TEST_F_TIMEOUT(rpc, too_long, FWCTL_TIMEOUT)
{
	const __u32 too_long = FWCTL_MAX_RPC_LEN + 1;
	unsigned char *in, *out;
	__u32 out_len;

	in = calloc(1, too_long);
	out = calloc(1, too_long);
	ASSERT_NE(NULL, in);
	ASSERT_NE(NULL, out);
	fill_req(in, too_long, FWCTL_TEST_OP_ECHO, 0, 0);

	out_len = FWCTL_MAX_RPC_LEN;
	EXPECT_EQ(-EMSGSIZE, fwctl_rpc_call(self->fd, FWCTL_RPC_CONFIGURATION,
					    in, too_long, out, &out_len));
	out_len = too_long;
	EXPECT_EQ(-EMSGSIZE, fwctl_rpc_call(self->fd, FWCTL_RPC_CONFIGURATION,
					    in, REQ_LEN, out, &out_len));
	out_len = UINT32_MAX;
	EXPECT_EQ(-EMSGSIZE, fwctl_rpc_call(self->fd, FWCTL_RPC_CONFIGURATION,
					    in, UINT32_MAX, out, &out_len));
	free(in);
	free(out);
}

TEST_F_TIMEOUT(rpc, size, FWCTL_TIMEOUT)
{
	static const __u32 small[] = { 0, 4, 16, 24, 31 };
	static __u64 buf[64 / sizeof(__u64)];
	struct fwctl_rpc *rpc = (struct fwctl_rpc *)buf;
	unsigned char *bytes = (unsigned char *)buf;
	unsigned char in[32], out[32];
	size_t i;

	fill_req(in, sizeof(in), FWCTL_TEST_OP_ECHO, 0, 0);
	memset(buf, 0, sizeof(buf));
	rpc->scope = FWCTL_RPC_CONFIGURATION;
	rpc->in_len = sizeof(in);
	rpc->in = (__u64)(uintptr_t)in;
	rpc->out = (__u64)(uintptr_t)out;

	for (i = 0; i < ARRAY_SIZE(small); i++) {
		rpc->size = small[i];
		rpc->out_len = sizeof(out);
		EXPECT_EQ(-EINVAL, rpc_raw(self->fd, rpc))
			TH_LOG("size %u", small[i]);
	}

	rpc->size = 40;
	rpc->out_len = sizeof(out);
	memset(out, 0, sizeof(out));
	ASSERT_EQ(0, rpc_raw(self->fd, rpc));
	EXPECT_EQ(sizeof(in), rpc->out_len);
	EXPECT_EQ(0, memcmp(in, out, sizeof(in)));

	rpc->out_len = sizeof(out);
	bytes[39] = 1;
	EXPECT_EQ(-E2BIG, rpc_raw(self->fd, rpc));
}

TEST_F_TIMEOUT(rpc, unknown_scope, FWCTL_TIMEOUT)
{
	static const __u32 scopes[] = { 4, 5, 0x80000000, 0xffffffff };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(scopes); i++) {
		EXPECT_EQ(-EOPNOTSUPP, test_rpc(self->fd, scopes[i],
						FWCTL_TEST_OP_ECHO, 0))
			TH_LOG("scope %#x", scopes[i]);
	}
}

/* A reply longer than out_len: truncated copy, full length reported. */
TEST_F_TIMEOUT(rpc, reply_truncated, FWCTL_TIMEOUT)
{
	struct fwctl_test_req req = {
		.op = FWCTL_TEST_OP_LEN, .arg = 100, .seed = 0xf0,
	};
	unsigned char out[64];
	__u32 out_len = 10;
	size_t i;

	memset(out, SENTINEL, sizeof(out));
	ASSERT_EQ(0, fwctl_rpc_call(self->fd, FWCTL_RPC_CONFIGURATION, &req,
				    sizeof(req), out, &out_len));
	EXPECT_EQ(100U, out_len);
	for (i = 0; i < 10; i++) {
		ASSERT_EQ((unsigned char)(i + req.seed), out[i])
			TH_LOG("byte %zu", i);
	}
	for (i = 10; i < sizeof(out); i++) {
		ASSERT_EQ(SENTINEL, out[i]) TH_LOG("byte %zu written", i);
	}

	/* out_len 0: nothing is copied, the length is still reported. */
	out_len = 0;
	ASSERT_EQ(0, fwctl_rpc_call(self->fd, FWCTL_RPC_CONFIGURATION, &req,
				    sizeof(req), NULL, &out_len));
	EXPECT_EQ(100U, out_len);
}

/* A reply shorter than out_len: only the reply is written. */
TEST_F_TIMEOUT(rpc, reply_shorter, FWCTL_TIMEOUT)
{
	struct fwctl_test_req req = {
		.op = FWCTL_TEST_OP_LEN, .arg = 10, .seed = 3,
	};
	unsigned char out[64];
	__u32 out_len = sizeof(out);
	size_t i;

	memset(out, SENTINEL, sizeof(out));
	ASSERT_EQ(0, fwctl_rpc_call(self->fd, FWCTL_RPC_CONFIGURATION, &req,
				    sizeof(req), out, &out_len));
	EXPECT_EQ(10U, out_len);
	for (i = 0; i < 10; i++) {
		ASSERT_EQ((unsigned char)(i + req.seed), out[i])
			TH_LOG("byte %zu", i);
	}
	for (i = 10; i < sizeof(out); i++) {
		ASSERT_EQ(SENTINEL, out[i]) TH_LOG("byte %zu written", i);
	}
}

/* The driver's errors come back unchanged. */
TEST_F_TIMEOUT(rpc, driver_errors, FWCTL_TIMEOUT)
{
	struct fwctl_test_req req = { .op = FWCTL_TEST_OP_ECHO, .reserved = 1 };
	unsigned char out[64];
	__u32 out_len;

	EXPECT_EQ(-EBADMSG, test_rpc(self->fd, FWCTL_RPC_CONFIGURATION,
				     FWCTL_TEST_OP_FAIL, EBADMSG));
	EXPECT_EQ(-EINVAL, test_rpc(self->fd, FWCTL_RPC_CONFIGURATION,
				    FWCTL_TEST_OP_FAIL, EINVAL));

	out_len = sizeof(out);
	EXPECT_EQ(-EBADMSG, fwctl_rpc_call(self->fd, FWCTL_RPC_CONFIGURATION,
					   &req, sizeof(req), out, &out_len));

	/* Shorter than the driver's request header. */
	req.reserved = 0;
	out_len = sizeof(out);
	EXPECT_EQ(-EINVAL, fwctl_rpc_call(self->fd, FWCTL_RPC_CONFIGURATION,
					  &req, 0, out, &out_len));
	out_len = sizeof(out);
	EXPECT_EQ(-EINVAL, fwctl_rpc_call(self->fd, FWCTL_RPC_CONFIGURATION,
					  &req, sizeof(req) - 1, out,
					  &out_len));

	/* The FD still works. */
	EXPECT_EQ(0, test_rpc(self->fd, FWCTL_RPC_CONFIGURATION,
			      FWCTL_TEST_OP_ECHO, 0));
}

TEST_F_TIMEOUT(rpc, bad_pointers, FWCTL_TIMEOUT)
{
	struct fwctl_test_req req = { .op = FWCTL_TEST_OP_ECHO };
	long page = sysconf(_SC_PAGESIZE);
	unsigned char out[64];
	__u32 out_len;
	void *hole;

	hole = mmap(NULL, page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	ASSERT_EQ(0, munmap(hole, page));

	EXPECT_EQ(-EFAULT, rpc_raw(self->fd, NULL));
	EXPECT_EQ(-EFAULT, rpc_raw(self->fd, hole));
	out_len = sizeof(out);
	EXPECT_EQ(-EFAULT, fwctl_rpc_call(self->fd, FWCTL_RPC_CONFIGURATION,
					  NULL, sizeof(req), out, &out_len));
	out_len = sizeof(out);
	EXPECT_EQ(-EFAULT, fwctl_rpc_call(self->fd, FWCTL_RPC_CONFIGURATION,
					  hole, sizeof(req), out, &out_len));
	out_len = sizeof(req);
	EXPECT_EQ(-EFAULT, fwctl_rpc_call(self->fd, FWCTL_RPC_CONFIGURATION,
					  &req, sizeof(req), hole, &out_len));
}

/*
 * A request that runs into unmapped memory is EFAULT at any length (the
 * core's buffer for it is freed: the kmemleak check at the end of run.sh
 * would see it otherwise), and the FD keeps working.
 */
TEST_F_TIMEOUT(rpc, request_runs_into_hole, FWCTL_TIMEOUT)
{
	static const __u32 lens[] = { 64, 200, 8192, 65536 };
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *map, *in, out[64];
	size_t len = 65536 + page;
	__u32 out_len;
	size_t i;

	map = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	/* The last page becomes the hole. */
	ASSERT_EQ(0, munmap(map + len - page, page));
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		/* The request's last 8 bytes are in the hole. */
		in = map + len - page - (lens[i] - 8);
		fill_req(in, lens[i] - 8, FWCTL_TEST_OP_ECHO, 0, 0);
		out_len = sizeof(out);
		EXPECT_EQ(-EFAULT, fwctl_rpc_call(self->fd,
						  FWCTL_RPC_CONFIGURATION, in,
						  lens[i], out, &out_len))
			TH_LOG("%u bytes", lens[i]);
	}
	ASSERT_EQ(0, munmap(map, len - page));
	EXPECT_EQ(0, test_rpc(self->fd, FWCTL_RPC_CONFIGURATION,
			      FWCTL_TEST_OP_ECHO, 0));
}

/* The driver gets the scope, in_len and out_len the user gave. */
TEST_F_TIMEOUT(rpc, driver_sees_call, FWCTL_TIMEOUT)
{
	static const __u32 scopes[] = {
		FWCTL_RPC_CONFIGURATION, FWCTL_RPC_DEBUG_READ_ONLY,
	};
	struct fwctl_test_scope_reply reply;
	struct fwctl_test_info ti;
	unsigned char in[24], out[64];
	__u32 out_len;
	size_t i;

	ASSERT_EQ(0, test_info(self->fd, &ti));
	fill_req(in, sizeof(in), FWCTL_TEST_OP_SCOPE, 0, 0);
	for (i = 0; i < ARRAY_SIZE(scopes); i++) {
		out_len = sizeof(out);
		ASSERT_EQ(0, fwctl_rpc_call(self->fd, scopes[i], in,
					    sizeof(in), out, &out_len));
		ASSERT_EQ(sizeof(reply), out_len);
		memcpy(&reply, out, sizeof(reply));
		EXPECT_EQ(scopes[i], reply.scope);
		EXPECT_EQ(ti.uctx_id, reply.uctx_id);
		EXPECT_EQ(sizeof(in), reply.in_len);
		EXPECT_EQ(sizeof(out), reply.out_len);
	}
}

TEST_HARNESS_MAIN
