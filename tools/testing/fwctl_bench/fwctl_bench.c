// SPDX-License-Identifier: GPL-2.0
/*
 * fwctl_bench: measures what a fwctl core costs between a tool and the
 * firmware, on the fwctl_test driver's loopback firmware (fwctl_test.h) and
 * on QEMU's CXL device.  It does not know which core is loaded: the guest
 * half of `make bench` loads one, runs it, loads the other, runs it again,
 * and tools/testing/fwctl_bench/report.py compares the JSON files.
 *
 *   fwctl_bench micro   OUT.json  round trips, floors and threads
 *   fwctl_bench scale   OUT.json  register 1..4096 devices, 10,000 open FDs
 *   fwctl_bench cxl     OUT.json  Get Supported Features, Get Feature
 *   fwctl_bench fill              push KASAN's quarantine to its limit
 *   fwctl_bench loop    rpc|info|enotty SIZE SECONDS
 *                                 one call in a loop, for a profiler
 *
 * micro needs fwctl_test loaded with copy_floor=1 and at least 8 devices;
 * scale needs it loaded with no device (ndevs=0).  Every figure comes from
 * clock_gettime(CLOCK_MONOTONIC) after a warm-up; latencies are medians and
 * 99th percentiles of single calls, throughputs count calls over a fixed
 * time.  FWCTL_BENCH_TIME scales every time budget (default 1.0).
 *
 * FWCTL_BENCH_ICOUNT=1 says the guest runs under QEMU's -icount
 * shift=0,sleep=off on one vCPU: its clock then advances one nanosecond per
 * guest instruction, so every "ns" figure counts instructions, and the same
 * call measures the same every time.  Throughputs of several threads mean
 * nothing there (the clock counts every thread's instructions, one vCPU
 * runs at a time): they are left out, and fewer samples suffice.
 *
 * Every call's result is checked (errno, lengths, and the data once per
 * figure): a figure of calls that failed would measure nothing.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <fwctl/cxl.h>
#include <fwctl/fwctl.h>
#include "fwctl_test.h"

#define TEST_CTRL	"/sys/kernel/fwctl_test"
#define COPY_DEV	"/dev/fwctl_test_copy"
#define CXL_BUS_DIR	"/sys/bus/cxl/devices"

#define MAX_THREADS	8
#define MAX_DEVS	4096
#define NR_FDS		10000
#define MAX_SAMPLES	20000

/*
 * 128 and 129 bytes: where the Rust core once moved requests from its stack
 * to the heap (all are on the heap now, as upstream gives C drivers them);
 * kept to show that no step is left there.
 */
static const unsigned int sizes[] = { 16, 128, 129, 4096, 65536, 2097152 };
#define NR_SIZES	(sizeof(sizes) / sizeof(sizes[0]))

static double time_scale = 1.0;
static bool icount;		/* FWCTL_BENCH_ICOUNT: ns are instructions */

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "fwctl_bench: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void *xmalloc(size_t len)
{
	void *p = malloc(len);

	if (!p)
		die("out of memory (%zu bytes)", len);
	return p;
}

static int xopen(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	return fd;
}

static void write_ctrl(const char *file, const char *text)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), TEST_CTRL "/%s", file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		die("open %s: %s (is fwctl_test loaded?)", path, strerror(errno));
	n = write(fd, text, strlen(text));
	if (n != (ssize_t)strlen(text))
		die("write %s to %s: %s", text, path,
		    n < 0 ? strerror(errno) : "short write");
	close(fd);
}

/* /dev/fwctl/fwctlM of every fwctl_test device, in index order. */
static int test_devices(char (*paths)[32], int max)
{
	char line[128];
	int n = 0, idx, minor;
	FILE *f;

	f = fopen(TEST_CTRL "/devices", "re");
	if (!f)
		die("%s/devices: %s (is fwctl_test loaded?)", TEST_CTRL,
		    strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%d fwctl%d", &idx, &minor) != 2)
			continue;
		if (n < max)
			snprintf(paths[n], sizeof(paths[n]),
				 "/dev/fwctl/fwctl%d", minor);
		n++;
	}
	fclose(f);
	return n;
}

/* JSON output: a small writer for nested objects of numbers and strings. */

static FILE *jf;
static int jdepth;
static bool jfirst[16];

static void jsep(void)
{
	if (!jfirst[jdepth])
		fputc(',', jf);
	jfirst[jdepth] = false;
	fprintf(jf, "\n%*s", 2 * jdepth, "");
}

static void jopen(const char *key)
{
	jsep();
	if (key)
		fprintf(jf, "\"%s\": ", key);
	fputc('{', jf);
	jfirst[++jdepth] = true;
}

static void jclose(void)
{
	jdepth--;
	fprintf(jf, "\n%*s}", 2 * jdepth, "");
}

static void jnum(const char *key, double v)
{
	jsep();
	fprintf(jf, "\"%s\": %.6g", key, v);
}

static void jstr(const char *key, const char *v)
{
	jsep();
	fprintf(jf, "\"%s\": \"%s\"", key, v);
}

static void jbegin(const char *path, const char *kind)
{
	jf = fopen(path, "we");
	if (!jf)
		die("create %s: %s", path, strerror(errno));
	jdepth = 0;
	fputc('{', jf);
	jfirst[0] = true;
	jstr("kind", kind);
}

static void jend(void)
{
	fputs("\n}\n", jf);
	if (fclose(jf))
		die("writing the JSON output: %s", strerror(errno));
}

/* The operations measured.  Each returns 0 or -errno and checks its result. */

struct op {
	int fd;
	unsigned int len;
	unsigned char *in, *out;
	bool check;		/* compare the reply with what is expected */
	int (*fn)(struct op *op);
	/* CXL */
	unsigned int cxl_in_len, cxl_out_len;
};

/* FWCTL_RPC of FWCTL_TEST_OP_ECHO: len bytes in, the same len bytes out. */
static int op_rpc(struct op *op)
{
	struct fwctl_rpc rpc = {
		.size = sizeof(rpc),
		.scope = FWCTL_RPC_CONFIGURATION,
		.in_len = op->len,
		.out_len = op->len,
		.in = (uintptr_t)op->in,
		.out = (uintptr_t)op->out,
	};

	if (ioctl(op->fd, FWCTL_RPC, &rpc))
		return -errno;
	if (rpc.out_len != op->len)
		return -EPROTO;
	if (op->check && memcmp(op->in, op->out, op->len))
		return -EPROTO;
	return 0;
}

/* FWCTL_INFO with len bytes of device data (the driver's, zero-padded). */
static int op_info(struct op *op)
{
	struct fwctl_info info = {
		.size = sizeof(info),
		.device_data_len = op->len,
		.out_device_data = (uintptr_t)op->out,
	};
	const struct fwctl_test_info *ti = (const void *)op->out;
	unsigned int i;

	if (ioctl(op->fd, FWCTL_INFO, &info))
		return -errno;
	if (info.device_data_len != sizeof(*ti) ||
	    info.out_device_type != FWCTL_DEVICE_TYPE_TEST)
		return -EPROTO;
	if (op->check) {
		if (ti->magic != FWCTL_TEST_INFO_MAGIC)
			return -EPROTO;
		for (i = sizeof(*ti); i < op->len; i++)
			if (op->out[i])
				return -EPROTO;
	}
	return 0;
}

/* An ioctl number fwctl does not have: rejected before any work. */
#define FWCTL_BENCH_BAD_IOCTL	_IO(FWCTL_TYPE, FWCTL_CMD_BASE + 0x20)

static int op_enotty(struct op *op)
{
	if (ioctl(op->fd, FWCTL_BENCH_BAD_IOCTL, 0) == 0)
		return -EPROTO;
	return errno == ENOTTY ? 0 : -errno;
}

/* open() and close() of the device: a user context made and freed. */
static const char *open_path;

static int op_open(struct op *op)
{
	int fd = open(open_path, O_RDWR | O_CLOEXEC);

	(void)op;
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* The copy floor in the shape of an RPC: len bytes in, len bytes out. */
static int op_copy_rpc(struct op *op)
{
	struct fwctl_test_copy c = {
		.in = (uintptr_t)op->in,
		.out = (uintptr_t)op->out,
		.in_len = op->len,
		.out_len = op->len,
	};

	if (ioctl(op->fd, FWCTL_TEST_COPY, &c))
		return -errno;
	if (op->check && memcmp(op->in, op->out, op->len))
		return -EPROTO;
	return 0;
}

/* The copy floor in the shape of FWCTL_INFO: len bytes out only. */
static int op_copy_info(struct op *op)
{
	struct fwctl_test_copy c = {
		.out = (uintptr_t)op->out,
		.out_len = op->len,
	};

	if (ioctl(op->fd, FWCTL_TEST_COPY, &c))
		return -errno;
	return 0;
}

/* A CXL RPC whose request was built in op->in; checks the mailbox status. */
static int op_cxl(struct op *op)
{
	const struct fwctl_rpc_cxl_out *o = (const void *)op->out;
	struct fwctl_rpc rpc = {
		.size = sizeof(rpc),
		.scope = FWCTL_RPC_CONFIGURATION,
		.in_len = op->cxl_in_len,
		.out_len = op->cxl_out_len,
		.in = (uintptr_t)op->in,
		.out = (uintptr_t)op->out,
	};

	if (ioctl(op->fd, FWCTL_RPC, &rpc))
		return -errno;
	if (rpc.out_len < sizeof(o->hdr) || o->retval)
		return -EPROTO;
	return 0;
}

/* A request of len bytes for FWCTL_TEST_OP_ECHO, with a recognisable payload. */
static void fill_echo(unsigned char *in, unsigned int len)
{
	struct fwctl_test_req req = { .op = FWCTL_TEST_OP_ECHO };
	unsigned int i;

	for (i = sizeof(req); i < len; i++)
		in[i] = (unsigned char)(i * 7 + 3);
	memcpy(in, &req, sizeof(req));
}

static void op_init(struct op *op, int fd, unsigned int len,
		    int (*fn)(struct op *))
{
	memset(op, 0, sizeof(*op));
	op->fd = fd;
	op->len = len;
	op->fn = fn;
	op->in = xmalloc(len > 4096 ? len : 4096);
	op->out = xmalloc(len > 4096 ? len : 4096);
	fill_echo(op->in, len > 16 ? len : 16);
	/* Touch every page, so that no page fault lands in a measurement. */
	memset(op->out, 0x5a, len > 4096 ? len : 4096);
}

static void op_free(struct op *op)
{
	free(op->in);
	free(op->out);
}

/* Latency: median and 99th percentile of single calls. */

struct lat {
	double median_ns, p99_ns, mean_ns;
	unsigned int n;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void run_checked(struct op *op, const char *what)
{
	int ret;

	op->check = true;
	ret = op->fn(op);
	op->check = false;
	if (ret)
		die("%s: %s", what, strerror(-ret));
}

/*
 * Warm up for a tenth of the budget, then time single calls until the
 * budget is spent and at least min_n calls were made (at most MAX_SAMPLES).
 */
static struct lat measure_lat(struct op *op, const char *what, double budget_s,
			      unsigned int min_n)
{
	static uint64_t samples[MAX_SAMPLES];
	uint64_t budget = budget_s * time_scale * 1e9, start, t0, t1;
	struct lat l = { 0 };
	unsigned int n = 0, i;
	double sum = 0;
	int ret;

	run_checked(op, what);
	start = now_ns();
	while (now_ns() - start < budget / 10)
		if ((ret = op->fn(op)))
			die("%s: %s", what, strerror(-ret));
	start = now_ns();
	while (n < MAX_SAMPLES && (n < min_n || now_ns() - start < budget)) {
		t0 = now_ns();
		ret = op->fn(op);
		t1 = now_ns();
		if (ret)
			die("%s: %s", what, strerror(-ret));
		samples[n++] = t1 - t0;
	}
	qsort(samples, n, sizeof(samples[0]), cmp_u64);
	for (i = 0; i < n; i++)
		sum += samples[i];
	l.n = n;
	l.median_ns = n % 2 ? samples[n / 2] :
		(samples[n / 2 - 1] + samples[n / 2]) / 2.0;
	l.p99_ns = samples[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1];
	l.mean_ns = sum / n;
	return l;
}

static void jlat(const char *key, struct lat l)
{
	jopen(key);
	jnum("median_ns", l.median_ns);
	jnum("p99_ns", l.p99_ns);
	jnum("mean_ns", l.mean_ns);
	jnum("n", l.n);
	jclose();
}

/*
 * One latency figure: calls of fn with a len-byte payload on fd, measured
 * as measure_lat() does and written to the JSON under key.
 */
static struct lat lat_figure(const char *key, int fd, unsigned int len,
			     int (*fn)(struct op *), const char *what,
			     double budget_s, unsigned int min_n)
{
	struct op op;
	struct lat l;

	op_init(&op, fd, len, fn);
	l = measure_lat(&op, what, budget_s, min_n);
	op_free(&op);
	jlat(key, l);
	return l;
}

/* Throughput: calls per second of nthreads threads, each with its own FD. */

struct worker {
	pthread_t tid;
	struct op op;
	pthread_barrier_t *go;
	volatile bool *stop;
	unsigned long calls;
	int err;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int ret;

	pthread_barrier_wait(w->go);
	while (!*w->stop) {
		ret = w->op.fn(&w->op);
		if (ret) {
			w->err = ret;
			break;
		}
		__atomic_fetch_add(&w->calls, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/*
 * paths[i % npaths] is thread i's device; each thread opens its own FD and
 * checks one call before the clock starts.
 */
static unsigned long total_calls(struct worker *w, int nthreads)
{
	unsigned long total = 0;
	int i;

	for (i = 0; i < nthreads; i++)
		total += __atomic_load_n(&w[i].calls, __ATOMIC_RELAXED);
	return total;
}

static double measure_tput(char (*paths)[32], int npaths, int nthreads,
			   unsigned int len, int (*fn)(struct op *),
			   const char *what, double budget_s)
{
	struct worker w[MAX_THREADS];
	volatile bool stop = false;
	unsigned long c0, c1;
	pthread_barrier_t go;
	uint64_t t0, t1;
	int i;

	pthread_barrier_init(&go, NULL, nthreads + 1);
	for (i = 0; i < nthreads; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		op_init(&w[i].op, xopen(paths[i % npaths]), len, fn);
		run_checked(&w[i].op, what);
		w[i].go = &go;
		w[i].stop = &stop;
		if (pthread_create(&w[i].tid, NULL, worker_main, &w[i]))
			die("pthread_create");
	}
	/* Warm-up of a tenth of the budget, not counted. */
	pthread_barrier_wait(&go);
	usleep(budget_s * time_scale * 1e5);
	c0 = total_calls(w, nthreads);
	t0 = now_ns();
	usleep(budget_s * time_scale * 1e6);
	c1 = total_calls(w, nthreads);
	t1 = now_ns();
	stop = true;
	for (i = 0; i < nthreads; i++) {
		pthread_join(w[i].tid, NULL);
		if (w[i].err)
			die("%s, thread %d: %s", what, i, strerror(-w[i].err));
		close(w[i].op.fd);
		op_free(&w[i].op);
	}
	pthread_barrier_destroy(&go);
	return (c1 - c0) / ((t1 - t0) / 1e9);
}

/* micro: round trips, floors, threads */

static int cmd_micro(const char *out)
{
	static char paths[MAX_DEVS][32];
	static const int nthreads[] = { 1, 2, 8 };
	char key[32], what[64];
	unsigned int s, t;
	int ndev, fd, cfd;
	struct lat l;
	double v;

	ndev = test_devices(paths, MAX_DEVS);
	if (ndev < MAX_THREADS)
		die("micro needs fwctl_test with %d devices, found %d",
		    MAX_THREADS, ndev);
	fd = xopen(paths[0]);
	cfd = xopen(COPY_DEV);

	jbegin(out, "micro");
	l = lat_figure("enotty", fd, 16, op_enotty, "ENOTTY", 0.5, 200);
	fprintf(stderr, "  enotty              median %8.1f us\n",
		l.median_ns / 1e3);

	open_path = paths[0];
	l = lat_figure("open_close", -1, 16, op_open, "open+close", 0.5, 100);
	fprintf(stderr, "  open+close          median %8.1f us\n",
		l.median_ns / 1e3);

	jopen("sizes");
	for (s = 0; s < NR_SIZES; s++) {
		unsigned int len = sizes[s];
		/* Fewer samples for the slow 2 MiB calls, as long a budget. */
		unsigned int min_n = len >= 1 << 20 ? 30 : 200;

		snprintf(key, sizeof(key), "%u", len);
		jopen(key);

		snprintf(what, sizeof(what), "FWCTL_RPC %u B", len);
		l = lat_figure("rpc", fd, len, op_rpc, what, 0.6, min_n);
		fprintf(stderr, "  rpc  %8u B       median %8.1f us  p99 %8.1f us (n=%u)\n",
			len, l.median_ns / 1e3, l.p99_ns / 1e3, l.n);

		snprintf(what, sizeof(what), "FWCTL_INFO %u B", len);
		l = lat_figure("info", fd, len, op_info, what, 0.6, min_n);
		fprintf(stderr, "  info %8u B       median %8.1f us  p99 %8.1f us (n=%u)\n",
			len, l.median_ns / 1e3, l.p99_ns / 1e3, l.n);

		snprintf(what, sizeof(what), "copy floor %u B in and out", len);
		lat_figure("copy_rpc", cfd, len, op_copy_rpc, what, 0.4, min_n);
		snprintf(what, sizeof(what), "copy floor %u B out", len);
		lat_figure("copy_info", cfd, len, op_copy_info, what, 0.4, min_n);

		/* Throughput with 1 and 2 threads, one device, an FD each. */
		for (t = 1; t <= 2 && !icount; t++) {
			snprintf(key, sizeof(key), "rpc_tput_%u", t);
			snprintf(what, sizeof(what), "FWCTL_RPC %u B, %u threads", len, t);
			v = measure_tput(paths, 1, t, len, op_rpc, what, 0.4);
			jnum(key, v);
			snprintf(key, sizeof(key), "info_tput_%u", t);
			snprintf(what, sizeof(what), "FWCTL_INFO %u B, %u threads", len, t);
			v = measure_tput(paths, 1, t, len, op_info, what, 0.4);
			jnum(key, v);
		}
		jclose();
	}
	jclose();

	/* Lock contention: 16-byte RPCs on one device or on one each. */
	jopen("threads");
	for (t = 0; t < sizeof(nthreads) / sizeof(nthreads[0]) && !icount; t++) {
		snprintf(key, sizeof(key), "one_dev_%d", nthreads[t]);
		snprintf(what, sizeof(what), "%d threads on one device", nthreads[t]);
		v = measure_tput(paths, 1, nthreads[t], 16, op_rpc, what, 0.6);
		jnum(key, v);
		fprintf(stderr, "  rpc 16 B %d thread(s), one device:   %9.0f/s\n",
			nthreads[t], v);
		snprintf(key, sizeof(key), "sep_dev_%d", nthreads[t]);
		snprintf(what, sizeof(what), "%d threads on %d devices", nthreads[t],
			 nthreads[t]);
		v = measure_tput(paths, nthreads[t], nthreads[t], 16, op_rpc, what,
				 0.6);
		jnum(key, v);
		fprintf(stderr, "  rpc 16 B %d thread(s), own devices:  %9.0f/s\n",
			nthreads[t], v);
	}
	jclose();
	jend();
	close(fd);
	close(cfd);
	return 0;
}

/* scale: kernel memory and time to register devices and to open FDs */

struct meminfo {
	long long avail_kb, slab_kb, sunreclaim_kb, vmalloc_kb, percpu_kb;
};

static struct meminfo read_meminfo(void)
{
	struct meminfo m = { 0 };
	char line[256];
	long long v;
	FILE *f;

	f = fopen("/proc/meminfo", "re");
	if (!f)
		die("/proc/meminfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "MemAvailable: %lld", &v) == 1)
			m.avail_kb = v;
		else if (sscanf(line, "Slab: %lld", &v) == 1)
			m.slab_kb = v;
		else if (sscanf(line, "SUnreclaim: %lld", &v) == 1)
			m.sunreclaim_kb = v;
		else if (sscanf(line, "VmallocUsed: %lld", &v) == 1)
			m.vmalloc_kb = v;
		else if (sscanf(line, "Percpu: %lld", &v) == 1)
			m.percpu_kb = v;
	}
	fclose(f);
	return m;
}

/* Bytes held by the objects of each slab cache (/proc/slabinfo). */
#define MAX_CACHES	1024
struct slabsnap {
	int n;
	char name[MAX_CACHES][64];
	long long bytes[MAX_CACHES];
};

static void read_slabinfo(struct slabsnap *s)
{
	long long active, total, objsize;
	char line[512], name[64];
	FILE *f;

	s->n = 0;
	f = fopen("/proc/slabinfo", "re");
	if (!f)
		die("/proc/slabinfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f) && s->n < MAX_CACHES) {
		if (sscanf(line, "%63s %lld %lld %lld", name, &active, &total,
			   &objsize) != 4)
			continue;
		snprintf(s->name[s->n], sizeof(s->name[0]), "%s", name);
		s->bytes[s->n++] = active * objsize;
	}
	fclose(f);
}

/* The caches that grew most between two snapshots, per unit. */
static void jslab_growth(const char *key, const struct slabsnap *a,
			 const struct slabsnap *b, double units)
{
	bool used[MAX_CACHES] = { false };
	long long total = 0, d;
	int i, j, k, best;

	jopen(key);
	for (i = 0; i < b->n; i++) {
		for (j = 0; j < a->n && strcmp(a->name[j], b->name[i]); j++)
			;
		d = b->bytes[i] - (j < a->n ? a->bytes[j] : 0);
		total += d;
	}
	jnum("total_bytes_per_unit", total / units);
	/* The five largest growths. */
	for (k = 0; k < 5; k++) {
		long long bestd = 0;

		best = -1;
		for (i = 0; i < b->n; i++) {
			if (used[i])
				continue;
			for (j = 0; j < a->n && strcmp(a->name[j], b->name[i]); j++)
				;
			d = b->bytes[i] - (j < a->n ? a->bytes[j] : 0);
			if (d > bestd) {
				bestd = d;
				best = i;
			}
		}
		if (best < 0)
			break;
		used[best] = true;
		jnum(b->name[best], bestd / units);
	}
	jclose();
}

static void settle(void)
{
	/* Let RCU-freed objects go and deferred work run before a snapshot. */
	sync();
	usleep(300000);
}

static int cmd_scale(const char *out)
{
	static const int steps[] = { 1, 64, 1024, 4096 };
	static struct slabsnap sa, sb;
	static char paths[MAX_DEVS][32];
	static int fds[NR_FDS];
	struct meminfo a, b;
	struct rlimit rl;
	char key[32], text[32];
	uint64_t t0, t1;
	int have, i, n;
	double open_us;

	have = test_devices(paths, MAX_DEVS);
	if (have)
		die("scale needs fwctl_test loaded with ndevs=0 (found %d devices)",
		    have);

	jbegin(out, "scale");
	jopen("register");
	for (i = 0; i < (int)(sizeof(steps) / sizeof(steps[0])); i++) {
		/* From none: register n devices, then unregister them all. */
		n = steps[i];
		snprintf(text, sizeof(text), "%d\n", n);
		settle();
		read_slabinfo(&sa);
		a = read_meminfo();
		t0 = now_ns();
		write_ctrl("add", text);
		t1 = now_ns();
		settle();
		b = read_meminfo();
		read_slabinfo(&sb);
		have = test_devices(paths, MAX_DEVS);
		if (have != n)
			die("%d devices after adding %d, expected %d", have, n, n);
		snprintf(key, sizeof(key), "%d", n);
		jopen(key);
		jnum("added", n);
		jnum("ms", (t1 - t0) / 1e6);
		jnum("ms_per_device", (t1 - t0) / 1e6 / n);
		jnum("slab_bytes_per_device",
		     (b.slab_kb - a.slab_kb) * 1024.0 / n);
		jnum("avail_bytes_per_device",
		     (a.avail_kb - b.avail_kb) * 1024.0 / n);
		jnum("vmalloc_bytes_per_device",
		     (b.vmalloc_kb - a.vmalloc_kb) * 1024.0 / n);
		jslab_growth("slabinfo", &sa, &sb, n);
		fprintf(stderr, "  register %4d devices: %8.1f ms (%.3f ms each), slab %+.0f B each",
			n, (t1 - t0) / 1e6, (t1 - t0) / 1e6 / n,
			(b.slab_kb - a.slab_kb) * 1024.0 / n);
		t0 = now_ns();
		write_ctrl("remove", "-1\n");
		t1 = now_ns();
		if (test_devices(paths, MAX_DEVS))
			die("devices left after removing all");
		jnum("unregister_ms_per_device", (t1 - t0) / 1e6 / n);
		jclose();
		fprintf(stderr, ", unregister %.3f ms each\n", (t1 - t0) / 1e6 / n);
	}
	jclose();
	write_ctrl("add", "1\n");
	have = test_devices(paths, MAX_DEVS);
	if (have != 1)
		die("%d devices after adding 1", have);

	/* 10,000 FDs on one device. */
	rl.rlim_cur = rl.rlim_max = NR_FDS + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit(RLIMIT_NOFILE, %d): %s", NR_FDS + 64,
		    strerror(errno));
	settle();
	a = read_meminfo();
	read_slabinfo(&sa);
	t0 = now_ns();
	for (i = 0; i < NR_FDS; i++)
		fds[i] = xopen(paths[0]);
	t1 = now_ns();
	open_us = (t1 - t0) / 1e3 / NR_FDS;
	settle();
	b = read_meminfo();
	read_slabinfo(&sb);
	jopen("fds");
	jnum("count", NR_FDS);
	jnum("open_us_each", open_us);
	jnum("slab_bytes_per_fd", (b.slab_kb - a.slab_kb) * 1024.0 / NR_FDS);
	jnum("avail_bytes_per_fd", (a.avail_kb - b.avail_kb) * 1024.0 / NR_FDS);
	jslab_growth("slabinfo", &sa, &sb, NR_FDS);
	t0 = now_ns();
	for (i = 0; i < NR_FDS; i++)
		close(fds[i]);
	t1 = now_ns();
	jnum("close_us_each", (t1 - t0) / 1e3 / NR_FDS);
	jclose();
	fprintf(stderr, "  %d FDs: slab %+.0f B each, open %.1f us each\n",
		NR_FDS, (b.slab_kb - a.slab_kb) * 1024.0 / NR_FDS, open_us);

	write_ctrl("remove", "-1\n");
	jend();
	return 0;
}

/* cxl: the CXL Features RPCs end to end, on QEMU's device or cxl_test's */

/* /dev/fwctl/fwctlM of the first CXL memdev that has one. */
static int cxl_device(char *path, size_t len)
{
	struct dirent *de, *fe;
	char dir[512];
	DIR *d, *f;
	int found = 0;

	d = opendir(CXL_BUS_DIR);
	if (!d)
		return 0;
	while (!found && (de = readdir(d))) {
		if (strncmp(de->d_name, "mem", 3))
			continue;
		snprintf(dir, sizeof(dir), CXL_BUS_DIR "/%s/fwctl", de->d_name);
		f = opendir(dir);
		if (!f)
			continue;
		while ((fe = readdir(f)))
			if (!strncmp(fe->d_name, "fwctl", 5)) {
				snprintf(path, len, "/dev/fwctl/%s", fe->d_name);
				found = 1;
				break;
			}
		closedir(f);
	}
	closedir(d);
	return found;
}

/* QEMU's patrol scrub feature (CXL r3.2 Table 8-193), 4 bytes of data. */
static const unsigned char scrub_uuid[16] = {
	0x96, 0xda, 0xd7, 0xd6, 0xfd, 0xe8, 0x48, 0x2b,
	0xa7, 0x33, 0x75, 0x77, 0x4e, 0x06, 0xdb, 0x8a,
};

static int cmd_cxl(const char *out)
{
	const struct cxl_mbox_get_sup_feats_out *sup;
	const struct cxl_feat_entry *feat;
	unsigned int get_size, i, n;
	struct fwctl_rpc_cxl *req;
	unsigned char uuid[16];
	char path[300];
	struct op op;
	struct lat l;
	int fd;

	jbegin(out, "cxl");
	if (!cxl_device(path, sizeof(path))) {
		jstr("skipped", "no CXL memdev with a fwctl device");
		jend();
		fprintf(stderr, "  no CXL memdev with a fwctl device: skipped\n");
		return 0;
	}
	fd = xopen(path);
	op_init(&op, fd, 4096, op_cxl);
	req = (void *)op.in;

	/* Get Supported Features: every entry (QEMU has two). */
	memset(req, 0, sizeof(*req));
	req->opcode = htole32(0x0500);
	req->op_size = htole32(sizeof(struct cxl_mbox_get_sup_feats_in));
	req->get_sup_feats_in.count = htole32(1024);
	req->get_sup_feats_in.start_idx = htole16(0);
	op.cxl_in_len = sizeof(req->hdr) + sizeof(struct cxl_mbox_get_sup_feats_in);
	op.cxl_out_len = 1024;
	l = measure_lat(&op, "CXL Get Supported Features", 1.0, 50);
	jlat("get_supported_features", l);
	fprintf(stderr, "  cxl get supported features: median %8.1f us\n",
		l.median_ns / 1e3);

	/*
	 * Get Feature: a feature's current value, from the mailbox: the
	 * patrol scrub's (QEMU's device), else the first feature listed with
	 * data to read (cxl_test's mock has one test feature).
	 */
	sup = &((const struct fwctl_rpc_cxl_out *)op.out)->get_sup_feats_out;
	n = le16toh(sup->num_entries);
	feat = NULL;
	for (i = 0; i < n && !feat; i++)
		if (!memcmp(sup->ents[i].uuid, scrub_uuid, sizeof(scrub_uuid)))
			feat = &sup->ents[i];
	for (i = 0; i < n && !feat; i++)
		if (le16toh(sup->ents[i].get_feat_size))
			feat = &sup->ents[i];
	if (!feat)
		die("CXL Get Supported Features: no feature to read");
	get_size = le16toh(feat->get_feat_size);
	if (get_size > 64)
		get_size = 64;
	memcpy(uuid, feat->uuid, sizeof(uuid));
	memset(req, 0, sizeof(*req));
	req->opcode = htole32(0x0501);
	req->op_size = htole32(sizeof(struct cxl_mbox_get_feat_in));
	memcpy(req->get_feat_in.uuid, uuid, sizeof(uuid));
	req->get_feat_in.offset = htole16(0);
	req->get_feat_in.count = htole16(get_size);
	req->get_feat_in.selection = 0;
	op.cxl_in_len = sizeof(req->hdr) + sizeof(struct cxl_mbox_get_feat_in);
	op.cxl_out_len = sizeof(struct fwctl_rpc_cxl_out) + get_size;
	jnum("get_feature_bytes", get_size);
	l = measure_lat(&op, "CXL Get Feature", 1.0, 50);
	jlat("get_feature", l);
	fprintf(stderr, "  cxl get feature:            median %8.1f us\n",
		l.median_ns / 1e3);
	op_free(&op);
	close(fd);
	jend();
	return 0;
}

/*
 * fill: KASAN holds freed objects in a quarantine of up to 1/32 of RAM
 * before they really go back to the slab caches, and /proc/slabinfo and
 * /proc/meminfo count them as used.  While the quarantine fills up, every
 * transient allocation of the code measured looks like kept memory; once
 * it is full, each free pushes an older object out.  So that the first
 * core measured does not pay for the quarantine's filling, this pushes
 * twice its size through it first, with 4 KiB RPCs (whose request buffer
 * both cores allocate and free).
 */
static int cmd_fill(void)
{
	static char paths[1][32];
	long long total_kb = 0, v;
	unsigned long i, n;
	struct meminfo a, b;
	char line[256];
	struct op op;
	uint64_t t0;
	FILE *f;
	int ret;

	if (test_devices(paths, 1) < 1)
		die("fill needs a fwctl_test device");
	f = fopen("/proc/meminfo", "re");
	if (!f)
		die("/proc/meminfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %lld", &v) == 1)
			total_kb = v;
	fclose(f);
	n = total_kb * 1024 / 32 * 2 / 4096;
	op_init(&op, xopen(paths[0]), 4096, op_rpc);
	run_checked(&op, "fill");
	a = read_meminfo();
	t0 = now_ns();
	for (i = 0; i < n; i++)
		if ((ret = op.fn(&op)))
			die("fill: %s", strerror(-ret));
	b = read_meminfo();
	fprintf(stderr, "  fill: %lu RPCs of 4 KiB in %.1f s, slab %+lld KiB\n",
		n, (now_ns() - t0) / 1e9, b.slab_kb - a.slab_kb);
	close(op.fd);
	op_free(&op);
	return 0;
}

/* loop: the first device's RPC or INFO in a loop, for perf record -a. */
static int cmd_loop(const char *what, const char *size, const char *secs)
{
	static char paths[1][32];
	unsigned long calls = 0;
	uint64_t t0, end;
	struct op op;
	int ret;

	if (test_devices(paths, 1) < 1)
		die("loop needs a fwctl_test device");
	op_init(&op, xopen(paths[0]), strtoul(size, NULL, 0),
		!strcmp(what, "rpc") ? op_rpc :
		!strcmp(what, "info") ? op_info : op_enotty);
	run_checked(&op, what);
	t0 = now_ns();
	end = t0 + strtod(secs, NULL) * 1e9;
	while (now_ns() < end) {
		if ((ret = op.fn(&op)))
			die("%s: %s", what, strerror(-ret));
		calls++;
	}
	printf("%s %s B: %lu calls, %.1f us each\n", what, size, calls,
	       (now_ns() - t0) / 1e3 / calls);
	return 0;
}

int main(int argc, char **argv)
{
	const char *t = getenv("FWCTL_BENCH_TIME");

	if (t && *t) {
		time_scale = strtod(t, NULL);
		if (time_scale <= 0)
			die("FWCTL_BENCH_TIME must be a positive factor");
	}
	t = getenv("FWCTL_BENCH_ICOUNT");
	icount = t && !strcmp(t, "1");
	if (argc == 2 && !strcmp(argv[1], "fill"))
		return cmd_fill();
	if (argc == 5 && !strcmp(argv[1], "loop"))
		return cmd_loop(argv[2], argv[3], argv[4]);
	if (argc != 3)
		die("usage: fwctl_bench micro|scale|cxl OUT.json");
	if (!strcmp(argv[1], "micro"))
		return cmd_micro(argv[2]);
	if (!strcmp(argv[1], "scale"))
		return cmd_scale(argv[2]);
	if (!strcmp(argv[1], "cxl"))
		return cmd_cxl(argv[2]);
	die("unknown command %s", argv[1]);
	return 1;
}
