/*
 * approx.h - the fixed-point function library: exp, log, reciprocal,
 * division, sqrt, rsqrt, logistic, tanh, erf, sin, cos (protocols.md 5.4
 * to 5.8, with our own algorithms where they are more accurate).
 *
 * Public operands are decoded, computed in float64 and re-encoded.
 * Secret operands use bit decomposition (A2B) for range reduction and
 * Chebyshev series for the smooth part; see approx.c for each method,
 * its valid input range and its cost.  Floats only, except that div also
 * divides integers (public operands; secret integer division is not
 * supported yet).
 *
 * Where there are several methods (exp, log, logistic, tanh, the
 * Goldschmidt iterations of reciprocals), m->fxpcfg (fxpcfg.h) selects
 * one; a zeroed config gives the accurate defaults.
 *
 * Every function returns 0 or a negative spu_err and on success stores a
 * newly allocated value in *out.
 */
#ifndef SPU_HAL_APPROX_H
#define SPU_HAL_APPROX_H

#include "../mpc/mpc.h"
#include "../value.h"

int spu_hal_exp(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out);
int spu_hal_expm1(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out);
int spu_hal_log(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out);
int spu_hal_log1p(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out);
int spu_hal_reciprocal(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out);
/* a / b elementwise, result dtype t. */
int spu_hal_div(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, enum spu_dtype t, struct spu_value **out);
int spu_hal_sqrt(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out);
int spu_hal_rsqrt(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out);
int spu_hal_logistic(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out);
int spu_hal_tanh(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out);
int spu_hal_erf(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out);
int spu_hal_sin(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out);
int spu_hal_cos(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out);

#endif
