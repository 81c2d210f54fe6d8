/*
 * bits.h - bit-level ops on secret integers through boolean shares: xor,
 * shifts by public amounts, popcount, wrapping to a dtype's width and
 * bitcasts (integer to integer of the same width; an IEEE float's bits
 * to its fixed-point value).
 *
 * Each is one A2B of the operands (carry-save reduction + 1 + log2 k
 * rounds), local XOR-linear bit moves, and one B2A (1 round).  Integers
 * narrower than the ring are wrapped to their width on the way (the
 * ring does not wrap a u32 sum at 2^32; every op that looks at bits
 * does), so results are canonical: sign-extended for signed dtypes,
 * zero-extended for unsigned ones.
 *
 * Every function returns 0 or a negative spu_err and on success stores a
 * newly allocated value in *out.  Public operands are accepted (they are
 * shared first) but the VM evaluates all-public ops in the clear.
 */
#ifndef SPU_HAL_BITS_H
#define SPU_HAL_BITS_H

#include "../mpc/mpc.h"
#include "../value.h"

enum spu_shift {
	SPU_SHIFT_LEFT, SPU_SHIFT_RIGHT_LOGIC, SPU_SHIFT_RIGHT_ARITH
};

/* a ^ b (pred: a + b - 2ab). */
int spu_hal_xor(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **out);
/* x shifted by the public amounts s (same element count, or a scalar);
 * amounts >= the width give 0, or the sign for SHIFT_RIGHT_ARITH. */
int spu_hal_shift(struct spu_mpc *m, const struct spu_value *x,
    const struct spu_value *s, enum spu_shift kind, struct spu_value **out);
/* Number of set bits in the dtype's width. */
int spu_hal_popcnt(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out);
/* x reduced to the width of integer dtype t (sign- or zero-extended),
 * the result of dtype t: bitcast between integers of one width. */
int spu_hal_wrap(struct spu_mpc *m, const struct spu_value *x,
    enum spu_dtype t, struct spu_value **out);
/* BITCAST_CONVERT to dtype t: integers as spu_hal_wrap; u32/s32 -> f32
 * and u64/s64 -> f64 decode the IEEE fields (bitcast.c). */
int spu_hal_bitcast(struct spu_mpc *m, const struct spu_value *x,
    enum spu_dtype t, struct spu_value **out);

/* ---- for the other files of hal/ ---- */
struct spu_sv;
/* Boolean sharing (field bits) of secret x, in b (allocated here). */
int spu_hal_a2b(struct spu_mpc *m, const struct spu_value *x,
    struct spu_sv *b);
/* Keep the low w bits of every boolean word, then copy bit w-1 into the
 * bits above (sext) or clear them.  Local. */
void spu_hal_bnorm(struct spu_mpc *m, const struct spu_sv *b, unsigned w,
    int sext);
/* Width of integer dtype t in this ring (at most the field). */
unsigned spu_hal_int_width(struct spu_mpc *m, enum spu_dtype t);

#endif
