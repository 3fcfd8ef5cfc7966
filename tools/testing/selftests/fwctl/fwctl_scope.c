// SPDX-License-Identifier: GPL-2.0
/*
 * fwctl kselftest: RPC scopes, CAP_SYS_RAWIO, lockdown and the taint.
 *
 * The policy under test:
 *   CONFIGURATION, DEBUG_READ_ONLY  always allowed
 *   DEBUG_WRITE                     always allowed (lockdown compatible),
 *                                   taints the kernel (TAINT_FWCTL)
 *   DEBUG_WRITE_FULL                needs CAP_SYS_RAWIO and no lockdown
 *                                   (integrity or confidentiality), taints
 * The taint and its warning happen once per boot, so the first test checks
 * the warning only if the kernel was not tainted yet.
 */
#include "kselftest_harness.h"
#include "fwctl_harness.h"

#define TAINT_FWCTL_BIT	(1ULL << TAINT_FWCTL)
/* Scopes tried: the four real ones and the first unknown one. */
#define NR_SCOPES	5

FIXTURE(scope) {
	struct fwctl_env env;
	int fd;
	bool locked;
	char lockdown[32];
};

FIXTURE_SETUP(scope)
{
	fwctl_setup(_metadata, &self->env, false);
	if (_metadata->exit_code)
		return;
	self->fd = fwctl_open_or_fail(_metadata, &self->env);
	self->locked = lockdown_locked(self->lockdown, sizeof(self->lockdown));
	TH_LOG("lockdown: %s", self->lockdown);
}

FIXTURE_TEARDOWN_PARENT(scope)
{
	fwctl_env_teardown(&self->env);
}

static bool tainted_fwctl(struct __test_metadata *_metadata)
{
	unsigned long long taint = 0;

	EXPECT_EQ(0, read_tainted(&taint));
	return taint & TAINT_FWCTL_BIT;
}

/* DEBUG_WRITE taints; the first time, with a warning naming the caller. */
TEST_F_TIMEOUT(scope, debug_write_taints, FWCTL_TIMEOUT)
{
	static char log[65536];
	char comm[32], who[64];
	bool before;
	int kmsg, n;

	before = tainted_fwctl(_metadata);
	kmsg = kmsg_open();
	ASSERT_LE(0, kmsg);

	ASSERT_EQ(0, test_rpc(self->fd, FWCTL_RPC_CONFIGURATION,
			      FWCTL_TEST_OP_ECHO, 0));
	ASSERT_EQ(0, test_rpc(self->fd, FWCTL_RPC_DEBUG_READ_ONLY,
			      FWCTL_TEST_OP_ECHO, 0));
	if (!before) {
		EXPECT_FALSE(tainted_fwctl(_metadata))
			TH_LOG("a non-debug-write scope tainted the kernel");
	}

	ASSERT_EQ(0, test_rpc(self->fd, FWCTL_RPC_DEBUG_WRITE,
			      FWCTL_TEST_OP_ECHO, 0));
	EXPECT_TRUE(tainted_fwctl(_metadata));

	ASSERT_LE(0, kmsg_read_new(kmsg, log, sizeof(log)));
	close(kmsg);
	ASSERT_EQ(0, self_comm(comm, sizeof(comm)));
	snprintf(who, sizeof(who), "%s(%d)", comm, getpid());
	n = count_lines_with(log, "<4>", who);
	if (before) {
		TH_LOG("kernel already tainted: the warning was due earlier (%d line(s) now)",
		       n);
		return;
	}
	EXPECT_LE(1, n) TH_LOG("no warning naming %s; new log:\n%s", who, log);
}

struct matrix {
	int ret[NR_SCOPES];
	struct fwctl_test_scope_reply reply[NR_SCOPES];
	int fd;
};

static int run_matrix(void *arg)
{
	struct matrix *m = arg;
	__u32 s;

	for (s = 0; s < NR_SCOPES; s++)
		m->ret[s] = test_rpc_scope(m->fd, s, &m->reply[s]);
	return 0;
}

static void check_matrix(struct __test_metadata *_metadata,
			 FIXTURE_DATA(scope) *self, const struct matrix *m,
			 bool cap)
{
	struct fwctl_test_info ti;
	int expected;
	__u32 s;

	ASSERT_EQ(0, test_info(self->fd, &ti));
	for (s = 0; s < NR_SCOPES; s++) {
		expected = scope_expected_errno(s, cap, self->locked);
		TH_LOG("%s rawio, lockdown %s: %s -> %s", cap ? "with" : "without",
		       self->lockdown, scope_name(s),
		       m->ret[s] ? strerror(-m->ret[s]) : "ok");
		EXPECT_EQ(-expected, m->ret[s]) TH_LOG("scope %s", scope_name(s));
		if (m->ret[s])
			continue;
		/* What the driver saw (test_rpc_scope(): bare request, 64 out). */
		EXPECT_EQ(s, m->reply[s].scope);
		EXPECT_EQ(ti.uctx_id, m->reply[s].uctx_id);
		EXPECT_EQ(sizeof(struct fwctl_test_req), m->reply[s].in_len);
		EXPECT_EQ(64U, m->reply[s].out_len);
	}
	/* DEBUG_WRITE went through: the kernel is tainted. */
	EXPECT_TRUE(tainted_fwctl(_metadata));
}

TEST_F_TIMEOUT(scope, matrix_with_rawio, FWCTL_TIMEOUT)
{
	struct matrix m = { .fd = self->fd };

	ASSERT_TRUE(has_cap_sys_rawio()) TH_LOG("root without CAP_SYS_RAWIO");
	run_matrix(&m);
	check_matrix(_metadata, self, &m, true);
}

TEST_F_TIMEOUT(scope, matrix_without_rawio, FWCTL_TIMEOUT)
{
	struct matrix *m = map_shared(sizeof(*m));

	ASSERT_NE(NULL, m);
	m->fd = self->fd;
	/* The FD was opened with the capability: the RPC's caller counts. */
	ASSERT_EQ(0, run_without_rawio(run_matrix, m));
	check_matrix(_metadata, self, m, false);
	EXPECT_TRUE(has_cap_sys_rawio()) TH_LOG("the parent lost the capability");
}

TEST_HARNESS_MAIN
