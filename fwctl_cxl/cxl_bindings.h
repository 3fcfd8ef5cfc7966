/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What fwctl_cxl uses of the CXL core (drivers/cxl/cxlmem.h).  The allowlist
 * in cxl_bindings.params decides which declarations become Rust.
 */
#include <linux/types.h>
#include "cxlmem.h"
