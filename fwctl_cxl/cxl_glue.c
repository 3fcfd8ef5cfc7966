// SPDX-License-Identifier: GPL-2.0
/*
 * fwctl_cxl's module parameter, declared with the kernel's macros: the Rust
 * module! macro of this kernel gives its parameters no sysfs file, and an
 * administrator's choice to expose the kernel's CXL features must be
 * visible (/sys/module/fwctl_cxl/parameters/expose_kernel_features).  Read
 * once by fwctl_cxl.rs at load; not writable afterwards (0444).
 */
#include <linux/moduleparam.h>

#include "cxl_glue.h"

bool fwctl_cxl_expose_kernel_features;
module_param_named(expose_kernel_features, fwctl_cxl_expose_kernel_features, bool, 0444);
MODULE_PARM_DESC(expose_kernel_features,
		 "Let userspace set the CXL features upstream reserves to the kernel's EDAC code "
		 "(patrol scrub, ECS, soft and hard PPR, memory sparing) on devices where that "
		 "code is not configured. A Set Feature of hard PPR or sparing is a permanent "
		 "repair of the memory device. Default N, as upstream (Documentation/cxl.rst).");

bool fwctl_cxl_expose_kernel_features_get(void)
{
	return READ_ONCE(fwctl_cxl_expose_kernel_features);
}
