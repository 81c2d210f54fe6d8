/*
 * hal.h - value-level operations: the layer between the VM and the
 * protocols.  Handles every mix of public and secret operands, fixed-point
 * rescaling (type-directed: a product of two floats is truncated once),
 * dtype conversion and the communication-free data movement of shape ops.
 *
 * Every function returns 0 or a negative spu_err, and on success stores a
 * newly allocated value in *out (the caller frees it).
 */
#ifndef SPU_HAL_H
#define SPU_HAL_H

#include "../mpc/mpc.h"
#include "../value.h"

/* A new value of the given type and visibility, shares zeroed. */
struct spu_value *spu_hal_alloc(struct spu_mpc *m, enum spu_dtype t,
    const struct spu_shape *s, enum spu_vis vis);
/* Public cleartext (encoded ring words) -> value. */
int spu_hal_p2s(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out);
/* Secret -> public (every party learns it). */
int spu_hal_reveal(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out);

int spu_hal_add(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **out);
int spu_hal_sub(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **out);
int spu_hal_neg(struct spu_mpc *m, const struct spu_value *a,
    struct spu_value **out);
/* Elementwise product with result dtype t. */
int spu_hal_mul(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, enum spu_dtype t, struct spu_value **out);
/* a[B?,M,K] . b[B?,K,N] with result dtype t. */
int spu_hal_matmul(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, enum spu_dtype t, struct spu_value **out);
/* The fraction bits a product of a and b carries beyond one operand's:
 * fxp when both are fixed point, else 0 (what its truncation drops). */
unsigned spu_hal_product_scale(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b);
/* Divide by 2^bits (fixed-point rescale): public exact with rounding,
 * secret by the protocol's truncation.  In place. */
int spu_hal_trunc(struct spu_mpc *m, struct spu_value *x, unsigned bits);
int spu_hal_convert(struct spu_mpc *m, const struct spu_value *a,
    enum spu_dtype t, struct spu_value **out);

/* Data movement: out element i = a element idx[i]; shape s.  Local. */
int spu_hal_gather_local(struct spu_mpc *m, const struct spu_value *a,
    const size_t *idx, const struct spu_shape *s, enum spu_dtype t,
    struct spu_value **out);
int spu_hal_broadcast(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_shape *s, const int64_t *dims, struct spu_value **out);
int spu_hal_reshape(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_shape *s, struct spu_value **out);
int spu_hal_transpose(struct spu_mpc *m, const struct spu_value *a,
    const int64_t *perm, struct spu_value **out);

#endif
