// SPDX-License-Identifier: GPL-2.0
/*
 * fwctl kselftest: hostile callers.
 *
 * - An FD opened by root and passed (SCM_RIGHTS) to a process without
 *   privileges: the scopes follow the capabilities of the caller, checked
 *   by the core at each call, as upstream; the FD carries none.
 * - A caller in a user namespace with CAP_SYS_RAWIO there only: the core
 *   checks the capability in the initial namespace (capable()).
 * - fork() with an FD open: both processes use the one user context.
 * - FWCTL_RPC from many threads on one FD while the device is unplugged:
 *   every call ends with success or ENODEV, the unplug completes.
 * Each ends with no context left alive; run.sh checks for splats.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <grp.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "fwctl_harness.h"

FIXTURE(hostile) {
	struct fwctl_env env;
	unsigned long long live;
};

FIXTURE_SETUP(hostile)
{
	fwctl_setup(_metadata, &self->env, false);
	self->live = fwctl_test_counter(_metadata, "live_uctx");
}

FIXTURE_TEARDOWN_PARENT(hostile)
{
	fwctl_env_teardown(&self->env);
}

static int send_fd(int sock, int fd)
{
	char data = 'f';
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} u = { 0 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

static int recv_fd(int sock)
{
	char data;
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -errno;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -EPROTO;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/*
 * The child's verdict: 0 when every scope answered as expected without
 * privileges, else the number of the first scope that did not (+1), or
 * 100 + errno of a setup step.
 */
static int unprivileged_scopes(int fd)
{
	__u32 s;

	for (s = FWCTL_RPC_CONFIGURATION; s <= FWCTL_RPC_DEBUG_WRITE_FULL; s++) {
		char word[32];
		int want = scope_expected_errno(s, false,
						lockdown_locked(word, sizeof(word)));
		int ret = test_rpc(fd, s, FWCTL_TEST_OP_ECHO, 0);

		if (ret != -want)
			return s + 1;
	}
	return 0;
}

/* An FD from root, used by a process that has no privileges at all. */
TEST_F_TIMEOUT(hostile, scm_rights_to_unprivileged, FWCTL_TIMEOUT)
{
	int sv[2], fd, status;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int got;

		close(sv[0]);
		/* nobody, no capabilities (no keepcaps across setuid). */
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(100 + errno);
		if (has_cap_sys_rawio())
			_exit(99);
		got = recv_fd(sv[1]);
		if (got < 0)
			_exit(100 - got);
		_exit(unprivileged_scopes(got));
	}
	close(sv[1]);
	fd = fwctl_open_or_fail(_metadata, &self->env);
	ASSERT_EQ(0, send_fd(sv[0], fd));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("the unprivileged holder of root's FD: scope %d answered otherwise (or setup %d)",
		       WEXITSTATUS(status) - 1, WEXITSTATUS(status) - 100);
	/* The FD still works for its privileged owner. */
	EXPECT_EQ(0, test_rpc(fd, FWCTL_RPC_CONFIGURATION, FWCTL_TEST_OP_ECHO, 0));
	close(fd);
	close(sv[0]);
	EXPECT_EQ(self->live, fwctl_test_counter(_metadata, "live_uctx"));
}

/* CAP_SYS_RAWIO in a new user namespace only: not enough. */
TEST_F_TIMEOUT(hostile, user_namespace_rawio, FWCTL_TIMEOUT)
{
	int fd, status;
	pid_t pid;

	fd = fwctl_open_or_fail(_metadata, &self->env);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (unshare(CLONE_NEWUSER))
			_exit(100 + errno);
		/* Full capabilities, in the new namespace. */
		_exit(unprivileged_scopes(fd));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("in a user namespace: scope %d answered otherwise (or setup errno %d)",
		       WEXITSTATUS(status) - 1, WEXITSTATUS(status) - 100);
	close(fd);
	EXPECT_EQ(self->live, fwctl_test_counter(_metadata, "live_uctx"));
}

#define FORK_RPCS	200

/* fork() with an FD open: both call at once, on one context. */
TEST_F_TIMEOUT(hostile, fork_both_call, FWCTL_TIMEOUT)
{
	int fd, status, i, bad = 0;
	pid_t pid;

	fd = fwctl_open_or_fail(_metadata, &self->env);
	EXPECT_EQ(self->live + 1, fwctl_test_counter(_metadata, "live_uctx"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		for (i = 0; i < FORK_RPCS; i++)
			if (test_rpc(fd, FWCTL_RPC_CONFIGURATION, FWCTL_TEST_OP_ECHO, i))
				_exit(1);
		close(fd);
		_exit(0);
	}
	for (i = 0; i < FORK_RPCS; i++)
		bad += !!test_rpc(fd, FWCTL_RPC_DEBUG_READ_ONLY, FWCTL_TEST_OP_ECHO, i);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	EXPECT_EQ(0, bad);
	/* One open, one context, whoever holds the FD. */
	EXPECT_EQ(self->live + 1, fwctl_test_counter(_metadata, "live_uctx"));
	EXPECT_EQ(0, test_rpc(fd, FWCTL_RPC_CONFIGURATION, FWCTL_TEST_OP_ECHO, 0));
	close(fd);
	EXPECT_EQ(self->live, fwctl_test_counter(_metadata, "live_uctx"));
}

#define UNPLUG_THREADS	8

struct hammer {
	int fd;
	int stop;
	unsigned long ok, enodev, other;
	int other_err;
};

static void *hammer_run(void *arg)
{
	struct hammer *h = arg;
	unsigned long ok = 0, enodev = 0, other = 0;
	int ret;

	while (!__atomic_load_n(&h->stop, __ATOMIC_ACQUIRE)) {
		ret = test_rpc(h->fd, FWCTL_RPC_CONFIGURATION, FWCTL_TEST_OP_ECHO, 0);
		if (!ret) {
			ok++;
		} else if (ret == -ENODEV) {
			/* Once unplugged, nothing else: stop soon after. */
			if (++enodev >= 100)
				break;
		} else {
			other++;
			h->other_err = ret;
		}
	}
	__atomic_add_fetch(&h->ok, ok, __ATOMIC_RELAXED);
	__atomic_add_fetch(&h->enodev, enodev, __ATOMIC_RELAXED);
	__atomic_add_fetch(&h->other, other, __ATOMIC_RELAXED);
	return NULL;
}

/* Many threads on one FD while the device goes. */
TEST_F_TIMEOUT(hostile, threads_during_unplug, FWCTL_TIMEOUT)
{
	struct hammer h = { 0 };
	pthread_t t[UNPLUG_THREADS];
	long long t0, took;
	int i;

	h.fd = fwctl_open_or_fail(_metadata, &self->env);
	for (i = 0; i < UNPLUG_THREADS; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, hammer_run, &h));
	sleep_ms(300);
	t0 = now_ms();
	ASSERT_EQ(0, fwctl_test_remove(self->env.index));
	took = now_ms() - t0;
	sleep_ms(100);
	__atomic_store_n(&h.stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < UNPLUG_THREADS; i++)
		pthread_join(t[i], NULL);
	TH_LOG("%d threads: %lu RPCs answered, %lu ENODEV after the unplug, which took %lld ms",
	       UNPLUG_THREADS, h.ok, h.enodev, took);
	EXPECT_LT(0UL, h.ok);
	EXPECT_LT(0UL, h.enodev);
	EXPECT_EQ(0UL, h.other) TH_LOG("other errno: %s", strerror(-h.other_err));
	EXPECT_EQ(-ENODEV, test_rpc(h.fd, FWCTL_RPC_CONFIGURATION, FWCTL_TEST_OP_ECHO, 0));
	close(h.fd);
	EXPECT_EQ(self->live, fwctl_test_counter(_metadata, "live_uctx"));
}

TEST_HARNESS_MAIN
