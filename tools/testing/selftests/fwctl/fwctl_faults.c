// SPDX-License-Identifier: GPL-2.0
/*
 * fwctl kselftest: every fault site of every operation, failed one at a time.
 *
 * The kernel's fault injection (CONFIG_FAULT_INJECTION with FAILSLAB,
 * FAIL_PAGE_ALLOC and FAULT_INJECTION_USERCOPY) fails the Nth fault site
 * (an allocation or a user copy) of the calling task after N is written to
 * /proc/thread-self/fail-nth, as syzkaller does.  For each operation (module
 * load of the core and of a driver, device registration and unregistration
 * through the driver, open, FWCTL_INFO, FWCTL_RPC at several sizes and
 * scopes, close, module unload), N goes 1, 2, ... until the operation runs
 * with no site left to fail.  Every failed call must return a documented
 * errno, and afterwards the core's and the driver's state must be back to
 * the baseline: no user context alive, no fwctl device or minor left over,
 * the device still answers.  run.sh's final case and kmemleak.sh then check
 * for splats and leaks.  Each operation reports how many fault sites it
 * has and how each failure ended.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* strerrorname_np() */
#endif
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "fwctl_harness.h"

/* A sweep that does not end by then is a failure (a site that never stops). */
#define MAX_SITES	4000U

static int fail_nth_fd = -1;

/* Sets fail-nth's knobs so that sleeping allocations may fail too, quietly. */
static int setup_fault_injection(void)
{
	static const char *const knobs[][2] = {
		{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/failslab/verbose", "0" },
		{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N" },
		{ "/sys/kernel/debug/fail_page_alloc/min-order", "0" },
		{ "/sys/kernel/debug/fail_page_alloc/verbose", "0" },
		{ "/sys/kernel/debug/fail_usercopy/verbose", "0" },
	};
	size_t i;
	int ret;

	ret = ensure_debugfs();
	if (ret)
		return ret;
	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		ret = write_file(knobs[i][0], knobs[i][1]);
		if (ret)
			return ret;
	}
	fail_nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	return fail_nth_fd < 0 ? -errno : 0;
}

/* The Nth fault site of this thread from now on fails. */
static void arm(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(fail_nth_fd, buf, len, 0) != len)
		abort();
}

/*
 * Whether the armed fault was injected (the file reads 0); disarms.  If
 * not, fail-nth is still positive, and the read's own copy may take the
 * last count: it then fails with EFAULT, which means "not injected" too.
 */
static bool injected(void)
{
	char buf[16] = "";
	ssize_t n = pread(fail_nth_fd, buf, sizeof(buf) - 1, 0);
	bool hit = n >= 1 && buf[0] == '0';

	/*
	 * Disarm.  While still armed, the write's own copy from user memory
	 * is a fault site: each failed write takes one count off, so this
	 * ends (an operation can use fewer sites than the previous run).
	 */
	while (pwrite(fail_nth_fd, "0", 1, 0) != 1)
		if (errno != EFAULT)
			abort();
	return hit;
}

/* How the failures of one operation ended. */
struct sweep {
	const char *op;
	unsigned int stride;	/* fail every stride-th site (0, 1: each) */
	unsigned int sites;	/* fault sites found (each failed once) */
	unsigned int failed;	/* failures the caller saw */
	unsigned int absorbed;	/* failures the kernel absorbed (retry, fallback) */
	int errnos[8];		/* distinct errnos returned */
	unsigned int nerrnos;
	int bad_errno;		/* an errno outside the documented set, or 0 */
	bool loader;		/* a module load: the loader's errnos too */
};

/* Errnos an operation may return when one of its allocations or copies fails. */
static bool documented(int err)
{
	return err == ENOMEM || err == EFAULT || err == ENFILE || err == EAGAIN;
}

static void record(struct sweep *s, int ret)
{
	unsigned int i;

	if (!ret) {
		s->absorbed++;
		return;
	}
	s->failed++;
	/*
	 * The module loader checks the signature before any code of ours
	 * runs; an allocation failing inside that check rejects the
	 * signature (EKEYREJECTED, EBADMSG) and the module does not load,
	 * as with ENOMEM: the kernel's own answer (seen with every site
	 * failed, FWCTL_FAULT_STRIDE=1).
	 */
	if (!documented(-ret) &&
	    !(s->loader && (ret == -EKEYREJECTED || ret == -EBADMSG)) && !s->bad_errno)
		s->bad_errno = -ret;
	for (i = 0; i < s->nerrnos; i++)
		if (s->errnos[i] == -ret)
			return;
	if (s->nerrnos < 8)
		s->errnos[s->nerrnos++] = -ret;
}

static void report(struct __test_metadata *_metadata, const struct sweep *s)
{
	char list[128] = "", how[32] = "each";
	size_t off = 0;
	unsigned int i;

	for (i = 0; i < s->nerrnos && off < sizeof(list); i++)
		off += snprintf(list + off, sizeof(list) - off, "%s%s",
				i ? "," : "", strerrorname_np(s->errnos[i]));
	if (s->stride > 1)
		snprintf(how, sizeof(how), "every %uth", s->stride);
	TH_LOG("%s: %u fault sites, %s failed once: %u failed the call (%s), %u absorbed",
	       s->op, s->sites, how, s->failed, off ? list : "-", s->absorbed);
	EXPECT_EQ(0, s->bad_errno)
		TH_LOG("%s returned %s on a failed allocation or copy", s->op,
		       strerrorname_np(s->bad_errno));
	EXPECT_GT(MAX_SITES, s->sites) TH_LOG("%s: the sweep did not end", s->op);
}

/*
 * Runs op(ctx) with its 1st, 2nd, ... fault site failed, until a run
 * injects nothing; check(ctx) after each run asserts the baseline.
 */
static void sweep(struct __test_metadata *_metadata, struct sweep *s,
		  int (*op)(void *ctx), void (*undo)(void *ctx, int ret),
		  void (*check)(struct __test_metadata *, void *ctx), void *ctx)
{
	unsigned int n, step = s->stride > 1 ? s->stride : 1;
	int ret;

	for (n = 1; n < MAX_SITES; n += step) {
		arm(n);
		ret = op(ctx);
		if (!injected()) {
			if (undo)
				undo(ctx, ret);
			ASSERT_EQ(0, ret) TH_LOG("%s with no fault injected: %s",
						 s->op, strerror(-ret));
			break;
		}
		s->sites = n;
		record(s, ret);
		if (undo)
			undo(ctx, ret);
		if (check)
			check(_metadata, ctx);
	}
	report(_metadata, s);
}

FIXTURE(faults) {
	struct fwctl_env env;
	unsigned long long live;
	int ndev;
};

FIXTURE_SETUP(faults)
{
	int ret;

	fwctl_setup(_metadata, &self->env, false);
	ret = setup_fault_injection();
	ASSERT_EQ(0, ret) TH_LOG("fault injection: %s (CONFIG_FAULT_INJECTION, FAILSLAB, FAIL_PAGE_ALLOC, FAULT_INJECTION_USERCOPY, FAULT_INJECTION_DEBUG_FS?)",
				 strerror(-ret));
	self->live = fwctl_test_counter(_metadata, "live_uctx");
	self->ndev = count_dir_entries(FWCTL_CLASS_DIR, "fwctl");
}

FIXTURE_TEARDOWN_PARENT(faults)
{
	fwctl_env_teardown(&self->env);
}

/* What an operation needs. */
struct op_ctx {
	struct fwctl_env *env;
	int fd;
	__u32 scope;
	__u32 len;
	unsigned char *in, *out;
	int index;
	unsigned long long live;
	int ndev;
};

/* The baseline: contexts, devices and minors as before, the device answers. */
static void check_baseline(struct __test_metadata *_metadata, void *p)
{
	struct op_ctx *c = p;
	int fd;

	EXPECT_EQ(c->live + (c->fd >= 0), fwctl_test_counter(_metadata, "live_uctx"));
	EXPECT_EQ(c->ndev, count_dir_entries(FWCTL_CLASS_DIR, "fwctl"));
	fd = fwctl_open(c->env);
	ASSERT_LE(0, fd) TH_LOG("open after a failure: %s", strerror(-fd));
	EXPECT_EQ(0, test_rpc(fd, FWCTL_RPC_CONFIGURATION, FWCTL_TEST_OP_ECHO, 0));
	close(fd);
}

static int op_open(void *p)
{
	struct op_ctx *c = p;
	int fd = open(c->env->dev_path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	c->fd = fd;
	return 0;
}

static void undo_open(void *p, int ret)
{
	struct op_ctx *c = p;

	if (!ret && c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

TEST_F_TIMEOUT(faults, open, FWCTL_TIMEOUT)
{
	struct op_ctx c = { .env = &self->env, .fd = -1, .live = self->live,
			    .ndev = self->ndev };
	struct sweep s = { .op = "open" };

	sweep(_metadata, &s, op_open, undo_open, check_baseline, &c);
}

static int op_close(void *p)
{
	struct op_ctx *c = p;
	int fd = c->fd;

	c->fd = -1;
	return close(fd) ? -errno : 0;
}

/* Opens the FD that op_close() closes, outside the armed window. */
static void reopen(void *p, int ret __attribute__((unused)))
{
	struct op_ctx *c = p;

	c->fd = open(c->env->dev_path, O_RDWR | O_CLOEXEC);
}

TEST_F_TIMEOUT(faults, close, FWCTL_TIMEOUT)
{
	struct op_ctx c = { .env = &self->env, .live = self->live,
			    .ndev = self->ndev };
	struct sweep s = { .op = "close" };

	c.fd = fwctl_open_or_fail(_metadata, &self->env);
	sweep(_metadata, &s, op_close, reopen, NULL, &c);
	if (c.fd >= 0)
		close(c.fd);
	EXPECT_EQ(self->live, fwctl_test_counter(_metadata, "live_uctx"));
}

static int op_info(void *p)
{
	struct op_ctx *c = p;
	struct fwctl_info info;

	return fwctl_info_get(c->fd, c->out, c->len, &info);
}

TEST_F_TIMEOUT(faults, info, FWCTL_TIMEOUT)
{
	unsigned char out[256];
	struct op_ctx c = { .env = &self->env, .out = out, .len = sizeof(out),
			    .live = self->live, .ndev = self->ndev };
	struct sweep s = { .op = "FWCTL_INFO" };

	c.fd = fwctl_open_or_fail(_metadata, &self->env);
	sweep(_metadata, &s, op_info, NULL, check_baseline, &c);
	close(c.fd);
}

static int op_rpc(void *p)
{
	struct op_ctx *c = p;
	__u32 out_len = c->len;

	return fwctl_rpc_call(c->fd, c->scope, c->in, c->len, c->out, &out_len);
}

/* FWCTL_RPC of len bytes at scope: the driver answers in a new buffer. */
static void rpc_sweep(struct __test_metadata *_metadata,
		      FIXTURE_DATA(faults) *self, __u32 scope, __u32 len,
		      const char *name)
{
	struct fwctl_test_req req = { .op = FWCTL_TEST_OP_ECHO_NEW };
	struct op_ctx c = { .env = &self->env, .scope = scope, .len = len,
			    .live = self->live, .ndev = self->ndev };
	struct sweep s = { .op = name };

	c.in = calloc(1, len);
	c.out = calloc(1, len);
	ASSERT_TRUE(c.in && c.out);
	memcpy(c.in, &req, sizeof(req));
	c.fd = fwctl_open_or_fail(_metadata, &self->env);
	sweep(_metadata, &s, op_rpc, NULL, check_baseline, &c);
	close(c.fd);
	free(c.in);
	free(c.out);
}

TEST_F_TIMEOUT(faults, rpc_16_configuration, FWCTL_TIMEOUT)
{
	rpc_sweep(_metadata, self, FWCTL_RPC_CONFIGURATION, 16, "FWCTL_RPC 16 B configuration");
}

TEST_F_TIMEOUT(faults, rpc_129_debug_write, FWCTL_TIMEOUT)
{
	rpc_sweep(_metadata, self, FWCTL_RPC_DEBUG_WRITE, 129, "FWCTL_RPC 129 B debug_write");
}

TEST_F_TIMEOUT(faults, rpc_4k_debug_read_only, FWCTL_TIMEOUT)
{
	rpc_sweep(_metadata, self, FWCTL_RPC_DEBUG_READ_ONLY, 4096, "FWCTL_RPC 4 KiB debug_read_only");
}

TEST_F_TIMEOUT(faults, rpc_64k_configuration, FWCTL_TIMEOUT)
{
	rpc_sweep(_metadata, self, FWCTL_RPC_CONFIGURATION, 65536, "FWCTL_RPC 64 KiB configuration");
}

TEST_F_TIMEOUT(faults, rpc_1m_debug_write_full, FWCTL_TIMEOUT)
{
	rpc_sweep(_metadata, self, FWCTL_RPC_DEBUG_WRITE_FULL, 1 << 20, "FWCTL_RPC 1 MiB debug_write_full");
}

/*
 * Registration through the driver: one more fwctl_test device, by a write
 * to its "add" control file (only that write is in the armed window).
 */
static int op_add(void *p __attribute__((unused)))
{
	return fwctl_test_add(1);
}

static int known_idx[FWCTL_MAX_DEVICES], known_minor[FWCTL_MAX_DEVICES];
static int nknown;

static bool known(int idx)
{
	int i;

	for (i = 0; i < nknown; i++)
		if (known_idx[i] == idx)
			return true;
	return false;
}

/* Removes whatever the armed write added (nothing, when it failed). */
static void undo_add(void *p, int ret)
{
	static int idx[FWCTL_MAX_DEVICES], minor[FWCTL_MAX_DEVICES];
	struct op_ctx *c = p;
	int n, i;

	n = fwctl_test_devices(idx, minor, FWCTL_MAX_DEVICES);
	c->index = -1;
	for (i = 0; i < n && i < FWCTL_MAX_DEVICES; i++) {
		if (!known(idx[i])) {
			if (ret)	/* a failed add left a device */
				c->index = -2 - idx[i];
			fwctl_test_remove(idx[i]);
		}
	}
}

static void check_devices(struct __test_metadata *_metadata, void *p)
{
	struct op_ctx *c = p;

	EXPECT_EQ(-1, c->index) TH_LOG("a failed add left fwctl_test.%d", -2 - c->index);
	EXPECT_EQ(c->ndev, count_dir_entries(FWCTL_CLASS_DIR, "fwctl"));
	EXPECT_EQ(c->live, fwctl_test_counter(_metadata, "live_uctx"));
}

TEST_F_TIMEOUT(faults, register, FWCTL_TIMEOUT)
{
	struct op_ctx c = { .env = &self->env, .fd = -1, .live = self->live,
			    .ndev = self->ndev, .index = -1 };
	struct sweep s = { .op = "registration" };

	nknown = fwctl_test_devices(known_idx, known_minor, FWCTL_MAX_DEVICES);
	ASSERT_LE(0, nknown);
	sweep(_metadata, &s, op_add, undo_add, check_devices, &c);
	/* Every minor went back: a new device takes the lowest free one. */
	ASSERT_EQ(0, fwctl_test_add_one(&c.index));
	EXPECT_EQ(self->ndev + 1, count_dir_entries(FWCTL_CLASS_DIR, "fwctl"));
	EXPECT_EQ(0, fwctl_test_remove(c.index));
}

/* Unregistration: a device added outside the armed window, removed in it. */
static int op_remove(void *p)
{
	struct op_ctx *c = p;

	return fwctl_test_remove(c->index);
}

static void readd(void *p, int ret)
{
	struct op_ctx *c = p;

	/* A failed removal left the device: remove it for real first. */
	if (ret)
		fwctl_test_remove(c->index);
	fwctl_test_add_one(&c->index);
}

static void check_removed(struct __test_metadata *_metadata, void *p)
{
	struct op_ctx *c = p;

	EXPECT_EQ(c->ndev, count_dir_entries(FWCTL_CLASS_DIR, "fwctl"));
	EXPECT_EQ(c->live, fwctl_test_counter(_metadata, "live_uctx"));
}

TEST_F_TIMEOUT(faults, unregister, FWCTL_TIMEOUT)
{
	struct op_ctx c = { .env = &self->env, .fd = -1, .live = self->live,
			    .ndev = self->ndev + 1 };
	struct sweep s = { .op = "unregistration" };

	ASSERT_EQ(0, fwctl_test_add_one(&c.index));
	sweep(_metadata, &s, op_remove, readd, check_removed, &c);
	EXPECT_EQ(0, fwctl_test_remove(c.index));
	EXPECT_EQ(self->ndev, count_dir_entries(FWCTL_CLASS_DIR, "fwctl"));
}

/*
 * Module load and unload: the core and the driver, nothing else loaded.
 * Most of their fault sites are the module loader's own (several hundred);
 * they fail every 25th by default, which fits the kselftest runner's
 * timeout; FWCTL_FAULT_STRIDE=K every Kth (make stress: 1, every one).
 */
static unsigned int module_stride(void)
{
	const char *s = getenv("FWCTL_FAULT_STRIDE");

	return s ? (unsigned int)strtoul(s, NULL, 10) : 25;
}

FIXTURE(modfaults) {
	int dummy;
};

FIXTURE_SETUP(modfaults)
{
	int ret;

	if (geteuid())
		SKIP(return, "must run as root");
	ret = setup_fault_injection();
	ASSERT_EQ(0, ret) TH_LOG("fault injection: %s", strerror(-ret));
	module_unload("fwctl_test");
	module_unload("fwctl_rust_test");
	module_unload("fwctl_cxl");
	module_unload("fwctl_mlx5");
	ret = module_unload("fwctl");
	ASSERT_TRUE(!ret || ret == -ENOENT) TH_LOG("rmmod fwctl: %s", strerror(-ret));
}

FIXTURE_TEARDOWN(modfaults)
{
	module_unload("fwctl_test");
	module_unload("fwctl");
}

struct mod_ctx {
	char path[PATH_MAX];
	const char *name;
	const char *params;
	int fd;
};

static int op_load(void *p)
{
	struct mod_ctx *m = p;

	return syscall(SYS_finit_module, m->fd, m->params, 0) ? -errno : 0;
}

static void undo_load(void *p, int ret)
{
	struct mod_ctx *m = p;

	if (!ret)
		module_unload(m->name);
}

static void check_unloaded(struct __test_metadata *_metadata, void *p)
{
	struct mod_ctx *m = p;

	EXPECT_FALSE(module_is_loaded(m->name)) TH_LOG("%s left loaded", m->name);
	EXPECT_EQ(0, count_dir_entries(FWCTL_CLASS_DIR, "fwctl"));
}

static void load_sweep(struct __test_metadata *_metadata, const char *name,
		       const char *params)
{
	struct mod_ctx m = { .name = name, .params = params };
	struct sweep s = { .op = name, .stride = module_stride(), .loader = true };
	char op[64];
	int ret;

	snprintf(op, sizeof(op), "module load of %s", name);
	s.op = op;
	ret = module_path(name, m.path, sizeof(m.path));
	ASSERT_EQ(0, ret);
	m.fd = open(m.path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, m.fd) TH_LOG("open %s", m.path);
	sweep(_metadata, &s, op_load, undo_load, check_unloaded, &m);
	close(m.fd);
}

TEST_F_TIMEOUT(modfaults, load_core, 600)
{
	load_sweep(_metadata, "fwctl", "");
}

TEST_F_TIMEOUT(modfaults, load_driver, 600)
{
	ASSERT_EQ(0, module_load("fwctl", ""));
	load_sweep(_metadata, "fwctl_test", "ndevs=2");
}

static int op_unload(void *p)
{
	struct mod_ctx *m = p;

	return module_unload(m->name);
}

static void reload(void *p, int ret __attribute__((unused)))
{
	struct mod_ctx *m = p;

	module_load(m->name, m->params);
}

TEST_F_TIMEOUT(modfaults, unload_driver_and_core, 600)
{
	struct mod_ctx drv = { .name = "fwctl_test", .params = "ndevs=2" };
	struct mod_ctx core = { .name = "fwctl", .params = "" };
	struct sweep s1 = { .op = "module unload of fwctl_test (2 devices)",
			    .stride = module_stride() };
	struct sweep s2 = { .op = "module unload of fwctl",
			    .stride = module_stride() };

	ASSERT_EQ(0, module_load("fwctl", ""));
	ASSERT_EQ(0, module_load("fwctl_test", "ndevs=2"));
	sweep(_metadata, &s1, op_unload, reload, NULL, &drv);
	ASSERT_EQ(0, module_unload("fwctl_test"));
	EXPECT_EQ(0, count_dir_entries(FWCTL_CLASS_DIR, "fwctl"));
	sweep(_metadata, &s2, op_unload, reload, NULL, &core);
	ASSERT_EQ(0, module_unload("fwctl"));
}

TEST_HARNESS_MAIN
