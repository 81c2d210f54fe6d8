/*
 * fxp.h - fixed-point and integer encoding of cleartext into Z_2^k.
 *
 * Floats: v = trunc_toward_zero(x * 2^f), saturated to
 * [-2^(k-2), 2^(k-2) - 1], NaN -> 0.  Integers: two's complement, no
 * scaling.  pred: 0/1.  Decoding reverses this (pred = lsb).
 */
#ifndef SPU_FXP_H
#define SPU_FXP_H

#include "ring.h"
#include "tensor.h"

/* Default fraction bits for a field: 8, 18, 26. */
int spu_fxp_default(unsigned field);
/* Largest sensible fraction bits for a field (leaves room for products). */
int spu_fxp_max(unsigned field);

spu_u128 spu_fxp_encode_f64(unsigned field, int fxp, double x);
double spu_fxp_decode_f64(unsigned field, int fxp, spu_u128 v);

/* Encode a whole cleartext tensor into ring words (floats scaled by 2^fxp,
 * integers embedded).  out holds t->n words. */
void spu_encode_tensor(unsigned field, int fxp, const struct spu_tensor *t,
    void *out);
/* Decode n ring words into tensor t (whose dtype says how). */
void spu_decode_tensor(unsigned field, int fxp, const void *in,
    struct spu_tensor *t);

#endif
