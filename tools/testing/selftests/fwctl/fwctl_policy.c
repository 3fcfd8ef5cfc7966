// SPDX-License-Identifier: GPL-2.0
/*
 * fwctl kselftest: the administrable policy (fwctl-rs only, not upstream).
 *
 *   /sys/class/fwctl/fwctlM/max_scope            per device
 *   /sys/module/fwctl/parameters/max_scope  default of new devices
 * hold one of none < configuration < debug_read_only < debug_write <
 * debug_write_full; they can only be lowered (raising: EPERM, unknown word:
 * EINVAL).  A device's limit is the lower of the two; an RPC above it gets
 * EPERM and "none" disables the device (open, FWCTL_INFO, FWCTL_RPC: EPERM).
 * /sys/class/fwctl/fwctlM/rpcs_accepted and rpcs_refused count accepted
 * RPCs per scope and refused ones per reason, one line of numbers each; the
 * first refusal of a process is logged once.
 *
 * Lowering cannot be undone, so every test starts from a freshly loaded
 * fwctl and unloads it at the end.
 */
#include <dirent.h>
#include <limits.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "fwctl_harness.h"

enum {
	ACC_CONFIGURATION,
	ACC_DEBUG_READ_ONLY,
	ACC_DEBUG_WRITE,
	ACC_DEBUG_WRITE_FULL,
	FAIL_CONFIGURATION,
	FAIL_DEBUG_READ_ONLY,
	FAIL_DEBUG_WRITE,
	FAIL_DEBUG_WRITE_FULL,
	REF_TOO_LONG,
	REF_BAD_SCOPE,
	REF_NO_RAWIO,
	REF_LOCKDOWN,
	REF_POLICY,
	NR_STATS,
};

/* The three files, one after the other, as the enum above numbers them. */
_Static_assert(FAIL_CONFIGURATION == FWCTL_NR_ACCEPTED, "rpcs_accepted first");
_Static_assert(REF_TOO_LONG == FWCTL_NR_ACCEPTED + FWCTL_NR_FAILED,
	       "then rpcs_failed");
_Static_assert(NR_STATS == REF_TOO_LONG + FWCTL_NR_REFUSED,
	       "then rpcs_refused");

/* Counter i's file and field, for messages. */
static const char *stat_file(int i)
{
	return i < FAIL_CONFIGURATION ? FWCTL_RPCS_ACCEPTED :
	       i < REF_TOO_LONG ? FWCTL_RPCS_FAILED : FWCTL_RPCS_REFUSED;
}

static const char *stat_field(int i)
{
	return i < FAIL_CONFIGURATION ? fwctl_accepted_fields[i] :
	       i < REF_TOO_LONG ? fwctl_accepted_fields[i - FAIL_CONFIGURATION] :
	       fwctl_refused_fields[i - REF_TOO_LONG];
}

/* In expected deltas: this counter is not checked. */
#define ANY	-1LL

struct stats {
	unsigned long long v[NR_STATS];
};

FIXTURE(policy) {
	struct fwctl_env env;
	bool locked;
	char lockdown[32];
};

static void fresh_policy_setup(struct __test_metadata *_metadata,
			       struct fwctl_env *env, bool *locked,
			       char *lockdown, size_t len)
{
	char path[PATH_MAX];

	fwctl_setup(_metadata, env, true);
	if (_metadata->exit_code)
		return;
	ASSERT_EQ(0, env_attr_path(env, "max_scope", path, sizeof(path)));
	ASSERT_EQ(0, access(path, F_OK)) TH_LOG("no %s", path);
	ASSERT_EQ(0, access(FWCTL_GLOBAL_MAX_SCOPE, F_OK))
		TH_LOG("no " FWCTL_GLOBAL_MAX_SCOPE);
	*locked = lockdown_locked(lockdown, len);
}

FIXTURE_SETUP(policy)
{
	fresh_policy_setup(_metadata, &self->env, &self->locked,
			   self->lockdown, sizeof(self->lockdown));
}

FIXTURE_TEARDOWN_PARENT(policy)
{
	fwctl_env_teardown(&self->env);
}

static int write_word(const char *path, const char *word)
{
	char text[64];

	snprintf(text, sizeof(text), "%s\n", word);
	return write_file(path, text);
}

static void device_max_scope_path(struct __test_metadata *_metadata,
				  const struct fwctl_env *env, char *path,
				  size_t len)
{
	ASSERT_EQ(0, env_attr_path(env, "max_scope", path, len));
}

static int set_device_max_scope(struct __test_metadata *_metadata,
				const struct fwctl_env *env, const char *word)
{
	char path[PATH_MAX];

	device_max_scope_path(_metadata, env, path, sizeof(path));
	return write_word(path, word);
}

static void expect_word(struct __test_metadata *_metadata, const char *path,
			const char *want)
{
	char word[64];

	ASSERT_EQ(0, read_word(path, word, sizeof(word))) TH_LOG("%s", path);
	EXPECT_STREQ(want, word) TH_LOG("%s", path);
}

/* The lower-only rule, on a device's or the global max_scope. */
static void check_lower_only(struct __test_metadata *_metadata,
			     const char *path)
{
	static const struct {
		const char *word;
		int ret;
		const char *after;
	} steps[] = {
		{ "debug_write_full", 0, "debug_write_full" },
		{ "debug_write", 0, "debug_write" },
		{ "debug_write_full", -EPERM, "debug_write" },
		{ "debug_write", 0, "debug_write" },
		{ "bogus", -EINVAL, "debug_write" },
		{ "debug", -EINVAL, "debug_write" },
		{ "configuration", 0, "configuration" },
		{ "debug_read_only", -EPERM, "configuration" },
		{ "debug_write_full", -EPERM, "configuration" },
		{ "none", 0, "none" },
		{ "configuration", -EPERM, "none" },
		{ "none", 0, "none" },
	};
	size_t i;

	expect_word(_metadata, path, "debug_write_full");
	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		EXPECT_EQ(steps[i].ret, write_word(path, steps[i].word))
			TH_LOG("step %zu: write %s to %s", i, steps[i].word,
			       path);
		expect_word(_metadata, path, steps[i].after);
	}
}

TEST_F_TIMEOUT(policy, defaults, FWCTL_TIMEOUT)
{
	char path[PATH_MAX];

	device_max_scope_path(_metadata, &self->env, path, sizeof(path));
	expect_word(_metadata, path, "debug_write_full");
	expect_word(_metadata, FWCTL_GLOBAL_MAX_SCOPE, "debug_write_full");
}

TEST_F_TIMEOUT(policy, device_lower_only, FWCTL_TIMEOUT)
{
	char path[PATH_MAX];

	device_max_scope_path(_metadata, &self->env, path, sizeof(path));
	check_lower_only(_metadata, path);
}

TEST_F_TIMEOUT(policy, global_lower_only, FWCTL_TIMEOUT)
{
	check_lower_only(_metadata, FWCTL_GLOBAL_MAX_SCOPE);
}

/* FWCTL_INFO and FWCTL_RPC on fd are refused by the policy. */
static void expect_disabled_fd(struct __test_metadata *_metadata, int fd)
{
	struct fwctl_test_info ti;
	struct fwctl_info info;

	EXPECT_EQ(-EPERM, fwctl_info_get(fd, &ti, sizeof(ti), &info));
	EXPECT_EQ(-EPERM, test_rpc(fd, FWCTL_RPC_CONFIGURATION,
				   FWCTL_TEST_OP_ECHO, 0));
}

TEST_F_TIMEOUT(policy, device_none_disables, FWCTL_TIMEOUT)
{
	int fd;

	fd = fwctl_open_or_fail(_metadata, &self->env);
	ASSERT_EQ(0, set_device_max_scope(_metadata, &self->env, "none"));
	EXPECT_EQ(-EPERM, fwctl_open(&self->env));
	expect_disabled_fd(_metadata, fd);
	EXPECT_EQ(0, close(fd));
}

/* Whether scope gets through with the policy at level (and root's caps). */
static int expected_with_limit(__u32 scope, int level, bool locked)
{
	if ((int)scope + 1 > level)
		return EPERM;
	return scope_expected_errno(scope, true, locked);
}

static void expect_scopes(struct __test_metadata *_metadata, int fd,
			  int level, bool locked)
{
	struct fwctl_test_scope_reply reply;
	int ret;
	__u32 s;

	for (s = FWCTL_RPC_CONFIGURATION; s <= FWCTL_RPC_DEBUG_WRITE_FULL; s++) {
		ret = test_rpc_scope(fd, s, &reply);
		EXPECT_EQ(-expected_with_limit(s, level, locked), ret)
			TH_LOG("limit %s: scope %s", policy_word(level),
			       scope_name(s));
		if (!ret) {
			EXPECT_EQ(s, reply.scope);
		}
	}
}

/* The global value limits existing devices and is the default of new ones. */
TEST_F_TIMEOUT(policy, global_limits_devices, FWCTL_TIMEOUT)
{
	int ro = policy_level("debug_read_only");
	int conf = policy_level("configuration");
	struct fwctl_env *env2 = calloc(1, sizeof(*env2));
	char path[PATH_MAX];
	int fd, fd2, index;

	ASSERT_NE(NULL, env2);
	fd = fwctl_open_or_fail(_metadata, &self->env);
	ASSERT_EQ(0, write_word(FWCTL_GLOBAL_MAX_SCOPE, "debug_read_only"));
	expect_scopes(_metadata, fd, ro, self->locked);

	ASSERT_EQ(0, fwctl_test_add_one(&index));
	ASSERT_EQ(0, fwctl_env_attach(env2, index)) TH_LOG("%s", env2->err);
	device_max_scope_path(_metadata, env2, path, sizeof(path));
	expect_word(_metadata, path, "debug_read_only");
	EXPECT_EQ(-EPERM, write_word(path, "debug_write"));
	fd2 = fwctl_open_or_fail(_metadata, env2);
	expect_scopes(_metadata, fd2, ro, self->locked);

	/* The lower of the device's and the global value applies. */
	ASSERT_EQ(0, set_device_max_scope(_metadata, &self->env,
					  "configuration"));
	expect_scopes(_metadata, fd, conf, self->locked);
	expect_scopes(_metadata, fd2, ro, self->locked);
	ASSERT_EQ(0, write_word(FWCTL_GLOBAL_MAX_SCOPE, "configuration"));
	expect_scopes(_metadata, fd2, conf, self->locked);

	close(fd2);
	close(fd);
	free(env2);
}

TEST_F_TIMEOUT(policy, global_none_disables, FWCTL_TIMEOUT)
{
	struct fwctl_env *env2 = calloc(1, sizeof(*env2));
	char path[PATH_MAX];
	int fd, index;

	ASSERT_NE(NULL, env2);
	fd = fwctl_open_or_fail(_metadata, &self->env);
	ASSERT_EQ(0, write_word(FWCTL_GLOBAL_MAX_SCOPE, "none"));
	EXPECT_EQ(-EPERM, fwctl_open(&self->env));
	expect_disabled_fd(_metadata, fd);
	EXPECT_EQ(0, close(fd));

	ASSERT_EQ(0, fwctl_test_add_one(&index));
	ASSERT_EQ(0, fwctl_env_attach(env2, index)) TH_LOG("%s", env2->err);
	device_max_scope_path(_metadata, env2, path, sizeof(path));
	expect_word(_metadata, path, "none");
	EXPECT_EQ(-EPERM, fwctl_open(env2));
	free(env2);
}

/* The first refusal of a process is logged, the next ones are not. */
TEST_F_TIMEOUT(policy, refusal_logged_once, FWCTL_TIMEOUT)
{
	static char log[65536];
	char comm[32];
	int fd, kmsg;

	ASSERT_EQ(0, self_comm(comm, sizeof(comm)));
	fd = fwctl_open_or_fail(_metadata, &self->env);
	ASSERT_EQ(0, set_device_max_scope(_metadata, &self->env,
					  "configuration"));
	kmsg = kmsg_open();
	ASSERT_LE(0, kmsg);

	ASSERT_EQ(-EPERM, test_rpc(fd, FWCTL_RPC_DEBUG_READ_ONLY,
				   FWCTL_TEST_OP_ECHO, 0));
	ASSERT_LE(0, kmsg_read_new(kmsg, log, sizeof(log)));
	EXPECT_EQ(1, count_lines_with(log, "refused", comm))
		TH_LOG("new log after the first refusal:\n%s", log);

	ASSERT_EQ(-EPERM, test_rpc(fd, FWCTL_RPC_DEBUG_READ_ONLY,
				   FWCTL_TEST_OP_ECHO, 0));
	ASSERT_LE(0, kmsg_read_new(kmsg, log, sizeof(log)));
	EXPECT_EQ(0, count_lines_with(log, "refused", comm))
		TH_LOG("new log after the second refusal:\n%s", log);
	close(kmsg);
	close(fd);
}

/* Each limit, set on the device, lets exactly the scopes up to it through. */
FIXTURE(policy_limit) {
	struct fwctl_env env;
	bool locked;
	char lockdown[32];
};

FIXTURE_VARIANT(policy_limit) {
	const char *word;
};

FIXTURE_VARIANT_ADD(policy_limit, debug_write_full) {
	.word = "debug_write_full",
};

FIXTURE_VARIANT_ADD(policy_limit, debug_write) {
	.word = "debug_write",
};

FIXTURE_VARIANT_ADD(policy_limit, debug_read_only) {
	.word = "debug_read_only",
};

FIXTURE_VARIANT_ADD(policy_limit, configuration) {
	.word = "configuration",
};

FIXTURE_SETUP(policy_limit)
{
	fresh_policy_setup(_metadata, &self->env, &self->locked,
			   self->lockdown, sizeof(self->lockdown));
}

FIXTURE_TEARDOWN_PARENT(policy_limit)
{
	fwctl_env_teardown(&self->env);
}

TEST_F_TIMEOUT(policy_limit, scopes, FWCTL_TIMEOUT)
{
	char path[PATH_MAX];
	int fd, fd2;

	TH_LOG("lockdown: %s", self->lockdown);
	fd = fwctl_open_or_fail(_metadata, &self->env);
	ASSERT_EQ(0, set_device_max_scope(_metadata, &self->env,
					  variant->word));
	device_max_scope_path(_metadata, &self->env, path, sizeof(path));
	expect_word(_metadata, path, variant->word);
	expect_scopes(_metadata, fd, policy_level(variant->word),
		      self->locked);
	/* Not "none": the device still opens. */
	fd2 = fwctl_open_or_fail(_metadata, &self->env);
	close(fd2);
	close(fd);
}

/* Counters */

static void read_stats(struct __test_metadata *_metadata,
		       const struct fwctl_env *env, struct stats *s)
{
	ASSERT_EQ(0, env_read_counters(env, FWCTL_RPCS_ACCEPTED, s->v,
				       FWCTL_NR_ACCEPTED))
		TH_LOG(FWCTL_RPCS_ACCEPTED);
	ASSERT_EQ(0, env_read_counters(env, FWCTL_RPCS_FAILED,
				       s->v + FAIL_CONFIGURATION,
				       FWCTL_NR_FAILED))
		TH_LOG(FWCTL_RPCS_FAILED);
	ASSERT_EQ(0, env_read_counters(env, FWCTL_RPCS_REFUSED,
				       s->v + REF_TOO_LONG,
				       FWCTL_NR_REFUSED))
		TH_LOG(FWCTL_RPCS_REFUSED);
}

/* Each counter moved by want[i] since before (ANY: not checked). */
static void expect_stats(struct __test_metadata *_metadata,
			 const struct fwctl_env *env,
			 const struct stats *before, const long long *want)
{
	struct stats after;
	long long delta;
	int i;

	read_stats(_metadata, env, &after);
	for (i = 0; i < NR_STATS; i++) {
		delta = after.v[i] - before->v[i];
		if (want[i] == ANY) {
			TH_LOG("%s %s moved by %lld (not checked)",
			       stat_file(i), stat_field(i), delta);
			continue;
		}
		EXPECT_EQ(want[i], delta)
			TH_LOG("%s %s", stat_file(i), stat_field(i));
	}
}

/* Entries the driver core may give any class device (device_add()). */
static bool driver_core_entry(const char *name)
{
	static const char *const names[] = {
		".", "..", "dev", "device", "power", "subsystem", "uevent",
		"of_node", "online", "physical_location", "removable",
		"waiting_for_supplier",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

static const struct {
	const char *name;
	mode_t mode;
} own_files[] = {
	{ "max_scope", 0644 },
	{ FWCTL_RPCS_ACCEPTED, 0444 },
	{ FWCTL_RPCS_REFUSED, 0444 },
	{ FWCTL_RPCS_FAILED, 0444 },
};

/* The device's own entries are exactly own_files[], with their modes. */
static void expect_own_files(struct __test_metadata *_metadata,
			     const struct fwctl_env *env)
{
	int seen[ARRAY_SIZE(own_files)] = { 0 };
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	size_t i;
	DIR *d;

	d = opendir(env->sys_path);
	ASSERT_NE(NULL, d) TH_LOG("%s: %s", env->sys_path, strerror(errno));
	while ((de = readdir(d))) {
		if (driver_core_entry(de->d_name))
			continue;
		for (i = 0; i < ARRAY_SIZE(own_files); i++)
			if (!strcmp(de->d_name, own_files[i].name))
				break;
		EXPECT_LT(i, ARRAY_SIZE(own_files))
			TH_LOG("unexpected %s/%s", env->sys_path, de->d_name);
		if (i < ARRAY_SIZE(own_files))
			seen[i]++;
	}
	closedir(d);
	for (i = 0; i < ARRAY_SIZE(own_files); i++) {
		EXPECT_EQ(1, seen[i]) TH_LOG("%s", own_files[i].name);
		ASSERT_EQ(0, env_attr_path(env, own_files[i].name, path,
					   sizeof(path)));
		memset(&st, 0, sizeof(st));
		EXPECT_EQ(0, lstat(path, &st))
			TH_LOG("%s: %s", path, strerror(errno));
		EXPECT_TRUE(S_ISREG(st.st_mode)) TH_LOG("%s", path);
		EXPECT_EQ(own_files[i].mode, st.st_mode & 07777)
			TH_LOG("%s: mode %o", path, st.st_mode & 07777);
	}
	/* The per-counter files of older versions are gone. */
	ASSERT_EQ(0, env_attr_path(env, "stats", path, sizeof(path)));
	EXPECT_EQ(-1, access(path, F_OK)) TH_LOG("%s exists", path);
}

/* The file's exact content. */
static void expect_line(struct __test_metadata *_metadata,
			const struct fwctl_env *env, const char *file,
			const char *want)
{
	char path[PATH_MAX], line[512];

	ASSERT_EQ(0, env_attr_path(env, file, path, sizeof(path)));
	ASSERT_LT(0, read_file(path, line, sizeof(line))) TH_LOG("%s", path);
	EXPECT_STREQ(want, line) TH_LOG("%s", path);
}

/*
 * A fresh device has the files max_scope, rpcs_accepted and rpcs_refused,
 * no directory; the counter files are one line of 4 and 6 zeros; one
 * accepted RPC of a scope moves exactly that scope's field by one, one
 * refused RPC exactly its reason's field.
 */
TEST_F_TIMEOUT(policy, counter_files, FWCTL_TIMEOUT)
{
	/* Every counter is 0 to begin with (checked first). */
	const struct stats zero = { 0 };
	long long want[NR_STATS] = { 0 };
	char path[PATH_MAX];
	bool cap = has_cap_sys_rawio();
	int fd;
	__u32 s;

	expect_own_files(_metadata, &self->env);
	expect_line(_metadata, &self->env, FWCTL_RPCS_ACCEPTED, "0 0 0 0\n");
	expect_line(_metadata, &self->env, FWCTL_RPCS_FAILED, "0 0 0 0\n");
	expect_line(_metadata, &self->env, FWCTL_RPCS_REFUSED,
		    "0 0 0 0 0\n");

	/* Read-only, even for root. */
	ASSERT_EQ(0, env_attr_path(&self->env, FWCTL_RPCS_ACCEPTED, path,
				   sizeof(path)));
	EXPECT_EQ(-EACCES, write_file(path, "0 0 0 0\n"));
	ASSERT_EQ(0, env_attr_path(&self->env, FWCTL_RPCS_REFUSED, path,
				   sizeof(path)));
	EXPECT_EQ(-EACCES, write_file(path, "0 0 0 0 0\n"));
	ASSERT_EQ(0, env_attr_path(&self->env, FWCTL_RPCS_FAILED, path,
				   sizeof(path)));
	EXPECT_EQ(-EACCES, write_file(path, "0 0 0 0\n"));

	fd = fwctl_open_or_fail(_metadata, &self->env);
	for (s = FWCTL_RPC_CONFIGURATION; s <= FWCTL_RPC_DEBUG_WRITE_FULL; s++) {
		if (scope_expected_errno(s, cap, self->locked)) {
			TH_LOG("scope %s not tried: CAP_SYS_RAWIO %s, lockdown %s",
			       scope_name(s), cap ? "yes" : "no",
			       self->lockdown);
			continue;
		}
		ASSERT_EQ(0, test_rpc(fd, s, FWCTL_TEST_OP_ECHO, 0));
		want[s]++;
		TH_LOG("after one RPC at %s", scope_name(s));
		expect_stats(_metadata, &self->env, &zero, want);
	}

	EXPECT_EQ(-EOPNOTSUPP, test_rpc(fd, 4, FWCTL_TEST_OP_ECHO, 0));
	want[REF_BAD_SCOPE]++;
	TH_LOG("after an unknown scope");
	expect_stats(_metadata, &self->env, &zero, want);
	close(fd);
}

/* k accepted RPCs of scope s move the field s of rpcs_accepted by k only. */
static void check_accepted(struct __test_metadata *_metadata,
			   const struct fwctl_env *env, __u32 scope, int k)
{
	long long want[NR_STATS] = { 0 };
	struct stats before;
	int fd, i;

	fd = fwctl_open_or_fail(_metadata, env);
	read_stats(_metadata, env, &before);
	for (i = 0; i < k; i++) {
		ASSERT_EQ(0, test_rpc(fd, scope, FWCTL_TEST_OP_ECHO, 0));
	}
	want[ACC_CONFIGURATION + scope] = k;
	expect_stats(_metadata, env, &before, want);
	close(fd);
}

TEST_F_TIMEOUT(policy, stats_accepted_configuration, FWCTL_TIMEOUT)
{
	check_accepted(_metadata, &self->env, FWCTL_RPC_CONFIGURATION, 3);
}

TEST_F_TIMEOUT(policy, stats_accepted_debug_read_only, FWCTL_TIMEOUT)
{
	check_accepted(_metadata, &self->env, FWCTL_RPC_DEBUG_READ_ONLY, 2);
}

TEST_F_TIMEOUT(policy, stats_accepted_debug_write, FWCTL_TIMEOUT)
{
	check_accepted(_metadata, &self->env, FWCTL_RPC_DEBUG_WRITE, 2);
}

TEST_F_TIMEOUT(policy, stats_accepted_debug_write_full, FWCTL_TIMEOUT)
{
	if (self->locked)
		SKIP(return, "lockdown %s refuses DEBUG_WRITE_FULL",
		     self->lockdown);
	check_accepted(_metadata, &self->env, FWCTL_RPC_DEBUG_WRITE_FULL, 2);
}

TEST_F_TIMEOUT(policy, stats_refused_too_long, FWCTL_TIMEOUT)
{
	long long want[NR_STATS] = { [REF_TOO_LONG] = 2 };
	struct fwctl_test_req req = { .op = FWCTL_TEST_OP_ECHO };
	unsigned char out[64];
	struct stats before;
	__u32 out_len;
	int fd;

	fd = fwctl_open_or_fail(_metadata, &self->env);
	read_stats(_metadata, &self->env, &before);
	out_len = sizeof(out);
	EXPECT_EQ(-EMSGSIZE, fwctl_rpc_call(fd, FWCTL_RPC_CONFIGURATION, &req,
					    FWCTL_MAX_RPC_LEN + 1, out,
					    &out_len));
	out_len = FWCTL_MAX_RPC_LEN + 1;
	EXPECT_EQ(-EMSGSIZE, fwctl_rpc_call(fd, FWCTL_RPC_CONFIGURATION, &req,
					    sizeof(req), out, &out_len));
	expect_stats(_metadata, &self->env, &before, want);
	close(fd);
}

TEST_F_TIMEOUT(policy, stats_refused_bad_scope, FWCTL_TIMEOUT)
{
	long long want[NR_STATS] = { [REF_BAD_SCOPE] = 2 };
	struct stats before;
	int fd;

	fd = fwctl_open_or_fail(_metadata, &self->env);
	read_stats(_metadata, &self->env, &before);
	EXPECT_EQ(-EOPNOTSUPP, test_rpc(fd, 4, FWCTL_TEST_OP_ECHO, 0));
	EXPECT_EQ(-EOPNOTSUPP, test_rpc(fd, 0xffffffff, FWCTL_TEST_OP_ECHO, 0));
	expect_stats(_metadata, &self->env, &before, want);
	close(fd);
}

struct refusals {
	int fd;
	int count;
	int ret[4];
};

static int full_rpcs(void *arg)
{
	struct refusals *r = arg;
	int i;

	for (i = 0; i < r->count; i++)
		r->ret[i] = test_rpc(r->fd, FWCTL_RPC_DEBUG_WRITE_FULL,
				     FWCTL_TEST_OP_ECHO, 0);
	return 0;
}

TEST_F_TIMEOUT(policy, stats_refused_no_rawio, FWCTL_TIMEOUT)
{
	long long want[NR_STATS] = { [REF_NO_RAWIO] = 2 };
	struct refusals *r = map_shared(sizeof(*r));
	struct stats before, after;
	int i;

	ASSERT_NE(NULL, r);
	r->fd = fwctl_open_or_fail(_metadata, &self->env);
	r->count = 2;
	read_stats(_metadata, &self->env, &before);
	ASSERT_EQ(0, run_without_rawio(full_rpcs, r));
	for (i = 0; i < r->count; i++) {
		EXPECT_EQ(-EPERM, r->ret[i]);
	}
	if (self->locked) {
		/* Both reasons hold: either counter may take the refusal. */
		read_stats(_metadata, &self->env, &after);
		TH_LOG("lockdown %s: no_rawio +%llu, lockdown +%llu",
		       self->lockdown,
		       after.v[REF_NO_RAWIO] - before.v[REF_NO_RAWIO],
		       after.v[REF_LOCKDOWN] - before.v[REF_LOCKDOWN]);
		want[REF_NO_RAWIO] = ANY;
		want[REF_LOCKDOWN] = ANY;
		EXPECT_EQ(2ULL, after.v[REF_NO_RAWIO] - before.v[REF_NO_RAWIO] +
				after.v[REF_LOCKDOWN] - before.v[REF_LOCKDOWN]);
	}
	expect_stats(_metadata, &self->env, &before, want);
	close(r->fd);
}

TEST_F_TIMEOUT(policy, stats_refused_lockdown, FWCTL_TIMEOUT)
{
	long long want[NR_STATS] = { [REF_LOCKDOWN] = 2 };
	struct stats before;
	int fd;

	if (!self->locked)
		SKIP(return, "lockdown is %s: nothing to refuse",
		     self->lockdown);
	ASSERT_TRUE(has_cap_sys_rawio());
	fd = fwctl_open_or_fail(_metadata, &self->env);
	read_stats(_metadata, &self->env, &before);
	EXPECT_EQ(-EPERM, test_rpc(fd, FWCTL_RPC_DEBUG_WRITE_FULL,
				   FWCTL_TEST_OP_ECHO, 0));
	EXPECT_EQ(-EPERM, test_rpc(fd, FWCTL_RPC_DEBUG_WRITE_FULL,
				   FWCTL_TEST_OP_ECHO, 0));
	expect_stats(_metadata, &self->env, &before, want);
	close(fd);
}

TEST_F_TIMEOUT(policy, stats_refused_policy, FWCTL_TIMEOUT)
{
	long long want[NR_STATS] = { [REF_POLICY] = 3 };
	struct stats before;
	int fd;

	fd = fwctl_open_or_fail(_metadata, &self->env);
	read_stats(_metadata, &self->env, &before);
	ASSERT_EQ(0, set_device_max_scope(_metadata, &self->env,
					  "configuration"));
	EXPECT_EQ(-EPERM, test_rpc(fd, FWCTL_RPC_DEBUG_READ_ONLY,
				   FWCTL_TEST_OP_ECHO, 0));
	EXPECT_EQ(-EPERM, test_rpc(fd, FWCTL_RPC_DEBUG_WRITE,
				   FWCTL_TEST_OP_ECHO, 0));
	ASSERT_EQ(0, set_device_max_scope(_metadata, &self->env, "none"));
	EXPECT_EQ(-EPERM, test_rpc(fd, FWCTL_RPC_CONFIGURATION,
				   FWCTL_TEST_OP_ECHO, 0));
	expect_stats(_metadata, &self->env, &before, want);
	close(fd);
}

/*
 * RPCs the driver fails are not refusals: the core handed them to the
 * driver (accepted) and the driver failed them (failed, per scope).
 */
TEST_F_TIMEOUT(policy, stats_failed_by_driver, FWCTL_TIMEOUT)
{
	long long want[NR_STATS] = {
		[ACC_CONFIGURATION] = 4, [FAIL_CONFIGURATION] = 4,
	};
	struct fwctl_test_req req = { .op = FWCTL_TEST_OP_ECHO, .reserved = 1 };
	unsigned char out[64];
	struct stats before;
	__u32 out_len;
	int fd;

	fd = fwctl_open_or_fail(_metadata, &self->env);
	read_stats(_metadata, &self->env, &before);
	EXPECT_EQ(-EBADMSG, test_rpc(fd, FWCTL_RPC_CONFIGURATION,
				     FWCTL_TEST_OP_FAIL, EBADMSG));
	EXPECT_EQ(-EINVAL, test_rpc(fd, FWCTL_RPC_CONFIGURATION,
				    FWCTL_TEST_OP_FAIL, EINVAL));
	out_len = sizeof(out);
	EXPECT_EQ(-EBADMSG, fwctl_rpc_call(fd, FWCTL_RPC_CONFIGURATION, &req,
					   sizeof(req), out, &out_len));
	out_len = sizeof(out);
	EXPECT_EQ(-EINVAL, fwctl_rpc_call(fd, FWCTL_RPC_CONFIGURATION, &req,
					  0, out, &out_len));
	expect_stats(_metadata, &self->env, &before, want);
	close(fd);
}

TEST_HARNESS_MAIN
