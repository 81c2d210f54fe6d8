/*
 * rowmax.h - maximum or minimum of every row of a short secret matrix in
 * one comparison depth (rowmax.c).
 */
#ifndef SPU_HAL_ROWMAX_H
#define SPU_HAL_ROWMAX_H

#include "../mpc/mpc.h"
#include "../value.h"

/* Rows at most this wide go through spu_hal_rowmax. */
#define SPU_HAL_ROWMAX_W 16

/* out[r] = max (is_max) or min of the secret x[r, 0..w), w >= 2. */
int spu_hal_rowmax(struct spu_mpc *m, const struct spu_value *x, int is_max,
    struct spu_value **out);

#endif
