// SPDX-License-Identifier: GPL-2.0
/*
 * fwctl kselftest: the device node and FWCTL_INFO.
 *
 * Pins upstream's semantics: the class device and its node, the generic
 * ioctl struct handling (size, zeroed tail, flags, unknown numbers, bad
 * pointers), the device data copy and the per-open user contexts.
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "kselftest_harness.h"
#include "fwctl_harness.h"

#define DEVICE_TYPE_TEST ((__u32)FWCTL_DEVICE_TYPE_TEST)

FIXTURE(info) {
	struct fwctl_env env;
	int fd;
};

FIXTURE_SETUP(info)
{
	fwctl_setup(_metadata, &self->env, false);
	if (_metadata->exit_code)
		return;
	self->fd = fwctl_open_or_fail(_metadata, &self->env);
}

FIXTURE_TEARDOWN_PARENT(info)
{
	fwctl_env_teardown(&self->env);
}

/* FWCTL_INFO on a raw struct buffer of any size: 0 or -errno. */
static int info_raw(int fd, void *buf)
{
	return ioctl(fd, FWCTL_INFO, buf) ? -errno : 0;
}

/* The last path component of a sysfs link. */
static int link_base(const char *path, char *buf, size_t len)
{
	char link[PATH_MAX];
	const char *base;
	ssize_t n;

	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	base = strrchr(link, '/');
	n = snprintf(buf, len, "%s", base ? base + 1 : link);
	return (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* The class device, its parent and its node, as upstream lays them out. */
TEST_F_TIMEOUT(info, device_node, FWCTL_TIMEOUT)
{
	char path[PATH_MAX], word[128], want[64], uevent[1024];
	unsigned int major, minor;
	struct stat st;

	snprintf(path, sizeof(path), "%s/device", self->env.sys_path);
	ASSERT_EQ(0, link_base(path, word, sizeof(word)));
	snprintf(want, sizeof(want), "fwctl_test.%d", self->env.index);
	ASSERT_STREQ(want, word);

	snprintf(path, sizeof(path), "%s/subsystem", self->env.sys_path);
	ASSERT_EQ(0, link_base(path, word, sizeof(word)));
	ASSERT_STREQ("fwctl", word);

	snprintf(path, sizeof(path), "%s/dev", self->env.sys_path);
	ASSERT_EQ(0, read_word(path, word, sizeof(word)));
	ASSERT_EQ(2, sscanf(word, "%u:%u", &major, &minor));
	ASSERT_EQ(0, stat(self->env.dev_path, &st));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	ASSERT_EQ(makedev(major, minor), st.st_rdev);

	snprintf(path, sizeof(path), "%s/uevent", self->env.sys_path);
	ASSERT_LT(0, read_file(path, uevent, sizeof(uevent)));
	snprintf(want, sizeof(want), "DEVNAME=fwctl/fwctl%d\n",
		 self->env.minor);
	EXPECT_NE(NULL, strstr(uevent, want)) TH_LOG("uevent: %s", uevent);
}

TEST_F_TIMEOUT(info, device_type_and_data, FWCTL_TIMEOUT)
{
	struct fwctl_test_info ti;
	struct fwctl_info info;

	memset(&ti, 0xff, sizeof(ti));
	ASSERT_EQ(0, fwctl_info_get(self->fd, &ti, sizeof(ti), &info));
	EXPECT_EQ(DEVICE_TYPE_TEST, info.out_device_type);
	EXPECT_EQ(FWCTL_TEST_INFO_LEN, info.device_data_len);
	EXPECT_EQ(FWCTL_TEST_INFO_MAGIC, ti.magic);
	EXPECT_EQ((__u32)self->env.index, ti.index);
}

/* A user buffer longer than the driver's data is zero filled. */
TEST_F_TIMEOUT(info, device_data_zero_padded, FWCTL_TIMEOUT)
{
	unsigned char buf[64];
	struct fwctl_test_info ti;
	struct fwctl_info info;
	size_t i;

	memset(buf, 0xff, sizeof(buf));
	ASSERT_EQ(0, fwctl_info_get(self->fd, buf, sizeof(buf), &info));
	EXPECT_EQ(DEVICE_TYPE_TEST, info.out_device_type);
	EXPECT_EQ(FWCTL_TEST_INFO_LEN, info.device_data_len);
	memcpy(&ti, buf, sizeof(ti));
	EXPECT_EQ(FWCTL_TEST_INFO_MAGIC, ti.magic);
	EXPECT_EQ((__u32)self->env.index, ti.index);
	for (i = sizeof(ti); i < sizeof(buf); i++) {
		ASSERT_EQ(0, buf[i]) TH_LOG("byte %zu not zeroed", i);
	}
}

/*
 * A user buffer far longer than the driver's data, of an odd length, is
 * zero filled to its last byte and not one byte further.
 */
TEST_F_TIMEOUT(info, device_data_zero_padded_long, FWCTL_TIMEOUT)
{
	const size_t len = 2 * 1024 * 1024 + 4095;
	struct fwctl_test_info ti;
	struct fwctl_info info;
	unsigned char *buf;
	size_t i;

	buf = malloc(len + 64);
	ASSERT_NE(NULL, buf);
	memset(buf, 0xff, len + 64);
	ASSERT_EQ(0, fwctl_info_get(self->fd, buf, len, &info));
	EXPECT_EQ(FWCTL_TEST_INFO_LEN, info.device_data_len);
	memcpy(&ti, buf, sizeof(ti));
	EXPECT_EQ(FWCTL_TEST_INFO_MAGIC, ti.magic);
	for (i = sizeof(ti); i < len; i++) {
		ASSERT_EQ(0, buf[i]) TH_LOG("byte %zu not zeroed", i);
	}
	for (; i < len + 64; i++) {
		ASSERT_EQ(0xff, buf[i]) TH_LOG("byte %zu written", i);
	}
	free(buf);
}

/* Zero filling that runs into unmapped memory is EFAULT. */
TEST_F_TIMEOUT(info, zero_padding_runs_into_hole, FWCTL_TIMEOUT)
{
	long page = sysconf(_SC_PAGESIZE);
	struct fwctl_info info;
	unsigned char *map;

	map = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, munmap(map + 2 * page, page));
	/* The driver's 16 bytes fit; the padding's last byte does not. */
	EXPECT_EQ(-EFAULT, fwctl_info_get(self->fd, map + 64,
					  2 * page - 64 + 1, &info));
	ASSERT_EQ(0, munmap(map, 2 * page));
}

/* A shorter user buffer gets a truncated copy; the real length is told. */
TEST_F_TIMEOUT(info, device_data_truncated, FWCTL_TIMEOUT)
{
	unsigned char buf[64];
	struct fwctl_test_info ti;
	struct fwctl_info info;
	size_t i;

	ASSERT_EQ(0, test_info(self->fd, &ti));
	memset(buf, 0xff, sizeof(buf));
	ASSERT_EQ(0, fwctl_info_get(self->fd, buf, 8, &info));
	EXPECT_EQ(DEVICE_TYPE_TEST, info.out_device_type);
	EXPECT_EQ(FWCTL_TEST_INFO_LEN, info.device_data_len);
	EXPECT_EQ(0, memcmp(buf, &ti, 8));
	for (i = 8; i < sizeof(buf); i++) {
		ASSERT_EQ(0xff, buf[i]) TH_LOG("byte %zu written", i);
	}
}

/* device_data_len 0: the driver is not asked, nothing is written. */
TEST_F_TIMEOUT(info, device_data_none, FWCTL_TIMEOUT)
{
	unsigned char buf[64];
	struct fwctl_info info;
	size_t i;

	memset(buf, 0xff, sizeof(buf));
	ASSERT_EQ(0, fwctl_info_get(self->fd, buf, 0, &info));
	EXPECT_EQ(DEVICE_TYPE_TEST, info.out_device_type);
	EXPECT_EQ(0U, info.device_data_len);
	for (i = 0; i < sizeof(buf); i++) {
		ASSERT_EQ(0xff, buf[i]) TH_LOG("byte %zu written", i);
	}

	/* With no length the pointer is not even looked at. */
	ASSERT_EQ(0, fwctl_info_get(self->fd, NULL, 0, &info));
	EXPECT_EQ(DEVICE_TYPE_TEST, info.out_device_type);
	EXPECT_EQ(0U, info.device_data_len);
}

TEST_F_TIMEOUT(info, size_too_small, FWCTL_TIMEOUT)
{
	static const __u32 sizes[] = { 0, 4, 8, 16, 23 };
	struct fwctl_test_info ti;
	struct fwctl_info info;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		memset(&info, 0, sizeof(info));
		info.size = sizes[i];
		info.device_data_len = sizeof(ti);
		info.out_device_data = (__u64)(uintptr_t)&ti;
		EXPECT_EQ(-EINVAL, info_raw(self->fd, &info))
			TH_LOG("size %u", sizes[i]);
	}
}

/* Larger structs are fine as long as the unknown tail is zero. */
TEST_F_TIMEOUT(info, size_larger, FWCTL_TIMEOUT)
{
	static __u64 buf[4096 / sizeof(__u64)];
	struct fwctl_info *info = (struct fwctl_info *)buf;
	unsigned char *bytes = (unsigned char *)buf;
	struct fwctl_test_info ti;

	memset(buf, 0, sizeof(buf));
	info->size = 32;
	info->device_data_len = sizeof(ti);
	info->out_device_data = (__u64)(uintptr_t)&ti;
	ASSERT_EQ(0, info_raw(self->fd, info));
	EXPECT_EQ(DEVICE_TYPE_TEST, info->out_device_type);
	EXPECT_EQ(FWCTL_TEST_INFO_LEN, info->device_data_len);

	info->device_data_len = sizeof(ti);
	bytes[24] = 1;
	EXPECT_EQ(-E2BIG, info_raw(self->fd, info));
	bytes[24] = 0;
	bytes[31] = 0x80;
	EXPECT_EQ(-E2BIG, info_raw(self->fd, info));
	bytes[31] = 0;

	info->size = sizeof(buf);
	info->device_data_len = sizeof(ti);
	ASSERT_EQ(0, info_raw(self->fd, info));
	EXPECT_EQ(DEVICE_TYPE_TEST, info->out_device_type);
	EXPECT_EQ(FWCTL_TEST_INFO_LEN, info->device_data_len);

	bytes[sizeof(buf) - 1] = 1;
	EXPECT_EQ(-E2BIG, info_raw(self->fd, info));
}

TEST_F_TIMEOUT(info, flags_not_supported, FWCTL_TIMEOUT)
{
	static const __u32 flags[] = { 1, 0x80000000 };
	struct fwctl_test_info ti;
	struct fwctl_info info;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		info.flags = flags[i];
		info.device_data_len = sizeof(ti);
		info.out_device_data = (__u64)(uintptr_t)&ti;
		EXPECT_EQ(-EOPNOTSUPP, info_raw(self->fd, &info))
			TH_LOG("flags %#x", flags[i]);
	}
}

TEST_F_TIMEOUT(info, unknown_ioctl, FWCTL_TIMEOUT)
{
	static const unsigned long cmds[] = {
		_IO(FWCTL_TYPE, 2),
		_IO(FWCTL_TYPE, 0xff),
		_IO(0x9B, FWCTL_CMD_INFO),
		_IOR(FWCTL_TYPE, FWCTL_CMD_INFO, int),
		_IOWR(FWCTL_TYPE, FWCTL_CMD_RPC, struct fwctl_rpc),
	};
	struct fwctl_test_info ti;
	struct fwctl_info info;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		info.device_data_len = sizeof(ti);
		info.out_device_data = (__u64)(uintptr_t)&ti;
		EXPECT_EQ(-1, ioctl(self->fd, cmds[i], &info))
			TH_LOG("ioctl %#lx", cmds[i]);
		EXPECT_EQ(ENOTTY, errno) TH_LOG("ioctl %#lx", cmds[i]);
	}
}

TEST_F_TIMEOUT(info, bad_pointers, FWCTL_TIMEOUT)
{
	long page = sysconf(_SC_PAGESIZE);
	struct fwctl_info info;
	void *hole;

	hole = mmap(NULL, page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	ASSERT_EQ(0, munmap(hole, page));

	EXPECT_EQ(-EFAULT, info_raw(self->fd, NULL));
	EXPECT_EQ(-EFAULT, info_raw(self->fd, hole));
	EXPECT_EQ(-EFAULT, fwctl_info_get(self->fd, hole, FWCTL_TEST_INFO_LEN,
					  &info));
}

/* Each open() is its own user context, counted while it is open. */
TEST_F_TIMEOUT(info, uctx_per_open, FWCTL_TIMEOUT)
{
	unsigned long long live, opens;
	struct fwctl_test_info t0, ta, tb;
	int a, b;

	live = fwctl_test_counter(_metadata, "live_uctx");
	opens = fwctl_test_counter(_metadata, "opens");
	a = fwctl_open_or_fail(_metadata, &self->env);
	b = fwctl_open_or_fail(_metadata, &self->env);
	EXPECT_EQ(live + 2, fwctl_test_counter(_metadata, "live_uctx"));
	EXPECT_EQ(opens + 2, fwctl_test_counter(_metadata, "opens"));

	ASSERT_EQ(0, test_info(self->fd, &t0));
	ASSERT_EQ(0, test_info(a, &ta));
	ASSERT_EQ(0, test_info(b, &tb));
	EXPECT_NE(ta.uctx_id, tb.uctx_id);
	EXPECT_NE(t0.uctx_id, ta.uctx_id);
	EXPECT_NE(t0.uctx_id, tb.uctx_id);
	/* The id belongs to the FD: asking again gives the same one. */
	ASSERT_EQ(0, test_info(a, &t0));
	EXPECT_EQ(ta.uctx_id, t0.uctx_id);

	ASSERT_EQ(0, close(a));
	EXPECT_EQ(live + 1, fwctl_test_counter(_metadata, "live_uctx"));
	ASSERT_EQ(0, close(b));
	EXPECT_EQ(live, fwctl_test_counter(_metadata, "live_uctx"));
}

/* The driver's open_uctx error is open()'s error; nothing stays open. */
TEST_F_TIMEOUT(info, open_error_passes_through, FWCTL_TIMEOUT)
{
	unsigned long long live;
	int fd;

	live = fwctl_test_counter(_metadata, "live_uctx");
	ASSERT_EQ(0, fwctl_test_fail_open(EREMOTEIO));
	fd = fwctl_open(&self->env);
	EXPECT_EQ(-EREMOTEIO, fd);
	if (fd >= 0)
		close(fd);
	EXPECT_EQ(live, fwctl_test_counter(_metadata, "live_uctx"));

	fd = fwctl_open_or_fail(_metadata, &self->env);
	EXPECT_EQ(live + 1, fwctl_test_counter(_metadata, "live_uctx"));
	close(fd);
}

TEST_HARNESS_MAIN
