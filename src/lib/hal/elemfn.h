/*
 * elemfn.h - elementary functions composed from the fixed-point library
 * (approx.h, cmp.h, round.h) for secret operands: pow, atan2 and the
 * float remainder.
 *
 *   pow(x, y): a public integral y (every element) by square and
 *     multiply, exact up to the products' truncation, any sign of x; a
 *     negative y takes the reciprocal.  Otherwise exp(y log x), defined
 *     for x > 0 only.  Integer dtypes need a public y >= 0.
 *   atan2(y, x): atan of min(|x|,|y|) / (max(|x|,|y|) + 2^-f) by a
 *     Chebyshev series on [0, 1], then the octant fixes by three
 *     selections.  Error a few units in the last place when max(|x|,
 *     |y|) is well above 2^-f.
 *   frem(x, y) = x - y trunc(x / y) (XLA remainder for floats); as
 *     accurate as the division, so wrong by |y| where x / y lands within
 *     the division's error of an integer.
 */
#ifndef SPU_HAL_ELEMFN_H
#define SPU_HAL_ELEMFN_H

#include "../mpc/mpc.h"
#include "../value.h"

int spu_hal_pow(struct spu_mpc *m, const struct spu_value *x,
    const struct spu_value *y, enum spu_dtype t, struct spu_value **out);
int spu_hal_atan2(struct spu_mpc *m, const struct spu_value *y,
    const struct spu_value *x, struct spu_value **out);
int spu_hal_frem(struct spu_mpc *m, const struct spu_value *x,
    const struct spu_value *y, struct spu_value **out);

#endif
