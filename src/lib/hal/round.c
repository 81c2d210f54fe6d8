/*
 * round.c - floor, ceil, rounding and truncation of secret fixed-point
 * values, exactly, from the boolean sharing B of x (two's complement,
 * f fraction bits F = B mod 2^f, b_i bit i of B):
 *
 *   floor = x - F
 *   ceil  = x - F + 2^f [F != 0]
 *   trunc = x - F + 2^f [x < 0 and F != 0]
 *   round = x - F + 2^f b_{f-1} - 2^f [tie and x < 0]        (half away)
 *   even  = x - F + 2^f b_{f-1} - 2^f [tie and b_f = 0]      (half even)
 *
 * where tie = b_{f-1} and bits [0, f-1) are zero.  Conversion to an
 * integer is B >>a f (a bit move), plus [x < 0 and F != 0].  The conditions are
 * AND trees over a few bits packed into one word (spu_b_and_fold); the
 * parts are turned arithmetic by one batched B2A of f + 1 bits:
 * U1 is subtracted, U2 added.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bits.h"
#include "hal.h"
#include "round.h"
#include "../mpc/boolean.h"

static void
set_word(struct spu_mpc *m, const struct spu_sv *v, size_t i, int s,
    spu_u128 w)
{
	spu_bset(m->field, v->s[s], i, w);
}

int
spu_hal_round(struct spu_mpc *m, const struct spu_value *x,
    enum spu_round mode, struct spu_value **out)
{
	unsigned k = m->field, f = (unsigned)m->fxp;
	size_t n = x->n;
	struct spu_sv b, u, c, t;
	struct spu_value *z = NULL;
	spu_u128 mf = spu_bool_mask(f), mf1 = f ? spu_bool_mask(f - 1) : 0;
	int rc;

	if (!spu_dtype_is_float(x->dtype) || f == 0 || f + 1 >= k) {
		if ((*out = spu_value_dup(x)) == NULL)
			return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
		return 0;
	}
	memset(&u, 0, sizeof(u));
	memset(&c, 0, sizeof(c));
	memset(&t, 0, sizeof(t));
	if ((rc = spu_hal_a2b(m, x, &b)) != 0)
		return rc;
	if ((rc = spu_sv_alloc(m, &u, 2 * n)) != 0 ||
	    (rc = spu_sv_alloc(m, &c, n)) != 0 ||
	    (rc = spu_sv_alloc(m, &t, n)) != 0)
		goto out;
	/* c: the word whose AND (bit 0 after the fold) is the condition */
	for (int s = 0; s < m->nshares; s++)
		for (size_t i = 0; i < n; i++) {
			spu_u128 v = spu_bget(k, b.s[s], i);
			spu_u128 msb = (v >> (k - 1)) & 1;
			switch (mode) {
			case SPU_ROUND_CEIL:
			case SPU_ROUND_TRUNC:
				/* [F == 0]: all of ~F */
				set_word(m, &c, i, s, v & mf);
				break;
			case SPU_ROUND_AFZ:
				set_word(m, &c, i, s, (v & mf) | msb << f);
				break;
			default:
				set_word(m, &c, i, s,
				    v & (mf | (spu_u128)1 << f));
				break;
			}
		}
	switch (mode) {
	case SPU_ROUND_FLOOR:
		break;
	case SPU_ROUND_CEIL:
	case SPU_ROUND_TRUNC:
		rc = spu_b_xor_c(m, c.s, c.s, mf, n);
		if (rc == 0)
			rc = spu_b_and_fold(m, c.s, c.s, n, f);
		if (rc == 0 && mode == SPU_ROUND_TRUNC) {
			/* [x < 0] and not [F == 0] */
			spu_b_rshift(m, t.s, b.s, k - 1, n);
			if ((rc = spu_b_xor_c(m, c.s, c.s, 1, n)) == 0)
				rc = m->ops->and_b(m, c.s, c.s, t.s, n, 1);
		}
		break;
	case SPU_ROUND_AFZ:
		rc = spu_b_xor_c(m, c.s, c.s, mf1, n);
		if (rc == 0)
			rc = spu_b_and_fold(m, c.s, c.s, n, f + 1);
		break;
	default:
		rc = spu_b_xor_c(m, c.s, c.s, mf1 | (spu_u128)1 << f, n);
		if (rc == 0)
			rc = spu_b_and_fold(m, c.s, c.s, n, f + 1);
		break;
	}
	if (rc != 0)
		goto out;
	/* U1 (first n words, subtracted) and U2 (added) */
	for (int s = 0; s < m->nshares; s++)
		for (size_t i = 0; i < n; i++) {
			spu_u128 v = spu_bget(k, b.s[s], i);
			spu_u128 cc = spu_bget(k, c.s[s], i) & 1;
			spu_u128 u1 = v & mf, u2 = 0;
			switch (mode) {
			case SPU_ROUND_FLOOR:
				break;
			case SPU_ROUND_CEIL:
				u1 |= cc << f;
				break;
			case SPU_ROUND_TRUNC:
				u2 = cc << f;
				break;
			default:
				u1 = (v & mf1) | cc << f;
				u2 = v & ((spu_u128)1 << (f - 1));
				break;
			}
			set_word(m, &u, i, s, u1);
			set_word(m, &u, n + i, s, u2);
		}
	if ((z = spu_hal_alloc(m, x->dtype, &x->shape, SPU_SECRET)) == NULL) {
		rc = spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = m->ops->b2a(m, u.s, u.s, 2 * n, f + 1)) != 0)
		goto out;
	{
		struct spu_sv u2 = spu_sv_view(m, &u, n, n);
		struct spu_value *xs = NULL;
		if ((rc = spu_hal_p2s(m, x, &xs)) != 0)
			goto out;
		spu_mpc_sub(m, z->share, xs->share, u.s, n);
		spu_mpc_add(m, z->share, z->share, u2.s, n);
		spu_value_free(xs);
	}
	if (mode == SPU_ROUND_CEIL) {
		void *one = spu_ring_alloc(k, n);
		if (one == NULL) {
			rc = spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			spu_ring_set(k, one, i, (spu_u128)1 << f);
		m->ops->add_p(m, z->share, z->share, one, n);
		free(one);
	}
out:
	spu_sv_free(m, &b);
	spu_sv_free(m, &u);
	spu_sv_free(m, &c);
	spu_sv_free(m, &t);
	if (rc != 0) {
		spu_value_free(z);
		return rc;
	}
	*out = z;
	return 0;
}

int
spu_hal_float_to_int(struct spu_mpc *m, const struct spu_value *x,
    enum spu_dtype t, struct spu_value **out)
{
	unsigned k = m->field, f = (unsigned)m->fxp;
	size_t n = x->n;
	struct spu_sv b, u, c, s;
	struct spu_value *z = NULL;
	int rc;

	if (!spu_dtype_is_float(x->dtype) || spu_dtype_is_float(t) || f == 0 ||
	    f + 1 >= k)
		return spu_hal_convert(m, x, t, out);
	memset(&u, 0, sizeof(u));
	memset(&c, 0, sizeof(c));
	memset(&s, 0, sizeof(s));
	if ((rc = spu_hal_a2b(m, x, &b)) != 0)
		return rc;
	if ((rc = spu_sv_alloc(m, &u, 2 * n)) != 0 ||
	    (rc = spu_sv_alloc(m, &c, n)) != 0 ||
	    (rc = spu_sv_alloc(m, &s, n)) != 0)
		goto out;
	/* c = [F == 0] (AND of ~F), then [x < 0] and not c */
	spu_b_and_c(m, c.s, b.s, spu_bool_mask(f), n);
	if ((rc = spu_b_xor_c(m, c.s, c.s, spu_bool_mask(f), n)) != 0 ||
	    (rc = spu_b_and_fold(m, c.s, c.s, n, f)) != 0 ||
	    (rc = spu_b_xor_c(m, c.s, c.s, 1, n)) != 0)
		goto out;
	spu_b_rshift(m, s.s, b.s, k - 1, n);
	if ((rc = m->ops->and_b(m, c.s, c.s, s.s, n, 1)) != 0)
		goto out;
	/* u = [B >>a f, the correction bit]: one B2A */
	for (int sh = 0; sh < m->nshares; sh++)
		for (size_t i = 0; i < n; i++) {
			spu_u128 v = spu_bget(k, b.s[sh], i);
			spu_u128 hi = v >> f;
			if ((v >> (k - 1)) & 1)
				hi |= ~spu_bool_mask(k - f);
			set_word(m, &u, i, sh, hi);
			set_word(m, &u, n + i, sh, spu_bget(k, c.s[sh], i) & 1);
		}
	if ((z = spu_hal_alloc(m, t, &x->shape, SPU_SECRET)) == NULL) {
		rc = spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = m->ops->b2a(m, u.s, u.s, 2 * n, k)) != 0)
		goto out;
	spu_mpc_add(m, z->share, u.s, spu_sv_view(m, &u, n, n).s, n);
out:
	spu_sv_free(m, &b);
	spu_sv_free(m, &u);
	spu_sv_free(m, &c);
	spu_sv_free(m, &s);
	if (rc != 0) {
		spu_value_free(z);
		return rc;
	}
	*out = z;
	return 0;
}
