/* SPDX-License-Identifier: GPL-2.0 */
/* The simulator's command entry points, exported by mlx5_sim_cmd.c. */
#ifndef MLX5_SIM_CMD_H
#define MLX5_SIM_CMD_H

struct mlx5_core_dev;

int mlx5_sim_cmd_do(struct mlx5_core_dev *dev, void *in, int in_size,
		    void *out, int out_size);
int mlx5_sim_cmd_exec(struct mlx5_core_dev *dev, void *in, int in_size,
		      void *out, int out_size);

#endif
