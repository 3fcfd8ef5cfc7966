/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What fwctl_mlx5 uses of mlx5_core (include/linux/mlx5/driver.h) and of the
 * command layouts (include/linux/mlx5/mlx5_ifc.h).  The allowlist in
 * mlx5_bindings.params decides which declarations become Rust.
 */
#include <linux/types.h>
#include <linux/mlx5/driver.h>
#include <linux/mlx5/mlx5_ifc.h>
