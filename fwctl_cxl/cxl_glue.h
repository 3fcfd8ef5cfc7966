/* SPDX-License-Identifier: GPL-2.0 */
/* What cxl_glue.c gives fwctl_cxl.rs. */
#ifndef FWCTL_CXL_GLUE_H
#define FWCTL_CXL_GLUE_H

#include <linux/types.h>

/* The expose_kernel_features module parameter, as the loader set it. */
bool fwctl_cxl_expose_kernel_features_get(void);

#endif
