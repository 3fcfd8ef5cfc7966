// SPDX-License-Identifier: GPL-2.0
/*
 * fwctl kselftest: hot unplug and module unload with FDs open.
 *
 * Pins upstream's semantics: unregistering a device closes its user
 * contexts but not the FDs, which then get ENODEV from every ioctl; it
 * waits for RPCs in flight; the driver module can go while FDs are open,
 * the core module cannot (the open cdev pins it).
 */
#include <fcntl.h>
#include <pthread.h>

#include "kselftest_harness.h"
#include "fwctl_harness.h"

/* How long a device unplugged from a work item may take to go. */
#define UNPLUG_WAIT_MS	2000
#define SLEEP_RPC_MS	1500
#define REMOVE_AFTER_MS	300

FIXTURE(unplug) {
	struct fwctl_env env;
};

FIXTURE_SETUP(unplug)
{
	fwctl_setup(_metadata, &self->env, false);
}

FIXTURE_TEARDOWN_PARENT(unplug)
{
	fwctl_env_teardown(&self->env);
}

/* FWCTL_INFO and FWCTL_RPC on fd both fail with ENODEV. */
static void expect_orphaned(struct __test_metadata *_metadata, int fd)
{
	struct fwctl_test_info ti;
	struct fwctl_info info;

	EXPECT_EQ(-ENODEV, fwctl_info_get(fd, &ti, sizeof(ti), &info));
	EXPECT_EQ(-ENODEV, fwctl_info_get(fd, NULL, 0, &info));
	EXPECT_EQ(-ENODEV, test_rpc(fd, FWCTL_RPC_CONFIGURATION,
				    FWCTL_TEST_OP_ECHO, 0));
}

/* The removed device's node is gone: open() fails. */
static void expect_node_gone(struct __test_metadata *_metadata,
			     const struct fwctl_env *env)
{
	int fd = fwctl_open(env);

	EXPECT_GT(0, fd) TH_LOG("%s still opens", env->dev_path);
	if (fd >= 0)
		close(fd);
	else
		TH_LOG("open %s after removal: %s", env->dev_path,
		       strerror(-fd));
}

TEST_F_TIMEOUT(unplug, remove_with_open_fds, FWCTL_TIMEOUT)
{
	unsigned long long live;
	int a, b;

	live = fwctl_test_counter(_metadata, "live_uctx");
	a = fwctl_open_or_fail(_metadata, &self->env);
	b = fwctl_open_or_fail(_metadata, &self->env);
	ASSERT_EQ(live + 2, fwctl_test_counter(_metadata, "live_uctx"));
	ASSERT_EQ(0, test_rpc(a, FWCTL_RPC_CONFIGURATION,
			      FWCTL_TEST_OP_ECHO, 0));

	ASSERT_EQ(0, fwctl_test_remove(self->env.index));
	expect_orphaned(_metadata, a);
	expect_orphaned(_metadata, b);
	EXPECT_EQ(live, fwctl_test_counter(_metadata, "live_uctx"));
	expect_node_gone(_metadata, &self->env);
	EXPECT_NE(0, access(self->env.sys_path, F_OK));

	EXPECT_EQ(0, close(a));
	EXPECT_EQ(0, close(b));
	EXPECT_EQ(live, fwctl_test_counter(_metadata, "live_uctx"));
}

struct sleeper {
	int fd;
	int ret;
	int started;
	__u32 out_len;
	long long start;
	unsigned char in[32];
	unsigned char out[32];
};

static void *sleeper_run(void *arg)
{
	struct sleeper *s = arg;

	s->out_len = sizeof(s->out);
	s->start = now_ms();
	__atomic_store_n(&s->started, 1, __ATOMIC_RELEASE);
	s->ret = fwctl_rpc_call(s->fd, FWCTL_RPC_CONFIGURATION, s->in,
				sizeof(s->in), s->out, &s->out_len);
	return NULL;
}

/* remove waits for the RPC in flight, which completes normally. */
TEST_F_TIMEOUT(unplug, remove_waits_for_rpc, FWCTL_TIMEOUT)
{
	struct fwctl_test_req req = {
		.op = FWCTL_TEST_OP_SLEEP, .arg = SLEEP_RPC_MS,
	};
	struct sleeper s = { .ret = -1 };
	long long removed, t0;
	pthread_t thread;
	size_t i;
	int ret;

	s.fd = fwctl_open_or_fail(_metadata, &self->env);
	memcpy(s.in, &req, sizeof(req));
	for (i = sizeof(req); i < sizeof(s.in); i++)
		s.in[i] = i;
	ASSERT_EQ(0, pthread_create(&thread, NULL, sleeper_run, &s));
	while (!__atomic_load_n(&s.started, __ATOMIC_ACQUIRE))
		sleep_ms(1);
	sleep_ms(REMOVE_AFTER_MS);

	t0 = now_ms();
	ret = fwctl_test_remove(self->env.index);
	removed = now_ms();
	ASSERT_EQ(0, pthread_join(thread, NULL));
	ASSERT_EQ(0, ret);
	TH_LOG("remove blocked %lld ms; RPC started %lld ms before it",
	       removed - t0, t0 - s.start);

	ASSERT_EQ(0, s.ret) TH_LOG("RPC in flight: %s", strerror(-s.ret));
	EXPECT_EQ(sizeof(s.in), s.out_len);
	EXPECT_EQ(0, memcmp(s.in, s.out, sizeof(s.in)));
	/* The RPC slept SLEEP_RPC_MS after start: remove ended after it. */
	EXPECT_LE(s.start + SLEEP_RPC_MS, removed);
	expect_orphaned(_metadata, s.fd);
	EXPECT_EQ(0, close(s.fd));
}

/* The device unplugs itself from a work item after answering. */
TEST_F_TIMEOUT(unplug, unplug_op, FWCTL_TIMEOUT)
{
	struct fwctl_test_req req = { .op = FWCTL_TEST_OP_UNPLUG };
	struct fwctl_test_info ti;
	unsigned long long live;
	struct fwctl_info info;
	unsigned char out[64];
	__u32 out_len = sizeof(out);
	long long deadline;
	int a, b, ret;

	live = fwctl_test_counter(_metadata, "live_uctx");
	a = fwctl_open_or_fail(_metadata, &self->env);
	b = fwctl_open_or_fail(_metadata, &self->env);
	ASSERT_EQ(0, fwctl_rpc_call(a, FWCTL_RPC_CONFIGURATION, &req,
				    sizeof(req), out, &out_len));
	EXPECT_EQ(sizeof(req), out_len);
	EXPECT_EQ(0, memcmp(&req, out, sizeof(req)));

	deadline = now_ms() + UNPLUG_WAIT_MS;
	do {
		ret = fwctl_info_get(a, &ti, sizeof(ti), &info);
		if (ret)
			break;
		sleep_ms(20);
	} while (now_ms() < deadline);
	ASSERT_EQ(-ENODEV, ret) TH_LOG("still there after %d ms",
				       UNPLUG_WAIT_MS);
	/*
	 * The driver refuses its own ops as soon as it queued the unplug;
	 * reading a control file waits for the unplug work, so what follows
	 * checks the core's ENODEV, not the driver's.
	 */
	fwctl_test_counter(_metadata, "live_uctx");
	expect_orphaned(_metadata, a);
	expect_orphaned(_metadata, b);
	EXPECT_EQ(live, fwctl_test_counter(_metadata, "live_uctx"));
	expect_node_gone(_metadata, &self->env);
	EXPECT_EQ(0, close(a));
	EXPECT_EQ(0, close(b));
}

/* A fixture that starts from freshly loaded modules. */
FIXTURE(unload) {
	struct fwctl_env env;
};

FIXTURE_SETUP(unload)
{
	fwctl_setup(_metadata, &self->env, true);
}

FIXTURE_TEARDOWN_PARENT(unload)
{
	fwctl_env_teardown(&self->env);
}

/* rmmod fwctl, allowing a moment for a just closed FD to let go. */
static int unload_core_after_close(void)
{
	long long deadline = now_ms() + 2000;
	int ret;

	do {
		ret = module_unload("fwctl");
		if (ret != -EWOULDBLOCK && ret != -EBUSY)
			break;
		sleep_ms(50);
	} while (now_ms() < deadline);
	return ret;
}

/* Without devices the driver unloads; the open cdev pins the core. */
TEST_F_TIMEOUT(unload, core_pinned_by_open_fd, FWCTL_TIMEOUT)
{
	int fd, ret;

	fd = fwctl_open_or_fail(_metadata, &self->env);
	ASSERT_EQ(0, test_rpc(fd, FWCTL_RPC_CONFIGURATION,
			      FWCTL_TEST_OP_ECHO, 0));
	ASSERT_EQ(0, fwctl_test_remove(-1));
	ASSERT_EQ(0, module_unload("fwctl_test"));
	EXPECT_FALSE(module_is_loaded("fwctl_test"));
	expect_orphaned(_metadata, fd);

	ret = module_unload("fwctl");
	ASSERT_TRUE(ret == -EWOULDBLOCK || ret == -EBUSY)
		TH_LOG("rmmod fwctl with an FD open: %s",
		       ret ? strerror(-ret) : "succeeded");
	expect_orphaned(_metadata, fd);

	EXPECT_EQ(0, close(fd));
	ret = unload_core_after_close();
	EXPECT_EQ(0, ret) TH_LOG("rmmod fwctl after close: %s",
				 strerror(-ret));
	EXPECT_FALSE(module_is_loaded("fwctl"));
}

/* The driver module is not pinned by FDs: unloading it unplugs. */
TEST_F_TIMEOUT(unload, driver_not_pinned_by_open_fd, FWCTL_TIMEOUT)
{
	int fd, ret;

	fd = fwctl_open_or_fail(_metadata, &self->env);
	ASSERT_EQ(0, test_rpc(fd, FWCTL_RPC_CONFIGURATION,
			      FWCTL_TEST_OP_ECHO, 0));
	ASSERT_EQ(0, module_unload("fwctl_test"));
	expect_orphaned(_metadata, fd);
	expect_node_gone(_metadata, &self->env);
	EXPECT_EQ(0, close(fd));
	ret = unload_core_after_close();
	EXPECT_EQ(0, ret) TH_LOG("rmmod fwctl after close: %s",
				 strerror(-ret));
}

TEST_HARNESS_MAIN
