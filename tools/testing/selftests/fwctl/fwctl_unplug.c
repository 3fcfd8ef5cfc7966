// SPDX-License-Identifier: GPL-2.0
/*
 * fwctl kselftest: hot unplug and module unload with FDs open.
 *
 * Pins upstream's semantics: unregistering a device closes its user
 * contexts but not the FDs, which then get ENODEV from every ioctl; it
 * waits for RPCs in flight; the driver module can go while FDs are open,
 * the core module cannot (the open cdev pins it).
 *
 * Beyond upstream: an RPC whose user buffer never resolves (userfaultfd
 * that nobody serves) does not stall the unplug; the core copies user
 * memory only outside the registration lock.
 */
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

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

/*
 * A page whose faults go to a userfaultfd nobody serves: any access to it,
 * by the kernel too, waits until the uffd is closed.  Returns the uffd
 * (>= 0) and the page in *page, or a negative errno.
 */
static int stalled_page(void **page)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	long psize = sysconf(_SC_PAGESIZE);
	void *p;
	int uffd;

	/* Kernel-mode faults too: no UFFD_USER_MODE_ONLY (root may). */
	uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0)
		return -errno;
	if (ioctl(uffd, UFFDIO_API, &api)) {
		close(uffd);
		return -errno;
	}
	p = mmap(NULL, psize, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		close(uffd);
		return -ENOMEM;
	}
	reg.range.start = (unsigned long)p;
	reg.range.len = psize;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg)) {
		int err = -errno;

		munmap(p, psize);
		close(uffd);
		return err;
	}
	*page = p;
	return uffd;
}

struct staller {
	int fd;
	void *in, *out;
	__u32 in_len, out_len;
	int ret;
	int done;
};

static void *staller_run(void *arg)
{
	struct staller *s = arg;

	s->ret = fwctl_rpc_call(s->fd, FWCTL_RPC_CONFIGURATION, s->in,
				s->in_len, s->out, &s->out_len);
	__atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* How long the unplug may take while a caller is stalled in user memory. */
#define STALL_UNPLUG_MS	5000

/*
 * One RPC stalled on a user buffer (the request if in_stalls, else the
 * answer) while the device is removed: the removal completes at once; the
 * RPC ends when the buffer resolves, with ENODEV for a stalled request (the
 * device went before it reached the driver) or success for a stalled
 * answer (the driver answered before the removal).
 */
static void stall_then_remove(struct __test_metadata *_metadata,
			      struct fwctl_env *env, bool in_stalls)
{
	struct fwctl_test_req req = { .op = FWCTL_TEST_OP_ECHO };
	struct staller s = { .ret = 1 };
	static unsigned char buf[64];
	long long t0, took;
	pthread_t thread;
	void *page = NULL;
	int uffd, ret;

	uffd = stalled_page(&page);
	ASSERT_LE(0, uffd) TH_LOG("userfaultfd: %s (CONFIG_USERFAULTFD?)",
				  strerror(-uffd));
	s.fd = fwctl_open_or_fail(_metadata, env);
	memcpy(buf, &req, sizeof(req));
	s.in = in_stalls ? page : buf;
	s.in_len = sizeof(req);
	s.out = in_stalls ? buf : page;
	s.out_len = sizeof(req);
	ASSERT_EQ(0, pthread_create(&thread, NULL, staller_run, &s));
	sleep_ms(REMOVE_AFTER_MS);
	ASSERT_EQ(0, __atomic_load_n(&s.done, __ATOMIC_ACQUIRE))
		TH_LOG("the RPC did not stall on the userfaultfd page");

	t0 = now_ms();
	ret = fwctl_test_remove(env->index);
	took = now_ms() - t0;
	EXPECT_EQ(0, ret);
	EXPECT_GT(STALL_UNPLUG_MS, took)
		TH_LOG("the unplug waited %lld ms for a stalled caller", took);
	TH_LOG("unplug took %lld ms with a caller stalled on its %s buffer",
	       took, in_stalls ? "request" : "answer");
	EXPECT_EQ(0, __atomic_load_n(&s.done, __ATOMIC_ACQUIRE));

	/* Closing the uffd resolves the page (zero-filled): the RPC ends. */
	close(uffd);
	ASSERT_EQ(0, pthread_join(thread, NULL));
	if (in_stalls) {
		EXPECT_EQ(-ENODEV, s.ret)
			TH_LOG("stalled request: %s", strerror(-s.ret));
	} else {
		EXPECT_EQ(0, s.ret)
			TH_LOG("stalled answer: %s", strerror(-s.ret));
	}
	expect_orphaned(_metadata, s.fd);
	EXPECT_EQ(0, close(s.fd));
	munmap(page, sysconf(_SC_PAGESIZE));
}

TEST_F_TIMEOUT(unplug, remove_not_stalled_by_request_buffer, FWCTL_TIMEOUT)
{
	stall_then_remove(_metadata, &self->env, true);
}

TEST_F_TIMEOUT(unplug, remove_not_stalled_by_answer_buffer, FWCTL_TIMEOUT)
{
	stall_then_remove(_metadata, &self->env, false);
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
