/*
 * bitcast.c - BITCAST_CONVERT of secret values: between integers of one
 * width (a wrap, bits.c), and from the bits of an IEEE float (u32/s32 ->
 * f32, u64/s64 -> f64) to its fixed-point value, as JAX's random number
 * generators do with (bits >> 9) | 0x3f800000.  The reverse (a fixed-point
 * value to IEEE bits) is not supported.
 *
 * Decoding: with the boolean sharing of the word, the mantissa with its
 * hidden one, M, and every candidate fixed-point value M shifted by the
 * E - bias - mbits + f positions that can be represented (about k - 2 of
 * them) are local bit moves.  One-hot indicators [exponent = e_j and
 * sign = s] come from an AND tree over the exponent and sign bits (log2
 * of ebits + 1 rounds), and the value is the sum of indicator times
 * candidate (one multiplication round).  Exponents below the range give
 * 0 (the value is below the last fraction bit); exponents above it
 * (beyond the fixed-point range, infinities, NaN) also give 0.
 * Subnormals give 0.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bits.h"
#include "hal.h"
#include "../mem.h"
#include "../mpc/boolean.h"

/* Candidate j: M shifted left by lo + j (right when negative). */
static spu_u128
shifted(spu_u128 mant, int sh, unsigned k)
{
	if (sh >= 0)
		return sh >= (int)k ? 0 : mant << sh;
	return -sh >= (int)k ? 0 : mant >> -sh;
}

static int
decode(struct spu_mpc *m, const struct spu_value *x, enum spu_dtype t,
    struct spu_value **out)
{
	unsigned k = m->field, w = t == SPU_F32 ? 32 : 64;
	unsigned mb = w == 32 ? 23 : 52, eb = w == 32 ? 8 : 11;
	int bias = w == 32 ? 127 : 1023, lo = -(int)mb - 1;
	int hi = (int)k - 4 - (int)mb, J = hi - lo + 1;
	size_t n = x->n, NJ;
	struct spu_sv b, ind, cand, ia, ca;
	struct spu_value *z = NULL;
	int rc;

	if (w > k)
		return spu_mpc_fail(m, SPU_EUNSUPP, "bitcast to f64 needs the "
		    "64 or 128-bit ring");
	if (J < 1 || n > SIZE_MAX / (size_t)(2 * J))
		return spu_mpc_fail(m, SPU_ELIMIT, "bitcast: too large");
	NJ = n * (size_t)J;
	memset(&ind, 0, sizeof(ind));
	memset(&cand, 0, sizeof(cand));
	memset(&ia, 0, sizeof(ia));
	memset(&ca, 0, sizeof(ca));
	if ((rc = spu_hal_a2b(m, x, &b)) != 0)
		return rc;
	spu_hal_bnorm(m, &b, w, 0);
	if ((rc = spu_sv_alloc(m, &ind, 2 * NJ)) != 0 ||
	    (rc = spu_sv_alloc(m, &cand, NJ)) != 0 ||
	    (rc = spu_sv_alloc(m, &ia, 2 * NJ)) != 0 ||
	    (rc = spu_sv_alloc(m, &ca, NJ)) != 0)
		goto out;
	/* indicator words: exponent and sign fields XNOR the wanted ones;
	 * candidates: the mantissa (hidden one from the first party) */
	for (int s = 0; s < m->nshares; s++)
		for (size_t i = 0; i < n; i++) {
			spu_u128 v = spu_bget(k, b.s[s], i);
			spu_u128 es = (v >> mb) & spu_bool_mask(eb + 1);
			spu_u128 mant = v & spu_bool_mask(mb);
			for (int j = 0; j < J; j++) {
				int sh = lo + j;
				size_t q = (size_t)j * n + i;
				spu_bset(k, ind.s[s], q, es);
				spu_bset(k, ind.s[s], NJ + q, es);
				spu_bset(k, cand.s[s], q, shifted(mant, sh, k));
			}
		}
	for (int j = 0; j < J; j++) {
		/* e - bias - mb + f = lo + j */
		spu_u128 e = (spu_u128)(lo + j + bias + (int)mb - m->fxp);
		spu_u128 all = spu_bool_mask(eb + 1);
		struct spu_sv p = spu_sv_view(m, &ind, (size_t)j * n, n);
		struct spu_sv q = spu_sv_view(m, &ind, NJ + (size_t)j * n, n);
		struct spu_sv c = spu_sv_view(m, &cand, (size_t)j * n, n);
		spu_u128 hid = shifted((spu_u128)1 << mb, lo + j, k);
		if ((int)(lo + j + bias + (int)mb - m->fxp) <= 0 ||
		    e >= spu_bool_mask(eb)) {
			/* subnormal, out of range: never matches */
			spu_b_and_c(m, p.s, p.s, 0, n);
			spu_b_and_c(m, q.s, q.s, 0, n);
			continue;
		}
		/* positive: sign 0; negative: sign 1 (bit eb) */
		if ((rc = spu_b_xor_c(m, p.s, p.s, ~e & all, n)) != 0 ||
		    (rc = spu_b_xor_c(m, q.s, q.s, ~(e | (spu_u128)1 << eb) &
		    all, n)) != 0 ||
		    (rc = spu_b_xor_c(m, c.s, c.s, hid, n)) != 0)
			goto out;
	}
	if ((rc = spu_b_and_fold(m, ind.s, ind.s, 2 * NJ, eb + 1)) != 0 ||
	    (rc = m->ops->b2a(m, ia.s, ind.s, 2 * NJ, 1)) != 0 ||
	    (rc = m->ops->b2a(m, ca.s, cand.s, NJ, k)) != 0)
		goto out;
	{
		struct spu_sv neg = spu_sv_view(m, &ia, NJ, NJ);
		spu_mpc_sub(m, ia.s, ia.s, neg.s, NJ);
	}
	if ((rc = m->ops->mul(m, ca.s, ca.s, ia.s, NJ)) != 0)
		goto out;
	if ((z = spu_hal_alloc(m, t, &x->shape, SPU_SECRET)) == NULL) {
		rc = spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
		goto out;
	}
	for (int j = 0; j < J; j++) {
		struct spu_sv c = spu_sv_view(m, &ca, (size_t)j * n, n);
		spu_mpc_add(m, z->share, z->share, c.s, n);
	}
	*out = z;
out:
	spu_sv_free(m, &b);
	spu_sv_free(m, &ind);
	spu_sv_free(m, &cand);
	spu_sv_free(m, &ia);
	spu_sv_free(m, &ca);
	return rc;
}

int
spu_hal_bitcast(struct spu_mpc *m, const struct spu_value *x,
    enum spu_dtype t, struct spu_value **out)
{
	size_t from = spu_dtype_size(x->dtype), to = spu_dtype_size(t);

	if (from != to || x->dtype == SPU_PRED || t == SPU_PRED)
		return spu_mpc_fail(m, SPU_EUNSUPP, "bitcast between types of "
		    "different widths");
	if (spu_dtype_is_float(x->dtype))
		return spu_mpc_fail(m, SPU_EUNSUPP, "bitcast of a secret "
		    "fixed-point value to IEEE bits is not supported");
	if (t == SPU_F32 || t == SPU_F64)
		return decode(m, x, t, out);
	if (spu_dtype_is_float(t))
		return spu_mpc_fail(m, SPU_EUNSUPP, "bitcast to f16/bf16");
	return spu_hal_wrap(m, x, t, out);
}
