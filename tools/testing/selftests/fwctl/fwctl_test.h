/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * fwctl_test: a test-only fwctl driver whose "firmware" is a deterministic
 * loopback.  Never shipped; built by `make check` and `make bench`.
 *
 * This header is the contract between the driver and the tests/benchmarks.
 *
 * Devices.  Loading the module creates `ndevs` devices (module parameter,
 * default 1).  Each device N has a parent faux device "fwctl_test.N" and one
 * fwctl device.  Module parameters `uctx_size` and `dev_size`: bytes the
 * core allocates per open FD and for the driver's part of a device
 * (default: the driver's own structs).  Control lives in sysfs,
 * /sys/kernel/fwctl_test/ (not debugfs, whose writable files lockdown
 * disables):
 *   add        write K: create K more devices
 *   remove     write N: unregister and free device N (hot unplug; waits for
 *              RPCs in flight, closes open user contexts); write -1: all
 *   devices    read: one line per live device, "N fwctlM"
 *   live_uctx  read: number of user contexts currently open (all devices)
 *   opens      read: number of open_uctx calls so far
 *   fail_open  write E: the next open_uctx fails with -E (0: off)
 *
 * Copy floor.  With the module parameter copy_floor=1 the driver also
 * registers a misc device, /dev/fwctl_test_copy, for the benchmark: its one
 * ioctl, FWCTL_TEST_COPY, copies in_len bytes from user memory into a
 * buffer of the open file and out_len bytes of that buffer back out, and
 * nothing else.  It has the shape of an FWCTL_RPC (one ioctl, the command
 * struct copied in, the payload in and out) without the fwctl core, so its
 * cost is the floor under what any core can do.
 *
 * RPC.  The request starts with struct fwctl_test_req; the reply depends on
 * op (all lengths in bytes).  The driver never reads past in_len.
 */
#ifndef _UAPI_FWCTL_TEST_H
#define _UAPI_FWCTL_TEST_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Not an upstream value: a test-only device type, far from real ones. */
#define FWCTL_DEVICE_TYPE_TEST 0x7e57

enum fwctl_test_op {
	/* Reply with the whole request, in place (the core's inbuf). */
	FWCTL_TEST_OP_ECHO = 0,
	/* Reply with a copy of the whole request in a new buffer. */
	FWCTL_TEST_OP_ECHO_NEW = 1,
	/*
	 * Reply with arg bytes, byte i = (u8)(i + seed); may be larger than
	 * out_len (the core truncates the copy and reports arg).
	 */
	FWCTL_TEST_OP_LEN = 2,
	/* Fail the RPC with -arg (e.g. 74 for EBADMSG). */
	FWCTL_TEST_OP_FAIL = 3,
	/* Sleep arg milliseconds, then echo in place. */
	FWCTL_TEST_OP_SLEEP = 4,
	/*
	 * Unregister this device from a work item, then echo in place (the
	 * RPC completes; later ioctls on any FD of the device get ENODEV).
	 */
	FWCTL_TEST_OP_UNPLUG = 5,
	/* Reply with struct fwctl_test_scope_reply (what the driver saw). */
	FWCTL_TEST_OP_SCOPE = 6,
};

struct fwctl_test_req {
	__u32 op;	/* enum fwctl_test_op */
	__u32 arg;
	__u32 seed;
	__u32 reserved;	/* must be 0, else the RPC fails with EBADMSG */
	/* payload follows */
};

struct fwctl_test_scope_reply {
	__u32 scope;		/* the scope the core passed to fw_rpc */
	__u32 uctx_id;		/* per-open id, unique per device */
	__u64 in_len;		/* in_len the core passed */
	__u64 out_len;		/* *out_len the core passed (user's out_len) */
};

/* The copy floor's ioctl on /dev/fwctl_test_copy (copy_floor=1). */
struct fwctl_test_copy {
	__u64 in;		/* user address of in_len bytes to copy in */
	__u64 out;		/* user address of out_len bytes to fill */
	__u32 in_len;		/* at most FWCTL_TEST_COPY_MAX */
	__u32 out_len;		/* at most FWCTL_TEST_COPY_MAX */
};
#define FWCTL_TEST_COPY_MAX	(2U * 1024 * 1024)
/* A private misc device: any type byte far from fwctl's 0x9a will do. */
#define FWCTL_TEST_COPY		_IOW(0xf7, 0x00, struct fwctl_test_copy)

/* FWCTL_INFO device data. */
struct fwctl_test_info {
	__u32 magic;		/* FWCTL_TEST_INFO_MAGIC */
	__u32 index;		/* device index N */
	__u32 uctx_id;		/* this FD's user context id */
	__u32 reserved;
};
#define FWCTL_TEST_INFO_MAGIC 0xf7c7e570

#endif
