// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the fwctl kselftests; see fwctl_lib.h.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/magic.h>

#include "fwctl_lib.h"

/* Files */

/* Reads up to len - 1 bytes of path, NUL-terminated; returns the length. */
int read_file(const char *path, char *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (done + 1 < len) {
		n = read(fd, buf + done, len - 1 - done);
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (n == 0)
			break;
		done += n;
	}
	buf[done] = '\0';
	close(fd);
	return done;
}

/* One write() of text; a sysfs store's error comes back as -errno. */
int write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	close(fd);
	return ret;
}

/* The file's content without surrounding white space. */
int read_word(const char *path, char *buf, size_t len)
{
	char *start, *end;
	int ret;

	ret = read_file(path, buf, len);
	if (ret < 0)
		return ret;
	start = buf;
	while (*start == ' ' || *start == '\t' || *start == '\n')
		start++;
	end = start + strlen(start);
	while (end > start && (end[-1] == ' ' || end[-1] == '\t' ||
			       end[-1] == '\n'))
		end--;
	*end = '\0';
	memmove(buf, start, end - start + 1);
	return 0;
}

int read_ull(const char *path, unsigned long long *val)
{
	char buf[64], *end;
	int ret;

	ret = read_word(path, buf, sizeof(buf));
	if (ret)
		return ret;
	errno = 0;
	*val = strtoull(buf, &end, 0);
	if (errno || end == buf || *end)
		return -EINVAL;
	return 0;
}

/* Number of entries of dir whose name starts with prefix. */
int count_dir_entries(const char *dir, const char *prefix)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, prefix, strlen(prefix)))
			n++;
	closedir(d);
	return n;
}

/* CXL memory devices */

/* "mem" and a number: a memdev's name on the CXL bus. */
static bool cxl_is_memdev_name(const char *name)
{
	const char *p;

	if (strncmp(name, "mem", 3) || !name[3])
		return false;
	for (p = name + 3; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

/* Number of memN on the CXL bus (0 without the bus), or -errno. */
int cxl_count_memdevs(void)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(CXL_BUS_DIR);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)))
		if (cxl_is_memdev_name(de->d_name))
			n++;
	closedir(d);
	return n;
}

/* M of the first fwctlM in dir, or -ENOENT. */
static int fwctl_minor_in(const char *dir)
{
	int minor = -ENOENT, m;
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return -ENOENT;
	while ((de = readdir(d))) {
		if (sscanf(de->d_name, "fwctl%d", &m) == 1) {
			minor = m;
			break;
		}
	}
	closedir(d);
	return minor;
}

/*
 * The first memN under dir (the CXL bus's devices, or the device memN
 * hangs from) with a fwctl device: its minor, and its name in memdev
 * unless NULL; -ENOENT if there is none, -errno without dir.
 */
int cxl_first_fwctl_in(const char *dir, char *memdev, size_t len)
{
	char sub[PATH_MAX + NAME_MAX + 16];
	int minor = -ENOENT;
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!cxl_is_memdev_name(de->d_name))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s/fwctl", dir, de->d_name);
		minor = fwctl_minor_in(sub);
		if (minor >= 0) {
			if (memdev)
				snprintf(memdev, len, "%s", de->d_name);
			break;
		}
	}
	closedir(d);
	return minor;
}

/* The first memN on the CXL bus with a fwctl device, as above. */
int cxl_first_fwctl(char *memdev, size_t len)
{
	return cxl_first_fwctl_in(CXL_BUS_DIR, memdev, len);
}

/*
 * cxl_first_fwctl_in(dir, NULL, 0), polled every 20 ms until there is one
 * or ms milliseconds have passed: its last answer.
 */
int cxl_wait_fwctl_in(const char *dir, unsigned int ms)
{
	long long deadline = now_ms() + ms;
	int minor;

	while ((minor = cxl_first_fwctl_in(dir, NULL, 0)) < 0 && now_ms() < deadline)
		sleep_ms(20);
	return minor;
}

/* Modules */

/* The repository: $FWCTL_REPO, else four levels above this program. */
static int repo_dir(char *buf, size_t len)
{
	char exe[PATH_MAX], *dir;
	const char *env = getenv("FWCTL_REPO");
	ssize_t n;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -errno;
	exe[n] = '\0';
	dir = dirname(exe);
	snprintf(buf, len, "%s/../../../..", dir);
	return 0;
}

int module_path(const char *name, char *buf, size_t len)
{
	char repo[PATH_MAX];
	int ret, n;

	ret = repo_dir(repo, sizeof(repo));
	if (ret)
		return ret;
	if (!strcmp(name, "fwctl") || !strcmp(name, "fwctl_mlx5") ||
	    !strcmp(name, "fwctl_cxl"))
		n = snprintf(buf, len, "%s/%s.ko", repo, name);
	else if (!strcmp(name, "fwctl_rust_test") || !strcmp(name, "mlx5_sim"))
		n = snprintf(buf, len, "%s/tools/testing/%s/%s.ko", repo, name,
			     name);
	else
		n = snprintf(buf, len, "%s/tools/testing/fwctl_test/%s.ko",
			     repo, name);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

bool module_is_loaded(const char *name)
{
	size_t len = strlen(name);
	char line[512];
	bool found = false;
	FILE *f;

	f = fopen("/proc/modules", "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, name, len) && line[len] == ' ';
	fclose(f);
	return found;
}

/* In the lab's throw-away guest: scripts/guest.sh sets FWCTL_LAB=1. */
bool fwctl_in_lab(void)
{
	const char *lab = getenv("FWCTL_LAB");

	return lab && !strcmp(lab, "1");
}

/*
 * modprobe NAME PARAMS (words separated by spaces): 0, or -ENOENT when
 * modprobe fails (the module is not installed, or it did not load, which
 * modprobe explains on stderr).
 */
static int modprobe(const char *name, const char *params)
{
	char buf[512], *argv[32], *save, *w;
	int argc = 0, status;
	pid_t pid;

	argv[argc++] = "modprobe";
	argv[argc++] = (char *)name;
	snprintf(buf, sizeof(buf), "%s", params);
	for (w = strtok_r(buf, " ", &save); w && argc < 31; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		execvp("modprobe", argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -ENOENT;
}

/*
 * Upstream's core built into the kernel (CONFIG_FWCTL=y, as on the
 * api-compat flavour): the fwctl class exists and no fwctl module is loaded.
 * Loading "fwctl" then succeeds with nothing to do.
 */
static bool core_is_builtin(const char *name)
{
	return !strcmp(name, "fwctl") && !module_is_loaded("fwctl") &&
	       !access("/sys/class/fwctl", F_OK);
}

/* finit_module() of the file PATH; loaded already counts as done. */
int module_load_file(const char *path, const char *params)
{
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0);
	if (ret)
		ret = errno == EEXIST ? 0 : -errno;
	close(fd);
	return ret;
}

/*
 * Load a module as an installed system would, with modprobe; only in the
 * lab's guest with finit_module() of the build tree's NAME.ko (make check
 * does not install them).  Loaded already counts as done.
 */
int module_load(const char *name, const char *params)
{
	char path[PATH_MAX];
	int ret;

	if (core_is_builtin(name))
		return 0;
	if (!fwctl_in_lab())
		return module_is_loaded(name) ? 0 : modprobe(name, params);
	ret = module_path(name, path, sizeof(path));
	if (ret)
		return ret;
	return module_load_file(path, params);
}

/* delete_module() as rmmod does it: -EWOULDBLOCK while in use. */
int module_unload(const char *name)
{
	if (syscall(SYS_delete_module, name, O_NONBLOCK))
		return -errno;
	return 0;
}

/* The fwctl_test driver's controls, in sysfs */

static bool is_fs(const char *path, long magic)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == magic;
}

int ensure_debugfs(void)
{
	if (is_fs("/sys/kernel/debug", DEBUGFS_MAGIC))
		return 0;
	if (mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL) &&
	    errno != EBUSY)
		return -errno;
	return 0;
}

static int ctrl_write_int(const char *file, long long val)
{
	char path[128], text[32];

	snprintf(path, sizeof(path), FWCTL_TEST_CTRL "/%s", file);
	snprintf(text, sizeof(text), "%lld\n", val);
	return write_file(path, text);
}

int fwctl_test_add(unsigned int count)
{
	return ctrl_write_int("add", count);
}

int fwctl_test_remove(int index)
{
	return ctrl_write_int("remove", index);
}

int fwctl_test_fail_open(int err)
{
	return ctrl_write_int("fail_open", err);
}

/* live_uctx or opens */
int fwctl_test_count(const char *file, unsigned long long *val)
{
	char path[128];

	snprintf(path, sizeof(path), FWCTL_TEST_CTRL "/%s", file);
	return read_ull(path, val);
}

/*
 * The "devices" file: fills idx[] (up to max) and minor[] with its
 * "N fwctlM" lines; returns the number of lines.
 */
int fwctl_test_devices(int *idx, int *minor, int max)
{
	int n = 0, i, m;
	char line[128];
	FILE *f;

	f = fopen(FWCTL_TEST_CTRL "/devices", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%d fwctl%d", &i, &m) != 2)
			continue;
		if (n < max) {
			idx[n] = i;
			minor[n] = m;
		}
		n++;
	}
	fclose(f);
	return n;
}

/* Number of devices the "devices" file lists. */
int fwctl_test_nr_devices(void)
{
	int idx, minor;

	return fwctl_test_devices(&idx, &minor, 0);
}

/* M of the device the "devices" file lists for index N, or -ENOENT. */
int fwctl_test_minor(int index)
{
	static int idx[FWCTL_MAX_DEVICES], minor[FWCTL_MAX_DEVICES];
	int n, i;

	n = fwctl_test_devices(idx, minor, FWCTL_MAX_DEVICES);
	if (n < 0)
		return n;
	for (i = 0; i < n && i < FWCTL_MAX_DEVICES; i++)
		if (idx[i] == index)
			return minor[i];
	return -ENOENT;
}

static bool in_list(const int *list, int n, int val)
{
	int i;

	for (i = 0; i < n; i++)
		if (list[i] == val)
			return true;
	return false;
}

/* "add" one device and return its index (the one not listed before). */
int fwctl_test_add_one(int *index)
{
	static int before[FWCTL_MAX_DEVICES], after[FWCTL_MAX_DEVICES];
	static int minor[FWCTL_MAX_DEVICES];
	int nb, na, i, ret;

	nb = fwctl_test_devices(before, minor, FWCTL_MAX_DEVICES);
	if (nb < 0)
		return nb;
	ret = fwctl_test_add(1);
	if (ret)
		return ret;
	na = fwctl_test_devices(after, minor, FWCTL_MAX_DEVICES);
	if (na < 0)
		return na;
	for (i = 0; i < na && i < FWCTL_MAX_DEVICES; i++) {
		if (!in_list(before, nb, after[i])) {
			*index = after[i];
			return 0;
		}
	}
	return -ENOENT;
}

/* Devices */

/*
 * M of the class device fwctlM whose "device" link points to a device named
 * want (upstream: the fwctl device's parent is the driver's device).
 */
int fwctl_minor_of_parent_name(const char *want)
{
	char link[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	int minor = -ENOENT;
	const char *base;
	ssize_t n;
	DIR *d;

	d = opendir(FWCTL_CLASS_DIR);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "fwctl", 5))
			continue;
		snprintf(path, sizeof(path), FWCTL_CLASS_DIR "/%s/device",
			 de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		base = strrchr(link, '/');
		base = base ? base + 1 : link;
		if (!strcmp(base, want) &&
		    sscanf(de->d_name, "fwctl%d", &minor) == 1)
			break;
		minor = -ENOENT;
	}
	closedir(d);
	return minor;
}

/* M of the class device fwctlM whose parent is fwctl_test.N. */
int fwctl_minor_of_parent(int index)
{
	char want[32];

	snprintf(want, sizeof(want), "fwctl_test.%d", index);
	return fwctl_minor_of_parent_name(want);
}

static int env_fail(struct fwctl_env *env, int ret, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(env->err, sizeof(env->err), fmt, ap);
	va_end(ap);
	if (len >= 0 && (size_t)len < sizeof(env->err))
		snprintf(env->err + len, sizeof(env->err) - len, ": %s",
			 strerror(-ret));
	return ret;
}

/* Fill env for the device fwctl_test.N, checking both ways to find it. */
int fwctl_env_attach(struct fwctl_env *env, int index)
{
	int minor, listed;

	minor = fwctl_minor_of_parent(index);
	if (minor < 0)
		return env_fail(env, minor,
				"no " FWCTL_CLASS_DIR "/fwctl*/device -> fwctl_test.%d",
				index);
	listed = fwctl_test_minor(index);
	if (listed != minor)
		return env_fail(env, -EINVAL,
				"fwctl_test lists fwctl_test.%d as fwctl%d, sysfs as fwctl%d",
				index, listed, minor);
	env->index = index;
	env->minor = minor;
	snprintf(env->dev_path, sizeof(env->dev_path),
		 FWCTL_DEV_DIR "/fwctl%d", minor);
	snprintf(env->sys_path, sizeof(env->sys_path),
		 FWCTL_CLASS_DIR "/fwctl%d", minor);
	return 0;
}

/* The lowest index the "devices" file lists. */
static int first_index(int *index)
{
	static int idx[FWCTL_MAX_DEVICES], minor[FWCTL_MAX_DEVICES];
	int n, i;

	n = fwctl_test_devices(idx, minor, FWCTL_MAX_DEVICES);
	if (n < 0)
		return n;
	if (n == 0)
		return -ENOENT;
	*index = idx[0];
	for (i = 1; i < n && i < FWCTL_MAX_DEVICES; i++)
		if (idx[i] < *index)
			*index = idx[i];
	return 0;
}

/*
 * Load what is missing and pick a device: the one of a fresh
 * "fwctl_test ndevs=1", or a new one added to an already loaded fwctl_test.
 * fresh: unload both modules first, so that fwctl starts with its
 * defaults (-EBUSY if it is in use).
 */
int fwctl_env_setup(struct fwctl_env *env, bool fresh)
{
	int ret, index;

	memset(env, 0, sizeof(*env));
	env->index = -1;
	env->minor = -1;

	ret = ensure_debugfs();
	if (ret)
		return env_fail(env, ret, "mount debugfs");
	if (fresh) {
		ret = module_unload("fwctl_test");
		if (ret && ret != -ENOENT)
			return env_fail(env, ret, "rmmod fwctl_test");
		ret = module_unload("fwctl");
		if (ret == -EWOULDBLOCK || ret == -EBUSY)
			return env_fail(env, -EBUSY, "rmmod fwctl");
		if (ret && ret != -ENOENT)
			return env_fail(env, ret, "rmmod fwctl");
	}
	if (!module_is_loaded("fwctl")) {
		ret = module_load("fwctl", "");
		if (ret)
			return env_fail(env, ret, "insmod fwctl.ko");
	}
	if (!module_is_loaded("fwctl_test")) {
		ret = module_load("fwctl_test", "ndevs=1");
		if (ret)
			return env_fail(env, ret, "insmod fwctl_test.ko ndevs=1");
		ret = first_index(&index);
		if (ret)
			return env_fail(env, ret, "no device after insmod");
	} else {
		ret = fwctl_test_add_one(&index);
		if (ret)
			return env_fail(env, ret, "debugfs add 1");
		env->added = true;
	}
	return fwctl_env_attach(env, index);
}

/*
 * Remove what setup added, ignoring failures.  The modules stay loaded for
 * the next case (loading one costs a second or more in the test guest);
 * a case that needs fresh modules asks fwctl_env_setup() for them, and
 * the program unloads them when it exits.
 */
void fwctl_env_teardown(struct fwctl_env *env)
{
	if (env->added && env->index >= 0)
		fwctl_test_remove(env->index);
}

/*
 * At the end of a test program (the harness' parent process: test cases
 * run in children that leave with _exit()), unload what the cases left.
 */
static void __attribute__((destructor)) fwctl_unload_all(void)
{
	/* FWCTL_KEEP_MODULES: leave them loaded (make demo looks at them). */
	if (geteuid() || getenv("FWCTL_KEEP_MODULES"))
		return;
	module_unload("fwctl_test");
	module_unload("fwctl");
}

int fwctl_open(const struct fwctl_env *env)
{
	int fd;

	fd = open(env->dev_path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* ioctls */

int fwctl_info_get(int fd, void *data, __u32 len, struct fwctl_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->device_data_len = len;
	info->out_device_data = (__u64)(uintptr_t)data;
	if (ioctl(fd, FWCTL_INFO, info))
		return -errno;
	return 0;
}

/* *out_len: in, the buffer size; out, the reply length the kernel reports. */
int fwctl_rpc_call(int fd, __u32 scope, const void *in, __u32 in_len,
		   void *out, __u32 *out_len)
{
	struct fwctl_rpc rpc = {
		.size = sizeof(rpc),
		.scope = scope,
		.in_len = in_len,
		.out_len = *out_len,
		.in = (__u64)(uintptr_t)in,
		.out = (__u64)(uintptr_t)out,
	};

	if (ioctl(fd, FWCTL_RPC, &rpc))
		return -errno;
	*out_len = rpc.out_len;
	return 0;
}

/* The driver's FWCTL_INFO data; -EPROTO if it is not the test driver's. */
int test_info(int fd, struct fwctl_test_info *ti)
{
	struct fwctl_info info;
	int ret;

	ret = fwctl_info_get(fd, ti, sizeof(*ti), &info);
	if (ret)
		return ret;
	if (info.out_device_type != FWCTL_DEVICE_TYPE_TEST ||
	    info.device_data_len != sizeof(*ti) ||
	    ti->magic != FWCTL_TEST_INFO_MAGIC)
		return -EPROTO;
	return 0;
}

/* A bare request (no payload); the reply is discarded. */
int test_rpc(int fd, __u32 scope, __u32 op, __u32 arg)
{
	struct fwctl_test_req req = { .op = op, .arg = arg };
	unsigned char out[64];
	__u32 out_len = sizeof(out);

	return fwctl_rpc_call(fd, scope, &req, sizeof(req), out, &out_len);
}

/* FWCTL_TEST_OP_SCOPE with a bare request and a 64-byte reply buffer. */
int test_rpc_scope(int fd, __u32 scope, struct fwctl_test_scope_reply *reply)
{
	struct fwctl_test_req req = { .op = FWCTL_TEST_OP_SCOPE };
	unsigned char out[64];
	__u32 out_len = sizeof(out);
	int ret;

	memset(out, 0, sizeof(out));
	ret = fwctl_rpc_call(fd, scope, &req, sizeof(req), out, &out_len);
	if (ret)
		return ret;
	if (out_len != sizeof(*reply))
		return -EPROTO;
	memcpy(reply, out, sizeof(*reply));
	return 0;
}

/* Capabilities, lockdown and scopes */

static int caps_get(struct __user_cap_data_struct *data)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	return 0;
}

bool has_cap_sys_rawio(void)
{
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (caps_get(data))
		return false;
	return data[CAP_TO_INDEX(CAP_SYS_RAWIO)].effective &
	       CAP_TO_MASK(CAP_SYS_RAWIO);
}

/* Clear CAP_SYS_RAWIO from this process' effective and permitted sets. */
int drop_cap_sys_rawio(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int ret;

	ret = caps_get(data);
	if (ret)
		return ret;
	data[CAP_TO_INDEX(CAP_SYS_RAWIO)].effective &=
		~CAP_TO_MASK(CAP_SYS_RAWIO);
	data[CAP_TO_INDEX(CAP_SYS_RAWIO)].permitted &=
		~CAP_TO_MASK(CAP_SYS_RAWIO);
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return 0;
}

/*
 * Run fn(arg) in a forked child without CAP_SYS_RAWIO; fn reports through
 * shared memory.  Returns fn's exit status, or 125/126 if the capability
 * could not be dropped, or -errno.
 */
int run_without_rawio(int (*fn)(void *arg), void *arg)
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (drop_cap_sys_rawio())
			_exit(125);
		if (has_cap_sys_rawio())
			_exit(126);
		_exit(fn(arg) & 0xff);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	if (!WIFEXITED(status))
		return -EINTR;
	return WEXITSTATUS(status);
}

/*
 * Is the kernel locked down ([integrity] or [confidentiality] in
 * LOCKDOWN_FILE)?  A missing file means not locked.  word gets the
 * bracketed word, or "none".
 */
bool lockdown_locked(char *word, size_t len)
{
	char buf[256], *lb, *rb;

	if (access(LOCKDOWN_FILE, F_OK) &&
	    !is_fs("/sys/kernel/security", SECURITYFS_MAGIC))
		mount("securityfs", "/sys/kernel/security", "securityfs", 0,
		      NULL);
	snprintf(word, len, "none");
	if (read_file(LOCKDOWN_FILE, buf, sizeof(buf)) < 0)
		return false;
	lb = strchr(buf, '[');
	rb = lb ? strchr(lb, ']') : NULL;
	if (!rb)
		return false;
	*rb = '\0';
	snprintf(word, len, "%s", lb + 1);
	return !strcmp(word, "integrity") || !strcmp(word, "confidentiality");
}

/* The errno the policy gives an RPC of this scope (0: it goes through). */
int scope_expected_errno(__u32 scope, bool cap, bool locked)
{
	switch (scope) {
	case FWCTL_RPC_CONFIGURATION:
	case FWCTL_RPC_DEBUG_READ_ONLY:
	case FWCTL_RPC_DEBUG_WRITE:
		return 0;
	case FWCTL_RPC_DEBUG_WRITE_FULL:
		return cap && !locked ? 0 : EPERM;
	default:
		return EOPNOTSUPP;
	}
}

static const char *const policy_words[POLICY_LEVELS] = {
	"none", "configuration", "debug_read_only", "debug_write",
	"debug_write_full",
};

const char *scope_name(__u32 scope)
{
	if (scope <= FWCTL_RPC_DEBUG_WRITE_FULL)
		return policy_words[scope + 1];
	return "unknown";
}

const char *policy_word(int level)
{
	if (level < 0 || level >= POLICY_LEVELS)
		return "bogus";
	return policy_words[level];
}

int policy_level(const char *word)
{
	int i;

	for (i = 0; i < POLICY_LEVELS; i++)
		if (!strcmp(word, policy_words[i]))
			return i;
	return -EINVAL;
}

int env_attr_path(const struct fwctl_env *env, const char *attr, char *buf,
		  size_t len)
{
	int n;

	n = snprintf(buf, len, "%s/%s", env->sys_path, attr);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

const char *const fwctl_accepted_fields[FWCTL_NR_ACCEPTED] = {
	"configuration", "debug_read_only", "debug_write", "debug_write_full",
};

const char *const fwctl_refused_fields[FWCTL_NR_REFUSED] = {
	"too_long", "bad_scope", "no_rawio", "lockdown", "policy",
};

/*
 * A counter line: exactly n decimal numbers separated by one space each,
 * then one newline and nothing else; -EINVAL for anything else.
 */
static int parse_counters(const char *line, unsigned long long *vals, int n)
{
	const char *p = line;
	char *end;
	int i;

	for (i = 0; i < n; i++) {
		if (i && *p++ != ' ')
			return -EINVAL;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		errno = 0;
		vals[i] = strtoull(p, &end, 10);
		if (errno)
			return -errno;
		p = end;
	}
	return strcmp(p, "\n") ? -EINVAL : 0;
}

/* The n counters of file (FWCTL_RPCS_ACCEPTED or FWCTL_RPCS_REFUSED). */
int env_read_counters(const struct fwctl_env *env, const char *file,
		      unsigned long long *vals, int n)
{
	char path[PATH_MAX], line[512];
	int ret;

	ret = env_attr_path(env, file, path, sizeof(path));
	if (ret)
		return ret;
	ret = read_file(path, line, sizeof(line));
	if (ret < 0)
		return ret;
	return parse_counters(line, vals, n);
}

/* The index of name in fields[n], or -ENOENT. */
static int field_index(const char *const *fields, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(fields[i], name))
			return i;
	return -ENOENT;
}

_Static_assert(FWCTL_NR_REFUSED >= FWCTL_NR_ACCEPTED &&
	       FWCTL_NR_REFUSED >= FWCTL_NR_FAILED, "rpcs_refused is the longest");

/*
 * One counter, by the name "accepted_<scope>", "failed_<scope>" or
 * "refused_<reason>": the field <scope> of rpcs_accepted or rpcs_failed, or
 * <reason> of rpcs_refused.
 */
int env_read_stat(const struct fwctl_env *env, const char *name,
		  unsigned long long *val)
{
	unsigned long long vals[FWCTL_NR_REFUSED];	/* the longest file */
	const char *const *fields;
	const char *file;
	int n, i, ret;

	if (!strncmp(name, "accepted_", 9)) {
		file = FWCTL_RPCS_ACCEPTED;
		fields = fwctl_accepted_fields;
		n = FWCTL_NR_ACCEPTED;
		name += 9;
	} else if (!strncmp(name, "failed_", 7)) {
		file = FWCTL_RPCS_FAILED;
		fields = fwctl_accepted_fields;
		n = FWCTL_NR_FAILED;
		name += 7;
	} else if (!strncmp(name, "refused_", 8)) {
		file = FWCTL_RPCS_REFUSED;
		fields = fwctl_refused_fields;
		n = FWCTL_NR_REFUSED;
		name += 8;
	} else {
		return -ENOENT;
	}
	i = field_index(fields, n, name);
	if (i < 0)
		return i;
	ret = env_read_counters(env, file, vals, n);
	if (ret)
		return ret;
	*val = vals[i];
	return 0;
}

/* The kernel log and taint */

/* /dev/kmsg, positioned after the last record: only new ones are read. */
int kmsg_open(void)
{
	int fd;

	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		return -errno;
	}
	return fd;
}

/*
 * The records logged since the last call (or kmsg_open()), one line each as
 * "<LEVEL>text"; returns the length written to buf.
 */
int kmsg_read_new(int fd, char *buf, size_t len)
{
	char rec[8192], *semi, *nl;
	size_t used = 0;
	unsigned int prio;
	ssize_t n;
	int w;

	buf[0] = '\0';
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0) {
			if (errno == EPIPE)	/* records were overwritten */
				continue;
			if (errno == EAGAIN)
				break;
			return -errno;
		}
		if (n == 0)
			break;
		rec[n] = '\0';
		semi = strchr(rec, ';');
		if (!semi || sscanf(rec, "%u", &prio) != 1)
			continue;
		nl = strchr(semi, '\n');
		if (nl)
			*nl = '\0';
		w = snprintf(buf + used, len - used, "<%u>%s\n", prio & 7,
			     semi + 1);
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += w;
	}
	return used;
}

/* Lines of text containing a (and b, unless NULL). */
int count_lines_with(const char *text, const char *a, const char *b)
{
	const char *line = text, *nl;
	char buf[1024];
	size_t len;
	int n = 0;

	while (*line) {
		nl = strchr(line, '\n');
		len = nl ? (size_t)(nl - line) : strlen(line);
		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		memcpy(buf, line, len);
		buf[len] = '\0';
		if (strstr(buf, a) && (!b || strstr(buf, b)))
			n++;
		if (!nl)
			break;
		line = nl + 1;
	}
	return n;
}

int read_tainted(unsigned long long *val)
{
	return read_ull("/proc/sys/kernel/tainted", val);
}

/* This process' comm, as the kernel prints it. */
int self_comm(char *buf, size_t len)
{
	return read_word("/proc/self/comm", buf, len);
}

/* Misc */

long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

void sleep_ms(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (ms % 1000) * 1000000L,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Anonymous memory shared with forked children, or NULL. */
void *map_shared(size_t len)
{
	void *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	return p == MAP_FAILED ? NULL : p;
}
