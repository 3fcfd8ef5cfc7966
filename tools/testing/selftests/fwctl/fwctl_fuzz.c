// SPDX-License-Identifier: GPL-2.0
/*
 * fwctl_fuzz: a seeded, multi-threaded fuzzer of the fwctl ioctls, with hot
 * unplug and module unloads running beside it and leak checks after it.
 *
 * Built as a static binary on the host and run as root in the test guest.
 *
 *   fwctl_fuzz [--seed S] [--calls N] [--time SECS] [--max-time SECS]
 *              [--threads T] [--cycles N] [--module-cycles N]
 *              [--drivers test,cxl,mlx5] [--test-devs N] [--uctx-size BYTES]
 *              [--dev-size BYTES] [--fail-open] [--kmemleak] [--no-leak-check]
 *              [--trace] [--quiet]
 *
 *   --calls N        fuzzed calls (ioctls) to make, shared by the threads
 *   --time SECS      or fuzz this long (whichever comes first; 0: no limit)
 *   --cycles N       device remove/re-create cycles to run meanwhile; the
 *                    run lasts until they are done too
 *   --module-cycles N  module unload cycles among them
 *   --max-time SECS  give up (a failure) if the above take longer
 *   --fail-open      now and then, make fwctl_test's next open_uctx fail
 *   --kmemleak       end with a kmemleak scan
 *   --trace          print every call and its expected outcomes
 *
 * What it does
 *
 * Worker threads share a pool of FD slots.  Each call picks a slot and
 * issues FWCTL_INFO or FWCTL_RPC built around every boundary of the uAPI
 * (struct sizes 0, short, exact, larger with a zero or non-zero tail,
 * huge; NULL, unmapped, read-only, kernel and non-canonical pointers, structs
 * straddling an unmapped page; every scope and invalid ones; lengths up to
 * and past 2 MiB; flags), with requests in the format of the device's
 * driver: fwctl_test's loopback requests, CXL Features commands, mlx5
 * command mailboxes (the latter two valid, malformed, or random bytes).
 * Other calls open, close and dup() FDs into the slots; "chaos" calls
 * dup2(), close() and ioctl() a few fixed FD numbers with no coordination
 * at all.  One worker drops CAP_SYS_RAWIO (for itself only).
 *
 * A plugger thread meanwhile removes and re-creates devices (fwctl_test
 * remove/add, CXL memdev hot remove by unbinding and binding the memdev's
 * host device from its driver, cxl_pci or cxl_test's cxl_mock_mem, mlx5_sim
 * remove/add) and unloads the driver modules with FDs open: each
 * driver module must unload (its FDs then get ENODEV) and fwctl must
 * refuse (EWOULDBLOCK or EBUSY) while an FD is open.
 *
 * Every call's outcome is predicted from the call itself, in the order the
 * core and the driver check things (upstream's order): the struct (EFAULT,
 * EINVAL, E2BIG), the device (ENODEV), the command (EOPNOTSUPP, EMSGSIZE,
 * EPERM), the copies (EFAULT), the driver (its own errnos, see the models
 * below), the answer (EFAULT).  ENOMEM is accepted wherever the kernel
 * allocates.  Anything else, or a success that should not be, is a
 * violation; successful answers are checked too (lengths, echoed bytes,
 * nothing written past out_len).  Once an FD got ENODEV, every later call
 * on it must get ENODEV.
 *
 * After the run: every FD is closed, then the leak checks (see
 * leak_check()); then the kernel log since the start is searched for splats.
 *
 * Reproducing: the seed is printed first.  Each thread draws from its own
 * generator (xoshiro256**, seeded by splitmix64 from the seed and the thread
 * number), so `--seed S` with the same options replays every thread's
 * sequence of calls; which device an FD is on, and when devices vanish,
 * depend on scheduling.  `--threads 1 --cycles 0 --module-cycles 0` replays
 * exactly.
 *
 * Exit status: 0 clean, 1 violations, leaks or splats, 2 bad usage or setup,
 * 4 nothing to fuzz (skip).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>

#include <fwctl/fwctl.h>
#include <fwctl/cxl.h>

#include "fwctl_lib.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PAGE		4096UL
#define MAX_LEN		FWCTL_MAX_RPC_LEN	/* 2 MiB */

/* ------------------------------------------------------------------ */
/* Random numbers: splitmix64 seeds xoshiro256**.                      */

struct rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL);
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Uniform in [0, n); 0 when n is 0. */
static uint32_t rnd(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static uint32_t rnd32(struct rng *r)
{
	return (uint32_t)(rng_next(r) >> 32);
}

/* True with probability permille / 1000. */
static bool chance(struct rng *r, unsigned int permille)
{
	return rnd(r, 1000) < permille;
}

/* One of the values of a list. */
#define PICK(r, list)	((list)[rnd((r), ARRAY_SIZE(list))])

/* ------------------------------------------------------------------ */
/* Sets of outcomes: bit 0 is success, bit e the errno e (1..255).     */

struct eset {
	uint64_t w[4];
};

static void es_add(struct eset *s, int e)
{
	if (e >= 0 && e < 256)
		s->w[e / 64] |= 1ULL << (e % 64);
}

static bool es_has(const struct eset *s, int e)
{
	return e >= 0 && e < 256 && (s->w[e / 64] >> (e % 64)) & 1;
}

static void es_or(struct eset *s, const struct eset *o)
{
	int i;

	for (i = 0; i < 4; i++)
		s->w[i] |= o->w[i];
}

static const char *err_name(int e)
{
	static const char *const names[] = {
		[0] = "ok", [EPERM] = "EPERM", [ENOENT] = "ENOENT",
		[EIO] = "EIO", [ENXIO] = "ENXIO", [E2BIG] = "E2BIG",
		[EBADF] = "EBADF", [EAGAIN] = "EAGAIN", [ENOMEM] = "ENOMEM",
		[EFAULT] = "EFAULT", [EBUSY] = "EBUSY", [ENODEV] = "ENODEV",
		[EINVAL] = "EINVAL", [EMFILE] = "EMFILE", [ENOTTY] = "ENOTTY",
		[ENOSPC] = "ENOSPC", [ERANGE] = "ERANGE",
		[EBADMSG] = "EBADMSG", [EMSGSIZE] = "EMSGSIZE",
		[EOPNOTSUPP] = "EOPNOTSUPP", [ETIMEDOUT] = "ETIMEDOUT",
		[EREMOTEIO] = "EREMOTEIO",
	};
	static __thread char buf[24];

	if (e >= 0 && (size_t)e < ARRAY_SIZE(names) && names[e])
		return names[e];
	snprintf(buf, sizeof(buf), "errno %d", e);
	return buf;
}

static void es_format(const struct eset *s, char *buf, size_t len)
{
	size_t used = 0;
	int e;

	buf[0] = '\0';
	for (e = 0; e < 256 && used < len; e++)
		if (es_has(s, e))
			used += snprintf(buf + used, len - used, "%s%s",
					 used ? "," : "", err_name(e));
}

/* ------------------------------------------------------------------ */
/* Options and global state.                                           */

enum kind { K_NONE, K_TEST, K_CXL, K_MLX5, K_OTHER, K_DEAD, NR_KINDS };
static const char *const kind_name[NR_KINDS] = {
	"none", "fwctl_test", "cxl", "mlx5", "other", "orphaned",
};

static struct {
	uint64_t seed;
	uint64_t calls;		/* 0: bounded by time only */
	unsigned int time;	/* seconds; 0: bounded by calls only */
	unsigned int max_time;	/* hard limit, seconds */
	unsigned int threads;
	unsigned int cycles;	/* device remove/re-create cycles */
	unsigned int module_cycles;
	unsigned int test_devs;
	unsigned int uctx_size;
	unsigned int dev_size;
	bool want[NR_KINDS];
	bool kmemleak;
	bool leak_check;
	bool trace;
	bool quiet;
} opt = {
	.calls = 0,
	.time = 30,
	.threads = 4,
	.test_devs = 3,
	/* kmalloc-8k: the core's objects alone in their cache (the slab check) */
	.uctx_size = 6144,
	.dev_size = 5632,
	.leak_check = true,
	.want = { [K_TEST] = true, [K_CXL] = true, [K_MLX5] = true,
		  [K_OTHER] = true },
};

static bool have_rawio, locked;
static int max_scope_level = POLICY_LEVELS - 1;	/* debug_write_full */
/* Devices may vanish: ENODEV is a possible outcome of any call. */
static bool unplugs;
static atomic_bool stop;
static long long t_start;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

/* What was found and loaded at setup. */
static struct {
	bool core_loaded, test_loaded, cxl_loaded, sim_loaded, mlx5_loaded;
	bool test, cxl, mlx5;		/* fuzzed */
	char cxl_skip[160], mlx5_skip[256];
	char cxl_host[PATH_MAX];	/* sysfs dir of the memdev's host */
	char cxl_drv[PATH_MAX];		/* sysfs dir of the host's driver */
	int fail_open_errno;		/* 0: fail_open not used */
} env;

/* fwctl_test's module parameters. */
static const char *test_params(void)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "ndevs=%u uctx_size=%u dev_size=%u",
		 opt.test_devs, opt.uctx_size, opt.dev_size);
	return buf;
}

static long long elapsed_ms(void)
{
	return now_ms() - t_start;
}

static void say(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

/* ------------------------------------------------------------------ */
/* Statistics.                                                         */

enum call_kind {
	C_INFO,		/* FWCTL_INFO, boundaries */
	C_RPC_CORE,	/* FWCTL_RPC, boundaries of the core's part */
	C_RPC_DRIVER,	/* FWCTL_RPC, driver requests (valid and not) */
	C_RPC_RANDOM,	/* FWCTL_RPC, random fields and bytes */
	C_BADCMD,	/* other ioctl numbers */
	C_CHAOS,	/* ioctls on FDs dup2()ed and closed under them */
	C_OPEN, C_CLOSE, C_DUP, C_DUP2,
	NR_CALL_KINDS
};
static const char *const call_name[NR_CALL_KINDS] = {
	"info", "rpc-core", "rpc-driver", "rpc-random", "bad-ioctl", "chaos",
	"open", "close", "dup", "dup2",
};
#define NR_IOCTL_KINDS	(C_CHAOS + 1)

struct stats {
	uint64_t calls[NR_CALL_KINDS];
	uint64_t errs[NR_CALL_KINDS][257];	/* [256]: errno >= 256 */
	uint64_t per_kind[NR_KINDS];		/* ioctls by device kind */
	uint64_t ioctls;			/* the fuzzed calls */
	uint64_t violations;
	uint64_t verified;			/* answers checked byte-wise */
};

static atomic_ullong total_calls;
static atomic_ullong total_violations;
static atomic_ullong plug_cycles, n_plug_test, n_plug_cxl, n_plug_mlx5;
static atomic_ullong module_cycles_done, self_unplugs;
static atomic_ullong opens_test_ok;
/* Milliseconds the plugger spent per kind of cycle. */
static atomic_ullong plug_ms[NR_KINDS + 1];

static void count(struct stats *st, enum call_kind k, int err)
{
	st->calls[k]++;
	st->errs[k][err >= 0 && err < 256 ? err : 256]++;
	if (k < NR_IOCTL_KINDS) {
		st->ioctls++;
		atomic_fetch_add_explicit(&total_calls, 1,
					  memory_order_relaxed);
	}
}

static void violation(struct stats *st, const char *fmt, ...)
{
	unsigned long long n;
	va_list ap;

	if (st)
		st->violations++;
	n = atomic_fetch_add(&total_violations, 1) + 1;
	if (n > 40) {
		if (n == 41)
			say("VIOLATION: (more violations are only counted)");
		return;
	}
	pthread_mutex_lock(&out_lock);
	printf("# VIOLATION %llu: ", n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

/* ------------------------------------------------------------------ */
/* Memory.  Each worker has its own regions, every one of them followed */
/* by a PROT_NONE page, so the kernel can never write past a buffer    */
/* into anything else of ours, and overruns fault where we predict.    */

enum pclass {
	P_IN,		/* request buffers (read-write) */
	P_OUT,		/* answer buffers (read-write) */
	P_ST,		/* ioctl structs (read-write) */
	P_RO,		/* a read-only page */
	P_GUARD,	/* a PROT_NONE page */
	P_NULL,
	P_LOW,		/* below mmap_min_addr */
	P_TOP,		/* at or past the end of user space */
	P_KERNEL,
	P_NONCANON,
	NR_PCLASS
};
static const char *const pclass_name[NR_PCLASS] = {
	"in", "out", "st", "ro", "guard", "null", "low", "top", "kernel",
	"noncanonical",
};

#define IN_LEN	(MAX_LEN + 64 * 1024)
#define OUT_LEN	(MAX_LEN + 64 * 1024)
#define ST_LEN	(64 * 1024)

struct arena {
	unsigned char *in, *out, *st, *ro, *guard;
	unsigned char *base;
	size_t total;
};

static int arena_init(struct arena *a)
{
	/* [G][IN][G][OUT][G][ST][G][RO][G] */
	size_t total = PAGE + IN_LEN + PAGE + OUT_LEN + PAGE + ST_LEN + PAGE +
		       PAGE + PAGE;
	unsigned char *p;

	p = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		 MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	a->base = p;
	a->total = total;
	a->guard = p;
	a->in = p + PAGE;
	a->out = a->in + IN_LEN + PAGE;
	a->st = a->out + OUT_LEN + PAGE;
	a->ro = a->st + ST_LEN + PAGE;
	if (mprotect(a->in, IN_LEN, PROT_READ | PROT_WRITE) ||
	    mprotect(a->out, OUT_LEN, PROT_READ | PROT_WRITE) ||
	    mprotect(a->st, ST_LEN, PROT_READ | PROT_WRITE) ||
	    mprotect(a->ro, PAGE, PROT_READ))
		return -errno;
	return 0;
}

/* Fill the read-only page (briefly writable: only this thread uses it). */
static void ro_write(struct arena *a, size_t off, const void *src, size_t len)
{
	mprotect(a->ro, PAGE, PROT_READ | PROT_WRITE);
	memset(a->ro, 0, PAGE);
	if (len)
		memcpy(a->ro + off, src, len);
	mprotect(a->ro, PAGE, PROT_READ);
}

/* A pointer we hand the kernel, with how much of it is accessible. */
struct ptr {
	enum pclass cls;
	uintptr_t addr;
	uint64_t avail_r;	/* bytes readable from addr */
	uint64_t avail_w;	/* bytes writable from addr */
};

static struct ptr ptr_in(struct arena *a, enum pclass cls, size_t off)
{
	struct ptr p = { .cls = cls };
	size_t len = 0;
	unsigned char *base = NULL;

	switch (cls) {
	case P_IN: base = a->in; len = IN_LEN; break;
	case P_OUT: base = a->out; len = OUT_LEN; break;
	case P_ST: base = a->st; len = ST_LEN; break;
	case P_RO: base = a->ro; len = PAGE; break;
	default: break;
	}
	if (off > len)
		off = len;
	p.addr = (uintptr_t)(base + off);
	p.avail_r = len - off;
	p.avail_w = cls == P_RO ? 0 : len - off;
	return p;
}

/* A pointer nothing can be read from or written to. */
static struct ptr ptr_bad(struct arena *a, struct rng *r)
{
	static const uintptr_t kernel[] = {
		0xffffffff81000000UL, 0xffff888000000000UL,
		0xffffffffff600000UL, 0xfffffe0000000000UL,
		0xffffffffffffff00UL, 0xffffffffffffffffUL,
	};
	static const uintptr_t noncanon[] = {
		0x0000800000000000UL, 0x8000000000000000UL,
		0x00ff000000000000UL, 0x7fff800000000000UL ^ 0xff00000000000000UL,
	};
	static const uintptr_t top[] = {
		0x7ffffffff000UL, 0x7ffffffff800UL, 0x7fffffffffffUL,
	};
	struct ptr p = { 0 };

	switch (rnd(r, 6)) {
	case 0:
		p.cls = P_NULL;
		p.addr = 0;
		break;
	case 1:
		p.cls = P_LOW;
		p.addr = 1 + rnd(r, 0xfff);
		break;
	case 2:
		p.cls = P_TOP;
		p.addr = PICK(r, top);
		break;
	case 3:
		p.cls = P_KERNEL;
		p.addr = PICK(r, kernel);
		break;
	case 4:
		p.cls = P_NONCANON;
		p.addr = PICK(r, noncanon);
		break;
	default:
		p.cls = P_GUARD;
		p.addr = (uintptr_t)(a->in + IN_LEN + rnd(r, PAGE));
		break;
	}
	return p;
}

static bool can_read(const struct ptr *p, uint64_t len)
{
	return len == 0 || len <= p->avail_r;
}

static bool can_write(const struct ptr *p, uint64_t len)
{
	return len == 0 || len <= p->avail_w;
}

static void ptr_format(const struct ptr *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%#lx(r%llu,w%llu)", pclass_name[p->cls],
		 (unsigned long)p->addr, (unsigned long long)p->avail_r,
		 (unsigned long long)p->avail_w);
}

/* ------------------------------------------------------------------ */
/* Devices and FD slots.                                               */

#define MAX_DEVS	64
static pthread_mutex_t devs_lock = PTHREAD_MUTEX_INITIALIZER;
static int devs[MAX_DEVS];	/* minors of /sys/class/fwctl/fwctlM */
static int ndevs;

static void refresh_devices(void)
{
	int tmp[MAX_DEVS], n = 0, m;
	struct dirent *de;
	DIR *d;

	d = opendir(FWCTL_CLASS_DIR);
	if (d) {
		while ((de = readdir(d)) && n < MAX_DEVS)
			if (sscanf(de->d_name, "fwctl%d", &m) == 1)
				tmp[n++] = m;
		closedir(d);
	}
	pthread_mutex_lock(&devs_lock);
	memcpy(devs, tmp, sizeof(tmp[0]) * n);
	ndevs = n;
	pthread_mutex_unlock(&devs_lock);
}

static int pick_device(struct rng *r)
{
	int m = -1;

	pthread_mutex_lock(&devs_lock);
	if (ndevs)
		m = devs[rnd(r, ndevs)];
	pthread_mutex_unlock(&devs_lock);
	return m;
}

#define NSLOTS		24
#define CHAOS_FD0	900
#define NCHAOS		12

struct slot {
	pthread_rwlock_t lock;
	int fd;			/* -1: empty */
	enum kind kind;
	int minor;
	uint32_t uctx_id;	/* fwctl_test: the FD's context id */
	atomic_bool dead;	/* got ENODEV: no later call may succeed */
};
static struct slot slots[NSLOTS];

/* CXL: the device's features, read once at setup. */
#define MAX_FEATS	16
static struct cxl_feat_entry feats[MAX_FEATS];
static int nfeats;
static unsigned char scrub_cur[2];	/* patrol scrub cycle, flags */
static bool scrub_known;
static const unsigned char scrub_uuid[16] = {
	0x96, 0xda, 0xd7, 0xd6, 0xfd, 0xe8, 0x48, 0x2b,
	0xa7, 0x33, 0x75, 0x77, 0x4e, 0x06, 0xdb, 0x8a,
};

/* ------------------------------------------------------------------ */
/* Driver models.  Each says, from the request bytes as the kernel     */
/* copied them, what the driver's fw_rpc may answer: errnos, or a     */
/* reply whose length lies in [lo, hi], and how to check it.          */

enum verify {
	V_NONE,
	V_ECHO,		/* the request, in_len bytes */
	V_LEN,		/* arg bytes, byte i = i + seed */
	V_SCOPE,	/* struct fwctl_test_scope_reply */
	V_CXL_SUP,	/* Get Supported Features from the cache */
	V_LEN_ONLY,	/* only the length is known */
};

struct model {
	struct eset errs;	/* errnos the driver may return */
	bool ok;		/* may succeed */
	uint64_t lo, hi;	/* reply length when it succeeds */
	enum verify v;
	uint32_t arg, seed;	/* V_LEN */
	uint32_t k;		/* V_CXL_SUP: entries */
	bool unplug;		/* fwctl_test UNPLUG: the device goes */
};

static void model_ok(struct model *m, uint64_t lo, uint64_t hi, enum verify v)
{
	m->ok = true;
	m->lo = lo;
	m->hi = hi;
	m->v = v;
}

static uint32_t get32(const unsigned char *b)
{
	uint32_t v;

	memcpy(&v, b, 4);
	return v;
}

static void model_test(struct model *m, const unsigned char *in,
		       uint64_t in_len, uint64_t out_len)
{
	struct fwctl_test_req req;

	if (in_len < sizeof(req)) {
		es_add(&m->errs, EINVAL);
		return;
	}
	memcpy(&req, in, sizeof(req));
	if (req.reserved) {
		es_add(&m->errs, EBADMSG);
		return;
	}
	switch (req.op) {
	case FWCTL_TEST_OP_ECHO:
	case FWCTL_TEST_OP_SLEEP:
		model_ok(m, in_len, in_len, V_ECHO);
		break;
	case FWCTL_TEST_OP_UNPLUG:
		model_ok(m, in_len, in_len, V_ECHO);
		m->unplug = true;
		break;
	case FWCTL_TEST_OP_ECHO_NEW:
		model_ok(m, in_len, in_len, V_ECHO);
		es_add(&m->errs, ENOMEM);
		break;
	case FWCTL_TEST_OP_LEN:
		if (req.arg > MAX_LEN) {
			es_add(&m->errs, EINVAL);
			break;
		}
		model_ok(m, req.arg, req.arg, V_LEN);
		m->arg = req.arg;
		m->seed = req.seed;
		es_add(&m->errs, ENOMEM);
		break;
	case FWCTL_TEST_OP_FAIL:
		if (req.arg < 1 || req.arg > 4095)
			es_add(&m->errs, EINVAL);
		else
			es_add(&m->errs, req.arg);
		break;
	case FWCTL_TEST_OP_SCOPE:
		model_ok(m, sizeof(struct fwctl_test_scope_reply),
			 sizeof(struct fwctl_test_scope_reply), V_SCOPE);
		es_add(&m->errs, ENOMEM);
		break;
	default:
		es_add(&m->errs, EBADMSG);
		break;
	}
	(void)out_len;
}

#define CXL_OP_GET_SUPPORTED	0x0500
#define CXL_OP_GET_FEATURE	0x0501
#define CXL_OP_SET_FEATURE	0x0502
#define CXL_HDR_LEN		16	/* struct fwctl_rpc_cxl_hdr */
#define CXL_OUT_HDR		8	/* struct fwctl_rpc_cxl_out_hdr */
#define CXL_OUT_STRUCT		16	/* struct fwctl_rpc_cxl_out */
#define CXL_SUP_IN		8
#define CXL_SUP_HDR		8
#define CXL_GET_IN		21
#define CXL_SET_HDR		32
#define CXL_ENTRY		48
#define CXL_EFFECTS_IMMEDIATE	0x1e	/* config, data, policy, log */
#define CXL_EFFECTS_RESET	0x0c01	/* cold, conventional, CXL reset */

static const struct cxl_feat_entry *cxl_feature(const unsigned char *uuid)
{
	int i;

	for (i = 0; i < nfeats; i++)
		if (!memcmp(feats[i].uuid, uuid, 16))
			return &feats[i];
	return NULL;
}

/* The scope a Set Feature of this feature needs; -1: never settable. */
static int cxl_set_scope(const struct cxl_feat_entry *f)
{
	uint16_t eff = le16toh(f->effects);

	if (!(le32toh(f->flags) & CXL_FEATURE_F_CHANGEABLE))
		return -1;
	if (eff & (CXL_CMD_EFFECTS_RESERVED | CXL_CMD_BACKGROUND))
		return -1;
	if (eff & CXL_EFFECTS_IMMEDIATE)
		return FWCTL_RPC_DEBUG_WRITE_FULL;
	if (eff & CXL_EFFECTS_RESET)
		return FWCTL_RPC_DEBUG_WRITE;
	return -1;
}

static void model_cxl(struct model *m, const unsigned char *in,
		      uint64_t in_len, uint64_t out_len, uint32_t scope)
{
	const unsigned char *pl = in + CXL_HDR_LEN;
	const struct cxl_feat_entry *f;
	uint32_t opcode, op_size, count, start, k;
	uint16_t gcount;

	if (in_len < CXL_HDR_LEN) {
		es_add(&m->errs, EINVAL);
		return;
	}
	opcode = le32toh(get32(in)) & 0xffff;
	op_size = le32toh(get32(in + 8));
	if (op_size > in_len - CXL_HDR_LEN) {
		es_add(&m->errs, EINVAL);
		return;
	}
	es_add(&m->errs, ENOMEM);
	switch (opcode) {
	case CXL_OP_GET_SUPPORTED:
		if (op_size != CXL_SUP_IN) {
			es_add(&m->errs, EINVAL);
			return;
		}
		count = le32toh(get32(pl));
		start = pl[4] | pl[5] << 8;
		if ((int)start >= nfeats) {
			es_add(&m->errs, EINVAL);
			return;
		}
		k = count / CXL_ENTRY;
		if (k > (uint32_t)(nfeats - start))
			k = nfeats - start;
		model_ok(m, CXL_OUT_STRUCT + CXL_SUP_HDR + k * CXL_ENTRY,
			 CXL_OUT_STRUCT + CXL_SUP_HDR + k * CXL_ENTRY,
			 V_CXL_SUP);
		m->k = k;
		m->arg = start;
		return;
	case CXL_OP_GET_FEATURE:
		if (op_size != CXL_GET_IN) {
			es_add(&m->errs, EINVAL);
			return;
		}
		gcount = pl[18] | pl[19] << 8;
		if (!gcount || out_len < CXL_OUT_HDR ||
		    gcount > out_len - CXL_OUT_HDR) {
			es_add(&m->errs, EINVAL);
			return;
		}
		/* The device decides: all of it, or nothing and a retval. */
		model_ok(m, CXL_OUT_STRUCT, CXL_OUT_STRUCT + gcount,
			 V_LEN_ONLY);
		return;
	case CXL_OP_SET_FEATURE:
		if (op_size < 16 || !(f = cxl_feature(pl)) ||
		    cxl_set_scope(f) < 0 || (int)scope < cxl_set_scope(f)) {
			/* Unknown, unchangeable, or not in this scope. */
			es_add(&m->errs, EINVAL);
			if (op_size >= 16 && f && cxl_set_scope(f) < 0)
				es_add(&m->errs, EPERM);
			return;
		}
		if (op_size <= CXL_SET_HDR || out_len < CXL_OUT_HDR) {
			es_add(&m->errs, EINVAL);
			return;
		}
		model_ok(m, CXL_OUT_HDR, CXL_OUT_STRUCT, V_LEN_ONLY);
		return;
	default:
		es_add(&m->errs, EINVAL);
		return;
	}
}

/* upstream's mlx5ctl_validate_rpc(): opcodes allowed, by least scope. */
static const uint16_t mlx5_config_ops[] = {
	0x100, 0x101, 0x109, 0x10e, 0x731, 0x740, 0x760, 0x762, 0x823,
	0xb22, 0xb2e,
};
static const uint16_t mlx5_ro_ops[] = {
	0x107, 0x10a, 0x10c, 0x111, 0x117, 0x201, 0x203, 0x303, 0x402, 0x50b,
	0x512, 0x602, 0x702, 0x707, 0x713, 0x716, 0x719, 0x722, 0x725, 0x727,
	0x728, 0x730, 0x732, 0x750, 0x752, 0x754, 0x764, 0x765, 0x76f, 0x770,
	0x773, 0x781, 0x784, 0x8000, 0x8001, 0x8006, 0x80b, 0x80d, 0x813,
	0x819, 0x821, 0x822, 0x824, 0x826, 0x82a, 0x831, 0x842, 0x903, 0x907,
	0x90b, 0x90f, 0x911, 0x915, 0x919, 0x932, 0x935, 0x937, 0x93b, 0x93f,
	0x942, 0x962, 0x964, 0x971, 0x981, 0xa02, 0xa05, 0xa09, 0xb02, 0xb03,
	0xb05, 0xb07, 0xb08, 0xb0a, 0xb0d, 0xb0f, 0xb13, 0xb14, 0xb28, 0xb2a,
	0xb2f,
};
#define MLX5_OP_SET_DIAG	0x820	/* DEBUG_WRITE */
#define MLX5_OP_ACCESS_REG	0x805	/* write (op_mod 0): CONFIGURATION */
#define MLX5_OP_ACCESS_REG_USER	0xb0c
/* Opcodes fwctl must refuse at any scope (they create objects). */
static const uint16_t mlx5_refused_ops[] = {
	0x104, 0x105, 0x108, 0xa04, 0xa06, 0xa08, 0x200, 0x500, 0x0, 0xffff,
};
#define MLX5_HDR	16

static bool in_list16(const uint16_t *l, size_t n, uint16_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (l[i] == v)
			return true;
	return false;
}

static bool mlx5_allowed(uint16_t opcode, uint16_t op_mod, uint32_t scope)
{
	if (in_list16(mlx5_config_ops, ARRAY_SIZE(mlx5_config_ops), opcode))
		return true;
	if (in_list16(mlx5_ro_ops, ARRAY_SIZE(mlx5_ro_ops), opcode))
		return scope >= FWCTL_RPC_DEBUG_READ_ONLY;
	if (opcode == MLX5_OP_SET_DIAG)
		return scope >= FWCTL_RPC_DEBUG_WRITE;
	if (opcode == MLX5_OP_ACCESS_REG || opcode == MLX5_OP_ACCESS_REG_USER)
		return op_mod == 0 || scope >= FWCTL_RPC_DEBUG_READ_ONLY;
	return false;
}

static void model_mlx5(struct model *m, const unsigned char *in,
		       uint64_t in_len, uint64_t out_len, uint32_t scope)
{
	uint16_t opcode, op_mod;

	if (in_len < MLX5_HDR || out_len < MLX5_HDR) {
		es_add(&m->errs, EMSGSIZE);
		return;
	}
	opcode = in[0] << 8 | in[1];
	op_mod = in[6] << 8 | in[7];
	if (!mlx5_allowed(opcode, op_mod, scope)) {
		es_add(&m->errs, EBADMSG);
		return;
	}
	/*
	 * The command runs: a firmware status is a successful RPC whose
	 * answer is out_len bytes; errnos mean it did not reach the firmware
	 * (mlx5_sim: ENOMEM, ENXIO once the device is going).
	 */
	model_ok(m, out_len, out_len, V_LEN_ONLY);
	es_add(&m->errs, ENOMEM);
	es_add(&m->errs, ENXIO);
}

static void model_driver(struct model *m, enum kind kind,
			 const unsigned char *in, uint64_t in_len,
			 uint64_t out_len, uint32_t scope)
{
	memset(m, 0, sizeof(*m));
	switch (kind) {
	case K_TEST:
		model_test(m, in, in_len, out_len);
		break;
	case K_CXL:
		model_cxl(m, in, in_len, out_len, scope);
		break;
	case K_MLX5:
		model_mlx5(m, in, in_len, out_len, scope);
		break;
	default:
		/* Not a driver we model: any errno, any answer. */
		memset(&m->errs, 0xff, sizeof(m->errs));
		model_ok(m, 0, MAX_LEN, V_NONE);
		break;
	}
}

/* ------------------------------------------------------------------ */
/* One ioctl, described.                                               */

struct call {
	enum call_kind ck;
	struct slot *slot;
	enum kind kind;
	int fd;
	unsigned long cmd;
	struct ptr arg;		/* the struct */
	uint32_t size;		/* its size field */
	uint64_t nz_tail;	/* offset of a non-zero byte past the known
				 * struct, or UINT64_MAX */
	union {
		struct fwctl_info info;
		struct fwctl_rpc rpc;
	};
	struct ptr in, out;	/* RPC request and answer; INFO data */
	struct eset allowed;
	struct model m;
	bool respond_ok;	/* success is possible */
	uint64_t seq;
	int thread;
};

static void call_format(const struct call *c, char *buf, size_t len)
{
	char a[64], in[64], out[64];

	ptr_format(&c->arg, a, sizeof(a));
	ptr_format(&c->in, in, sizeof(in));
	ptr_format(&c->out, out, sizeof(out));
	if (c->cmd == FWCTL_INFO)
		snprintf(buf, len,
			 "thread %d call %llu %s fd %d (%s, fwctl%d): FWCTL_INFO arg %s size %u nz_tail %lld flags %#x device_data_len %u data %s",
			 c->thread, (unsigned long long)c->seq,
			 call_name[c->ck], c->fd, kind_name[c->kind],
			 c->slot ? c->slot->minor : -1, a, c->size,
			 (long long)c->nz_tail, c->info.flags,
			 c->info.device_data_len, out);
	else if (c->cmd == FWCTL_RPC)
		snprintf(buf, len,
			 "thread %d call %llu %s fd %d (%s, fwctl%d): FWCTL_RPC arg %s size %u nz_tail %lld scope %u in_len %u out_len %u in %s out %s",
			 c->thread, (unsigned long long)c->seq,
			 call_name[c->ck], c->fd, kind_name[c->kind],
			 c->slot ? c->slot->minor : -1, a, c->size,
			 (long long)c->nz_tail, c->rpc.scope, c->rpc.in_len,
			 c->rpc.out_len, in, out);
	else
		snprintf(buf, len, "thread %d call %llu %s fd %d: ioctl %#lx",
			 c->thread, (unsigned long long)c->seq,
			 call_name[c->ck], c->fd, c->cmd);
}

/* The end of user space as access_ok() sees it (4-level paging). */
#define USER_END	0x7ffffffff000ULL

/*
 * The struct part, as the core reads it: the size word, the part it
 * knows, then the tail, which must be zero.  Adds the outcome to c->allowed
 * and returns false, or returns true when the struct reads fine.
 */
static bool expect_struct(struct call *c, uint32_t ksize)
{
	if (!can_read(&c->arg, 4)) {
		es_add(&c->allowed, EFAULT);
		return false;
	}
	if (c->size < ksize) {
		es_add(&c->allowed, EINVAL);
		return false;
	}
	if (!can_read(&c->arg, ksize)) {
		es_add(&c->allowed, EFAULT);
		return false;
	}
	if (c->size == ksize)
		return true;
	/* check_zeroed_user(): stops at the first non-zero word... */
	if (c->nz_tail < c->size && c->nz_tail < c->arg.avail_r) {
		es_add(&c->allowed, E2BIG);
		/* ...unless access_ok() refuses the whole tail first. */
		if (c->arg.addr + (uint64_t)c->size > USER_END)
			es_add(&c->allowed, EFAULT);
		return false;
	}
	if (!can_read(&c->arg, c->size)) {
		es_add(&c->allowed, EFAULT);
		return false;
	}
	return true;
}

/* Outcomes once the command itself ran: the answer copy, the respond. */
static void expect_answer(struct call *c, uint64_t out_len, uint32_t ksize)
{
	struct model *m = &c->m;
	uint64_t nmin, nmax;

	es_or(&c->allowed, &m->errs);
	if (!m->ok)
		return;
	nmin = m->lo < out_len ? m->lo : out_len;
	nmax = m->hi < out_len ? m->hi : out_len;
	if (!can_write(&c->out, nmax))
		es_add(&c->allowed, EFAULT);
	if (!can_write(&c->out, nmin))
		return;
	/* ucmd_respond(): min(size, ksize) bytes back to the struct. */
	if (!can_write(&c->arg, ksize)) {
		es_add(&c->allowed, EFAULT);
		return;
	}
	es_add(&c->allowed, 0);
	c->respond_ok = true;
}

/* Policy: EOPNOTSUPP, EPERM, in the core's order.  0: allowed. */
static int expect_scope(uint32_t scope, bool rawio)
{
	if (scope > FWCTL_RPC_DEBUG_WRITE_FULL)
		return EOPNOTSUPP;
	if (scope == FWCTL_RPC_DEBUG_WRITE_FULL && (!rawio || locked))
		return EPERM;
	if ((int)scope + 1 > max_scope_level)
		return EPERM;
	return 0;
}

static void expect_call(struct call *c, bool rawio)
{
	const unsigned char *in_bytes = (const unsigned char *)c->in.addr;
	bool dead = c->slot && atomic_load(&c->slot->dead);
	uint32_t ksize;
	int e;

	memset(&c->allowed, 0, sizeof(c->allowed));
	memset(&c->m, 0, sizeof(c->m));
	c->respond_ok = false;
	if (c->cmd != FWCTL_INFO && c->cmd != FWCTL_RPC) {
		es_add(&c->allowed, ENOTTY);
		return;
	}
	ksize = c->cmd == FWCTL_INFO ? sizeof(c->info) : sizeof(c->rpc);
	if (!expect_struct(c, ksize))
		return;
	/*
	 * An orphaned FD gets ENODEV from the core right here; a driver that
	 * refuses its ops before it is unregistered (fwctl_test after an
	 * UNPLUG RPC) lets the core's own checks come first.  Never an answer.
	 */
	dead = dead || c->kind == K_DEAD;
	if (dead || unplugs)
		es_add(&c->allowed, ENODEV);

	if (c->cmd == FWCTL_INFO) {
		uint64_t len = c->info.device_data_len;

		if (c->info.flags) {
			es_add(&c->allowed, EOPNOTSUPP);
			return;
		}
		if (max_scope_level == POLICY_NONE) {
			es_add(&c->allowed, EPERM);
			return;
		}
		if (dead) {
			/*
			 * fwctl_test refuses its ops with ENODEV as soon as an
			 * UNPLUG RPC returned, before its work unregisters the
			 * device.  Asking for no device data, the core does not
			 * call the driver (as upstream), so the call can still
			 * succeed on an FD marked dead by such a refusal.
			 */
			if (!len && atomic_load(&self_unplugs) &&
			    (c->kind == K_TEST || c->kind == K_DEAD)) {
				es_add(&c->allowed, 0);
				es_add(&c->allowed, EFAULT);
			}
			return;
		}
		/* Driver data copied and zero padded, or zeroes. */
		memset(&c->m, 0, sizeof(c->m));
		if (len && c->kind != K_CXL)
			es_add(&c->m.errs, ENOMEM);
		if (!can_write(&c->out, len))
			es_add(&c->m.errs, EFAULT);
		else
			model_ok(&c->m, 0, 0, V_NONE);
		es_or(&c->allowed, &c->m.errs);
		if (!c->m.ok)
			return;
		if (!can_write(&c->arg, sizeof(c->info))) {
			es_add(&c->allowed, EFAULT);
			return;
		}
		es_add(&c->allowed, 0);
		c->respond_ok = true;
		return;
	}

	if (c->rpc.in_len > MAX_LEN || c->rpc.out_len > MAX_LEN) {
		es_add(&c->allowed, EMSGSIZE);
		return;
	}
	e = expect_scope(c->rpc.scope, rawio);
	if (e) {
		es_add(&c->allowed, e);
		return;
	}
	es_add(&c->allowed, ENOMEM);
	if (!can_read(&c->in, c->rpc.in_len)) {
		es_add(&c->allowed, EFAULT);
		return;
	}
	if (dead)
		return;
	model_driver(&c->m, c->kind, in_bytes, c->rpc.in_len, c->rpc.out_len,
		     c->rpc.scope);
	expect_answer(c, c->rpc.out_len, ksize);
}

/* ------------------------------------------------------------------ */
/* Building calls.                                                     */

struct worker {
	int id;
	struct rng r;
	struct arena a;
	struct stats st;
	bool rawio;
	uint64_t seq;
	uint64_t quota;		/* with --calls: this thread's share */
	pthread_t thread;
};

/* The plugger has done its cycles (or has none to do). */
static atomic_bool plug_finished;
/* Workers that are through their share of --calls. */
static atomic_uint workers_done;

/*
 * Place the ioctl struct: its bytes (ksize of them from src, then the
 * tail up to size, zero but maybe for one byte) somewhere good or bad.
 */
static void place_struct(struct worker *w, struct call *c, const void *src,
			 uint32_t ksize)
{
	struct rng *r = &w->r;
	struct arena *a = &w->a;
	uint64_t fill, off;
	unsigned int how = rnd(r, 100);
	unsigned char *dst;

	/* The size field. */
	switch (rnd(r, 20)) {
	case 0: c->size = 0; break;
	case 1: c->size = 1 + rnd(r, ksize - 1); break;		/* short */
	case 2: c->size = ksize + 1 + rnd(r, 64); break;	/* longer */
	case 3: c->size = ksize + 1 + rnd(r, 8192); break;
	case 4: c->size = PICK(r, ((const uint32_t[]){ 4096, 65536,
			0x7fffffff, 0x80000000, 0xffffffff })); break;
	default: c->size = ksize; break;
	}
	c->nz_tail = UINT64_MAX;
	if (c->size > ksize && chance(r, 300))
		c->nz_tail = ksize + rnd(r, c->size - ksize);

	if (how < 84) {
		/* In the struct region, at a random (unaligned) offset. */
		off = rnd(r, 2048);
		if (how < 8)	/* straddling the guard page */
			off = ST_LEN - 4 - rnd(r, ksize + 32);
		c->arg = ptr_in(a, P_ST, off);
	} else if (how < 92) {
		c->arg = ptr_in(a, P_RO, rnd(r, 256));
	} else {
		c->arg = ptr_bad(a, r);
	}
	memcpy((unsigned char *)src, &c->size, 4);
	if (c->arg.cls != P_ST && c->arg.cls != P_RO)
		return;
	fill = c->size > ksize ? c->size : ksize;
	if (fill > c->arg.avail_r)
		fill = c->arg.avail_r;
	if (c->arg.cls == P_RO) {
		unsigned char tmp[PAGE];
		size_t o = c->arg.addr - (uintptr_t)a->ro;

		memset(tmp, 0, sizeof(tmp));
		memcpy(tmp, src, fill < ksize ? fill : ksize);
		if (c->nz_tail < fill)
			tmp[c->nz_tail] = 0x5a;
		ro_write(a, o, tmp, fill);
		return;
	}
	dst = (unsigned char *)c->arg.addr;
	memcpy(dst, src, fill < ksize ? fill : ksize);
	if (fill > ksize)
		memset(dst + ksize, 0, fill - ksize);
	if (c->nz_tail < fill)
		dst[c->nz_tail] = 0x5a;
}

/* A writable buffer of len bytes, or a bad/short one. */
static struct ptr out_buffer(struct worker *w, uint64_t len, bool bad_ok)
{
	struct rng *r = &w->r;
	unsigned int how = rnd(r, 100);
	uint64_t off;

	if (!bad_ok || how < 82) {
		/* At the start, or ending right at the guard page. */
		if (how & 1 || len > OUT_LEN)
			off = rnd(r, 4096);
		else
			off = OUT_LEN - len;
		return ptr_in(&w->a, P_OUT, off);
	}
	if (how < 88)	/* a few bytes short of the guard */
		return ptr_in(&w->a, P_OUT, OUT_LEN -
			      (len > 1 ? rnd(r, len) : 0));
	if (how < 93)
		return ptr_in(&w->a, P_RO, rnd(r, PAGE));
	return ptr_bad(&w->a, r);
}

/* Put the request (len bytes of req) somewhere; returns where. */
static struct ptr place_request(struct worker *w, const unsigned char *req,
				uint64_t len, uint64_t in_len, bool bad_ok)
{
	struct rng *r = &w->r;
	unsigned int how = rnd(r, 100);
	struct ptr p;
	uint64_t off;

	if (!bad_ok || how < 80) {
		if (in_len <= IN_LEN && (how & 1))
			off = IN_LEN - in_len;	/* ends at the guard */
		else
			off = rnd(r, 4096);
		p = ptr_in(&w->a, P_IN, off);
	} else if (how < 88) {
		off = IN_LEN - (in_len > 1 ? rnd(r, in_len) : 0);
		p = ptr_in(&w->a, P_IN, off);
	} else if (how < 93) {
		off = rnd(r, 512);
		p = ptr_in(&w->a, P_RO, off);
		ro_write(&w->a, off, req, len < PAGE - off ? len : PAGE - off);
		return p;
	} else {
		return ptr_bad(&w->a, r);
	}
	if (len > p.avail_w)
		len = p.avail_w;
	memcpy((void *)p.addr, req, len);
	return p;
}

static uint32_t pick_scope(struct rng *r)
{
	static const uint32_t bad[] = { 4, 5, 7, 0x80000000, 0xffffffff };

	if (chance(r, 80))
		return chance(r, 500) ? PICK(r, bad) : rnd32(r);
	return rnd(r, 4);
}

/* A length around the uAPI's boundaries. */
static uint32_t boundary_len(struct rng *r)
{
	static const uint32_t b[] = {
		0, 1, 7, 8, 15, 16, 17, 31, 32, 4095, 4096, MAX_LEN - 1,
		MAX_LEN, MAX_LEN + 1, 0x7fffffff, 0x80000000, 0xffffffff,
	};

	return PICK(r, b);
}

/* fwctl_test requests. */
static uint32_t gen_test(struct worker *w, unsigned char *req, uint32_t *in_len,
			 uint32_t *out_len, bool random_bytes)
{
	struct rng *r = &w->r;
	struct fwctl_test_req *t = (struct fwctl_test_req *)req;
	uint32_t payload = chance(r, 900) ? rnd(r, 256) : rnd(r, MAX_LEN -
							      sizeof(*t));
	uint32_t i;

	memset(t, 0, sizeof(*t));
	if (random_bytes) {
		for (i = 0; i < sizeof(*t) + 64; i++)
			req[i] = rnd32(r);
		payload = 64;
		t->op = rnd(r, 10);
		if (chance(r, 500))
			t->reserved = 0;
	} else {
		static const uint32_t ops[] = {
			FWCTL_TEST_OP_ECHO, FWCTL_TEST_OP_ECHO,
			FWCTL_TEST_OP_ECHO_NEW, FWCTL_TEST_OP_LEN,
			FWCTL_TEST_OP_LEN, FWCTL_TEST_OP_FAIL,
			FWCTL_TEST_OP_SCOPE, FWCTL_TEST_OP_SCOPE,
			FWCTL_TEST_OP_SLEEP, 7, 0xffffffff,
		};
		static const uint32_t len_args[] = {
			0, 1, 24, 4096, MAX_LEN - 1, MAX_LEN, MAX_LEN + 1,
			0xffffffff,
		};

		t->op = PICK(r, ops);
		t->seed = rnd32(r);
		if (chance(r, 30))
			t->reserved = 1 + rnd(r, 0xffff);
		switch (t->op) {
		case FWCTL_TEST_OP_LEN:
			t->arg = chance(r, 900) ? rnd(r, 8192) :
						  PICK(r, len_args);
			break;
		case FWCTL_TEST_OP_FAIL:
			t->arg = chance(r, 900) ? 1 + rnd(r, 133) :
				 PICK(r, ((const uint32_t[]){ 0, 4096,
					  0xffffffff }));
			break;
		case FWCTL_TEST_OP_SLEEP:
			t->arg = rnd(r, 4);
			break;
		}
		for (i = 0; i < payload && i < 256; i++)
			req[sizeof(*t) + i] = rnd32(r);
	}
	/* Never sleep long, never fail with a restart code. */
	if (t->op == FWCTL_TEST_OP_SLEEP)
		t->arg %= 4;
	if (t->op == FWCTL_TEST_OP_FAIL && t->arg > 255 && t->arg < 4096)
		t->arg = 1 + t->arg % 133;
	if (t->op == FWCTL_TEST_OP_UNPLUG && !(unplugs && chance(r, 20)))
		t->op = FWCTL_TEST_OP_ECHO;
	*in_len = sizeof(*t) + payload;
	if (chance(r, 50))
		*in_len = rnd(r, sizeof(*t));	/* shorter than the header */
	switch (rnd(r, 4)) {
	case 0: *out_len = *in_len; break;
	case 1: *out_len = rnd(r, *in_len + 64); break;
	case 2: *out_len = rnd(r, 8192); break;
	default: *out_len = chance(r, 100) ? MAX_LEN : rnd(r, 512); break;
	}
	return *in_len < sizeof(*t) + 256 ? *in_len : sizeof(*t) + 256;
}

static void put_le16(unsigned char *b, uint16_t v)
{
	b[0] = v;
	b[1] = v >> 8;
}

static void put_le32(unsigned char *b, uint32_t v)
{
	v = htole32(v);
	memcpy(b, &v, 4);
}

/* CXL Features requests. */
static uint32_t gen_cxl(struct worker *w, unsigned char *req, uint32_t *in_len,
			uint32_t *out_len, uint32_t scope, bool random_bytes)
{
	static const unsigned char unknown[16] = {
		0x89, 0x2b, 0xa4, 0x75, 0xfa, 0xd8, 0x47, 0x4e,
		0x9d, 0x3e, 0x69, 0x2c, 0x91, 0x75, 0x68, 0xbb,
	};
	struct rng *r = &w->r;
	unsigned char *pl = req + CXL_HDR_LEN;
	const unsigned char *uuid;
	uint32_t op, op_size = 0, i;
	const struct cxl_feat_entry *f;

	memset(req, 0, CXL_HDR_LEN + 128);
	if (random_bytes) {
		for (i = 0; i < CXL_HDR_LEN + 64; i++)
			req[i] = rnd32(r);
		op = 0x500 + rnd(r, 4);
		if (chance(r, 800)) {
			put_le32(req, op | (chance(r, 900) ? 0 :
				 rnd32(r) << 16));
			put_le32(req + 8, rnd(r, 70));
		}
		*in_len = CXL_HDR_LEN + rnd(r, 70);
		*out_len = rnd(r, 1024);
		goto sanitize;
	}
	op = PICK(r, ((const uint32_t[]){ CXL_OP_GET_SUPPORTED,
		  CXL_OP_GET_SUPPORTED, CXL_OP_GET_FEATURE,
		  CXL_OP_GET_FEATURE, CXL_OP_SET_FEATURE, 0x0503, 0x0100,
		  0x4000 }));
	uuid = nfeats && chance(r, 850) ? feats[rnd(r, nfeats)].uuid : unknown;
	switch (op) {
	case CXL_OP_GET_SUPPORTED:
		put_le32(pl, PICK(r, ((const uint32_t[]){ 0, 8, 47, 48, 56, 96,
			 104, 4096, 0xffffffff })));
		put_le16(pl + 4, chance(r, 900) ? rnd(r, 2) : rnd(r, 0x10000));
		op_size = CXL_SUP_IN;
		*out_len = PICK(r, ((const uint32_t[]){ 0, 8, 16, 24, 64, 120,
			   1024, 4096 }));
		break;
	case CXL_OP_GET_FEATURE:
		memcpy(pl, uuid, 16);
		put_le16(pl + 16, chance(r, 800) ? 0 : rnd(r, 0x10000));
		put_le16(pl + 18, PICK(r, ((const uint16_t[]){ 0, 1, 2, 4, 13,
			 32, 300, 0xffff })));
		pl[20] = chance(r, 800) ? 0 : rnd(r, 4);
		op_size = CXL_GET_IN;
		*out_len = PICK(r, ((const uint32_t[]){ 0, 7, 8, 9, 12, 16, 24,
			   320, 4096, 0x10010 }));
		break;
	case CXL_OP_SET_FEATURE:
		memcpy(pl, uuid, 16);
		put_le32(pl + 16, 0);	/* full data transfer */
		pl[22] = 1;		/* version */
		op_size = PICK(r, ((const uint32_t[]){ 0, 15, 16, 32, 33, 34,
			       39, 64 }));
		for (i = CXL_SET_HDR; i < op_size; i++)
			pl[i] = rnd32(r);
		*out_len = PICK(r, ((const uint32_t[]){ 0, 7, 8, 16, 64 }));
		break;
	default:
		memcpy(pl, uuid, 16);
		op_size = rnd(r, 40);
		*out_len = rnd(r, 256);
		break;
	}
	put_le32(req, op);
	put_le32(req + 8, op_size);
	*in_len = CXL_HDR_LEN + op_size;
	if (chance(r, 60))	/* op_size past the end, or short header */
		*in_len = chance(r, 500) ? rnd(r, CXL_HDR_LEN) :
			  CXL_HDR_LEN + rnd(r, op_size + 1);
	else if (chance(r, 60))	/* extra bytes past op_size */
		*in_len += rnd(r, 64);
	/* The only Set Feature that may reach the device: the scrub as is. */
	if (op == CXL_OP_SET_FEATURE && scrub_known && chance(r, 300) &&
	    cxl_feature(scrub_uuid)) {
		memcpy(pl, scrub_uuid, 16);
		pl[CXL_SET_HDR] = scrub_cur[0];
		pl[CXL_SET_HDR + 1] = scrub_cur[1];
		put_le32(req + 8, CXL_SET_HDR + 2);
		*in_len = CXL_HDR_LEN + CXL_SET_HDR + 2;
		*out_len = 16;
		return *in_len;
	}
sanitize:
	/*
	 * Anything else that would pass the driver's checks and write a
	 * feature gets an unknown UUID: the device's state must stay.
	 */
	op = le32toh(get32(req)) & 0xffff;
	if (op == CXL_OP_SET_FEATURE && (f = cxl_feature(pl)) &&
	    cxl_set_scope(f) >= 0 && (int)scope >= cxl_set_scope(f))
		memcpy(pl, unknown, 16);
	return *in_len < CXL_HDR_LEN + 128 ? *in_len : CXL_HDR_LEN + 128;
}

/* mlx5 command mailboxes: opcode BE16 at 0, op_mod BE16 at 6. */
static uint32_t gen_mlx5(struct worker *w, unsigned char *req,
			 uint32_t *in_len, uint32_t *out_len, bool random_bytes)
{
	struct rng *r = &w->r;
	uint16_t opcode, op_mod;
	uint32_t i, n;

	n = chance(r, 900) ? MLX5_HDR + rnd(r, 256) : rnd(r, 1024);
	if (n > 1024)
		n = 1024;
	for (i = 0; i < n; i++)
		req[i] = random_bytes ? rnd32(r) : 0;
	if (!random_bytes || chance(r, 700)) {
		switch (rnd(r, 6)) {
		case 0:
			opcode = PICK(r, mlx5_config_ops);
			break;
		case 1:
		case 2:
			opcode = PICK(r, mlx5_ro_ops);
			break;
		case 3:
			opcode = PICK(r, ((const uint16_t[]){ MLX5_OP_SET_DIAG,
				 MLX5_OP_ACCESS_REG, MLX5_OP_ACCESS_REG_USER }));
			break;
		case 4:
			opcode = PICK(r, mlx5_refused_ops);
			break;
		default:
			opcode = rnd32(r);
			break;
		}
		op_mod = chance(r, 700) ? rnd(r, 2) : rnd32(r);
		req[0] = opcode >> 8;
		req[1] = opcode;
		req[6] = op_mod >> 8;
		req[7] = op_mod;
	}
	*in_len = n;
	if (chance(r, 50))
		*in_len = rnd(r, MLX5_HDR);
	*out_len = chance(r, 900) ? MLX5_HDR + rnd(r, 4096) : rnd(r, MLX5_HDR);
	if (chance(r, 10))
		*out_len = MAX_LEN;
	return n;
}

/* ------------------------------------------------------------------ */
/* Running and checking a call.                                        */

static void check_answer(struct worker *w, struct call *c,
			 const struct fwctl_rpc *after)
{
	const unsigned char *out = (const unsigned char *)c->out.addr;
	const unsigned char *in = (const unsigned char *)c->in.addr;
	struct model *m = &c->m;
	uint64_t n, i;
	char desc[512];

	if (after->out_len < m->lo || after->out_len > m->hi) {
		call_format(c, desc, sizeof(desc));
		violation(&w->st, "%s: reported out_len %u, expected %llu..%llu",
			  desc, after->out_len, (unsigned long long)m->lo,
			  (unsigned long long)m->hi);
		return;
	}
	/* Nothing written past out_len (bytes we set before the call). */
	if (c->out.cls == P_OUT && c->out.avail_w >= (uint64_t)c->rpc.out_len + 8) {
		for (i = 0; i < 8; i++) {
			if (out[c->rpc.out_len + i] != 0xa5) {
				call_format(c, desc, sizeof(desc));
				violation(&w->st, "%s: byte %u written, past out_len",
					  desc, (unsigned int)(c->rpc.out_len + i));
				return;
			}
		}
	}
	if (c->out.cls != P_OUT)
		return;
	n = after->out_len < c->rpc.out_len ? after->out_len : c->rpc.out_len;
	switch (m->v) {
	case V_ECHO:
		if (memcmp(out, in, n)) {
			call_format(c, desc, sizeof(desc));
			violation(&w->st, "%s: echo differs from the request", desc);
			return;
		}
		break;
	case V_LEN:
		for (i = 0; i < n; i += (n > 256 && i == 127) ? n - 256 : 1) {
			if (out[i] != (unsigned char)(i + m->seed)) {
				call_format(c, desc, sizeof(desc));
				violation(&w->st, "%s: LEN byte %llu is %#x",
					  desc, (unsigned long long)i, out[i]);
				return;
			}
		}
		break;
	case V_SCOPE: {
		struct fwctl_test_scope_reply rep;

		if (n < sizeof(rep))
			break;
		memcpy(&rep, out, sizeof(rep));
		if (rep.scope != c->rpc.scope || rep.in_len != c->rpc.in_len ||
		    rep.out_len != c->rpc.out_len ||
		    rep.uctx_id != c->slot->uctx_id) {
			call_format(c, desc, sizeof(desc));
			violation(&w->st,
				  "%s: driver saw scope %u in_len %llu out_len %llu uctx %u (FD's %u)",
				  desc, rep.scope,
				  (unsigned long long)rep.in_len,
				  (unsigned long long)rep.out_len, rep.uctx_id,
				  c->slot->uctx_id);
			return;
		}
		break;
	}
	case V_CXL_SUP: {
		uint32_t size, retval;
		uint16_t num, total;

		if (n < CXL_OUT_STRUCT + CXL_SUP_HDR)
			break;
		size = le32toh(get32(out));
		retval = le32toh(get32(out + 4));
		num = out[8] | out[9] << 8;
		total = out[10] | out[11] << 8;
		if (retval || size != CXL_SUP_HDR + m->k * CXL_ENTRY ||
		    num != m->k || total != nfeats) {
			call_format(c, desc, sizeof(desc));
			violation(&w->st,
				  "%s: Get Supported Features: size %u retval %u entries %u of %u, expected %u of %d",
				  desc, size, retval, num, total, m->k, nfeats);
			return;
		}
		for (i = 0; i < m->k; i++) {
			uint64_t at = CXL_OUT_HDR + CXL_SUP_HDR + i * CXL_ENTRY;

			if (at + 16 <= n &&
			    memcmp(out + at, feats[m->arg + i].uuid, 16)) {
				call_format(c, desc, sizeof(desc));
				violation(&w->st, "%s: entry %llu is another feature",
					  desc, (unsigned long long)i);
				return;
			}
		}
		break;
	}
	default:
		break;
	}
	w->st.verified++;
}

static void check_info(struct worker *w, struct call *c,
		       const struct fwctl_info *after)
{
	const unsigned char *data = (const unsigned char *)c->out.addr;
	uint64_t len = c->info.device_data_len, i, dlen;
	char desc[512];
	uint32_t want = 0;

	switch (c->kind) {
	case K_TEST: want = FWCTL_DEVICE_TYPE_TEST; break;
	case K_CXL: want = FWCTL_DEVICE_TYPE_CXL; break;
	case K_MLX5: want = FWCTL_DEVICE_TYPE_MLX5; break;
	default: return;
	}
	if (after->out_device_type != want) {
		call_format(c, desc, sizeof(desc));
		violation(&w->st, "%s: device type %u, expected %u", desc,
			  after->out_device_type, want);
		return;
	}
	dlen = c->kind == K_TEST ? sizeof(struct fwctl_test_info) :
	       c->kind == K_CXL ? 0 : after->device_data_len;
	if (len == 0)
		dlen = 0;
	if (after->device_data_len != dlen) {
		call_format(c, desc, sizeof(desc));
		violation(&w->st, "%s: device_data_len %u, expected %llu", desc,
			  after->device_data_len, (unsigned long long)dlen);
		return;
	}
	if (c->out.cls != P_OUT || !len)
		return;
	/* The driver's data, then zeroes up to the user's length. */
	if (c->kind == K_TEST && len >= 4 &&
	    get32(data) != FWCTL_TEST_INFO_MAGIC) {
		call_format(c, desc, sizeof(desc));
		violation(&w->st, "%s: no fwctl_test magic", desc);
		return;
	}
	for (i = dlen; i < len && i < dlen + 4096; i++) {
		if (data[i]) {
			call_format(c, desc, sizeof(desc));
			violation(&w->st, "%s: device data byte %llu not zeroed",
				  desc, (unsigned long long)i);
			return;
		}
	}
	if (c->out.avail_w >= len + 8) {
		for (i = 0; i < 8; i++) {
			if (data[len + i] != 0xa5) {
				call_format(c, desc, sizeof(desc));
				violation(&w->st, "%s: written past device_data_len",
					  desc);
				return;
			}
		}
	}
	w->st.verified++;
}

/* Bytes set before the call, to see what the kernel writes. */
static void mark_out(struct call *c, uint64_t len, bool whole)
{
	unsigned char *p = (unsigned char *)c->out.addr;

	if (c->out.cls != P_OUT)
		return;
	if (whole && len <= c->out.avail_w)
		memset(p, 0xa5, len < 8192 ? len : 8192);
	if (c->out.avail_w >= len + 8)
		memset(p + len, 0xa5, 8);
}

static void run_call(struct worker *w, struct call *c)
{
	const struct ptr *a = &c->arg;
	unsigned char after[64];
	char desc[512], want[256];
	int ret, err;

	c->thread = w->id;
	c->seq = w->seq;
	expect_call(c, w->rawio);
	if (opt.trace) {
		call_format(c, desc, sizeof(desc));
		es_format(&c->allowed, want, sizeof(want));
		say("trace %s -> {%s}", desc, want);
	}
	ret = ioctl(c->fd, c->cmd, (void *)a->addr);
	err = ret ? errno : 0;
	count(&w->st, c->ck, err);
	w->st.per_kind[c->kind]++;

	/* ENODEV, unless the driver was asked for it (FWCTL_TEST_OP_FAIL). */
	if (err == ENODEV && c->slot && !es_has(&c->m.errs, ENODEV))
		atomic_store(&c->slot->dead, true);
	if (!es_has(&c->allowed, err)) {
		call_format(c, desc, sizeof(desc));
		es_format(&c->allowed, want, sizeof(want));
		violation(&w->st, "seed %#llx %s: got %s, expected {%s}",
			  (unsigned long long)opt.seed, desc, err_name(err),
			  want);
		return;
	}
	if (err || !c->respond_ok || a->cls != P_ST)
		return;
	memcpy(after, (void *)a->addr, c->cmd == FWCTL_INFO ?
	       sizeof(c->info) : sizeof(c->rpc));
	if (c->cmd == FWCTL_INFO) {
		check_info(w, c, (struct fwctl_info *)after);
		return;
	}
	if (c->m.unplug)
		atomic_fetch_add(&self_unplugs, 1);
	check_answer(w, c, (struct fwctl_rpc *)after);
}

/* ------------------------------------------------------------------ */
/* The kinds of calls.                                                 */

static void do_info(struct worker *w, struct slot *s)
{
	struct rng *r = &w->r;
	struct call c = { .ck = C_INFO, .slot = s, .kind = s->kind,
			  .fd = s->fd, .cmd = FWCTL_INFO };
	uint64_t len;

	c.info.size = sizeof(c.info);
	c.info.flags = chance(r, 40) ? 1u << rnd(r, 32) : 0;
	c.info.out_device_type = chance(r, 50) ? rnd32(r) : 0;
	switch (rnd(r, 8)) {
	case 0: len = 0; break;
	case 1: len = 1 + rnd(r, 15); break;
	case 2: len = sizeof(struct fwctl_test_info); break;
	case 3: len = rnd(r, 8192); break;
	case 4: len = boundary_len(r); break;
	default: len = 16 + rnd(r, 64); break;
	}
	c.info.device_data_len = len;
	c.out = out_buffer(w, len, true);
	if (!len && chance(r, 300))
		c.out = ptr_bad(&w->a, r);	/* never touched */
	c.info.out_device_data = c.out.addr;
	mark_out(&c, len, true);
	place_struct(w, &c, &c.info, sizeof(c.info));
	run_call(w, &c);
}

static void do_rpc(struct worker *w, struct slot *s, enum call_kind ck)
{
	static __thread unsigned char req[2048];
	struct rng *r = &w->r;
	struct call c = { .ck = ck, .slot = s, .kind = s->kind, .fd = s->fd,
			  .cmd = FWCTL_RPC };
	uint32_t in_len = 0, out_len = 0, reqlen = 0, scope;
	bool random_bytes = ck == C_RPC_RANDOM;
	bool core = ck == C_RPC_CORE;

	scope = core ? pick_scope(r) : rnd(r, 4);
	if (!core && !random_bytes && chance(r, 600))
		scope = s->kind == K_CXL ? rnd(r, 2) : rnd(r, 3);
	switch (s->kind) {
	case K_TEST:
		reqlen = gen_test(w, req, &in_len, &out_len, random_bytes);
		break;
	case K_CXL:
		reqlen = gen_cxl(w, req, &in_len, &out_len, scope,
				 random_bytes);
		break;
	case K_MLX5:
		reqlen = gen_mlx5(w, req, &in_len, &out_len, random_bytes);
		break;
	default:
		in_len = rnd(r, 64);
		out_len = rnd(r, 64);
		memset(req, 0, 64);
		reqlen = in_len;
		break;
	}
	if (random_bytes && chance(r, 300))
		in_len = rnd32(r) & (chance(r, 500) ? 0xffff : 0x3fffff);
	if (random_bytes && chance(r, 300))
		out_len = rnd32(r) & (chance(r, 500) ? 0xffff : 0x3fffff);
	if (core) {
		if (chance(r, 150))
			in_len = boundary_len(r);
		if (chance(r, 150))
			out_len = boundary_len(r);
	}
	/* An in_len past the request reads whatever follows it: zeroes. */
	if (in_len > reqlen && in_len <= 8192)
		memset(req + reqlen, 0, in_len - reqlen < sizeof(req) - reqlen ?
		       in_len - reqlen : sizeof(req) - reqlen);
	if (reqlen > sizeof(req))
		reqlen = sizeof(req);
	c.rpc.size = sizeof(c.rpc);
	c.rpc.scope = scope;
	c.rpc.in_len = in_len;
	c.rpc.out_len = out_len;
	c.in = place_request(w, req, in_len > reqlen ? (in_len < sizeof(req) ?
			     in_len : sizeof(req)) : in_len, in_len,
			     core || random_bytes);
	/* Past what we wrote, the in region holds what earlier calls left. */
	c.out = out_buffer(w, out_len, core || random_bytes);
	if (!out_len && chance(r, 200))
		c.out = ptr_bad(&w->a, r);
	c.rpc.in = c.in.addr;
	c.rpc.out = c.out.addr;
	mark_out(&c, out_len, false);
	if (core || random_bytes)
		place_struct(w, &c, &c.rpc, sizeof(c.rpc));
	else {
		c.size = sizeof(c.rpc);
		c.nz_tail = UINT64_MAX;
		c.arg = ptr_in(&w->a, P_ST, rnd(r, 1024));
		memcpy((void *)c.arg.addr, &c.rpc, sizeof(c.rpc));
	}
	run_call(w, &c);
}

static void do_badcmd(struct worker *w, struct slot *s)
{
	static const unsigned int other_types[] = { 0x01, 0x42, 0x99, 0x9b,
						    0xab, 0xcd, 0xfe };
	struct rng *r = &w->r;
	struct call c = { .ck = C_BADCMD, .slot = s, .kind = s->kind,
			  .fd = s->fd };
	unsigned int nr, type = FWCTL_TYPE, dir = 0, size = 0;
	struct fwctl_rpc rpc = { .size = sizeof(rpc) };

	switch (rnd(r, 4)) {
	case 0:	/* our type, a command that does not exist */
		nr = 2 + rnd(r, 254);
		break;
	case 1:	/* INFO or RPC with direction or size bits */
		nr = rnd(r, 2);
		dir = 1 + rnd(r, 3);
		size = rnd(r, 1 << 14);
		break;
	case 2:
		nr = rnd(r, 2);
		size = 1 + rnd(r, (1 << 14) - 1);
		break;
	default:
		type = PICK(r, other_types);
		nr = rnd(r, 256);
		dir = rnd(r, 4);
		size = rnd(r, 1 << 14);
		break;
	}
	c.cmd = (unsigned long)dir << 30 | size << 16 | type << 8 | nr;
	c.arg = ptr_in(&w->a, P_ST, 0);
	memcpy((void *)c.arg.addr, &rpc, sizeof(rpc));
	run_call(w, &c);
}

/* ------------------------------------------------------------------ */
/* FD churn.                                                           */

static bool kind_wanted(enum kind k)
{
	return opt.want[k];
}

static enum kind type_to_kind(uint32_t type)
{
	switch (type) {
	case FWCTL_DEVICE_TYPE_TEST: return K_TEST;
	case FWCTL_DEVICE_TYPE_CXL: return K_CXL;
	case FWCTL_DEVICE_TYPE_MLX5: return K_MLX5;
	default: return K_OTHER;
	}
}

/* What a new FD is on: the type, and fwctl_test's context id. */
static int probe_fd(int fd, enum kind *kind, uint32_t *uctx_id)
{
	struct fwctl_test_info ti;
	struct fwctl_info info;
	int ret;

	memset(&ti, 0, sizeof(ti));
	ret = fwctl_info_get(fd, &ti, sizeof(ti), &info);
	if (ret)
		return ret;
	*kind = type_to_kind(info.out_device_type);
	*uctx_id = *kind == K_TEST ? ti.uctx_id : 0;
	return 0;
}

static void open_errs(struct eset *s)
{
	/* The node went (ENOENT), its cdev went (ENXIO), the device went
	 * (ENODEV), or the driver's open_uctx failed. */
	es_add(s, 0);
	if (unplugs) {
		es_add(s, ENOENT);
		es_add(s, ENXIO);
		es_add(s, ENODEV);
	}
	if (env.fail_open_errno)
		es_add(s, env.fail_open_errno);
	if (env.mlx5) {		/* mlx5's open runs CREATE_UCTX */
		es_add(s, ENOMEM);
		es_add(s, EIO);
		es_add(s, EINVAL);
		es_add(s, EBUSY);
		es_add(s, EAGAIN);
		es_add(s, ENXIO);
	}
}

static void slot_fill(struct worker *w, struct slot *s)
{
	struct rng *r = &w->r;
	struct slot *src;
	enum kind kind = K_NONE;
	uint32_t uctx_id = 0;
	char path[64], desc[128], want[128];
	struct eset ok = { 0 };
	int fd, err, m, ret;

	if (chance(r, 250)) {
		/* dup() of another slot's FD. */
		src = &slots[rnd(r, NSLOTS)];
		if (src == s || pthread_rwlock_tryrdlock(&src->lock))
			return;
		if (src->fd >= 0) {
			fd = dup(src->fd);
			err = fd < 0 ? errno : 0;
			count(&w->st, C_DUP, err);
			if (fd >= 0) {
				s->fd = fd;
				s->kind = src->kind;
				s->minor = src->minor;
				s->uctx_id = src->uctx_id;
				atomic_store(&s->dead, atomic_load(&src->dead));
			} else if (err != EMFILE) {
				violation(&w->st, "dup(%d): %s", src->fd,
					  err_name(err));
			}
		}
		pthread_rwlock_unlock(&src->lock);
		return;
	}
	m = pick_device(r);
	if (m < 0)
		return;
	snprintf(path, sizeof(path), FWCTL_DEV_DIR "/fwctl%d", m);
	fd = open(path, O_RDWR | O_CLOEXEC);
	err = fd < 0 ? errno : 0;
	count(&w->st, C_OPEN, err);
	open_errs(&ok);
	if (!es_has(&ok, err)) {
		es_format(&ok, want, sizeof(want));
		snprintf(desc, sizeof(desc), "open(%s)", path);
		violation(&w->st, "%s: %s, expected {%s}", desc, err_name(err),
			  want);
	}
	if (fd < 0)
		return;
	ret = probe_fd(fd, &kind, &uctx_id);
	if (ret == -ENODEV && unplugs) {
		kind = K_DEAD;
	} else if (ret) {
		violation(&w->st, "FWCTL_INFO on a new FD of %s: %s", path,
			  err_name(-ret));
		close(fd);
		return;
	}
	if (kind != K_DEAD && !kind_wanted(kind)) {
		close(fd);
		return;
	}
	if (kind == K_TEST)
		atomic_fetch_add(&opens_test_ok, 1);
	s->fd = fd;
	s->kind = kind;
	s->minor = m;
	s->uctx_id = uctx_id;
	atomic_store(&s->dead, kind == K_DEAD);
}

static void do_churn(struct worker *w)
{
	struct slot *s = &slots[rnd(&w->r, NSLOTS)];
	int err;

	if (pthread_rwlock_trywrlock(&s->lock))
		return;
	if (s->fd >= 0 && (chance(&w->r, 500) || atomic_load(&s->dead))) {
		err = close(s->fd) ? errno : 0;
		count(&w->st, C_CLOSE, err);
		if (err)
			violation(&w->st, "close(%d): %s", s->fd,
				  err_name(err));
		s->fd = -1;
		s->kind = K_NONE;
	} else if (s->fd < 0) {
		slot_fill(w, s);
	}
	pthread_rwlock_unlock(&s->lock);
}

/*
 * Chaos: FDs CHAOS_FD0.. are dup2()ed over and closed by any thread while
 * others run ioctls on them.  open() never hands out numbers that high
 * (we keep far fewer FDs), so only this code touches them.  What such an
 * ioctl reaches is unknown: any errno fwctl or the VFS may give, or
 * success.
 */
static void do_chaos(struct worker *w)
{
	static const int any[] = {
		0, EBADF, ENOTTY, EFAULT, EINVAL, E2BIG, ENODEV, EOPNOTSUPP,
		EMSGSIZE, EPERM, EBADMSG, ENOMEM, EIO, ENXIO,
	};
	struct rng *r = &w->r;
	int target = CHAOS_FD0 + rnd(r, NCHAOS), err = 0, ret;
	struct slot *src;
	struct eset ok = { 0 };
	size_t i;

	switch (rnd(r, 4)) {
	case 0:
		src = &slots[rnd(r, NSLOTS)];
		if (pthread_rwlock_tryrdlock(&src->lock))
			return;
		if (src->fd >= 0) {
			ret = dup2(src->fd, target);
			err = ret < 0 ? errno : 0;
			count(&w->st, C_DUP2, err);
			if (err)
				violation(&w->st, "dup2(%d, %d): %s", src->fd,
					  target, err_name(err));
		}
		pthread_rwlock_unlock(&src->lock);
		return;
	case 1:
		err = close(target) ? errno : 0;
		count(&w->st, C_CLOSE, err);
		if (err && err != EBADF)
			violation(&w->st, "close(%d): %s", target,
				  err_name(err));
		return;
	default: {
		struct call c = { .ck = C_CHAOS, .kind = K_OTHER, .fd = target };
		struct fwctl_test_req req = { .op = FWCTL_TEST_OP_ECHO };
		char desc[512];

		c.cmd = chance(r, 500) ? FWCTL_INFO : FWCTL_RPC;
		c.in = ptr_in(&w->a, P_IN, 0);
		memcpy((void *)c.in.addr, &req, sizeof(req));
		c.out = ptr_in(&w->a, P_OUT, 0);
		c.arg = ptr_in(&w->a, P_ST, 0);
		if (c.cmd == FWCTL_INFO) {
			c.info.size = sizeof(c.info);
			c.info.device_data_len = 64;
			c.info.out_device_data = c.out.addr;
			memcpy((void *)c.arg.addr, &c.info, sizeof(c.info));
		} else {
			c.rpc.size = sizeof(c.rpc);
			c.rpc.scope = rnd(r, 3);
			c.rpc.in_len = sizeof(req);
			c.rpc.out_len = 64;
			c.rpc.in = c.in.addr;
			c.rpc.out = c.out.addr;
			memcpy((void *)c.arg.addr, &c.rpc, sizeof(c.rpc));
		}
		ret = ioctl(target, c.cmd, (void *)c.arg.addr);
		err = ret ? errno : 0;
		count(&w->st, C_CHAOS, err);
		for (i = 0; i < ARRAY_SIZE(any); i++)
			es_add(&ok, any[i]);
		if (!es_has(&ok, err)) {
			c.thread = w->id;
			call_format(&c, desc, sizeof(desc));
			violation(&w->st, "%s: %s", desc, err_name(err));
		}
		return;
	}
	}
}

/* ------------------------------------------------------------------ */
/* Workers.                                                            */

static int drop_rawio_thread(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	/* The raw syscalls act on this thread only (glibc would do all). */
	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[CAP_TO_INDEX(CAP_SYS_RAWIO)].effective &=
		~CAP_TO_MASK(CAP_SYS_RAWIO);
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return 0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct slot *s;
	unsigned int op, i;

	w->rawio = have_rawio;
	if (w->id == 1 && !drop_rawio_thread())
		w->rawio = has_cap_sys_rawio();
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		/*
		 * With --calls, each thread makes its share (so a seed
		 * replays the same calls), and goes on while devices are
		 * still being unplugged.
		 */
		if (opt.calls && w->st.ioctls >= w->quota &&
		    atomic_load(&plug_finished))
			break;
		w->seq++;
		op = rnd(&w->r, 1000);
		if (op < 40) {
			do_churn(w);
			continue;
		}
		if (op < 55) {
			do_chaos(w);
			continue;
		}
		/* A slot with an FD, read-locked for the call. */
		s = NULL;
		for (i = 0; i < 4 && !s; i++) {
			s = &slots[rnd(&w->r, NSLOTS)];
			if (pthread_rwlock_tryrdlock(&s->lock)) {
				s = NULL;
				continue;
			}
			if (s->fd < 0) {
				pthread_rwlock_unlock(&s->lock);
				s = NULL;
			}
		}
		if (!s) {
			do_churn(w);
			continue;
		}
		if (op < 220)
			do_info(w, s);
		else if (op < 500)
			do_rpc(w, s, C_RPC_CORE);
		else if (op < 860)
			do_rpc(w, s, C_RPC_DRIVER);
		else if (op < 970)
			do_rpc(w, s, C_RPC_RANDOM);
		else
			do_badcmd(w, s);
		pthread_rwlock_unlock(&s->lock);
	}
	atomic_fetch_add(&workers_done, 1);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Modules.                                                            */

/*
 * The mlx5 fwctl driver: the project's fwctl_mlx5, or the module
 * $FWCTL_FUZZ_MLX5_KO names (upstream's mlx5_fwctl.ko on a distribution
 * kernel, where fwctl_mlx5 stands aside), by its file name.
 */
static const char *mlx5_ko;
static const char *mlx5_pci;	/* see mlx5_pci_bind() */
static char mlx5_mod[64] = "fwctl_mlx5";

static void mlx5_driver_from_env(void)
{
	const char *base;
	size_t n;

	mlx5_pci = getenv("FWCTL_FUZZ_MLX5_PCI");
	if (mlx5_pci && !*mlx5_pci)
		mlx5_pci = NULL;
	mlx5_ko = getenv("FWCTL_FUZZ_MLX5_KO");
	if (!mlx5_ko || !*mlx5_ko) {
		mlx5_ko = NULL;
		return;
	}
	base = strrchr(mlx5_ko, '/');
	base = base ? base + 1 : mlx5_ko;
	n = strcspn(base, ".");
	if (n >= sizeof(mlx5_mod))
		n = sizeof(mlx5_mod) - 1;
	memcpy(mlx5_mod, base, n);
	mlx5_mod[n] = '\0';
}

static const char *ko_path(const char *name, char *buf, size_t len)
{
	if (mlx5_ko && !strcmp(name, mlx5_mod)) {
		snprintf(buf, len, "%s", mlx5_ko);
		return buf;
	}
	/* The build tree's, as every kselftest finds it (fwctl_lib). */
	if (module_path(name, buf, len))
		buf[0] = '\0';
	return buf;
}

static int ko_load(const char *name, const char *params)
{
	char path[PATH_MAX];

	return module_load_file(ko_path(name, path, sizeof(path)), params);
}

static bool ko_exists(const char *name)
{
	char path[PATH_MAX];

	return !access(ko_path(name, path, sizeof(path)), R_OK);
}

/* ------------------------------------------------------------------ */
/* CXL.                                                                */

/*
 * The device memN hangs from (a PCI function with cxl_pci, a platform
 * device cxl_mem.N with cxl_test's cxl_mock_mem) and its driver, both as
 * sysfs directories: unbinding the host from its driver removes memN.
 */
static int cxl_host_of(const char *memdev, char *host, size_t hlen,
		       char *drv, size_t dlen)
{
	char path[PATH_MAX + 16], real[PATH_MAX], *slash;

	snprintf(path, sizeof(path), CXL_BUS_DIR "/%s", memdev);
	if (!realpath(path, real))
		return -errno;
	slash = strrchr(real, '/');
	if (!slash || slash == real)
		return -ENOENT;
	*slash = '\0';
	snprintf(host, hlen, "%s", real);
	snprintf(path, sizeof(path), "%s/driver", real);
	if (!realpath(path, real))
		return -errno;
	snprintf(drv, dlen, "%s", real);
	return 0;
}

/* Read the feature table and the patrol scrub's value through fwctl. */
static int cxl_read_features(int minor)
{
	unsigned char req[64], out[4096];
	struct fwctl_rpc rpc;
	char path[64];
	uint16_t num;
	int fd, i, ret = 0;

	snprintf(path, sizeof(path), FWCTL_DEV_DIR "/fwctl%d", minor);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(req, 0, sizeof(req));
	put_le32(req, CXL_OP_GET_SUPPORTED);
	put_le32(req + 8, CXL_SUP_IN);
	put_le32(req + CXL_HDR_LEN, sizeof(out) - CXL_OUT_HDR);
	memset(&rpc, 0, sizeof(rpc));
	rpc.size = sizeof(rpc);
	rpc.in_len = CXL_HDR_LEN + CXL_SUP_IN;
	rpc.out_len = sizeof(out);
	rpc.in = (uintptr_t)req;
	rpc.out = (uintptr_t)out;
	if (ioctl(fd, FWCTL_RPC, &rpc)) {
		ret = -errno;
		goto out;
	}
	num = out[8] | out[9] << 8;
	nfeats = num < MAX_FEATS ? num : MAX_FEATS;
	for (i = 0; i < nfeats; i++)
		memcpy(&feats[i], out + CXL_OUT_HDR + CXL_SUP_HDR +
		       i * CXL_ENTRY, sizeof(feats[i]));
	/* Patrol scrub: cap, cycle (le16: current, minimum), flags. */
	if (cxl_feature(scrub_uuid)) {
		memset(req, 0, sizeof(req));
		put_le32(req, CXL_OP_GET_FEATURE);
		put_le32(req + 8, CXL_GET_IN);
		memcpy(req + CXL_HDR_LEN, scrub_uuid, 16);
		put_le16(req + CXL_HDR_LEN + 18, 4);
		rpc.in_len = CXL_HDR_LEN + CXL_GET_IN;
		rpc.out_len = sizeof(out);
		if (!ioctl(fd, FWCTL_RPC, &rpc) && rpc.out_len == 20 &&
		    !get32(out + 4)) {
			scrub_cur[0] = out[CXL_OUT_HDR + 1];
			scrub_cur[1] = out[CXL_OUT_HDR + 3] & 1;
			scrub_known = true;
		}
	}
out:
	close(fd);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The plugger: devices go and come back, modules unload.             */

static struct rng plug_rng;

/* Index of every device a control directory's "devices" file lists. */
static int list_indices(const char *file, int *idx, int max)
{
	char line[128];
	int n = 0, i;
	FILE *f;

	f = fopen(file, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%d", &i) == 1 && n < max)
			idx[n++] = i;
	fclose(f);
	return n;
}

static void plug_fail(const char *what, int ret)
{
	violation(NULL, "plugger: %s: %s", what, err_name(-ret));
}

static void plug_test(void)
{
	int idx[MAX_DEVS], n, ret;

	n = list_indices(FWCTL_TEST_CTRL "/devices", idx, MAX_DEVS);
	if (n < 0) {
		plug_fail("read fwctl_test devices", n);
		return;
	}
	if (n > 0) {
		ret = fwctl_test_remove(idx[rnd(&plug_rng, n)]);
		/* ENODEV: it unplugged itself (UNPLUG RPC) meanwhile. */
		if (ret && ret != -ENODEV)
			plug_fail("fwctl_test remove", ret);
	}
	n = fwctl_test_nr_devices();
	while (n >= 0 && (unsigned int)n < opt.test_devs) {
		ret = fwctl_test_add(1);
		if (ret) {
			plug_fail("fwctl_test add", ret);
			break;
		}
		n++;
	}
	atomic_fetch_add(&n_plug_test, 1);
}

static void plug_cxl(void)
{
	const char *name = strrchr(env.cxl_host, '/') + 1;
	char path[PATH_MAX + 16];
	int ret;

	snprintf(path, sizeof(path), "%s/unbind", env.cxl_drv);
	ret = write_file(path, name);
	if (ret) {
		plug_fail("unbind the CXL memdev's host", ret);
		return;
	}
	if (cxl_first_fwctl_in(env.cxl_host, NULL, 0) >= 0)
		violation(NULL, "plugger: %s keeps a fwctl device after unbind",
			  name);
	refresh_devices();
	snprintf(path, sizeof(path), "%s/bind", env.cxl_drv);
	ret = write_file(path, name);
	if (ret) {
		plug_fail("bind the CXL memdev's host", ret);
		return;
	}
	if (cxl_wait_fwctl_in(env.cxl_host, 20000) < 0)
		violation(NULL, "plugger: no CXL fwctl device 20 s after binding %s",
			  name);
	atomic_fetch_add(&n_plug_cxl, 1);
}

#define MLX5_SIM_CTRL	"/sys/kernel/mlx5_sim"

/*
 * $FWCTL_FUZZ_MLX5_PCI: a PCI function (QEMU's pci-testdev) the simulator
 * drives as mlx5_core does a ConnectX, for drivers that need one
 * (upstream's mlx5_fwctl); unplugged by unbinding it from mlx5_core.
 * Otherwise the simulator's own virtual devices, added and removed.
 */
static int mlx5_pci_bind(bool bind)
{
	char path[PATH_MAX];
	int ret;

	if (bind) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
			 mlx5_pci);
		ret = write_file(path, "mlx5_core");
		return ret ? ret : write_file("/sys/bus/pci/drivers_probe", mlx5_pci);
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/mlx5_core/%s", mlx5_pci);
	if (access(path, F_OK))
		return 0;
	return write_file("/sys/bus/pci/drivers/mlx5_core/unbind", mlx5_pci);
}

static void plug_mlx5(void)
{
	char buf[32];
	int idx[MAX_DEVS], n, ret;

	if (mlx5_pci) {
		ret = mlx5_pci_bind(false);
		if (ret)
			plug_fail("unbind the mlx5 PCI function", ret);
		ret = mlx5_pci_bind(true);
		if (ret)
			plug_fail("bind the mlx5 PCI function", ret);
		atomic_fetch_add(&n_plug_mlx5, 1);
		return;
	}

	n = list_indices(MLX5_SIM_CTRL "/devices", idx, MAX_DEVS);
	if (n < 0) {
		plug_fail("read mlx5_sim devices", n);
		return;
	}
	if (n > 0) {
		snprintf(buf, sizeof(buf), "%d\n", idx[rnd(&plug_rng, n)]);
		ret = write_file(MLX5_SIM_CTRL "/remove", buf);
		if (ret)
			plug_fail("mlx5_sim remove", ret);
	}
	ret = write_file(MLX5_SIM_CTRL "/add", "1\n");
	if (ret)
		plug_fail("mlx5_sim add", ret);
	atomic_fetch_add(&n_plug_mlx5, 1);
}

/*
 * An FD on a device of a driver module that plug_modules() unloads, to
 * hold while it does (not cxl_core's: the kernel's CXL stack stays); -1 if
 * none opens.
 */
static int open_any(void)
{
	char path[64];
	enum kind k;
	uint32_t id;
	int i, fd;

	refresh_devices();
	for (i = 0; i < 16; i++) {
		int m = pick_device(&plug_rng);

		if (m < 0)
			return -1;
		snprintf(path, sizeof(path), FWCTL_DEV_DIR "/fwctl%d", m);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (env.cxl_loaded || probe_fd(fd, &k, &id) || k != K_CXL)
			return fd;
		close(fd);
	}
	return -1;
}

static void expect_orphaned(int fd, const char *when)
{
	struct fwctl_info info;
	int ret = fwctl_info_get(fd, NULL, 0, &info);

	if (ret != -ENODEV)
		violation(NULL, "plugger: FWCTL_INFO on an FD %s: %s, expected ENODEV",
			  when, err_name(-ret));
}

/*
 * Every driver module unloads with FDs open, after which those FDs get
 * ENODEV; fwctl refuses to unload while an FD is open.
 */
static void plug_modules(void)
{
	int fd, ret;

	fd = open_any();
	if (env.test_loaded) {
		ret = module_unload("fwctl_test");
		if (ret)
			plug_fail("rmmod fwctl_test with FDs open", ret);
	}
	if (env.cxl_loaded) {
		ret = module_unload("fwctl_cxl");
		if (ret)
			plug_fail("rmmod fwctl_cxl with FDs open", ret);
	}
	if (env.mlx5_loaded) {
		ret = module_unload(mlx5_mod);
		if (ret)
			plug_fail("rmmod the mlx5 fwctl driver with FDs open", ret);
	}
	refresh_devices();
	if (fd >= 0) {
		expect_orphaned(fd, "after its driver unloaded");
		ret = module_unload("fwctl");
		if (ret != -EWOULDBLOCK && ret != -EBUSY) {
			violation(NULL, "plugger: rmmod fwctl with an FD open: %s, expected EWOULDBLOCK or EBUSY",
				  ret ? err_name(-ret) : "success");
			if (!ret)
				ko_load("fwctl", "");
		}
		expect_orphaned(fd, "after rmmod fwctl failed");
	}
	if (env.test_loaded) {
		ret = ko_load("fwctl_test", test_params());
		if (ret)
			plug_fail("insmod fwctl_test", ret);
	}
	if (env.cxl_loaded) {
		ret = ko_load("fwctl_cxl", CXL_LAB_PARAMS);
		if (ret)
			plug_fail("insmod fwctl_cxl", ret);
		cxl_wait_fwctl_in(CXL_BUS_DIR, 20000);
	}
	if (env.mlx5_loaded) {
		ret = ko_load(mlx5_mod, "");
		if (ret)
			plug_fail("insmod the mlx5 fwctl driver", ret);
	}
	if (fd >= 0)
		close(fd);
	atomic_fetch_add(&module_cycles_done, 1);
}

static void *plugger_main(void *arg)
{
	unsigned int i = 0, every;
	unsigned int choices[3], n = 0;

	(void)arg;
	rng_seed(&plug_rng, opt.seed, 1000);
	if (env.test)
		choices[n++] = K_TEST;
	if (env.cxl)
		choices[n++] = K_CXL;
	if (env.mlx5)
		choices[n++] = K_MLX5;
	/* Spread the module cycles over the device cycles. */
	every = opt.module_cycles ?
		(opt.cycles / opt.module_cycles ? opt.cycles /
		 opt.module_cycles : 1) : 0;
	while (!atomic_load(&stop)) {
		bool cycles_left = atomic_load(&plug_cycles) < opt.cycles;
		bool modules_left = atomic_load(&module_cycles_done) <
				    opt.module_cycles;

		if (!cycles_left && !modules_left) {
			/* Done: keep devices still for the workers. */
			atomic_store(&plug_finished, true);
			sleep_ms(50);
			continue;
		}
		long long t0 = now_ms();

		if (modules_left && (!cycles_left ||
				     (every && i % every == every / 2))) {
			plug_modules();
			atomic_fetch_add(&plug_ms[NR_KINDS], now_ms() - t0);
		} else if (n) {
			unsigned int k = choices[rnd(&plug_rng, n)];

			/* fwctl_test cycles are cheap; CXL ones are not. */
			if (k == K_CXL && env.test && !chance(&plug_rng, 150))
				k = K_TEST;
			if (k == K_MLX5 && env.test && chance(&plug_rng, 300))
				k = K_TEST;
			if (k == K_TEST)
				plug_test();
			else if (k == K_CXL)
				plug_cxl();
			else
				plug_mlx5();
			atomic_fetch_add(&plug_cycles, 1);
			atomic_fetch_add(&plug_ms[k], now_ms() - t0);
		}
		refresh_devices();
		i++;
		/* fail_open now and then: the next open of a test device. */
		if (env.fail_open_errno && chance(&plug_rng, 100))
			fwctl_test_fail_open(env.fail_open_errno);
	}
	if (env.fail_open_errno)
		fwctl_test_fail_open(0);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Kernel log.                                                         */

static const char *const splat_words[] = {
	"BUG:", "WARNING:", "KASAN:", "UBSAN:", "unreferenced object",
	"possible circular locking", "possible recursive locking",
	"inconsistent lock state", "lockdep is turned off", "suspicious RCU", "Oops",
	"general protection fault", "Kernel panic", "panicked at",
	"rust_panic", "refcount_t:", "list_add corruption",
	"list_del corruption", "list corrupted", "stack-protector",
	"hung_task", "blocked for more than",
};

/* Splat lines logged since the last call; prints the first ones. */
static int count_splats(int kfd)
{
	static char buf[1 << 20];
	static int printed;
	char *line, *save;
	int n = 0, len;
	size_t i;

	len = kmsg_read_new(kfd, buf, sizeof(buf));
	if (len <= 0)
		return 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		for (i = 0; i < ARRAY_SIZE(splat_words); i++) {
			if (strstr(line, splat_words[i])) {
				if (printed++ < 40)
					say("splat: %s", line);
				n++;
				break;
			}
		}
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* Leak checks.                                                        */

#define KMEMLEAK	"/sys/kernel/debug/kmemleak"
#define MAX_LEAKS	4096

/* Addresses of the objects kmemleak lists now. */
static int kmemleak_list(unsigned long *addr, int max, bool print, int skip_n,
			 const unsigned long *skip)
{
	char line[512];
	unsigned long a;
	bool show = false;
	int n = 0, i, printed = 0;
	FILE *f;

	f = fopen(KMEMLEAK, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "unreferenced object 0x%lx", &a) == 1) {
			show = false;
			for (i = 0; i < skip_n; i++)
				if (skip[i] == a)
					break;
			if (i < skip_n)
				continue;
			if (n < max)
				addr[n] = a;
			n++;
			show = print && printed++ < 20;
		}
		if (show)
			say("kmemleak: %.*s", (int)strcspn(line, "\n"), line);
	}
	fclose(f);
	return n;
}

static unsigned long leaks_before[MAX_LEAKS];
static int nleaks_before;

/* fwctl's refcount: its dependent modules plus open files. */
static int core_refcnt(unsigned long long *refcnt, int *holders)
{
	int ret = read_ull("/sys/module/fwctl/refcnt", refcnt);

	if (ret)
		return ret;
	*holders = count_dir_entries("/sys/module/fwctl/holders", "");
	/* ".", ".." */
	*holders -= 2;
	return 0;
}

/* Objects in use in a slab cache, after emptying KASAN's quarantine. */
static long long slab_objects(const char *cache)
{
	char path[128], buf[64];
	long long n;

	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", cache);
	write_file(path, "1");
	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/objects", cache);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	if (sscanf(buf, "%lld", &n) != 1)
		return -1;
	return n;
}

static const char *const kmalloc_caches[] = {
	"kmalloc-8", "kmalloc-16", "kmalloc-32", "kmalloc-64", "kmalloc-96",
	"kmalloc-128", "kmalloc-192", "kmalloc-256", "kmalloc-512",
	"kmalloc-1k", "kmalloc-2k", "kmalloc-4k", "kmalloc-8k",
};
#define NCACHES	ARRAY_SIZE(kmalloc_caches)

/* Every cache's count, or (all false) only the one of index only. */
static void slab_snapshot(long long *v, bool all, size_t only)
{
	size_t i;

	for (i = 0; i < NCACHES; i++)
		v[i] = all || i == only ? slab_objects(kmalloc_caches[i]) : 0;
}

/*
 * The core's objects in the slab.  fwctl_test is loaded with uctx_size and
 * dev_size parameters that put both the core's user contexts (one per
 * open FD) and its devices in kmalloc-8k, the largest generic cache, which
 * nothing else on the guest uses much.  The calibration checks that
 * opening 128 FDs and adding 24 devices adds exactly that many objects
 * there, and measures how much the count moves by itself (its noise).
 * Other caches that grow with devices (names, the driver core's and the
 * faux bus's objects) are reported for information only.
 */
#define CORE_CACHE	"kmalloc-8k"
static struct {
	bool done;
	int core;			/* index of CORE_CACHE */
	long long base[NCACHES], noise[NCACHES];
	bool info[NCACHES];		/* grows with devices, not the core's */
} slab;

#define CAL_FDS		128
#define CAL_DEVS	24

static long long absdiff(long long a, long long b)
{
	return a > b ? a - b : b - a;
}

static void slab_calibrate(void)
{
	long long a0[NCACHES], a[NCACHES], b[NCACHES], c[NCACHES];
	long long d[NCACHES], e[NCACHES];
	int fds[CAL_FDS], idx[MAX_DEVS], i, n, minor;
	char path[64];
	size_t k;

	if (!env.test || access("/sys/kernel/slab/" CORE_CACHE "/objects", R_OK)) {
		say("slab: no /sys/kernel/slab/" CORE_CACHE " or no fwctl_test: the core's objects are not counted");
		return;
	}
	if (opt.uctx_size <= 4096 || opt.uctx_size > 8192 ||
	    opt.dev_size <= 4096 || opt.dev_size > 8192 - 1024) {
		say("slab: --uctx-size or --dev-size outside " CORE_CACHE ": the core's objects are not counted");
		return;
	}
	for (k = 0; k < NCACHES; k++)
		if (!strcmp(kmalloc_caches[k], CORE_CACHE))
			slab.core = k;
	n = list_indices(FWCTL_TEST_CTRL "/devices", idx, MAX_DEVS);
	if (n <= 0 || (minor = fwctl_test_minor(idx[0])) < 0)
		return;
	snprintf(path, sizeof(path), FWCTL_DEV_DIR "/fwctl%d", minor);
	/* The other caches only at c, d and e: each count costs time. */
	slab_snapshot(a0, false, slab.core);
	sleep_ms(200);
	slab_snapshot(a, false, slab.core);
	for (i = n = 0; i < CAL_FDS; i++) {
		fds[i] = open(path, O_RDWR | O_CLOEXEC);
		n += fds[i] >= 0;
	}
	slab_snapshot(b, false, slab.core);
	for (i = 0; i < CAL_FDS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	slab_snapshot(c, true, 0);
	fwctl_test_add(CAL_DEVS);
	slab_snapshot(d, true, 0);
	n = list_indices(FWCTL_TEST_CTRL "/devices", idx, MAX_DEVS);
	for (i = opt.test_devs; i < n; i++)
		fwctl_test_remove(idx[i]);
	slab_snapshot(e, true, 0);
	for (k = 0; k < NCACHES; k++) {
		long long noise = absdiff(e[k], c[k]);

		/* Back where they were after closing and removing. */
		if ((int)k == slab.core) {
			noise = absdiff(a[k], a0[k]);
			if (absdiff(c[k], a[k]) > noise)
				noise = absdiff(c[k], a[k]);
			if (absdiff(e[k], c[k]) > noise)
				noise = absdiff(e[k], c[k]);
		}
		slab.noise[k] = noise;
		slab.base[k] = e[k];
		slab.info[k] = (int)k != slab.core &&
			       d[k] - c[k] >= CAL_DEVS * 9 / 10;
		if (getenv("FWCTL_FUZZ_DEBUG"))
			say("slab: %s: idle %lld %lld, %lld with FDs, %lld closed, %lld with devices, %lld removed",
			    kmalloc_caches[k], a0[k], a[k], b[k], c[k], d[k],
			    e[k]);
	}
	k = slab.core;
	say("slab: " CORE_CACHE ": %+lld objects for %d FDs, %+lld for %d devices, noise %lld",
	    b[k] - a[k], CAL_FDS, d[k] - c[k], CAL_DEVS, slab.noise[k]);
	if (absdiff(b[k] - a[k], CAL_FDS) > slab.noise[k] ||
	    absdiff(d[k] - c[k], CAL_DEVS) > slab.noise[k] ||
	    slab.noise[k] > 4) {
		say("slab: " CORE_CACHE " does not count the core's objects here (fwctl_test loaded without uctx_size and dev_size?): not checked");
		return;
	}
	slab.done = true;
}

/* Put the fwctl_test devices back to opt.test_devs of them. */
static void test_devices_reset(void)
{
	if (!env.test)
		return;
	fwctl_test_remove(-1);
	fwctl_test_add(opt.test_devs);
}

struct leaks {
	int n;
	int kmemleak;
};

static void leak(struct leaks *l, const char *fmt, ...)
{
	va_list ap;

	l->n++;
	pthread_mutex_lock(&out_lock);
	printf("# LEAK: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

/*
 * After the run, with every FD closed:
 *  1. fwctl_test's and mlx5_sim's live user contexts are back to 0 (the
 *     driver's close_uctx ran for each open_uctx);
 *  2. fwctl's refcount is its dependent modules' count: no file is
 *     left open inside the kernel (each open FD pins the core);
 *  3. the core's objects in the slab, user contexts and devices, are back
 *     at their count before the run (see slab_calibrate()), after emptying
 *     KASAN's quarantine;
 *  4. the core freed every device: with all fwctl devices gone, the next
 *     ones get minors 0, 1, 2... (a device's minor is released together
 *     with its memory, in the device's release);
 *  5. with --kmemleak, after the 5 s kmemleak needs: a scan finds no
 *     unreferenced object that was not listed before the run.
 */
static void leak_check(struct leaks *l, long long t_quiet)
{
	unsigned long long live, refcnt;
	unsigned long addr[64];
	long long now[NCACHES], wait;
	int holders, ret, n, i, idx[MAX_DEVS], minor;
	size_t k;

	if (env.test) {
		ret = fwctl_test_count("live_uctx", &live);
		if (ret)
			leak(l, "fwctl_test live_uctx: %s", err_name(-ret));
		else if (live)
			leak(l, "fwctl_test live_uctx is %llu with every FD closed",
			     live);
		else
			say("leak check: fwctl_test live_uctx 0");
	}
	if (env.mlx5) {
		ret = read_ull(MLX5_SIM_CTRL "/live_uctx", &live);
		if (ret)
			leak(l, "mlx5_sim live_uctx: %s", err_name(-ret));
		else if (live)
			leak(l, "mlx5_sim live_uctx is %llu with every FD closed",
			     live);
		else
			say("leak check: mlx5_sim live_uctx 0");
	}
	for (i = 0; i < 40; i++) {
		ret = core_refcnt(&refcnt, &holders);
		if (ret || refcnt == (unsigned long long)holders)
			break;
		sleep_ms(50);
	}
	if (ret)
		leak(l, "fwctl refcnt: %s", err_name(-ret));
	else if (refcnt != (unsigned long long)holders)
		leak(l, "fwctl refcnt %llu with %d dependent modules and no FD open",
		     refcnt, holders);
	else
		say("leak check: fwctl refcnt %llu = dependent modules",
		    refcnt);

	if (slab.done) {
		long long tol = 4 + 2 * slab.noise[slab.core], delta;

		test_devices_reset();
		/*
		 * Objects freed after an RCU grace period, or by work still
		 * queued, may lag: a count over the tolerance must stay over
		 * it for two seconds to be a leak.
		 */
		for (i = 0; i < 5; i++) {
			if (i)
				sleep_ms(500);
			slab_snapshot(now, false, slab.core);
			if (now[slab.core] - slab.base[slab.core] <= tol)
				break;
		}
		delta = now[slab.core] - slab.base[slab.core];
		if (delta > tol)
			leak(l, CORE_CACHE ": %lld objects, %lld before the run: %+lld of the core's user contexts or devices (tolerance %lld)",
			     now[slab.core], slab.base[slab.core], delta, tol);
		else
			say("leak check: the core's objects in " CORE_CACHE ": %+lld (tolerance %lld)",
			    delta, tol);
		/* The core's cache is not among these. */
		slab_snapshot(now, true, 0);
		for (k = 0; k < NCACHES; k++)
			if (slab.info[k])
				say("slab, for information (not the core's objects): %s %+lld (noise %lld)",
				    kmalloc_caches[k], now[k] - slab.base[k],
				    slab.noise[k]);
	}

	/* Devices: with none left, new ones get the lowest minors. */
	if (env.test) {
		fwctl_test_remove(-1);
		if (env.cxl_loaded)
			module_unload("fwctl_cxl");
		if (env.mlx5_loaded)
			module_unload(mlx5_mod);
		refresh_devices();
		pthread_mutex_lock(&devs_lock);
		n = ndevs;
		pthread_mutex_unlock(&devs_lock);
		if (n) {
			say("leak check: device release skipped: %d fwctl device(s) of other drivers",
			    n);
		} else {
			fwctl_test_add(4);
			n = list_indices(FWCTL_TEST_CTRL "/devices", idx,
					 MAX_DEVS);
			for (i = 0; i < n; i++) {
				minor = fwctl_test_minor(idx[i]);
				if (minor != i) {
					leak(l, "a new device got fwctl%d where fwctl%d was expected: a device was never released",
					     minor, i);
					break;
				}
			}
			if (i == n)
				say("leak check: every device released (new ones are fwctl0..%d)",
				    n - 1);
			fwctl_test_remove(-1);
		}
	}

	if (opt.kmemleak) {
		l->kmemleak = -1;
		if (access(KMEMLEAK, F_OK)) {
			say("leak check: kmemleak skipped: not in this kernel");
			return;
		}
		if (locked) {
			say("leak check: kmemleak skipped: lockdown closes debugfs");
			return;
		}
		l->kmemleak = 0;
		/* Objects younger than 5 s are not reported yet. */
		wait = t_quiet + 5500 - now_ms();
		if (wait > 0)
			sleep_ms(wait);
		if (write_file(KMEMLEAK, "scan")) {
			leak(l, "kmemleak: cannot scan");
			return;
		}
		n = kmemleak_list(addr, ARRAY_SIZE(addr), true, nleaks_before,
				  leaks_before);
		if (n > 0) {
			l->kmemleak = n;
			leak(l, "kmemleak: %d new unreferenced object(s)", n);
		} else {
			say("leak check: kmemleak finds nothing new");
		}
	}
}

/* ------------------------------------------------------------------ */
/* Setup.                                                              */

static bool cleanup_test, cleanup_cxl, cleanup_sim, cleanup_mlx5;

/* The kind of device fwctlM, K_NONE if it does not open. */
static enum kind device_kind(int minor)
{
	enum kind k = K_NONE;
	char path[64];
	uint32_t id;
	int fd;

	snprintf(path, sizeof(path), FWCTL_DEV_DIR "/fwctl%d", minor);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return K_NONE;
	if (probe_fd(fd, &k, &id))
		k = K_NONE;
	close(fd);
	return k;
}

static void unload_ours(void)
{
	if (getenv("FWCTL_KEEP_MODULES"))
		return;
	if (cleanup_mlx5)
		module_unload(mlx5_mod);
	if (cleanup_sim)
		module_unload("mlx5_sim");
	if (cleanup_cxl)
		module_unload("fwctl_cxl");
	if (cleanup_test)
		module_unload("fwctl_test");
}

static int setup(void)
{
	char word[64], memdev[NAME_MAX + 1];
	long long deadline;
	int ret, minor, n;

	mlx5_driver_from_env();
	ensure_debugfs();
	have_rawio = has_cap_sys_rawio();
	locked = lockdown_locked(word, sizeof(word));

	if (!module_is_loaded("fwctl")) {
		ret = ko_load("fwctl", "");
		if (ret) {
			say("insmod fwctl: %s", err_name(-ret));
			return ret;
		}
	}
	if (!read_word(FWCTL_GLOBAL_MAX_SCOPE, word, sizeof(word)))
		max_scope_level = policy_level(word);
	if (max_scope_level < 0)
		max_scope_level = POLICY_LEVELS - 1;

	if (opt.want[K_TEST]) {
		if (!module_is_loaded("fwctl_test")) {
			ret = ko_load("fwctl_test", test_params());
			if (ret) {
				say("insmod fwctl_test: %s", err_name(-ret));
				return ret;
			}
			cleanup_test = true;
		}
		env.test_loaded = true;
		env.test = true;
		test_devices_reset();
	}

	if (!opt.want[K_CXL]) {
		snprintf(env.cxl_skip, sizeof(env.cxl_skip), "not asked for");
	} else if (cxl_count_memdevs() <= 0) {
		snprintf(env.cxl_skip, sizeof(env.cxl_skip),
			 "no CXL memdev in " CXL_BUS_DIR " (guest without the CXL device)");
	} else {
		/*
		 * fwctl_cxl registers the memdevs' fwctl devices, unless the
		 * kernel's cxl_core does (CONFIG_CXL_FEATURES, as on a
		 * distribution kernel): its devices are fuzzed and unplugged
		 * the same way, but its module is not cycled.
		 */
		if (module_is_loaded("fwctl_cxl") ||
		    cxl_first_fwctl(NULL, 0) < 0) {
			if (!module_is_loaded("fwctl_cxl")) {
				ret = ko_load("fwctl_cxl", CXL_LAB_PARAMS);
				if (ret) {
					say("insmod fwctl_cxl: %s", err_name(-ret));
					return ret;
				}
				cleanup_cxl = true;
			}
			env.cxl_loaded = true;
			cxl_wait_fwctl_in(CXL_BUS_DIR, 20000);
		}
		minor = cxl_first_fwctl(memdev, sizeof(memdev));
		if (minor < 0) {
			say("CXL memdev(s) but no fwctl device under any");
			return -ENODEV;
		}
		ret = cxl_read_features(minor);
		if (ret) {
			say("CXL Get Supported Features: %s", err_name(-ret));
			return ret;
		}
		ret = cxl_host_of(memdev, env.cxl_host, sizeof(env.cxl_host),
				  env.cxl_drv, sizeof(env.cxl_drv));
		if (ret) {
			say("no host device and driver above %s: %s", memdev,
			    err_name(-ret));
			return ret;
		}
		env.cxl = true;
		say("cxl: %s (%s, driver %s) is fwctl%d (%s), %d features%s",
		    memdev, strrchr(env.cxl_host, '/') + 1,
		    strrchr(env.cxl_drv, '/') + 1, minor,
		    env.cxl_loaded ? "fwctl_cxl" : "the kernel's cxl_core", nfeats,
		    scrub_known ? ", patrol scrub value kept" : "");
	}

	if (!opt.want[K_MLX5]) {
		snprintf(env.mlx5_skip, sizeof(env.mlx5_skip), "not asked for");
	} else if (!ko_exists("mlx5_sim")) {
		snprintf(env.mlx5_skip, sizeof(env.mlx5_skip),
			 "tools/testing/mlx5_sim/mlx5_sim.ko is not built");
	} else if (!ko_exists(mlx5_mod)) {
		snprintf(env.mlx5_skip, sizeof(env.mlx5_skip),
			 "%s.ko is not built", mlx5_mod);
	} else {
		if (!module_is_loaded("mlx5_sim")) {
			ret = ko_load("mlx5_sim", mlx5_pci ? "ndevs=0" : "ndevs=2");
			cleanup_sim = !ret;
		} else {
			ret = 0;
		}
		if (!ret && mlx5_pci)
			ret = mlx5_pci_bind(true);
		if (ret) {
			snprintf(env.mlx5_skip, sizeof(env.mlx5_skip),
				 "insmod mlx5_sim: %s", err_name(-ret));
		} else {
			if (!module_is_loaded(mlx5_mod)) {
				ret = ko_load(mlx5_mod, "");
				cleanup_mlx5 = !ret;
			}
			/* fwctl_mlx5 binds mlx5_core.fwctl.N: a type-MLX5 device. */
			deadline = now_ms() + 3000;
			while (!ret && !env.mlx5 && now_ms() < deadline) {
				refresh_devices();
				for (n = 0; n < ndevs && !env.mlx5; n++)
					env.mlx5 = device_kind(devs[n]) == K_MLX5;
				if (!env.mlx5)
					sleep_ms(100);
			}
			if (ret)
				snprintf(env.mlx5_skip, sizeof(env.mlx5_skip),
					 "insmod %s: %s", mlx5_mod, err_name(-ret));
			else if (!env.mlx5)
				snprintf(env.mlx5_skip, sizeof(env.mlx5_skip),
					 "mlx5_sim and %s loaded, but no fwctl device of type MLX5 appeared", mlx5_mod);
			env.mlx5_loaded = env.mlx5;
			if (!env.mlx5) {
				if (cleanup_mlx5)
					module_unload(mlx5_mod);
				if (cleanup_sim)
					module_unload("mlx5_sim");
				cleanup_mlx5 = cleanup_sim = false;
			}
			env.sim_loaded = env.mlx5;
		}
	}
	refresh_devices();
	return 0;
}

/* ------------------------------------------------------------------ */

static void usage(void)
{
	fprintf(stderr,
		"usage: fwctl_fuzz [--seed S] [--calls N] [--time SECS] [--max-time SECS]\n"
		"                  [--threads T] [--cycles N] [--module-cycles N]\n"
		"                  [--drivers test,cxl,mlx5] [--test-devs N] [--uctx-size BYTES]\n"
		"                  [--dev-size BYTES]\n"
		"                  [--fail-open]\n"
		"                  [--kmemleak] [--no-leak-check] [--trace] [--quiet]\n");
	exit(2);
}

static uint64_t parse_num(const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		usage();
	return v;
}

static void parse_drivers(const char *list)
{
	char buf[128], *tok, *save;

	opt.want[K_TEST] = opt.want[K_CXL] = opt.want[K_MLX5] = false;
	opt.want[K_OTHER] = false;
	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "test"))
			opt.want[K_TEST] = true;
		else if (!strcmp(tok, "cxl"))
			opt.want[K_CXL] = true;
		else if (!strcmp(tok, "mlx5"))
			opt.want[K_MLX5] = true;
		else
			usage();
	}
}

/*
 * The command line, into opt (and *fail_open); true if it gave a seed.
 * Options only, in any order ("+": no reordering, so that the replay line
 * prints them as given).
 */
static bool parse_args(int argc, char **argv, bool *fail_open)
{
	enum {
		O_SEED = 256, O_CALLS, O_TIME, O_MAX_TIME, O_THREADS, O_CYCLES,
		O_MODULE_CYCLES, O_DEV_SIZE, O_UCTX_SIZE, O_TEST_DEVS,
		O_DRIVERS, O_FAIL_OPEN, O_KMEMLEAK, O_NO_LEAK_CHECK, O_TRACE,
		O_QUIET,
	};
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, O_SEED },
		{ "calls", required_argument, NULL, O_CALLS },
		{ "time", required_argument, NULL, O_TIME },
		{ "max-time", required_argument, NULL, O_MAX_TIME },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "cycles", required_argument, NULL, O_CYCLES },
		{ "module-cycles", required_argument, NULL, O_MODULE_CYCLES },
		{ "dev-size", required_argument, NULL, O_DEV_SIZE },
		{ "uctx-size", required_argument, NULL, O_UCTX_SIZE },
		{ "test-devs", required_argument, NULL, O_TEST_DEVS },
		{ "drivers", required_argument, NULL, O_DRIVERS },
		{ "fail-open", no_argument, NULL, O_FAIL_OPEN },
		{ "kmemleak", no_argument, NULL, O_KMEMLEAK },
		{ "no-leak-check", no_argument, NULL, O_NO_LEAK_CHECK },
		{ "trace", no_argument, NULL, O_TRACE },
		{ "quiet", no_argument, NULL, O_QUIET },
		{ NULL, 0, NULL, 0 },
	};
	bool seeded = false;
	int c;

	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case O_SEED:
			opt.seed = parse_num(optarg);
			seeded = true;
			break;
		case O_CALLS:
			opt.calls = parse_num(optarg);
			break;
		case O_TIME:
			opt.time = parse_num(optarg);
			break;
		case O_MAX_TIME:
			opt.max_time = parse_num(optarg);
			break;
		case O_THREADS:
			opt.threads = parse_num(optarg);
			break;
		case O_CYCLES:
			opt.cycles = parse_num(optarg);
			break;
		case O_MODULE_CYCLES:
			opt.module_cycles = parse_num(optarg);
			break;
		case O_DEV_SIZE:
			opt.dev_size = parse_num(optarg);
			break;
		case O_UCTX_SIZE:
			opt.uctx_size = parse_num(optarg);
			break;
		case O_TEST_DEVS:
			opt.test_devs = parse_num(optarg);
			break;
		case O_DRIVERS:
			parse_drivers(optarg);
			break;
		case O_FAIL_OPEN:
			*fail_open = true;
			break;
		case O_KMEMLEAK:
			opt.kmemleak = true;
			break;
		case O_NO_LEAK_CHECK:
			opt.leak_check = false;
			break;
		case O_TRACE:
			opt.trace = true;
			break;
		case O_QUIET:
			opt.quiet = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	return seeded;
}

static void print_stats(const struct stats *st)
{
	char line[2048];
	size_t used;
	int k, e;

	for (k = 0; k < NR_CALL_KINDS; k++) {
		if (!st->calls[k])
			continue;
		used = snprintf(line, sizeof(line), "%-10s %9llu:", call_name[k],
				(unsigned long long)st->calls[k]);
		for (e = 0; e <= 256 && used < sizeof(line); e++)
			if (st->errs[k][e])
				used += snprintf(line + used,
						 sizeof(line) - used, " %s=%llu",
						 e == 256 ? "errno>255" :
						 err_name(e),
						 (unsigned long long)st->errs[k][e]);
		say("%s", line);
	}
	used = snprintf(line, sizeof(line), "ioctls by device:");
	for (k = 0; k < NR_KINDS; k++)
		if (st->per_kind[k])
			used += snprintf(line + used, sizeof(line) - used,
					 " %s=%llu", kind_name[k],
					 (unsigned long long)st->per_kind[k]);
	say("%s", line);
	say("answers verified byte-wise: %llu",
	    (unsigned long long)st->verified);
}

int main(int argc, char **argv)
{
	static struct stats total;
	struct rlimit rl = { 1024, 1024 };
	struct worker *w;
	struct leaks l = { 0 };
	pthread_t plugger;
	bool seeded = false, plugging;
	unsigned long long calls;
	long long t_quiet;
	int i, k, e, kfd, splats = 0, ret;
	bool fail_open = false;
	unsigned int t;

	setvbuf(stdout, NULL, _IOLBF, 0);
	seeded = parse_args(argc, argv, &fail_open);
	if (!seeded) {
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

		if (fd < 0 || read(fd, &opt.seed, sizeof(opt.seed)) !=
		    sizeof(opt.seed))
			opt.seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
		if (fd >= 0)
			close(fd);
	}
	/* The seed first, whatever happens next. */
	printf("# fwctl_fuzz: seed %#llx\n", (unsigned long long)opt.seed);
	printf("# replay:");
	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "--seed") && strncmp(argv[i], "--seed=", 7) &&
		    (!i || strcmp(argv[i - 1], "--seed")))
			printf(" %s", argv[i]);
	printf(" --seed %#llx\n", (unsigned long long)opt.seed);
	fflush(stdout);
	if (!opt.threads || opt.threads > 64 || (!opt.calls && !opt.time))
		usage();
	if (!opt.max_time)
		opt.max_time = (opt.time ? opt.time : 600) * 4 + 120;
	if (geteuid()) {
		say("SKIP: must run as root");
		return 4;
	}
	setrlimit(RLIMIT_NOFILE, &rl);
	unplugs = opt.cycles || opt.module_cycles;
	if (fail_open)
		env.fail_open_errno = EIO;

	kfd = kmsg_open();
	if (setup()) {
		unload_ours();
		return 2;
	}
	atexit(unload_ours);
	if (!env.test && !env.cxl && !env.mlx5) {
		say("SKIP: no device to fuzz (cxl: %s; mlx5: %s)",
		    env.cxl_skip[0] ? env.cxl_skip : "-",
		    env.mlx5_skip[0] ? env.mlx5_skip : "-");
		return 4;
	}
	if (!env.cxl)
		say("cxl: SKIP: %s", env.cxl_skip);
	if (!env.mlx5)
		say("mlx5: SKIP: %s", env.mlx5_skip);
	if (opt.kmemleak && !access(KMEMLEAK, R_OK)) {
		nleaks_before = kmemleak_list(leaks_before, MAX_LEAKS, false, 0,
					      NULL);
		if (nleaks_before < 0)
			nleaks_before = 0;
		if (nleaks_before > MAX_LEAKS)
			nleaks_before = MAX_LEAKS;
	}
	if (opt.leak_check)
		slab_calibrate();
	say("%u threads, %s%llu calls, %us, %u unplug cycles, %u module cycles, drivers:%s%s%s, CAP_SYS_RAWIO %s (thread 1 without), lockdown %s, max_scope %s",
	    opt.threads, opt.calls ? "" : "unbounded ",
	    (unsigned long long)opt.calls, opt.time, opt.cycles,
	    opt.module_cycles, env.test ? " fwctl_test" : "",
	    env.cxl ? " cxl" : "", env.mlx5 ? " mlx5" : "",
	    have_rawio ? "yes" : "no", locked ? "on" : "off",
	    policy_word(max_scope_level));

	for (i = 0; i < NSLOTS; i++) {
		pthread_rwlock_init(&slots[i].lock, NULL);
		slots[i].fd = -1;
	}
	w = calloc(opt.threads, sizeof(*w));
	if (!w)
		return 2;
	t_start = now_ms();
	for (t = 0; t < opt.threads; t++) {
		w[t].id = t;
		w[t].quota = opt.calls / opt.threads +
			     (t < opt.calls % opt.threads);
		rng_seed(&w[t].r, opt.seed, t);
		ret = arena_init(&w[t].a);
		if (ret) {
			say("mmap: %s", err_name(-ret));
			return 2;
		}
		if (pthread_create(&w[t].thread, NULL, worker_main, &w[t])) {
			say("pthread_create failed");
			return 2;
		}
	}
	plugging = env.test || env.cxl || env.mlx5;
	plugging = plugging && (opt.cycles || opt.module_cycles);
	if (!plugging)
		atomic_store(&plug_finished, true);
	if (plugging && pthread_create(&plugger, NULL, plugger_main, NULL)) {
		say("pthread_create failed");
		return 2;
	}

	/* Stop when calls or time are done and so are the cycles. */
	for (;;) {
		long long ms = elapsed_ms();
		bool work_done, plug_done;

		calls = atomic_load(&total_calls);
		work_done = (opt.calls &&
			     atomic_load(&workers_done) == opt.threads) ||
			    (opt.time && ms >= opt.time * 1000LL);
		plug_done = atomic_load(&plug_cycles) >= opt.cycles &&
			    atomic_load(&module_cycles_done) >= opt.module_cycles;
		if (!plugging)
			plug_done = true;
		if (work_done && plug_done)
			break;
		if (ms >= opt.max_time * 1000LL) {
			violation(NULL, "run: minimums not reached in %u s (%llu calls, %llu cycles, %llu module cycles)",
				  opt.max_time, calls,
				  (unsigned long long)atomic_load(&plug_cycles),
				  (unsigned long long)atomic_load(&module_cycles_done));
			break;
		}
		if (!opt.quiet && ms / 1000 % 30 == 0 && ms % 1000 < 200)
			say("%lld s: %llu calls, %llu cycles, %llu module cycles, %llu violations",
			    ms / 1000, calls,
			    (unsigned long long)atomic_load(&plug_cycles),
			    (unsigned long long)atomic_load(&module_cycles_done),
			    (unsigned long long)atomic_load(&total_violations));
		/* Read the log as it comes: the ring buffer is small. */
		if (kfd >= 0)
			splats += count_splats(kfd);
		sleep_ms(200);
	}
	atomic_store(&stop, true);
	for (t = 0; t < opt.threads; t++)
		pthread_join(w[t].thread, NULL);
	if (plugging)
		pthread_join(plugger, NULL);
	t_quiet = now_ms();
	calls = atomic_load(&total_calls);
	say("ran %.1f s", (t_quiet - t_start) / 1000.0);

	for (t = 0; t < opt.threads; t++) {
		for (k = 0; k < NR_CALL_KINDS; k++) {
			total.calls[k] += w[t].st.calls[k];
			for (e = 0; e <= 256; e++)
				total.errs[k][e] += w[t].st.errs[k][e];
		}
		for (k = 0; k < NR_KINDS; k++)
			total.per_kind[k] += w[t].st.per_kind[k];
		total.verified += w[t].st.verified;
	}
	print_stats(&total);
	say("unplug cycles: %llu (fwctl_test %llu in %llu ms, cxl %llu in %llu ms, mlx5 %llu in %llu ms), module unload cycles: %llu in %llu ms, UNPLUG RPCs: %llu",
	    (unsigned long long)atomic_load(&plug_cycles),
	    (unsigned long long)atomic_load(&n_plug_test),
	    (unsigned long long)atomic_load(&plug_ms[K_TEST]),
	    (unsigned long long)atomic_load(&n_plug_cxl),
	    (unsigned long long)atomic_load(&plug_ms[K_CXL]),
	    (unsigned long long)atomic_load(&n_plug_mlx5),
	    (unsigned long long)atomic_load(&plug_ms[K_MLX5]),
	    (unsigned long long)atomic_load(&module_cycles_done),
	    (unsigned long long)atomic_load(&plug_ms[NR_KINDS]),
	    (unsigned long long)atomic_load(&self_unplugs));

	/* Close everything the run opened. */
	for (i = 0; i < NSLOTS; i++)
		if (slots[i].fd >= 0)
			close(slots[i].fd);
	for (i = 0; i < NCHAOS; i++)
		close(CHAOS_FD0 + i);
	if (opt.leak_check)
		leak_check(&l, t_quiet);
	if (kfd >= 0)
		splats += count_splats(kfd);

	printf("# fwctl_fuzz: RESULT seed=%#llx calls=%llu cycles=%llu module_cycles=%llu violations=%llu splats=%d leaks=%d kmemleak=%s\n",
	       (unsigned long long)opt.seed, calls,
	       (unsigned long long)atomic_load(&plug_cycles),
	       (unsigned long long)atomic_load(&module_cycles_done),
	       (unsigned long long)atomic_load(&total_violations), splats,
	       l.n, !opt.kmemleak ? "off" : l.kmemleak < 0 ? "skipped" :
	       l.kmemleak ? "leaks" : "clean");
	if (atomic_load(&total_violations) || splats || l.n) {
		printf("# replay: fwctl_fuzz --seed %#llx (with the same options)\n",
		       (unsigned long long)opt.seed);
		return 1;
	}
	return 0;
}
