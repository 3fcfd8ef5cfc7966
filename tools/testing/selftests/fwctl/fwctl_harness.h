/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness-aware helpers of the fwctl kselftests: they SKIP or ASSERT on
 * behalf of the calling test (the _metadata argument).
 */
#ifndef FWCTL_HARNESS_H
#define FWCTL_HARNESS_H

#include "kselftest_harness.h"
#include "fwctl_lib.h"

/*
 * Load the modules and pick a device (see fwctl_env_setup()).  Skips when
 * not root, or when a fresh fwctl is needed but it is held by
 * something else.
 */
static inline void fwctl_setup(struct __test_metadata *_metadata,
			       struct fwctl_env *env, bool fresh)
{
	int ret;

	if (geteuid())
		SKIP(return, "must run as root");
	ret = fwctl_env_setup(env, fresh);
	if (fresh && ret == -EBUSY)
		SKIP(return, "cannot reload fwctl: %s", env->err);
	/* Outside the lab, a machine without the (test) modules installed. */
	if (ret == -ENOENT && !fwctl_in_lab())
		SKIP(return, "%s (not installed: modprobe cannot find it)", env->err);
	ASSERT_EQ(0, ret) TH_LOG("setup: %s", env->err);
}

/* Open the env's device node; fails the test if it cannot. */
static inline int fwctl_open_or_fail(struct __test_metadata *_metadata,
				     const struct fwctl_env *env)
{
	int fd = fwctl_open(env);

	ASSERT_LE(0, fd) TH_LOG("open %s: %s", env->dev_path, strerror(-fd));
	return fd;
}

/* A counter of the fwctl_test debugfs directory (live_uctx, opens). */
static inline unsigned long long
fwctl_test_counter(struct __test_metadata *_metadata, const char *file)
{
	unsigned long long val = 0;

	ASSERT_EQ(0, fwctl_test_count(file, &val)) TH_LOG("read %s", file);
	return val;
}

#endif
