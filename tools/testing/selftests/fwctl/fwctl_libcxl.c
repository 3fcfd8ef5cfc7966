// SPDX-License-Identifier: GPL-2.0
/*
 * fwctl_libcxl: a CXL client as vendors write them, on ndctl's libcxl
 * (>= 82; vendor.sh runs it with the libraries of the release that ships
 * libcxl, see scripts/vendor-tools.sh).
 *
 *   fwctl_libcxl MEMDEV [char|node]
 *
 * Finds MEMDEV (e.g. mem0) with libcxl, asks libcxl for its fwctl device
 * (cxl_memdev_get_fwctl(): memN/fwctl/fwctlM in sysfs, its major and
 * minor), opens it by /dev/char/MAJ:MIN ("char", the default, as tools on
 * libcxl do) or by /dev/fwctl/fwctlM ("node"), checks that the node opened
 * is the device libcxl named, and runs Get Supported Features (opcode
 * 0500h) at FWCTL_RPC_CONFIGURATION: first for the header (the number of
 * features), then for every entry.  Prints:
 *
 *   fwctl MAJ:MIN fwctlM
 *   opened PATH
 *   supported_features N
 *   feature UUID get_size=G set_size=S effects=0xE
 *
 * Exit status: 0 success; 1 usage or a libcxl failure; 2 MEMDEV or its
 * fwctl device not found; 3 open() failed; 4 FWCTL_RPC failed (both print
 * the errno by name and text: "open /dev/...: EPERM (Operation not
 * permitted)"); 5 the device answered with an error or a bad answer.
 */
#define _GNU_SOURCE	/* strerrorname_np() */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <endian.h>

#include <cxl/libcxl.h>
#include "fwctl_uapi_compat.h"
#include <fwctl/fwctl.h>
#include <fwctl/cxl.h>

#define CXL_MBOX_OP_GET_SUPPORTED_FEATURES	0x0500

/* One Get Supported Features call for @count bytes of entries. */
static int get_sup_feats(int fd, uint32_t count, struct fwctl_rpc_cxl_out *out,
			 size_t out_len)
{
	struct fwctl_rpc_cxl in;
	struct fwctl_rpc rpc;

	memset(&in, 0, sizeof(in));
	memset(out, 0, out_len);
	in.opcode = CXL_MBOX_OP_GET_SUPPORTED_FEATURES;
	in.op_size = sizeof(in.get_sup_feats_in);
	in.get_sup_feats_in.count = htole32(count);
	in.get_sup_feats_in.start_idx = htole16(0);
	memset(&rpc, 0, sizeof(rpc));
	rpc.size = sizeof(rpc);
	rpc.scope = FWCTL_RPC_CONFIGURATION;
	rpc.in_len = offsetof(struct fwctl_rpc_cxl, get_sup_feats_in) +
		     sizeof(in.get_sup_feats_in);
	rpc.out_len = out_len;
	rpc.in = (uintptr_t)&in;
	rpc.out = (uintptr_t)out;
	return ioctl(fd, FWCTL_RPC, &rpc) ? -errno : 0;
}

static void uuid_print(const uint8_t *u)
{
	for (int i = 0; i < 16; i++)
		printf("%02x%s", u[i], (i == 3 || i == 5 || i == 7 || i == 9) ? "-" : "");
}

int main(int argc, char **argv)
{
	const char *want, *how = "char";
	struct cxl_fwctl *fwctl = NULL;
	struct cxl_memdev *memdev;
	struct fwctl_rpc_cxl_out *out;
	struct cxl_ctx *ctx;
	char path[64], name[32] = "";
	struct stat st;
	size_t out_len;
	int major, minor, fd, ret, n;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s MEMDEV [char|node]\n", argv[0]);
		return 1;
	}
	want = argv[1];
	if (argc == 3)
		how = argv[2];
	if (strcmp(how, "char") && strcmp(how, "node")) {
		fprintf(stderr, "%s: open by 'char' or 'node', not '%s'\n", argv[0], how);
		return 1;
	}

	ret = cxl_new(&ctx);
	if (ret) {
		fprintf(stderr, "cxl_new: %s\n", strerror(-ret));
		return 1;
	}
	cxl_memdev_foreach(ctx, memdev) {
		if (!strcmp(cxl_memdev_get_devname(memdev), want)) {
			fwctl = cxl_memdev_get_fwctl(memdev);
			break;
		}
	}
	if (!memdev) {
		fprintf(stderr, "libcxl: no memdev %s\n", want);
		return 2;
	}
	if (!fwctl) {
		fprintf(stderr, "libcxl: %s has no fwctl device\n", want);
		return 2;
	}
	major = cxl_fwctl_get_major(fwctl);
	minor = cxl_fwctl_get_minor(fwctl);

	/* The fwctl device's name, from sysfs (libcxl does not keep it). */
	for (n = 0; n < 4096 && !name[0]; n++) {
		char dev[64], want_dev[32];
		FILE *f;

		snprintf(path, sizeof(path), "/sys/bus/cxl/devices/%s/fwctl/fwctl%d/dev", want, n);
		f = fopen(path, "r");
		if (!f)
			continue;
		snprintf(want_dev, sizeof(want_dev), "%d:%d\n", major, minor);
		if (fgets(dev, sizeof(dev), f) && !strcmp(dev, want_dev))
			snprintf(name, sizeof(name), "fwctl%d", n);
		fclose(f);
	}
	printf("fwctl %d:%d %s\n", major, minor, name[0] ? name : "?");

	if (!strcmp(how, "char"))
		snprintf(path, sizeof(path), "/dev/char/%d:%d", major, minor);
	else
		snprintf(path, sizeof(path), "/dev/fwctl/%s", name);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = errno;
		printf("open %s: %s (%s)\n", path, strerrorname_np(ret), strerror(ret));
		return 3;
	}
	if (fstat(fd, &st) || !S_ISCHR(st.st_mode) ||
	    major(st.st_rdev) != (unsigned int)major || minor(st.st_rdev) != (unsigned int)minor) {
		printf("%s is not the character device %d:%d\n", path, major, minor);
		return 5;
	}
	printf("opened %s\n", path);

	/* The header first: how many features. */
	out_len = sizeof(*out);
	out = calloc(1, out_len);
	if (!out)
		return 1;
	ret = get_sup_feats(fd, 0, out, out_len);
	if (ret) {
		printf("FWCTL_RPC: %s (%s)\n", strerrorname_np(-ret), strerror(-ret));
		return 4;
	}
	if (out->retval) {
		printf("Get Supported Features: device status %u\n", out->retval);
		return 5;
	}
	n = le16toh(out->get_sup_feats_out.supported_feats);
	printf("supported_features %d\n", n);
	free(out);

	/* Then every entry. */
	out_len = sizeof(*out) + n * sizeof(struct cxl_feat_entry);
	out = calloc(1, out_len);
	if (!out)
		return 1;
	ret = get_sup_feats(fd, n * sizeof(struct cxl_feat_entry), out, out_len);
	if (ret) {
		printf("FWCTL_RPC: %s (%s)\n", strerrorname_np(-ret), strerror(-ret));
		return 4;
	}
	if (out->retval || le16toh(out->get_sup_feats_out.num_entries) != n) {
		printf("Get Supported Features: status %u, %u entries for %d\n", out->retval,
		       le16toh(out->get_sup_feats_out.num_entries), n);
		return 5;
	}
	for (int i = 0; i < n; i++) {
		struct cxl_feat_entry *e = &out->get_sup_feats_out.ents[i];

		printf("feature ");
		uuid_print((const uint8_t *)&e->uuid);
		printf(" get_size=%u set_size=%u effects=0x%x\n", le16toh(e->get_feat_size),
		       le16toh(e->set_feat_size), le16toh(e->effects));
	}
	free(out);
	close(fd);
	cxl_unref(ctx);
	return 0;
}
