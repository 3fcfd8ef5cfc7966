/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The calls between fwctl_glue.c and the Rust side of the core.  The Rust
 * side declares the fwctl_glue_* functions in glue.rs and defines the
 * fwctl_rs_* ones; keep the three in step.
 */
#ifndef FWCTL_GLUE_H
#define FWCTL_GLUE_H

#include <linux/types.h>

struct device;
struct fwctl_device;
struct fwctl_ops;
struct list_head;

/* Defined in Rust (abi.rs, param.rs). */
struct fwctl_device *fwctl_rs_alloc_device(struct device *parent,
					   const struct fwctl_ops *ops,
					   size_t size);
int fwctl_rs_register(struct fwctl_device *fwctl);
void fwctl_rs_unregister(struct fwctl_device *fwctl);
int fwctl_rs_max_scope_set(const char *val);
int fwctl_rs_max_scope_get(char *buffer);

/* Defined in fwctl_glue.c, called from Rust (glue.rs). */
int fwctl_glue_minor_alloc(unsigned int max);
void fwctl_glue_minor_free(unsigned int minor);
void fwctl_glue_minors_destroy(void);
void fwctl_glue_list_del(struct list_head *entry);
void *fwctl_glue_kzalloc_account(size_t size);
void *fwctl_glue_kvmalloc(size_t size);
unsigned long fwctl_glue_clear_user(void __user *to, unsigned long n);
int fwctl_glue_get_user_u32(u32 *val, const u32 __user *from);

#endif
