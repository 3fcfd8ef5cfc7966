// SPDX-License-Identifier: GPL-2.0
/*
 * The part of the fwctl core that the kernel's own C macros express: the
 * exported driver ABI of include/linux/fwctl.h, the max_scope module
 * parameter, the IDA of minors and list_del(), and the allocation and
 * user-copy helpers whose C forms are inline or macros (kvmalloc(),
 * kzalloc(), clear_user(), get_user()).  Everything here is a one-line
 * forward, to the Rust code (fwctl_core.rs and its modules) or to the
 * kernel, so that the layouts of `.export_symbol`, `__ksymtab`, `__param`, `.modinfo`,
 * the list poison values and the IDA's xarray flags come from the kernel's
 * headers and never have to be re-derived in Rust.
 *
 * The includes are those of upstream's drivers/fwctl/main.c, in its order:
 * with CONFIG_MODVERSIONS the CRC of an export is computed from the types
 * of its prototype as this translation unit sees them, and seeing the same
 * definitions makes the CRCs of _fwctl_alloc_device, fwctl_register and
 * fwctl_unregister those of upstream's fwctl.ko, so that C drivers built
 * against the kernel (cxl_core, mlx5_fwctl, ...) load on this core.
 */
#define pr_fmt(fmt) "fwctl: " fmt
#include <linux/fwctl.h>

#include <linux/container_of.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include <uapi/fwctl/fwctl.h>

#include "fwctl_glue.h"

static DEFINE_IDA(fwctl_ida);

struct fwctl_device *_fwctl_alloc_device(struct device *parent,
					 const struct fwctl_ops *ops,
					 size_t size)
{
	return fwctl_rs_alloc_device(parent, ops, size);
}
EXPORT_SYMBOL_NS_GPL(_fwctl_alloc_device, "FWCTL");

int fwctl_register(struct fwctl_device *fwctl)
{
	return fwctl_rs_register(fwctl);
}
EXPORT_SYMBOL_NS_GPL(fwctl_register, "FWCTL");

void fwctl_unregister(struct fwctl_device *fwctl)
{
	fwctl_rs_unregister(fwctl);
}
EXPORT_SYMBOL_NS_GPL(fwctl_unregister, "FWCTL");

static int max_scope_set(const char *val, const struct kernel_param *kp)
{
	return fwctl_rs_max_scope_set(val);
}

static int max_scope_get(char *buffer, const struct kernel_param *kp)
{
	return fwctl_rs_max_scope_get(buffer);
}

static const struct kernel_param_ops max_scope_ops = {
	.set = max_scope_set,
	.get = max_scope_get,
};
module_param_cb(max_scope, &max_scope_ops, NULL, 0644);
MODULE_PARM_DESC(max_scope,
		 "Highest RPC scope any device accepts (none, configuration, debug_read_only, debug_write, debug_write_full); can only be lowered");

int fwctl_glue_minor_alloc(unsigned int max)
{
	return ida_alloc_max(&fwctl_ida, max, GFP_KERNEL);
}

void fwctl_glue_minor_free(unsigned int minor)
{
	ida_free(&fwctl_ida, minor);
}

void fwctl_glue_minors_destroy(void)
{
	ida_destroy(&fwctl_ida);
}

void fwctl_glue_list_del(struct list_head *entry)
{
	list_del(entry);
}

/*
 * A user context as upstream's core allocates one at open(): zeroed,
 * accounted to the caller, of the driver's uctx_size.
 */
void *fwctl_glue_kzalloc_account(size_t size)
{
	return kzalloc(size, GFP_KERNEL_ACCOUNT);
}

/*
 * A request buffer as upstream's core allocates one, kvmalloc() accounted
 * to the caller, without its zeroing (every byte is copied from the user
 * before use).  kvmalloc() is a macro whose function changes with the
 * configuration (CONFIG_SLAB_BUCKETS and others): only C can call it.
 */
void *fwctl_glue_kvmalloc(size_t size)
{
	return kvmalloc(size, GFP_KERNEL_ACCOUNT);
}

/*
 * clear_user() is inline (it checks the range and calls the arch's
 * __clear_user()); upstream's core calls it to zero-fill the caller's
 * device data past the driver's.  Returns the bytes it could not clear.
 */
unsigned long fwctl_glue_clear_user(void __user *to, unsigned long n)
{
	return clear_user(to, n);
}

/*
 * get_user() of a u32, as upstream's core reads a command's size: an
 * inline access of the one word, where a copy_from_user() of four bytes
 * is a call and a string copy.  Returns 0 or -EFAULT.
 */
int fwctl_glue_get_user_u32(u32 *val, const u32 __user *from)
{
	return get_user(*val, from);
}
