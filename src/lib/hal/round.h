/*
 * round.h - rounding secret fixed-point values to integers (still as
 * fixed-point values): floor, ceil, round half away from zero, round
 * half to even, and toward zero.  Exact: one A2B, an AND tree over the
 * fraction bits (log2 f rounds) and one B2A.  Integer operands are
 * returned unchanged.
 */
#ifndef SPU_HAL_ROUND_H
#define SPU_HAL_ROUND_H

#include "../mpc/mpc.h"
#include "../value.h"

enum spu_round {
	SPU_ROUND_FLOOR, SPU_ROUND_CEIL, SPU_ROUND_AFZ, SPU_ROUND_EVEN,
	SPU_ROUND_TRUNC
};

int spu_hal_round(struct spu_mpc *m, const struct spu_value *x,
    enum spu_round mode, struct spu_value **out);
/* A secret fixed-point x as integer dtype t, rounded toward zero (XLA's
 * convert), exactly: the integer part is the boolean sharing shifted
 * right by f, plus one for negatives with a fraction.  Same cost as
 * spu_hal_round.  Values beyond t's range are not saturated. */
int spu_hal_float_to_int(struct spu_mpc *m, const struct spu_value *x,
    enum spu_dtype t, struct spu_value **out);

#endif
