/*
 * intdiv.h - exact division and remainder of integers with a secret
 * operand, with XLA's semantics: the quotient rounds toward zero, the
 * remainder has the dividend's sign, x / 0 = -1 (all bits set for
 * unsigned types) and x % 0 = x.  (INT_MIN / -1 is not wrapped.)
 *
 * A public divisor costs one MSB (sign), one product (magnitude), one
 * truncation by a reciprocal and one batched comparison correcting the
 * estimate.  A secret divisor runs restoring long division: one
 * comparison and one product per bit of the dtype (about 10 rounds per
 * bit), so it is slow on high-latency links.
 */
#ifndef SPU_HAL_INTDIV_H
#define SPU_HAL_INTDIV_H

#include "../mpc/mpc.h"
#include "../value.h"

/* a / b (want_rem 0) or a % b (want_rem 1), integer dtype of a. */
int spu_hal_idivrem(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, int want_rem, struct spu_value **out);

#endif
