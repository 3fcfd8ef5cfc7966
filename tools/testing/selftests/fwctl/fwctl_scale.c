// SPDX-License-Identifier: GPL-2.0
/*
 * fwctl kselftest: the 4096 device limit (upstream's FWCTL_MAX_DEVICES,
 * the size of the char device region).
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "fwctl_harness.h"

/* Devices added per write to "add". */
#define ADD_BATCH	256
/*
 * Threads adding (then removing) devices at once: registration in the core
 * must be safe in parallel, and the guest has a CPU per thread.
 */
#define ADDERS		2

struct adder {
	pthread_t thread;
	int count;	/* devices to add */
	int ret;	/* 0, or the first error of fwctl_test_add() */
};

static void *add_devices(void *arg)
{
	struct adder *a = arg;
	int n;

	for (; a->count > 0 && !a->ret; a->count -= n) {
		n = a->count < ADD_BATCH ? a->count : ADD_BATCH;
		a->ret = fwctl_test_add(n);
	}
	return NULL;
}

static void *remove_devices(void *arg)
{
	struct adder *a = arg;

	/* Concurrent "remove all"s take distinct devices off the list. */
	a->ret = fwctl_test_remove(-1);
	return NULL;
}

/* Runs fn in ADDERS threads, sharing count; returns the first error. */
static int in_parallel(void *(*fn)(void *), int count)
{
	struct adder a[ADDERS];
	int i, ret = 0;

	for (i = 0; i < ADDERS; i++) {
		a[i].count = count / ADDERS + (i < count % ADDERS);
		a[i].ret = 0;
		if (pthread_create(&a[i].thread, NULL, fn, &a[i]))
			return -EAGAIN;
	}
	for (i = 0; i < ADDERS; i++) {
		pthread_join(a[i].thread, NULL);
		if (!ret)
			ret = a[i].ret;
	}
	return ret;
}
#define SCALE_TIMEOUT	540

FIXTURE(scale) {
	struct fwctl_env env;
};

FIXTURE_SETUP(scale)
{
	/*
	 * One shared parent for all devices: the test measures the fwctl
	 * core's registration, not the creation of 4096 faux devices.
	 */
	module_unload("fwctl_test");
	if (!module_is_loaded("fwctl"))
		ASSERT_EQ(0, module_load("fwctl", ""));
	ASSERT_EQ(0, module_load("fwctl_test", "ndevs=1 shared_parent=1"));
	memset(&self->env, 0, sizeof(self->env));
}

FIXTURE_TEARDOWN_PARENT(scale)
{
	fwctl_env_teardown(&self->env);
}

static int class_count(void)
{
	return count_dir_entries(FWCTL_CLASS_DIR, "fwctl");
}

static int node_count(void)
{
	return count_dir_entries(FWCTL_DEV_DIR, "fwctl");
}

TEST_F_TIMEOUT(scale, max_devices, SCALE_TIMEOUT)
{
	const char *last = FWCTL_DEV_DIR "/fwctl4095";
	int total, others, ret, fd;
	struct fwctl_test_info ti;
	long long t0 = now_ms();
	struct stat st;

	total = class_count();
	ret = fwctl_test_nr_devices();
	ASSERT_LE(1, ret);
	others = total - ret;
	TH_LOG("%d fwctl device(s) of other drivers", others);

	ret = in_parallel(add_devices, FWCTL_MAX_DEVICES - total);
	ASSERT_EQ(0, ret) TH_LOG("adding %d devices to %d: %s",
				 FWCTL_MAX_DEVICES - total, total, strerror(-ret));
	total = class_count();
	ASSERT_EQ(FWCTL_MAX_DEVICES, total);
	TH_LOG("%d devices after %lld ms", total, now_ms() - t0);
	EXPECT_EQ(FWCTL_MAX_DEVICES, node_count());
	ASSERT_EQ(0, stat(last, &st)) TH_LOG("no %s", last);
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	fd = open(last, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("open %s", last);
	EXPECT_EQ(0, test_info(fd, &ti));
	close(fd);

	/* No minor left: the next device cannot be created. */
	ret = fwctl_test_add(1);
	EXPECT_NE(0, ret);
	TH_LOG("add beyond %d: %s", FWCTL_MAX_DEVICES, strerror(-ret));
	EXPECT_EQ(FWCTL_MAX_DEVICES, class_count());
	EXPECT_EQ(FWCTL_MAX_DEVICES, node_count());

	ASSERT_EQ(0, in_parallel(remove_devices, 0));
	EXPECT_EQ(0, fwctl_test_nr_devices());
	EXPECT_EQ(others, class_count());
	EXPECT_EQ(others, node_count());
	TH_LOG("done after %lld ms", now_ms() - t0);
}

TEST_HARNESS_MAIN
