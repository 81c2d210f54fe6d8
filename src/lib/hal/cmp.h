/*
 * cmp.h - value-level comparisons, selection and the piecewise-linear
 * functions built on them (protocols.md 5.3), for any mix of public and
 * secret operands.
 *
 * Comparisons return dtype pred values, 0 or 1.  A secret pred is an
 * arithmetic sharing of 0/1, so selection is b + p (a - b) with one
 * multiplication, NOT is 1 - p, AND is p q and OR is p + q - p q.
 * less(a, b) = msb(a - b) over spu_hal_cmp_bits(dtype) = K bits: exact
 * while |a - b| < 2^(K-1), which holds for integers of at most 32 bits
 * (K = 33), and for floats with K = the ring (|x| < 2^(k-2) in the
 * fixed-point encoding) or, with --compare-bits, by the user's promise.
 *
 * Every function returns 0 or a negative spu_err and on success stores a
 * newly allocated value in *out.  Operands of binary functions have equal
 * element counts, except that clamp's bounds may be scalars.
 */
#ifndef SPU_HAL_CMP_H
#define SPU_HAL_CMP_H

#include "../mpc/mpc.h"
#include "../value.h"

/*
 * The width K of the sign circuit for values of dtype t: 33 for
 * integers of at most 32 bits (their differences fit), the ring for
 * wider ones, m->fxpcfg.cmp_bits (0: the ring) for floats.  Rounds and
 * bytes of a comparison fall with K.
 */
unsigned spu_hal_cmp_bits(const struct spu_mpc *m, enum spu_dtype t);

int spu_hal_less(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **out);
int spu_hal_greater(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **out);
int spu_hal_less_equal(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **out);
int spu_hal_greater_equal(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **out);
int spu_hal_equal(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **out);
int spu_hal_not_equal(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **out);

/*
 * Secret predicates as boolean sharings (cmp_xor.c): a < b, or a <= b
 * with or_equal, whose secret result is xor_shared (bit 0 of each
 * word; a public result as spu_hal_less); spu_hal_arith converts such a
 * value to the arithmetic 0/1 every other function expects, in place
 * (one B2A; nothing for other values); NOT, select and a product with
 * a secret take it as is.
 */
int spu_hal_less_x(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, int or_equal, struct spu_value **out);
int spu_hal_arith(struct spu_mpc *m, struct spu_value *v);
int spu_hal_not_x(struct spu_mpc *m, const struct spu_value *p,
    struct spu_value **out);
/* p x for a boolean-shared p and a secret x of its size (x's dtype):
 * spu_b_mul_a, no B2A.  Worth it when p has no other use. */
int spu_hal_mul_x(struct spu_mpc *m, const struct spu_value *p,
    const struct spu_value *x, struct spu_value **out);
int spu_hal_select_x(struct spu_mpc *m, const struct spu_value *p,
    const struct spu_value *a, const struct spu_value *b,
    struct spu_value **out);

/* Logic: on pred values 0/1 arithmetic; on integers bitwise (secret
 * integers go through boolean shares: A2B, AND, B2A). */
int spu_hal_not(struct spu_mpc *m, const struct spu_value *a,
    struct spu_value **out);
int spu_hal_and(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **out);
int spu_hal_or(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **out);

/* p ? a : b elementwise; p pred; the result has a's dtype. */
int spu_hal_select(struct spu_mpc *m, const struct spu_value *p,
    const struct spu_value *a, const struct spu_value *b,
    struct spu_value **out);
int spu_hal_max(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **out);
int spu_hal_min(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **out);
/* max(x, 0). */
int spu_hal_relu(struct spu_mpc *m, const struct spu_value *a,
    struct spu_value **out);
int spu_hal_abs(struct spu_mpc *m, const struct spu_value *a,
    struct spu_value **out);
/* -1, 0 or 1 (1.0 etc. for floats). */
int spu_hal_sign(struct spu_mpc *m, const struct spu_value *a,
    struct spu_value **out);
/* min(max(x, lo), hi) as XLA clamp(lo, x, hi). */
int spu_hal_clamp(struct spu_mpc *m, const struct spu_value *lo,
    const struct spu_value *x, const struct spu_value *hi,
    struct spu_value **out);

/* Arithmetic 0/1 sharing (or public 0/1) of msb(x), dtype pred. */
int spu_hal_msb(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out);

#endif
