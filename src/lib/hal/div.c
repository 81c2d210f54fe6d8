/*
 * div.c - reciprocal and division.  Secret divisor: normalization by the
 * leading one of |b| (one A2B, prefix OR, one B2A), Goldschmidt on
 * c = b 2^(f-1-m) in [0.5, 1], rescaling by one-hot multipliers
 * (protocols.md 5.4).  Public divisor: the normalization is known, one or
 * two truncations.  Integers: exact for public operands; for secret ones
 * through the fixed-point quotient with a remainder correction.
 *
 * Valid (k ring bits, f fraction bits, J = min(k-3, 2f+8)): 2^-f <= |b|
 * < 2^(J-f) (2^(1-f) for negative b), and for |b| >= 1 the quotient
 * below 2^(k-2-J) in magnitude (FM64: |b| < 2^26, |a/b| < 2^18).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "approx.h"
#include "approx_util.h"
#include "hal.h"
#include "../fxp.h"
#include "../mem.h"

static int
nomem(struct spu_mpc *m)
{
	return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
}

/*
 * z = a / b (a NULL: 1 / b).  Leading one of |b| at m: c = b 2^(f-1-m)
 * in [0.5, 1] by one product with sum_j h_j 2^(K1+f-1-j) and a
 * truncation by K1; Goldschmidt for g = a / c; then a / b = g 2^(f-1-m):
 * g F_up (integer, m < f) + trunc(g F_dn, K0) (m >= f).
 */
static int
div_core(struct spu_mpc *m, void *const z[], void *const a[],
    void *const b[], size_t n)
{
	unsigned f = (unsigned)m->fxp, J = spu_ax_onehot_width(m);
	unsigned K1 = J > f ? J - f : 0, K0 = J > f ? J - f : 0;
	size_t W = (size_t)J + 2;
	struct spu_sv A, X;
	spu_u128 *rows;
	int rc;

	memset(&X, 0, sizeof(X));
	/* the rows over the one-hot: c's scale, msb(b), up, dn */
	if ((rows = calloc(4 * W, sizeof(*rows))) == NULL)
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	for (unsigned j = 0; j < J; j++) {
		rows[j] = (spu_u128)1 << (K1 + f - 1 - j);
		rows[2 * W + j] = j < f ? (spu_u128)1 << (f - 1 - j) : 0;
		rows[3 * W + j] = j >= f ? (spu_u128)1 << (K0 - (j - f + 1)) :
		    0;
	}
	rows[W + J + 1] = 1;
	rc = spu_ax_onehot_lin(m, &A, b, n, J, rows, 4);
	free(rows);
	if (rc != 0)
		return rc;
	if ((rc = spu_sv_alloc(m, &X, 2 * n)) != 0)
		goto out;
	{
		struct spu_sv c = spu_sv_view(m, &X, 0, n);
		struct spu_sv v = spu_sv_view(m, &X, n, n);
		struct spu_sv s = spu_sv_view(m, &A, n, n);
		spu_sv_copy(m, c.s, A.s, n);
		if ((rc = m->ops->mul(m, c.s, c.s, b, n)) != 0 ||
		    (rc = spu_ax_trunc(m, c.s, c.s, n, K1)) != 0 ||
		    (rc = spu_ax_gs_start(m, v.s, c.s, s.s, n)) != 0 ||
		    (rc = spu_ax_goldschmidt(m, c.s, c.s, v.s, a, n, 0)) != 0)
			goto out;
		spu_sv_copy(m, v.s, c.s, n);
	}
	{
		/* (g, g) times (up, dn), the second truncated by K0 */
		struct spu_sv Y = spu_sv_view(m, &A, 2 * n, 2 * n);
		struct spu_sv x1 = spu_sv_view(m, &X, n, n);
		if ((rc = m->ops->mul(m, X.s, X.s, Y.s, 2 * n)) != 0 ||
		    (rc = spu_ax_trunc(m, x1.s, x1.s, n, K0)) != 0)
			goto out;
		spu_mpc_add(m, z, X.s, x1.s, n);
	}
out:
	spu_sv_free(m, &A);
	spu_sv_free(m, &X);
	return rc;
}

/* Exact integer division of public words (XLA: x / 0 = -1, i.e. all
 * ones; INT_MIN / -1 wraps), kept in the dtype's range. */
static void
idiv_public(struct spu_mpc *m, void *z, const void *a, const void *b,
    size_t n, enum spu_dtype t)
{
	unsigned k = m->field, w = (unsigned)spu_dtype_size(t) * 8;
	int sgn = spu_dtype_is_signed(t);

	if (w > k)
		w = k;
	for (size_t i = 0; i < n; i++) {
		spu_u128 r;
		if (sgn) {
			spu_i128 x = spu_ring_get_signed(k, a, i);
			spu_i128 y = spu_ring_get_signed(k, b, i);
			spu_i128 lim = -((spu_i128)1 << (w - 1));
			r = y == 0 ? ~(spu_u128)0 : (y == -1 && x == lim) ?
			    (spu_u128)x : (spu_u128)(x / y);
		} else {
			spu_u128 x = spu_ring_get(k, a, i) & spu_bool_mask(w);
			spu_u128 y = spu_ring_get(k, b, i) & spu_bool_mask(w);
			r = y == 0 ? spu_bool_mask(w) : x / y;
		}
		spu_ring_set(k, z, i, r);
	}
}

/*
 * Secret a, public b: per element c = |b| / 2^(m+1) in [0.5, 1) known
 * in the clear, so g = trunc(a round(2^f / c) sign(b), f) and then
 * a / b = g F_up + trunc(g F_dn, K0) with public one-hot multipliers
 * (K0 = the largest shift needed; no truncation if every |b| < 1).
 */
static int
div_public(struct spu_mpc *m, void *const z[], void *const a[],
    const void *b, size_t n)
{
	unsigned k = m->field, f = (unsigned)m->fxp, K0 = 0;
	void *R = spu_ring_alloc(k, n), *U = spu_ring_alloc(k, n),
	    *D = spu_ring_alloc(k, n);
	int *mm = spu_calloc(n, sizeof(int));
	struct spu_sv g, t;
	int rc;

	memset(&g, 0, sizeof(g));
	memset(&t, 0, sizeof(t));
	if (R == NULL || U == NULL || D == NULL || mm == NULL) {
		rc = nomem(m);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		spu_i128 v = spu_ring_get_signed(k, b, i);
		spu_u128 av = (spu_u128)(v < 0 ? -v : v);
		int p = -1;
		while (p + 1 < (int)k - 1 && (av >> (p + 1)) != 0)
			p++;
		mm[i] = p;
		if (p < 0)
			continue;
		spu_ring_set(k, R, i, spu_ax_enc((v < 0 ? -1.0 : 1.0) *
		    ldexpl(1.0L, p + 1) / (long double)av, (int)f));
		if (p >= (int)f && (unsigned)(p - (int)f + 1) > K0)
			K0 = (unsigned)(p - (int)f + 1);
	}
	for (size_t i = 0; i < n; i++) {
		int p = mm[i];
		if (p >= 0 && p < (int)f)
			spu_ring_set(k, U, i, (spu_u128)1 << (f - 1 - p));
		else if (p >= (int)f)
			spu_ring_set(k, D, i, (spu_u128)1 << (K0 -
			    (unsigned)(p - (int)f + 1)));
	}
	if ((rc = spu_sv_alloc(m, &g, n)) != 0 ||
	    (rc = spu_sv_alloc(m, &t, n)) != 0)
		goto out;
	spu_mpc_mul_p(m, g.s, a, R, n);
	if ((rc = spu_ax_trunc(m, g.s, g.s, n, f)) != 0)
		goto out;
	spu_mpc_mul_p(m, t.s, g.s, D, n);
	if (K0 > 0 && (rc = spu_ax_trunc(m, t.s, t.s, n, K0)) != 0)
		goto out;
	spu_mpc_mul_p(m, g.s, g.s, U, n);
	spu_mpc_add(m, z, g.s, t.s, n);
out:
	free(R);
	free(U);
	free(D);
	free(mm);
	spu_sv_free(m, &g);
	spu_sv_free(m, &t);
	return rc;
}

/*
 * Secret integer division, rounding toward zero (protocols.md 5.9):
 * signs by one batched MSB, |x| and |y| and s_x s_y in one product
 * round, q0 = floor(fxp(|x|) / fxp(|y|)) by div_core, then the remainder
 * r = |x| - q0 |y| corrects q0 by one either way (one batched MSB of r
 * and r - |y|), and the sign is applied.  Exact while |y| < 2^(J-f) and
 * the quotient below 2^(k-2-J) (the rescale): tested exact for
 * |x| <= 2^17, |y| <= 2^10 at FM64, |x| <= 32 at FM32.
 */
static int
idiv_secret(struct spu_mpc *m, void *const z[], void *const x[],
    void *const y[], size_t n, int sgn)
{
	unsigned f = (unsigned)m->fxp;
	struct spu_sv S, P, A, q, r;
	int rc;

	memset(&P, 0, sizeof(P));
	memset(&A, 0, sizeof(A));
	memset(&q, 0, sizeof(q));
	memset(&r, 0, sizeof(r));
	if ((rc = spu_sv_alloc(m, &S, 3 * n)) != 0 ||
	    (rc = spu_sv_alloc(m, &P, 3 * n)) != 0 ||
	    (rc = spu_sv_alloc(m, &A, 2 * n)) != 0 ||
	    (rc = spu_sv_alloc(m, &q, n)) != 0 ||
	    (rc = spu_sv_alloc(m, &r, 2 * n)) != 0)
		goto out;
	{
		struct spu_sv s01 = spu_sv_view(m, &S, 0, 2 * n);
		struct spu_sv sx = spu_sv_view(m, &S, 0, n);
		struct spu_sv sy = spu_sv_view(m, &S, n, n);
		struct spu_sv s2 = spu_sv_view(m, &S, 2 * n, n);
		struct spu_sv p0 = spu_sv_view(m, &P, 0, n);
		struct spu_sv p1 = spu_sv_view(m, &P, n, n);
		struct spu_sv p2 = spu_sv_view(m, &P, 2 * n, n);
		struct spu_sv ax = spu_sv_view(m, &A, 0, n);
		struct spu_sv ay = spu_sv_view(m, &A, n, n);
		struct spu_sv r1 = spu_sv_view(m, &r, n, n);
		spu_sv_copy(m, sx.s, x, n);
		spu_sv_copy(m, sy.s, y, n);
		if (sgn) {
			/* [x s_x, y s_y, s_x s_y] in one round */
			if ((rc = spu_b_msb_a(m, s01.s, s01.s, 2 * n,
			    m->field)) != 0)
				goto out;
			spu_sv_copy(m, s2.s, sy.s, n);
			spu_sv_copy(m, p0.s, x, n);
			spu_sv_copy(m, p1.s, y, n);
			spu_sv_copy(m, p2.s, sx.s, n);
			if ((rc = m->ops->mul(m, P.s, P.s, S.s, 3 * n)) != 0)
				goto out;
			spu_ax_mulc(m, P.s, P.s, 2, 2 * n);
			spu_mpc_sub(m, ax.s, x, p0.s, n);
			spu_mpc_sub(m, ay.s, y, p1.s, n);
		} else {
			spu_sv_copy(m, ax.s, x, n);
			spu_sv_copy(m, ay.s, y, n);
		}
		/* q0 = floor(|x| / |y|) + {0, 1} from the fixed-point path */
		spu_mpc_lshift(m, r.s, A.s, f, 2 * n);
		if ((rc = div_core(m, q.s, r.s, r1.s, n)) != 0 ||
		    (rc = spu_ax_trunc(m, q.s, q.s, n, f)) != 0)
			goto out;
		/* r = |x| - q0 |y|; q = q0 - [r < 0] + [r - |y| >= 0] */
		if ((rc = m->ops->mul(m, r.s, q.s, ay.s, n)) != 0)
			goto out;
		spu_mpc_sub(m, r.s, ax.s, r.s, n);
		spu_mpc_sub(m, r1.s, r.s, ay.s, n);
		if ((rc = spu_b_msb_a(m, r.s, r.s, 2 * n,
		    m->field)) != 0)
			goto out;
		spu_mpc_sub(m, q.s, q.s, r.s, n);
		spu_mpc_sub(m, q.s, q.s, r1.s, n);
		if ((rc = spu_ax_addc(m, q.s, q.s, 1, n)) != 0)
			goto out;
		if (!sgn) {
			spu_sv_copy(m, z, q.s, n);
			goto out;
		}
		/* sign = 1 - 2 (s_x ^ s_y), s_x ^ s_y = s_x + s_y - 2 s_x s_y */
		spu_mpc_add(m, sx.s, sx.s, sy.s, n);
		spu_mpc_sub(m, sx.s, sx.s, p2.s, n);
		spu_mpc_sub(m, sx.s, sx.s, p2.s, n);
		if ((rc = m->ops->mul(m, sx.s, sx.s, q.s, n)) != 0)
			goto out;
		spu_ax_mulc(m, sx.s, sx.s, 2, n);
		spu_mpc_sub(m, z, q.s, sx.s, n);
	}
out:
	spu_sv_free(m, &S);
	spu_sv_free(m, &P);
	spu_sv_free(m, &A);
	spu_sv_free(m, &q);
	spu_sv_free(m, &r);
	return rc;
}

int
spu_hal_div(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, enum spu_dtype t, struct spu_value **out)
{
	struct spu_value *z, *sa = NULL;
	int rc = 0;

	if (a->n != b->n)
		return spu_fail(m->diag, SPU_ESHAPE,
		    "party %d: div: operand sizes differ", m->party);
	if (spu_dtype_is_float(a->dtype) != spu_dtype_is_float(b->dtype))
		return spu_fail(m->diag, SPU_EINVAL,
		    "party %d: div of a float by an integer", m->party);
	if ((a->vis == SPU_SECRET || b->vis == SPU_SECRET) && m->fxp < 4)
		return spu_fail(m->diag, SPU_EUNSUPP,
		    "party %d: div needs at least 4 fraction bits", m->party);
	z = spu_hal_alloc(m, t, &a->shape, a->vis == SPU_SECRET ||
	    b->vis == SPU_SECRET ? SPU_SECRET : SPU_PUBLIC);
	if (z == NULL)
		return nomem(m);
	if (!spu_dtype_is_float(a->dtype)) {
		struct spu_value *sb = NULL;
		if (z->vis == SPU_PUBLIC)
			idiv_public(m, z->share[0], a->share[0], b->share[0],
			    a->n, a->dtype);
		else if (a->n > 0 && (rc = spu_hal_p2s(m, a, &sa)) == 0 &&
		    (rc = spu_hal_p2s(m, b, &sb)) == 0)
			rc = idiv_secret(m, z->share, sa->share, sb->share,
			    a->n, spu_dtype_is_signed(a->dtype) ||
			    a->dtype == SPU_PRED);
		spu_value_free(sa);
		spu_value_free(sb);
	} else if (z->vis == SPU_PUBLIC) {
		for (size_t i = 0; i < a->n; i++) {
			double x = spu_fxp_decode_f64(m->field, m->fxp,
			    spu_ring_get(m->field, a->share[0], i));
			double y = spu_fxp_decode_f64(m->field, m->fxp,
			    spu_ring_get(m->field, b->share[0], i));
			spu_ring_set(m->field, z->share[0], i,
			    spu_fxp_encode_f64(m->field, m->fxp, x / y));
		}
	} else if (a->n == 0) {
		rc = 0;
	} else if (b->vis == SPU_PUBLIC) {
		rc = div_public(m, z->share, a->share, b->share[0], a->n);
	} else if ((rc = spu_hal_p2s(m, a, &sa)) == 0) {
		rc = div_core(m, z->share, sa->share, b->share, a->n);
		spu_value_free(sa);
	}
	if (rc != 0) {
		spu_value_free(z);
		return rc;
	}
	*out = z;
	return 0;
}

int
spu_hal_reciprocal(struct spu_mpc *m, const struct spu_value *x,
    struct spu_value **out)
{
	struct spu_value *z;
	int rc = 0;

	if (!spu_dtype_is_float(x->dtype))
		return spu_fail(m->diag, SPU_EINVAL,
		    "party %d: reciprocal of a non-float value", m->party);
	if (x->vis == SPU_SECRET && m->fxp < 4)
		return spu_fail(m->diag, SPU_EUNSUPP, "party %d: reciprocal "
		    "needs at least 4 fraction bits", m->party);
	if ((z = spu_hal_alloc(m, x->dtype, &x->shape, x->vis)) == NULL)
		return nomem(m);
	if (x->vis == SPU_PUBLIC) {
		for (size_t i = 0; i < x->n; i++) {
			double v = spu_fxp_decode_f64(m->field, m->fxp,
			    spu_ring_get(m->field, x->share[0], i));
			spu_ring_set(m->field, z->share[0], i,
			    spu_fxp_encode_f64(m->field, m->fxp, 1 / v));
		}
	} else if (x->n > 0) {
		rc = div_core(m, z->share, NULL, x->share, x->n);
	}
	if (rc != 0) {
		spu_value_free(z);
		return rc;
	}
	*out = z;
	return 0;
}
