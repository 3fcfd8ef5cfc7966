// SPDX-License-Identifier: GPL-2.0
/*
 * mlx5_core's two command entry points, as the simulator exports them.
 *
 * With CONFIG_MODVERSIONS (gendwarfksyms) the CRC of an export is computed
 * from the types of its prototype as the defining translation unit sees
 * them.  This file includes what mlx5_core's cmd.c includes, in its order
 * (tracepoints included), and defines the two functions with cmd.c's
 * prototypes, so that the CRCs are mlx5_core's: a driver built against the
 * kernel, such as upstream's mlx5_fwctl, loads on the simulator.  Each
 * forwards to the simulator (mlx5_sim_dev.c).
 */
#include <linux/highmem.h>
#include <linux/errno.h>
#include <linux/pci.h>
#include <linux/dma-mapping.h>
#include <linux/slab.h>
#include <linux/delay.h>
#include <linux/random.h>
#include <linux/mlx5/driver.h>
#include <linux/mlx5/eq.h>
#include <linux/debugfs.h>

#include "mlx5_core.h"
#include "lib/eq.h"
#include "lib/tout.h"
#define CREATE_TRACE_POINTS
#include "diag/cmd_tracepoint.h"

#include "mlx5_sim_cmd.h"

int mlx5_cmd_do(struct mlx5_core_dev *dev, void *in, int in_size, void *out, int out_size)
{
	return mlx5_sim_cmd_do(dev, in, in_size, out, out_size);
}
EXPORT_SYMBOL(mlx5_cmd_do);

int mlx5_cmd_exec(struct mlx5_core_dev *dev, void *in, int in_size, void *out,
		  int out_size)
{
	return mlx5_sim_cmd_exec(dev, in, in_size, out, out_size);
}
EXPORT_SYMBOL(mlx5_cmd_exec);
