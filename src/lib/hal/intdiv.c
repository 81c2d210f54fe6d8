/*
 * intdiv.c - exact integer division and remainder with a secret operand
 * (semantics and costs in intdiv.h).
 *
 * Public divisor d: with |a| < 2^w and s = k - 3 - w, the estimate
 * q0 = trunc(|a| round(2^s / |d|), s) is within 2^(w-s-1) + 2 of
 * q = floor(|a| / |d|); with r0 = |a| - q0 |d|, q = q0 + #{j >= 1:
 * r0 >= j |d|} - #{j >= 0: r0 < -j |d|}, all thresholds compared in one
 * batched MSB.  When s < 1 (w too wide for the ring) the secret-divisor
 * method is used.
 *
 * Secret divisor: restoring long division on the magnitudes, the
 * dividend's bits from one A2B, one MSB and one product per bit.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bits.h"
#include "hal.h"
#include "intdiv.h"
#include "../mem.h"
#include "../mpc/boolean.h"

static int
nomem(struct spu_mpc *m)
{
	return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
}

/* A public vector of n words, every word c. */
static void *
pub_fill(struct spu_mpc *m, size_t n, spu_u128 c)
{
	void *p = spu_ring_alloc(m->field, n ? n : 1);

	if (p != NULL)
		for (size_t i = 0; i < n; i++)
			spu_ring_set(m->field, p, i, c);
	return p;
}

/* z = x + c (public constant). */
static int
add_c(struct spu_mpc *m, void *const z[], void *const x[], spu_u128 c,
    size_t n)
{
	void *p = pub_fill(m, n, c);

	if (p == NULL)
		return nomem(m);
	m->ops->add_p(m, z, x, p, n);
	free(p);
	return 0;
}

/* |a| into u (and sign bits into s when signed): s = msb(a),
 * u = a - 2 s a. */
static int
magnitude(struct spu_mpc *m, void *const a[], size_t n, struct spu_sv *s,
    struct spu_sv *u)
{
	int rc;

	if ((rc = spu_b_msb_a(m, s->s, a, n,
	    m->field)) != 0 ||
	    (rc = m->ops->mul(m, u->s, s->s, a, n)) != 0)
		return rc;
	spu_mpc_lshift(m, u->s, u->s, 1, n);
	spu_mpc_sub(m, u->s, a, u->s, n);
	return 0;
}

/* Long division of magnitudes: q = ua / ub, r = ua % ub (w bits). */
static int
long_div(struct spu_mpc *m, void *const ua[], void *const ub[], size_t n,
    unsigned w, struct spu_sv *q, struct spu_sv *r)
{
	struct spu_sv b, bits, d, ms, t;
	unsigned pos[128];
	int rc;

	memset(&bits, 0, sizeof(bits));
	memset(&d, 0, sizeof(d));
	memset(&ms, 0, sizeof(ms));
	memset(&t, 0, sizeof(t));
	if ((rc = spu_sv_alloc(m, &b, n)) != 0)
		return rc;
	for (unsigned i = 0; i < w; i++)
		pos[i] = i;
	if ((rc = spu_b_a2b(m, b.s, ua, n)) != 0 ||
	    (rc = spu_sv_alloc(m, &bits, (size_t)w * n)) != 0 ||
	    (rc = spu_sv_alloc(m, &d, n)) != 0 ||
	    (rc = spu_sv_alloc(m, &ms, n)) != 0 ||
	    (rc = spu_sv_alloc(m, &t, n)) != 0)
		goto out;
	spu_hal_bnorm(m, &b, w, 0);
	if ((rc = spu_b_bits_a(m, bits.s, b.s, n, pos, w)) != 0)
		goto out;
	for (int s = 0; s < m->nshares; s++) {
		spu_ring_zero(m->field, q->s[s], n);
		spu_ring_zero(m->field, r->s[s], n);
	}
	for (int i = (int)w - 1; i >= 0; i--) {
		struct spu_sv ai = spu_sv_view(m, &bits, (size_t)i * n, n);
		/* r = 2r + a_i; d = r - ub; keep d unless it is negative */
		spu_mpc_lshift(m, r->s, r->s, 1, n);
		spu_mpc_add(m, r->s, r->s, ai.s, n);
		spu_mpc_sub(m, d.s, r->s, ub, n);
		if ((rc = spu_b_msb_a(m, ms.s, d.s, n,
		    m->field)) != 0 ||
		    (rc = m->ops->mul(m, t.s, ms.s, ub, n)) != 0)
			goto out;
		spu_mpc_add(m, r->s, d.s, t.s, n);
		/* q += (1 - msb) 2^i */
		spu_mpc_lshift(m, ms.s, ms.s, (unsigned)i, n);
		spu_mpc_sub(m, q->s, q->s, ms.s, n);
		if ((rc = add_c(m, q->s, q->s, (spu_u128)1 << i, n)) != 0)
			goto out;
	}
out:
	spu_sv_free(m, &b);
	spu_sv_free(m, &bits);
	spu_sv_free(m, &d);
	spu_sv_free(m, &ms);
	spu_sv_free(m, &t);
	return rc;
}

/*
 * Secret divisor.  Signed: s = msb of [a; b], then one product round
 * for |a|, |b| and sa sb, z = [b == 0], and at the end Q = q sgn (1 - z)
 * - z, R = r (1 - 2 sa) with sgn = (1 - 2 sa)(1 - 2 sb).
 */
static int
div_secret(struct spu_mpc *m, void *const a[], void *const b[], size_t n,
    unsigned w, int sgn, void *const Q[], void *const R[])
{
	struct spu_sv ab, s, p, u, z, q, r, f;
	int rc;

	memset(&s, 0, sizeof(s));
	memset(&p, 0, sizeof(p));
	memset(&u, 0, sizeof(u));
	memset(&z, 0, sizeof(z));
	memset(&q, 0, sizeof(q));
	memset(&r, 0, sizeof(r));
	memset(&f, 0, sizeof(f));
	if ((rc = spu_sv_alloc(m, &ab, 3 * n)) != 0)
		return rc;
	if ((rc = spu_sv_alloc(m, &s, 3 * n)) != 0 ||
	    (rc = spu_sv_alloc(m, &p, 3 * n)) != 0 ||
	    (rc = spu_sv_alloc(m, &u, 2 * n)) != 0 ||
	    (rc = spu_sv_alloc(m, &z, n)) != 0 ||
	    (rc = spu_sv_alloc(m, &q, 2 * n)) != 0 ||
	    (rc = spu_sv_alloc(m, &f, 2 * n)) != 0)
		goto out;
	r = spu_sv_view(m, &q, n, n);
	spu_sv_copy(m, ab.s, a, n);
	spu_sv_copy(m, spu_sv_view(m, &ab, n, n).s, b, n);
	if (!sgn) {
		rc = long_div(m, ab.s, spu_sv_view(m, &ab, n, n).s, n, w, &q,
		    &r);
		if (rc == 0) {
			spu_sv_copy(m, Q, q.s, n);
			spu_sv_copy(m, R, r.s, n);
		}
		goto out;
	}
	/* s = [sa, sb, sb], ab = [a, b, sa] -> p = [sa a, sb b, sa sb] */
	if ((rc = spu_b_msb_a(m, s.s, ab.s, 2 * n,
	    m->field)) != 0 ||
	    (rc = spu_b_eqz_a(m, z.s, b, n)) != 0)
		goto out;
	spu_sv_copy(m, spu_sv_view(m, &s, 2 * n, n).s,
	    spu_sv_view(m, &s, n, n).s, n);
	spu_sv_copy(m, spu_sv_view(m, &ab, 2 * n, n).s, s.s, n);
	if ((rc = m->ops->mul(m, p.s, s.s, ab.s, 3 * n)) != 0)
		goto out;
	spu_mpc_lshift(m, u.s, p.s, 1, 2 * n);
	spu_mpc_sub(m, u.s, ab.s, u.s, 2 * n);		/* |a|, |b| */
	/* f = [sgn (1 - z), 1 - 2 sa]: sgn = 1 - 2 sa - 2 sb + 4 sa sb */
	{
		struct spu_sv f0 = spu_sv_view(m, &f, 0, n);
		struct spu_sv f1 = spu_sv_view(m, &f, n, n);
		struct spu_sv sb = spu_sv_view(m, &s, n, n);
		struct spu_sv ps = spu_sv_view(m, &p, 2 * n, n);
		spu_mpc_add(m, f0.s, s.s, sb.s, n);
		spu_mpc_lshift(m, ps.s, ps.s, 1, n);
		spu_mpc_sub(m, f0.s, f0.s, ps.s, n);
		spu_mpc_lshift(m, f0.s, f0.s, 1, n);
		spu_mpc_neg(m, f0.s, f0.s, n);
		if ((rc = add_c(m, f0.s, f0.s, 1, n)) != 0)
			goto out;
		/* times (1 - z): f0 - f0 z */
		if ((rc = m->ops->mul(m, f1.s, f0.s, z.s, n)) != 0)
			goto out;
		spu_mpc_sub(m, f0.s, f0.s, f1.s, n);
		spu_mpc_lshift(m, f1.s, s.s, 1, n);
		spu_mpc_neg(m, f1.s, f1.s, n);
		if ((rc = add_c(m, f1.s, f1.s, 1, n)) != 0)
			goto out;
	}
	if ((rc = long_div(m, u.s, spu_sv_view(m, &u, n, n).s, n, w, &q,
	    &r)) != 0 ||
	    (rc = m->ops->mul(m, q.s, q.s, f.s, 2 * n)) != 0)
		goto out;
	spu_mpc_sub(m, Q, q.s, z.s, n);
	spu_sv_copy(m, R, r.s, n);
out:
	spu_sv_free(m, &ab);
	spu_sv_free(m, &s);
	spu_sv_free(m, &p);
	spu_sv_free(m, &u);
	spu_sv_free(m, &z);
	spu_sv_free(m, &q);
	spu_sv_free(m, &f);
	return rc;
}

/*
 * Public divisor: Q only (R = a - Q d is local).  Returns 1 when the ring
 * is too narrow for the estimate (the caller divides by a shared d).
 */
static int
div_public(struct spu_mpc *m, void *const a[], const void *d, size_t n,
    unsigned w, int sgn, void *const Q[])
{
	unsigned k = m->field;
	int s = (int)k - 3 - (int)w, E;
	void *mc = NULL, *ud = NULL, *pv = NULL;
	struct spu_sv sa, ua, D, M;
	int rc = 0;

	if (s < 1)
		return 1;
	E = 2 + (w >= (unsigned)s + 1 ? 1 << (w - (unsigned)s - 1 > 4 ? 4 :
	    w - (unsigned)s - 1) : 1);
	memset(&sa, 0, sizeof(sa));
	memset(&ua, 0, sizeof(ua));
	memset(&D, 0, sizeof(D));
	memset(&M, 0, sizeof(M));
	if ((mc = spu_ring_alloc(k, n)) == NULL ||
	    (ud = spu_ring_alloc(k, n)) == NULL ||
	    (pv = spu_ring_alloc(k, n)) == NULL) {
		rc = nomem(m);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		spu_i128 v = spu_ring_get_signed(k, d, i);
		spu_u128 u = (spu_u128)(v < 0 ? -v : v);
		if (!sgn)
			u = spu_ring_get(k, d, i) & spu_bool_mask(w);
		if (u == 0)
			u = 1;
		spu_ring_set(k, ud, i, u);
		spu_ring_set(k, mc, i, (((spu_u128)1 << s) + u / 2) / u);
	}
	if ((rc = spu_sv_alloc(m, &sa, n)) != 0 ||
	    (rc = spu_sv_alloc(m, &ua, n)) != 0 ||
	    (rc = spu_sv_alloc(m, &D, 2 * (size_t)E * n)) != 0 ||
	    (rc = spu_sv_alloc(m, &M, 2 * (size_t)E * n)) != 0)
		goto out;
	if (sgn)
		rc = magnitude(m, a, n, &sa, &ua);
	else
		spu_sv_copy(m, ua.s, a, n);
	if (rc != 0)
		goto out;
	/* q0 = trunc(|a| mc, s); r0 = |a| - q0 |d| */
	spu_mpc_mul_p(m, Q, ua.s, mc, n);
	if ((rc = m->ops->trunc(m, Q, Q, n, (unsigned)s)) != 0)
		goto out;
	spu_mpc_mul_p(m, D.s, Q, ud, n);
	spu_mpc_sub(m, D.s, ua.s, D.s, n);
	/* thresholds: r0 - j |d| (j = 1..E), r0 + j |d| (j = 0..E-1) */
	for (int j = 1; j <= E; j++) {
		struct spu_sv dp = spu_sv_view(m, &D, (size_t)(j - 1) * n, n);
		struct spu_sv dn = spu_sv_view(m, &D, (size_t)(E + j - 1) * n,
		    n);
		for (size_t i = 0; i < n; i++)
			spu_ring_set(k, pv, i, -(spu_u128)j *
			    spu_ring_get(k, ud, i));
		if (j > 1)
			m->ops->add_p(m, dp.s, D.s, pv, n);
		for (size_t i = 0; i < n; i++)
			spu_ring_set(k, pv, i, (spu_u128)(j - 1) *
			    spu_ring_get(k, ud, i));
		m->ops->add_p(m, dn.s, D.s, pv, n);
	}
	for (size_t i = 0; i < n; i++)
		spu_ring_set(k, pv, i, -spu_ring_get(k, ud, i));
	m->ops->add_p(m, D.s, D.s, pv, n);
	if ((rc = spu_b_msb_a(m, M.s, D.s, 2 * (size_t)E * n,
	    m->field)) != 0)
		goto out;
	/* q = q0 + E - sum of all msb */
	for (int j = 0; j < 2 * E; j++)
		spu_mpc_sub(m, Q, Q, spu_sv_view(m, &M, (size_t)j * n, n).s,
		    n);
	if ((rc = add_c(m, Q, Q, (spu_u128)E, n)) != 0)
		goto out;
	if (sgn) {
		/* Q = q (1 - 2 sa) sign(d) */
		if ((rc = m->ops->mul(m, ua.s, Q, sa.s, n)) != 0)
			goto out;
		spu_mpc_lshift(m, ua.s, ua.s, 1, n);
		spu_mpc_sub(m, Q, Q, ua.s, n);
	}
	/* sign(d), and x / 0 = all bits set: Q sign + [d == 0] (-1 - Q) */
	for (size_t i = 0; i < n; i++)
		spu_ring_set(k, pv, i, spu_ring_get_signed(k, d, i) < 0 && sgn ?
		    -(spu_u128)1 : spu_ring_get(k, d, i) == 0 ? 0 : 1);
	spu_mpc_mul_p(m, Q, Q, pv, n);
	for (size_t i = 0; i < n; i++)
		spu_ring_set(k, pv, i, spu_ring_get(k, d, i) == 0 ?
		    (sgn ? -(spu_u128)1 : spu_bool_mask(w)) : 0);
	m->ops->add_p(m, Q, Q, pv, n);
out:
	free(mc);
	free(ud);
	free(pv);
	spu_sv_free(m, &sa);
	spu_sv_free(m, &ua);
	spu_sv_free(m, &D);
	spu_sv_free(m, &M);
	return rc;
}

int
spu_hal_idivrem(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, int want_rem, struct spu_value **out)
{
	unsigned w = spu_hal_int_width(m, a->dtype);
	int sgn = spu_dtype_is_signed(a->dtype);
	struct spu_value *sa = NULL, *sb = NULL, *q = NULL, *r = NULL;
	int rc;

	if (spu_dtype_is_float(a->dtype) || a->dtype == SPU_PRED)
		return spu_mpc_fail(m, SPU_EINVAL, "integer division of a "
		    "non-integer");
	if (a->n != b->n)
		return spu_mpc_fail(m, SPU_ESHAPE, "div: operand sizes differ");
	if ((rc = spu_hal_p2s(m, a, &sa)) != 0)
		return rc;
	q = spu_hal_alloc(m, a->dtype, &a->shape, SPU_SECRET);
	r = spu_hal_alloc(m, a->dtype, &a->shape, SPU_SECRET);
	if (q == NULL || r == NULL) {
		rc = nomem(m);
		goto out;
	}
	rc = 1;
	if (b->vis == SPU_PUBLIC) {
		rc = div_public(m, sa->share, b->share[0], a->n, w, sgn,
		    q->share);
		if (rc == 0 && want_rem) {
			/* R = a - Q d */
			spu_mpc_mul_p(m, r->share, q->share, b->share[0],
			    a->n);
			spu_mpc_sub(m, r->share, sa->share, r->share, a->n);
		}
	}
	if (rc == 1) {
		if ((rc = spu_hal_p2s(m, b, &sb)) == 0)
			rc = div_secret(m, sa->share, sb->share, a->n, w, sgn,
			    q->share, r->share);
	}
out:
	spu_value_free(sa);
	spu_value_free(sb);
	if (rc == 0) {
		*out = want_rem ? r : q;
		spu_value_free(want_rem ? q : r);
		return 0;
	}
	spu_value_free(q);
	spu_value_free(r);
	return rc;
}
