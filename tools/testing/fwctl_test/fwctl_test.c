// SPDX-License-Identifier: GPL-2.0
/*
 * fwctl_test: a test-only fwctl driver.
 *
 * It is written in C against include/linux/fwctl.h alone, so loading it
 * against the Rust fwctl core proves that the core exports the upstream C
 * driver ABI.  Its "firmware" is a loopback described in fwctl_test.h, which
 * is the contract with the tests and benchmarks.
 *
 * Lifetime rules:
 *  - fwctl_test_lock protects fwctl_test_devs.  A device is in the list while
 *    it is registered and nobody has claimed it for removal; whoever takes it
 *    off the list (the remove file, module exit or its own unplug work) is the
 *    only one to tear it down, so a device is never unregistered twice.
 *  - An add registers and lists its device inside a read section of
 *    fwctl_test_publish, so adds run in parallel; the unplug work enters it
 *    for writing first, so it never finds its device registered but not
 *    yet listed.
 *  - The memory of a device belongs to the fwctl core (freed by the last
 *    fwctl_put()), so the unplug work embedded in it must be idle before the
 *    put; see fwctl_test_teardown().
 */

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/kobject.h>
#include <linux/delay.h>
#include <linux/device/faux.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/fwctl.h>
#include <linux/idr.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/sysfs.h>
#include <linux/sizes.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "fwctl_test.h"

/* Largest reply FWCTL_TEST_OP_LEN builds: the core's own RPC size limit. */
#define FWCTL_TEST_MAX_LEN	SZ_2M
/* Longest FWCTL_TEST_OP_SLEEP, so that unplug and rmmod stay bounded. */
#define FWCTL_TEST_MAX_SLEEP_MS	10000

static unsigned int ndevs = 1;
module_param(ndevs, uint, 0444);
MODULE_PARM_DESC(ndevs, "Number of test devices created at load (default 1)");

/*
 * With shared_parent, every fwctl device hangs off one faux device
 * "fwctl_test" instead of its own "fwctl_test.N": the scale tests and the
 * benchmark then measure the fwctl core, not the faux bus.
 */
static bool shared_parent;
module_param(shared_parent, bool, 0444);
MODULE_PARM_DESC(shared_parent, "All devices share one parent device (default: one parent each)");
static struct faux_device *fwctl_test_shared;

static bool copy_floor;
module_param(copy_floor, bool, 0444);
MODULE_PARM_DESC(copy_floor, "Register /dev/fwctl_test_copy, the benchmark's copy floor (default off)");

/*
 * The fwctl core allocates uctx_size bytes per open FD and dev_size bytes
 * (plus its own header) per device.  The fuzzer asks for a few KiB of
 * each, so that these allocations are alone in a kmalloc cache that
 * nothing else uses, whose object count then is the number of the core's
 * live user contexts and devices (its leak check).
 */
static unsigned int uctx_size;
module_param(uctx_size, uint, 0444);
MODULE_PARM_DESC(uctx_size, "Bytes the core allocates per open FD (default and minimum: the driver's context struct; at most 64 KiB)");
static unsigned int dev_size;
module_param(dev_size, uint, 0444);
MODULE_PARM_DESC(dev_size, "Bytes of the driver's device struct the core allocates (default and minimum: the struct itself; at most 64 KiB)");

/* Bits in fwctl_test_dev::flags */
enum {
	/* An UNPLUG RPC was seen: the unplug work is queued or done. */
	FWCTL_TEST_UNPLUGGED,
};

struct fwctl_test_dev {
	/* First member, as fwctl_alloc_device() requires. */
	struct fwctl_device fwctl;
	/* In fwctl_test_devs; empty once claimed for removal. */
	struct list_head node;
	struct faux_device *parent;
	struct work_struct unplug_work;
	unsigned long flags;
	atomic_t next_uctx_id;
	u32 index;
};

struct fwctl_test_uctx {
	/* First member: the core allocates uctx_size bytes and uses the head. */
	struct fwctl_uctx uctx;
	u32 id;
};

static DEFINE_MUTEX(fwctl_test_lock);
/* Read: an add registering and publishing a device; write: see unplug. */
static DECLARE_RWSEM(fwctl_test_publish);
static LIST_HEAD(fwctl_test_devs);
/* Device indices; the lowest free one is reused, keeping names short. */
static DEFINE_IDA(fwctl_test_ida);
/* Runs the unplug works; destroying it waits for the ones in progress. */
static struct workqueue_struct *fwctl_test_wq;

static atomic_t fwctl_test_live_uctx = ATOMIC_INIT(0);
static atomic64_t fwctl_test_opens = ATOMIC64_INIT(0);
static atomic_t fwctl_test_fail_open = ATOMIC_INIT(0);

static struct fwctl_test_dev *to_test_dev(struct fwctl_uctx *uctx)
{
	return container_of(uctx->fwctl, struct fwctl_test_dev, fwctl);
}

static struct fwctl_test_uctx *to_test_uctx(struct fwctl_uctx *uctx)
{
	return container_of(uctx, struct fwctl_test_uctx, uctx);
}

/*
 * Once an UNPLUG RPC has returned, later calls fail with ENODEV even before
 * the work has unregistered the device, so tests need not poll for it.
 */
static bool fwctl_test_unplugged(struct fwctl_test_dev *tdev)
{
	return test_bit(FWCTL_TEST_UNPLUGGED, &tdev->flags);
}

static int fwctl_test_open_uctx(struct fwctl_uctx *uctx)
{
	struct fwctl_test_dev *tdev = to_test_dev(uctx);
	int err;

	atomic64_inc(&fwctl_test_opens);

	/* Only the first open after a write to fail_open fails. */
	if (atomic_read(&fwctl_test_fail_open)) {
		err = atomic_xchg(&fwctl_test_fail_open, 0);
		if (err)
			return -err;
	}
	if (fwctl_test_unplugged(tdev))
		return -ENODEV;

	to_test_uctx(uctx)->id = atomic_inc_return(&tdev->next_uctx_id);
	atomic_inc(&fwctl_test_live_uctx);
	return 0;
}

static void fwctl_test_close_uctx(struct fwctl_uctx *uctx)
{
	atomic_dec(&fwctl_test_live_uctx);
}

static void *fwctl_test_info(struct fwctl_uctx *uctx, size_t *length)
{
	struct fwctl_test_dev *tdev = to_test_dev(uctx);
	struct fwctl_test_info *info;

	if (fwctl_test_unplugged(tdev))
		return ERR_PTR(-ENODEV);

	/* The core frees it with kfree(). */
	info = kzalloc_obj(*info, GFP_KERNEL_ACCOUNT);
	if (!info)
		return ERR_PTR(-ENOMEM);

	info->magic = FWCTL_TEST_INFO_MAGIC;
	info->index = tdev->index;
	info->uctx_id = to_test_uctx(uctx)->id;
	*length = sizeof(*info);
	return info;
}

static void *fwctl_test_rpc_len(const struct fwctl_test_req *req,
				size_t *out_len)
{
	u8 *out;
	u32 i;

	if (req->arg > FWCTL_TEST_MAX_LEN)
		return ERR_PTR(-EINVAL);

	/*
	 * kvmalloc(0) would hand the core ZERO_SIZE_PTR; no upstream driver
	 * returns that, so keep at least one byte and report arg anyway.
	 */
	out = kvmalloc(max_t(u32, req->arg, 1), GFP_KERNEL_ACCOUNT);
	if (!out)
		return ERR_PTR(-ENOMEM);

	for (i = 0; i < req->arg; i++)
		out[i] = (u8)(i + req->seed);
	*out_len = req->arg;
	return out;
}

static void *fwctl_test_rpc_scope(struct fwctl_uctx *uctx,
				  enum fwctl_rpc_scope scope, size_t in_len,
				  size_t *out_len)
{
	struct fwctl_test_scope_reply *reply;

	reply = kvzalloc_obj(*reply, GFP_KERNEL_ACCOUNT);
	if (!reply)
		return ERR_PTR(-ENOMEM);

	reply->scope = scope;
	reply->uctx_id = to_test_uctx(uctx)->id;
	reply->in_len = in_len;
	reply->out_len = *out_len;
	*out_len = sizeof(*reply);
	return reply;
}

/*
 * Runs with the core's registration lock held for read.  Replies are either
 * rpc_in itself or a kvmalloc()ed buffer the core frees with kvfree().
 */
static void *fwctl_test_fw_rpc(struct fwctl_uctx *uctx,
			       enum fwctl_rpc_scope scope, void *rpc_in,
			       size_t in_len, size_t *out_len)
{
	struct fwctl_test_dev *tdev = to_test_dev(uctx);
	const struct fwctl_test_req *req = rpc_in;
	void *out;

	/*
	 * Upstream's core hands C drivers requests on the heap (kvzalloc());
	 * a driver may map them (virt_to_page(), sg_init_one()), which a
	 * buffer on the ioctl's stack would break on a VMAP_STACK kernel.
	 * This driver refuses one, so that every test notices.
	 */
	if (object_is_on_stack(rpc_in)) {
		dev_err_once(&uctx->fwctl->dev,
			     "request buffer on the caller's stack: %px\n", rpc_in);
		return ERR_PTR(-EXDEV);
	}
	if (fwctl_test_unplugged(tdev))
		return ERR_PTR(-ENODEV);
	if (in_len < sizeof(*req))
		return ERR_PTR(-EINVAL);
	if (req->reserved)
		return ERR_PTR(-EBADMSG);

	switch (req->op) {
	case FWCTL_TEST_OP_ECHO:
		break;

	case FWCTL_TEST_OP_ECHO_NEW:
		out = kvmemdup(rpc_in, in_len, GFP_KERNEL_ACCOUNT);
		if (!out)
			return ERR_PTR(-ENOMEM);
		*out_len = in_len;
		return out;

	case FWCTL_TEST_OP_LEN:
		return fwctl_test_rpc_len(req, out_len);

	case FWCTL_TEST_OP_FAIL:
		if (req->arg < 1 || req->arg > MAX_ERRNO)
			return ERR_PTR(-EINVAL);
		return ERR_PTR(-(long)req->arg);

	case FWCTL_TEST_OP_SLEEP:
		/* A signal cuts the sleep short; the RPC still echoes. */
		msleep_interruptible(min_t(u32, req->arg,
					   FWCTL_TEST_MAX_SLEEP_MS));
		break;

	case FWCTL_TEST_OP_UNPLUG:
		/*
		 * fwctl_unregister() takes the registration lock for write and
		 * waits for this very RPC, so it must run from a work item.
		 * The bit makes sure the work is queued once per device: the
		 * work frees the device, so it must never be requeued.
		 */
		if (!test_and_set_bit(FWCTL_TEST_UNPLUGGED, &tdev->flags))
			queue_work(fwctl_test_wq, &tdev->unplug_work);
		break;

	case FWCTL_TEST_OP_SCOPE:
		return fwctl_test_rpc_scope(uctx, scope, in_len, out_len);

	default:
		return ERR_PTR(-EBADMSG);
	}

	/* Echo in place: the core notices rpc_in and does not free it twice. */
	*out_len = in_len;
	return rpc_in;
}

/* Not const: fwctl_test_init() applies the uctx_size parameter. */
static struct fwctl_ops fwctl_test_ops = {
	.device_type = (enum fwctl_device_type)FWCTL_DEVICE_TYPE_TEST,
	.uctx_size = sizeof(struct fwctl_test_uctx),
	.open_uctx = fwctl_test_open_uctx,
	.close_uctx = fwctl_test_close_uctx,
	.info = fwctl_test_info,
	.fw_rpc = fwctl_test_fw_rpc,
};

static_assert(offsetof(struct fwctl_test_uctx, uctx) == 0);
/* As fwctl_alloc_device() requires, which fwctl_test_add_one() open-codes. */
static_assert(offsetof(struct fwctl_test_dev, fwctl) == 0);

/*
 * Tear down a device its caller has taken off fwctl_test_devs, in the order
 * upstream drivers use: unregister, put, then remove the parent.
 */
static void fwctl_test_teardown(struct fwctl_test_dev *tdev, bool from_work)
{
	struct faux_device *parent = tdev->parent;
	u32 index = tdev->index;

	/* Waits for ops in flight and closes every open user context. */
	fwctl_unregister(&tdev->fwctl);

	/*
	 * No fw_rpc can run any more, so nothing can queue the unplug work
	 * again; it must be idle before fwctl_put() may free it.  The work
	 * itself skips this: it cannot wait for itself, and the workqueue
	 * allows a work item to free itself.
	 */
	if (!from_work)
		cancel_work_sync(&tdev->unplug_work);

	fwctl_put(&tdev->fwctl);
	if (parent != fwctl_test_shared)
		faux_device_destroy(parent);
	ida_free(&fwctl_test_ida, index);
}

static void fwctl_test_unplug_work(struct work_struct *work)
{
	struct fwctl_test_dev *tdev =
		container_of(work, struct fwctl_test_dev, unplug_work);
	bool claimed;

	/*
	 * If remove or module exit claimed the device first, it tears it down
	 * and cancels (or waits for) this work before freeing it.
	 */
	/* Wait until the add that registered this device has published it. */
	down_write(&fwctl_test_publish);
	up_write(&fwctl_test_publish);

	mutex_lock(&fwctl_test_lock);
	claimed = !list_empty(&tdev->node);
	if (claimed)
		list_del_init(&tdev->node);
	mutex_unlock(&fwctl_test_lock);

	if (claimed)
		fwctl_test_teardown(tdev, true);
}

/* Keep the list sorted by index so that "devices" reads in order. */
static void fwctl_test_insert(struct fwctl_test_dev *tdev)
{
	struct fwctl_test_dev *pos;

	lockdep_assert_held(&fwctl_test_lock);

	/* New devices usually have the largest index: search from the tail. */
	list_for_each_entry_reverse(pos, &fwctl_test_devs, node)
		if (pos->index < tdev->index)
			break;
	list_add(&tdev->node, &pos->node);
}

static int fwctl_test_add_one(void)
{
	struct fwctl_device *fwctl;
	struct fwctl_test_dev *tdev;
	struct faux_device *parent;
	char name[32];
	int index;
	int ret;

	index = ida_alloc(&fwctl_test_ida, GFP_KERNEL);
	if (index < 0)
		return index;

	snprintf(name, sizeof(name), "fwctl_test.%d", index);
	parent = shared_parent ? fwctl_test_shared :
				 faux_device_create(name, NULL, NULL);
	if (!parent) {
		/* The faux API reports no reason; memory is the likely one. */
		ret = -ENOMEM;
		goto err_ida;
	}

	/* fwctl_alloc_device(), with room for dev_size bytes. */
	fwctl = _fwctl_alloc_device(&parent->dev, &fwctl_test_ops,
				    max_t(size_t, dev_size, sizeof(*tdev)));
	tdev = fwctl ? container_of(fwctl, struct fwctl_test_dev, fwctl) : NULL;
	if (!tdev) {
		/* NULL also means the core ran out of fwctl minors. */
		ret = -ENOMEM;
		goto err_parent;
	}
	tdev->parent = parent;
	tdev->index = index;
	atomic_set(&tdev->next_uctx_id, 0);
	INIT_LIST_HEAD(&tdev->node);
	INIT_WORK(&tdev->unplug_work, fwctl_test_unplug_work);

	/*
	 * An unplug work that runs as soon as the device is visible must find
	 * it in the list: register and publish inside a read section of
	 * fwctl_test_publish, which the work enters for writing.  Adds do not
	 * exclude each other, so devices can be added from several threads at
	 * once (the scale test does).
	 */
	down_read(&fwctl_test_publish);
	ret = fwctl_register(&tdev->fwctl);
	if (!ret) {
		mutex_lock(&fwctl_test_lock);
		fwctl_test_insert(tdev);
		mutex_unlock(&fwctl_test_lock);
	}
	up_read(&fwctl_test_publish);
	if (ret)
		goto err_put;
	return 0;

err_put:
	fwctl_put(&tdev->fwctl);
err_parent:
	if (parent != fwctl_test_shared)
		faux_device_destroy(parent);
err_ida:
	ida_free(&fwctl_test_ida, index);
	return ret;
}

static int fwctl_test_remove_one(u32 index)
{
	struct fwctl_test_dev *tdev, *found = NULL;

	mutex_lock(&fwctl_test_lock);
	list_for_each_entry(tdev, &fwctl_test_devs, node) {
		if (tdev->index == index) {
			found = tdev;
			list_del_init(&tdev->node);
			break;
		}
	}
	mutex_unlock(&fwctl_test_lock);

	if (!found)
		return -ENODEV;
	fwctl_test_teardown(found, false);
	return 0;
}

static void fwctl_test_remove_all(void)
{
	struct fwctl_test_dev *tdev;

	/* One at a time: teardown sleeps and must not hold the lock. */
	for (;;) {
		mutex_lock(&fwctl_test_lock);
		tdev = list_first_entry_or_null(&fwctl_test_devs,
						struct fwctl_test_dev, node);
		if (tdev)
			list_del_init(&tdev->node);
		mutex_unlock(&fwctl_test_lock);

		if (!tdev)
			return;
		fwctl_test_teardown(tdev, false);
	}
}

/*
 * Reading state or removing a device first lets queued unplug works finish,
 * so that what tests see after an UNPLUG RPC returned is settled.
 */
static void fwctl_test_settle(void)
{
	flush_workqueue(fwctl_test_wq);
}

/*
 * The control files live in sysfs, /sys/kernel/fwctl_test/, not in debugfs:
 * lockdown (which the tests run under) makes writable debugfs files
 * unusable, while these must keep working.
 */
static ssize_t add_store(struct kobject *kobj, struct kobj_attribute *attr,
			 const char *buf, size_t count)
{
	unsigned int val;
	int ret;

	ret = kstrtouint(buf, 0, &val);
	if (ret)
		return ret;
	for (; val; val--) {
		ret = fwctl_test_add_one();
		if (ret)
			return ret;
	}
	return count;
}

static ssize_t remove_store(struct kobject *kobj, struct kobj_attribute *attr,
			    const char *buf, size_t count)
{
	long long index;
	int ret;

	ret = kstrtoll(buf, 0, &index);
	if (ret)
		return ret;
	fwctl_test_settle();
	if (index == -1) {
		fwctl_test_remove_all();
		return count;
	}
	if (index < 0 || index > U32_MAX)
		return -EINVAL;
	ret = fwctl_test_remove_one(index);
	return ret ? ret : count;
}

static ssize_t live_uctx_show(struct kobject *kobj, struct kobj_attribute *attr,
			      char *buf)
{
	fwctl_test_settle();
	return sysfs_emit(buf, "%d\n", atomic_read(&fwctl_test_live_uctx));
}

static ssize_t opens_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&fwctl_test_opens));
}

static ssize_t fail_open_show(struct kobject *kobj, struct kobj_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&fwctl_test_fail_open));
}

static ssize_t fail_open_store(struct kobject *kobj, struct kobj_attribute *attr,
			       const char *buf, size_t count)
{
	unsigned int val;
	int ret;

	ret = kstrtouint(buf, 0, &val);
	if (ret)
		return ret;
	if (val > MAX_ERRNO)
		return -EINVAL;
	atomic_set(&fwctl_test_fail_open, val);
	return count;
}

static struct kobj_attribute add_attr = __ATTR_WO(add);
static struct kobj_attribute remove_attr = __ATTR_WO(remove);
static struct kobj_attribute live_uctx_attr = __ATTR_RO(live_uctx);
static struct kobj_attribute opens_attr = __ATTR_RO(opens);
static struct kobj_attribute fail_open_attr = __ATTR_RW_MODE(fail_open, 0600);

/*
 * "devices": one "N fwctlM" line per device.  A binary attribute, since
 * 4096 devices do not fit in a page: the listing is rebuilt on each read
 * and the requested window copied out.
 */
static ssize_t devices_read(struct file *file, struct kobject *kobj,
			    const struct bin_attribute *attr, char *buf,
			    loff_t off, size_t count)
{
	/* "4294967295 fwctl4095\n" */
	const size_t line_max = 24;
	struct fwctl_test_dev *tdev;
	size_t len = 0, n = 0;
	char *text;
	ssize_t ret;

	fwctl_test_settle();
	mutex_lock(&fwctl_test_lock);
	list_for_each_entry(tdev, &fwctl_test_devs, node)
		n++;
	text = kvmalloc(n * line_max + 1, GFP_KERNEL);
	if (!text) {
		mutex_unlock(&fwctl_test_lock);
		return -ENOMEM;
	}
	list_for_each_entry(tdev, &fwctl_test_devs, node)
		len += scnprintf(text + len, line_max + 1, "%u %s\n",
				 tdev->index, dev_name(&tdev->fwctl.dev));
	mutex_unlock(&fwctl_test_lock);

	ret = memory_read_from_buffer(buf, count, &off, text, len);
	kvfree(text);
	return ret;
}

static const struct bin_attribute devices_attr = {
	.attr = { .name = "devices", .mode = 0444 },
	.read = devices_read,
};

static struct attribute *fwctl_test_attrs[] = {
	&add_attr.attr,
	&remove_attr.attr,
	&live_uctx_attr.attr,
	&opens_attr.attr,
	&fail_open_attr.attr,
	NULL,
};

static const struct bin_attribute *const fwctl_test_bin_attrs[] = {
	&devices_attr,
	NULL,
};

static const struct attribute_group fwctl_test_group = {
	.attrs = fwctl_test_attrs,
	.bin_attrs = fwctl_test_bin_attrs,
};

static struct kobject *fwctl_test_kobj;

/*
 * The copy floor (copy_floor=1), see fwctl_test.h.  A misc device rather
 * than a sysfs file: kernfs splits writes into pages and needs a write and
 * a read, so it cannot copy 2 MiB in and out in one call as FWCTL_RPC
 * does; debugfs is closed under lockdown; and a new RPC op would go
 * through the very core being measured.  It is only registered on request,
 * so the tests never see it.
 *
 * Each open file has its own zeroed buffer, allocated once, so that the
 * ioctl is the two copies and nothing else (and never copies out stale
 * kernel memory).
 */
static int fwctl_test_copy_open(struct inode *inode, struct file *file)
{
	void *buf = kvzalloc(FWCTL_TEST_COPY_MAX, GFP_KERNEL_ACCOUNT);

	if (!buf)
		return -ENOMEM;
	file->private_data = buf;
	return 0;
}

static int fwctl_test_copy_release(struct inode *inode, struct file *file)
{
	kvfree(file->private_data);
	return 0;
}

static long fwctl_test_copy_ioctl(struct file *file, unsigned int cmd,
				  unsigned long arg)
{
	void *buf = file->private_data;
	struct fwctl_test_copy req;

	if (cmd != FWCTL_TEST_COPY)
		return -ENOTTY;
	if (copy_from_user(&req, (void __user *)arg, sizeof(req)))
		return -EFAULT;
	if (req.in_len > FWCTL_TEST_COPY_MAX ||
	    req.out_len > FWCTL_TEST_COPY_MAX)
		return -EMSGSIZE;
	if (copy_from_user(buf, u64_to_user_ptr(req.in), req.in_len))
		return -EFAULT;
	if (copy_to_user(u64_to_user_ptr(req.out), buf, req.out_len))
		return -EFAULT;
	return 0;
}

static const struct file_operations fwctl_test_copy_fops = {
	.owner = THIS_MODULE,
	.open = fwctl_test_copy_open,
	.release = fwctl_test_copy_release,
	.unlocked_ioctl = fwctl_test_copy_ioctl,
};

static struct miscdevice fwctl_test_copy_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "fwctl_test_copy",
	.fops = &fwctl_test_copy_fops,
	.mode = 0600,
};

static int fwctl_test_sysfs_init(void)
{
	int ret;

	fwctl_test_kobj = kobject_create_and_add("fwctl_test", kernel_kobj);
	if (!fwctl_test_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(fwctl_test_kobj, &fwctl_test_group);
	if (ret)
		kobject_put(fwctl_test_kobj);
	return ret;
}

static int __init fwctl_test_init(void)
{
	unsigned int i;
	int ret;

	if (uctx_size > SZ_64K || dev_size > SZ_64K)
		return -EINVAL;
	fwctl_test_ops.uctx_size = max_t(size_t, uctx_size,
					 sizeof(struct fwctl_test_uctx));

	fwctl_test_wq = alloc_workqueue("fwctl_test", WQ_UNBOUND, 0);
	if (!fwctl_test_wq)
		return -ENOMEM;
	if (shared_parent) {
		fwctl_test_shared = faux_device_create("fwctl_test", NULL, NULL);
		if (!fwctl_test_shared) {
			destroy_workqueue(fwctl_test_wq);
			return -ENOMEM;
		}
	}

	for (i = 0; i < ndevs; i++) {
		ret = fwctl_test_add_one();
		if (ret)
			goto err_remove;
	}

	ret = fwctl_test_sysfs_init();
	if (ret)
		goto err_remove;
	if (copy_floor) {
		ret = misc_register(&fwctl_test_copy_dev);
		if (ret)
			goto err_sysfs;
	}
	return 0;

err_sysfs:
	kobject_put(fwctl_test_kobj);
err_remove:
	fwctl_test_remove_all();
	if (fwctl_test_shared)
		faux_device_destroy(fwctl_test_shared);
	destroy_workqueue(fwctl_test_wq);
	return ret;
}

static void __exit fwctl_test_exit(void)
{
	if (copy_floor)
		misc_deregister(&fwctl_test_copy_dev);
	/* Waits for sysfs writers, so no device is added after this. */
	kobject_put(fwctl_test_kobj);
	fwctl_test_remove_all();
	/* Waits for unplug works that claimed their device before we ran. */
	destroy_workqueue(fwctl_test_wq);
	if (fwctl_test_shared)
		faux_device_destroy(fwctl_test_shared);
	ida_destroy(&fwctl_test_ida);
}

module_init(fwctl_test_init);
module_exit(fwctl_test_exit);

MODULE_IMPORT_NS("FWCTL");
MODULE_DESCRIPTION("fwctl test driver (test-only loopback, never for production)");
MODULE_LICENSE("GPL");
