/*
 * boolean.h - boolean (XOR) shares and the circuits built on them:
 * carry-save reduction, Kogge-Stone adder (A2B), carry-out (MSB), zero
 * test, prefix OR, bit extraction to arithmetic 0/1 (protocols.md 1.4,
 * 2.7, 3.5).  Protocol independent: everything here is written against
 * the per-protocol primitives nparts/part_b/and_b/b2a of struct
 * spu_proto_ops plus local share arithmetic.
 *
 * Also the small share-vector type used by the HAL's non-linear code.
 * Packing to the bit width is in bitpack.h.
 *
 * A boolean sharing uses the arithmetic share layout of its protocol with
 * XOR in place of +; a width w says how many low bits of each word are
 * meaningful, the rest are kept zero.
 */
#ifndef SPU_MPC_BOOLEAN_H
#define SPU_MPC_BOOLEAN_H

#include <stddef.h>
#include <stdint.h>

#include "bitpack.h"
#include "mpc.h"

/* n shared words: nshares ring vectors of the context's field. */
struct spu_sv {
	void *s[SPU_MAX_SHARES];
	size_t n;
};

/* Zeroed share vectors; 0 or SPU_ENOMEM (recorded in m->diag). */
int spu_sv_alloc(struct spu_mpc *m, struct spu_sv *v, size_t n);
/* Wipe and free (accepts a zeroed or freed struct). */
void spu_sv_free(struct spu_mpc *m, struct spu_sv *v);
/* Elements [off, off+n) of v, sharing its memory (do not free). */
struct spu_sv spu_sv_view(struct spu_mpc *m, const struct spu_sv *v,
    size_t off, size_t n);
/* Copy n words of every share. */
void spu_sv_copy(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n);

/* Inline element access for the bit-level loops (spu_ring_get/set). */
static inline spu_u128
spu_bget(unsigned field, const void *x, size_t i)
{
	switch (field) {
	case 32:
		return ((const uint32_t *)x)[i];
	case 64:
		return ((const uint64_t *)x)[i];
	default:
		return ((const spu_u128 *)x)[i];
	}
}

static inline void
spu_bset(unsigned field, void *x, size_t i, spu_u128 v)
{
	switch (field) {
	case 32:
		((uint32_t *)x)[i] = (uint32_t)v;
		break;
	case 64:
		((uint64_t *)x)[i] = (uint64_t)v;
		break;
	default:
		((spu_u128 *)x)[i] = v;
		break;
	}
}

/* ---- local boolean operations ---- */
void spu_b_xor(struct spu_mpc *m, void *const z[], void *const x[],
    void *const y[], size_t n);
/* z = x XOR c for a public constant c; 0 or SPU_ENOMEM. */
int spu_b_xor_c(struct spu_mpc *m, void *const z[], void *const x[],
    spu_u128 c, size_t n);
void spu_b_and_c(struct spu_mpc *m, void *const z[], void *const x[],
    spu_u128 c, size_t n);
void spu_b_lshift(struct spu_mpc *m, void *const z[], void *const x[],
    unsigned s, size_t n);
void spu_b_rshift(struct spu_mpc *m, void *const z[], void *const x[],
    unsigned s, size_t n);

/* z = x AND y on word-layout shares, low bits bits: packs, calls the
 * protocol's and_p, unpacks (the and_b of every protocol).  1 round. */
int spu_b_and_words(struct spu_mpc *m, void *const z[], void *const x[],
    void *const y[], size_t n, unsigned bits);

/* ---- circuits (interactive) ---- */
/* z = boolean sharing of all k bits of arithmetic x.  Rounds: carry-save
 * reduction of the components (0 for 2 parts, 1 for 3) + 1 + log2 k. */
int spu_b_a2b(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n);
/* The low `bits` bit planes of n k-bit words w into dst (plane j at
 * j pb, bit i of a plane = bit j of w[i], pb >= ceil(n / 8)), dst zero
 * on entry: blocks of 64 zero words are skipped. */
void spu_b_to_planes(unsigned k, unsigned bits, uint8_t *dst,
    const void *w, size_t n, size_t pb);
/*
 * z = boolean 1-bit sharing (bit 0) of bit k-1 of x mod 2^k: msb(x) for
 * k = the field, and x < 0 for any k with |x| < 2^(k-1).  2 <= k <=
 * field.  Rounds: reduction + 1 + ceil(log2(k-1)); bytes grow with k.
 */
int spu_b_msb(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n, unsigned k);
/* The same bits packed: z[s] gets ceil(n / 8) bytes, bit i = msb of
 * x[i] (spu_bool_pack's layout, width 1). */
int spu_b_msb_p(struct spu_mpc *m, uint8_t *const z[], void *const x[],
    size_t n, unsigned k);
/* z = arithmetic 0/1 sharing of the same bit: spu_b_msb then b2a (the
 * protocol's b2a_bit straight from the packed bits where it has one).
 * z may be x (x is read before z is written). */
int spu_b_msb_a(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n, unsigned k);
/* z = arithmetic 0/1 sharing of [x == 0]: a bitwise comparison of two
 * sharings a - b = x (two components, or the protocol's split_b; exact),
 * else 1 - msb(x) - msb(-x), which needs |x| < 2^(k-1). */
int spu_b_eqz_a(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n);
/* z bit 0 = AND of bits [0, w) of boolean x.  ceil(log2 w) rounds. */
int spu_b_and_fold(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n, unsigned w);
/* z bit j = OR of bits [j, w) of boolean x.  ceil(log2 w) rounds. */
int spu_b_prefix_or(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n, unsigned w);
/* z[t*n + i] = arithmetic 0/1 of bit pos[t] of x[i], t < cnt.  1 b2a. */
int spu_b_bits_a(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n, const unsigned *pos, unsigned cnt);
/* z[l*n + i] = sum_t w[l*cnt + t] bit pos[t] of x[i] (l < L), as
 * arithmetic shares: the protocol's b2a_lin where it has one (the bits'
 * own arithmetic shares never made), else spu_b_bits_a and the sums. */
int spu_b_bits_lin(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n, const unsigned *pos, unsigned cnt, const spu_u128 *w,
    unsigned L);

/* ---- mixed products (bmul.c) ---- */
/* z = x * b for arithmetic x and boolean b (bit 0; higher bits ignored).
 * ref2k: local; semi2k with 2 parties: 1 round (MulA1B); aby3: 2
 * rounds (three-party OT); otherwise b2a and a product.  z may alias x
 * or b. */
int spu_b_mul_a(struct spu_mpc *m, void *const z[], void *const x[],
    void *const b[], size_t n);

#endif
