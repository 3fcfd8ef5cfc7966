/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the fwctl kselftests: loading the modules, the
 * fwctl_test driver's debugfs controls, finding the device, ioctl wrappers,
 * capabilities, lockdown, the kernel log and the policy's sysfs files.
 *
 * Unless said otherwise a function returns 0 (or a count) on success and
 * -errno on failure.  None of them uses the harness: the tests decide what
 * is fatal.
 */
#ifndef FWCTL_LIB_H
#define FWCTL_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include <fwctl/fwctl.h>
#include "fwctl_test.h"

#include "fwctl_uapi_compat.h"

/* Upstream's limits (drivers/fwctl/main.c) and taint bit (linux/panic.h). */
#define FWCTL_MAX_RPC_LEN	(2U * 1024 * 1024)
#define FWCTL_MAX_DEVICES	4096
#define TAINT_FWCTL		19

/* Size of the fwctl_test driver's FWCTL_INFO device data. */
#define FWCTL_TEST_INFO_LEN	((__u32)sizeof(struct fwctl_test_info))

/* Per-test timeout (seconds): module loads are slow under KASAN and TCG. */
#define FWCTL_TIMEOUT		120

#define FWCTL_CLASS_DIR		"/sys/class/fwctl"
#define FWCTL_DEV_DIR		"/dev/fwctl"
#define FWCTL_TEST_CTRL	"/sys/kernel/fwctl_test"
#define FWCTL_GLOBAL_MAX_SCOPE	"/sys/module/fwctl/parameters/max_scope"
#define LOCKDOWN_FILE		"/sys/kernel/security/lockdown"

/* One fwctl_test device, as a test uses it. */
struct fwctl_env {
	int index;		/* N of its parent fwctl_test.N */
	int minor;		/* M of fwctlM */
	bool added;		/* created with debugfs "add" */
	char dev_path[64];	/* /dev/fwctl/fwctlM */
	char sys_path[64];	/* /sys/class/fwctl/fwctlM */
	char err[256];		/* why fwctl_env_setup() failed */
};

/* Files */
int read_file(const char *path, char *buf, size_t len);
int write_file(const char *path, const char *text);
int read_word(const char *path, char *buf, size_t len);
int read_ull(const char *path, unsigned long long *val);
int count_dir_entries(const char *dir, const char *prefix);

/* CXL memory devices (memN) on the CXL bus */
#define CXL_BUS_DIR		"/sys/bus/cxl/devices"
/*
 * fwctl_cxl's parameters in the lab: QEMU's type-3 device has only patrol
 * scrub and ECS, which upstream (and fwctl_cxl by default) reserves to the
 * kernel, so that without this the memdev gets no fwctl device at all.
 */
#define CXL_LAB_PARAMS		"expose_kernel_features=1"
int cxl_count_memdevs(void);
int cxl_first_fwctl(char *memdev, size_t len);
int cxl_first_fwctl_in(const char *dir, char *memdev, size_t len);
int cxl_wait_fwctl_in(const char *dir, unsigned int ms);

/* Modules, by name: fwctl, fwctl_mlx5, fwctl_test, fwctl_rust_test, mlx5_sim */
bool module_is_loaded(const char *name);
/* Path of one of the project's modules by name (fwctl, fwctl_test, ...). */
int module_path(const char *name, char *buf, size_t len);
int module_load(const char *name, const char *params);
int module_load_file(const char *path, const char *params);
bool fwctl_in_lab(void);
int module_unload(const char *name);

/* The fwctl_test driver's controls, in sysfs */
int ensure_debugfs(void);
int fwctl_test_add(unsigned int count);
/* The index and minor of every fwctl_test device (up to max); their count. */
int fwctl_test_devices(int *idx, int *minor, int max);
int fwctl_test_add_one(int *index);
int fwctl_test_remove(int index);
int fwctl_test_count(const char *file, unsigned long long *val);
int fwctl_test_fail_open(int err);
int fwctl_test_minor(int index);
int fwctl_test_nr_devices(void);

/* Devices */
int fwctl_minor_of_parent_name(const char *name);
int fwctl_minor_of_parent(int index);
int fwctl_env_attach(struct fwctl_env *env, int index);
int fwctl_env_setup(struct fwctl_env *env, bool fresh);
void fwctl_env_teardown(struct fwctl_env *env);
int fwctl_open(const struct fwctl_env *env);

/* ioctls */
int fwctl_info_get(int fd, void *data, __u32 len, struct fwctl_info *info);
int fwctl_rpc_call(int fd, __u32 scope, const void *in, __u32 in_len,
		   void *out, __u32 *out_len);
int test_info(int fd, struct fwctl_test_info *ti);
int test_rpc(int fd, __u32 scope, __u32 op, __u32 arg);
int test_rpc_scope(int fd, __u32 scope, struct fwctl_test_scope_reply *reply);

/* Capabilities, lockdown and scopes */
bool has_cap_sys_rawio(void);
int drop_cap_sys_rawio(void);
int run_without_rawio(int (*fn)(void *arg), void *arg);
bool lockdown_locked(char *word, size_t len);
int scope_expected_errno(__u32 scope, bool cap, bool locked);
const char *scope_name(__u32 scope);

/* Policy: levels are 0 for "none", else scope + 1. */
#define POLICY_NONE		0
#define POLICY_LEVELS		5
const char *policy_word(int level);
int policy_level(const char *word);
int env_attr_path(const struct fwctl_env *env, const char *attr, char *buf,
		  size_t len);

/*
 * The RPC counters (fwctl-rs only): three read-only files in the device's
 * directory, each one line of space-separated decimal numbers, one per
 * field in the order of the arrays below (crates/fwctl-uapi/src/policy.rs):
 * RPCs handed to the driver and RPCs the driver failed (both per scope),
 * RPCs the core's policy refused (per reason).
 */
#define FWCTL_RPCS_ACCEPTED	"rpcs_accepted"
#define FWCTL_RPCS_FAILED	"rpcs_failed"
#define FWCTL_RPCS_REFUSED	"rpcs_refused"
#define FWCTL_NR_ACCEPTED	4	/* one per scope, in scope order */
#define FWCTL_NR_FAILED		4	/* the same fields */
#define FWCTL_NR_REFUSED	5	/* one per reason of refusal */
extern const char *const fwctl_accepted_fields[FWCTL_NR_ACCEPTED];
extern const char *const fwctl_refused_fields[FWCTL_NR_REFUSED];
int env_read_counters(const struct fwctl_env *env, const char *file,
		      unsigned long long *vals, int n);
int env_read_stat(const struct fwctl_env *env, const char *name,
		  unsigned long long *val);

/* The kernel log and taint */
int kmsg_open(void);
int kmsg_read_new(int fd, char *buf, size_t len);
int count_lines_with(const char *text, const char *a, const char *b);
int read_tainted(unsigned long long *val);
int self_comm(char *buf, size_t len);

/* Misc */
long long now_ms(void);
void sleep_ms(unsigned int ms);
void *map_shared(size_t len);

#endif
